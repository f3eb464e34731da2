//! A lexical pass that pairs brackets, independent of the parser.
//!
//! When a `}` is deleted, tree-sitter reports a missing `}` at the end of the file, far from the
//! block that lost it. Pairing brackets over the raw text, with indentation as a tie-breaker,
//! finds the opener that was left open so the error can point at it.

/// One bracket character in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bracket {
    /// `{`, `[`, `(`, `}`, `]` or `)`.
    pub char: char,
    /// Byte offset of the bracket.
    pub offset: usize,
}

/// An opener that no closer matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unclosed {
    /// The opening bracket.
    pub bracket: Bracket,
    /// Byte offset where the opener's block evidently ended: the end of the line of the closer
    /// that was paired with an outer opener instead, or the end of the text.
    pub scope_end: usize,
    /// Whether a later closer showed where the opener's block ended (by indentation, or by
    /// closing an outer opener of its kind), rather than the end of the text.
    pub ended_early: bool,
}

/// Brackets that do not pair up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BracketReport {
    /// Openers never closed, in text order.
    pub unclosed: Vec<Unclosed>,
    /// Closers with no opener, in text order.
    pub unmatched: Vec<Unmatched>,
    /// Offset of the first `"…"` or `'…'` string that runs past the end of its line. The grammar
    /// allows that, but real code never does it, so it almost always means a lost quote, and
    /// every bracket after it is paired wrongly.
    pub runaway_string: Option<usize>,
}

/// A closer that no opener matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmatched {
    /// The closing bracket.
    pub bracket: Bracket,
    /// Byte offset of the start of the line that most likely lost the opener: the closer's own
    /// line when the closer ends a one-line construct, else the nearest line above with the
    /// closer's indentation.
    pub block_start: Option<usize>,
    /// Byte offset where the outermost block around the closer ends (or the closer's line ends,
    /// outside every block); the parser, misled by the closer, is lost until there.
    pub cascade_end: usize,
}

#[derive(Clone, Copy)]
struct Open {
    bracket: Bracket,
    /// Indentation of the line the opener is on.
    indent: usize,
    /// Whether the opener ends its line, as the opener of a block laid out over lines does.
    opens_line_block: bool,
    /// Open brackets around this one.
    depth: usize,
}

fn closer_for(open: char) -> char {
    match open {
        '{' => '}',
        '[' => ']',
        _ => ')',
    }
}

/// Pairs the brackets of `text`, skipping comments, strings and multi-line string blocks.
///
/// Indentation settles what counting alone cannot:
/// - a closer that starts its line and is indented less than the line of the innermost open
///   bracket, while the opener just outside it sits at exactly its indentation, closes that outer
///   opener, and the innermost one is unclosed. That is how a block that lost its `}` is found
///   even though a later `}` seemingly closes it.
/// - a closer that starts its line indented deeper than the line of the innermost open block,
///   or that ends a line with no opener on it while that block spans lines, lost its opener.
pub fn check_brackets(text: &str) -> BracketReport {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        report: BracketReport::default(),
        stack: Vec::new(),
        open_counts: [0; 3],
        line: Line::default(),
        bracket_on_line: false,
        pending_cascades: 0,
    };
    scanner.run();
    let bytes = scanner.bytes;
    let stack = std::mem::take(&mut scanner.stack);
    for open in stack {
        scanner.report.unclosed.push(Unclosed {
            bracket: open.bracket,
            scope_end: text.len(),
            ended_early: false,
        });
        scanner.close_cascades(&open, text.len());
    }
    let mut report = scanner.report;
    report.unclosed.sort_by_key(|u| u.bracket.offset);
    for unmatched in &mut report.unmatched {
        if unmatched.cascade_end == usize::MAX {
            unmatched.cascade_end = text.len();
        }
        if unmatched.block_start.is_none() {
            unmatched.block_start = block_start(bytes, unmatched.bracket.offset);
        }
    }
    report
}

struct Scanner<'a> {
    bytes: &'a [u8],
    report: BracketReport,
    stack: Vec<Open>,
    /// How many openers of each kind (`{`, `[`, `(`) are on the stack.
    open_counts: [usize; 3],
    line: Line,
    /// Whether a bracket was already seen on the current line.
    bracket_on_line: bool,
    /// Unmatched closers from this index on still wait for their cascade to end.
    pending_cascades: usize,
}

/// The line being scanned, measured once so that long lines cost no more than short ones.
#[derive(Clone, Copy, Default)]
struct Line {
    start: usize,
    end: usize,
    /// Offset of the first non-blank byte, or `end`.
    first_non_blank: usize,
    /// Offset of the last non-blank byte, or `end`.
    last_non_blank: usize,
}

impl Line {
    fn at(bytes: &[u8], start: usize) -> Self {
        let end = end_of_line(bytes, start);
        let content = &bytes[start..end];
        let first_non_blank = content
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .map_or(end, |p| start + p);
        let last_non_blank = content
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(end, |p| start + p);
        Self {
            start,
            end,
            first_non_blank,
            last_non_blank,
        }
    }

    fn indent(&self) -> usize {
        self.first_non_blank - self.start
    }
}

fn kind_index(bracket: u8) -> usize {
    match bracket {
        b'{' | b'}' => 0,
        b'[' | b']' => 1,
        _ => 2,
    }
}

impl Scanner<'_> {
    fn new_line(&mut self, start: usize) {
        self.line = Line::at(self.bytes, start);
        self.bracket_on_line = false;
    }

    fn run(&mut self) {
        let bytes = self.bytes;
        self.new_line(0);
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'\n' => {
                    self.new_line(i + 1);
                    i += 1;
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => i = self.line.end.max(i + 2),
                b'"' | b'\'' | b'`' => {
                    let triple = triple_quoted_block(bytes, i);
                    let end = triple.unwrap_or_else(|| quoted(bytes, i));
                    if let Some(p) = bytes[i..end].iter().rposition(|&c| c == b'\n') {
                        self.new_line(i + p + 1);
                        if triple.is_none() && b != b'`' && self.report.runaway_string.is_none() {
                            self.report.runaway_string = Some(i);
                        }
                    }
                    i = end;
                }
                b'{' | b'[' | b'(' => {
                    self.stack.push(Open {
                        bracket: Bracket {
                            char: b as char,
                            offset: i,
                        },
                        indent: self.line.indent(),
                        opens_line_block: self.line.last_non_blank == i,
                        depth: self.stack.len(),
                    });
                    self.open_counts[kind_index(b)] += 1;
                    self.bracket_on_line = true;
                    i += 1;
                }
                b'}' | b']' | b')' => {
                    self.close(Bracket {
                        char: b as char,
                        offset: i,
                    });
                    self.bracket_on_line = true;
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }

    fn pop(&mut self) -> Option<Open> {
        let open = self.stack.pop()?;
        self.open_counts[kind_index(open.bracket.char as u8)] -= 1;
        Some(open)
    }

    /// Pairs `closer` with an opener on the stack, or records it as unmatched.
    fn close(&mut self, closer: Bracket) {
        let line = self.line;
        let starts_line = line.first_non_blank == closer.offset;
        let indent = line.indent();
        let Some(top) = self.stack.last().copied() else {
            self.unmatched(closer, None);
            return;
        };
        if self.open_counts[kind_index(closer.char as u8)] == 0 {
            self.unmatched(closer, None);
            return;
        }
        let fits = |open: &Open| closer_for(open.bracket.char) == closer.char;
        let target = if fits(&top) {
            let top_is_line_block = top.opens_line_block && top.bracket.offset < line.start;
            if starts_line && top_is_line_block && top.indent < indent {
                self.unmatched(closer, None);
                return;
            }
            if !starts_line && !self.bracket_on_line && top_is_line_block {
                self.unmatched(closer, Some(line.start));
                return;
            }
            // Only a single lost closer is inferred: when several openers would be skipped, the
            // indentation is more likely misleading than that many closers gone.
            let skips_one = self.stack.len() >= 2
                && fits(&self.stack[self.stack.len() - 2])
                && self.stack[self.stack.len() - 2].indent == indent;
            if starts_line && top.indent > indent && skips_one {
                self.stack.len() - 2
            } else {
                self.stack.len() - 1
            }
        } else {
            // The count above guarantees that a fitting opener is on the stack.
            self.stack.iter().rposition(fits).unwrap_or(0)
        };
        while self.stack.len() > target + 1 {
            let Some(open) = self.pop() else { break };
            self.report.unclosed.push(Unclosed {
                bracket: open.bracket,
                scope_end: line.end,
                ended_early: true,
            });
            self.close_cascades(&open, line.end);
        }
        if let Some(open) = self.pop() {
            self.close_cascades(&open, line.end);
        }
    }

    /// Ends the cascade of the unmatched closers inside `open` if it is an outermost opener: a
    /// closer taken for the end of its block shifts the pairing of every closer after it, up to
    /// the end of the outermost block.
    fn close_cascades(&mut self, open: &Open, end: usize) {
        if open.depth != 0 {
            return;
        }
        for unmatched in &mut self.report.unmatched[self.pending_cascades..] {
            unmatched.cascade_end = end;
        }
        self.pending_cascades = self.report.unmatched.len();
    }

    fn unmatched(&mut self, closer: Bracket, block_start: Option<usize>) {
        // Outside every block the parser merely skips the closer.
        let cascade_end = if self.stack.is_empty() {
            self.line.end
        } else {
            usize::MAX
        };
        self.report.unmatched.push(Unmatched {
            bracket: closer,
            block_start,
            cascade_end,
        });
        if self.stack.is_empty() {
            self.pending_cascades = self.report.unmatched.len();
        }
    }
}

/// For a closer that starts its line, the start of the nearest earlier line with the same
/// indentation that is not blank, a comment or another closer: the line that opened the
/// closer's block.
fn block_start(bytes: &[u8], closer: usize) -> Option<usize> {
    // Only blanks may precede the closer on its line; stop at the first other byte.
    let line_start = match bytes[..closer]
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
    {
        Some(p) if bytes[p] == b'\n' => p + 1,
        Some(_) => return None,
        None => 0,
    };
    let indent = closer - line_start;
    let mut end = line_start;
    // A block longer than this is not worth guessing about, and the limit keeps many unmatched
    // closers from costing a scan of the whole text each.
    let mut lines_left = 200;
    while end > 0 && lines_left > 0 {
        lines_left -= 1;
        let start = bytes[..end - 1]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let line = &bytes[start..end - 1];
        let content = &line[indentation(line, 0)..];
        let blank = content.iter().all(|c| c.is_ascii_whitespace());
        let closes = content.first().is_some_and(|c| b"}])".contains(c));
        if !blank && !closes && !content.starts_with(b"//") && indentation(line, 0) == indent {
            return Some(start);
        }
        end = start;
    }
    None
}

fn end_of_line(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

fn indentation(bytes: &[u8], line_start: usize) -> usize {
    bytes[line_start.min(bytes.len())..]
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count()
}

/// End of a `"…"`, `'…'` or `` `…` `` literal starting at `start` (just past the closing quote,
/// or the end of the text when it is never closed). A backslash escapes the next character.
fn quoted(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// End of a `"""`, `'''` or ```` ``` ```` block starting at `start`, if one starts there.
///
/// The opening delimiter must end its line; the block ends on the first later line whose trimmed
/// text starts with the same delimiter, just past that delimiter. `"""abc"""` on one line is not
/// a block.
fn triple_quoted_block(bytes: &[u8], start: usize) -> Option<usize> {
    let delimiter = &bytes[start..(start + 3).min(bytes.len())];
    if delimiter.len() < 3 || delimiter.iter().any(|&c| c != bytes[start]) {
        return None;
    }
    let line_end = end_of_line(bytes, start + 3);
    let rest = &bytes[start + 3..line_end];
    if !rest.iter().all(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let mut line = line_end + 1;
    while line < bytes.len() {
        let indent = indentation(bytes, line);
        if bytes[line + indent..].starts_with(delimiter) {
            return Some(line + indent + 3);
        }
        line = end_of_line(bytes, line) + 1;
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unclosed(text: &str) -> Vec<usize> {
        check_brackets(text)
            .unclosed
            .iter()
            .map(|u| u.bracket.offset)
            .collect()
    }

    #[test]
    fn balanced_text_reports_nothing() {
        let text = "query a {\n  stack {\n    var $x { value = [1, (2)] }\n  }\n}\n";
        assert_eq!(check_brackets(text), BracketReport::default());
    }

    #[test]
    fn brackets_in_comments_and_strings_are_ignored() {
        let text = concat!(
            "query a {\n",
            "  // a comment with { and (\n",
            "  x = \"a { \\\" [\"\n",
            "  y = 'it''s ( \\' '\n",
            "  z = `$a[`\n",
            "  q = \"\"\"\n",
            "    { unclosed in text\n",
            "    \"\"\"|trim\n",
            "  w = \"\"\"x\"\"\"\n",
            "}\n",
        );
        assert_eq!(check_brackets(text), BracketReport::default());
    }

    #[test]
    fn deleted_inner_brace_is_found_ended_early() {
        let text = "query a {\n  stack {\n    var $x {\n      value = 1\n  }\n}\n";
        let report = check_brackets(text);
        assert_eq!(report.unmatched, vec![]);
        assert_eq!(report.unclosed.len(), 1);
        let lost = report.unclosed[0];
        assert_eq!(lost.bracket.offset, text.find("{\n      value").unwrap());
        assert!(lost.ended_early);
        assert_eq!(lost.scope_end, text.find("  }\n}").unwrap() + 3);
    }

    #[test]
    fn deleted_last_brace_leaves_the_outer_opener() {
        let text = "query a {\n  stack {\n  }\n";
        assert_eq!(unclosed(text), vec![8]);
        assert!(!check_brackets(text).unclosed[0].ended_early);
    }

    #[test]
    fn extra_closer_is_unmatched() {
        let report = check_brackets("a {\n}\n}\n)");
        let closers: Vec<(char, usize, Option<usize>)> = report
            .unmatched
            .iter()
            .map(|u| (u.bracket.char, u.bracket.offset, u.block_start))
            .collect();
        assert_eq!(closers, vec![('}', 6, Some(0)), (')', 8, Some(0))]);
        assert!(report.unclosed.is_empty());
    }

    #[test]
    fn deleted_opener_is_found_ended_early() {
        let text = "query a {\n  stack\n    var $x {\n      value = 1\n    }\n  }\n}\n";
        let report = check_brackets(text);
        assert!(report.unclosed.is_empty());
        let closer = text.find("  }\n}").unwrap() + 2;
        assert_eq!(report.unmatched.len(), 1);
        let unmatched = report.unmatched[0];
        assert_eq!(
            unmatched.bracket,
            Bracket {
                char: '}',
                offset: closer
            }
        );
        assert_eq!(unmatched.block_start, text.find("  stack"));
        // The parser takes that `}` for the end of `query a {`, which really ends at the last line.
        assert_eq!(unmatched.cascade_end, text.len() - 1);
    }

    #[test]
    fn deleted_opener_of_a_one_line_literal_is_found() {
        let text = "query a {\n  stack {\n    f {\n      input = token: $t}\n    } as $u\n  }\n}\n";
        let report = check_brackets(text);
        assert!(report.unclosed.is_empty());
        assert_eq!(report.unmatched.len(), 1);
        let unmatched = report.unmatched[0];
        assert_eq!(unmatched.bracket.offset, text.find("}\n    } as").unwrap());
        assert_eq!(unmatched.block_start, text.find("      input"));
    }

    #[test]
    fn mismatched_kind_closes_the_nearest_fitting_opener() {
        let report = check_brackets("{ [ ( }");
        assert_eq!(
            report
                .unclosed
                .iter()
                .map(|u| u.bracket.char)
                .collect::<String>(),
            "[("
        );
        assert!(report.unmatched.is_empty());
    }

    #[test]
    fn string_running_past_its_line_is_reported() {
        let text = "query a {\n  x = \"abc\n  y = 1\n}\n";
        assert_eq!(
            check_brackets(text).runaway_string,
            Some(text.find('"').unwrap())
        );
        assert_eq!(
            check_brackets("a = \"\"\"\n x\n \"\"\"\n").runaway_string,
            None
        );
    }

    #[test]
    fn unterminated_literals_do_not_panic() {
        for text in ["\"abc", "'", "`", "\"\"\"\n{", "\"\"\"", "x \\", "\"\\"] {
            check_brackets(text);
        }
    }
}
