//! Formatting: go's canonical text as minimal edits, none for formatted or broken files.

use gomodls_tests::{Encoding, TestServer};
use serde_json::{Value, json};

use crate::options;
use crate::views::apply_edits;

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
        ("file:///m/go.sum", "gosum", "b v1 h1:x=\r\na v1 h1:y=\r\n"),
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
