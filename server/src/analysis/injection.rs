//! Shared questions of the injection rules.
