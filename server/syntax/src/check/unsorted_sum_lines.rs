//! `unsorted-sum-lines`: go.sum lines out of the order go writes them (by module path, then by
//! semantic version with each version's `/go.mod` line after it, then by hash).
//!
//! go reads any order, but rewrites the whole file in its order the next time it adds a
//! checksum, which makes for noisy diffs. The first line out of order is marked; the fix
//! rewrites the file in go's order (offered when every line has three fields).

use std::cmp::Ordering;

use super::{CodeInfo, Diagnostic, Severity, Source};
use crate::gosum::{GoSumRef, SumLineRef, compare_sum_keys};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "unsorted-sum-lines",
    source: Source::Gomodls,
    summary: "go.sum lines out of the order go writes them",
    url: "https://github.com/gomodls/gomodls#unsorted-sum-lines",
};

/// Reports the first line out of go's order; returns whether every line is in order.
pub(super) fn check(sum: &GoSumRef<'_>, text: &[u8], out: &mut Vec<Diagnostic>) -> bool {
    let mut lines: Vec<&SumLineRef<'_>> = sum.lines.iter().chain(&sum.dropped).collect();
    if !sum.dropped.is_empty() {
        lines.sort_by_key(|line| line.line);
    }
    let misplaced = lines
        .windows(2)
        .find(|pair| matches!(pair, [before, after] if order(after, before) == Ordering::Less));
    let Some([before, after]) = misplaced else {
        return true;
    };
    let message = format!(
        "go.sum is not in go's order: {} {} belongs before {} {} (line {})",
        after.path,
        after.version_field(),
        before.path,
        before.version_field(),
        before.line
    );
    let mut diagnostic = Diagnostic::new(&CODE, Severity::Info, after.line_range.clone(), message)
        .with_related(before.line_range.clone(), "the line it belongs before");
    if sum.malformed.is_empty() {
        lines.sort_by(|a, b| order(a, b));
        let mut sorted = String::with_capacity(text.len());
        for line in &lines {
            let field = |range: &std::ops::Range<usize>| {
                String::from_utf8_lossy(text.get(range.clone()).unwrap_or_default()).into_owned()
            };
            sorted.push_str(&format!(
                "{} {} {}\n",
                field(&line.path_range),
                field(&line.version_range),
                field(&line.hash_range)
            ));
        }
        diagnostic =
            diagnostic.with_fix("Sort go.sum as go writes it", vec![(0..text.len(), sorted)]);
    }
    out.push(diagnostic);
    false
}

/// go's writing order of two checksum lines, without building version fields.
fn order(a: &SumLineRef<'_>, b: &SumLineRef<'_>) -> Ordering {
    compare_sum_keys(
        (&a.path, &a.version, a.go_mod),
        (&b.path, &b.version, b.go_mod),
    )
    .then_with(|| a.hash.cmp(&b.hash))
}
