//! Semantic tokens: the meaning of each token, for editors that colour by meaning.
//!
//! The legend (documented in `server/lsp/SEMANTIC_TOKENS.md`): module paths are `namespace`,
//! versions (module versions, Go versions, toolchains) `number`, directive verbs and go.sum's
//! `h1` and `/go.mod` `keyword`, directories, godebug values and go.sum hashes `string`,
//! comments `comment`, `=>` and `=` `operator`, godebug keys `property`. Modifiers: the main
//! module's path is a `declaration`; retracted versions (in `retract`, or known from the
//! module's own go.mod), deprecated modules and `// Deprecated:` comments are `deprecated`;
//! indirect requirements (path, version and the `// indirect` marker) are `readonly`, because
//! the go command maintains them; `// Deprecated:` comments are also `documentation`.

use std::collections::HashSet;
use std::ops::Range;

use gomodls_syntax::FileKind;
use gomodls_syntax::quote::unquote;
use gomodls_syntax::views::SumHash;
use tree_sitter::Node;

use crate::document::Document;

/// The type of a token; the order of [`TokenType::ALL`] is the legend's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// A module path (or a tool's package path).
    Namespace,
    /// A directory, a godebug value, a go.sum hash value.
    String,
    /// A module version, a Go version, a toolchain name.
    Number,
    /// A directive verb; go.sum's hash algorithm and `/go.mod`.
    Keyword,
    /// A comment.
    Comment,
    /// `=>` and godebug's `=`.
    Operator,
    /// A godebug key.
    Property,
}

impl TokenType {
    /// Every type, in legend order.
    pub const ALL: [TokenType; 7] = [
        TokenType::Namespace,
        TokenType::String,
        TokenType::Number,
        TokenType::Keyword,
        TokenType::Comment,
        TokenType::Operator,
        TokenType::Property,
    ];

    /// The LSP name of the type.
    pub fn name(self) -> &'static str {
        match self {
            TokenType::Namespace => "namespace",
            TokenType::String => "string",
            TokenType::Number => "number",
            TokenType::Keyword => "keyword",
            TokenType::Comment => "comment",
            TokenType::Operator => "operator",
            TokenType::Property => "property",
        }
    }

    /// The index of the type in the legend.
    pub fn index(self) -> u32 {
        match self {
            TokenType::Namespace => 0,
            TokenType::String => 1,
            TokenType::Number => 2,
            TokenType::Keyword => 3,
            TokenType::Comment => 4,
            TokenType::Operator => 5,
            TokenType::Property => 6,
        }
    }
}

/// A modifier of a token; the order of [`TokenModifier::ALL`] is the legend's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenModifier {
    /// The main module's path in its `module` directive.
    Declaration,
    /// A retracted version, a deprecated module, a `// Deprecated:` comment.
    Deprecated,
    /// An indirect requirement and its `// indirect` marker.
    Readonly,
    /// A `// Deprecated:` comment.
    Documentation,
}

impl TokenModifier {
    /// Every modifier, in legend order.
    pub const ALL: [TokenModifier; 4] = [
        TokenModifier::Declaration,
        TokenModifier::Deprecated,
        TokenModifier::Readonly,
        TokenModifier::Documentation,
    ];

    /// The LSP name of the modifier.
    pub fn name(self) -> &'static str {
        match self {
            TokenModifier::Declaration => "declaration",
            TokenModifier::Deprecated => "deprecated",
            TokenModifier::Readonly => "readonly",
            TokenModifier::Documentation => "documentation",
        }
    }

    /// The bit of the modifier in a token's modifier set.
    pub fn bit(self) -> u32 {
        match self {
            TokenModifier::Declaration => 1,
            TokenModifier::Deprecated => 1 << 1,
            TokenModifier::Readonly => 1 << 2,
            TokenModifier::Documentation => 1 << 3,
        }
    }
}

/// One token: where, its type and its modifier bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// The bytes of the token (never empty; may span lines only for a raw string).
    pub range: Range<usize>,
    /// Its type.
    pub token_type: TokenType,
    /// Its modifiers, as [`TokenModifier::bit`]s.
    pub modifiers: u32,
}

/// What is known about modules from elsewhere (their own go.mod files), as plain values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SemanticFacts {
    /// Retracted `(module path, version)` pairs.
    pub retracted: HashSet<(String, String)>,
    /// Deprecated module paths.
    pub deprecated: HashSet<String>,
}

/// The tokens of a document (or of those that touch `range`), in order.
pub fn semantic_tokens(
    document: &Document<'_>,
    range: Option<Range<usize>>,
    facts: &SemanticFacts,
) -> Vec<SemanticToken> {
    let wanted = range.unwrap_or(0..document.text.len());
    let mut tokens = Vec::new();
    let mut cursor = document.tree.walk();
    // The ancestors of the cursor's node: `Node::parent` searches from the root each time, so
    // the walk keeps them itself.
    let mut ancestors: Vec<Node<'_>> = Vec::new();
    loop {
        let node = cursor.node();
        let outside = wanted.start < wanted.end
            && (node.end_byte() <= wanted.start || node.start_byte() >= wanted.end);
        let descend = match outside {
            true => false,
            // A go.sum hash is one token in the tree: its algorithm and its value are told apart
            // here.
            false if node.kind() == "hash" && document.kind == FileKind::GoSum => {
                push_hash_tokens(document, node, &mut tokens);
                false
            }
            false => match classify(document, node, ancestors.last().copied(), facts) {
                Some((token_type, modifiers)) => {
                    if node.start_byte() < node.end_byte() && !node.is_missing() {
                        tokens.push(SemanticToken {
                            range: node.byte_range(),
                            token_type,
                            modifiers,
                        });
                    }
                    false
                }
                None => true,
            },
        };
        if descend && cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return tokens;
            }
            ancestors.pop();
        }
    }
}

const KEYWORDS: [&str; 11] = [
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
    "use",
];

/// The type and modifiers of a node that is a token, or `None` to look inside it.
fn classify(
    document: &Document<'_>,
    node: Node<'_>,
    parent: Option<Node<'_>>,
    facts: &SemanticFacts,
) -> Option<(TokenType, u32)> {
    let kind = node.kind();
    if !node.is_named() {
        return match kind {
            "=>" | "=" => Some((TokenType::Operator, 0)),
            "/go.mod" => Some((TokenType::Keyword, 0)),
            _ if document.kind != FileKind::GoSum
                && KEYWORDS.contains(&kind)
                && node
                    .parent()
                    .is_some_and(|parent| parent.kind().ends_with("_directive")) =>
            {
                Some((TokenType::Keyword, 0))
            }
            _ => None,
        };
    }
    let parent_kind = parent.map(|parent| parent.kind()).unwrap_or_default();
    match kind {
        "module_path" => {
            let mut modifiers = indirect_bits(parent);
            if parent_kind == "module_spec" {
                modifiers |= TokenModifier::Declaration.bit();
            }
            if facts.deprecated.contains(value(document, node).as_str()) {
                modifiers |= TokenModifier::Deprecated.bit();
            }
            Some((TokenType::Namespace, modifiers))
        }
        "version" => {
            let mut modifiers = indirect_bits(parent);
            if matches!(parent_kind, "retract_spec" | "version_interval") {
                modifiers |= TokenModifier::Deprecated.bit();
            }
            if let Some(parent) = parent
                && is_known_retracted(document, parent, node, facts)
            {
                modifiers |= TokenModifier::Deprecated.bit();
            }
            Some((TokenType::Number, modifiers))
        }
        "go_version" | "toolchain_name" => Some((TokenType::Number, 0)),
        "file_path" | "godebug_value" => Some((TokenType::String, 0)),
        "godebug_key" => Some((TokenType::Property, 0)),
        "comment" => Some((TokenType::Comment, 0)),
        "indirect_comment" => Some((TokenType::Comment, TokenModifier::Readonly.bit())),
        "deprecation_comment" => Some((
            TokenType::Comment,
            TokenModifier::Deprecated.bit() | TokenModifier::Documentation.bit(),
        )),
        _ => None,
    }
}

/// The tokens of a go.sum hash: its algorithm a `keyword`, its value a `string`.
fn push_hash_tokens(document: &Document<'_>, node: Node<'_>, tokens: &mut Vec<SemanticToken>) {
    let Some(hash) = SumHash::cast(node, document.text) else {
        return;
    };
    let parts = [
        (hash.algorithm(), TokenType::Keyword),
        (hash.value(), TokenType::String),
    ];
    for (part, token_type) in parts {
        if let Some(part) = part {
            tokens.push(SemanticToken {
                range: part.range(),
                token_type,
                modifiers: 0,
            });
        }
    }
}

/// `readonly` for the parts of an indirect requirement.
fn indirect_bits(spec: Option<Node<'_>>) -> u32 {
    match spec {
        Some(spec)
            if spec.kind() == "require_spec" && spec.child_by_field_name("indirect").is_some() =>
        {
            TokenModifier::Readonly.bit()
        }
        _ => 0,
    }
}

/// Whether `version` (in a require, exclude, replace or go.sum line) is known to be retracted.
fn is_known_retracted(
    document: &Document<'_>,
    spec: Node<'_>,
    version: Node<'_>,
    facts: &SemanticFacts,
) -> bool {
    if facts.retracted.is_empty() {
        return false;
    }
    let path = match spec.kind() {
        "replace_spec"
            if spec
                .child_by_field_name("replacement_version")
                .is_some_and(|node| node.id() == version.id()) =>
        {
            spec.child_by_field_name("replacement")
        }
        "require_spec" | "exclude_spec" | "replace_spec" | "checksum" => {
            spec.child_by_field_name("path")
        }
        _ => None,
    };
    let Some(path) = path else {
        return false;
    };
    facts
        .retracted
        .contains(&(value(document, path), value(document, version)))
}

/// The unquoted value of a token node.
fn value(document: &Document<'_>, node: Node<'_>) -> String {
    let text = document.slice(node.byte_range());
    match text.starts_with(['"', '`']) {
        true => unquote(text)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default(),
        false => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::parse;

    fn render(text: &str, tokens: &[SemanticToken]) -> String {
        tokens
            .iter()
            .map(|token| {
                let modifiers: Vec<&str> = TokenModifier::ALL
                    .iter()
                    .filter(|modifier| token.modifiers & modifier.bit() != 0)
                    .map(|modifier| modifier.name())
                    .collect();
                format!(
                    "{:?} {}{}\n",
                    &text[token.range.clone()],
                    token.token_type.name(),
                    match modifiers.is_empty() {
                        true => String::new(),
                        false => format!(" [{}]", modifiers.join(",")),
                    }
                )
            })
            .collect()
    }

    fn check(kind: FileKind, text: &str, facts: &SemanticFacts, expected: Expect) {
        let parsed = parse(kind, text);
        let tokens = semantic_tokens(&parsed.document(), None, facts);
        for pair in tokens.windows(2) {
            assert!(pair[0].range.end <= pair[1].range.start, "{pair:?}");
        }
        expected.assert_eq(&render(text, &tokens));
    }

    #[test]
    fn gomod_tokens() {
        let facts = SemanticFacts {
            retracted: [("x.org/a".to_owned(), "v1.0.0".to_owned())].into(),
            deprecated: ["x.org/old".to_owned()].into(),
        };
        check(
            FileKind::GoMod,
            "// Deprecated: use n\r\nmodule \"é.org/m\"\r\ngo 1.22\r\ntoolchain go1.22.1\r\ngodebug panicnil=1\r\nrequire (\r\n\tx.org/a v1.0.0\r\n\tx.org/old v0.1.0 // indirect\r\n)\r\nreplace x.org/a => ../a\r\nretract [v1.0.0, v1.1.0] // oops\r\nfrob x\r\n",
            &facts,
            expect![[r#"
                "// Deprecated: use n" comment [deprecated,documentation]
                "module" keyword
                "\"é.org/m\"" namespace [declaration]
                "go" keyword
                "1.22" number
                "toolchain" keyword
                "go1.22.1" number
                "godebug" keyword
                "panicnil" property
                "=" operator
                "1" string
                "require" keyword
                "x.org/a" namespace
                "v1.0.0" number [deprecated]
                "x.org/old" namespace [deprecated,readonly]
                "v0.1.0" number [readonly]
                "// indirect" comment [readonly]
                "replace" keyword
                "x.org/a" namespace
                "=>" operator
                "../a" string
                "retract" keyword
                "v1.0.0" number [deprecated]
                "v1.1.0" number [deprecated]
                "// oops" comment
            "#]],
        );
    }

    #[test]
    fn gosum_tokens() {
        check(
            FileKind::GoSum,
            "x.org/a v1.0.0 h1:abc=\nx.org/a v1.0.0/go.mod h1:def=\n",
            &SemanticFacts::default(),
            expect![[r#"
                "x.org/a" namespace
                "v1.0.0" number
                "h1" keyword
                "abc=" string
                "x.org/a" namespace
                "v1.0.0" number
                "/go.mod" keyword
                "h1" keyword
                "def=" string
            "#]],
        );
    }

    #[test]
    fn a_range_gives_the_tokens_that_touch_it() {
        let text = "module m\ngo 1.22\nrequire x.org/a v1.0.0\n";
        let parsed = parse(FileKind::GoMod, text);
        let start = text.find("go").unwrap();
        let end = text.find("x.org").unwrap() + 2;
        let tokens = semantic_tokens(
            &parsed.document(),
            Some(start..end),
            &SemanticFacts::default(),
        );
        expect![[r#"
            "go" keyword
            "1.22" number
            "require" keyword
            "x.org/a" namespace
        "#]]
        .assert_eq(&render(text, &tokens));
    }
}
