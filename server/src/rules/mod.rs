//! The checks xsguard runs: one module per rule, each documented in its own `//!` comment,
//! plus the registry of codes and the selection of rules by code prefix.

pub mod context;
mod edits;
mod output_fix;
mod registry;
mod rule;

mod xs000_syntax_error;
mod xs001_suppression_without_reason;
mod xs002_unused_suppression;
mod xs003_unfilled_placeholder;
mod xs101_unauthenticated_data_access;
mod xs102_idor_request_id;
mod xs103_mass_assignment;
mod xs104_missing_rate_limit;
mod xs105_webhook_signature_unverified;
mod xs201_sensitive_field_unflagged;
mod xs202_response_exposes_record;
mod xs203_sensitive_data_logged;
mod xs204_public_personal_data;
mod xs301_public_swagger;
mod xs302_permissive_cors;
mod xs303_long_lived_token;
mod xs401_sql_injection;
mod xs402_ssrf;
mod xs403_code_injection;
mod xs501_hardcoded_secret;
mod xs502_test_credential;
mod xs503_weak_hash;

pub use context::{Context, Diagnostic, Related};
pub use registry::{RULES, RuleSelection, SelectorError, is_known, rule};
pub use rule::Rule;

/// A rule's check: reads one file in its workspace and reports what it finds.
pub type CheckFn = fn(&Context) -> Vec<Diagnostic>;

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

/// The documentation of a rule: the `//!` comment of its module.
pub fn documentation(code: &str) -> Option<&'static str> {
    docs::RULE_DOCS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, doc)| *doc)
}
