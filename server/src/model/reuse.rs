//! Reusing the model of a previous version of a text.
//!
//! After a keystroke only one object of a file has changed; the others have the same text,
//! perhaps further along. An object whose text did not change lowers to the same model, moved
//! by as many bytes as its text moved, so [`lower_reusing`] copies it from the previous model
//! and moves its spans instead of walking its syntax tree again. Within the edited object, the
//! same holds for the items of its blocks (statements, attributes, field lists) the edit did
//! not touch.
//!
//! Every struct is taken apart field by field below, so that a span added to the model fails
//! to compile here until it is moved too.

use tree_sitter::Node;

use super::SourceFile;
use super::change::{Shift, TextChange};
use super::lower::Lower;

/// The model of `src`, copying from `previous` (the model of `old_src`) every object whose
/// text is unchanged. Only a tree without syntax errors is reused from: there every object is
/// parsed from its own text alone, whereas error recovery may read the same text otherwise.
pub fn lower_reusing(root: Node, src: &str, old_src: &str, previous: &SourceFile) -> SourceFile {
    if root.has_error() || previous.objects.iter().any(|o| o.damaged) {
        return super::lower(root, src);
    }
    let change = TextChange::between(old_src, src);
    let l = Lower::new(root, src).reusing(change);
    let mut file = SourceFile::default();
    for node in l.children(root) {
        if node.kind() != "object" {
            continue;
        }
        let range = node.byte_range();
        let kept = change.map_new(&range).and_then(|old| {
            let i = previous
                .objects
                .binary_search_by_key(&old.start, |o| o.span.start)
                .ok()?;
            Some(&previous.objects[i]).filter(|o| o.span == old)
        });
        match kept {
            Some(object) => {
                let mut object = object.clone();
                object.shift(range.start as isize - object.span.start as isize);
                file.objects.push(object);
            }
            None => {
                // The edited object: its previous version starts where it does.
                let before = previous
                    .objects
                    .binary_search_by_key(&range.start, |o| o.span.start)
                    .ok()
                    .map(|i| &previous.objects[i]);
                file.objects.extend(l.object(node, before));
            }
        }
    }
    super::lower::collect_comments(root, src, &mut file.comments);
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_changed_region() {
        let c = TextChange::between("abcdef", "abXYdef");
        assert_eq!((c.start, c.old_end, c.new_end), (2, 3, 4));
        assert_eq!(c.map_old(&(0..2)), Some(0..2));
        assert_eq!(c.map_old(&(3..6)), Some(4..7));
        assert_eq!(c.map_old(&(1..4)), None);
        assert_eq!(c.map_new(&(4..7)), Some(3..6));
        // A pure insertion: an empty range at the insertion point has no single image.
        let c = TextChange::between("abc", "abxc");
        assert_eq!(c.map_old(&(2..2)), None);
        assert_eq!(c.map_old(&(0..2)), Some(0..2));
        assert_eq!(c.map_old(&(2..3)), Some(3..4));
        // Repeated characters: prefix and suffix never overlap.
        let c = TextChange::between("aaa", "aaaa");
        assert!(c.start <= c.old_end && c.old_end <= 3 && c.new_end <= 4);
        assert_eq!(c.delta(), 1);
        let same = TextChange::between("abc", "abc");
        assert_eq!(same.map_old(&(0..3)), Some(0..3));
    }

    #[test]
    fn keeps_characters_whole() {
        // `é` and `è` share their first byte, `é` and `©` their last: the change takes the whole
        // characters.
        let c = TextChange::between("aéb", "aèb");
        assert_eq!((c.start, c.old_end, c.new_end), (1, 3, 3));
        let c = TextChange::between("xé", "x©");
        assert_eq!((c.start, c.old_end, c.new_end), (1, 3, 3));
    }
}
