//! `malformed-sum-line`: a go.sum line without exactly three fields (`PATH VERSION HASH`). go
//! stops reading the file there (`malformed go.sum:` / `go.sum:3: wrong number of fields 2`),
//! so every go command that needs go.sum fails; only `go mod tidy` skips such lines.

use super::{CodeInfo, Diagnostic, Severity, Source};
use crate::gosum::MalformedLine;
use crate::modfile::ast::Position;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "malformed-sum-line",
    source: Source::Go,
    summary: "a go.sum line without exactly three fields",
    url: "https://go.dev/ref/mod#go-sum-files",
};

pub(super) fn check(malformed_lines: &[MalformedLine], out: &mut Vec<Diagnostic>) {
    for malformed in malformed_lines {
        let mut diagnostic = Diagnostic::new(
            &CODE,
            Severity::Error,
            malformed.line_range.clone(),
            malformed.to_string(),
        );
        diagnostic.go_position = Some(Position {
            line: malformed.line,
            column: 1,
            byte: malformed.line_range.start,
        });
        out.push(diagnostic);
    }
}
