//! Throughput of `h1:` hashing over a 10 MB module zip (target: at least 400 MB/s), for a zip of
//! stored entries (hashing alone) and a deflated one (as proxies serve them), on one thread and
//! on all cores (`hash_zip_parallel`, what the server runs on a downloaded zip), plus the full
//! `verify_zip` check.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark setup"
)]

use std::io::{Cursor, Write};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gomodls_modfetch::{dirhash, modzip};

/// A module zip of about `total` bytes of Go-like source spread over 100 files.
fn module_zip(total: usize, method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let files = 100;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for index in 0..files {
        writer
            .start_file(
                format!("example.com/big@v1.0.0/pkg{}/file{index}.go", index % 10),
                options,
            )
            .unwrap();
        let mut written = 0;
        while written < total / files {
            // xorshift: varied text that still compresses somewhat, like source code.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let line = format!(
                "func f{:x}(x int) int {{ return x * {} }}\n",
                seed,
                seed % 1000
            );
            writer.write_all(line.as_bytes()).unwrap();
            written += line.len();
        }
    }
    writer.finish().unwrap().into_inner()
}

fn bench_h1(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("h1");
    group.sample_size(20);
    for (label, method) in [
        ("stored", zip::CompressionMethod::Stored),
        ("deflated", zip::CompressionMethod::Deflated),
    ] {
        // Throughput is counted in uncompressed bytes, the data that is hashed.
        let zip = module_zip(10 << 20, method);
        let uncompressed = 10u64 << 20;
        group.throughput(Throughput::Bytes(uncompressed));
        group.bench_function(format!("hash_zip/{label}"), |bencher| {
            bencher.iter(|| dirhash::hash_zip(Cursor::new(zip.as_slice())).unwrap());
        });
        // What the server runs on a downloaded zip: the entries shared out among the cores.
        group.bench_function(format!("hash_zip_parallel/{label}"), |bencher| {
            bencher
                .iter(|| dirhash::hash_zip_parallel(|| Ok(Cursor::new(zip.as_slice()))).unwrap());
        });
        group.bench_function(format!("verify_zip/{label}"), |bencher| {
            bencher.iter(|| {
                modzip::verify_zip("example.com/big", "v1.0.0", Cursor::new(zip.as_slice()))
                    .unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_h1);
criterion_main!(benches);
