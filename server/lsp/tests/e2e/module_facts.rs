//! Module facts fetched in the background from a real module proxy on 127.0.0.1: diagnostics
//! from the facts, the `gomodls/status` notification, one message when the proxy is down, and
//! requests answered while a slow fetch runs.

use std::path::Path;
use std::time::Duration;

use gomodls_test_utils::proxy::{
    Fault, FaultRule, Fixture, FixtureVersion, SocksProxy, SocksReply, TUNNELLED_HOST, TestProxy,
};
use gomodls_tests::{ServerOptions, TestServer, file_uri};
use serde_json::{Value, json};
use time::macros::datetime;

fn fixture() -> Fixture {
    let go_mod = |path: &str, extra: &str| format!("module {path}\n\ngo 1.21\n{extra}");
    Fixture::new()
        .with(
            FixtureVersion::new("example.com/m", "v1.0.0")
                .go_mod(go_mod("example.com/m", ""))
                .time(datetime!(2023-01-01 00:00 UTC)),
        )
        .with(
            FixtureVersion::new("example.com/m", "v1.1.0")
                .go_mod(go_mod("example.com/m", ""))
                .time(datetime!(2023-03-01 00:00 UTC)),
        )
        .with(
            FixtureVersion::new("example.com/m", "v1.2.0")
                .go_mod(go_mod(
                    "example.com/m",
                    "\n// v1.1.0 was broken\nretract v1.1.0\n",
                ))
                .time(datetime!(2023-04-01 00:00 UTC)),
        )
        .with(FixtureVersion::new("example.com/dep", "v1.0.0").go_mod(
            "// Deprecated: use example.com/dep2 instead.\nmodule example.com/dep\n\ngo 1.21\n",
        ))
        .with(FixtureVersion::new("example.com/up", "v1.0.0").go_mod(go_mod("example.com/up", "")))
        .with(FixtureVersion::new("example.com/up", "v1.3.0").go_mod(go_mod("example.com/up", "")))
}

const GO_MOD: &str = "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/m v1.1.0\n\texample.com/dep v1.0.0\n\texample.com/up v1.0.0\n)\n\nrequire example.com/m v1.9.9\n\nreplace example.com/gone => example.com/up v1.3.0\n";

/// The go.sum GO_MOD has: the go.mod lines of every required version that exists (v1.9.9 does
/// not, so its entry stays missing, as go reports too).
const GO_SUM: &str = "example.com/dep v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/m v1.1.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/up v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

/// A server whose go environment points at `proxy_url`, with private caches under `home`.
fn server_options(home: &Path, proxy_url: &str) -> ServerOptions {
    crate::proxy_options(home, proxy_url)
        .capability("workspace", "codeLens", json!({"refreshSupport": true}))
        .capability("workspace", "inlayHint", json!({"refreshSupport": true}))
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics["diagnostics"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn message_of(diagnostics: &Value, code: &str) -> Option<(String, String)> {
    diagnostics["diagnostics"]
        .as_array()?
        .iter()
        .find_map(|item| {
            (item["code"] == code).then(|| {
                (
                    item["source"].as_str().unwrap_or_default().to_owned(),
                    item["message"].as_str().unwrap_or_default().to_owned(),
                )
            })
        })
}

fn has_code(code: &'static str) -> impl Fn(&Value) -> bool {
    move |params| codes(params).iter().any(|found| found == code)
}

#[test]
fn diagnostics_from_the_proxy_then_refreshes_and_status() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    std::fs::write(work.join("go.sum"), GO_SUM)?;
    let uri = file_uri(&work.join("go.mod"));
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    let published = server.wait_notification(
        "textDocument/publishDiagnostics",
        has_code("retracted-version"),
    )?;
    let status = server.wait_notification("gomodls/status", |_| true)?;
    assert_eq!(status, json!({"moduleData": "live"}));
    let mut found = codes(&published);
    found.sort();
    assert_eq!(
        found,
        [
            "dead-replace",
            "deprecated-module",
            "duplicate-require",
            "missing-sum-entry",
            "retracted-version",
            "unknown-version",
            "update-available",
            "update-available",
        ]
    );
    assert_eq!(
        message_of(&published, "missing-sum-entry"),
        Some((
            "go".to_owned(),
            "example.com/m@v1.9.9: missing go.sum entry for go.mod file; to add it:\n\tgo mod download example.com/m".to_owned()
        ))
    );
    assert_eq!(
        message_of(&published, "retracted-version"),
        Some((
            "go".to_owned(),
            "example.com/m@v1.1.0: retracted by module author: v1.1.0 was broken".to_owned()
        ))
    );
    assert_eq!(
        message_of(&published, "deprecated-module"),
        Some((
            "go".to_owned(),
            "module example.com/dep is deprecated: use example.com/dep2 instead.".to_owned()
        ))
    );
    assert_eq!(
        message_of(&published, "unknown-version"),
        Some((
            "go".to_owned(),
            "example.com/m@v1.9.9: invalid version: unknown revision v1.9.9".to_owned()
        ))
    );
    server.wait_server_request("workspace/inlayHint/refresh")?;
    server.wait_server_request("workspace/codeLens/refresh")?;
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn a_proxy_that_is_down_gives_one_message_and_cached_status() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let url = {
        let proxy = TestProxy::start(fixture())?;
        proxy.url()
    };
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    let uri = file_uri(&work.join("go.mod"));
    let (mut server, _) = TestServer::start(server_options(home.path(), &url))?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    let status = server.wait_notification("gomodls/status", |_| true)?;
    assert_eq!(status, json!({"moduleData": "cached"}));
    let message = server.wait_notification("window/showMessage", |_| true)?;
    // The cause in go's words: the proxy's port refuses connections now.
    let refused = format!(
        "dial tcp {}: connect: connection refused",
        url.trim_start_matches("http://")
    );
    assert!(
        message["message"].as_str().is_some_and(|text| text
            .contains("module proxy cannot be used")
            && text.contains(&refused)),
        "{message}"
    );
    // A change asks for the modules again; still one message in all.
    server.change(
        &uri,
        2,
        vec![json!({"text": format!("{GO_MOD}\nrequire example.com/other v1.0.0\n")})],
    )?;
    server.wait_diagnostics(&uri, Some(2))?;
    let answer = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )?;
    assert!(answer.is_array());
    let messages = server
        .pending_notifications()?
        .into_iter()
        .filter(|(method, _)| method == "window/showMessage")
        .count();
    assert_eq!(messages, 0, "a second message was shown");
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn requests_are_answered_while_a_slow_fetch_runs() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    proxy.inject(FaultRule::everywhere(Fault::Latency(Duration::from_secs(
        5,
    ))));
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    let uri = file_uri(&work.join("go.mod"));
    let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    let answer = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )?;
    assert!(answer.is_array());
    // The answer came before any diagnostic that needs the proxy.
    let early = server
        .pending_notifications()?
        .into_iter()
        .any(|(method, params)| {
            method == "textDocument/publishDiagnostics" && has_code("retracted-version")(&params)
        });
    assert!(!early, "facts arrived before the request was answered");
    // The fetch runs longer than half a second, so the client is shown progress.
    server.wait_server_request("window/workDoneProgress/create")?;
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn a_proxy_failing_with_500s_or_garbage_degrades_without_hanging() -> anyhow::Result<()> {
    for fault in [
        Fault::Status(500),
        Fault::replace_body("\u{0}\u{1}garbage{{{"),
    ] {
        let home = tempfile::tempdir()?;
        let proxy = TestProxy::start(fixture())?;
        proxy.inject(FaultRule::everywhere(fault));
        let work = home.path().join("app");
        std::fs::create_dir_all(&work)?;
        std::fs::write(work.join("go.mod"), GO_MOD)?;
        let uri = file_uri(&work.join("go.mod"));
        let (mut server, _) = TestServer::start(server_options(home.path(), &proxy.url()))?;
        server.open(&uri, "gomod", 1, GO_MOD)?;
        server.wait_notification("gomodls/status", |_| true)?;
        let published = server.wait_diagnostics(&uri, Some(1))?;
        assert!(
            !codes(&published)
                .iter()
                .any(|code| code == "retracted-version")
        );
        let answer = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 5, "character": 3}}),
        )?;
        assert!(answer.is_null() || answer.is_object());
        server.shutdown_and_exit()?;
    }
    Ok(())
}

#[test]
fn hover_shows_proxy_data_and_still_answers_from_cache_when_the_proxy_goes_down()
-> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    let uri = file_uri(&work.join("go.mod"));
    let options = server_options(home.path(), &proxy.url()).capability(
        "textDocument",
        "hover",
        json!({"contentFormat": ["plaintext"]}),
    );
    let mut server = open_and_wait_for_facts(options, &uri)?;
    // Line 5 is `\texample.com/m v1.1.0`; the cursor is on the version.
    let position = json!({"line": 5, "character": 18});
    let hover = |server: &mut TestServer| -> anyhow::Result<String> {
        let answer = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        )?;
        Ok(answer["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    };
    let text = hover(&mut server)?;
    assert!(
        text.contains("Retracted: retracted by module author: v1.1.0 was broken"),
        "{text}"
    );
    assert!(text.contains("Latest v1: v1.2.0 (2023-04-01)."), "{text}");
    assert!(
        text.contains("https://pkg.go.dev/example.com/m@v1.1.0"),
        "{text}"
    );
    drop(proxy);
    server.change(&uri, 2, vec![json!({"text": GO_MOD})])?;
    server.wait_diagnostics(&uri, Some(2))?;
    let text = hover(&mut server)?;
    assert!(text.contains("Latest v1: v1.2.0 (2023-04-01)."), "{text}");
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn check_command_reports_network_diagnostics_through_the_proxy() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let proxy = TestProxy::start(fixture())?;
    let work = home.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    std::fs::write(work.join("go.sum"), GO_SUM)?;
    let run = |extra: &[&str]| -> anyhow::Result<Value> {
        let output = std::process::Command::new(crate::binary())
            .args(["check", "--format", "json"])
            .args(extra)
            .arg(&work)
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("GOMODCACHE", home.path().join("gomodcache"))
            .env("GOENV", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOSUMDB", "off")
            .env("GOPROXY", proxy.url())
            .output()?;
        Ok(serde_json::from_slice(&output.stdout)?)
    };
    let report = run(&[])?;
    let mut found: Vec<String> = report
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.dedup();
    assert_eq!(
        found,
        [
            "dead-replace",
            "deprecated-module",
            "duplicate-require",
            "missing-sum-entry",
            "retracted-version",
            "unknown-version",
            "update-available",
        ]
    );
    // Offline with a fresh cache: no module facts, only the syntax checks.
    std::fs::remove_dir_all(home.path().join("cache")).ok();
    let report = run(&["--offline"])?;
    let codes: Vec<&str> = report
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["code"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(codes.contains(&"dead-replace"), "{codes:?}");
    assert!(!codes.contains(&"retracted-version"), "{codes:?}");
    Ok(())
}

/// A server started with `options` that has opened `uri` ([`GO_MOD`]) and published the
/// diagnostics of its module facts.
fn open_and_wait_for_facts(options: ServerOptions, uri: &str) -> anyhow::Result<TestServer> {
    let (mut server, _) = TestServer::start(options)?;
    server.open(uri, "gomod", 1, GO_MOD)?;
    server.wait_notification(
        "textDocument/publishDiagnostics",
        has_code("retracted-version"),
    )?;
    Ok(server)
}

/// The URI of `home/app/go.mod`, written with [`GO_MOD`].
fn app_with_go_mod(home: &Path) -> anyhow::Result<String> {
    let work = home.join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), GO_MOD)?;
    Ok(file_uri(&work.join("go.mod")))
}

/// HTTP_PROXY and NO_PROXY in the server's environment, as go applies them: module data comes
/// through the forward proxy, or straight from the module proxy when NO_PROXY names its host. The
/// module proxy is named by 0.0.0.0, which Linux dials as this machine and which is not loopback
/// (loopback hosts never go through a proxy), so no name is looked up. A forward proxy that
/// refuses connections is named in the message, in go's words.
#[test]
fn module_data_goes_through_the_http_proxy_of_the_environment() -> anyhow::Result<()> {
    let module_proxy = TestProxy::start(fixture())?;
    let forward = TestProxy::start(fixture())?;
    let goproxy = format!("http://0.0.0.0:{}", module_proxy.address().port());
    for (no_proxy, through_forward) in [("", true), ("0.0.0.0", false)] {
        let home = tempfile::tempdir()?;
        let uri = app_with_go_mod(home.path())?;
        let options = server_options(home.path(), &goproxy)
            .env("HTTP_PROXY", &forward.url())
            .env("NO_PROXY", no_proxy)
            .env("no_proxy", no_proxy);
        let server = open_and_wait_for_facts(options, &uri)?;
        server.shutdown_and_exit()?;
        let (forwarded, direct) = (forward.request_log(), module_proxy.request_log());
        assert_eq!(
            !forwarded.is_empty(),
            through_forward,
            "NO_PROXY={no_proxy:?}"
        );
        assert_eq!(direct.is_empty(), through_forward, "NO_PROXY={no_proxy:?}");
        // Through the forward proxy, the requests still name the module proxy's host.
        let expected_host = goproxy.trim_start_matches("http://");
        assert!(
            forwarded
                .iter()
                .all(|record| record.header("host") == Some(expected_host)),
            "{forwarded:?}"
        );
        forward.clear_log();
        module_proxy.clear_log();
    }

    let refusing = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.to_string()
    };
    let refused = format!("proxyconnect tcp: dial tcp {refusing}: connect: connection refused");
    message_names_the_proxy_failure(&goproxy, &refusing, &refused)?;
    assert!(module_proxy.request_log().is_empty());
    Ok(())
}

/// Opens a go.mod with `http_proxy` as HTTP_PROXY (and no NO_PROXY) over `goproxy`, and checks
/// that the server's message about the failed fetch says `words`.
fn message_names_the_proxy_failure(
    goproxy: &str,
    http_proxy: &str,
    words: &str,
) -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let uri = app_with_go_mod(home.path())?;
    let options = server_options(home.path(), goproxy)
        .env("HTTP_PROXY", http_proxy)
        .env("NO_PROXY", "")
        .env("no_proxy", "");
    let (mut server, _) = TestServer::start(options)?;
    server.open(&uri, "gomod", 1, GO_MOD)?;
    let message = server.wait_notification("window/showMessage", |_| true)?;
    assert!(
        message["message"]
            .as_str()
            .is_some_and(|text| text.contains(words)),
        "{message}"
    );
    server.shutdown_and_exit()?;
    Ok(())
}

/// A SOCKS5 proxy in HTTP_PROXY (with credentials, as an `ssh -D` tunnel or a corporate SOCKS
/// gateway may want): module data comes through it, the module proxy named by a host name that
/// only the SOCKS proxy resolves. A SOCKS proxy that refuses the connection is named in the
/// message, in go's words.
#[test]
fn module_data_goes_through_a_socks5_proxy_of_the_environment() -> anyhow::Result<()> {
    let module_proxy = TestProxy::start(fixture())?;
    let socks = SocksProxy::start_with_credentials("dev", "s3cret")?;
    socks.route(&format!("{TUNNELLED_HOST}:80"), module_proxy.address());
    let goproxy = format!("http://{TUNNELLED_HOST}");
    let socks_url = format!("socks5://dev:s3cret@{}", socks.address());
    let home = tempfile::tempdir()?;
    let uri = app_with_go_mod(home.path())?;
    let options = server_options(home.path(), &goproxy)
        .env("HTTP_PROXY", &socks_url)
        .env("NO_PROXY", "")
        .env("no_proxy", "");
    let server = open_and_wait_for_facts(options, &uri)?;
    server.shutdown_and_exit()?;
    let connects = socks.connects();
    assert!(!connects.is_empty());
    for connect in &connects {
        assert_eq!(connect.target, format!("{TUNNELLED_HOST}:80"));
        assert!(connect.by_name, "{connect:?}");
        assert_eq!(
            connect.credentials,
            Some(("dev".to_owned(), "s3cret".to_owned()))
        );
    }
    // The SOCKS proxy's credentials go to it alone.
    let reached = module_proxy.request_log();
    assert!(!reached.is_empty());
    assert!(
        reached
            .iter()
            .all(|record| record.header("proxy-authorization").is_none()
                && record.header("authorization").is_none()),
        "{reached:?}"
    );
    module_proxy.clear_log();

    socks.refuse_with(SocksReply::ConnectionNotAllowed);
    let refused = format!(
        "socks connect tcp {}->{TUNNELLED_HOST}:80: unknown error connection not allowed by \
         ruleset",
        socks.address()
    );
    message_names_the_proxy_failure(&goproxy, &socks_url, &refused)?;
    assert!(module_proxy.request_log().is_empty());
    Ok(())
}
