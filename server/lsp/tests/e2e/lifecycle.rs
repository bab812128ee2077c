//! Starting, capabilities, shutdown and exit, and the command line.

use std::process::Command;

use gomodls_tests::TestServer;
use serde_json::{Value, json};

use crate::{binary, options};

#[test]
fn initialize_reports_capabilities() -> anyhow::Result<()> {
    let (server, result) = TestServer::start(options())?;
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(
        capabilities["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
    assert_eq!(capabilities["diagnosticProvider"]["identifier"], "gomodls");
    assert_eq!(
        capabilities["diagnosticProvider"]["workspaceDiagnostics"],
        true
    );
    assert_eq!(result["serverInfo"]["name"], "gomodls");
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    let status = server.shutdown_and_exit()?;
    assert_eq!(status.code(), Some(0));
    Ok(())
}

#[test]
fn exit_without_shutdown_ends_with_code_one() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    server.open("file:///m/go.mod", "gomod", 1, "module m\n")?;
    // LSP: exit without a preceding shutdown ends the process with code 1, promptly.
    let status = server.exit_without_shutdown()?;
    assert_eq!(status.code(), Some(1));
    Ok(())
}

#[test]
fn exit_before_initialize_ends_the_server() -> anyhow::Result<()> {
    let server = TestServer::spawn(options())?;
    let status = server.exit_without_shutdown()?;
    assert_eq!(status.code(), Some(1));
    Ok(())
}

#[test]
fn shutdown_without_params_then_exit() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    // No `params` at all this time (shutdown_and_exit sends `params: null`).
    server.send(&json!({"jsonrpc": "2.0", "id": "bye", "method": "shutdown"}))?;
    assert_eq!(server.response(&json!("bye"))?, Ok(Value::Null));
    // After shutdown, requests are invalid.
    let after = server.request_outcome("gomodls/debugDocument", json!({"uri": "file:///x"}))?;
    assert_eq!(after.map_err(|error| error.code), Err(-32600));
    server.notify("exit", Value::Null)?;
    assert_eq!(server.wait_exit()?.code(), Some(0));
    Ok(())
}

#[test]
fn end_of_input_ends_the_server() -> anyhow::Result<()> {
    let (server, _) = TestServer::start(options())?;
    let status = server.close_stdin()?;
    assert_eq!(status.code(), Some(1));
    Ok(())
}

#[test]
fn command_line_version_help_and_errors() -> anyhow::Result<()> {
    let version = Command::new(binary()).arg("--version").output()?;
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8(version.stdout)?,
        format!("gomodls {}\n", env!("CARGO_PKG_VERSION"))
    );
    let help = Command::new(binary()).arg("--help").output()?;
    assert!(help.status.success());
    assert!(String::from_utf8(help.stdout)?.contains("serve"));
    let unknown = Command::new(binary()).arg("frobnicate").output()?;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8(unknown.stderr)?.contains("unknown command \"frobnicate\""));
    Ok(())
}
