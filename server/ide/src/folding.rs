//! Folding ranges: blocks (`require ( ... )`) and runs of two or more whole-line comments.
//!
//! A block folds from its directive's first line to the line before `)`, so the closing
//! parenthesis stays visible; an unclosed block folds to its last line.

use std::ops::Range;

use gomodls_syntax::FileKind;
use tree_sitter::Node;

use crate::document::Document;

/// What a fold hides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// The lines of a block.
    Block,
    /// A run of comment lines.
    Comment,
}

/// One foldable region, in bytes: it starts on its first line and ends on its last line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    /// From the start of the first line's content to the end of the last line's content.
    pub range: Range<usize>,
    /// What is folded.
    pub kind: FoldKind,
}

/// The folding ranges of a document, in order of their start.
pub fn folding_ranges(document: &Document<'_>) -> Vec<Fold> {
    let mut folds = Vec::new();
    // go.sum has neither blocks nor comments.
    if document.kind == FileKind::GoSum {
        return folds;
    }
    for directive in document.file().directives() {
        let Some(block) = directive.block() else {
            continue;
        };
        let end = match block.close() {
            Some(close) => end_of_previous_line(document.text, close.start),
            None => trim_line_end(document.text, block.range().end),
        };
        let start = directive.range().start;
        if end > start && document.slice(start..end).contains('\n') {
            folds.push(Fold {
                range: start..end,
                kind: FoldKind::Block,
            });
        }
    }
    comment_runs(document, &mut folds);
    folds.sort_by_key(|fold| (fold.range.start, std::cmp::Reverse(fold.range.end)));
    folds
}

/// The end of the content of the line before the one `offset` is on.
fn end_of_previous_line(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or_default();
    match before.rfind('\n') {
        Some(newline) => trim_line_end(text, newline),
        None => offset,
    }
}

/// `offset` moved back over line-break characters.
fn trim_line_end(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or_default();
    before.trim_end_matches(['\r', '\n']).len()
}

/// Whether only blanks precede `node` on its line.
fn starts_its_line(text: &str, node: &Node<'_>) -> bool {
    let before = text.get(..node.start_byte()).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    before
        .get(line_start..)
        .unwrap_or_default()
        .bytes()
        .all(|byte| matches!(byte, b' ' | b'\t' | b'\r'))
}

fn comment_runs(document: &Document<'_>, folds: &mut Vec<Fold>) {
    let mut run: Option<(Range<usize>, usize, usize)> = None; // (range, first row, last row)
    let close = |run: Option<(Range<usize>, usize, usize)>, folds: &mut Vec<Fold>| {
        if let Some((range, first, last)) = run
            && last > first
        {
            folds.push(Fold {
                range,
                kind: FoldKind::Comment,
            });
        }
    };
    for comment in document.file().comments() {
        let node = comment.node();
        if !starts_its_line(document.text, &node) {
            close(run.take(), folds);
            continue;
        }
        let row = node.start_position().row;
        let end = trim_line_end(document.text, node.end_byte());
        run = match run.take() {
            Some((range, first, last)) if last + 1 == row => Some((range.start..end, first, row)),
            previous => {
                close(previous, folds);
                Some((node.start_byte()..end, row, row))
            }
        };
    }
    close(run, folds);
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::parse;

    fn check(kind: FileKind, text: &str, expected: Expect) {
        let parsed = parse(kind, text);
        let out: String = folding_ranges(&parsed.document())
            .iter()
            .map(|fold| format!("{:?} {:?}\n", fold.kind, &text[fold.range.clone()]))
            .collect();
        expected.assert_eq(&out);
    }

    #[test]
    fn blocks_and_comment_runs() {
        check(
            FileKind::GoMod,
            "// a\r\n// é\r\nmodule m // not a run\r\n// lone\r\n\r\nrequire (\r\n\t// inside\r\n\t// inside too\r\n\tx.org/a v1.0.0\r\n)\r\nrequire ()\r\nreplace (\n\tx => y v1\n",
            expect![[r#"
                Comment "// a\r\n// é"
                Block "require (\r\n\t// inside\r\n\t// inside too\r\n\tx.org/a v1.0.0"
                Comment "// inside\r\n\t// inside too"
                Block "replace (\n\tx => y v1"
            "#]],
        );
    }

    #[test]
    fn gowork_use_block() {
        check(
            FileKind::GoWork,
            "go 1.22\nuse (\n\t./a\n\t./b\n)\n",
            expect![[r#"
                Block "use (\n\t./a\n\t./b"
            "#]],
        );
    }
}
