//! Formatting: go's canonical text as minimal edits, none for formatted or broken files.

use std::path::Path;
use std::process::Command;

use gomodls_tests::{Encoding, TestServer};
use serde_json::{Value, json};

use crate::views::apply_edits;
use crate::{binary, options};

fn format(server: &mut TestServer, uri: &str) -> anyhow::Result<Value> {
    server.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri},
               "options": {"tabSize": 4, "insertSpaces": false}}),
    )
}

#[test]
fn go_mod_formats_to_go_s_text() -> anyhow::Result<()> {
    let (mut server, initialized) = TestServer::start(options())?;
    assert_eq!(
        initialized["capabilities"]["documentFormattingProvider"],
        true
    );
    assert_eq!(
        initialized["capabilities"]["documentRangeFormattingProvider"],
        true
    );
    let uri = "file:///m/go.mod";
    let text = "module   é.org/m\r\n\r\ngo 1.22\r\nrequire (\r\n  x.org/😀 v1.0.0\r\n\tx.org/a   v1.0.0 // indirect\r\n)\r\n";
    server.open(uri, "gomod", 1, text)?;
    let edits = format(&mut server, uri)?;
    // go writes LF line ends, one space between tokens, tabs in blocks, sorted blocks.
    assert_eq!(
        apply_edits(text, &edits, Encoding::Utf16),
        "module é.org/m\n\ngo 1.22\n\nrequire (\n\tx.org/a v1.0.0 // indirect\n\tx.org/😀 v1.0.0\n)\n"
    );
    // The edits are small: none of them rewrites the whole file.
    for edit in edits.as_array().cloned().unwrap_or_default() {
        assert!(
            edit["newText"].as_str().unwrap_or_default().len() < 40,
            "{edit}"
        );
    }

    // Formatted: no edits.
    let formatted = apply_edits(text, &edits, Encoding::Utf16);
    server.change(uri, 2, vec![json!({"text": formatted})])?;
    assert_eq!(format(&mut server, uri)?, json!([]));
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn broken_files_get_no_edits_and_no_error() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    for (uri, language, text) in [
        (
            "file:///m/go.mod",
            "gomod",
            "module é\r\nrequire (\r\n\tx.org/a v1\r\n",
        ),
        (
            "file:///b/go.mod",
            "gomod",
            "module   é\r\nrequire x.org/a latest\r\n",
        ),
        // go refuses a go.sum line without three fields.
        (
            "file:///m/go.sum",
            "gosum",
            "b.org/é v1.0.0 h1:x=\r\na.org/m v1.0.0\r\n",
        ),
    ] {
        server.open(uri, language, 1, text)?;
        assert_eq!(format(&mut server, uri)?, json!([]), "{text:?}");
    }
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn range_formatting_and_go_work() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options().position_encodings(&["utf-8"]))?;
    let uri = "file:///w/go.work";
    let text = "go   1.22\r\n\r\nuse   ./é\r\n";
    server.open(uri, "gowork", 1, text)?;
    let all = format(&mut server, uri)?;
    assert_eq!(
        apply_edits(text, &all, Encoding::Utf8),
        "go 1.22\n\nuse ./é\n"
    );
    // Only the edits touching the last line.
    let edits = server.request(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 6}},
               "options": {"tabSize": 4, "insertSpaces": false}}),
    )?;
    assert_eq!(
        apply_edits(text, &edits, Encoding::Utf8),
        "go   1.22\r\n\r\nuse ./é\r\n"
    );
    server.shutdown_and_exit()?;
    Ok(())
}

fn range_format(
    server: &mut TestServer,
    uri: &str,
    start: (u32, u32),
    end: (u32, u32),
) -> anyhow::Result<Value> {
    server.request(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": start.0, "character": start.1},
                         "end": {"line": end.0, "character": end.1}},
               "options": {"tabSize": 4, "insertSpaces": false}}),
    )
}

/// What `gomodls fmt` prints for a go.sum text.
fn fmt_command(text: &str) -> anyhow::Result<String> {
    let directory = tempfile::tempdir()?;
    let path = directory.path().join("go.sum");
    std::fs::write(&path, text)?;
    let output = Command::new(binary()).arg("fmt").arg(&path).output()?;
    anyhow::ensure!(output.status.success(), "gomodls fmt failed: {output:?}");
    Ok(String::from_utf8(output.stdout)?)
}

#[test]
fn go_sum_formats_as_go_writes_it() -> anyhow::Result<()> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let (mut server, _) = TestServer::start(options())?;
    for repository in ["tailscale__tailscale", "traefik__traefik"] {
        let written = std::fs::read_to_string(corpus.join(repository).join("go.sum"))?;
        // go wrote this go.sum: it is its own formatting.
        let uri = format!("file:///{repository}/go.sum");
        server.open(&uri, "gosum", 1, &written)?;
        assert_eq!(format(&mut server, &uri)?, json!([]), "{repository}");

        // Out of order: the first lines moved to the end, two lines swapped, a blank line, a
        // duplicate, CRLF line ends here and there, a non-ASCII module path.
        let mut lines: Vec<String> = written.lines().map(str::to_owned).collect();
        lines.rotate_left(10);
        lines.swap(100, 101);
        lines.insert(50, String::new());
        lines.insert(200, lines[300].clone());
        for line in lines.iter_mut().step_by(500) {
            line.push('\r');
        }
        lines.push("example.org/é v1.0.0 h1:😀=".to_owned());
        let shuffled = lines.join("\n");
        server.change(&uri, 2, vec![json!({"text": shuffled})])?;
        let edits = format(&mut server, &uri)?;
        let formatted = apply_edits(&shuffled, &edits, Encoding::Utf16);
        assert_eq!(formatted, fmt_command(&shuffled)?, "{repository}");
        // go's text is the written file with the new line in its place.
        assert_eq!(formatted.lines().count(), written.lines().count() + 1);
        assert_eq!(formatted.lines().next(), written.lines().next());
        // Minimal edits: far less text than the file.
        let new_text: usize = edits
            .as_array()
            .map(|edits| {
                edits
                    .iter()
                    .map(|edit| edit["newText"].as_str().unwrap_or_default().len())
                    .sum()
            })
            .unwrap_or_default();
        assert!(
            new_text < written.len() / 2,
            "{repository}: {new_text} bytes of edits"
        );
    }
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn go_sum_range_formatting_writes_the_selected_lines() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.sum";
    let text = "c.org/m v1.0.0 h1:c=\r\nb.org/😀 v1.0.0/go.mod h1:b=\r\nb.org/😀   v1.0.0 h1:b=\r\na.org/m v1.0.0 h1:a=\r\n";
    server.open(uri, "gosum", 1, text)?;
    // From inside the emoji's line (UTF-16 columns) to the middle of the third line: lines two
    // and three, sorted among themselves, as go writes them.
    let edits = range_format(&mut server, uri, (1, 8), (2, 3))?;
    assert_eq!(
        apply_edits(text, &edits, Encoding::Utf16),
        "c.org/m v1.0.0 h1:c=\r\nb.org/😀 v1.0.0 h1:b=\nb.org/😀 v1.0.0/go.mod h1:b=\na.org/m v1.0.0 h1:a=\r\n"
    );
    // Every line: the whole-file answer.
    let all = range_format(&mut server, uri, (0, 0), (4, 0))?;
    assert_eq!(
        apply_edits(text, &all, Encoding::Utf16),
        apply_edits(text, &format(&mut server, uri)?, Encoding::Utf16)
    );
    assert_eq!(
        apply_edits(text, &all, Encoding::Utf16),
        "a.org/m v1.0.0 h1:a=\nb.org/😀 v1.0.0 h1:b=\nb.org/😀 v1.0.0/go.mod h1:b=\nc.org/m v1.0.0 h1:c=\n"
    );
    server.shutdown_and_exit()?;
    Ok(())
}
