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

fn main() {
    let go_mod = read("tailscale__tailscale/go.mod");
    let go_sum = read("tailscale__tailscale/go.sum");
    let largest_sum = read("traefik__traefik/go.sum");

    let startup = first_diagnostics(&go_mod, 15);

    let (mut server, _) = TestServer::start(options()).unwrap();
    let uri = "file:///bench/go.mod";
    server.open(uri, "gomod", 1, &go_mod).unwrap();
    server.wait_diagnostics(uri, Some(1)).unwrap();
    let change = change_to_diagnostics(&mut server, uri, &go_mod, 40);
    let symbols = request_median(&mut server, "textDocument/documentSymbol", uri, 100);
    let tokens = request_median(&mut server, "textDocument/semanticTokens/full", uri, 100);
    let sum_uri = "file:///bench/go.sum";
    server.open(sum_uri, "gosum", 1, &go_sum).unwrap();
    let sum_symbols = request_median(&mut server, "textDocument/documentSymbol", sum_uri, 30);
    let sum_tokens = request_median(&mut server, "textDocument/semanticTokens/full", sum_uri, 30);
    let largest_uri = "file:///bench/largest/go.sum";
    server.open(largest_uri, "gosum", 1, &largest_sum).unwrap();
    request_median(
        &mut server,
        "textDocument/semanticTokens/full",
        largest_uri,
        5,
    );
    request_median(&mut server, "textDocument/documentSymbol", largest_uri, 5);
    let rss = peak_rss_kib(server.pid());
    server.shutdown_and_exit().unwrap();

    println!(
        "gomodls over stdio (release), tailscale go.mod: {} bytes, {} lines; go.sum {} bytes; traefik go.sum {} bytes",
        go_mod.len(),
        go_mod.lines().count(),
        go_sum.len(),
        largest_sum.len()
    );
    println!("| measurement | median | budget |");
    println!("|---|---|---|");
    println!(
        "| initialize -> first publishDiagnostics (go.mod) | {} | 10 ms |",
        millis(startup)
    );
    println!(
        "| didChange -> publishDiagnostics (go.mod) | {} | 2 ms |",
        millis(change)
    );
    println!("| documentSymbol (go.mod) | {} | 2 ms |", millis(symbols));
    println!(
        "| semanticTokens/full (go.mod) | {} | 2 ms |",
        millis(tokens)
    );
    println!("| documentSymbol (go.sum) | {} | - |", millis(sum_symbols));
    println!(
        "| semanticTokens/full (go.sum) | {} | - |",
        millis(sum_tokens)
    );
    match rss {
        Some(kib) => println!(
            "| peak RSS (VmHWM), go.mod + both go.sum open | {:.1} MiB | 20 MiB |",
            kib as f64 / 1024.0
        ),
        None => println!("| peak RSS (VmHWM) | unavailable (no /proc) | 20 MiB |"),
    }
}
