//! `--format human`: a header line and a source excerpt per finding, then a summary.
//!
//! A finding `xsguard fix` can repair carries `[*]` before its message, one only
//! `--unsafe-fixes` repairs `[~]`.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Effects, Style};

use super::summary::{Fixable, Summary, marker};
use crate::finding::{Finding, Severity};
use crate::host::check::CheckedFile;
use crate::syntax::LineIndex;

/// Lines of a multi-line finding shown before the excerpt is cut.
const MAX_EXCERPT_LINES: usize = 3;

/// The report for these files, colored with ANSI escapes when `color` is set, closed by the
/// summary lines.
pub fn render(files: &[CheckedFile], color: bool, summary: &Summary) -> String {
    let mut out = render_findings(files, color);
    let problems: usize = files.iter().map(|f| f.findings.len()).sum();
    let files_with_problems = files.iter().filter(|f| !f.findings.is_empty()).count();
    let (first, second) =
        super::summary::lines(summary, problems, files_with_problems, Fixable::of(files));
    if problems == 0 && !summary.incomplete {
        let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
        out.push_str(&paint(&first, green, color));
    } else {
        out.push_str(&first);
    }
    out.push('\n');
    if let Some(second) = second {
        out.push_str(&second);
        out.push('\n');
    }
    out
}

/// The findings alone, without the summary lines (`--quiet`).
pub fn render_findings(files: &[CheckedFile], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for file in files {
        if file.findings.is_empty() {
            continue;
        }
        let index = LineIndex::new(&file.text);
        for finding in &file.findings {
            header(&mut out, finding, color);
            out.push_str(&excerpt(&renderer, &file.text, &index, finding));
            out.push('\n');
            // The notes' `=` stands under the excerpt's `|`.
            let pad = " ".repeat(last_line(&index, finding).to_string().len() + 1);
            for related in &finding.related {
                let _ = writeln!(
                    out,
                    "{pad}= note: {}:{}:{}: {}",
                    related.path, related.start.line, related.start.column, related.message
                );
            }
            if let Some(help) = &finding.help {
                let _ = writeln!(out, "{pad}= help: {help}");
            }
            for fix in &finding.fixes {
                let _ = writeln!(
                    out,
                    "{pad}= fix ({}): {}",
                    fix.applicability.as_str(),
                    fix.title
                );
            }
            out.push('\n');
        }
    }
    out
}

/// `path:line:col: severity CODE message`
fn header(out: &mut String, finding: &Finding, color: bool) {
    let bold = Style::new().effects(Effects::BOLD);
    let severity_style = match finding.severity {
        Severity::Error => AnsiColor::BrightRed.on_default(),
        Severity::Warning => AnsiColor::Yellow.on_default(),
        Severity::Info => AnsiColor::BrightBlue.on_default(),
    }
    .effects(Effects::BOLD);
    let _ = writeln!(
        out,
        "{}:{}:{}: {} {} {}{}",
        paint(&finding.path, bold, color),
        finding.start.line,
        finding.start.column,
        paint(finding.severity.as_str(), severity_style, color),
        paint(finding.code, bold, color),
        marker(finding.fixability()),
        finding.message,
    );
}

/// The number (1-based) of the last line the excerpt shows.
fn last_line(index: &LineIndex, finding: &Finding) -> usize {
    let first_line = index.line_of(finding.range.start);
    index
        .line_of(finding.range.end)
        .min(first_line + MAX_EXCERPT_LINES - 1)
        + 1
}

/// The lines the finding covers, with its range underlined.
fn excerpt(renderer: &Renderer, text: &str, index: &LineIndex, finding: &Finding) -> String {
    let first_line = index.line_of(finding.range.start);
    let last_line = last_line(index, finding) - 1;
    let (Some(first), Some(last)) = (index.line_range(first_line), index.line_range(last_line))
    else {
        return String::new();
    };
    let source = &text[first.start..last.end];
    let start = finding.range.start.clamp(first.start, last.end) - first.start;
    let end = finding.range.end.clamp(first.start + start, last.end) - first.start;
    let level = match finding.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let report = [Group::with_level(level).element(
        Snippet::source(source)
            .line_start(first_line + 1)
            .fold(false)
            .annotation(AnnotationKind::Primary.span(start..end)),
    )];
    renderer.render(&report)
}

fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}
