//! Version completion over a real module proxy on 127.0.0.1 in the places beyond a require line:
//! an exclude, a replace's old and new versions, and a go.work replace; retracted versions are
//! marked, the latest release is preselected, and the item replaces the whole version token.

use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{TestServer, file_uri};
use serde_json::{Value, json};
use time::macros::datetime;

fn fixture() -> Fixture {
    let go_mod = |extra: &str| format!("module example.com/m\n\ngo 1.21\n{extra}");
    Fixture::new()
        .with(
            FixtureVersion::new("example.com/m", "v1.0.0")
                .go_mod(go_mod(""))
                .time(datetime!(2023-01-01 00:00 UTC)),
        )
        .with(
            FixtureVersion::new("example.com/m", "v1.1.0")
                .go_mod(go_mod(""))
                .time(datetime!(2023-03-01 00:00 UTC)),
        )
        .with(
            FixtureVersion::new("example.com/m", "v1.2.0")
                .go_mod(go_mod("\n// v1.1.0 was broken\nretract v1.1.0\n"))
                .time(datetime!(2023-04-01 00:00 UTC)),
        )
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire example.com/m v1.2.0\n\nexclude example.com/m v1.0.0\n\nreplace example.com/m v1.2.0 => example.com/m v1.1.0\n";

const GO_WORK: &str = "go 1.22\n\nuse ./app\n\nreplace example.com/m => example.com/m v1.0.0\n";

/// (label, detail, preselect, deprecated tag, replaced range) of each item.
type Row = (String, String, bool, bool, Value);

fn rows(answer: &Value) -> Vec<Row> {
    answer["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        // After a replace's old path the arrow is offered too.
        .filter(|item| item["label"] != "=>")
        .map(|item| {
            (
                item["label"].as_str().unwrap_or_default().to_owned(),
                item["detail"].as_str().unwrap_or_default().to_owned(),
                item["preselect"] == true,
                item["tags"] == json!([1]),
                item["textEdit"]["range"].clone(),
            )
        })
        .collect()
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}})
}

fn expected(version_range: &Value) -> Vec<Row> {
    vec![
        (
            "v1.2.0".to_owned(),
            "2023-04-01 · latest".to_owned(),
            true,
            false,
            version_range.clone(),
        ),
        (
            "v1.1.0".to_owned(),
            "2023-03-01 · retracted".to_owned(),
            false,
            true,
            version_range.clone(),
        ),
        (
            "v1.0.0".to_owned(),
            "2023-01-01".to_owned(),
            false,
            false,
            version_range.clone(),
        ),
    ]
}

#[test]
fn versions_in_exclude_replace_and_go_work_replace() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let root = home.path().join("work");
    std::fs::create_dir_all(root.join("app"))?;
    std::fs::write(root.join("app/go.mod"), GO_MOD)?;
    std::fs::write(root.join("go.work"), GO_WORK)?;
    let options = crate::proxy_options(home.path(), &proxy.url()).capability(
        "textDocument",
        "completion",
        json!({"completionItem": {"tagSupport": {"valueSet": [1]}}}),
    );
    let (mut server, _) = TestServer::start(options)?;
    let uri = file_uri(&root.join("app/go.mod"));
    let work_uri = file_uri(&root.join("go.work"));
    server.open(&uri, "gomod", 1, GO_MOD)?;
    server.open(&work_uri, "gowork", 1, GO_WORK)?;
    // (document, line, cursor, version start, version end)
    let places = [
        (&uri, 6, 24, 22, 28),
        (&uri, 8, 25, 22, 28),
        (&uri, 8, 50, 46, 52),
        (&work_uri, 4, 40, 39, 45),
    ];
    for (document, line, cursor, start, end) in places {
        let answer = server.eventually("a complete answer with times", |server| {
            let answer = server.request(
                "textDocument/completion",
                json!({"textDocument": {"uri": document},
                       "position": {"line": line, "character": cursor}}),
            )?;
            Ok((answer["isIncomplete"] == false).then_some(answer))
        })?;
        assert_eq!(
            rows(&answer),
            expected(&range(line, start, end)),
            "{document}:{line}:{cursor}: {answer:#}"
        );
    }
    server.shutdown_and_exit()?;
    Ok(())
}
