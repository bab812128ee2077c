//! `gomodls check [--format human|json|sarif] [--offline] [--verify] [PATH...]`: every diagnostic
//! of every go.mod, go.work and go.sum named or found under the directories named (`.` by
//! default). `--verify` also verifies every go.sum line against the module cache, the proxy's
//! downloads and the checksum database, as the go command verifies downloads (GOPROXY, GOSUMDB,
//! GONOSUMDB, GOPRIVATE, GOFLAGS): a line that disagrees is an error in go's SECURITY ERROR
//! words; a line that cannot be verified now is reported on stderr, not an error.
//!
//! Output: `human` (`path:line:col: severity: message [code]`), `json` (an array of
//! `{"path","range","severity","code","source","message"}`, 1-based lines and columns counted in
//! characters) or `sarif` (SARIF 2.1.0). Exit 0 without errors, 1 with errors, 2 for usage or
//! I/O problems. Module facts come from the module proxy as go would fetch them; `--offline`
//! uses only what is cached.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gomodls_syntax::FileKind;
use gomodls_syntax::check::{CODES, CheckContext, Diagnostic, Severity, check};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::cli::{USAGE_ERROR, usage_error};
use crate::disk::DiskFileSystem;
use crate::walk::{LineStarts, Target, targets};

const USAGE: &str =
    "usage: gomodls check [--format human|json|sarif] [--offline] [--verify] [PATH...]";

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Sarif,
}

/// The diagnostics of one file.
struct Checked {
    path: PathBuf,
    kind: FileKind,
    text: Vec<u8>,
    diagnostics: Vec<Diagnostic>,
}

/// Runs `gomodls check`.
pub fn run(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    let mut format = Format::Human;
    let mut offline = false;
    let mut verify = false;
    let mut paths = Vec::new();
    let mut arguments = arguments.iter();
    while let Some(argument) = arguments.next() {
        let text = argument.to_string_lossy();
        let value = match text.as_ref() {
            "--format" | "-format" => arguments
                .next()
                .map(|value| value.to_string_lossy().into_owned()),
            flag if flag.starts_with("--format=") || flag.starts_with("-format=") => {
                flag.split_once('=').map(|(_, value)| value.to_owned())
            }
            "--offline" | "-offline" => {
                offline = true;
                continue;
            }
            "--verify" | "-verify" => {
                verify = true;
                continue;
            }
            flag if flag.starts_with('-') => {
                return Ok(usage_error(&format!("unknown flag {flag}\n{USAGE}")));
            }
            _ => {
                paths.push(PathBuf::from(argument));
                continue;
            }
        };
        format = match value.as_deref() {
            Some("human") => Format::Human,
            Some("json") => Format::Json,
            Some("sarif") => Format::Sarif,
            _ => {
                return Ok(usage_error(&format!(
                    "--format needs human, json or sarif\n{USAGE}"
                )));
            }
        };
    }
    let (found, problems) = targets(&paths);
    let mut io_failed = !problems.is_empty();
    for problem in &problems {
        report!("gomodls: {problem}");
    }
    let mut checked = Vec::with_capacity(found.len());
    for target in found {
        match check_file(&target) {
            Ok(file) => checked.push(file),
            Err(error) => {
                report!("gomodls: {}: {error}", target.path.display());
                io_failed = true;
            }
        }
    }
    add_module_problems(&mut checked, offline);
    if verify {
        io_failed |= !add_verification(&mut checked, offline);
    }
    let output = match format {
        Format::Human => human(&checked),
        Format::Json => json_report(&checked),
        Format::Sarif => sarif(&checked),
    };
    crate::cli::Stdout::lock().print(&output)?;
    let has_errors = checked
        .iter()
        .flat_map(|file| &file.diagnostics)
        .any(|diagnostic| diagnostic.severity == Severity::Error);
    Ok(match (io_failed, has_errors) {
        (true, _) => ExitCode::from(USAGE_ERROR),
        (false, true) => ExitCode::FAILURE,
        (false, false) => ExitCode::SUCCESS,
    })
}

/// Adds the diagnostics that need module facts.
fn add_module_problems(checked: &mut [Checked], offline: bool) {
    let parsed: Vec<(String, tree_sitter::Tree)> = checked
        .iter()
        .map(|file| {
            let text = String::from_utf8_lossy(&file.text).into_owned();
            let tree = gomodls_syntax::parse(file.kind, text.as_bytes());
            (text, tree)
        })
        .collect();
    let mut paths: Vec<String> = checked
        .iter()
        .zip(&parsed)
        .flat_map(|(file, (text, tree))| {
            crate::module_facts::named_modules_of(file.kind, tree, text)
        })
        .collect();
    paths.sort();
    paths.dedup();
    let facts = crate::module_facts::fetch_blocking(&paths, offline);
    for (file, (text, tree)) in checked.iter_mut().zip(&parsed) {
        // go refuses a file with errors before it looks at modules: so do the module checks.
        if file
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.severity == Severity::Error)
        {
            continue;
        }
        let problems = crate::module_facts::file_problems(
            file.kind,
            text,
            tree,
            Some(&file.path),
            &facts,
            crate::config::UpdateCheck::default(),
            std::env::var("GOWORK").ok().as_deref(),
        );
        file.diagnostics.extend(problems);
        file.diagnostics
            .sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end));
    }
}

/// Adds the `checksum` errors of every go.sum; returns false when verification could not run.
fn add_verification(checked: &mut [Checked], offline: bool) -> bool {
    let sums: Vec<(usize, String)> = checked
        .iter()
        .enumerate()
        .filter(|(_, file)| file.kind == FileKind::GoSum)
        .map(|(index, file)| {
            let name = file.path.file_name().map_or_else(
                || "go.sum".to_owned(),
                |name| name.to_string_lossy().into_owned(),
            );
            (index, name)
        })
        .collect();
    let inputs: Vec<(&[u8], &str)> = sums
        .iter()
        .filter_map(|(index, name)| Some((checked.get(*index)?.text.as_slice(), name.as_str())))
        .collect();
    let found = match crate::gosum_integrity::check_verify(&inputs, offline) {
        Ok(found) => found,
        Err(error) => {
            report!("gomodls: cannot verify go.sum files: {error}");
            return false;
        }
    };
    for ((index, _), found) in sums.iter().zip(found) {
        let Some(file) = checked.get_mut(*index) else {
            continue;
        };
        if let Some(reason) = found.unverified.first() {
            report!(
                "gomodls: {}: {} line(s) could not be verified now (not an error): {reason}",
                file.path.display(),
                found.unverified.len()
            );
        }
        file.diagnostics.extend(found.diagnostics);
        file.diagnostics
            .sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end));
    }
    true
}

fn check_file(target: &Target) -> std::io::Result<Checked> {
    let text = std::fs::read(&target.path)?;
    let shown = target.path.display().to_string();
    let context = CheckContext {
        file_name: &shown,
        directory: Some(target.path.parent().unwrap_or(Path::new("."))),
        file_system: Some(&DiskFileSystem),
    };
    let diagnostics = check(target.kind, &text, &context);
    Ok(Checked {
        path: target.path.clone(),
        kind: target.kind,
        text,
        diagnostics,
    })
}

/// `path:line:col: severity: message [code]`, one per diagnostic.
fn human(checked: &[Checked]) -> String {
    let mut out = String::new();
    for file in checked {
        let lines = LineStarts::new(&file.text);
        for diagnostic in &file.diagnostics {
            let (line, column) = lines.line_column(&file.text, diagnostic.range.start);
            out.push_str(&format!(
                "{}:{line}:{column}: {}: {} [{}]\n",
                file.path.display(),
                diagnostic.severity.name(),
                diagnostic.message,
                diagnostic.code
            ));
        }
    }
    out
}

/// A place in a file for `--format json`: 1-based line and column.
#[derive(Debug, Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

fn position(lines: &LineStarts, text: &[u8], offset: usize) -> JsonPosition {
    let (line, column) = lines.line_column(text, offset);
    JsonPosition { line, column }
}

/// The start and end of a diagnostic for `--format json`.
#[derive(Debug, Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

/// One diagnostic of `--format json`, its members in this order.
#[derive(Debug, Serialize)]
struct JsonDiagnostic<'a> {
    path: String,
    range: JsonRange,
    severity: &'static str,
    code: &'a str,
    source: &'static str,
    message: &'a str,
}

fn json_report(checked: &[Checked]) -> String {
    let items: Vec<JsonDiagnostic<'_>> = checked
        .iter()
        .flat_map(|file| {
            let lines = LineStarts::new(&file.text);
            file.diagnostics
                .iter()
                .map(move |diagnostic| JsonDiagnostic {
                    path: file.path.display().to_string(),
                    range: JsonRange {
                        start: position(&lines, &file.text, diagnostic.range.start),
                        end: position(&lines, &file.text, diagnostic.range.end),
                    },
                    severity: diagnostic.severity.name(),
                    code: diagnostic.code,
                    source: diagnostic.source.name(),
                    message: &diagnostic.message,
                })
        })
        .collect();
    format!("{}\n", pretty(&items))
}

fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// SARIF's `{"text": …}` messages and descriptions.
#[derive(Debug, Serialize)]
struct SarifText<'a> {
    text: &'a str,
}

/// SARIF's property bag: the diagnostic's source (`go` or `gomodls`).
#[derive(Debug, Serialize)]
struct SarifProperties {
    source: &'static str,
}

/// A SARIF rule: one registered diagnostic code.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule<'a> {
    id: &'a str,
    short_description: SarifText<'a>,
    help_uri: &'a str,
    properties: SarifProperties,
}

/// A SARIF region: 1-based lines and columns in Unicode code points.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// A SARIF artifact: the file, as a relative URI reference.
#[derive(Debug, Serialize)]
struct SarifArtifact {
    uri: String,
}

/// A SARIF physical location: the file and the region in it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysicalLocation {
    artifact_location: SarifArtifact,
    region: SarifRegion,
}

/// A SARIF location.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: SarifPhysicalLocation,
}

/// A SARIF result: one diagnostic.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: Option<usize>,
    level: &'static str,
    message: SarifText<'a>,
    locations: Vec<SarifLocation>,
    properties: SarifProperties,
}

/// The SARIF tool's driver: gomodls and its rules.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver<'a> {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<SarifRule<'a>>,
}

/// The SARIF tool.
#[derive(Debug, Serialize)]
struct SarifTool<'a> {
    driver: SarifDriver<'a>,
}

/// The one SARIF run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    tool: SarifTool<'a>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

/// The SARIF log.
#[derive(Debug, Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<SarifRun<'a>>,
}

/// SARIF 2.1.0: one run, a rule per registered code, a result per diagnostic; columns count
/// Unicode code points.
fn sarif(checked: &[Checked]) -> String {
    let rules: Vec<SarifRule<'_>> = CODES
        .iter()
        .map(|info| SarifRule {
            id: info.code,
            short_description: SarifText { text: info.summary },
            help_uri: info.url,
            properties: SarifProperties {
                source: info.source.name(),
            },
        })
        .collect();
    let results: Vec<SarifResult<'_>> = checked
        .iter()
        .flat_map(|file| {
            let lines = LineStarts::new(&file.text);
            file.diagnostics.iter().map(move |diagnostic| {
                let (start_line, start_column) =
                    lines.line_column(&file.text, diagnostic.range.start);
                let (end_line, end_column) = lines.line_column(&file.text, diagnostic.range.end);
                SarifResult {
                    rule_id: diagnostic.code,
                    rule_index: CODES.iter().position(|info| info.code == diagnostic.code),
                    level: match diagnostic.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info | Severity::Hint => "note",
                    },
                    message: SarifText {
                        text: &diagnostic.message,
                    },
                    locations: vec![SarifLocation {
                        physical_location: SarifPhysicalLocation {
                            artifact_location: SarifArtifact {
                                uri: artifact_uri(&file.path),
                            },
                            region: SarifRegion {
                                start_line,
                                start_column,
                                end_line,
                                end_column,
                            },
                        },
                    }],
                    properties: SarifProperties {
                        source: diagnostic.source.name(),
                    },
                }
            })
        })
        .collect();
    let log = SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "gomodls",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/gomodls/gomodls",
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    format!("{}\n", pretty(&log))
}

/// The characters a URI path segment keeps as they are (RFC 3986 unreserved, and `/`).
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A path as a relative URI reference: forward slashes, other characters percent-encoded.
fn artifact_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text);
    utf8_percent_encode(text, URI_PATH).to_string()
}
