//! The mutation corpus against a live go command: at least 2,000 broken variants of the real
//! corpus's go.mod files (see `gomodls_test_utils::mutants`), each checked with `go mod edit
//! -json` (and, where go accepts it, `go mod edit -fmt -print`):
//!
//! - the set of (line, column, message) of our `source: go` diagnostics equals go's error lines;
//! - where go accepts the file, our JSON and formatting equal go's.
//!
//! Differences listed in `mutants-known-differences.txt` (mutant index and reason) are tolerated;
//! any other fails the test. Without go the test is skipped, except under `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a broken setup must fail the test loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gomodls_syntax::FileKind;
use gomodls_syntax::check::{CheckContext, Source, check};
use gomodls_syntax::modfile::{format_gomod, json_gomod};
use gomodls_test_utils::go::{go_command, require_go};
use gomodls_test_utils::mutants::{Mutant, mutants};

/// How many mutants, and the seed that makes them.
const COUNT: usize = 2400;
const SEED: u64 = 0x6f6d_6f64;

/// An error as (line, column, message); column 1 when go prints none.
type GoError = (u32, u32, String);

fn sources() -> Vec<Vec<u8>> {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let mut paths: Vec<PathBuf> = Vec::new();
    for repo in std::fs::read_dir(&real).unwrap() {
        let repo = repo.unwrap().path();
        if !repo.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&repo).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with("go.mod") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect()
}

/// go's error lines (after its header) as a set; continuation lines (a tab first) belong to the
/// error before them.
fn parse_go_errors(stderr: &str) -> BTreeSet<GoError> {
    let mut errors: Vec<GoError> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("go: ") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("go.mod:") {
            let (line_number, rest) = rest.split_once(':').unwrap();
            let line_number: u32 = line_number.parse().unwrap();
            let (column, message) = match rest.split_once(": ") {
                Some((column, message))
                    if column.bytes().all(|b| b.is_ascii_digit()) && !column.is_empty() =>
                {
                    (column.parse().unwrap(), message)
                }
                _ => (1, rest.strip_prefix(' ').unwrap_or(rest)),
            };
            errors.push((line_number, column, message.to_owned()));
        } else if let Some(last) = errors.last_mut() {
            last.2.push('\n');
            last.2.push_str(line);
        } else {
            panic!("unexpected go output: {stderr}");
        }
    }
    errors.into_iter().collect()
}

/// Our `source: go` diagnostics as go would print them.
fn our_errors(text: &[u8]) -> BTreeSet<GoError> {
    let context = CheckContext {
        file_name: "go.mod",
        ..CheckContext::default()
    };
    check(FileKind::GoMod, text, &context)
        .into_iter()
        .filter(|diagnostic| diagnostic.source == Source::Go)
        .map(|diagnostic| {
            let position = diagnostic.go_position.unwrap();
            let column = if position.column > 1 {
                position.column
            } else {
                1
            };
            (position.line, column, diagnostic.message)
        })
        .collect()
}

/// Whether go accepts the mutant, and the differences between us and go on it.
fn compare(go: &Path, work: &Path, cache: &Path, mutant: &Mutant) -> (bool, Vec<String>) {
    std::fs::write(work.join("go.mod"), &mutant.text).unwrap();
    let run = |flags: &[&str]| {
        go_command(go, work, cache)
            .current_dir(work)
            .args(["mod", "edit"])
            .args(flags)
            .arg("go.mod")
            .output()
            .unwrap()
    };
    let json = run(&["-json"]);
    let theirs = parse_go_errors(&String::from_utf8_lossy(&json.stderr));
    let ours = our_errors(&mutant.text);
    let mut differences = Vec::new();
    if ours != theirs {
        differences.push(format!("errors differ: ours {ours:?}, go {theirs:?}"));
    }
    if !json.status.success() {
        return (false, differences);
    }
    match json_gomod(&mutant.text, "go.mod") {
        Ok(our_json) => {
            let our_value: serde_json::Value = serde_json::from_str(&our_json).unwrap();
            let their_value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
            if our_value != their_value {
                differences.push(format!(
                    "JSON differs: ours {our_json}, go {}",
                    String::from_utf8_lossy(&json.stdout)
                ));
            }
        }
        Err(errors) => differences.push(format!("go accepts, we reject: {errors:?}")),
    }
    let formatted = run(&["-fmt", "-print"]);
    match format_gomod(&mutant.text, "go.mod") {
        Ok(ours) if ours.as_bytes() == formatted.stdout.as_slice() => {}
        ours => differences.push(format!(
            "formatting differs: ours {ours:?}, go {:?}",
            String::from_utf8_lossy(&formatted.stdout)
        )),
    }
    (true, differences)
}

/// The known differences: `INDEX: reason` lines (`#` comments and blank lines skipped).
fn known_differences() -> BTreeMap<usize, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mutants-known-differences.txt");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (index, reason) = line.split_once(':').expect("INDEX: reason");
            (
                index.trim().parse().expect("a mutant index"),
                reason.trim().to_owned(),
            )
        })
        .collect()
}

#[test]
fn mutants_match_live_go() {
    let Some(go) = require_go("mutants_match_live_go").unwrap() else {
        return;
    };
    let corpus = mutants(&sources(), COUNT, SEED);
    assert!(corpus.len() >= 2000);
    let threads = 2;
    let results: Vec<(usize, (bool, Vec<String>))> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let corpus = &corpus;
                let go = &go;
                scope.spawn(move || {
                    let work = tempfile::tempdir().unwrap();
                    let cache = work.path().join("cache");
                    corpus
                        .iter()
                        .enumerate()
                        .skip(thread)
                        .step_by(threads)
                        .map(|(index, mutant)| (index, compare(go, work.path(), &cache, mutant)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect()
    });
    let known = known_differences();
    let mut unexpected = Vec::new();
    let mut different = 0;
    let accepted = results
        .iter()
        .filter(|(_, (accepted, _))| *accepted)
        .count();
    for (index, (_, differences)) in &results {
        if differences.is_empty() {
            continue;
        }
        different += 1;
        if !known.contains_key(index) {
            let mutant = &corpus[*index];
            unexpected.push(format!(
                "mutant {index} ({}):\n  {}",
                mutant.description,
                differences.join("\n  ")
            ));
        }
    }
    eprintln!(
        "{} mutants ({accepted} accepted by go), {} agree with go, {different} differ ({} known)",
        results.len(),
        results.len() - different,
        known.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} unexpected differences:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
