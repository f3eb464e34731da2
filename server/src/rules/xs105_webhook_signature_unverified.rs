//! ## What it does
//! (not written yet)

use crate::rules::context::{Context, Diagnostic};

pub const CODE: &str = "XS105";

pub fn check(_ctx: &Context) -> Vec<Diagnostic> {
    Vec::new()
}
