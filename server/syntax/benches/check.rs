//! Benchmark of validation:
//!
//! 1. in process: `check` of the largest corpus go.mod plus the largest go.sum (budget: 2 ms
//!    together);
//! 2. as processes: `gomodls check --offline` over the whole real corpus in one process, against
//!    `go mod edit -json` / `go work edit -json` run once per go.mod and go.work of the same
//!    corpus (go has no command for many files), in the same run: files per second of both and
//!    the ratio.
//!
//! Run: `cargo build --release -p gomodls-lsp && cargo bench -p gomodls-syntax --bench check`.
//! The binary is `GOMODLS_BIN`, else `target/release/gomodls`, else `target/debug/gomodls`; go is
//! `GOMODLS_GO` or the one on PATH. A missing tool skips its part.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gomodls_syntax::FileKind;
use gomodls_syntax::check::{CheckContext, check};

/// The in-process budget for the largest go.mod and go.sum together.
const BUDGET: Duration = Duration::from_millis(2);

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// Every corpus file whose name ends with one of `suffixes`.
fn corpus_files(suffixes: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for repo in std::fs::read_dir(corpus()).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(repo.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            if suffixes.iter().any(|suffix| name.ends_with(suffix)) {
                files.push(file.path());
            }
        }
    }
    files.sort();
    files
}

fn largest(suffix: &str) -> Option<(PathBuf, Vec<u8>)> {
    let path = corpus_files(&[suffix])
        .into_iter()
        .max_by_key(|path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))?;
    let text = std::fs::read(&path).ok()?;
    Some((path, text))
}

/// The mean time of `job` over enough runs to take about a second (after a warm-up).
fn mean_time(mut job: impl FnMut()) -> Duration {
    for _ in 0..10 {
        job();
    }
    let started = Instant::now();
    let mut runs = 0u32;
    while started.elapsed() < Duration::from_secs(1) {
        job();
        runs += 1;
    }
    started.elapsed() / runs.max(1)
}

fn in_process() {
    let (Some((mod_path, go_mod)), Some((sum_path, go_sum))) = (largest("go.mod"), largest(".sum"))
    else {
        eprintln!("no corpus under {}", corpus().display());
        return;
    };
    let context = CheckContext::default();
    let mod_time = mean_time(|| {
        std::hint::black_box(check(FileKind::GoMod, &go_mod, &context));
    });
    let sum_time = mean_time(|| {
        std::hint::black_box(check(FileKind::GoSum, &go_sum, &context));
    });
    let total = mod_time + sum_time;
    println!(
        "check go.mod {} ({} bytes): {mod_time:?}",
        mod_path.display(),
        go_mod.len()
    );
    println!(
        "check go.sum {} ({} bytes): {sum_time:?}",
        sum_path.display(),
        go_sum.len()
    );
    println!(
        "in process, both: {total:?} (budget {BUDGET:?}: {})",
        if total <= BUDGET { "within" } else { "OVER" }
    );
}

fn gomodls_binary() -> Option<PathBuf> {
    if let Some(binary) = std::env::var_os("GOMODLS_BIN") {
        return Some(PathBuf::from(binary));
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    ["release/gomodls", "debug/gomodls"]
        .iter()
        .map(|relative| target.join(relative))
        .find(|candidate| candidate.is_file())
}

fn find_go() -> Option<PathBuf> {
    if let Some(go) = std::env::var_os("GOMODLS_GO").filter(|go| !go.is_empty()) {
        return Some(PathBuf::from(go));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("go"))
        .find(|candidate| candidate.is_file())
}

fn as_processes() {
    let all = corpus_files(&["go.mod", "go.work", ".sum"]);
    let modules = corpus_files(&["go.mod", "go.work"]);
    let Some(binary) = gomodls_binary() else {
        eprintln!("no gomodls binary: build it (cargo build --release -p gomodls-lsp)");
        return;
    };
    let started = Instant::now();
    let output = Command::new(&binary)
        .args(["check", "--offline", "--format", "json"])
        .arg(corpus())
        .output();
    let ours = started.elapsed();
    if let Err(error) = output {
        eprintln!("{}: {error}", binary.display());
        return;
    }
    let our_rate = all.len() as f64 / ours.as_secs_f64();
    println!(
        "gomodls check ({}): {} files in {ours:?}: {our_rate:.0} files/s",
        binary.display(),
        all.len()
    );
    let Some(go) = find_go() else {
        eprintln!("no go on PATH and GOMODLS_GO unset: skipping the comparison");
        return;
    };
    let Ok(work) = tempfile::tempdir() else {
        return;
    };
    let started = Instant::now();
    for file in &modules {
        let kind = match file.to_string_lossy().ends_with("go.work") {
            true => "work",
            false => "mod",
        };
        let _ = gomodls_test_utils::go::go_command(&go, work.path(), &work.path().join("cache"))
            .env("GOWORK", "")
            .args([kind, "edit", "-json"])
            .arg(file)
            .output();
    }
    let theirs = started.elapsed();
    let their_rate = modules.len() as f64 / theirs.as_secs_f64();
    println!(
        "go mod/work edit -json: {} files in {theirs:?}: {their_rate:.0} files/s",
        modules.len()
    );
    println!(
        "ratio: gomodls checks {:.1}x as many files per second",
        our_rate / their_rate
    );
}

fn main() {
    // `cargo test --benches` runs benches with `--bench` absent: keep that quick.
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    in_process();
    as_processes();
}
