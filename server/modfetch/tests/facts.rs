//! Module facts and queries, checked by hand and against `go list -m` run on the same proxy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{client, env, go_command, proxy};
use gomodls_modfetch::{MajorLatest, NewerMajor, QueryOptions};
use gomodls_test_utils::go::require_go;
use gomodls_test_utils::proxy::TestProxy;
use time::macros::datetime;

#[tokio::test]
async fn facts_of_a_module_with_retractions_and_a_newer_major() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let facts = c.facts("example.com/m").await.unwrap();
    assert_eq!(
        facts.versions,
        ["v0.9.0", "v1.0.0", "v1.1.0-rc.1", "v1.1.0", "v1.2.0"]
    );
    assert_eq!(
        facts.visible_versions(),
        ["v0.9.0", "v1.0.0", "v1.1.0-rc.1"]
    );
    assert_eq!(
        facts.majors,
        [
            MajorLatest {
                major: "v0".into(),
                release: Some("v0.9.0".into()),
                prerelease: None
            },
            MajorLatest {
                major: "v1".into(),
                release: Some("v1.2.0".into()),
                prerelease: Some("v1.1.0-rc.1".into())
            },
        ]
    );
    let latest = facts.latest.clone().unwrap();
    assert_eq!(latest.version, "v1.2.0");
    assert_eq!(latest.time, Some(datetime!(2023-04-01 00:00 UTC)));
    assert_eq!(
        facts.times.get("v1.2.0"),
        Some(&datetime!(2023-04-01 00:00 UTC))
    );
    assert_eq!(facts.latest_unretracted.as_deref(), Some("v1.0.0"));
    assert_eq!(
        facts.newer_majors,
        [NewerMajor {
            path: "example.com/m/v2".into(),
            latest: Some("v2.0.0".into())
        }]
    );
    assert_eq!(
        facts.retraction_message("v1.1.0").as_deref(),
        Some("retracted by module author: v1.1.0 was broken")
    );
    assert_eq!(
        facts.retraction_message("v1.2.0").as_deref(),
        Some("retracted by module author: v1.2.0 retracts itself")
    );
    assert_eq!(facts.retraction_message("v1.0.0"), None);
    assert_eq!(facts.deprecation, None);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    // Two round trips: list with the /v2 and /v3 probes, then .info and .mod of v1.2.0. A third
    // because v1.2.0 retracts itself: go's latest query checks the version it settles on,
    // v1.0.0, with its .info (which gives its publish time too).
    assert!(facts.times.contains_key("v1.0.0"), "{:?}", facts.times);
    let mut paths = a.requested_paths();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/example.com/m/@v/list",
            "/example.com/m/@v/v1.0.0.info",
            "/example.com/m/@v/v1.2.0.info",
            "/example.com/m/@v/v1.2.0.mod",
            "/example.com/m/v2/@v/list",
            "/example.com/m/v3/@v/list",
        ]
    );
}

#[tokio::test]
async fn deprecation_gopkg_majors_and_untagged_modules() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let dep = c.facts("example.com/dep").await.unwrap();
    assert_eq!(
        dep.deprecation.as_deref(),
        Some("use example.com/dep2 instead.")
    );
    let yaml = c.facts("gopkg.in/yaml.v2").await.unwrap();
    assert_eq!(
        yaml.newer_majors,
        [NewerMajor {
            path: "gopkg.in/yaml.v3".into(),
            latest: Some("v3.0.1".into())
        }]
    );
    let untagged = c.facts("example.com/pseudoonly").await.unwrap();
    assert!(untagged.versions.is_empty());
    assert_eq!(
        untagged.latest.unwrap().version,
        "v0.0.0-20230102030405-abcdefabcdef"
    );
    assert_eq!(
        untagged.latest_unretracted.as_deref(),
        Some("v0.0.0-20230102030405-abcdefabcdef")
    );
    let missing = c.facts("example.com/missing").await.unwrap_err();
    assert!(missing.is_not_found());
    assert_eq!(
        c.facts("Example.com/m").await.unwrap_err().to_string(),
        "malformed module path \"Example.com/m\": invalid char 'E' in first path element"
    );
}

fn go_list(
    go: &Path,
    proxy: &TestProxy,
    work: &Path,
    args: &[&str],
) -> Result<serde_json::Value, String> {
    let output = go_command(go, &proxy.url(), work)
        .current_dir(work.join("app"))
        .args(["list", "-m", "-json"])
        .args(args)
        .output()
        .unwrap();
    if output.status.success() {
        Ok(serde_json::from_slice(&output.stdout).unwrap())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr
            .trim_end()
            .strip_prefix("go: ")
            .unwrap_or(stderr.trim_end())
            .to_owned())
    }
}

fn app(work: &Path, require: Option<&str>) {
    let dir = work.join("app");
    std::fs::create_dir_all(&dir).unwrap();
    let mut go_mod = "module example.com/app\n\ngo 1.21\n".to_owned();
    if let Some(version) = require {
        go_mod.push_str(&format!("\nrequire example.com/m {version}\n"));
    }
    std::fs::write(dir.join("go.mod"), go_mod).unwrap();
}

#[tokio::test]
async fn queries_match_go_list() {
    let Some(go) = require_go("queries_match_go_list").unwrap() else {
        return;
    };
    let a = proxy();
    let work = tempfile::tempdir().unwrap();
    app(work.path(), None);
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let queries = [
        ("example.com/m", "latest"),
        ("example.com/m", "upgrade"),
        ("example.com/m", "v1"),
        ("example.com/m", "v1.1"),
        ("example.com/m", "v1.1.0"),
        ("example.com/m", "v1.1.0-rc.1"),
        ("example.com/m", "v0"),
        ("example.com/m", "<v1.1.0"),
        ("example.com/m", "<=v1.1.0"),
        ("example.com/m", ">v0.9.0"),
        ("example.com/m", ">=v1.1.0-rc.1"),
        ("example.com/m", ">v1.2.0"),
        ("example.com/m", "master"),
        ("example.com/m", "abcdef123456"),
        ("example.com/m", "feature"),
        ("example.com/m", "v9"),
        ("example.com/m", "v1.9.9"),
        ("example.com/m", "<=v1.2"),
        ("example.com/m", ">v1"),
        ("example.com/m", "<nope"),
        ("example.com/m", "patch"),
        ("example.com/m", "nosuchbranch"),
        ("example.com/m/v2", "latest"),
        ("example.com/m/v2", "v2"),
        ("example.com/m/v2", ">=v2.0.1"),
        ("example.com/pseudoonly", "latest"),
        ("example.com/missing", "latest"),
        ("example.com/Upper/Case", "latest"),
        ("gopkg.in/yaml.v2", "v2.4"),
    ];
    let mut mismatches = Vec::new();
    for (path, query) in queries {
        let expected = go_list(&go, &a, work.path(), &[&format!("{path}@{query}")]);
        let ours = c.query(path, query, None).await;
        let (want, got) = match (&expected, &ours) {
            (Ok(json), Ok(resolved)) => (
                json["Version"].as_str().unwrap_or("").to_owned(),
                resolved.version.clone(),
            ),
            (Err(go_err), Err(err)) => (go_err.clone(), err.to_string()),
            (Ok(json), Err(err)) => (json["Version"].to_string(), format!("error: {err}")),
            (Err(go_err), Ok(resolved)) => (format!("error: {go_err}"), resolved.version.clone()),
        };
        if want != got {
            mismatches.push(format!("{path}@{query}: go: {want:?}\n    we: {got:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn versions_retractions_and_updates_match_go_list() {
    let Some(go) = require_go("versions_retractions_and_updates_match_go_list").unwrap() else {
        return;
    };
    let a = proxy();
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let facts = c.facts("example.com/m").await.unwrap();

    let work = tempfile::tempdir().unwrap();
    app(work.path(), None);
    let listed = go_list(&go, &a, work.path(), &["-versions", "example.com/m@latest"]).unwrap();
    let go_versions: Vec<String> =
        serde_json::from_value(listed["Versions"].clone()).unwrap_or_default();
    assert_eq!(facts.visible_versions(), go_versions);
    let all = go_list(
        &go,
        &a,
        work.path(),
        &["-versions", "-retracted", "example.com/m@latest"],
    )
    .unwrap();
    let go_all: Vec<String> = serde_json::from_value(all["Versions"].clone()).unwrap();
    assert_eq!(facts.versions, go_all);

    for current in [
        "v0.9.0",
        "v1.0.0",
        "v1.1.0",
        "v1.2.0",
        "v1.1.0-rc.1",
        "v1.2.1-0.20230501000000-0123456789ab",
    ] {
        let work = tempfile::tempdir().unwrap();
        app(work.path(), Some(current));
        let listed = go_list(&go, &a, work.path(), &["-u", "example.com/m"]).unwrap();
        let go_update = listed["Update"]["Version"].as_str().map(str::to_owned);
        // go list -u shows no update when the query fails (here: staying on a retracted version).
        let ours_update = match c.query("example.com/m", "upgrade", Some(current)).await {
            Ok(upgrade) => (upgrade.version != current).then_some(upgrade.version.clone()),
            Err(err) => {
                assert!(
                    matches!(err, gomodls_modfetch::QueryError::Retracted { .. }),
                    "{err}"
                );
                None
            }
        };
        assert_eq!(ours_update, go_update, "update from {current}");
        let go_retracted: Vec<String> =
            serde_json::from_value(listed["Retracted"].clone()).unwrap_or_default();
        let ours_retracted: Vec<String> = facts
            .retractions_of(current)
            .iter()
            .map(|r| r.rationale.clone())
            .collect();
        assert_eq!(ours_retracted, go_retracted, "retractions of {current}");

        let patch = c.query("example.com/m", "patch", Some(current)).await;
        let go_patch = go_list(&go, &a, work.path(), &["example.com/m@patch"]);
        match (patch, go_patch) {
            (Ok(ours), Ok(theirs)) => assert_eq!(
                ours.version,
                theirs["Version"].as_str().unwrap(),
                "patch from {current}"
            ),
            (Err(ours), Err(theirs)) => {
                assert_eq!(ours.to_string(), theirs, "patch from {current}")
            }
            (ours, theirs) => panic!("patch from {current}: we {ours:?}, go {theirs:?}"),
        }
    }
}

#[tokio::test]
async fn exclusions_and_explicit_retracted_versions() {
    let home = tempfile::tempdir().unwrap();
    let a = proxy();
    let c = client(env(home.path(), &[("GOPROXY", &a.url())]));
    let options = QueryOptions {
        excluded: ["v1.0.0".to_owned()].into(),
        ..QueryOptions::default()
    };
    assert_eq!(
        c.query_with("example.com/m", "latest", &options)
            .await
            .unwrap()
            .version,
        "v0.9.0"
    );
    assert_eq!(
        c.query_with("example.com/m", "v1.0.0", &options)
            .await
            .unwrap_err()
            .to_string(),
        "example.com/m@v1.0.0: excluded by go.mod"
    );
    let explicit = c.query("example.com/m", "v1.1.0", None).await.unwrap();
    assert_eq!(
        explicit.retracted,
        Some(vec!["v1.1.0 was broken".to_owned()])
    );
    let with_retracted = QueryOptions {
        allow_retracted: true,
        ..QueryOptions::default()
    };
    assert_eq!(
        c.query_with("example.com/m", "latest", &with_retracted)
            .await
            .unwrap()
            .version,
        "v1.2.0"
    );
    assert_eq!(
        c.query("std", "latest", None)
            .await
            .unwrap_err()
            .to_string(),
        "can't query specific version (\"latest\") of standard-library module \"std\""
    );
}

/// Facts kept in memory are bounded as the memory cache is (`max_memory_entries`): past the
/// bound the oldest go, and a facts call for them asks again.
#[tokio::test]
async fn facts_in_memory_stay_within_the_memory_bound() {
    use gomodls_modfetch::{CacheConfig, ModuleClient};
    use gomodls_test_utils::proxy::{Fixture, FixtureVersion};
    let home = tempfile::tempdir().unwrap();
    let mut fixture = Fixture::new();
    let paths: Vec<String> = (0..40).map(|i| format!("example.com/n{i}")).collect();
    for path in &paths {
        fixture.add(FixtureVersion::new(path, "v1.0.0").go_mod(format!("module {path}\n")));
    }
    let a = TestProxy::start(fixture).unwrap();
    let config = CacheConfig {
        max_memory_entries: 5,
        ..CacheConfig::default()
    };
    let c = ModuleClient::with_http_config(
        env(home.path(), &[("GOPROXY", &a.url())]),
        config,
        common::http(),
    )
    .unwrap();
    for path in &paths {
        c.facts(path).await.unwrap();
    }
    let kept = c.facts_cached(&paths).await;
    let kept: Vec<&String> = paths
        .iter()
        .zip(&kept)
        .filter(|(_, facts)| facts.is_some())
        .map(|(path, _)| path)
        .collect();
    assert!(!kept.is_empty() && kept.len() <= 5, "{kept:?}");
    assert!(kept.contains(&&paths[39]), "{kept:?}");
}
