//! Semantic tokens: the legend, full, range and delta answers, positions in the negotiated
//! encoding, and the setting that turns them off.
#![allow(
    clippy::panic,
    reason = "test helpers: an answer of the wrong shape fails the test"
)]

use expect_test::{Expect, expect};
use gomodls_tests::{Encoding, TestServer, edit};
use serde_json::{Value, json};

use crate::options;
use crate::views::offset;

const TEXT: &str = "// Deprecated: use é.org/n\r\nmodule é.org/m\r\n\r\ngo 1.22\r\ngodebug panicnil=1\r\nrequire (\r\n\tx.org/😀 v1.0.0 // indirect\r\n)\r\nreplace x.org/😀 => ../é\r\nretract v0.1.0\r\n";

/// Decodes relative token data into `"text" type [modifiers]` rows.
fn render(text: &str, legend: &Value, data: &Value, encoding: Encoding) -> String {
    let numbers: Vec<u32> = data
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|number| {
            number
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(u32::MAX)
        })
        .collect();
    let types = legend["tokenTypes"].as_array().cloned().unwrap_or_default();
    let modifiers = legend["tokenModifiers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut out = String::new();
    let (mut line, mut character) = (0, 0);
    for token in numbers.chunks(5) {
        let [delta_line, delta_start, length, token_type, bits] = token else {
            panic!("token data is not a multiple of 5: {data}");
        };
        if *delta_line > 0 {
            line += delta_line;
            character = *delta_start;
        } else {
            character += delta_start;
        }
        let start = offset(
            text,
            &json!({"line": line, "character": character}),
            encoding,
        );
        let end = offset(
            text,
            &json!({"line": line, "character": character + length}),
            encoding,
        );
        let names: Vec<&str> = modifiers
            .iter()
            .enumerate()
            .filter(|(bit, _)| bits & (1 << bit) != 0)
            .filter_map(|(_, name)| name.as_str())
            .collect();
        out.push_str(&format!(
            "{:?} {}{}\n",
            &text[start..end],
            types[*token_type as usize].as_str().unwrap_or_default(),
            match names.is_empty() {
                true => String::new(),
                false => format!(" [{}]", names.join(",")),
            }
        ));
    }
    out
}

fn full(encodings: &[&str]) -> anyhow::Result<String> {
    let (mut server, initialized) = TestServer::start(options().position_encodings(encodings))?;
    let encoding = TestServer::encoding_of(&initialized);
    let provider = &initialized["capabilities"]["semanticTokensProvider"];
    assert_eq!(provider["range"], true);
    assert_eq!(provider["full"], json!({"delta": true}));
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, TEXT)?;
    let tokens = server.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let rendered = render(TEXT, &provider["legend"], &tokens["data"], encoding);
    server.shutdown_and_exit()?;
    Ok(rendered)
}

#[test]
fn full_tokens_in_utf16() -> anyhow::Result<()> {
    check(
        &["utf-16"],
        expect![[r#"
        "// Deprecated: use é.org/n" comment [deprecated,documentation]
        "module" keyword
        "é.org/m" namespace [declaration]
        "go" keyword
        "1.22" number
        "godebug" keyword
        "panicnil" property
        "=" operator
        "1" string
        "require" keyword
        "x.org/😀" namespace [readonly]
        "v1.0.0" number [readonly]
        "// indirect" comment [readonly]
        "replace" keyword
        "x.org/😀" namespace
        "=>" operator
        "../é" string
        "retract" keyword
        "v0.1.0" number [deprecated]
    "#]],
    )
}

fn check(encodings: &[&str], expected: Expect) -> anyhow::Result<()> {
    expected.assert_eq(&full(encodings)?);
    Ok(())
}

#[test]
fn full_tokens_in_utf8_and_utf32_are_the_same_tokens() -> anyhow::Result<()> {
    let utf16 = full(&["utf-16"])?;
    assert_eq!(full(&["utf-8"])?, utf16);
    assert_eq!(full(&["utf-32"])?, utf16);
    Ok(())
}

#[test]
fn range_and_delta() -> anyhow::Result<()> {
    let (mut server, initialized) = TestServer::start(options())?;
    let legend = initialized["capabilities"]["semanticTokensProvider"]["legend"].clone();
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, TEXT)?;

    let range = server.request(
        "textDocument/semanticTokens/range",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 5, "character": 0}, "end": {"line": 6, "character": 3}}}),
    )?;
    assert_eq!(
        render(TEXT, &legend, &range["data"], Encoding::Utf16),
        "\"require\" keyword\n\"x.org/😀\" namespace [readonly]\n"
    );

    let full = server.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let first_id = full["resultId"].as_str().unwrap_or_default().to_owned();
    let mut data: Vec<Value> = full["data"].as_array().cloned().unwrap_or_default();

    // Change `v1.0.0` to `v1.10.0`: one edit, which turns the old data into the new.
    let mut text = TEXT.to_owned();
    let at = text.find("v1.0.0").unwrap_or_default() + 3;
    let change = edit::change(&text, at, at, "1", Encoding::Utf16);
    edit::apply(&mut text, &change, Encoding::Utf16)?;
    server.change(uri, 2, vec![change])?;
    let delta = server.request(
        "textDocument/semanticTokens/full/delta",
        json!({"textDocument": {"uri": uri}, "previousResultId": first_id}),
    )?;
    let edits = delta["edits"].as_array().cloned().unwrap_or_default();
    assert_eq!(edits.len(), 1, "{delta}");
    let start = edits[0]["start"].as_u64().unwrap_or_default() as usize;
    let delete = edits[0]["deleteCount"].as_u64().unwrap_or_default() as usize;
    let inserted = edits[0]["data"].as_array().cloned().unwrap_or_default();
    assert!(delete <= 10, "the edit replaces only what changed: {delta}");
    data.splice(start..start + delete, inserted);
    assert!(
        render(&text, &legend, &json!(data), Encoding::Utf16)
            .contains("\"v1.10.0\" number [readonly]")
    );

    // An unknown previous result: the whole data again.
    let again = server.request(
        "textDocument/semanticTokens/full/delta",
        json!({"textDocument": {"uri": uri}, "previousResultId": "no such result"}),
    )?;
    assert_eq!(json!(data), again["data"]);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn go_sum_tokens_and_the_off_switch() -> anyhow::Result<()> {
    let options = options().initialization_options(json!({"semanticTokens": {"enable": false}}));
    let (mut server, initialized) = TestServer::start(options)?;
    let uri = "file:///m/go.sum";
    let text = "x.org/é v1.0.0/go.mod h1:abc=\r\n";
    server.open(uri, "gosum", 1, text)?;
    let off = server.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    )?;
    assert_eq!(off, Value::Null);
    server.shutdown_and_exit()?;

    let (mut server, _) = TestServer::start(crate::options())?;
    server.open(uri, "gosum", 1, text)?;
    let tokens = server.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let legend = &initialized["capabilities"]["semanticTokensProvider"]["legend"];
    assert_eq!(
        render(text, legend, &tokens["data"], Encoding::Utf16),
        "\"x.org/é\" namespace\n\"v1.0.0\" number\n\"/go.mod\" keyword\n\"h1\" keyword\n\"abc=\" string\n"
    );
    server.shutdown_and_exit()?;
    Ok(())
}
