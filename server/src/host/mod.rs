//! The engine both fronts drive: checking a file in its workspace ([`check`]), the workspace as
//! an editor session holds it, with open documents standing in for their files ([`project`]),
//! and reusing the findings of objects a change did not touch ([`reuse`]). Nothing here knows a
//! protocol: documents are named by a key the front chooses.

pub mod check;
pub mod project;
pub mod reuse;
