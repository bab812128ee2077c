//! Settings merged from `initializationOptions`, `workspace/configuration` and
//! `workspace/didChangeConfiguration`.

use gomodls_tests::TestServer;
use serde_json::{Value, json};

use crate::options;

const URI: &str = "file:///m/go.mod";

/// Waits until the server's configuration satisfies `accept`; returns it.
fn config_when(server: &mut TestServer, accept: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
    server.eventually("the expected configuration", |server| {
        let config = server.debug_document(URI)?["config"].clone();
        Ok(accept(&config).then_some(config))
    })
}

#[test]
fn defaults_without_settings() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    server.open(URI, "gomod", 1, "module m\n")?;
    let config = server.debug_document(URI)?["config"].clone();
    assert_eq!(
        config,
        json!({"diagnostics": {"enable": true}, "semanticTokens": {"enable": true},
               "inlayHints": {"enable": true}, "updateCheck": "minor", "env": {}})
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn initialization_options_then_pulled_settings() -> anyhow::Result<()> {
    let options = options()
        .initialization_options(
            json!({"updateCheck": "patch", "inlayHints": {"enable": false},
                                       "env": {"GOFLAGS": "-mod=mod", "GOPROXY": "off"}}),
        )
        .configuration(
            "gomodls",
            json!({"updateCheck": "latest", "env": {"GOPROXY": "http://127.0.0.1:9"}}),
        );
    let (mut server, _) = TestServer::start(options)?;
    server.open(URI, "gomod", 1, "module m\n")?;
    let config = config_when(&mut server, |config| config["updateCheck"] == "latest")?;
    assert_eq!(
        config["inlayHints"]["enable"], false,
        "kept from initializationOptions"
    );
    assert_eq!(
        config["env"],
        json!({"GOFLAGS": "-mod=mod", "GOPROXY": "http://127.0.0.1:9"}),
        "objects merge key by key"
    );
    let requests = server.server_requests()?;
    let asked = requests
        .iter()
        .find(|(method, _)| method == "workspace/configuration")
        .map(|(_, params)| params.clone())
        .unwrap_or_default();
    assert_eq!(asked["items"][0]["section"], "gomodls");

    // didChangeConfiguration (with or without a payload) makes the server pull again.
    server.set_configuration("gomodls", json!({"updateCheck": "off"}));
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    )?;
    let config = config_when(&mut server, |config| config["updateCheck"] == "off")?;
    assert_eq!(
        config["env"],
        json!({"GOFLAGS": "-mod=mod", "GOPROXY": "off"})
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn pushed_settings_for_clients_without_configuration() -> anyhow::Result<()> {
    let options = options().capability("workspace", "configuration", json!(false));
    let (mut server, _) = TestServer::start(options)?;
    server.open(URI, "gomod", 1, "module m\n")?;
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"gomodls": {"semanticTokens": {"enable": false}}}}),
    )?;
    config_when(&mut server, |config| {
        config["semanticTokens"]["enable"] == false
    })?;
    let asked = server
        .server_requests()?
        .iter()
        .any(|(method, _)| method == "workspace/configuration");
    assert!(
        !asked,
        "the client said it cannot answer workspace/configuration"
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn invalid_settings_are_reported_and_skipped() -> anyhow::Result<()> {
    let options = options().configuration(
        "gomodls",
        json!({"updateCheck": "sometimes", "diagnostics": {"enable": false}}),
    );
    let (mut server, _) = TestServer::start(options)?;
    let message = server.wait_notification("window/showMessage", |_| true)?;
    assert_eq!(message["type"], 2, "a warning");
    let text = message["message"].as_str().unwrap_or_default();
    assert!(text.contains("gomodls.updateCheck"), "{text}");
    server.open(URI, "gomod", 1, "module m\n")?;
    let config = config_when(&mut server, |config| {
        config["diagnostics"]["enable"] == false
    })?;
    assert_eq!(config["updateCheck"], "minor");
    server.shutdown_and_exit()?;
    Ok(())
}
