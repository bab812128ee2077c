//! `non-canonical-version`: a version go accepts but rewrites: a shorthand (`v1`, `v1.2` become
//! `v1.0.0`, `v1.2.0`) or one with build metadata (`v1.2.3+meta` becomes `v1.2.3`;
//! `+incompatible` is kept).
//!
//! `go mod edit` rewrites such versions silently; other go commands resolve them as queries,
//! which needs the network, and then rewrite go.mod. The fix writes the canonical version.

use std::ops::Range;

use super::{CodeInfo, Diagnostic, FileView, Severity, Source};
use crate::modfile::ast::Token;
use crate::modfile::rules::{ModFile, Replace};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "non-canonical-version",
    source: Source::Gomodls,
    summary: "a version go rewrites: v1.2 to v1.2.0, v1.2.3+meta to v1.2.3",
    url: "https://go.dev/ref/mod#versions",
};

/// The require, exclude and replace versions of a go.mod file.
pub(super) fn check_gomod(view: &FileView<'_>, file: &ModFile, out: &mut Vec<Diagnostic>) {
    for require in &file.require {
        report(view, &require.version_range, &require.module.version, out);
    }
    for exclude in &file.exclude {
        let Some(line) = view.line(&exclude.syntax) else {
            continue;
        };
        if let Some(token) = line.tokens.get(first_arg(line.in_block) + 1) {
            report(view, &token.range, &exclude.module.version, out);
        }
    }
    check_replacements(view, &file.replace, out);
}

/// The versions of replace lines (go.mod and go.work).
pub(super) fn check_replacements(
    view: &FileView<'_>,
    replacements: &[Replace],
    out: &mut Vec<Diagnostic>,
) {
    for replace in replacements {
        let Some(line) = view.line(&replace.syntax) else {
            continue;
        };
        let first = first_arg(line.in_block);
        let arguments: &[Token] = line.tokens.get(first..).unwrap_or_default();
        let arrow = match arguments.get(1) {
            Some(token) if token.text == "=>" => 1,
            _ => 2,
        };
        if arrow == 2
            && let Some(token) = arguments.get(1)
        {
            report(view, &token.range, &replace.old.version, out);
        }
        if !replace.new.version.is_empty()
            && let Some(token) = arguments.get(arrow + 2)
        {
            report(view, &token.range, &replace.new.version, out);
        }
    }
}

/// The index of a line's first argument: a top-level line starts with its verb.
fn first_arg(in_block: bool) -> usize {
    usize::from(!in_block)
}

fn report(view: &FileView<'_>, range: &Range<usize>, canonical: &str, out: &mut Vec<Diagnostic>) {
    // The usual case, without decoding: the token is the canonical version as it is.
    if canonical.is_empty() || view.text.get(range.clone()) == Some(canonical.as_bytes()) {
        return;
    }
    let written = decoded(view, range);
    if written == canonical || canonical.is_empty() {
        return;
    }
    let message = format!(
        "version {} is not canonical: go rewrites it as {canonical}",
        crate::quote::quote(&written)
    );
    out.push(
        Diagnostic::new(&CODE, Severity::Warning, range.clone(), message).with_fix(
            format!("Replace with {canonical}"),
            vec![(range.clone(), canonical.to_owned())],
        ),
    );
}

/// A token's value as go decodes it (a quoted token unquoted).
fn decoded(view: &FileView<'_>, range: &Range<usize>) -> String {
    let source = view.source(range);
    if source.starts_with('"')
        && let Ok(bytes) = crate::quote::unquote(&source)
    {
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    source
}
