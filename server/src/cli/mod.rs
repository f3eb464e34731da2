//! The command line: argument parsing, file discovery and output formats.

mod args;
mod baseline;
pub mod checking;
pub mod fingerprint;
pub mod fix;
mod github;
mod human;
pub mod inputs;
pub mod json;
pub mod rules_doc;
mod sarif;
mod statistics;
pub mod summary;
pub mod write;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::workspace::files::display_path;
pub use args::{
    AuditArgs, AuditFormat, CheckArgs, Cli, Command, ExplainArgs, FailOn, FixArgs, Format, McpArgs,
    RulesArgs, RulesFormat,
};
use checking::{After, CheckRun, prepare, report_error, report_warning};
use inputs::Request;

use crate::host::check::CheckedFile;

/// Exit status: nothing was reported.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings were reported.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: a usage, configuration or I/O error occurred.
pub const EXIT_ERROR: u8 = 2;

/// Runs the command line with the process's arguments and standard streams.
pub fn main() -> ExitCode {
    // The servers write to stdout from their own threads, so they must run without the stdout
    // lock taken below.
    match Cli::try_parse_from(std::env::args_os()) {
        Ok(Cli {
            command: Command::Lsp(_),
        }) => return ExitCode::from(crate::lsp::run()),
        Ok(Cli {
            command: Command::Mcp(args),
        }) => return ExitCode::from(crate::mcp::run(args.directory.as_deref())),
        _ => {}
    }
    let color = use_color(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR"),
        std::env::var_os("FORCE_COLOR"),
    );
    let status = run(
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        color,
    );
    ExitCode::from(status)
}

/// Whether to color the report: on a terminal unless `NO_COLOR` is set (to anything but the
/// empty string), and anywhere when `FORCE_COLOR` is set (to anything but `""` or `0`), which
/// wins: it is the more specific request.
fn use_color(terminal: bool, no_color: Option<OsString>, force_color: Option<OsString>) -> bool {
    let set = |v: &Option<OsString>| v.as_ref().is_some_and(|v| !v.is_empty());
    if set(&force_color) && force_color.as_deref() != Some(std::ffi::OsStr::new("0")) {
        return true;
    }
    terminal && !set(&no_color)
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
        Command::Mcp(args) => crate::mcp::run(args.directory.as_deref()),
    }
}

fn check(args: &CheckArgs, stdout: &mut dyn Write, stderr: &mut dyn Write, color: bool) -> u8 {
    let request = Request {
        paths: &args.paths,
        isolated: args.isolated,
        config_file: args.config.as_deref(),
        stdin_name: args.stdin_filename.as_deref(),
        stdin_text: None,
    };
    let CheckRun {
        files: mut checked,
        summary,
    } = match checking::check(&request, &args.select, &args.ignore, After::Exit, stderr) {
        Ok(run) => run,
        Err(status) => return status,
    };
    let failed = summary.incomplete;

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
                let applied = baseline::filter(&mut checked, &accepted);
                report_baseline(stderr, path, &applied);
            }
            Err(error) => {
                report_error(stderr, &error);
                return EXIT_ERROR;
            }
        }
    }

    let written = if args.statistics {
        let output = match args.format {
            Format::Json => statistics::json(&checked),
            _ => statistics::table(&checked),
        };
        write_out(stdout, stderr, &output)
    } else {
        match args.format {
            Format::Human if args.quiet => {
                write_out(stdout, stderr, &human::render_findings(&checked, color))
            }
            Format::Human => write_out(stdout, stderr, &human::render(&checked, color, &summary)),
            Format::Json => write_out(stdout, stderr, &json::render(&checked, &summary)),
            Format::Sarif => write_with(stdout, stderr, |out| sarif::write(out, &checked)),
            Format::Github => write_out(stdout, stderr, &github::render(&checked)),
        }
    };
    if let Some(status) = written {
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

/// Says what the baseline hid, and which of its entries no longer match anything.
fn report_baseline(stderr: &mut dyn Write, path: &std::path::Path, applied: &baseline::Applied) {
    let shown = display_path(path);
    let _ = writeln!(
        stderr,
        "xsguard: {} finding{} hidden by the baseline `{shown}`.",
        applied.hidden,
        if applied.hidden == 1 { "" } else { "s" }
    );
    if applied.stale.is_empty() {
        return;
    }
    let n = applied.stale.len();
    report_warning(
        stderr,
        &format!(
            "{n} entr{} of the baseline for the files checked match{} no finding any more (fixed, or changed beyond recognition); `--write-baseline {shown}` drops {}:",
            if n == 1 { "y" } else { "ies" },
            if n == 1 { "es" } else { "" },
            if n == 1 { "it" } else { "them" },
        ),
    );
    for entry in &applied.stale {
        let _ = writeln!(stderr, "  {entry}");
    }
}

/// Writes the report; `Some(status)` when it could not be written.
fn write_out(stdout: &mut dyn Write, stderr: &mut dyn Write, output: &str) -> Option<u8> {
    write_with(stdout, stderr, |out| out.write_all(output.as_bytes()))
}

/// Writes the report with `write`, buffered; `Some(status)` when it could not be written.
fn write_with(
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Option<u8> {
    let mut buffered = std::io::BufWriter::new(stdout);
    let result = write(&mut buffered).and_then(|()| buffered.flush());
    if let Err(error) = result {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            report_error(stderr, &format!("cannot write the report: {error}"));
        }
        return Some(EXIT_ERROR);
    }
    None
}

fn fix(args: &FixArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let request = Request {
        paths: &args.paths,
        isolated: args.isolated,
        config_file: None,
        stdin_name: None,
        stdin_text: None,
    };
    let mut run = match prepare(&request, &args.select, &args.ignore, stderr) {
        Ok(run) => run,
        Err(status) => return status,
    };
    let selection = run.selection.clone();
    let mut failed = run.failed;
    let mut output = String::new();
    let mut fixed = 0;
    let mut files_written = 0;
    let mut remaining = 0;
    let mut later: Vec<(crate::finding::Finding, String)> = Vec::new();
    for input in &mut run.inputs.workspaces {
        let reported = input.reported();
        let outcome = match catch_unwind(AssertUnwindSafe(|| {
            fix::fix_all(
                &mut input.sources,
                &reported,
                &input.config,
                &selection,
                args.unsafe_fixes,
            )
        })) {
            Ok(outcome) => outcome,
            Err(_) => {
                report_error(stderr, "internal error while fixing");
                return EXIT_ERROR;
            }
        };
        for skipped in &outcome.skipped {
            report_warning(stderr, skipped);
        }
        for change in &outcome.changes {
            if args.diff {
                output.push_str(&fix::unified_diff(
                    &change.path,
                    change.before_text(),
                    &change.after,
                ));
                fixed += change.fixed;
                files_written += 1;
                continue;
            }
            let Some(disk) = &input.files[change.index].disk else {
                continue;
            };
            match write::replace_file(disk, &change.before, change.after.as_bytes()) {
                Ok(()) => {
                    fixed += change.fixed;
                    files_written += 1;
                }
                Err(not_written) => {
                    report_error(stderr, &not_written.message(disk));
                    failed = true;
                }
            }
        }
        remaining += outcome.remaining.len();
        later.extend(outcome.later);
    }
    let verb = if args.diff { "Would fix" } else { "Fixed" };
    output.push_str(&format!(
        "{verb} {fixed} finding{} in {files_written} file{} ({remaining} remaining).\n",
        if fixed == 1 { "" } else { "s" },
        if files_written == 1 { "" } else { "s" },
    ));
    if !later.is_empty() {
        output.push_str(&format!(
            "{} of these {} not reported by `xsguard check`: an earlier fix brought {} out, and a further round fixed {}:\n",
            later.len(),
            if later.len() == 1 { "was" } else { "were" },
            if later.len() == 1 { "it" } else { "them" },
            if later.len() == 1 { "it" } else { "them" },
        ));
        for (f, title) in &later {
            output.push_str(&format!(
                "  {}:{}:{}: {} {}\n    fix: {title}\n",
                f.path, f.start.line, f.start.column, f.code, f.message
            ));
        }
    }
    if let Some(status) = write_out(stdout, stderr, &output) {
        return status;
    }
    if failed {
        EXIT_ERROR
    } else if (args.diff && files_written > 0) || remaining > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn audit(args: &AuditArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let request = Request {
        paths: &args.paths,
        isolated: args.isolated,
        config_file: None,
        stdin_name: None,
        stdin_text: None,
    };
    let mut run = match prepare(&request, &[], &[], stderr) {
        Ok(run) => run,
        Err(status) => return status,
    };
    let selection = run.selection.clone();
    let built = catch_unwind(AssertUnwindSafe(|| {
        let mut parts = Vec::new();
        for input in &mut run.inputs.workspaces {
            let reported = input.reported();
            let sources = std::mem::take(&mut input.sources);
            let (ws, checked) = crate::host::check::check_reported(
                sources,
                &reported,
                input.config.clone(),
                &selection,
                &|| {},
            );
            let mut checked: Vec<CheckedFile> = checked.into_iter().flatten().collect();
            checked.sort_by(|a, b| a.path.cmp(&b.path));
            let root = input.root.as_ref().map(|r| r.dir.as_path());
            parts.push(crate::audit::Audit::build(&ws, &checked, root));
        }
        crate::audit::Audit::merge(parts).with_command(audit_command(args))
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
                    &format!("cannot write `{}`: {error}", display_path(path)),
                );
                Some(EXIT_ERROR)
            }
        },
        None => write_out(stdout, stderr, &text),
    };
    status.unwrap_or(if run.failed { EXIT_ERROR } else { EXIT_CLEAN })
}

/// The command line of an audit, as it can be typed again (the report shows it).
fn audit_command(args: &AuditArgs) -> String {
    let mut words = vec!["xsguard".to_string(), "audit".to_string()];
    words.extend(args.paths.iter().map(|p| display_path(p)));
    let format = match args.format {
        AuditFormat::Markdown => "markdown",
        AuditFormat::Html => "html",
        AuditFormat::Json => "json",
    };
    words.extend(["--format".to_string(), format.to_string()]);
    if let Some(output) = &args.output {
        words.extend(["-o".to_string(), display_path(output)]);
    }
    if args.isolated {
        words.push("--isolated".to_string());
    }
    words
        .into_iter()
        .map(|w| {
            if w.is_empty() || w.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
                format!("'{}'", w.replace('\'', "'\\''"))
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_follows_no_color_and_force_color() {
        let v = |s: &str| Some(OsString::from(s));
        assert!(use_color(true, None, None));
        assert!(!use_color(false, None, None));
        assert!(!use_color(true, v("1"), None));
        assert!(use_color(true, v(""), None), "an empty NO_COLOR is not set");
        assert!(use_color(false, None, v("1")));
        assert!(use_color(false, v("1"), v("true")), "FORCE_COLOR wins");
        assert!(!use_color(false, None, v("0")));
    }
}
