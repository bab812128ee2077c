//! Parser benchmark: full-parse throughput of the tree-sitter grammars on the largest corpus go.mod
//! and go.sum, incremental reparse after a one-character edit in the middle of the largest go.sum,
//! and, in the same run, go's own parser (`modfile.Parse` from the x/mod sources vendored in the
//! installed Go toolchain) on the same files.
//!
//! Run: `cargo bench -p gomodls-syntax --bench parse`. Budgets (issue "Foundation"): at least
//! 30 MB/s full parse, at most 100 µs median incremental reparse.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gomodls_syntax::{FileKind, parse, reparse};
use tree_sitter::{InputEdit, Point};

const GO_BENCH: &str = r#"
package main

import (
	"fmt"
	"os"
	"sort"
	"time"

	"golang.org/x/mod/modfile"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var samples []time.Duration
	deadline := time.Now().Add(2 * time.Second)
	for len(samples) < 20 || (time.Now().Before(deadline) && len(samples) < 100000) {
		start := time.Now()
		if _, err := modfile.Parse("go.mod", data, nil); err != nil {
			panic(err)
		}
		samples = append(samples, time.Since(start))
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	fmt.Println(samples[len(samples)/2].Nanoseconds())
}
"#;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

fn largest(suffix: &str) -> PathBuf {
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
    best.map(|(_, path)| path).unwrap_or_default()
}

/// The median of repeated runs of `f`, run for about `budget` (at least 20 times).
fn median(budget: Duration, mut f: impl FnMut()) -> Duration {
    let mut samples = Vec::new();
    let deadline = Instant::now() + budget;
    while samples.len() < 20 || (Instant::now() < deadline && samples.len() < 100_000) {
        let start = Instant::now();
        f();
        samples.push(start.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

fn go_parse_median(path: &Path) -> Option<Duration> {
    let go = gomodls_test_utils::go::find_go()?;
    let work = tempfile::tempdir().ok()?;
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/go-bench-cache");
    let binary = gomodls_test_utils::go::build_xmod_program(
        &go,
        work.path(),
        &cache,
        "parsebench",
        GO_BENCH,
        &["modfile", "module", "semver", "internal/lazyregexp"],
    )
    .map_err(|error| eprintln!("go benchmark not built: {error}"))
    .ok()?;
    let output = std::process::Command::new(binary).arg(path).output().ok()?;
    let nanos: u64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_nanos(nanos))
}

fn main() {
    // As the gomodls binary does first.
    gomodls_grammar::allocator::install();
    let gomod_path = largest("go.mod");
    let gosum_path = largest("go.sum");
    let gomod = std::fs::read(&gomod_path).unwrap_or_default();
    let gosum = std::fs::read(&gosum_path).unwrap_or_default();
    let budget = Duration::from_secs(2);

    let gomod_full = median(budget, || {
        std::hint::black_box(parse(FileKind::GoMod, &gomod));
    });
    let gosum_full = median(budget, || {
        std::hint::black_box(parse(FileKind::GoSum, &gosum));
    });

    // A one-character edit in the middle of the go.sum: insert 'x' into the middle line's path.
    let middle_line_start = {
        let middle = gosum.len() / 2;
        gosum[..middle]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let row = gosum[..middle_line_start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    let at = middle_line_start + 3;
    let mut edited = gosum.clone();
    edited.insert(at, b'x');
    let edit = InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: at + 1,
        start_position: Point::new(row, 3),
        old_end_position: Point::new(row, 3),
        new_end_position: Point::new(row, 4),
    };
    let base = parse(FileKind::GoSum, &gosum);
    let incremental = median(budget, || {
        let mut old = base.clone();
        old.edit(&edit);
        std::hint::black_box(reparse(FileKind::GoSum, &old, &edited));
    });

    let go = go_parse_median(&gomod_path);

    println!("file                      bytes    median      MB/s");
    println!(
        "go.mod full parse   {:>10}  {:>9.1?}  {:>8.1}   ({})",
        gomod.len(),
        gomod_full,
        mb_per_s(gomod.len(), gomod_full),
        gomod_path.display()
    );
    println!(
        "go.sum full parse   {:>10}  {:>9.1?}  {:>8.1}   ({})",
        gosum.len(),
        gosum_full,
        mb_per_s(gosum.len(), gosum_full),
        gosum_path.display()
    );
    println!(
        "go.sum reparse after a one-character edit: median {:.1?} (budget 100 µs)",
        incremental
    );
    match go {
        Some(go_time) => println!(
            "go modfile.Parse on the go.mod: median {:.1?}, {:.1} MB/s; ours / go's throughput = {:.2}",
            go_time,
            mb_per_s(gomod.len(), go_time),
            go_time.as_secs_f64() / gomod_full.as_secs_f64()
        ),
        None => println!("go modfile.Parse: not measured (no go command: set GOMODLS_GO or PATH)"),
    }
}
