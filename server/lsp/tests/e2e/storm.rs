//! The edit storm: a thousand random incremental edits sent as fast as possible; afterwards the
//! server's text is the client's text and its incrementally edited tree equals a fresh parse.

use gomodls_syntax::FileKind;
use gomodls_tests::edit::{apply, change};
use gomodls_tests::{Encoding, TestServer};
use serde_json::{Value, json};

use crate::options;

const EDITS: usize = 1000;

/// Pieces of inserted text: multi-byte characters of every length, CRLF, LF, a lone CR (a line
/// end for LSP, whitespace for Go), and go.mod words so the parser sees real structure.
const PIECES: [&str; 16] = [
    "é",
    "😀",
    "中",
    "\r\n",
    "\n",
    "\r",
    " ",
    "\t",
    "module ",
    "require ",
    "x.org/m",
    " v1.2.3",
    "(",
    ")",
    "// ü\r\n",
    "replace a => ./b\r\n",
];

const START: &str = "module é.example/m\r\n\r\ngo 1.22\r\n\r\nrequire (\r\n\tx.org/中 v1.0.0\r\n\ty.org/😀 v0.1.0 // indirect\r\n)\r\n";

/// Whether an edit may start or end at `offset`: a char boundary, and not between the `\r` and
/// `\n` of a CRLF (LSP positions cannot point there).
fn valid(text: &str, offset: usize) -> bool {
    text.is_char_boundary(offset)
        && !(offset > 0
            && text.as_bytes().get(offset - 1) == Some(&b'\r')
            && text.as_bytes().get(offset) == Some(&b'\n'))
}

/// A random valid offset in `low..=high` (`low` must be valid).
fn offset_between(random: &mut fastrand::Rng, text: &str, low: usize, high: usize) -> usize {
    let mut offset = random.usize(low..=high);
    while !valid(text, offset) {
        offset -= 1;
    }
    offset
}

fn random_text(random: &mut fastrand::Rng) -> String {
    (0..random.usize(0..4))
        .map(|_| PIECES[random.usize(..PIECES.len())])
        .collect()
}

fn storm(offered: &str, encoding: Encoding, seed: u64) -> anyhow::Result<()> {
    let (mut server, result) = TestServer::start(options().position_encodings(&[offered]))?;
    assert_eq!(TestServer::encoding_of(&result), encoding);
    let uri = "file:///storm/go.mod";
    let mut expected = String::from(START);
    server.open(uri, "gomod", 1, &expected)?;

    let mut random = fastrand::Rng::with_seed(seed);
    let mut version = 1;
    let mut sent = 0;
    while sent < EDITS {
        // Usually one change per notification, sometimes several, rarely the whole text.
        let mut changes: Vec<Value> = Vec::new();
        for _ in 0..random.usize(1..=3).min(EDITS - sent) {
            let change = if random.usize(..100) == 0 {
                json!({"text": format!("{}{}", random_text(&mut random), START)})
            } else {
                let start = offset_between(&mut random, &expected, 0, expected.len());
                // Mostly short edits; some span many lines.
                let reach = if random.bool() { 8 } else { 200 };
                let high = (start + reach).min(expected.len());
                let end = offset_between(&mut random, &expected, start, high);
                change(&expected, start, end, &random_text(&mut random), encoding)
            };
            apply(&mut expected, &change, encoding)?;
            changes.push(change);
            sent += 1;
        }
        version += 1;
        server.change(uri, version, changes)?;
    }

    let document = server.debug_document(uri)?;
    assert_eq!(document["version"], version);
    assert_eq!(document["text"].as_str(), Some(expected.as_str()));
    let fresh = gomodls_syntax::parse(FileKind::GoMod, expected.as_bytes());
    assert_eq!(
        document["tree"].as_str(),
        Some(fresh.root_node().to_sexp().as_str()),
        "the incrementally edited tree differs from a fresh parse"
    );
    // The last version's diagnostics are published.
    server.wait_diagnostics(uri, Some(version))?;
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn edit_storm_utf16() -> anyhow::Result<()> {
    storm("utf-16", Encoding::Utf16, 0x676f_6d6f_646c_7331)
}

#[test]
fn edit_storm_utf8() -> anyhow::Result<()> {
    storm("utf-8", Encoding::Utf8, 7)
}

#[test]
fn edit_storm_utf32() -> anyhow::Result<()> {
    storm("utf-32", Encoding::Utf32, 42)
}
