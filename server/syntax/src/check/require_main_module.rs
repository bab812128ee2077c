//! `require-main-module`: a go.mod that requires its own module path.
//!
//! The main module is always at its own version, so the requirement means nothing; go
//! nevertheless tries to load the required version's go.mod (failing with `missing go.sum entry`
//! under `-mod=readonly`), and `go mod tidy` deletes the line.

use super::{CodeInfo, Diagnostic, FileView, Severity, Source, Tag};
use crate::modfile::rules::ModFile;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "require-main-module",
    source: Source::Gomodls,
    summary: "a go.mod requiring its own module; go mod tidy deletes it",
    url: "https://github.com/gomodls/gomodls#require-main-module",
};

pub(super) fn check(view: &FileView<'_>, file: &ModFile, out: &mut Vec<Diagnostic>) {
    let Some(module) = file
        .module
        .as_ref()
        .filter(|module| !module.path.is_empty())
    else {
        return;
    };
    for require in file
        .require
        .iter()
        .filter(|require| require.module.path == module.path)
    {
        let range = require.syntax.range.clone();
        let message = format!(
            "module {} requires itself: go mod tidy deletes this requirement",
            module.path
        );
        out.push(
            Diagnostic::new(&CODE, Severity::Warning, range.clone(), message)
                .with_tag(Tag::Unnecessary)
                .with_related(module.syntax.range.clone(), "the main module")
                .with_fix(
                    "Remove this requirement",
                    vec![(view.deletion(&range), String::new())],
                ),
        );
    }
}
