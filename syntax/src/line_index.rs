use rnix::{TextRange, TextSize};

/// Maps byte offsets to lines and columns and back, in the three units tools need: bytes (inside
/// nixwise), UTF-16 code units (LSP) and Unicode scalar values (the CLI and its JSON output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of every line; the first is always 0.
    line_starts: Vec<TextSize>,
    /// For each line holding non-ASCII text, its multi-byte characters in order; sorted by line.
    wide_lines: Vec<(u32, Vec<WideChar>)>,
    len: TextSize,
}

/// A zero-based line and a zero-based column counted in bytes from the start of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WideChar {
    /// Byte column within the line.
    start: u32,
    utf8_len: u8,
}

impl WideChar {
    fn utf16_len(self) -> u32 {
        if self.utf8_len == 4 {
            2
        } else {
            1
        }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![TextSize::from(0)];
        let mut wide_lines = Vec::new();
        read_lines(text, 0, text.len(), &mut line_starts, &mut wide_lines);
        LineIndex {
            line_starts,
            wide_lines,
            len: TextSize::of(text),
        }
    }

    /// The index of `text`, the indexed text with `range` replaced by `insert`: equal to
    /// [`LineIndex::new`] of `text`, but only the lines the edit touches are read, and the rest
    /// are moved.
    pub fn edited(&self, range: TextRange, insert: &str, text: &str) -> LineIndex {
        let consistent = range.end() <= self.len
            && usize::from(self.len - range.len()) + insert.len() == text.len();
        if !consistent {
            return LineIndex::new(text);
        }
        let first = self.line_col(range.start()).line as usize;
        let last = self.line_col(range.end()).line as usize;
        // From the start of the edit's first line to the start of the line after its last, where
        // the text after the edit begins again with a line.
        let from = usize::from(self.line_starts[first]);
        let old_to = self.line_starts.get(last + 1).copied().unwrap_or(self.len);
        let Some(to) = (usize::from(old_to) + insert.len()).checked_sub(usize::from(range.len()))
        else {
            return LineIndex::new(text);
        };
        let mut line_starts = self.line_starts[..=first].to_vec();
        let mut wide_lines: Vec<(u32, Vec<WideChar>)> = self
            .wide_lines
            .iter()
            .take_while(|(line, _)| (*line as usize) < first)
            .cloned()
            .collect();
        read_lines(text, from, to, &mut line_starts, &mut wide_lines);
        if to < text.len() {
            let moved_by = |offset: TextSize| {
                TextSize::from((usize::from(offset) + to - usize::from(old_to)) as u32)
            };
            let line_shift = line_starts.len() as i64 - (last as i64 + 1);
            line_starts.extend(
                self.line_starts[last + 1..]
                    .iter()
                    .map(|&start| moved_by(start)),
            );
            wide_lines.extend(
                self.wide_lines
                    .iter()
                    .filter(|(line, _)| *line as usize > last)
                    .map(|(line, chars)| ((i64::from(*line) + line_shift) as u32, chars.clone())),
            );
        }
        LineIndex {
            line_starts,
            wide_lines,
            len: TextSize::of(text),
        }
    }

    pub fn len(&self) -> TextSize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == TextSize::from(0)
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// The line and byte column of `offset`; offsets past the end are clamped to the end.
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        LineCol {
            line: line as u32,
            col: u32::from(offset - self.line_starts[line]),
        }
    }

    /// The byte range of a line without its line terminator (`\n` or `\r\n`), if the line exists.
    pub fn line_range(&self, line: u32, text: &str) -> Option<TextRange> {
        let start = *self.line_starts.get(line as usize)?;
        let mut end = self
            .line_starts
            .get(line as usize + 1)
            .map_or(self.len, |&next| next - TextSize::from(1));
        if end > start && text.as_bytes().get(usize::from(end) - 1) == Some(&b'\r') {
            end -= TextSize::from(1);
        }
        Some(TextRange::new(start, end))
    }

    fn wide_chars(&self, line: u32) -> &[WideChar] {
        match self
            .wide_lines
            .binary_search_by_key(&line, |(number, _)| *number)
        {
            Ok(found) => &self.wide_lines[found].1,
            Err(_) => &[],
        }
    }

    /// Converts a byte column to a UTF-16 column.
    pub fn to_utf16(&self, pos: LineCol) -> u32 {
        let mut col = pos.col;
        for wide in self.wide_chars(pos.line) {
            if wide.start >= pos.col {
                break;
            }
            col = col - u32::from(wide.utf8_len) + wide.utf16_len();
        }
        col
    }

    /// Converts a byte column to a column counted in Unicode scalar values.
    pub fn to_chars(&self, pos: LineCol) -> u32 {
        let mut col = pos.col;
        for wide in self.wide_chars(pos.line) {
            if wide.start >= pos.col {
                break;
            }
            col = col - u32::from(wide.utf8_len) + 1;
        }
        col
    }

    /// The byte offset of a (line, UTF-16 column) position. A column past the end of the line is
    /// clamped to the end of the line, as LSP asks; a line past the end of the file gives the end of
    /// the file. A column inside a surrogate pair is rounded down to the character's start.
    pub fn offset_utf16(&self, line: u32, col16: u32, text: &str) -> TextSize {
        self.offset_by(line, col16, text, WideChar::utf16_len)
    }

    /// The byte offset of a (line, scalar-value column) position, clamped like [`Self::offset_utf16`].
    pub fn offset_chars(&self, line: u32, col_chars: u32, text: &str) -> TextSize {
        self.offset_by(line, col_chars, text, |_| 1)
    }

    fn offset_by(
        &self,
        line: u32,
        col: u32,
        text: &str,
        unit_len: fn(WideChar) -> u32,
    ) -> TextSize {
        let Some(range) = self.line_range(line, text) else {
            return self.len;
        };
        let line_len = u32::from(range.len());
        let mut byte_col = 0u32;
        let mut units = 0u32;
        for wide in self.wide_chars(line) {
            // ASCII bytes between the previous position and this wide character.
            let ascii_run = wide.start - byte_col;
            if units + ascii_run >= col {
                return range.start() + TextSize::from((byte_col + (col - units)).min(line_len));
            }
            units += ascii_run;
            byte_col = wide.start;
            let len = unit_len(*wide);
            if units + len > col {
                return range.start() + TextSize::from(byte_col.min(line_len));
            }
            units += len;
            byte_col += u32::from(wide.utf8_len);
        }
        range.start() + TextSize::from((byte_col + (col - units).min(line_len)).min(line_len))
    }
}

/// Reads the lines of `text[from..to]`, where `from` starts a line and `to` ends the text or starts
/// a line whose start the caller has: the start of each line after the first goes to
/// `line_starts`, and the wide characters of each line to `wide_lines`. Finding newlines and
/// telling an ASCII line are both done many bytes at a time; only the rare lines with other
/// characters are read character by character.
fn read_lines(
    text: &str,
    from: usize,
    to: usize,
    line_starts: &mut Vec<TextSize>,
    wide_lines: &mut Vec<(u32, Vec<WideChar>)>,
) {
    let mut line_start = from;
    loop {
        let line_end = text[line_start..to]
            .find('\n')
            .map_or(to, |newline| line_start + newline);
        let line = &text[line_start..line_end];
        if !line.is_ascii() {
            wide_lines.push((line_starts.len() as u32 - 1, wide_chars_of(line)));
        }
        if line_end == to {
            break;
        }
        line_start = line_end + 1;
        // The line starting at `to` is the caller's, unless the text ends there.
        if line_start == to && to < text.len() {
            break;
        }
        line_starts.push(TextSize::from(line_start as u32));
    }
}

/// The characters of a line that take more than one byte.
fn wide_chars_of(line: &str) -> Vec<WideChar> {
    line.char_indices()
        .filter(|(_, ch)| !ch.is_ascii())
        .map(|(column, ch)| WideChar {
            start: column as u32,
            utf8_len: ch.len_utf8() as u8,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index as reading the text character by character gives it.
    fn by_chars(text: &str) -> LineIndex {
        let mut line_starts = vec![TextSize::from(0)];
        let mut wide_lines: Vec<(u32, Vec<WideChar>)> = Vec::new();
        let mut line_start = 0;
        for (offset, ch) in text.char_indices() {
            if ch == '\n' {
                line_start = offset + 1;
                line_starts.push(TextSize::from(line_start as u32));
            } else if !ch.is_ascii() {
                let line = line_starts.len() as u32 - 1;
                let wide = WideChar {
                    start: (offset - line_start) as u32,
                    utf8_len: ch.len_utf8() as u8,
                };
                match wide_lines.last_mut() {
                    Some((last, chars)) if *last == line => chars.push(wide),
                    _ => wide_lines.push((line, vec![wide])),
                }
            }
        }
        LineIndex {
            line_starts,
            wide_lines,
            len: TextSize::of(text),
        }
    }

    #[test]
    fn reading_bytes_gives_the_index_reading_characters_gives() {
        for text in [
            "",
            "\n",
            "ab\ncd",
            "é\n€𝔸\n\nü",
            "a\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}\n",
            "x = \"𝔸\";\r\n# ü\n",
        ] {
            assert_eq!(LineIndex::new(text), by_chars(text), "{text:?}");
        }
    }

    #[test]
    fn an_edited_index_equals_the_index_of_the_new_text() {
        const PIECES: &[&str] = &[
            "", "a", "\n", "é", "\r\n", "😀", "x\ny", "\n\n", "ü\n", "abc",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut below = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound.max(1) as u64) as usize
        };
        let boundary = |text: &str, mut at: usize| {
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        for _ in 0..200 {
            let mut text = String::new();
            for _ in 0..below(12) {
                text.push_str(PIECES[below(PIECES.len())]);
            }
            let mut index = LineIndex::new(&text);
            for _ in 0..30 {
                let start = boundary(&text, below(text.len() + 1));
                let end = boundary(&text, (start + below(6)).min(text.len())).max(start);
                let insert: String = (0..below(3)).map(|_| PIECES[below(PIECES.len())]).collect();
                let range =
                    TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32));
                text.replace_range(start..end, &insert);
                index = index.edited(range, &insert, &text);
                assert_eq!(index, LineIndex::new(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn ascii_positions() {
        let text = "ab\ncd\n";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_col(TextSize::from(4)),
            LineCol { line: 1, col: 1 }
        );
        assert_eq!(
            index.line_col(TextSize::from(6)),
            LineCol { line: 2, col: 0 }
        );
        assert_eq!(index.offset_utf16(1, 1, text), TextSize::from(4));
        assert_eq!(index.line_count(), 3);
    }

    #[test]
    fn utf16_and_char_columns_differ_for_wide_characters() {
        // `é` is 2 bytes, 1 UTF-16 unit, 1 char; `𝔸` is 4 bytes, 2 UTF-16 units, 1 char.
        let text = "é𝔸x = 1;";
        let index = LineIndex::new(text);
        let x = TextSize::from(6);
        let pos = index.line_col(x);
        assert_eq!(pos, LineCol { line: 0, col: 6 });
        assert_eq!(index.to_utf16(pos), 3);
        assert_eq!(index.to_chars(pos), 2);
        assert_eq!(index.offset_utf16(0, 3, text), x);
        assert_eq!(index.offset_chars(0, 2, text), x);
    }

    #[test]
    fn every_char_boundary_round_trips() {
        let text = "a€b\n𝔸 ü\r\n\nz";
        let index = LineIndex::new(text);
        for (offset, _) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            let offset = TextSize::from(offset as u32);
            let pos = index.line_col(offset);
            if text.as_bytes().get(usize::from(offset)) == Some(&b'\n') && pos.col > 0 {
                // The `\r` of a `\r\n` is not addressable in LSP columns; skip its `\n`.
                if text.as_bytes()[usize::from(offset) - 1] == b'\r' {
                    continue;
                }
            }
            assert_eq!(
                index.offset_utf16(pos.line, index.to_utf16(pos), text),
                offset
            );
            assert_eq!(
                index.offset_chars(pos.line, index.to_chars(pos), text),
                offset
            );
        }
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset_utf16(0, 99, text), TextSize::from(2));
        assert_eq!(index.offset_utf16(7, 0, text), TextSize::from(5));
        assert_eq!(
            index.line_col(TextSize::from(99)),
            LineCol { line: 1, col: 2 }
        );
    }

    #[test]
    fn column_inside_a_surrogate_pair_rounds_down() {
        let text = "𝔸b";
        let index = LineIndex::new(text);
        assert_eq!(index.offset_utf16(0, 1, text), TextSize::from(0));
        assert_eq!(index.offset_utf16(0, 2, text), TextSize::from(4));
    }

    #[test]
    fn crlf_line_range_excludes_the_carriage_return() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_range(0, text),
            Some(TextRange::new(0.into(), 2.into()))
        );
        assert_eq!(index.offset_utf16(0, 10, text), TextSize::from(2));
    }
}
