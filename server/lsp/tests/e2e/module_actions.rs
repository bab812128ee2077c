//! Module code actions, inlay hints and code lenses over a real module proxy on 127.0.0.1: pins
//! resolved through `codeAction/resolve` (and a clear error when the proxy is down), upgrades
//! per line, as a source action and as `gomodls.upgradeAll`, moving off a retracted version,
//! removing dead replaces (of a go.mod, and of a go.work whose used modules do not require them)
//! and unnecessary excludes; every edit versioned.

use std::path::Path;

use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{ServerOptions, TestServer, file_uri};
use serde_json::{Value, json};
use time::macros::datetime;

const PSEUDO: &str = "v0.0.0-20230102030405-abcdefabcdef";

fn fixture() -> Fixture {
    let go_mod = |path: &str, extra: &str| format!("module {path}\n\ngo 1.21\n{extra}");
    Fixture::new()
        .with(FixtureVersion::new("example.com/m", "v1.0.0").go_mod(go_mod("example.com/m", "")))
        .with(FixtureVersion::new("example.com/m", "v1.1.0").go_mod(go_mod("example.com/m", "")))
        .with(FixtureVersion::new("example.com/m", "v1.1.1").go_mod(go_mod("example.com/m", "")))
        .with(
            FixtureVersion::new("example.com/m", "v1.2.0").go_mod(go_mod(
                "example.com/m",
                "\n// v1.1.0 was broken\nretract v1.1.0\n",
            )),
        )
        .with(FixtureVersion::new("example.com/up", "v1.0.0").go_mod(go_mod("example.com/up", "")))
        .with(FixtureVersion::new("example.com/up", "v1.0.4").go_mod(go_mod("example.com/up", "")))
        .with(FixtureVersion::new("example.com/up", "v1.3.0").go_mod(go_mod("example.com/up", "")))
        .with(
            FixtureVersion::new("example.com/branch", PSEUDO)
                .go_mod(go_mod("example.com/branch", ""))
                .time(datetime!(2023-01-02 03:04:05 UTC))
                .revision("master"),
        )
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/branch master\n\texample.com/m v1.1.0\n\texample.com/up v1.0.0\n)\n\nreplace example.com/gone => ../gone\n\nexclude example.com/up v0.9.0\n";

fn server_options(home: &Path, proxy_url: &str) -> ServerOptions {
    crate::proxy_options(home, proxy_url).capability(
        "workspace",
        "codeLens",
        json!({"refreshSupport": true}),
    )
}

/// A server with the go.mod (and a go.sum naming nothing excluded) open at version 1.
fn start(
    home: &Path,
    proxy_url: &str,
    options: impl FnOnce(ServerOptions) -> ServerOptions,
) -> anyhow::Result<(TestServer, String)> {
    let work = home.join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    std::fs::write(
        work.join("go.sum"),
        "example.com/m v1.1.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    )?;
    let uri = file_uri(&work.join("go.mod"));
    let (mut server, _) = TestServer::start(options(server_options(home, proxy_url)))?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    Ok((server, uri))
}

/// Waits until the facts have arrived: the server asks the client to refresh its code lenses
/// once a fetch is done.
fn wait_for_facts(server: &mut TestServer) -> anyhow::Result<()> {
    server.wait_server_request("workspace/codeLens/refresh")?;
    Ok(())
}

fn line_of(needle: &str) -> u32 {
    GO_MOD
        .lines()
        .position(|line| line.contains(needle))
        .and_then(|line| u32::try_from(line).ok())
        .unwrap_or(u32::MAX)
}

fn actions_at(
    server: &mut TestServer,
    uri: &str,
    line: u32,
    only: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    let mut context = json!({"diagnostics": []});
    if let Some(only) = only {
        context["only"] = json!([only]);
    }
    let answer = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": 2}},
            "context": context,
        }),
    )?;
    Ok(answer.as_array().cloned().unwrap_or_default())
}

fn find<'a>(actions: &'a [Value], title_start: &str) -> anyhow::Result<&'a Value> {
    actions
        .iter()
        .find(|action| {
            action["title"]
                .as_str()
                .is_some_and(|title| title.starts_with(title_start))
        })
        .ok_or_else(|| anyhow::anyhow!("no action {title_start:?} in {actions:#?}"))
}

/// Applies a versioned WorkspaceEdit of the go.mod at version 1 to GO_MOD.
fn applied(edit: &Value, uri: &str) -> anyhow::Result<String> {
    let change = &edit["documentChanges"][0];
    anyhow::ensure!(change["textDocument"]["uri"] == uri, "{edit}");
    anyhow::ensure!(
        change["textDocument"]["version"] == 1,
        "not versioned: {edit}"
    );
    let starts: Vec<usize> = std::iter::once(0)
        .chain(GO_MOD.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let offset = |position: &Value| -> anyhow::Result<usize> {
        let line = usize::try_from(position["line"].as_u64().unwrap_or_default())?;
        let character = usize::try_from(position["character"].as_u64().unwrap_or_default())?;
        Ok(starts.get(line).copied().unwrap_or(GO_MOD.len()) + character)
    };
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for edit in change["edits"].as_array().cloned().unwrap_or_default() {
        edits.push((
            offset(&edit["range"]["start"])?,
            offset(&edit["range"]["end"])?,
            edit["newText"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    edits.sort();
    let mut text = String::new();
    let mut at = 0;
    for (start, end, new_text) in edits {
        text.push_str(&GO_MOD[at..start]);
        text.push_str(&new_text);
        at = end;
    }
    text.push_str(&GO_MOD[at..]);
    Ok(text)
}

#[test]
fn pin_master_resolves_through_the_proxy_to_the_pseudo_version() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let (mut server, uri) = start(home.path(), &proxy.url(), |options| options)?;
    let actions = actions_at(&mut server, &uri, line_of("branch"), Some("quickfix"))?;
    let pin = find(&actions, "Pin master to its current commit")?.clone();
    assert!(pin.get("edit").is_none_or(Value::is_null), "{pin}");
    let resolved = server.request("codeAction/resolve", pin)?;
    let text = applied(&resolved["edit"], &uri)?;
    assert_eq!(
        text,
        GO_MOD.replace("branch master", &format!("branch {PSEUDO}"))
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn pin_with_the_proxy_down_fails_with_a_clear_message() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let url = {
        let proxy = TestProxy::start(fixture())?;
        proxy.url()
    };
    let (mut server, uri) = start(home.path(), &url, |options| options)?;
    let actions = actions_at(&mut server, &uri, line_of("branch"), None)?;
    let pin = find(&actions, "Pin master")?.clone();
    let outcome = server.request_outcome("codeAction/resolve", pin)?;
    let error = outcome
        .err()
        .ok_or_else(|| anyhow::anyhow!("resolve succeeded with the proxy down"))?;
    assert!(
        format!("{error:?}").contains("example.com/branch"),
        "{error:?}"
    );
    // The server still answers.
    assert!(
        server
            .request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}})
            )?
            .is_array()
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn upgrades_retractions_dead_replaces_and_excludes() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let (mut server, uri) = start(home.path(), &proxy.url(), |options| options)?;
    wait_for_facts(&mut server)?;

    let actions = actions_at(&mut server, &uri, line_of("example.com/up v1.0.0"), None)?;
    let patch = find(&actions, "Upgrade to v1.0.4 (patch)")?;
    assert_eq!(patch["kind"], "refactor.rewrite");
    assert_eq!(
        applied(&patch["edit"], &uri)?,
        GO_MOD.replace("up v1.0.0", "up v1.0.4")
    );
    let minor = find(&actions, "Upgrade to v1.3.0 (minor)")?;
    assert_eq!(
        applied(&minor["edit"], &uri)?,
        GO_MOD.replace("up v1.0.0", "up v1.3.0")
    );

    let actions = actions_at(
        &mut server,
        &uri,
        line_of("example.com/m v1.1.0"),
        Some("quickfix"),
    )?;
    let retracted = find(&actions, "Move off retracted v1.1.0 to v1.1.1")?;
    assert_eq!(retracted["isPreferred"], true);
    assert_eq!(
        applied(&retracted["edit"], &uri)?,
        GO_MOD.replace("m v1.1.0", "m v1.1.1")
    );

    let actions = actions_at(
        &mut server,
        &uri,
        line_of("example.com/gone"),
        Some("quickfix"),
    )?;
    let dead = find(&actions, "Remove this replace")?;
    assert_eq!(
        applied(&dead["edit"], &uri)?,
        GO_MOD.replace("replace example.com/gone => ../gone\n\n", "")
    );

    let actions = actions_at(&mut server, &uri, line_of("exclude"), Some("quickfix"))?;
    let exclude = find(&actions, "Remove this exclude")?;
    assert_eq!(
        applied(&exclude["edit"], &uri)?,
        GO_MOD.replace("\nexclude example.com/up v0.9.0\n", "")
    );

    let all = GO_MOD
        .replace("m v1.1.0", "m v1.2.0")
        .replace("up v1.0.0", "up v1.3.0");
    let actions = actions_at(&mut server, &uri, 0, Some("source"))?;
    let source = find(&actions, "Upgrade all requirements (minor, latest)")?;
    assert_eq!(applied(&source["edit"], &uri)?, all);

    let answer = server.request(
        "workspace/executeCommand",
        json!({"command": "gomodls.upgradeAll", "arguments": [{"uri": uri}]}),
    )?;
    assert_eq!(answer, json!(true));
    let apply = server.wait_server_request("workspace/applyEdit")?;
    assert_eq!(applied(&apply["edit"], &uri)?, all);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn inlay_hints_and_code_lenses_show_updates_and_the_setting_turns_hints_off() -> anyhow::Result<()>
{
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let (mut server, uri) = start(home.path(), &proxy.url(), |options| options)?;
    wait_for_facts(&mut server)?;
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}});
    let hints = server.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range}),
    )?;
    let labels: Vec<(u64, String)> = hints
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|hint| {
            (
                hint["position"]["line"].as_u64().unwrap_or_default(),
                hint["label"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            (
                u64::from(line_of("example.com/m v1.1.0")),
                "latest v1.2.0".to_owned()
            ),
            (
                u64::from(line_of("example.com/up v1.0.0")),
                "latest v1.3.0".to_owned()
            ),
        ]
    );
    let lenses = server.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    )?;
    assert_eq!(
        lenses,
        json!([{
            "range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 7}},
            "command": {"title": "2 updates available (minor): upgrade", "command": "gomodls.upgradeAll", "arguments": [{"uri": uri}]},
        }])
    );
    server.shutdown_and_exit()?;

    let (mut server, uri) = start(home.path(), &proxy.url(), |options| {
        options.initialization_options(json!({"inlayHints": {"enable": false}}))
    })?;
    wait_for_facts(&mut server)?;
    let hints = server.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range}),
    )?;
    assert_eq!(hints, json!([]));
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn pin_with_a_proxy_failing_or_answering_garbage_fails_with_a_message() -> anyhow::Result<()> {
    for fault in [
        Fault::Status(500),
        Fault::Respond {
            status: 200,
            content_type: "application/json".to_owned(),
            body: "\u{0}not json at all".into(),
        },
    ] {
        let home = tempfile::tempdir()?;
        let proxy = TestProxy::start(fixture())?;
        proxy.inject(FaultRule::everywhere(fault));
        let (mut server, uri) = start(home.path(), &proxy.url(), |options| options)?;
        let actions = actions_at(&mut server, &uri, line_of("branch"), None)?;
        let pin = find(&actions, "Pin master")?.clone();
        let outcome = server.request_outcome("codeAction/resolve", pin)?;
        let error = outcome
            .err()
            .ok_or_else(|| anyhow::anyhow!("resolve succeeded through a broken proxy"))?;
        assert!(
            format!("{error:?}").contains("example.com/branch"),
            "{error:?}"
        );
        server.shutdown_and_exit()?;
    }
    Ok(())
}

/// Applies LSP text edits (all against `text`, ASCII) to `text`.
fn apply_edits(text: &str, edits: &Value) -> anyhow::Result<String> {
    let mut sorted = edits.as_array().cloned().unwrap_or_default();
    sorted.sort_by_key(|edit| {
        std::cmp::Reverse((
            edit["range"]["start"]["line"].as_u64(),
            edit["range"]["start"]["character"].as_u64(),
        ))
    });
    let mut result = text.to_owned();
    for edit in sorted {
        let change = json!({"range": edit["range"], "text": edit["newText"]});
        gomodls_tests::edit::apply(&mut result, &change, gomodls_tests::Encoding::Utf16)?;
    }
    Ok(result)
}

#[test]
fn a_go_work_replace_no_used_module_requires_is_dead_and_removed() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let work = home.path().join("work");
    std::fs::create_dir_all(work.join("a"))?;
    std::fs::write(
        work.join("a/go.mod"),
        "module example.com/a\n\ngo 1.22\n\nrequire example.com/x v1.0.0\n",
    )?;
    let go_work = "go 1.22\n\nuse ./a\n\nreplace example.com/gone => ../gone\n\nreplace example.com/x => example.com/x2 v1.0.0\n\nreplace example.com/x v0.9.0 => example.com/x2 v1.0.0\n";
    std::fs::write(work.join("go.work"), go_work)?;
    let uri = file_uri(&work.join("go.work"));
    let (mut server, _) = TestServer::start(server_options(home.path(), "off"))?;
    server.open(&uri, "gowork", 1, go_work)?;
    let published = server.wait_notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri
            && params["diagnostics"]
                .as_array()
                .is_some_and(|items| items.iter().any(|item| item["code"] == "dead-replace"))
    })?;
    let dead: Vec<(u64, String, Value, Value)> = published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|item| item["code"] == "dead-replace")
        .map(|item| {
            (
                item["range"]["start"]["line"].as_u64().unwrap_or_default(),
                item["message"].as_str().unwrap_or_default().to_owned(),
                item["severity"].clone(),
                item["tags"].clone(),
            )
        })
        .collect();
    assert_eq!(
        dead,
        [
            (
                4,
                "replacement of example.com/gone has no effect: no module in the workspace requires it"
                    .to_owned(),
                json!(4),
                json!([1]),
            ),
            (
                8,
                "replacement of example.com/x@v0.9.0 has no effect: no module in the workspace requires it"
                    .to_owned(),
                json!(4),
                json!([1]),
            ),
        ],
        "{published:#}"
    );

    let answer = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 4, "character": 3}, "end": {"line": 4, "character": 3}},
            "context": {"diagnostics": [], "only": ["quickfix"]},
        }),
    )?;
    let actions = answer.as_array().cloned().unwrap_or_default();
    let remove = find(&actions, "Remove this replace")?;
    let change = &remove["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({"uri": uri, "version": 1}));
    assert_eq!(
        apply_edits(go_work, &change["edits"])?,
        go_work.replace("replace example.com/gone => ../gone\n\n", "")
    );

    let answer = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source"]},
        }),
    )?;
    let actions = answer.as_array().cloned().unwrap_or_default();
    let all = find(&actions, "Remove all dead replaces")?;
    assert_eq!(
        apply_edits(go_work, &all["edit"]["documentChanges"][0]["edits"])?,
        "go 1.22\n\nuse ./a\n\nreplace example.com/x => example.com/x2 v1.0.0\n"
    );
    server.shutdown_and_exit()?;
    Ok(())
}
