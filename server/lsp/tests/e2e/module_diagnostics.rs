//! Module diagnostics over a real module proxy on 127.0.0.1 that the other e2e tests leave out:
//! a newer major version, `+incompatible` on a module with a go.mod at that major, local
//! replacement directories that are missing or declare another module, missing and stale go.sum
//! lines, and the `updateCheck` setting.

use std::path::Path;

use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{ServerOptions, TestServer, file_uri};
use serde_json::{Value, json};

fn fixture() -> Fixture {
    let version = |path: &str, version: &str| {
        FixtureVersion::new(path, version).go_mod(format!("module {path}\n\ngo 1.21\n"))
    };
    Fixture::new()
        .with(version("example.com/m", "v1.0.0"))
        .with(version("example.com/m", "v1.1.0"))
        .with(version("example.com/m/v2", "v2.0.0"))
        .with(version("example.com/inc", "v1.0.0"))
        .with(FixtureVersion::new(
            "example.com/inc",
            "v2.0.0+incompatible",
        ))
        .with(version("example.com/inc/v2", "v2.0.1"))
        .with(version("example.com/nosum", "v1.0.0"))
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/m v1.0.0\n\texample.com/inc v2.0.0+incompatible\n\texample.com/nosum v1.0.0\n\texample.com/local v1.0.0\n\texample.com/other v1.0.0\n)\n\nreplace example.com/local => ../missing\n\nreplace example.com/other => ../other\n";

const GO_SUM: &str = "example.com/gone v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/inc v2.0.0+incompatible/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/m v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

fn server_options(home: &Path, proxy_url: &str) -> ServerOptions {
    crate::proxy_options(home, proxy_url).capability(
        "workspace",
        "codeLens",
        json!({"refreshSupport": true}),
    )
}

/// (line, code, severity, source, message) of each published diagnostic with a module code.
fn summary(published: &Value) -> Vec<(u64, String, u64, String, String)> {
    let mut found: Vec<(u64, String, u64, String, String)> = published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|item| {
            (
                item["range"]["start"]["line"].as_u64().unwrap_or_default(),
                item["code"].as_str().unwrap_or_default().to_owned(),
                item["severity"].as_u64().unwrap_or_default(),
                item["source"].as_str().unwrap_or_default().to_owned(),
                item["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn start(
    home: &Path,
    proxy_url: &str,
    settings: Value,
) -> anyhow::Result<(TestServer, String, String)> {
    let work = home.join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::create_dir_all(home.join("other"))?;
    std::fs::write(
        home.join("other/go.mod"),
        "module example.com/wrong\n\ngo 1.22\n",
    )?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    std::fs::write(work.join("go.sum"), GO_SUM)?;
    let uri = file_uri(&work.join("go.mod"));
    let sum_uri = file_uri(&work.join("go.sum"));
    let (mut server, _) =
        TestServer::start(server_options(home, proxy_url).initialization_options(settings))?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    server.open(&sum_uri, "gosum", 1, GO_SUM)?;
    server.wait_server_request("workspace/codeLens/refresh")?;
    Ok((server, uri, sum_uri))
}

#[test]
fn majors_incompatible_local_directories_and_go_sum_lines() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let (mut server, uri, sum_uri) = start(home.path(), &proxy.url(), json!({}))?;
    let published = server.wait_notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri
            && params["diagnostics"]
                .as_array()
                .is_some_and(|items| items.iter().any(|item| item["code"] == "update-available"))
    })?;
    let missing = home.path().join("missing/go.mod");
    let expected = vec![
        (
            5,
            "newer-major-available".to_owned(),
            4,
            "gomodls".to_owned(),
            "a newer major version is available: example.com/m/v2 v2.0.0".to_owned(),
        ),
        (
            5,
            "update-available".to_owned(),
            4,
            "gomodls".to_owned(),
            "example.com/m v1.1.0 is available (current v1.0.0)".to_owned(),
        ),
        (
            6,
            "incompatible-with-go-mod".to_owned(),
            1,
            "go".to_owned(),
            "example.com/inc@v2.0.0+incompatible: invalid version: module contains a go.mod file, so module path must match major version (\"example.com/inc/v2\")".to_owned(),
        ),
        (
            6,
            "newer-major-available".to_owned(),
            4,
            "gomodls".to_owned(),
            "a newer major version is available: example.com/inc/v2 v2.0.1".to_owned(),
        ),
        (
            7,
            "missing-sum-entry".to_owned(),
            1,
            "go".to_owned(),
            "example.com/nosum@v1.0.0: missing go.sum entry for go.mod file; to add it:\n\tgo mod download example.com/nosum".to_owned(),
        ),
        (
            12,
            "replacement-directory".to_owned(),
            1,
            "go".to_owned(),
            format!(
                "example.com/local@v1.0.0 (replaced by ../missing): reading ../missing/go.mod: open {}: no such file or directory",
                missing.display()
            ),
        ),
        (
            14,
            "replacement-directory".to_owned(),
            1,
            "go".to_owned(),
            "example.com/other@v1.0.0 (replaced by ../other): parsing ../other/go.mod: module declares its path as: example.com/wrong\n\tbut was required as: example.com/other".to_owned(),
        ),
    ];
    assert_eq!(summary(&published), expected, "{published:#}");

    // go.sum: the line of a module go.mod no longer names is stale.
    let report = server.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": sum_uri}}),
    )?;
    let stale: Vec<(u64, String)> = report["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|item| {
            (
                item["range"]["start"]["line"].as_u64().unwrap_or_default(),
                item["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(stale, [(0, "stale-sum-line".to_owned())], "{report:#}");
    server.shutdown_and_exit()?;

    // updateCheck off: neither update nor newer-major hints; the rest stays.
    let (mut server, uri, _) = start(home.path(), &proxy.url(), json!({"updateCheck": "off"}))?;
    let report = server.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let codes: Vec<String> = summary(&json!({"diagnostics": report["items"]}))
        .into_iter()
        .map(|(_, code, ..)| code)
        .collect();
    assert_eq!(
        codes,
        [
            "incompatible-with-go-mod",
            "missing-sum-entry",
            "replacement-directory",
            "replacement-directory",
        ]
    );
    server.shutdown_and_exit()?;
    Ok(())
}
