//! The language server: protocol requests and notifications.
//!
//! Handlers stay short: document updates go to the documents thread (see [`super::ordered`]),
//! analysis runs on blocking threads, and diagnostics are published by the scheduler.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use dashmap::DashMap;
use serde_json::Value;
use tokio::sync::mpsc::unbounded_channel;
use tokio::sync::watch;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionParams, CodeActionResponse, Diagnostic, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, DocumentSymbolParams,
    DocumentSymbolResponse, FullDocumentDiagnosticReport, Hover, HoverParams, InitializeParams,
    InitializeResult, InitializedParams, MessageType, RelatedFullDocumentDiagnosticReport,
    RelatedUnchangedDocumentDiagnosticReport, ServerInfo, SymbolInformation,
    UnchangedDocumentDiagnosticReport, Uri, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use super::actions;
use super::capabilities::{ClientSupport, server_capabilities};
use super::convert::{self, Encoding};
use super::documents::{DocumentEvent, DocumentStore};
use super::engine::Engine;
use super::hover;
use super::scheduler::Scheduler;
use super::settings::Settings;
use super::shared::{Event, Shared};
use super::symbols;

/// The protocol handlers.
pub struct Backend {
    shared: Arc<Shared>,
}

impl Backend {
    /// A server talking to `client`; starts its documents thread and scheduler.
    pub fn new(client: Client) -> Self {
        let (events, queue) = unbounded_channel();
        let encoding = Arc::new(OnceLock::new());
        let document_events = events.clone();
        let docs = DocumentStore::spawn(encoding.clone(), move |event| {
            let event = match event {
                DocumentEvent::Changed(uri) => Event::Changed(uri),
                DocumentEvent::Closed { uri, path } => Event::Closed { uri, path },
            };
            let _ = document_events.send(event);
        });
        let shared = Arc::new(Shared {
            client,
            docs,
            engine: Engine::new(encoding.clone()),
            encoding,
            support: OnceLock::new(),
            roots: Mutex::new(Vec::new()),
            debounce_ms: AtomicU64::new(super::settings::DEFAULT_DEBOUNCE.as_millis() as u64),
            settings_given: AtomicBool::new(false),
            open: DashMap::new(),
            sessions: AtomicU64::new(0),
            events,
            ready: watch::Sender::new(false),
            initialized: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            progress_tokens: AtomicU64::new(0),
            config_errors: Mutex::new(HashSet::new()),
            locate_one: tokio::sync::Mutex::new(()),
            locating: DashMap::new(),
            located: tokio::sync::Notify::new(),
        });
        tokio::spawn(Scheduler::new(shared.clone(), queue).run());
        Self { shared }
    }

    /// The state shared with the message-order layer.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }
}

/// The folders of a workspace: its folders, else its root.
#[allow(deprecated)] // `root_uri` is how older clients name the workspace.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let uris: Vec<Uri> = match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders.iter().map(|f| f.uri.clone()).collect(),
        _ => params.root_uri.iter().cloned().collect(),
    };
    uris.iter()
        .filter_map(|uri| convert::file_path(uri).map(|p| p.into_owned()))
        .collect()
}

/// A stable identifier of a diagnostic list, for pulled diagnostics.
fn result_id(diagnostics: &[Diagnostic]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(diagnostics)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let shared = &self.shared;
        let encoding = Encoding::negotiate(params.capabilities.general.as_ref());
        let _ = shared.encoding.set(encoding);
        let _ = shared
            .support
            .set(ClientSupport::from_capabilities(&params.capabilities));
        *shared.roots.lock().unwrap_or_else(PoisonError::into_inner) = workspace_roots(&params);
        if let Some(options) = &params.initialization_options {
            match Settings::from_value(options) {
                Ok(Some(settings)) => {
                    shared.settings_given.store(true, Ordering::SeqCst);
                    shared.apply_settings(settings).await;
                }
                Ok(None) => {}
                Err(message) => {
                    shared
                        .client
                        .show_message(MessageType::WARNING, message)
                        .await;
                }
            }
        }
        shared.initialized.store(true, Ordering::SeqCst);
        Ok(InitializeResult {
            capabilities: server_capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "xsguard".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Indexing starts at once, with the settings known so far: the watcher registration
        // and the settings are asked for beside it, and applied when (if) the client answers.
        let shared = self.shared.clone();
        tokio::spawn({
            let shared = shared.clone();
            async move { shared.watch_files().await }
        });
        if !shared.settings_given.load(Ordering::SeqCst) {
            tokio::spawn({
                let shared = shared.clone();
                async move { shared.pull_settings().await }
            });
        }
        tokio::spawn(async move {
            let roots = shared
                .roots
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            shared.index_folders(roots).await;
            // `send` would drop the value when nobody is waiting yet.
            shared.ready.send_replace(true);
            shared.send(Event::Ready);
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    // didOpen, didChange and didClose never reach these: the message-order layer hands them to
    // `Shared` as they arrive. These serve only if the server is used without that layer.

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.shared.did_open(params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.shared.did_change(params);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.shared.did_close(params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        match Settings::from_value(&params.settings) {
            Ok(Some(settings)) => self.shared.apply_settings(settings).await,
            Ok(None) => {
                // The answer comes through the same stream as this notification: waiting for
                // it here would hold a handler slot that other messages need.
                let shared = self.shared.clone();
                tokio::spawn(async move { shared.pull_settings().await });
            }
            Err(message) => {
                self.shared
                    .client
                    .show_message(MessageType::WARNING, message)
                    .await;
            }
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.shared.files_changed(params).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        self.shared.change_folders(params.event).await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let items = match self.shared.analysis(&params.text_document.uri).await {
            Some(analysis) => analysis.diagnostics.clone(),
            None => Vec::new(),
        };
        let id = result_id(&items);
        let report = if params.previous_result_id.as_deref() == Some(id.as_str()) {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id: id,
                },
            })
        } else {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items,
                },
            })
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(analysis) = self.shared.analysis(&params.text_document.uri).await else {
            return Ok(None);
        };
        let shared = self.shared.clone();
        let actions = tokio::task::spawn_blocking(move || {
            actions::code_actions(
                &shared.engine,
                &analysis,
                params.range,
                params.context.only.as_deref(),
                shared.support(),
                shared.encoding(),
            )
        })
        .await
        .unwrap_or_default();
        Ok(Some(actions))
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        let uri = action
            .data
            .as_ref()
            .and_then(|d| d.get("uri"))
            .and_then(Value::as_str)
            .and_then(|u| u.parse::<Uri>().ok());
        let Some(uri) = uri else {
            return Ok(action);
        };
        let Some(analysis) = self.shared.analysis(&uri).await else {
            return Ok(action);
        };
        let shared = self.shared.clone();
        let fallback = action.clone();
        Ok(tokio::task::spawn_blocking(move || {
            actions::resolve(
                &shared.engine,
                &analysis,
                action,
                shared.support(),
                shared.encoding(),
            )
        })
        .await
        .unwrap_or(fallback))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some(analysis) = self.shared.analysis(&position.text_document.uri).await else {
            return Ok(None);
        };
        let shared = self.shared.clone();
        Ok(tokio::task::spawn_blocking(move || {
            let encoding = shared.encoding();
            let offset = convert::offset(&analysis.file.line_index, position.position, encoding);
            shared.engine.read(|index| {
                let ws = &index.project_for(&analysis.file.path).ws;
                hover::hover(&analysis.file, &analysis.findings, ws, offset, encoding)
            })
        })
        .await
        .ok()
        .flatten())
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        let Some(snapshot) = self.shared.snapshot(&uri).await else {
            return Ok(None);
        };
        Ok(Some(symbols::document_symbols(
            &snapshot.file,
            &uri,
            self.shared.encoding(),
            self.shared.support().hierarchical_symbols,
        )))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.shared.wait_ready().await;
        let shared = self.shared.clone();
        let found: Vec<SymbolInformation> = tokio::task::spawn_blocking(move || {
            shared
                .engine
                .read(|index| symbols::workspace_symbols(index, &params.query, shared.encoding()))
        })
        .await
        .unwrap_or_default();
        Ok(Some(WorkspaceSymbolResponse::Flat(found)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_ids_follow_content() {
        let a = Diagnostic {
            message: "a".into(),
            ..Default::default()
        };
        let b = Diagnostic {
            message: "b".into(),
            ..Default::default()
        };
        assert_eq!(
            result_id(std::slice::from_ref(&a)),
            result_id(std::slice::from_ref(&a))
        );
        assert_ne!(result_id(&[a]), result_id(&[b]));
    }
}
