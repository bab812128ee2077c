//! `invalid-retraction`: a `retract` line that is not a version or an interval `[low, high]`
//! (`expected '[' or version`, `expected ',' after version`, `unexpected token after version:
//! "x"`, …).

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-retraction",
    source: Source::Go,
    summary: "a retract line that is neither a version nor [low, high]",
    url: "https://go.dev/ref/mod#go-mod-file-retract",
};
