//! `invalid-toolchain`: a `toolchain` name that is neither `default` nor starts with `go1`
//! followed by the end or a dot: `invalid toolchain version 'go1x': must match format go1.23.0 or
//! default`.

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-toolchain",
    source: Source::Go,
    summary: "a toolchain name that is neither default nor go1…",
    url: "https://go.dev/ref/mod#go-mod-file-toolchain",
};
