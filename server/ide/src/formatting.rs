//! Formatting: the go command's canonical text (`go mod edit -fmt`, `go work edit -fmt`, and
//! go.sum as go writes it: every checksum once, in `module.Sort` order, one line each), returned
//! as the smallest edits that turn the document into it.
//!
//! A file with syntax errors, or one the go command refuses, gets no edits: diagnostics explain
//! why. The edits come from a line diff, refined to characters inside each changed run of lines,
//! so formatting a file that is nearly canonical touches only what changes.

use std::ops::Range;
use std::time::Duration;

use gomodls_syntax::FileKind;
use gomodls_syntax::gosum::{format_go_sum, read_go_sum};
use gomodls_syntax::modfile::{format_gomod, format_gowork};
use similar::{Algorithm, DiffOp, TextDiff};

use crate::document::Document;

/// Replace the bytes `range` of the document with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    /// The bytes replaced (empty for an insertion).
    pub range: Range<usize>,
    /// The new text.
    pub new_text: String,
}

/// How long a diff may search for the smallest edits before settling for larger ones.
const DIFF_TIMEOUT: Duration = Duration::from_millis(200);

/// Character diffs are used only inside runs of changed lines up to this size.
const CHARACTER_DIFF_LIMIT: usize = 4096;

/// The edits that format the whole document; none if it is formatted or broken.
pub fn format(document: &Document<'_>) -> Vec<TextEdit> {
    match formatted(document) {
        Some(new) => minimal_edits(document.text, &new),
        None => Vec::new(),
    }
}

/// The edits of [`format`] that touch `range`. The go command formats whole files, so this is
/// the whole-file answer restricted to the selection.
///
/// In a go.sum, formatting moves lines, and half of a move would lose or repeat a checksum:
/// there the whole lines the selection touches are written as go writes them, among
/// themselves.
pub fn format_range(document: &Document<'_>, range: Range<usize>) -> Vec<TextEdit> {
    if document.kind == FileKind::GoSum {
        return format_sum_lines(document.text, range);
    }
    format(document)
        .into_iter()
        .filter(|edit| overlaps(&edit.range, &range))
        .collect()
}

/// Whether two ranges share a byte; an empty range counts where it sits, so an insertion at
/// the edge of a selection (or a selection that is only a cursor) still meets.
fn overlaps(edit: &Range<usize>, selection: &Range<usize>) -> bool {
    match edit.is_empty() || selection.is_empty() {
        true => edit.start <= selection.end && selection.start <= edit.end,
        false => edit.start < selection.end && selection.start < edit.end,
    }
}

/// The go command's text for the document, if it has one.
fn formatted(document: &Document<'_>) -> Option<String> {
    let text = document.text.as_bytes();
    let file_name = document.kind.file_name();
    match document.kind {
        // go reads a go.sum line by line and refuses it only for a line without three fields.
        FileKind::GoSum => formatted_sum(document.text),
        _ if document.tree.root_node().has_error() => None,
        FileKind::GoMod => format_gomod(text, file_name).ok(),
        FileKind::GoWork => format_gowork(text, file_name).ok(),
    }
}

/// go.sum text as go writes it (what `gomodls fmt` prints), or `None` when go refuses a line.
fn formatted_sum(text: &str) -> Option<String> {
    let sum = read_go_sum(text.as_bytes());
    if !sum.malformed.is_empty() {
        return None;
    }
    Some(format_go_sum(sum.lines.iter().map(|line| &line.sum)))
}

/// The edits that write the whole lines of a go.sum that `range` touches as go writes them;
/// none when go refuses the file.
fn format_sum_lines(text: &str, range: Range<usize>) -> Vec<TextEdit> {
    if !read_go_sum(text.as_bytes()).malformed.is_empty() {
        return Vec::new();
    }
    let lines = whole_lines(text, range);
    let Some(old) = text.get(lines.clone()) else {
        return Vec::new();
    };
    let Some(new) = formatted_sum(old) else {
        return Vec::new();
    };
    minimal_edits(old, &new)
        .into_iter()
        .map(|edit| TextEdit {
            range: lines.start + edit.range.start..lines.start + edit.range.end,
            new_text: edit.new_text,
        })
        .collect()
}

/// `range` widened to whole lines, line breaks included. A selection that ends at the start of
/// a line leaves that line out; an empty one is its line.
fn whole_lines(text: &str, range: Range<usize>) -> Range<usize> {
    let end = range.end.min(text.len());
    let start = range.start.min(end);
    let bytes = text.as_bytes();
    let line_start = bytes
        .get(..start)
        .and_then(|before| before.iter().rposition(|&byte| byte == b'\n'))
        .map_or(0, |newline| newline + 1);
    let at_line_start = end == 0 || bytes.get(end - 1) == Some(&b'\n');
    let line_end = match at_line_start && start < end {
        true => end,
        false => bytes
            .get(end..)
            .and_then(|after| after.iter().position(|&byte| byte == b'\n'))
            .map_or(text.len(), |newline| end + newline + 1),
    };
    line_start..line_end
}

/// Edits that turn `old` into `new`: changed runs of lines, refined to characters.
pub fn minimal_edits(old: &str, new: &str) -> Vec<TextEdit> {
    if old == new {
        return Vec::new();
    }
    let lines = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    let old_starts = starts(lines.iter_old_slices());
    let new_starts = starts(lines.iter_new_slices());
    let mut edits = Vec::new();
    for op in lines.ops() {
        let (old_lines, new_lines) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        let old_range = byte_range(&old_starts, old_lines);
        let new_range = byte_range(&new_starts, new_lines);
        let old_part = old.get(old_range.clone()).unwrap_or_default();
        let new_part = new.get(new_range).unwrap_or_default();
        if old_part.is_empty()
            || new_part.is_empty()
            || old_part.len() + new_part.len() > CHARACTER_DIFF_LIMIT
        {
            edits.push(TextEdit {
                range: old_range,
                new_text: new_part.to_owned(),
            });
            continue;
        }
        character_edits(old_part, new_part, old_range.start, &mut edits);
    }
    merge_touching(whole_line_breaks(old, edits))
}

/// Moves edit boundaries out of `\r\n` pairs: an editor position cannot point between the two
/// (it means the end of the line), so an edit that removes only the `\r` would remove nothing.
fn whole_line_breaks(old: &str, edits: Vec<TextEdit>) -> Vec<TextEdit> {
    let splits_pair = |offset: usize| {
        offset > 0
            && old.as_bytes().get(offset - 1) == Some(&b'\r')
            && old.as_bytes().get(offset) == Some(&b'\n')
    };
    let mut aligned: Vec<TextEdit> = Vec::with_capacity(edits.len());
    for mut edit in edits {
        if splits_pair(edit.range.start) {
            edit.range.start -= 1;
            edit.new_text.insert(0, '\r');
        }
        if splits_pair(edit.range.end) {
            edit.range.end += 1;
            edit.new_text.push('\n');
        }
        // Widening may make an edit reach into the one before it: join them.
        match aligned.last_mut() {
            Some(last) if last.range.end > edit.range.start => {
                let overlap = last.range.end - edit.range.start;
                let keep = last.new_text.len().saturating_sub(overlap);
                // The overlap is the one `\r` or `\n` both edits re-add; keep it once.
                last.new_text.truncate(keep);
                last.range.end = edit.range.end;
                last.new_text.push_str(&edit.new_text);
            }
            _ => aligned.push(edit),
        }
    }
    aligned
}

/// The byte offset where each slice starts, plus the total length at the end.
fn starts<'s>(slices: impl Iterator<Item = &'s str>) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut offset = 0;
    offsets.push(0);
    for slice in slices {
        offset += slice.len();
        offsets.push(offset);
    }
    offsets
}

fn byte_range(starts: &[usize], indices: Range<usize>) -> Range<usize> {
    let start = starts.get(indices.start).copied().unwrap_or_default();
    let end = starts.get(indices.end).copied().unwrap_or(start);
    start..end
}

/// Character-level edits turning `old` (at `base` in the document) into `new`.
fn character_edits(old: &str, new: &str, base: usize, edits: &mut Vec<TextEdit>) {
    let characters = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_chars(old, new);
    let old_starts = starts(characters.iter_old_slices());
    let new_starts = starts(characters.iter_new_slices());
    for op in characters.ops() {
        let (old_chars, new_chars) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        let old_range = byte_range(&old_starts, old_chars);
        let new_range = byte_range(&new_starts, new_chars);
        edits.push(TextEdit {
            range: base + old_range.start..base + old_range.end,
            new_text: new.get(new_range).unwrap_or_default().to_owned(),
        });
    }
}

/// Joins edits that touch (a deletion followed by an insertion at its end is one replacement).
fn merge_touching(edits: Vec<TextEdit>) -> Vec<TextEdit> {
    let mut merged: Vec<TextEdit> = Vec::with_capacity(edits.len());
    for edit in edits {
        match merged.last_mut() {
            Some(last) if last.range.end == edit.range.start => {
                last.range.end = edit.range.end;
                last.new_text.push_str(&edit.new_text);
            }
            _ => merged.push(edit),
        }
    }
    merged
}

/// Applies non-overlapping edits in document order.
#[cfg(test)]
pub(crate) fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for edit in edits {
        assert!(at <= edit.range.start, "edits overlap or are out of order");
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.new_text);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::parse;

    fn check(kind: FileKind, text: &str, expected: Expect) {
        let parsed = parse(kind, text);
        let edits = format(&parsed.document());
        let out: String = edits
            .iter()
            .map(|edit| format!("{:?} -> {:?}\n", &text[edit.range.clone()], edit.new_text))
            .collect();
        expected.assert_eq(&out);
        if !edits.is_empty() {
            let formatted = apply(text, &edits);
            let again = parse(kind, &formatted);
            assert!(
                format(&again.document()).is_empty(),
                "{formatted:?} is not stable"
            );
        }
    }

    #[test]
    fn small_changes_give_small_edits() {
        check(
            FileKind::GoMod,
            "module   é.org/m\n\ngo 1.22\n\nrequire (\n  x.org/b v1.0.0\n\tx.org/a   v1.0.0 // indirect\n)\nrequire x.org/c v1.0.0\n",
            expect![[r#"
                "  " -> ""
                "  " -> "\t"
                "b" -> "a"
                "" -> " // indirect"
                "a  " -> "b"
                " // indirect" -> ""
                "" -> "\n"
            "#]],
        );
    }

    #[test]
    fn formatted_files_get_no_edits() {
        check(
            FileKind::GoMod,
            "module m\n\ngo 1.22\n\nrequire x.org/a v1.0.0\n",
            expect![[r#""#]],
        );
    }

    #[test]
    fn broken_files_get_no_edits() {
        check(
            FileKind::GoMod,
            "module m\nrequire (\n\tx.org/a v1\n",
            expect![[r#""#]],
        );
        // Go refuses this one (a version that is not one), so there is no canonical text.
        check(
            FileKind::GoMod,
            "module m\nrequire x.org/a latest\n",
            expect![[r#""#]],
        );
        // go refuses a go.sum with a line that does not have three fields.
        check(
            FileKind::GoSum,
            "b.org/m v1.0.0 h1:x=\na.org/m v1.0.0 h1:y= extra\n",
            expect![[r#""#]],
        );
    }

    #[test]
    fn go_sum_as_go_writes_it() {
        // Sorted by module path, then by semantic version with a version before its go.mod,
        // exact duplicates and blank lines gone, CRLF written as LF.
        let text = "b.org/m v1.10.0 h1:b=\n\nb.org/m v1.9.0/go.mod h1:c=\r\nb.org/m v1.9.0 h1:d=\na.org/é v1.0.0 h1:a=\nb.org/m v1.10.0 h1:b=\n";
        let parsed = parse(FileKind::GoSum, text);
        assert_eq!(
            apply(text, &format(&parsed.document())),
            "a.org/é v1.0.0 h1:a=\nb.org/m v1.9.0 h1:d=\nb.org/m v1.9.0/go.mod h1:c=\nb.org/m v1.10.0 h1:b=\n"
        );
        check(
            FileKind::GoSum,
            text,
            expect![[r#"
                "b" -> "a"
                "m" -> "é"
                "1" -> ""
                "b=\n\nb.org/m v1.9.0/go.mod h1:c" -> "a"
                "\r\n" -> "\n"
                "a" -> "b"
                "é" -> "m"
                "0" -> "9"
                "" -> "/go.mod"
                "a" -> "c"
            "#]],
        );
        check(
            FileKind::GoSum,
            "a.org/m v1.0.0 h1:a=\na.org/m v1.0.0/go.mod h1:b=\n",
            expect![[r#""#]],
        );
    }

    #[test]
    fn go_sum_range_formatting_sorts_the_selected_lines() {
        let text = "c.org/m v1.0.0 h1:c=\nb.org/m v1.0.0 h1:b=\r\na.org/m   v1.0.0 h1:a=\nd.org/m v1.0.0 h1:d=";
        let parsed = parse(FileKind::GoSum, text);
        let document = parsed.document();
        // From inside the second line to the start of the fourth: lines two and three.
        let start = text.find("org/m v1.0.0 h1:b").unwrap();
        let end = text.find("d.org").unwrap();
        let edits = format_range(&document, start..end);
        assert_eq!(
            apply(text, &edits),
            "c.org/m v1.0.0 h1:c=\na.org/m v1.0.0 h1:a=\nb.org/m v1.0.0 h1:b=\nd.org/m v1.0.0 h1:d="
        );
        // A cursor on the last line, which has no line break: go's line ends with one.
        let cursor = text.len() - 2;
        assert_eq!(
            apply(text, &format_range(&document, cursor..cursor)),
            "c.org/m v1.0.0 h1:c=\nb.org/m v1.0.0 h1:b=\r\na.org/m   v1.0.0 h1:a=\nd.org/m v1.0.0 h1:d=\n"
        );
        // Every line selected: the whole-file answer.
        assert_eq!(
            apply(text, &format_range(&document, 0..text.len())),
            apply(text, &format(&document))
        );
        // go refuses the file: nothing to do, wherever the selection is.
        let broken = "b.org/m v1.0.0 h1:b=\na.org/m v1.0.0\n";
        let parsed = parse(FileKind::GoSum, broken);
        assert!(format_range(&parsed.document(), 0..5).is_empty());
    }

    #[test]
    fn crlf_becomes_lf_as_go_writes_it() {
        check(
            FileKind::GoWork,
            "go 1.22\r\n\r\nuse ./a\r\n",
            expect![[r#"
                "\r\n\r\n" -> "\n\n"
                "\r\n" -> "\n"
            "#]],
        );
    }

    #[test]
    fn range_formatting_keeps_the_edits_in_the_range() {
        let text = "module   m\n\ngo 1.22\n\nrequire  x.org/a v1.0.0\n";
        let parsed = parse(FileKind::GoMod, text);
        let start = text.find("require").unwrap();
        let edits = format_range(&parsed.document(), start..text.len());
        assert_eq!(
            apply(text, &edits),
            "module   m\n\ngo 1.22\n\nrequire x.org/a v1.0.0\n"
        );
    }

    #[test]
    fn minimal_edits_reproduce_the_new_text() {
        let cases = [
            ("", "a\n"),
            ("a\n", ""),
            ("a\nb\nc\n", "a\nc\nb\n"),
            ("é😀\r\nx", "é😀\ny\n"),
            ("same", "same"),
            ("x\ny", "x\ny\n"),
            ("a\r\nb\r\n", "a\nb\n"),
            ("a\r\n\r\nb\r\n", "a\n\nb\n"),
            ("a\nb\n", "a\r\nb\r\n"),
            ("a\r\nb", "ab"),
        ];
        for (old, new) in cases {
            let edits = minimal_edits(old, new);
            assert_eq!(apply(old, &edits), new, "{old:?} -> {new:?}");
            for edit in &edits {
                for offset in [edit.range.start, edit.range.end] {
                    assert!(
                        !(old[..offset].ends_with('\r') && old[offset..].starts_with('\n')),
                        "{old:?} -> {new:?}: {edits:?} splits a CRLF"
                    );
                }
            }
        }
    }
}
