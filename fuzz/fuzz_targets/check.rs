//! Parser, model and every rule on arbitrary bytes: no panic, no internal error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xsguard::check::check_bytes;
use xsguard::rules::RuleSelection;

fuzz_target!(|data: &[u8]| {
    let file = check_bytes("fuzz.xs", data, &RuleSelection::all());
    assert!(file.internal_errors.is_empty(), "{:?}", file.internal_errors);
});
