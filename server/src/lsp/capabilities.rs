//! What the client can do, and what the server offers in return.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DiagnosticOptions, DiagnosticServerCapabilities, HoverProviderCapability, OneOf,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    WorkDoneProgressOptions, WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use super::convert::Encoding;

/// The code action kind of "fix everything xsguard can fix safely".
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.xsguard");

/// The client features the server adapts to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientSupport {
    /// `textDocument/diagnostic`: the client pulls diagnostics, so the server does not push them.
    pub pull_diagnostics: bool,
    /// `workspace/diagnostic/refresh`: the server may ask the client to pull again.
    pub diagnostic_refresh: bool,
    /// `codeAction/resolve` can fill in an action's edit later.
    pub resolve_edit: bool,
    /// Workspace edits may be versioned `documentChanges`.
    pub document_changes: bool,
    /// `window/workDoneProgress/create`.
    pub work_done_progress: bool,
    /// File watchers can be registered at run time.
    pub watch_files: bool,
    /// `workspace/configuration`.
    pub configuration: bool,
    /// Document symbols may nest.
    pub hierarchical_symbols: bool,
}

impl ClientSupport {
    pub fn from_capabilities(caps: &ClientCapabilities) -> Self {
        let text = caps.text_document.as_ref();
        let workspace = caps.workspace.as_ref();
        let code_action = text.and_then(|t| t.code_action.as_ref());
        Self {
            pull_diagnostics: text.is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            resolve_edit: code_action
                .and_then(|c| c.resolve_support.as_ref())
                .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            work_done_progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
        }
    }
}

/// What the server offers.
pub fn server_capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("xsguard".to_string()),
            // A change to a table file changes the findings of the endpoints that use it.
            inter_file_dependencies: true,
            workspace_diagnostics: false,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, FIX_ALL]),
            resolve_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}
