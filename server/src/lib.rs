//! xsguard finds security mistakes in XanoScript (`.xs`) files.
//!
//! The crate is organised as a pipeline: [`syntax`] turns text into a tree and syntax errors,
//! [`rules`] describes the checks, [`check`] runs them over one file, and [`cli`] walks files
//! and reports [`Finding`]s; [`lsp`] and [`mcp`] serve editors and AI agents.

pub mod analysis;
pub mod audit;
pub mod cli;
pub mod finding;
pub mod fix;
pub mod host;
pub mod lsp;
pub mod mcp;
pub mod model;
pub mod rules;
pub mod semantics;
pub mod syntax;
pub mod workspace;

pub use finding::{Finding, Fix, Location, RelatedLocation, Severity, TextEdit};
