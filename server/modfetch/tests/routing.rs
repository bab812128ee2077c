//! GOPROXY list semantics against two real test proxies, read from their request logs, and the
//! go command itself (`go mod download`) against the same two proxies as the oracle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::{client, empty_proxy, env, proxy, requests_for};
use gomodls_test_utils::go::require_go;
use gomodls_test_utils::proxy::{Fault, FaultRule, TestProxy};

fn goproxy(parts: &[&str]) -> String {
    parts.concat()
}

/// `go mod download -json example.com/m@v1.0.0` through `list`, in a fresh GOPATH.
fn go_mod_download_json(go: &std::path::Path, list: &str) -> std::process::Output {
    go_mod_download_json_with(go, list, &[])
}

/// [`go_mod_download_json`] with more environment variables.
fn go_mod_download_json_with(
    go: &std::path::Path,
    list: &str,
    vars: &[(&str, &str)],
) -> std::process::Output {
    let mut all = vec![("GOPROXY", list)];
    all.extend_from_slice(vars);
    common::go_mod_download(go, &all)
}

#[tokio::test]
async fn comma_falls_through_on_404_and_410_only() {
    let home = tempfile::tempdir().unwrap();
    let (a, b) = (empty_proxy(), proxy());
    let list = goproxy(&[&a.url(), ",", &b.url()]);
    let c = client(env(home.path(), &[("GOPROXY", &list)]));
    let versions = c.versions("example.com/m").await.unwrap();
    assert_eq!(
        versions.value.versions,
        ["v0.9.0", "v1.0.0", "v1.1.0-rc.1", "v1.1.0", "v1.2.0"]
    );
    assert_eq!(
        requests_for(&a, "example.com/m"),
        ["/example.com/m/@v/list"]
    );
    assert_eq!(
        requests_for(&b, "example.com/m"),
        ["/example.com/m/@v/list"]
    );

    a.inject(FaultRule::everywhere(Fault::Status(410)));
    let info = c.info("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(info.value.version, "v1.0.0");
    assert_eq!(
        requests_for(&b, "example.com/m").last().unwrap(),
        "/example.com/m/@v/v1.0.0.info"
    );
}

#[tokio::test]
async fn comma_stops_on_server_errors_and_pipe_does_not() {
    let home = tempfile::tempdir().unwrap();
    let (a, b) = (proxy(), proxy());
    a.inject(FaultRule::everywhere(Fault::Status(500)));
    let comma = client(env(
        home.path(),
        &[("GOPROXY", &goproxy(&[&a.url(), ",", &b.url()]))],
    ));
    let err = comma.versions("example.com/m").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "module example.com/m: reading {}/example.com/m/@v/list: 500 Internal Server Error",
            a.url()
        )
    );
    assert!(b.requested_paths().is_empty());
    // The list request was retried (500 is transient), then reported.
    assert_eq!(requests_for(&a, "example.com/m").len(), 3);

    let pipe = client(env(
        home.path(),
        &[("GOPROXY", &goproxy(&[&a.url(), "|", &b.url()]))],
    ));
    let versions = pipe.versions("example.com/m").await.unwrap();
    assert_eq!(versions.value.versions.len(), 5);
    assert_eq!(
        requests_for(&b, "example.com/m"),
        ["/example.com/m/@v/list"]
    );
}

#[tokio::test]
async fn server_error_detail_is_shown_as_go_shows_it() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    a.inject(FaultRule::everywhere(Fault::text(
        404,
        "not found: example.com/m@v9.9.9: invalid version\n",
    )));
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let err = c.info("example.com/m", "v9.9.9").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "example.com/m@v9.9.9: reading {}/example.com/m/@v/v9.9.9.info: 404 Not Found\n\tserver response: not found: example.com/m@v9.9.9: invalid version",
            a.url()
        )
    );
}

#[tokio::test]
async fn off_and_direct_are_reported_not_skipped() {
    let home = tempfile::tempdir().unwrap();
    let a = empty_proxy();
    let off = client(env(home.path(), &[("GOPROXY", "off")]));
    assert_eq!(
        off.versions("example.com/m").await.unwrap_err().to_string(),
        "module lookup disabled by GOPROXY=off"
    );

    let then_off = client(env(
        home.path(),
        &[("GOPROXY", &goproxy(&[&a.url(), ",off"]))],
    ));
    assert_eq!(
        then_off
            .versions("example.com/m")
            .await
            .unwrap_err()
            .to_string(),
        "module lookup disabled by GOPROXY=off"
    );
    assert_eq!(
        requests_for(&a, "example.com/m"),
        ["/example.com/m/@v/list"]
    );

    let direct = client(env(
        home.path(),
        &[("GOPROXY", &goproxy(&[&a.url(), ",direct"]))],
    ));
    let err = direct.versions("example.com/m").await.unwrap_err();
    assert!(err.is_direct_unavailable());
    assert_eq!(
        err.to_string(),
        "module example.com/m: version data is not available directly from the origin: gomodls does not fetch from version control yet (GOPROXY=direct)"
    );

    let empty = client(env(home.path(), &[("GOPROXY", " , ")]));
    assert_eq!(
        empty
            .versions("example.com/m")
            .await
            .unwrap_err()
            .to_string(),
        "GOPROXY list is not the empty string, but contains no entries"
    );
    let bad = client(env(home.path(), &[("GOPROXY", "ftp://x")]));
    assert_eq!(
        bad.versions("example.com/m").await.unwrap_err().to_string(),
        "invalid proxy URL scheme (must be https, http, file): ftp://x"
    );
}

#[tokio::test]
async fn gonoproxy_modules_go_direct_and_others_to_the_proxy() {
    let home = tempfile::tempdir().unwrap();
    let (a, b) = (proxy(), proxy());
    let list = goproxy(&[&a.url(), "|", &b.url()]);
    let c = client(env(
        home.path(),
        &[("GOPROXY", &list), ("GONOPROXY", "private.example")],
    ));
    let err = c.facts("private.example/secret").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "module private.example/secret: version data is not available directly from the origin: gomodls does not fetch from version control yet (the module matches GONOPROXY/GOPRIVATE)"
    );
    assert!(
        c.query("private.example/secret", "latest", None)
            .await
            .is_err()
    );
    assert!(c.info("private.example/secret", "v1.0.0").await.is_err());
    assert!(c.zip("private.example/secret", "v1.0.0").await.is_err());
    for proxy in [&a, &b] {
        assert!(
            proxy
                .requested_paths()
                .iter()
                .all(|p| !p.starts_with("/private.example")),
            "{:?}",
            proxy.requested_paths()
        );
    }
    assert_eq!(
        c.versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        5
    );
    assert_eq!(
        requests_for(&a, "example.com/m"),
        ["/example.com/m/@v/list"]
    );
}

#[tokio::test]
async fn case_escaping_in_urls() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let info = c
        .info("example.com/Upper/Case", "v1.0.0-RC1")
        .await
        .unwrap();
    assert_eq!(info.value.version, "v1.0.0-RC1");
    let log = a.request_log();
    let record = log.last().unwrap();
    assert_eq!(
        record.path,
        "/example.com/!upper/!case/@v/v1.0.0-!r!c1.info"
    );
    assert_eq!(
        record.uri,
        "/example.com/%21upper/%21case/@v/v1.0.0-%21r%21c1.info"
    );
}

/// Which files of one module each proxy was asked for, as a set.
fn asked(proxy: &TestProxy, escaped: &str) -> BTreeSet<String> {
    requests_for(proxy, escaped).into_iter().collect()
}

#[tokio::test]
async fn routing_matches_go_mod_download() {
    let Some(go) = require_go("routing_matches_go_mod_download").unwrap() else {
        return;
    };
    // (separator, fault on the first proxy)
    let scenarios: [(&str, Option<u16>); 4] = [
        (",", None),
        (",", Some(410)),
        ("|", Some(500)),
        (",", Some(500)),
    ];
    for (separator, fault) in scenarios {
        let (a, b) = (proxy(), proxy());
        match fault {
            Some(code) => {
                a.inject(FaultRule::everywhere(Fault::Status(code)));
            }
            None => {
                a.set_content(gomodls_test_utils::proxy::Fixture::new())
                    .unwrap();
            }
        }
        let list = goproxy(&[&a.url(), separator, &b.url()]);

        let output = go_mod_download_json(&go, &list);
        let go_ok = output.status.success();
        let go_a = asked(&a, "example.com/m");
        let go_b = asked(&b, "example.com/m");
        a.clear_log();
        b.clear_log();

        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &[("GOPROXY", &list)]));
        // Like go mod download: .info, then .mod, then .zip, stopping at the first failure.
        let ours = async {
            c.info("example.com/m", "v1.0.0").await?;
            c.go_mod("example.com/m", "v1.0.0").await?;
            c.zip("example.com/m", "v1.0.0").await
        }
        .await;
        assert_eq!(
            ours.is_ok(),
            go_ok,
            "{list}: go said {}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(
            asked(&a, "example.com/m"),
            go_a,
            "first proxy, {separator} {fault:?}"
        );
        assert_eq!(
            asked(&b, "example.com/m"),
            go_b,
            "second proxy, {separator} {fault:?}"
        );
        if let Err(err) = ours {
            let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            assert_eq!(go_error["Error"].as_str().unwrap(), err.to_string());
        }
    }
}

#[tokio::test]
async fn http_proxy_from_the_environment_is_used() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    // The proxy host does not exist: only HTTP_PROXY can make this work (no lookup is made).
    let c = client(env(
        home.path(),
        &[
            ("GOPROXY", "http://gomodls-proxy.invalid"),
            ("HTTP_PROXY", &a.url()),
        ],
    ));
    assert_eq!(
        c.versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        5
    );
    let log = a.request_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].header("host"), Some("gomodls-proxy.invalid"));
}

/// HTTP_PROXY and NO_PROXY as go applies them: which of a forward proxy and the module proxy
/// behind it got the requests, for go and for us. The module proxy is named by 0.0.0.0, which
/// Linux dials as this machine and which go does not count as loopback (loopback hosts never go
/// through a proxy): every case stays on this machine and no name is looked up. The forward proxy
/// is a test proxy too, serving the same modules, so either route succeeds.
#[tokio::test]
async fn http_proxy_and_no_proxy_route_as_go_routes() {
    let Some(go) = require_go("http_proxy_and_no_proxy_route_as_go_routes").unwrap() else {
        return;
    };
    let (module_proxy, forward) = (proxy(), proxy());
    let port = module_proxy.address().port();
    let goproxy = format!("http://0.0.0.0:{port}");
    let other_port = if port == 1 { 2 } else { port - 1 };
    // NO_PROXY, and whether the requests go through the forward proxy.
    let cases = [
        (String::new(), true),
        ("0.0.0.0".to_owned(), false),
        (format!("0.0.0.0:{port}"), false),
        (format!("0.0.0.0:{other_port}"), true),
        ("0.0.0.0/8".to_owned(), false),
        ("10.0.0.0/8".to_owned(), true),
        // An IPv4 block in IPv6 form is the IPv4 block, to go: 96 bits fewer.
        ("::ffff:0.0.0.0/104".to_owned(), false),
        ("::ffff:10.0.0.0/104".to_owned(), true),
        ("::ffff:0.0.0.0/96".to_owned(), false),
        ("::ffff:0.0.0.0/95".to_owned(), true),
        ("::ffff:0.0.0.0".to_owned(), false),
        ("*".to_owned(), false),
        ("corp.example, *".to_owned(), false),
        // A domain entry never matches an IP address.
        ("0.0.0.0.example,example.com".to_owned(), true),
    ];
    let routes = |label: &str| {
        let through = !forward.request_log().is_empty();
        let direct = !module_proxy.request_log().is_empty();
        assert_ne!(through, direct, "{label}: one route or the other");
        forward.clear_log();
        module_proxy.clear_log();
        through
    };
    for (no_proxy, through) in &cases {
        let vars = [
            ("HTTP_PROXY", forward.url()),
            ("NO_PROXY", no_proxy.clone()),
        ];
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        forward.clear_log();
        module_proxy.clear_log();
        let output = go_mod_download_json_with(&go, &goproxy, &vars);
        assert!(
            output.status.success(),
            "go, NO_PROXY={no_proxy:?}: {output:?}"
        );
        assert_eq!(routes("go"), *through, "go, NO_PROXY={no_proxy:?}");
        let home = tempfile::tempdir().unwrap();
        let mut ours = vars.clone();
        ours.push(("GOPROXY", &goproxy));
        let c = client(env(home.path(), &ours));
        c.info("example.com/m", "v1.0.0").await.unwrap();
        assert_eq!(routes("ours"), *through, "ours, NO_PROXY={no_proxy:?}");
    }

    // Credentials in the proxy's URL go to the proxy, as Proxy-Authorization, in go's encoding
    // (the user information percent-decoded to its bytes first, UTF-8 or not; an empty one is an
    // empty user name and password).
    let sent = |label: &str| {
        let log = forward.request_log();
        assert!(!log.is_empty(), "{label}");
        let values: BTreeSet<Option<String>> = log
            .iter()
            .map(|record| record.header("proxy-authorization").map(str::to_owned))
            .collect();
        forward.clear_log();
        values
    };
    for (user_info, expected) in [
        // corp@user:p:ss
        ("corp%40user:p%3Ass@", "Basic Y29ycEB1c2VyOnA6c3M="),
        // us 0xFF er : p 0xFE ss
        ("us%FFer:p%FEss@", "Basic dXP/ZXI6cP5zcw=="),
        // :
        ("@", "Basic Og=="),
    ] {
        let with_credentials = forward
            .url()
            .replace("http://", &format!("http://{user_info}"));
        let vars = [("HTTP_PROXY", with_credentials.as_str())];
        let output = go_mod_download_json_with(&go, &goproxy, &vars);
        assert!(output.status.success(), "{user_info}: {output:?}");
        let go_sent = sent(&format!("go {user_info}"));
        assert_eq!(
            go_sent,
            BTreeSet::from([Some(expected.to_owned())]),
            "{user_info}"
        );
        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &[("GOPROXY", &goproxy), vars[0]]));
        c.info("example.com/m", "v1.0.0").await.unwrap();
        assert_eq!(sent(&format!("ours {user_info}")), go_sent, "{user_info}");
    }

    // HTTPS_PROXY serves https URLs, not http ones.
    let forward_url = forward.url();
    let vars = [("HTTPS_PROXY", forward_url.as_str())];
    let output = go_mod_download_json_with(&go, &goproxy, &vars);
    assert!(output.status.success(), "{output:?}");
    assert!(!routes("go"));
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &[("GOPROXY", &goproxy), vars[0]]));
    c.info("example.com/m", "v1.0.0").await.unwrap();
    assert!(!routes("ours"));
}

/// Proxies this client cannot use: a SOCKS4 proxy (SOCKS5 proxies it uses: tests/socks.rs), and
/// a value that is not a URL it can read (a port out of range: go reads it, and fails to dial
/// it). Requests they would carry fail with a clear message and never go around them to the
/// module proxy; those NO_PROXY exempts go straight there.
#[tokio::test]
async fn proxies_this_client_cannot_use_are_not_gone_around() {
    let module_proxy = proxy();
    let goproxy = format!("http://0.0.0.0:{}", module_proxy.address().port());
    let home = tempfile::tempdir().unwrap();
    for (http_proxy, why) in [
        (
            "socks4://u:secret@127.0.0.1:1080",
            "proxy socks4://u:xxxxx@127.0.0.1:1080: gomodls sends requests through http, https \
             and SOCKS5 proxies only, and does not go around the one set",
        ),
        (
            "proxy.corp.example:99999",
            "HTTP_PROXY is set to a value gomodls cannot read as a proxy URL, and requests do \
             not go around it",
        ),
    ] {
        let vars = [("GOPROXY", goproxy.as_str()), ("HTTP_PROXY", http_proxy)];
        let err = client(env(home.path(), &vars))
            .info("example.com/m", "v1.0.0")
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("example.com/m@v1.0.0: Get \"{goproxy}/example.com/m/@v/v1.0.0.info\": {why}")
        );
        assert!(module_proxy.request_log().is_empty(), "{http_proxy}");
        let exempt = [vars[0], vars[1], ("NO_PROXY", "0.0.0.0")];
        client(env(home.path(), &exempt))
            .info("example.com/m", "v1.0.0")
            .await
            .unwrap();
        assert!(!module_proxy.request_log().is_empty(), "{http_proxy}");
        module_proxy.clear_log();
    }
}

/// A port on 127.0.0.1 that nothing listens on any more: connecting to it is refused.
fn refused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A forward proxy that refuses connections, for an http and an https module proxy: go begins
/// its words with `proxyconnect tcp: `, and so do we.
#[tokio::test]
async fn a_forward_proxy_that_refuses_connections_is_reported_in_go_words() {
    let Some(go) =
        require_go("a_forward_proxy_that_refuses_connections_is_reported_in_go_words").unwrap()
    else {
        return;
    };
    let refusing = format!("127.0.0.1:{}", refused_port());
    // No connection reaches these hosts: the request stops at the forward proxy.
    for (goproxy, variable) in [
        ("http://gomodls-proxy.invalid", "HTTP_PROXY"),
        ("https://gomodls-proxy.invalid", "HTTPS_PROXY"),
    ] {
        let output = go_mod_download_json_with(&go, goproxy, &[(variable, &refusing)]);
        assert!(!output.status.success(), "{goproxy}");
        let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let go_error = go_error["Error"].as_str().unwrap();
        assert!(
            go_error.ends_with(&format!(
                "proxyconnect tcp: dial tcp {refusing}: connect: connection refused"
            )),
            "{go_error}"
        );
        let home = tempfile::tempdir().unwrap();
        let c = client(env(
            home.path(),
            &[("GOPROXY", goproxy), (variable, &refusing)],
        ));
        let ours = c.info("example.com/m", "v1.0.0").await.unwrap_err();
        assert_eq!(ours.to_string(), go_error, "{goproxy}");
    }
}

#[tokio::test]
async fn a_proxy_that_refuses_connections_is_reported_in_go_words() {
    let Some(go) = require_go("a_proxy_that_refuses_connections_is_reported_in_go_words").unwrap()
    else {
        return;
    };
    let port = refused_port();
    let refused = format!("http://127.0.0.1:{port}");
    // The same port by host name: go names the address it dialed, not the name.
    let refused_by_name = format!("http://localhost:{port}");
    let fallback = proxy();
    // A proxy that redirects to the refusing port: go names the URL that was refused.
    let redirecting = proxy();
    redirecting.inject(FaultRule::everywhere(Fault::Redirect {
        to_base: refused.clone(),
    }));
    for (list, refused) in [
        (refused.clone(), &refused),
        (refused_by_name.clone(), &refused_by_name),
        (format!("{refused}|{}", fallback.url()), &refused),
        (redirecting.url(), &refused),
    ] {
        let output = go_mod_download_json(&go, &list);
        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &[("GOPROXY", &list)]));
        let ours = c.info("example.com/m", "v1.0.0").await;
        if list.contains('|') {
            // After `|` the next proxy answers, for go and for us.
            assert!(output.status.success(), "{list}");
            assert_eq!(ours.unwrap().value.version, "v1.0.0");
            continue;
        }
        assert!(!output.status.success(), "go reached {refused}");
        let go_error_text = String::from_utf8_lossy(&output.stdout);
        assert!(
            go_error_text.contains(&format!("{refused}/example.com/m/@v/v1.0.0.info")),
            "{go_error_text}"
        );
        let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let go_error = go_error["Error"].as_str().unwrap();
        assert!(
            go_error.ends_with(&format!(
                "dial tcp 127.0.0.1:{port}: connect: connection refused"
            )),
            "{go_error}"
        );
        assert_eq!(ours.unwrap_err().to_string(), go_error);
    }
}

/// Redirects go's client refuses to follow: from https to http, and past the tenth. go names the
/// refused redirect by its `Location`; so do we, in go's words.
#[tokio::test]
async fn redirects_go_refuses_are_refused_in_go_words() {
    let Some(go) = require_go("redirects_go_refuses_are_refused_in_go_words").unwrap() else {
        return;
    };
    let plain = proxy();
    let secure = TestProxy::start_https(gomodls_test_utils::proxy::Fixture::new()).unwrap();
    secure.inject(FaultRule::everywhere(Fault::Redirect {
        to_base: plain.url(),
    }));
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    // A proxy that redirects every request to itself, without end, behind one that redirects
    // to it: the tenth redirect, the one refused, is the looping proxy's.
    let looping = proxy();
    looping.inject(FaultRule::everywhere(Fault::Redirect {
        to_base: looping.url(),
    }));
    let front = proxy();
    front.inject(FaultRule::everywhere(Fault::Redirect {
        to_base: looping.url(),
    }));
    let info = "/example.com/m/@v/v1.0.0.info";
    for (list, words) in [
        (
            secure.url(),
            format!(
                "Get \"{to}\": redirected from secure URL {from} to insecure URL {to}",
                from = secure.url() + info,
                to = plain.url() + info,
            ),
        ),
        (
            front.url(),
            format!(
                "Get \"{}{info}\": stopped after 10 redirects",
                looping.url()
            ),
        ),
    ] {
        let output = go_mod_download_json_with(&go, &list, &[("SSL_CERT_FILE", &ca)]);
        assert!(
            !output.status.success(),
            "go followed the redirects of {list}"
        );
        let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let go_error = go_error["Error"].as_str().unwrap();
        assert!(go_error.ends_with(&words), "{go_error}");
        let home = tempfile::tempdir().unwrap();
        let c = client(env(
            home.path(),
            &[("GOPROXY", &list), ("SSL_CERT_FILE", &ca)],
        ));
        let ours = c.info("example.com/m", "v1.0.0").await;
        assert_eq!(ours.unwrap_err().to_string(), go_error);
    }
    // Neither go nor we read the module from the plain proxy behind the secure one.
    assert!(
        plain.requested_paths().is_empty(),
        "{:?}",
        plain.requested_paths()
    );
}

/// A CGI environment (`REQUEST_METHOD` set): go refuses every http URL while `HTTP_PROXY` names a
/// proxy (a CGI program's `HTTP_PROXY` may come from a request's `Proxy` header), before it looks
/// at NO_PROXY or at loopback hosts; `HTTPS_PROXY` is still used. Compared with go: the words,
/// and which proxy got requests.
#[tokio::test]
async fn a_cgi_environment_refuses_http_proxy_as_go_does() {
    let Some(go) = require_go("a_cgi_environment_refuses_http_proxy_as_go_does").unwrap() else {
        return;
    };
    let (module_proxy, forward) = (proxy(), proxy());
    let port = module_proxy.address().port();
    let (unspecified, loopback) = (
        format!("http://0.0.0.0:{port}"),
        format!("http://127.0.0.1:{port}"),
    );
    let forward_url = forward.url();
    // GOPROXY, the variables, and whether the request is refused.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, bool);
    let cases: [Case; 8] = [
        (
            &unspecified,
            vec![("REQUEST_METHOD", "GET"), ("HTTP_PROXY", &forward_url)],
            true,
        ),
        (
            &unspecified,
            vec![("REQUEST_METHOD", "POST"), ("http_proxy", &forward_url)],
            true,
        ),
        (
            &unspecified,
            vec![
                ("REQUEST_METHOD", "GET"),
                ("HTTP_PROXY", &forward_url),
                ("NO_PROXY", "0.0.0.0"),
            ],
            true,
        ),
        (
            &loopback,
            vec![("REQUEST_METHOD", "GET"), ("HTTP_PROXY", &forward_url)],
            true,
        ),
        // Any proxy go reads counts, one it would never reach too.
        (
            &unspecified,
            vec![
                ("REQUEST_METHOD", "GET"),
                ("HTTP_PROXY", "socks5://127.0.0.1:1"),
            ],
            true,
        ),
        (
            &unspecified,
            vec![("REQUEST_METHOD", "GET"), ("HTTPS_PROXY", &forward_url)],
            false,
        ),
        (
            &unspecified,
            vec![("REQUEST_METHOD", ""), ("HTTP_PROXY", &forward_url)],
            false,
        ),
        (&unspecified, vec![("REQUEST_METHOD", "GET")], false),
    ];
    for (goproxy, vars, refused) in &cases {
        let label = format!("GOPROXY={goproxy} {vars:?}");
        let asked = || {
            let asked = (
                !forward.request_log().is_empty(),
                !module_proxy.request_log().is_empty(),
            );
            forward.clear_log();
            module_proxy.clear_log();
            asked
        };
        let output = go_mod_download_json_with(&go, goproxy, vars);
        assert_eq!(output.status.success(), !refused, "go, {label}: {output:?}");
        let go_asked = asked();
        let home = tempfile::tempdir().unwrap();
        let mut ours = vars.clone();
        ours.push(("GOPROXY", goproxy));
        let result = client(env(home.path(), &ours))
            .info("example.com/m", "v1.0.0")
            .await;
        assert_eq!(asked(), go_asked, "{label}");
        match result {
            Err(err) => {
                assert!(refused, "ours, {label}: {err}");
                assert_eq!(go_asked, (false, false), "{label}");
                let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
                assert_eq!(
                    go_error["Error"].as_str().unwrap(),
                    err.to_string(),
                    "{label}"
                );
            }
            Ok(_) => assert!(!refused, "ours, {label}"),
        }
    }
}
