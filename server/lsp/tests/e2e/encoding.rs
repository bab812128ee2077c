//! `positionEncoding` negotiation and position conversion at the LSP boundary.

use gomodls_tests::{Encoding, TestServer, cursor};
use serde_json::json;

use crate::options;

/// A go.mod with multi-byte characters of every UTF-8 length and CRLF line ends; `$0` sits
/// after the emoji.
const FIXTURE: &str = "module é.example/😀$0x\r\n\r\nrequire 中.org/m v1.0.0\r\n";

fn check_encoding(offered: &[&str], expected: Encoding) -> anyhow::Result<()> {
    let (mut server, result) = TestServer::start(options().position_encodings(offered))?;
    assert_eq!(
        result["capabilities"]["positionEncoding"],
        expected.as_str()
    );
    assert_eq!(TestServer::encoding_of(&result), expected);

    let fixture = cursor(FIXTURE)?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, &fixture.text)?;
    let position = fixture.position(expected);
    let answer = server.request(
        "gomodls/debugPosition",
        json!({"uri": uri, "position": position}),
    )?;
    assert_eq!(answer["offset"], fixture.offset, "offset of {position}");
    assert_eq!(answer["position"], position);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn utf8_when_offered() -> anyhow::Result<()> {
    check_encoding(&["utf-16", "utf-8"], Encoding::Utf8)
}

#[test]
fn utf16_by_default() -> anyhow::Result<()> {
    check_encoding(&[], Encoding::Utf16)?;
    check_encoding(&["utf-16"], Encoding::Utf16)?;
    check_encoding(&["utf-7"], Encoding::Utf16)
}

#[test]
fn utf32_when_preferred() -> anyhow::Result<()> {
    check_encoding(&["utf-32", "utf-16"], Encoding::Utf32)
}

#[test]
fn positions_past_the_end_clamp() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let text = "module é\r\nrequire 😀\r\n";
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, text)?;
    let cases = [
        // A column past the end of a CRLF line: the end of the line, before "\r\n".
        (
            json!({"line": 0, "character": 99}),
            9,
            json!({"line": 0, "character": 8}),
        ),
        // Between the two UTF-16 units of the emoji: its start.
        (
            json!({"line": 1, "character": 9}),
            19,
            json!({"line": 1, "character": 8}),
        ),
        // Past the last line: the end of the text.
        (
            json!({"line": 7, "character": 3}),
            text.len(),
            json!({"line": 2, "character": 0}),
        ),
    ];
    for (position, offset, normalized) in cases {
        let answer = server.request(
            "gomodls/debugPosition",
            json!({"uri": uri, "position": position}),
        )?;
        assert_eq!(answer["offset"], offset, "{position}");
        assert_eq!(answer["position"], normalized, "{position}");
    }
    server.shutdown_and_exit()?;
    Ok(())
}
