//! Tree-sitter grammars for go.mod (`gomod`), go.work (`gowork`) and go.sum (`gosum`), with their
//! node types and query sources.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&gomodls_grammar::LANGUAGE_GOMOD.into()).unwrap();
//! let tree = parser.parse("module example.com/m\n", None).unwrap();
//! assert_eq!(tree.root_node().kind(), "source_file");
//! ```

use tree_sitter_language::LanguageFn;

pub mod allocator;

unsafe extern "C" {
    fn tree_sitter_gomod() -> *const ();
    fn tree_sitter_gowork() -> *const ();
    fn tree_sitter_gosum() -> *const ();
}

/// The go.mod grammar.
pub const LANGUAGE_GOMOD: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_gomod) };
/// The go.work grammar.
pub const LANGUAGE_GOWORK: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_gowork) };
/// The go.sum grammar.
pub const LANGUAGE_GOSUM: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_gosum) };

/// The node types of the go.mod grammar (`node-types.json`).
pub const NODE_TYPES_GOMOD: &str = include_str!("../../gomod/src/node-types.json");
/// The node types of the go.work grammar (`node-types.json`).
pub const NODE_TYPES_GOWORK: &str = include_str!("../../gowork/src/node-types.json");
/// The node types of the go.sum grammar (`node-types.json`).
pub const NODE_TYPES_GOSUM: &str = include_str!("../../gosum/src/node-types.json");

/// Highlight queries of the go.mod grammar.
pub const HIGHLIGHTS_QUERY_GOMOD: &str = include_str!("../../queries/gomod/highlights.scm");
/// Fold queries of the go.mod grammar.
pub const FOLDS_QUERY_GOMOD: &str = include_str!("../../queries/gomod/folds.scm");
/// Indent queries of the go.mod grammar.
pub const INDENTS_QUERY_GOMOD: &str = include_str!("../../queries/gomod/indents.scm");
/// Injection queries of the go.mod grammar.
pub const INJECTIONS_QUERY_GOMOD: &str = include_str!("../../queries/gomod/injections.scm");

/// Highlight queries of the go.work grammar.
pub const HIGHLIGHTS_QUERY_GOWORK: &str = include_str!("../../queries/gowork/highlights.scm");
/// Fold queries of the go.work grammar.
pub const FOLDS_QUERY_GOWORK: &str = include_str!("../../queries/gowork/folds.scm");
/// Indent queries of the go.work grammar.
pub const INDENTS_QUERY_GOWORK: &str = include_str!("../../queries/gowork/indents.scm");
/// Injection queries of the go.work grammar.
pub const INJECTIONS_QUERY_GOWORK: &str = include_str!("../../queries/gowork/injections.scm");

/// Highlight queries of the go.sum grammar.
pub const HIGHLIGHTS_QUERY_GOSUM: &str = include_str!("../../queries/gosum/highlights.scm");
/// Fold queries of the go.sum grammar.
pub const FOLDS_QUERY_GOSUM: &str = include_str!("../../queries/gosum/folds.scm");

#[cfg(test)]
mod tests {
    use tree_sitter::{Language, Parser, Query};

    fn check_language(language: Language, sample: &str, queries: &[&str]) {
        let mut parser = Parser::new();
        parser.set_language(&language).unwrap();
        let tree = parser.parse(sample, None).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "{}",
            tree.root_node().to_sexp()
        );
        for source in queries {
            Query::new(&language, source).unwrap();
        }
    }

    #[test]
    fn gomod_loads_and_its_queries_compile() {
        check_language(
            super::LANGUAGE_GOMOD.into(),
            "module example.com/m\n\nrequire example.com/a v1.0.0 // indirect\n",
            &[
                super::HIGHLIGHTS_QUERY_GOMOD,
                super::FOLDS_QUERY_GOMOD,
                super::INDENTS_QUERY_GOMOD,
                super::INJECTIONS_QUERY_GOMOD,
            ],
        );
    }

    #[test]
    fn gowork_loads_and_its_queries_compile() {
        check_language(
            super::LANGUAGE_GOWORK.into(),
            "go 1.22\n\nuse (\n\t./a\n)\n",
            &[
                super::HIGHLIGHTS_QUERY_GOWORK,
                super::FOLDS_QUERY_GOWORK,
                super::INDENTS_QUERY_GOWORK,
                super::INJECTIONS_QUERY_GOWORK,
            ],
        );
    }

    #[test]
    fn gosum_loads_and_its_queries_compile() {
        check_language(
            super::LANGUAGE_GOSUM.into(),
            "example.com/a v1.0.0/go.mod h1:abc=\n",
            &[super::HIGHLIGHTS_QUERY_GOSUM, super::FOLDS_QUERY_GOSUM],
        );
    }

    #[test]
    fn abi_version_is_14() {
        let language: Language = super::LANGUAGE_GOMOD.into();
        assert_eq!(language.abi_version(), 14);
    }
}
