//! `gomodls query --json` against `go list -m -json` (with `-versions`, and with `-retracted`)
//! run on the same TestProxy: resolved versions, times, version lists, retraction rationales and
//! deprecation; then the same answers offline from the disk cache.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use gomodls_test_utils::go::require_go;
use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use serde_json::Value;
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
            FixtureVersion::new("example.com/m", "v1.2.0-rc.1")
                .go_mod(go_mod("example.com/m", ""))
                .time(datetime!(2023-03-15 00:00 UTC)),
        )
        .with(
            FixtureVersion::new("example.com/m", "v1.2.0")
                .go_mod(go_mod(
                    "example.com/m",
                    "\n// v1.1.0 was broken\n// and more\nretract v1.1.0\n\nretract [v1.2.0, v1.2.0] // oops\n",
                ))
                .time(datetime!(2023-04-01 00:00 UTC)),
        )
        .with(
            FixtureVersion::new("example.com/dep", "v1.0.0")
                .go_mod("// Deprecated: use example.com/dep2 instead.\nmodule example.com/dep\n\ngo 1.21\n")
                .time(datetime!(2022-05-01 00:00 UTC)),
        )
}

fn environment(command: &mut Command, home: &Path, proxy: &str) {
    command
        .env_clear()
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOSUMDB", "off")
        .env("GOPROXY", proxy)
        .env("GOPATH", home.join("gopath"))
        .env("GOMODCACHE", home.join("gomodcache"))
        .env("GOCACHE", home.join("gocache"))
        .current_dir(home);
}

fn go_list(go: &Path, home: &Path, proxy: &str, args: &[&str]) -> Value {
    let mut command = Command::new(go);
    environment(&mut command, home, proxy);
    let output = command
        .args(["list", "-m", "-json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "go list {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn ours(home: &Path, proxy: &str, args: &[&str]) -> Value {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gomodls"));
    environment(&mut command, home, proxy);
    let output = command
        .args(["query", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "gomodls query {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn query_matches_go_list() {
    let Some(go) = require_go("query_matches_go_list").unwrap() else {
        return;
    };
    let proxy = TestProxy::start(fixture()).unwrap();
    let url = proxy.url();
    let go_home = tempfile::tempdir().unwrap();
    let our_home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut answers = Vec::new();
    for module in [
        "example.com/m@latest",
        "example.com/m@v1.1.0",
        "example.com/m@v1.2.0",
        "example.com/m@<v1.2.0",
        "example.com/m@v1",
        "example.com/m@v1.0",
        "example.com/dep@latest",
    ] {
        let got = ours(our_home.path(), &url, &[module]);
        let listed = go_list(&go, go_home.path(), &url, &["-versions", module]);
        for key in ["Path", "Version", "Time", "Versions"] {
            if got.get(key) != listed.get(key) {
                failures.push(format!(
                    "{module}: {key}: go {:?}, we {:?}",
                    listed.get(key),
                    got.get(key)
                ));
            }
        }
        if module
            .rsplit_once('@')
            .is_some_and(|(_, q)| q.starts_with('v') && q.matches('.').count() == 2)
        {
            // With -retracted go reports rationales and deprecation (and its queries keep
            // retracted versions, so only exact versions are compared).
            let retracted = go_list(&go, go_home.path(), &url, &["-retracted", module]);
            for key in ["Retracted", "Deprecated"] {
                if got.get(key) != retracted.get(key) {
                    failures.push(format!(
                        "{module}: {key}: go {:?}, we {:?}",
                        retracted.get(key),
                        got.get(key)
                    ));
                }
            }
        }
        answers.push((module, got));
    }
    let dep = go_list(&go, go_home.path(), &url, &["-u", "example.com/dep@v1.0.0"]);
    let (_, our_dep) = answers.last().unwrap();
    assert_eq!(our_dep.get("Deprecated"), dep.get("Deprecated"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let (_, latest) = answers.first().unwrap();
    assert_eq!(latest["Source"], Value::String(url.clone()));
    assert_eq!(latest["Freshness"], "fresh");
    assert_eq!(
        latest["Retractions"],
        serde_json::json!([
            {"Low": "v1.1.0", "High": "v1.1.0", "Rationale": "v1.1.0 was broken\nand more"},
            {"Low": "v1.2.0", "High": "v1.2.0", "Rationale": "oops"},
        ])
    );
    assert_eq!(latest["Times"]["v1.2.0"], "2023-04-01T00:00:00Z");

    // Offline, from the disk cache the first run left: the same facts, and no request.
    proxy.clear_log();
    let offline = ours(our_home.path(), &url, &["--offline", "example.com/m"]);
    assert!(proxy.requested_paths().is_empty());
    assert_eq!(offline["Versions"], latest["Versions"]);
    assert_eq!(offline["Version"], latest["Version"]);
    assert_eq!(offline["Retractions"], latest["Retractions"]);
    assert_eq!(offline["Source"], "disk cache");
    // Younger than the TTL, the copy still counts as fresh (tests/caching.rs in modfetch checks
    // that an expired one is marked offline).
    assert_eq!(offline["Freshness"], "fresh");
}

/// Every answer of one `gomodls query` run over several modules (one of them named twice, so
/// that its requests are shared), in the order the modules were named.
fn ours_many(home: &Path, proxy: &str, args: &[&str]) -> Vec<Value> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gomodls"));
    environment(&mut command, home, proxy);
    let output = command
        .args(["query", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "gomodls query {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn several_modules_answer_in_order_as_each_alone() {
    let proxy = TestProxy::start(fixture()).unwrap();
    let url = proxy.url();
    let modules = [
        "example.com/dep@latest",
        "example.com/m@v1.1.0",
        "example.com/m@latest",
        "example.com/m@v1",
        "example.com/missing@latest",
    ];
    let together_home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_gomodls"));
    environment(&mut command, together_home.path(), &url);
    // One module is missing, so the run fails; its answers are still printed.
    let output = command
        .args(["query", "--json"])
        .args(modules)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let together: Vec<Value> = serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    assert_eq!(together.len(), modules.len());
    for (module, mut answer) in modules.iter().zip(together) {
        let alone_home = tempfile::tempdir().unwrap();
        let mut alone = if module.contains("missing") {
            let mut command = Command::new(env!("CARGO_BIN_EXE_gomodls"));
            environment(&mut command, alone_home.path(), &url);
            let output = command.args(["query", "--json", module]).output().unwrap();
            serde_json::from_slice(&output.stdout).unwrap()
        } else {
            ours_many(alone_home.path(), &url, &[module]).pop().unwrap()
        };
        // A module named twice may get its list from the first one's answer in memory.
        let source = answer.as_object_mut().unwrap().remove("Source");
        assert!(
            source.is_none_or(|s| s == Value::String(url.clone()) || s == "memory cache"),
            "{module}"
        );
        alone.as_object_mut().unwrap().remove("Source");
        assert_eq!(answer, alone, "{module}");
    }
}
