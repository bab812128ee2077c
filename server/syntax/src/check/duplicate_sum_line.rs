//! `duplicate-sum-line`: a go.sum checksum listed twice.
//!
//! The same line again has no effect: go writes each line once (a warning, fixed by deleting
//! it). A different `h1:` hash for the same module version is a conflict: go checks downloads
//! against the first and reports a checksum mismatch when it differs, so one of the two is wrong
//! (an error).

use std::collections::HashMap;

use super::{CodeInfo, Diagnostic, Severity, Source, Tag, whole_lines};
use crate::gosum::SumLineRef;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "duplicate-sum-line",
    source: Source::Gomodls,
    summary: "a go.sum checksum listed twice, or two different hashes for one module version",
    url: "https://go.dev/ref/mod#go-sum-files",
};

/// The duplicates among `lines` (in file order). `in_order` says the lines are in go's order, so
/// that the lines of one (module, version) stand together and no map is needed.
pub(super) fn check(
    lines: &[SumLineRef<'_>],
    in_order: bool,
    text: &[u8],
    out: &mut Vec<Diagnostic>,
) {
    if in_order {
        // The earlier lines of the current (module, version), as the map below keeps them.
        let mut run: Vec<&SumLineRef<'_>> = Vec::new();
        for line in lines {
            if run.first().is_some_and(|first| key(first) != key(line)) {
                run.clear();
            }
            if let Some(kept) = compare(line, &run, text, out) {
                run.push(kept);
            }
        }
        return;
    }
    let mut earlier_by_key: HashMap<(&str, &str, bool), Vec<&SumLineRef<'_>>> =
        HashMap::with_capacity(lines.len());
    for line in lines {
        let earlier = earlier_by_key.entry(key(line)).or_default();
        if let Some(kept) = compare(line, earlier, text, out) {
            earlier.push(kept);
        }
    }
}

/// What makes two lines the same checksum: module path, version, and which file.
fn key<'a>(line: &'a SumLineRef<'_>) -> (&'a str, &'a str, bool) {
    (&line.path, &line.version, line.go_mod)
}

/// Reports `line` against the `earlier` lines of its (module, version); returns it when later
/// lines must be compared with it too (it is not a repetition).
fn compare<'a, 'b>(
    line: &'a SumLineRef<'b>,
    earlier: &[&SumLineRef<'_>],
    text: &[u8],
    out: &mut Vec<Diagnostic>,
) -> Option<&'a SumLineRef<'b>> {
    let what = || format!("{} {}", line.path, line.version_field());
    if let Some(same) = earlier.iter().find(|other| other.hash == line.hash) {
        out.push(
            Diagnostic::new(
                &CODE,
                Severity::Warning,
                line.line_range.clone(),
                format!(
                    "{} is already listed on line {} with the same hash",
                    what(),
                    same.line
                ),
            )
            .with_tag(Tag::Unnecessary)
            .with_related(same.line_range.clone(), "the same checksum")
            .with_fix(
                "Remove this line",
                vec![(whole_lines(text, &line.line_range), String::new())],
            ),
        );
        return None;
    }
    let conflicting = earlier
        .iter()
        .find(|other| other.hash.starts_with("h1:") && line.hash.starts_with("h1:"));
    if let Some(other) = conflicting {
        out.push(
            Diagnostic::new(
                &CODE,
                Severity::Error,
                line.hash_range.clone(),
                format!(
                    "{} has a different h1: hash on line {}: go checks downloads against the first and reports a checksum mismatch if it is wrong",
                    what(),
                    other.line
                ),
            )
            .with_related(other.hash_range.clone(), "the other hash"),
        );
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::gosum::read_go_sum_borrowed;

    #[test]
    fn lines_in_order_give_what_the_map_gives() {
        let text =
            b"a v1 h1:x\na v1 h1:x\na v1 h1:y\na v1/go.mod h1:z\nb v2 h1:q\nb v2 h1:s\nb v2 h2:r\n";
        let sum = read_go_sum_borrowed(text);
        let mut by_runs = Vec::new();
        check(&sum.lines, true, text, &mut by_runs);
        let mut by_map = Vec::new();
        check(&sum.lines, false, text, &mut by_map);
        assert_eq!(by_runs, by_map);
        let found: Vec<(usize, &str)> = by_runs
            .iter()
            .map(|diagnostic| (diagnostic.range.start, diagnostic.severity.name()))
            .collect();
        // Line 2 repeats line 1; lines 3 and 6 have a second h1: hash; h2: is never compared.
        assert_eq!(found, [(10, "warning"), (25, "error"), (62, "error")]);
    }
}
