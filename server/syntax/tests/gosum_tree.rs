//! The go.sum tree on generated files: every line of three fields is a `checksum` (looking through
//! ERROR nodes, as the views do), every other non-blank line is inside an ERROR and is no
//! checksum, and a reparse after random edits gives the tree a fresh parse gives.
//!
//! The grammar finds a malformed line out with the token that sees the wrong field count (the
//! path, the version or the hash) and recovers on the line break after it; these inputs mix every
//! field count with Unicode white space, CRLF, `/go.mod` suffixes and fields that look like them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a panic is a test failure"
)]

use gomodls_syntax::{FileKind, parse, reparse};
use tree_sitter::{InputEdit, Node, Point};

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// go's `strings.Fields` count (Unicode white space, as `unicode.IsSpace`).
fn field_count(line: &str) -> usize {
    line.split(gomodls_syntax::quote::is_space)
        .filter(|field| !field.is_empty())
        .count()
}

fn point(text: &str, at: usize) -> Point {
    let before = &text[..at];
    let row = before.matches('\n').count();
    let column = at - before.rfind('\n').map_or(0, |i| i + 1);
    Point::new(row, column)
}

/// The ERROR nodes and the checksums under `node`, entering ERROR nodes.
fn collect<'a>(node: Node<'a>, errors: &mut Vec<Node<'a>>, sums: &mut Vec<Node<'a>>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.is_error() || child.is_missing() {
            errors.push(child);
            collect(child, errors, sums);
        } else if child.kind() == "checksum" {
            sums.push(child);
        } else {
            collect(child, errors, sums);
        }
    }
}

fn generate(rng: &mut Rng) -> String {
    const WORDS: [&str; 13] = [
        "example.com/a",
        "v1.0.0",
        "v1.0.0/go.mod",
        "h1:abc=",
        "h2:zz",
        "x",
        "/go.mod",
        "v2/go.mod",
        ":",
        "h1:",
        "é",
        "a/go.mod/go.mod",
        "v0.0.0-20230102030405-abcdefabcdef+incompatible",
    ];
    const BLANKS: [&str; 6] = [" ", "  ", "\t", " \r", "\u{2003}", "\u{a0}"];
    let mut text = String::new();
    for _ in 0..rng.below(60) + 1 {
        let fields = match rng.below(10) {
            0 => 0,
            1 => 1,
            2 => 2,
            3 => 4,
            4 => 5,
            _ => 3,
        };
        if rng.below(5) == 0 {
            text.push_str(BLANKS[rng.below(BLANKS.len())]);
        }
        for field in 0..fields {
            if field > 0 {
                text.push_str(BLANKS[rng.below(BLANKS.len())]);
            }
            match rng.below(3) {
                0 => text.push_str(WORDS[rng.below(WORDS.len())]),
                _ => text.push_str(&format!("m{}.org/p{}", rng.below(1000), rng.below(50))),
            }
        }
        if rng.below(6) == 0 {
            text.push_str(BLANKS[rng.below(BLANKS.len())]);
        }
        text.push_str(if rng.below(8) == 0 { "\r\n" } else { "\n" });
    }
    if rng.below(4) == 0 {
        text.pop();
    }
    text
}

fn check_lines(text: &str) {
    let tree = parse(FileKind::GoSum, text.as_bytes());
    let (mut errors, mut sums) = (Vec::new(), Vec::new());
    collect(tree.root_node(), &mut errors, &mut sums);
    let mut start = 0;
    for (row, line) in text.split('\n').enumerate() {
        let end = start + line.len();
        let fields = field_count(line);
        let is_checksum = sums.iter().any(|sum| sum.start_position().row == row);
        let in_error = errors
            .iter()
            .any(|error| error.start_byte() < end && error.end_byte() > start);
        match fields {
            0 => {}
            3 => assert!(
                is_checksum,
                "line {row} {line:?} is no checksum in\n{text:?}\n{}",
                tree.root_node().to_sexp()
            ),
            _ => {
                assert!(
                    !is_checksum,
                    "malformed line {row} {line:?} is a checksum in\n{text:?}"
                );
                assert!(
                    in_error,
                    "malformed line {row} {line:?} is in no ERROR in\n{text:?}\n{}",
                    tree.root_node().to_sexp()
                );
            }
        }
        start = end + 1;
    }
    for sum in &sums {
        assert_eq!(sum.start_position().row, sum.end_position().row, "{text:?}");
    }
}

fn check_reparse(rng: &mut Rng, text: &str) {
    const INSERTS: [&str; 7] = ["x", " ", "\n", "", "/go.mod", " y", "h1:"];
    let tree = parse(FileKind::GoSum, text.as_bytes());
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut removed = rng.below(4);
    while at + removed > text.len() || !text.is_char_boundary(at + removed) {
        removed -= 1;
    }
    let inserted = INSERTS[rng.below(INSERTS.len())];
    let mut edited = text.to_owned();
    edited.replace_range(at..at + removed, inserted);
    let mut old = tree.clone();
    old.edit(&InputEdit {
        start_byte: at,
        old_end_byte: at + removed,
        new_end_byte: at + inserted.len(),
        start_position: point(text, at),
        old_end_position: point(text, at + removed),
        new_end_position: point(&edited, at + inserted.len()),
    });
    let reparsed = reparse(FileKind::GoSum, &old, edited.as_bytes());
    let fresh = parse(FileKind::GoSum, edited.as_bytes());
    assert_eq!(
        reparsed.root_node().to_sexp(),
        fresh.root_node().to_sexp(),
        "{text:?} -> {edited:?}"
    );
}

#[test]
fn every_line_is_a_checksum_or_inside_an_error() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..1500 {
        let text = generate(&mut rng);
        check_lines(&text);
    }
}

#[test]
fn reparsing_after_edits_gives_a_fresh_parse() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..600 {
        let text = generate(&mut rng);
        for _ in 0..3 {
            check_reparse(&mut rng, &text);
        }
    }
}

#[test]
fn the_largest_corpus_go_sum_reparses_like_a_fresh_parse() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/real");
    let text = std::fs::read_to_string(format!("{corpus}/traefik__traefik/go.sum")).unwrap();
    check_lines(&text);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..20 {
        check_reparse(&mut rng, &text);
    }
}
