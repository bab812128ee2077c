//! The tree-sitter tree and go's lexer (`modfile::read::tokens`) must cut a file into the same
//! tokens: the visible leaves of the tree have the byte ranges of the reader's tokens (line breaks
//! aside, which the tree hides).
//!
//! Two normalisations: a godebug `key=value` is one token for go and three adjacent leaves in the
//! tree (key, `=`, value), so adjacent godebug leaves are merged; and a comment's range is compared
//! without trailing CRs (go keeps all but the CR of a final CRLF in the comment text, the grammar
//! leaves every trailing CR out).
//!
//! Every go.mod and go.work of the corpus must agree, and so must hand-made tricky inputs (kept as
//! a snapshot of disagreements, which is empty) and thousands of generated ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a panic is a test failure"
)]

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use expect_test::expect;
use gomodls_syntax::modfile::read::{TokenKind, tokens};
use gomodls_syntax::{FileKind, parse};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The visible leaves of the tree, godebug parts merged, comments without trailing CRs.
fn tree_leaves(kind: FileKind, text: &[u8]) -> Vec<(Range<usize>, String)> {
    let tree = parse(kind, text);
    let mut leaves: Vec<(Range<usize>, String)> = Vec::new();
    let mut cursor = tree.walk();
    let root = tree.root_node();
    let mut stack: Vec<_> = root.children(&mut cursor).collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        if node.child_count() == 0 {
            if node.is_missing() {
                continue;
            }
            let mut range = node.byte_range();
            let kind = node.kind().to_owned();
            if kind.ends_with("comment") {
                range.end = trim_crs(text, range.clone());
            }
            let godebug_part = matches!(kind.as_str(), "godebug_key" | "=" | "godebug_value");
            if let Some(last) = leaves.last_mut()
                && godebug_part
                && last.0.end == range.start
                && matches!(last.1.as_str(), "godebug_key" | "=" | "godebug_value")
            {
                last.0.end = range.end;
                continue;
            }
            leaves.push((range, kind));
            continue;
        }
        let children: Vec<_> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    leaves
}

fn trim_crs(text: &[u8], range: Range<usize>) -> usize {
    let mut end = range.end;
    while end > range.start && text.get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    end
}

/// The reader's tokens without line breaks, comments without trailing CRs.
fn reader_tokens(text: &[u8]) -> Vec<(Range<usize>, TokenKind)> {
    tokens(text)
        .into_iter()
        .filter(|(_, kind)| *kind != TokenKind::Newline)
        .map(|(range, kind)| match kind {
            TokenKind::Comment => (range.start..trim_crs(text, range.clone()), kind),
            _ => (range, kind),
        })
        .collect()
}

/// A description of every difference between the two token lists, or an empty string.
fn disagreements(kind: FileKind, text: &[u8]) -> String {
    let ours = reader_tokens(text);
    let theirs = tree_leaves(kind, text);
    let mut report = String::new();
    let our_ranges: Vec<_> = ours.iter().map(|(range, _)| range.clone()).collect();
    let their_ranges: Vec<_> = theirs.iter().map(|(range, _)| range.clone()).collect();
    if our_ranges == their_ranges {
        return report;
    }
    let show = |range: &Range<usize>| {
        let bytes = text.get(range.clone()).unwrap_or_default();
        format!("{range:?} {:?}", String::from_utf8_lossy(bytes))
    };
    for (range, kind) in &ours {
        if !their_ranges.contains(range) {
            let _ = writeln!(report, "  reader {kind} {} not a tree leaf", show(range));
        }
    }
    for (range, kind) in &theirs {
        if !our_ranges.contains(range) {
            let _ = writeln!(report, "  tree {kind} {} not a reader token", show(range));
        }
    }
    if report.is_empty() {
        let _ = writeln!(report, "  same ranges in a different order");
    }
    report
}

fn corpus_files() -> Vec<(PathBuf, FileKind)> {
    let mut found = Vec::new();
    let mut dirs = vec![PathBuf::from(CORPUS)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let in_work_testdata = path.parent().is_some_and(|p| p.ends_with("testdata/work"));
            let kind = if name.ends_with("go.mod") || name.ends_with("go.mod.fmt") {
                FileKind::GoMod
            } else if name.ends_with("go.work") || name.ends_with("go.work.fmt") {
                FileKind::GoWork
            } else if path.to_string_lossy().contains("x-mod-testdata/modfile")
                && (name.ends_with(".in") || name.ends_with(".golden"))
            {
                if in_work_testdata {
                    FileKind::GoWork
                } else {
                    FileKind::GoMod
                }
            } else {
                continue;
            };
            found.push((path, kind));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

#[test]
fn corpus_tokens_agree() {
    let files = corpus_files();
    assert!(
        files.len() > 300,
        "corpus not found at {CORPUS}: {} files",
        files.len()
    );
    let mut report = String::new();
    for (path, kind) in &files {
        let text = std::fs::read(path).unwrap();
        let found = disagreements(*kind, &text);
        if !found.is_empty() {
            let shown = path.strip_prefix(CORPUS).unwrap_or(Path::new(path));
            let _ = write!(report, "{}:\n{found}", shown.display());
        }
    }
    assert!(report.is_empty(), "tree and reader disagree:\n{report}");
}

/// Inputs chosen to probe every lexical corner the two lexers must agree on.
const TRICKY: &[(&str, &[u8])] = &[
    ("lone CR", b"module m\rgo 1.21\n"),
    (
        "CRLF",
        b"module m\r\n\r\nrequire (\r\n\ta v1.0.0 // c\r\n)\r\n",
    ),
    ("comment CRs", b"module m // c\r\r\n// whole\r\r\n"),
    ("slash slash ends word", b"module a.com/x//c\n"),
    ("arrow glued", b"replace a.com/x=>./y v1\n"),
    (
        "arrow spaced",
        b"replace a.com/x => ./y\nreplace a v1 => /abs v2\n",
    ),
    (
        "interval",
        b"retract [v1.0.0,v1.1.0]\nretract [ v1 , v2 ] // why\n",
    ),
    ("inline parens", b"require ( a.com/x v1.0.0 )\n"),
    (
        "empty blocks",
        b"require ()\nexclude ( )\nreplace ( ) // c\n",
    ),
    ("paren at end of block line", b"require (\n\ta v1 )\n)\n"),
    ("paren opens mid line", b"require ( x\n"),
    ("block verb with parens", b"x ( ( \n)\n"),
    (
        "godebug",
        b"godebug (\n\tdefault=go1.21\n\tpanicnil=1\n)\ngodebug x=\ngodebug =x\n",
    ),
    ("godebug double equals", b"godebug a=b=c\ngodebug k = v\n"),
    (
        "strings",
        b"module \"a b\"\nrequire `raw` v1\nreplace \"a\\\"b\" => ./x\n",
    ),
    ("backslash newline in string", b"module \"a\\\nb\"\n"),
    (
        "invalid UTF-8",
        b"module a.com/\xff\xfe\nrequire x\xe2\x82 v1\n",
    ),
    (
        "non-ASCII",
        "module é.com/ü\nrequire x v1 // ü\r\n".as_bytes(),
    ),
    ("stray parens", b"( x\n) x\n(\n)\n"),
    ("punctuation", b", [ ] { }\n{a}[b](c),d\n"),
    (
        "bare keywords",
        b"module\ngo\ntoolchain\ngodebug\nrequire\nexclude\nreplace\nretract\ntool\nignore\n",
    ),
    (
        "keywords as arguments",
        b"module module\nrequire require v1\nreplace replace => replace\n",
    ),
    (
        "directives",
        b"go 1.21\ntoolchain go1.21.0\ntool ./cmd\nignore ./x\nexclude a v1\n",
    ),
    (
        "indirect",
        b"require a v1 // indirect\nrequire b v1 //indirect\nrequire c v1 // indirect; x\n",
    ),
    ("deprecation", b"// Deprecated: use x\nmodule m\n"),
    ("no final newline", b"module m"),
    ("comment at EOF", b"module m // c"),
    ("unterminated block", b"require (\n\ta v1\n"),
    ("text after close", b"require (\n) x\n"),
    ("comment after close", b"require (\n\ta v1\n) // done\n"),
    ("tabs and spaces", b"  \t module   m  \t\n\t\n"),
    (
        "unicode word chars",
        "module a\u{2019}b\nrequire a\u{ff0c}b v1\n".as_bytes(),
    ),
    (
        "slash words",
        b"replace x => /\nreplace y => //c\nreplace z => ./a/b\n",
    ),
    (
        "windows paths",
        b"replace x => C:\\a\\b\nreplace y => \\\\srv\\share\n",
    ),
    ("use", b"go 1.22\nuse ./a\nuse (\n\t../b\n\t.\n)\n"),
    ("blanks at the end", b"module m\n "),
    ("blank line at the end", b"module m\n\t\n"),
    ("CR at the end", b"module m\n\r"),
    ("only a space", b" "),
    ("blanks in an open block", b"require (\n\ta v1\n\t"),
    ("blank after the last token", b"module m "),
    ("CR after a final comment", b"module m // c\r"),
    ("CR after a final whole-line comment", b"module m\n// c\r"),
];

#[test]
fn tricky_inputs() {
    let mut report = String::new();
    for (name, text) in TRICKY {
        for kind in [FileKind::GoMod, FileKind::GoWork] {
            let found = disagreements(kind, text);
            if !found.is_empty() {
                let _ = write!(report, "{name} ({kind:?}):\n{found}");
            }
        }
    }
    expect![""].assert_eq(&report);
}

/// Whether the generated `text` is one to compare: go's lexer gets through it and its parser
/// does not stop at text after a block's `)` (where the tree is in error recovery).
fn comparable(text: &[u8]) -> bool {
    match gomodls_syntax::modfile::read::read(text, "go.mod") {
        Ok(_) => true,
        Err(error) => error
            .message
            .starts_with("syntax error (unterminated block"),
    }
}

/// Deterministic generated files from the pieces that matter to both lexers.
fn generated_inputs(count: usize) -> Vec<Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"module",
        b"require",
        b"replace",
        b"retract",
        b"godebug",
        b"go",
        b"use",
        b"x",
        b"a.com/b",
        b"v1.0.0",
        b"./d",
        b"/abs",
        b"(",
        b")",
        b"()",
        b"( )",
        b"[",
        b"]",
        b",",
        b"{",
        b"}",
        b"\n",
        b"\n",
        b"\n",
        b"\n\n",
        b" ",
        b" ",
        b"\t",
        b"\r",
        b"\r\n",
        b"// c",
        b"//",
        b"// indirect",
        b"// Deprecated: x",
        b"\"q\"",
        b"`r`",
        b"\xc3\xa9",
        b"=>",
        b"k=v",
        b"=",
        b"/",
        b"\\",
        b"\xff",
        b"\t// w\n",
        b"\n)\n",
        b"(\n",
        b"x (\n\ty\n)\n",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap() % bound
    };
    (0..count)
        .map(|_| {
            let length = 1 + next(30);
            let mut input = Vec::new();
            for _ in 0..length {
                input.extend_from_slice(PIECES[next(PIECES.len())]);
            }
            input
        })
        .collect()
}

#[test]
fn generated_inputs_agree() {
    let mut compared = 0;
    let mut report = String::new();
    let mut shown = 0;
    let mut disagreeing = 0;
    for text in generated_inputs(3000) {
        if !comparable(&text) {
            continue;
        }
        compared += 1;
        for kind in [FileKind::GoMod, FileKind::GoWork] {
            let found = disagreements(kind, &text);
            if found.is_empty() {
                continue;
            }
            disagreeing += 1;
            if shown < 10 {
                shown += 1;
                let _ = write!(
                    report,
                    "{:?} ({kind:?}):\n{found}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }
    assert!(compared > 500, "only {compared} generated inputs lex");
    assert!(
        disagreeing == 0,
        "{disagreeing} of {compared} generated inputs disagree; first ones:\n{report}"
    );
}
