//! Questions rules ask of the model and the workspace: names, data flow, records.

pub mod access;
pub mod callers;
pub mod exposure;
pub mod flow;
pub mod injection;
pub mod secrets;
