//! `unknown-directive`: a line whose first word is not a directive go knows (`unknown directive:
//! requre`), or a block whose verb is not one that may have a block (`unknown block type: go`).
//!
//! go.mod files know `module`, `go`, `toolchain`, `godebug`, `require`, `exclude`, `replace`,
//! `retract`, `tool` and `ignore`; go.work files know `go`, `toolchain`, `godebug`, `use` and
//! `replace`. Blocks are allowed for all go.mod directives except `go` and `toolchain`, and for
//! `godebug`, `use` and `replace` in go.work. Reported by go, with its message.

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "unknown-directive",
    source: Source::Go,
    summary: "a directive or block go does not know",
    url: "https://go.dev/ref/mod#go-mod-file-grammar",
};
