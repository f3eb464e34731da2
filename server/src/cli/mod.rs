//! The command line: argument parsing, file discovery and output formats.

mod args;
mod files;
mod human;
mod json;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

pub use args::{CheckArgs, Cli, Command, Format};
pub use files::{Discovery, discover};

use crate::check::{CheckedFile, Source, check_sources};
use crate::workspace::Config;
use crate::rules::RuleSelection;

/// Exit status: nothing was reported.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings were reported.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: a usage, configuration or I/O error occurred.
pub const EXIT_ERROR: u8 = 2;

/// Runs the command line with the process's arguments and standard streams.
pub fn main() -> ExitCode {
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
    }
}

fn check(args: &CheckArgs, stdout: &mut dyn Write, stderr: &mut dyn Write, color: bool) -> u8 {
    let selection = match RuleSelection::from_selectors(&args.select, &args.ignore) {
        Ok(selection) => selection,
        Err(error) => {
            report_error(stderr, &error.to_string());
            return EXIT_ERROR;
        }
    };
    let discovery = discover(&args.paths);
    let mut failed = !discovery.errors.is_empty();
    for error in &discovery.errors {
        report_error(stderr, error);
    }

    let config = match load_config(args) {
        Ok(config) => config,
        Err(error) => {
            report_error(stderr, &error);
            return EXIT_ERROR;
        }
    };
    let excluded = config.exclude_matcher();
    let root = config
        .source
        .as_ref()
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf);
    let mut sources = Vec::with_capacity(discovery.files.len());
    for path in &discovery.files {
        if let Some(root) = &root {
            let rel = path.strip_prefix(root).unwrap_or(path);
            if excluded.is_match(rel) {
                continue;
            }
        }
        match std::fs::read(path) {
            Ok(bytes) => sources.push(Source {
                path: path.display().to_string(),
                bytes,
            }),
            Err(error) => {
                report_error(stderr, &files::cannot_read(path, &error));
                failed = true;
            }
        }
    }
    // A bug in the analysis must not end in a crash without a word.
    let mut checked = match catch_unwind(AssertUnwindSafe(|| {
        check_sources(sources, config, &selection)
    })) {
        Ok(checked) => checked,
        Err(_) => {
            report_error(stderr, "internal error while checking");
            return EXIT_ERROR;
        }
    };
    for file in &checked {
        for error in &file.internal_errors {
            report_error(stderr, error);
            failed = true;
        }
    }
    checked.sort_by(|a: &CheckedFile, b: &CheckedFile| a.path.cmp(&b.path));

    let output = match args.format {
        Format::Human => human::render(&checked, color, failed),
        Format::Json => json::render(&checked),
    };
    if let Err(error) = stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            report_error(stderr, &format!("cannot write the report: {error}"));
        }
        return EXIT_ERROR;
    }

    let found = checked.iter().any(|file| !file.findings.is_empty());
    if failed {
        EXIT_ERROR
    } else if found {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// The configuration: the file given with `--config`, else `xsguard.toml` in the first path's
/// directory or the nearest directory above it.
fn load_config(args: &CheckArgs) -> Result<Config, String> {
    let start = args
        .paths
        .first()
        .map(|p| if p.is_dir() { p.clone() } else { p.parent().map(std::path::Path::to_path_buf).unwrap_or_default() })
        .unwrap_or_default();
    let start = std::fs::canonicalize(if start.as_os_str().is_empty() { std::path::Path::new(".") } else { &start })
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
