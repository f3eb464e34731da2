//! Shared questions of the exposure rules.
