//! Conversions between byte offsets and line/column positions.
//!
//! Tree-sitter counts in UTF-8 bytes, LSP clients in UTF-16 code units and people in characters;
//! every conversion between them goes through [`LineIndex`] so that they agree.

use std::ops::Range;

/// What a column counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnUnit {
    /// UTF-8 bytes, as tree-sitter counts.
    Utf8,
    /// UTF-16 code units, as the Language Server Protocol counts by default.
    Utf16,
    /// Unicode scalar values, as the command line reports.
    Char,
}

/// A 0-based line and a 0-based column in some [`ColumnUnit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    /// 0-based line number.
    pub line: u32,
    /// 0-based column, in the unit the position was asked for.
    pub column: u32,
}

impl LineCol {
    /// A position from a 0-based line and column.
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

/// A character that takes more than one byte, located within its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WideChar {
    /// Byte offset from the start of the line.
    start: u32,
    /// Length in UTF-8 bytes (2, 3 or 4).
    len_utf8: u8,
}

impl WideChar {
    fn end(self) -> u32 {
        self.start + u32::from(self.len_utf8)
    }

    fn len_utf16(self) -> u32 {
        if self.len_utf8 == 4 { 2 } else { 1 }
    }
}

/// Line starts of one text, plus where its non-ASCII characters are.
///
/// A line ends at `\n`, `\r\n` or a lone `\r`, as the Language Server Protocol (3.17) and
/// editors count lines. The index keeps no copy of the text: most lines are ASCII, and for those
/// every unit counts the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line starts; the first is always 0.
    line_starts: Vec<u32>,
    /// Byte offset where each line's content ends, before `\n` or `\r\n`.
    content_ends: Vec<u32>,
    /// For each line, its multi-byte characters in order (empty for ASCII lines).
    wide_chars: Vec<Vec<WideChar>>,
    len: u32,
}

impl LineIndex {
    /// Indexes `text`.
    ///
    /// Offsets are stored as `u32`; a text longer than 4 GiB is indexed up to that size only.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut content_ends = Vec::new();
        let mut wide_chars = vec![Vec::new()];
        let mut line_start = 0usize;
        let bytes = text.as_bytes();
        for (offset, ch) in text.char_indices() {
            if offset > u32::MAX as usize - 4 {
                break;
            }
            let lone_cr = ch == '\r' && bytes.get(offset + 1) != Some(&b'\n');
            if ch == '\n' || lone_cr {
                let content_end = if ch == '\n' && offset > line_start && bytes[offset - 1] == b'\r'
                {
                    offset - 1
                } else {
                    offset
                };
                content_ends.push(content_end as u32);
                line_start = offset + 1;
                line_starts.push(line_start as u32);
                wide_chars.push(Vec::new());
            } else if !ch.is_ascii()
                && let Some(line) = wide_chars.last_mut()
            {
                line.push(WideChar {
                    start: (offset - line_start) as u32,
                    len_utf8: ch.len_utf8() as u8,
                });
            }
        }
        let len = text.len().min(u32::MAX as usize - 4) as u32;
        content_ends.push(len);
        Self {
            line_starts,
            content_ends,
            wide_chars,
            len,
        }
    }

    /// Length of the indexed text in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the indexed text is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of lines; a text ending in a line break has an empty last line.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a line's content, without its line ending; `None` past the last line.
    pub fn line_range(&self, line: usize) -> Option<Range<usize>> {
        let start = *self.line_starts.get(line)? as usize;
        let end = *self.content_ends.get(line)? as usize;
        Some(start..end)
    }

    /// 0-based line that contains `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len as usize) as u32;
        // `line_starts[0] == 0`, so the partition point is at least 1.
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// The position of a byte offset.
    ///
    /// An offset past the end clamps to the end; an offset inside a multi-byte character clamps to
    /// the start of that character; an offset inside a `\r\n` clamps to the end of the line's
    /// content.
    pub fn line_col(&self, offset: usize, unit: ColumnUnit) -> LineCol {
        let line = self.line_of(offset);
        let line_start = self.line_starts[line];
        let content_end = self.content_ends[line];
        let offset = (offset.min(self.len as usize) as u32).min(content_end);
        let mut byte_column = offset - line_start;
        let wide = &self.wide_chars[line];
        if let Some(ch) = wide
            .iter()
            .find(|ch| ch.start < byte_column && byte_column < ch.end())
        {
            byte_column = ch.start;
        }
        let column = match unit {
            ColumnUnit::Utf8 => byte_column,
            ColumnUnit::Utf16 | ColumnUnit::Char => {
                let mut column = byte_column;
                for ch in wide.iter().take_while(|ch| ch.start < byte_column) {
                    let units = match unit {
                        ColumnUnit::Utf16 => ch.len_utf16(),
                        _ => 1,
                    };
                    column = column - u32::from(ch.len_utf8) + units;
                }
                column
            }
        };
        LineCol::new(line as u32, column)
    }

    /// The byte offset of a position.
    ///
    /// A line past the end clamps to the end of the text; a column past the end of its line
    /// clamps to the end of the line's content; a column inside a character (a byte inside a
    /// multi-byte character, or the second half of a UTF-16 surrogate pair) clamps to the start
    /// of that character.
    pub fn offset(&self, position: LineCol, unit: ColumnUnit) -> usize {
        let line = position.line as usize;
        let Some(&line_start) = self.line_starts.get(line) else {
            return self.len as usize;
        };
        let content_end = self.content_ends[line];
        let line_len = content_end - line_start;
        let wanted = position.column;
        let byte_column = match unit {
            ColumnUnit::Utf8 => {
                let column = wanted.min(line_len);
                self.wide_chars[line]
                    .iter()
                    .find(|ch| ch.start < column && column < ch.end())
                    .map_or(column, |ch| ch.start)
            }
            ColumnUnit::Utf16 | ColumnUnit::Char => {
                let mut units_before = 0u32;
                let mut run_start = 0u32;
                let mut found = None;
                for &ch in &self.wide_chars[line] {
                    // ASCII between the previous wide character and this one: one unit per byte.
                    let run = ch.start - run_start;
                    if wanted < units_before + run {
                        found = Some(run_start + (wanted - units_before));
                        break;
                    }
                    units_before += run;
                    let units = match unit {
                        ColumnUnit::Utf16 => ch.len_utf16(),
                        _ => 1,
                    };
                    if wanted < units_before + units {
                        found = Some(ch.start);
                        break;
                    }
                    units_before += units;
                    run_start = ch.end();
                }
                found
                    .unwrap_or_else(|| run_start.saturating_add(wanted - units_before))
                    .min(line_len)
            }
        };
        (line_start + byte_column) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_all(text: &str) {
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
                let position = index.line_col(offset, unit);
                let back = index.offset(position, unit);
                let in_crlf = text[..offset].ends_with('\r') && text[offset..].starts_with('\n');
                if in_crlf {
                    assert_eq!(back, offset - 1, "{text:?} @ {offset} {unit:?}");
                } else {
                    assert_eq!(back, offset, "{text:?} @ {offset} {unit:?}");
                }
            }
        }
    }

    #[test]
    fn lone_carriage_returns_end_lines_as_lsp_counts_them() {
        let text = "a\rb\r\nc\nd\r";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 5);
        let lines: Vec<&str> = (0..5)
            .map(|l| &text[index.line_range(l).unwrap()])
            .collect();
        assert_eq!(lines, ["a", "b", "c", "d", ""]);
        assert_eq!(index.line_col(2, ColumnUnit::Utf16), LineCol::new(1, 0));
        assert_eq!(index.offset(LineCol::new(2, 0), ColumnUnit::Utf16), 5);
        assert_eq!(index.offset(LineCol::new(4, 0), ColumnUnit::Utf16), 9);
        roundtrip_all(text);
        roundtrip_all("\r\r\n\r");
    }

    #[test]
    fn ascii_lines() {
        let index = LineIndex::new("ab\ncd\n");
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_col(0, ColumnUnit::Char), LineCol::new(0, 0));
        assert_eq!(index.line_col(2, ColumnUnit::Char), LineCol::new(0, 2));
        assert_eq!(index.line_col(3, ColumnUnit::Utf16), LineCol::new(1, 0));
        assert_eq!(index.line_col(6, ColumnUnit::Utf8), LineCol::new(2, 0));
        assert_eq!(index.offset(LineCol::new(1, 1), ColumnUnit::Utf8), 4);
        assert_eq!(index.line_range(1), Some(3..5));
        assert_eq!(index.line_range(3), None);
    }

    #[test]
    fn emoji_counts_two_utf16_units_and_one_char() {
        // "😀" is 4 bytes in UTF-8 and a surrogate pair in UTF-16.
        let text = "a😀b\n😀";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(b, 5);
        assert_eq!(index.line_col(b, ColumnUnit::Utf8), LineCol::new(0, 5));
        assert_eq!(index.line_col(b, ColumnUnit::Utf16), LineCol::new(0, 3));
        assert_eq!(index.line_col(b, ColumnUnit::Char), LineCol::new(0, 2));
        assert_eq!(index.offset(LineCol::new(0, 3), ColumnUnit::Utf16), b);
        assert_eq!(index.offset(LineCol::new(0, 2), ColumnUnit::Char), b);
        // Inside the surrogate pair: back to the start of the emoji.
        assert_eq!(index.offset(LineCol::new(0, 2), ColumnUnit::Utf16), 1);
        // Inside the UTF-8 encoding: same.
        for inside in 2..5 {
            assert_eq!(
                index.line_col(inside, ColumnUnit::Utf16),
                LineCol::new(0, 1)
            );
            assert_eq!(index.line_col(inside, ColumnUnit::Char), LineCol::new(0, 1));
            assert_eq!(
                index.offset(LineCol::new(0, inside as u32), ColumnUnit::Utf8),
                1
            );
        }
        assert_eq!(
            index.line_col(text.len(), ColumnUnit::Utf16),
            LineCol::new(1, 2)
        );
        assert_eq!(
            index.line_col(text.len(), ColumnUnit::Char),
            LineCol::new(1, 1)
        );
        roundtrip_all(text);
    }

    #[test]
    fn cjk_counts_one_unit() {
        // Each of these is 3 bytes in UTF-8 and one UTF-16 unit.
        let text = "名前 = \"値\"\n";
        let index = LineIndex::new(text);
        let eq = text.find('=').unwrap();
        assert_eq!(eq, 7);
        assert_eq!(index.line_col(eq, ColumnUnit::Utf16), LineCol::new(0, 3));
        assert_eq!(index.line_col(eq, ColumnUnit::Char), LineCol::new(0, 3));
        assert_eq!(index.offset(LineCol::new(0, 3), ColumnUnit::Utf16), eq);
        assert_eq!(index.line_col(4, ColumnUnit::Char), LineCol::new(0, 1));
        assert_eq!(index.line_col(5, ColumnUnit::Char), LineCol::new(0, 1));
        roundtrip_all(text);
    }

    #[test]
    fn crlf_belongs_to_the_line_ending() {
        let text = "ab\r\ncd\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_range(0), Some(0..2));
        assert_eq!(index.line_col(2, ColumnUnit::Char), LineCol::new(0, 2));
        // Between `\r` and `\n`: still the end of line 0's content.
        assert_eq!(index.line_col(3, ColumnUnit::Char), LineCol::new(0, 2));
        assert_eq!(index.line_col(4, ColumnUnit::Char), LineCol::new(1, 0));
        assert_eq!(index.offset(LineCol::new(0, 10), ColumnUnit::Char), 2);
        assert_eq!(index.offset(LineCol::new(1, 1), ColumnUnit::Utf16), 5);
        roundtrip_all(text);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\n😀x";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(999, ColumnUnit::Char), LineCol::new(1, 2));
        assert_eq!(
            index.offset(LineCol::new(7, 0), ColumnUnit::Utf16),
            text.len()
        );
        assert_eq!(index.offset(LineCol::new(0, 99), ColumnUnit::Utf16), 2);
        assert_eq!(
            index.offset(LineCol::new(1, 99), ColumnUnit::Char),
            text.len()
        );
        assert_eq!(
            index.offset(LineCol::new(1, u32::MAX), ColumnUnit::Utf16),
            text.len()
        );
        assert_eq!(
            index.offset(LineCol::new(1, u32::MAX), ColumnUnit::Utf8),
            text.len()
        );
    }

    #[test]
    fn empty_text() {
        let index = LineIndex::new("");
        assert!(index.is_empty());
        assert_eq!(index.line_count(), 1);
        assert_eq!(index.line_col(5, ColumnUnit::Utf16), LineCol::new(0, 0));
        assert_eq!(index.offset(LineCol::new(3, 3), ColumnUnit::Char), 0);
    }

    #[test]
    fn mixed_text_roundtrips() {
        roundtrip_all("query 名前 {\r\n  a = \"😀é\"\r\n}\n\n\u{FEFF}x😀😀y\r");
    }
}
