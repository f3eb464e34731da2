//! The host's projects with documents named by URI.

use tower_lsp_server::ls_types::Uri;

use super::documents::Snapshot;
pub use crate::host::project::{Plan, read_model};

pub type Project = crate::host::project::Project<Uri>;
pub type Index = crate::host::project::Index<Uri>;
pub type OpenFile = crate::host::project::OpenFile<Uri>;

impl From<&Snapshot> for OpenFile {
    fn from(snapshot: &Snapshot) -> Self {
        Self {
            key: snapshot.uri.clone(),
            session: snapshot.session,
            version: snapshot.version,
            file: snapshot.file.clone(),
            syntax: snapshot.syntax.clone(),
        }
    }
}
