//! Proxy-powered editing over a real module proxy on 127.0.0.1, the parts the other e2e files
//! leave out: hover on retract, tool and ignore lines and source links for well-known hosts;
//! version completion in a retract line; a major version that does not match the module path and
//! a replacement directory without a go.mod, in go's words; "upgrade all" at every level and
//! "canonicalise" as versioned edits that keep the file as `go mod edit -fmt` writes it; hover and
//! completion answering from cache while the proxy sleeps; and a go.mod without any go.sum.

use std::path::{Path, PathBuf};
use std::time::Duration;

use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};
use gomodls_tests::fixture::{Encoding, position_of};
use gomodls_tests::{ServerOptions, TestServer, file_uri};
use serde_json::{Value, json};
use time::macros::datetime;

/// A version whose go.mod declares `path`, with `extra` lines after the go line.
fn version(path: &str, version: &str, extra: &str) -> FixtureVersion {
    FixtureVersion::new(path, version).go_mod(format!("module {path}\n\ngo 1.21\n{extra}"))
}

fn server_options(home: &Path, proxy_url: &str) -> ServerOptions {
    crate::proxy_options(home, proxy_url)
        .capability("workspace", "codeLens", json!({"refreshSupport": true}))
        .capability(
            "textDocument",
            "hover",
            json!({"contentFormat": ["plaintext"]}),
        )
        .capability(
            "textDocument",
            "completion",
            json!({"completionItem": {"tagSupport": {"valueSet": [1]}}}),
        )
}

/// The LSP position of the `$0` in `marked`, a piece of `text` with a cursor marker in it.
fn position(text: &str, marked: &str) -> anyhow::Result<Value> {
    let cursor = gomodls_tests::fixture::cursor(marked)?;
    let start = text
        .find(&cursor.text)
        .ok_or_else(|| anyhow::anyhow!("{:?} is not in the text", cursor.text))?;
    Ok(position_of(text, start + cursor.offset, Encoding::Utf16))
}

fn hover(server: &mut TestServer, uri: &str, text: &str, marked: &str) -> anyhow::Result<String> {
    let answer = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position(text, marked)?}),
    )?;
    Ok(answer["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

fn completion(
    server: &mut TestServer,
    uri: &str,
    text: &str,
    marked: &str,
) -> anyhow::Result<Value> {
    server.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position(text, marked)?}),
    )
}

/// (label, detail, deprecated tag) of each completion item.
fn items(answer: &Value) -> Vec<(String, String, bool)> {
    answer["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|item| {
            (
                item["label"].as_str().unwrap_or_default().to_owned(),
                item["detail"].as_str().unwrap_or_default().to_owned(),
                item["tags"] == json!([1]),
            )
        })
        .collect()
}

/// Writes `files` (relative path, text) under `root`.
fn write_files(root: &Path, files: &[(&str, &str)]) -> anyhow::Result<()> {
    for (name, text) in files {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// The count of requests with `method` the server has sent to the client so far.
fn sent(server: &mut TestServer, method: &str) -> anyhow::Result<usize> {
    Ok(server
        .server_requests()?
        .iter()
        .filter(|(name, _)| name == method)
        .count())
}

const OWN_GO_MOD: &str = "module example.com/me\n\ngo 1.25\n\nrequire (\n\tgithub.com/o/tool v1.0.0\n\tgolang.org/x/text v0.1.0\n\tgopkg.in/yaml.v3 v3.0.1\n\tgithub.com/corp/secret v1.0.0\n)\n\ntool github.com/o/tool/cmd/gen\n\ntool example.com/me/cmd/self\n\nignore ./third_party\n\nignore node_modules\n\n// v1.1.0 was broken\nretract v1.1.0\n\nretract [v1.2.0, v1.2.1] // the v1.2 line is broken\n";

/// This module (published on the proxy, its newest go.mod retracting v1.1.0 only) and the
/// modules it requires.
fn own_fixture() -> Fixture {
    Fixture::new()
        .with(version("example.com/me", "v1.0.0", "").time(datetime!(2023-01-01 00:00 UTC)))
        .with(version("example.com/me", "v1.1.0", ""))
        .with(version(
            "example.com/me",
            "v1.2.0",
            "\n// v1.1.0 was broken\nretract v1.1.0\n",
        ))
        .with(version("github.com/o/tool", "v1.0.0", ""))
        .with(version("golang.org/x/text", "v0.1.0", ""))
        .with(version("gopkg.in/yaml.v3", "v3.0.1", ""))
        .with(version("github.com/corp/secret", "v1.0.0", ""))
}

/// A server on this module's go.mod, once the facts of every module it names have arrived.
fn start_own(home: &Path, proxy: &TestProxy) -> anyhow::Result<(TestServer, String)> {
    let work = home.join("me");
    write_files(&work, &[("go.mod", OWN_GO_MOD)])?;
    let options = server_options(home, &proxy.url())
        // Private, but served by the test proxy all the same.
        .env("GOPRIVATE", "github.com/corp")
        .env("GONOPROXY", "none");
    let (mut server, _) = TestServer::start(options)?;
    let uri = file_uri(&work.join("go.mod"));
    server.open(&uri, "gomod", 1, OWN_GO_MOD)?;
    server.wait_server_request("workspace/codeLens/refresh")?;
    Ok((server, uri))
}

#[test]
fn hover_on_retract_tool_and_ignore_lines_and_source_links() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(own_fixture())?;
    let (mut server, uri) = start_own(home.path(), &proxy)?;
    let text = OWN_GO_MOD;

    let retract = hover(&mut server, &uri, text, "retract v1.1$0.0")?;
    for expected in [
        "Rationale: v1.1.0 was broken",
        "Published versions retracted: v1.1.0.",
        "In effect: the newest published go.mod retracts these versions.",
    ] {
        assert!(retract.contains(expected), "{expected:?} in {retract}");
    }
    let interval = hover(&mut server, &uri, text, "[v1.2$0.0, v1.2.1]")?;
    for expected in [
        "Rationale: the v1.2 line is broken",
        "Published versions retracted: v1.2.0.",
        "The newest version v1.2.0 is among them: once this is published, go get example.com/me@latest picks an older one.",
        "Not in effect yet:",
    ] {
        assert!(interval.contains(expected), "{expected:?} in {interval}");
    }

    let tool = hover(&mut server, &uri, text, "tool github.com/o/tool/cmd/g$0en")?;
    for expected in [
        "Provided by module github.com/o/tool v1.0.0.",
        "https://pkg.go.dev/github.com/o/tool@v1.0.0",
        "source: https://github.com/o/tool",
    ] {
        assert!(tool.contains(expected), "{expected:?} in {tool}");
    }
    let own_tool = hover(&mut server, &uri, text, "example.com/me/cmd/s$0elf")?;
    assert!(
        own_tool.contains("example.com/me/cmd/self is a package of this module."),
        "{own_tool}"
    );

    let rooted = hover(&mut server, &uri, text, "ignore ./third$0_party")?;
    assert!(
        rooted.contains("The directory third_party at the root of this module"),
        "{rooted}"
    );
    let anywhere = hover(&mut server, &uri, text, "ignore node_mod$0ules")?;
    assert!(
        anywhere.contains("contains node_modules as whole elements, at any depth"),
        "{anywhere}"
    );

    let sources = [
        ("golang.org/x/te$0xt", "https://go.googlesource.com/text"),
        ("gopkg.in/ya$0ml.v3", "https://github.com/go-yaml/yaml"),
        ("github.com/corp/se$0cret", "https://github.com/corp/secret"),
    ];
    for (marked, repository) in sources {
        let found = hover(&mut server, &uri, text, marked)?;
        assert!(found.contains(&format!("source: {repository}")), "{found}");
    }
    let private = hover(&mut server, &uri, text, "github.com/corp/se$0cret")?;
    assert!(!private.contains("pkg.go.dev"), "{private}");
    let public = hover(&mut server, &uri, text, "golang.org/x/te$0xt")?;
    assert!(
        public.contains("https://pkg.go.dev/golang.org/x/text@v0.1.0"),
        "{public}"
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn version_completion_in_a_retract_line_offers_this_modules_versions() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(own_fixture())?;
    let (mut server, uri) = start_own(home.path(), &proxy)?;
    let typed = format!("{OWN_GO_MOD}\nretract \n");
    server.change(&uri, 2, vec![json!({"text": typed})])?;
    let answer = server.eventually("the versions of example.com/me", |server| {
        let answer = completion(server, &uri, &typed, "\nretract $0\n")?;
        Ok((answer["isIncomplete"] == false).then_some(answer))
    })?;
    let labels: Vec<(String, bool)> = items(&answer)
        .into_iter()
        .map(|(label, _, retracted)| (label, retracted))
        .collect();
    assert_eq!(
        labels,
        [
            ("v1.2.0".to_owned(), false),
            ("v1.1.0".to_owned(), true),
            ("v1.0.0".to_owned(), false),
        ],
        "{answer:#}"
    );
    // Inside an interval too.
    let interval = format!("{OWN_GO_MOD}\nretract [v1.0.0, ]\n");
    server.change(&uri, 3, vec![json!({"text": interval})])?;
    let answer = completion(&mut server, &uri, &interval, "[v1.0.0, $0]")?;
    assert_eq!(items(&answer).len(), 3, "{answer:#}");
    server.shutdown_and_exit()?;
    Ok(())
}

/// The go command for oracle runs, or `None` when the test skips (never under `CI=true`).
fn go_for(test: &str) -> anyhow::Result<Option<PathBuf>> {
    gomodls_test_utils::go::require_go(test).map_err(anyhow::Error::msg)
}

/// What go prints on stderr for `args` in `dir`, with `env` on top of the oracle environment.
fn go_stderr(
    go: &Path,
    home: &Path,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> anyhow::Result<String> {
    let oracle = home.join("go-oracle");
    std::fs::create_dir_all(&oracle)?;
    let mut command = gomodls_test_utils::go::go_command(go, &oracle, &oracle.join("cache"));
    command.args(args).current_dir(dir);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output()?;
    Ok(String::from_utf8_lossy(&output.stderr).into_owned())
}

/// (line, code, source, message) of the published diagnostics with `codes`.
fn published(params: &Value, codes: &[&str]) -> Vec<(u64, String, String, String)> {
    let mut found: Vec<(u64, String, String, String)> = params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|item| codes.iter().any(|code| item["code"] == *code))
        .map(|item| {
            (
                item["range"]["start"]["line"].as_u64().unwrap_or_default(),
                item["code"].as_str().unwrap_or_default().to_owned(),
                item["source"].as_str().unwrap_or_default().to_owned(),
                item["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

const MISMATCH_GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/m v2.0.0\n\texample.com/n/v2 v1.0.0\n)\n";

const NO_GO_MOD_DIR_GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire example.com/local v1.0.0\n\nreplace example.com/local => ../nomod\n";

#[test]
fn major_version_mismatches_and_a_replacement_without_go_mod_in_gos_words() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(Fixture::new())?;
    let mismatch_dir = home.path().join("mismatch");
    let replaced_dir = home.path().join("replaced");
    write_files(&mismatch_dir, &[("go.mod", MISMATCH_GO_MOD)])?;
    write_files(
        home.path(),
        &[
            ("replaced/go.mod", NO_GO_MOD_DIR_GO_MOD),
            ("replaced/go.sum", ""),
            // A directory with code but no go.mod.
            ("nomod/local.go", "package local\n"),
        ],
    )?;
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    let mismatch_uri = file_uri(&mismatch_dir.join("go.mod"));
    let replaced_uri = file_uri(&replaced_dir.join("go.mod"));
    server.open(&mismatch_uri, "gomod", 1, MISMATCH_GO_MOD)?;
    server.open(&replaced_uri, "gomod", 1, NO_GO_MOD_DIR_GO_MOD)?;

    let mismatch = server.wait_diagnostics(&mismatch_uri, Some(1))?;
    let found = published(&mismatch, &["major-version-mismatch"]);
    let expected = vec![
        (
            5,
            "major-version-mismatch".to_owned(),
            "go".to_owned(),
            "require example.com/m: version \"v2.0.0\" invalid: should be v0 or v1, not v2"
                .to_owned(),
        ),
        (
            6,
            "major-version-mismatch".to_owned(),
            "go".to_owned(),
            "require example.com/n/v2: version \"v1.0.0\" invalid: should be v2, not v1".to_owned(),
        ),
    ];
    assert_eq!(found, expected, "{mismatch:#}");

    let replaced = server.eventually("the replacement directory diagnostic", |server| {
        let report = server.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": replaced_uri}}),
        )?;
        let found = published(
            &json!({"diagnostics": report["items"]}),
            &["replacement-directory"],
        );
        Ok((!found.is_empty()).then_some(found))
    })?;
    let missing = home.path().join("nomod/go.mod");
    let replacement_message = format!(
        "example.com/local@v1.0.0 (replaced by ../nomod): reading ../nomod/go.mod: open {}: no such file or directory",
        missing.display()
    );
    assert_eq!(
        replaced,
        [(
            6,
            "replacement-directory".to_owned(),
            "go".to_owned(),
            replacement_message.clone()
        )]
    );
    server.shutdown_and_exit()?;

    // go says the same.
    let Some(go) =
        go_for("major_version_mismatches_and_a_replacement_without_go_mod_in_gos_words")?
    else {
        return Ok(());
    };
    let said = go_stderr(&go, home.path(), &mismatch_dir, &["list", "-m", "all"], &[])?;
    for (line, _, _, message) in &expected {
        let at = format!("go.mod:{}:2: {message}", line + 1);
        assert!(said.contains(&at), "go said:\n{said}\nwe said {at:?}");
    }
    let said = go_stderr(&go, home.path(), &replaced_dir, &["list", "-m", "all"], &[])?;
    assert_eq!(said.trim_end(), format!("go: {replacement_message}"));
    Ok(())
}

const UPGRADE_GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/inc v1.0.0\n\texample.com/up v1.0.0 // indirect\n)\n";

const SHORTHAND_GO_MOD: &str = "module example.com/short\n\ngo 1.22\n\nrequire (\n\texample.com/up v1.0\n\texample.com/inc v1.0.0+meta\n)\n\nexclude example.com/up v1\n";

fn upgrade_fixture() -> Fixture {
    Fixture::new()
        .with(version("example.com/up", "v1.0.0", ""))
        .with(version("example.com/up", "v1.0.4", ""))
        .with(version("example.com/up", "v1.3.0", ""))
        .with(version("example.com/inc", "v1.0.0", ""))
        .with(version("example.com/inc", "v1.1.0", ""))
        .with(FixtureVersion::new(
            "example.com/inc",
            "v2.0.0+incompatible",
        ))
}

/// `text` with the edits of a versioned WorkspaceEdit for `uri` at `version` applied.
fn apply_workspace_edit(
    text: &str,
    edit: &Value,
    uri: &str,
    version: i32,
) -> anyhow::Result<String> {
    let changes = edit["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    anyhow::ensure!(changes.len() == 1, "one document changes: {edit:#}");
    let change = &changes[0];
    anyhow::ensure!(change["textDocument"]["uri"] == uri, "{edit:#}");
    anyhow::ensure!(
        change["textDocument"]["version"] == version,
        "not at version {version}: {edit:#}"
    );
    let mut edits = change["edits"].as_array().cloned().unwrap_or_default();
    // From the end backwards, so earlier positions stay valid.
    edits.sort_by_key(|edit| {
        let start = &edit["range"]["start"];
        std::cmp::Reverse((
            start["line"].as_u64().unwrap_or_default(),
            start["character"].as_u64().unwrap_or_default(),
        ))
    });
    let mut text = text.to_owned();
    for edit in edits {
        let content_change = json!({"range": edit["range"], "text": edit["newText"]});
        gomodls_tests::edit::apply(&mut text, &content_change, Encoding::Utf16)?;
    }
    Ok(text)
}

/// The source actions of `uri`, by title.
fn source_actions(server: &mut TestServer, uri: &str) -> anyhow::Result<Vec<(String, Value)>> {
    let answer = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source"]},
        }),
    )?;
    Ok(answer
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|action| {
            (
                action["title"].as_str().unwrap_or_default().to_owned(),
                action,
            )
        })
        .collect())
}

/// `text` as `go mod edit -fmt` writes it.
fn go_formatted(go: &Path, home: &Path, text: &str) -> anyhow::Result<String> {
    let dir = home.join("go-fmt");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("go.mod"), text)?;
    let said = go_stderr(go, home, &dir, &["mod", "edit", "-fmt"], &[])?;
    anyhow::ensure!(said.is_empty(), "go mod edit -fmt: {said}");
    Ok(std::fs::read_to_string(dir.join("go.mod"))?)
}

#[test]
fn upgrade_all_at_every_level_and_canonicalise_keep_the_file_go_formatted() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(upgrade_fixture())?;
    write_files(
        home.path(),
        &[
            ("app/go.mod", UPGRADE_GO_MOD),
            ("short/go.mod", SHORTHAND_GO_MOD),
        ],
    )?;
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    let uri = file_uri(&home.path().join("app/go.mod"));
    let short_uri = file_uri(&home.path().join("short/go.mod"));
    // The buffer is at version 3 when the actions are asked for.
    server.open(&uri, "gomod", 1, "module example.com/app\n")?;
    server.change(&uri, 3, vec![json!({"text": UPGRADE_GO_MOD})])?;
    server.open(&short_uri, "gomod", 7, SHORTHAND_GO_MOD)?;
    server.wait_server_request("workspace/codeLens/refresh")?;
    let actions = server.eventually("the upgrade actions", |server| {
        let actions = source_actions(server, &uri)?;
        Ok((actions.len() >= 3).then_some(actions))
    })?;
    let upgraded = |from: &str, to: &str| UPGRADE_GO_MOD.replace(from, to);
    let expected = [
        (
            "Upgrade all requirements (minor)",
            upgraded("inc v1.0.0", "inc v1.1.0").replace("up v1.0.0", "up v1.3.0"),
        ),
        (
            "Upgrade all requirements (patch)",
            upgraded("up v1.0.0", "up v1.0.4"),
        ),
        (
            "Upgrade all requirements (latest)",
            upgraded("inc v1.0.0", "inc v2.0.0+incompatible").replace("up v1.0.0", "up v1.3.0"),
        ),
    ];
    let titles: Vec<&str> = actions.iter().map(|(title, _)| title.as_str()).collect();
    assert_eq!(
        titles,
        expected.iter().map(|(title, _)| *title).collect::<Vec<_>>()
    );
    let go = go_for("upgrade_all_at_every_level_and_canonicalise_keep_the_file_go_formatted")?;
    for ((title, action), (_, want)) in actions.iter().zip(&expected) {
        assert_eq!(action["kind"], "source", "{title}");
        let text = apply_workspace_edit(UPGRADE_GO_MOD, &action["edit"], &uri, 3)?;
        assert_eq!(&text, want, "{title}");
        if let Some(go) = &go {
            assert_eq!(go_formatted(go, home.path(), &text)?, text, "{title}");
        }
    }

    let actions = source_actions(&mut server, &short_uri)?;
    let canonicalise = actions
        .iter()
        .find(|(title, _)| title == "Canonicalise all versions")
        .map(|(_, action)| action)
        .ok_or_else(|| anyhow::anyhow!("no canonicalise action in {actions:#?}"))?;
    let text = apply_workspace_edit(SHORTHAND_GO_MOD, &canonicalise["edit"], &short_uri, 7)?;
    assert_eq!(
        text,
        "module example.com/short\n\ngo 1.22\n\nrequire (\n\texample.com/inc v1.0.0\n\texample.com/up v1.0.0\n)\n\nexclude example.com/up v1.0.0\n",
        "canonical versions, and the block sorted as go sorts it"
    );
    if let Some(go) = &go {
        // go's formatter canonicalises the same way.
        assert_eq!(go_formatted(go, home.path(), SHORTHAND_GO_MOD)?, text);
    }
    server.shutdown_and_exit()?;
    Ok(())
}

const SLOW_GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire example.com/up v1.0.0\n";

#[test]
fn hover_and_completion_answer_from_cache_while_the_proxy_sleeps() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy =
        TestProxy::start(upgrade_fixture().with(version("example.com/slow", "v1.0.0", "")))?;
    write_files(home.path(), &[("app/go.mod", SLOW_GO_MOD)])?;
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    let uri = file_uri(&home.path().join("app/go.mod"));
    server.open(&uri, "gomod", 1, SLOW_GO_MOD)?;
    server.wait_server_request("workspace/codeLens/refresh")?;
    let refreshes = sent(&mut server, "workspace/codeLens/refresh")?;

    // From now on every answer of the proxy takes 5 s. A new requirement starts a fetch.
    proxy.inject(FaultRule::everywhere(Fault::Latency(Duration::from_secs(
        5,
    ))));
    proxy.clear_log();
    let text = format!("{SLOW_GO_MOD}\nrequire example.com/slow v1.0.0\n");
    server.change(&uri, 2, vec![json!({"text": text})])?;
    server.eventually("the proxy to be asked about example.com/slow", |_| {
        Ok(proxy
            .requested_paths()
            .iter()
            .any(|path| path.starts_with("/example.com/slow/"))
            .then_some(()))
    })?;

    // While the proxy sleeps on that request, hover and completion answer from what is cached.
    let hovered = hover(&mut server, &uri, &text, "example.com/up v1.0$0.0")?;
    assert!(hovered.contains("Latest v1: v1.3.0 ("), "{hovered}");
    let answer = completion(&mut server, &uri, &text, "example.com/up v1.0$0.0")?;
    let labels: Vec<String> = items(&answer)
        .into_iter()
        .map(|(label, ..)| label)
        .collect();
    assert_eq!(labels, ["v1.3.0", "v1.0.4", "v1.0.0"], "{answer:#}");
    let slow = hover(&mut server, &uri, &text, "example.com/sl$0ow")?;
    assert!(slow.contains("example.com/slow"), "{slow}");
    // The fetch has not finished: no refresh since the answers (they did not wait for it).
    assert_eq!(
        sent(&mut server, "workspace/codeLens/refresh")?,
        refreshes,
        "the slow fetch finished before the answers came"
    );

    // Nothing hangs: the slow fetch finishes, and the facts of the new module arrive.
    server.eventually("the slow fetch to finish", |server| {
        Ok((sent(server, "workspace/codeLens/refresh")? > refreshes).then_some(()))
    })?;
    let slow = hover(&mut server, &uri, &text, "example.com/sl$0ow")?;
    assert!(slow.contains("Latest v1: v1.0.0 ("), "{slow}");
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn after_a_restart_cached_facts_answer_while_a_new_modules_fetch_hangs() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy =
        TestProxy::start(upgrade_fixture().with(version("example.com/slow", "v1.0.0", "")))?;
    write_files(home.path(), &[("app/go.mod", SLOW_GO_MOD)])?;
    let uri = file_uri(&home.path().join("app/go.mod"));
    // A first session fetches example.com/up; its facts stay in the disk cache.
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    server.open(&uri, "gomod", 1, SLOW_GO_MOD)?;
    server.wait_server_request("workspace/codeLens/refresh")?;
    server.shutdown_and_exit()?;

    // The next session opens a go.mod that also requires a module never fetched, while every
    // answer of the proxy takes 5 s.
    proxy.inject(FaultRule::everywhere(Fault::Latency(Duration::from_secs(
        5,
    ))));
    proxy.clear_log();
    let text = format!("{SLOW_GO_MOD}\nrequire example.com/slow v1.0.0\n");
    write_files(home.path(), &[("app/go.mod", &text)])?;
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    server.open(&uri, "gomod", 1, &text)?;
    server.eventually("the proxy to be asked about example.com/slow", |_| {
        Ok(proxy
            .requested_paths()
            .iter()
            .any(|path| path.starts_with("/example.com/slow/"))
            .then_some(()))
    })?;
    // The cached module's facts are shown without waiting for the slow one.
    server.eventually("the cached facts of example.com/up", |server| {
        let hovered = hover(server, &uri, &text, "example.com/up v1.0$0.0")?;
        Ok(hovered.contains("Latest v1: v1.3.0 (").then_some(()))
    })?;
    let slow = hover(&mut server, &uri, &text, "example.com/sl$0ow")?;
    assert!(
        !slow.contains("Latest v1:"),
        "the slow fetch finished before the cached facts were shown: {slow}"
    );
    // And the slow one arrives in the end.
    server.eventually("the slow fetch to finish", |server| {
        let slow = hover(server, &uri, &text, "example.com/sl$0ow")?;
        Ok(slow.contains("Latest v1: v1.0.0 (").then_some(()))
    })?;
    server.shutdown_and_exit()?;
    Ok(())
}

const NO_SUM_GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/up v1.0.0\n\texample.com/local v1.0.0\n)\n\nreplace example.com/local => ./local\n";

#[test]
fn a_go_mod_without_go_sum_misses_every_entry_in_gos_words() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(upgrade_fixture())?;
    let work = home.path().join("app");
    write_files(
        &work,
        &[
            ("go.mod", NO_SUM_GO_MOD),
            ("local/go.mod", "module example.com/local\n\ngo 1.22\n"),
        ],
    )?;
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    let uri = file_uri(&work.join("go.mod"));
    server.open(&uri, "gomod", 1, NO_SUM_GO_MOD)?;
    let message = "example.com/up@v1.0.0: missing go.sum entry for go.mod file; to add it:\n\tgo mod download example.com/up";
    let diagnostics = server.wait_diagnostics(&uri, Some(1))?;
    assert_eq!(
        published(&diagnostics, &["missing-sum-entry"]),
        [(
            5,
            "missing-sum-entry".to_owned(),
            "go".to_owned(),
            message.to_owned()
        )],
        "{diagnostics:#}"
    );
    server.shutdown_and_exit()?;

    // gomodls check reports the same.
    let output = std::process::Command::new(crate::binary())
        .args(["check", "--offline", "--format", "json"])
        .arg(&work)
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("GOMODCACHE", home.path().join("gomodcache"))
        .env("GOENV", "off")
        .env("GOPROXY", proxy.url())
        .output()?;
    let report: Value = serde_json::from_slice(&output.stdout)?;
    let missing: Vec<String> = report
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|item| item["code"] == "missing-sum-entry")
        .map(|item| item["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(missing, [message], "{report:#}");

    // go says the same when it checks go.mod against go.sum.
    let Some(go) = go_for("a_go_mod_without_go_sum_misses_every_entry_in_gos_words")? else {
        return Ok(());
    };
    let url = proxy.url();
    let said = go_stderr(
        &go,
        home.path(),
        &work,
        &["list", "-m", "all"],
        &[("GOFLAGS", "-mod=readonly"), ("GOPROXY", &url)],
    )?;
    assert_eq!(said.trim_end(), format!("go: {message}"));
    Ok(())
}

/// In a go.work workspace the checks of a go.mod read the go.sum of every workspace module: a
/// change to another module's go.sum, reported by the client's watcher, republishes the open
/// go.mod (here an exclusion that starts to matter once that go.sum names the version).
#[test]
fn another_workspace_modules_go_sum_changing_republishes() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let ws = home.path().join("ws");
    let hash = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let app_mod = "module example.com/app\n\ngo 1.22\n\nexclude example.com/x v1.0.0\n";
    write_files(
        &ws,
        &[
            ("go.work", "go 1.22\n\nuse (\n\t./app\n\t./lib\n)\n"),
            ("app/go.mod", app_mod),
            ("lib/go.mod", "module example.com/lib\n\ngo 1.22\n"),
            (
                "lib/go.sum",
                &format!("example.com/y v1.0.0/go.mod {hash}\n"),
            ),
        ],
    )?;
    let (mut server, _) = TestServer::start(server_options(home.path(), "off"))?;
    let uri = file_uri(&ws.join("app/go.mod"));
    server.open(&uri, "gomod", 1, app_mod)?;
    let diagnostics = server.wait_diagnostics(&uri, Some(1))?;
    assert_eq!(
        published(&diagnostics, &["unnecessary-exclude"]).len(),
        1,
        "{diagnostics:#}"
    );
    // The republishes of the background work (module facts, the files beside) come first, so
    // that only the watcher's event can bring the next one.
    let publishes = |server: &mut TestServer| -> anyhow::Result<usize> {
        Ok(server
            .pending_notifications()?
            .iter()
            .filter(|(method, params)| {
                method == "textDocument/publishDiagnostics" && params["uri"] == uri.as_str()
            })
            .count())
    };
    let mut seen = publishes(&mut server)?;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let now = publishes(&mut server)?;
        if now == seen {
            break;
        }
        seen = now;
    }
    // lib's go.sum now holds the excluded version: the exclusion has an effect.
    let lib_sum = ws.join("lib/go.sum");
    std::fs::write(
        &lib_sum,
        format!("example.com/x v1.0.0/go.mod {hash}\nexample.com/y v1.0.0/go.mod {hash}\n"),
    )?;
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&lib_sum), "type": 2}]}),
    )?;
    server.wait_notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri.as_str() && published(params, &["unnecessary-exclude"]).is_empty()
    })?;
    server.shutdown_and_exit()?;
    Ok(())
}

/// A go.mod used by a go.work workspace gets no "missing go.sum entry": go fetches what the
/// sums lack and records it in go.work.sum (`mustHaveSums` is false in workspace mode). With
/// GOWORK=off the same go.mod misses every entry, as go says.
#[test]
fn a_workspace_module_misses_no_go_sum_entry() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(upgrade_fixture())?;
    let up_sum = gomodls_modfetch::dirhash::hash_go_mod(b"module example.com/up\n\ngo 1.21\n");
    let ws = home.path().join("ws");
    let app_mod = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/up v1.0.0\n\texample.com/inc v1.1.0\n)\n";
    write_files(
        &ws,
        &[
            ("go.work", "go 1.22\n\nuse (\n\t./app\n\t./lib\n)\n"),
            // up's sum is in go.work.sum, inc's nowhere.
            (
                "go.work.sum",
                &format!("example.com/up v1.0.0/go.mod {up_sum}\n"),
            ),
            ("app/go.mod", app_mod),
            ("app/go.sum", ""),
            ("lib/go.mod", "module example.com/lib\n\ngo 1.22\n"),
        ],
    )?;
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    let uri = file_uri(&ws.join("app/go.mod"));
    server.open(&uri, "gomod", 1, app_mod)?;
    let diagnostics = server.wait_diagnostics(&uri, Some(1))?;
    assert_eq!(
        published(&diagnostics, &["missing-sum-entry"]),
        [],
        "{diagnostics:#}"
    );
    // Once the module facts are in (the last republish of their own)...
    let with_facts = server.wait_notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri.as_str() && !published(params, &["update-available"]).is_empty()
    })?;
    assert_eq!(published(&with_facts, &["missing-sum-entry"]), []);
    // ... go.work is deleted (the client's watcher reports it): the module stands alone, and
    // the diagnostics are published again without an edit.
    let work_file = ws.join("go.work");
    let work_text = std::fs::read_to_string(&work_file)?;
    std::fs::remove_file(&work_file)?;
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&work_file), "type": 3}]}),
    )?;
    server.wait_notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri.as_str() && published(params, &["missing-sum-entry"]).len() == 2
    })?;
    std::fs::write(&work_file, work_text)?;
    server.shutdown_and_exit()?;

    // With GOWORK=off the module stands alone.
    let (mut server, _) =
        TestServer::start(server_options(home.path(), &proxy.url()).env("GOWORK", "off"))?;
    server.open(&uri, "gomod", 1, app_mod)?;
    let diagnostics = server.wait_diagnostics(&uri, Some(1))?;
    let missing: Vec<u64> = published(&diagnostics, &["missing-sum-entry"])
        .iter()
        .map(|(line, ..)| *line)
        .collect();
    assert_eq!(missing, [5, 6], "{diagnostics:#}");
    server.shutdown_and_exit()?;

    let Some(go) = go_for("a_workspace_module_misses_no_go_sum_entry")? else {
        return Ok(());
    };
    let url = proxy.url();
    let alone = go_stderr(
        &go,
        home.path(),
        &ws.join("app"),
        &["list", "-m", "all"],
        &[("GOFLAGS", "-mod=readonly"), ("GOPROXY", &url)],
    )?;
    assert!(alone.contains("missing go.sum entry"), "{alone}");
    let in_workspace = go_stderr(
        &go,
        home.path(),
        &ws.join("app"),
        &["list", "-m", "all"],
        &[
            ("GOWORK", ""),
            ("GOFLAGS", "-mod=readonly"),
            ("GOPROXY", &url),
        ],
    )?;
    assert_eq!(in_workspace.trim_end(), "", "go in the workspace");
    Ok(())
}

/// GOWORK naming a relative path: go refuses to run at all (`go: invalid GOWORK: not an absolute
/// path`), in a module as in a workspace; a go.mod and a go.work get that error, in go's words,
/// on their first line.
#[test]
fn a_relative_gowork_is_reported_as_go_reports_it() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(upgrade_fixture())?;
    let ws = home.path().join("ws");
    let app_mod = "module example.com/app\n\ngo 1.22\n";
    let work = "go 1.22\n\nuse ./app\n";
    write_files(&ws, &[("go.work", work), ("app/go.mod", app_mod)])?;
    let (mut server, _) =
        TestServer::start(server_options(home.path(), &proxy.url()).env("GOWORK", "ws/go.work"))?;
    let mod_uri = file_uri(&ws.join("app/go.mod"));
    server.open(&mod_uri, "gomod", 1, app_mod)?;
    let diagnostics = server.wait_diagnostics(&mod_uri, Some(1))?;
    let ours = published(&diagnostics, &["invalid-gowork"]);
    let message = "invalid GOWORK: not an absolute path";
    assert_eq!(
        ours,
        [(
            0,
            "invalid-gowork".to_owned(),
            "go".to_owned(),
            message.to_owned()
        )],
        "{diagnostics:#}"
    );
    let work_uri = file_uri(&ws.join("go.work"));
    server.open(&work_uri, "gowork", 1, work)?;
    let diagnostics = server.wait_diagnostics(&work_uri, Some(1))?;
    assert_eq!(
        published(&diagnostics, &["invalid-gowork"]).len(),
        1,
        "{diagnostics:#}"
    );
    server.shutdown_and_exit()?;

    // An absolute GOWORK is fine.
    let absolute = ws.join("go.work").display().to_string();
    let (mut server, _) =
        TestServer::start(server_options(home.path(), &proxy.url()).env("GOWORK", &absolute))?;
    server.open(&mod_uri, "gomod", 1, app_mod)?;
    let diagnostics = server.wait_diagnostics(&mod_uri, Some(1))?;
    assert_eq!(published(&diagnostics, &["invalid-gowork"]), []);
    server.shutdown_and_exit()?;

    let Some(go) = go_for("a_relative_gowork_is_reported_as_go_reports_it")? else {
        return Ok(());
    };
    for dir in [ws.join("app"), ws.clone()] {
        let said = go_stderr(
            &go,
            home.path(),
            &dir,
            &["list", "-m"],
            &[("GOWORK", "ws/go.work"), ("GOPROXY", &proxy.url())],
        )?;
        assert_eq!(said, format!("go: {message}\n"), "in {}", dir.display());
    }
    Ok(())
}
