//! The fix applier: every offered fix applies cleanly and never adds a syntax error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xsguard::check::check_bytes;
use xsguard::fix::apply_fix;
use xsguard::rules::RuleSelection;
use xsguard::syntax::{parse, syntax_errors};

fuzz_target!(|data: &[u8]| {
    let file = check_bytes("fuzz.xs", data, &RuleSelection::all());
    let before = syntax_errors(&parse(file.text.to_string())).len();
    for finding in &file.findings {
        for fix in &finding.fixes {
            let fixed = apply_fix(&file.text, fix).expect("fix edits are valid");
            assert!(syntax_errors(&parse(fixed)).len() <= before, "fix `{}` breaks the file", fix.title);
        }
    }
});
