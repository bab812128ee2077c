//! Verifying the largest corpus go.sum (traefik, about 3100 lines) against a warm cache (target:
//! at most 20 ms): a fresh verifier reads go.sum and the verified-lines file prepared from the
//! file's hashes, and every line comes out verified without any download.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup"
)]

use std::collections::BTreeMap;
use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gomodls_modfetch::gosum_verify::{GoSumVerifier, Verdict, write_verified_file};
use gomodls_modfetch::{CacheConfig, GoEnv, ModuleClient};
use gomodls_syntax::gosum::read_go_sum;

const GO_SUM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/real/traefik__traefik/go.sum"
);

fn verifier(home: &Path) -> GoSumVerifier {
    let mut process = BTreeMap::new();
    process.insert("HOME".to_owned(), home.display().to_string());
    process.insert("GOENV".to_owned(), "off".to_owned());
    process.insert(
        "GOMODCACHE".to_owned(),
        home.join("gomodcache").display().to_string(),
    );
    // The default database, sum.golang.org; the network is never used (offline).
    let env = GoEnv::resolve(process, &BTreeMap::new());
    let cache = CacheConfig {
        dir: Some(home.join("cache")),
        offline: true,
        ..CacheConfig::default()
    };
    let client = ModuleClient::new(env, cache).unwrap();
    GoSumVerifier::new(client, Some(&home.join("state")))
}

fn bench_verify(criterion: &mut Criterion) {
    let text = std::fs::read(GO_SUM).unwrap();
    let go_sum = read_go_sum(&text);
    let home = tempfile::tempdir().unwrap();
    write_verified_file(
        &home.path().join("state"),
        "sum.golang.org",
        go_sum.lines.iter().map(|line| &line.sum),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The cache is really warm: every line verifies from it.
    let verdicts = runtime.block_on(verifier(home.path()).verify(&go_sum, "go.sum"));
    assert_eq!(verdicts.len(), go_sum.lines.len());
    assert!(verdicts.iter().all(|verdict| *verdict == Verdict::Verified));

    let mut group = criterion.benchmark_group("verify");
    group.sample_size(30);
    group.bench_function("traefik_go_sum_warm", |bencher| {
        bencher.iter_batched(
            || verifier(home.path()),
            |verifier| {
                let text = std::fs::read(GO_SUM).unwrap();
                let go_sum = read_go_sum(&text);
                let verdicts = runtime.block_on(verifier.verify(&go_sum, "go.sum"));
                assert_eq!(verdicts.len(), go_sum.lines.len());
                // Dropped outside the measurement: the client's threads and connections.
                (verifier, verdicts)
            },
            BatchSize::PerIteration,
        );
    });
    // The share of reading and parsing go.sum alone.
    group.bench_function("traefik_go_sum_read_only", |bencher| {
        bencher.iter(|| read_go_sum(&std::fs::read(GO_SUM).unwrap()).lines.len());
    });
    group.finish();
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
