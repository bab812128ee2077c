//! A mutation corpus: broken variants of real go.mod files, made reproducibly from a seed, for
//! comparing gomodls with the go command on inputs nobody wrote by hand.
//!
//! Each mutant applies one to three edits to a file: a token deleted, duplicated, swapped with
//! its neighbour, cut short, or replaced by (or preceded by) a piece of go.mod syntax (`(`, `)`,
//! `=>`, `//`, quotes, versions, paths, directive names); a line deleted, duplicated, swapped or
//! joined with the next; a carriage return or a byte order mark inserted.

/// One mutant: what was done, and the resulting bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// The index of the source file in the list given to [`mutants`].
    pub source: usize,
    /// The edits applied, in words (for failure messages).
    pub description: String,
    /// The mutated file.
    pub text: Vec<u8>,
}

/// Pieces of syntax that replace or precede tokens.
const PIECES: &[&str] = &[
    "(",
    ")",
    "()",
    "=>",
    "//",
    "// indirect",
    "//indirect",
    "/*",
    "\"",
    "`",
    "\"example.com/quoted\"",
    "`raw`",
    "\"v1.2.3\"",
    "\"\\q\"",
    "[",
    "]",
    ",",
    "v1",
    "v1.2",
    "v1.2.3",
    "v1.2.3+meta",
    "v2.0.0",
    "v2.0.0+incompatible",
    "v1.2-pre",
    "v0.0.0-20200101000000-abcdefabcdef",
    "1.21",
    "1.21.0",
    "1.21rc1",
    "1.21.0-rc1",
    "go1.22.0",
    "default",
    "example.com/x",
    "example.com/x/v2",
    "example.com/x/v1",
    "gopkg.in/yaml.v3",
    "gopkg.in/yaml",
    "./local",
    "../up",
    "/abs/dir",
    "C:\\win",
    "nodot",
    "key=value",
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
    "use",
];

/// The seeded generator, with the two picks the edits need.
struct Random(fastrand::Rng);

impl Random {
    /// A number below `bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        match bound {
            0 => 0,
            _ => self.0.usize(..bound),
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

/// `count` mutants of `sources`, taken in turn, from `seed`.
pub fn mutants(sources: &[Vec<u8>], count: usize, seed: u64) -> Vec<Mutant> {
    let mut random = Random(fastrand::Rng::with_seed(seed));
    let mut out = Vec::with_capacity(count);
    if sources.is_empty() {
        return out;
    }
    for index in 0..count {
        let source = index % sources.len();
        let mut text = sources.get(source).cloned().unwrap_or_default();
        let edits = 1 + random.below(3);
        let mut description = Vec::new();
        for _ in 0..edits {
            description.push(mutate(&mut random, &mut text));
        }
        out.push(Mutant {
            source,
            description: description.join("; "),
            text,
        });
    }
    out
}

/// The byte ranges of the white-space separated words of `text`.
fn words(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, &byte) in text.iter().enumerate() {
        let space = matches!(byte, b' ' | b'\t' | b'\n' | b'\r');
        match (space, start) {
            (true, Some(begin)) => {
                found.push(begin..at);
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(begin) = start {
        found.push(begin..text.len());
    }
    found
}

/// The byte ranges of the lines of `text`, line breaks included.
fn lines(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    for (at, &byte) in text.iter().enumerate() {
        if byte == b'\n' {
            found.push(start..at + 1);
            start = at + 1;
        }
    }
    if start < text.len() {
        found.push(start..text.len());
    }
    found
}

fn splice(text: &mut Vec<u8>, range: std::ops::Range<usize>, with: &[u8]) {
    let range = range.start.min(text.len())..range.end.min(text.len());
    text.splice(range, with.iter().copied());
}

/// One random edit of `text`; what it did.
fn mutate(random: &mut Random, text: &mut Vec<u8>) -> String {
    let words = words(text);
    let lines = lines(text);
    let word = words
        .get(random.below(words.len()))
        .cloned()
        .unwrap_or(0..0);
    let line = lines
        .get(random.below(lines.len()))
        .cloned()
        .unwrap_or(0..0);
    let word_text =
        String::from_utf8_lossy(text.get(word.clone()).unwrap_or_default()).into_owned();
    match random.below(13) {
        0 => {
            splice(text, word.clone(), b"");
            format!("delete {word_text:?}")
        }
        1 => {
            let copy = format!("{word_text} ");
            splice(text, word.start..word.start, copy.as_bytes());
            format!("duplicate {word_text:?}")
        }
        2 => {
            let index = words.iter().position(|w| *w == word).unwrap_or(0);
            match words.get(index + 1) {
                Some(next) => {
                    let next_text = text.get(next.clone()).unwrap_or_default().to_vec();
                    let this_text = text.get(word.clone()).unwrap_or_default().to_vec();
                    splice(text, next.clone(), &this_text);
                    splice(text, word.clone(), &next_text);
                    format!("swap {word_text:?} with the next word")
                }
                None => "swap nothing".to_owned(),
            }
        }
        3 => {
            let cut = word_text
                .char_indices()
                .map(|(at, _)| at)
                .filter(|&at| at > 0)
                .collect::<Vec<_>>();
            let at = cut.get(random.below(cut.len())).copied().unwrap_or(0);
            splice(text, word.start + at..word.end, b"");
            format!("cut {word_text:?} at {at}")
        }
        4 | 5 => {
            let piece = random.pick(PIECES);
            splice(text, word.clone(), piece.as_bytes());
            format!("replace {word_text:?} with {piece:?}")
        }
        6 => {
            let piece = random.pick(PIECES);
            splice(text, word.start..word.start, format!("{piece} ").as_bytes());
            format!("insert {piece:?} before {word_text:?}")
        }
        7 => {
            splice(text, line.clone(), b"");
            format!("delete line at byte {}", line.start)
        }
        8 => {
            let copy = text.get(line.clone()).unwrap_or_default().to_vec();
            splice(text, line.start..line.start, &copy);
            format!("duplicate line at byte {}", line.start)
        }
        9 => {
            let newline = line.end.saturating_sub(1);
            if text.get(newline) == Some(&b'\n') {
                splice(text, newline..line.end, b" ");
            }
            format!("join line at byte {} with the next", line.start)
        }
        10 => {
            let index = lines.iter().position(|l| *l == line).unwrap_or(0);
            match lines.get(index + 1) {
                Some(next) => {
                    let next_text = text.get(next.clone()).unwrap_or_default().to_vec();
                    let this_text = text.get(line.clone()).unwrap_or_default().to_vec();
                    if next_text.ends_with(b"\n") {
                        splice(text, next.clone(), &this_text);
                        splice(text, line.clone(), &next_text);
                    }
                    format!("swap line at byte {} with the next", line.start)
                }
                None => "swap no line".to_owned(),
            }
        }
        11 => {
            let at = match random.below(3) {
                0 => line.end.saturating_sub(1),
                1 => word.start,
                _ => word.end,
            };
            splice(text, at..at, b"\r");
            format!("insert CR at byte {at}")
        }
        _ => {
            let at = match random.below(2) {
                0 => 0,
                _ => line.start,
            };
            splice(text, at..at, "\u{feff}".as_bytes());
            format!("insert BOM at byte {at}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_mutants() {
        let sources = vec![
            b"module example.com/m\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0 // indirect\n)\n"
                .to_vec(),
        ];
        let first = mutants(&sources, 50, 7);
        assert_eq!(first, mutants(&sources, 50, 7));
        assert_ne!(first, mutants(&sources, 50, 8));
        let changed = first.iter().filter(|m| m.text != sources[0]).count();
        assert!(changed > 40, "only {changed} of 50 mutants differ");
        // Cutting inside a word never splits a character.
        let accented = vec!["module é.example/m\n".as_bytes().to_vec()];
        for mutant in mutants(&accented, 200, 1) {
            let without_bom = String::from_utf8_lossy(&mutant.text).replace('\u{feff}', "");
            assert!(!without_bom.contains('\u{fffd}'), "{}", mutant.description);
        }
    }
}
