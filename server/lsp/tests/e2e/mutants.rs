//! Every mutant of the mutation corpus, opened over LSP, gets the diagnostics `gomodls check`
//! prints for the same file.

use std::path::Path;
use std::process::Command;

use anyhow::Context as _;
use gomodls_syntax::check;
use gomodls_test_utils::mutants::mutants;
use gomodls_tests::{Encoding, TestServer, file_uri, position_of};
use serde_json::{Value, json};

use crate::{binary, options};

/// How many mutants; the syntax crate's oracle test runs the full corpus against go.
const COUNT: usize = 150;

#[test]
fn every_mutant_gets_the_same_diagnostics_over_lsp_as_from_check() -> anyhow::Result<()> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let mut sources = Vec::new();
    for repo in std::fs::read_dir(&corpus)? {
        let path = repo?.path().join("go.mod");
        if path.is_file() {
            sources.push(std::fs::read(&path)?);
        }
    }
    sources.sort();
    let work = tempfile::tempdir()?;
    let (mut server, _) = TestServer::start(options().position_encodings(&["utf-32"]))?;
    let mut failures = Vec::new();
    for (index, mutant) in mutants(&sources, COUNT, 0x5eed).into_iter().enumerate() {
        // Both see valid UTF-8 (LSP text is a string); go's view of bytes is tested elsewhere.
        let text = String::from_utf8_lossy(&mutant.text).into_owned();
        let directory = work.path().join(format!("m{index}"));
        std::fs::create_dir(&directory)?;
        let path = directory.join("go.mod");
        std::fs::write(&path, &text)?;
        let output = Command::new(binary())
            .args(["check", "--format", "json", "go.mod"])
            .current_dir(&directory)
            // Tests never reach the internet.
            .env("GOPROXY", "off")
            .output()?;
        let report: Vec<Value> = serde_json::from_slice(&output.stdout)
            .with_context(|| String::from_utf8_lossy(&output.stderr).into_owned())?;
        let from_check: Vec<Value> = report
            .iter()
            // Module diagnostics (facts, other files, local directories) are compared elsewhere.
            .filter(|d| d["code"].as_str().and_then(check::code_info).is_some())
            .map(|item| {
                // `check` counts lines at `\n` only, as go does; LSP also breaks at a lone CR.
                let position = |end: &str| {
                    let line = item["range"][end]["line"].as_u64().unwrap_or(1);
                    let column = item["range"][end]["column"].as_u64().unwrap_or(1);
                    position_of(&text, byte_offset(&text, line, column), Encoding::Utf32)
                };
                json!([
                    item["code"],
                    item["source"],
                    item["message"],
                    position("start"),
                    position("end")
                ])
            })
            .collect();

        let uri = file_uri(&path);
        server.open(&uri, "go.mod", 1, &text)?;
        let published = server.wait_diagnostics(&uri, Some(1))?;
        let over_lsp: Vec<Value> = published["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            // Diagnostics from module data (fetched facts, other files) are the server's own;
            // `check` gives the ones of the file's text, the registry's codes.
            .filter(|d| d["code"].as_str().and_then(check::code_info).is_some())
            .map(|d| {
                json!([
                    d["code"],
                    d["source"],
                    d["message"],
                    d["range"]["start"],
                    d["range"]["end"]
                ])
            })
            .collect();
        server.close(&uri)?;
        if over_lsp != from_check {
            failures.push(format!(
                "mutant {index} ({}):\nLSP:   {over_lsp:?}\ncheck: {from_check:?}",
                mutant.description
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    server.shutdown_and_exit()?;
    Ok(())
}

/// The byte offset of a 1-based line (counted at `\n`) and character column.
fn byte_offset(text: &str, line: u64, column: u64) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        _ => text
            .match_indices('\n')
            .nth(usize::try_from(line - 2).unwrap_or(usize::MAX))
            .map_or(text.len(), |(at, _)| at + 1),
    };
    let rest = &text[line_start..];
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    line_start
        + rest
            .char_indices()
            .nth(skip)
            .map_or(rest.len(), |(at, _)| at)
}
