//! Hostile traffic against the real `xsguard lsp` binary: malformed messages, wrong parameter
//! types, unknown methods, positions past the end, edits to documents never opened, a burst of
//! 10,000 changes, requests after `shutdown`, and a client that vanishes mid-message.
//!
//! Each time the server must answer with the error the protocol asks for (when it asks for
//! one), keep serving (a real request still works and diagnostics still arrive), and exit
//! cleanly when its input closes, without a panic.

#[path = "lsp/client.rs"]
mod client;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use client::{Client, Doc, Lcg, Units, position_of};
use serde_json::{Value, json};

const GROUP: &str = "api_group shop {\n  canonical = \"shop-v1\"\n}\n";

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

fn start() -> Client {
    let options = json!({"xsguard": {"debounceMs": 10, "select": ["XS0", "XS301"]}});
    let (mut client, _) = Client::start(None, json!({}), options);
    // Analysis starts once the (empty) workspace is indexed; workspace symbols wait for that.
    client
        .request("workspace/symbol", json!({"query": ""}))
        .expect("workspace/symbol succeeds");
    client
}

fn uri(name: &str) -> String {
    format!("file:///xsguard-hostile/{name}")
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn code(error: &Value) -> i64 {
    error["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error: {error:#}"))
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// The server still works: a document opened now gets its diagnostics, and a request about it
/// is answered.
fn still_serving(client: &mut Client, name: &str) {
    let uri = uri(name);
    Doc::open(client, &uri, GROUP);
    assert_eq!(codes(&client.diagnostics_at(&uri, 1)), ["XS301"]);
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("documentSymbol succeeds");
    assert_eq!(symbols[0]["name"], "shop", "{symbols:#}");
}

/// `shutdown`, `exit`, status 0 and no panic.
fn finish(client: Client) {
    let stderr = client.stderr();
    assert_eq!(client.shutdown_and_exit(), 0);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_messages_are_answered_and_the_server_keeps_serving() {
    let mut client = start();
    let null = Value::Null;
    // Noise is known to be noise once a header follows it.
    let mut noise = b"%%% noise %%%".to_vec();
    noise.extend(frame(
        br#"{"jsonrpc": "2.0", "method": "$/xsguard-test/ping"}"#,
    ));
    let bad: &[(&[u8], i64)] = &[
        (&frame(b"{\"jsonrpc\": \"2.0\", \"id\": 1, "), PARSE_ERROR),
        (&frame(b"not json at all"), PARSE_ERROR),
        (&frame(b"\xff\xfe\x00garbage"), PARSE_ERROR),
        (&frame(b"[1, 2, 3]"), INVALID_REQUEST),
        (
            &frame(b"{\"jsonrpc\": \"1.0\", \"method\": \"x\"}"),
            INVALID_REQUEST,
        ),
        (&frame(b"{\"hello\": \"world\"}"), INVALID_REQUEST),
        // Headers without a Content-Length, and with a bad one.
        (b"Content-Type: text/plain\r\n\r\n", PARSE_ERROR),
        (b"Content-Length: lots\r\n\r\n", PARSE_ERROR),
        // Bytes before the next header.
        (&noise, PARSE_ERROR),
    ];
    for (bytes, expected) in bad {
        client.send_raw(bytes);
        let error = client.response_to(&null).expect_err("an error response");
        assert_eq!(
            code(&error),
            *expected,
            "{:?}: {error:#}",
            String::from_utf8_lossy(bytes)
        );
    }
    // A request whose id can be read gets its error under that id.
    client.send_raw(&frame(br#"{"jsonrpc": "2.0", "id": 41, "method": 7}"#));
    let error = client.response(41).expect_err("an error response");
    assert_eq!(code(&error), INVALID_REQUEST);
    // A header name in another case, a content type, and LF-only line endings are all read.
    let body = r#"{"jsonrpc":"2.0","id":42,"method":"workspace/symbol","params":{"query":""}}"#;
    client.send_raw(
        format!(
            "content-length: {}\nContent-Type: application/vscode-jsonrpc; charset=utf-8\n\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert!(client.response(42).is_ok());
    // Stray line breaks between messages are passed over.
    client.send_raw(b"\r\n\r\n\n");
    still_serving(&mut client, "after-malformed.xs");
    finish(client);
}

#[test]
fn wrong_parameter_types_and_unknown_methods() {
    let mut client = start();
    let uri = uri("params.xs");
    Doc::open(&mut client, &uri, GROUP);
    client.diagnostics_at(&uri, 1);
    let invalid = [
        ("textDocument/hover", json!("a string")),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": "one", "character": 0}}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": 7}, "position": {"line": 0, "character": 0}}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": "not a uri"}, "position": {"line": 0, "character": 0}}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": [0, 1], "context": {"diagnostics": []}}),
        ),
        ("textDocument/documentSymbol", json!([uri])),
        ("textDocument/diagnostic", json!({"textDocument": null})),
        ("codeAction/resolve", json!({"title": 5})),
        ("workspace/symbol", json!({"query": {"nested": true}})),
        ("initialize", json!({"capabilities": {}})),
    ];
    for (method, params) in invalid {
        let error = client
            .request(method, params.clone())
            .expect_err("an error response");
        let expected = if method == "initialize" {
            INVALID_REQUEST // already initialized
        } else {
            INVALID_PARAMS
        };
        assert_eq!(code(&error), expected, "{method} {params}: {error:#}");
    }
    // A request without params at all.
    let id = 9_001;
    client.send(&json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover"}));
    assert_eq!(code(&client.response(id).unwrap_err()), INVALID_PARAMS);

    for method in ["xsguard/unknown", "textDocument/unknown", "$/unknown"] {
        let error = client
            .request(method, json!({}))
            .expect_err("an error response");
        assert_eq!(code(&error), METHOD_NOT_FOUND, "{method}: {error:#}");
    }
    // Unknown notifications and notifications with the wrong parameters are ignored.
    client.notify("xsguard/unknown", json!({"a": 1}));
    client.notify("$/unknownNotification", json!(null));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "version": "one", "text": 5}}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": "all of it"}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": 0}, "text": 1}]}),
    );
    client.notify("textDocument/didClose", json!({"textDocument": 3}));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": [1, 2]}),
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": "none"}),
    );
    client.notify("$/cancelRequest", json!({"id": {"not": "an id"}}));
    // The document was not touched by any of that.
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(symbols[0]["name"], "shop");
    still_serving(&mut client, "after-params.xs");
    finish(client);
}

#[test]
fn positions_past_the_end_and_documents_never_opened() {
    let mut client = start();
    let never = uri("never.xs");
    // Changes, a close and requests for a document that is not open.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": never, "version": 5}, "contentChanges": [{"text": "x"}]}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": never, "version": 6}, "contentChanges": [
            {"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 9}}, "text": "y"}
        ]}),
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": never}}),
    );
    for (method, params) in [
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": never}, "position": {"line": 0, "character": 0}}),
        ),
        (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": never}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
        ),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": never}}),
        ),
        (
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": never}}),
        ),
    ] {
        let answer = client.request(method, params);
        assert!(answer.is_ok(), "{method}: {answer:?}");
    }
    // Opening it afterwards starts from what was opened, not from the stray changes.
    Doc::open(&mut client, &never, GROUP);
    assert_eq!(codes(&client.diagnostics_at(&never, 1)), ["XS301"]);

    // Positions far past the end, in the middle of characters and reversed.
    let uri = uri("far.xs");
    let text = "api_group \"😀 ショップ\" {\r\n  canonical = \"a\"\r\n}\r\n";
    let mut doc = Doc::open(&mut client, &uri, text);
    client.diagnostics_at(&uri, 1);
    let far = u32::MAX as u64;
    let edits = [
        (
            json!({"start": {"line": far, "character": far}, "end": {"line": far, "character": far}}),
            "\n// end\n",
        ),
        (
            json!({"start": {"line": 0, "character": 12}, "end": {"line": 0, "character": 12}}),
            "!",
        ), // inside the emoji
        (
            json!({"start": {"line": 1, "character": 500}, "end": {"line": 1, "character": 2}}),
            "",
        ), // reversed, past the line
        (
            json!({"start": {"line": 0, "character": 1000}, "end": {"line": 1, "character": 0}}),
            " ",
        ), // across the CRLF
    ];
    for (range, new_text) in edits {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": doc.version + 1}, "contentChanges": [{"range": range, "text": new_text}]}),
        );
        doc.version += 1;
    }
    // What the protocol's clamping makes of those edits.
    let expected = "api_group \"!😀 ショップ\" {   \r\n}\r\n\n// end\n";
    let edited = client.diagnostics_at(&uri, doc.version);
    let fresh_uri = self::uri("far-fresh.xs");
    Doc::open(&mut client, &fresh_uri, expected);
    let fresh = client.diagnostics_at(&fresh_uri, 1);
    assert_eq!(edited["diagnostics"], fresh["diagnostics"]);
    assert_eq!(
        document_symbols(&mut client, &uri),
        document_symbols(&mut client, &fresh_uri)
    );
    for position in [
        json!({"line": far, "character": far}),
        json!({"line": 0, "character": 11}),
        json!({"line": 2, "character": far}),
    ] {
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        assert!(hover.is_ok(), "{hover:?}");
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": position, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
        );
        assert!(actions.is_ok(), "{actions:?}");
    }
    still_serving(&mut client, "after-far.xs");
    finish(client);
}

/// The document symbols of `uri`, with the uris left out (to compare two documents).
fn document_symbols(client: &mut Client, uri: &str) -> Value {
    let mut answer = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    strip_uris(&mut answer);
    answer
}

/// An endpoint with CRLF line endings and multi-byte text.
const ENDPOINT: &str = "// Ein Endpunkt für 注文 😀\r\nquery \"orders/{order_id}\" verb=GET {\r\n  api_group = \"shop\"\r\n  auth = \"user\"\r\n\r\n  input {\r\n    int order_id\r\n    text note? filters=trim\r\n  }\r\n\r\n  stack {\r\n    db.get order {\r\n      field_name = \"id\"\r\n      field_value = $input.order_id\r\n    } as $order\r\n\r\n    precondition ($order.user_id == $auth.id) {\r\n      error_type = \"accessdenied\"\r\n    }\r\n  }\r\n\r\n  response = $order\r\n}\r\n";

#[test]
fn ten_thousand_changes_in_a_burst() {
    let (mut client, _) = Client::start(None, json!({}), json!({"xsguard": {"debounceMs": 10}}));
    client
        .request("workspace/symbol", json!({"query": ""}))
        .unwrap();
    let uri = uri("burst.xs");
    let mut doc = Doc::open(&mut client, &uri, ENDPOINT);
    client.diagnostics_at(&uri, 1);
    // Words typed a character at a time at random places and mostly erased again, as fast as
    // the pipe takes them: 10,000 `didChange`s, some with two changes. Words with brackets or
    // quotes are always erased (an unclosed quote left behind would make every later reparse
    // a long error recovery, which is not what this test measures).
    const CHARS: &[&str] = &["a", "é", "😀", "名", "x", " ", "$", "{", "\""];
    let mut rng = Lcg(0xb0257);
    let started = Instant::now();
    let mut sent = 0;
    while sent < 10_000 {
        // A character boundary that is not inside a CRLF.
        let mut at = rng.below(doc.text.len() + 1);
        while !doc.text.is_char_boundary(at)
            || (doc.text[..at].ends_with('\r') && doc.text[at..].starts_with('\n'))
        {
            at -= 1;
        }
        let word: Vec<&str> = (0..1 + rng.below(6))
            .map(|_| CHARS[rng.below(CHARS.len())])
            .collect();
        let mut end = at;
        for (i, ch) in word.iter().enumerate() {
            if sent == 10_000 {
                break;
            }
            let here = position_of(&doc.text, end, Units::Utf16);
            let point = json!({"start": here, "end": here});
            if i % 4 == 3 {
                // Two changes in one message: the character, then a space deleted right away.
                let after = position_of(
                    &format!("{}{ch}", &doc.text[..end]),
                    end + ch.len(),
                    Units::Utf16,
                );
                let space = json!({"start": after, "end": after});
                let spaced = json!({"start": after, "end": {"line": after["line"], "character": after["character"].as_u64().unwrap() + 1}});
                doc.change(&mut client, &[(point, ch), (space, " "), (spaced, "")]);
            } else {
                doc.change(&mut client, &[(point, ch)]);
            }
            end += ch.len();
            sent += 1;
        }
        let keep = rng.below(5) == 0 && word.iter().all(|c| !matches!(*c, "$" | "{" | "\""));
        if !keep {
            while end > at && sent < 10_000 {
                let last = doc.text[..end].chars().next_back().unwrap();
                let range = json!({
                    "start": position_of(&doc.text, end - last.len_utf8(), Units::Utf16),
                    "end": position_of(&doc.text, end, Units::Utf16),
                });
                doc.change(&mut client, &[(range, "")]);
                end -= last.len_utf8();
                sent += 1;
            }
        }
    }
    assert_eq!(doc.version, 10_001);
    let sending = started.elapsed();
    let edited = client.wait_for_within(
        "diagnostics of the last version",
        Duration::from_secs(60),
        |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["version"] == doc.version
        },
    )["params"]
        .clone();
    eprintln!(
        "10,000 changes: sent in {sending:?}, last diagnostics after {:?}; {} bytes now",
        started.elapsed(),
        doc.text.len()
    );
    // Exactly what opening the final text gives.
    let fresh_uri = self::uri("burst-fresh.xs");
    Doc::open(&mut client, &fresh_uri, &doc.text);
    let fresh = client.diagnostics_at(&fresh_uri, 1);
    assert_eq!(edited["diagnostics"], fresh["diagnostics"]);
    assert_eq!(
        document_symbols(&mut client, &uri),
        document_symbols(&mut client, &fresh_uri)
    );
    // The last version is published once.
    let again: Vec<Value> = client
        .collect(Duration::from_millis(300))
        .into_iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["version"] == doc.version
        })
        .collect();
    assert!(again.is_empty(), "{again:#?}");
    finish(client);
}

/// Removes the document URIs from symbols, to compare those of two documents.
fn strip_uris(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("uri");
            map.values_mut().for_each(strip_uris);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_uris),
        _ => {}
    }
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut client = start();
    let uri = uri("shutdown.xs");
    Doc::open(&mut client, &uri, GROUP);
    client.diagnostics_at(&uri, 1);
    client
        .request("shutdown", Value::Null)
        .expect("shutdown succeeds");
    for (method, params) in [
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        ),
        ("workspace/symbol", json!({"query": ""})),
        ("shutdown", Value::Null),
        ("xsguard/unknown", json!({})),
    ] {
        let error = client.request(method, params).expect_err("refused");
        assert_eq!(code(&error), INVALID_REQUEST, "{method}: {error:#}");
    }
    // Notifications after shutdown are harmless.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), 0);
    assert!(!client.stderr().contains("panicked"), "{}", client.stderr());

    // `exit` right behind `shutdown`, before its answer: still a clean exit.
    for _ in 0..20 {
        let mut client = start();
        client.send_request("shutdown", Value::Null);
        client.notify("exit", Value::Null);
        assert_eq!(client.wait_exit(), 0);
    }
}

/// Starts the server by hand, so that the test can go away the way a crashed client does.
fn raw_server() -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xsguard lsp starts")
}

/// Waits for a process started by [`raw_server`]: its exit status and standard error.
fn wait_raw(mut child: std::process::Child) -> (i32, String) {
    let deadline = Instant::now() + client::TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit within {:?}", client::TIMEOUT);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code().expect("an exit status, not a signal"), stderr)
}

#[test]
fn a_client_that_vanishes_mid_message_leaves_a_clean_exit() {
    // Through the harness: initialized, a document open, half a message, then input closes.
    let cut_offs: &[&[u8]] = &[
        b"Content-Len",
        b"Content-Length: 120\r\n",
        b"Content-Length: 120\r\n\r\n{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didCh",
    ];
    for cut in cut_offs {
        let mut client = start();
        let uri = uri("vanish.xs");
        Doc::open(&mut client, &uri, GROUP);
        client.diagnostics_at(&uri, 1);
        // A request in flight too.
        client.send_request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}, "context": {"diagnostics": []}}),
        );
        client.send_raw(cut);
        client.close_stdin();
        let started = Instant::now();
        assert_eq!(client.wait_exit(), 1, "no shutdown came first");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "exit took {:?}",
            started.elapsed()
        );
        let stderr = client.stderr();
        assert!(!stderr.contains("panicked"), "{stderr}");
    }

    // A client that dies: its end of both pipes closes, output the server still writes included.
    let mut child = raw_server();
    let mut stdin = child.stdin.take().unwrap();
    drop(child.stdout.take());
    let init =
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}});
    let open = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri("dead.xs"), "languageId": "xanoscript", "version": 1, "text": GROUP}}});
    let mut bytes = frame(init.to_string().as_bytes());
    bytes.extend(frame(
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})
            .to_string()
            .as_bytes(),
    ));
    bytes.extend(frame(open.to_string().as_bytes()));
    bytes.extend_from_slice(b"Content-Length: 999\r\n\r\n{\"jsonrpc\"");
    // The server may have already given up on its output; a failed write is fine here.
    let _ = stdin.write_all(&bytes);
    let _ = stdin.flush();
    std::thread::sleep(Duration::from_millis(300));
    drop(stdin);
    let (status, stderr) = wait_raw(child);
    assert_eq!(status, 1);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
