//! One document: its text (a rope), line index, syntax tree and version, kept together, and the
//! immutable snapshots that features run on.
//!
//! Invariant: after [`Document::apply_changes`] the rope, the line index, the flat text and the
//! tree all describe the same text; nothing outside this module can change one without the
//! others.

use std::borrow::Cow;
use std::sync::Arc;

use gomodls_syntax::line_index::{LineColumn, LineIndex, PositionEncoding};
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent, Uri};
use tree_sitter::{InputEdit, Point, Tree};

use gomodls_syntax::FileKind;

/// Where a document's text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Opened by the client, which owns the text (`didOpen`/`didChange`).
    Open,
    /// Read from disk because a feature needs it and the client has not opened it.
    Disk,
}

/// A go.mod, go.work or go.sum text with everything derived from it.
#[derive(Debug)]
pub struct Document {
    kind: FileKind,
    origin: Origin,
    /// The client's version; `None` for files read from disk.
    version: Option<i32>,
    /// A number unique across all documents that changes with every change of this document,
    /// so a request can tell whether its answer is stale.
    revision: u64,
    rope: Rope,
    text: Arc<str>,
    line_index: Arc<LineIndex>,
    tree: Tree,
}

/// An immutable view of one document, cheap to clone and to send to a blocking task.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The document's URI.
    pub uri: Uri,
    /// Its kind.
    pub kind: FileKind,
    /// Whether the client has it open.
    pub origin: Origin,
    /// The client's version of the text, if the client has it open.
    pub version: Option<i32>,
    /// The revision the snapshot was taken at.
    pub revision: u64,
    /// The text.
    pub text: Arc<str>,
    /// The line index of the text.
    pub line_index: Arc<LineIndex>,
    /// The syntax tree of the text.
    pub tree: Tree,
    /// The position encoding negotiated with the client.
    pub encoding: PositionEncoding,
    /// The module facts known when the snapshot was taken (see `module_facts`).
    pub facts: Arc<gomodls_ide::facts::FactsSnapshot>,
}

impl Document {
    /// A document with the given text, parsed from scratch.
    pub fn new(
        kind: FileKind,
        origin: Origin,
        version: Option<i32>,
        revision: u64,
        text: impl Into<Arc<str>>,
    ) -> Document {
        let text: Arc<str> = text.into();
        let tree = gomodls_syntax::parse(kind, text.as_bytes());
        Document {
            kind,
            origin,
            version,
            revision,
            rope: Rope::from_str(&text),
            line_index: Arc::new(LineIndex::new(&text)),
            text,
            tree,
        }
    }

    /// The client's version.
    pub fn version(&self) -> Option<i32> {
        self.version
    }

    /// The current revision.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The current text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A snapshot for features.
    pub fn snapshot(&self, uri: &Uri, encoding: PositionEncoding) -> Snapshot {
        Snapshot {
            uri: uri.clone(),
            kind: self.kind,
            origin: self.origin,
            version: self.version,
            revision: self.revision,
            text: self.text.clone(),
            line_index: self.line_index.clone(),
            tree: self.tree.clone(),
            encoding,
            facts: Arc::default(),
        }
    }

    /// Replaces the whole text (a disk file that changed), parsing from scratch.
    pub fn replace_text(&mut self, text: String, revision: u64) {
        *self = Document::new(self.kind, self.origin, self.version, revision, text);
    }

    /// Applies the content changes of one `didChange`, in order, then reparses once.
    ///
    /// Each range is read against the text left by the changes before it, in `encoding`; ranges
    /// past the end clamp, and a range whose end precedes its start is read as empty at its
    /// start.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
        version: i32,
        revision: u64,
    ) {
        let mut reparse_from_scratch = false;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.line_index = Arc::new(LineIndex::new(&change.text));
                    reparse_from_scratch = true;
                }
                Some(range) => {
                    let start = self.offset_in_rope(range.start, encoding);
                    let end = self.offset_in_rope(range.end, encoding).max(start);
                    let edit = self.replace_in_rope(start, end, &change.text);
                    self.tree.edit(&edit);
                }
            }
        }
        let text = String::from(&self.rope);
        self.tree = match reparse_from_scratch {
            false => gomodls_syntax::reparse(self.kind, &self.tree, text.as_bytes()),
            true => gomodls_syntax::parse(self.kind, text.as_bytes()),
        };
        self.text = Arc::from(text);
        self.version = Some(version);
        self.revision = revision;
    }

    /// The byte offset of an LSP position, reading the text from the rope.
    fn offset_in_rope(&self, position: Position, encoding: PositionEncoding) -> usize {
        let Some(range) = self.line_index.line_range(position.line) else {
            return self.line_index.len();
        };
        let line_text: Cow<'_, str> = match self.rope.get_byte_slice(range.clone()) {
            Some(slice) => slice.into(),
            None => Cow::Borrowed(""),
        };
        range.start
            + gomodls_syntax::line_index::byte_of_column(&line_text, position.character, encoding)
    }

    /// Replaces `start..end` (char boundaries) in the rope and the line index, returning the
    /// edit for the tree.
    fn replace_in_rope(&mut self, start: usize, end: usize, new_text: &str) -> InputEdit {
        let before = start
            .checked_sub(1)
            .and_then(|prior| self.rope.get_byte(prior));
        let after = self.rope.get_byte(end);
        let start_position = point(self.line_index.newline_point(start));
        let old_end_position = point(self.line_index.newline_point(end));
        let new_end_position = advance(start_position, new_text);

        let start_char = self.rope.try_byte_to_char(start).unwrap_or(0);
        let end_char = self.rope.try_byte_to_char(end).unwrap_or(start_char);
        if let Err(error) = self.rope.try_remove(start_char..end_char) {
            tracing::error!("rope remove {start_char}..{end_char} failed: {error}");
        }
        if let Err(error) = self.rope.try_insert(start_char, new_text) {
            tracing::error!("rope insert at {start_char} failed: {error}");
        }
        Arc::make_mut(&mut self.line_index).replace(start..end, new_text, before, after);

        InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: start + new_text.len(),
            start_position,
            old_end_position,
            new_end_position,
        }
    }
}

impl Snapshot {
    /// The byte offset of an LSP position (clamped).
    pub fn offset(&self, position: Position) -> usize {
        let position = LineColumn {
            line: position.line,
            column: position.character,
        };
        self.line_index.offset(&self.text, position, self.encoding)
    }

    /// The LSP position of a byte offset (clamped).
    pub fn position(&self, offset: usize) -> Position {
        let position = self.line_index.position(&self.text, offset, self.encoding);
        Position {
            line: position.line,
            character: position.column,
        }
    }

    /// The LSP range of a byte range.
    pub fn range(&self, range: std::ops::Range<usize>) -> tower_lsp_server::ls_types::Range {
        tower_lsp_server::ls_types::Range {
            start: self.position(range.start),
            end: self.position(range.end),
        }
    }
}

fn point((row, column): (usize, usize)) -> Point {
    Point { row, column }
}

/// The tree-sitter point reached after `text` is inserted at `start`.
fn advance(start: Point, text: &str) -> Point {
    match text.rfind('\n') {
        None => Point {
            row: start.row,
            column: start.column + text.len(),
        },
        Some(last_newline) => Point {
            row: start.row + text.bytes().filter(|&byte| byte == b'\n').count(),
            column: text.len() - last_newline - 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::Range;

    use super::*;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position::new(start.0, start.1),
                end: Position::new(end.0, end.1),
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    fn document(text: &str) -> Document {
        Document::new(FileKind::GoMod, Origin::Open, Some(1), 1, text.to_owned())
    }

    #[test]
    fn incremental_changes_in_every_encoding() {
        let text = "module é/😀\r\nrequire x.org/中 v1.0.0\r\n";
        let cases = [
            // Replace "😀" (utf-8 columns 10..14, utf-16 9..11, utf-32 9..10) by "m".
            (PositionEncoding::Utf8, change((0, 10), (0, 14), "m")),
            (PositionEncoding::Utf16, change((0, 9), (0, 11), "m")),
            (PositionEncoding::Utf32, change((0, 9), (0, 10), "m")),
        ];
        for (encoding, edit) in cases {
            let mut document = document(text);
            document.apply_changes(vec![edit], encoding, 2, 2);
            assert_eq!(document.text(), "module é/m\r\nrequire x.org/中 v1.0.0\r\n");
            assert_eq!(document.version(), Some(2));
            assert_eq!(*document.line_index, LineIndex::new(document.text()));
        }
    }

    #[test]
    fn changes_apply_in_order_and_join_crlf() {
        let mut document = document("a\r\nb\r\né\r\n");
        document.apply_changes(
            vec![
                // Delete "b\r\n" so "a\r\n" is followed by "é\r\n".
                change((1, 0), (2, 0), ""),
                // Split the CRLF after "a" by inserting between "\r" and "\n": LSP cannot point
                // there, so (0, 1) means before "\r".
                change((0, 1), (0, 1), "\r"),
                // Past the end of the last line and past the last line: clamped to the end.
                change((9, 9), (9, 9), "x"),
                change((1, 40), (2, 0), "\n"),
            ],
            PositionEncoding::Utf16,
            5,
            9,
        );
        assert_eq!(document.text(), "a\r\né\r\nx");
        assert_eq!(*document.line_index, LineIndex::new(document.text()));
        assert_eq!(document.revision(), 9);
    }

    #[test]
    fn full_text_change_replaces_everything() {
        let mut document = document("module a\n");
        let full = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "module b\r\n".to_owned(),
        };
        document.apply_changes(
            vec![full, change((0, 7), (0, 8), "c")],
            PositionEncoding::Utf8,
            3,
            3,
        );
        assert_eq!(document.text(), "module c\r\n");
        assert_eq!(String::from(&document.rope), "module c\r\n");
    }

    #[test]
    fn snapshot_positions_clamp() {
        let document = document("é\r\n😀x");
        let uri = "file:///m/go.mod".parse().unwrap();
        let snapshot = document.snapshot(&uri, PositionEncoding::Utf16);
        assert_eq!(snapshot.offset(Position::new(1, 2)), 8);
        assert_eq!(snapshot.offset(Position::new(1, 1)), 4); // inside the emoji: its start
        assert_eq!(snapshot.offset(Position::new(0, 99)), 2);
        assert_eq!(snapshot.offset(Position::new(7, 0)), 9);
        assert_eq!(snapshot.position(8), Position::new(1, 2));
        assert_eq!(snapshot.position(7), Position::new(1, 0));
        assert_eq!(snapshot.position(99), Position::new(1, 3));
    }

    #[test]
    fn tree_points_advance() {
        let start = Point { row: 2, column: 4 };
        assert_eq!(advance(start, "ab"), Point { row: 2, column: 6 });
        assert_eq!(advance(start, "a\r\nbc\rd"), Point { row: 3, column: 4 });
        assert_eq!(advance(start, "\n"), Point { row: 3, column: 0 });
    }
}
