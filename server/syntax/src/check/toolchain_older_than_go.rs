//! `toolchain-older-than-go`: a `toolchain` line naming a Go older than the `go` line.
//!
//! The go line is already a minimum toolchain (since Go 1.21), and go uses the newer of the two,
//! so the toolchain line has no effect. The fix deletes it.

use super::{CodeInfo, Diagnostic, FileView, Severity, Source, Tag};
use crate::go_version::{compare_go_versions, go_version_from_toolchain};
use crate::modfile::rules::{GoStmt, ToolchainStmt};

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "toolchain-older-than-go",
    source: Source::Gomodls,
    summary: "a toolchain line older than the go line, which has no effect",
    url: "https://go.dev/ref/mod#go-mod-file-toolchain",
};

pub(super) fn check(
    view: &FileView<'_>,
    go: Option<&GoStmt>,
    toolchain: Option<&ToolchainStmt>,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(go), Some(toolchain)) = (go, toolchain) else {
        return;
    };
    let Some(toolchain_version) = go_version_from_toolchain(&toolchain.name) else {
        return;
    };
    if compare_go_versions(toolchain_version, &go.version) != std::cmp::Ordering::Less {
        return;
    }
    let range = toolchain.syntax.range.clone();
    let message = format!(
        "toolchain {} is older than go {}: go uses at least go {}, so this line has no effect",
        toolchain.name, go.version, go.version
    );
    out.push(
        Diagnostic::new(&CODE, Severity::Warning, range.clone(), message)
            .with_tag(Tag::Unnecessary)
            .with_related(go.syntax.range.clone(), "the go line")
            .with_fix(
                "Remove the toolchain line",
                vec![(view.deletion(&range), String::new())],
            ),
    );
}
