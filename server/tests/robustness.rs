//! Property tests: parsing, the model, every rule, fixes and position conversion survive any
//! input without a panic, a stack overflow or unbounded time.
//!
//! `PROPTEST_CASES` sets the number of random cases per property (CI uses the default below;
//! `XSGUARD_LONG=1` raises it and the sizes of the pathological inputs). Failures found are kept
//! as regression cases in `tests/robustness.proptest-regressions`.

mod common;

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use xsguard::fix::apply_fix;
use xsguard::host::check::{Source, check_bytes, check_sources};
use xsguard::rules::RuleSelection;
use xsguard::syntax::{ColumnUnit, LineCol, LineIndex, parse, syntax_errors};
use xsguard::workspace::Config;

const ENDPOINT: &str = r#"// Edit one of the caller's orders.
query "orders/{order_id}" verb=PATCH {
  api_group = "shop"
  auth = "user"
  input {
    int order_id filters=min:1
    text note? filters=trim
    text api_token?
  }
  stack {
    db.get order {
      field_name = "id"
      field_value = $input.order_id
    } as $order
    precondition ($order.user_id == $auth.id) {
      error_type = "accessdenied"
    }
    var $sql { value = "select * from t where id = " ~ $input.note }
    db.direct_query {
      sql = $sql
    } as $rows
    api.request {
      url = $input.note
      headers = []|push:"Authorization: Bearer sk_live_51HxQ2mKp9Vb3Zr7TqYw0aBcD"
    } as $r
    conditional {
      if ($order.total > 10) {
        db.patch order {
          field_name = "id"
          field_value = $order.id
          data = $input
        } as $saved
      }
    }
  }
  response = $order
}
"#;

const TABLE: &str = "table order {\n  schema {\n    int id\n    int user_id {\n      table = \"user\"\n    }\n    text password\n  }\n}\n";
const GROUP: &str = "api_group shop {\n  canonical = \"shop\"\n}\n";

fn all() -> RuleSelection {
    RuleSelection::all()
}

/// Checks `text` as one file in a small workspace, and each fix applied alone.
fn check_everything(text: &[u8]) {
    let sources = vec![
        Source {
            path: "t.xs".into(),
            bytes: text.to_vec(),
        },
        Source {
            path: "tables/order.xs".into(),
            bytes: TABLE.as_bytes().to_vec(),
        },
        Source {
            path: "g.xs".into(),
            bytes: GROUP.as_bytes().to_vec(),
        },
    ];
    let checked = check_sources(sources, Config::default(), &all());
    let file = &checked[0];
    assert!(
        file.internal_errors.is_empty(),
        "{:?}",
        file.internal_errors
    );
    let errors_before = syntax_errors(&parse(file.text.to_string())).len();
    for finding in &file.findings {
        for fix in &finding.fixes {
            let fixed =
                apply_fix(&file.text, fix).expect("fix edits are in range and do not overlap");
            let errors_after = syntax_errors(&parse(fixed)).len();
            assert!(
                errors_after <= errors_before,
                "fix `{}` adds a syntax error",
                fix.title
            );
        }
    }
}

/// Text that looks like XanoScript: fragments of real syntax glued at random.
fn xanoscript_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "query ",
        "function ",
        "table ",
        "api_group ",
        "\"a/{id}\" ",
        "verb=GET ",
        "{",
        "}",
        "\n",
        "  ",
        "stack ",
        "input ",
        "schema ",
        "int id",
        "text name?",
        " filters=trim|min:1",
        "db.get ",
        "user ",
        "db.query ",
        "where = ",
        "$db.user.id",
        " == ",
        "$input.id",
        "$auth.id",
        "field_value = ",
        " as $x",
        "var $v { value = ",
        "(",
        ")",
        "[",
        "]",
        ",",
        ":",
        "\"str\"",
        "'s'",
        "\"\"\"\n",
        "```\n",
        "|get:\"a\":null",
        "|to_int",
        " ~ ",
        " && ",
        "!",
        "conditional {\n",
        "if (",
        "else",
        "// comment\n",
        "response = ",
        "auth = \"user\"",
        "sensitive = true",
        "api.lambda {\n code = \"\"\"\n",
        "redis.ratelimit",
        "security.create_auth_token",
        "é",
        "😀",
        "\r\n",
        "\0",
        "\t",
    ]);
    prop::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: common::cases(96, 2000),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/robustness.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_everything(&bytes);
    }

    #[test]
    fn xanoscript_like_text_never_panics(text in xanoscript_like()) {
        check_everything(text.as_bytes());
    }

    #[test]
    fn random_cuts_and_splices_of_a_real_endpoint(a in 0..ENDPOINT.len(), b in 0..ENDPOINT.len(), insert in "[{}()\\[\\]\"'`$|!=:\n ]{0,3}") {
        let (start, end) = (a.min(b), a.max(b));
        let mut bytes = ENDPOINT.as_bytes()[..start].to_vec();
        bytes.extend_from_slice(insert.as_bytes());
        bytes.extend_from_slice(&ENDPOINT.as_bytes()[end..]);
        check_everything(&bytes);
    }

    #[test]
    fn positions_round_trip(text in "(\\PC|\r?\n){0,200}", offset in 0usize..400) {
        let index = LineIndex::new(&text);
        let offset = offset.min(text.len());
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
            let position = index.line_col(offset, unit);
            let back = index.offset(position, unit);
            // Offsets inside a character or a `\r\n` map to its start.
            prop_assert!(back <= offset && text.is_char_boundary(back));
            prop_assert_eq!(index.line_col(back, unit).line, position.line);
        }
        // Positions past the end of a line or of the text clamp instead of panicking.
        let far = index.offset(LineCol::new(u32::MAX, u32::MAX), ColumnUnit::Utf16);
        prop_assert_eq!(far, text.len());
    }
}

#[test]
fn every_cut_of_a_real_endpoint() {
    for cut in 0..=ENDPOINT.len() {
        check_everything(&ENDPOINT.as_bytes()[..cut]);
    }
}

fn timed(what: &str, limit: Duration, f: impl FnOnce()) {
    let start = Instant::now();
    f();
    let took = start.elapsed();
    eprintln!("{what}: {took:?}");
    assert!(took < limit, "{what} took {took:?}");
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = if common::long() { 100_000 } else { 20_000 };
    let cases = [
        (
            "braces",
            format!(
                "function f {{\n  response = {}\n}}\n",
                "{a: ".repeat(depth) + &"}".repeat(depth)
            ),
        ),
        (
            "parentheses",
            format!(
                "function f {{\n  response = {}1{}\n}}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            ),
        ),
        (
            "brackets",
            format!(
                "function f {{\n  response = {}{}\n}}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
        (
            "blocks",
            format!(
                "function f {{\n  stack {{\n{}{}  }}\n}}\n",
                "group {\n".repeat(depth),
                "}\n".repeat(depth)
            ),
        ),
        ("unclosed", "{".repeat(depth)),
        (
            "filters",
            format!(
                "function f {{\n  response = $a{}\n}}\n",
                "|trim".repeat(depth)
            ),
        ),
        (
            "operators",
            format!(
                "function f {{\n  response = 1{}\n}}\n",
                " + 1".repeat(depth)
            ),
        ),
    ];
    for (name, text) in cases {
        // A thread with a small stack makes any unbounded recursion fail here, not in production.
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                timed(&format!("nesting {name}"), Duration::from_secs(60), || {
                    check_everything(text.as_bytes())
                })
            })
            .unwrap();
        handle
            .join()
            .unwrap_or_else(|_| panic!("nesting {name}: panic or stack overflow"));
    }
}

#[test]
fn huge_files_and_lines_take_bounded_time() {
    let megabytes = if common::long() { 20 } else { 2 };
    let mut big = String::from("function big {\n  stack {\n");
    while big.len() < megabytes * 1024 * 1024 {
        big.push_str("    var $x {\n      value = $input.a|trim\n    }\n");
    }
    big.push_str("  }\n  response = null\n}\n");
    timed(
        &format!("{megabytes} MB file"),
        Duration::from_secs(120),
        || {
            let file = check_bytes("big.xs", big.as_bytes(), &all());
            assert!(file.internal_errors.is_empty());
        },
    );

    let line = format!(
        "function f {{\n  response = \"{}\"\n  description = {}\n}}\n",
        "x".repeat(100_000),
        "$a ~ ".repeat(20_000) + "1"
    );
    timed("100,000-character lines", Duration::from_secs(60), || {
        check_everything(line.as_bytes())
    });

    let nul = "query x verb=GET {\n  stack {\n\0\0\0  }\n}\n".repeat(1000);
    timed("NUL bytes", Duration::from_secs(30), || {
        check_everything(nul.as_bytes())
    });
}

/// Fixes are computed from the model, which is partial inside an object holding a syntax error:
/// the finding stays, its fix is not offered (proptest once found a CORS fix that broke such a
/// file).
#[test]
fn a_damaged_object_gets_findings_but_no_fix() {
    let damaged = "(api_group query query \"\"\"\nquery query query query \"a/{id}\" {";
    let file = check_bytes("g.xs", damaged.as_bytes(), &all());
    let cors: Vec<_> = file.findings.iter().filter(|f| f.code == "XS302").collect();
    assert_eq!(cors.len(), 1, "{:#?}", file.findings);
    assert!(cors[0].fixes.is_empty(), "{:#?}", cors[0].fixes);

    let intact = "api_group shop {\n  canonical = \"shop\"\n}\n";
    let file = check_bytes("g.xs", intact.as_bytes(), &all());
    let cors: Vec<_> = file.findings.iter().filter(|f| f.code == "XS302").collect();
    assert_eq!(cors.len(), 1);
    assert_eq!(cors[0].fixes.len(), 1);
}
