//! One run of the checker as `check` makes it: the paths asked for read with their workspaces,
//! every workspace checked, and the problems of the run itself written to the caller's error
//! stream. `fix`, `audit` and the MCP server start from the same steps, so that each sees the
//! files, the settings and the findings `check` would.

use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use super::EXIT_ERROR;
use super::inputs::{self, Inputs, Request};
use super::summary::Summary;
use crate::host::check::CheckedFile;
use crate::rules::RuleSelection;

/// The reported files of a checked run, sorted by path, and what the run covered.
pub struct CheckRun {
    pub files: Vec<CheckedFile>,
    pub summary: Summary,
}

/// What follows a run in the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    /// The process ends (the command line): what the run built is left to the end of the
    /// process, since freeing the workspace index, every file's model in small nodes, takes
    /// longer than the rest of the run.
    Exit,
    /// The process goes on to other runs (a server), so each run frees what it built.
    MoreRuns,
}

/// Reads and checks what `request` names with the rules `select` and `ignore` leave, as
/// `xsguard check` does, writing the run's problems to `stderr`. `Err` holds the exit status
/// when nothing could be checked.
pub fn check(
    request: &Request,
    select: &[String],
    ignore: &[String],
    after: After,
    stderr: &mut dyn Write,
) -> Result<CheckRun, u8> {
    let mut run = prepare(request, select, ignore, stderr)?;
    let files = analyze(&mut run, after, stderr)?.files;
    let mut incomplete = run.failed;
    for file in &files {
        for error in &file.internal_errors {
            report_error(stderr, error);
            incomplete = true;
        }
    }
    Ok(CheckRun {
        files,
        summary: Summary {
            checked_files: run.inputs.reported_count(),
            incomplete,
            isolated: run.inputs.isolated,
        },
    })
}

/// The files and rule selection of one run.
pub struct Run {
    pub inputs: Inputs,
    pub selection: RuleSelection,
    /// Something could not be read or used (the run goes on, but exits with status 2).
    pub failed: bool,
}

/// Reads what `request` names, printing its problems. `Err` holds the exit status when
/// nothing can be checked.
pub fn prepare(
    request: &Request,
    select: &[String],
    ignore: &[String],
    stderr: &mut dyn Write,
) -> Result<Run, u8> {
    let selection = RuleSelection::from_selectors(select, ignore).map_err(|error| {
        report_error(stderr, &error.to_string());
        EXIT_ERROR
    })?;
    let inputs = inputs::read(request).map_err(|problems| {
        report_problems(stderr, &problems);
        EXIT_ERROR
    })?;
    report_problems(stderr, &inputs.problems);
    let failed = !inputs.problems.errors.is_empty();
    if inputs.reported_count() == 0 {
        if !failed {
            report_error(stderr, "no .xs files to check");
        }
        return Err(EXIT_ERROR);
    }
    Ok(Run {
        inputs,
        selection,
        failed,
    })
}

fn report_problems(stderr: &mut dyn Write, problems: &inputs::Problems) {
    for warning in &problems.warnings {
        report_warning(stderr, warning);
    }
    for error in &problems.errors {
        report_error(stderr, error);
    }
}

/// Files from which a progress bar is worth showing.
const PROGRESS_THRESHOLD: usize = 500;

/// What checking a run gave: the reported files, sorted by path, and the workspaces' own
/// problems (settings that name nothing).
struct Checked {
    files: Vec<CheckedFile>,
    config_warnings: Vec<String>,
}

/// The files of one workspace after checking (`None` for context files) and its settings
/// warnings.
type WorkspaceChecked = (Vec<Option<CheckedFile>>, Vec<String>);

/// Checks the run's files; a bug in the analysis is reported instead of crashing. Shows a
/// progress bar on a terminal when the tree is large.
fn analyze(run: &mut Run, after: After, stderr: &mut dyn Write) -> Result<Checked, u8> {
    let total: usize = run.inputs.workspaces.iter().map(|w| w.sources.len()).sum();
    let steps = total + run.inputs.reported_count();
    let bar = (std::io::stderr().is_terminal() && total >= PROGRESS_THRESHOLD).then(|| {
        let bar = indicatif::ProgressBar::new(steps as u64);
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
    let mut checked = Checked {
        files: Vec::new(),
        config_warnings: Vec::new(),
    };
    // Workspaces are checked side by side: each alone ends in a single-threaded tail.
    let selection = &run.selection;
    let results: Vec<Option<WorkspaceChecked>> = run
        .inputs
        .workspaces
        .par_iter_mut()
        .map(|input| {
            let reported = input.reported();
            // The sources are not needed after checking: do not keep a second copy of every
            // file.
            let sources = std::mem::take(&mut input.sources);
            let config = input.config.clone();
            catch_unwind(AssertUnwindSafe(|| {
                let (ws, files) = crate::host::check::check_reported(
                    sources, &reported, config, selection, &tick,
                );
                let warnings = ws
                    .config_warnings()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                // The index refers to every file's model; freeing those small nodes one by one
                // takes longer than the rest of a run's single-threaded tail.
                if after == After::Exit {
                    std::mem::forget(ws);
                }
                (files, warnings)
            }))
            .ok()
        })
        .collect();
    for result in results {
        let Some((files, warnings)) = result else {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            report_error(stderr, "internal error while checking");
            return Err(EXIT_ERROR);
        };
        checked.files.extend(files.into_iter().flatten());
        checked.config_warnings.extend(warnings);
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    checked
        .files
        .sort_by(|a: &CheckedFile, b: &CheckedFile| a.path.cmp(&b.path));
    for warning in &checked.config_warnings {
        report_warning(stderr, warning);
    }
    Ok(checked)
}

pub fn report_error(stderr: &mut dyn Write, message: &str) {
    let _ = writeln!(stderr, "xsguard: error: {message}");
}

pub fn report_warning(stderr: &mut dyn Write, message: &str) {
    let _ = writeln!(stderr, "xsguard: warning: {message}");
}
