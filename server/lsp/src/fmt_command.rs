//! `gomodls fmt [-l] [-w] [-d] [PATH...]`: go's formatting (`go mod edit -fmt`, `go work edit
//! -fmt`, and go.sum as go writes it), with gofmt's flags: without a flag each formatted file is
//! printed; `-l` lists the files whose formatting differs, `-w` rewrites them (a temporary file
//! renamed over the original, permissions kept), `-d` prints a diff.
//!
//! A file go rejects is left alone: its errors go to stderr and the exit code is 1. Usage and
//! I/O problems exit with 2.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gomodls_syntax::FileKind;
use gomodls_syntax::gosum::{format_go_sum, read_go_sum};
use gomodls_syntax::modfile::{format_gomod, format_gowork};

use crate::cli::{Stdout, USAGE_ERROR, usage_error};
use crate::walk::targets;

const USAGE: &str = "usage: gomodls fmt [-l] [-w] [-d] [PATH...]";

/// What to do with each formatted file.
#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    list: bool,
    write: bool,
    diff: bool,
}

/// Runs `gomodls fmt`.
pub fn run(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    let mut flags = Flags::default();
    let mut paths = Vec::new();
    for argument in arguments {
        match argument.to_string_lossy().as_ref() {
            "-l" => flags.list = true,
            "-w" => flags.write = true,
            "-d" => flags.diff = true,
            flag if flag.starts_with('-') => {
                return Ok(usage_error(&format!("unknown flag {flag}\n{USAGE}")));
            }
            _ => paths.push(PathBuf::from(argument)),
        }
    }
    let (found, problems) = targets(&paths);
    let mut io_failed = !problems.is_empty();
    let mut rejected = false;
    for problem in &problems {
        report!("gomodls: {problem}");
    }
    let mut stdout = Stdout::lock();
    for target in found {
        let shown = target.path.display().to_string();
        let text = match std::fs::read(&target.path) {
            Ok(text) => text,
            Err(error) => {
                report!("gomodls: {shown}: {error}");
                io_failed = true;
                continue;
            }
        };
        let formatted = match format(target.kind, &text, &shown) {
            Ok(formatted) => formatted,
            Err(errors) => {
                for line in errors {
                    report!("{line}");
                }
                rejected = true;
                continue;
            }
        };
        let changed = formatted.as_bytes() != text.as_slice();
        if flags.list && changed {
            writeln!(stdout, "{shown}")?;
        }
        if flags.write
            && changed
            && let Err(error) = write_atomically(&target.path, formatted.as_bytes())
        {
            report!("gomodls: {shown}: {error}");
            io_failed = true;
        }
        if flags.diff && changed {
            stdout.print(&diff(&shown, &text, &formatted))?;
        }
        if !flags.list && !flags.write && !flags.diff {
            stdout.print(&formatted)?;
        }
    }
    Ok(match (io_failed, rejected) {
        (true, _) => ExitCode::from(USAGE_ERROR),
        (false, true) => ExitCode::FAILURE,
        (false, false) => ExitCode::SUCCESS,
    })
}

/// go's formatting of a file, or go's error lines.
pub fn format(kind: FileKind, text: &[u8], shown: &str) -> Result<String, Vec<String>> {
    match kind {
        FileKind::GoMod => format_gomod(text, shown),
        FileKind::GoWork => format_gowork(text, shown),
        FileKind::GoSum => {
            let sum = read_go_sum(text);
            if let Some(malformed) = sum.malformed.first() {
                return Err(vec![malformed.go_message(shown)]);
            }
            Ok(format_go_sum(sum.lines.iter().map(|line| &line.sum)))
        }
    }
}

/// Replaces `path` by `contents` without ever leaving it truncated: a temporary file in the same
/// directory, with the original's permissions, renamed over it.
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let permissions = std::fs::metadata(path)?.permissions();
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".gomodls-fmt-")
        .tempfile_in(directory)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    std::fs::set_permissions(temporary.path(), permissions)?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// A unified diff from the file to its formatting, headed like gofmt's.
fn diff(shown: &str, before: &[u8], after: &str) -> String {
    let before = String::from_utf8_lossy(before);
    let text_diff = similar::TextDiff::from_lines(before.as_ref(), after);
    let original = format!("{shown}.orig");
    format!(
        "diff {original} {shown}\n{}",
        text_diff
            .unified_diff()
            .context_radius(3)
            .header(&original, shown)
    )
}
