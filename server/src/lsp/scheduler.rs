//! When diagnostics are computed and published.
//!
//! One task owns the decision: edits mark a document dirty and restart a short quiet period
//! (debounce); when it ends, every dirty document is analysed in one batch (coalescing) on a
//! blocking thread. All publishing happens here, in order, and only for the version the client
//! has now: a result for an older version, or for a closed document, is dropped. Closing a
//! document publishes one empty set, and nothing after it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, sleep_until};
use tower_lsp_server::ls_types::{MessageType, Uri};

use super::engine::Outcome;
use super::shared::{Event, Shared};

/// However fast someone types, diagnostics refresh at least this often.
const MAX_WAIT: Duration = Duration::from_millis(1_000);

pub struct Scheduler {
    shared: Arc<Shared>,
    events: UnboundedReceiver<Event>,
    open: HashSet<Uri>,
    dirty: HashSet<Uri>,
    /// When the first not yet analysed change came.
    dirty_since: Option<Instant>,
    /// When the last change came.
    last_change: Option<Instant>,
    /// Analyse without waiting for quiet (the change did not come from typing).
    urgent: bool,
    ready: bool,
    /// What was last published for each document: session, version and engine epoch.
    published: HashMap<Uri, (u64, i32, u64)>,
    /// How long the last analysis took.
    last_cost: Duration,
}

impl Scheduler {
    pub fn new(shared: Arc<Shared>, events: UnboundedReceiver<Event>) -> Self {
        Self {
            shared,
            events,
            open: HashSet::new(),
            dirty: HashSet::new(),
            dirty_since: None,
            last_change: None,
            urgent: false,
            ready: false,
            published: HashMap::new(),
            last_cost: Duration::ZERO,
        }
    }

    /// Runs until the server goes away.
    pub async fn run(mut self) {
        loop {
            let deadline = self.deadline();
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(event) => self.handle(event).await,
                    None => return,
                },
                () = wait_until(deadline) => self.flush().await,
            }
        }
    }

    fn deadline(&self) -> Option<Instant> {
        if !self.ready || self.dirty.is_empty() {
            return None;
        }
        if self.urgent {
            return Some(Instant::now());
        }
        // A file that takes longer to check than the debounce waits that long instead, so that
        // checking it never takes all the CPU while someone types.
        let quiet = self.last_change? + self.shared.debounce().max(self.last_cost);
        let latest = self.dirty_since? + MAX_WAIT;
        Some(quiet.min(latest))
    }

    fn mark_dirty(&mut self, uri: Uri) {
        let now = Instant::now();
        self.dirty.insert(uri);
        self.dirty_since.get_or_insert(now);
        self.last_change = Some(now);
    }

    fn recheck_all(&mut self) {
        let open: Vec<Uri> = self.open.iter().cloned().collect();
        for uri in open {
            self.mark_dirty(uri);
        }
        self.urgent = true;
    }

    async fn handle(&mut self, event: Event) {
        match event {
            Event::Changed(uri) => {
                self.open.insert(uri.clone());
                self.mark_dirty(uri);
            }
            Event::Closed { uri, path } => {
                self.open.remove(&uri);
                self.dirty.remove(&uri);
                self.published.remove(&uri);
                let shared = self.shared.clone();
                let closed = uri.clone();
                let others_changed =
                    tokio::task::spawn_blocking(move || shared.engine.close(&closed, &path))
                        .await
                        .unwrap_or(true);
                if !self.shared.support().pull_diagnostics {
                    self.shared
                        .client
                        .publish_diagnostics(uri, Vec::new(), None)
                        .await;
                }
                if others_changed {
                    self.recheck_all();
                }
            }
            Event::RecheckAll => self.recheck_all(),
            Event::Ready => {
                self.ready = true;
                self.recheck_all();
            }
            Event::Analyzed(outcome) => self.publish(outcome, false).await,
            Event::Opened(uri, path) => {
                tokio::spawn(self.shared.clone().locate(uri, path));
            }
        }
    }

    /// Analyses every dirty document.
    async fn flush(&mut self) {
        let urgent = std::mem::take(&mut self.urgent);
        self.dirty_since = None;
        self.dirty.retain(|uri| self.open.contains(uri));
        // A document whose workspace is still being looked for waits for it: checked alone
        // now, it would show findings that are wrong without saying so.
        let (waiting, uris): (Vec<Uri>, Vec<Uri>) = self
            .dirty
            .drain()
            .partition(|uri| self.shared.is_locating(uri));
        self.dirty.extend(waiting);
        let mut fresh = Vec::new();
        let mut cached = Vec::new();
        for uri in uris {
            let Some(snapshot) = self.shared.docs.snapshot(&uri).await else {
                continue;
            };
            match self.shared.engine.cached(&snapshot) {
                Some(analysis) => cached.push(analysis),
                None => fresh.push(snapshot),
            }
        }
        let started = Instant::now();
        let mut outcome = if fresh.is_empty() {
            Outcome::default()
        } else {
            let shared = self.shared.clone();
            match tokio::task::spawn_blocking(move || shared.engine.analyze(fresh)).await {
                Ok(outcome) => outcome,
                Err(error) => {
                    self.shared
                        .log(MessageType::ERROR, format!("analysis failed: {error}"))
                        .await;
                    return;
                }
            }
        };
        self.last_cost = started.elapsed();
        outcome.analyses.extend(cached);
        self.publish(outcome, urgent).await;
    }

    /// Publishes what is still current, logs new internal errors, and in pull mode asks the
    /// client to pull again when findings changed for a reason other than the edit it saw.
    async fn publish(&mut self, outcome: Outcome, urgent: bool) {
        for problem in &outcome.problems {
            self.shared.log(MessageType::ERROR, problem.clone()).await;
        }
        let support = self.shared.support();
        if support.pull_diagnostics {
            if (urgent || outcome.declarations_changed) && support.diagnostic_refresh {
                let client = self.shared.client.clone();
                // The answer does not matter, and waiting for it would hold up publishing.
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            }
            return;
        }
        for analysis in outcome.analyses {
            let stamp = (analysis.session, analysis.version, analysis.epoch);
            if self.published.get(&analysis.uri) == Some(&stamp) {
                continue;
            }
            if self
                .shared
                .is_current(&analysis.uri, analysis.session, analysis.version)
            {
                self.published.insert(analysis.uri.clone(), stamp);
                self.shared
                    .client
                    .publish_diagnostics(
                        analysis.uri.clone(),
                        analysis.diagnostics.clone(),
                        Some(analysis.version),
                    )
                    .await;
            }
        }
    }
}

async fn wait_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
