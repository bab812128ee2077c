//! Helpers for the feature tests: turn LSP ranges back into the text they cover, with the
//! harness's own position model.
#![allow(
    clippy::panic,
    reason = "test helpers: an answer of the wrong shape fails the test"
)]

use gomodls_tests::Encoding;
use gomodls_tests::fixture::offset_of;
use serde_json::Value;

/// The byte offset of an LSP position (JSON) in `text`.
pub fn offset(text: &str, position: &Value, encoding: Encoding) -> usize {
    let line = position["line"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok());
    let character = position["character"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok());
    let (Some(line), Some(character)) = (line, character) else {
        panic!("not a position: {position}");
    };
    offset_of(text, line, character, encoding)
        .unwrap_or_else(|| panic!("{position} is not a position of the text"))
}

/// The text an LSP range (JSON) covers.
pub fn slice<'a>(text: &'a str, range: &Value, encoding: Encoding) -> &'a str {
    let start = offset(text, &range["start"], encoding);
    let end = offset(text, &range["end"], encoding);
    &text[start..end]
}

/// Applies simultaneous `TextEdit`s (JSON) to `text`, as an editor does.
pub fn apply_edits(text: &str, edits: &Value, encoding: Encoding) -> String {
    let mut ranges: Vec<(usize, usize, String)> = edits
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|edit| {
            (
                offset(text, &edit["range"]["start"], encoding),
                offset(text, &edit["range"]["end"], encoding),
                edit["newText"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    ranges.sort_by_key(|(start, _, _)| *start);
    let mut out = String::new();
    let mut at = 0;
    for (start, end, new_text) in ranges {
        assert!(at <= start, "overlapping edits: {edits}");
        out.push_str(&text[at..start]);
        out.push_str(&new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Decodes `%XX` escapes (of a URI), leaving anything else as it is.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = (bytes[at] == b'%')
            .then(|| text.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
