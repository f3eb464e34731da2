//! Shared questions of the access rules.
