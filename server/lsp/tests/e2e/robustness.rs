//! The server survives panics, cancellations, stale requests, broken messages and big files.

use gomodls_tests::TestServer;
use serde_json::{Value, json};

use crate::options;

#[test]
fn a_panic_becomes_an_error_response() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, "module é\r\n")?;
    for _ in 0..3 {
        let outcome = server.request_outcome("gomodls/debugPanic", Value::Null)?;
        let error = outcome
            .err()
            .ok_or_else(|| anyhow::anyhow!("the panic was answered"))?;
        assert_eq!(error.code, -32603);
        assert!(
            error
                .message
                .contains("gomodls/debugPanic was asked to panic"),
            "{error}"
        );
    }
    // The server lives on.
    assert_eq!(server.debug_document(uri)?["text"], "module é\r\n");
    assert_eq!(server.shutdown_and_exit()?.code(), Some(0));
    Ok(())
}

#[test]
fn a_change_during_a_request_answers_content_modified() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, "module a\n")?;
    // debugWait runs until the document changes.
    let id = server.send_request("gomodls/debugWait", json!({"uri": uri}))?;
    server.change(uri, 2, vec![json!({"text": "module b\n"})])?;
    let outcome = server.response(&id)?;
    assert_eq!(outcome.map_err(|error| error.code), Err(-32801));
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn cancel_request_is_honoured() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, "module a\n")?;
    let id = server.send_request("gomodls/debugWait", json!({"uri": uri}))?;
    server.notify("$/cancelRequest", json!({"id": id}))?;
    let outcome = server.response(&id)?;
    assert_eq!(outcome.map_err(|error| error.code), Err(-32800));
    // Cancelling an unknown request is harmless.
    server.notify("$/cancelRequest", json!({"id": 12345}))?;
    assert_eq!(server.debug_document(uri)?["version"], 1);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn broken_messages_and_unknown_methods() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let unknown = server.request_outcome("gomodls/noSuchRequest", json!({}))?;
    assert_eq!(unknown.map_err(|error| error.code), Err(-32601));
    // Parameters of the wrong shape.
    let invalid = server.request_outcome("gomodls/debugDocument", json!({"uri": 3}))?;
    assert_eq!(invalid.map_err(|error| error.code), Err(-32602));
    // A notification for a document that is not open is ignored.
    server.change("file:///nowhere/go.mod", 2, vec![json!({"text": "x"})])?;
    // A request about a document that is neither open nor on disk.
    let missing = server.request_outcome(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///nowhere/go.mod"}}),
    )?;
    assert_eq!(missing.map_err(|error| error.code), Err(-32602));
    server.open("file:///m/go.mod", "gomod", 1, "module m\n")?;
    assert_eq!(server.debug_document("file:///m/go.mod")?["version"], 1);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn a_ten_megabyte_file_stays_usable() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///big/go.sum";
    let line =
        "golang.org/x/téxt v0.3.7/go.mod h1:5Zoc/QRtKVWzQhOtBMvqHzDpF6irO9z98xDceosuGiQ=\r\n";
    let count = 10 * 1024 * 1024 / line.len();
    let text = line.repeat(count);
    server.open(uri, "gosum", 1, &text)?;
    // Type at the end, many times, then ask where the end is.
    let mut expected_len = text.len();
    for version in 2..10 {
        let end = json!({"line": count, "character": 0});
        server.change(
            uri,
            version,
            vec![json!({"range": {"start": end, "end": end}, "text": "é"})],
        )?;
        expected_len += 2;
    }
    let answer = server.request(
        "gomodls/debugPosition",
        json!({"uri": uri, "position": {"line": count + 5, "character": 0}}),
    )?;
    assert_eq!(answer["offset"], expected_len);
    assert_eq!(answer["position"], json!({"line": count, "character": 8}));
    // A position in the middle converts without reading the whole file.
    let middle = server.request(
        "gomodls/debugPosition",
        json!({"uri": uri, "position": {"line": count / 2, "character": 16}}),
    )?;
    assert_eq!(middle["offset"], line.len() * (count / 2) + 17);
    server.shutdown_and_exit()?;
    Ok(())
}
