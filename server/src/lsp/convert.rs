//! Positions and names as the client sees them, and as xsguard stores them.
//!
//! xsguard works in byte offsets; a client counts columns in the position encoding agreed at
//! `initialize`. Every conversion goes through [`LineIndex`], so they clamp the same way: a
//! position past the end of a line or of the text lands on that end, and a column inside a
//! character lands on its start.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use tower_lsp_server::ls_types::{
    GeneralClientCapabilities, Position, PositionEncodingKind, Range as LspRange, Uri,
};

use crate::syntax::{ColumnUnit, LineCol, LineIndex};

/// What the `character` of a position counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8 bytes: what xsguard stores, so no conversion work per character.
    Utf8,
    /// UTF-16 code units: the protocol's default, which every client supports.
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (it costs nothing to convert), else UTF-16.
    pub fn negotiate(general: Option<&GeneralClientCapabilities>) -> Self {
        let offered = general.and_then(|g| g.position_encodings.as_deref());
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Self::Utf8,
            _ => Self::Utf16,
        }
    }

    /// The name the protocol gives this encoding.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf8 => PositionEncodingKind::UTF8,
            Self::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn unit(self) -> ColumnUnit {
        match self {
            Self::Utf8 => ColumnUnit::Utf8,
            Self::Utf16 => ColumnUnit::Utf16,
        }
    }
}

/// The byte offset of a client position (clamped to the text).
pub fn offset(index: &LineIndex, position: Position, encoding: Encoding) -> usize {
    index.offset(
        LineCol::new(position.line, position.character),
        encoding.unit(),
    )
}

/// The client position of a byte offset (clamped to the text).
pub fn position(index: &LineIndex, offset: usize, encoding: Encoding) -> Position {
    let at = index.line_col(offset, encoding.unit());
    Position::new(at.line, at.column)
}

/// The client range of a byte range.
pub fn range(index: &LineIndex, bytes: &Range<usize>, encoding: Encoding) -> LspRange {
    LspRange::new(
        position(index, bytes.start, encoding),
        position(index, bytes.end.max(bytes.start), encoding),
    )
}

/// The byte range of a client range; a range whose end comes before its start is read with its
/// ends swapped.
pub fn byte_range(index: &LineIndex, range: LspRange, encoding: Encoding) -> Range<usize> {
    let a = offset(index, range.start, encoding);
    let b = offset(index, range.end, encoding);
    a.min(b)..a.max(b)
}

/// The name a document goes by in findings and in the workspace index: its file path for
/// `file:` URIs (so it matches the files read from disk), else the URI itself.
pub fn path_of(uri: &Uri) -> String {
    if is_file(uri)
        && let Some(path) = uri.to_file_path()
    {
        return path.to_string_lossy().into_owned();
    }
    uri.as_str().to_string()
}

/// The URI of a name made by [`path_of`].
pub fn uri_of(path: &str) -> Option<Uri> {
    if Path::new(path).is_absolute() {
        Uri::from_file_path(path)
    } else {
        Uri::from_str(path).ok()
    }
}

/// The file path of a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<Cow<'_, Path>> {
    if is_file(uri) {
        uri.to_file_path()
    } else {
        None
    }
}

fn is_file(uri: &Uri) -> bool {
    uri.scheme().as_str().eq_ignore_ascii_case("file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let text = "a😀名b\r\nx";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(position(&index, b, Encoding::Utf16), Position::new(0, 4));
        assert_eq!(position(&index, b, Encoding::Utf8), Position::new(0, 8));
        assert_eq!(offset(&index, Position::new(0, 4), Encoding::Utf16), b);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(offset(&index, Position::new(0, 2), Encoding::Utf16), 1);
    }

    #[test]
    fn positions_clamp() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(offset(&index, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(offset(&index, Position::new(9, 0), Encoding::Utf16), 6);
        assert_eq!(
            offset(&index, Position::new(u32::MAX, u32::MAX), Encoding::Utf8),
            6
        );
        assert_eq!(position(&index, 999, Encoding::Utf16), Position::new(1, 2));
        let reversed = LspRange::new(Position::new(1, 1), Position::new(0, 1));
        assert_eq!(byte_range(&index, reversed, Encoding::Utf16), 1..5);
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        let offered = GeneralClientCapabilities {
            position_encodings: Some(vec![
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8,
            ]),
            ..Default::default()
        };
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let utf32_only = GeneralClientCapabilities {
            position_encodings: Some(vec![PositionEncodingKind::UTF32]),
            ..Default::default()
        };
        assert_eq!(Encoding::negotiate(Some(&utf32_only)), Encoding::Utf16);
    }

    #[test]
    fn file_uris_become_paths_and_back() {
        let uri = Uri::from_str("file:///tmp/a%20b/c.xs").unwrap();
        assert_eq!(path_of(&uri), "/tmp/a b/c.xs");
        assert_eq!(uri_of("/tmp/a b/c.xs").unwrap(), uri);
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(path_of(&untitled), "untitled:Untitled-1");
        assert_eq!(uri_of("untitled:Untitled-1").unwrap(), untitled);
    }
}
