//! ## What it does
//! (not written yet)

use super::context::{Context, Diagnostic};

pub const CODE: &str = "XS503";

pub fn check(_ctx: &Context) -> Vec<Diagnostic> {
    Vec::new()
}
