//! `ignore-requires-go-1-25`: `ignore` directives in a go.mod whose go line is older than 1.25
//! (or missing, which means 1.16).
//!
//! Go 1.25 introduced `ignore`; go commands before it refuse the file (`unknown directive:
//! ignore`). Newer go commands honour it whatever the go line says, so the file only works for
//! people whose go is at least 1.25 while claiming to work with older ones. The fix raises the
//! go line.

use super::{CodeInfo, Diagnostic, FileView, Severity, Source, go_line_below, raise_go_line};
use crate::modfile::rules::ModFile;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "ignore-requires-go-1-25",
    source: Source::Gomodls,
    summary: "ignore directives with a go line before 1.25",
    url: "https://go.dev/ref/mod#go-mod-file-ignore",
};

/// The Go version that introduced `ignore`.
const IGNORE_VERSION: &str = "1.25";

pub(super) fn check(view: &FileView<'_>, file: &ModFile, out: &mut Vec<Diagnostic>) {
    let Some(current) = go_line_below(file.go.as_ref(), IGNORE_VERSION) else {
        return;
    };
    for ignore in &file.ignore {
        let message = format!(
            "ignore directives need go {IGNORE_VERSION} or later, but the go line says {current}: older go commands refuse the file"
        );
        let mut diagnostic = Diagnostic::new(
            &CODE,
            Severity::Warning,
            ignore.syntax.range.clone(),
            message,
        )
        .with_fix(
            format!("Raise the go line to {IGNORE_VERSION}"),
            raise_go_line(view, file, IGNORE_VERSION),
        );
        if let Some(go) = &file.go {
            diagnostic = diagnostic.with_related(go.syntax.range.clone(), "the go line");
        }
        out.push(diagnostic);
    }
}
