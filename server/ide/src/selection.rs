//! Selection ranges: from the token under the cursor outwards (token, spec, block, directive,
//! file), each range strictly larger than the one before.

use std::ops::Range;

use gomodls_syntax::views::SumHash;

use crate::document::Document;

/// For each offset, the ranges that contain it, innermost first, ending with the whole file.
pub fn selection_ranges(document: &Document<'_>, offsets: &[usize]) -> Vec<Vec<Range<usize>>> {
    offsets
        .iter()
        .map(|&offset| ranges_at(document, offset))
        .collect()
}

fn ranges_at(document: &Document<'_>, offset: usize) -> Vec<Range<usize>> {
    let offset = offset.min(document.text.len());
    let root = document.tree.root_node();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut node = root.descendant_for_byte_range(offset, offset);
    // A go.sum hash is one token in the tree; its algorithm or value comes first.
    if let Some(hash) = node.and_then(|node| SumHash::cast(node, document.text)) {
        let parts = [hash.algorithm(), hash.value()];
        let part = parts
            .into_iter()
            .flatten()
            .map(|part| part.range())
            .find(|range| range.start <= offset && offset <= range.end);
        ranges.extend(part);
    }
    while let Some(current) = node {
        let range = document.trim_end(current.byte_range());
        // Hidden line breaks and zero-width nodes are no selection.
        let useful = range.start < range.end
            && !current.is_missing()
            && document.slice(range.clone()).trim() != ""
            && range.start <= offset
            && offset <= range.end;
        if useful && ranges.last().is_none_or(|last| *last != range) {
            ranges.push(range);
        }
        node = current.parent();
    }
    // The root node starts at the first token; the file itself is the last selection.
    let whole = 0..document.text.len();
    ranges.retain(|range| *range != whole);
    ranges.push(whole);
    ranges
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::cursor;

    fn check(kind: FileKind, fixture: &str, expected: Expect) {
        let (parsed, offset) = cursor(kind, fixture);
        let ranges = selection_ranges(&parsed.document(), &[offset]);
        let out: String = ranges[0]
            .iter()
            .map(|range| format!("{:?}\n", &parsed.text[range.clone()]))
            .collect();
        for pair in ranges[0].windows(2) {
            assert!(pair[1].start <= pair[0].start && pair[0].end <= pair[1].end);
            assert_ne!(pair[0], pair[1]);
        }
        expected.assert_eq(&out);
    }

    #[test]
    fn from_a_version_in_a_block_to_the_file() {
        check(
            FileKind::GoMod,
            "module é\r\n\r\nrequire (\r\n\tx.org/a v1.$00.0 // indirect\r\n)\r\n",
            expect![[r#"
                "v1.0.0"
                "x.org/a v1.0.0 // indirect"
                "(\r\n\tx.org/a v1.0.0 // indirect\r\n)"
                "require (\r\n\tx.org/a v1.0.0 // indirect\r\n)"
                "module é\r\n\r\nrequire (\r\n\tx.org/a v1.0.0 // indirect\r\n)"
                "module é\r\n\r\nrequire (\r\n\tx.org/a v1.0.0 // indirect\r\n)\r\n"
            "#]],
        );
    }

    #[test]
    fn interval_bounds() {
        check(
            FileKind::GoMod,
            "retract [v1.0.0, v$01.1.0]\n",
            expect![[r#"
                "v1.1.0"
                "[v1.0.0, v1.1.0]"
                "retract [v1.0.0, v1.1.0]"
                "retract [v1.0.0, v1.1.0]\n"
            "#]],
        );
    }

    #[test]
    fn gosum_hash() {
        check(
            FileKind::GoSum,
            "x.org/a v1.0.0 h1:abc=\nx.org/a v1.0.0/go.mod h1:d$0ef=\n",
            expect![[r#"
                "def="
                "h1:def="
                "x.org/a v1.0.0/go.mod h1:def="
                "x.org/a v1.0.0 h1:abc=\nx.org/a v1.0.0/go.mod h1:def="
                "x.org/a v1.0.0 h1:abc=\nx.org/a v1.0.0/go.mod h1:def=\n"
            "#]],
        );
    }
}
