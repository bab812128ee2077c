//! The module client over HTTPS and HTTP/2: a test proxy with its own certificate authority,
//! trusted through SSL_CERT_FILE as the go command trusts it, and checked against `go` itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{client, env, fixture, go_command};
use gomodls_test_utils::go::require_go;
use gomodls_test_utils::proxy::TestProxy;

fn https_proxy() -> TestProxy {
    TestProxy::start_https(fixture()).unwrap()
}

/// A client with a memory cache and home `home`, through the HTTPS `proxy`, trusting its CA.
fn trusting_client(proxy: &TestProxy, home: &Path) -> gomodls_modfetch::ModuleClient {
    let ca = proxy.ca_cert_path().unwrap().display().to_string();
    client(env(
        home,
        &[("GOPROXY", &proxy.url()), ("SSL_CERT_FILE", &ca)],
    ))
}

/// `go ARGS` in a module `app` under `work`, through `proxy`, trusting `ca` if given.
fn go(go: &Path, proxy: &TestProxy, work: &Path, ca: Option<&Path>, args: &[&str]) -> Output {
    let app = work.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("go.mod"), "module app\n\ngo 1.21\n").unwrap();
    let mut command = go_command(go, &proxy.url(), work);
    command
        .env("GOMODCACHE", work.join("gopath/pkg/mod"))
        .current_dir(&app)
        .args(args);
    if let Some(ca) = ca {
        command.env("SSL_CERT_FILE", ca);
    }
    command.output().unwrap()
}

#[tokio::test]
async fn client_fetches_over_https_and_http2_with_ssl_cert_file() {
    let home = tempfile::tempdir().unwrap();
    let proxy = https_proxy();
    let ca = proxy.ca_cert_path().unwrap().display().to_string();
    assert!(proxy.url().starts_with("https://127.0.0.1:"));
    let c = client(env(
        home.path(),
        &[("GOPROXY", &proxy.url()), ("SSL_CERT_FILE", &ca)],
    ));
    let versions = c.versions("example.com/m").await.unwrap().value.versions;
    assert_eq!(
        versions,
        ["v0.9.0", "v1.0.0", "v1.1.0-rc.1", "v1.1.0", "v1.2.0"]
    );
    let info = c.info("example.com/m", "v1.2.0").await.unwrap().value;
    assert_eq!(info.version, "v1.2.0");
    let go_mod = c.go_mod("example.com/m", "v1.2.0").await.unwrap().value;
    assert!(go_mod.starts_with(b"module example.com/m\n"));
    let zip = c.zip("example.com/m", "v1.2.0").await.unwrap().value;
    assert!(std::fs::metadata(&zip).unwrap().len() > 0);

    let log = proxy.request_log();
    let mut paths: Vec<&str> = log.iter().map(|r| r.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/example.com/m/@v/list",
            "/example.com/m/@v/v1.2.0.info",
            "/example.com/m/@v/v1.2.0.mod",
            "/example.com/m/@v/v1.2.0.zip",
        ]
    );
    for record in &log {
        assert_eq!(record.version, "HTTP/2.0", "{}", record.path);
    }
    // One connection carried them all (HTTP/2 multiplexing, connection reused).
    assert!(log.iter().all(|r| r.connection == log[0].connection));
}

#[tokio::test]
async fn go_agrees_with_the_client_over_https() {
    let Some(go_bin) = require_go("go_agrees_with_the_client_over_https").unwrap() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let proxy = https_proxy();
    let ca = proxy.ca_cert_path().unwrap().to_path_buf();
    let ca_text = ca.display().to_string();
    let c = client(env(
        home.path(),
        &[("GOPROXY", &proxy.url()), ("SSL_CERT_FILE", &ca_text)],
    ));
    let work = tempfile::tempdir().unwrap();

    let listed = go(
        &go_bin,
        &proxy,
        work.path(),
        Some(&ca),
        &[
            "list",
            "-m",
            "-json",
            "-versions",
            "-retracted",
            "example.com/m@latest",
        ],
    );
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let go_versions: Vec<String> = serde_json::from_value(listed["Versions"].clone()).unwrap();
    let ours = c.versions("example.com/m").await.unwrap().value.versions;
    assert_eq!(ours, go_versions);

    let downloaded = go(
        &go_bin,
        &proxy,
        work.path(),
        Some(&ca),
        &["mod", "download", "-json", "example.com/m@v1.2.0"],
    );
    assert!(
        downloaded.status.success(),
        "{}",
        String::from_utf8_lossy(&downloaded.stderr)
    );
    let downloaded: serde_json::Value = serde_json::from_slice(&downloaded.stdout).unwrap();
    assert_eq!(downloaded["Version"], "v1.2.0");
    let info = c.info("example.com/m", "v1.2.0").await.unwrap().value;
    assert_eq!(info.version, downloaded["Version"]);
    let go_mod = c.go_mod("example.com/m", "v1.2.0").await.unwrap().value;
    let go_go_mod = std::fs::read(downloaded["GoMod"].as_str().unwrap()).unwrap();
    assert_eq!(go_mod.as_ref(), go_go_mod.as_slice());
    let zip = c.zip("example.com/m", "v1.2.0").await.unwrap().value;
    let go_zip = std::fs::read(downloaded["Zip"].as_str().unwrap()).unwrap();
    assert_eq!(std::fs::read(zip).unwrap(), go_zip);

    // go negotiates HTTP/2 by ALPN too.
    assert!(proxy.request_log().iter().all(|r| r.version == "HTTP/2.0"));
}

#[tokio::test]
async fn both_refuse_the_certificate_without_ssl_cert_file() {
    let proxy = https_proxy();
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &[("GOPROXY", &proxy.url())]));
    let error = c.versions("example.com/m").await.unwrap_err().to_string();
    // go's words (and ours) for the refused certificate, after `Get "URL": `.
    let refused = format!(
        "Get \"{}/example.com/m/@v/list\": tls: failed to verify certificate: x509: certificate \
         signed by unknown authority",
        proxy.url()
    );
    assert!(error.contains(&refused), "{error}");
    // The handshake failed: no request reached the proxy.
    assert!(proxy.request_log().is_empty());

    let Some(go_bin) = require_go("both_refuse_the_certificate_without_ssl_cert_file").unwrap()
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let listed = go(
        &go_bin,
        &proxy,
        work.path(),
        None,
        &["list", "-m", "-json", "-versions", "example.com/m@latest"],
    );
    assert!(!listed.status.success());
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(stderr.contains(&refused), "{stderr}");
    assert!(proxy.request_log().is_empty());
}

#[tokio::test]
async fn modules_spread_over_a_few_connections_and_a_module_keeps_its_own() {
    use gomodls_test_utils::proxy::{Fixture, FixtureVersion};
    let mut fixture = Fixture::new();
    let paths: Vec<String> = (0..8).map(|i| format!("example.com/lanes/m{i}")).collect();
    for path in &paths {
        fixture.add(FixtureVersion::new(path, "v1.0.0"));
    }
    fixture.add(FixtureVersion::new("example.com/lanes/m0/v2", "v2.0.0"));
    let proxy = TestProxy::start_https(fixture).unwrap();
    let home = tempfile::tempdir().unwrap();
    let c = trusting_client(&proxy, home.path());
    // One request after another, so that no two race to open a connection.
    for path in &paths {
        c.versions(path).await.unwrap();
    }
    c.versions("example.com/lanes/m0/v2").await.unwrap();
    c.info("example.com/lanes/m0", "v1.0.0").await.unwrap();

    let log = proxy.request_log();
    assert!(log.iter().all(|r| r.version == "HTTP/2.0"));
    let connection_of = |path: &str| {
        log.iter()
            .find(|r| r.path == path)
            .unwrap_or_else(|| panic!("no request for {path}"))
            .connection
    };
    // A module, its other major versions and its later requests share a connection.
    let m0 = connection_of("/example.com/lanes/m0/@v/list");
    assert_eq!(m0, connection_of("/example.com/lanes/m0/v2/@v/list"));
    assert_eq!(m0, connection_of("/example.com/lanes/m0/@v/v1.0.0.info"));
    // One HTTP/2 connection could carry every request, but servers bound the streams of a
    // connection: modules are spread over a few connections, as go's transport dials another
    // when one is full.
    let connections: std::collections::BTreeSet<u64> = log.iter().map(|r| r.connection).collect();
    assert!(
        (2..=4).contains(&connections.len()),
        "connections used: {connections:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_to_a_new_https_host_makes_one_handshake_per_lane_not_one_per_request() {
    use gomodls_test_utils::proxy::{Fixture, FixtureVersion};
    let mut fixture = Fixture::new();
    let paths: Vec<String> = (0..100)
        .map(|i| format!("example.com/burst/m{i}"))
        .collect();
    for path in &paths {
        fixture.add(FixtureVersion::new(path, "v1.0.0"));
        fixture.add(FixtureVersion::new(path, "v1.1.0"));
    }
    let proxy = TestProxy::start_https(fixture).unwrap();
    let home = tempfile::tempdir().unwrap();
    let c = trusting_client(&proxy, home.path());
    // Every module's list and newer-major probe at once, then its latest .info and .mod: the
    // first requests of each lane find no connection open.
    for facts in c.facts_many(&paths).await {
        assert_eq!(facts.unwrap().latest_unretracted.as_deref(), Some("v1.1.0"));
    }
    let log = proxy.request_log();
    assert_eq!(log.len(), 400);
    assert!(log.iter().all(|r| r.version == "HTTP/2.0"));
    // Without the gates every request that found no connection open started a TLS handshake
    // of its own (160 to 200 here, each thrown away once the first connection of its lane was
    // up): now the first request of each lane connects and the others wait for it.
    // A waiter that looks before hyper-util has pooled the new HTTP/2 connection (the gate
    // gives it 2 ms) opens one of its own: 4 in 39 of 40 runs on a quiet machine, 5 once; with
    // the other core busy, 4 in 28 of 30, 8 and 16 once each.
    let opened = proxy.connections_accepted();
    println!("connections opened: {opened}");
    assert!(opened <= 24, "TLS handshakes: {opened}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_to_an_https_host_without_http2_still_gets_a_connection_per_request() {
    use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion};
    let mut fixture = Fixture::new();
    let paths: Vec<String> = (0..40).map(|i| format!("example.com/h1/m{i}")).collect();
    for path in &paths {
        fixture.add(FixtureVersion::new(path, "v1.0.0"));
    }
    let proxy = TestProxy::start_https_http1(fixture).unwrap();
    // Slow answers: requests that waited behind one connection would take 40 of these.
    proxy.inject(FaultRule::everywhere(Fault::Latency(
        std::time::Duration::from_millis(100),
    )));
    let home = tempfile::tempdir().unwrap();
    let c = trusting_client(&proxy, home.path());
    let versions = futures::future::join_all(paths.iter().map(|p| c.versions(p))).await;
    for listed in versions {
        assert_eq!(listed.unwrap().value.versions, ["v1.0.0"]);
    }
    let log = proxy.request_log();
    assert!(log.iter().all(|r| r.version == "HTTP/1.1"));
    // The first request of each lane connected alone; then the others opened their own
    // connections at once, as HTTP/1.1 needs, instead of queueing behind the lanes' four (with
    // a busy machine a late request may find an earlier one's connection free again).
    let connections: std::collections::BTreeSet<u64> = log.iter().map(|r| r.connection).collect();
    assert!(
        connections.len() >= paths.len() / 2,
        "connections: {}",
        connections.len()
    );
}

/// An HTTPS module proxy, and a forward proxy on plain HTTP that tunnels every `CONNECT` to it.
fn tunnelled() -> (TestProxy, TestProxy) {
    let secure = https_proxy();
    let forward = TestProxy::start(fixture()).unwrap();
    forward.tunnel_connects_to(secure.address());
    (secure, forward)
}

/// A certificate that does not name the host, by IP address (the proxy reached as 0.0.0.0) and
/// by name (a name the certificate lacks, reached through a forward proxy's tunnel): go's words,
/// compared with go's. Its authority trusted or not: go looks at the name first.
#[tokio::test]
async fn a_certificate_for_other_names_is_refused_in_go_words() {
    use gomodls_test_utils::proxy::TUNNELLED_HOST;
    let Some(go_command) =
        require_go("a_certificate_for_other_names_is_refused_in_go_words").unwrap()
    else {
        return;
    };
    let (secure, forward) = tunnelled();
    let by_address = format!("https://0.0.0.0:{}", secure.address().port());
    let forward_url = forward.url();
    let mut cases = vec![
        (
            &secure,
            by_address,
            "",
            "x509: certificate is valid for 127.0.0.1, not 0.0.0.0".to_owned(),
        ),
        (
            &secure,
            "https://other.gomodls.test".to_owned(),
            forward_url.as_str(),
            format!(
                "x509: certificate is valid for localhost, {TUNNELLED_HOST}, not other.gomodls.test"
            ),
        ),
    ];
    // Another proxy of the kind on [::1], which its certificate does not name either: go names
    // an IPv6 host as an address, unbracketed. A machine without an IPv6 loopback address cannot
    // run that case.
    let on_ipv6 = TestProxy::start_https_ipv6(fixture())
        .inspect_err(|err| eprintln!("no IPv6 loopback, the [::1] case is not run: {err}"))
        .ok();
    if let Some(on_ipv6) = &on_ipv6 {
        cases.push((
            on_ipv6,
            on_ipv6.url(),
            "",
            "x509: certificate is valid for 127.0.0.1, not ::1".to_owned(),
        ));
    }
    for (proxy, goproxy, https_proxy, expected) in cases {
        let goproxy = goproxy.as_str();
        let ca = proxy.ca_cert_path().unwrap().display().to_string();
        // An empty SSL_CERT_FILE is unset: the test CA is then unknown.
        for trusted in [ca.as_str(), ""] {
            let vars = [
                ("GOPROXY", goproxy),
                ("HTTPS_PROXY", https_proxy),
                ("SSL_CERT_FILE", trusted),
            ];
            let output = common::go_mod_download(&go_command, &vars);
            assert!(!output.status.success(), "{goproxy}");
            let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            let go_error = go_error["Error"].as_str().unwrap();
            assert!(
                go_error.ends_with(&format!("tls: failed to verify certificate: {expected}")),
                "{go_error}"
            );
            let home = tempfile::tempdir().unwrap();
            let c = client(env(home.path(), &vars));
            let ours = c.info("example.com/m", "v1.0.0").await.unwrap_err();
            assert_eq!(ours.to_string(), go_error, "{goproxy}, CA {trusted:?}");
        }
    }
}

/// HTTPS_PROXY for an https module proxy, checked against go: the requests tunnel through the
/// forward proxy (`CONNECT modules.gomodls.test:443`, a name nothing resolves, so only the tunnel
/// can reach it), the proxy's credentials go on the CONNECT alone, and the module proxy behind the
/// tunnel gets the requests, without them.
#[tokio::test]
async fn https_proxy_tunnels_to_the_module_proxy_as_go_does() {
    use gomodls_test_utils::proxy::TUNNELLED_HOST;
    let Some(go_command) =
        require_go("https_proxy_tunnels_to_the_module_proxy_as_go_does").unwrap()
    else {
        return;
    };
    let (secure, forward) = tunnelled();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    // What each side sent: the CONNECT requests' authority and credentials at the forward proxy,
    // and the module proxy's requests with any credentials they carried.
    let sent = || {
        let connects: Vec<(String, String, Option<String>)> = forward
            .request_log()
            .iter()
            .map(|record| {
                (
                    record.method.clone(),
                    record.uri.clone(),
                    record.header("proxy-authorization").map(str::to_owned),
                )
            })
            .collect();
        let behind: Vec<(String, Option<String>)> = secure
            .request_log()
            .iter()
            .map(|record| {
                let credentials = record
                    .header("proxy-authorization")
                    .or(record.header("authorization"));
                (record.path.clone(), credentials.map(str::to_owned))
            })
            .collect();
        forward.clear_log();
        secure.clear_log();
        (connects, behind)
    };

    // The proxy URL's user information, and the credentials of the CONNECT: its bytes once
    // percent-decoded, UTF-8 or not; an empty one is an empty user name and password to go.
    for (user_info, expected) in [
        // corp:s3cret
        ("corp:s3cret@", Some("Basic Y29ycDpzM2NyZXQ=")),
        // us 0xFF er : p 0xFE ss
        ("us%FFer:p%FEss@", Some("Basic dXP/ZXI6cP5zcw==")),
        // :
        ("@", Some("Basic Og==")),
        // bob:
        ("bob@", Some("Basic Ym9iOg==")),
        ("", None),
    ] {
        let https_proxy = forward
            .url()
            .replace("http://", &format!("http://{user_info}"));
        let vars = [
            ("GOPROXY", goproxy.as_str()),
            ("HTTPS_PROXY", https_proxy.as_str()),
            ("SSL_CERT_FILE", ca.as_str()),
        ];
        let output = common::go_mod_download(&go_command, &vars);
        assert!(output.status.success(), "{user_info}: {output:?}");
        let (go_connects, go_behind) = sent();
        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &vars));
        let info = c.info("example.com/m", "v1.0.0").await.unwrap();
        assert_eq!(info.value.version, "v1.0.0");
        let (our_connects, our_behind) = sent();

        let tunnel = (
            "CONNECT".to_owned(),
            format!("{TUNNELLED_HOST}:443"),
            expected.map(str::to_owned),
        );
        for (side, connects, behind) in [
            ("go", &go_connects, &go_behind),
            ("ours", &our_connects, &our_behind),
        ] {
            assert!(!connects.is_empty(), "{side} {user_info}: no CONNECT");
            assert!(
                connects.iter().all(|c| *c == tunnel),
                "{side} {user_info}: {connects:?}"
            );
            assert!(
                behind.contains(&("/example.com/m/@v/v1.0.0.info".to_owned(), None)),
                "{side} {user_info}: {behind:?}"
            );
            assert!(
                behind.iter().all(|(_, credentials)| credentials.is_none()),
                "{side} {user_info}: {behind:?}"
            );
        }
    }
}

/// A forward proxy that refuses the tunnel: it wants credentials the environment does not give
/// (407), or it will not reach the host (403, 502). go names the proxy's answer by its status text,
/// and so do we; the module proxy behind it gets nothing.
#[tokio::test]
async fn a_forward_proxy_that_refuses_the_tunnel_is_reported_in_go_words() {
    use gomodls_test_utils::proxy::{Fault, FaultRule, TUNNELLED_HOST};
    let Some(go_command) =
        require_go("a_forward_proxy_that_refuses_the_tunnel_is_reported_in_go_words").unwrap()
    else {
        return;
    };
    let (secure, forward) = tunnelled();
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let forward_url = forward.url();
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTPS_PROXY", forward_url.as_str()),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    // A proxy's own words for a refusal (Microsoft's TMG writes its reasons into the status line).
    let tmg = "Proxy Authentication Required ( Forefront TMG requires authorization to fulfill \
               the request. Access to the Web Proxy filter is denied.  )";
    for (status, reason, text) in [
        (407, None, "Proxy Authentication Required"),
        (407, Some(tmg), tmg),
        (407, Some("Login First"), "Login First"),
        (
            407,
            Some("Autenticación requerida"),
            "Autenticación requerida",
        ),
        (403, None, "Forbidden"),
        (403, Some("Blocked by policy"), "Blocked by policy"),
        (502, None, "Bad Gateway"),
        // Only 200 opens a tunnel, to go.
        (204, None, "No Content"),
    ] {
        forward.clear_faults();
        let fault = match reason {
            Some(reason) => Fault::StatusWithReason {
                status,
                reason: reason.to_owned(),
            },
            None => Fault::Status(status),
        };
        forward.inject(FaultRule::everywhere(fault));
        let output = common::go_mod_download(&go_command, &vars);
        let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let go_error = go_error["Error"].as_str().unwrap();
        assert_eq!(
            go_error,
            format!("example.com/m@v1.0.0: Get \"{goproxy}/example.com/m/@v/v1.0.0.info\": {text}")
        );
        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &vars));
        forward.clear_log();
        let ours = c.info("example.com/m", "v1.0.0").await.unwrap_err();
        assert_eq!(ours.to_string(), go_error, "{status} {reason:?}");
        // One try and one asking for the words, as the retry policy has it: only a 5xx answer
        // is tried again (the test client tries twice more).
        let connects = forward.request_log().len();
        let tries = if status >= 500 { 3 } else { 1 };
        assert_eq!(connects, 2 * tries, "{status} {reason:?}");
    }
    assert!(secure.request_log().is_empty());
}

/// A forward proxy that refuses the tunnel for the credentials it was given (407): the request is
/// not retried, and the proxy is asked for its own words once, not after every refusal. Each try
/// is one more failed login, which may lock the user's account.
#[tokio::test]
async fn a_proxy_refusing_the_credentials_is_asked_for_its_words_once() {
    use gomodls_test_utils::proxy::{Fault, FaultRule, TUNNELLED_HOST};
    let (secure, forward) = tunnelled();
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let https_proxy = forward.url().replace("http://", "http://corp:wrong@");
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTPS_PROXY", https_proxy.as_str()),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    forward.inject(FaultRule::everywhere(Fault::StatusWithReason {
        status: 407,
        reason: "Login First".to_owned(),
    }));
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &vars));
    let connects = || {
        forward
            .request_log()
            .iter()
            .filter(|r| r.method == "CONNECT")
            .count()
    };
    let first = c.info("example.com/m", "v1.0.0").await.unwrap_err();
    let after_first = connects();
    let second = c.go_mod("example.com/m", "v1.0.0").await.unwrap_err();
    let after_second = connects() - after_first;
    for err in [&first, &second] {
        assert!(err.to_string().ends_with(": Login First"), "{err}");
    }
    // One try, as go's, never retried; and the one asking for the words the first time only.
    assert_eq!((after_first, after_second), (2, 1));
    assert!(secure.request_log().is_empty());
}

/// Credentials in the GOPROXY URL, percent-encoded as a user name with `@` and a password with
/// `:` must be: go sends them decoded to their bytes (UTF-8 or not), as Basic credentials, an
/// empty user information too; so do we.
#[tokio::test]
async fn credentials_in_the_goproxy_url_are_sent_decoded_as_go_sends_them() {
    let Some(go_command) =
        require_go("credentials_in_the_goproxy_url_are_sent_decoded_as_go_sends_them").unwrap()
    else {
        return;
    };
    let secure = https_proxy();
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let sent = || {
        let log = secure.request_log();
        secure.clear_log();
        let values: std::collections::BTreeSet<Option<String>> = log
            .iter()
            .map(|record| record.authorization().map(str::to_owned))
            .collect();
        values
    };
    for (user_info, expected) in [
        // dev@corp.example:p:s/s%
        (
            "dev%40corp.example:p%3As%2Fs%25@",
            "Basic ZGV2QGNvcnAuZXhhbXBsZTpwOnMvcyU=",
        ),
        // us 0xFF er : p 0xFE ss é (bytes that are not UTF-8, then some that are)
        ("us%FFer:p%FEss%C3%A9@", "Basic dXP/ZXI6cP5zc8Op"),
        // An empty user name and password: go's url.User("").
        ("@", "Basic Og=="),
        // bob:
        ("bob@", "Basic Ym9iOg=="),
        // :pw
        (":pw@", "Basic OnB3"),
    ] {
        let goproxy = secure
            .url()
            .replace("https://", &format!("https://{user_info}"));
        let vars = [
            ("GOPROXY", goproxy.as_str()),
            ("SSL_CERT_FILE", ca.as_str()),
        ];
        let output = common::go_mod_download(&go_command, &vars);
        assert!(output.status.success(), "{user_info}: {output:?}");
        let go_sent = sent();
        assert_eq!(
            go_sent,
            std::collections::BTreeSet::from([Some(expected.to_owned())]),
            "{user_info}"
        );
        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &vars));
        c.info("example.com/m", "v1.0.0").await.unwrap();
        assert_eq!(sent(), go_sent, "{user_info}");
    }
}

/// HTTPS_PROXY naming an https forward proxy: TLS to the proxy, then the tunnel inside it, as go
/// does. Both test proxies' authorities are trusted through one SSL_CERT_FILE bundle.
#[tokio::test]
async fn an_https_forward_proxy_carries_the_tunnel_as_go_does() {
    use gomodls_test_utils::proxy::TUNNELLED_HOST;
    let Some(go_command) =
        require_go("an_https_forward_proxy_carries_the_tunnel_as_go_does").unwrap()
    else {
        return;
    };
    let secure = https_proxy();
    let forward = TestProxy::start_https_http1(fixture()).unwrap();
    forward.tunnel_connects_to(secure.address());
    let bundle = tempfile::NamedTempFile::new().unwrap();
    let mut pem = std::fs::read(secure.ca_cert_path().unwrap()).unwrap();
    pem.extend(std::fs::read(forward.ca_cert_path().unwrap()).unwrap());
    std::fs::write(bundle.path(), pem).unwrap();
    let bundle = bundle.path().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let forward_url = forward.url();
    assert!(forward_url.starts_with("https://"));
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTPS_PROXY", forward_url.as_str()),
        ("SSL_CERT_FILE", bundle.as_str()),
    ];
    let routes = || {
        let connects: Vec<(String, String)> = forward
            .request_log()
            .iter()
            .map(|record| (record.method.clone(), record.uri.clone()))
            .collect();
        let behind = secure.request_log().len();
        forward.clear_log();
        secure.clear_log();
        (connects, behind)
    };
    let output = common::go_mod_download(&go_command, &vars);
    assert!(output.status.success(), "{output:?}");
    let (go_connects, go_behind) = routes();
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &vars));
    c.info("example.com/m", "v1.0.0").await.unwrap();
    let (our_connects, our_behind) = routes();
    let tunnel = ("CONNECT".to_owned(), format!("{TUNNELLED_HOST}:443"));
    for (side, connects, behind) in [
        ("go", go_connects, go_behind),
        ("ours", our_connects, our_behind),
    ] {
        assert!(!connects.is_empty(), "{side}");
        assert!(
            connects.iter().all(|c| *c == tunnel),
            "{side}: {connects:?}"
        );
        assert!(behind > 0, "{side}");
    }
}
