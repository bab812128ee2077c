//! `invalid-sum-hash`: a go.sum hash go can never match. An `h1:` hash must be the standard
//! base64 encoding (with padding) of a 32-byte SHA-256 sum; any other `h1:` value makes every
//! download of the module fail its checksum (an error). A hash with another algorithm prefix
//! (`h2:`) is kept by go but never checked (a warning).

use super::{CodeInfo, Diagnostic, Severity, Source};
use crate::gosum::{GoSum, HashError, check_hash};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-sum-hash",
    source: Source::Gomodls,
    summary: "a go.sum hash that is not a base64 SHA-256 h1: hash",
    url: "https://go.dev/ref/mod#go-sum-files",
};

pub(super) fn check(sum: &GoSum, out: &mut Vec<Diagnostic>) {
    for line in &sum.lines {
        let Err(error) = check_hash(&line.sum.hash) else {
            continue;
        };
        let (severity, message) = match error {
            HashError::UnknownAlgorithm(_) => (
                Severity::Warning,
                format!("{error}: go checks only h1: hashes and ignores this one"),
            ),
            HashError::MalformedH1(_) => (
                Severity::Error,
                format!("{error}: no download can match it"),
            ),
        };
        out.push(Diagnostic::new(
            &CODE,
            severity,
            line.hash_range.clone(),
            message,
        ));
    }
}
