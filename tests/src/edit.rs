//! LSP content changes applied to a plain string, as a client's buffer changes: the expected
//! text of the server's document.

use anyhow::Context;
use serde_json::{Value, json};

use crate::fixture::{Encoding, offset_of, position_of};

/// A content change replacing the bytes `start..end` of `text` with `new_text`, as the JSON of a
/// `TextDocumentContentChangeEvent` in `encoding`.
pub fn change(text: &str, start: usize, end: usize, new_text: &str, encoding: Encoding) -> Value {
    json!({
        "range": {
            "start": position_of(text, start, encoding),
            "end": position_of(text, end, encoding),
        },
        "text": new_text,
    })
}

/// Applies one content change (ranged or whole-text) to `text`.
pub fn apply(text: &mut String, change: &Value, encoding: Encoding) -> anyhow::Result<()> {
    let new_text = change
        .get("text")
        .and_then(Value::as_str)
        .context("a change without text")?;
    let Some(range) = change.get("range") else {
        *text = new_text.to_owned();
        return Ok(());
    };
    let offset = |end: &str| -> anyhow::Result<usize> {
        let position = range.get(end).context("a range without start or end")?;
        let line = position
            .get("line")
            .and_then(Value::as_u64)
            .context("no line")?;
        let character = position
            .get("character")
            .and_then(Value::as_u64)
            .context("no character")?;
        offset_of(
            text,
            u32::try_from(line)?,
            u32::try_from(character)?,
            encoding,
        )
        .with_context(|| format!("{position} is not a position of the text"))
    };
    let start = offset("start")?;
    let end = offset("end")?;
    text.replace_range(start..end, new_text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_then_apply_is_a_replacement() {
        let mut text = String::from("module é\r\nrequire 😀 v1\r\n");
        let start = text.find('😀').unwrap();
        let change = change(&text, start, start + 4, "x/中\r\n", Encoding::Utf16);
        assert_eq!(change["range"]["start"], json!({"line": 1, "character": 8}));
        apply(&mut text, &change, Encoding::Utf16).unwrap();
        assert_eq!(text, "module é\r\nrequire x/中\r\n v1\r\n");
        apply(&mut text, &json!({"text": "all"}), Encoding::Utf16).unwrap();
        assert_eq!(text, "all");
    }
}
