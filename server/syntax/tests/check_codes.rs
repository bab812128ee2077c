//! Snapshots of every diagnostic code and every fix of `check`: one file per code under
//! `check_snapshots/` (refresh with `UPDATE_EXPECT=1`), and a gate that fails when a registered
//! code has no snapshot or its cases do not produce it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a broken setup must fail the test loudly"
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use expect_test::expect_file;
use gomodls_syntax::FileKind;
use gomodls_syntax::check::{CODES, CheckContext, Diagnostic, FileSystem, check};

/// A file system holding exactly the listed files.
struct FakeFileSystem(Vec<PathBuf>);

impl FileSystem for FakeFileSystem {
    fn is_file(&self, path: &Path) -> bool {
        self.0.iter().any(|file| file == path)
    }
}

/// One input showing a code: the kind, the text, the files that exist beside it.
struct Case {
    code: &'static str,
    name: &'static str,
    kind: FileKind,
    text: &'static str,
    files: &'static [&'static str],
}

const fn case(code: &'static str, name: &'static str, kind: FileKind, text: &'static str) -> Case {
    Case {
        code,
        name,
        kind,
        text,
        files: &[],
    }
}

const MOD: FileKind = FileKind::GoMod;
const WORK: FileKind = FileKind::GoWork;
const SUM: FileKind = FileKind::GoSum;

const HASH_A: &str = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

const CASES: &[Case] = &[
    case(
        "syntax-error",
        "slash star",
        MOD,
        "module m\n\nrequire a.com/x v1.0.0 /* c */\n",
    ),
    case(
        "syntax-error",
        "unterminated block at the end",
        MOD,
        "module m\n\nrequire (\n\ta.com/x v1.0.0\n",
    ),
    case("syntax-error", "byte order mark", MOD, "\u{feff}module m\n"),
    case(
        "unknown-directive",
        "misspelled",
        MOD,
        "module m\n\nrequre a.com/x v1.0.0\n",
    ),
    case("unknown-directive", "go block", WORK, "go (\n\t1.22\n)\n"),
    case(
        "directive-usage",
        "require without version",
        MOD,
        "module m\n\nrequire (\n\ta.com/x\n)\n",
    ),
    case(
        "directive-usage",
        "replace",
        MOD,
        "module m\n\nreplace a.com/x v1.0.0\n",
    ),
    case(
        "repeated-directive",
        "two go lines",
        MOD,
        "module m\n\ngo 1.21\n\ngo 1.22\n",
    ),
    case(
        "invalid-go-version",
        "prerelease dash",
        MOD,
        "module m\n\ngo 1.21.0-rc1\n",
    ),
    case(
        "invalid-toolchain",
        "not go1",
        WORK,
        "go 1.22\n\ntoolchain go2\n",
    ),
    case("invalid-quoted-string", "raw string", MOD, "module `m`\n"),
    case(
        "invalid-version",
        "prerelease shorthand",
        MOD,
        "module m\n\nrequire a.com/x v1.2-pre\n",
    ),
    case(
        "major-version-mismatch",
        "v2 without suffix",
        MOD,
        "module m\n\nrequire a.com/x v2.0.0\n",
    ),
    case(
        "invalid-module-path",
        "v1 suffix",
        MOD,
        "module m\n\nexclude a.com/x/v1 v1.0.0\n",
    ),
    case(
        "invalid-replacement",
        "module without version",
        MOD,
        "module m\n\nreplace a.com/x => b.com/y\n",
    ),
    case(
        "invalid-retraction",
        "trailing token",
        MOD,
        "module m\n\nretract v1.0.0 v1.0.1\n",
    ),
    Case {
        code: "missing-workspace-module",
        name: "one of two directories has no go.mod",
        kind: WORK,
        text: "go 1.22\n\nuse (\n\t./a\n\t./b/\n)\n",
        files: &["/w/a/go.mod"],
    },
    case("malformed-sum-line", "two fields", SUM, "a.com/x v1.0.0\n"),
    case(
        "non-canonical-version",
        "shorthand and metadata",
        MOD,
        "module m\n\nrequire (\n\ta.com/x v1.2\n\ta.com/y \"v1.2.3+meta\"\n)\n\nexclude a.com/z v1\n\nreplace a.com/w v1.0 => a.com/v v2\n",
    ),
    case(
        "non-canonical-version",
        "go.work replacement",
        WORK,
        "go 1.22\n\nreplace a.com/x => a.com/y v1.1\n",
    ),
    case(
        "duplicate-require",
        "lower version dropped",
        MOD,
        "module m\n\nrequire (\n\ta.com/x v1.2.0\n\ta.com/y v1.0.0\n\ta.com/x v1.10.0\n)\n",
    ),
    case(
        "duplicate-exclude",
        "same version twice",
        MOD,
        "module m\n\nexclude a.com/x v1.0.0\n\nexclude (\n\ta.com/x v1.0.0\n)\n",
    ),
    case(
        "duplicate-replace",
        "same target",
        MOD,
        "module m\n\nreplace a.com/x => ./x\nreplace a.com/x => ./x\n",
    ),
    case(
        "duplicate-replace",
        "conflicting targets",
        WORK,
        "go 1.22\n\nreplace (\n\ta.com/x v1.0.0 => ./a\n\ta.com/x v1.0.0 => b.com/x v1.0.0\n)\n",
    ),
    case(
        "require-main-module",
        "requires itself",
        MOD,
        "module a.com/m\n\ngo 1.21\n\nrequire a.com/m v1.0.0\n",
    ),
    case(
        "tool-requires-go-1-24",
        "old go line",
        MOD,
        "module m\n\ngo 1.22\n\ntool a.com/x/cmd/y\n",
    ),
    case(
        "tool-requires-go-1-24",
        "no go line",
        MOD,
        "module m\ntool a.com/x/cmd/y\n",
    ),
    case(
        "ignore-requires-go-1-25",
        "old go line",
        MOD,
        "module m\n\ngo 1.24.3\n\nignore (\n\t./node_modules\n)\n",
    ),
    case(
        "toolchain-older-than-go",
        "older toolchain",
        MOD,
        "module m\n\ngo 1.22.1\n\ntoolchain go1.21.5\n",
    ),
    case(
        "malformed-indirect-comment",
        "capitals and trailing words",
        MOD,
        "module m\n\nrequire (\n\ta.com/x v1.0.0 //INDIRECT\n\ta.com/y v1.0.0 // indirect keep this\n\ta.com/z v1.0.0 // indirect\n)\n",
    ),
    case(
        "invalid-sum-hash",
        "short and unknown",
        SUM,
        "a.com/x v1.0.0 h1:AAAA\na.com/x v1.0.0/go.mod h2:whatever\n",
    ),
    case(
        "duplicate-sum-line",
        "repeated and conflicting",
        SUM,
        "a.com/x v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\na.com/x v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\na.com/x v1.0.0 h1:frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=\n",
    ),
    case(
        "unsorted-sum-lines",
        "go.mod line first and semver order",
        SUM,
        "a.com/x v1.10.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\na.com/x v1.9.0/go.mod h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\na.com/x v1.9.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
    ),
];

/// 1-based line and character column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn span(text: &str, range: &std::ops::Range<usize>) -> String {
    let (start_line, start_column) = line_column(text, range.start);
    let (end_line, end_column) = line_column(text, range.end);
    format!(
        "{start_line}:{start_column}-{end_line}:{end_column} {:?}",
        &text[range.clone()]
    )
}

fn render(case: &Case, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    writeln!(out, "=== {} ({:?})", case.name, case.kind).unwrap();
    for line in case.text.lines() {
        writeln!(out, "  | {line}").unwrap();
    }
    for diagnostic in diagnostics {
        writeln!(
            out,
            "{} {} [{}] {}: {}",
            diagnostic.severity.name(),
            diagnostic.code,
            diagnostic.source.name(),
            span(case.text, &diagnostic.range),
            diagnostic.message
        )
        .unwrap();
        if let Some(position) = diagnostic.go_position {
            writeln!(
                out,
                "  go reports it at {}:{}",
                position.line, position.column
            )
            .unwrap();
        }
        for (range, message) in &diagnostic.related {
            writeln!(out, "  related {}: {message}", span(case.text, range)).unwrap();
        }
        if !diagnostic.tags.is_empty() {
            writeln!(out, "  tags {:?}", diagnostic.tags).unwrap();
        }
        for fix in &diagnostic.fixes {
            writeln!(out, "  fix {:?}:", fix.title).unwrap();
            let fixed = fix.apply(case.text).expect("the fix applies");
            for line in fixed.lines() {
                writeln!(out, "    | {line}").unwrap();
            }
        }
    }
    out
}

fn run(case: &Case) -> Vec<Diagnostic> {
    let file_system = FakeFileSystem(case.files.iter().map(PathBuf::from).collect());
    let context = CheckContext {
        file_name: "",
        directory: Some(Path::new("/w")),
        file_system: Some(&file_system),
    };
    check(case.kind, case.text.as_bytes(), &context)
}

#[test]
fn every_code_and_fix_has_a_snapshot() {
    for info in CODES {
        let mut snapshot = String::new();
        for case in CASES.iter().filter(|case| case.code == info.code) {
            snapshot.push_str(&render(case, &run(case)));
        }
        expect_file![format!("check_snapshots/{}.txt", info.code)].assert_eq(&snapshot);
    }
}

#[test]
fn every_registered_code_has_cases_that_produce_it() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_snapshots");
    let mut missing = Vec::new();
    for info in CODES {
        let produced = CASES
            .iter()
            .filter(|case| case.code == info.code)
            .any(|case| run(case).iter().any(|d| d.code == info.code));
        if !produced || !snapshots.join(format!("{}.txt", info.code)).is_file() {
            missing.push(info.code);
        }
    }
    assert!(missing.is_empty(), "codes without a snapshot: {missing:?}");
    // And no stale snapshot files or cases of unknown codes.
    let registered: BTreeSet<&str> = CODES.iter().map(|info| info.code).collect();
    for case in CASES {
        assert!(registered.contains(case.code), "unknown code {}", case.code);
    }
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let code = name.trim_end_matches(".txt");
        assert!(registered.contains(code), "stale snapshot {name}");
    }
}

#[test]
fn clean_files_have_no_diagnostics() {
    let context = CheckContext::default();
    let go_mod = "module a.com/m\n\ngo 1.24\n\nrequire (\n\ta.com/x v1.0.0 // indirect\n\ta.com/y v1.2.3\n)\n\ntool a.com/x/cmd\n";
    assert_eq!(check(MOD, go_mod.as_bytes(), &context), []);
    let go_sum = format!("a.com/x v1.0.0 {HASH_A}\na.com/x v1.0.0/go.mod {HASH_A}\n");
    assert_eq!(check(SUM, go_sum.as_bytes(), &context), []);
    assert_eq!(check(WORK, b"go 1.22\n\nuse ./a\n", &context), []);
}

#[test]
fn every_fix_removes_its_diagnostic() {
    for case in CASES {
        for diagnostic in run(case) {
            for fix in &diagnostic.fixes {
                let fixed = fix.apply(case.text).unwrap();
                let file_system = FakeFileSystem(Vec::new());
                let context = CheckContext {
                    file_system: Some(&file_system),
                    ..CheckContext::default()
                };
                let after = check(case.kind, fixed.as_bytes(), &context);
                assert!(
                    !after
                        .iter()
                        .any(|d| d.code == diagnostic.code && d.message == diagnostic.message),
                    "{}: fix {:?} leaves {:?}",
                    case.name,
                    fix.title,
                    diagnostic.message
                );
            }
        }
    }
}

#[test]
fn broken_inputs_give_well_formed_diagnostics() {
    let seeds: [(FileKind, &str); 3] = [
        (
            MOD,
            "module example.com/m\n\ngo 1.22\n\ntoolchain go1.21.0\n\nrequire (\n\texample.com/a v1.2 // indirect\n\texample.com/a v1.0.0\n)\n\nexclude example.com/b v1.0.0\n\nreplace example.com/c => ./c\n\nretract [v1.0.0, v1.1.0]\n\ntool example.com/t\n\nignore ./x\n",
        ),
        (
            WORK,
            "go 1.22\n\ntoolchain go1.21.0\n\nuse (\n\t./a\n\t./b\n)\n\nreplace example.com/c v1.0 => ./c\n",
        ),
        (
            SUM,
            "example.com/a v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nexample.com/a v1.0.0/go.mod h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        ),
    ];
    let file_system = FakeFileSystem(vec![PathBuf::from("/w/a/go.mod")]);
    let context = CheckContext {
        file_name: "go.mod",
        directory: Some(Path::new("/w")),
        file_system: Some(&file_system),
    };
    let mut seen = BTreeSet::new();
    for (kind, seed) in seeds {
        let sources = vec![seed.as_bytes().to_vec()];
        for mutant in gomodls_test_utils::mutants::mutants(&sources, 600, 42) {
            let text = String::from_utf8(mutant.text).unwrap();
            for diagnostic in check(kind, text.as_bytes(), &context) {
                seen.insert(diagnostic.code);
                let label = format!("{kind:?} {:?}: {diagnostic:?}", mutant.description);
                let range = diagnostic.range.clone();
                assert!(
                    range.start < range.end && range.end <= text.len(),
                    "{label}"
                );
                assert!(
                    text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
                    "{label}"
                );
                for (related, _) in &diagnostic.related {
                    assert!(
                        related.start < related.end && related.end <= text.len(),
                        "{label}"
                    );
                }
                for fix in &diagnostic.fixes {
                    assert!(fix.apply(&text).is_some(), "{label}");
                }
            }
        }
    }
    assert!(seen.len() >= 15, "only {seen:?}");
}
