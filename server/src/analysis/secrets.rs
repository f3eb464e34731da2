//! Shared questions of the secrets rules.
