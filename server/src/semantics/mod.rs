//! Typed views over the model: what an endpoint or an api group says about itself, read once
//! from its attributes so that every rule, the audit and the editor agree on it. Nothing here
//! knows other files: what needs the workspace (is this table an auth table?) is asked there.

pub mod api_group;
pub mod endpoint;
pub mod filters;
pub mod names;
pub mod statements;

use crate::model::{Expr, ExprKind};

/// The string value of an expression when it is a literal (for names given as strings).
pub fn literal_name(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::String(s) | ExprKind::Word(s) => Some(s),
        _ => None,
    }
}
