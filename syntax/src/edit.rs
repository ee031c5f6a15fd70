use std::fmt;

use rnix::{TextRange, TextSize};

/// Replace `range` of a text with `new_text`. An empty range inserts; an empty `new_text` deletes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

impl TextEdit {
    pub fn replace(range: TextRange, new_text: impl Into<String>) -> TextEdit {
        TextEdit {
            range,
            new_text: new_text.into(),
        }
    }

    pub fn delete(range: TextRange) -> TextEdit {
        TextEdit {
            range,
            new_text: String::new(),
        }
    }

    pub fn insert(offset: TextSize, new_text: impl Into<String>) -> TextEdit {
        TextEdit {
            range: TextRange::empty(offset),
            new_text: new_text.into(),
        }
    }
}

/// Why a set of edits could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// Two edits touch the same text.
    Overlap { first: TextRange, second: TextRange },
    /// An edit reaches past the end of the text or splits a UTF-8 character.
    OutOfBounds(TextRange),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Overlap { first, second } => {
                write!(f, "edits at {first:?} and {second:?} overlap")
            }
            EditError::OutOfBounds(range) => write!(f, "edit at {range:?} is outside the text"),
        }
    }
}

impl std::error::Error for EditError {}

/// Applies edits given in any order to `text`. Edits may not overlap; insertions at the same
/// offset keep the order in which they were given. Nothing is applied unless all edits fit.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Result<String, EditError> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    // A stable sort keeps same-offset insertions in their given order.
    sorted.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
    for edit in &sorted {
        let range = edit.range;
        if usize::from(range.end()) > text.len()
            || !text.is_char_boundary(range.start().into())
            || !text.is_char_boundary(range.end().into())
        {
            return Err(EditError::OutOfBounds(range));
        }
    }
    for pair in sorted.windows(2) {
        let (first, second) = (pair[0].range, pair[1].range);
        let same_replacement_start = first.start() == second.start() && !second.is_empty();
        if first.end() > second.start() || (same_replacement_start && !first.is_empty()) {
            return Err(EditError::Overlap { first, second });
        }
    }
    let added: usize = sorted.iter().map(|edit| edit.new_text.len()).sum();
    let mut out = String::with_capacity(text.len() + added);
    let mut cursor = 0usize;
    for edit in sorted {
        out.push_str(&text[cursor..usize::from(edit.range.start())]);
        out.push_str(&edit.new_text);
        cursor = edit.range.end().into();
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: u32, end: u32) -> TextRange {
        TextRange::new(start.into(), end.into())
    }

    #[test]
    fn edits_apply_in_offset_order_whatever_the_given_order() {
        let text = "let a = 1; in a";
        let edits = [
            TextEdit::replace(range(14, 15), "b"),
            TextEdit::replace(range(4, 5), "b"),
        ];
        assert_eq!(apply_edits(text, &edits).unwrap(), "let b = 1; in b");
    }

    #[test]
    fn insertions_at_one_offset_keep_their_order() {
        let edits = [
            TextEdit::insert(1.into(), "x"),
            TextEdit::insert(1.into(), "y"),
        ];
        assert_eq!(apply_edits("ab", &edits).unwrap(), "axyb");
    }

    #[test]
    fn insertion_before_a_replacement_at_the_same_offset_is_allowed() {
        let edits = [
            TextEdit::insert(0.into(), "("),
            TextEdit::replace(range(0, 1), "b"),
        ];
        assert_eq!(apply_edits("a", &edits).unwrap(), "(b");
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let edits = [TextEdit::delete(range(0, 3)), TextEdit::delete(range(2, 4))];
        assert!(matches!(
            apply_edits("abcdef", &edits),
            Err(EditError::Overlap { .. })
        ));
    }

    #[test]
    fn edits_past_the_end_or_inside_a_character_are_refused() {
        assert!(matches!(
            apply_edits("ab", &[TextEdit::delete(range(1, 3))]),
            Err(EditError::OutOfBounds(_))
        ));
        assert!(matches!(
            apply_edits("é", &[TextEdit::delete(range(0, 1))]),
            Err(EditError::OutOfBounds(_))
        ));
    }
}
