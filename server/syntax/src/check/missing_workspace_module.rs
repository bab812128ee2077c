//! `missing-workspace-module`: a go.work `use` directory without a go.mod file (or that does not
//! exist). Every go command in the workspace fails with `cannot load module DIR listed in go.work
//! file: open DIR/go.mod: no such file or directory`.
//!
//! Checked only when the caller lends a file system and the go.work's directory (see `CheckContext`).

use std::path::Path;

use super::{CodeInfo, Diagnostic, FileSystem, FileView, Severity, Source};
use crate::modfile::rules::WorkFile;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "missing-workspace-module",
    source: Source::Go,
    summary: "a go.work use directory without a go.mod",
    url: "https://go.dev/ref/mod#go-work-file-use",
};

pub(super) fn check(
    view: &FileView<'_>,
    file: &WorkFile,
    directory: &Path,
    file_system: &dyn FileSystem,
    out: &mut Vec<Diagnostic>,
) {
    for module in &file.uses {
        let Some(line) = view.line(&module.syntax) else {
            continue;
        };
        let Some(token) = line.tokens.get(usize::from(!line.in_block)) else {
            continue;
        };
        let shown = clean(&module.path);
        let go_mod = directory.join(&module.path).join("go.mod");
        if file_system.is_file(&go_mod) {
            continue;
        }
        let message = format!(
            "cannot load module {shown} listed in go.work file: open {}/go.mod: no such file or directory",
            if shown == "/" { "" } else { shown.as_str() }
        );
        out.push(Diagnostic::new(
            &CODE,
            Severity::Error,
            token.range.clone(),
            message,
        ));
    }
}

/// Go's `path.Clean` for slash-separated paths: no `.` elements, no `..` after a name, no
/// doubled or trailing slashes; empty becomes `.`.
pub(super) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn cleans_like_go() {
        for (path, cleaned) in [
            ("./a", "a"),
            ("./a/", "a"),
            ("a//b/../c", "a/c"),
            ("../x", "../x"),
            ("/abs/./x/..", "/abs"),
            ("/..", "/"),
            (".", "."),
            ("", "."),
        ] {
            assert_eq!(clean(path), cleaned, "{path}");
        }
    }
}
