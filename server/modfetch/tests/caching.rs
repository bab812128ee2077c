//! Caches: one request per URL in flight, disk cache reuse, TTL and stale answers, GOMODCACHE
//! read-only use, offline mode, retries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{client, client_with_dir, env, fixture, http, proxy, requests_for};
use gomodls_modfetch::{CacheConfig, DataSource, Freshness, ModuleClient};
use gomodls_test_utils::proxy::{Fault, FaultRule};

/// Polls until `condition` holds (the background work it waits for has no other signal).
async fn eventually(mut condition: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("condition never became true");
}

#[tokio::test]
async fn concurrent_requests_for_one_url_share_one_request() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    a.inject(FaultRule::everywhere(Fault::Latency(
        Duration::from_millis(100),
    )));
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let calls = (0..25).map(|_| c.versions("example.com/m"));
    let results = futures::future::join_all(calls).await;
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().unwrap().value.versions.len() == 5)
    );
    assert_eq!(
        requests_for(&a, "example.com/m"),
        ["/example.com/m/@v/list"]
    );
}

#[tokio::test]
async fn a_request_nobody_waits_for_is_dropped() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let hang = a.inject(FaultRule::under("/example.com/m/@v/list", Fault::Hang));
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let waiting =
        tokio::time::timeout(Duration::from_millis(200), c.versions("example.com/m")).await;
    assert!(waiting.is_err());
    a.remove_fault(hang);
    // The abandoned request is gone: a new caller sends a new request and gets an answer.
    assert_eq!(
        c.versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        5
    );
    assert_eq!(requests_for(&a, "example.com/m").len(), 2);
}

#[tokio::test]
async fn retries_with_backoff_on_429_and_5xx() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    a.inject(FaultRule::under("/example.com/m/@v/list", Fault::Status(503)).times(2));
    a.inject(FaultRule::under("/example.com/dep/@v/list", Fault::Status(429)).times(1));
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    assert_eq!(
        c.versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        5
    );
    assert_eq!(requests_for(&a, "example.com/m").len(), 3);
    assert_eq!(
        c.versions("example.com/dep")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        1
    );
    assert_eq!(requests_for(&a, "example.com/dep").len(), 2);
    // Three failures in a row exhaust the two retries.
    a.inject(FaultRule::under("/gopkg.in/yaml.v2/@v/list", Fault::Status(502)).times(3));
    assert!(c.versions("gopkg.in/yaml.v2").await.is_err());
    assert_eq!(requests_for(&a, "gopkg.in/yaml.v2").len(), 3);
    // A 404 is an answer, not a hiccup: no retry.
    a.clear_log();
    assert!(c.versions("example.com/none").await.is_err());
    assert_eq!(requests_for(&a, "example.com/none").len(), 1);
}

#[tokio::test]
async fn disk_cache_serves_a_second_client_without_requests() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let e = env(home.path(), &[("GOPROXY", &a.url())]);
    let first = client_with_dir(e.clone(), cache.path());
    let facts = first.facts("example.com/m").await.unwrap();
    assert_eq!(facts.freshness, Freshness::Fresh);
    first.flush().await;
    let sent = a.requested_paths().len();
    assert!(sent >= 3);

    let second = client_with_dir(e, cache.path());
    let again = second.facts("example.com/m").await.unwrap();
    assert_eq!(again.versions, facts.versions);
    assert_eq!(again.retractions, facts.retractions);
    assert_eq!(again.freshness, Freshness::Fresh);
    assert_eq!(a.requested_paths().len(), sent, "{:?}", a.requested_paths());
    assert_eq!(second.requests_sent(), 0);
    // The disk cache is a GOPROXY layout: a version's files shared by every proxy setting, the
    // answers that change (lists) apart for each.
    assert!(scoped_files(cache.path(), "example.com/m/@v/list").len() == 1);
    assert!(!cache.path().join("example.com/m/@v/list").exists());
    assert!(cache.path().join("example.com/m/@v/v1.2.0.mod").is_file());
}

/// The files `relative` below each proxy setting's part of the cache directory `cache`.
fn scoped_files(cache: &std::path::Path, relative: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(cache.join("_proxies"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|scope| scope.path().join(relative))
        .filter(|file| file.is_file())
        .collect()
}

/// Answers that change over time are kept apart for each GOPROXY setting: a client set up for
/// another proxy never takes the first one's version list for its own (it asks its proxy), while
/// a version's files, which never change, are shared. A new password is the same proxy.
#[tokio::test]
async fn lists_are_kept_apart_for_each_goproxy_setting() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (a, b) = (proxy(), proxy());
    b.set_content(
        gomodls_test_utils::proxy::Fixture::new().with(
            gomodls_test_utils::proxy::FixtureVersion::new("example.com/m", "v1.0.0")
                .go_mod("module example.com/m\n"),
        ),
    )
    .unwrap();
    let first = client_with_dir(env(home.path(), &[("GOPROXY", &a.url())]), cache.path());
    assert_eq!(
        first
            .versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .len(),
        5
    );
    first.go_mod("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(
        first.facts("example.com/m").await.unwrap().versions.len(),
        5
    );
    first.flush().await;

    let second = client_with_dir(env(home.path(), &[("GOPROXY", &b.url())]), cache.path());
    let list = second.versions("example.com/m").await.unwrap();
    assert_eq!(list.value.versions, ["v1.0.0"]);
    assert!(matches!(list.source, DataSource::Proxy(_)));
    let go_mod = second.go_mod("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(go_mod.source, DataSource::DiskCache);
    // The facts of the first setting are not the second's either.
    assert_eq!(
        second.facts("example.com/m").await.unwrap().versions,
        ["v1.0.0"]
    );
    second.flush().await;
    assert_eq!(scoped_files(cache.path(), "example.com/m/@v/list").len(), 2);

    let with_password = a.url().replace("http://", "http://user:pw@");
    let third = client_with_dir(
        env(
            home.path(),
            &[("GOPROXY", &with_password), ("GOINSECURE", "example.com")],
        ),
        cache.path(),
    );
    // Refused over plain http, but only if asked: the first client's list answers first.
    let again = third.versions("example.com/m").await.unwrap();
    assert_eq!(again.source, DataSource::DiskCache);
    assert_eq!(again.value.versions.len(), 5);
}

#[tokio::test]
async fn expired_lists_are_served_stale_when_the_proxy_is_down() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let config = CacheConfig {
        ttl: Duration::ZERO,
        stale_while_revalidate: false,
        ..CacheConfig::default()
    };
    let c =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap();
    assert_eq!(
        c.versions("example.com/m").await.unwrap().freshness,
        Freshness::Fresh
    );
    a.inject(FaultRule::everywhere(Fault::Status(503)));
    let stale = c.versions("example.com/m").await.unwrap();
    assert_eq!(stale.freshness, Freshness::Stale);
    assert_eq!(stale.value.versions.len(), 5);
    // A "not found" is an answer, not an outage: no stale copy hides it.
    a.clear_faults();
    a.set_content(gomodls_test_utils::proxy::Fixture::new())
        .unwrap();
    assert!(
        c.versions("example.com/m")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn stale_while_revalidate_answers_at_once_and_refreshes() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let config = CacheConfig {
        ttl: Duration::ZERO,
        ..CacheConfig::default()
    };
    let c =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap();
    c.versions("example.com/m").await.unwrap();
    let mut newer = fixture();
    newer.add(
        gomodls_test_utils::proxy::FixtureVersion::new("example.com/m", "v1.3.0")
            .go_mod("module example.com/m\n"),
    );
    a.set_content(newer).unwrap();
    let stale = c.versions("example.com/m").await.unwrap();
    assert_eq!(stale.freshness, Freshness::Stale);
    assert_eq!(stale.value.versions.len(), 5);
    eventually(|| requests_for(&a, "example.com/m").len() == 2).await;
    // Once the refresh has landed, the next answer has the new version.
    let mut found = false;
    for _ in 0..200 {
        if c.versions("example.com/m")
            .await
            .unwrap()
            .value
            .versions
            .contains(&"v1.3.0".to_owned())
        {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(found);
}

#[tokio::test]
async fn gomodcache_is_read_before_the_network_and_never_written() {
    let home = tempfile::tempdir().unwrap();
    let download = home.path().join("gomodcache/cache/download");
    gomodls_test_utils::proxy::build_proxy_dir(&fixture(), &download).unwrap();
    let before: Vec<_> = walk(&download);
    let a = proxy();
    a.inject(FaultRule::everywhere(Fault::Status(500)));
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let info = c.info("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(
        (info.freshness, info.source.clone()),
        (Freshness::Cached, DataSource::GoModCache)
    );
    let go_mod = c.go_mod("example.com/m", "v1.2.0").await.unwrap();
    assert!(go_mod.value.starts_with(b"module example.com/m"));
    let zip = c.zip("example.com/m", "v1.0.0").await.unwrap();
    assert!(zip.value.starts_with(&download));
    assert!(a.requested_paths().is_empty());
    assert_eq!(walk(&download), before);
}

fn walk(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn offline_mode_uses_caches_only() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    c.versions("example.com/m").await.unwrap();
    c.set_offline(true);
    a.clear_log();
    assert_eq!(
        c.versions("example.com/m").await.unwrap().freshness,
        Freshness::Fresh
    );
    let err = c.versions("example.com/dep").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "module example.com/dep: module lookup disabled: offline mode is on and nothing is cached"
    );
    assert!(a.requested_paths().is_empty());

    // GOPROXY=off with a GOMODCACHE list: served, marked offline.
    let download = home.path().join("gomodcache/cache/download");
    gomodls_test_utils::proxy::build_proxy_dir(&fixture(), &download).unwrap();
    let off = client(env(home.path(), &[("GOPROXY", "off")]));
    let list = off.versions("example.com/dep").await.unwrap();
    assert_eq!(
        (list.freshness, list.value.versions),
        (Freshness::Offline, vec!["v1.0.0".to_owned()])
    );
}

#[tokio::test]
async fn zips_are_downloaded_to_the_cache_and_bounded() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client_with_dir(env(home.path(), &[("GOPROXY", &a.url())]), cache.path());
    let zip = c.zip("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(zip.value, cache.path().join("example.com/m/@v/v1.0.0.zip"));
    assert!(std::fs::metadata(&zip.value).unwrap().len() > 0);
    let again = c.zip("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(again.freshness, Freshness::Cached);
    a.inject(FaultRule::under(
        "/example.com/m/@v/v1.1.0.zip",
        Fault::HugeBody { bytes: 600 << 20 },
    ));
    assert_eq!(
        c.zip("example.com/m", "v1.1.0")
            .await
            .unwrap_err()
            .to_string(),
        "example.com/m@v1.1.0: downloaded zip file too large"
    );
    assert!(!cache.path().join("example.com/m/@v/v1.1.0.zip").exists());
}

#[tokio::test]
async fn disk_cache_stays_within_its_bound() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let config = CacheConfig {
        dir: Some(cache.path().to_path_buf()),
        max_disk_bytes: 1500,
        ..CacheConfig::default()
    };
    let c =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap();
    for path in [
        "example.com/m",
        "example.com/dep",
        "gopkg.in/yaml.v2",
        "example.com/m/v2",
    ] {
        c.facts(path).await.unwrap();
    }
    c.flush().await;
    let total: u64 = walk(cache.path()).iter().map(|(_, size)| size).sum();
    assert!(
        total <= 1500,
        "{total} bytes on disk: {:?}",
        walk(cache.path())
    );
}

#[tokio::test]
async fn facts_with_the_network_off_come_from_gomodcache_and_the_disk_cache_marked_offline() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let online = client_with_dir(env(home.path(), &[("GOPROXY", &a.url())]), cache.path());
    let fetched = online.facts("example.com/m").await.unwrap();
    assert_eq!(fetched.freshness, Freshness::Fresh);
    online.flush().await;
    drop(online);
    a.clear_log();

    // Our disk cache, past its TTL, with the network off: the same facts, marked offline.
    let config = CacheConfig {
        dir: Some(cache.path().to_path_buf()),
        ttl: Duration::ZERO,
        offline: true,
        ..CacheConfig::default()
    };
    let offline =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap();
    let facts = offline.facts("example.com/m").await.unwrap();
    assert_eq!(facts.freshness, Freshness::Offline);
    assert_eq!(facts.versions, fetched.versions);
    assert_eq!(facts.retractions, fetched.retractions);
    assert_eq!(facts.latest_unretracted, fetched.latest_unretracted);
    assert_eq!(facts.deprecation, fetched.deprecation);
    assert_eq!(facts.newer_majors, fetched.newer_majors);
    // Only the probe for a major never seen online (`/v3`) has nothing to answer from.
    assert!(
        facts
            .problems
            .iter()
            .all(|p| p.starts_with("looking for newer major versions: ")),
        "{:?}",
        facts.problems
    );
    assert!(a.requested_paths().is_empty());

    // GOPROXY=off and only GOMODCACHE: facts from its download cache, marked offline.
    let download = home.path().join("gomodcache/cache/download");
    gomodls_test_utils::proxy::build_proxy_dir(&fixture(), &download).unwrap();
    let off = client(env(home.path(), &[("GOPROXY", "off")]));
    let dep = off.facts("example.com/dep").await.unwrap();
    assert_eq!(dep.freshness, Freshness::Offline);
    assert_eq!(dep.versions, ["v1.0.0"]);
    assert_eq!(
        dep.deprecation.as_deref(),
        Some("use example.com/dep2 instead.")
    );
    let m = off.facts("example.com/m").await.unwrap();
    assert_eq!(m.freshness, Freshness::Offline);
    assert_eq!(
        m.retraction_message("v1.1.0").as_deref(),
        Some("retracted by module author: v1.1.0 was broken")
    );
    assert!(a.requested_paths().is_empty());
}

/// With GOPROXY=off nothing is asked and nothing is revalidated: a version list comes from what
/// go itself has (GOMODCACHE), marked offline, as go lists from its module cache; the lists our
/// cache holds from a proxy setting that is not in force now are not taken.
#[tokio::test]
async fn goproxy_off_lists_from_gomodcache_as_offline() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let online = client_with_dir(env(home.path(), &[("GOPROXY", &a.url())]), cache.path());
    online.versions("example.com/m").await.unwrap();
    online.flush().await;
    drop(online);
    gomodls_test_utils::proxy::build_proxy_dir(
        &gomodls_test_utils::proxy::Fixture::new().with(
            gomodls_test_utils::proxy::FixtureVersion::new("example.com/m", "v1.1.0")
                .go_mod("module example.com/m\n"),
        ),
        &home.path().join("gomodcache/cache/download"),
    )
    .unwrap();
    let config = CacheConfig {
        dir: Some(cache.path().to_path_buf()),
        ttl: Duration::ZERO,
        ..CacheConfig::default()
    };
    let off =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", "off")]), config, http())
            .unwrap();
    assert!(off.is_offline());
    let list = off.versions("example.com/m").await.unwrap();
    assert_eq!(list.freshness, Freshness::Offline);
    assert_eq!(list.source, DataSource::GoModCache);
    assert_eq!(list.value.versions, ["v1.1.0"]);
    // Nothing anywhere: go's words for GOPROXY=off.
    let err = off.versions("example.com/other").await.unwrap_err();
    assert_eq!(err.to_string(), "module lookup disabled by GOPROXY=off");
    assert_eq!(off.requests_sent(), 0);
}

/// A `.info` in GOMODCACHE or in our disk cache that cannot be used (cut short, as a crash or a
/// full disk leaves it, or naming another version) is treated as absent, as go's cache reader
/// treats it: the proxy is asked, and its answer is used.
#[tokio::test]
async fn damaged_cache_files_are_treated_as_absent() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let theirs = home
        .path()
        .join("gomodcache/cache/download/example.com/m/@v");
    let ours = cache.path().join("example.com/m/@v");
    for dir in [&theirs, &ours] {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(theirs.join("v1.0.0.info"), b"").unwrap();
    std::fs::write(theirs.join("v1.1.0.info"), br#"{"Version":"v1.1.1"}"#).unwrap();
    std::fs::write(ours.join("v1.2.0.info"), br#"{"Version":"v1.2"#).unwrap();
    std::fs::write(ours.join("v1.0.0-rc.1.info"), b"{").unwrap();
    let a = proxy();
    let c = client_with_dir(env(home.path(), &[("GOPROXY", &a.url())]), cache.path());
    for version in ["v1.0.0", "v1.1.0", "v1.2.0"] {
        let info = c.info("example.com/m", version).await.unwrap();
        assert_eq!(info.value.version, version);
        assert!(matches!(info.source, DataSource::Proxy(_)), "{version}");
        // Once fetched, the good answer is what the next call gets.
        let again = c.info("example.com/m", version).await.unwrap();
        assert_eq!(again.value.version, version);
    }
    assert_eq!(
        requests_for(&a, "example.com/m"),
        [
            "/example.com/m/@v/v1.0.0.info",
            "/example.com/m/@v/v1.1.0.info",
            "/example.com/m/@v/v1.2.0.info"
        ]
    );
    // Offline, a damaged copy is no answer either.
    c.set_offline(true);
    let err = c.info("example.com/m", "v1.0.0-rc.1").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "example.com/m@v1.0.0-rc.1: module lookup disabled: offline mode is on and nothing is cached"
    );
}

/// Stale-while-revalidate never hides a module that is gone: once the refresh in the background
/// hears "not found", the copy is dropped (in memory and on disk) and the next call says so.
#[tokio::test]
async fn a_module_gone_from_the_proxy_is_not_served_stale_after_the_refresh() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let config = CacheConfig {
        dir: Some(cache.path().to_path_buf()),
        ttl: Duration::from_millis(200),
        ..CacheConfig::default()
    };
    let c =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap();
    c.versions("example.com/m").await.unwrap();
    c.flush().await;
    a.set_content(gomodls_test_utils::proxy::Fixture::new())
        .unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    // Expired: served stale while the background refresh asks.
    let stale = c.versions("example.com/m").await.unwrap();
    assert_eq!(stale.freshness, Freshness::Stale);
    // The refresh hears 404 and drops the copy.
    let mut answer = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        c.flush().await;
        if let Err(err) = c.versions("example.com/m").await {
            answer = Some(err);
            break;
        }
    }
    let err = answer.expect("the stale copy is still served");
    assert!(err.is_not_found(), "{err}");
    assert!(
        scoped_files(cache.path(), "example.com/m/@v/list").is_empty(),
        "the disk copy is removed"
    );
}

/// A module that `go mod download` puts into GOMODCACHE while the client runs is seen within
/// seconds (the directory listings that stand in for file lookups are kept briefly), not a TTL
/// later: offline, its go.mod is then served from there.
#[tokio::test]
async fn gomodcache_files_added_later_are_seen() {
    use gomodls_test_utils::proxy::{Fixture, FixtureVersion, build_proxy_dir};
    let home = tempfile::tempdir().unwrap();
    let download = home.path().join("gomodcache/cache/download");
    let dep_only = Fixture::new()
        .with(FixtureVersion::new("example.com/dep", "v1.0.0").go_mod("module example.com/dep\n"));
    build_proxy_dir(&dep_only, &download).unwrap();
    let config = CacheConfig {
        offline: true,
        ..CacheConfig::default()
    };
    let c = ModuleClient::with_http_config(
        env(home.path(), &[("GOPROXY", "https://proxy.invalid")]),
        config,
        http(),
    )
    .unwrap();
    assert!(c.go_mod("example.com/dep", "v1.0.0").await.is_ok());
    assert!(c.go_mod("example.com/m", "v1.2.0").await.is_err());
    build_proxy_dir(&fixture(), &download).unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let after = c.go_mod("example.com/m", "v1.2.0").await.unwrap();
    assert_eq!(after.source, DataSource::GoModCache);
}

/// Without a cache directory, downloaded zips go to a directory of the client's own (readable by
/// this user only, removed with the client), where a second call finds them without a request.
#[tokio::test]
async fn zips_without_a_cache_dir_are_kept_privately_for_the_client() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let first = c.zip("example.com/m", "v1.0.0").await.unwrap();
    let second = c.zip("example.com/m", "v1.0.0").await.unwrap();
    assert_eq!(first.value, second.value);
    assert_eq!(
        requests_for(&a, "example.com/m"),
        ["/example.com/m/@v/v1.0.0.zip"]
    );
    let root = first
        .value
        .ancestors()
        .find(|dir| {
            dir.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("gomodls-zips-"))
        })
        .unwrap()
        .to_path_buf();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&root).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    drop(c);
    assert!(!root.exists());
}

/// Two clients (two gomodls processes) sharing one cache directory keep each other's facts
/// records: each save of the facts index takes in what the other saved since.
#[tokio::test]
async fn two_clients_sharing_a_cache_keep_each_others_facts() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let e = env(home.path(), &[("GOPROXY", &a.url())]);
    let one = client_with_dir(e.clone(), cache.path());
    let two = client_with_dir(e.clone(), cache.path());
    one.facts("example.com/m").await.unwrap();
    one.flush().await;
    two.facts("example.com/dep").await.unwrap();
    two.flush().await;
    // The first saves its index again, after the second saved a record it had not read.
    one.facts("gopkg.in/yaml.v2").await.unwrap();
    one.flush().await;
    let three = client_with_dir(e, cache.path());
    let paths = [
        "example.com/m".to_owned(),
        "example.com/dep".to_owned(),
        "gopkg.in/yaml.v2".to_owned(),
    ];
    let cached: Vec<bool> = three
        .facts_cached(&paths)
        .await
        .iter()
        .map(Option::is_some)
        .collect();
    assert_eq!(cached, [true, true, true]);
    assert_eq!(three.requests_sent(), 0);
}

/// A zip larger than the disk cache's bound allows is still there when `zip()` has returned its
/// path: the prune its size starts spares it (older files go first, and it is the newest).
#[tokio::test]
async fn a_zip_just_returned_survives_the_prune_it_starts() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let config = CacheConfig {
        dir: Some(cache.path().to_path_buf()),
        max_disk_bytes: 150,
        ..CacheConfig::default()
    };
    let c =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap();
    c.go_mod("example.com/m", "v1.0.0").await.unwrap();
    c.flush().await;
    let zip = c.zip("example.com/m", "v1.2.0").await.unwrap();
    let size = std::fs::metadata(&zip.value).unwrap().len();
    assert!(size > 150, "{size}");
    c.flush().await;
    assert!(zip.value.is_file());
    // The older file went to make room.
    assert!(!cache.path().join("example.com/m/@v/v1.0.0.mod").exists());
}

/// Two processes sharing a cache directory (here two clients, each with its own writer) keep it
/// within the bound together: each counts its own writes, and once per TTL a new burst of writes
/// counts the directory again, finding the other's files.
#[tokio::test]
async fn writers_sharing_a_directory_keep_it_within_the_bound_together() {
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let a = proxy();
    let bound = 2400;
    // Long enough that the first writes (a few milliseconds here) all fall within one TTL even
    // on a loaded machine.
    let ttl = Duration::from_secs(2);
    let writer = || {
        let config = CacheConfig {
            dir: Some(cache.path().to_path_buf()),
            max_disk_bytes: bound,
            ttl,
            ..CacheConfig::default()
        };
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap()
    };
    let on_disk = || -> u64 { walk(cache.path()).iter().map(|(_, size)| size).sum() };
    let (first, second) = (writer(), writer());
    // Each counts the directory at its first write, then counts its own writes.
    second.facts("example.com/pseudoonly").await.unwrap();
    second.flush().await;
    first.facts("example.com/m").await.unwrap();
    first.flush().await;
    for path in ["gopkg.in/yaml.v2", "example.com/dep"] {
        second.facts(path).await.unwrap();
    }
    second.flush().await;
    // Each stayed within the bound by its own count; together they did not.
    let together = on_disk();
    assert!(together > bound, "{together} bytes: the case needs more");
    // A burst of the second, a TTL later, counts the directory again and prunes it.
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    second.facts("gopkg.in/yaml.v3").await.unwrap();
    second.flush().await;
    let after = on_disk();
    assert!(
        after <= bound,
        "{after} bytes on disk: {:?}",
        walk(cache.path())
    );
}

/// Facts count their age from the oldest answer they rest on. Here the `/v2` "not found" is a
/// TTL old while the module's own list is fresh: the facts expire with the "not found", and a
/// `/v2` published since is found then, not a TTL later.
#[tokio::test]
async fn facts_expire_with_the_oldest_answer_they_rest_on() {
    use gomodls_modfetch::NewerMajor;
    use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let path = "example.com/aging";
    let v1 = || FixtureVersion::new(path, "v1.0.0").go_mod(format!("module {path}\n"));
    let a = TestProxy::start(Fixture::new().with(v1())).unwrap();
    let ttl = Duration::from_secs(2);
    let config = CacheConfig {
        dir: Some(cache.path().to_path_buf()),
        ttl,
        stale_while_revalidate: false,
        ..CacheConfig::default()
    };
    let c =
        ModuleClient::with_http_config(env(home.path(), &[("GOPROXY", &a.url())]), config, http())
            .unwrap();
    // The /v2 list, asked on its own first: not found.
    let v2 = format!("{path}/v2");
    assert!(c.versions(&v2).await.unwrap_err().is_not_found());
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The module's facts, half a TTL later: its own list is fetched now, the /v2 "not found"
    // is the one kept from before.
    assert_eq!(c.facts(path).await.unwrap().newer_majors, []);
    a.set_content(
        Fixture::new()
            .with(v1())
            .with(FixtureVersion::new(&v2, "v2.0.0").go_mod(format!("module {v2}\n"))),
    )
    .unwrap();
    // Past the TTL of the "not found", within that of the module's own list.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        c.facts(path).await.unwrap().newer_majors,
        [NewerMajor {
            path: v2.clone(),
            latest: Some("v2.0.0".to_owned()),
        }]
    );
}
