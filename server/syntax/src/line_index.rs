//! Line index: converts byte offsets to editor positions (line, column) and back.
//!
//! Lines follow the LSP specification: a line ends at `\n`, at `\r\n` or at a lone `\r`. (The go
//! command and tree-sitter only break lines at `\n` and treat a lone `\r` as whitespace;
//! [`LineIndex::newline_point`] gives positions in that sense.) Columns count code units of a
//! [`PositionEncoding`]. Every conversion clamps: a column past the end of its line means the end
//! of the line, a line past the end of the text means the end of the text, and an offset inside a
//! character or inside a `\r\n` pair moves back to the start of that character or pair.
//!
//! The index stores only line starts, so lookups are binary searches and the text itself is passed
//! in by the caller (as a `&str`, or as the text of one line for callers that keep a rope).

use std::ops::Range;

/// The unit in which a column counts the characters before it on its line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (two for a character outside the basic multilingual plane); the LSP
    /// default.
    #[default]
    Utf16,
    /// Unicode scalar values (characters).
    Utf32,
}

impl PositionEncoding {
    /// How many code units `character` takes in this encoding.
    pub fn units(self, character: char) -> u32 {
        match self {
            PositionEncoding::Utf8 => character.len_utf8() as u32,
            PositionEncoding::Utf16 => character.len_utf16() as u32,
            PositionEncoding::Utf32 => 1,
        }
    }
}

/// A position in a text: a zero-based line and a zero-based column counted in the code units of
/// a [`PositionEncoding`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineColumn {
    /// Zero-based line number.
    pub line: u32,
    /// Zero-based column, in code units of the encoding in use.
    pub column: u32,
}

/// What ends the line before a line start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Break {
    /// The first line: nothing before it.
    None,
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// A `\r` not followed by `\n`.
    Cr,
}

impl Break {
    fn len(self) -> usize {
        match self {
            Break::None => 0,
            Break::Lf | Break::Cr => 1,
            Break::CrLf => 2,
        }
    }
}

/// The start of one line and the line break that precedes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LineStart {
    offset: usize,
    after: Break,
}

/// The line structure of one text: where each line starts and how it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// One entry per line, sorted; the first is always offset 0 with [`Break::None`].
    lines: Vec<LineStart>,
    /// Offsets of the line starts that follow a lone `\r`, sorted (usually empty).
    lone_cr_starts: Vec<usize>,
    /// Length of the text in bytes.
    len: usize,
}

impl LineIndex {
    /// Builds the index of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut index = LineIndex {
            lines: vec![LineStart {
                offset: 0,
                after: Break::None,
            }],
            lone_cr_starts: Vec::new(),
            len: text.len(),
        };
        let bytes = text.as_bytes();
        let mut position = 0;
        while let Some(found) = bytes
            .get(position..)
            .and_then(|rest| rest.iter().position(|&byte| byte == b'\n' || byte == b'\r'))
        {
            let at = position + found;
            let after = match (bytes.get(at), bytes.get(at + 1)) {
                (Some(b'\r'), Some(b'\n')) => Break::CrLf,
                (Some(b'\r'), _) => Break::Cr,
                _ => Break::Lf,
            };
            position = at + after.len();
            index.push(LineStart {
                offset: position,
                after,
            });
        }
        index
    }

    fn push(&mut self, start: LineStart) {
        if start.after == Break::Cr {
            self.lone_cr_starts.push(start.offset);
        }
        self.lines.push(start);
    }

    /// The length in bytes of the indexed text.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the indexed text is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of lines; at least one (an empty text has one empty line, and a text ending in
    /// a line break has an empty last line).
    pub fn line_count(&self) -> u32 {
        u32::try_from(self.lines.len()).unwrap_or(u32::MAX)
    }

    /// The line that contains `offset` (clamped to the text); an offset inside a line break
    /// belongs to the line the break ends.
    pub fn line_of(&self, offset: usize) -> u32 {
        let offset = offset.min(self.len);
        let following = self.lines.partition_point(|start| start.offset <= offset);
        u32::try_from(following.saturating_sub(1)).unwrap_or(u32::MAX)
    }

    /// The byte offset where `line` starts, or `None` past the last line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.lines.get(line as usize).map(|start| start.offset)
    }

    /// The byte range of the text of `line` without its line break, or `None` past the last line.
    pub fn line_range(&self, line: u32) -> Option<Range<usize>> {
        let start = self.lines.get(line as usize)?.offset;
        let end = match self.lines.get(line as usize + 1) {
            Some(next) => next.offset - next.after.len(),
            None => self.len,
        };
        Some(start..end)
    }

    /// The byte range of `line` including its line break, or `None` past the last line.
    pub fn full_line_range(&self, line: u32) -> Option<Range<usize>> {
        let start = self.lines.get(line as usize)?.offset;
        let end = self
            .lines
            .get(line as usize + 1)
            .map_or(self.len, |next| next.offset);
        Some(start..end)
    }

    /// The position of `offset` in `text` (which must be the indexed text), with the column in
    /// `encoding` units. Clamps as described in the module documentation.
    pub fn position(&self, text: &str, offset: usize, encoding: PositionEncoding) -> LineColumn {
        let line = self.line_of(offset);
        let Some(range) = self.line_range(line) else {
            return LineColumn { line, column: 0 };
        };
        let line_text = text.get(range.clone()).unwrap_or_default();
        let column = column_of_byte(line_text, offset.min(self.len) - range.start, encoding);
        LineColumn { line, column }
    }

    /// The byte offset of `position` in `text` (which must be the indexed text), reading the
    /// column in `encoding` units. Clamps as described in the module documentation.
    pub fn offset(&self, text: &str, position: LineColumn, encoding: PositionEncoding) -> usize {
        let Some(range) = self.line_range(position.line) else {
            return self.len;
        };
        let line_text = text.get(range.clone()).unwrap_or_default();
        range.start + byte_of_column(line_text, position.column, encoding)
    }

    /// The position of `offset` counting only `\n` as a line break and the column in bytes: the
    /// positions of tree-sitter (`(row, column)` of its `Point`) and of the go command.
    pub fn newline_point(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset) as usize;
        let lone_cr_before = self
            .lone_cr_starts
            .partition_point(|&start| start <= offset);
        // Lines that begin after a lone `\r` continue the previous newline-delimited row, so walk
        // back to the start of the row; lone `\r` is rare, so this is usually no step at all.
        let mut row_start_line = line;
        while let Some(start) = self.lines.get(row_start_line) {
            if start.after != Break::Cr || row_start_line == 0 {
                break;
            }
            row_start_line -= 1;
        }
        let row_start = self
            .lines
            .get(row_start_line)
            .map_or(0, |start| start.offset);
        (line - lone_cr_before, offset - row_start)
    }

    /// Updates the index for an edit that replaced the bytes `range` of the old text with
    /// `new_text`. `before` is the old text's byte just before `range` and `after` its byte just
    /// after `range` (`None` at the start or the end of the text): a line break can join or split
    /// across the edges of an edit (`\r` + `\n`).
    ///
    /// Costs the size of `new_text` plus a shift of the line starts after the edit, so it stays
    /// cheap for small edits to a large text.
    pub fn replace(
        &mut self,
        range: Range<usize>,
        new_text: &str,
        before: Option<u8>,
        after: Option<u8>,
    ) {
        let start = range.start.min(self.len);
        let end = range.end.clamp(start, self.len);
        let inserted = new_text.len();

        // The bytes around the edit in the new text: `before`, the new text, `after`.
        let window_base = start - usize::from(before.is_some());
        let window: Vec<u8> = before
            .into_iter()
            .chain(new_text.bytes())
            .chain(after)
            .collect();
        let after_index = after.map(|_| window.len() - 1);

        // The line start at `start` after a `\n` in `before` keeps its kind (it depends on the
        // unchanged byte before `before`).
        let kept_kind_at_start = self
            .lines
            .binary_search_by_key(&start, |line| line.offset)
            .ok()
            .and_then(|found| self.lines.get(found))
            .map_or(Break::Lf, |line| line.after);

        let mut fresh = Vec::new();
        for (index, &byte) in window.iter().enumerate() {
            let is_after = Some(index) == after_index;
            let previous = index.checked_sub(1).and_then(|prior| window.get(prior));
            let start_offset = window_base + index + 1;
            match byte {
                b'\n' => {
                    let kind = match previous {
                        _ if index == 0 && before.is_some() => kept_kind_at_start,
                        Some(b'\r') => Break::CrLf,
                        _ => Break::Lf,
                    };
                    fresh.push(LineStart {
                        offset: start_offset,
                        after: kind,
                    });
                }
                // A `\r` in `after` ends a line according to the unchanged byte after it, and a
                // `\r` before `\n` is left to the `\n`.
                b'\r' if !is_after && window.get(index + 1) != Some(&b'\n') => {
                    fresh.push(LineStart {
                        offset: start_offset,
                        after: Break::Cr,
                    });
                }
                _ => {}
            }
        }

        // Old line starts decided by bytes that changed or whose neighbours changed: those in
        // `start..=end`, and the one after `after` when `after` is `\n` (CRLF or LF depends on the
        // byte before it). The first line start (offset 0) is never replaced.
        let remove_from = start.max(1);
        let remove_to = if after == Some(b'\n') { end + 1 } else { end };
        let first = self.lines.partition_point(|line| line.offset < remove_from);
        let last = self.lines.partition_point(|line| line.offset <= remove_to);
        let shift = |offset: usize| offset - end + start + inserted;
        for line in self.lines.iter_mut().skip(last) {
            line.offset = shift(line.offset);
        }
        let last = last.max(first);
        self.lines.splice(first..last, fresh.iter().copied());

        let first_cr = self
            .lone_cr_starts
            .partition_point(|&offset| offset < remove_from);
        let last_cr = self
            .lone_cr_starts
            .partition_point(|&offset| offset <= remove_to);
        for offset in self.lone_cr_starts.iter_mut().skip(last_cr) {
            *offset = shift(*offset);
        }
        let last_cr = last_cr.max(first_cr);
        self.lone_cr_starts.splice(
            first_cr..last_cr,
            fresh
                .iter()
                .filter(|line| line.after == Break::Cr)
                .map(|line| line.offset),
        );

        self.len = self.len - (end - start) + inserted;
    }
}

/// The column, in `encoding` units, of byte `byte_in_line` of `line_text` (the text of one line
/// without its line break). A byte past the end means the end; a byte inside a character means
/// the start of that character.
pub fn column_of_byte(line_text: &str, byte_in_line: usize, encoding: PositionEncoding) -> u32 {
    // Before the column, ASCII text (nearly every go.mod line) counts one unit per byte in
    // every encoding; `get` fails past the end and inside a character, which the loop handles.
    if let Some(before) = line_text.get(..byte_in_line)
        && before.is_ascii()
    {
        return u32::try_from(byte_in_line).unwrap_or(u32::MAX);
    }
    let mut column: u32 = 0;
    for (offset, character) in line_text.char_indices() {
        if offset + character.len_utf8() > byte_in_line {
            break;
        }
        column = column.saturating_add(encoding.units(character));
    }
    column
}

/// The byte offset in `line_text` (the text of one line without its line break) of `column`, in
/// `encoding` units. A column past the end means the end of the line; a column inside a
/// character (for example between the two UTF-16 units of an emoji) means the start of that
/// character.
pub fn byte_of_column(line_text: &str, column: u32, encoding: PositionEncoding) -> usize {
    if encoding == PositionEncoding::Utf8 && line_text.is_ascii() {
        return (column as usize).min(line_text.len());
    }
    let mut units: u32 = 0;
    for (offset, character) in line_text.char_indices() {
        let next = units.saturating_add(encoding.units(character));
        if next > column {
            return offset;
        }
        units = next;
    }
    line_text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENCODINGS: [PositionEncoding; 3] = [
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ];

    /// A text with every kind of line break, multi-byte characters in every UTF-8 length and an
    /// emoji outside the basic multilingual plane.
    const MIXED: &str = "module é.example/ü\r\n\r\nrequire (\n\tx.org/😀 v1.0.0 // 中\r\n)\rlast";

    fn position(line: u32, column: u32) -> LineColumn {
        LineColumn { line, column }
    }

    /// An independent, slow model of the line structure: split at `\r\n`, `\n`, lone `\r`.
    fn model_lines(text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut line_start = 0;
        let mut index = 0;
        while index < bytes.len() {
            match bytes[index] {
                b'\r' if bytes.get(index + 1) == Some(&b'\n') => {
                    lines.push((line_start, index));
                    index += 2;
                    line_start = index;
                }
                b'\r' | b'\n' => {
                    lines.push((line_start, index));
                    index += 1;
                    line_start = index;
                }
                _ => index += 1,
            }
        }
        lines.push((line_start, bytes.len()));
        lines
    }

    fn model_units(text: &str, encoding: PositionEncoding) -> u32 {
        match encoding {
            PositionEncoding::Utf8 => text.len() as u32,
            PositionEncoding::Utf16 => text.encode_utf16().count() as u32,
            PositionEncoding::Utf32 => text.chars().count() as u32,
        }
    }

    #[test]
    fn lines_follow_lsp_line_breaks() {
        let index = LineIndex::new(MIXED);
        assert_eq!(index.line_count(), 6);
        let lines: Vec<&str> = (0..index.line_count())
            .map(|line| &MIXED[index.line_range(line).unwrap()])
            .collect();
        assert_eq!(
            lines,
            [
                "module é.example/ü",
                "",
                "require (",
                "\tx.org/😀 v1.0.0 // 中",
                ")",
                "last"
            ]
        );
        assert_eq!(
            &MIXED[index.full_line_range(0).unwrap()],
            "module é.example/ü\r\n"
        );
        assert_eq!(index.line_range(6), None);
        assert_eq!(index.full_line_range(6), None);
        assert_eq!(index.len(), MIXED.len());
    }

    #[test]
    fn empty_text_and_trailing_breaks() {
        for (text, count) in [("", 1), ("é\r\n", 2), ("é\n", 2), ("é\r", 2), ("\r\n\r", 3)] {
            let index = LineIndex::new(text);
            assert_eq!(index.line_count(), count, "{text:?}");
            assert_eq!(index.is_empty(), text.is_empty());
            let last = index.line_range(count - 1).unwrap();
            assert_eq!(last, text.len()..text.len(), "{text:?}");
        }
    }

    #[test]
    fn position_of_offset_in_every_encoding() {
        let index = LineIndex::new(MIXED);
        let emoji = MIXED.find('😀').unwrap();
        let han = MIXED.find('中').unwrap();
        let u_umlaut = MIXED.find('ü').unwrap();
        let cases = [
            // (offset, utf-8 column, utf-16 column, utf-32 column, line)
            (u_umlaut, 0, 18, 17, 17),
            (u_umlaut + 2, 0, 20, 18, 18), // end of line 0, before "\r\n"
            (u_umlaut + 3, 0, 20, 18, 18), // between '\r' and '\n': back to the line end
            (u_umlaut + 4, 1, 0, 0, 0),    // the empty line
            (emoji, 3, 7, 7, 7),
            (emoji + 1, 3, 7, 7, 7),  // inside the emoji: its start
            (emoji + 4, 3, 11, 9, 8), // after the emoji
            (han + 3, 3, 25, 21, 20), // end of the line before "\r\n"
            (MIXED.len() - 4, 5, 0, 0, 0),
            (MIXED.len(), 5, 4, 4, 4),
            (MIXED.len() + 100, 5, 4, 4, 4), // past the end: clamped
        ];
        for (offset, line, utf8, utf16, utf32) in cases {
            for (encoding, column) in ENCODINGS.into_iter().zip([utf8, utf16, utf32]) {
                assert_eq!(
                    index.position(MIXED, offset, encoding),
                    position(line, column),
                    "offset {offset} in {encoding:?}"
                );
            }
        }
    }

    #[test]
    fn offset_of_position_in_every_encoding() {
        let index = LineIndex::new(MIXED);
        let emoji = MIXED.find('😀').unwrap();
        let line_one = MIXED.find("\r\n\r\n").unwrap() + 2;
        let line_three_end = MIXED.find(" // 中").unwrap() + 7;
        let cases = [
            // (line, column, encoding, offset)
            (0, 8, PositionEncoding::Utf8, 7), // inside 'é': its start
            (0, 8, PositionEncoding::Utf16, 9),
            (0, 8, PositionEncoding::Utf32, 9),
            (3, 7, PositionEncoding::Utf16, emoji),
            (3, 8, PositionEncoding::Utf16, emoji), // between the two surrogates: the emoji start
            (3, 9, PositionEncoding::Utf16, emoji + 4),
            (3, 8, PositionEncoding::Utf32, emoji + 4),
            (3, 9, PositionEncoding::Utf8, emoji + 2 - 2), // inside the emoji's bytes
            (3, 11, PositionEncoding::Utf8, emoji + 4),
            (1, 0, PositionEncoding::Utf16, line_one),
            (1, 5, PositionEncoding::Utf16, line_one), // past the end of an empty CRLF line
            (3, 1000, PositionEncoding::Utf16, line_three_end), // before "\r\n"
            (3, 1000, PositionEncoding::Utf8, line_three_end),
            (4, 1, PositionEncoding::Utf32, MIXED.len() - 5), // before the lone "\r"
            (5, 2, PositionEncoding::Utf16, MIXED.len() - 2),
            (6, 0, PositionEncoding::Utf16, MIXED.len()), // past the last line: the end
            (u32::MAX, u32::MAX, PositionEncoding::Utf8, MIXED.len()),
        ];
        for (line, column, encoding, offset) in cases {
            assert_eq!(
                index.offset(MIXED, position(line, column), encoding),
                offset,
                "({line}, {column}) in {encoding:?}"
            );
        }
    }

    #[test]
    fn round_trip_every_char_boundary() {
        let index = LineIndex::new(MIXED);
        for (offset, _) in MIXED.char_indices().chain([(MIXED.len(), ' ')]) {
            let inside_crlf = offset > 0
                && MIXED.as_bytes()[offset - 1] == b'\r'
                && MIXED.as_bytes().get(offset) == Some(&b'\n');
            for encoding in ENCODINGS {
                let position = index.position(MIXED, offset, encoding);
                let back = index.offset(MIXED, position, encoding);
                if inside_crlf {
                    assert_eq!(back, offset - 1, "{offset} {encoding:?}");
                } else {
                    assert_eq!(back, offset, "{offset} {encoding:?}");
                }
            }
        }
    }

    #[test]
    fn agrees_with_a_slow_model() {
        let texts = [
            MIXED,
            "\r\r\n\n\r",
            "a\u{2028}b\u{85}c\u{b}d\u{c}e",
            "𝔤𝔬\r\nmod",
        ];
        for text in texts {
            let index = LineIndex::new(text);
            let lines = model_lines(text);
            assert_eq!(index.line_count() as usize, lines.len(), "{text:?}");
            for (line, &(start, end)) in lines.iter().enumerate() {
                assert_eq!(index.line_range(line as u32), Some(start..end), "{text:?}");
                for (offset, _) in text[start..end].char_indices() {
                    for encoding in ENCODINGS {
                        let column = model_units(&text[start..start + offset], encoding);
                        let expected = position(line as u32, column);
                        assert_eq!(index.position(text, start + offset, encoding), expected);
                        assert_eq!(index.offset(text, expected, encoding), start + offset);
                    }
                }
            }
        }
    }

    #[test]
    fn unicode_line_separators_are_not_line_breaks() {
        // LSP only knows `\n`, `\r\n` and `\r`; U+2028, NEL, VT and FF stay inside the line.
        let index = LineIndex::new("a\u{2028}b\u{85}c\u{b}d\u{c}e\r\né");
        assert_eq!(index.line_count(), 2);
    }

    #[test]
    fn newline_points_ignore_lone_carriage_returns() {
        let text = "é\r\nab\rcd\r\rx\ny";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 6);
        let find = |needle: &str| text.find(needle).unwrap();
        assert_eq!(index.newline_point(0), (0, 0));
        assert_eq!(index.newline_point(find("ab")), (1, 0));
        assert_eq!(index.newline_point(find("cd")), (1, 3));
        assert_eq!(index.newline_point(find("x")), (1, 7));
        assert_eq!(index.newline_point(find("y")), (2, 0));
        assert_eq!(index.newline_point(text.len() + 5), (2, 1));
        assert_eq!(index.newline_point(find("\r\n") + 1), (0, 3));
    }

    #[test]
    fn column_helpers_clamp() {
        let line = "é😀x";
        assert_eq!(column_of_byte(line, 1, PositionEncoding::Utf16), 0);
        assert_eq!(column_of_byte(line, 2, PositionEncoding::Utf16), 1);
        assert_eq!(column_of_byte(line, 100, PositionEncoding::Utf16), 4);
        assert_eq!(column_of_byte(line, 100, PositionEncoding::Utf8), 7);
        assert_eq!(byte_of_column(line, 2, PositionEncoding::Utf16), 2);
        assert_eq!(byte_of_column(line, 3, PositionEncoding::Utf16), 6);
        assert_eq!(byte_of_column(line, 3, PositionEncoding::Utf8), 2);
        assert_eq!(byte_of_column(line, 99, PositionEncoding::Utf32), 7);
        assert_eq!(byte_of_column("abc\r", 9, PositionEncoding::Utf8), 4);
    }

    /// A small deterministic generator (splitmix64) so the edit test needs no crate.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut mixed = self.0;
            mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            mixed ^ (mixed >> 31)
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound.max(1) as u64) as usize
        }

        fn char_boundary(&mut self, text: &str) -> usize {
            let mut offset = self.below(text.len() + 1);
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            offset
        }
    }

    #[test]
    fn replace_matches_a_fresh_index() {
        let pieces = ["\r", "\n", "\r\n", "é", "😀", "ab", "\r\r\n", "中\n", ""];
        let mut random = Random(7);
        let mut text = String::from("a\r\nb\rc\n😀\r\n");
        let mut index = LineIndex::new(&text);
        for step in 0..5000 {
            let start = random.char_boundary(&text);
            let mut end = random.char_boundary(&text);
            if end < start || random.below(3) == 0 {
                end = start;
            }
            let mut inserted = String::new();
            for _ in 0..random.below(4) {
                inserted.push_str(pieces[random.below(pieces.len())]);
            }
            let before = start.checked_sub(1).map(|prior| text.as_bytes()[prior]);
            let after = text.as_bytes().get(end).copied();
            text.replace_range(start..end, &inserted);
            index.replace(start..end, &inserted, before, after);
            assert_eq!(
                index,
                LineIndex::new(&text),
                "step {step}: {start}..{end} <- {inserted:?}, text {text:?}"
            );
            if text.len() > 200 {
                let cut = random.char_boundary(&text);
                let before = cut.checked_sub(1).map(|prior| text.as_bytes()[prior]);
                let after = text.as_bytes().get(text.len()).copied();
                let old_len = text.len();
                text.truncate(cut);
                index.replace(cut..old_len, "", before, after);
                assert_eq!(
                    index,
                    LineIndex::new(&text),
                    "step {step}: truncate at {cut}"
                );
            }
        }
    }

    #[test]
    fn large_text_is_indexed() {
        let line = "\tgolang.org/x/téxt v0.3.7 // indirect 😀\r\n";
        let text = line.repeat(10 * 1024 * 1024 / line.len());
        let index = LineIndex::new(&text);
        let lines = text.len() / line.len();
        assert_eq!(index.line_count() as usize, lines + 1);
        let middle = position(lines as u32 / 2, 21);
        let offset = index.offset(&text, middle, PositionEncoding::Utf16);
        assert_eq!(offset, line.len() * (lines / 2) + 22);
        assert_eq!(
            index.position(&text, offset, PositionEncoding::Utf16),
            middle
        );
    }
}
