//! Hover with module facts on every kind of line that names a module, over a real module proxy
//! on 127.0.0.1: require (newer majors, deprecation), replace (what it substitutes, and the
//! replacement's own facts), exclude, go.sum lines, and no pkg.go.dev link for GOPRIVATE modules.

use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{TestServer, file_uri};
use serde_json::json;
use time::macros::datetime;

use crate::options;

fn fixture() -> Fixture {
    let version = |path: &str, version: &str| {
        FixtureVersion::new(path, version).go_mod(format!("module {path}\n\ngo 1.21\n"))
    };
    Fixture::new()
        .with(version("example.com/m", "v1.0.0").time(datetime!(2023-01-01 00:00 UTC)))
        .with(version("example.com/m/v2", "v2.0.0"))
        .with(version("example.com/fork", "v1.1.0").time(datetime!(2023-02-02 00:00 UTC)))
        .with(FixtureVersion::new("example.com/dep", "v1.0.0").go_mod(
            "// Deprecated: use example.com/dep2 instead.\nmodule example.com/dep\n\ngo 1.21\n",
        ))
        .with(version("example.com/priv", "v1.0.0"))
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/m v1.0.0\n\texample.com/dep v1.0.0\n\texample.com/priv v1.0.0\n)\n\nreplace example.com/m => example.com/fork v1.1.0\n\nexclude example.com/m v0.9.0\n";

const GO_SUM: &str =
    "example.com/dep v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

#[test]
fn hover_on_require_replace_exclude_and_go_sum_lines() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    std::fs::write(work.join("go.sum"), GO_SUM)?;
    let options = options()
        .env("HOME", &home.path().display().to_string())
        .env(
            "XDG_CACHE_HOME",
            &home.path().join("cache").display().to_string(),
        )
        .env(
            "GOMODCACHE",
            &home.path().join("gomodcache").display().to_string(),
        )
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        // Private, but served by the proxy all the same.
        .env("GOPRIVATE", "example.com/priv")
        .env("GONOPROXY", "none")
        .env("GONOSUMDB", "")
        .env("GOSUMDB", "off")
        .env("GOPROXY", &proxy.url())
        .capability("workspace", "codeLens", json!({"refreshSupport": true}))
        .capability(
            "textDocument",
            "hover",
            json!({"contentFormat": ["plaintext"]}),
        );
    let (mut server, _) = TestServer::start(options)?;
    let uri = file_uri(&work.join("go.mod"));
    let sum_uri = file_uri(&work.join("go.sum"));
    server.open(&uri, "gomod", 1, GO_MOD)?;
    server.open(&sum_uri, "gosum", 1, GO_SUM)?;
    server.wait_server_request("workspace/codeLens/refresh")?;
    let mut hover = |uri: &str, line: u32, character: u32| -> anyhow::Result<String> {
        let answer = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )?;
        Ok(answer["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    };

    let require = hover(&uri, 5, 3)?;
    assert!(
        require.contains("Newer major versions: example.com/m/v2 v2.0.0."),
        "{require}"
    );
    assert!(
        require.contains("https://pkg.go.dev/example.com/m@v1.0.0"),
        "{require}"
    );
    let deprecated = hover(&uri, 6, 3)?;
    assert!(
        deprecated.contains("Deprecated: use example.com/dep2 instead."),
        "{deprecated}"
    );
    let private = hover(&uri, 7, 3)?;
    assert!(private.contains("example.com/priv"), "{private}");
    assert!(!private.contains("pkg.go.dev"), "{private}");

    let replaced = hover(&uri, 10, 10)?;
    assert!(
        replaced.contains("Substituted by example.com/fork v1.1.0."),
        "{replaced}"
    );
    let replacement = hover(&uri, 10, 28)?;
    assert!(
        replacement.contains("https://pkg.go.dev/example.com/fork@v1.1.0"),
        "{replacement}"
    );
    let exclude = hover(&uri, 12, 10)?;
    assert!(
        exclude.contains("https://pkg.go.dev/example.com/m@v0.9.0"),
        "{exclude}"
    );
    assert!(
        exclude.contains("Newer major versions: example.com/m/v2 v2.0.0."),
        "{exclude}"
    );

    let sum_line = hover(&sum_uri, 0, 3)?;
    assert!(
        sum_line.contains("Deprecated: use example.com/dep2 instead."),
        "{sum_line}"
    );
    server.shutdown_and_exit()?;
    Ok(())
}
