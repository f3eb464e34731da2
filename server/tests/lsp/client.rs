//! A small language client for the end-to-end tests: it starts the real `xsguard lsp` binary,
//! speaks JSON-RPC with Content-Length framing over its stdio, answers the server's requests,
//! and never waits without a deadline, so a broken server fails a test instead of hanging it.

#![allow(dead_code)] // Each test crate uses a different part of the client.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A running server and the client end of its pipes.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications read but not yet consumed by a wait.
    backlog: VecDeque<Value>,
    next_id: i64,
    /// What the client answers to `workspace/configuration`.
    pub settings: Value,
    /// Requests the server sent to the client, in order.
    pub server_requests: Vec<Value>,
    /// Whether the client answers the server's requests (a client that never does is a test
    /// of its own); those it leaves are in `unanswered`.
    pub answers: bool,
    pub unanswered: Vec<Value>,
    stderr: Arc<Mutex<String>>,
}

impl Client {
    /// Starts `xsguard lsp` (the binary `XSGUARD_LSP_BINARY` names, when set: to time a
    /// release build with the same tests).
    pub fn spawn() -> Self {
        match std::env::var_os("XSGUARD_LSP_BINARY") {
            Some(binary) => Self::spawn_binary(Path::new(&binary)),
            None => Self::spawn_binary(Path::new(env!("CARGO_BIN_EXE_xsguard"))),
        }
    }

    /// Starts `<binary> lsp`.
    pub fn spawn_binary(binary: &Path) -> Self {
        let mut child = Command::new(binary)
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xsguard lsp starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        Self {
            stdin: child.stdin.take(),
            child,
            incoming,
            backlog: VecDeque::new(),
            next_id: 1,
            settings: Value::Null,
            server_requests: Vec::new(),
            answers: true,
            unanswered: Vec::new(),
            stderr,
        }
    }

    /// Starts a server and initializes it with `capabilities` (merged over plain UTF-16 client
    /// capabilities), the workspace folder `root`, and `options` as initializationOptions.
    pub fn start(root: Option<&Path>, capabilities: Value, options: Value) -> (Self, Value) {
        let mut client = Self::spawn();
        let result = client.initialize(root, capabilities, options);
        (client, result)
    }

    /// Sends `initialize` and `initialized`; returns the initialize result.
    pub fn initialize(
        &mut self,
        root: Option<&Path>,
        capabilities: Value,
        options: Value,
    ) -> Value {
        let folders = root.map(|r| json!([{"uri": file_uri(r), "name": "root"}]));
        let params = json!({
            "processId": null,
            "rootUri": root.map(file_uri),
            "workspaceFolders": folders,
            "capabilities": capabilities,
            "initializationOptions": options,
        });
        let result = self
            .request("initialize", params)
            .expect("initialize succeeds");
        self.notify("initialized", json!({}));
        result
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Waits for the response to request `id`.
    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        self.response_to(&json!(id))
    }

    /// Waits for the response with id `id` (any JSON value, `null` included).
    pub fn response_to(&mut self, id: &Value) -> Result<Value, Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline).unwrap_or_else(|| {
                panic!(
                    "no response to request {id} within {TIMEOUT:?}; stderr: {}",
                    self.stderr()
                )
            });
            if message.get("method").is_none() && message["id"] == *id {
                return match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message["result"].clone()),
                };
            }
            if message.get("id").is_none() {
                self.backlog.push_back(message);
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Writes bytes as they are, framing included.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Writes a raw message.
    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    /// The next message from the server, answering its requests on the way; `None` at the
    /// deadline or when the server has gone.
    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(wait) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                if self.answers {
                    self.answer(&message);
                } else {
                    self.unanswered.push(message.clone());
                }
                self.server_requests.push(message.clone());
                continue;
            }
            return Some(message);
        }
    }

    /// Answers, late, the requests the client left unanswered, as an accommodating editor
    /// would; returns their methods.
    pub fn answer_unanswered(&mut self) -> Vec<String> {
        let pending = std::mem::take(&mut self.unanswered);
        for request in &pending {
            self.answer(request);
        }
        pending
            .iter()
            .map(|r| r["method"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Answers a request from the server as an accommodating editor would.
    fn answer(&mut self, request: &Value) {
        let result = match request["method"].as_str().unwrap_or("") {
            "workspace/configuration" => {
                let items = request["params"]["items"].as_array().map_or(0, Vec::len);
                Value::Array(vec![self.settings.clone(); items])
            }
            "workspace/applyEdit" => json!({"applied": true}),
            _ => Value::Null,
        };
        let reply = json!({"jsonrpc": "2.0", "id": request["id"].clone(), "result": result});
        self.send(&reply);
    }

    /// Waits for a notification that `matches`; earlier ones stay available to later waits.
    pub fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_within(what, TIMEOUT, matches)
    }

    /// [`Client::wait_for`] with another deadline.
    pub fn wait_for_within(
        &mut self,
        what: &str,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        if let Some(at) = self.backlog.iter().position(&matches) {
            return self.backlog.remove(at).unwrap();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let Some(message) = self.next_message(deadline) else {
                panic!(
                    "timed out waiting for {what}; seen: {:#?}; stderr: {}",
                    self.backlog,
                    self.stderr()
                );
            };
            if message.get("method").is_none() {
                continue;
            }
            if matches(&message) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// The next `publishDiagnostics` for `uri`, as its params.
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        self.wait_for(&format!("diagnostics of {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })["params"]
            .clone()
    }

    /// The `publishDiagnostics` for `uri` at `version`, skipping earlier ones.
    pub fn diagnostics_at(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(&format!("diagnostics of {uri} version {version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        })["params"]
            .clone()
    }

    /// Every notification that arrives within `duration`, plus those already waiting.
    pub fn collect(&mut self, duration: Duration) -> Vec<Value> {
        let deadline = Instant::now() + duration;
        let mut out: Vec<Value> = self.backlog.drain(..).collect();
        while let Some(message) = self.next_message(deadline) {
            if message.get("method").is_some() {
                out.push(message);
            }
        }
        out
    }

    /// `shutdown` then `exit`; returns the exit status.
    pub fn shutdown_and_exit(mut self) -> i32 {
        self.request("shutdown", Value::Null)
            .expect("shutdown succeeds");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Waits for the process to end; returns its exit status.
    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("the server can be waited for") {
                return status.code().expect("the server exits normally");
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the server did not exit within {TIMEOUT:?}; stderr: {}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Closes the server's standard input.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A test that failed half way must not leave a server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one framed message; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The `file:` URI of a path.
pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' | b'~' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// A fresh, empty directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xsguard-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How positions count columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Units {
    Utf16,
    Utf8,
}

/// The byte offset of a position, computed independently of the server's code.
pub fn offset_of(text: &str, position: &Value, units: Units) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let Some(&(start, end)) = lines(text).get(line) else {
        return text.len();
    };
    let mut counted = 0;
    for (i, ch) in text[start..end].char_indices() {
        if counted >= character {
            return start + i;
        }
        counted += match units {
            Units::Utf16 => ch.len_utf16(),
            Units::Utf8 => ch.len_utf8(),
        };
    }
    end
}

/// Each line's start and the end of its content: a line ends at `\n`, `\r\n` or a lone `\r`
/// (LSP 3.17).
pub fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.push((start, i));
                i += 2;
                start = i;
            }
            b'\r' | b'\n' => {
                out.push((start, i));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((start, text.len()));
    out
}

/// The position of a byte offset.
pub fn position_of(text: &str, offset: usize, units: Units) -> Value {
    let all = lines(text);
    let line = all
        .iter()
        .rposition(|(start, _)| *start <= offset)
        .unwrap_or(0);
    let line_start = all[line].0;
    let character: usize = text[line_start..offset]
        .chars()
        .map(|c| match units {
            Units::Utf16 => c.len_utf16(),
            Units::Utf8 => c.len_utf8(),
        })
        .sum();
    json!({"line": line, "character": character})
}

/// The range of the first occurrence of `needle` in `text`.
pub fn range_of(text: &str, needle: &str, units: Units) -> Value {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is in the text"));
    json!({
        "start": position_of(text, start, units),
        "end": position_of(text, start + needle.len(), units),
    })
}

/// The text edits of `edit` (a WorkspaceEdit) for `uri`.
pub fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    let mut edits: Vec<Value> = Vec::new();
    if let Some(changes) = edit["changes"][uri].as_array() {
        edits.extend(changes.iter().cloned());
    }
    if let Some(document_changes) = edit["documentChanges"].as_array() {
        for change in document_changes {
            if change["textDocument"]["uri"] == uri {
                edits.extend(change["edits"].as_array().unwrap().iter().cloned());
            }
        }
    }
    assert!(!edits.is_empty(), "the edit changes {uri}: {edit:#}");
    edits
}

/// Applies the text edits of `edit` (a WorkspaceEdit) for `uri` to `text`.
pub fn apply_workspace_edit(text: &str, edit: &Value, uri: &str, units: Units) -> String {
    apply_text_edits(text, &edits_for(edit, uri), units)
}

/// Applies LSP text edits (ranges relative to `text`).
pub fn apply_text_edits(text: &str, edits: &[Value], units: Units) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, &e["range"]["start"], units),
                offset_of(text, &e["range"]["end"], units),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, &new_text);
    }
    out
}

/// An open document as the client holds it.
pub struct Doc {
    pub uri: String,
    pub text: String,
    pub version: i64,
    pub units: Units,
}

impl Doc {
    /// Opens `text` as `uri`.
    pub fn open(client: &mut Client, uri: &str, text: &str) -> Self {
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri, "languageId": "xanoscript", "version": 1, "text": text
            }}),
        );
        Self {
            uri: uri.to_string(),
            text: text.to_string(),
            version: 1,
            units: Units::Utf16,
        }
    }

    /// Sends incremental changes `(range, text)`, each relative to the text the previous one
    /// left, in one `didChange`; applies them locally too.
    pub fn change(&mut self, client: &mut Client, changes: &[(Value, &str)]) {
        for (range, new_text) in changes {
            let start = offset_of(&self.text, &range["start"], self.units);
            let end = offset_of(&self.text, &range["end"], self.units);
            self.text.replace_range(start..end, new_text);
        }
        self.version += 1;
        let content: Vec<Value> = changes
            .iter()
            .map(|(range, text)| json!({"range": range, "text": text}))
            .collect();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": content,
            }),
        );
    }

    /// Replaces the whole text.
    pub fn replace(&mut self, client: &mut Client, text: &str) {
        self.text = text.to_string();
        self.version += 1;
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    /// Applies a workspace edit locally and sends it as one `didChange` with a change per
    /// edit, last edit first (so each range still holds in the text the previous one left), as
    /// an editor does.
    pub fn apply(&mut self, client: &mut Client, edit: &Value) {
        let expected = apply_workspace_edit(&self.text, edit, &self.uri, self.units);
        let mut edits = edits_for(edit, &self.uri);
        edits.sort_by_key(|e| {
            std::cmp::Reverse(offset_of(&self.text, &e["range"]["start"], self.units))
        });
        let changes: Vec<(Value, &str)> = edits
            .iter()
            .map(|e| (e["range"].clone(), e["newText"].as_str().unwrap()))
            .collect();
        self.change(client, &changes);
        assert_eq!(self.text, expected);
    }

    pub fn close(&self, client: &mut Client) {
        client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": self.uri}}),
        );
    }
}

/// A deterministic pseudo-random sequence.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound.max(1) as u64) as usize
    }
}
