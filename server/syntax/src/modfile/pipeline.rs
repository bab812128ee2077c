//! Whole-file answers equal to the go command's: `go mod edit -fmt -print`, `go mod edit -json`,
//! `go work edit -fmt -print` and `go work edit -json`.
//!
//! Each returns the command's standard output, or the error lines it prints after its
//! `go: errors parsing FILE:` header: one string per error, go's text exactly (a `replace` usage
//! error spans two lines, joined by a line break).

use crate::modfile::ast::FileSyntax;
use crate::modfile::format::{cleanup, print};
use crate::modfile::json::{gomod_json, gowork_json, to_go_json_string};
use crate::modfile::read::read;
use crate::modfile::rules::{ModFile, RuleError, WorkFile, parse_gomod, parse_gowork};
use crate::modfile::sort::{sort_gomod, sort_gowork};

/// Reads and interprets a go.mod file strictly, as `go mod edit` does; the errors as go prints
/// them.
fn read_gomod(text: &[u8], file_name: &str) -> Result<(FileSyntax, ModFile), Vec<String>> {
    let mut syntax = read(text, file_name).map_err(|error| vec![error.go_message(file_name)])?;
    let (file, errors) = parse_gomod(&mut syntax, true);
    check(&errors, file_name)?;
    Ok((syntax, file))
}

/// Reads and interprets a go.work file, as `go work edit` does.
fn read_gowork(text: &[u8], file_name: &str) -> Result<(FileSyntax, WorkFile), Vec<String>> {
    let mut syntax = read(text, file_name).map_err(|error| vec![error.go_message(file_name)])?;
    let (file, errors) = parse_gowork(&mut syntax);
    check(&errors, file_name)?;
    Ok((syntax, file))
}

fn check(errors: &[RuleError], file_name: &str) -> Result<(), Vec<String>> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(errors
        .iter()
        .map(|error| error.display(file_name).to_string())
        .collect())
}

/// `go mod edit -fmt -print FILE`: go's canonical text of a go.mod file (tokens normalised,
/// duplicates removed, blocks sorted, one-line blocks collapsed), or go's error lines.
pub fn format_gomod(text: &[u8], file_name: &str) -> Result<String, Vec<String>> {
    let (mut syntax, mut file) = read_gomod(text, file_name)?;
    sort_gomod(&mut syntax, &mut file);
    cleanup(&mut syntax);
    Ok(print(&syntax))
}

/// `go work edit -fmt -print FILE`: go's canonical text of a go.work file, or go's error lines.
pub fn format_gowork(text: &[u8], file_name: &str) -> Result<String, Vec<String>> {
    let (mut syntax, mut file) = read_gowork(text, file_name)?;
    sort_gowork(&mut syntax, &mut file);
    cleanup(&mut syntax);
    Ok(print(&syntax))
}

/// `go mod edit -json FILE`: the standard output (JSON and a final line break), or go's error
/// lines.
pub fn json_gomod(text: &[u8], file_name: &str) -> Result<String, Vec<String>> {
    let (_, file) = read_gomod(text, file_name)?;
    let mut out = to_go_json_string(&gomod_json(&file));
    out.push('\n');
    Ok(out)
}

/// `go work edit -json FILE`: the standard output, or go's error lines.
pub fn json_gowork(text: &[u8], file_name: &str) -> Result<String, Vec<String>> {
    let (_, file) = read_gowork(text, file_name)?;
    let mut out = to_go_json_string(&gowork_json(&file));
    out.push('\n');
    Ok(out)
}
