//! `duplicate-sum-line`: a go.sum checksum listed twice.
//!
//! The same line again has no effect: go writes each line once (a warning, fixed by deleting
//! it). A different `h1:` hash for the same module version is a conflict: go checks downloads
//! against the first and reports a checksum mismatch when it differs, so one of the two is wrong
//! (an error).

use std::collections::HashMap;

use super::{CodeInfo, Diagnostic, Severity, Source, Tag, whole_lines};
use crate::gosum::{GoSum, GoSumLine};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "duplicate-sum-line",
    source: Source::Gomodls,
    summary: "a go.sum checksum listed twice, or two different hashes for one module version",
    url: "https://go.dev/ref/mod#go-sum-files",
};

pub(super) fn check(sum: &GoSum, text: &[u8], out: &mut Vec<Diagnostic>) {
    let mut first_by_key: HashMap<(&str, &str, bool), Vec<&GoSumLine>> =
        HashMap::with_capacity(sum.lines.len());
    for line in &sum.lines {
        let key = (
            line.sum.path.as_str(),
            line.sum.version.as_str(),
            line.sum.go_mod,
        );
        let earlier = first_by_key.entry(key).or_default();
        let what = || format!("{} {}", line.sum.path, line.sum.version_field());
        if let Some(same) = earlier.iter().find(|other| other.sum.hash == line.sum.hash) {
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
            continue;
        }
        let conflicting = earlier
            .iter()
            .find(|other| other.sum.hash.starts_with("h1:") && line.sum.hash.starts_with("h1:"));
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
        earlier.push(line);
    }
}
