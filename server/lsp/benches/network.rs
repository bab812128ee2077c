//! Module facts over the network, through the release `gomodls` binary over stdio: a go.mod with
//! 250 requires over the test proxy with 50 ms latency, from didOpen until every network
//! diagnostic is published (budget 250 ms); `go list -m -u -json all` over the same proxy for
//! comparison (we must be at least 10x faster); hover and completion with cached facts (budget
//! 2 ms each).
//!
//! Run with `cargo bench -p gomodls-lsp --bench network`. Prints figures and budgets; asserts
//! nothing. The go comparison needs `go` on PATH or `GOMODLS_GO`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark: a broken setup should stop it loudly"
)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};
use gomodls_tests::{ServerOptions, TestServer, file_uri};
use serde_json::{Value, json};

const MODULES: usize = 250;

/// Cold runs, each with a fresh server and empty caches.
const RUNS: usize = 7;

/// Every module has v1.0.0, v1.1.0 and v1.2.0; v1.2.0 retracts v1.0.0; every tenth module is
/// deprecated. The go.mod requires v1.0.0 of each: a retracted-version warning and an
/// update-available hint on every line, and a deprecated-module warning on every tenth.
fn fixture() -> Fixture {
    let mut fixture = Fixture::new();
    for index in 0..MODULES {
        let path = format!("example.com/dep{index}");
        for version in ["v1.0.0", "v1.1.0", "v1.2.0"] {
            let mut go_mod = String::new();
            if version == "v1.2.0" && index % 10 == 0 {
                go_mod.push_str("// Deprecated: use example.com/other instead.\n");
            }
            go_mod.push_str(&format!("module {path}\n\ngo 1.21\n"));
            if version == "v1.2.0" {
                go_mod.push_str("\nretract v1.0.0 // broken\n");
            }
            fixture.add(FixtureVersion::new(&path, version).go_mod(go_mod));
        }
    }
    fixture
}

const DEPRECATED: usize = MODULES.div_ceil(10);

fn go_mod() -> String {
    let mut text = String::from("module example.com/app\n\ngo 1.22\n\nrequire (\n");
    for index in 0..MODULES {
        text.push_str(&format!("\texample.com/dep{index} v1.0.0\n"));
    }
    text.push_str(")\n");
    text
}

fn options(home: &Path, proxy: &str) -> ServerOptions {
    ServerOptions::new(env!("CARGO_BIN_EXE_gomodls"))
        .env("GOMODLS_LOG", "warn")
        .env("HOME", &home.display().to_string())
        .env("XDG_CACHE_HOME", &home.join("cache").display().to_string())
        .env("GOMODCACHE", &home.join("gomodcache").display().to_string())
        .env("GOENV", "off")
        .env("GOSUMDB", "off")
        .env("GOPROXY", proxy)
}

/// How many diagnostics with `code` a publishDiagnostics carries.
fn count(params: &Value, code: &str) -> usize {
    params["diagnostics"]
        .as_array()
        .map(|items| items.iter().filter(|item| item["code"] == code).count())
        .unwrap_or(0)
}

/// Whether every network diagnostic is there.
fn complete(params: &Value) -> bool {
    count(params, "update-available") == MODULES
        && count(params, "retracted-version") == MODULES
        && count(params, "deprecated-module") == DEPRECATED
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let home = tempfile::tempdir().unwrap();
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::Latency(
        Duration::from_millis(50),
    )));
    let work = home.path().join("app");
    std::fs::create_dir_all(&work).unwrap();
    let text = go_mod();
    std::fs::write(work.join("go.mod"), &text).unwrap();
    let uri = file_uri(&work.join("go.mod"));

    // The proxy has served a burst before, as a proxy in use has; the server and its caches are
    // fresh.
    proxy
        .warm_up("/example.com/dep0/@v/list", 2 * MODULES)
        .unwrap();
    // Each run: a fresh server with empty caches, from didOpen until every network diagnostic
    // is published. The last run's server then answers hovers and completions.
    let mut samples = Vec::new();
    let mut server = None;
    for run in 0..RUNS {
        let run_home = home.path().join(format!("run{run}"));
        std::fs::create_dir_all(&run_home).unwrap();
        proxy.clear_log();
        let (mut fresh, _) = TestServer::start(options(&run_home, &proxy.url())).unwrap();
        let start = Instant::now();
        let start_time = std::time::SystemTime::now();
        fresh.open(&uri, "gomod", 1, &text).unwrap();
        let mut first_network = None;
        let mut publishes = 0;
        loop {
            let params = fresh
                .wait_notification("textDocument/publishDiagnostics", |params| {
                    params["uri"] == uri.as_str()
                })
                .unwrap();
            publishes += 1;
            if first_network.is_none() && count(&params, "update-available") > 0 {
                first_network = Some(start.elapsed());
            }
            if complete(&params) {
                break;
            }
        }
        let elapsed = start.elapsed();
        let log = proxy.request_log();
        // Per kind of request: how many, and when the first and the last reached the proxy.
        let mut kinds: std::collections::BTreeMap<String, (usize, f64, f64)> =
            std::collections::BTreeMap::new();
        for record in &log {
            let kind = record.path.rsplit(['/', '.']).next().unwrap_or_default();
            let at = record
                .time
                .duration_since(start_time)
                .unwrap_or_default()
                .as_secs_f64()
                * 1e3;
            let entry = kinds.entry(kind.to_owned()).or_insert((0, at, at));
            entry.0 += 1;
            entry.1 = entry.1.min(at);
            entry.2 = entry.2.max(at);
        }
        let kinds: Vec<String> = kinds
            .iter()
            .map(|(kind, (n, first, last))| format!("{n} {kind} {first:.0}..{last:.0} ms"))
            .collect();
        println!(
            "run {run}: {} ({publishes} publishes, the first with network diagnostics after {}; \
             {} requests by then: {})",
            millis(elapsed),
            first_network.map_or_else(|| "-".to_owned(), millis),
            log.len(),
            kinds.join(", ")
        );
        samples.push(elapsed);
        // A server left running would fetch publish times and write its cache during the next
        // run.
        match run + 1 == RUNS {
            true => server = Some(fresh),
            false => {
                fresh.shutdown_and_exit().unwrap();
            }
        }
    }
    let ours = median(samples);
    println!(
        "didOpen -> all {} network diagnostics of {MODULES} requires: median {} of {RUNS} runs \
         (budget 250 ms)",
        2 * MODULES + DEPRECATED,
        millis(ours),
    );
    let mut server = server.unwrap();

    let mut hovers = Vec::new();
    let mut completions = Vec::new();
    for index in 0..50 {
        let line = 5 + index % MODULES;
        let started = Instant::now();
        server
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 22}}),
            )
            .unwrap();
        hovers.push(started.elapsed());
        let started = Instant::now();
        server
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 21}}),
            )
            .unwrap();
        completions.push(started.elapsed());
    }
    println!(
        "hover with cached facts: median {} (budget 2 ms)",
        millis(median(hovers))
    );
    println!(
        "completion with cached facts: median {} (budget 2 ms)",
        millis(median(completions))
    );
    server.shutdown_and_exit().unwrap();

    let Some(go) = gomodls_test_utils::go::find_go() else {
        println!("go list comparison skipped: no go command (PATH or GOMODLS_GO)");
        return;
    };
    let go_home = home.path().join("go");
    std::fs::create_dir_all(&go_home).unwrap();
    let started = Instant::now();
    let output = Command::new(&go)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &go_home)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOSUMDB", "off")
        .env("GOPROXY", proxy.url())
        .env("GOPATH", go_home.join("gopath"))
        .env("GOCACHE", go_home.join("gocache"))
        .current_dir(&work)
        .args(["list", "-m", "-u", "-json", "all"])
        .output();
    let theirs = started.elapsed();
    match output {
        Ok(output) if output.status.success() => {
            println!("go list -m -u -json all: {}", millis(theirs));
            println!(
                "ratio: {:.1}x (must be at least 10x)",
                theirs.as_secs_f64() / ours.as_secs_f64()
            );
        }
        Ok(output) => println!(
            "go list failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => println!("go not run ({}): {error}", go.display()),
    }
}
