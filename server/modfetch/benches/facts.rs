//! Facts for 250 modules through the test proxy with 50 ms of added latency: cold (empty caches,
//! target <= 150 ms, reported as a ratio to one round trip) and warm from the disk cache of an
//! earlier client (target: no request at all, <= 5 ms). In the same run, `go list -m -u -json all`
//! over a go.mod requiring the same 250 modules, through the same proxy, for comparison (needs
//! `go` on PATH or `GOMODLS_GO`; skipped with a message without it). Also a cold row through
//! the HTTPS test proxy (HTTP/2 by ALPN, its CA trusted through SSL_CERT_FILE), with how many
//! connections carried the requests and how many were opened, and the cost of building a client
//! (the TLS roots are read once per process, before the first handshake).
//! The CPU time of each kind of thread (client runtime, test proxy, cache writer) is printed for
//! the bare-reqwest floor and the cold run: on a small machine both sides compete for the cores.
//! The single cold runs also print how fast the machine ran around them (a fixed reference loop
//! against its best time, `gomodls_test_utils::machine`): a small VM can run at half speed for
//! seconds at a time.
//!
//! Also the cold runs with no added latency: what the exchange itself costs on this machine; and
//! the same exchange sent by bare reqwest, a criterion row beside the cold one: the floor under
//! it on this machine (the requests, connections and both ends of them, without our logic).
//!
//! Every cold run (ours, bare reqwest's, over HTTPS, without latency) starts once the connections
//! of the run before are closed on both sides ([`settle`], untimed): cold means a new client and
//! empty caches on a quiet machine, as when an editor opens a go.mod.
//!
//! Run with `cargo bench -p gomodls-modfetch --bench facts`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use gomodls_modfetch::{CacheConfig, GoEnv, HttpConfig, ModuleClient};
use gomodls_test_utils::machine::{best_reference_time, reference_time};
use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};

const MODULES: usize = 250;
const LATENCY: Duration = Duration::from_millis(50);

fn fixture() -> Fixture {
    let mut fixture = Fixture::new();
    for i in 0..MODULES {
        let path = format!("example.com/bench/mod{i}");
        for minor in 0..5 {
            let go_mod =
                format!("module {path}\n\ngo 1.21\n\nretract v1.0.0 // first one was broken\n");
            fixture.add(FixtureVersion::new(&path, &format!("v1.{minor}.0")).go_mod(go_mod));
        }
    }
    fixture
}

fn client(proxy: &TestProxy, home: &Path, cache: &Path) -> ModuleClient {
    let mut process = BTreeMap::from([
        ("HOME".to_owned(), home.display().to_string()),
        ("GOENV".to_owned(), "off".to_owned()),
        ("GOPROXY".to_owned(), proxy.url()),
        (
            "GOMODCACHE".to_owned(),
            home.join("gomodcache").display().to_string(),
        ),
    ]);
    if let Some(ca) = proxy.ca_cert_path() {
        process.insert("SSL_CERT_FILE".to_owned(), ca.display().to_string());
    }
    let env = GoEnv::resolve(process, &BTreeMap::new());
    let config = CacheConfig {
        dir: Some(cache.to_path_buf()),
        ..CacheConfig::default()
    };
    ModuleClient::with_http_config(env, config, HttpConfig::default()).unwrap()
}

fn run(runtime: &tokio::runtime::Runtime, client: &ModuleClient, paths: &[String]) -> Duration {
    let start = Instant::now();
    let results = runtime.block_on(client.facts_many(paths));
    let elapsed = start.elapsed();
    for result in results {
        let facts = result.unwrap();
        assert_eq!(facts.latest_unretracted.as_deref(), Some("v1.4.0"));
    }
    elapsed
}

/// When each kind of request reached the proxy, relative to `start`: what the round trips were.
fn timeline(proxy: &TestProxy, start: SystemTime) -> String {
    let mut kinds: BTreeMap<&str, (Duration, Duration, usize)> = BTreeMap::new();
    for record in proxy.request_log() {
        let kind = if record.path.ends_with("/@v/list") {
            "list"
        } else if record.path.ends_with(".info") {
            "info"
        } else if record.path.ends_with(".mod") {
            "mod"
        } else if record.path.ends_with("/@latest") {
            "latest"
        } else {
            "other"
        };
        let at = record.time.duration_since(start).unwrap_or_default();
        let entry = kinds.entry(kind).or_insert((at, at, 0));
        entry.0 = entry.0.min(at);
        entry.1 = entry.1.max(at);
        entry.2 += 1;
    }
    kinds
        .iter()
        .map(|(kind, (first, last, count))| {
            format!(
                "{count} {kind} arriving {:.1}..{:.1} ms",
                first.as_secs_f64() * 1e3,
                last.as_secs_f64() * 1e3
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// On-CPU time of this process's threads so far, by thread name (`/proc/self/task/*/schedstat`,
/// in nanoseconds); empty where `/proc` is missing.
fn thread_cpu() -> BTreeMap<String, Duration> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let (Ok(name), Ok(stat)) = (
            std::fs::read_to_string(task.path().join("comm")),
            std::fs::read_to_string(task.path().join("schedstat")),
        ) else {
            continue;
        };
        let nanos = stat.split(' ').next().and_then(|n| n.parse::<u64>().ok());
        // Threads of one pool (tokio-runtime-w, ...) are summed under their shared name.
        *out.entry(name.trim().to_owned()).or_default() += Duration::from_nanos(nanos.unwrap_or(0));
    }
    out
}

/// What each kind of thread spent between two [`thread_cpu`] readings, busiest first.
fn cpu_between(before: &BTreeMap<String, Duration>, after: &BTreeMap<String, Duration>) -> String {
    let mut spent: Vec<(&String, Duration)> = after
        .iter()
        .map(|(name, t)| {
            (
                name,
                t.saturating_sub(before.get(name).copied().unwrap_or_default()),
            )
        })
        .filter(|(_, t)| !t.is_zero())
        .collect();
    spent.sort_by_key(|(_, t)| std::cmp::Reverse(*t));
    let total: Duration = spent.iter().map(|(_, t)| *t).sum();
    let parts: Vec<String> = spent
        .iter()
        .map(|(name, t)| format!("{name} {:.1}", t.as_secs_f64() * 1e3))
        .collect();
    format!(
        "{:.1} ms CPU ({})",
        total.as_secs_f64() * 1e3,
        parts.join(", ")
    )
}

/// How fast the machine ran around a timed run: the reference loop's times before and after it,
/// and its best time in half a second just before the cold runs (a small VM can run at half speed
/// for seconds at a time, so even that best may be slowed down; see
/// `gomodls_test_utils::machine`).
fn machine_speed(best: Duration, before: Duration, after: Duration) -> String {
    format!(
        "machine speed: the reference loop took {:.0} us before and {:.0} us after the run \
         (best {:.0} us)",
        before.as_secs_f64() * 1e6,
        after.as_secs_f64() * 1e6,
        best.as_secs_f64() * 1e6
    )
}

/// Waits, untimed, until the connections of the run before are closed on both sides: a cold
/// run starts on a quiet machine, as when an editor opens a go.mod, not while the proxy and the
/// kernel still tear down the last run's 500 connections (on 2 cores that overlap cost the next
/// run 5-10 ms, in this row and in bare reqwest's alike).
fn settle(proxy: &TestProxy) {
    assert!(
        proxy.wait_until_idle(Duration::from_secs(10)),
        "{} connections still open",
        proxy.open_connections()
    );
}

/// `go list -m -u -json all` over a go.mod requiring every module, cold (empty module cache),
/// through `proxy`: its wall time and the requests it sent, or why it did not run.
fn go_list(proxy: &TestProxy, paths: &[String]) -> Result<(Duration, usize), String> {
    let go = gomodls_test_utils::go::find_go().ok_or("no go command (PATH or GOMODLS_GO)")?;
    let work = tempfile::tempdir().unwrap();
    let module = work.path().join("app");
    std::fs::create_dir_all(&module).unwrap();
    let mut go_mod = String::from("module example.com/app\n\ngo 1.22\n\nrequire (\n");
    for path in paths {
        go_mod.push_str(&format!("\t{path} v1.2.0\n"));
    }
    go_mod.push_str(")\n");
    std::fs::write(module.join("go.mod"), go_mod).unwrap();
    proxy.clear_log();
    let start = Instant::now();
    let output = gomodls_test_utils::go::go_command(&go, work.path(), &work.path().join("cache"))
        .env("GOPROXY", proxy.url())
        .current_dir(&module)
        .args(["list", "-m", "-u", "-json", "all"])
        .output()
        .map_err(|e| format!("running {}: {e}", go.display()))?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        return Err(format!(
            "go list failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let updates = stdout.matches("\"Update\"").count();
    assert_eq!(updates, paths.len(), "go found an update for every module");
    Ok((elapsed, proxy.request_log().len()))
}

/// The exchange of a cold run, sent with a new bare reqwest client (its default connection pool,
/// no proxy): for each module, on a task of its own, its list and its `/v2` list at once, then
/// the `.info` and `.mod` of the list's last version at once. The floor under our client's cold
/// runs on this machine: what the requests, the connections and both ends of them cost.
fn bare_exchange(runtime: &tokio::runtime::Runtime, base: &str) -> Duration {
    let raw = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap();
    let start = Instant::now();
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..MODULES {
            let raw = raw.clone();
            let module = format!("{base}/example.com/bench/mod{i}");
            tasks.spawn(async move {
                let get = |url: String| {
                    let raw = raw.clone();
                    async move {
                        let response = raw.get(url).send().await.unwrap();
                        let ok = response.status().is_success();
                        (ok, response.bytes().await.unwrap())
                    }
                };
                let ((listed, list), (v2_found, _)) = futures::join!(
                    get(format!("{module}/@v/list")),
                    get(format!("{module}/v2/@v/list"))
                );
                assert!(listed && !v2_found);
                let list = String::from_utf8(list.to_vec()).unwrap();
                let latest = list.lines().last().unwrap();
                let ((info_ok, _), (mod_ok, _)) = futures::join!(
                    get(format!("{module}/@v/{latest}.info")),
                    get(format!("{module}/@v/{latest}.mod"))
                );
                assert!(info_ok && mod_ok);
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
    });
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let proxy = TestProxy::start(fixture()).unwrap();
    proxy.inject(FaultRule::everywhere(Fault::Latency(LATENCY)));
    let paths: Vec<String> = (0..MODULES)
        .map(|i| format!("example.com/bench/mod{i}"))
        .collect();
    let home = tempfile::tempdir().unwrap();

    // The floor on this machine: the same exchange with bare reqwest, none of the client's logic
    // (routing, caches, coalescing, lanes, parsing beyond the list's last line).
    let floor = {
        let c0 = thread_cpu();
        let elapsed = bare_exchange(&runtime, &proxy.url());
        settle(&proxy);
        eprintln!(
            "bare reqwest, the same exchange (per module its list and /v2 list, then the latest \
             version's .info and .mod): {:.1} ms, {}",
            elapsed.as_secs_f64() * 1e3,
            cpu_between(&c0, &thread_cpu())
        );
        elapsed
    };
    // One cold and one warm run, reported in plain numbers first.
    let cache = tempfile::tempdir().unwrap();
    let cold_client = client(&proxy, home.path(), cache.path());
    let best = best_reference_time(Duration::from_millis(500));
    proxy.clear_log();
    let cold_start = SystemTime::now();
    let reference_before = reference_time();
    let cpu_before = thread_cpu();
    let cold = run(&runtime, &cold_client, &paths);
    let cold_cpu = cpu_between(&cpu_before, &thread_cpu());
    let cold_speed = machine_speed(best, reference_before, reference_time());
    let cold_timeline = timeline(&proxy, cold_start);
    runtime.block_on(cold_client.flush());
    let cold_requests = cold_client.requests_sent();
    drop(cold_client);
    settle(&proxy);
    let warm_client = client(&proxy, home.path(), cache.path());
    let warm = run(&runtime, &warm_client, &paths);
    eprintln!(
        "facts for {MODULES} modules: cold {:.1} ms with {} requests ({:.2}x one {} ms round trip; \
         bare reqwest sending the same requests: {:.1} ms, {:.2}x), warm from disk {:.2} ms with {} requests",
        cold.as_secs_f64() * 1e3,
        cold_requests,
        cold.as_secs_f64() / LATENCY.as_secs_f64(),
        LATENCY.as_millis(),
        floor.as_secs_f64() * 1e3,
        floor.as_secs_f64() / LATENCY.as_secs_f64(),
        warm.as_secs_f64() * 1e3,
        warm_client.requests_sent(),
    );
    assert_eq!(warm_client.requests_sent(), 0);
    eprintln!("cold requests: {cold_timeline}; {cold_speed}");
    // Client and proxy share this machine's cores: what each took shows where the time goes.
    eprintln!("cold run, client and proxy together: {cold_cpu}");

    // The same cold run through the HTTPS proxy: HTTP/2 streams over one connection per lane of
    // the client (a few), after the TLS handshakes. The first HTTPS client of the process reads
    // the TLS roots (the system store, as go does) during this run; the process keeps them, so
    // the criterion row below runs with them loaded, as every later client of a running server
    // does (a client rebuilt after a settings change, the checksum database's).
    let tls_proxy = TestProxy::start_https(fixture()).unwrap();
    tls_proxy.inject(FaultRule::everywhere(Fault::Latency(LATENCY)));
    let tls_home = tempfile::tempdir().unwrap();
    let tls_cache = tempfile::tempdir().unwrap();
    let tls_client = client(&tls_proxy, tls_home.path(), tls_cache.path());
    tls_proxy.clear_log();
    let accepted_before = tls_proxy.connections_accepted();
    let tls_start = SystemTime::now();
    let reference_before = reference_time();
    let tls_cpu_before = thread_cpu();
    let tls_cold = run(&runtime, &tls_client, &paths);
    let tls_cpu = cpu_between(&tls_cpu_before, &thread_cpu());
    let tls_speed = machine_speed(best, reference_before, reference_time());
    let tls_log = tls_proxy.request_log();
    let connections: std::collections::BTreeSet<u64> =
        tls_log.iter().map(|r| r.connection).collect();
    let versions: std::collections::BTreeSet<&str> =
        tls_log.iter().map(|r| r.version.as_str()).collect();
    eprintln!(
        "facts for {MODULES} modules over HTTPS, cold, the TLS roots read during the run: {:.1} ms \
         with {} requests ({:.2}x one {} ms round trip); HTTP versions {versions:?}; {} connection(s) carried requests, {} were \
         opened (TLS handshakes)",
        tls_cold.as_secs_f64() * 1e3,
        tls_client.requests_sent(),
        tls_cold.as_secs_f64() / LATENCY.as_secs_f64(),
        LATENCY.as_millis(),
        connections.len(),
        tls_proxy.connections_accepted() - accepted_before,
    );
    // One HTTP/2 connection carries at most the server's stream limit at once (hyper's default,
    // 200, as the test proxy uses; nginx 128, Go's net/http 250): waves would show here. The
    // first request of each lane connects while the others wait (src/first_connect.rs): the
    // first arrival is one TLS handshake after the start.
    eprintln!(
        "cold requests over HTTPS: {}; client and proxy together: {tls_cpu}; {tls_speed}",
        timeline(&tls_proxy, tls_start)
    );
    runtime.block_on(tls_client.flush());
    drop(tls_client);
    settle(&tls_proxy);

    // What the exchange itself costs on this machine: the same cold runs with no added latency,
    // so that only the work of both sides (and the loopback) is timed. Two round trips are
    // unavoidable (the latest version is known only once the list is in), so of the 150 ms
    // budget, 100 ms are latency and this is what the rest has to cover.
    for (name, proxy, home) in [
        ("HTTP/1.1", &proxy, home.path()),
        ("HTTPS", &tls_proxy, tls_home.path()),
    ] {
        proxy.clear_faults();
        let mut times: Vec<Duration> = (0..7)
            .map(|_| {
                let cache = tempfile::tempdir().unwrap();
                let client = client(proxy, home, cache.path());
                let elapsed = run(&runtime, &client, &paths);
                runtime.block_on(client.flush());
                drop(client);
                settle(proxy);
                elapsed
            })
            .collect();
        times.sort();
        proxy.inject(FaultRule::everywhere(Fault::Latency(LATENCY)));
        eprintln!(
            "facts for {MODULES} modules, cold, {name}, no added latency (the exchange's own cost): \
             median of 7 {:.1} ms, fastest {:.1} ms",
            times[3].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3
        );
    }

    // Building a client (as the server does at start-up) reads no certificate store.
    let builds = 20;
    let start = Instant::now();
    for _ in 0..builds {
        drop(client(&proxy, home.path(), cache.path()));
    }
    eprintln!(
        "building a client: {:.1} us each (mean of {builds})",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(builds)
    );
    match go_list(&proxy, &paths) {
        Ok((theirs, requests)) => eprintln!(
            "go list -m -u -json all over the same {MODULES} modules, cold: {:.1} ms with {requests} \
             requests; ours cold {:.1} ms: go takes {:.1}x as long",
            theirs.as_secs_f64() * 1e3,
            cold.as_secs_f64() * 1e3,
            theirs.as_secs_f64() / cold.as_secs_f64(),
        ),
        Err(why) => eprintln!("go list comparison skipped: {why}"),
    }

    let mut group = c.benchmark_group("facts_250_modules");
    group.sample_size(10);
    // Each iteration a new client over empty caches, so its first connections (and over HTTPS
    // its TLS handshakes, one per lane) are timed too.
    let cold = |proxy: &TestProxy, home: &Path, iterations: u64| {
        let mut total = Duration::ZERO;
        for _ in 0..iterations {
            let cache = tempfile::tempdir().unwrap();
            let client = client(proxy, home, cache.path());
            total += run(&runtime, &client, &paths);
            // The disk cache writes of this run (about 1,000 files, seconds of file system work
            // on a small VM) finish here, untimed, instead of during the next run.
            runtime.block_on(client.flush());
            drop(client);
            settle(proxy);
        }
        total
    };
    group.bench_function("cold_50ms_latency", |b| {
        b.iter_custom(|iterations| cold(&proxy, home.path(), iterations));
    });
    // The floor under that row: bare reqwest sending the same requests in the same order.
    group.bench_function("bare_reqwest_same_exchange_50ms_latency", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| {
                    let elapsed = bare_exchange(&runtime, &proxy.url());
                    settle(&proxy);
                    elapsed
                })
                .sum()
        });
    });
    // The same over HTTPS (HTTP/2 by ALPN), the TLS roots loaded (by the single run above).
    group.bench_function("cold_50ms_latency_https", |b| {
        b.iter_custom(|iterations| cold(&tls_proxy, tls_home.path(), iterations));
    });
    group.bench_function("warm_disk_cache", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let client = client(&proxy, home.path(), cache.path());
                total += run(&runtime, &client, &paths);
                assert_eq!(client.requests_sent(), 0);
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
