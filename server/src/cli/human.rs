//! `--format human`: a header line and a source excerpt per finding, then a summary.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Effects, Style};

use crate::check::CheckedFile;
use crate::finding::{Finding, Severity};
use crate::syntax::LineIndex;

/// Lines of a multi-line finding shown before the excerpt is cut.
const MAX_EXCERPT_LINES: usize = 3;

/// The report for these files, colored with ANSI escapes when `color` is set. `incomplete`
/// says that some paths could not be read, so a clean result must not claim everything passed.
pub fn render(files: &[CheckedFile], color: bool, incomplete: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let mut problems = 0;
    let mut files_with_problems = 0;
    for file in files {
        if file.findings.is_empty() {
            continue;
        }
        files_with_problems += 1;
        let index = LineIndex::new(&file.text);
        for finding in &file.findings {
            problems += 1;
            header(&mut out, finding, color);
            out.push_str(&excerpt(&renderer, &file.text, &index, finding));
            out.push('\n');
            for related in &finding.related {
                let _ = writeln!(
                    out,
                    "  = note: {}:{}:{}: {}",
                    related.path, related.start.line, related.start.column, related.message
                );
            }
            if let Some(help) = &finding.help {
                let _ = writeln!(out, "  = help: {help}");
            }
            for fix in &finding.fixes {
                let _ = writeln!(out, "  = help: {}", fix.title);
            }
            out.push('\n');
        }
    }
    if problems == 0 && incomplete {
        out.push_str("No problems found in the files that could be read.");
    } else if problems == 0 {
        let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
        out.push_str(&paint("All checks passed.", green, color));
    } else {
        out.push_str(&format!(
            "Found {problems} {} in {files_with_problems} {}.",
            plural(problems, "problem", "problems"),
            plural(files_with_problems, "file", "files"),
        ));
    }
    out.push('\n');
    out
}

/// The findings alone, without the summary line (`--quiet`).
pub fn render_findings(files: &[CheckedFile], color: bool) -> String {
    let full = render(files, color, false);
    // The summary is the last line; everything before it is findings.
    let body = full.trim_end_matches('\n');
    match body.rfind('\n') {
        Some(i) => format!("{}\n", body[..i].trim_end_matches('\n'))
            .trim_start_matches('\n')
            .to_string(),
        None => String::new(),
    }
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
        "{}:{}:{}: {} {} {}",
        paint(&finding.path, bold, color),
        finding.start.line,
        finding.start.column,
        paint(finding.severity.as_str(), severity_style, color),
        paint(finding.code, bold, color),
        finding.message,
    );
}

/// The lines the finding covers, with its range underlined.
fn excerpt(renderer: &Renderer, text: &str, index: &LineIndex, finding: &Finding) -> String {
    let first_line = index.line_of(finding.range.start);
    let last_line = index
        .line_of(finding.range.end)
        .min(first_line + MAX_EXCERPT_LINES - 1);
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

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}
