//! `syntax-error`: the first lexical or syntax error of a go.mod or go.work file, which stops go's
//! parser, with go's message: `unexpected input character '\ufeff'`, `mod files must use //
//! comments (not /* */ comments)`, `unexpected newline in string`, `syntax error (unterminated
//! block started at go.mod:3:1)`, …
//!
//! go reports only this one error (no directive is interpreted), so gomodls reports nothing else
//! for the file either.

use super::{CodeInfo, Diagnostic, Severity, Source};
use crate::modfile::ast::SyntaxError;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "syntax-error",
    source: Source::Go,
    summary: "a lexical or syntax error that stops go's parser",
    url: "https://go.dev/ref/mod#go-mod-file-lexical",
};

/// The diagnostic of go's syntax error. go gives a position only; the range grows from it to the
/// token there (see `widen_point`).
pub(super) fn diagnostic(error: &SyntaxError, text: &[u8]) -> Diagnostic {
    let at = error.pos.byte.min(text.len());
    // A character go cannot lex is the whole problem; elsewhere the token at the position is.
    let end = match error.message.starts_with("unexpected input character") {
        true => at + utf8_length(text.get(at).copied().unwrap_or(0)),
        false => at,
    };
    let mut diagnostic = Diagnostic::new(
        &CODE,
        Severity::Error,
        at..end.min(text.len()),
        error.message.clone(),
    );
    diagnostic.go_position = Some(error.pos);
    diagnostic
}

/// The length of the UTF-8 sequence a byte starts (1 for an invalid byte, which go reads as one
/// rune).
fn utf8_length(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}
