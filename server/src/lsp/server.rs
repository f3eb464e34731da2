//! The language server: protocol requests and notifications, and the state they share.
//!
//! Handlers stay short: document updates go to the documents thread (see [`super::ordered`]),
//! analysis runs on blocking threads, and diagnostics are published by the scheduler.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use dashmap::DashMap;
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::sync::watch;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionParams, CodeActionResponse, ConfigurationItem, Diagnostic,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentDiagnosticParams, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    DocumentSymbolParams, DocumentSymbolResponse, FullDocumentDiagnosticReport, Hover, HoverParams,
    InitializeParams, InitializeResult, InitializedParams, MessageType,
    RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport, ServerInfo,
    SymbolInformation, UnchangedDocumentDiagnosticReport, Uri, WorkspaceSymbolParams,
    WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use super::actions;
use super::capabilities::{ClientSupport, server_capabilities};
use super::convert::{self, Encoding};
use super::documents::{DocumentEvent, DocumentStore, Snapshot};
use super::engine::{Analysis, Engine};
use super::hover;
use super::scheduler::{Event, Scheduler};
use super::settings::Settings;
use super::symbols;

/// Longest a request waits for the workspace to be indexed before it is answered from what is
/// indexed so far.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// State shared by the handlers, the scheduler and the message-order layer.
pub struct Shared {
    pub client: Client,
    pub docs: DocumentStore,
    pub engine: Engine,
    encoding: Arc<OnceLock<Encoding>>,
    support: OnceLock<ClientSupport>,
    /// Workspace folders, as given at `initialize` and changed since.
    pub(super) roots: Mutex<Vec<PathBuf>>,
    debounce_ms: AtomicU64,
    /// `initializationOptions` carried settings (else they are asked for at `initialized`).
    settings_given: AtomicBool,
    /// Open documents with their session and latest version, as of the last message read: the
    /// test of whether a result is still worth publishing.
    open: DashMap<Uri, (u64, i32)>,
    sessions: AtomicU64,
    events: UnboundedSender<Event>,
    ready: watch::Sender<bool>,
    initialized: AtomicBool,
    shutdown: AtomicBool,
    pub(super) progress_tokens: AtomicU64,
    /// `xsguard.toml` files with published problems.
    pub(super) config_errors: Mutex<HashSet<Uri>>,
    /// Held while the workspace of a document is looked for, so that documents of one
    /// workspace opened together index it once.
    pub(super) locate_one: tokio::sync::Mutex<()>,
    /// Opened documents whose workspace is being looked for; [`Shared::located`] says when one
    /// is done.
    pub(super) locating: DashMap<Uri, ()>,
    pub(super) located: tokio::sync::Notify,
}

impl Shared {
    /// The client's features (all off before `initialize`).
    pub fn support(&self) -> ClientSupport {
        self.support.get().copied().unwrap_or_default()
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    pub fn debounce(&self) -> Duration {
        Duration::from_millis(self.debounce_ms.load(Ordering::Relaxed))
    }

    /// Whether `session`/`version` is what the client has open now.
    pub fn is_current(&self, uri: &Uri, session: u64, version: i32) -> bool {
        self.open
            .get(uri)
            .is_some_and(|entry| *entry == (session, version))
    }

    /// Whether `initialize` was answered (text updates before it are ignored).
    pub fn is_initialized(&self) -> bool {
        self.initialized.load(Ordering::SeqCst)
    }

    /// Whether `shutdown` came (then `exit` means success).
    pub fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// Notes that `shutdown` came, as soon as it is read (an `exit` right behind it may be
    /// read before the handler runs).
    pub(super) fn note_shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
    }

    pub async fn log(&self, kind: MessageType, message: String) {
        self.client.log_message(kind, message).await;
    }

    pub(super) fn send(&self, event: Event) {
        // Fails only when the scheduler is gone, as the server exits.
        let _ = self.events.send(event);
    }

    /// Waits until the workspace folders are indexed, or [`READY_TIMEOUT`] passed (a client
    /// that never sends `initialized` must not leave requests hanging).
    pub(super) async fn wait_ready(&self) {
        let mut ready = self.ready.subscribe();
        let _ = tokio::time::timeout(READY_TIMEOUT, ready.wait_for(|ready| *ready)).await;
    }

    // Text synchronisation, called in the order messages arrive.

    pub fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        if let Some(path) = convert::file_path(&document.uri) {
            self.locating.insert(document.uri.clone(), ());
            self.send(Event::Opened(document.uri.clone(), path.into_owned()));
        }
        let session = self.sessions.fetch_add(1, Ordering::SeqCst) + 1;
        self.open
            .insert(document.uri.clone(), (session, document.version));
        self.docs
            .open(document.uri, session, document.version, document.text);
    }

    pub fn did_change(&self, params: DidChangeTextDocumentParams) {
        let document = params.text_document;
        let Some(mut entry) = self.open.get_mut(&document.uri) else {
            return;
        };
        entry.1 = document.version;
        drop(entry);
        self.docs
            .change(document.uri, document.version, params.content_changes);
    }

    pub fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.open.remove(&uri);
        self.locating.remove(&uri);
        self.docs.close(uri);
    }

    /// The current version of an open document.
    async fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        self.docs.snapshot(uri).await
    }

    /// Whether the workspace of an opened document is still being looked for.
    pub fn is_locating(&self, uri: &Uri) -> bool {
        self.locating.contains_key(uri)
    }

    /// Waits until the workspace of `uri` is found (or [`READY_TIMEOUT`] passed).
    async fn wait_located(&self, uri: &Uri) {
        let _ = tokio::time::timeout(READY_TIMEOUT, async {
            loop {
                let notified = self.located.notified();
                if !self.is_locating(uri) {
                    return;
                }
                notified.await;
            }
        })
        .await;
    }

    /// The analysis of a document's current version, waiting for the index. New results go to
    /// the scheduler for publishing.
    async fn analysis(self: &Arc<Self>, uri: &Uri) -> Option<Arc<Analysis>> {
        let snapshot = self.snapshot(uri).await?;
        self.wait_ready().await;
        self.wait_located(uri).await;
        let shared = self.clone();
        let (analysis, outcome) =
            tokio::task::spawn_blocking(move || shared.engine.analysis(snapshot))
                .await
                .ok()??;
        if !outcome.analyses.is_empty() || !outcome.problems.is_empty() {
            self.send(Event::Analyzed(outcome));
        }
        Some(analysis)
    }

    /// Applies editor settings.
    async fn apply_settings(&self, settings: Settings) {
        let (severity, mut problems) = settings.severity_overrides();
        self.engine.set_editor_severity(severity);
        match settings.selection() {
            Ok(selection) => self.engine.set_selection(selection),
            Err(message) => problems.push(message),
        }
        for problem in problems {
            self.client
                .show_message(MessageType::WARNING, format!("xsguard settings: {problem}"))
                .await;
        }
        self.debounce_ms
            .store(settings.debounce().as_millis() as u64, Ordering::Relaxed);
        self.send(Event::RecheckAll);
    }

    /// Asks the client for the `xsguard` section of its settings.
    async fn pull_settings(&self) {
        if !self.support().configuration {
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("xsguard".to_string()),
        };
        let Ok(values) = self.client.configuration(vec![item]).await else {
            return;
        };
        match values.first().map(Settings::from_value) {
            Some(Ok(Some(settings))) => self.apply_settings(settings).await,
            Some(Err(message)) => {
                self.client
                    .show_message(MessageType::WARNING, message)
                    .await;
            }
            _ => {}
        }
    }
}

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
