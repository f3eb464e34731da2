//! The open documents: their text, syntax tree and model. Each document's updates are applied
//! in the order the client sent them, by a worker of its own while it has any, so documents
//! never wait for each other.
//!
//! The client's text lives in a [`Rope`], the text of record: a change is applied to it first,
//! then to the syntax tree. Should the tree ever disagree with the rope (or anything on the
//! way panic), the tree is rebuilt from the rope, so the user's text is never lost. A tree with
//! syntax errors is parsed whole before analysis (see [`Document::snapshot`]).

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use ropey::Rope;
use tokio::sync::oneshot;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::convert::{self, Encoding};
use crate::host::check::{SyntaxIssue, syntax_issues};
use crate::model::SourceFile;
use crate::syntax::{LineIndex, SyntaxTree, parse};
use crate::workspace::FileModel;

/// One version of a document with its model, as analysis needs it.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub uri: Uri,
    /// Which opening of the document this is (a document closed and opened again starts a new
    /// session, whose versions may repeat the old ones).
    pub session: u64,
    pub version: i32,
    pub file: Arc<FileModel>,
    pub syntax: Arc<[SyntaxIssue]>,
    /// Set when building the model panicked; the model is then empty.
    pub fault: Option<String>,
}

/// An open document.
pub struct Document {
    uri: Uri,
    path: String,
    session: u64,
    version: i32,
    rope: Rope,
    syntax: SyntaxTree,
    /// The model of the current version, built when first asked for.
    snapshot: Option<Snapshot>,
    /// The model last built, whose unchanged objects the next one copies.
    previous: Option<Arc<FileModel>>,
    /// How often the tree was rebuilt from the text because an edit went wrong.
    resyncs: u32,
    /// Whether the tree came from parsing the whole text rather than from reparsing an edit.
    parsed_whole: bool,
}

impl Document {
    /// A document opened with `text`.
    pub fn new(uri: Uri, session: u64, version: i32, text: String) -> Self {
        let path = convert::path_of(&uri);
        let rope = Rope::from_str(&text);
        Self {
            uri,
            path,
            session,
            version,
            rope,
            syntax: parse(text),
            snapshot: None,
            previous: None,
            resyncs: 0,
            parsed_whole: true,
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    /// The text of record.
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// The text as the syntax tree sees it (always equal to [`Document::text`]).
    pub fn syntax(&self) -> &SyntaxTree {
        &self.syntax
    }

    /// Applies the changes of one `didChange`, each against the text left by the previous one,
    /// then reparses once.
    ///
    /// The tree gets one edit covering every changed byte: the region between the first and the
    /// last byte any change touched, in the old text and in the new.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
    ) {
        self.version = version;
        self.snapshot = None;
        let mut replaced_all = false;
        // Changed region in the current text, and how much longer the text has become.
        let mut changed: Option<Range<usize>> = None;
        let mut growth: isize = 0;
        // Index of the current text once it differs from the tree's.
        let mut current_index: Option<LineIndex> = None;
        for change in changes {
            let Some(range) = change.range else {
                self.rope = Rope::from_str(&change.text);
                replaced_all = true;
                current_index = None;
                continue;
            };
            let bytes = {
                let index = if replaced_all || changed.is_some() {
                    current_index.get_or_insert_with(|| LineIndex::new(&self.rope.to_string()))
                } else {
                    self.syntax.line_index()
                };
                convert::byte_range(index, range, encoding)
            };
            let inserted = change.text.len();
            let start = self
                .rope
                .byte_to_char(bytes.start.min(self.rope.len_bytes()));
            let end = self.rope.byte_to_char(bytes.end.min(self.rope.len_bytes()));
            self.rope.remove(start..end);
            self.rope.insert(start, &change.text);
            current_index = None;
            let new_end = bytes.start + inserted;
            changed = Some(match changed {
                None => bytes.start..new_end,
                Some(old) => {
                    let shifted_end = if old.end >= bytes.end {
                        old.end + inserted - (bytes.end - bytes.start)
                    } else {
                        new_end
                    };
                    old.start.min(bytes.start)..shifted_end.max(new_end)
                }
            });
            growth += inserted as isize - (bytes.end - bytes.start) as isize;
        }
        self.reconcile(replaced_all, changed, growth);
    }

    /// Brings the tree up to the rope after a batch of changes.
    fn reconcile(&mut self, replaced_all: bool, changed: Option<Range<usize>>, growth: isize) {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if replaced_all {
                self.syntax = parse(self.rope.to_string());
                self.parsed_whole = true;
            } else if let Some(changed) = changed {
                let old_end = (changed.end as isize - growth) as usize;
                let new_text = self.rope.byte_slice(changed.clone()).to_string();
                self.syntax.edit(changed.start..old_end, &new_text);
                self.parsed_whole = false;
            }
        }));
        if outcome.is_err() || !same_text(&self.rope, self.syntax.text()) {
            self.resync();
        }
    }

    /// How often the tree had to be rebuilt from the text because applying changes to it
    /// failed or left it disagreeing with the text (always 0 unless there is a bug; tests check
    /// it).
    pub fn resyncs(&self) -> u32 {
        self.resyncs
    }

    /// Rebuilds the tree from the text of record.
    fn resync(&mut self) {
        self.resyncs += 1;
        self.syntax = parse(self.rope.to_string());
        self.parsed_whole = true;
    }

    /// The model of the current version.
    pub fn snapshot(&mut self) -> Snapshot {
        if let Some(snapshot) = &self.snapshot {
            return snapshot.clone();
        }
        // A reparse is exact only where there is no syntax error: error recovery may take
        // another path than on a whole parse, and reused tokens keep the parse state they were
        // first read in, which syntax error messages are worded from. So a tree with errors is
        // parsed whole once more, and the findings are those of the same text opened afresh
        // (and of `xsguard check`). Once per analysis, not per keystroke.
        if !self.parsed_whole && self.syntax.tree().root_node().has_error() {
            self.syntax = parse(self.rope.to_string());
            self.parsed_whole = true;
        }
        let built = catch_unwind(AssertUnwindSafe(|| {
            let file = match &self.previous {
                Some(previous) => FileModel::reusing(self.path.clone(), &self.syntax, previous),
                None => FileModel::new(self.path.clone(), &self.syntax),
            };
            (file, syntax_issues(&self.syntax))
        }));
        let (file, syntax, fault) = match built {
            Ok((file, syntax)) => (file, syntax, None),
            Err(panic) => (
                FileModel::from_parts(
                    self.path.clone(),
                    Arc::from(self.syntax.text()),
                    SourceFile::default(),
                    self.syntax.line_index().clone(),
                ),
                Vec::new(),
                Some(format!(
                    "internal error while reading `{}`: {}",
                    self.path,
                    panic_message(&*panic)
                )),
            ),
        };
        let snapshot = Snapshot {
            uri: self.uri.clone(),
            session: self.session,
            version: self.version,
            file: Arc::new(file),
            syntax: syntax.into(),
            fault,
        };
        self.previous = Some(snapshot.file.clone());
        self.snapshot = Some(snapshot.clone());
        snapshot
    }
}

/// Whether the rope holds exactly `text`.
fn same_text(rope: &Rope, text: &str) -> bool {
    if rope.len_bytes() != text.len() {
        return false;
    }
    let mut at = 0;
    for chunk in rope.chunks() {
        if text.as_bytes()[at..at + chunk.len()] != *chunk.as_bytes() {
            return false;
        }
        at += chunk.len();
    }
    true
}

/// The message of a caught panic.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// What happened to a document, for whoever schedules analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentEvent {
    /// Opened or changed: its current version needs analysis.
    Changed(Uri),
    /// Closed.
    Closed { uri: Uri, path: String },
}

enum Command {
    Open {
        uri: Uri,
        session: u64,
        version: i32,
        text: String,
    },
    Change {
        uri: Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    },
    Close {
        uri: Uri,
    },
    Snapshot {
        uri: Uri,
        reply: oneshot::Sender<Option<Snapshot>>,
    },
}

/// A handle on the open documents. Updates of one document are applied in call order, and a
/// snapshot request sees every update of its document queued before it; documents do not wait
/// for each other, so opening a large one does not hold up a keystroke in a small one.
#[derive(Clone)]
pub struct DocumentStore {
    commands: mpsc::Sender<Command>,
}

impl DocumentStore {
    /// Starts the thread that hands each document its updates. `on_event` runs after each
    /// update, on the thread that applied it.
    pub fn spawn(
        encoding: Arc<OnceLock<Encoding>>,
        on_event: impl Fn(DocumentEvent) + Send + Sync + 'static,
    ) -> Self {
        let (commands, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("xsguard-documents".into())
            .spawn(move || route(queue, encoding, Arc::new(on_event)))
            .expect("the documents thread starts");
        Self { commands }
    }

    pub fn open(&self, uri: Uri, session: u64, version: i32, text: String) {
        self.send(Command::Open {
            uri,
            session,
            version,
            text,
        });
    }

    pub fn change(&self, uri: Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        self.send(Command::Change {
            uri,
            version,
            changes,
        });
    }

    pub fn close(&self, uri: Uri) {
        self.send(Command::Close { uri });
    }

    /// The current version of an open document with its model; `None` if it is not open.
    pub async fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Snapshot {
            uri: uri.clone(),
            reply,
        });
        answer.await.ok().flatten()
    }

    fn send(&self, command: Command) {
        // Fails only once the thread is gone, when the server is exiting.
        let _ = self.commands.send(command);
    }
}

impl Command {
    fn uri(&self) -> &Uri {
        match self {
            Command::Open { uri, .. }
            | Command::Change { uri, .. }
            | Command::Close { uri }
            | Command::Snapshot { uri, .. } => uri,
        }
    }
}

/// One document's updates not applied yet, and the document between them.
#[derive(Default)]
struct Slot {
    queue: VecDeque<Command>,
    /// Whether a worker is applying the queue: then it holds the document.
    busy: bool,
    document: Option<Document>,
}

type Slots = Arc<Mutex<HashMap<Uri, Arc<Mutex<Slot>>>>>;

/// Takes the commands in the order the handlers sent them and queues each on its document; a
/// document with a queue and no worker gets one. Locks are taken map first, then slot.
fn route(
    queue: mpsc::Receiver<Command>,
    encoding: Arc<OnceLock<Encoding>>,
    on_event: Arc<dyn Fn(DocumentEvent) + Send + Sync>,
) {
    let slots: Slots = Arc::default();
    while let Ok(command) = queue.recv() {
        let uri = command.uri().clone();
        // The map stays locked until the command is queued: a worker removing the slot of a
        // closed document (under the map's lock) cannot do so between the two.
        let mut map = lock(&slots);
        let slot = map.entry(uri.clone()).or_default().clone();
        let mut state = lock(&slot);
        drop(map);
        state.queue.push_back(command);
        if state.busy {
            continue;
        }
        state.busy = true;
        drop(state);
        let work = {
            let (slots, uri, slot) = (slots.clone(), uri.clone(), slot.clone());
            let (encoding, on_event) = (encoding.clone(), on_event.clone());
            move || drain(&slots, &uri, &slot, &encoding, &*on_event)
        };
        let started = std::thread::Builder::new()
            .name("xsguard-document".into())
            .spawn(work);
        if started.is_err() {
            // No thread to be had (the process is at its limit): apply the updates here, in
            // order, as a single documents thread would.
            drain(&slots, &uri, &slot, &encoding, &*on_event);
        }
    }
}

/// Applies a document's queued commands until none is left. The document is taken out of its
/// slot meanwhile, so that queueing the next command never waits for a parse.
fn drain(
    slots: &Slots,
    uri: &Uri,
    slot: &Arc<Mutex<Slot>>,
    encoding: &OnceLock<Encoding>,
    on_event: &(dyn Fn(DocumentEvent) + Send + Sync),
) {
    let mut document = lock(slot).document.take();
    loop {
        let next = lock(slot).queue.pop_front();
        let Some(command) = next else {
            let mut map = lock(slots);
            let mut state = lock(slot);
            if !state.queue.is_empty() {
                continue;
            }
            state.busy = false;
            match document {
                Some(document) => state.document = Some(document),
                // A closed document leaves no slot behind.
                None => {
                    map.remove(uri);
                }
            }
            return;
        };
        apply(&mut document, command, encoding, on_event);
    }
}

fn apply(
    document: &mut Option<Document>,
    command: Command,
    encoding: &OnceLock<Encoding>,
    on_event: &(dyn Fn(DocumentEvent) + Send + Sync),
) {
    let encoding = encoding.get().copied().unwrap_or_default();
    match command {
        Command::Open {
            uri,
            session,
            version,
            text,
        } => {
            let opened = catch_unwind(AssertUnwindSafe(|| {
                Document::new(uri.clone(), session, version, text)
            }));
            if let Ok(opened) = opened {
                *document = Some(opened);
                on_event(DocumentEvent::Changed(uri));
            }
        }
        Command::Change {
            uri,
            version,
            changes,
        } => {
            if let Some(document) = document {
                let applied = catch_unwind(AssertUnwindSafe(|| {
                    document.apply_changes(version, &changes, encoding)
                }));
                if applied.is_err() {
                    document.version = version;
                    document.snapshot = None;
                    document.resync();
                }
                on_event(DocumentEvent::Changed(uri));
            }
        }
        Command::Close { uri } => {
            if let Some(closed) = document.take() {
                on_event(DocumentEvent::Closed {
                    uri,
                    path: closed.path,
                });
            }
        }
        Command::Snapshot { reply, .. } => {
            let _ = reply.send(document.as_mut().map(Document::snapshot));
        }
    }
}

/// A lock that a panic elsewhere does not poison: every panic while a document is updated is
/// caught inside the critical section's callee, and the state is whole between commands.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use tower_lsp_server::ls_types::{Position, Range as LspRange};

    fn uri() -> Uri {
        Uri::from_str("file:///w/a.xs").unwrap()
    }

    fn change(range: (u32, u32, u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(LspRange::new(
                Position::new(range.0, range.1),
                Position::new(range.2, range.3),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    /// The text and tree agree, and the tree is that of a whole parse: right after a reparse
    /// without syntax errors, and in any case once analysis asked for the document.
    fn assert_consistent(doc: &mut Document) {
        assert_eq!(doc.resyncs(), 0, "the tree never needs rebuilding");
        assert_eq!(doc.syntax.text(), doc.text());
        let fresh = parse(doc.text());
        if !doc.syntax.tree().root_node().has_error() {
            assert_eq!(
                doc.syntax.tree().root_node().to_sexp(),
                fresh.tree().root_node().to_sexp()
            );
        }
        doc.snapshot();
        assert_eq!(
            doc.syntax.tree().root_node().to_sexp(),
            fresh.tree().root_node().to_sexp()
        );
    }

    #[test]
    fn each_change_applies_to_the_text_left_by_the_previous_one() {
        let mut doc = Document::new(
            uri(),
            1,
            1,
            "api_group shop {\n  canonical = \"a\"\n}\n".into(),
        );
        doc.apply_changes(
            2,
            &[
                // "shop" -> "store": delete "hop", then insert "tore" where it was.
                change((0, 11, 0, 14), ""),
                change((0, 11, 0, 11), "tore"),
                // A new line after the first, positioned in the text after the rename.
                change((1, 0, 1, 0), "  description = \"名前😀\"\n"),
                // Then an edit after the emoji on that new line (UTF-16: the emoji is 2 units).
                change((1, 21, 1, 21), "!"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(
            doc.text(),
            "api_group store {\n  description = \"名前😀!\"\n  canonical = \"a\"\n}\n"
        );
        assert_consistent(&mut doc);
        assert_eq!(doc.version(), 2);
    }

    #[test]
    fn full_replacement_then_incremental() {
        let mut doc = Document::new(uri(), 1, 1, "x".into());
        doc.apply_changes(
            2,
            &[
                TextDocumentContentChangeEvent {
                    range: None,
                    range_length: None,
                    text: "table t {\r\n}\r\n".into(),
                },
                change((0, 6, 0, 7), "user"),
            ],
            Encoding::Utf8,
        );
        assert_eq!(doc.text(), "table user {\r\n}\r\n");
        assert_consistent(&mut doc);
    }

    #[test]
    fn out_of_range_changes_clamp() {
        let mut doc = Document::new(uri(), 1, 1, "ab\ncd".into());
        doc.apply_changes(2, &[change((7, 3, 9, 9), "!")], Encoding::Utf16);
        assert_eq!(doc.text(), "ab\ncd!");
        doc.apply_changes(3, &[change((1, 9, 0, 1), "")], Encoding::Utf16);
        assert_eq!(doc.text(), "a");
        assert_consistent(&mut doc);
    }

    /// Applies changes the slow, obviously right way: one string edit at a time.
    fn reference(text: &str, changes: &[TextDocumentContentChangeEvent]) -> String {
        let mut text = text.to_string();
        for c in changes {
            let index = LineIndex::new(&text);
            let r = convert::byte_range(&index, c.range.unwrap(), Encoding::Utf16);
            text.replace_range(r, &c.text);
        }
        text
    }

    #[test]
    fn random_batches_match_one_edit_at_a_time() {
        const PIECES: &[&str] = &[
            "",
            "{",
            "}\n",
            "\r\n",
            "😀",
            "名",
            "db.get user {\n",
            " = ",
            "x",
        ];
        let mut seed = 0x2545_f491_u64;
        let mut next = |bound: u32| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % u64::from(bound.max(1))) as u32
        };
        let mut doc = Document::new(
            uri(),
            1,
            1,
            "query a verb=GET {\n  stack {\n    var $x { value = \"é😀\" }\n  }\n}\n".into(),
        );
        for version in 2..200 {
            let count = 1 + next(4);
            let changes: Vec<_> = (0..count)
                .map(|_| {
                    let (l1, c1) = (next(7), next(30));
                    let (l2, c2) = (l1 + next(2), next(30));
                    change((l1, c1, l2, c2), PIECES[next(PIECES.len() as u32) as usize])
                })
                .collect();
            let expected = reference(&doc.text(), &changes);
            doc.apply_changes(version, &changes, Encoding::Utf16);
            assert_eq!(doc.text(), expected);
            assert_consistent(&mut doc);
        }
    }

    /// Reparsing keeps reused tokens with the parse state they were first read in; syntax error
    /// messages are worded from those states, so they must come from a whole parse.
    #[test]
    fn syntax_errors_read_as_on_a_fresh_open() {
        let mut doc = Document::new(
            uri(),
            1,
            1,
            "api_group shop {\n  canonical = \"a\"\n}\n".into(),
        );
        doc.apply_changes(2, &[change((0, 2, 0, 4), "\n")], Encoding::Utf16);
        doc.apply_changes(3, &[change((4, 0, 4, 0), ":")], Encoding::Utf16);
        assert_eq!(doc.text(), "ap\ngroup shop {\n  canonical = \"a\"\n}\n:");
        let fresh = Document::new(uri(), 1, 3, doc.text()).snapshot();
        assert_eq!(doc.snapshot().syntax, fresh.syntax);
        assert_consistent(&mut doc);
    }

    /// Error recovery after a reparse can build another tree than a whole parse would: what
    /// analysis sees is the whole parse.
    #[test]
    fn trees_with_errors_are_parsed_whole_for_analysis() {
        let mut doc = Document::new(
            uri(),
            1,
            1,
            "table t {\n  schema {\n    int id\n    text name\n  }\n}\n".into(),
        );
        doc.apply_changes(2, &[change((3, 3, 3, 3), "|")], Encoding::Utf8);
        doc.apply_changes(3, &[change((2, 6, 2, 7), "(")], Encoding::Utf8);
        doc.apply_changes(4, &[change((0, 4, 0, 6), "{")], Encoding::Utf8);
        assert_eq!(
            doc.text(),
            "tabl{t {\n  schema {\n    in( id\n   | text name\n  }\n}\n"
        );
        let reparsed = doc.syntax.tree().root_node().to_sexp();
        let fresh = Document::new(uri(), 1, 4, doc.text()).snapshot();
        let snapshot = doc.snapshot();
        assert_ne!(
            reparsed,
            doc.syntax.tree().root_node().to_sexp(),
            "the reparse differs (should tree-sitter now agree, this test wants another case)"
        );
        assert_eq!(snapshot.syntax, fresh.syntax);
        assert_eq!(
            format!("{:?}", snapshot.file.model),
            format!("{:?}", fresh.file.model)
        );
        assert_consistent(&mut doc);
    }

    #[test]
    fn snapshots_follow_the_latest_version() {
        let mut doc = Document::new(uri(), 3, 1, "table user {\n}\n".into());
        let first = doc.snapshot();
        assert_eq!((first.session, first.version), (3, 1));
        assert_eq!(first.file.path, "/w/a.xs");
        doc.apply_changes(2, &[change((0, 6, 0, 10), "post")], Encoding::Utf16);
        let second = doc.snapshot();
        assert_eq!(second.version, 2);
        assert_eq!(
            second.file.model.objects[0].name.as_ref().unwrap().value,
            "post"
        );
    }
}
