//! go.sum integrity over LSP and on the command line, against the go command through one test
//! proxy and one test checksum database: a tampered line is a SECURITY ERROR in go's words (with
//! the require in go.mod as related information), a line that cannot be verified now is not an
//! error, "add missing go.sum lines" writes exactly what `go mod download` writes, and nothing
//! is written when the database lies, also through a proxy that requires credentials and serves
//! the database. `gomodls check --verify` fails exactly on a mismatch.
//!
//! Without `go` (on PATH or in `GOMODLS_GO`) the tests that compare with go are skipped, except
//! under `CI=true`, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::Context as _;
use gomodls_test_utils::go::{go_command, require_go};
use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use gomodls_test_utils::sumdb_server::{Lie, TestSumdb};
use gomodls_tests::{Encoding, ServerOptions, TestServer, file_uri};
use serde_json::{Value, json};

use crate::{binary, options};

const APP_GO_MOD: &str = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.1.0 // indirect\n)\n";

const ADD_MISSING: &str = "gomodls.addMissingGoSumLines";
const VERIFY: &str = "gomodls.verifyGoSum";

fn fixture() -> Fixture {
    Fixture::new()
        .with(
            FixtureVersion::new("example.com/a", "v1.0.0")
                .go_mod("module example.com/a\n\ngo 1.21\n\nrequire example.com/b v1.0.0\n")
                .file("a.go", "package a\n\nimport _ \"example.com/b\"\n"),
        )
        .with(
            FixtureVersion::new("example.com/b", "v1.0.0")
                .go_mod("module example.com/b\n\ngo 1.21\n")
                .file("b.go", "package b\n"),
        )
        .with(
            FixtureVersion::new("example.com/b", "v1.1.0")
                .go_mod("module example.com/b\n\ngo 1.21\n")
                .file("b.go", "package b\n\nconst V = 1\n"),
        )
}

fn go() -> anyhow::Result<Option<PathBuf>> {
    require_go("gosum_integrity").map_err(anyhow::Error::msg)
}

/// The true go.sum lines of every fixture module, as go computes them (database off), after
/// downloading them into `work`'s module cache (`work/gopath/pkg/mod`).
fn true_sums(go: &Path, work: &Path, proxy: &TestProxy) -> anyhow::Result<String> {
    let output = go_command(go, work, &work.join("gocache"))
        .current_dir(work)
        .env("GOPROXY", proxy.url())
        .args([
            "mod",
            "download",
            "-json",
            "example.com/a@v1.0.0",
            "example.com/b@v1.0.0",
            "example.com/b@v1.1.0",
        ])
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = Vec::new();
    for module in serde_json::Deserializer::from_slice(&output.stdout).into_iter::<Value>() {
        let module = module?;
        let (path, version) = (&module["Path"], &module["Version"]);
        let (path, version) = (
            path.as_str().context("Path")?,
            version.as_str().context("Version")?,
        );
        lines.push(format!(
            "{path} {version} {}\n",
            module["Sum"].as_str().context("Sum")?
        ));
        lines.push(format!(
            "{path} {version}/go.mod {}\n",
            module["GoModSum"].as_str().context("GoModSum")?
        ));
    }
    lines.sort();
    Ok(lines.concat())
}

/// Runs plain `go mod download` in `app` (holding [`APP_GO_MOD`] and `go_sum`); returns success,
/// stderr and the go.sum go left.
fn go_mod_download(
    go: &Path,
    work: &Path,
    app: &Path,
    proxy: &TestProxy,
    gosumdb: &str,
    go_sum: &str,
) -> anyhow::Result<(bool, String, String)> {
    std::fs::create_dir_all(app)?;
    std::fs::write(app.join("go.mod"), APP_GO_MOD)?;
    std::fs::write(app.join("go.sum"), go_sum)?;
    let output = go_command(go, work, &work.join("gocache"))
        .current_dir(app)
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", gosumdb)
        .env("GONOSUMDB", "")
        .env("GOPRIVATE", "")
        .args(["mod", "download"])
        .output()?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        std::fs::read_to_string(app.join("go.sum"))?,
    ))
}

/// The server's environment: its own caches under `home`, the module cache `gomodcache`, the
/// proxy and the database.
fn server_options(home: &Path, gomodcache: &Path, goproxy: &str, gosumdb: &str) -> ServerOptions {
    options()
        .env("HOME", &home.display().to_string())
        .env("XDG_CACHE_HOME", &home.join("cache").display().to_string())
        .env("GOMODCACHE", &gomodcache.display().to_string())
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GONOSUMDB", "")
        .env("GONOSUMCHECK", "")
        .env("GOPRIVATE", "")
        .env("GOSUMDB", gosumdb)
        .env("GOPROXY", goproxy)
}

/// `truth` with the go.mod hash of example.com/a replaced by example.com/b's.
fn tampered(truth: &str) -> anyhow::Result<String> {
    let other_hash = truth
        .lines()
        .find(|line| line.starts_with("example.com/b v1.0.0/go.mod "))
        .and_then(|line| line.split(' ').nth(2))
        .context("no go.mod line for example.com/b v1.0.0")?;
    Ok(truth
        .lines()
        .map(
            |line| match line.starts_with("example.com/a v1.0.0/go.mod ") {
                true => format!("example.com/a v1.0.0/go.mod {other_hash}\n"),
                false => format!("{line}\n"),
            },
        )
        .collect())
}

/// The `checksum` diagnostics of a published set.
fn checksum_errors(published: &Value) -> Vec<Value> {
    published["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|diagnostic| diagnostic["code"] == "checksum")
        .cloned()
        .collect()
}

/// The 0-based line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> anyhow::Result<u64> {
    let index = text
        .lines()
        .position(|line| line.trim_start().starts_with(prefix))
        .with_context(|| format!("no line starts with {prefix:?}"))?;
    Ok(u64::try_from(index)?)
}

#[test]
fn a_tampered_line_is_a_security_error_in_go_words_pointing_at_the_require() -> anyhow::Result<()> {
    let Some(go) = go()? else { return Ok(()) };
    let proxy = TestProxy::start(fixture())?;
    let work = tempfile::tempdir()?;
    let truth = true_sums(&go, work.path(), &proxy)?;
    let sumdb = TestSumdb::start(&truth)?;
    let tampered = tampered(&truth)?;

    let go_work = tempfile::tempdir()?;
    let (ok, go_stderr, go_left) = go_mod_download(
        &go,
        go_work.path(),
        &go_work.path().join("app"),
        &proxy,
        &sumdb.gosumdb(),
        &tampered,
    )?;
    anyhow::ensure!(!ok, "go accepted a tampered go.sum");
    assert_eq!(go_left, tampered, "go rewrote a go.sum it refused");

    // The server reads the module cache go filled; opening go.sum verifies in the background
    // against it, without any download.
    let home = tempfile::tempdir()?;
    let app = home.path().join("app");
    std::fs::create_dir_all(&app)?;
    std::fs::write(app.join("go.mod"), APP_GO_MOD)?;
    std::fs::write(app.join("go.sum"), &tampered)?;
    let gomodcache = work.path().join("gopath/pkg/mod");
    let (mut server, _) = TestServer::start(server_options(
        home.path(),
        &gomodcache,
        &proxy.url(),
        &sumdb.gosumdb(),
    ))?;
    let uri = file_uri(&app.join("go.sum"));
    server.open(&uri, "go.sum", 1, &tampered)?;
    let published = server.wait_notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri.as_str() && !checksum_errors(params).is_empty()
    })?;
    let errors = checksum_errors(&published);
    assert_eq!(errors.len(), 1, "{published}");
    let error = &errors[0];
    let message = error["message"].as_str().context("message")?;
    assert!(
        message.starts_with("verifying example.com/a@v1.0.0/go.mod: checksum mismatch\n"),
        "{message}"
    );
    assert!(message.contains("SECURITY ERROR"), "{message}");
    assert!(
        go_stderr.contains(message),
        "go said:\n{go_stderr}\nwe said:\n{message}"
    );
    assert_eq!(error["severity"], 1);
    assert_eq!(error["source"], "go");
    let tampered_line = line_of(&tampered, "example.com/a v1.0.0/go.mod ")?;
    assert_eq!(error["range"]["start"]["line"], tampered_line);
    let related = &error["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], file_uri(&app.join("go.mod")));
    assert_eq!(
        related["location"]["range"]["start"]["line"],
        line_of(APP_GO_MOD, "example.com/a v1.0.0")?
    );

    // The command verifies against the downloads too and reports the same line.
    let go_mod_uri = file_uri(&app.join("go.mod"));
    let report = server.request(
        "workspace/executeCommand",
        json!({"command": VERIFY, "arguments": [{"uri": go_mod_uri}]}),
    )?;
    let mismatches = report["mismatches"].as_array().context("mismatches")?;
    assert_eq!(mismatches.len(), 1, "{report}");
    assert_eq!(mismatches[0]["message"], message);
    assert_eq!(mismatches[0]["line"], tampered_line + 1);
    assert_eq!(report["unverified"], json!([]), "{report}");
    assert_eq!(
        report["verified"],
        report["lines"].as_u64().unwrap_or(0) - 1
    );

    // Adding missing lines never replaces the line that disagrees: nothing is missing.
    let added = server.request(
        "workspace/executeCommand",
        json!({"command": ADD_MISSING, "arguments": [{"uri": go_mod_uri}]}),
    )?;
    assert_eq!(added, json!(false));
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn a_line_that_cannot_be_verified_now_is_not_an_error() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let app = home.path().join("app");
    std::fs::create_dir_all(&app)?;
    std::fs::write(app.join("go.mod"), APP_GO_MOD)?;
    let go_sum = "example.com/a v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/b v1.1.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    std::fs::write(app.join("go.sum"), go_sum)?;
    let (mut server, _) = TestServer::start(server_options(
        home.path(),
        &home.path().join("gomodcache"),
        "off",
        "off",
    ))?;
    let uri = file_uri(&app.join("go.sum"));
    server.open(&uri, "go.sum", 1, go_sum)?;
    let report = server.request(
        "workspace/executeCommand",
        json!({"command": VERIFY, "arguments": [{"uri": uri}]}),
    )?;
    assert_eq!(report["mismatches"], json!([]), "{report}");
    assert_eq!(report["lines"], 2);
    let unverified = report["unverified"].as_array().context("unverified")?;
    assert_eq!(unverified.len(), 2, "{report}");
    assert!(
        unverified[0]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("GOPROXY=off")),
        "{report}"
    );
    let message = server.wait_notification("window/showMessage", |_| true)?;
    assert_eq!(message["type"], 2, "a warning, not an error: {message}");
    // A change republishes diagnostics; none of them is a checksum error.
    server.change(
        &uri,
        2,
        vec![json!({"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "\n"})],
    )?;
    let published = server.wait_diagnostics(&uri, Some(2))?;
    assert_eq!(checksum_errors(&published), Vec::<Value>::new());
    server.shutdown_and_exit()?;
    Ok(())
}

/// Applies a `workspace/applyEdit` request's single text document edit to `text`.
fn apply_edit(request: &Value, uri: &str, text: &str) -> anyhow::Result<String> {
    let changes = request["edit"]["documentChanges"]
        .as_array()
        .context("documentChanges")?;
    let change = changes
        .iter()
        .find(|change| change["textDocument"]["uri"] == uri)
        .with_context(|| format!("no edit of {uri}: {request}"))?;
    let mut edits: Vec<Value> = change["edits"].as_array().cloned().unwrap_or_default();
    edits.sort_by_key(|edit| {
        (
            edit["range"]["start"]["line"].as_u64(),
            edit["range"]["start"]["character"].as_u64(),
        )
    });
    let mut text = text.to_owned();
    for edit in edits.iter().rev() {
        let content_change = json!({"range": edit["range"], "text": edit["newText"]});
        gomodls_tests::edit::apply(&mut text, &content_change, Encoding::Utf16)?;
    }
    Ok(text)
}

/// A server over `app` (with [`APP_GO_MOD`] and an empty go.sum) and go.mod open; returns the
/// server and the URIs of go.mod and go.sum.
fn start_app(
    home: &Path,
    proxy: &TestProxy,
    sumdb: &TestSumdb,
) -> anyhow::Result<(TestServer, String, String)> {
    start_app_with(home, proxy, sumdb, &[])
}

/// [`start_app`] with more environment variables for the server.
fn start_app_with(
    home: &Path,
    proxy: &TestProxy,
    sumdb: &TestSumdb,
    vars: &[(&str, &str)],
) -> anyhow::Result<(TestServer, String, String)> {
    let app = home.join("app");
    std::fs::create_dir_all(&app)?;
    std::fs::write(app.join("go.mod"), APP_GO_MOD)?;
    std::fs::write(app.join("go.sum"), "")?;
    let mut options = server_options(
        home,
        &home.join("gomodcache"),
        &proxy.url(),
        &sumdb.gosumdb(),
    );
    for (name, value) in vars {
        options = options.env(name, value);
    }
    let (mut server, _) = TestServer::start(options)?;
    let go_mod_uri = file_uri(&app.join("go.mod"));
    server.open(&go_mod_uri, "go.mod", 1, APP_GO_MOD)?;
    Ok((server, go_mod_uri, file_uri(&app.join("go.sum"))))
}

/// The "add missing go.sum lines" action offered on the require of example.com/a.
fn add_missing_action(server: &mut TestServer, go_mod_uri: &str) -> anyhow::Result<Value> {
    let line = line_of(APP_GO_MOD, "example.com/a v1.0.0")?;
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": go_mod_uri},
            "range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": 2}},
            "context": {"diagnostics": []},
        }),
    )?;
    let action = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|action| action["command"]["command"] == ADD_MISSING)
        .cloned()
        .with_context(|| format!("no add-missing action in {actions}"))?;
    assert_eq!(
        action["title"],
        "Add the 2 missing go.sum lines (downloaded and verified)"
    );
    assert_eq!(action["kind"], "quickfix");
    Ok(action)
}

/// Runs the "add missing go.sum lines" action on the require of example.com/a; returns the
/// go.sum the server's edit makes of the empty one.
fn add_missing_lines(
    server: &mut TestServer,
    go_mod_uri: &str,
    go_sum_uri: &str,
) -> anyhow::Result<String> {
    let action = add_missing_action(server, go_mod_uri)?;
    let command = &action["command"];
    let applied = server.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    )?;
    assert_eq!(applied, json!(true));
    let request = server.wait_server_request("workspace/applyEdit")?;
    apply_edit(&request, go_sum_uri, "")
}

#[test]
fn adding_missing_lines_writes_exactly_what_go_mod_download_writes() -> anyhow::Result<()> {
    let Some(go) = go()? else { return Ok(()) };
    let proxy = TestProxy::start(fixture())?;
    let work = tempfile::tempdir()?;
    let sumdb = TestSumdb::start(&true_sums(&go, work.path(), &proxy)?)?;

    let go_work = tempfile::tempdir()?;
    let (ok, go_stderr, go_written) = go_mod_download(
        &go,
        go_work.path(),
        &go_work.path().join("app"),
        &proxy,
        &sumdb.gosumdb(),
        "",
    )?;
    anyhow::ensure!(ok, "go mod download failed: {go_stderr}");
    anyhow::ensure!(!go_written.is_empty(), "go wrote nothing");

    let home = tempfile::tempdir()?;
    let (mut server, go_mod_uri, go_sum_uri) = start_app(home.path(), &proxy, &sumdb)?;
    assert_eq!(
        add_missing_lines(&mut server, &go_mod_uri, &go_sum_uri)?,
        go_written
    );
    // The checksum database was consulted, as go consults it.
    assert!(
        sumdb
            .requests()
            .iter()
            .any(|request| request.contains("/lookup/example.com/a@v1.0.0")),
        "{:?}",
        sumdb.requests()
    );
    server.shutdown_and_exit()?;
    Ok(())
}

/// A corporate proxy that requires credentials (netrc) and serves the checksum database under
/// `/sumdb/NAME/`: the action adds the lines `go mod download` writes, every database request went
/// to the proxy with the credentials, as go sends them.
#[test]
fn adding_missing_lines_through_a_proxy_that_requires_credentials() -> anyhow::Result<()> {
    let Some(go) = go()? else { return Ok(()) };
    let plain = TestProxy::start(fixture())?;
    let work = tempfile::tempdir()?;
    let sumdb = TestSumdb::start(&true_sums(&go, work.path(), &plain)?)?;
    let go_work = tempfile::tempdir()?;
    let (ok, go_stderr, go_written) = go_mod_download(
        &go,
        go_work.path(),
        &go_work.path().join("app"),
        &plain,
        &sumdb.gosumdb(),
        "",
    )?;
    anyhow::ensure!(ok, "go mod download failed: {go_stderr}");

    let proxy = TestProxy::start_https(fixture())?;
    proxy.inject(gomodls_test_utils::proxy::FaultRule::everywhere(
        gomodls_test_utils::proxy::Fault::basic_auth("alice", "s3cret"),
    ));
    let prefix = format!("/sumdb/{}/", sumdb.name());
    proxy.mount(&prefix, sumdb.proxy_handler());
    let home = tempfile::tempdir()?;
    let netrc = home.path().join("netrc");
    std::fs::write(
        &netrc,
        format!("machine {} login alice password s3cret\n", proxy.address()),
    )?;
    let ca = proxy.ca_cert_path().context("CA")?.display().to_string();
    let netrc = netrc.display().to_string();
    let (mut server, go_mod_uri, go_sum_uri) = start_app_with(
        home.path(),
        &proxy,
        &sumdb,
        &[("NETRC", &netrc), ("SSL_CERT_FILE", &ca)],
    )?;
    assert_eq!(
        add_missing_lines(&mut server, &go_mod_uri, &go_sum_uri)?,
        go_written
    );
    let database: Vec<_> = proxy
        .request_log()
        .into_iter()
        .filter(|record| record.path.starts_with(&prefix))
        .collect();
    assert!(
        database
            .iter()
            .any(|record| record.path.contains("/lookup/example.com/a@v1.0.0")),
        "{database:?}"
    );
    for record in &database {
        assert_eq!(
            record.authorization(),
            Some("Basic YWxpY2U6czNjcmV0"),
            "{}",
            record.path
        );
    }
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn nothing_is_written_when_the_checksum_database_lies() -> anyhow::Result<()> {
    let Some(go) = go()? else { return Ok(()) };
    let proxy = TestProxy::start(fixture())?;
    let work = tempfile::tempdir()?;
    let sumdb = TestSumdb::start(&true_sums(&go, work.path(), &proxy)?)?;
    sumdb.lie(Lie::BadSignature);

    let go_work = tempfile::tempdir()?;
    let (ok, go_stderr, go_written) = go_mod_download(
        &go,
        go_work.path(),
        &go_work.path().join("app"),
        &proxy,
        &sumdb.gosumdb(),
        "",
    )?;
    anyhow::ensure!(!ok, "go accepted a lying database");
    assert_eq!(go_written, "", "go wrote lines it could not verify");

    let home = tempfile::tempdir()?;
    let (mut server, go_mod_uri, _) = start_app(home.path(), &proxy, &sumdb)?;
    let action = add_missing_action(&mut server, &go_mod_uri)?;
    let command = &action["command"];
    let outcome = server.request_outcome(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    )?;
    let error = outcome.err().context("the command succeeded")?;
    // go's words: `M@V: verifying go.mod: M@V/go.mod: reading tree note: ...` (go may report
    // another of the modules first, so the reason is compared).
    let first_line = error.message.lines().next().unwrap_or_default();
    assert!(
        first_line.contains("@v1.") && first_line.contains(": verifying go.mod: "),
        "{}",
        error.message
    );
    let reason =
        "/go.mod: reading tree note: invalid signature for key localhost.localdev/sumdb+00000c67";
    assert!(first_line.ends_with(reason), "{}", error.message);
    assert!(
        go_stderr.contains(&format!("{reason}\n")),
        "go said:\n{go_stderr}\nwe said:\n{}",
        error.message
    );
    let edits: Vec<String> = server
        .server_requests()?
        .into_iter()
        .map(|(method, _)| method)
        .filter(|method| method == "workspace/applyEdit")
        .collect();
    assert_eq!(edits, Vec::<String>::new());
    assert_eq!(std::fs::read_to_string(home.path().join("app/go.sum"))?, "");
    server.shutdown_and_exit()?;
    Ok(())
}

/// Asserts how `gomodls check` exited, showing what it printed when it did otherwise.
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn gomodls_check(
    arguments: &[&str],
    directory: &Path,
    home: &Path,
    env: &[(&str, &str)],
) -> anyhow::Result<Output> {
    let mut command = Command::new(binary());
    command
        .args(arguments)
        .current_dir(directory)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOMODCACHE", home.join("gomodcache"))
        .env("GOENV", "off")
        .env("GOFLAGS", "")
        .env("GONOSUMDB", "")
        .env("GONOSUMCHECK", "")
        .env("GOPRIVATE", "")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().context("run gomodls check --verify")
}

#[test]
fn check_verify_fails_on_a_mismatch_in_go_words_and_respects_offline_and_gonosumdb()
-> anyhow::Result<()> {
    let Some(go) = go()? else { return Ok(()) };
    let proxy = TestProxy::start(fixture())?;
    let work = tempfile::tempdir()?;
    let truth = true_sums(&go, work.path(), &proxy)?;
    let sumdb = TestSumdb::start(&truth)?;
    let gosumdb = sumdb.gosumdb();
    let url = proxy.url();
    let online = [("GOPROXY", url.as_str()), ("GOSUMDB", gosumdb.as_str())];

    let app = tempfile::tempdir()?;
    std::fs::write(app.path().join("go.mod"), APP_GO_MOD)?;
    std::fs::write(app.path().join("go.sum"), &truth)?;

    // The honest go.sum verifies.
    let home = tempfile::tempdir()?;
    let honest = gomodls_check(
        &["check", "--verify", "go.sum"],
        app.path(),
        home.path(),
        &online,
    )?;
    assert_exit(&honest, 0);

    // A tampered line fails with go's words.
    let tampered = tampered(&truth)?;
    std::fs::write(app.path().join("go.sum"), &tampered)?;
    let go_work = tempfile::tempdir()?;
    let (ok, go_stderr, _) = go_mod_download(
        &go,
        go_work.path(),
        &go_work.path().join("app"),
        &proxy,
        &gosumdb,
        &tampered,
    )?;
    anyhow::ensure!(!ok, "go accepted a tampered go.sum");
    let home = tempfile::tempdir()?;
    let failed = gomodls_check(
        &["check", "--verify", "go.sum"],
        app.path(),
        home.path(),
        &online,
    )?;
    let stdout = String::from_utf8_lossy(&failed.stdout).into_owned();
    assert_eq!(failed.status.code(), Some(1), "{stdout}");
    let line = line_of(&tampered, "example.com/a v1.0.0/go.mod ")? + 1;
    let column = tampered
        .lines()
        .find(|text| text.starts_with("example.com/a v1.0.0/go.mod "))
        .and_then(|text| text.find("h1:"))
        .context("no hash")?
        + 1;
    let prefix = format!("go.sum:{line}:{column}: error: ");
    // Other diagnostics (hints) may come before or after; the checksum error is one entry.
    let message = stdout
        .find(&prefix)
        .and_then(|start| stdout.get(start + prefix.len()..))
        .and_then(|rest| rest.split_once(" [checksum]\n"))
        .map(|(message, _)| message)
        .with_context(|| format!("no checksum error at {prefix} in:\n{stdout}"))?;
    assert!(
        message.starts_with("verifying example.com/a@v1.0.0/go.mod: checksum mismatch\n"),
        "{message}"
    );
    assert!(
        go_stderr.contains(message),
        "go said:\n{go_stderr}\nwe said:\n{message}"
    );

    // Offline with empty caches: nothing can be verified, which is not an error.
    let home = tempfile::tempdir()?;
    let offline = gomodls_check(
        &["check", "--verify", "--offline", "go.sum"],
        app.path(),
        home.path(),
        &online,
    )?;
    assert_eq!(offline.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&offline.stderr).contains("could not be verified now"),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );

    // A lying database: the honest go.sum fails to verify against it unless GONOSUMDB exempts
    // the modules (then the downloads alone decide, and they agree).
    // (A database of its own: a record lies only if it enters the log after the lie is set.)
    std::fs::write(app.path().join("go.sum"), &truth)?;
    let lying = TestSumdb::start(&truth)?;
    lying.lie(Lie::WrongHash {
        path: "example.com/b".to_owned(),
        version: "v1.1.0".to_owned(),
    });
    let gosumdb = lying.gosumdb();
    let online = [("GOPROXY", url.as_str()), ("GOSUMDB", gosumdb.as_str())];
    let home = tempfile::tempdir()?;
    let lied_to = gomodls_check(
        &["check", "--verify", "go.sum"],
        app.path(),
        home.path(),
        &online,
    )?;
    let lied_stdout = String::from_utf8_lossy(&lied_to.stdout).into_owned();
    assert_eq!(lied_to.status.code(), Some(1), "{lied_stdout}");
    assert!(
        lied_stdout.contains("example.com/b@v1.1.0: verifying module: checksum mismatch\n"),
        "{lied_stdout}"
    );
    let home = tempfile::tempdir()?;
    let exempt = [
        ("GOPROXY", url.as_str()),
        ("GOSUMDB", gosumdb.as_str()),
        ("GONOSUMDB", "example.com"),
    ];
    let exempted = gomodls_check(
        &["check", "--verify", "go.sum"],
        app.path(),
        home.path(),
        &exempt,
    )?;
    assert_exit(&exempted, 0);
    // GOFLAGS=-insecure turns the database off as well.
    let home = tempfile::tempdir()?;
    let insecure = [
        ("GOPROXY", url.as_str()),
        ("GOSUMDB", gosumdb.as_str()),
        ("GOFLAGS", "-insecure"),
    ];
    let without_database = gomodls_check(
        &["check", "--verify", "go.sum"],
        app.path(),
        home.path(),
        &insecure,
    )?;
    assert_eq!(
        without_database.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&without_database.stdout)
    );
    Ok(())
}
