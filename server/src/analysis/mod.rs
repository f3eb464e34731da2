//! Questions rules ask of the model and the workspace: names, data flow, records.

pub mod flow;
pub mod names;
