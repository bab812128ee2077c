//! Document symbols: the outline of a file. go.mod and go.work: one symbol per directive, with
//! its entries as children (both the line and the block forms). go.sum: one symbol per module,
//! with its lines as children.

use std::ops::Range;

use gomodls_syntax::FileKind;
use gomodls_syntax::views::{Directive, DirectiveKind, Spec, SumLine, Token};

use crate::document::Document;

/// What a symbol stands for; the lsp crate maps it to an LSP symbol kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A directive (`require`, `replace`, ...).
    Directive,
    /// A module path: the main module, a requirement, an exclusion, a replacement, a go.sum
    /// module.
    Module,
    /// A Go version or toolchain.
    Version,
    /// A `godebug` setting.
    Setting,
    /// A directory: `use`, `ignore`, a local replacement.
    Directory,
    /// A tool package.
    Package,
    /// A retracted version or interval.
    Retraction,
    /// A go.sum line.
    Checksum,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// What the outline shows; never empty.
    pub name: String,
    /// More text shown beside the name.
    pub detail: Option<String>,
    /// What the symbol is.
    pub kind: SymbolKind,
    /// Whether the symbol is deprecated or retracted.
    pub deprecated: bool,
    /// Everything the symbol covers.
    pub range: Range<usize>,
    /// The part to select when the symbol is picked (inside `range`).
    pub selection_range: Range<usize>,
    /// Nested symbols, inside `range`.
    pub children: Vec<Symbol>,
}

/// The outline of a document.
pub fn document_symbols(document: &Document<'_>) -> Vec<Symbol> {
    match document.kind {
        FileKind::GoMod | FileKind::GoWork => document
            .file()
            .directives()
            .map(|directive| directive_symbol(document, directive))
            .collect(),
        FileKind::GoSum => sum_symbols(document),
    }
}

fn value_or(token: Option<Token<'_>>, missing: &str) -> String {
    match token.and_then(|token| token.value()) {
        Some(value) if !value.is_empty() => value.into_owned(),
        _ => missing.to_owned(),
    }
}

fn directive_symbol(document: &Document<'_>, directive: Directive<'_>) -> Symbol {
    let range = document.trim_end(directive.range());
    let keyword = directive.keyword();
    let name = match directive.kind() {
        DirectiveKind::Unknown => value_or(keyword, "(unknown directive)"),
        kind => kind.keyword().to_owned(),
    };
    let selection_range = keyword.map_or(range.start..range.start, |keyword| keyword.range());
    let mut symbol = Symbol {
        name,
        detail: None,
        kind: SymbolKind::Directive,
        deprecated: false,
        range,
        selection_range,
        children: Vec::new(),
    };
    if let Some(go) = directive.as_go() {
        symbol.detail = go
            .version()
            .and_then(|version| version.value())
            .map(Into::into);
        return symbol;
    }
    if let Some(toolchain) = directive.as_toolchain() {
        symbol.detail = toolchain
            .name()
            .and_then(|name| name.value())
            .map(Into::into);
        return symbol;
    }
    symbol.children = directive
        .specs()
        .filter_map(|spec| spec_symbol(document, spec))
        .collect();
    if directive.kind() == DirectiveKind::Module {
        // The module has one entry: show its path beside the keyword.
        symbol.detail = symbol.children.first().map(|child| child.name.clone());
        symbol.deprecated = is_deprecated(directive);
    }
    symbol
}

/// Whether a `// Deprecated:` comment sits on the module directive's line or in the comment
/// lines right above it (where go looks for it).
fn is_deprecated(directive: Directive<'_>) -> bool {
    let node = directive.node();
    let mut cursor = node.walk();
    if node
        .children(&mut cursor)
        .any(|child| child.kind() == "deprecation_comment")
    {
        return true;
    }
    // A comment after the directive's last token (outside the directive's node, since a line break
    // is not a token) on the same line.
    if let Some(next) = node.next_sibling()
        && next.kind() == "deprecation_comment"
        && next.start_position().row == node.end_position().row
    {
        return true;
    }
    // Only the comment lines touching the directive: a blank line ends the block.
    let mut row = node.start_position().row;
    let mut previous = node.prev_sibling();
    while let Some(comment) = previous {
        if comment.end_position().row + 1 != row {
            return false;
        }
        match comment.kind() {
            "deprecation_comment" => return true,
            "comment" => {
                row = comment.start_position().row;
                previous = comment.prev_sibling();
            }
            _ => return false,
        }
    }
    false
}

fn spec_symbol(document: &Document<'_>, spec: Spec<'_>) -> Option<Symbol> {
    let range = document.trim_end(spec.range());
    let leaf =
        |name: String, detail: Option<String>, kind, selection: Option<Range<usize>>| Symbol {
            name,
            detail,
            kind,
            deprecated: false,
            range: range.clone(),
            selection_range: selection.unwrap_or_else(|| range.clone()),
            children: Vec::new(),
        };
    let text = |token: Option<Token<'_>>| token.and_then(|token| token.value()).map(Into::into);
    let symbol = match spec {
        Spec::Module(module) => leaf(
            value_or(module.path(), "(missing module path)"),
            None,
            SymbolKind::Module,
            module.path().map(|path| path.range()),
        ),
        Spec::Godebug(godebug) => leaf(
            value_or(godebug.key(), "(missing key)"),
            Some(format!("= {}", text(godebug.value()).unwrap_or_default())),
            SymbolKind::Setting,
            godebug.key().map(|key| key.range()),
        ),
        Spec::Require(require) => {
            let version: Option<String> = text(require.version());
            let detail = match require.indirect() {
                Some(_) => version.map(|version| format!("{version} // indirect")),
                None => version,
            };
            leaf(
                value_or(require.path(), "(missing module path)"),
                detail,
                SymbolKind::Module,
                require.path().map(|path| path.range()),
            )
        }
        Spec::Exclude(exclude) => leaf(
            value_or(exclude.path(), "(missing module path)"),
            text(exclude.version()),
            SymbolKind::Module,
            exclude.path().map(|path| path.range()),
        ),
        Spec::Replace(replace) => {
            let mut old = value_or(replace.path(), "(missing module path)");
            if let Some(version) = text(replace.version()) {
                old = format!("{old} {version}");
            }
            let replacement = replace.replacement();
            let new = [
                text(replacement.map(|replacement| replacement.token())),
                text(replace.replacement_version()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<String>>()
            .join(" ");
            let kind = match replacement.is_some_and(|replacement| replacement.is_directory()) {
                true => SymbolKind::Directory,
                false => SymbolKind::Module,
            };
            leaf(
                old,
                Some(format!("=> {new}")),
                kind,
                replace.path().map(|path| path.range()),
            )
        }
        Spec::Retract(retract) => {
            let name = match (retract.version(), retract.interval()) {
                (Some(version), _) => value_or(Some(version), "(missing version)"),
                (None, Some(interval)) => format!(
                    "[{}, {}]",
                    value_or(interval.low(), "?"),
                    value_or(interval.high(), "?")
                ),
                (None, None) => document.slice(range.clone()).to_owned(),
            };
            let mut symbol = leaf(name, None, SymbolKind::Retraction, None);
            symbol.deprecated = true;
            symbol
        }
        Spec::Tool(tool) => leaf(
            value_or(tool.path(), "(missing package path)"),
            None,
            SymbolKind::Package,
            tool.path().map(|path| path.range()),
        ),
        Spec::Ignore(ignore) => leaf(
            value_or(ignore.path(), "(missing directory)"),
            None,
            SymbolKind::Directory,
            ignore.path().map(|path| path.range()),
        ),
        Spec::Use(use_spec) => leaf(
            value_or(use_spec.path(), "(missing directory)"),
            None,
            SymbolKind::Directory,
            use_spec.path().map(|path| path.range()),
        ),
        Spec::Line(_) => return None,
    };
    match symbol.name.trim().is_empty() {
        true => None,
        false => Some(symbol),
    }
}

/// go.sum: consecutive lines of one module under one symbol.
fn sum_symbols(document: &Document<'_>) -> Vec<Symbol> {
    let mut modules: Vec<Symbol> = Vec::new();
    for line in document.file().checksums() {
        let Some(path) = line.path() else { continue };
        let child = sum_line_symbol(document, line);
        let module = path.text();
        match modules.last_mut() {
            Some(last) if last.name == module => {
                last.range.end = child.range.end;
                last.children.push(child);
            }
            _ => modules.push(Symbol {
                name: module.to_owned(),
                detail: None,
                kind: SymbolKind::Module,
                deprecated: false,
                range: child.range.clone(),
                selection_range: path.range(),
                children: vec![child],
            }),
        }
    }
    for module in &mut modules {
        let mut versions: Vec<&str> = module
            .children
            .iter()
            .map(|child| child.name.trim_end_matches("/go.mod"))
            .collect();
        versions.dedup();
        let lines = module.children.len();
        module.detail = Some(match (lines, versions.len()) {
            (1, _) => "1 line".to_owned(),
            (_, 1) => format!("{lines} lines"),
            (_, versions) => format!("{lines} lines, {versions} versions"),
        });
    }
    modules
}

fn sum_line_symbol(document: &Document<'_>, line: SumLine<'_>) -> Symbol {
    let version = line.version();
    let mut name = version.map_or_else(|| "(missing version)".to_owned(), |v| v.text().to_owned());
    if line.is_go_mod() {
        name.push_str("/go.mod");
    }
    // The line without its line break.
    let range = line.range();
    let text = document.slice(range.clone());
    let end = range.start + text.trim_end_matches(['\r', '\n']).len();
    Symbol {
        name,
        detail: line.hash().map(|hash| hash.text().to_owned()),
        kind: SymbolKind::Checksum,
        deprecated: false,
        range: range.start..end,
        selection_range: version.map_or(range.start..end, |version| {
            version.range().start
                ..line
                    .go_mod()
                    .map_or(version.range().end, |go_mod| go_mod.end)
        }),
        children: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::parse;

    fn render(symbols: &[Symbol], depth: usize, text: &str, out: &mut String) {
        for symbol in symbols {
            let selected = text.get(symbol.selection_range.clone()).unwrap_or("<bad>");
            out.push_str(&format!(
                "{}{:?} {:?}{} {}..{} sel={selected:?}{}\n",
                "  ".repeat(depth),
                symbol.kind,
                symbol.name,
                symbol
                    .detail
                    .as_ref()
                    .map_or(String::new(), |detail| format!(" ({detail})")),
                symbol.range.start,
                symbol.range.end,
                match symbol.deprecated {
                    true => " deprecated",
                    false => "",
                }
            ));
            assert!(symbol.range.start <= symbol.selection_range.start);
            assert!(symbol.selection_range.end <= symbol.range.end);
            for child in &symbol.children {
                assert!(
                    symbol.range.start <= child.range.start && child.range.end <= symbol.range.end
                );
            }
            render(&symbol.children, depth + 1, text, out);
        }
    }

    fn check(kind: FileKind, text: &str, expected: Expect) {
        let parsed = parse(kind, text);
        let mut out = String::new();
        render(&document_symbols(&parsed.document()), 0, text, &mut out);
        expected.assert_eq(&out);
    }

    #[test]
    fn gomod_outline() {
        check(
            FileKind::GoMod,
            "// Deprecated: use é.example/n\r\nmodule é.example/m\r\n\r\ngo 1.22\r\ntoolchain go1.22.1\r\ngodebug panicnil=1\r\nrequire x.org/a v1.0.0\r\nrequire (\r\n\tx.org/b v1.1.0 // indirect\r\n\tx.org/c\r\n)\r\nexclude x.org/a v0.9.0\r\nreplace (\r\n\tx.org/a v1.0.0 => ./a\r\n\tx.org/b => y.org/b v1.2.0\r\n)\r\nretract (\r\n\tv0.1.0\r\n\t[v0.2.0, v0.3.0]\r\n)\r\ntool x.org/a/cmd/t\r\nignore ./node_modules\r\nfrob x\r\n",
            expect![[r#"
                Directive "module" (é.example/m) 33..52 sel="module" deprecated
                  Module "é.example/m" 40..52 sel="é.example/m"
                Directive "go" (1.22) 56..63 sel="go"
                Directive "toolchain" (go1.22.1) 65..83 sel="toolchain"
                Directive "godebug" 85..103 sel="godebug"
                  Setting "panicnil" (= 1) 93..103 sel="panicnil"
                Directive "require" 105..127 sel="require"
                  Module "x.org/a" (v1.0.0) 113..127 sel="x.org/a"
                Directive "require" 129..180 sel="require"
                  Module "x.org/b" (v1.1.0 // indirect) 141..167 sel="x.org/b"
                  Module "x.org/c" 170..177 sel="x.org/c"
                Directive "exclude" 182..204 sel="exclude"
                  Module "x.org/a" (v0.9.0) 190..204 sel="x.org/a"
                Directive "replace" 206..270 sel="replace"
                  Directory "x.org/a v1.0.0" (=> ./a) 218..239 sel="x.org/a"
                  Module "x.org/b" (=> y.org/b v1.2.0) 242..267 sel="x.org/b"
                Directive "retract" 272..312 sel="retract"
                  Retraction "v0.1.0" 284..290 sel="v0.1.0" deprecated
                  Retraction "[v0.2.0, v0.3.0]" 293..309 sel="[v0.2.0, v0.3.0]" deprecated
                Directive "tool" 314..332 sel="tool"
                  Package "x.org/a/cmd/t" 319..332 sel="x.org/a/cmd/t"
                Directive "ignore" 334..355 sel="ignore"
                  Directory "./node_modules" 341..355 sel="./node_modules"
                Directive "frob" 357..363 sel="frob"
            "#]],
        );
    }

    #[test]
    fn deprecation_needs_a_touching_comment_block() {
        for (text, deprecated) in [
            ("// Deprecated: x\n// more\nmodule m\n", true),
            ("// Deprecated: x\n\nmodule m\n", false),
            ("module m // Deprecated: x\n", true),
            ("// other\nmodule m\n", false),
        ] {
            let parsed = parse(FileKind::GoMod, text);
            let symbols = document_symbols(&parsed.document());
            assert_eq!(symbols[0].deprecated, deprecated, "{text:?}");
        }
    }

    #[test]
    fn gowork_outline() {
        check(
            FileKind::GoWork,
            "go 1.23\nuse (\n\t./a\n\t\"./b c\"\n)\nreplace x.org/m => ../m\n",
            expect![[r#"
                Directive "go" (1.23) 0..7 sel="go"
                Directive "use" 8..29 sel="use"
                  Directory "./a" 15..18 sel="./a"
                  Directory "./b c" 20..27 sel="\"./b c\""
                Directive "replace" 30..53 sel="replace"
                  Directory "x.org/m" (=> ../m) 38..53 sel="x.org/m"
            "#]],
        );
    }

    #[test]
    fn gosum_outline_groups_lines_per_module() {
        check(
            FileKind::GoSum,
            "x.org/a v1.0.0 h1:a=\r\nx.org/a v1.0.0/go.mod h1:b=\r\nx.org/a v1.1.0/go.mod h1:c=\r\nbroken\r\né.org/b v0.1.0 h1:d=\r\n",
            expect![[r#"
                Module "x.org/a" (3 lines, 2 versions) 0..78 sel="x.org/a"
                  Checksum "v1.0.0" (h1:a=) 0..20 sel="v1.0.0"
                  Checksum "v1.0.0/go.mod" (h1:b=) 22..49 sel="v1.0.0/go.mod"
                  Checksum "v1.1.0/go.mod" (h1:c=) 51..78 sel="v1.1.0/go.mod"
                Module "é.org/b" (1 line) 88..109 sel="é.org/b"
                  Checksum "v0.1.0" (h1:d=) 88..109 sel="v0.1.0"
            "#]],
        );
    }

    #[test]
    fn broken_files_still_have_an_outline() {
        check(
            FileKind::GoMod,
            "module\nrequire (\n\tx.org/a\n\t(\nreplace =>\n",
            expect![[r#"
                Directive "module" 0..6 sel="module"
                Directive "require" 7..39 sel="require"
                  Module "x.org/a" 18..25 sel="x.org/a"
                  Module "(missing module path)" 27..28 sel="("
                  Module "replace" (=>) 29..39 sel="replace"
            "#]],
        );
    }
}
