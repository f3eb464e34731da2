//! The checks xsguard runs: one module per rule, each documented in its own `//!` comment,
//! plus the registry of codes and the selection of rules by code prefix.

pub mod context;
mod registry;

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
pub use registry::{RULES, Rule, RuleSelection, SelectorError, is_known, rule};

/// A rule's check: reads one file in its workspace and reports what it finds.
pub type CheckFn = fn(&Context) -> Vec<Diagnostic>;

/// The checks of the analysis rules, by code. (XS000–XS002 come from the parser and the
/// suppression comments, not from a check.)
pub static CHECKS: &[(&str, CheckFn)] = &[
    (
        xs003_unfilled_placeholder::CODE,
        xs003_unfilled_placeholder::check,
    ),
    (
        xs101_unauthenticated_data_access::CODE,
        xs101_unauthenticated_data_access::check,
    ),
    (xs102_idor_request_id::CODE, xs102_idor_request_id::check),
    (xs103_mass_assignment::CODE, xs103_mass_assignment::check),
    (
        xs104_missing_rate_limit::CODE,
        xs104_missing_rate_limit::check,
    ),
    (
        xs105_webhook_signature_unverified::CODE,
        xs105_webhook_signature_unverified::check,
    ),
    (
        xs201_sensitive_field_unflagged::CODE,
        xs201_sensitive_field_unflagged::check,
    ),
    (
        xs202_response_exposes_record::CODE,
        xs202_response_exposes_record::check,
    ),
    (
        xs203_sensitive_data_logged::CODE,
        xs203_sensitive_data_logged::check,
    ),
    (
        xs204_public_personal_data::CODE,
        xs204_public_personal_data::check,
    ),
    (xs301_public_swagger::CODE, xs301_public_swagger::check),
    (xs302_permissive_cors::CODE, xs302_permissive_cors::check),
    (xs303_long_lived_token::CODE, xs303_long_lived_token::check),
    (xs401_sql_injection::CODE, xs401_sql_injection::check),
    (xs402_ssrf::CODE, xs402_ssrf::check),
    (xs403_code_injection::CODE, xs403_code_injection::check),
    (xs501_hardcoded_secret::CODE, xs501_hardcoded_secret::check),
    (xs502_test_credential::CODE, xs502_test_credential::check),
    (xs503_weak_hash::CODE, xs503_weak_hash::check),
];

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
