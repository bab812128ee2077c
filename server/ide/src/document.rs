//! The document a feature runs on: plain borrowed values (kind, text, tree), nothing else.

use gomodls_syntax::FileKind;
use gomodls_syntax::views::SourceFile;
use tree_sitter::Tree;

/// One go.mod, go.work or go.sum document as the features see it.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    /// Which kind of file.
    pub kind: FileKind,
    /// The whole text.
    pub text: &'a str,
    /// The tree parsed from `text`.
    pub tree: &'a Tree,
}

impl<'a> Document<'a> {
    /// A document from its parts; `tree` must be the tree of `text`.
    pub fn new(kind: FileKind, text: &'a str, tree: &'a Tree) -> Document<'a> {
        Document { kind, text, tree }
    }

    /// The typed view of the tree.
    pub fn file(&self) -> SourceFile<'a> {
        SourceFile::new(self.tree, self.text)
    }

    /// `range` without the blanks and line breaks at its end (tree nodes of a line include the
    /// line break that ends it).
    pub fn trim_end(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let text = self.slice(range.clone());
        range.start..range.start + text.trim_end_matches([' ', '\t', '\r', '\n']).len()
    }

    /// The text of a byte range (empty if the range is not inside the text).
    pub fn slice(&self, range: std::ops::Range<usize>) -> &'a str {
        self.text.get(range).unwrap_or_default()
    }
}

/// Test support: documents from text and `$0` cursor fixtures.
#[cfg(test)]
pub(crate) mod fixture {
    use gomodls_syntax::FileKind;
    use tree_sitter::Tree;

    /// A parsed text that owns its tree.
    pub struct Parsed {
        pub kind: FileKind,
        pub text: String,
        pub tree: Tree,
    }

    impl Parsed {
        pub fn document(&self) -> super::Document<'_> {
            super::Document::new(self.kind, &self.text, &self.tree)
        }
    }

    /// Parses `text` as `kind`.
    pub fn parse(kind: FileKind, text: &str) -> Parsed {
        Parsed {
            kind,
            text: text.to_owned(),
            tree: gomodls_syntax::parse(kind, text.as_bytes()),
        }
    }

    /// Parses a fixture with one `$0` marker; returns the document and the marker's offset.
    pub fn cursor(kind: FileKind, fixture: &str) -> (Parsed, usize) {
        let offset = fixture
            .find("$0")
            .unwrap_or_else(|| panic!("no $0 in {fixture:?}"));
        let text = fixture.replacen("$0", "", 1);
        (parse(kind, &text), offset)
    }
}
