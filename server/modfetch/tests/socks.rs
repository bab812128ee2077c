//! Module proxies reached through a SOCKS5 proxy (`HTTPS_PROXY=socks5://…`, as behind an
//! `ssh -D` tunnel or a corporate SOCKS gateway), checked against go: what the SOCKS proxy was
//! asked for (the target by name, for the proxy to resolve, and the credentials), that the module
//! proxy behind it got the requests, and go's words when the SOCKS proxy refuses or is down.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, env, fixture};
use gomodls_test_utils::go::require_go;
use gomodls_test_utils::proxy::{SocksConnect, SocksProxy, SocksReply, TUNNELLED_HOST, TestProxy};

/// An HTTPS module proxy, and a SOCKS5 proxy (asking for `credentials`, if any) that carries
/// connections to `modules.gomodls.test:443`, a name nothing resolves, to it.
fn behind_socks(credentials: Option<(&str, &str)>) -> (TestProxy, SocksProxy) {
    let secure = TestProxy::start_https(fixture()).unwrap();
    let socks = match credentials {
        Some((user, password)) => SocksProxy::start_with_credentials(user, password).unwrap(),
        None => SocksProxy::start().unwrap(),
    };
    socks.route(&format!("{TUNNELLED_HOST}:443"), secure.address());
    (secure, socks)
}

/// The `CONNECT`s the SOCKS proxy got and the paths the module proxy got since the last call.
fn sent(
    socks: &SocksProxy,
    behind: &TestProxy,
    seen: &mut usize,
) -> (Vec<SocksConnect>, Vec<String>) {
    let connects = socks.connects().split_off(*seen);
    *seen += connects.len();
    let paths = behind.requested_paths();
    behind.clear_log();
    (connects, paths)
}

/// Through a SOCKS5 proxy that wants credentials (a user name with `@`, percent-encoded in the
/// URL, as it must be): go and we both name the target by host name, authenticate with the
/// decoded credentials, and reach the module proxy. `socks5h://` is the same to go, and to us.
#[tokio::test]
async fn module_data_goes_through_a_socks5_proxy_as_go_sends_it() {
    let Some(go) = require_go("module_data_goes_through_a_socks5_proxy_as_go_sends_it").unwrap()
    else {
        return;
    };
    let (secure, socks) = behind_socks(Some(("corp@user", "s3:cret")));
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let expected = SocksConnect {
        target: format!("{TUNNELLED_HOST}:443"),
        by_name: true,
        credentials: Some(("corp@user".to_owned(), "s3:cret".to_owned())),
    };
    for scheme in ["socks5", "socks5h"] {
        let https_proxy = format!("{scheme}://corp%40user:s3%3Acret@{}", socks.address());
        let vars = [
            ("GOPROXY", goproxy.as_str()),
            ("HTTPS_PROXY", https_proxy.as_str()),
            ("SSL_CERT_FILE", ca.as_str()),
        ];
        both_go_through(&go, &vars, &socks, &secure, &expected, scheme).await;
    }
}

/// `go mod download` and our client, each with `vars`: both get the module, every `CONNECT` the
/// SOCKS proxy got from each is `expected`, and the module proxy behind it got each one's request.
async fn both_go_through(
    go: &std::path::Path,
    vars: &[(&str, &str)],
    socks: &SocksProxy,
    behind: &TestProxy,
    expected: &SocksConnect,
    label: &str,
) {
    let mut seen = socks.connects().len();
    behind.clear_log();
    let output = common::go_mod_download(go, vars);
    assert!(output.status.success(), "{label}: {output:?}");
    let go_side = sent(socks, behind, &mut seen);
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), vars));
    let info = c.info("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(info.value.version, "v1.0.0");
    let our_side = sent(socks, behind, &mut seen);
    for (side, (connects, paths)) in [("go", go_side), ("ours", our_side)] {
        assert!(!connects.is_empty(), "{label}, {side}: no CONNECT");
        assert!(
            connects.iter().all(|c| c == expected),
            "{label}, {side}: {connects:?}"
        );
        assert!(
            paths.iter().any(|p| p == "/example.com/m/@v/v1.0.0.info"),
            "{label}, {side}: {paths:?}"
        );
    }
}

/// HTTP_PROXY naming a SOCKS5 proxy that asks for nothing, for a plain http module proxy: the
/// target by name on port 80, no credentials, for go and for us.
#[tokio::test]
async fn a_plain_http_module_proxy_is_reached_through_socks_as_go_reaches_it() {
    let Some(go) =
        require_go("a_plain_http_module_proxy_is_reached_through_socks_as_go_reaches_it").unwrap()
    else {
        return;
    };
    let plain = TestProxy::start(fixture()).unwrap();
    let socks = SocksProxy::start().unwrap();
    socks.route(&format!("{TUNNELLED_HOST}:80"), plain.address());
    let goproxy = format!("http://{TUNNELLED_HOST}");
    let socks_url = socks.url();
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTP_PROXY", socks_url.as_str()),
    ];
    let expected = SocksConnect {
        target: format!("{TUNNELLED_HOST}:80"),
        by_name: true,
        credentials: None,
    };
    both_go_through(&go, &vars, &socks, &plain, &expected, "http").await;
}

/// The error of `go mod download` for example.com/m@v1.0.0 with `vars`, and ours for the same
/// request, for comparison.
async fn both_errors(go: &std::path::Path, vars: &[(&str, &str)]) -> (String, String) {
    let output = common::go_mod_download(go, vars);
    assert!(!output.status.success(), "{output:?}");
    let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let go_error = go_error["Error"].as_str().unwrap().to_owned();
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), vars));
    let ours = c.info("example.com/m", "v1.0.0").await.unwrap_err();
    (go_error, ours.to_string())
}

/// A SOCKS5 proxy that refuses the connection (with each reply code the protocol has for it),
/// refuses the credentials, or is not there: go's words, and ours the same; the module proxy gets
/// nothing.
#[tokio::test]
async fn a_socks_proxy_that_does_not_carry_the_request_is_reported_in_go_words() {
    let Some(go) =
        require_go("a_socks_proxy_that_does_not_carry_the_request_is_reported_in_go_words")
            .unwrap()
    else {
        return;
    };
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let url = format!("{goproxy}/example.com/m/@v/v1.0.0.info");

    let (secure, socks) = behind_socks(None);
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let ca = Some(ca.as_str());
    let refused = |words: &str| {
        format!(
            "example.com/m@v1.0.0: Get \"{url}\": socks connect tcp {}->{TUNNELLED_HOST}:443: \
             {words}",
            socks.address()
        )
    };
    for (reply, words) in [
        (SocksReply::GeneralFailure, "general SOCKS server failure"),
        (
            SocksReply::ConnectionNotAllowed,
            "connection not allowed by ruleset",
        ),
        (SocksReply::NetworkUnreachable, "network unreachable"),
        (SocksReply::HostUnreachable, "host unreachable"),
        (SocksReply::ConnectionRefused, "connection refused"),
        (SocksReply::TtlExpired, "TTL expired"),
    ] {
        socks.refuse_with(reply);
        let expected = refused(&format!("unknown error {words}"));
        both_say(&go, &goproxy, &socks.url(), ca, &expected).await;
    }
    assert!(secure.request_log().is_empty());

    // Credentials the proxy does not take, and none at all to a proxy that wants them.
    let (secure, socks) = behind_socks(Some(("corp", "right")));
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let ca = Some(ca.as_str());
    let wrong = format!("socks5://corp:wrong@{}", socks.address());
    let refused = |words: &str| {
        format!(
            "example.com/m@v1.0.0: Get \"{url}\": socks connect tcp {}->{TUNNELLED_HOST}:443: \
             {words}",
            socks.address()
        )
    };
    let expected = refused("username/password authentication failed");
    both_say(&go, &goproxy, &wrong, ca, &expected).await;
    let expected = refused("no acceptable authentication methods");
    both_say(&go, &goproxy, &socks.url(), ca, &expected).await;
    // Credentials go will not send: no user name (user information empty, or a password
    // alone), or one longer than the protocol's 255 bytes.
    let long = "u".repeat(256);
    for invalid in [
        format!("socks5://@{}", socks.address()),
        format!("socks5://:@{}", socks.address()),
        format!("socks5://:right@{}", socks.address()),
        format!("socks5://{long}:right@{}", socks.address()),
    ] {
        let expected = refused("invalid username/password");
        both_say(&go, &goproxy, &invalid, ca, &expected).await;
    }
    assert!(secure.request_log().is_empty());

    // No SOCKS proxy where the variable says: the connection to it is refused.
    let gone = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let expected = format!(
        "example.com/m@v1.0.0: Get \"{url}\": proxyconnect tcp: dial tcp {gone}: connect: \
         connection refused"
    );
    both_say(&go, &goproxy, &format!("socks5://{gone}"), None, &expected).await;
}

/// `go mod download` and our client for example.com/m@v1.0.0 through `goproxy`, with
/// `https_proxy` as HTTPS_PROXY and `ca` trusted: both fail, and both say `expected`.
async fn both_say(
    go: &std::path::Path,
    goproxy: &str,
    https_proxy: &str,
    ca: Option<&str>,
    expected: &str,
) {
    let mut vars = vec![("GOPROXY", goproxy), ("HTTPS_PROXY", https_proxy)];
    if let Some(ca) = ca {
        vars.push(("SSL_CERT_FILE", ca));
    }
    let (go_error, ours) = both_errors(go, &vars).await;
    assert_eq!(go_error, expected);
    assert_eq!(ours, go_error);
}

/// A SOCKS5 proxy that takes the connection and never answers: the request fails once the
/// connect timeout is over, with a message, instead of hanging; nothing reaches the module proxy.
#[tokio::test]
async fn a_socks_proxy_that_never_answers_fails_the_request_in_bounded_time() {
    let (secure, socks) = behind_socks(None);
    socks.stall();
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let socks_url = socks.url();
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTPS_PROXY", socks_url.as_str()),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    let home = tempfile::tempdir().unwrap();
    let config = gomodls_modfetch::HttpConfig {
        connect_timeout: std::time::Duration::from_millis(300),
        retries: 0,
        ..common::http()
    };
    let c = gomodls_modfetch::ModuleClient::with_http_config(
        env(home.path(), &vars),
        gomodls_modfetch::CacheConfig::default(),
        config,
    )
    .unwrap();
    // Far beyond the connect timeout: only a hang reaches it.
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        c.info("example.com/m", "v1.0.0"),
    )
    .await
    .expect("the request hung");
    let err = answer.unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "example.com/m@v1.0.0: Get \"{goproxy}/example.com/m/@v/v1.0.0.info\": "
        )),
        "{err}"
    );
    assert!(err.is_network(), "{err}");
    assert!(secure.request_log().is_empty());
}

/// Credentials in the URL of a SOCKS5 proxy that asks for none: go offers both no authentication
/// and the credentials, and the proxy takes the first; hyper-util offers only the credentials, so
/// the client asks again without them. Both get the module; the proxy saw no credentials. Also
/// when the proxy hangs up on an offer of the credentials alone, as `ssh -D` does.
#[tokio::test]
async fn credentials_for_a_socks_proxy_that_takes_none_do_not_stop_the_request() {
    let Some(go) =
        require_go("credentials_for_a_socks_proxy_that_takes_none_do_not_stop_the_request")
            .unwrap()
    else {
        return;
    };
    let (secure, socks) = behind_socks(None);
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    // The proxy as OpenSSH's `ssh -D` is: it hangs up when offered the credentials alone (the
    // client's first offer), and takes go's, which offers no authentication besides them.
    let front = like_ssh_dynamic_forwarding(socks.address());
    let expected = SocksConnect {
        target: format!("{TUNNELLED_HOST}:443"),
        by_name: true,
        credentials: None,
    };
    for (label, https_proxy) in [
        (
            "credentials",
            format!("socks5://dev:s3cret@{}", socks.address()),
        ),
        // Credentials go would not send, which the proxy does not want anyway.
        (
            "no user name",
            format!("socks5://:s3cret@{}", socks.address()),
        ),
        ("ssh -D", format!("socks5://dev:s3cret@{front}")),
    ] {
        let vars = [
            ("GOPROXY", goproxy.as_str()),
            ("HTTPS_PROXY", https_proxy.as_str()),
            ("SSL_CERT_FILE", ca.as_str()),
        ];
        both_go_through(&go, &vars, &socks, &secure, &expected, label).await;
    }
}

/// A SOCKS5 proxy whose URL hyper-util would not take (a host with characters no host name has):
/// the request fails, and never goes around the proxy to the module proxy, which it could reach.
#[tokio::test]
async fn a_socks_proxy_url_the_client_cannot_use_is_not_gone_around() {
    let module_proxy = common::proxy();
    let goproxy = format!("http://0.0.0.0:{}", module_proxy.address().port());
    for socks_url in [
        "socks5://{proxy}:1080",
        "socks5://pro\"xy:1080",
        "socks5h://pro`xy:1080",
    ] {
        let home = tempfile::tempdir().unwrap();
        let c = client(env(
            home.path(),
            &[("GOPROXY", &goproxy), ("HTTP_PROXY", socks_url)],
        ));
        let err = c.info("example.com/m", "v1.0.0").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("gomodls cannot use this proxy URL, and does not go around it"),
            "{socks_url}: {err}"
        );
        assert!(module_proxy.request_log().is_empty(), "{socks_url}");
    }
}

/// NO_PROXY takes a host around a SOCKS5 proxy as around any other, for go and for us; and a
/// proxy named by an IPv4 address in IPv6 form is named in its IPv4 form in a refusal, as go
/// names it.
#[tokio::test]
async fn no_proxy_and_the_proxy_address_with_socks_as_go_has_them() {
    let Some(go) = require_go("no_proxy_and_the_proxy_address_with_socks_as_go_has_them").unwrap()
    else {
        return;
    };
    let module_proxy = common::proxy();
    let socks = SocksProxy::start().unwrap();
    let goproxy = format!("http://0.0.0.0:{}", module_proxy.address().port());
    let socks_url = socks.url();
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTP_PROXY", socks_url.as_str()),
        ("NO_PROXY", "0.0.0.0"),
    ];
    let output = common::go_mod_download(&go, &vars);
    assert!(output.status.success(), "{output:?}");
    assert!(!module_proxy.request_log().is_empty());
    module_proxy.clear_log();
    let home = tempfile::tempdir().unwrap();
    client(env(home.path(), &vars))
        .info("example.com/m", "v1.0.0")
        .await
        .unwrap();
    assert!(!module_proxy.request_log().is_empty());
    assert!(socks.connects().is_empty());

    socks.refuse_with(SocksReply::HostUnreachable);
    let mapped = format!("socks5://[::ffff:127.0.0.1]:{}", socks.address().port());
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTP_PROXY", mapped.as_str()),
    ];
    let (go_error, ours) = both_errors(&go, &vars).await;
    assert_eq!(
        go_error,
        format!(
            "example.com/m@v1.0.0: Get \"{goproxy}/example.com/m/@v/v1.0.0.info\": socks connect \
             tcp {}->0.0.0.0:{}: unknown error host unreachable",
            socks.address(),
            module_proxy.address().port()
        )
    );
    assert_eq!(ours, go_error);
}

/// A SOCKS5 proxy that took no credentials starts asking for them (reconfigured, or another
/// proxy at the same address after a move between networks): the client, which had stopped
/// offering the URL's credentials, offers them again, as go (which always offers both) would
/// get through.
#[tokio::test]
async fn a_socks_proxy_that_starts_wanting_credentials_is_offered_them_again() {
    let (secure, socks) = behind_socks(None);
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let with_credentials = format!("socks5://dev:s3cret@{}", socks.address());
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTPS_PROXY", with_credentials.as_str()),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &vars));
    c.info("example.com/m", "v1.0.0").await.unwrap();
    let before = socks.connects();
    assert!(!before.is_empty());
    assert!(before.iter().all(|c| c.credentials.is_none()), "{before:?}");

    socks.require_credentials("dev", "s3cret");
    c.go_mod("example.com/m", "v1.0.0").await.unwrap();
    let after = socks.connects().split_off(before.len());
    assert_eq!(
        after.last().and_then(|c| c.credentials.clone()),
        Some(("dev".to_owned(), "s3cret".to_owned())),
        "{after:?}"
    );
    assert!(
        secure
            .requested_paths()
            .contains(&"/example.com/m/@v/v1.0.0.mod".to_owned())
    );
}

/// What a server that is not a SOCKS5 proxy does with the first message of a SOCKS5 client, for
/// [`not_a_socks_proxy`].
#[derive(Clone, Copy)]
enum Answer {
    /// Answers with these bytes, then closes the connection.
    With(&'static [u8]),
    /// Closes the connection at once, with a reset.
    Reset,
}

/// A server on 127.0.0.1 that hands each connection to `handle`. It runs on a thread of its own:
/// the tests wait for the go command without yielding.
fn serve_on_a_thread<F, Fut>(handle: F) -> std::net::SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(handle(stream));
            }
        });
    });
    address
}

/// A server that reads what each connection sends first and then does `answer`.
fn not_a_socks_proxy(answer: Answer) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    serve_on_a_thread(move |mut stream| async move {
        let mut greeting = [0_u8; 16];
        let _ = stream.read(&mut greeting).await;
        match answer {
            Answer::With(bytes) => {
                let _ = stream.write_all(bytes).await;
                let _ = stream.shutdown().await;
            }
            // No lingering: the close resets the connection.
            Answer::Reset => {
                let _ = stream.set_zero_linger();
            }
        }
    })
}

/// A SOCKS5 proxy URL naming a server that is no SOCKS5 proxy (an http proxy's port, an SSH
/// port, a server that hangs up or resets): go's words for what it answered, and ours the same.
/// The module proxy gets nothing.
#[tokio::test]
async fn a_socks_url_naming_another_kind_of_server_is_reported_in_go_words() {
    let Some(go) =
        require_go("a_socks_url_naming_another_kind_of_server_is_reported_in_go_words").unwrap()
    else {
        return;
    };
    let secure = TestProxy::start_https(fixture()).unwrap();
    let ca = secure.ca_cert_path().unwrap().display().to_string();
    let goproxy = format!("https://{TUNNELLED_HOST}");
    let url = format!("{goproxy}/example.com/m/@v/v1.0.0.info");
    let cases = [
        // An http proxy (nginx, squid) answers a bad request.
        (
            not_a_socks_proxy(Answer::With(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )),
            "unexpected protocol version 72",
        ),
        (
            not_a_socks_proxy(Answer::With(b"SSH-2.0-OpenSSH_9.2p1\r\n")),
            "unexpected protocol version 83",
        ),
        (not_a_socks_proxy(Answer::With(b"")), "EOF"),
        (not_a_socks_proxy(Answer::With(b"\x05")), "unexpected EOF"),
    ];
    for (server, words) in cases {
        let expected = format!(
            "example.com/m@v1.0.0: Get \"{url}\": socks connect tcp {server}->{TUNNELLED_HOST}:443: \
             {words}"
        );
        // Offering credentials too (go's first message is then a byte longer).
        for socks_url in [
            format!("socks5://{server}"),
            format!("socks5://dev:s3cret@{server}"),
        ] {
            both_say(&go, &goproxy, &socks_url, Some(&ca), &expected).await;
        }
    }

    // A reset names the connection by both its ends: the client's own port differs between go and
    // us, and is read off each message.
    let server = not_a_socks_proxy(Answer::Reset);
    let vars = [
        ("GOPROXY", goproxy.as_str()),
        ("HTTPS_PROXY", &format!("socks5://{server}")),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    let (go_error, ours) = both_errors(&go, &vars).await;
    let prefix = format!(
        "example.com/m@v1.0.0: Get \"{url}\": socks connect tcp {server}->{TUNNELLED_HOST}:443: \
         read tcp 127.0.0.1:"
    );
    let suffix = format!("->{server}: read: connection reset by peer");
    for (side, message) in [("go", &go_error), ("ours", &ours)] {
        let port = message
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(&suffix));
        assert!(
            port.is_some_and(|port| port.parse::<u16>().is_ok()),
            "{side}: {message}"
        );
    }
    assert!(secure.request_log().is_empty());
}

/// A SOCKS5 proxy in front of `socks` that, as OpenSSH's `ssh -D` does, hangs up on a client
/// that does not offer "no authentication", and otherwise carries the connection to `socks`.
fn like_ssh_dynamic_forwarding(socks: std::net::SocketAddr) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    serve_on_a_thread(move |mut client| async move {
        // Version, the number of methods, the methods.
        let mut head = [0_u8; 2];
        if client.read_exact(&mut head).await.is_err() {
            return;
        }
        let mut methods = vec![0_u8; usize::from(head[1])];
        if client.read_exact(&mut methods).await.is_err() || !methods.contains(&0) {
            return;
        }
        let Ok(mut upstream) = tokio::net::TcpStream::connect(socks).await else {
            return;
        };
        let greeting = [&head[..], &methods[..]].concat();
        if upstream.write_all(&greeting).await.is_ok() {
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
    })
}
