//! Syntax errors a person can act on, derived from the ERROR and MISSING nodes of a tree.

use std::ops::Range;

use tree_sitter::{Language, Node};

use super::brackets::{BracketReport, Unclosed, check_brackets};
use super::expected::{expected_phrase, state_wants_value, token_phrase};
use super::line_index::ColumnUnit;
use super::parse::{SyntaxTree, floor_char_boundary, language};

/// One syntax error: where it is and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte range the error points at; empty only for an empty file.
    pub range: Range<usize>,
    /// A sentence describing the problem in terms of the source text.
    pub message: String,
}

/// How much of a token a message quotes.
const MAX_QUOTED_CHARS: usize = 24;

/// The syntax errors of a parsed file, one per damaged region, in text order.
pub fn syntax_errors(syntax: &SyntaxTree) -> Vec<SyntaxError> {
    let root = syntax.tree().root_node();
    if !root.has_error() {
        return Vec::new();
    }
    let text = syntax.text();
    let mut problems = Vec::new();
    collect_problems(root, &mut problems);
    let leaves = leaves(root);
    let brackets = check_brackets(text);
    let context = Context {
        syntax,
        language: language(),
        leaves: &leaves,
        brackets: &brackets,
        early_scopes: Regions::new(
            brackets
                .unclosed
                .iter()
                .filter(|u| u.ended_early)
                .map(|u| u.bracket.offset..u.scope_end)
                .collect(),
        ),
    };

    let runaway = brackets
        .runaway_string
        .filter(|&quote| problems.iter().any(|p| p.end_byte() > quote));
    let BracketErrors {
        mut errors,
        explained_regions,
        reported_unclosed,
    } = match runaway {
        // Every quote and bracket after it is paired wrongly: one error covers all trouble from
        // there on.
        Some(quote) => BracketErrors {
            errors: vec![context.runaway_string_error(quote)],
            explained_regions: Regions::default(),
            reported_unclosed: false,
        },
        None => context.bracket_errors(&problems),
    };
    for problem in &problems {
        if runaway.is_some_and(|quote| problem.end_byte() > quote)
            || (reported_unclosed && context.is_bracket_problem(*problem))
        {
            continue;
        }
        let error = if problem.is_missing() {
            context.describe_missing(*problem)
        } else {
            context.describe_error(*problem)
        };
        let explained = [problem.start_byte(), error.range.start]
            .iter()
            .any(|&offset| explained_regions.contains(offset));
        if !explained {
            errors.push(error);
        }
    }

    errors.sort_by_key(|e| (e.range.start, e.range.end));
    let index = syntax.line_index();
    let mut kept: Vec<SyntaxError> = Vec::with_capacity(errors.len());
    for error in errors {
        if let Some(last) = kept.last() {
            let overlaps = error.range.start < last.range.end;
            let same_line = index.line_of(error.range.start) == index.line_of(last.range.end);
            if overlaps || same_line {
                continue;
            }
        }
        kept.push(error);
    }
    kept
}

/// Outermost ERROR nodes and MISSING nodes outside them, in text order.
fn collect_problems<'t>(root: Node<'t>, problems: &mut Vec<Node<'t>>) {
    // An explicit stack: a deeply nested file must not exhaust the call stack.
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if node.is_error() || node.is_missing() {
            problems.push(node);
        } else if node.has_error() {
            let mut cursor = node.walk();
            let children: Vec<Node<'t>> = node.children(&mut cursor).collect();
            pending.extend(children.into_iter().rev());
        }
    }
}

/// Every token of the tree in text order, without comments.
fn leaves(root: Node<'_>) -> Vec<Node<'_>> {
    let mut leaves = Vec::new();
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        if node.child_count() == 0 {
            if node.kind() != "comment"
                && !(node.is_error() && node.start_byte() == node.end_byte())
            {
                leaves.push(node);
            }
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    leaves
}

/// A set of byte ranges with fast membership tests.
#[derive(Default)]
struct Regions {
    /// Sorted, non-overlapping ranges.
    ranges: Vec<Range<usize>>,
}

impl Regions {
    fn new(mut ranges: Vec<Range<usize>>) -> Self {
        ranges.retain(|r| !r.is_empty());
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        Self { ranges: merged }
    }

    fn contains(&self, offset: usize) -> bool {
        let after = self.ranges.partition_point(|r| r.start <= offset);
        after > 0 && offset < self.ranges[after - 1].end
    }
}

/// What the bracket pass explains.
struct BracketErrors {
    errors: Vec<SyntaxError>,
    /// Regions whose tree errors follow from these errors and are not reported.
    explained_regions: Regions,
    /// Whether unclosed openers were reported, which explains MISSING closers and the like.
    reported_unclosed: bool,
}

struct Context<'a, 't> {
    syntax: &'a SyntaxTree,
    language: Language,
    leaves: &'a [Node<'t>],
    brackets: &'a BracketReport,
    /// Blocks shown to be unclosed by a later closer, from the opener to that closer's line end.
    early_scopes: Regions,
}

impl<'t> Context<'_, 't> {
    fn text(&self) -> &str {
        self.syntax.text()
    }

    /// Errors for unclosed openers, when the tree shows trouble a lost closer explains, and for
    /// unmatched closers, when the tree shows trouble in or after their block.
    fn bracket_errors(&self, problems: &[Node<'t>]) -> BracketErrors {
        let mut errors = Vec::new();
        let mut explained = Vec::new();
        let reported_unclosed = !self.brackets.unclosed.is_empty()
            && problems.iter().any(|p| self.is_bracket_problem(*p));
        if reported_unclosed {
            // Openers left open by the same closer (or by the end of the text) form one group;
            // its innermost opener needs closing first, the others are only counted.
            let mut groups: Vec<Vec<&Unclosed>> = Vec::new();
            let mut sorted: Vec<&Unclosed> = self.brackets.unclosed.iter().collect();
            sorted.sort_by_key(|u| (u.ended_early, u.scope_end, u.bracket.offset));
            for unclosed in sorted {
                match groups.last_mut() {
                    Some(group)
                        if group[0].scope_end == unclosed.scope_end
                            && group[0].ended_early == unclosed.ended_early =>
                    {
                        group.push(unclosed);
                    }
                    _ => groups.push(vec![unclosed]),
                }
            }
            for group in groups {
                let (outermost, innermost) = (group[0], group[group.len() - 1]);
                errors.push(self.unclosed_error(innermost, group.len() - 1));
                if outermost.ended_early {
                    explained.push(outermost.bracket.offset..outermost.scope_end);
                }
            }
        }
        let explained_by_unclosed = Regions::new(explained.clone());
        let last_problem_end = problems.iter().map(|p| p.end_byte()).max().unwrap_or(0);
        let index = self.syntax.line_index();
        // Unmatched closers come in text order and each explains from its block's start on, so
        // a closer before this offset lies in the cascade of an earlier one.
        let mut cascade_until = 0;
        for unmatched in &self.brackets.unmatched {
            let closer = unmatched.bracket;
            if closer.offset < cascade_until || explained_by_unclosed.contains(closer.offset) {
                continue;
            }
            let region_start = unmatched.block_start.unwrap_or(closer.offset);
            if last_problem_end < region_start {
                continue;
            }
            let region_end = index
                .line_range(index.line_of(closer.offset))
                .map_or(closer.offset + 1, |line| line.end.max(closer.offset + 1))
                .max(unmatched.cascade_end);
            explained.push(region_start..region_end);
            cascade_until = cascade_until.max(region_end);
            let opener = match closer.char {
                '}' => '{',
                ']' => '[',
                _ => '(',
            };
            let mut message = format!("unmatched `{}`: no `{opener}` is open here", closer.char);
            if let Some(start) = unmatched.block_start {
                let line = index.line_of(start) + 1;
                message.push_str(&format!(" (is one missing on line {line}?)"));
            }
            errors.push(SyntaxError {
                range: closer.offset..closer.offset + 1,
                message,
            });
        }
        BracketErrors {
            errors,
            explained_regions: Regions::new(explained),
            reported_unclosed,
        }
    }

    /// A MISSING closer, an ERROR that runs to the end of the file, or any problem inside a
    /// block that indentation shows to be unclosed.
    fn is_bracket_problem(&self, node: Node<'t>) -> bool {
        if node.is_missing() && matches!(node.kind(), "}" | "]" | ")") {
            return true;
        }
        if node.is_error() && node.end_byte() >= self.text().trim_end().len() {
            return true;
        }
        self.early_scopes.contains(node.start_byte())
    }

    fn runaway_string_error(&self, quote: usize) -> SyntaxError {
        let position = self.syntax.line_index().line_col(quote, ColumnUnit::Char);
        let mark = &self.text()[quote..quote + 1];
        SyntaxError {
            range: quote..quote + 1,
            message: format!(
                "string opened at {}:{} runs past the end of its line; is a `{mark}` missing?",
                position.line + 1,
                position.column + 1
            ),
        }
    }

    /// "unclosed `{` opened at L:C", noting how many openers around it are unclosed too.
    fn unclosed_error(&self, unclosed: &Unclosed, enclosing: usize) -> SyntaxError {
        let offset = unclosed.bracket.offset;
        let position = self.syntax.line_index().line_col(offset, ColumnUnit::Char);
        let mut message = format!(
            "unclosed `{}` opened at {}:{}",
            unclosed.bracket.char,
            position.line + 1,
            position.column + 1
        );
        match enclosing {
            0 => {}
            1 => message.push_str(" (1 bracket around it is unclosed too)"),
            n => message.push_str(&format!(" ({n} brackets around it are unclosed too)")),
        }
        SyntaxError {
            range: offset..offset + 1,
            message,
        }
    }

    /// "expected `X` after `Y`", pointing at `Y`.
    fn describe_missing(&self, node: Node<'t>) -> SyntaxError {
        // The parser inserts a name where the cheapest repair is any name-like token; in a
        // value position that stands for a whole value.
        let offset = node.start_byte();
        let previous = self.previous_leaf(offset);
        let states = [
            node.parse_state(),
            previous.map_or(0, |p| p.next_parse_state()),
        ];
        let what = if node.kind() == "identifier"
            && states
                .iter()
                .any(|&state| state_wants_value(&self.language, state))
        {
            "a value".to_owned()
        } else {
            token_phrase(node.kind()).unwrap_or_else(|| format!("`{}`", node.kind()))
        };
        match previous {
            Some(previous) => SyntaxError {
                range: previous.byte_range(),
                message: format!("expected {what} after {}", self.quote(previous)),
            },
            None => SyntaxError {
                range: self.char_range_at(offset),
                message: format!("expected {what}"),
            },
        }
    }

    /// "unexpected `X` after `Y`; expected …".
    ///
    /// The tokens inside an ERROR keep the parse state they were first read in. Walking them
    /// finds the first one its state does not accept; failing that, the token after the error is
    /// checked against the state left by the last token inside it.
    fn describe_error(&self, error: Node<'t>) -> SyntaxError {
        let range = error.byte_range();
        // Leaves are in text order, so the ones inside and after the error are found by
        // binary search.
        let first_inside = self
            .leaves
            .partition_point(|leaf| leaf.start_byte() < range.start);
        let inside: Vec<Node<'t>> = self.leaves[first_inside..]
            .iter()
            .copied()
            .take_while(|leaf| leaf.start_byte() < range.end || leaf.end_byte() <= range.end)
            .filter(|leaf| leaf.end_byte() <= range.end && leaf.start_byte() < leaf.end_byte())
            .collect();
        let previous = self.previous_leaf(range.start);
        let first_after = self
            .leaves
            .partition_point(|leaf| leaf.start_byte() < range.end);
        let after = self.leaves[first_after..]
            .iter()
            .copied()
            .find(|leaf| !leaf.is_missing());

        let mut before = previous;
        let mut state = previous.map_or(0, |p| p.next_parse_state());
        let mut culprit = None;
        for &leaf in &inside {
            let leaf_state = if leaf.parse_state() != 0 {
                leaf.parse_state()
            } else {
                state
            };
            if leaf_state != 0 && !self.accepts(leaf_state, leaf) {
                culprit = Some((leaf, before, leaf_state, true));
                break;
            }
            state = leaf.next_parse_state();
            before = Some(leaf);
        }
        if culprit.is_none()
            && let Some(after) = after
            && state != 0
            && !self.accepts(state, after)
        {
            culprit = Some((after, before, state, false));
        }

        match culprit {
            Some((token, before, state, inside_error)) => {
                let end = if inside_error {
                    self.word_end(token.start_byte(), range.end)
                } else {
                    token.end_byte()
                };
                let mut message =
                    format!("unexpected {}", self.quote_range(token.start_byte()..end));
                if let Some(before) = before {
                    message.push_str(&format!(" after {}", self.quote(before)));
                }
                if let Some(expected) = expected_phrase(&self.language, state) {
                    message.push_str(&format!("; expected {expected}"));
                }
                SyntaxError {
                    range: token.start_byte()..end,
                    message,
                }
            }
            None => {
                let start = inside.first().map_or(range.start, |leaf| leaf.start_byte());
                let end = self.word_end(start, range.end);
                let mut message = if start < end {
                    format!("unexpected {}", self.quote_range(start..end))
                } else {
                    "unexpected end of the file".to_owned()
                };
                if let Some(previous) = previous {
                    message.push_str(&format!(" after {}", self.quote(previous)));
                }
                let range = if start < end {
                    start..end
                } else {
                    self.char_range_at(range.start)
                };
                SyntaxError { range, message }
            }
        }
    }

    fn accepts(&self, state: u16, token: Node<'t>) -> bool {
        let symbol = token.grammar_id();
        self.language
            .lookahead_iterator(state)
            .is_some_and(|mut lookahead| lookahead.any(|s| s == symbol))
    }

    /// The last real token that ends at or before `offset`.
    fn previous_leaf(&self, offset: usize) -> Option<Node<'t>> {
        let count = self
            .leaves
            .partition_point(|leaf| leaf.end_byte() <= offset);
        self.leaves[..count].iter().rev().copied().find(|leaf| {
            !leaf.is_missing() && !leaf.is_error() && leaf.start_byte() < leaf.end_byte()
        })
    }

    /// End of the run of non-blank characters starting at `start`, but not past `limit`.
    fn word_end(&self, start: usize, limit: usize) -> usize {
        let text = self.text();
        let limit = floor_char_boundary(text, limit.max(start));
        text[start..limit]
            .find(char::is_whitespace)
            .map_or(limit, |p| start + p)
    }

    /// The character at `offset`, or the one before it at the end of the text.
    fn char_range_at(&self, offset: usize) -> Range<usize> {
        let text = self.text();
        let offset = floor_char_boundary(text, offset);
        if let Some(ch) = text[offset..].chars().next() {
            return offset..offset + ch.len_utf8();
        }
        match text[..offset].chars().next_back() {
            Some(ch) => offset - ch.len_utf8()..offset,
            None => offset..offset,
        }
    }

    /// A token in backticks; a string's closing quote stands for the whole string.
    fn quote(&self, node: Node<'t>) -> String {
        let node = match node.parent() {
            Some(parent) if parent.kind() == "string" && parent.end_byte() == node.end_byte() => {
                parent
            }
            _ => node,
        };
        self.quote_range(node.byte_range())
    }

    /// The source text of `range` in backticks: its first line, shortened if long.
    fn quote_range(&self, range: Range<usize>) -> String {
        let text = self.text();
        let start = floor_char_boundary(text, range.start);
        let end = floor_char_boundary(text, range.end.max(start));
        let full = text[start..end].trim_end();
        let first_line = full.lines().next().unwrap_or("").trim_end();
        let mut quoted = String::new();
        for ch in first_line.chars().take(MAX_QUOTED_CHARS) {
            if ch.is_control() && ch != '\t' {
                quoted.extend(ch.escape_default());
            } else {
                quoted.push(ch);
            }
        }
        if first_line.chars().count() > MAX_QUOTED_CHARS || first_line.len() < full.len() {
            quoted.push('…');
        }
        format!("`{quoted}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn errors(text: &str) -> Vec<SyntaxError> {
        let errors = syntax_errors(&parse(text));
        for error in &errors {
            assert!(
                error.range.start < error.range.end && error.range.end <= text.len(),
                "bad range {:?} for {:?}",
                error.range,
                error.message
            );
        }
        errors
    }

    fn messages(text: &str) -> Vec<String> {
        errors(text).into_iter().map(|e| e.message).collect()
    }

    fn only_error(text: &str) -> SyntaxError {
        let mut errors = errors(text);
        assert_eq!(errors.len(), 1, "expected exactly one error: {errors:?}");
        errors.remove(0)
    }

    #[test]
    fn valid_text_has_no_errors() {
        let text = "query users verb=GET {\n  auth = \"user\"\n  input {\n    int page?=1\n  }\n  stack {\n    db.query user {\n      return = {type: \"list\"}\n    } as $users\n  }\n  response = $users\n}\n";
        assert_eq!(errors(text), vec![]);
    }

    #[test]
    fn missing_equals_in_filters_names_the_equals_sign() {
        let text = "query users verb=GET {\n  input {\n    text name filters trim\n  }\n}\n";
        let error = only_error(text);
        assert_eq!(
            error.message,
            "unexpected `trim` after `filters`; expected `=`"
        );
        assert_eq!(&text[error.range], "trim");
    }

    #[test]
    fn missing_equals_in_an_inline_attribute() {
        let error = only_error("query users verb GET {\n  auth = \"user\"\n}\n");
        assert_eq!(error.message, "unexpected `GET` after `verb`; expected `=`");
    }

    #[test]
    fn unexpected_word_lists_what_may_follow() {
        let text = "query users verb=GET {\n  input {\n    int page default\n  }\n}\n";
        let error = only_error(text);
        assert!(
            error
                .message
                .starts_with("unexpected `default` after `page`; expected "),
            "{}",
            error.message
        );
        for alternative in ["`=`", "`?`", "a line break"] {
            assert!(error.message.contains(alternative), "{}", error.message);
        }
        assert_eq!(&text[error.range], "default");
    }

    #[test]
    fn stray_token_is_quoted() {
        let text =
            "query x verb=GET {\n  stack {\n    var $x { value = 1 & }\n  }\n  response = $x\n}\n";
        let error = only_error(text);
        assert!(
            error.message.starts_with("unexpected `&` after `1`"),
            "{}",
            error.message
        );
        assert_eq!(&text[error.range], "&");
    }

    #[test]
    fn deleted_closing_brace_points_at_the_opener() {
        let text = concat!(
            "query users verb=GET {\n",
            "  stack {\n",
            "    db.get user {\n",
            "      field_name = \"id\"\n",
            "      field_value = $input.id\n",
            "    } as $user\n",
            "  response = $user\n",
            "}\n",
        );
        let error = only_error(text);
        assert_eq!(error.message, "unclosed `{` opened at 2:9");
        assert_eq!(error.range, 31..32);
    }

    #[test]
    fn deleted_last_brace_points_at_the_object() {
        let error = only_error("query users verb=GET {\n  stack {\n  }\n  response = 1\n");
        assert_eq!(error.message, "unclosed `{` opened at 1:22");
    }

    #[test]
    fn deleted_opening_brace_points_at_the_closer() {
        let text = concat!(
            "query users verb=GET {\n",
            "  stack\n",
            "    var $x {\n",
            "      value = 1\n",
            "    }\n",
            "  }\n",
            "  response = $x\n",
            "}\n",
        );
        let error = only_error(text);
        assert_eq!(
            error.message,
            "unmatched `}`: no `{` is open here (is one missing on line 2?)"
        );
        assert_eq!(error.range.start, text.find("  }\n  response").unwrap() + 2);
    }

    #[test]
    fn unclosed_parenthesis_inside_a_line() {
        let error = only_error("query x verb=GET {\n  response = (1 + 2\n}\n");
        assert_eq!(error.message, "unclosed `(` opened at 2:14");
    }

    #[test]
    fn missing_value_after_a_colon() {
        let error = only_error("query x verb=GET {\n  response = {a: }\n}\n");
        assert_eq!(error.message, "expected a value after `:`");
    }

    #[test]
    fn lost_quote_is_reported_once() {
        let text = concat!(
            "query x verb=GET {\n",
            "  api_group = \"shop\n",
            "  stack {\n",
            "    var $a { value = \"b\" }\n",
            "  }\n",
            "}\n",
        );
        let error = only_error(text);
        assert_eq!(
            error.message,
            "string opened at 2:15 runs past the end of its line; is a `\"` missing?"
        );
    }

    #[test]
    fn long_and_control_text_is_shortened_and_escaped() {
        let text = "query x verb=GET {\n  response = 1 \u{1}\n}\n";
        let message = &messages(text)[0];
        assert!(message.contains("`\\u{1}`"), "{message}");
        let long = format!("query x verb GET{} {{\n}}\n", "x".repeat(60));
        let message = &messages(&long)[0];
        assert!(message.contains('…'), "{message}");
        assert!(message.chars().count() < 120, "{message}");
    }

    #[test]
    fn deep_nesting_is_one_error() {
        let text = format!(
            "query x verb=GET {{\n  response = {}\n}}\n",
            "[".repeat(50_000)
        );
        let error = only_error(&text);
        assert_eq!(
            error.message,
            "unclosed `[` opened at 2:50013 (49999 brackets around it are unclosed too)"
        );
    }

    #[test]
    fn crlf_files_report_character_columns() {
        let text = "query x verb=GET {\r\n  input {\r\n    text name filters trim\r\n  }\r\n}\r\n";
        let error = only_error(text);
        assert_eq!(
            error.message,
            "unexpected `trim` after `filters`; expected `=`"
        );
        assert_eq!(&text[error.range], "trim");
    }

    /// Damaged versions of a real endpoint never yield raw grammar names, empty ranges or
    /// ranges outside the text.
    #[test]
    fn messages_never_show_grammar_internals() {
        let base = concat!(
            "// Updates the caller's profile\n",
            "query \"profile\" verb=PATCH {\n",
            "  api_group = \"account\"\n",
            "  auth = \"user\"\n",
            "\n",
            "  input {\n",
            "    text name? filters=trim\n",
            "    email email? filters=trim|lower\n",
            "  }\n",
            "\n",
            "  stack {\n",
            "    db.edit user {\n",
            "      field_name = \"id\"\n",
            "      field_value = $auth.id\n",
            "      data = {name: $input.name, email: $input.email}\n",
            "    } as $user\n",
            "\n",
            "    conditional {\n",
            "      if ($user == null) {\n",
            "        throw {\n",
            "          name = \"notfound\"\n",
            "          value = \"No such user\"\n",
            "        }\n",
            "      }\n",
            "    }\n",
            "  }\n",
            "\n",
            "  response = $user|pick:[\"id\", \"name\"]\n",
            "}\n",
        );
        assert_eq!(errors(base), vec![]);
        let junk = [
            "{", "}", "(", ")", "[", "]", "\"", "=", "|", "$", "&", "😀", "\n", ":", ",",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..400 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut text = base.to_owned();
            let at = crate::syntax::parse::floor_char_boundary(
                &text,
                (seed % text.len() as u64) as usize,
            );
            let piece = junk[(seed >> 32) as usize % junk.len()];
            if seed.is_multiple_of(3) {
                let end = crate::syntax::parse::floor_char_boundary(
                    &text,
                    at + 1 + (seed >> 40) as usize % 6,
                );
                text.replace_range(at..end, "");
            } else {
                text.insert_str(at, piece);
            }
            for error in errors(&text) {
                let message = &error.message;
                assert!(
                    [
                        "unexpected ",
                        "expected ",
                        "unclosed ",
                        "unmatched ",
                        "string opened "
                    ]
                    .iter()
                    .any(|prefix| message.starts_with(prefix)),
                    "{message}"
                );
                for internal in [
                    "ERROR",
                    "MISSING",
                    "_newline",
                    "identifier",
                    "_expression",
                    "repeat",
                ] {
                    assert!(!message.contains(internal), "{message}\n{text}");
                }
            }
        }
    }
}
