//! Facts for 250 modules through the test proxy with 50 ms of added latency: cold (empty caches,
//! target <= 150 ms, reported as a ratio to one round trip) and warm from the disk cache of an
//! earlier client (target: no request at all, <= 5 ms).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gomodls_modfetch::{CacheConfig, GoEnv, HttpConfig, ModuleClient};
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
    let process = BTreeMap::from([
        ("HOME".to_owned(), home.display().to_string()),
        ("GOENV".to_owned(), "off".to_owned()),
        ("GOPROXY".to_owned(), proxy.url()),
        (
            "GOMODCACHE".to_owned(),
            home.join("gomodcache").display().to_string(),
        ),
    ]);
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

    // The floor on this machine: the same request pattern (500 on new connections, then 500 on
    // open ones) sent with bare reqwest, without any of the client's logic.
    let floor = {
        let raw = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .build()
            .unwrap();
        let urls: Vec<String> = (0..2 * MODULES)
            .map(|i| {
                format!(
                    "{}/example.com/bench/mod{}/@v/list",
                    proxy.url(),
                    i % MODULES
                )
            })
            .collect();
        let wave = || {
            futures::future::join_all(urls.iter().map(|u| {
                let raw = raw.clone();
                async move {
                    raw.get(u)
                        .send()
                        .await
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap()
                        .len()
                }
            }))
        };
        let start = Instant::now();
        runtime.block_on(wave());
        runtime.block_on(wave());
        start.elapsed()
    };
    // One cold and one warm run, reported in plain numbers first.
    let cache = tempfile::tempdir().unwrap();
    let cold_client = client(&proxy, home.path(), cache.path());
    let cold = run(&runtime, &cold_client, &paths);
    runtime.block_on(cold_client.flush());
    let warm_client = client(&proxy, home.path(), cache.path());
    let warm = run(&runtime, &warm_client, &paths);
    eprintln!(
        "facts for {MODULES} modules: cold {:.1} ms with {} requests ({:.2}x one {} ms round trip; \
         bare reqwest sending the same requests: {:.1} ms, {:.2}x), warm from disk {:.2} ms with {} requests",
        cold.as_secs_f64() * 1e3,
        cold_client.requests_sent(),
        cold.as_secs_f64() / LATENCY.as_secs_f64(),
        LATENCY.as_millis(),
        floor.as_secs_f64() * 1e3,
        floor.as_secs_f64() / LATENCY.as_secs_f64(),
        warm.as_secs_f64() * 1e3,
        warm_client.requests_sent(),
    );
    assert_eq!(warm_client.requests_sent(), 0);

    let mut group = c.benchmark_group("facts_250_modules");
    group.sample_size(10);
    group.bench_function("cold_50ms_latency", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let cache = tempfile::tempdir().unwrap();
                let client = client(&proxy, home.path(), cache.path());
                total += run(&runtime, &client, &paths);
            }
            total
        });
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
