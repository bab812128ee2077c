//! Benchmark of go's reader and printer as reproduced here: `modfile::read::read` followed by
//! `modfile::format::print` on the largest go.mod of the corpus, plus reading and rewriting the
//! largest go.sum. Budget: read + print well under 1 ms.
//!
//! Run: `cargo bench -p gomodls-syntax --bench modfile`.

// criterion's macros define undocumented public functions.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gomodls_syntax::gosum::{format_go_sum, read_go_sum};
use gomodls_syntax::modfile::format::print;
use gomodls_syntax::modfile::read::read;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// The largest corpus file whose name ends with `suffix`.
fn largest(suffix: &str) -> Option<(PathBuf, Vec<u8>)> {
    let mut best: Option<(u64, PathBuf)> = None;
    for repo in std::fs::read_dir(corpus()).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(repo.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            if !name.ends_with(suffix) {
                continue;
            }
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            if best.as_ref().is_none_or(|(s, _)| size > *s) {
                best = Some((size, file.path()));
            }
        }
    }
    let (_, path) = best?;
    let text = std::fs::read(&path).ok()?;
    Some((path, text))
}

fn bench_modfile(c: &mut Criterion) {
    let Some((path, text)) = largest("go.mod") else {
        eprintln!("no corpus go.mod under {}", corpus().display());
        return;
    };
    eprintln!("largest go.mod: {} ({} bytes)", path.display(), text.len());
    let mut group = c.benchmark_group("modfile");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("read", |b| b.iter(|| read(&text, "go.mod")));
    group.bench_function("read+print", |b| {
        b.iter(|| read(&text, "go.mod").map(|file| print(&file)))
    });
    group.finish();

    let Some((path, text)) = largest("go.sum") else {
        return;
    };
    eprintln!("largest go.sum: {} ({} bytes)", path.display(), text.len());
    let mut group = c.benchmark_group("gosum");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("read+format", |b| {
        b.iter(|| {
            let sum = read_go_sum(&text);
            format_go_sum(sum.lines.iter().map(|line| &line.sum))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_modfile);
criterion_main!(benches);
