//! `duplicate-replace`: two replacements of the same module (path, and version when given).
//!
//! `go mod edit -fmt` keeps the last one. When both name the same replacement the earlier line
//! has no effect (a warning); when they differ, every other go command stops with
//! `conflicting replacements for PATH` (an error). Either way the earlier line is marked, with
//! the last one as related information and a fix that deletes the earlier line.

use std::collections::HashMap;

use super::{CodeInfo, Diagnostic, FileView, Severity, Source, Tag};
use crate::modfile::rules::{ModuleVersion, Replace};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "duplicate-replace",
    source: Source::Gomodls,
    summary: "a module replaced twice; go mod edit keeps the last, other commands refuse differing targets",
    url: "https://go.dev/ref/mod#go-mod-file-replace",
};

pub(super) fn check(view: &FileView<'_>, replacements: &[Replace], out: &mut Vec<Diagnostic>) {
    let mut last: HashMap<&ModuleVersion, &Replace> = HashMap::new();
    for replace in replacements {
        last.insert(&replace.old, replace);
    }
    for replace in replacements {
        let Some(kept) = last.get(&replace.old) else {
            continue;
        };
        if std::ptr::eq(*kept, replace) {
            continue;
        }
        let old = match replace.old.version.as_str() {
            "" => replace.old.path.clone(),
            version => format!("{}@{version}", replace.old.path),
        };
        let kept_line = view.line_number(kept.syntax.range.start);
        let range = replace.syntax.range.clone();
        let (severity, message) = if kept.new == replace.new {
            (
                Severity::Warning,
                format!("{old} is replaced again on line {kept_line}: this line has no effect"),
            )
        } else {
            (
                Severity::Error,
                format!(
                    "conflicting replacements for {old}: {} here and {} on line {kept_line}; go mod edit -fmt keeps the last, other go commands refuse the file",
                    target(&replace.new),
                    target(&kept.new)
                ),
            )
        };
        let mut diagnostic = Diagnostic::new(&CODE, severity, range.clone(), message)
            .with_related(
                kept.syntax.range.clone(),
                "the replacement go mod edit -fmt keeps",
            )
            .with_fix(
                "Remove this replacement",
                vec![(view.deletion(&range), String::new())],
            );
        if severity == Severity::Warning {
            diagnostic = diagnostic.with_tag(Tag::Unnecessary);
        }
        out.push(diagnostic);
    }
}

/// A replacement target as go prints it in `conflicting replacements`.
fn target(new: &ModuleVersion) -> String {
    match new.version.as_str() {
        "" => new.path.clone(),
        version => format!("{} {version}", new.path),
    }
}
