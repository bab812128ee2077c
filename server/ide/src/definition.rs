//! Go to definition: a local directory (a `replace` target, a `use`) goes to its go.mod; a
//! requirement goes to its go.sum lines; a go.sum line goes to the requirement in the go.mod
//! beside it.
//!
//! The other file (the go.sum beside a go.mod, the go.mod beside a go.sum) is handed in by the
//! lsp crate, from the client's buffer if it is open, else from disk.

use std::ops::Range;

use gomodls_syntax::FileKind;
use gomodls_syntax::views::{SumLine, Token};

use crate::document::Document;

/// Where a definition is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefinitionTarget {
    /// The go.mod in a directory, as written (relative to the document's directory unless
    /// absolute).
    LocalModule {
        /// The directory.
        directory: String,
    },
    /// A place in the related document.
    Related {
        /// What the target covers.
        range: Range<usize>,
        /// The part to select.
        selection: Range<usize>,
    },
}

/// One definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// The bytes of the document the definition is for (the token under the cursor).
    pub origin: Range<usize>,
    /// Where it is.
    pub target: DefinitionTarget,
}

/// The definitions of what is at `offset`; `related` is the go.sum of a go.mod, or the go.mod of
/// a go.sum.
pub fn definition(
    document: &Document<'_>,
    offset: usize,
    related: Option<&Document<'_>>,
) -> Vec<Definition> {
    match document.kind {
        FileKind::GoMod | FileKind::GoWork => in_modfile(document, offset, related),
        FileKind::GoSum => in_gosum(document, offset, related),
    }
}

fn contains(range: Range<usize>, offset: usize) -> bool {
    range.start <= offset && offset <= range.end
}

fn at(token: Option<Token<'_>>, offset: usize) -> Option<Token<'_>> {
    token.filter(|token| contains(token.range(), offset))
}

fn in_modfile(
    document: &Document<'_>,
    offset: usize,
    related: Option<&Document<'_>>,
) -> Vec<Definition> {
    let file = document.file();
    for spec in file.uses() {
        if let Some(path) = at(spec.path(), offset) {
            return local_module(path);
        }
    }
    for spec in file.replaces() {
        if !contains(spec.range(), offset) {
            continue;
        }
        let Some(replacement) = spec.replacement() else {
            return Vec::new();
        };
        let token = replacement.token();
        let version = spec.replacement_version();
        if replacement.is_directory() {
            return match contains(token.range(), offset) {
                true => local_module(token),
                false => Vec::new(),
            };
        }
        if let Some(origin) = at(Some(token), offset).or(at(version, offset)) {
            return sum_lines(origin.range(), Some(token), version, related);
        }
    }
    for spec in file.requires() {
        let path = spec.path();
        let version = spec.version();
        if let Some(origin) = at(path, offset).or(at(version, offset)) {
            return sum_lines(origin.range(), path, version, related);
        }
    }
    Vec::new()
}

fn local_module(token: Token<'_>) -> Vec<Definition> {
    match token.value() {
        Some(directory) if !directory.is_empty() => vec![Definition {
            origin: token.range(),
            target: DefinitionTarget::LocalModule {
                directory: directory.into_owned(),
            },
        }],
        _ => Vec::new(),
    }
}

/// The go.sum lines of a module version (of every version when `version` is missing).
fn sum_lines(
    origin: Range<usize>,
    path: Option<Token<'_>>,
    version: Option<Token<'_>>,
    related: Option<&Document<'_>>,
) -> Vec<Definition> {
    let Some(related) = related.filter(|related| related.kind == FileKind::GoSum) else {
        return Vec::new();
    };
    let Some(path) = path.and_then(|path| path.value()) else {
        return Vec::new();
    };
    let version = version.and_then(|version| version.value());
    related
        .file()
        .checksums()
        .filter(|line| {
            line.path()
                .is_some_and(|line_path| line_path.text() == path)
        })
        .filter(|line| match &version {
            Some(version) => line.version().is_some_and(|v| v.text() == version),
            None => true,
        })
        .map(|line| Definition {
            origin: origin.clone(),
            target: DefinitionTarget::Related {
                range: line_content(related, line),
                selection: line.version().map_or(line.range(), |version| {
                    version.range().start
                        ..line
                            .go_mod()
                            .map_or(version.range().end, |go_mod| go_mod.end)
                }),
            },
        })
        .collect()
}

/// A go.sum line without its line break.
fn line_content(document: &Document<'_>, line: SumLine<'_>) -> Range<usize> {
    let range = line.range();
    let text = document.slice(range.clone());
    range.start..range.start + text.trim_end_matches(['\r', '\n']).len()
}

fn in_gosum(
    document: &Document<'_>,
    offset: usize,
    related: Option<&Document<'_>>,
) -> Vec<Definition> {
    let Some(line) = document
        .file()
        .checksums()
        .find(|line| contains(line_content(document, *line), offset))
    else {
        return Vec::new();
    };
    let Some(path) = line.path() else {
        return Vec::new();
    };
    let Some(related) = related.filter(|related| related.kind == FileKind::GoMod) else {
        return Vec::new();
    };
    let origin = line_content(document, line);
    related
        .file()
        .requires()
        .filter(|spec| {
            spec.path()
                .and_then(|required| required.value())
                .is_some_and(|required| required == path.text())
        })
        .map(|spec| Definition {
            origin: origin.clone(),
            target: DefinitionTarget::Related {
                range: spec.range(),
                selection: spec.path().map_or(spec.range(), |path| path.range()),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::{cursor, parse};

    fn check(kind: FileKind, fixture: &str, related: Option<(FileKind, &str)>, expected: Expect) {
        let (parsed, offset) = cursor(kind, fixture);
        let related = related.map(|(kind, text)| parse(kind, text));
        let found = definition(
            &parsed.document(),
            offset,
            related.as_ref().map(|related| related.document()).as_ref(),
        );
        let out: String = found
            .iter()
            .map(|definition| {
                let origin = &parsed.text[definition.origin.clone()];
                match &definition.target {
                    DefinitionTarget::LocalModule { directory } => {
                        format!("{origin:?} -> go.mod in {directory}\n")
                    }
                    DefinitionTarget::Related { range, selection } => {
                        let related = related.as_ref().unwrap();
                        format!(
                            "{origin:?} -> {:?} (select {:?})\n",
                            &related.text[range.clone()],
                            &related.text[selection.clone()]
                        )
                    }
                }
            })
            .collect();
        expected.assert_eq(&out);
    }

    const SUM: &str = "x.org/a v1.0.0 h1:a=\r\nx.org/a v1.0.0/go.mod h1:b=\r\nx.org/a v1.1.0/go.mod h1:c=\r\ny.org/é v0.1.0 h1:d=\r\n";

    #[test]
    fn require_to_its_go_sum_lines() {
        check(
            FileKind::GoMod,
            "module m\r\nrequire (\r\n\tx.org/a v1.$00.0\r\n)\r\n",
            Some((FileKind::GoSum, SUM)),
            expect![[r#"
                "v1.0.0" -> "x.org/a v1.0.0 h1:a=" (select "v1.0.0")
                "v1.0.0" -> "x.org/a v1.0.0/go.mod h1:b=" (select "v1.0.0/go.mod")
            "#]],
        );
        check(
            FileKind::GoMod,
            "module m\nrequire \"y.org/$0é\" v0.1.0\n",
            Some((FileKind::GoSum, SUM)),
            expect![[r#"
                "\"y.org/é\"" -> "y.org/é v0.1.0 h1:d=" (select "v0.1.0")
            "#]],
        );
        check(
            FileKind::GoMod,
            "module m\nrequire x.org/$0a v1.0.0\n",
            None,
            expect![[r#""#]],
        );
    }

    #[test]
    fn local_directories_to_their_go_mod() {
        check(
            FileKind::GoMod,
            "module m\nreplace x.org/a => ../$0a\nreplace x.org/b => y.org/b v1.0.0\n",
            None,
            expect![[r#"
                "../a" -> go.mod in ../a
            "#]],
        );
        check(
            FileKind::GoWork,
            "go 1.22\r\nuse (\r\n\t./é$0 b\r\n)\r\n",
            None,
            expect![[r#"
                "./é" -> go.mod in ./é
            "#]],
        );
        check(
            FileKind::GoWork,
            "go 1.22\r\nuse (\r\n\t\"./é$0 b\"\r\n)\r\n",
            None,
            expect![[r#"
                "\"./é b\"" -> go.mod in ./é b
            "#]],
        );
    }

    #[test]
    fn go_sum_line_to_its_requirement() {
        check(
            FileKind::GoSum,
            "x.org/a v1.0.0 h1:a=\r\nx.org/a v1.0.0/go.mod h1:$0b=\r\n",
            Some((
                FileKind::GoMod,
                "module m\r\n\r\nrequire x.org/a v1.0.0 // indirect\r\n",
            )),
            expect![[r#"
                "x.org/a v1.0.0/go.mod h1:b=" -> "x.org/a v1.0.0 // indirect" (select "x.org/a")
            "#]],
        );
    }
}
