//! `invalid-quoted-string`: an argument go cannot decode: a `"…"` string with a bad escape
//! (`invalid quoted string: invalid syntax`), or an unquoted argument holding a quote character,
//! which includes every raw `` `…` `` string (`invalid quoted string: unquoted string cannot
//! contain quote`).

use super::{CodeInfo, Source};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "invalid-quoted-string",
    source: Source::Go,
    summary: "a quoted argument go cannot decode, or a quote inside an unquoted one",
    url: "https://go.dev/ref/mod#go-mod-file-lexical",
};
