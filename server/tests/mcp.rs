//! `xsguard mcp` spoken to as a client does: JSON-RPC messages, one a line, on the binary's
//! standard input and output. Its findings must be those `xsguard check --format json` prints,
//! bad requests must get errors without ending the session, and the server must end with its
//! input. (server/tests/mcp/test_client.py drives it with the official Python SDK in CI.)

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any answer may take (a debug build checking the example app takes well under 1 s).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A session with `xsguard mcp`, run in the repository's top folder.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Answers read while waiting for another.
    early: HashMap<u64, Value>,
    next_id: u64,
}

impl Session {
    fn start() -> Self {
        Self::start_in(&repository(), &[])
    }

    /// A session with `xsguard mcp ARGS` run in `dir`.
    fn start_in(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xsguard"))
            .arg("mcp")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut session = Self {
            child,
            stdin,
            lines,
            early: HashMap::new(),
            next_id: 1,
        };
        let init = session.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "xsguard-tests", "version": "1"},
            }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "xsguard", "{init}");
        assert!(
            init["result"]["capabilities"]["tools"].is_object(),
            "{init}"
        );
        session.send_line(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        );
        session
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request and waits for its answer (the whole message: `result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_line(&message.to_string());
        self.answer(id)
    }

    fn answer(&mut self, id: u64) -> Value {
        if let Some(answer) = self.early.remove(&id) {
            return answer;
        }
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => panic!("no answer to request {id}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server ended before answering {id}")
                }
            };
            let message: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
                panic!("standard output carries a line that is not JSON ({e}): {line}")
            });
            match message["id"].as_u64() {
                Some(got) if got == id => return message,
                Some(got) => {
                    self.early.insert(got, message);
                }
                // A notification from the server (none are expected, none are harmful).
                None => {}
            }
        }
    }

    /// Calls a tool; the answer's `result`, or the whole message when it is a protocol error.
    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let answer = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        match answer.get("result") {
            Some(result) => result.clone(),
            None => answer,
        }
    }

    /// Closes the server's input; returns its exit status once it has ended.
    fn end(mut self) -> Option<i32> {
        drop(self.stdin.take());
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not end when its input did");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text of a tool result's first content block.
fn text_of(result: &Value) -> &str {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {result}"))
}

fn is_error(result: &Value) -> bool {
    result["isError"] == true || result.get("error").is_some()
}

/// What `xsguard check --format json ARGS` prints in the repository's top folder.
fn cli_json(args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(repository())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn lists_the_tools_and_checks_as_the_command_line_does() {
    let mut session = Session::start();
    let listed = session.request("tools/list", json!({}));
    let tools = listed["result"]["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["check", "check_source", "explain", "fixes", "rules"]
    );
    for tool in tools {
        let description = tool["description"].as_str().unwrap();
        assert!(description.contains("Call it"), "{description}");
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
    }

    let checked = session.call("check", json!({"paths": ["examples/shop"]}));
    let expected = cli_json(&["examples/shop"], None);
    assert!(!is_error(&checked), "{checked}");
    assert_eq!(
        text_of(&checked),
        expected,
        "the text is what the command line prints"
    );
    let report: Value = serde_json::from_str(&expected).unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
    assert_eq!(checked["structuredContent"], report);

    let selected = session.call(
        "check",
        json!({"paths": ["examples/shop/apis"], "select": ["XS1"], "ignore": ["XS105"]}),
    );
    assert_eq!(
        text_of(&selected),
        cli_json(
            &["examples/shop/apis", "--select", "XS1", "--ignore", "XS105"],
            None
        )
    );
    assert_eq!(session.end(), Some(0));
}

#[test]
fn checks_unsaved_text_and_proposes_fixes_without_writing() {
    let mut session = Session::start();
    let path = "examples/shop/apis/auth/login_POST.xs";
    let on_disk = std::fs::read(repository().join(path)).unwrap();
    let edited = format!(
        "{}\nquery leak verb=GET {{\n  stack {{\n    db.query user as $users\n  }}\n  response = $users\n}}\n",
        String::from_utf8(on_disk.clone()).unwrap()
    );
    let checked = session.call("check_source", json!({"path": path, "text": edited}));
    assert!(!is_error(&checked), "{checked}");
    let expected = cli_json(&["-", "--stdin-filename", path], Some(&edited));
    assert_eq!(text_of(&checked), expected);
    assert!(expected.contains("\"XS101\""), "{expected}");

    let fixes = session.call("fixes", json!({"path": path}));
    assert!(!is_error(&fixes), "{fixes}");
    let all: Value = serde_json::from_str(&cli_json(&[path], None)).unwrap();
    let proposed = fixes["structuredContent"]["findings"].as_array().unwrap();
    assert!(!proposed.is_empty(), "{fixes}");
    for finding in proposed {
        let fixes = finding["fixes"].as_array().unwrap();
        assert!(!fixes.is_empty(), "{finding}");
        for fix in fixes {
            assert!(["safe", "unsafe"].contains(&fix["applicability"].as_str().unwrap()));
            assert!(!fix["edits"].as_array().unwrap().is_empty(), "{fix}");
        }
        let same = |f: &&Value| f["code"] == finding["code"] && f["range"] == finding["range"];
        assert!(all["findings"].as_array().unwrap().iter().any(|f| same(&f)));
    }
    // Fixes for unsaved text are edits of that text.
    let unsaved = session.call("fixes", json!({"path": path, "text": edited}));
    assert!(
        unsaved["structuredContent"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "XS101"),
        "{unsaved}"
    );
    assert_eq!(std::fs::read(repository().join(path)).unwrap(), on_disk);
    assert_eq!(session.end(), Some(0));
}

#[test]
fn explains_and_lists_the_rules() {
    let mut session = Session::start();
    let explained = session.call("explain", json!({"code": "XS102"}));
    assert!(!is_error(&explained), "{explained}");
    let cli = Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(["explain", "XS102"])
        .output()
        .unwrap();
    assert_eq!(text_of(&explained), String::from_utf8(cli.stdout).unwrap());

    let rules = session.call("rules", json!({}));
    let list: Value = serde_json::from_str(text_of(&rules)).unwrap();
    let first = &list.as_array().unwrap()[0];
    for field in ["code", "name", "severity", "summary"] {
        assert!(first[field].is_string(), "{first}");
    }
    assert!(first.get("documentation").is_none());
    assert_eq!(session.end(), Some(0));
}

#[test]
fn bad_requests_get_errors_and_the_session_goes_on() {
    let mut session = Session::start();
    let missing = session.call("check", json!({"paths": ["examples/no-such-app"]}));
    assert!(is_error(&missing), "{missing}");
    assert!(text_of(&missing).contains("no-such-app"), "{missing}");
    for bad in [
        json!({}),
        json!({"paths": "examples/shop"}),
        json!({"paths": [1, 2]}),
        json!({"paths": []}),
        json!({"paths": ["-"]}),
        json!({"paths": ["examples/shop"], "select": ["XS9"]}),
    ] {
        let answer = session.call("check", bad.clone());
        assert!(is_error(&answer), "{bad} -> {answer}");
    }
    let no_text = session.call("check_source", json!({"path": "examples/shop/x.xs"}));
    assert!(is_error(&no_text), "{no_text}");
    let folder = session.call("check_source", json!({"path": "examples/shop", "text": ""}));
    assert!(is_error(&folder), "{folder}");
    let unknown_tool = session.call("format_disk", json!({}));
    assert!(is_error(&unknown_tool), "{unknown_tool}");
    let unknown_rule = session.call("explain", json!({"code": "XS999"}));
    assert!(is_error(&unknown_rule), "{unknown_rule}");
    assert!(text_of(&unknown_rule).contains("XS999"), "{unknown_rule}");

    // A line that is not JSON is dropped; what follows is still answered.
    session.send_line("{this is not json");
    session.send_line("");
    let unknown_method = session.request("no/such/method", json!({}));
    assert!(unknown_method.get("error").is_some(), "{unknown_method}");
    let after = session.call("check", json!({"paths": ["examples/shop/tables"]}));
    assert!(!is_error(&after), "{after}");
    assert_eq!(session.end(), Some(0));
}

#[test]
fn ends_cleanly_when_its_input_ends_before_a_session() {
    let status = Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .arg("mcp")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    assert!(status.stdout.is_empty());
}

#[test]
fn reads_relative_paths_from_the_directory_given() {
    let examples = repository().join("examples");
    let examples = examples.to_str().unwrap();
    let mut session = Session::start_in(&std::env::temp_dir(), &["--directory", examples]);
    let checked = session.call("check", json!({"paths": ["shop/tables"]}));
    assert!(!is_error(&checked), "{checked}");
    let findings = checked["structuredContent"]["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{checked}");
    assert!(
        findings
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("shop/tables/")),
        "{checked}"
    );
    assert_eq!(session.end(), Some(0));

    let missing = Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(["mcp", "--directory", "/no/such/folder"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/no/such/folder"),
        "{missing:?}"
    );
}

/// The server's resident memory, in kB.
#[cfg(target_os = "linux")]
fn resident_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A server checks after every edit for hours: each run must free what it built (the command
/// line leaves that to the end of the process).
#[cfg(target_os = "linux")]
#[test]
fn memory_does_not_grow_with_each_check() {
    let mut session = Session::start();
    let check = |session: &mut Session| {
        let answer = session.call("check", json!({"paths": ["examples/shop"]}));
        assert!(!is_error(&answer), "{answer}");
    };
    for _ in 0..50 {
        check(&mut session);
    }
    let before = resident_kb(session.child.id());
    for _ in 0..200 {
        check(&mut session);
    }
    let grown = resident_kb(session.child.id()).saturating_sub(before);
    // Keeping each run's index would add about 170 kB a run here (34 MB in all).
    assert!(
        grown < 12_000,
        "resident memory grew by {grown} kB over 200 checks"
    );
    assert_eq!(session.end(), Some(0));
}
