//! Text edits that respect the file's indentation and line endings, and applying them.

pub mod placeholders;

use crate::finding::{Fix, TextEdit};

/// The line ending the file uses (`\r\n` when its first line break is one).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The line ending of the line holding `offset`; for a last line without one, that of the
/// line before it; for a file of one line, the file's. A line inserted there takes it, so a
/// file that mixes endings keeps each part as it was.
pub fn line_ending_at(text: &str, offset: usize) -> &'static str {
    let end = line_end(text, offset);
    let ending_at = |end: usize| match text.as_bytes().get(end) {
        Some(b'\r') if text.as_bytes().get(end + 1) == Some(&b'\n') => Some("\r\n"),
        Some(b'\r') => Some("\r"),
        Some(b'\n') => Some("\n"),
        _ => None,
    };
    if let Some(eol) = ending_at(end) {
        return eol;
    }
    let start = line_start(text, offset);
    if start > 0 {
        let previous = line_end(text, line_start(text, start - 1));
        if let Some(eol) = ending_at(previous) {
            return eol;
        }
    }
    line_ending(text)
}

/// Byte offset of the start of the line holding `offset`. Lines end at `\n`, `\r\n` or a lone
/// `\r`, as editors (and the language server) count them.
pub fn line_start(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let before = &bytes[..offset.min(text.len())];
    before
        .iter()
        .enumerate()
        .rev()
        .find(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .map_or(0, |(i, _)| i + 1)
}

/// Byte offset of the end of the line holding `offset` (before its `\r\n`, `\n` or `\r`).
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i)
}

/// The leading whitespace of the line holding `offset`.
pub fn indent_at(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = &text[start..];
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..n]
}

/// One indentation step as the file writes it: a tab, or the smallest run of leading spaces.
pub fn indent_unit(text: &str) -> String {
    let mut smallest = usize::MAX;
    for line in text.lines() {
        if line.starts_with('\t') {
            return "\t".into();
        }
        let n = line.len() - line.trim_start_matches(' ').len();
        if n > 0 && n < line.len() {
            smallest = smallest.min(n);
        }
    }
    " ".repeat(if smallest == usize::MAX { 2 } else { smallest })
}

/// Inserts `lines` (without indentation) as new lines after the line holding `offset`, each
/// indented with `indent`.
pub fn insert_lines_after(text: &str, offset: usize, indent: &str, lines: &[String]) -> TextEdit {
    let eol = line_ending_at(text, offset);
    let at = line_end(text, offset);
    let mut new_text = String::new();
    for line in lines {
        new_text.push_str(eol);
        if !line.is_empty() {
            new_text.push_str(indent);
        }
        new_text.push_str(line);
    }
    TextEdit {
        range: at..at,
        new_text,
    }
}

/// Inserts `lines` as new lines before the line holding `offset`, indented with `indent`.
pub fn insert_lines_before(text: &str, offset: usize, indent: &str, lines: &[String]) -> TextEdit {
    let eol = line_ending_at(text, offset);
    let at = line_start(text, offset);
    let mut new_text = String::new();
    for line in lines {
        if !line.is_empty() {
            new_text.push_str(indent);
        }
        new_text.push_str(line);
        new_text.push_str(eol);
    }
    TextEdit {
        range: at..at,
        new_text,
    }
}

/// Applies non-overlapping edits to `text`. Edits are applied from the end so earlier offsets
/// stay valid; overlapping or out-of-range edits are rejected.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Option<String> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    for pair in sorted.windows(2) {
        if pair[0].range.end > pair[1].range.start {
            return None;
        }
    }
    let mut out = text.to_string();
    for edit in sorted.iter().rev() {
        if edit.range.start > edit.range.end
            || edit.range.end > out.len()
            || !out.is_char_boundary(edit.range.start)
            || !out.is_char_boundary(edit.range.end)
        {
            return None;
        }
        out.replace_range(edit.range.clone(), &edit.new_text);
    }
    Some(out)
}

/// Applies one fix.
pub fn apply_fix(text: &str, fix: &Fix) -> Option<String> {
    apply_edits(text, &fix.edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_crlf_and_indentation() {
        let text = "a {\r\n    b = 1\r\n}\r\n";
        assert_eq!(line_ending(text), "\r\n");
        let at = text.find('b').unwrap();
        assert_eq!(indent_at(text, at), "    ");
        assert_eq!(indent_unit(text), "    ");
        let edit = insert_lines_after(text, at, indent_at(text, at), &["c = 2".into()]);
        assert_eq!(
            apply_edits(text, &[edit]).unwrap(),
            "a {\r\n    b = 1\r\n    c = 2\r\n}\r\n"
        );
        let edit = insert_lines_before(text, at, "    ", &["z = 0".into()]);
        assert_eq!(
            apply_edits(text, &[edit]).unwrap(),
            "a {\r\n    z = 0\r\n    b = 1\r\n}\r\n"
        );
    }

    #[test]
    fn inserted_lines_take_the_ending_around_them() {
        // The first line ends with LF, the rest with CRLF.
        let text = "a {\n  b = 1\r\n  c = 2\r\n}";
        let at = text.find('b').unwrap();
        assert_eq!(line_ending(text), "\n");
        assert_eq!(line_ending_at(text, at), "\r\n");
        let edit = insert_lines_after(text, at, "  ", &["x = 0".into()]);
        assert_eq!(
            apply_edits(text, &[edit]).unwrap(),
            "a {\n  b = 1\r\n  x = 0\r\n  c = 2\r\n}"
        );
        // The last line has no ending: it takes the one before it.
        assert_eq!(line_ending_at(text, text.len()), "\r\n");
        assert_eq!(line_ending_at("one line", 2), "\n");
        // A lone `\r` ends a line too, as editors show it.
        let text = "a {\r  b = 1\r}";
        let at = text.find('b').unwrap();
        assert_eq!(line_start(text, at), 4);
        assert_eq!(line_end(text, at), 11);
        assert_eq!(line_ending_at(text, at), "\r");
        let edit = insert_lines_after(text, at, "  ", &["x = 0".into()]);
        assert_eq!(
            apply_edits(text, &[edit]).unwrap(),
            "a {\r  b = 1\r  x = 0\r}"
        );
    }

    #[test]
    fn rejects_overlapping_edits() {
        let e = |r: std::ops::Range<usize>| TextEdit {
            range: r,
            new_text: "x".into(),
        };
        assert!(apply_edits("abcdef", &[e(0..3), e(2..4)]).is_none());
        assert_eq!(
            apply_edits("abcdef", &[e(4..5), e(0..1)]).unwrap(),
            "xbcdxf"
        );
        assert!(apply_edits("ab", &[e(1..9)]).is_none());
    }
}
