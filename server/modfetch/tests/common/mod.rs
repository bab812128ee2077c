//! Shared helpers for the modfetch integration tests: environments, clients, fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use gomodls_modfetch::{CacheConfig, GoEnv, HttpConfig, ModuleClient};
use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use time::macros::datetime;

/// An environment with only the given variables (plus HOME and GOENV=off), no toolchain.
pub fn env(home: &Path, vars: &[(&str, &str)]) -> GoEnv {
    let mut process: BTreeMap<String, String> = BTreeMap::new();
    process.insert("HOME".into(), home.display().to_string());
    process.insert("GOENV".into(), "off".into());
    process.insert(
        "GOMODCACHE".into(),
        home.join("gomodcache").display().to_string(),
    );
    process.insert("NETRC".into(), home.join("netrc").display().to_string());
    for (key, value) in vars {
        process.insert((*key).into(), (*value).into());
    }
    GoEnv::resolve(process, &BTreeMap::new())
}

/// Network settings for tests: quick retries, short timeouts.
pub fn http() -> HttpConfig {
    HttpConfig {
        retries: 2,
        backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        request_timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
        ..HttpConfig::default()
    }
}

/// A client with a memory-only cache.
pub fn client(env: GoEnv) -> ModuleClient {
    ModuleClient::with_http_config(env, CacheConfig::default(), http()).unwrap()
}

/// A client with a disk cache in `dir`.
pub fn client_with_dir(env: GoEnv, dir: &Path) -> ModuleClient {
    let cache = CacheConfig {
        dir: Some(dir.to_path_buf()),
        ..CacheConfig::default()
    };
    ModuleClient::with_http_config(env, cache, http()).unwrap()
}

/// `example.com/m` with releases, a prerelease, retractions in the latest go.mod and a newer
/// major; `example.com/dep` deprecated; `gopkg.in/yaml.v2` with a `.v3`.
pub fn fixture() -> Fixture {
    let go_mod = |path: &str, extra: &str| format!("module {path}\n\ngo 1.21\n{extra}");
    Fixture::new()
        .with(FixtureVersion::new("example.com/m", "v0.9.0").go_mod(go_mod("example.com/m", "")).time(datetime!(2022-01-01 00:00 UTC)))
        .with(FixtureVersion::new("example.com/m", "v1.0.0").go_mod(go_mod("example.com/m", "")).time(datetime!(2023-01-01 00:00 UTC)))
        .with(
            FixtureVersion::new("example.com/m", "v1.1.0-rc.1")
                .go_mod(go_mod("example.com/m", ""))
                .time(datetime!(2023-02-01 00:00 UTC)),
        )
        .with(FixtureVersion::new("example.com/m", "v1.1.0").go_mod(go_mod("example.com/m", "")).time(datetime!(2023-03-01 00:00 UTC)))
        .with(
            FixtureVersion::new("example.com/m", "v1.2.0")
                .go_mod(go_mod("example.com/m", "\n// v1.1.0 was broken\nretract v1.1.0\n\nretract [v1.2.0, v1.2.0] // v1.2.0 retracts itself\n"))
                .time(datetime!(2023-04-01 00:00 UTC))
                .revision("master")
                .revision("abcdef123456"),
        )
        .with(
            FixtureVersion::new("example.com/m", "v1.2.1-0.20230501000000-0123456789ab")
                .go_mod(go_mod("example.com/m", ""))
                .revision("feature"),
        )
        .with(FixtureVersion::new("example.com/m/v2", "v2.0.0").go_mod(go_mod("example.com/m/v2", "")))
        .with(FixtureVersion::new("example.com/m/v2", "v2.1.0-beta.1").go_mod(go_mod("example.com/m/v2", "")))
        .with(
            FixtureVersion::new("example.com/dep", "v1.0.0")
                .go_mod("// Deprecated: use example.com/dep2 instead.\nmodule example.com/dep\n\ngo 1.21\n"),
        )
        .with(FixtureVersion::new("gopkg.in/yaml.v2", "v2.4.0").go_mod(go_mod("gopkg.in/yaml.v2", "")))
        .with(FixtureVersion::new("gopkg.in/yaml.v3", "v3.0.1").go_mod(go_mod("gopkg.in/yaml.v3", "")))
        .with(FixtureVersion::new("example.com/Upper/Case", "v1.0.0-RC1").go_mod(go_mod("example.com/Upper/Case", "")))
        .with(FixtureVersion::new("example.com/pseudoonly", "v0.0.0-20230102030405-abcdefabcdef").go_mod(go_mod("example.com/pseudoonly", "")))
        .with(FixtureVersion::new("private.example/secret", "v1.0.0").go_mod(go_mod("private.example/secret", "")))
}

/// A proxy serving [`fixture`].
pub fn proxy() -> TestProxy {
    TestProxy::start(fixture()).unwrap()
}

/// A proxy serving nothing (404 for everything).
pub fn empty_proxy() -> TestProxy {
    TestProxy::start(Fixture::new()).unwrap()
}

/// Paths requested from a proxy that concern one module (prefix `/PATH/@`).
pub fn requests_for(proxy: &TestProxy, escaped_path: &str) -> Vec<String> {
    let prefix = format!("/{escaped_path}/@");
    proxy
        .requested_paths()
        .into_iter()
        .filter(|p| p.starts_with(&prefix))
        .collect()
}

/// The go command over a quiet environment of the tests' choosing: HOME, GOPATH and GOCACHE in
/// `work`, modules through the GOPROXY list `goproxy`, no checksum database, no toolchain
/// switch, `-mod=mod`.
pub fn go_command(go: &Path, goproxy: &str, work: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(go);
    command
        .env_clear()
        .env("HOME", work)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOSUMDB", "off")
        .env("GOPROXY", goproxy)
        .env("GOPATH", work.join("gopath"))
        .env("GOCACHE", work.join("gocache"));
    command
}

/// `go mod download -json example.com/m@v1.0.0` in a fresh GOPATH, with only `vars` (GOPROXY
/// among them) over a quiet environment: no checksum database, no toolchain switch.
pub fn go_mod_download(go: &Path, vars: &[(&str, &str)]) -> std::process::Output {
    let work = tempfile::tempdir().unwrap();
    go_command(go, "", work.path())
        .env_remove("GOPROXY")
        .envs(vars.iter().copied())
        .current_dir(work.path())
        .args(["mod", "download", "-json", "example.com/m@v1.0.0"])
        .output()
        .unwrap()
}
