//! The command line: argument parsing, file discovery and output formats.

mod args;
mod baseline;
pub mod fingerprint;
pub mod fix;
mod github;
mod human;
mod json;
pub mod rules_doc;
mod sarif;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use rayon::prelude::*;

use crate::workspace::files::{self, discover};
pub use args::{
    AuditArgs, AuditFormat, CheckArgs, Cli, Command, ExplainArgs, FailOn, FixArgs, Format,
    RulesArgs, RulesFormat,
};

use crate::check::{CheckedFile, Source};
use crate::rules::RuleSelection;
use crate::workspace::Config;

/// Exit status: nothing was reported.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings were reported.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: a usage, configuration or I/O error occurred.
pub const EXIT_ERROR: u8 = 2;

/// Runs the command line with the process's arguments and standard streams.
pub fn main() -> ExitCode {
    // The language server writes to stdout from its own threads, so it must run without the
    // stdout lock taken below.
    if let Ok(Cli {
        command: Command::Lsp(_),
    }) = Cli::try_parse_from(std::env::args_os())
    {
        return ExitCode::from(crate::lsp::run());
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let status = run(
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        color,
    );
    ExitCode::from(status)
}

/// Runs the command line with `args` (the first being the program name), writing the report to
/// `stdout` and problems with the run itself to `stderr`. Returns the exit status.
pub fn run<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write, color: bool) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let rendered = if color {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let informational = matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            );
            let stream: &mut dyn Write = if informational { stdout } else { stderr };
            let _ = stream.write_all(rendered.as_bytes());
            // clap reports usage errors with status 2, as xsguard does for its own.
            return if informational {
                EXIT_CLEAN
            } else {
                EXIT_ERROR
            };
        }
    };
    match cli.command {
        Command::Check(args) => check(&args, stdout, stderr, color),
        Command::Fix(args) => fix(&args, stdout, stderr),
        Command::Audit(args) => audit(&args, stdout, stderr),
        Command::Rules(args) => rules(&args, stdout, stderr),
        Command::Explain(args) => explain(&args, stdout, stderr),
        Command::Lsp(_) => crate::lsp::run(),
    }
}

/// The files, configuration and rule selection of one run.
struct Run {
    sources: Vec<Source>,
    config: Config,
    selection: RuleSelection,
    /// Some path could not be read (the run goes on, but exits with status 2).
    failed: bool,
}

/// Finds the files under `paths`, reads them and the configuration. `Err` holds the exit
/// status when nothing can be checked.
fn prepare(
    paths: &[std::path::PathBuf],
    select: &[String],
    ignore: &[String],
    stderr: &mut dyn Write,
) -> Result<Run, u8> {
    prepare_with(paths, select, ignore, None, None, stderr)
}

/// [`prepare`] with a settings file given on the command line and a name for standard input.
fn prepare_with(
    paths: &[std::path::PathBuf],
    select: &[String],
    ignore: &[String],
    config_file: Option<&std::path::Path>,
    stdin_name: Option<&std::path::Path>,
    stderr: &mut dyn Write,
) -> Result<Run, u8> {
    let selection = RuleSelection::from_selectors(select, ignore).map_err(|error| {
        report_error(stderr, &error.to_string());
        EXIT_ERROR
    })?;
    let is_stdin = paths.len() == 1 && paths[0].as_os_str() == "-";
    let config_start: Vec<std::path::PathBuf> = match (is_stdin, stdin_name) {
        (true, Some(name)) => vec![name.to_path_buf()],
        (true, None) => vec![std::path::PathBuf::from(".")],
        _ => paths.to_vec(),
    };
    let config = match config_file {
        Some(file) => Config::load(file).map_err(|e| e.to_string()),
        None => load_config(&config_start),
    }
    .map_err(|error| {
        report_error(stderr, &error);
        EXIT_ERROR
    })?;
    if is_stdin {
        let mut bytes = Vec::new();
        if let Err(error) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes) {
            report_error(stderr, &format!("cannot read standard input: {error}"));
            return Err(EXIT_ERROR);
        }
        let path = stdin_name.map_or_else(|| "-".to_string(), |p| p.display().to_string());
        return Ok(Run {
            sources: vec![Source { path, bytes }],
            config,
            selection,
            failed: false,
        });
    }
    let discovery = discover(paths);
    let mut failed = !discovery.errors.is_empty();
    for error in &discovery.errors {
        report_error(stderr, error);
    }
    let excluded = config.exclude_matcher();
    let root = config
        .source
        .as_ref()
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf);
    let wanted: Vec<&std::path::PathBuf> = discovery
        .files
        .iter()
        .map(|f| &f.path)
        .filter(|path| {
            root.as_ref().is_none_or(|root| {
                let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                !excluded.is_match(absolute.strip_prefix(root).unwrap_or(path))
            })
        })
        .collect();
    // Read on every core; errors are reported in path order.
    let read: Vec<Result<Source, String>> = wanted
        .par_iter()
        .map(|path| match std::fs::read(path) {
            Ok(bytes) => Ok(Source {
                path: path.display().to_string(),
                bytes,
            }),
            Err(error) => Err(files::cannot_read(path, &error)),
        })
        .collect();
    let mut sources = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(source) => sources.push(source),
            Err(error) => {
                report_error(stderr, &error);
                failed = true;
            }
        }
    }
    Ok(Run {
        sources,
        config,
        selection,
        failed,
    })
}

/// Files from which a progress bar is worth showing.
const PROGRESS_THRESHOLD: usize = 500;

/// Checks the run's files; a bug in the analysis is reported instead of crashing. Shows a
/// progress bar on a terminal when the tree is large.
fn analyze(run: &mut Run, stderr: &mut dyn Write) -> Result<Vec<CheckedFile>, u8> {
    let bar =
        (std::io::stderr().is_terminal() && run.sources.len() >= PROGRESS_THRESHOLD).then(|| {
            let bar = indicatif::ProgressBar::new(2 * run.sources.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} checking {pos}/{len} {wide_bar} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    // The sources are not needed after checking: do not keep a second copy of every file.
    let sources = std::mem::take(&mut run.sources);
    let checked = catch_unwind(AssertUnwindSafe(|| {
        let (ws, files) = crate::check::check_workspace_with_progress(
            sources,
            run.config.clone(),
            &run.selection,
            &tick,
        );
        // The index refers to every file's model; freeing those small nodes one by one takes
        // longer than the rest of a run's single-threaded tail, and the process ends soon.
        std::mem::forget(ws);
        files
    }));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut checked = checked.map_err(|_| {
        report_error(stderr, "internal error while checking");
        EXIT_ERROR
    })?;
    checked.sort_by(|a: &CheckedFile, b: &CheckedFile| a.path.cmp(&b.path));
    Ok(checked)
}

fn check(args: &CheckArgs, stdout: &mut dyn Write, stderr: &mut dyn Write, color: bool) -> u8 {
    let mut run = match prepare_with(
        &args.paths,
        &args.select,
        &args.ignore,
        args.config.as_deref(),
        args.stdin_filename.as_deref(),
        stderr,
    ) {
        Ok(run) => run,
        Err(status) => return status,
    };
    let mut checked = match analyze(&mut run, stderr) {
        Ok(checked) => checked,
        Err(status) => return status,
    };
    let mut failed = run.failed;
    for file in &checked {
        for error in &file.internal_errors {
            report_error(stderr, error);
            failed = true;
        }
    }

    if let Some(path) = &args.write_baseline {
        return match baseline::write(path, &checked) {
            Ok(count) => {
                let message = format!(
                    "Wrote {count} finding{} to `{}`.\n",
                    if count == 1 { "" } else { "s" },
                    path.display()
                );
                write_out(stdout, stderr, &message).unwrap_or(if failed {
                    EXIT_ERROR
                } else {
                    EXIT_CLEAN
                })
            }
            Err(error) => {
                report_error(stderr, &error);
                EXIT_ERROR
            }
        };
    }
    if let Some(path) = &args.baseline {
        match baseline::read(path) {
            Ok(accepted) => {
                baseline::filter(&mut checked, &accepted);
            }
            Err(error) => {
                report_error(stderr, &error);
                return EXIT_ERROR;
            }
        }
    }

    let output = if args.statistics {
        statistics(&checked)
    } else {
        match args.format {
            Format::Human if args.quiet => human::render_findings(&checked, color),
            Format::Human => human::render(&checked, color, failed),
            Format::Json => json::render(&checked),
            Format::Sarif => sarif::render(&checked),
            Format::Github => github::render(&checked),
        }
    };
    if let Some(status) = write_out(stdout, stderr, &output) {
        return status;
    }

    let threshold = match args.fail_on {
        FailOn::Info => crate::finding::Severity::Info,
        FailOn::Warning => crate::finding::Severity::Warning,
        FailOn::Error => crate::finding::Severity::Error,
    };
    // `Severity` orders from most to least severe.
    let found = checked
        .iter()
        .flat_map(|file| &file.findings)
        .any(|f| f.severity <= threshold);
    if failed {
        EXIT_ERROR
    } else if found {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Findings per rule, most frequent first.
fn statistics(files: &[CheckedFile]) -> String {
    let mut counts: std::collections::BTreeMap<&str, (usize, &str)> =
        std::collections::BTreeMap::new();
    for f in files.iter().flat_map(|file| &file.findings) {
        counts.entry(f.code).or_insert((0, f.name)).0 += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|r| r.1.0.to_string().len())
        .max()
        .unwrap_or(1);
    rows.iter()
        .map(|(code, (n, name))| format!("{n:>width$}  {code}  {name}\n"))
        .collect()
}

/// Writes the report; `Some(status)` when it could not be written.
fn write_out(stdout: &mut dyn Write, stderr: &mut dyn Write, output: &str) -> Option<u8> {
    if let Err(error) = stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            report_error(stderr, &format!("cannot write the report: {error}"));
        }
        return Some(EXIT_ERROR);
    }
    None
}

fn fix(args: &FixArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let mut run = match prepare(&args.paths, &args.select, &args.ignore, stderr) {
        Ok(run) => run,
        Err(status) => return status,
    };
    let outcome = match catch_unwind(AssertUnwindSafe(|| {
        fix::fix_all(
            &mut run.sources,
            &run.config,
            &run.selection,
            args.unsafe_fixes,
        )
    })) {
        Ok(outcome) => outcome,
        Err(_) => {
            report_error(stderr, "internal error while fixing");
            return EXIT_ERROR;
        }
    };
    let mut failed = run.failed;
    let mut output = String::new();
    for change in &outcome.changes {
        if args.diff {
            output.push_str(&fix::unified_diff(
                &change.path,
                &change.before,
                &change.after,
            ));
        } else if let Err(error) = std::fs::write(&change.path, &change.after) {
            report_error(stderr, &format!("cannot write `{}`: {error}", change.path));
            failed = true;
        }
    }
    let verb = if args.diff { "Would fix" } else { "Fixed" };
    output.push_str(&format!(
        "{verb} {} finding{} in {} file{} ({} remaining).\n",
        outcome.fixed,
        if outcome.fixed == 1 { "" } else { "s" },
        outcome.changes.len(),
        if outcome.changes.len() == 1 { "" } else { "s" },
        outcome.remaining
    ));
    if let Some(status) = write_out(stdout, stderr, &output) {
        return status;
    }
    if failed {
        EXIT_ERROR
    } else if (args.diff && !outcome.changes.is_empty()) || outcome.remaining > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn audit(args: &AuditArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let run = match prepare(&args.paths, &[], &[], stderr) {
        Ok(run) => run,
        Err(status) => return status,
    };
    let built = catch_unwind(AssertUnwindSafe(|| {
        let (ws, mut checked) =
            crate::check::check_workspace(run.sources.clone(), run.config.clone(), &run.selection);
        checked.sort_by(|a, b| a.path.cmp(&b.path));
        crate::audit::Audit::build(&ws, &checked)
    }));
    let Ok(report) = built else {
        report_error(stderr, "internal error while auditing");
        return EXIT_ERROR;
    };
    let text = match args.format {
        AuditFormat::Markdown => crate::audit::markdown(&report),
        AuditFormat::Html => crate::audit::html(&report),
        AuditFormat::Json => report.json(),
    };
    let status = match &args.output {
        Some(path) => match std::fs::write(path, &text) {
            Ok(()) => None,
            Err(error) => {
                report_error(
                    stderr,
                    &format!("cannot write `{}`: {error}", path.display()),
                );
                Some(EXIT_ERROR)
            }
        },
        None => write_out(stdout, stderr, &text),
    };
    status.unwrap_or(if run.failed { EXIT_ERROR } else { EXIT_CLEAN })
}

fn rules(args: &RulesArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let output = match args.format {
        RulesFormat::Table => rules_doc::table(),
        RulesFormat::Markdown => rules_doc::markdown(),
        RulesFormat::Json => rules_doc::json(),
    };
    write_out(stdout, stderr, &output).unwrap_or(EXIT_CLEAN)
}

fn explain(args: &ExplainArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    match rules_doc::explain(&args.code) {
        Some(text) => write_out(stdout, stderr, &text).unwrap_or(EXIT_CLEAN),
        None => {
            report_error(
                stderr,
                &format!("unknown rule `{}`; `xsguard rules` lists them", args.code),
            );
            EXIT_ERROR
        }
    }
}

/// The configuration: `xsguard.toml` in the first path's directory or the nearest directory
/// above it.
fn load_config(paths: &[std::path::PathBuf]) -> Result<Config, String> {
    let start = paths
        .first()
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent()
                    .map(std::path::Path::to_path_buf)
                    .unwrap_or_default()
            }
        })
        .unwrap_or_default();
    let start = std::fs::canonicalize(if start.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        &start
    })
    .map_err(|e| format!("cannot read `{}`: {e}", start.display()))?;
    for dir in start.ancestors() {
        if dir.join(crate::workspace::config::CONFIG_FILE).is_file() {
            return Config::discover(dir).map_err(|e| e.to_string());
        }
    }
    Ok(Config::default())
}

fn report_error(stderr: &mut dyn Write, message: &str) {
    let _ = writeln!(stderr, "xsguard: error: {message}");
}
