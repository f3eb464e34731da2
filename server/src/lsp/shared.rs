//! The state the protocol handlers, the scheduler and the message-order layer share, and the
//! events the scheduler hears about.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    ConfigurationItem, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, MessageType, Uri,
};

use super::capabilities::ClientSupport;
use super::convert::{self, Encoding};
use super::documents::{DocumentStore, Snapshot};
use super::engine::{Analysis, Engine, Outcome};
use super::settings::Settings;

/// What the scheduler hears about.
#[derive(Debug)]
pub enum Event {
    /// A document was opened or changed.
    Changed(Uri),
    /// A document was closed.
    Closed { uri: Uri, path: String },
    /// Something every open document depends on changed (settings, files on disk).
    RecheckAll,
    /// The workspace is indexed: analysis may start.
    Ready,
    /// A request handler analysed documents; their diagnostics are to be published.
    Analyzed(Outcome),
    /// A document on disk was opened: its workspace is to be found if no project holds it.
    Opened(Uri, std::path::PathBuf),
}

/// Longest a request waits for the workspace to be indexed before it is answered from what is
/// indexed so far.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// State shared by the handlers, the scheduler and the message-order layer.
pub struct Shared {
    pub client: Client,
    pub docs: DocumentStore,
    pub engine: Engine,
    pub(super) encoding: Arc<OnceLock<Encoding>>,
    pub(super) support: OnceLock<ClientSupport>,
    /// Workspace folders, as given at `initialize` and changed since.
    pub(super) roots: Mutex<Vec<PathBuf>>,
    pub(super) debounce_ms: AtomicU64,
    /// `initializationOptions` carried settings (else they are asked for at `initialized`).
    pub(super) settings_given: AtomicBool,
    /// Open documents with their session and latest version, as of the last message read: the
    /// test of whether a result is still worth publishing.
    pub(super) open: DashMap<Uri, (u64, i32)>,
    pub(super) sessions: AtomicU64,
    pub(super) events: UnboundedSender<Event>,
    pub(super) ready: watch::Sender<bool>,
    pub(super) initialized: AtomicBool,
    pub(super) shutdown: AtomicBool,
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
    pub(super) async fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
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
    pub(super) async fn analysis(self: &Arc<Self>, uri: &Uri) -> Option<Arc<Analysis>> {
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
    pub(super) async fn apply_settings(&self, settings: Settings) {
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
    pub(super) async fn pull_settings(&self) {
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
