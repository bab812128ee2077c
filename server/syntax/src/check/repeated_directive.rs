//! `repeated-directive`: a second `module`, `go` or `toolchain` statement (`repeated go
//! statement`). go keeps the first and refuses the file.

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "repeated-directive",
    source: Source::Go,
    summary: "a second module, go or toolchain statement",
    url: "https://go.dev/ref/mod#go-mod-file-grammar",
};
