//! Fault injection, the request log, mounts and content swaps of [`TestProxy`], checked with a
//! real HTTP client (async) and with a raw socket (sync).

use std::io::{Read as _, Write as _};
use std::time::Duration;

use base64::Engine as _;
use futures::StreamExt as _;
use gomodls_test_utils::proxy::escape::{list_path, module_prefix, version_file_path};
use gomodls_test_utils::proxy::{
    Fault, FaultRule, Fixture, FixtureVersion, MountResponse, TestProxy,
};

const GO_MOD: &str = "module example.com/a\n\ngo 1.21\n";

fn fixture() -> Fixture {
    Fixture::new()
        .with(
            FixtureVersion::new("example.com/a", "v1.0.0")
                .go_mod(GO_MOD)
                .file("a.go", "package a\n"),
        )
        .with(FixtureVersion::new("example.com/b", "v0.1.0").go_mod("module example.com/b\n"))
}

fn client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
}

fn url(proxy: &TestProxy, path: &str) -> String {
    format!("{}{path}", proxy.url())
}

const A_MOD: &str = "/example.com/a/@v/v1.0.0.mod";

fn a_mod() -> String {
    A_MOD.to_owned()
}

async fn get(proxy: &TestProxy, path: &str) -> reqwest::Result<(u16, String)> {
    let response = client(Duration::from_secs(30))?
        .get(url(proxy, path))
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

#[tokio::test]
async fn serves_fixture_files_and_404_elsewhere() {
    assert_eq!(
        a_mod(),
        version_file_path("example.com/a", "v1.0.0", "mod").unwrap()
    );
    let proxy = TestProxy::start(fixture()).unwrap();
    assert_eq!(
        get(&proxy, &a_mod()).await.unwrap(),
        (200, GO_MOD.to_owned())
    );
    assert_eq!(
        get(&proxy, &list_path("example.com/a").unwrap())
            .await
            .unwrap(),
        (200, "v1.0.0\n".to_owned())
    );
    assert_eq!(
        get(&proxy, "/example.com/a/@v/v9.9.9.info").await.unwrap(),
        (404, "not found\n".to_owned())
    );
    assert_eq!(
        get(&proxy, "/sumdb/sum.golang.org/supported")
            .await
            .unwrap()
            .0,
        404
    );
    let posted = client(Duration::from_secs(30))
        .unwrap()
        .post(url(&proxy, &a_mod()))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 405);
    let info = client(Duration::from_secs(30))
        .unwrap()
        .get(url(&proxy, "/example.com/a/@v/v1.0.0.info"))
        .send()
        .await
        .unwrap();
    assert_eq!(info.headers()["content-type"], "application/json");
    assert_eq!(
        info.text().await.unwrap(),
        r#"{"Version":"v1.0.0","Time":"2023-01-01T00:00:00Z"}"#
    );
}

#[tokio::test]
async fn fixed_status_codes_per_prefix_and_removal() {
    let proxy = TestProxy::start(fixture()).unwrap();
    let a_prefix = module_prefix("example.com/a").unwrap();
    for code in [404, 410, 429, 500, 503] {
        let id = proxy.inject(FaultRule::under(&a_prefix, Fault::Status(code)));
        assert_eq!(get(&proxy, &a_mod()).await.unwrap(), (code, String::new()));
        assert_eq!(
            get(&proxy, "/example.com/b/@v/list").await.unwrap(),
            (200, "v0.1.0\n".to_owned())
        );
        assert!(proxy.remove_fault(id));
        assert!(!proxy.remove_fault(id));
    }
    assert_eq!(get(&proxy, &a_mod()).await.unwrap().0, 200);
    proxy.inject(FaultRule::everywhere(Fault::text(
        500,
        "database on fire\n",
    )));
    assert_eq!(
        get(&proxy, "/example.com/b/@v/list").await.unwrap(),
        (500, "database on fire\n".to_owned())
    );
    proxy.clear_faults();
    assert_eq!(get(&proxy, "/example.com/b/@v/list").await.unwrap().0, 200);
}

/// A status with a reason phrase of the proxy's own: the status line carries it as it is.
#[tokio::test]
async fn a_status_with_its_own_reason_phrase() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::StatusWithReason {
        status: 407,
        reason: "Login First ( see the intranet )".to_owned(),
    }));
    let mut stream = tokio::net::TcpStream::connect(proxy.address())
        .await
        .unwrap();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n",
        a_mod()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 407 Login First ( see the intranet )\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn limited_faults_expire() {
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::Status(503)).times(2));
    assert_eq!(get(&proxy, &a_mod()).await.unwrap().0, 503);
    assert_eq!(get(&proxy, &a_mod()).await.unwrap().0, 503);
    assert_eq!(get(&proxy, &a_mod()).await.unwrap().0, 200);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::under(
        &a_mod(),
        Fault::Latency(Duration::from_secs(60)),
    ));
    let error = client(Duration::from_millis(300))
        .unwrap()
        .get(url(&proxy, &a_mod()))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(
        get(&proxy, "/example.com/b/@v/list").await.unwrap().0,
        200,
        "other paths are not delayed"
    );
    proxy.clear_faults();
    proxy.inject(FaultRule::under(
        &a_mod(),
        Fault::Latency(Duration::from_millis(20)),
    ));
    assert_eq!(
        get(&proxy, &a_mod()).await.unwrap(),
        (200, GO_MOD.to_owned())
    );
}

#[tokio::test]
async fn hang_lasts_until_the_client_gives_up_and_drop_still_stops_the_server() {
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::Hang));
    let error = client(Duration::from_millis(300))
        .unwrap()
        .get(url(&proxy, &a_mod()))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(proxy.requested_paths(), [a_mod()]);
    // A second, still-open hanging request must not keep the server thread alive.
    let address = proxy.address();
    let mut open = std::net::TcpStream::connect(address).unwrap();
    open.write_all(b"GET /example.com/a/@v/list HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    drop(proxy);
    let mut rest = Vec::new();
    open.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let read = open.read_to_end(&mut rest);
    assert!(
        read.is_err() || rest.is_empty(),
        "the hanging request got an answer: {rest:?}"
    );
    assert!(
        std::net::TcpStream::connect(address).is_err(),
        "still listening after drop"
    );
}

#[tokio::test]
async fn slow_body_trickles_the_real_content() {
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::under(
        &a_mod(),
        Fault::SlowBody {
            chunk_size: 4,
            interval: Duration::from_millis(15),
        },
    ));
    let response = client(Duration::from_secs(30))
        .unwrap()
        .get(url(&proxy, &a_mod()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.content_length(), Some(GO_MOD.len() as u64));
    let mut chunks = 0;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert_eq!(String::from_utf8(body).unwrap(), GO_MOD);
    assert!(chunks > 1, "body arrived in {chunks} chunk(s)");
}

#[tokio::test]
async fn truncated_body_fails_the_download() {
    let proxy = TestProxy::start(fixture()).unwrap();
    let zip_path = version_file_path("example.com/a", "v1.0.0", "zip").unwrap();
    let (_, full) = {
        let response = client(Duration::from_secs(30))
            .unwrap()
            .get(url(&proxy, &zip_path))
            .send()
            .await
            .unwrap();
        (response.status(), response.bytes().await.unwrap())
    };
    proxy.inject(FaultRule::under(
        &zip_path,
        Fault::TruncateBody { keep_bytes: 10 },
    ));
    let response = client(Duration::from_secs(30))
        .unwrap()
        .get(url(&proxy, &zip_path))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.content_length(), Some(full.len() as u64));
    let error = response.bytes().await.unwrap_err();
    assert!(error.is_body() || error.is_decode(), "{error}");
}

#[tokio::test]
async fn wrong_and_huge_bodies() {
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(
        FaultRule::under(&a_mod(), Fault::replace_body("module example.com/other\n")).times(1),
    );
    assert_eq!(
        get(&proxy, &a_mod()).await.unwrap(),
        (200, "module example.com/other\n".to_owned())
    );
    let info = version_file_path("example.com/a", "v1.0.0", "info").unwrap();
    proxy.inject(FaultRule::under(&info, Fault::replace_body("{not json")).times(1));
    assert_eq!(
        get(&proxy, &info).await.unwrap(),
        (200, "{not json".to_owned())
    );

    let huge = 5 * 1024 * 1024 + 3;
    proxy.inject(FaultRule::under(&a_mod(), Fault::HugeBody { bytes: huge }));
    let response = client(Duration::from_secs(60))
        .unwrap()
        .get(url(&proxy, &a_mod()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.content_length(), Some(huge));
    let mut received = 0u64;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        received += chunk.unwrap().len() as u64;
    }
    assert_eq!(received, huge);
}

#[tokio::test]
async fn basic_auth_is_required_and_logged() {
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::basic_auth("alice", "s3cret")));
    let http = client(Duration::from_secs(30)).unwrap();
    let anonymous = http.get(url(&proxy, &a_mod())).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        "Basic realm=\"gomodls-test-proxy\""
    );
    let wrong = http
        .get(url(&proxy, &a_mod()))
        .basic_auth("alice", Some("guess"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let right = http
        .get(url(&proxy, &a_mod()))
        .basic_auth("alice", Some("s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status().as_u16(), 200);
    assert_eq!(right.text().await.unwrap(), GO_MOD);
    let log = proxy.request_log();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("alice:s3cret")
    );
    let authorizations: Vec<Option<&str>> =
        log.iter().map(|record| record.authorization()).collect();
    assert_eq!(authorizations.len(), 3);
    assert_eq!(authorizations[0], None);
    assert_eq!(authorizations[2], Some(expected.as_str()));
    proxy.clear_log();
    assert!(proxy.request_log().is_empty());
}

#[tokio::test]
async fn redirects_to_another_proxy() {
    let target = TestProxy::start(Fixture::new().with(
        FixtureVersion::new("example.com/a", "v1.0.0").go_mod("module example.com/a // moved\n"),
    ))
    .unwrap();
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::redirect(&format!(
        "{}/",
        target.url()
    ))));
    let no_follow = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = no_follow.get(url(&proxy, &a_mod())).send().await.unwrap();
    assert_eq!(redirect.status().as_u16(), 302);
    assert_eq!(
        redirect.headers()["location"],
        url(&target, &a_mod()).as_str()
    );
    assert_eq!(
        get(&proxy, &a_mod()).await.unwrap(),
        (200, "module example.com/a // moved\n".to_owned())
    );
    assert_eq!(target.requested_paths(), [a_mod()]);
    assert_eq!(proxy.requested_paths(), [a_mod(), a_mod()]);
}

#[tokio::test]
async fn mounted_handlers_and_content_swaps() {
    let proxy = TestProxy::start(fixture()).unwrap();
    let supported = "/sumdb/sum.example.com/supported";
    assert_eq!(get(&proxy, supported).await.unwrap().0, 404);
    proxy.mount("/sumdb/sum.example.com/", |request| {
        MountResponse::text(200, format!("saw {}", request.path))
    });
    assert_eq!(
        get(&proxy, supported).await.unwrap(),
        (200, format!("saw {supported}"))
    );
    proxy.inject(FaultRule::under("/sumdb/", Fault::Status(502)).times(1));
    assert_eq!(
        get(&proxy, supported).await.unwrap().0,
        502,
        "faults apply to mounted handlers"
    );
    assert!(proxy.unmount("/sumdb/sum.example.com/"));
    assert_eq!(get(&proxy, supported).await.unwrap().0, 404);

    let mut newer = fixture();
    newer.add(FixtureVersion::new("example.com/a", "v1.1.0").go_mod(GO_MOD));
    proxy.set_content(newer).unwrap();
    assert_eq!(
        get(&proxy, "/example.com/a/@v/list").await.unwrap(),
        (200, "v1.0.0\nv1.1.0\n".to_owned())
    );
}

/// A raw HTTP/1.1 GET from a plain (non-async) test.
fn raw_get(proxy: &TestProxy, path: &str) -> std::io::Result<String> {
    let mut stream = std::net::TcpStream::connect(proxy.address())?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

#[test]
fn works_from_sync_tests_and_serves_directories() {
    let dir = tempfile::tempdir().unwrap();
    gomodls_test_utils::proxy::build_proxy_dir(&fixture(), dir.path()).unwrap();
    let proxy = TestProxy::start(dir.path()).unwrap();
    let response = raw_get(&proxy, "/example.com/a/@v/v1.0.0.mod").unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with(&format!("\r\n\r\n{GO_MOD}")),
        "{response}"
    );
    assert!(
        raw_get(&proxy, "/example.com/a/@v/v2.0.0.mod")
            .unwrap()
            .starts_with("HTTP/1.1 404 ")
    );
    // No escaping the directory (an HTTP client would normalise this path away itself).
    std::fs::write(dir.path().join("secret"), "secret").unwrap();
    assert!(
        raw_get(&proxy, "/example.com/../secret")
            .unwrap()
            .starts_with("HTTP/1.1 404 ")
    );
    assert!(
        raw_get(&proxy, "/secret")
            .unwrap()
            .starts_with("HTTP/1.1 200 ")
    );
    proxy.inject(FaultRule::everywhere(Fault::Status(410)));
    assert!(
        raw_get(&proxy, "/example.com/a/@v/list")
            .unwrap()
            .starts_with("HTTP/1.1 410 Gone\r\n")
    );
    assert_eq!(proxy.request_log().len(), 5);
    assert_eq!(proxy.request_log()[0].header("Host"), Some("127.0.0.1"));
}

#[test]
fn a_warm_up_burst_is_served_on_connections_of_its_own_and_forgotten() {
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.warm_up("/example.com/a/@v/list", 20).unwrap();
    assert!(proxy.request_log().is_empty());
    raw_get(&proxy, "/example.com/a/@v/list").unwrap();
    let log = proxy.request_log();
    assert_eq!(log.len(), 1);
    // Connections are numbered in order of acceptance: the burst took the first 20.
    assert_eq!(log[0].connection, 20);

    // Over HTTPS too, trusting the proxy's own certificate authority.
    let tls = TestProxy::start_https(fixture()).unwrap();
    tls.warm_up("/example.com/a/@v/list", 5).unwrap();
    let pem = std::fs::read(tls.ca_cert_path().unwrap()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .build()
            .unwrap()
            .get(url(&tls, "/example.com/a/@v/list"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    let log = tls.request_log();
    assert_eq!(log.len(), 1);
    assert!(log[0].connection >= 1, "the burst's connections came first");
}

/// The proxy counts the connections open to it: a kept-alive connection stays counted until its
/// client closes it, and then the proxy is idle again.
#[tokio::test]
async fn open_connections_are_counted_until_closed() {
    let proxy = TestProxy::start(fixture()).unwrap();
    assert_eq!(proxy.open_connections(), 0);
    let kept = client(Duration::from_secs(30)).unwrap();
    for path in [A_MOD, "/example.com/b/@v/list"] {
        let response = kept.get(url(&proxy, path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.bytes().await.unwrap();
    }
    // One connection, kept alive by the client's pool.
    assert_eq!(proxy.open_connections(), 1);
    assert_eq!(proxy.connections_accepted(), 1);
    drop(kept);
    // The proxy's thread sees the close on its own time.
    tokio::time::timeout(Duration::from_secs(10), async {
        while proxy.open_connections() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .unwrap();
    assert!(proxy.wait_until_idle(Duration::ZERO));
}
