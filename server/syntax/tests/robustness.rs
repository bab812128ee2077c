//! Any bytes parse without a panic or a hang: invalid UTF-8, NUL, a BOM, a 10 MB line, deeply
//! repeated parentheses, and random bytes. Every layer gets them: the tree-sitter grammars (full
//! and incremental), go's reader and rules, the formatter and the go.sum reader.

use gomodls_syntax::{FileKind, gosum, modfile, parse, reparse};

/// Runs every layer over `text` as each kind of file.
fn exercise(text: &[u8]) {
    for kind in [FileKind::GoMod, FileKind::GoWork, FileKind::GoSum] {
        let tree = parse(kind, text);
        // The tree covers the whole input.
        assert_eq!(tree.root_node().end_byte(), text.len());
        // An edit at the middle, then an incremental reparse, equals a fresh parse.
        let at = text.len() / 2;
        let mut edited = text.to_vec();
        edited.insert(at, b'x');
        let mut old = tree.clone();
        old.edit(&tree_sitter::InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + 1,
            start_position: point_at(text, at),
            old_end_position: point_at(text, at),
            new_end_position: {
                let p = point_at(text, at);
                tree_sitter::Point::new(p.row, p.column + 1)
            },
        });
        let again = reparse(kind, &old, &edited);
        assert_eq!(
            again.root_node().to_sexp(),
            parse(kind, &edited).root_node().to_sexp()
        );
    }
    let _ = modfile::read::read(text, "go.mod");
    let _ = modfile::format_gomod(text, "go.mod");
    let _ = modfile::json_gomod(text, "go.mod");
    let _ = modfile::format_gowork(text, "go.work");
    let _ = modfile::json_gowork(text, "go.work");
    let _ = gosum::read_go_sum(text);
}

fn point_at(text: &[u8], offset: usize) -> tree_sitter::Point {
    let before = &text[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    tree_sitter::Point::new(row, offset - line_start)
}

#[test]
fn invalid_utf8_nul_and_bom() {
    for text in [
        &b"module a.com/\xff\xfe\n"[..],
        b"\xef\xbb\xbfmodule m\n",
        b"module m\x00\ngo 1.21\n",
        b"\x00\x00\x00",
        b"require (\n\t\xc3\x28 v1\n)\n",
        b"\xff\xff\xff\n\xfe",
        b"example.com/a v1.0.0 h1:\xff\n\x00 b c\n",
        b"\r\r\r\n\r",
        b"",
    ] {
        exercise(text);
    }
}

#[test]
fn a_ten_megabyte_line() {
    let mut text = b"module example.com/".to_vec();
    text.extend(std::iter::repeat_n(b'a', 10 << 20));
    text.extend_from_slice(b" v1.0.0 h1:x\n");
    for kind in [FileKind::GoMod, FileKind::GoSum] {
        let tree = parse(kind, &text);
        assert_eq!(tree.root_node().end_byte(), text.len());
    }
    let _ = modfile::format_gomod(&text, "go.mod");
    let _ = gosum::read_go_sum(&text);
}

#[test]
fn deeply_repeated_parentheses() {
    for unit in [
        &b"("[..],
        b")",
        b"(\n",
        b")\n",
        b"require (\n",
        b"( ) ",
        b"[,]",
    ] {
        let text: Vec<u8> = unit.iter().copied().cycle().take(50_000).collect();
        exercise(&text);
    }
}

#[test]
fn random_bytes() {
    // A fixed-seed generator: the same inputs every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet: &[u8] =
        b"module require replace go ( ) [ ] , => // /* \" ` \\ \n\r\t v1.2.3 a.com/b \xff\x00";
    for _ in 0..300 {
        let len = (next() % 400) as usize;
        let text: Vec<u8> = (0..len)
            .map(|_| {
                if next() % 4 == 0 {
                    (next() % 256) as u8
                } else {
                    alphabet[(next() as usize) % alphabet.len()]
                }
            })
            .collect();
        exercise(&text);
    }
}
