//! End-to-end tests of `xsguard lsp`: the real binary over stdio, spoken to in JSON-RPC.

#[path = "lsp/client.rs"]
mod client;
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use client::{Client, Doc, Lcg, Units, file_uri, offset_of, position_of, temp_dir};
use serde_json::{Value, json};

/// An api group without a `swagger` setting: XS301 reports it, with one safe fix.
const GROUP: &str = "api_group shop {\n  canonical = \"shop-v1\"\n}\n";

/// Settings for most tests: a short debounce, and only the rules a test is about, so that
/// rules added later do not change what these tests see.
fn options(select: &[&str]) -> Value {
    json!({"xsguard": {"debounceMs": 10, "select": select}})
}

/// What a modern editor announces.
fn capabilities() -> Value {
    json!({
        "textDocument": {
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true},
            "codeAction": {
                "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}},
                "isPreferredSupport": true,
                "dataSupport": true
            },
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
            "hover": {"contentFormat": ["markdown", "plaintext"]}
        },
        "window": {"workDoneProgress": true},
        "workspace": {
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "configuration": true
        }
    })
}

/// A document that exists only in the editor.
fn virtual_uri(name: &str) -> String {
    format!("file:///xsguard-virtual/{name}")
}

fn items(diagnostics: &Value) -> &Vec<Value> {
    diagnostics["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
}

fn codes(diagnostics: &Value) -> Vec<String> {
    items(diagnostics)
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn pos(line: u64, character: u64) -> Value {
    json!({"line": line, "character": character})
}

fn range(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({"start": pos(start.0, start.1), "end": pos(end.0, end.1)})
}

/// The code actions for `range` of `doc`.
fn code_actions(client: &mut Client, doc: &Doc, range: Value, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": doc.uri}, "range": range, "context": context}),
        )
        .expect("codeAction succeeds")
        .as_array()
        .expect("a list of actions")
        .clone()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:#?}"))
}

fn hover_text(client: &mut Client, uri: &str, position: Value) -> String {
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        )
        .expect("hover succeeds");
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("a markdown hover: {hover:#}"))
        .to_string()
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn initialize_advertises_capabilities() {
    let (client, result) = Client::start(None, json!({}), Value::Null);
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    let kinds = caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap();
    assert!(kinds.contains(&json!("quickfix")));
    assert!(kinds.contains(&json!("source.fixAll.xsguard")));
    assert_eq!(caps["codeActionProvider"]["resolveProvider"], true);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["documentSymbolProvider"], true);
    assert_eq!(caps["workspaceSymbolProvider"], true);
    assert_eq!(caps["diagnosticProvider"]["identifier"], "xsguard");
    assert_eq!(caps["diagnosticProvider"]["interFileDependencies"], true);
    assert_eq!(caps["diagnosticProvider"]["workspaceDiagnostics"], false);
    assert_eq!(caps["workspace"]["workspaceFolders"]["supported"], true);
    assert_eq!(result["serverInfo"]["name"], "xsguard");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn utf8_is_negotiated_when_offered() {
    let caps = json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}});
    let (mut client, result) = Client::start(None, caps, options(&["XS0", "XS301"]));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let text = "api_group \"🛒 ショップ\" {\n  canonical = \"shop-v1\"\n}\n";
    let uri = virtual_uri("utf8.xs");
    let mut doc = Doc::open(&mut client, &uri, text);
    doc.units = Units::Utf8;
    let diagnostics = client.diagnostics_at(&uri, 1);
    // In bytes: the cart is 4, each katakana 3.
    assert_eq!(items(&diagnostics)[0]["range"], range((0, 0), (0, 29)));
    // An edit after the emoji, in byte columns.
    doc.change(&mut client, &[(range((0, 16), (0, 28)), "店")]);
    let diagnostics = client.diagnostics_at(&uri, 2);
    assert_eq!(items(&diagnostics)[0]["range"], range((0, 0), (0, 20)));
    assert!(doc.text.starts_with("api_group \"🛒 店\""));
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn open_publishes_diagnostics_with_code_link_and_fixes() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("shop.xs");
    Doc::open(&mut client, &uri, GROUP);
    let diagnostics = client.diagnostics_at(&uri, 1);
    assert_eq!(codes(&diagnostics), ["XS301"]);
    let d = &items(&diagnostics)[0];
    assert_eq!(d["source"], "xsguard");
    assert_eq!(d["severity"], 2);
    assert_eq!(d["range"], range((0, 0), (0, 14)));
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/xsguard/xsguard/blob/main/docs/rules.md#xs301-public-swagger"
    );
    assert!(d["message"].as_str().unwrap().contains("`shop`"));
    assert_eq!(d["data"]["rule"], "public-swagger");
    let fix = &d["data"]["fixes"][0];
    assert_eq!(fix["title"], "Add `swagger = {active: false}`");
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["newText"], "\n  swagger = {active: false}");
    assert!(
        d["data"]["help"]
            .as_str()
            .is_some_and(|h| h.contains("Public documentation")),
        "{d:#}"
    );
    // The hover says it too, with the fix and whether it is safe.
    let text = hover_text(&mut client, &uri, pos(0, 3));
    assert!(
        text.contains("Public documentation lists every endpoint"),
        "{text}"
    );
    assert!(
        text.contains("Fix (safe): Add `swagger = {active: false}`"),
        "{text}"
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

/// A fix that changes behaviour is never the preferred one, even when it is the only one.
#[test]
fn unsafe_fixes_are_never_preferred() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS302"]));
    let uri = virtual_uri("cors.xs");
    let text = "api_group shop {\n  canonical = \"shop-v1\"\n  cors = {mode: \"wildcard\"}\n}\n";
    let doc = Doc::open(&mut client, &uri, text);
    let diagnostics = client.diagnostics_at(&uri, 1);
    let d = &items(&diagnostics)[0];
    assert_eq!(d["code"], "XS302");
    assert_eq!(d["data"]["fixes"][0]["applicability"], "unsafe");
    let actions = code_actions(
        &mut client,
        &doc,
        range((0, 0), (3, 1)),
        Some(&["quickfix"]),
    );
    let fixes: Vec<&Value> = actions
        .iter()
        .filter(|a| !a["title"].as_str().unwrap().starts_with("Suppress"))
        .collect();
    assert!(!fixes.is_empty(), "{actions:#?}");
    assert!(
        fixes.iter().all(|a| a.get("isPreferred").is_none()),
        "{fixes:#?}"
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn quick_fix_applied_clears_the_diagnostic() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("fix.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    let diagnostics = client.diagnostics_at(&uri, 1);
    let at = items(&diagnostics)[0]["range"].clone();
    let actions = code_actions(&mut client, &doc, at, Some(&["quickfix"]));
    let fix = titled(&actions, "Add `swagger = {active: false}`");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "XS301");
    doc.apply(&mut client, &fix["edit"]);
    assert_eq!(
        doc.text,
        "api_group shop {\n  canonical = \"shop-v1\"\n  swagger = {active: false}\n}\n"
    );
    let diagnostics = client.diagnostics_at(&uri, 2);
    assert_eq!(items(&diagnostics).len(), 0, "{diagnostics:#}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn quick_fix_through_code_action_resolve() {
    let mut caps = capabilities();
    caps["textDocument"]["codeAction"]["resolveSupport"] = json!({"properties": ["edit"]});
    caps["workspace"]["workspaceEdit"] = json!({"documentChanges": true});
    let (mut client, _) = Client::start(None, caps, options(&["XS0", "XS301"]));
    let uri = virtual_uri("resolve.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    client.diagnostics_at(&uri, 1);
    let actions = code_actions(&mut client, &doc, range((0, 3), (0, 3)), None);
    let fix = titled(&actions, "Add `swagger = {active: false}`").clone();
    assert!(fix.get("edit").is_none(), "edits wait for resolve: {fix:#}");
    let resolved = client
        .request("codeAction/resolve", fix)
        .expect("resolve succeeds");
    let change = &resolved["edit"]["documentChanges"][0];
    assert_eq!(
        change["textDocument"]["version"], 1,
        "the edit is tied to the version"
    );
    doc.apply(&mut client, &resolved["edit"]);
    assert_eq!(items(&client.diagnostics_at(&uri, 2)).len(), 0);

    // An action made for version 1 no longer resolves to an edit.
    let stale = titled(&actions, "Suppress XS301 here").clone();
    let resolved = client.request("codeAction/resolve", stale).unwrap();
    assert!(
        resolved.get("edit").is_none_or(Value::is_null),
        "{resolved:#}"
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn fix_all_fixes_every_finding() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("all.xs");
    let text = "api_group a {\n  canonical = \"a\"\n}\n\napi_group b {\n  canonical = \"b\"\n  swagger = true\n}\n";
    let mut doc = Doc::open(&mut client, &uri, text);
    assert_eq!(codes(&client.diagnostics_at(&uri, 1)), ["XS301", "XS301"]);
    let whole = range((0, 0), (9, 0));
    let actions = code_actions(&mut client, &doc, whole.clone(), Some(&["source.fixAll"]));
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.xsguard");
    doc.apply(&mut client, &actions[0]["edit"]);
    assert_eq!(
        doc.text.matches("swagger = {active: false}").count(),
        2,
        "{}",
        doc.text
    );
    assert_eq!(items(&client.diagnostics_at(&uri, 2)).len(), 0);
    // Nothing left to fix: no action.
    let actions = code_actions(&mut client, &doc, whole, Some(&["source.fixAll"]));
    assert!(actions.is_empty(), "{actions:#?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn suppression_action_inserts_an_ignore_comment() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("suppress.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    client.diagnostics_at(&uri, 1);
    let actions = code_actions(&mut client, &doc, range((0, 12), (0, 12)), None);
    let suppress = titled(&actions, "Suppress XS301 here");
    assert_eq!(suppress["kind"], "quickfix");
    doc.apply(&mut client, &suppress["edit"]);
    assert_eq!(
        doc.text,
        format!("// xsguard-ignore XS301: TODO: why this is safe\n{GROUP}")
    );
    // The finding is suppressed; the placeholder reason is reported until it is replaced.
    let left = client.diagnostics_at(&uri, 2);
    let codes: Vec<&str> = items(&left)
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["XS001"]);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn several_changes_in_one_did_change() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("multi.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    client.diagnostics_at(&uri, 1);
    // Each range is meant for the text the previous change left.
    doc.change(
        &mut client,
        &[
            (range((0, 0), (0, 0)), "// header\n"),
            (range((1, 10), (1, 14)), "store"),
            (range((1, 15), (1, 15)), "front"),
            (range((3, 0), (3, 0)), "  description = \"Ünïcödé 😀\"\n"),
            (range((3, 20), (3, 24)), "code"),
        ],
    );
    assert_eq!(
        doc.text,
        "// header\napi_group storefront {\n  canonical = \"shop-v1\"\n  description = \"Ünïcode 😀\"\n}\n"
    );
    let diagnostics = client.diagnostics_at(&uri, 2);
    let d = &items(&diagnostics)[0];
    assert_eq!(d["range"], range((1, 0), (1, 20)));
    assert!(
        d["message"].as_str().unwrap().contains("`storefront`"),
        "{d:#}"
    );
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(symbols[0]["name"], "storefront");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn utf16_positions_around_emoji_and_cjk() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("emoji.xs");
    let text = "// 注文 🛒\napi_group \"🛒 ショップ\" {\n  canonical = \"shop-v1\"\n}\n";
    let mut doc = Doc::open(&mut client, &uri, text);
    let diagnostics = client.diagnostics_at(&uri, 1);
    // `api_group "🛒 ショップ"`: the cart is a surrogate pair, each katakana one unit.
    assert_eq!(items(&diagnostics)[0]["range"], range((1, 0), (1, 19)));
    // Replace the katakana, addressed in UTF-16 units after the emoji.
    doc.change(&mut client, &[(range((1, 14), (1, 18)), "店")]);
    assert!(doc.text.contains("api_group \"🛒 店\" {"), "{}", doc.text);
    let diagnostics = client.diagnostics_at(&uri, 2);
    let d = &items(&diagnostics)[0];
    assert_eq!(d["range"], range((1, 0), (1, 16)));
    assert!(d["message"].as_str().unwrap().contains("🛒 店"));
    // Hover inside the name, past the emoji.
    let hover = hover_text(&mut client, &uri, pos(1, 14));
    assert!(hover.contains("XS301 public-swagger"), "{hover}");
    // The fix's positions are UTF-16 too.
    let actions = code_actions(&mut client, &doc, d["range"].clone(), Some(&["quickfix"]));
    doc.apply(
        &mut client,
        &titled(&actions, "Add `swagger = {active: false}`")["edit"],
    );
    assert!(
        doc.text
            .contains("  canonical = \"shop-v1\"\n  swagger = {active: false}\n}")
    );
    assert_eq!(items(&client.diagnostics_at(&uri, 3)).len(), 0);
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn crlf_files_keep_their_line_endings() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("crlf.xs");
    let text = "api_group shop {\r\n  canonical = \"shop-v1\"\r\n}\r\n";
    let mut doc = Doc::open(&mut client, &uri, text);
    let diagnostics = client.diagnostics_at(&uri, 1);
    assert_eq!(items(&diagnostics)[0]["range"], range((0, 0), (0, 14)));
    let fix = &items(&diagnostics)[0]["data"]["fixes"][0]["edits"][0];
    assert_eq!(fix["newText"], "\r\n  swagger = {active: false}");
    // A position past the end of a line lands before its `\r\n`.
    doc.change(
        &mut client,
        &[
            (range((0, 10), (0, 14)), "mall"),
            (range((1, 99), (1, 99)), " "),
        ],
    );
    assert_eq!(
        doc.text,
        "api_group mall {\r\n  canonical = \"shop-v1\" \r\n}\r\n"
    );
    let diagnostics = client.diagnostics_at(&uri, 2);
    assert!(
        items(&diagnostics)[0]["message"]
            .as_str()
            .unwrap()
            .contains("`mall`")
    );
    let actions = code_actions(&mut client, &doc, range((0, 0), (0, 0)), None);
    doc.apply(
        &mut client,
        &titled(&actions, "Suppress XS301 here")["edit"],
    );
    assert!(
        doc.text
            .starts_with("// xsguard-ignore XS301: TODO: why this is safe\r\napi_group")
    );
    assert_eq!(
        doc.text.matches("\r\n").count(),
        doc.text.matches('\n').count()
    );
    let left = client.diagnostics_at(&uri, 3);
    assert_eq!(items(&left).len(), 1);
    assert_eq!(items(&left)[0]["code"], "XS001");
    assert_eq!(client.shutdown_and_exit(), 0);
}

const MEMBER_TABLE: &str =
    "table member {\n  auth = false\n  schema {\n    int id\n    text name\n  }\n}\n";
const MEMBER_TABLE_SENSITIVE: &str = "table member {\n  auth = false\n  schema {\n    int id\n    text name\n    text secret_note {\n      sensitive = true\n    }\n  }\n}\n";
const MEMBER_ENDPOINT: &str = "query \"members/{member_id}\" verb=GET {\n  api_group = \"Members\"\n  auth = \"user\"\n\n  input {\n    int member_id\n  }\n\n  stack {\n    db.get member {\n      field_name = \"id\"\n      field_value = $input.member_id\n    } as $member\n  }\n\n  response = $member\n}\n";

/// LSP 3.17 ends a line at `\n`, `\r\n` or a lone `\r`: positions sent and received count
/// lines that way in a document that mixes all three.
#[test]
fn lone_carriage_returns_end_lines() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("mixed.xs");
    let text = "// shop\r// endpoints\r\napi_group shop {\n  canonical = \"shop-v1\"\r}\n";
    let mut doc = Doc::open(&mut client, &uri, text);
    let diagnostics = client.diagnostics_at(&uri, 1);
    assert_eq!(items(&diagnostics)[0]["range"], range((2, 0), (2, 14)));
    // Line 3 ends at a lone `\r`: a position past its end lands before it.
    doc.change(
        &mut client,
        &[
            (range((2, 10), (2, 14)), "mall"),
            (range((3, 99), (3, 99)), " "),
        ],
    );
    assert_eq!(
        doc.text,
        "// shop\r// endpoints\r\napi_group mall {\n  canonical = \"shop-v1\" \r}\n"
    );
    let diagnostics = client.diagnostics_at(&uri, 2);
    let found = &items(&diagnostics)[0];
    assert_eq!(found["range"], range((2, 0), (2, 14)));
    assert!(
        found["message"].as_str().unwrap().contains("`mall`"),
        "{found:#}"
    );
    // The server's text is the client's: the fix inserts at the end of line 3, before `\r`.
    let edit = &found["data"]["fixes"][0]["edits"][0];
    assert_eq!(edit["range"]["start"], pos(3, 24), "{edit:#}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn cross_file_update_after_a_table_changes_on_disk() {
    let dir = temp_dir("cross-file");
    write(&dir, "tables/member.xs", MEMBER_TABLE);
    write(&dir, "apis/member_GET.xs", MEMBER_ENDPOINT);
    let (mut client, _) = Client::start(Some(&dir), capabilities(), options(&["XS0", "XS202"]));
    let endpoint = file_uri(&dir.join("apis/member_GET.xs"));
    let table = file_uri(&dir.join("tables/member.xs"));
    let doc = Doc::open(&mut client, &endpoint, MEMBER_ENDPOINT);
    assert_eq!(items(&client.diagnostics_at(&endpoint, 1)).len(), 0);
    let target = position_of(
        &doc.text,
        doc.text.find("member {").unwrap() + 2,
        Units::Utf16,
    );
    let hover = hover_text(&mut client, &endpoint, target.clone());
    assert!(hover.contains("**table `member`**"), "{hover}");
    assert!(hover.contains("Sensitive fields: none"), "{hover}");
    let registered = client.server_requests.iter().any(|r| {
        r["method"] == "client/registerCapability"
            && r["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"
    });
    assert!(registered, "{:#?}", client.server_requests);

    // The table gains a sensitive column on disk (a `git pull`, another editor).
    write(&dir, "tables/member.xs", MEMBER_TABLE_SENSITIVE);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": table, "type": 2}]}),
    );
    let diagnostics = client.wait_for("XS202 on the endpoint", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == endpoint
            && !m["params"]["diagnostics"].as_array().unwrap().is_empty()
    })["params"]
        .clone();
    assert_eq!(codes(&diagnostics), ["XS202"]);
    assert_eq!(diagnostics["version"], 1);
    assert!(
        items(&diagnostics)[0]["message"]
            .as_str()
            .unwrap()
            .contains("secret_note")
    );
    let hover = hover_text(&mut client, &endpoint, target);
    assert!(hover.contains("Sensitive fields: `secret_note`"), "{hover}");

    // Editing the open table file back updates the endpoint without a save.
    let mut table_doc = Doc::open(&mut client, &table, MEMBER_TABLE_SENSITIVE);
    table_doc.replace(&mut client, MEMBER_TABLE);
    client.wait_for("the endpoint clean again", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == endpoint
            && m["params"]["diagnostics"].as_array().unwrap().is_empty()
    });
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn xsguard_toml_is_read_and_its_errors_shown() {
    let dir = temp_dir("config");
    write(
        &dir,
        "xsguard.toml",
        "owner-fields = [\"user_id\"]\ntoken-expiry-days = \"soon\"\n",
    );
    write(&dir, "apis/group.xs", GROUP);
    let (mut client, _) = Client::start(Some(&dir), capabilities(), options(&["XS0", "XS301"]));
    let config = file_uri(&dir.join("xsguard.toml"));
    let shown = client.diagnostics(&config);
    let problem = &items(&shown)[0];
    assert_eq!(problem["severity"], 1);
    assert_eq!(problem["range"]["start"]["line"], 1, "{problem:#}");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .ends_with("default settings are used")
    );
    client.wait_for("a warning", |m| m["method"] == "window/showMessage");

    // A table name that no table has is a warning at its entry.
    write(&dir, "xsguard.toml", "auth-tables = [\"usr\"]\n");
    write(
        &dir,
        "tables/user.xs",
        "table user {\n  auth = true\n  schema {\n    int id\n  }\n}\n",
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config, "type": 2}]}),
    );
    let shown = client.diagnostics(&config);
    let warning = &items(&shown)[0];
    assert_eq!(warning["severity"], 2, "{shown:#}");
    assert_eq!(warning["range"]["start"], pos(0, 16), "{warning:#}");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `user`?"),
        "{warning:#}"
    );
    std::fs::remove_file(dir.join("tables/user.xs")).unwrap();
    write(
        &dir,
        "xsguard.toml",
        "owner-fields = [\"user_id\"]\ntoken-expiry-days = \"soon\"\n",
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config, "type": 2}]}),
    );
    client.diagnostics(&config);

    let uri = file_uri(&dir.join("apis/group.xs"));
    Doc::open(&mut client, &uri, GROUP);
    assert_eq!(codes(&client.diagnostics_at(&uri, 1)), ["XS301"]);

    // Fixed on disk, and turning XS301 off.
    write(&dir, "xsguard.toml", "[severity]\nXS301 = \"off\"\n");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config, "type": 2}]}),
    );
    assert_eq!(items(&client.diagnostics(&config)).len(), 0);
    client.wait_for("XS301 gone", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"] == json!([])
    });
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pull_diagnostics_when_the_client_asks_for_them() {
    let mut caps = capabilities();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    let (mut client, _) = Client::start(None, caps, options(&["XS0", "XS301"]));
    let uri = virtual_uri("pull.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    let pull = |client: &mut Client, previous: Option<&str>| {
        client
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}, "previousResultId": previous}),
            )
            .expect("pull succeeds")
    };
    let report = pull(&mut client, None);
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "XS301");
    let id = report["resultId"].as_str().unwrap().to_string();
    assert_eq!(pull(&mut client, Some(&id))["kind"], "unchanged");
    doc.change(
        &mut client,
        &[(range((2, 0), (2, 0)), "  swagger = false\n")],
    );
    let report = pull(&mut client, Some(&id));
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"], json!([]));
    // The client pulls, so nothing is pushed.
    let pushed: Vec<Value> = client
        .collect(Duration::from_millis(300))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(pushed.is_empty(), "{pushed:#?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn close_clears_diagnostics_and_nothing_follows() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("close.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    assert_eq!(items(&client.diagnostics_at(&uri, 1)).len(), 1);
    // Close while the analysis of an edit is pending.
    doc.change(&mut client, &[(range((0, 10), (0, 14)), "other")]);
    doc.close(&mut client);
    let published: Vec<Value> = client
        .collect(Duration::from_millis(400))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .collect();
    let last = published.last().expect("closing publishes");
    assert_eq!(last["params"]["diagnostics"], json!([]), "{published:#?}");
    let clears = published
        .iter()
        .filter(|m| m["params"]["diagnostics"] == json!([]))
        .count();
    assert_eq!(clears, 1, "{published:#?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn exit_status_says_whether_shutdown_came_first() {
    let (client, _) = Client::start(None, json!({}), Value::Null);
    assert_eq!(client.shutdown_and_exit(), 0);

    let (mut client, _) = Client::start(None, json!({}), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), 1);

    let (mut client, _) = Client::start(None, json!({}), Value::Null);
    client.close_stdin();
    assert_eq!(client.wait_exit(), 1);

    // After shutdown, requests are refused but exit still works.
    let (mut client, _) = Client::start(None, json!({}), Value::Null);
    client.request("shutdown", Value::Null).unwrap();
    let refused = client.request("workspace/symbol", json!({"query": ""}));
    assert!(refused.is_err(), "{refused:?}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), 0);
}

const USER_TABLE: &str = "table user {\n  auth = true\n  schema {\n    int id\n    email email\n    password password\n  }\n}\n";
const ORDER_TABLE: &str = "table order {\n  schema {\n    int id\n    int user_id {\n      table = \"user\"\n    }\n    decimal total\n  }\n}\n";
const ORDERS_ENDPOINT: &str = "query \"orders/{order_id}\" verb=GET {\n  api_group = \"shop\"\n  auth = \"user\"\n\n  input {\n    int order_id\n  }\n\n  stack {\n    db.get order {\n      field_name = \"id\"\n      field_value = $input.order_id\n    } as $order\n\n    precondition ($order.user_id == $auth.id) {\n      error_type = \"accessdenied\"\n    }\n  }\n\n  response = $order\n}\n";
const TOTAL_FUNCTION: &str = "function \"orders/total\" {\n  input {\n    decimal[] prices\n  }\n  stack {\n    var $sum {\n      value = $input.prices|sum\n    }\n  }\n  response = $sum\n}\n";

fn shop_workspace(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    write(&dir, "tables/user.xs", USER_TABLE);
    write(&dir, "tables/order.xs", ORDER_TABLE);
    write(&dir, "apis/shop/orders_GET.xs", ORDERS_ENDPOINT);
    write(&dir, "functions/total.xs", TOTAL_FUNCTION);
    dir
}

#[test]
fn hover_shows_rule_docs_and_table_summaries() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("hover.xs");
    Doc::open(&mut client, &uri, GROUP);
    client.diagnostics_at(&uri, 1);
    let text = hover_text(&mut client, &uri, pos(0, 3));
    assert!(
        text.contains("**XS301 public-swagger** (warning)"),
        "{text}"
    );
    assert!(text.contains("#### What it does"), "{text}");
    assert!(text.contains("rules.md#xs301-public-swagger"), "{text}");
    assert_eq!(client.shutdown_and_exit(), 0);

    let dir = shop_workspace("hover");
    let (mut client, _) = Client::start(Some(&dir), capabilities(), options(&["XS0"]));
    let uri = file_uri(&dir.join("apis/shop/orders_GET.xs"));
    let doc = Doc::open(&mut client, &uri, ORDERS_ENDPOINT);
    let at =
        |needle: &str| position_of(&doc.text, doc.text.find(needle).unwrap() + 1, Units::Utf16);
    let text = hover_text(&mut client, &uri, at("auth = \"user\""));
    assert!(text.contains("**table `user`** — auth table"), "{text}");
    assert!(text.contains("`password` (not flagged"), "{text}");
    let text = hover_text(&mut client, &uri, at("$auth.id"));
    assert!(
        text.contains("`$auth`: the signed-in caller's `user` record"),
        "{text}"
    );
    let text = hover_text(&mut client, &uri, at("order {"));
    assert!(text.contains("Owner field: `user_id`"), "{text}");
    assert!(text.contains("tables/order.xs"), "{text}");
    let nothing = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": at("input {")}),
        )
        .unwrap();
    assert!(nothing.is_null(), "{nothing:#}");
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn document_and_workspace_symbols_list_the_endpoints() {
    let dir = shop_workspace("symbols");
    let (mut client, _) = Client::start(Some(&dir), capabilities(), options(&["XS0"]));
    let uri = file_uri(&dir.join("apis/shop/orders_GET.xs"));
    Doc::open(&mut client, &uri, ORDERS_ENDPOINT);
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(symbols[0]["name"], "GET orders/{order_id}");
    assert_eq!(symbols[0]["detail"], "api group shop · auth user");
    assert_eq!(symbols[0]["kind"], 6, "a method");

    let all = client
        .request("workspace/symbol", json!({"query": ""}))
        .unwrap();
    let mut names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["GET orders/{order_id}", "order", "orders/total", "user"]
    );
    let endpoint = all
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "GET orders/{order_id}")
        .unwrap();
    assert_eq!(endpoint["location"]["uri"], uri);
    assert_eq!(endpoint["containerName"], "shop");
    let found = client
        .request("workspace/symbol", json!({"query": "getord"}))
        .unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1, "{found:#}");
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn workspace_folders_can_come_and_go() {
    let dir = shop_workspace("folders");
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0"]));
    let count = |client: &mut Client| {
        let all = client
            .request("workspace/symbol", json!({"query": ""}))
            .unwrap();
        all.as_array().unwrap().len()
    };
    assert_eq!(count(&mut client), 0);
    let folder = json!([{"uri": file_uri(&dir), "name": "shop"}]);
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": folder, "removed": []}}),
    );
    // Requests are answered in any order; wait until the folder is read.
    let deadline = std::time::Instant::now() + client::TIMEOUT;
    while count(&mut client) != 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the folder was not indexed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": folder}}),
    );
    while count(&mut client) != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the folder was not dropped"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn settings_from_options_and_configuration_changes() {
    // As VS Code and Helix send them: no `xsguard` wrapper.
    let initial =
        json!({"severity": {"XS301": "off"}, "select": ["XS0", "XS301"], "debounceMs": 10});
    let (mut client, _) = Client::start(None, capabilities(), initial);
    let uri = virtual_uri("settings.xs");
    Doc::open(&mut client, &uri, GROUP);
    assert_eq!(items(&client.diagnostics_at(&uri, 1)).len(), 0);

    // Settings pushed with the notification.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"xsguard": {
            "severity": {"XS301": "error"}, "select": ["XS0", "XS301"], "debounceMs": 10
        }}}),
    );
    let published = client.wait_for("XS301 as an error", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["diagnostics"][0]["code"] == "XS301"
    });
    assert_eq!(published["params"]["diagnostics"][0]["severity"], 1);

    // Settings the server has to ask for (as Neovim answers them).
    client.settings = json!({"select": ["XS0", "XS301"], "ignore": ["XS301"], "debounceMs": 10});
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    client.wait_for("no XS301 after ignoring it", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["diagnostics"] == json!([])
    });
    assert!(
        client
            .server_requests
            .iter()
            .any(|r| r["method"] == "workspace/configuration"
                && r["params"]["items"][0]["section"] == "xsguard")
    );

    // Bad entries are reported, not applied.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"xsguard": {"select": ["XS9"], "severity": {"XS301": "loud"}}}}),
    );
    let first = client.wait_for("a warning", |m| m["method"] == "window/showMessage");
    let second = client.wait_for("another warning", |m| m["method"] == "window/showMessage");
    let both = format!(
        "{} {}",
        first["params"]["message"], second["params"]["message"]
    );
    assert!(both.contains("XS9") && both.contains("loud"), "{both}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn indexing_a_large_tree_reports_progress() {
    let dir = temp_dir("progress");
    for i in 0..150 {
        write(
            &dir,
            &format!("tables/t{i}.xs"),
            &format!("table t{i} {{\n  schema {{\n    int id\n  }}\n}}\n"),
        );
    }
    let (mut client, _) = Client::start(Some(&dir), capabilities(), options(&["XS0"]));
    let begin = client.wait_for("progress begin", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin"
    });
    let token = begin["params"]["token"].clone();
    let end = client.wait_for("progress end", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    assert_eq!(end["params"]["token"], token);
    assert!(client.server_requests.iter().any(|r| {
        r["method"] == "window/workDoneProgress/create" && r["params"]["token"] == token
    }));
    let all = client
        .request("workspace/symbol", json!({"query": ""}))
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 150);
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cancelled_requests_are_answered_as_cancelled() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("cancel.xs");
    Doc::open(&mut client, &uri, GROUP);
    let id = client.send_request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    match client.response(id) {
        Ok(report) => assert_eq!(report["kind"], "full"),
        Err(error) => assert_eq!(error["code"], -32800, "{error:#}"),
    }
    // The server goes on serving.
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(symbols[0]["name"], "shop");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn rapid_changes_are_coalesced_and_stale_versions_dropped() {
    // A debounce long enough that a loaded machine still sends the ten edits within it.
    let opts = json!({"xsguard": {"debounceMs": 1000, "select": ["XS0", "XS301"]}});
    let (mut client, _) = Client::start(None, capabilities(), opts);
    // Workspace symbols answer once the (empty) workspace is indexed: from then on analysis
    // waits only for the debounce.
    client
        .request("workspace/symbol", json!({"query": ""}))
        .unwrap();
    let uri = virtual_uri("rapid.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    for i in 0..10 {
        let name = format!("g{i}");
        let end = doc.text.find(" {").unwrap() as u64;
        doc.change(&mut client, &[(range((0, 10), (0, end)), &name)]);
    }
    let last = client.diagnostics_at(&uri, 11);
    assert!(
        items(&last)[0]["message"]
            .as_str()
            .unwrap()
            .contains("`g9`")
    );
    // Whatever came before the last version came in order, and was far fewer than the edits;
    // nothing comes after it.
    let mut versions: Vec<i64> = client
        .collect(Duration::from_millis(1500))
        .into_iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        })
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    assert!(
        versions.iter().all(|v| *v < 11),
        "published after the last version: {versions:?}"
    );
    versions.push(11);
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "out of order: {versions:?}"
    );
    assert!(versions.len() <= 3, "not coalesced: {versions:?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn random_edits_keep_the_server_in_step_with_the_client() {
    const PIECES: &[&str] = &[
        "",
        "{",
        "}",
        "\n",
        "\r\n",
        " ",
        "=",
        "\"",
        "😀",
        "名前",
        "é",
        "db.get user {\n",
        "$auth.id",
        "api_group x {\n",
        "query q verb=GET {\n",
        "// note\n",
        "[1, 2]",
        "(",
        ")",
        "|trim",
    ];
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0"]));
    let uri = virtual_uri("random.xs");
    let start = format!("{GROUP}\n{ORDERS_ENDPOINT}");
    let mut doc = Doc::open(&mut client, &uri, &start);
    let mut rng = Lcg(0x5eed_1234);
    for _ in 0..120 {
        let mut changes: Vec<(Value, &str)> = Vec::new();
        let mut text = doc.text.clone();
        for _ in 0..1 + rng.below(3) {
            let floor = |text: &str, mut i: usize| {
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let a = floor(&text, rng.below(text.len() + 1));
            let b = floor(&text, (a + rng.below(16)).min(text.len()));
            let piece = PIECES[rng.below(PIECES.len())];
            let range = json!({
                "start": position_of(&text, a, Units::Utf16),
                "end": position_of(&text, b, Units::Utf16),
            });
            let (x, y) = (
                offset_of(&text, &range["start"], Units::Utf16),
                offset_of(&text, &range["end"], Units::Utf16),
            );
            text.replace_range(x..y, piece);
            changes.push((range, piece));
        }
        doc.change(&mut client, &changes);
        assert_eq!(doc.text, text);
        if doc.text.len() < 40 {
            let end = position_of(&doc.text, doc.text.len(), Units::Utf16);
            doc.change(
                &mut client,
                &[(json!({"start": end, "end": end}), ORDERS_ENDPOINT)],
            );
        }
    }
    // A document edited 120 times must read exactly like the same text opened afresh.
    let edited = client.diagnostics_at(&uri, doc.version);
    let fresh_uri = virtual_uri("fresh.xs");
    Doc::open(&mut client, &fresh_uri, &doc.text);
    let fresh = client.diagnostics_at(&fresh_uri, 1);
    let summary = |d: &Value| -> Vec<(Value, Value)> {
        items(d)
            .iter()
            .map(|i| (i["range"].clone(), i["message"].clone()))
            .collect()
    };
    assert_eq!(summary(&edited), summary(&fresh), "text:\n{}", doc.text);
    let symbols = |client: &mut Client, uri: &str| {
        client
            .request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            )
            .unwrap()
    };
    assert_eq!(symbols(&mut client, &uri), symbols(&mut client, &fresh_uri));
    assert_eq!(client.shutdown_and_exit(), 0);
}

#[test]
fn garbage_and_out_of_range_input_does_not_stop_the_server() {
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0"]));
    let uri = virtual_uri("garbage.xs");
    let mut doc = Doc::open(
        &mut client,
        &uri,
        "\u{0}\u{feff}{{{{\"\"\"\n😀😀😀\r\r\n}}}}",
    );
    // Positions far past the end, reversed ranges, a change for a document never opened.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {"range": range((999, 999), (1000, 0)), "text": "x"},
                {"range": range((1, 5), (0, 1)), "text": ""},
                {"range": range((0, 4_000_000_000u64), (0, 4_000_000_000u64)), "text": "y"}
            ]
        }),
    );
    doc.version = 2;
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": virtual_uri("never.xs"), "version": 9}, "contentChanges": [{"text": "a"}]}),
    );
    client
        .send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"bogus": 1}}));
    let diagnostics = client.diagnostics_at(&uri, 2);
    assert!(!items(&diagnostics).is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(u32::MAX as u64, u32::MAX as u64)}),
    );
    assert!(hover.is_ok(), "{hover:?}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range((9, 9), (0, 0)), "context": {"diagnostics": []}}),
    );
    assert!(actions.is_ok(), "{actions:?}");
    assert_eq!(client.shutdown_and_exit(), 0);
}

/// A client may declare that it answers configuration, watcher and progress requests and then
/// never answer them: the server indexes and publishes with defaults at once, answers requests
/// promptly, and applies the settings when they come late.
#[test]
fn a_client_that_never_answers_gets_diagnostics_and_prompt_answers() {
    let dir = temp_dir("silent");
    // Enough files for indexing progress to be asked for.
    for i in 0..150 {
        write(
            &dir,
            &format!("tables/t{i}.xs"),
            &format!("table t{i} {{\n  schema {{\n    int id\n  }}\n}}\n"),
        );
    }
    write(&dir, "apis/shop/api_group.xs", GROUP);
    let mut client = Client::spawn();
    client.answers = false;
    // No initializationOptions: the settings have to be asked for.
    client.initialize(Some(&dir), capabilities(), Value::Null);
    let uri = file_uri(&dir.join("apis/shop/api_group.xs"));
    let started = Instant::now();
    Doc::open(&mut client, &uri, GROUP);
    let published =
        client.wait_for_within("diagnostics without answers", Duration::from_secs(3), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        });
    assert!(codes(&published["params"]).contains(&"XS301".to_string()));
    let asked = Instant::now();
    let all = client
        .request("workspace/symbol", json!({"query": ""}))
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 151);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "workspace/symbol took {:?}",
        asked.elapsed()
    );
    let waiting: Vec<&str> = client
        .unanswered
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    for method in [
        "workspace/configuration",
        "client/registerCapability",
        "window/workDoneProgress/create",
    ] {
        assert!(waiting.contains(&method), "{method} not asked: {waiting:?}");
    }
    eprintln!("first diagnostics after {:?}", started.elapsed());

    // The settings arrive at last: XS301 becomes an error.
    client.settings = json!({"severity": {"XS301": "error"}, "debounceMs": 10});
    client.answers = true;
    client.answer_unanswered();
    client.wait_for("XS301 as an error after the late settings", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["code"] == "XS301" && d["severity"] == 1))
    });
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Under a flood of edits from a client that answers nothing, a request is still answered at
/// once and the last version's diagnostics arrive.
#[test]
fn a_flood_of_edits_does_not_hold_up_requests() {
    let mut client = Client::spawn();
    client.answers = false;
    client.initialize(None, capabilities(), options(&["XS0", "XS301"]));
    let uri = virtual_uri("flood.xs");
    let mut doc = Doc::open(&mut client, &uri, GROUP);
    for i in 0..200 {
        let name = format!("g{i}");
        let end = doc.text.find(" {").unwrap() as u64;
        doc.change(&mut client, &[(range((0, 10), (0, end)), &name)]);
    }
    let asked = Instant::now();
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(symbols[0]["name"], "g199");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "documentSymbol took {:?}",
        asked.elapsed()
    );
    let last = client.diagnostics_at(&uri, 201);
    assert!(
        items(&last)[0]["message"]
            .as_str()
            .unwrap()
            .contains("`g199`")
    );
    assert_eq!(client.shutdown_and_exit(), 0);
}

fn example_app() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop")
}

/// Whether `diagnostics` (params of a publish) hold a finding of `code`.
fn has_code(diagnostics: &Value, code: &str) -> bool {
    items(diagnostics).iter().any(|d| d["code"] == code)
}

/// A client that gives no workspace folder opens one endpoint of an app in a folder with no
/// `.git` and no `xsguard.toml`: the server finds the app from the file (its Xano layout) and
/// reports what only the whole app shows (`me` returns the `user` record, whose table in
/// another file has sensitive columns).
#[test]
fn a_document_opened_alone_is_checked_with_its_workspace() {
    let dir = temp_dir("alone");
    common::copy_tree(&example_app(), &dir.join("shop"));
    assert!(!dir.join(".git").exists() && !dir.join("shop/xsguard.toml").exists());
    let (mut client, _) = Client::start(None, capabilities(), options(&["XS0", "XS202"]));
    let path = dir.join("shop/apis/shop/me_GET.xs");
    let uri = file_uri(&path);
    Doc::open(&mut client, &uri, &std::fs::read_to_string(&path).unwrap());
    // The first publish already has it: the document waits for its workspace rather than
    // being shown alone first.
    let published = client.diagnostics(&uri);
    assert!(has_code(&published, "XS202"), "{published:#}");
    let message = items(&published)[0]["message"].as_str().unwrap();
    assert!(message.contains("`password`"), "{message}");
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A workspace folder holding two apps side by side is two workspaces: each file is checked
/// with its own app's tables only.
#[test]
fn two_apps_in_one_folder_are_two_workspaces() {
    let dir = temp_dir("two-apps");
    common::copy_tree(&example_app(), &dir.join("shop"));
    common::copy_tree(&example_app(), &dir.join("kiosk"));
    // The kiosk's users have no password or e-mail: its `me` exposes nothing sensitive.
    write(
        &dir,
        "kiosk/tables/user.xs",
        "table user {\n  auth = true\n  schema {\n    int id\n    text name\n  }\n}\n",
    );
    let (mut client, _) = Client::start(Some(&dir), capabilities(), options(&["XS0", "XS202"]));
    let shop = dir.join("shop/apis/shop/me_GET.xs");
    let kiosk = dir.join("kiosk/apis/shop/me_GET.xs");
    let shop_uri = file_uri(&shop);
    let kiosk_uri = file_uri(&kiosk);
    Doc::open(
        &mut client,
        &shop_uri,
        &std::fs::read_to_string(&shop).unwrap(),
    );
    Doc::open(
        &mut client,
        &kiosk_uri,
        &std::fs::read_to_string(&kiosk).unwrap(),
    );
    let shop_found = client.diagnostics_at(&shop_uri, 1);
    let kiosk_found = client.diagnostics_at(&kiosk_uri, 1);
    assert!(has_code(&shop_found, "XS202"), "{shop_found:#}");
    assert!(!has_code(&kiosk_found, "XS202"), "{kiosk_found:#}");
    // Each app's tables are listed once: two `user` tables, one per workspace.
    let all = client
        .request("workspace/symbol", json!({"query": "user"}))
        .unwrap();
    let users = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "user")
        .count();
    assert_eq!(users, 2, "{all:#}");
    // Removing the folder drops both workspaces.
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [{"uri": file_uri(&dir), "name": "root"}]}}),
    );
    let deadline = Instant::now() + client::TIMEOUT;
    loop {
        let left = client
            .request("workspace/symbol", json!({"query": "user"}))
            .unwrap();
        if left.as_array().unwrap().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still indexed: {left:#}");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(client.shutdown_and_exit(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
