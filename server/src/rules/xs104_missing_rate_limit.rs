//! ## What it does
//! (not written yet)

use crate::rules::context::{Context, Diagnostic};

pub const CODE: &str = "XS104";

pub fn check(_ctx: &Context) -> Vec<Diagnostic> {
    Vec::new()
}
