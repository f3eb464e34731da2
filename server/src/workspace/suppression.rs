//! Suppression comments.
//!
//! XanoScript comments stand on their own line, so a suppression is a comment line:
//! `// xsguard-ignore XS102: reason` suppresses XS102 on the construct that starts on the next
//! line that is not a comment or blank; `// xsguard-ignore-file XS301: reason` anywhere in a
//! file suppresses XS301 for the whole file. Several codes may be listed, comma-separated.

use crate::model::{Span, Text};

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Codes as written, upper-cased.
    pub codes: Vec<String>,
    pub reason: Option<String>,
    /// Whole-file (`xsguard-ignore-file`) or next construct (`xsguard-ignore`).
    pub file_wide: bool,
    /// The comment.
    pub span: Span,
    /// Byte offset of the start of the line it applies to (`None` for file-wide ones and for a
    /// comment with nothing after it).
    pub target_line_start: Option<usize>,
}

impl Suppression {
    /// Whether this suppression covers a finding of `code` starting at byte `offset`.
    pub fn covers(&self, code: &str, offset: usize, text: &str) -> bool {
        if !self.codes.iter().any(|c| c == code) {
            return false;
        }
        if self.file_wide {
            return true;
        }
        self.target_line_start
            .is_some_and(|start| crate::fix::line_start(text, offset) == start)
    }
}

/// The suppressions among a file's comments.
pub fn parse_suppressions(comments: &[Text], text: &str) -> Vec<Suppression> {
    comments.iter().filter_map(|c| parse_one(c, text)).collect()
}

fn parse_one(comment: &Text, text: &str) -> Option<Suppression> {
    let body = comment.value.strip_prefix("//")?.trim();
    let (file_wide, rest) = if let Some(rest) = body.strip_prefix("xsguard-ignore-file") {
        (true, rest)
    } else if let Some(rest) = body.strip_prefix("xsguard-ignore") {
        (false, rest)
    } else {
        return None;
    };
    if !rest.is_empty() && !rest.starts_with([' ', '\t', ':']) {
        return None;
    }
    let (codes, reason) = match rest.split_once(':') {
        Some((codes, reason)) => (
            codes,
            Some(reason.trim())
                .filter(|r| !r.is_empty() && !r.starts_with(crate::fix::placeholders::REASON))
                .map(str::to_string),
        ),
        None => (rest, None),
    };
    let codes: Vec<String> = codes
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    Some(Suppression {
        codes,
        reason,
        file_wide,
        span: comment.span.clone(),
        target_line_start: if file_wide {
            None
        } else {
            next_code_line(text, comment.span.end)
        },
    })
}

/// The start of the first line after `offset` that is neither blank nor a comment.
fn next_code_line(text: &str, offset: usize) -> Option<usize> {
    let mut at = text[offset..].find('\n').map(|i| offset + i + 1)?;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..end].trim();
        if !line.is_empty() && !line.starts_with("//") {
            return Some(at);
        }
        at = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<Text> {
        let mut out = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                let start = at + (line.len() - trimmed.len());
                let end = at + line.trim_end().len();
                out.push(Text {
                    value: text[start..end].to_string(),
                    span: start..end,
                });
            }
            at += line.len();
        }
        out
    }

    #[test]
    fn parses_codes_reasons_and_targets() {
        let text = "a {\n  // xsguard-ignore XS101, xs102: public by design\n  // more words\n\n  db.get x\n}\n// xsguard-ignore-file XS301\n";
        let s = parse_suppressions(&comments(text), text);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].codes, ["XS101", "XS102"]);
        assert_eq!(s[0].reason.as_deref(), Some("public by design"));
        let target = text.find("  db.get").unwrap();
        assert_eq!(s[0].target_line_start, Some(target));
        assert!(s[0].covers("XS102", target + 4, text));
        assert!(!s[0].covers("XS103", target + 4, text));
        assert!(s[1].file_wide && s[1].reason.is_none());
        assert!(s[1].covers("XS301", 0, text));
    }

    #[test]
    fn ignores_other_comments() {
        let text = "// xsguard-ignored is not a directive\n// a note\nx\n";
        assert!(parse_suppressions(&comments(text), text).is_empty());
    }
}
