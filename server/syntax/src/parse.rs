//! Parsing with the tree-sitter grammars: the file kinds, a full parse and an incremental reparse.

use std::cell::RefCell;

use tree_sitter::{Language, Parser, Tree};

/// The kind of file a document is, which decides its grammar and its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A go.mod file.
    GoMod,
    /// A go.work file.
    GoWork,
    /// A go.sum or go.work.sum file.
    GoSum,
}

impl FileKind {
    /// The kind of a file from its path or name: `go.mod`, `go.work`, `go.sum` and `go.work.sum`;
    /// also `*.mod` and `*.sum` (as `go mod edit` and `-modfile` use them) and `*.work`.
    pub fn from_path(path: &str) -> Option<FileKind> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        match name {
            "go.mod" => Some(FileKind::GoMod),
            "go.work" => Some(FileKind::GoWork),
            "go.sum" | "go.work.sum" => Some(FileKind::GoSum),
            _ if name.ends_with(".mod") => Some(FileKind::GoMod),
            _ if name.ends_with(".work") => Some(FileKind::GoWork),
            _ if name.ends_with(".sum") => Some(FileKind::GoSum),
            _ => None,
        }
    }

    /// The kind named by an editor's language id (`go.mod` from VS Code, `gomod` from Neovim and
    /// Helix, and the like), or by the `--kind` option of the command line.
    pub fn from_language_id(id: &str) -> Option<FileKind> {
        match id {
            "go.mod" | "gomod" | "mod" => Some(FileKind::GoMod),
            "go.work" | "gowork" | "work" => Some(FileKind::GoWork),
            "go.sum" | "gosum" | "sum" | "go.work.sum" => Some(FileKind::GoSum),
            _ => None,
        }
    }

    /// The tree-sitter language of this kind.
    pub fn language(self) -> Language {
        match self {
            FileKind::GoMod => gomodls_grammar::LANGUAGE_GOMOD.into(),
            FileKind::GoWork => gomodls_grammar::LANGUAGE_GOWORK.into(),
            FileKind::GoSum => gomodls_grammar::LANGUAGE_GOSUM.into(),
        }
    }

    /// The usual file name of this kind.
    pub fn file_name(self) -> &'static str {
        match self {
            FileKind::GoMod => "go.mod",
            FileKind::GoWork => "go.work",
            FileKind::GoSum => "go.sum",
        }
    }
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 3]> = const { RefCell::new([None, None, None]) };
}

fn slot(kind: FileKind) -> usize {
    match kind {
        FileKind::GoMod => 0,
        FileKind::GoWork => 1,
        FileKind::GoSum => 2,
    }
}

/// Parses a whole file. Never fails: broken input gives a tree with ERROR and MISSING nodes.
pub fn parse(kind: FileKind, text: &[u8]) -> Tree {
    parse_with(kind, text, None)
}

/// Reparses a file after an edit. `old` must already have been told of the edit with
/// [`Tree::edit`]; the unchanged parts of it are reused.
pub fn reparse(kind: FileKind, old: &Tree, text: &[u8]) -> Tree {
    parse_with(kind, text, Some(old))
}

fn parse_with(kind: FileKind, text: &[u8], old: Option<&Tree>) -> Tree {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = parsers[slot(kind)].get_or_insert_with(|| new_parser(kind));
        match parser.parse(text, old) {
            Some(tree) => tree,
            // tree-sitter answers None only for a parser without a language, or one cancelled
            // by a timeout or a flag; ours always has its language and is never cancelled.
            None => unreachable!("a tree-sitter parser with a language and no cancellation"),
        }
    })
}

fn new_parser(kind: FileKind) -> Parser {
    let mut parser = Parser::new();
    // The grammars are generated with ABI 14, which every tree-sitter library this crate can link
    // supports; `tests::every_grammar_loads` checks it.
    let _ = parser.set_language(&kind.language());
    parser
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_loads() {
        for kind in [FileKind::GoMod, FileKind::GoWork, FileKind::GoSum] {
            let mut parser = Parser::new();
            parser.set_language(&kind.language()).unwrap();
        }
    }

    #[test]
    fn kinds_from_names() {
        assert_eq!(FileKind::from_path("/a/b/go.mod"), Some(FileKind::GoMod));
        assert_eq!(
            FileKind::from_path("C:\\a\\go.work"),
            Some(FileKind::GoWork)
        );
        assert_eq!(FileKind::from_path("go.work.sum"), Some(FileKind::GoSum));
        assert_eq!(FileKind::from_path("x.mod"), Some(FileKind::GoMod));
        assert_eq!(FileKind::from_path("README.md"), None);
        assert_eq!(FileKind::from_language_id("gomod"), Some(FileKind::GoMod));
        assert_eq!(FileKind::from_language_id("go.sum"), Some(FileKind::GoSum));
    }

    #[test]
    fn incremental_reparse_equals_a_fresh_parse() {
        let before = "module example.com/m\n\nrequire example.com/a v1.0.0\n";
        let after = "module example.com/m\n\nrequire example.com/ab v1.0.0\n";
        let mut tree = parse(FileKind::GoMod, before.as_bytes());
        let at = before.find("/a ").unwrap() + 2;
        tree.edit(&tree_sitter::InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + 1,
            start_position: tree_sitter::Point::new(2, at - 22),
            old_end_position: tree_sitter::Point::new(2, at - 22),
            new_end_position: tree_sitter::Point::new(2, at - 21),
        });
        let reparsed = reparse(FileKind::GoMod, &tree, after.as_bytes());
        let fresh = parse(FileKind::GoMod, after.as_bytes());
        assert_eq!(reparsed.root_node().to_sexp(), fresh.root_node().to_sexp());
    }
}
