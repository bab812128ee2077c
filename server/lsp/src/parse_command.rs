//! `gomodls parse [--json] [--kind gomod|gowork|gosum] FILE`: the syntax tree as an
//! S-expression, or with `--json` the JSON of `go mod edit -json` / `go work edit -json` (for
//! go.sum, an array of `{"Path","Version","GoMod","Hash"}` in file order). A file go rejects exits
//! with 1 after go's error lines on stderr.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use gomodls_syntax::FileKind;
use gomodls_syntax::gosum::read_go_sum;
use gomodls_syntax::modfile::json::{GoJson, to_go_json_string};
use gomodls_syntax::modfile::{json_gomod, json_gowork};

use crate::cli::{Stdout, USAGE_ERROR, usage_error};

const USAGE: &str = "usage: gomodls parse [--json] [--kind gomod|gowork|gosum] FILE";

/// Runs `gomodls parse`.
pub fn run(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    let mut as_json = false;
    let mut kind = None;
    let mut file = None;
    let mut arguments = arguments.iter();
    while let Some(argument) = arguments.next() {
        match argument.to_str() {
            Some("--json") => as_json = true,
            Some("--kind") => {
                let value = arguments.next().and_then(|value| value.to_str());
                match value.and_then(FileKind::from_language_id) {
                    Some(named) => kind = Some(named),
                    None => {
                        return Ok(usage_error(&format!(
                            "--kind needs gomod, gowork or gosum\n{USAGE}"
                        )));
                    }
                }
            }
            Some(flag) if flag.starts_with('-') && flag != "-" => {
                return Ok(usage_error(&format!("unknown flag {flag}\n{USAGE}")));
            }
            _ if file.is_some() => return Ok(usage_error(&format!("one file only\n{USAGE}"))),
            _ => file = Some(PathBuf::from(argument)),
        }
    }
    let Some(file) = file else {
        return Ok(usage_error(USAGE));
    };
    let shown = file.display().to_string();
    let Some(kind) = kind.or_else(|| FileKind::from_path(&shown)) else {
        return Ok(usage_error(&format!(
            "{shown}: cannot tell the kind of file; use --kind\n{USAGE}"
        )));
    };
    let text = match std::fs::read(&file) {
        Ok(text) => text,
        Err(error) => {
            report!("gomodls: {shown}: {error}");
            return Ok(ExitCode::from(USAGE_ERROR));
        }
    };
    let (output, errors) = match (kind, as_json) {
        (_, false) => (sexp(kind, &text), go_errors(kind, &text, &shown)),
        (FileKind::GoMod, true) => split(json_gomod(&text, &shown)),
        (FileKind::GoWork, true) => split(json_gowork(&text, &shown)),
        (FileKind::GoSum, true) => (sum_json(&text), go_errors(kind, &text, &shown)),
    };
    Stdout::lock().print(&output)?;
    for line in &errors {
        report!("{line}");
    }
    Ok(match errors.is_empty() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

fn split(result: Result<String, Vec<String>>) -> (String, Vec<String>) {
    match result {
        Ok(output) => (output, Vec::new()),
        Err(errors) => (String::new(), errors),
    }
}

/// The tree-sitter tree.
fn sexp(kind: FileKind, text: &[u8]) -> String {
    let tree = gomodls_syntax::parse(kind, text);
    format!("{}\n", tree.root_node().to_sexp())
}

/// go's error lines for a file it rejects (go.sum: the first malformed line, as go stops there).
fn go_errors(kind: FileKind, text: &[u8], shown: &str) -> Vec<String> {
    match kind {
        FileKind::GoMod => split(json_gomod(text, shown)).1,
        FileKind::GoWork => split(json_gowork(text, shown)).1,
        FileKind::GoSum => read_go_sum(text)
            .malformed
            .first()
            .map(|malformed| malformed.go_message(shown))
            .into_iter()
            .collect(),
    }
}

/// The checksums of a go.sum file in file order.
fn sum_json(text: &[u8]) -> String {
    let entries: Vec<GoJson> = read_go_sum(text)
        .lines
        .iter()
        .map(|line| {
            GoJson::Object(vec![
                ("Path", line.sum.path.as_str().into()),
                ("Version", line.sum.version.as_str().into()),
                ("GoMod", line.sum.go_mod.into()),
                ("Hash", line.sum.hash.as_str().into()),
            ])
        })
        .collect();
    let mut out = to_go_json_string(&GoJson::Array(entries));
    out.push('\n');
    out
}
