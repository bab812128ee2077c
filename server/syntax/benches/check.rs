//! Benchmark of validation:
//!
//! 1. in process: `check` of the largest corpus go.mod plus the largest go.sum (budget: 2 ms
//!    together);
//! 2. as processes: `gomodls check --offline` in one process over every go.mod and go.work of
//!    the real corpus, against `go mod edit -json` / `go work edit -json` run once per file on the
//!    same files (go has no command for many files), in the same run: files per second of both
//!    and the ratio; and, for the record, `gomodls check` over the corpus directory (which
//!    checks the files named go.mod, go.work, go.sum and go.work.sum, go.sum files too). Both run without network, toolchain downloads or the user's settings
//!    (`GOTOOLCHAIN=local GOENV=off GOFLAGS= GOPROXY=off`, private caches in a temporary
//!    directory), and go is run as `$GOROOT/bin/go`, past any wrapper on PATH.
//!
//! Run: `cargo build --release -p gomodls-lsp && cargo bench -p gomodls-syntax --bench check`.
//! The binary is `GOMODLS_BIN`, else `target/release/gomodls`, else `target/debug/gomodls`; go is
//! `GOMODLS_GO` or the one on PATH. A missing tool skips its part.
//!
//! For instruction counts (the machine is often too busy for clocks): `GOMODLS_BENCH_RUNS=N`
//! runs only the in-process checks, each exactly N times and untimed, and
//! `GOMODLS_BENCH_KIND=go.mod` (or `go.sum`) limits them to one file, e.g.
//! `GOMODLS_BENCH_RUNS=100 GOMODLS_BENCH_KIND=go.sum perf stat -e instructions
//! target/release/deps/check-HASH --bench`.

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

/// Each check exactly `runs` times, untimed, limited to the file kind `only` when given.
fn counted(runs: u32, only: Option<&str>) {
    let context = CheckContext::default();
    for (suffix, kind) in [("go.mod", FileKind::GoMod), (".sum", FileKind::GoSum)] {
        if only.is_some_and(|only| !only.ends_with(suffix)) {
            continue;
        }
        let Some((path, text)) = largest(suffix) else {
            eprintln!("no corpus under {}", corpus().display());
            return;
        };
        let mut found = 0;
        for _ in 0..runs {
            found = std::hint::black_box(check(kind, &text, &context)).len();
        }
        println!(
            "checked {} {runs} times: {found} diagnostics",
            path.display()
        );
    }
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

/// The go command: `GOMODLS_GO`, else the first `go` on PATH.
fn find_go() -> Option<PathBuf> {
    if let Some(go) = std::env::var_os("GOMODLS_GO").filter(|go| !go.is_empty()) {
        return Some(PathBuf::from(go));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("go"))
        .find(|candidate| candidate.is_file())
}

/// A command that never reaches the network, downloads a toolchain or reads the user's go
/// settings, with its data in `home` (private module cache and build cache).
fn isolated(program: &Path, home: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOTELEMETRY", "off")
        .env("GOPATH", home.join("gopath"))
        .env("GOMODCACHE", home.join("gopath/pkg/mod"))
        .env("GOCACHE", home.join("cache"))
        .env("XDG_CACHE_HOME", home.join("xdg"))
        .current_dir(home);
    command
}

/// The go binary itself: `go` on PATH may be a wrapper (a pyenv shim costs over 150 ms a run,
/// which the first figures of this bench measured instead of go), so ask it for GOROOT once.
fn real_go(go: &Path, home: &Path) -> PathBuf {
    let goroot = isolated(go, home)
        .args(["env", "GOROOT"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    match goroot {
        Some(goroot) if Path::new(&goroot).join("bin/go").is_file() => {
            Path::new(&goroot).join("bin/go")
        }
        _ => go.to_path_buf(),
    }
}

/// Runs `gomodls check --offline` once over `arguments`; the time taken.
fn time_gomodls(binary: &Path, home: &Path, arguments: &[PathBuf]) -> Option<Duration> {
    let started = Instant::now();
    let output = isolated(binary, home)
        .args(["check", "--offline", "--format", "json"])
        .args(arguments)
        .output();
    let elapsed = started.elapsed();
    match output {
        Ok(output) if output.status.code().is_some_and(|code| code < 2) => Some(elapsed),
        Ok(output) => {
            eprintln!(
                "{} check failed: {}",
                binary.display(),
                String::from_utf8_lossy(&output.stderr)
            );
            None
        }
        Err(error) => {
            eprintln!("{}: {error}", binary.display());
            None
        }
    }
}

fn rate(files: usize, time: Duration) -> f64 {
    files as f64 / time.as_secs_f64()
}

fn as_processes() {
    let modules = corpus_files(&["go.mod", "go.work"]);
    // A directory walk takes only files with these names (the corpus also holds copies named
    // `DIR__go.mod`, which the walk skips and the first run names one by one).
    let walked: Vec<PathBuf> = corpus_files(&["go.mod", "go.work", "go.sum", "go.work.sum"])
        .into_iter()
        .filter(|path| {
            path.file_name().is_some_and(|name| {
                ["go.mod", "go.work", "go.sum", "go.work.sum"]
                    .iter()
                    .any(|walked| name == *walked)
            })
        })
        .collect();
    let Some(binary) = gomodls_binary() else {
        eprintln!("no gomodls binary: build it (cargo build --release -p gomodls-lsp)");
        return;
    };
    let Ok(home) = tempfile::tempdir() else {
        return;
    };
    // The same files as go below (go.mod and go.work), named on the command line; then the
    // corpus as a directory, for the record.
    let Some(ours) = time_gomodls(&binary, home.path(), &modules) else {
        return;
    };
    let our_rate = rate(modules.len(), ours);
    println!(
        "gomodls check --offline ({}), the go.mod and go.work files: {} files in {ours:?}: {our_rate:.0} files/s",
        binary.display(),
        modules.len()
    );
    if let Some(whole) = time_gomodls(&binary, home.path(), &[corpus()]) {
        println!(
            "gomodls check --offline, the corpus directory (the files named go.mod, go.work, go.sum and go.work.sum): {} files in {whole:?}: {:.0} files/s",
            walked.len(),
            rate(walked.len(), whole)
        );
    }
    let Some(go) = find_go() else {
        eprintln!("no go on PATH and GOMODLS_GO unset: skipping the comparison");
        return;
    };
    let go = real_go(&go, home.path());
    let started = Instant::now();
    let mut refused = 0;
    for file in &modules {
        let kind = match file.to_string_lossy().ends_with("go.work") {
            true => "work",
            false => "mod",
        };
        let output = isolated(&go, home.path())
            .args([kind, "edit", "-json"])
            .arg(file)
            .output();
        if !output.is_ok_and(|output| output.status.success()) {
            refused += 1;
        }
    }
    let theirs = started.elapsed();
    let their_rate = rate(modules.len(), theirs);
    println!(
        "go mod/work edit -json ({}), one process per file: {} files in {theirs:?} ({:.1} ms a file, {refused} refused): {their_rate:.0} files/s",
        go.display(),
        modules.len(),
        theirs.as_secs_f64() * 1000.0 / modules.len().max(1) as f64
    );
    println!(
        "ratio on the same files: gomodls checks {:.1}x as many files per second",
        our_rate / their_rate
    );
}

fn main() {
    // `cargo test --benches` runs benches with `--bench` absent: keep that quick.
    if !std::env::args().any(|argument| argument == "--bench") {
        return;
    }
    if let Some(runs) = std::env::var("GOMODLS_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
    {
        counted(runs, std::env::var("GOMODLS_BENCH_KIND").ok().as_deref());
        return;
    }
    in_process();
    as_processes();
}
