//! What each tool answers, computed by the command line's own check run and formats: a tool's
//! findings are those `xsguard check --format json` prints for the same paths, and its rule
//! documentation is what `xsguard explain` prints. Nothing here knows the protocol.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde_json::Value;

use crate::cli::checking::{self, After, CheckRun};
use crate::cli::inputs::Request;
use crate::cli::{json, rules_doc};
use crate::host::check::{fix_keeps_syntax, syntax_error_count};
use crate::workspace::files::display_path;

/// A tool's answer.
#[derive(Debug)]
pub struct Answer {
    /// What the command line prints on standard output for the same request.
    pub text: String,
    /// The text as a JSON object, for clients that read structured results.
    pub structured: Option<Value>,
    /// What the command line prints on standard error: warnings, and the errors that left the
    /// answer incomplete.
    pub problems: String,
    /// Nothing could be done, or only part of it (where the command line exits with status 2).
    pub failed: bool,
}

impl Answer {
    fn error(message: impl Into<String>) -> Self {
        Self {
            text: message.into(),
            structured: None,
            problems: String::new(),
            failed: true,
        }
    }

    fn text(text: String) -> Self {
        Self {
            text,
            structured: None,
            problems: String::new(),
            failed: false,
        }
    }
}

/// Which rules run: codes or code prefixes, as `--select` and `--ignore` take them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rules<'a> {
    pub select: &'a [String],
    pub ignore: &'a [String],
}

/// The findings for files and folders, each checked in its workspace (`xsguard check --format
/// json PATH...`).
pub fn check(paths: &[PathBuf], isolated: bool, rules: Rules) -> Answer {
    if let Err(message) = named_paths(paths) {
        return Answer::error(message);
    }
    let request = Request {
        paths,
        isolated,
        config_file: None,
        stdin_name: None,
        stdin_text: None,
    };
    report(&request, rules, |_| {})
}

/// The findings for `text` as the contents of the file at `path`, in the workspace `path`
/// belongs to, the file on disk (if any) left aside (`xsguard check - --stdin-filename PATH`).
pub fn check_source(path: &Path, text: &str, rules: Rules) -> Answer {
    if let Err(message) = source_path(path) {
        return Answer::error(message);
    }
    report(&source_request(path, text), rules, |_| {})
}

/// The findings of [`check`] or [`check_source`] that have fixes, with only the fixes that
/// keep the file's syntax (those `xsguard fix` and the editors' code actions apply).
pub fn fixes(path: &Path, text: Option<&str>, rules: Rules) -> Answer {
    let paths = [path.to_path_buf()];
    let request = match text {
        Some(text) => {
            if let Err(message) = source_path(path) {
                return Answer::error(message);
            }
            source_request(path, text)
        }
        None => {
            if let Err(message) = named_paths(&paths) {
                return Answer::error(message);
            }
            Request {
                paths: &paths,
                isolated: false,
                config_file: None,
                stdin_name: None,
                stdin_text: None,
            }
        }
    };
    report(&request, rules, keep_applicable_fixes)
}

/// A rule's documentation (`xsguard explain CODE`).
pub fn explain(code: &str) -> Answer {
    match rules_doc::explain(code.trim()) {
        Some(text) => Answer::text(text),
        None => Answer::error(format!(
            "unknown rule `{code}`; the `rules` tool lists the rules"
        )),
    }
}

/// Every rule, as `xsguard rules --format json` lists them less their documentation, which
/// [`explain`] gives one rule at a time.
pub fn rules() -> Answer {
    let mut list: Value = serde_json::from_str(&rules_doc::json()).unwrap_or_default();
    if let Some(rules) = list.as_array_mut() {
        for rule in rules.iter_mut().filter_map(Value::as_object_mut) {
            rule.remove("documentation");
        }
    }
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    Answer::text(text)
}

/// Standard input is the protocol's stream, so `-` names no file here.
fn named_paths(paths: &[PathBuf]) -> Result<(), String> {
    if paths.is_empty() {
        return Err("no path given: name .xs files or the folders that hold them".into());
    }
    if paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(
            "`-` (standard input) is not a path here: give the text with `check_source`".into(),
        );
    }
    if paths.iter().any(|p| p.as_os_str().is_empty()) {
        return Err("an empty path was given".into());
    }
    Ok(())
}

/// The text given stands for one file, which `path` must name.
fn source_path(path: &Path) -> Result<(), String> {
    if path.as_os_str().is_empty() || path.as_os_str() == "-" || path.is_dir() {
        return Err(format!(
            "`path` must name the file the text is for (it need not exist yet), not `{}`: its workspace gives the context",
            display_path(path)
        ));
    }
    Ok(())
}

fn source_request<'a>(path: &'a Path, text: &'a str) -> Request<'a> {
    Request {
        paths: &*STDIN,
        isolated: false,
        config_file: None,
        stdin_name: Some(path),
        stdin_text: Some(text.as_bytes()),
    }
}

/// The one path that makes a run read the text it is given as standard input.
static STDIN: LazyLock<[PathBuf; 1]> = LazyLock::new(|| [PathBuf::from("-")]);

/// Runs `request` as `xsguard check --format json` would, `adjust` then shaping the findings.
fn report(request: &Request, rules: Rules, adjust: impl FnOnce(&mut CheckRun)) -> Answer {
    let mut problems = Vec::new();
    let checked = checking::check(
        request,
        rules.select,
        rules.ignore,
        After::MoreRuns,
        &mut problems,
    );
    let problems = String::from_utf8_lossy(&problems).into_owned();
    match checked {
        Ok(mut run) => {
            adjust(&mut run);
            let text = json::render(&run.files, &run.summary);
            Answer {
                structured: serde_json::from_str(&text).ok(),
                text,
                problems,
                failed: run.summary.incomplete,
            }
        }
        Err(_) if problems.trim().is_empty() => Answer::error("nothing could be checked"),
        Err(_) => Answer::error(problems),
    }
}

/// Keeps the fixes that apply and leave the file with no more syntax errors, and the findings
/// that still have one.
fn keep_applicable_fixes(run: &mut CheckRun) {
    for file in &mut run.files {
        if file.findings.iter().all(|f| f.fixes.is_empty()) {
            file.findings.clear();
            continue;
        }
        let errors = syntax_error_count(&file.text);
        let text = file.text.clone();
        for finding in &mut file.findings {
            finding
                .fixes
                .retain(|fix| fix_keeps_syntax(&text, fix, errors));
        }
        file.findings.retain(|f| !f.fixes.is_empty());
    }
}
