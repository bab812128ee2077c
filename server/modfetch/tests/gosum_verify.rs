//! go.sum verification against the go command: the lines we add are exactly those
//! `go mod download` writes (same TestProxy, same TestSumdb), a tampered line is a SECURITY ERROR
//! in go's words, an offline check is not an error, and a lying checksum database makes both go
//! and us write nothing.
//!
//! Without `go` (on PATH or in `GOMODLS_GO`) the tests are skipped, except under `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a broken setup must fail the test loudly"
)]

mod common;

use std::path::{Path, PathBuf};

use gomodls_modfetch::gosum_verify::{
    AddError, GoSumVerifier, Verdict, go_mod_download_keys, required_go_mod_keys,
};
use gomodls_modfetch::{CacheConfig, ModuleClient};
use gomodls_syntax::gosum::read_go_sum;
use gomodls_test_utils::go::{go_command, require_go};
use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};
use gomodls_test_utils::sumdb_server::{Lie, TestSumdb};

const APP_GO_MOD: &str = "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.1.0 // indirect\n)\n";

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

/// The requirements of [`APP_GO_MOD`] as checksum keys: each module's go.mod and zip.
fn wanted() -> Vec<(String, String, bool)> {
    let mut keys = Vec::new();
    for (path, version) in [("example.com/a", "v1.0.0"), ("example.com/b", "v1.1.0")] {
        keys.push((path.to_owned(), version.to_owned(), true));
        keys.push((path.to_owned(), version.to_owned(), false));
    }
    keys
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A verifier with its own GOMODCACHE and state under `home`.
fn verifier(home: &Path, proxy: &TestProxy, gosumdb: &str, offline: bool) -> GoSumVerifier {
    verifier_with(home, proxy, gosumdb, offline, "")
}

fn verifier_with(
    home: &Path,
    proxy: &TestProxy,
    gosumdb: &str,
    offline: bool,
    gonosumdb: &str,
) -> GoSumVerifier {
    let url = proxy.url();
    let env = common::env(
        home,
        &[
            ("GOPROXY", &url),
            ("GOSUMDB", gosumdb),
            ("GONOSUMDB", gonosumdb),
        ],
    );
    let cache = CacheConfig {
        dir: Some(home.join("cache")),
        offline,
        ..CacheConfig::default()
    };
    let client = ModuleClient::with_http_config(env, cache, common::http()).unwrap();
    GoSumVerifier::new(client, Some(&home.join("state")))
}

/// The true go.sum lines of every fixture module, hashed by us with the database off (go checks
/// them: if they were wrong it would refuse the database that serves them).
fn true_sums(proxy: &TestProxy) -> String {
    let home = tempfile::tempdir().unwrap();
    let verifier = verifier(home.path(), proxy, "off", false);
    let mut keys = wanted();
    keys.push(("example.com/b".to_owned(), "v1.0.0".to_owned(), true));
    keys.push(("example.com/b".to_owned(), "v1.0.0".to_owned(), false));
    runtime()
        .block_on(verifier.add_missing(b"", "go.sum", &keys))
        .unwrap()
        .unwrap()
}

/// Runs `go mod download` in a fresh app directory; returns success, stderr and go.sum.
fn go_mod_download(
    go: &Path,
    work: &Path,
    proxy: &TestProxy,
    gosumdb: &str,
    go_sum: &str,
) -> (bool, String, String) {
    go_mod_download_with(go, work, proxy, gosumdb, go_sum, "")
}

fn go_mod_download_with(
    go: &Path,
    work: &Path,
    proxy: &TestProxy,
    gosumdb: &str,
    go_sum: &str,
    gonosumdb: &str,
) -> (bool, String, String) {
    let app = work.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("go.mod"), APP_GO_MOD).unwrap();
    std::fs::write(app.join("go.sum"), go_sum).unwrap();
    let output = go_command(go, work, &work.join("gocache"))
        .current_dir(&app)
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", gosumdb)
        .env("GONOSUMDB", gonosumdb)
        .env("GOPRIVATE", "")
        .args(["mod", "download"])
        .output()
        .unwrap();
    let written = std::fs::read_to_string(app.join("go.sum")).unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        written,
    )
}

/// Our "add missing lines" for [`APP_GO_MOD`] and an empty go.sum through `goproxy` and
/// `gosumdb`, trusting the certificate authority `ca` (SSL_CERT_FILE), with caches, state and
/// netrc under `home`.
fn add_missing_over_https(
    home: &Path,
    goproxy: &str,
    gosumdb: &str,
    ca: &str,
) -> Result<Option<String>, AddError> {
    let env = common::env(
        home,
        &[
            ("GOPROXY", goproxy),
            ("GOSUMDB", gosumdb),
            ("GONOSUMDB", ""),
            ("SSL_CERT_FILE", ca),
        ],
    );
    let cache = CacheConfig {
        dir: Some(home.join("cache")),
        ..CacheConfig::default()
    };
    let client = ModuleClient::with_http_config(env, cache, common::http()).unwrap();
    let ours = GoSumVerifier::new(client, Some(&home.join("state")));
    let keys = required_go_mod_keys(APP_GO_MOD.as_bytes(), "go.mod").unwrap();
    runtime().block_on(ours.add_missing(b"", "go.sum", &keys))
}

fn go() -> Option<PathBuf> {
    require_go("gosum_verify").unwrap()
}

#[test]
fn added_lines_are_exactly_what_go_mod_download_writes() {
    let Some(go) = go() else { return };
    let proxy = TestProxy::start(fixture()).unwrap();
    let sumdb = TestSumdb::start(&true_sums(&proxy)).unwrap();

    let work = tempfile::tempdir().unwrap();
    let (ok, stderr, go_written) = go_mod_download(&go, work.path(), &proxy, &sumdb.gosumdb(), "");
    assert!(ok, "go mod download failed: {stderr}");

    let home = tempfile::tempdir().unwrap();
    let ours = verifier(home.path(), &proxy, &sumdb.gosumdb(), false);
    // Plain `go mod download` records the go.mod checksum of each requirement (no zip lines).
    let keys = required_go_mod_keys(APP_GO_MOD.as_bytes(), "go.mod").unwrap();
    assert_eq!(
        keys,
        go_mod_download_keys([("example.com/a", "v1.0.0"), ("example.com/b", "v1.1.0")])
    );
    let added = runtime()
        .block_on(ours.add_missing(b"", "go.sum", &keys))
        .unwrap();
    assert_eq!(added.as_deref(), Some(go_written.as_str()));
    // As go does, the proxy was asked whether it serves the database (404: go direct).
    let supported = format!("/sumdb/{}/supported", sumdb.name());
    assert!(proxy.requested_paths().contains(&supported));
    // Nothing more is missing once the lines are there.
    let again = runtime()
        .block_on(ours.add_missing(go_written.as_bytes(), "go.sum", &keys))
        .unwrap();
    assert_eq!(again, None);

    // Every line go wrote verifies, and a second verifier reads the verdicts from the state
    // directory without downloading.
    let go_sum = read_go_sum(go_written.as_bytes());
    let verdicts = runtime().block_on(ours.verify(&go_sum, "go.sum"));
    assert!(!verdicts.is_empty());
    assert!(
        verdicts.iter().all(|verdict| *verdict == Verdict::Verified),
        "{verdicts:?}"
    );
    let requests_before = proxy.request_log().len();
    let warm = verifier(home.path(), &proxy, &sumdb.gosumdb(), true);
    assert!(
        warm.cached_verdicts(&go_sum)
            .iter()
            .all(|verdict| *verdict == Some(Verdict::Verified))
    );
    assert_eq!(proxy.request_log().len(), requests_before);
}

#[test]
fn replacements_are_followed_as_go_mod_download_follows_them() {
    let Some(go) = go() else { return };
    let proxy = TestProxy::start(fixture()).unwrap();
    let sumdb = TestSumdb::start(&true_sums(&proxy)).unwrap();
    let go_mod = format!(
        "{APP_GO_MOD}\nreplace example.com/b v1.1.0 => example.com/b v1.0.0\n\nreplace example.com/a => example.com/a v1.0.0\n"
    );
    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("go.mod"), &go_mod).unwrap();
    let output = go_command(&go, work.path(), &work.path().join("gocache"))
        .current_dir(&app)
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", sumdb.gosumdb())
        .args(["mod", "download"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let go_written = std::fs::read_to_string(app.join("go.sum")).unwrap();

    let home = tempfile::tempdir().unwrap();
    let ours = verifier(home.path(), &proxy, &sumdb.gosumdb(), false);
    let keys = required_go_mod_keys(go_mod.as_bytes(), "go.mod").unwrap();
    let added = runtime()
        .block_on(ours.add_missing(b"", "go.sum", &keys))
        .unwrap();
    assert_eq!(added.as_deref(), Some(go_written.as_str()));
}

#[test]
fn a_tampered_line_is_a_security_error_in_go_words() {
    let Some(go) = go() else { return };
    let proxy = TestProxy::start(fixture()).unwrap();
    let truth = true_sums(&proxy);
    let sumdb = TestSumdb::start(&truth).unwrap();

    // A go.sum whose go.mod line for example.com/a holds the hash of another go.mod.
    let other_hash = truth
        .lines()
        .find(|line| line.starts_with("example.com/b v1.0.0/go.mod "))
        .unwrap()
        .split(' ')
        .nth(2)
        .unwrap()
        .to_owned();
    let tampered: String = truth
        .lines()
        .map(|line| {
            if line.starts_with("example.com/a v1.0.0/go.mod ") {
                format!("example.com/a v1.0.0/go.mod {other_hash}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();

    let work = tempfile::tempdir().unwrap();
    let (ok, stderr, go_left) =
        go_mod_download(&go, work.path(), &proxy, &sumdb.gosumdb(), &tampered);
    assert!(!ok, "go accepted a tampered go.sum");
    assert_eq!(go_left, tampered, "go rewrote a go.sum it refused");

    let home = tempfile::tempdir().unwrap();
    let ours = verifier(home.path(), &proxy, &sumdb.gosumdb(), false);
    let checked = runtime().block_on(ours.verify_file(tampered.as_bytes(), "go.sum"));
    let tampered_line = checked
        .iter()
        .find(|(_, verdict)| matches!(verdict, Verdict::Mismatch(_)))
        .map(|(line, _)| line.line);
    let expected_line = tampered
        .lines()
        .position(|line| line.starts_with("example.com/a v1.0.0/go.mod "))
        .map(|index| index as u32 + 1);
    assert_eq!(tampered_line, expected_line);
    let verdicts: Vec<Verdict> = checked.into_iter().map(|(_, verdict)| verdict).collect();
    let mismatches: Vec<&String> = verdicts
        .iter()
        .filter_map(|verdict| match verdict {
            Verdict::Mismatch(message) => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(mismatches.len(), 1, "{verdicts:?}");
    let message = mismatches[0];
    assert!(message.starts_with("verifying example.com/a@v1.0.0/go.mod: checksum mismatch\n"));
    assert!(
        stderr.contains(&format!("go: {message}")) || stderr.contains(message.as_str()),
        "go said:\n{stderr}\nwe said:\n{message}"
    );
    // The other lines verified; adding missing lines never replaces the tampered one.
    assert_eq!(
        verdicts
            .iter()
            .filter(|verdict| **verdict == Verdict::Verified)
            .count(),
        verdicts.len() - 1
    );
    let added = runtime()
        .block_on(ours.add_missing(tampered.as_bytes(), "go.sum", &wanted()))
        .unwrap();
    assert_eq!(added, None);
}

#[test]
fn offline_lines_are_unverified_not_errors() {
    let proxy = TestProxy::start(fixture()).unwrap();
    let truth = true_sums(&proxy);
    let home = tempfile::tempdir().unwrap();
    let offline = verifier(home.path(), &proxy, "off", true);
    let verdicts = runtime().block_on(offline.verify(&read_go_sum(truth.as_bytes()), "go.sum"));
    assert!(!verdicts.is_empty());
    assert!(
        verdicts
            .iter()
            .all(|verdict| matches!(verdict, Verdict::Unverified(_))),
        "{verdicts:?}"
    );
}

/// Offline, the checksum database is not asked either: lines whose modules are cached are
/// hashed from the cache, and stay unverified (the database is on the network), with no request
/// to the proxy or to the database.
#[test]
fn offline_the_database_is_not_asked() {
    let proxy = TestProxy::start(fixture()).unwrap();
    let truth = true_sums(&proxy);
    let sumdb = TestSumdb::start(&truth).unwrap();
    let home = tempfile::tempdir().unwrap();
    // Online first, without a database: every module of the lines is downloaded into the cache.
    let url = proxy.url();
    let client = ModuleClient::with_http_config(
        common::env(home.path(), &[("GOPROXY", &url), ("GOSUMDB", "off")]),
        CacheConfig {
            dir: Some(home.path().join("cache")),
            ..CacheConfig::default()
        },
        common::http(),
    )
    .unwrap();
    let online = GoSumVerifier::new(client.clone(), Some(&home.path().join("state")));
    let mut keys = wanted();
    keys.push(("example.com/b".to_owned(), "v1.0.0".to_owned(), true));
    keys.push(("example.com/b".to_owned(), "v1.0.0".to_owned(), false));
    let added = runtime()
        .block_on(online.add_missing(b"", "go.sum", &keys))
        .unwrap()
        .unwrap();
    assert_eq!(added, truth);
    runtime().block_on(client.flush());
    drop(online);
    proxy.clear_log();
    let offline = verifier(home.path(), &proxy, &sumdb.gosumdb(), true);
    let verdicts = runtime().block_on(offline.verify(&read_go_sum(truth.as_bytes()), "go.sum"));
    assert!(!verdicts.is_empty());
    assert!(
        verdicts.iter().all(|verdict| matches!(
            verdict,
            Verdict::Unverified(why) if why.contains("checksum database not consulted")
        )),
        "{verdicts:?}"
    );
    assert_eq!(proxy.requested_paths(), Vec::<String>::new());
    assert!(sumdb.requests().is_empty());
}

#[test]
fn nothing_is_written_when_the_database_lies() {
    let Some(go) = go() else { return };
    let proxy = TestProxy::start(fixture()).unwrap();
    let sumdb = TestSumdb::start(&true_sums(&proxy)).unwrap();
    sumdb.lie(Lie::WrongHash {
        path: "example.com/b".to_owned(),
        version: "v1.1.0".to_owned(),
    });

    let work = tempfile::tempdir().unwrap();
    let (ok, stderr, go_written) = go_mod_download(&go, work.path(), &proxy, &sumdb.gosumdb(), "");
    assert!(!ok, "go accepted a lying database");
    assert!(stderr.contains("SECURITY ERROR"), "{stderr}");
    assert!(
        !go_written.contains("example.com/b v1.1.0 "),
        "go wrote the unverified zip line:\n{go_written}"
    );

    let home = tempfile::tempdir().unwrap();
    let ours = verifier(home.path(), &proxy, &sumdb.gosumdb(), false);
    let error = runtime()
        .block_on(ours.add_missing(b"", "go.sum", &wanted()))
        .unwrap_err();
    let AddError::Verify(message) = &error else {
        panic!("{error:?}");
    };
    assert!(
        message.starts_with("example.com/b@v1.1.0: verifying module: checksum mismatch\n"),
        "{message}"
    );
    assert!(
        stderr.contains(message.as_str()),
        "go said:\n{stderr}\nwe said:\n{message}"
    );
}

#[test]
fn gonosumdb_exempts_a_module_from_a_lying_database() {
    let Some(go) = go() else { return };
    let proxy = TestProxy::start(fixture()).unwrap();
    let sumdb = TestSumdb::start(&true_sums(&proxy)).unwrap();
    sumdb.lie(Lie::WrongHash {
        path: "example.com/b".to_owned(),
        version: "v1.1.0".to_owned(),
    });
    let work = tempfile::tempdir().unwrap();
    let (ok, stderr, go_written) = go_mod_download_with(
        &go,
        work.path(),
        &proxy,
        &sumdb.gosumdb(),
        "",
        "example.com/b",
    );
    assert!(ok, "{stderr}");

    let home = tempfile::tempdir().unwrap();
    let ours = verifier_with(
        home.path(),
        &proxy,
        &sumdb.gosumdb(),
        false,
        "example.com/b",
    );
    let keys = required_go_mod_keys(APP_GO_MOD.as_bytes(), "go.mod").unwrap();
    let added = runtime()
        .block_on(ours.add_missing(b"", "go.sum", &keys))
        .unwrap();
    assert_eq!(added.as_deref(), Some(go_written.as_str()));
    // The zip line the database lies about verifies against the download alone.
    let mut all = wanted();
    all.retain(|(path, _, _)| path == "example.com/b");
    let zip_lines = runtime()
        .block_on(ours.add_missing(go_written.as_bytes(), "go.sum", &all))
        .unwrap()
        .unwrap();
    let verdicts = runtime().block_on(ours.verify(&read_go_sum(zip_lines.as_bytes()), "go.sum"));
    assert!(
        verdicts.iter().all(|verdict| *verdict == Verdict::Verified),
        "{verdicts:?}"
    );
}

#[test]
fn a_proxy_that_supports_the_database_is_used_for_it() {
    let proxy = TestProxy::start(fixture()).unwrap();
    let truth = true_sums(&proxy);
    let sumdb = TestSumdb::start(&truth).unwrap();
    let prefix = format!("/sumdb/{}/", sumdb.name());
    proxy.mount(&prefix, |request| {
        if request.path.ends_with("/supported") {
            gomodls_test_utils::proxy::MountResponse::text(200, "")
        } else {
            gomodls_test_utils::proxy::MountResponse::text(503, "unavailable")
        }
    });
    let home = tempfile::tempdir().unwrap();
    let ours = verifier(home.path(), &proxy, &sumdb.gosumdb(), false);
    let verdicts = runtime().block_on(ours.verify(&read_go_sum(truth.as_bytes()), "go.sum"));
    // The proxy's database is down: nothing verifies, and nothing is an error.
    assert!(
        verdicts
            .iter()
            .all(|verdict| matches!(verdict, Verdict::Unverified(message) if message.contains(&proxy.url()))),
        "{verdicts:?}"
    );
    // Every database request went to the proxy, none to the database itself.
    assert!(sumdb.requests().is_empty(), "{:?}", sumdb.requests());
    assert!(
        proxy
            .requested_paths()
            .iter()
            .any(|path| path.starts_with(&prefix) && !path.ends_with("/supported"))
    );
}

/// The checksum database over HTTPS, as sum.golang.org is served. Trusted through SSL_CERT_FILE
/// as go trusts it, the lines we add are those `go mod download` writes; without that trust go
/// refuses the database and we add nothing either.
#[test]
fn a_database_over_https_is_trusted_as_go_trusts_it() {
    let Some(go) = go() else { return };
    let proxy = TestProxy::start(fixture()).unwrap();
    let sumdb = TestSumdb::start_https(&true_sums(&proxy)).unwrap();
    assert!(sumdb.url().starts_with("https://"), "{}", sumdb.url());
    let ca = sumdb.ca_cert_path().unwrap().display().to_string();
    let keys = required_go_mod_keys(APP_GO_MOD.as_bytes(), "go.mod").unwrap();
    for trusted in [true, false] {
        let work = tempfile::tempdir().unwrap();
        let app = work.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("go.mod"), APP_GO_MOD).unwrap();
        let mut command = go_command(&go, work.path(), &work.path().join("gocache"));
        command
            .current_dir(&app)
            .env("GOPROXY", proxy.url())
            .env("GOSUMDB", sumdb.gosumdb())
            .env("GOPRIVATE", "")
            .env("GONOSUMDB", "")
            .args(["mod", "download"]);
        match trusted {
            true => command.env("SSL_CERT_FILE", &ca),
            false => command.env_remove("SSL_CERT_FILE"),
        };
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let go_written = std::fs::read_to_string(app.join("go.sum")).unwrap_or_default();

        let home = tempfile::tempdir().unwrap();
        let mut vars = vec![
            ("GOPROXY", proxy.url()),
            ("GOSUMDB", sumdb.gosumdb()),
            ("GONOSUMDB", String::new()),
        ];
        if trusted {
            vars.push(("SSL_CERT_FILE", ca.clone()));
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let env = common::env(home.path(), &vars);
        let cache = CacheConfig {
            dir: Some(home.path().join("cache")),
            ..CacheConfig::default()
        };
        let client = ModuleClient::with_http_config(env, cache, common::http()).unwrap();
        let ours = GoSumVerifier::new(client, Some(&home.path().join("state")));
        let added = runtime().block_on(ours.add_missing(b"", "go.sum", &keys));
        if trusted {
            assert!(output.status.success(), "go mod download failed: {stderr}");
            assert_eq!(added.unwrap().as_deref(), Some(go_written.as_str()));
            // go's lookups and ours both reached the database over HTTPS.
            let lookups = sumdb
                .requests()
                .iter()
                .filter(|path| *path == "/lookup/example.com/a@v1.0.0")
                .count();
            assert_eq!(lookups, 2, "{:?}", sumdb.requests());
        } else {
            assert!(!output.status.success(), "go trusted an unknown authority");
            assert!(stderr.contains("certificate"), "{stderr}");
            // go's words for the refused certificate, ours the same (for whichever module's
            // lookup went first).
            let refused: Vec<String> = ["a@v1.0.0", "b@v1.1.0"]
                .iter()
                .map(|module| {
                    format!(
                        "Get \"{}/lookup/example.com/{module}\": tls: failed to verify \
                         certificate: x509: certificate signed by unknown authority",
                        sumdb.url()
                    )
                })
                .collect();
            let error = added.unwrap_err().to_string();
            assert!(refused.iter().any(|r| error.ends_with(r)), "{error}");
            assert!(refused.iter().any(|r| stderr.contains(r)), "{stderr}");
            assert_eq!(go_written, "");
        }
    }
}

/// A checksum database reached over HTTPS that redirects to plain HTTP: go refuses to follow,
/// and so do we, in go's words (the insecure target named), and neither reads the database.
#[test]
fn a_redirect_from_https_to_http_is_refused_as_go_refuses_it() {
    let Some(go) = go() else { return };
    let proxy = TestProxy::start(fixture()).unwrap();
    let sumdb = TestSumdb::start(&true_sums(&proxy)).unwrap();
    assert!(sumdb.url().starts_with("http://"), "{}", sumdb.url());
    let front = TestProxy::start_https(Fixture::new()).unwrap();
    front.inject(FaultRule::everywhere(Fault::Redirect {
        to_base: sumdb.url(),
    }));
    let ca = front.ca_cert_path().unwrap().display().to_string();
    let gosumdb = format!("{} {}", sumdb.verifier_key(), front.url());
    let refused: Vec<String> = ["a@v1.0.0", "b@v1.1.0"]
        .iter()
        .map(|module| {
            let lookup = format!("/lookup/example.com/{module}");
            let (from, to) = (front.url() + &lookup, sumdb.url() + &lookup);
            format!("Get \"{to}\": redirected from secure URL {from} to insecure URL {to}")
        })
        .collect();

    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("go.mod"), APP_GO_MOD).unwrap();
    let output = go_command(&go, work.path(), &work.path().join("gocache"))
        .current_dir(&app)
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", &gosumdb)
        .env("GOPRIVATE", "")
        .env("GONOSUMDB", "")
        .env("SSL_CERT_FILE", &ca)
        .args(["mod", "download"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !output.status.success(),
        "go followed the downgrade: {stderr}"
    );
    assert!(refused.iter().any(|r| stderr.contains(r)), "{stderr}");

    let home = tempfile::tempdir().unwrap();
    let error = add_missing_over_https(home.path(), &proxy.url(), &gosumdb, &ca)
        .unwrap_err()
        .to_string();
    assert!(refused.iter().any(|r| error.ends_with(r)), "{error}");
    // The front saw go's requests and ours; the database behind it saw none.
    assert!(!front.request_log().is_empty());
    assert!(sumdb.requests().is_empty(), "{:?}", sumdb.requests());
}

/// A corporate module proxy that requires credentials and serves the checksum database under
/// `/sumdb/NAME/` (as Artifactory and Athens do): go sends the netrc credentials with the
/// database's requests as with the modules', and so do we. The lines we add are those
/// `go mod download` writes, and every database request reached the proxy with credentials.
#[test]
fn a_proxy_that_requires_credentials_serves_the_database_with_them() {
    let Some(go) = go() else { return };
    let truth = true_sums(&TestProxy::start(fixture()).unwrap());
    let sumdb = TestSumdb::start(&truth).unwrap();
    let proxy = TestProxy::start_https(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::basic_auth("alice", "s3cret")));
    let prefix = format!("/sumdb/{}/", sumdb.name());
    proxy.mount(&prefix, sumdb.proxy_handler());
    let ca = proxy.ca_cert_path().unwrap().display().to_string();
    let netrc = format!("machine {} login alice password s3cret\n", proxy.address());

    let work = tempfile::tempdir().unwrap();
    let app = work.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("go.mod"), APP_GO_MOD).unwrap();
    std::fs::write(work.path().join("netrc"), &netrc).unwrap();
    let output = go_command(&go, work.path(), &work.path().join("gocache"))
        .current_dir(&app)
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", sumdb.gosumdb())
        .env("GOPRIVATE", "")
        .env("GONOSUMDB", "")
        .env("SSL_CERT_FILE", &ca)
        .env("NETRC", work.path().join("netrc"))
        .args(["mod", "download"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let gos = std::fs::read_to_string(app.join("go.sum")).unwrap();
    assert!(!gos.is_empty());
    let go_database_requests = sumdb.requests().len();
    assert!(go_database_requests > 0, "go did not use the database");

    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("netrc"), &netrc).unwrap();
    let added = add_missing_over_https(home.path(), &proxy.url(), &sumdb.gosumdb(), &ca)
        .unwrap()
        .unwrap();
    assert_eq!(added, gos);
    assert!(
        sumdb.requests().len() > go_database_requests,
        "we did not use the database"
    );
    // Every database request, go's and ours, went to the proxy and carried the credentials.
    let database_requests: Vec<_> = proxy
        .request_log()
        .into_iter()
        .filter(|record| record.path.starts_with(&prefix))
        .collect();
    assert!(
        database_requests
            .iter()
            .any(|record| record.path.ends_with("/supported"))
    );
    for record in &database_requests {
        assert_eq!(
            record.authorization(),
            Some("Basic YWxpY2U6czNjcmV0"),
            "{}",
            record.path
        );
    }
}
