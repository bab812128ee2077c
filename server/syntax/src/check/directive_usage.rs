//! `directive-usage`: a directive with the wrong arguments, reported by go with the directive's
//! usage (`usage: require module/path v1.2.3`, `usage: godebug key=value`) or
//! `go directive expects exactly one argument`. The whole line is marked.

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "directive-usage",
    source: Source::Go,
    summary: "a directive with the wrong number or shape of arguments",
    url: "https://go.dev/ref/mod#go-mod-file-grammar",
};
