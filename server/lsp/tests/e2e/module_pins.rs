//! Pins over a real module proxy on 127.0.0.1, compared with the go command through the same
//! proxy: a version prefix, `latest` and a commit hash become the version
//! `go list -m -json MODULE@QUERY` prints (the branch case is in module_actions.rs and the
//! Neovim test).

use std::path::Path;

use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{TestServer, file_uri};
use serde_json::{Value, json};
use time::macros::datetime;

const COMMIT_PSEUDO: &str = "v0.0.0-20230405060708-abcdef123456";

fn fixture() -> Fixture {
    let version = |path: &str, version: &str| {
        FixtureVersion::new(path, version).go_mod(format!("module {path}\n\ngo 1.21\n"))
    };
    Fixture::new()
        .with(version("example.com/prefix", "v1.0.0"))
        .with(version("example.com/prefix", "v1.1.0"))
        .with(version("example.com/prefix", "v1.1.3"))
        .with(version("example.com/prefix", "v1.2.0"))
        .with(version("example.com/newest", "v0.9.0"))
        .with(version("example.com/newest", "v1.4.0"))
        .with(version("example.com/newest", "v1.5.0-rc.1"))
        .with(
            version("example.com/commit", COMMIT_PSEUDO)
                .time(datetime!(2023-04-05 06:07:08 UTC))
                .revision("abcdef123456"),
        )
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/prefix v1.1\n\texample.com/newest latest\n\texample.com/commit abcdef123456\n)\n";

/// What `go list -m -json MODULE@QUERY` resolves through `proxy_url`; `None` without go
/// outside CI.
fn go_resolves(dir: &Path, proxy_url: &str, query: &str) -> anyhow::Result<Option<String>> {
    let Some(go) = gomodls_test_utils::go::require_go("pins_resolve_as_go_list_does")
        .map_err(anyhow::Error::msg)?
    else {
        return Ok(None);
    };
    let work = dir.join("go-oracle");
    std::fs::create_dir_all(&work)?;
    let output = gomodls_test_utils::go::go_command(&go, &work, &work.join("cache"))
        .args(["list", "-m", "-json", query])
        .current_dir(&work)
        .env("GOPROXY", proxy_url)
        .env("GONOSUMDB", "*")
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "go list -m -json {query}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: Value = serde_json::from_slice(&output.stdout)?;
    Ok(listed["Version"].as_str().map(str::to_owned))
}

#[test]
fn pins_resolve_as_go_list_does() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    let uri = file_uri(&work.join("go.mod"));
    let options = crate::proxy_options(home.path(), &proxy.url());
    let (mut server, _) = TestServer::start(options)?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    for (line, path, written, fallback) in [
        (5, "example.com/prefix", "v1.1", "v1.1.3"),
        (6, "example.com/newest", "latest", "v1.4.0"),
        (7, "example.com/commit", "abcdef123456", COMMIT_PSEUDO),
    ] {
        let answer = server.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": line, "character": 3}, "end": {"line": line, "character": 3}},
                "context": {"diagnostics": [], "only": ["quickfix"]},
            }),
        )?;
        let pin = answer
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .find(|action| {
                action["title"]
                    .as_str()
                    .is_some_and(|title| title.starts_with(&format!("Pin {written} ")))
            })
            .ok_or_else(|| anyhow::anyhow!("no pin of {written}: {answer:#}"))?;
        let resolved = server.request("codeAction/resolve", pin)?;
        let change = &resolved["edit"]["documentChanges"][0];
        assert_eq!(change["textDocument"], json!({"uri": uri, "version": 1}));
        let edits = change["edits"].as_array().cloned().unwrap_or_default();
        let mut text = GO_MOD.to_owned();
        for edit in edits.iter().rev() {
            let change = json!({"range": edit["range"], "text": edit["newText"]});
            gomodls_tests::edit::apply(&mut text, &change, gomodls_tests::Encoding::Utf16)?;
        }
        let expected = go_resolves(home.path(), &proxy.url(), &format!("{path}@{written}"))?
            .unwrap_or_else(|| fallback.to_owned());
        assert_eq!(
            expected, fallback,
            "the fixture's answer for {path}@{written}"
        );
        assert_eq!(
            text,
            GO_MOD.replace(
                &format!("{path} {written}\n"),
                &format!("{path} {expected}\n")
            ),
            "{resolved:#}"
        );
    }
    server.shutdown_and_exit()?;
    Ok(())
}
