//! `duplicate-require`: a module required on more than one line.
//!
//! `go mod edit -fmt` keeps every line, but the go command treats the module as one requirement
//! at the highest of the versions and rewrites go.mod to keep only that line (with
//! `-mod=readonly` it refuses: `updates to go.mod needed`). Every other line is marked, with the
//! line go keeps as related information and a fix that deletes the line.

use super::{CodeInfo, Diagnostic, FileView, Severity, Source, Tag, compare_versions};
use crate::modfile::rules::{ModFile, Require};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "duplicate-require",
    source: Source::Gomodls,
    summary: "a module required twice; go keeps the highest version",
    url: "https://go.dev/ref/mod#go-mod-file-require",
};

pub(super) fn check(view: &FileView<'_>, file: &ModFile, out: &mut Vec<Diagnostic>) {
    // By path, in file order for each path (a stable sort).
    let mut by_path: Vec<&Require> = file.require.iter().collect();
    by_path.sort_by(|a, b| a.module.path.cmp(&b.module.path));
    let same_path = |a: &&Require, b: &&Require| a.module.path == b.module.path;
    for requires in by_path
        .chunk_by(same_path)
        .filter(|requires| requires.len() > 1)
    {
        // The highest version wins; among equal versions the first line.
        let Some(kept) = requires.iter().copied().reduce(|best, next| {
            match compare_versions(&next.module.version, &best.module.version) {
                std::cmp::Ordering::Greater => next,
                _ => best,
            }
        }) else {
            continue;
        };
        let kept_line = view.line_number(kept.syntax.range.start);
        for require in requires
            .iter()
            .filter(|require| !std::ptr::eq(**require, kept))
        {
            let message = format!(
                "{} is required more than once: go keeps {} (line {kept_line}) and drops this line",
                require.module.path, kept.module.version
            );
            out.push(
                Diagnostic::new(
                    &CODE,
                    Severity::Warning,
                    require.syntax.range.clone(),
                    message,
                )
                .with_tag(Tag::Unnecessary)
                .with_related(kept.syntax.range.clone(), "the requirement go keeps")
                .with_fix(
                    "Remove this requirement",
                    vec![(view.deletion(&require.syntax.range), String::new())],
                ),
            );
        }
    }
}
