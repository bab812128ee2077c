//! A module proxy on 127.0.0.1 that refuses the server's (missing) credentials: one clear
//! message for all the modules, module data marked cached, and the server goes on answering.

use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{TestServer, file_uri};
use serde_json::json;

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n\texample.com/c v1.0.0\n)\n";

#[test]
fn a_proxy_refusing_credentials_gives_one_message() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let mut fixture = Fixture::new();
    for path in ["example.com/a", "example.com/b", "example.com/c"] {
        fixture
            .add(FixtureVersion::new(path, "v1.0.0").go_mod(format!("module {path}\n\ngo 1.21\n")));
    }
    let proxy = TestProxy::start(fixture)?;
    proxy.inject(FaultRule::everywhere(Fault::basic_auth("user", "secret")));
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    let uri = file_uri(&work.join("go.mod"));
    let options = crate::proxy_options(home.path(), &proxy.url())
        .env("NETRC", &home.path().join("no-netrc").display().to_string());
    let (mut server, _) = TestServer::start(options)?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    let status = server.wait_notification("gomodls/status", |_| true)?;
    assert_eq!(status, json!({"moduleData": "cached"}));
    let message = server.wait_notification("window/showMessage", |_| true)?;
    let text = message["message"].as_str().unwrap_or_default();
    assert!(text.contains("module proxy cannot be used"), "{message}");
    assert!(text.contains("401"), "{message}");
    // The server still answers, and said it once for the three modules.
    let answer = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )?;
    assert!(answer.is_array());
    let more = server
        .pending_notifications()?
        .into_iter()
        .filter(|(method, _)| method == "window/showMessage")
        .count();
    assert_eq!(more, 0, "more than one message");
    // Every module was asked for (and refused).
    let paths = proxy.requested_paths();
    for module in ["example.com/a", "example.com/b", "example.com/c"] {
        assert!(
            paths.contains(&format!("/{module}/@v/list")),
            "{module} not asked for: {paths:?}"
        );
    }
    server.shutdown_and_exit()?;
    Ok(())
}
