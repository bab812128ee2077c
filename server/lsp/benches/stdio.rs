//! Round trips through the release `gomodls` binary over stdio, as an editor sees them: start-up
//! to the first diagnostics of the largest corpus go.mod, an edit to its diagnostics, document
//! symbols and full semantic tokens, and the peak memory with the largest go.mod and go.sum open.
//!
//! Run with `cargo bench -p gomodls-lsp --bench stdio`. Prints medians and budgets; it asserts
//! nothing (timings belong in benchmarks, not tests).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark: a broken setup should stop it loudly"
)]

use std::time::{Duration, Instant};

use gomodls_tests::{Encoding, ServerOptions, TestServer, edit};
use serde_json::json;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/real");

fn read(relative: &str) -> String {
    std::fs::read_to_string(format!("{CORPUS}/{relative}"))
        .unwrap_or_else(|error| panic!("cannot read {relative}: {error}"))
}

fn options() -> ServerOptions {
    // Quiet logs: the measurement is of the server, not of its debug output.
    ServerOptions::new(env!("CARGO_BIN_EXE_gomodls")).env("GOMODLS_LOG", "warn")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn millis(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

/// initialize -> initialized -> didOpen -> the first publishDiagnostics.
fn first_diagnostics(go_mod: &str, runs: usize) -> Duration {
    let samples = (0..runs)
        .map(|_| {
            let mut server = TestServer::spawn(options()).unwrap();
            let start = Instant::now();
            server.initialize().unwrap();
            server
                .open("file:///bench/go.mod", "gomod", 1, go_mod)
                .unwrap();
            server
                .wait_diagnostics("file:///bench/go.mod", Some(1))
                .unwrap();
            let elapsed = start.elapsed();
            server.shutdown_and_exit().unwrap();
            elapsed
        })
        .collect();
    median(samples)
}

/// didChange (one character in a version) -> publishDiagnostics of that version.
fn change_to_diagnostics(
    server: &mut TestServer,
    uri: &str,
    go_mod: &str,
    runs: usize,
) -> Duration {
    let mut text = go_mod.to_owned();
    let at = text.find(" v").unwrap() + 2;
    let mut samples = Vec::new();
    for version in 2..2 + runs as i32 {
        // Alternately insert and remove a digit, so the text stays valid.
        let change = match version % 2 {
            0 => edit::change(&text, at, at, "1", Encoding::Utf16),
            _ => edit::change(&text, at, at + 1, "", Encoding::Utf16),
        };
        edit::apply(&mut text, &change, Encoding::Utf16).unwrap();
        let start = Instant::now();
        server.change(uri, version, vec![change]).unwrap();
        server.wait_diagnostics(uri, Some(version)).unwrap();
        samples.push(start.elapsed());
    }
    median(samples)
}

/// The CPU time a process used so far (user and system, all threads), from `/proc/PID/stat`
/// in clock ticks of 10 ms (Linux's `USER_HZ`).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name.
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

/// The median round trip of `method` and the server's CPU time per request.
fn request_costs(
    server: &mut TestServer,
    method: &str,
    uri: &str,
    runs: usize,
) -> (Duration, Option<Duration>) {
    let before = cpu_time(server.pid());
    let median = request_median(server, method, uri, runs);
    let after = cpu_time(server.pid());
    let per_request = before
        .zip(after)
        .map(|(before, after)| (after - before) / u32::try_from(runs).unwrap_or(1));
    (median, per_request)
}

fn request_median(server: &mut TestServer, method: &str, uri: &str, runs: usize) -> Duration {
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            server
                .request(method, json!({"textDocument": {"uri": uri}}))
                .unwrap();
            start.elapsed()
        })
        .collect();
    median(samples)
}

/// The peak resident memory of a process (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// How long the memory measurement lets the background work started by opening files (module
/// data, module facts, the files beside) run before it reads the peak.
const SETTLE: Duration = Duration::from_secs(1);

/// A fresh server with the largest go.mod and the largest go.sum open, their diagnostics
/// published and the background work settled: its peak memory, then the peak after symbols and
/// tokens of both.
fn memory(go_mod: &str, largest_sum: &str) -> (Option<u64>, Option<u64>) {
    let options = options().capability(
        "textDocument",
        "documentSymbol",
        json!({"hierarchicalDocumentSymbolSupport": true}),
    );
    let (mut server, _) = TestServer::start(options).unwrap();
    let mod_uri = "file:///memory/go.mod";
    let sum_uri = "file:///memory/go.sum";
    server.open(mod_uri, "gomod", 1, go_mod).unwrap();
    server.open(sum_uri, "gosum", 1, largest_sum).unwrap();
    server.wait_diagnostics(mod_uri, Some(1)).unwrap();
    server.wait_diagnostics(sum_uri, Some(1)).unwrap();
    std::thread::sleep(SETTLE);
    let open = peak_rss_kib(server.pid());
    for uri in [mod_uri, sum_uri] {
        request_median(&mut server, "textDocument/documentSymbol", uri, 3);
        request_median(&mut server, "textDocument/semanticTokens/full", uri, 3);
    }
    let after_requests = peak_rss_kib(server.pid());
    server.shutdown_and_exit().unwrap();
    (open, after_requests)
}

fn mebibytes(kib: Option<u64>) -> String {
    match kib {
        Some(kib) => format!("{:.1} MiB", kib as f64 / 1024.0),
        None => "unavailable (no /proc)".to_owned(),
    }
}

fn main() {
    let go_mod = read("tailscale__tailscale/go.mod");
    let go_sum = read("tailscale__tailscale/go.sum");
    let largest_sum = read("traefik__traefik/go.sum");

    let startup = first_diagnostics(&go_mod, 31);

    let (mut server, _) = TestServer::start(options()).unwrap();
    let uri = "file:///bench/go.mod";
    server.open(uri, "gomod", 1, &go_mod).unwrap();
    server.wait_diagnostics(uri, Some(1)).unwrap();
    let change = change_to_diagnostics(&mut server, uri, &go_mod, 201);
    let symbols = request_costs(&mut server, "textDocument/documentSymbol", uri, 201);
    let tokens = request_costs(&mut server, "textDocument/semanticTokens/full", uri, 201);
    let sum_uri = "file:///bench/go.sum";
    server.open(sum_uri, "gosum", 1, &go_sum).unwrap();
    let sum_symbols = request_costs(&mut server, "textDocument/documentSymbol", sum_uri, 51);
    let sum_tokens = request_costs(&mut server, "textDocument/semanticTokens/full", sum_uri, 51);
    server.shutdown_and_exit().unwrap();

    // Editors ask for nested symbols (VS Code, Neovim, Helix): the same request, hierarchical.
    let nested_options = options().capability(
        "textDocument",
        "documentSymbol",
        json!({"hierarchicalDocumentSymbolSupport": true}),
    );
    let (mut server, _) = TestServer::start(nested_options).unwrap();
    server.open(uri, "gomod", 1, &go_mod).unwrap();
    server.wait_diagnostics(uri, Some(1)).unwrap();
    let nested_symbols = request_costs(&mut server, "textDocument/documentSymbol", uri, 201);
    server.shutdown_and_exit().unwrap();

    let (open_peak, request_peak) = memory(&go_mod, &largest_sum);

    println!(
        "gomodls over stdio (release); go.mod: tailscale ({} bytes, {} lines); go.sum: tailscale ({} bytes) for timings, traefik ({} bytes, the largest) for memory",
        go_mod.len(),
        go_mod.lines().count(),
        go_sum.len(),
        largest_sum.len()
    );
    let cpu = |cost: Option<Duration>| cost.map_or_else(|| "-".to_owned(), millis);
    println!("| measurement | median round trip | server CPU per request | budget |");
    println!("|---|---|---|---|");
    println!(
        "| initialize -> first publishDiagnostics (go.mod) | {} | - | 10 ms |",
        millis(startup)
    );
    println!(
        "| didChange -> publishDiagnostics (go.mod) | {} | - | 2 ms |",
        millis(change)
    );
    println!(
        "| documentSymbol (go.mod, flat) | {} | {} | 2 ms |",
        millis(symbols.0),
        cpu(symbols.1)
    );
    println!(
        "| documentSymbol (go.mod, hierarchical) | {} | {} | 2 ms |",
        millis(nested_symbols.0),
        cpu(nested_symbols.1)
    );
    println!(
        "| semanticTokens/full (go.mod) | {} | {} | 2 ms |",
        millis(tokens.0),
        cpu(tokens.1)
    );
    println!(
        "| documentSymbol (go.sum, flat) | {} | {} | - |",
        millis(sum_symbols.0),
        cpu(sum_symbols.1)
    );
    println!(
        "| semanticTokens/full (go.sum) | {} | {} | - |",
        millis(sum_tokens.0),
        cpu(sum_tokens.1)
    );
    println!(
        "| peak RSS (VmHWM), largest go.mod and go.sum open, diagnostics published, background settled | {} | - | 20 MiB |",
        mebibytes(open_peak)
    );
    println!(
        "| peak RSS (VmHWM), after symbols and tokens of both | {} | - | - |",
        mebibytes(request_peak)
    );
}
