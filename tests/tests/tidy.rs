//! Repository gates as tests, so that `cargo test` catches what CI would: formatting, the `//!`
//! line every Rust file starts with, and the layering of the crates (style guide, "Dependencies
//! point one way").

// A test file: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Rust files git knows (tracked or new and not ignored).
fn rust_files() -> Vec<PathBuf> {
    let output = Command::new("git")
        .current_dir(root())
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "*.rs",
        ])
        .output()
        .expect("run git ls-files");
    assert!(output.status.success(), "git ls-files failed");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| root().join(line))
        .filter(|path| path.is_file())
        .collect()
}

#[test]
fn code_is_formatted() {
    let output = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["fmt", "--all", "--", "--check"])
        .output()
        .expect("run cargo fmt");
    assert!(
        output.status.success(),
        "cargo fmt --check found unformatted code (run cargo fmt --all):\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let missing: Vec<String> = rust_files()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|path| {
            path.strip_prefix(root())
                .unwrap_or(&path)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not start with a //! line saying what they are for:\n{}",
        missing.join("\n")
    );
}

/// The `[dependencies]` of a crate's Cargo.toml that are gomodls crates.
fn internal_dependencies(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap();
    let mut in_dependencies = false;
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && line.starts_with("gomodls-") {
            found.push(line.split(['.', ' ', '=']).next().unwrap_or("").to_owned());
        }
    }
    found.sort();
    found
}

#[test]
fn crates_depend_in_one_direction() {
    // grammar <- syntax <- ide <- lsp -> modfetch -> syntax; ide never sees modfetch.
    let allowed: &[(&str, &[&str])] = &[
        ("grammar/Cargo.toml", &[]),
        ("server/syntax/Cargo.toml", &["gomodls-grammar"]),
        ("server/ide/Cargo.toml", &["gomodls-syntax"]),
        ("server/modfetch/Cargo.toml", &["gomodls-syntax"]),
        (
            "server/lsp/Cargo.toml",
            &[
                "gomodls-grammar",
                "gomodls-ide",
                "gomodls-modfetch",
                "gomodls-syntax",
            ],
        ),
        ("server/test-utils/Cargo.toml", &[]),
    ];
    for (manifest, allowed) in allowed {
        for dependency in internal_dependencies(manifest) {
            assert!(
                allowed.contains(&dependency.as_str()),
                "{manifest} depends on {dependency}, which the layering forbids"
            );
        }
    }
}
