//! `tool-requires-go-1-24`: `tool` directives in a go.mod whose go line is older than 1.24 (or
//! missing, which means 1.16).
//!
//! Go 1.24 introduced `tool`; go commands before it refuse the file (`unknown directive: tool`).
//! Newer go commands honour the directive whatever the go line says, but `go get` raises the go
//! line to 1.24 as soon as the file has tools (and fails when a toolchain was asked for
//! explicitly: `1.24 is required for tool directives in go.mod`). The fix raises the go line.

use super::{CodeInfo, Diagnostic, FileView, Severity, Source, go_line_below, raise_go_line};
use crate::modfile::rules::ModFile;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "tool-requires-go-1-24",
    source: Source::Gomodls,
    summary: "tool directives with a go line before 1.24",
    url: "https://go.dev/ref/mod#go-mod-file-tool",
};

/// The Go version that introduced `tool` (go's `gover.GoModToolVersion`).
const TOOL_VERSION: &str = "1.24";

pub(super) fn check(view: &FileView<'_>, file: &ModFile, out: &mut Vec<Diagnostic>) {
    let Some(current) = go_line_below(file.go.as_ref(), TOOL_VERSION) else {
        return;
    };
    for tool in &file.tool {
        let message = format!(
            "tool directives need go {TOOL_VERSION} or later, but the go line says {current}: older go commands refuse the file and go get raises the go line to {TOOL_VERSION}"
        );
        let mut diagnostic =
            Diagnostic::new(&CODE, Severity::Warning, tool.syntax.range.clone(), message).with_fix(
                format!("Raise the go line to {TOOL_VERSION}"),
                raise_go_line(view, file, TOOL_VERSION),
            );
        if let Some(go) = &file.go {
            diagnostic = diagnostic.with_related(go.syntax.range.clone(), "the go line");
        }
        out.push(diagnostic);
    }
}
