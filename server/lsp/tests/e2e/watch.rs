//! Files the client has not opened: read from disk and refreshed through watched-file events.

use gomodls_tests::{TestServer, file_uri};
use serde_json::json;

use crate::options;

#[test]
fn the_go_sum_beside_an_open_go_mod_is_read_and_watched() -> anyhow::Result<()> {
    let directory = tempfile::tempdir()?;
    let go_mod = directory.path().join("go.mod");
    let go_sum = directory.path().join("go.sum");
    std::fs::write(&go_mod, "module é.example/m\r\n")?;
    std::fs::write(&go_sum, "x.org/m v1.0.0 h1:abc=\r\n")?;
    let (mut server, _) = TestServer::start(options().root(directory.path()))?;

    let registration = server.wait_server_request("client/registerCapability")?;
    let registered = &registration["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<String> = registered["registerOptions"]["watchers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|watcher| {
            watcher["globPattern"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        globs,
        ["**/go.mod", "**/go.sum", "**/go.work", "**/go.work.sum"]
    );

    let mod_uri = file_uri(&go_mod);
    let sum_uri = file_uri(&go_sum);
    server.open(&mod_uri, "gomod", 1, "module é.example/m\r\n")?;
    let document = server.eventually("go.sum to be read from disk", |server| {
        Ok(server.debug_document(&sum_uri).ok())
    })?;
    assert_eq!(document["origin"], "disk");
    assert_eq!(document["kind"], "go.sum");
    assert_eq!(document["text"], "x.org/m v1.0.0 h1:abc=\r\n");
    assert_eq!(document["version"], json!(null));

    // Changed on disk: the client reports it, the server reads it again.
    std::fs::write(&go_sum, "x.org/m v1.0.0 h1:changed=\r\n")?;
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": sum_uri, "type": 2}]}),
    )?;
    server.eventually("the new go.sum", |server| {
        let document = server.debug_document(&sum_uri)?;
        Ok((document["text"] == "x.org/m v1.0.0 h1:changed=\r\n").then_some(()))
    })?;

    // Opened by the client: the client's text wins over the disk.
    server.open(&sum_uri, "gosum", 1, "edited in the editor\r\n")?;
    let document = server.debug_document(&sum_uri)?;
    assert_eq!(document["origin"], "open");
    assert_eq!(document["text"], "edited in the editor\r\n");
    // Closed again: the disk's text, read again (it changed while the client had the file open).
    std::fs::write(&go_sum, "x.org/m v1.0.0 h1:while-open=\r\n")?;
    server.close(&sum_uri)?;
    server.eventually("the disk's go.sum after closing", |server| {
        let document = server.debug_document(&sum_uri)?;
        Ok((document["text"] == "x.org/m v1.0.0 h1:while-open=\r\n").then_some(document))
    })?;

    // Deleted on disk: forgotten.
    std::fs::remove_file(&go_sum)?;
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": sum_uri, "type": 3}]}),
    )?;
    server.eventually("go.sum to be forgotten", |server| {
        let outcome = server.request_outcome("gomodls/debugDocument", json!({"uri": sum_uri}))?;
        Ok((outcome.map_err(|error| error.code) == Err(-32602)).then_some(()))
    })?;

    // Created again: read because the open go.mod relates to it.
    std::fs::write(&go_sum, "x.org/m v1.1.0 h1:new=\r\n")?;
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": sum_uri, "type": 1}]}),
    )?;
    server.eventually("the created go.sum", |server| {
        Ok(server
            .debug_document(&sum_uri)
            .ok()
            .filter(|document| document["text"] == "x.org/m v1.1.0 h1:new=\r\n"))
    })?;
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn no_registration_without_dynamic_registration_support() -> anyhow::Result<()> {
    let options = options().capability(
        "workspace",
        "didChangeWatchedFiles",
        json!({"dynamicRegistration": false}),
    );
    let (mut server, _) = TestServer::start(options)?;
    server.open("file:///m/go.mod", "gomod", 1, "module m\n")?;
    server.debug_document("file:///m/go.mod")?;
    let registered = server
        .server_requests()?
        .iter()
        .any(|(method, _)| method == "client/registerCapability");
    assert!(!registered);
    server.shutdown_and_exit()?;
    Ok(())
}
