//! The language server's two costs a user feels. Figures go to docs/performance.md.
//!
//! - Keystroke to fresh diagnostics in a 2,000-line file of many objects (typing in an endpoint,
//!   and in a function), in one 2,000-line endpoint, and, for comparison, in an endpoint file
//!   of usual size: the incremental reparse, the model, the index update and the analysis of
//!   that file, as the server runs them after the debounce (which is left out). Criterion
//!   reports the mean; p50 and p99 (of up to 2,000 keystrokes or a minute) and where the time
//!   goes are printed after it, then the same for two real long files of the shared corpus
//!   when present (the longest of at most 2,500 lines, and the longest endpoint).
//!   `cargo bench --bench lsp -- WORDS` prints only the cases whose name contains WORDS.
//! - Startup and indexing of 1,000 files: in process (discovery, parallel parsing, index), and
//!   end to end (spawn `xsguard lsp`, `initialize`, `initialized`, until a workspace symbol
//!   request, which waits for the index, is answered).
//!
//! The files come from the shared corpus when present (`XSGUARD_CORPUS` or ../../shared/corpus),
//! else from the bundled example app.

// The allocator of the `xsguard` binary (see src/main.rs), so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/lsp/client.rs"]
mod client;
#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use criterion::Criterion;
use serde_json::json;
use tower_lsp_server::ls_types::{Range, TextDocumentContentChangeEvent, Uri};
use xsguard::host::check::check_file;
use xsguard::lsp::convert::{self, Encoding};
use xsguard::lsp::documents::Document;
use xsguard::lsp::engine::Engine;
use xsguard::lsp::index::{Plan, Project};
use xsguard::rules::{Context, RULES, RuleSelection};

const FILE_LINES: usize = 2_000;
const WORKSPACE_FILES: usize = 1_000;
const KEYSTROKES: usize = 2_000;

fn examples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop");
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// A 2,000-line file of endpoints and functions from the example app (those that parse: one
/// unclosed brace would make the rest of the file a different one).
fn big_file() -> String {
    let dir = examples();
    let parts: Vec<String> = common::xs_sources(&dir, &dir)
        .into_iter()
        .filter(|s| !s.path.starts_with("tables/"))
        .map(|s| String::from_utf8(s.bytes).unwrap())
        .filter(|text| {
            !xsguard::syntax::parse(text.as_str())
                .tree()
                .root_node()
                .has_error()
        })
        .collect();
    let mut text = String::new();
    while text.lines().count() < FILE_LINES {
        for part in &parts {
            text.push_str(part);
            text.push('\n');
        }
    }
    text
}

/// One endpoint of 2,000 lines: a long stack of reads and computed values.
fn long_endpoint() -> String {
    let mut text = String::from(
        "query \"orders/long\" verb=POST {\n  api_group = \"shop\"\n  auth = \"user\"\n  input {\n    int order_id\n  }\n\n  stack {\n",
    );
    let mut i = 0;
    while text.lines().count() < FILE_LINES {
        text.push_str(&format!(
            "    db.get order {{\n      field_name = \"id\"\n      field_value = $input.order_id\n    }} as $order_{i}\n\n    var $total_{i} {{\n      value = $order_{i}.total|round:2\n    }}\n"
        ));
        i += 1;
    }
    text.push_str("  }\n\n  response = $order_0\n}\n");
    text
}

/// Real long files of the shared corpus, when present: the longest file of at most 2,500 lines
/// and the longest endpoint, each with what it is and the kind of object to type in.
fn corpus_long_files() -> Vec<(String, String, &'static str)> {
    let Some(dir) = common::corpus_dir() else {
        return Vec::new();
    };
    let files: Vec<(String, String)> = common::xs_sources(&dir, &dir)
        .into_iter()
        .filter_map(|s| Some((s.path, String::from_utf8(s.bytes).ok()?)))
        .collect();
    let longest = |keep: &dyn Fn(&(String, String)) -> bool| {
        files
            .iter()
            .filter(|f| keep(f))
            .max_by_key(|(_, text)| text.lines().count())
            .cloned()
    };
    // Files may start with comments.
    let endpoint = |text: &str| text.lines().any(|l| l.starts_with("query "));
    let mut out = Vec::new();
    if let Some((path, text)) = longest(&|(_, text)| text.lines().count() <= 2_500) {
        let object = if endpoint(&text) { "query" } else { "function" };
        out.push((format!("corpus file {path}"), text, object));
    }
    if let Some((path, text)) = longest(&|(_, text)| endpoint(text)) {
        out.push((format!("longest corpus endpoint {path}"), text, "query"));
    }
    out
}

/// An endpoint file of the size most are.
fn endpoint_file() -> String {
    std::fs::read_to_string(examples().join("apis/auth/login_POST.xs")).unwrap()
}

/// A file open in an engine whose index holds the example app.
struct Editor {
    engine: Engine,
    document: Document,
    /// Where the user types: just inside a string in the middle of the file.
    at: usize,
    version: i32,
}

/// Where to type in a file: inside the first string at or after the middle of the file that
/// lies in an object starting with `object` (`query`, `function`).
fn typing_place(text: &str, object: &str) -> usize {
    let middle = text.len() / 2;
    let header = format!("\n{object} ");
    let start = text[middle..]
        .find(&header)
        .map(|i| middle + i)
        .or_else(|| text.find(&header))
        .map_or(middle, |i| i + 1);
    text[start..]
        .find("= \"")
        .map(|i| start + i)
        .or_else(|| text.find("= \""))
        .expect("a string to type in")
        + 3
}

impl Editor {
    fn new(name: &str, text: String, object: &str) -> Self {
        let engine = Engine::new(Arc::default());
        let project = Project::load(Plan::discover(&examples()), &AtomicUsize::new(0));
        engine.update(|index| {
            index.add(project);
            true
        });
        let at = typing_place(&text, object);
        let path = examples().join("apis").join(name);
        let uri = Uri::from_str(&format!("file://{}", path.display())).unwrap();
        let mut editor = Self {
            engine,
            document: Document::new(uri, 1, 1, text),
            at,
            version: 1,
        };
        editor.analyze();
        editor
    }

    fn lines(&self) -> usize {
        self.document.text().lines().count()
    }

    /// Types one character (or deletes it again, every other time) and returns the number of
    /// diagnostics: the work from a keystroke to diagnostics ready to send.
    fn keystroke(&mut self) -> usize {
        self.type_one();
        self.analyze()
    }

    /// The edit alone: the rope, the syntax tree's edit and incremental reparse.
    fn type_one(&mut self) {
        let index = self.document.syntax().line_index();
        let start = convert::position(index, self.at, Encoding::Utf16);
        let (range, text) = if self.version % 2 == 1 {
            (Range::new(start, start), "x")
        } else {
            let end = convert::position(index, self.at + 1, Encoding::Utf16);
            (Range::new(start, end), "")
        };
        self.version += 1;
        let change = TextDocumentContentChangeEvent {
            range: Some(range),
            range_length: None,
            text: text.to_string(),
        };
        self.document
            .apply_changes(self.version, &[change], Encoding::Utf16);
    }

    fn analyze(&mut self) -> usize {
        let snapshot = self.document.snapshot();
        let outcome = self.engine.analyze(vec![snapshot]);
        outcome.analyses[0].diagnostics.len()
    }

    /// Times keystrokes for up to `budget` (at least 20, at most [`KEYSTROKES`]) and prints
    /// their percentiles and where the time goes.
    fn measure(&mut self, what: &str, budget: Duration) {
        for _ in 0..10 {
            self.keystroke();
        }
        let lines = self.lines();
        let started = Instant::now();
        let cpu_before = process_cpu_time();
        let mut samples = Vec::new();
        while samples.len() < KEYSTROKES && (samples.len() < 20 || started.elapsed() < budget) {
            let at = Instant::now();
            std::hint::black_box(self.keystroke());
            samples.push(at.elapsed());
        }
        let count = samples.len();
        let cpu = process_cpu_time()
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        report(&format!("keystroke to diagnostics, {what}"), lines, samples);
        if let Some(cpu) = cpu {
            // Unlike wall time, CPU time does not grow when other processes share the cores.
            println!(
                "  CPU time per keystroke (mean of {count}): {:?}",
                cpu / count as u32
            );
        }

        let (mut edit, mut model, mut analysis, mut checking, mut rules) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut reused, mut objects) = (0, 0);
        let selection = RuleSelection::all();
        let mut findings = 0;
        let started = Instant::now();
        while edit.len() < count.min(KEYSTROKES) && (edit.len() < 20 || started.elapsed() < budget)
        {
            let at = Instant::now();
            self.type_one();
            edit.push(at.elapsed());
            let at = Instant::now();
            let snapshot = self.document.snapshot();
            model.push(at.elapsed());
            let at = Instant::now();
            let outcome = self.engine.analyze(vec![snapshot.clone()]);
            analysis.push(at.elapsed());
            findings = outcome.analyses[0].findings.len();
            reused += outcome.analyses[0].reused_objects();
            objects += snapshot.file.model.objects.len();
            self.engine.read(|index| {
                let ws = &index.project_for(&snapshot.file.path).ws;
                let at = Instant::now();
                std::hint::black_box(check_file(&snapshot.file, &snapshot.syntax, ws, &selection));
                checking.push(at.elapsed());
                // What `check_file` spends in the rules themselves.
                let at = Instant::now();
                let context = Context::new(&snapshot.file, ws);
                for check in RULES.iter().filter_map(|r| r.check) {
                    std::hint::black_box(check(&context));
                }
                rules.push(at.elapsed());
            });
        }
        println!(
            "  ({findings} findings; {:.1} of {:.1} objects took their findings over per keystroke)",
            reused as f64 / edit.len() as f64,
            objects as f64 / edit.len() as f64
        );
        report("  edit and incremental reparse", lines, edit);
        report("  model and syntax errors", lines, model);
        report("  index update, checks, diagnostics", lines, analysis);
        report(
            "    for comparison: check_file of the whole file",
            lines,
            checking,
        );
        report("      of which the rules", lines, rules);
    }
}

/// A folder of 1,000 `.xs` files.
fn workspace_of_1000() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xsguard-bench-lsp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let source = common::corpus_dir().unwrap_or_else(examples);
    let files = common::xs_sources(&source, &source);
    for i in 0..WORKSPACE_FILES {
        let file = &files[i % files.len()];
        let to = if i < files.len() {
            dir.join(&file.path)
        } else {
            dir.join(format!("copy{}", i / files.len()))
                .join(&file.path)
        };
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, &file.bytes).unwrap();
    }
    dir
}

/// Spawns the server, has it index `dir`, and shuts it down; returns the time until the
/// index answered.
fn start_and_index(dir: &Path) -> Duration {
    let started = Instant::now();
    let mut client = client::Client::spawn();
    client.initialize(
        Some(dir),
        json!({"window": {"workDoneProgress": true}}),
        json!({"xsguard": {"select": ["XS0"]}}),
    );
    let symbols = client
        .request("workspace/symbol", json!({"query": ""}))
        .unwrap();
    let elapsed = started.elapsed();
    assert!(symbols.as_array().unwrap().len() >= WORKSPACE_FILES / 2);
    assert_eq!(client.shutdown_and_exit(), 0);
    elapsed
}

/// CPU time used by this process so far (Linux: /proc/self/stat, in clock ticks of 10 ms).
fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// Prints p50, p99 and the maximum of `samples`.
fn report(what: &str, lines: usize, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{what} ({lines} lines), {} keystrokes: p50 {:?}, p99 {:?}, max {:?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let measuring = std::env::args().any(|a| a == "--bench");
    // `cargo bench --bench lsp -- long` measures only the cases whose name contains `long`, as
    // criterion does with its own benchmarks.
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();

    let mut big = Editor::new("big.xs", big_file(), "query");
    let mut big_function = Editor::new("big_f.xs", big_file(), "function");
    let mut long = Editor::new("long.xs", long_endpoint(), "query");
    let mut endpoint = Editor::new("login_copy.xs", endpoint_file(), "query");
    let mut group = criterion.benchmark_group("lsp");
    group.sample_size(10);
    group.bench_function(
        format!("keystroke to diagnostics, {}-line file", big.lines()),
        |b| b.iter(|| big.keystroke()),
    );
    group.bench_function(
        format!(
            "keystroke to diagnostics, {}-line file, in a function",
            big_function.lines()
        ),
        |b| b.iter(|| big_function.keystroke()),
    );
    group.bench_function(
        format!("keystroke to diagnostics, {}-line endpoint", long.lines()),
        |b| b.iter(|| long.keystroke()),
    );
    group.sample_size(100);
    group.bench_function(
        format!(
            "keystroke to diagnostics, {}-line endpoint",
            endpoint.lines()
        ),
        |b| b.iter(|| endpoint.keystroke()),
    );

    let dir = workspace_of_1000();
    group.sample_size(10);
    group.bench_function("index 1,000 files in process", |b| {
        b.iter(|| {
            let engine = Engine::new(Arc::default());
            let project = Project::load(Plan::discover(&dir), &AtomicUsize::new(0));
            engine.update(|index| {
                index.add(project);
                true
            })
        })
    });
    group.bench_function("start xsguard lsp and index 1,000 files", |b| {
        b.iter_custom(|iterations| (0..iterations).map(|_| start_and_index(&dir)).sum())
    });
    group.finish();
    criterion.final_summary();

    if measuring {
        let mut corpus: Vec<(Editor, String)> = corpus_long_files()
            .into_iter()
            .enumerate()
            .map(|(i, (what, text, object))| {
                (Editor::new(&format!("corpus_{i}.xs"), text, object), what)
            })
            .collect();
        let mut cases = vec![
            (&mut big, "large file, typing in an endpoint", 60),
            (&mut big_function, "large file, typing in a function", 60),
            (&mut long, "one long endpoint", 60),
            (&mut endpoint, "endpoint", 20),
        ];
        cases.extend(corpus.iter_mut().map(|(e, what)| (e, what.as_str(), 60)));
        for (editor, what, seconds) in cases {
            if what.contains(&filter) {
                editor.measure(what, Duration::from_secs(seconds));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
