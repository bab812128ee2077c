//! `modfile::read` and `modfile::format` against go's own test data and the real-world corpus:
//! go's golden files print back unchanged, the syntax-only ones print from their input, and every
//! corpus file that go leaves unchanged (or go's formatting of it) prints as it is.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a panic is a test failure"
)]

use std::path::{Path, PathBuf};

use gomodls_syntax::modfile::format::{cleanup, print};
use gomodls_syntax::modfile::read::read;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn testdata() -> PathBuf {
    corpus().join("x-mod-testdata/modfile/testdata")
}

fn format_bytes(text: &[u8], name: &str) -> String {
    match read(text, name) {
        Ok(file) => print(&file),
        Err(error) => panic!("{name}: {}", error.go_message(name)),
    }
}

fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {dir:?}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    found.sort();
    found
}

#[test]
fn golden_files_are_fixed_points() {
    let mut checked = 0;
    for dir in [testdata(), testdata().join("work")] {
        for golden in files_with_extension(&dir, "golden") {
            let text = std::fs::read(&golden).unwrap();
            let name = golden.display().to_string();
            assert_eq!(
                format_bytes(&text, &name),
                String::from_utf8(text).unwrap(),
                "{name}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 17, "only {checked} golden files");
}

/// The inputs whose golden output is go's formatting of the syntax alone (no directive rule
/// rewrites them), so reading and printing must give exactly the golden file.
#[test]
fn syntax_only_inputs_format_to_golden() {
    for name in ["block", "comment", "empty", "work/empty"] {
        let input = std::fs::read(testdata().join(format!("{name}.in"))).unwrap();
        let golden = std::fs::read_to_string(testdata().join(format!("{name}.golden"))).unwrap();
        assert_eq!(format_bytes(&input, name), golden, "{name}");
    }
}

#[test]
fn corpus_files_print_as_go_formats_them() {
    let manifest = std::fs::read_to_string(corpus().join("real/manifest.tsv")).unwrap();
    let mut header: Option<Vec<&str>> = None;
    let mut checked = 0;
    for row in manifest.lines() {
        let cells: Vec<&str> = row.split('\t').collect();
        let Some(columns) = &header else {
            header = Some(cells);
            continue;
        };
        let cell = |name: &str| {
            let at = columns.iter().position(|c| *c == name).unwrap();
            cells[at]
        };
        let file = cell("file");
        let formatted = match cell("fmt_status") {
            "unchanged" => corpus().join("real").join(file),
            "changed" => corpus().join("real").join(format!("{file}.fmt")),
            _ => continue,
        };
        let text = std::fs::read(&formatted).unwrap();
        let name = formatted.display().to_string();
        // go's formatting is a fixed point of reading, cleaning up and printing.
        let mut syntax = read(&text, &name).unwrap();
        cleanup(&mut syntax);
        assert_eq!(print(&syntax), String::from_utf8(text).unwrap(), "{name}");
        checked += 1;
    }
    assert!(checked > 300, "only {checked} corpus files");
}
