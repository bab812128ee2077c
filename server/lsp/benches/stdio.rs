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

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use gomodls_tests::{Encoding, ServerOptions, TestServer, edit};
use serde_json::{Value, json};

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

/// The median time of `runs` calls of `one`, and the CPU time the process `pid` spent per call.
fn costs(pid: u32, runs: usize, mut one: impl FnMut()) -> (Duration, Option<Duration>) {
    let before = cpu_time(pid);
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            one();
            start.elapsed()
        })
        .collect();
    let after = cpu_time(pid);
    let per_call = before
        .zip(after)
        .map(|(before, after)| (after - before) / u32::try_from(runs).unwrap_or(1));
    (median(samples), per_call)
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

/// A minimal editor over the server's stdio: it writes requests and reads messages as bytes,
/// so that a round trip ends when the whole answer has arrived, not when the test harness has
/// also turned it into a `serde_json::Value` tree (for 130 KB of nested symbols that parse took
/// longer than the server's answer). Server requests get an empty answer.
struct RawClient {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl RawClient {
    fn spawn(hierarchical: bool) -> RawClient {
        let mut client = RawClient::start_process();
        client.initialize(hierarchical);
        client
    }

    fn start_process() -> RawClient {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gomodls"))
            .env("GOMODLS_LOG", "warn")
            .env("GOPROXY", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::with_capacity(1 << 16, child.stdout.take().unwrap());
        RawClient {
            child,
            stdin,
            stdout,
            next_id: 1,
        }
    }

    fn initialize(&mut self, hierarchical: bool) {
        let client = self;
        let capabilities = json!({"textDocument": {"documentSymbol":
            {"hierarchicalDocumentSymbolSupport": hierarchical}}});
        client.request(
            "initialize",
            json!({"processId": null, "capabilities": capabilities}),
        );
        client.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next message's body, as bytes.
    fn receive(&mut self) -> Vec<u8> {
        let mut length = None;
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "server gone");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length:") {
                length = Some(value.trim().parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.unwrap()];
        self.stdout.read_exact(&mut body).unwrap();
        body
    }

    /// Reads messages until `done` says one is the awaited one (answering server requests on
    /// the way); returns that message's bytes.
    fn receive_until(&mut self, done: impl Fn(&[u8]) -> bool) -> Vec<u8> {
        loop {
            let body = self.receive();
            if done(&body) {
                return body;
            }
            // A server request (method and id) gets an empty answer; notifications are skipped.
            if body.starts_with(br#"{"jsonrpc":"2.0","method":"#) {
                let message: Value = serde_json::from_slice(&body).unwrap();
                if let Some(id) = message.get("id") {
                    let items = message["params"]["items"].as_array().map(Vec::len);
                    let result = items.map_or(Value::Null, |n| Value::Array(vec![Value::Null; n]));
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
                }
            }
        }
    }

    /// Sends a request and returns its response's bytes (the id is the last member of the
    /// server's responses).
    fn request(&mut self, method: &str, params: Value) -> Vec<u8> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let tail = format!(r#""id":{id}}}"#);
        self.receive_until(|body| {
            (body.starts_with(br#"{"jsonrpc":"2.0","result""#)
                || body.starts_with(br#"{"jsonrpc":"2.0","error""#))
                && body.ends_with(tail.as_bytes())
        })
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params":
            {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}}),
        );
    }

    /// Waits for the first publishDiagnostics of `uri`.
    fn wait_diagnostics(&mut self, uri: &str) {
        let uri = format!(r#""uri":"{uri}""#);
        self.receive_until(|body| {
            body.starts_with(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics""#)
                && body.windows(uri.len()).any(|w| w == uri.as_bytes())
        });
    }

    fn exit(mut self) {
        self.request("shutdown", Value::Null);
        self.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
        self.child.wait().unwrap();
    }
}

/// The median raw round trip of `method` on `uri` and the server's CPU time per request; the
/// first answer is checked to be a non-empty result (outside the timing).
fn raw_costs(
    client: &mut RawClient,
    method: &str,
    uri: &str,
    runs: usize,
) -> (Duration, Option<Duration>) {
    let params = json!({"textDocument": {"uri": uri}});
    let first: Value = serde_json::from_slice(&client.request(method, params.clone())).unwrap();
    let result = &first["result"];
    assert!(
        result.as_array().is_some_and(|a| !a.is_empty())
            || result["data"].as_array().is_some_and(|a| !a.is_empty()),
        "{method} answered {first}"
    );
    let pid = client.pid();
    costs(pid, runs, || {
        client.request(method, params.clone());
    })
}

/// initialize -> initialized -> didOpen -> the first publishDiagnostics, with the raw client.
fn raw_first_diagnostics(go_mod: &str, runs: usize) -> Duration {
    let samples = (0..runs)
        .map(|_| {
            let mut client = RawClient::start_process();
            let start = Instant::now();
            client.initialize(true);
            client.open("file:///bench/go.mod", "gomod", go_mod);
            client.wait_diagnostics("file:///bench/go.mod");
            let elapsed = start.elapsed();
            client.exit();
            elapsed
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
    let raw_startup = raw_first_diagnostics(&go_mod, 31);

    let (mut server, _) = TestServer::start(options()).unwrap();
    let uri = "file:///bench/go.mod";
    server.open(uri, "gomod", 1, &go_mod).unwrap();
    server.wait_diagnostics(uri, Some(1)).unwrap();
    let change = change_to_diagnostics(&mut server, uri, &go_mod, 201);
    let symbols = request_median(&mut server, "textDocument/documentSymbol", uri, 201);
    let tokens = request_median(&mut server, "textDocument/semanticTokens/full", uri, 201);
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
    let nested_symbols = request_median(&mut server, "textDocument/documentSymbol", uri, 201);
    server.shutdown_and_exit().unwrap();

    // The same requests from the raw client.
    let sum_uri = "file:///bench/go.sum";
    let raw = |hierarchical: bool| {
        let mut client = RawClient::spawn(hierarchical);
        client.open(uri, "gomod", &go_mod);
        client.wait_diagnostics(uri);
        client.open(sum_uri, "gosum", &go_sum);
        client.wait_diagnostics(sum_uri);
        let symbols = raw_costs(&mut client, "textDocument/documentSymbol", uri, 201);
        let tokens = raw_costs(&mut client, "textDocument/semanticTokens/full", uri, 201);
        let sum_symbols = raw_costs(&mut client, "textDocument/documentSymbol", sum_uri, 51);
        let sum_tokens = raw_costs(&mut client, "textDocument/semanticTokens/full", sum_uri, 51);
        client.exit();
        (symbols, tokens, sum_symbols, sum_tokens)
    };
    let (raw_flat, raw_tokens, raw_sum_flat, raw_sum_tokens) = raw(false);
    let (raw_nested, _, raw_sum_nested, _) = raw(true);

    let (open_peak, request_peak) = memory(&go_mod, &largest_sum);

    println!(
        "gomodls over stdio (release); go.mod: tailscale ({} bytes, {} lines); go.sum: tailscale ({} bytes) for timings, traefik ({} bytes, the largest) for memory",
        go_mod.len(),
        go_mod.lines().count(),
        go_sum.len(),
        largest_sum.len()
    );
    println!(
        "round trip: from writing the request until the whole answer is read, by a minimal \
         client; harness: the same through the test harness, which also parses every message \
         into a serde_json::Value on its reader thread"
    );
    let cpu = |cost: Option<Duration>| cost.map_or_else(|| "-".to_owned(), millis);
    println!(
        "| measurement | median round trip | harness round trip | server CPU per request | budget |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| initialize -> first publishDiagnostics (go.mod) | {} | {} | - | 10 ms |",
        millis(raw_startup),
        millis(startup)
    );
    println!(
        "| didChange -> publishDiagnostics (go.mod) | - | {} | - | 2 ms |",
        millis(change)
    );
    let row =
        |name: &str, raw: (Duration, Option<Duration>), harness: Option<Duration>, budget: &str| {
            println!(
                "| {name} | {} | {} | {} | {budget} |",
                millis(raw.0),
                harness.map_or_else(|| "-".to_owned(), millis),
                cpu(raw.1)
            );
        };
    row(
        "documentSymbol (go.mod, flat)",
        raw_flat,
        Some(symbols),
        "2 ms",
    );
    row(
        "documentSymbol (go.mod, hierarchical)",
        raw_nested,
        Some(nested_symbols),
        "2 ms",
    );
    row(
        "semanticTokens/full (go.mod)",
        raw_tokens,
        Some(tokens),
        "2 ms",
    );
    row("documentSymbol (go.sum, flat)", raw_sum_flat, None, "-");
    row(
        "documentSymbol (go.sum, hierarchical)",
        raw_sum_nested,
        None,
        "-",
    );
    row("semanticTokens/full (go.sum)", raw_sum_tokens, None, "-");
    println!(
        "| peak RSS (VmHWM), largest go.mod and go.sum open, diagnostics published, background settled | {} | - | - | 20 MiB |",
        mebibytes(open_peak)
    );
    println!(
        "| peak RSS (VmHWM), after symbols and tokens of both | {} | - | - | - |",
        mebibytes(request_peak)
    );
}
