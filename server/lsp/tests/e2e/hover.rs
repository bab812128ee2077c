//! Hover: markdown or plain text as the client asks, over go.mod and go.sum positions after
//! non-ASCII text.

use gomodls_tests::{Encoding, TestServer, cursor};
use serde_json::{Value, json};

use crate::options;
use crate::views::slice;

fn hover(markdown: bool, language: &str, fixture: &str) -> anyhow::Result<(String, Value)> {
    let formats = match markdown {
        true => json!(["markdown", "plaintext"]),
        false => json!(["plaintext"]),
    };
    let options = options().capability("textDocument", "hover", json!({"contentFormat": formats}));
    let (mut server, initialized) = TestServer::start(options)?;
    assert_eq!(initialized["capabilities"]["hoverProvider"], true);
    let fixture = cursor(fixture)?;
    let uri = match language {
        "gosum" => "file:///m/go.sum",
        _ => "file:///m/go.mod",
    };
    server.open(uri, language, 1, &fixture.text)?;
    let answer = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": fixture.position(Encoding::Utf16)}),
    )?;
    server.shutdown_and_exit()?;
    let covered = match answer.is_null() {
        true => String::new(),
        false => slice(&fixture.text, &answer["range"], Encoding::Utf16).to_owned(),
    };
    Ok((covered, answer))
}

#[test]
fn pseudo_version_in_markdown_and_plain_text() -> anyhow::Result<()> {
    let fixture =
        "module é😀\r\nrequire x.org/é v1.2.4-0.2023$00102030405-abcdefabcdef // indirect\r\n";
    let (covered, answer) = hover(true, "gomod", fixture)?;
    assert_eq!(covered, "v1.2.4-0.20230102030405-abcdefabcdef");
    assert_eq!(answer["contents"]["kind"], "markdown");
    let value = answer["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("- base version: `v1.2.3`"), "{value}");
    assert!(
        value.contains("- commit time: 2023-01-02 03:04:05 UTC"),
        "{value}"
    );
    assert!(value.contains("- revision: `abcdefabcdef`"), "{value}");
    assert!(
        value.contains("(https://go.dev/ref/mod#go-mod-file-require)"),
        "{value}"
    );

    let (_, answer) = hover(false, "gomod", fixture)?;
    assert_eq!(answer["contents"]["kind"], "plaintext");
    let value = answer["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("- base version: v1.2.3"), "{value}");
    assert!(!value.contains('`') && !value.contains("**"), "{value}");
    Ok(())
}

#[test]
fn directive_keyword_and_go_sum_line() -> anyhow::Result<()> {
    let (covered, answer) = hover(
        true,
        "gomod",
        "module é\r\n\r\nrepl$0ace x.org/a => ../é\r\n",
    )?;
    assert_eq!(covered, "replace");
    let value = answer["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.starts_with("**`replace` directive**"), "{value}");
    assert!(
        value.ends_with("(https://go.dev/ref/mod#go-mod-file-replace)"),
        "{value}"
    );

    let (covered, answer) = hover(
        true,
        "gosum",
        "x.org/é v1.0.0 h1:abc=\r\nx.org/é v1.0.0/go.mod h1:d$0ef=\r\n",
    )?;
    assert_eq!(covered, "x.org/é v1.0.0/go.mod h1:def=");
    let value = answer["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("go.mod file alone"), "{value}");
    assert!(value.contains("Hash `h1`: SHA-256"), "{value}");

    let (covered, answer) = hover(true, "gomod", "module m\r\n$0\r\n")?;
    assert_eq!((covered.as_str(), answer), ("", Value::Null));
    Ok(())
}
