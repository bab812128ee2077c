//! `duplicate-exclude`: the same module version excluded twice. `go mod edit -fmt` keeps the
//! first line and deletes the others; they have no effect.

use std::collections::HashMap;

use super::{CodeInfo, Diagnostic, FileView, Severity, Source, Tag};
use crate::modfile::rules::{ModFile, ModuleVersion};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "duplicate-exclude",
    source: Source::Gomodls,
    summary: "a module version excluded twice; go keeps the first line",
    url: "https://go.dev/ref/mod#go-mod-file-exclude",
};

pub(super) fn check(view: &FileView<'_>, file: &ModFile, out: &mut Vec<Diagnostic>) {
    let mut first_seen: HashMap<&ModuleVersion, &std::ops::Range<usize>> = HashMap::new();
    for exclude in &file.exclude {
        let range = &exclude.syntax.range;
        let Some(first) = first_seen.get(&exclude.module) else {
            first_seen.insert(&exclude.module, range);
            continue;
        };
        let message = format!(
            "{} {} is already excluded on line {}: go mod edit -fmt deletes this line",
            exclude.module.path,
            exclude.module.version,
            view.line_number(first.start)
        );
        out.push(
            Diagnostic::new(&CODE, Severity::Warning, range.clone(), message)
                .with_tag(Tag::Unnecessary)
                .with_related((*first).clone(), "the exclusion go keeps")
                .with_fix(
                    "Remove this exclusion",
                    vec![(view.deletion(range), String::new())],
                ),
        );
    }
}
