//! `invalid-version`: a module version that is not a semantic version go accepts (`version
//! "v1.2-pre" invalid: must be of the form v1.2.3`). Shorthands `v1` and `v1.2` are accepted (and
//! rewritten: see `non-canonical-version`); prerelease or build suffixes need all three
//! numbers.

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-version",
    source: Source::Go,
    summary: "a version that is not a semantic version",
    url: "https://go.dev/ref/mod#versions",
};
