//! Probe: where incremental reparse time goes (`reparse_probe FILE [noedit|edit|full] [N]`).
use gomodls_syntax::{FileKind, parse, reparse};
use tree_sitter::{InputEdit, Point};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let mode = std::env::args().nth(2).unwrap_or_default();
    let n: usize = std::env::args()
        .nth(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let kind = FileKind::from_path(&path).unwrap();
    let text = std::fs::read(&path).unwrap();
    let base = parse(kind, &text);
    let mid = text.len() / 2;
    let ls = text[..mid]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let row = text[..ls].iter().filter(|&&b| b == b'\n').count();
    let at = ls + 3;
    let mut edited = text.clone();
    edited.insert(at, b'x');
    let edit = InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: at + 1,
        start_position: Point::new(row, 3),
        old_end_position: Point::new(row, 3),
        new_end_position: Point::new(row, 4),
    };
    let start = std::time::Instant::now();
    for _ in 0..n {
        match mode.as_str() {
            "noedit" => {
                std::hint::black_box(reparse(kind, &base.clone(), &text));
            }
            "edit" => {
                let mut old = base.clone();
                old.edit(&edit);
                std::hint::black_box(reparse(kind, &old, &edited));
            }
            _ => {
                std::hint::black_box(parse(kind, &text));
            }
        }
    }
    println!("{mode}: {:?}", start.elapsed() / n as u32);
}
