//! Security: excluded modules never reach excluded proxies, credentials stay on their host and
//! off plain HTTP, lying proxies give errors and never bad data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{client, env, http, proxy, requests_for};
use gomodls_modfetch::{CacheConfig, HttpConfig, ModuleClient};
use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[tokio::test]
async fn goprivate_modules_are_never_requested_from_any_proxy() {
    let home = tempfile::tempdir().unwrap();
    let (a, b) = (proxy(), proxy());
    for (vars, label) in [
        (vec![("GOPRIVATE", "private.example")], "GOPRIVATE"),
        (vec![("GONOPROXY", "*.example,other.org")], "GONOPROXY glob"),
        (
            vec![("GOPRIVATE", "private.example"), ("GOPROXY", "direct")],
            "direct",
        ),
    ] {
        let list = format!("{},{}", a.url(), b.url());
        let mut all = vec![("GOPROXY", list.as_str())];
        all.extend(vars);
        let c = client(env(home.path(), &all));
        assert!(c.facts("private.example/secret").await.is_err(), "{label}");
        assert!(
            c.query("private.example/secret", "v1", None).await.is_err(),
            "{label}"
        );
        assert!(
            c.query("private.example/secret", "master", None)
                .await
                .is_err(),
            "{label}"
        );
        assert!(
            c.go_mod("private.example/secret", "v1.0.0").await.is_err(),
            "{label}"
        );
        assert!(c.latest("private.example/secret").await.is_err(), "{label}");
    }
    for proxy in [&a, &b] {
        let leaked: Vec<String> = proxy
            .requested_paths()
            .into_iter()
            .filter(|p| p.contains("private.example"))
            .collect();
        assert!(
            leaked.is_empty(),
            "requested from an excluded proxy: {leaked:?}"
        );
    }
}

#[tokio::test]
async fn gomodcache_serves_private_modules_without_any_request() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let fixture = Fixture::new().with(
        FixtureVersion::new("private.example/secret", "v1.0.0")
            .go_mod("module private.example/secret\n"),
    );
    gomodls_test_utils::proxy::build_proxy_dir(
        &fixture,
        &home.path().join("gomodcache/cache/download"),
    )
    .unwrap();
    let c = client(env(
        home.path(),
        &[("GOPROXY", &a.url()), ("GOPRIVATE", "private.example")],
    ));
    let go_mod = c.go_mod("private.example/secret", "v1.0.0").await.unwrap();
    assert_eq!(&go_mod.value[..], b"module private.example/secret\n");
    let versions = c.versions("private.example/secret").await.unwrap();
    assert_eq!(versions.value.versions, ["v1.0.0"]);
    assert_eq!(versions.freshness, gomodls_modfetch::Freshness::Stale);
    assert!(a.requested_paths().is_empty());
}

/// Two HTTPS test proxies and a certificate bundle (in `home`) trusting both, for SSL_CERT_FILE.
fn https_pair(home: &std::path::Path) -> (TestProxy, TestProxy, String) {
    let a = TestProxy::start_https(common::fixture()).unwrap();
    let b = TestProxy::start_https(common::fixture()).unwrap();
    let mut pem = std::fs::read(a.ca_cert_path().unwrap()).unwrap();
    pem.extend(std::fs::read(b.ca_cert_path().unwrap()).unwrap());
    let bundle = home.join("ca-bundle.pem");
    std::fs::write(&bundle, pem).unwrap();
    (a, b, bundle.display().to_string())
}

/// netrc credentials go over https only (go adds GOAUTH's credentials to https requests alone,
/// GOINSECURE or not), to their own host only, and not along a redirect to another host.
#[tokio::test]
async fn netrc_credentials_go_over_https_only_and_only_to_their_host() {
    let home = tempfile::tempdir().unwrap();
    let plain = proxy();
    let (a, b, bundle) = https_pair(home.path());
    for guarded in [&plain, &a] {
        guarded.inject(FaultRule::everywhere(Fault::basic_auth("alice", "s3cret")));
    }
    std::fs::write(
        home.path().join("netrc"),
        format!(
            "machine {} login alice password s3cret\nmachine {} login alice password s3cret\n\
             machine other.example login eve password x\n",
            plain.address(),
            a.address()
        ),
    )
    .unwrap();

    // Plain HTTP, GOINSECURE or not: no credentials are sent, so the proxy refuses.
    for vars in [
        vec![("GOPROXY", plain.url())],
        vec![
            ("GOPROXY", plain.url()),
            ("GOINSECURE", "example.com".to_owned()),
        ],
    ] {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let err = client(env(home.path(), &vars))
            .versions("example.com/m")
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "module example.com/m: reading {}/example.com/m/@v/list: 401 Unauthorized\n\tserver response: unauthorized",
                plain.url()
            ),
            "{vars:?}"
        );
    }
    assert!(!plain.request_log().is_empty());
    assert!(
        plain
            .request_log()
            .iter()
            .all(|r| r.authorization().is_none())
    );

    // Over HTTPS they go, to that host only.
    let secure = client(env(
        home.path(),
        &[("GOPROXY", &a.url()), ("SSL_CERT_FILE", &bundle)],
    ));
    assert_eq!(
        secure
            .versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        5
    );
    assert_eq!(
        a.request_log().last().unwrap().authorization(),
        Some(basic("alice", "s3cret").as_str())
    );

    // A redirect to another host does not carry them along.
    a.clear_faults();
    a.clear_log();
    a.inject(FaultRule::everywhere(Fault::redirect(&b.url())));
    let redirected = client(env(
        home.path(),
        &[("GOPROXY", &a.url()), ("SSL_CERT_FILE", &bundle)],
    ));
    assert_eq!(
        redirected
            .versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        5
    );
    assert_eq!(
        a.request_log().last().unwrap().authorization(),
        Some(basic("alice", "s3cret").as_str())
    );
    let at_b = b.request_log();
    assert_eq!(at_b.len(), 1);
    assert_eq!(at_b[0].authorization(), None);
}

/// User information in an http GOPROXY URL is refused, GOINSECURE or not (as go refuses it: its
/// module proxy requests never send credentials in the clear); in an https one it is sent to that
/// host, and not along a redirect to another host.
#[tokio::test]
async fn url_credentials_are_refused_over_http_and_dropped_on_redirect() {
    let home = tempfile::tempdir().unwrap();
    let plain = proxy();
    let with_user = format!("http://bob:pw@{}", plain.address());
    for insecure in [None, Some(("GOINSECURE", "example.com"))] {
        let mut vars = vec![("GOPROXY", with_user.as_str())];
        vars.extend(insecure);
        let err = client(env(home.path(), &vars))
            .versions("example.com/m")
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "module example.com/m: refusing to pass credentials to insecure URL: http://bob:xxxxx@{}/example.com/m/@v/list",
                plain.address()
            )
        );
    }
    assert!(plain.requested_paths().is_empty());

    let (a, b, bundle) = https_pair(home.path());
    a.inject(FaultRule::everywhere(Fault::redirect(&b.url())));
    let with_user = format!("https://bob:pw@{}", a.address());
    client(env(
        home.path(),
        &[("GOPROXY", &with_user), ("SSL_CERT_FILE", &bundle)],
    ))
    .versions("example.com/m")
    .await
    .unwrap();
    assert_eq!(
        a.request_log()[0].authorization(),
        Some(basic("bob", "pw").as_str())
    );
    assert_eq!(b.request_log()[0].authorization(), None);
}

#[tokio::test]
async fn goauth_command_credentials_follow_their_url_prefix() {
    let home = tempfile::tempdir().unwrap();
    let (a, b, bundle) = https_pair(home.path());
    let script = home.path().join("auth.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf 'https://{}/\\n\\nAuthorization: Bearer token-a\\n\\n'\n",
            a.address()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let list = format!("{}|{}", a.url(), b.url());
    a.inject(FaultRule::under(
        "/example.com/m/@v/list",
        Fault::Status(500),
    ));
    let goauth = script.display().to_string();
    let c = client(env(
        home.path(),
        &[
            ("GOPROXY", &list),
            ("SSL_CERT_FILE", &bundle),
            ("GOAUTH", &goauth),
        ],
    ));
    c.versions("example.com/m").await.unwrap();
    assert!(!a.request_log().is_empty());
    assert!(
        a.request_log()
            .iter()
            .all(|r| r.authorization() == Some("Bearer token-a"))
    );
    assert!(b.request_log().iter().all(|r| r.authorization().is_none()));
    assert!(!b.request_log().is_empty());
}

/// A malformed GOAUTH fails https requests in go's words; http ones never ask GOAUTH (go adds
/// its credentials to https requests only), so they go on.
#[tokio::test]
async fn malformed_goauth_is_reported_with_go_words() {
    let home = tempfile::tempdir().unwrap();
    let (a, _, bundle) = https_pair(home.path());
    let c = client(env(
        home.path(),
        &[
            ("GOPROXY", &a.url()),
            ("GOAUTH", "off;netrc"),
            ("SSL_CERT_FILE", &bundle),
        ],
    ));
    let err = c.versions("example.com/m").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "module example.com/m: GOAUTH=off cannot be combined with other authentication commands (GOAUTH=off;netrc)"
    );
    assert!(a.request_log().is_empty());
    let plain = proxy();
    let c = client(env(
        home.path(),
        &[("GOPROXY", &plain.url()), ("GOAUTH", "off;netrc")],
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
}

#[tokio::test]
async fn lying_proxies_give_errors_not_data() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));

    let wrong = a.inject(FaultRule::under(
        "/example.com/m/@v/v1.0.0.info",
        Fault::replace_body(r#"{"Version":"v1.0.1"}"#),
    ));
    assert_eq!(
        c.info("example.com/m", "v1.0.0")
            .await
            .unwrap_err()
            .to_string(),
        "example.com/m@v1.0.0: proxy returned info for version v1.0.1 instead of requested version"
    );
    a.remove_fault(wrong);
    // The lie was not cached.
    assert_eq!(
        c.info("example.com/m", "v1.0.0")
            .await
            .unwrap()
            .value
            .version,
        "v1.0.0"
    );

    a.inject(FaultRule::under(
        "/example.com/m/@v/master.info",
        Fault::replace_body(r#"{"Version":"v2.0.0"}"#),
    ));
    assert_eq!(
        c.info("example.com/m", "master")
            .await
            .unwrap_err()
            .to_string(),
        "example.com/m@master: invalid version: version \"v2.0.0\" invalid: should be v0 or v1, not v2"
    );
    a.inject(FaultRule::under(
        "/example.com/m/@v/feature.info",
        Fault::replace_body("not json"),
    ));
    let err = c
        .info("example.com/m", "feature")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "example.com/m@feature: invalid version: invalid response from proxy \"{}\": ",
            a.url()
        )),
        "{err}"
    );

    // 100 MB for a version list: refused at the bound, without reading it all.
    a.inject(FaultRule::under(
        "/example.com/dep/@v/list",
        Fault::HugeBody { bytes: 100 << 20 },
    ));
    let err = c.versions("example.com/dep").await.unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "module example.com/dep: reading {}/example.com/dep/@v/list: response body too large (more than 16777216 bytes)",
            a.url()
        )
    );

    // A body cut short is an error, not a shorter list.
    a.inject(FaultRule::under(
        "/gopkg.in/yaml.v2/@v/list",
        Fault::TruncateBody { keep_bytes: 3 },
    ));
    assert!(c.versions("gopkg.in/yaml.v2").await.is_err());
}

#[tokio::test]
async fn a_proxy_that_never_answers_or_never_ends_times_out() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let fast = HttpConfig {
        request_timeout: Duration::from_millis(300),
        retries: 0,
        ..http()
    };
    let c = ModuleClient::with_http_config(
        env(home.path(), &[("GOPROXY", &a.url())]),
        CacheConfig::default(),
        fast,
    )
    .unwrap();
    a.inject(FaultRule::under("/example.com/m/@v/list", Fault::Hang));
    let err = c.versions("example.com/m").await.unwrap_err().to_string();
    assert!(err.contains("request timed out after"), "{err}");
    a.inject(FaultRule::under(
        "/example.com/dep/@v/list",
        Fault::SlowBody {
            chunk_size: 1,
            interval: Duration::from_millis(200),
        },
    ));
    let err = c.versions("example.com/dep").await.unwrap_err().to_string();
    assert!(err.contains("request timed out after"), "{err}");
    assert_eq!(requests_for(&a, "example.com/dep").len(), 1);
}

/// User information in an http GOPROXY URL, compared with go: refused, GOINSECURE or not, any
/// user information (an empty one too), in go's words, before anything is sent. Over https it is
/// sent as go sends it: tests/https.rs.
#[tokio::test]
async fn url_user_information_over_http_is_refused_as_go_refuses_it() {
    let Some(go) = gomodls_test_utils::go::require_go(
        "url_user_information_over_http_is_refused_as_go_refuses_it",
    )
    .unwrap() else {
        return;
    };
    let a = proxy();
    for user_info in [
        "bob:pw",
        "bob",
        "bob:",
        ":pw",
        ":",
        "",
        "us%FFer:p%FEss%C3%A9",
    ] {
        for insecure in [false, true] {
            let goproxy = format!("http://{user_info}@{}", a.address());
            let label = format!("GOPROXY={goproxy} GOINSECURE: {insecure}");
            let mut vars = vec![("GOPROXY", goproxy.as_str())];
            if insecure {
                vars.push(("GOINSECURE", "example.com"));
            }
            a.clear_log();
            let output = common::go_mod_download(&go, &vars);
            let sent = |label: &str| -> Vec<Option<String>> {
                let log = a.request_log();
                a.clear_log();
                let mut sent: Vec<Option<String>> = log
                    .iter()
                    .map(|r| r.authorization().map(str::to_owned))
                    .collect();
                sent.dedup();
                assert!(sent.len() <= 1, "{label}: {sent:?}");
                sent
            };
            let go_sent = sent(&label);
            eprintln!("{label}: {output:?}");
            let home = tempfile::tempdir().unwrap();
            let ours = client(env(home.path(), &vars))
                .info("example.com/m", "v1.0.0")
                .await;
            assert_eq!(sent(&label), go_sent, "{label}");
            match ours {
                Ok(_) => assert!(output.status.success(), "{label}: {output:?}"),
                Err(err) => {
                    assert!(!output.status.success(), "{label}: ours {err}");
                    let go_error: serde_json::Value =
                        serde_json::from_slice(&output.stdout).unwrap();
                    assert_eq!(
                        go_error["Error"].as_str().unwrap(),
                        err.to_string(),
                        "{label}"
                    );
                }
            }
        }
    }
}

/// A `.zip` answer that is not the module's zip (a login page from a captive portal, another
/// module's zip) is refused in go's words, compared with `go mod download`, and never kept: once
/// the proxy answers properly, the real zip is fetched and kept.
#[tokio::test]
async fn a_download_that_is_not_the_module_zip_is_refused_and_never_kept() {
    let Some(go) = gomodls_test_utils::go::require_go(
        "a_download_that_is_not_the_module_zip_is_refused_and_never_kept",
    )
    .unwrap() else {
        return;
    };
    let a = proxy();
    let other_zip = reqwest::get(format!("{}/example.com/dep/@v/v1.0.0.zip", a.url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let login_page = bytes::Bytes::from_static(b"<html>please log in</html>\n");
    for (body, words) in [
        (login_page, "zip: not a valid zip file"),
        (
            other_zip,
            "zip for example.com/m@v1.0.0 has unexpected file example.com/dep@v1.0.0/",
        ),
    ] {
        let rule = a.inject(FaultRule::under(
            "/example.com/m/@v/v1.0.0.zip",
            Fault::ReplaceBody(body),
        ));
        let output = common::go_mod_download(&go, &[("GOPROXY", &a.url())]);
        assert!(!output.status.success(), "{output:?}");
        let go_error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let go_error = go_error["Error"].as_str().unwrap().to_owned();
        assert!(go_error.contains(words), "{go_error}");

        let home = tempfile::tempdir().unwrap();
        let cache = home.path().join("cache");
        let c = common::client_with_dir(env(home.path(), &[("GOPROXY", &a.url())]), &cache);
        let err = c.zip("example.com/m", "v1.0.0").await.unwrap_err();
        assert_eq!(err.to_string(), go_error);
        a.remove_fault(rule);
        let kept = c.zip("example.com/m", "v1.0.0").await.unwrap();
        assert!(matches!(
            kept.source,
            gomodls_modfetch::DataSource::Proxy(_)
        ));
        let zip = std::fs::read(&kept.value).unwrap();
        assert!(zip.starts_with(b"PK"));
        let dir = kept.value.parent().unwrap();
        let names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["v1.0.0.zip"]);
    }
}
