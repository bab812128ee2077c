//! Diagnostics: pushed with versions, pulled per document and for the workspace.

use gomodls_tests::TestServer;
use serde_json::json;

use crate::options;

const BROKEN: &str = "module é.example/m\r\n\r\nrequire (\r\n\tx.org/m v1.0.0\r\n";

#[test]
fn pushed_with_the_document_version() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, BROKEN)?;
    let published = server.wait_diagnostics(uri, Some(1))?;
    let diagnostics = published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!diagnostics.is_empty(), "{published}");
    // go's own words for go's own error: the unterminated block, reported at the end.
    assert_eq!(diagnostics[0]["source"], "go");
    assert_eq!(diagnostics[0]["code"], "syntax-error");
    assert_eq!(
        diagnostics[0]["message"],
        "syntax error (unterminated block started at go.mod:3:1)"
    );
    assert_eq!(diagnostics[0]["severity"], 1);

    // Close the block: the next publication is for version 2 and empty.
    let end = json!({"line": 4, "character": 0});
    server.change(
        uri,
        2,
        vec![json!({"range": {"start": end, "end": end}, "text": ")\r\n"})],
    )?;
    let published = server.wait_diagnostics(uri, Some(2))?;
    assert_eq!(published["diagnostics"], json!([]));

    // Closing the document clears its diagnostics.
    server.change(uri, 3, vec![json!({"text": BROKEN})])?;
    server.wait_diagnostics(uri, Some(3))?;
    server.close(uri)?;
    let cleared = server.wait_notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri && params["diagnostics"] == json!([])
    })?;
    assert!(
        cleared
            .get("version")
            .is_none_or(|version| version.is_null())
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn pulled_by_clients_that_pull() -> anyhow::Result<()> {
    let options = options()
        .capability(
            "textDocument",
            "diagnostic",
            json!({"dynamicRegistration": false}),
        )
        .capability("workspace", "diagnostics", json!({"refreshSupport": true}));
    let (mut server, _) = TestServer::start(options)?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, BROKEN)?;

    let report = server.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    )?;
    assert_eq!(report["kind"], "full");
    assert!(
        !report["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .is_empty()
    );
    let result_id = report["resultId"].clone();

    let again = server.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": result_id}),
    )?;
    assert_eq!(again["kind"], "unchanged");
    assert_eq!(again["resultId"], result_id);

    server.change(uri, 2, vec![json!({"text": "module m\n"})])?;
    let workspace = server.request(
        "workspace/diagnostic",
        json!({"previousResultIds": [{"uri": uri, "value": result_id}]}),
    )?;
    let items = workspace["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["uri"], uri);
    assert_eq!(items[0]["kind"], "full");
    assert_eq!(items[0]["version"], 2);
    assert_eq!(items[0]["items"], json!([]));

    // A client that pulls gets no pushed diagnostics.
    let pushed = server
        .pending_notifications()?
        .into_iter()
        .filter(|(method, _)| method == "textDocument/publishDiagnostics")
        .count();
    assert_eq!(pushed, 0);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn turned_off_by_the_settings() -> anyhow::Result<()> {
    let options = options().configuration("gomodls", json!({"diagnostics": {"enable": false}}));
    let (mut server, _) = TestServer::start(options)?;
    let uri = "file:///m/go.mod";
    server.eventually("diagnostics to be off", |server| {
        let requests = server.server_requests()?;
        Ok(requests
            .iter()
            .any(|(method, _)| method == "workspace/configuration")
            .then_some(()))
    })?;
    server.open(uri, "gomod", 1, BROKEN)?;
    server.eventually("the pulled settings", |server| {
        let document = server.debug_document(uri)?;
        Ok((document["config"]["diagnostics"]["enable"] == false).then_some(()))
    })?;
    server.change(uri, 2, vec![json!({"text": BROKEN})])?;
    let published = server.wait_diagnostics(uri, Some(2))?;
    assert_eq!(published["diagnostics"], json!([]));
    server.shutdown_and_exit()?;
    Ok(())
}
