//! `major-version-mismatch`: a version whose major version does not agree with the module
//! path: a path without a `/vN` suffix takes only v0 and v1 (or `+incompatible`), a `/v2` path
//! only v2 (`version "v2.0.0" invalid: should be v0 or v1, not v2`).

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "major-version-mismatch",
    source: Source::Go,
    summary: "a version whose major version does not match the module path's suffix",
    url: "https://go.dev/ref/mod#major-version-suffixes",
};
