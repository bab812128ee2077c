//! Fixtures with a `$0` cursor marker, and a deliberately simple model of LSP positions (lines end
//! at `\n`, `\r\n` or a lone `\r`; columns count UTF-8, UTF-16 or UTF-32 units) to check the
//! server against.

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// The cursor marker in fixtures.
pub const CURSOR_MARKER: &str = "$0";

/// A position encoding, as the harness names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// `utf-8`.
    Utf8,
    /// `utf-16`.
    Utf16,
    /// `utf-32`.
    Utf32,
}

impl Encoding {
    /// The LSP name.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf32 => "utf-32",
        }
    }

    /// The units `character` takes.
    pub fn units(self, character: char) -> u32 {
        match self {
            Encoding::Utf8 => character.len_utf8() as u32,
            Encoding::Utf16 => character.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// A fixture with its cursor: the text without the marker, and where the marker was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The text with `$0` removed.
    pub text: String,
    /// The byte offset of the marker in `text`.
    pub offset: usize,
}

impl Cursor {
    /// The LSP position of the cursor in `encoding`, as JSON (`{"line", "character"}`).
    pub fn position(&self, encoding: Encoding) -> Value {
        position_of(&self.text, self.offset, encoding)
    }
}

/// Strips the one `$0` from `fixture`.
pub fn cursor(fixture: &str) -> anyhow::Result<Cursor> {
    let offset = fixture
        .find(CURSOR_MARKER)
        .context("the fixture has no $0 cursor marker")?;
    let (before, marked) = fixture.split_at(offset);
    let text = format!(
        "{before}{}",
        marked.strip_prefix(CURSOR_MARKER).unwrap_or(marked)
    );
    if text.contains(CURSOR_MARKER) {
        bail!("the fixture has more than one $0 cursor marker");
    }
    Ok(Cursor { text, offset })
}

/// The LSP position of byte `offset` of `text`, as JSON. The offset must be a char boundary and
/// not inside a `\r\n`.
pub fn position_of(text: &str, offset: usize, encoding: Encoding) -> Value {
    let (line, character) = line_and_column(text, offset, encoding);
    json!({"line": line, "character": character})
}

/// `(line, column)` of byte `offset` of `text`.
pub fn line_and_column(text: &str, offset: usize, encoding: Encoding) -> (u32, u32) {
    let mut line = 0;
    let mut column = 0;
    let mut characters = text.char_indices().peekable();
    while let Some((at, character)) = characters.next() {
        if at >= offset {
            break;
        }
        match character {
            '\r' if characters.peek().map(|&(_, next)| next) == Some('\n') => {
                if at + 1 >= offset {
                    break;
                }
                characters.next();
                line += 1;
                column = 0;
            }
            '\r' | '\n' => {
                line += 1;
                column = 0;
            }
            _ => column += encoding.units(character),
        }
    }
    (line, column)
}

/// The byte offset of an LSP position in `text`, or `None` if the position is not exactly on a
/// character of an existing line (the model does not clamp, so tests stay strict).
pub fn offset_of(text: &str, line: u32, character: u32, encoding: Encoding) -> Option<usize> {
    let mut line_start = 0;
    for _ in 0..line {
        let rest = text.get(line_start..)?;
        let break_at = rest.find(['\r', '\n'])?;
        let break_len = if rest.get(break_at..)?.starts_with("\r\n") {
            2
        } else {
            1
        };
        line_start += break_at + break_len;
    }
    let rest = text.get(line_start..)?;
    let line_text = rest.get(..rest.find(['\r', '\n']).unwrap_or(rest.len()))?;
    let mut units = 0;
    for (at, character_here) in line_text.char_indices() {
        if units == character {
            return Some(line_start + at);
        }
        units += encoding.units(character_here);
    }
    (units == character).then_some(line_start + line_text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_marker() {
        let found = cursor("module é$0.example\r\n").unwrap();
        assert_eq!(found.text, "module é.example\r\n");
        assert_eq!(found.offset, 9);
        assert_eq!(
            found.position(Encoding::Utf8),
            json!({"line": 0, "character": 9})
        );
        assert_eq!(
            found.position(Encoding::Utf16),
            json!({"line": 0, "character": 8})
        );
        assert!(cursor("no marker").is_err());
        assert!(cursor("$0 two $0").is_err());
    }

    #[test]
    fn positions_with_crlf_lone_cr_and_astral_characters() {
        let text = "a😀\r\nb\rc\n中";
        let cases = [
            (0, (0, 0), (0, 0), (0, 0)),
            (5, (0, 5), (0, 3), (0, 2)),
            (7, (1, 0), (1, 0), (1, 0)),
            (9, (2, 0), (2, 0), (2, 0)),
            (11, (3, 0), (3, 0), (3, 0)),
            (14, (3, 3), (3, 1), (3, 1)),
        ];
        for (offset, utf8, utf16, utf32) in cases {
            for (encoding, expected) in [
                (Encoding::Utf8, utf8),
                (Encoding::Utf16, utf16),
                (Encoding::Utf32, utf32),
            ] {
                assert_eq!(
                    line_and_column(text, offset, encoding),
                    expected,
                    "{offset}"
                );
                assert_eq!(
                    offset_of(text, expected.0, expected.1, encoding),
                    Some(offset),
                    "{offset} {encoding:?}"
                );
            }
        }
        assert_eq!(offset_of(text, 0, 2, Encoding::Utf16), None);
        assert_eq!(offset_of(text, 9, 0, Encoding::Utf16), None);
    }
}
