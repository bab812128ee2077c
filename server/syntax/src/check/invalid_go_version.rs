//! `invalid-go-version`: a `go` line whose version does not match go's format (`1.21`,
//! `1.21.0`, `1.21rc1`): `invalid go version '1.21.0-rc1': must match format 1.23.0`.

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-go-version",
    source: Source::Go,
    summary: "a go line whose version is not like 1.23.0",
    url: "https://go.dev/ref/mod#go-mod-file-go",
};
