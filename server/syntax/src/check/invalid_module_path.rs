//! `invalid-module-path`: a module path go cannot split into a path and a major version
//! suffix: `/v0`, `/v1`, `/v2.0`, or a `gopkg.in/` path without `.vN` (`invalid module
//! path`).

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-module-path",
    source: Source::Go,
    summary: "a module path whose major version suffix is malformed",
    url: "https://go.dev/ref/mod#module-path",
};
