//! Publish times over a real module proxy on 127.0.0.1: the standard proxy's `@v/list` has no
//! times, so they come from `.info` files, fetched lazily: for the versions the go.mod names and
//! each module's latest (hover), and for the versions a completion lists, after the answer (the
//! first answer is incomplete and the client asks again).

use std::path::Path;

use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{ServerOptions, TestServer, file_uri};
use serde_json::{Value, json};
use time::macros::datetime;

fn fixture() -> Fixture {
    let version = |path: &str, version: &str, time: time::OffsetDateTime| {
        FixtureVersion::new(path, version)
            .go_mod(format!("module {path}\n\ngo 1.21\n"))
            .time(time)
    };
    Fixture::new()
        .with(version(
            "example.com/up",
            "v1.0.0",
            datetime!(2022-05-01 00:00 UTC),
        ))
        .with(version(
            "example.com/up",
            "v1.0.4",
            datetime!(2022-06-01 00:00 UTC),
        ))
        .with(version(
            "example.com/up",
            "v1.2.0-rc.1",
            datetime!(2022-08-01 00:00 UTC),
        ))
        .with(version(
            "example.com/up",
            "v1.3.0",
            datetime!(2022-09-30 00:00 UTC),
        ))
        .with(version(
            "example.com/other",
            "v0.1.0",
            datetime!(2021-01-01 00:00 UTC),
        ))
        .with(version(
            "example.com/other",
            "v0.2.0",
            datetime!(2021-02-01 00:00 UTC),
        ))
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/up v1.0.0\n\texample.com/other v0.1.0\n)\n";

fn server_options(home: &Path, proxy_url: &str) -> ServerOptions {
    crate::proxy_options(home, proxy_url)
        .capability("workspace", "codeLens", json!({"refreshSupport": true}))
        .capability(
            "textDocument",
            "hover",
            json!({"contentFormat": ["plaintext"]}),
        )
}

/// The `.info` files the proxy was asked for, as `module@version`.
fn infos_requested(proxy: &TestProxy) -> Vec<String> {
    let mut infos: Vec<String> = proxy
        .requested_paths()
        .iter()
        .filter_map(|path| {
            let (module, file) = path.trim_start_matches('/').split_once("/@v/")?;
            Some(format!("{module}@{}", file.strip_suffix(".info")?))
        })
        .collect();
    infos.sort();
    infos.dedup();
    infos
}

/// The (label, detail) of every item of a completion answer, and whether it is incomplete.
fn items(answer: &Value) -> (Vec<(String, String)>, bool) {
    let items = answer["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|item| {
            (
                item["label"].as_str().unwrap_or_default().to_owned(),
                item["detail"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (items, answer["isIncomplete"] == true)
}

#[test]
fn times_for_hovered_and_listed_versions_come_from_info_files_lazily() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    let uri = file_uri(&work.join("go.mod"));
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    server.wait_server_request("workspace/codeLens/refresh")?;

    // Hover on `example.com/up v1.0.0`: the version's own time and the latest's, once the
    // background fetch of the named versions is done.
    let hover = |server: &mut TestServer| -> anyhow::Result<String> {
        let answer = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 5, "character": 18}}),
        )?;
        Ok(answer["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    };
    let text = server.eventually("the hover to show the publish time", |server| {
        let text = hover(server)?;
        Ok(text.contains("published").then_some(text))
    })?;
    assert!(text.contains("v1.0.0 published 2022-05-01."), "{text}");
    assert!(text.contains("Latest v1: v1.3.0 (2022-09-30)."), "{text}");
    // Only the versions shown were asked for: the named ones, the latest ones.
    assert_eq!(
        infos_requested(&proxy),
        [
            "example.com/other@v0.1.0",
            "example.com/other@v0.2.0",
            "example.com/up@v1.0.0",
            "example.com/up@v1.2.0-rc.1",
            "example.com/up@v1.3.0",
        ]
    );

    // Completion on the version: the first answer does not wait for the missing times.
    let complete = |server: &mut TestServer| {
        server.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": 5, "character": 17}}),
        )
    };
    let (first, incomplete) = items(&complete(&mut server)?);
    assert!(incomplete, "{first:?}");
    assert!(
        first.contains(&("v1.0.4".to_owned(), String::new())),
        "{first:?}"
    );
    // Asked again, every version the proxy knows has its time.
    let all = server.eventually("a complete answer", |server| {
        let (all, incomplete) = items(&complete(server)?);
        Ok((!incomplete).then_some(all))
    })?;
    assert_eq!(
        all,
        [
            ("v1.3.0".to_owned(), "2022-09-30 · latest".to_owned()),
            (
                "v1.2.0-rc.1".to_owned(),
                "2022-08-01 · pre-release".to_owned()
            ),
            ("v1.0.4".to_owned(), "2022-06-01".to_owned()),
            ("v1.0.0".to_owned(), "2022-05-01".to_owned()),
        ]
    );
    assert!(infos_requested(&proxy).contains(&"example.com/up@v1.0.4".to_owned()));
    server.shutdown_and_exit()?;
    Ok(())
}
