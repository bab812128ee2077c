//! go.sum and go.work.sum files as the go command reads and writes them: one `PATH VERSION HASH`
//! line per checksum, fields split at white space, blank lines skipped, and on writing every
//! (module, version) in `module.Sort` order with its hashes sorted and de-duplicated.
//!
//! Reading never fails: lines go would reject are reported with go's message and skipped (go stops
//! at the first one, except `go mod tidy`, which skips them all).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use base64::Engine as _;

use crate::quote;
use crate::semver;

/// The hash of a module with an empty go.mod, which an old go bug wrote into go.sum files for
/// non-modules; go drops lines with it when reading.
pub const EMPTY_GO_MOD_HASH: &str = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";

/// One checksum: a module version (or its go.mod alone) and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModuleSum {
    /// The module path, as written (go.sum paths are not case-escaped).
    pub path: String,
    /// The version, without the `/go.mod` suffix of a go.mod checksum.
    pub version: String,
    /// Whether this is the checksum of the version's go.mod file alone.
    pub go_mod: bool,
    /// The hash, such as `h1:…=`.
    pub hash: String,
}

impl ModuleSum {
    /// The version field as go keys it: the version, with `/go.mod` for a go.mod checksum.
    pub fn version_field(&self) -> String {
        if self.go_mod {
            format!("{}/go.mod", self.version)
        } else {
            self.version.clone()
        }
    }
}

/// A checksum line of a go.sum file and where its parts are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoSumLine {
    /// The checksum on the line.
    pub sum: ModuleSum,
    /// The 1-based line number.
    pub line: u32,
    /// The bytes of the line, without its line break.
    pub line_range: Range<usize>,
    /// The bytes of the module path.
    pub path_range: Range<usize>,
    /// The bytes of the version field, `/go.mod` included.
    pub version_range: Range<usize>,
    /// The bytes of the hash.
    pub hash_range: Range<usize>,
}

/// A line go refuses: it does not have exactly three fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("wrong number of fields {fields}")]
pub struct MalformedLine {
    /// The 1-based line number.
    pub line: u32,
    /// How many white-space separated fields the line has.
    pub fields: usize,
    /// The bytes of the line, without its line break.
    pub line_range: Range<usize>,
}

impl MalformedLine {
    /// go's whole message for this line in `file_name`, as it prints it (with no `go: ` prefix):
    /// `malformed go.sum:\nFILE:LINE: wrong number of fields N`.
    pub fn go_message(&self, file_name: &str) -> String {
        format!("malformed go.sum:\n{file_name}:{}: {self}", self.line)
    }
}

/// A go.sum file as go reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSum {
    /// The checksum lines go keeps, in file order (duplicates included).
    pub lines: Vec<GoSumLine>,
    /// The lines go drops silently: those with [`EMPTY_GO_MOD_HASH`].
    pub dropped: Vec<GoSumLine>,
    /// The lines go refuses, in file order; go reports only the first.
    pub malformed: Vec<MalformedLine>,
}

/// Reads go.sum (or go.work.sum) bytes as go's `readGoSum` does.
pub fn read_go_sum(text: &[u8]) -> GoSum {
    let borrowed = read_go_sum_borrowed(text);
    GoSum {
        lines: borrowed
            .lines
            .into_iter()
            .map(SumLineRef::into_owned)
            .collect(),
        dropped: borrowed
            .dropped
            .into_iter()
            .map(SumLineRef::into_owned)
            .collect(),
        malformed: borrowed.malformed,
    }
}

/// A checksum line of a go.sum file borrowed from its text: what [`GoSumLine`] holds, without
/// copying the fields (a field is copied only where the text is not valid UTF-8 and go sees
/// U+FFFD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLineRef<'a> {
    /// The module path, as written.
    pub path: Cow<'a, str>,
    /// The version, without the `/go.mod` suffix of a go.mod checksum.
    pub version: Cow<'a, str>,
    /// Whether this is the checksum of the version's go.mod file alone.
    pub go_mod: bool,
    /// The hash, such as `h1:…=`.
    pub hash: Cow<'a, str>,
    /// The 1-based line number.
    pub line: u32,
    /// The bytes of the line, without its line break.
    pub line_range: Range<usize>,
    /// The bytes of the module path.
    pub path_range: Range<usize>,
    /// The bytes of the version field, `/go.mod` included.
    pub version_range: Range<usize>,
    /// The bytes of the hash.
    pub hash_range: Range<usize>,
}

impl SumLineRef<'_> {
    /// The version field as go keys it: the version, with `/go.mod` for a go.mod checksum.
    pub fn version_field(&self) -> String {
        if self.go_mod {
            format!("{}/go.mod", self.version)
        } else {
            self.version.clone().into_owned()
        }
    }

    /// The line with its fields copied.
    pub fn into_owned(self) -> GoSumLine {
        GoSumLine {
            sum: ModuleSum {
                path: self.path.into_owned(),
                version: self.version.into_owned(),
                go_mod: self.go_mod,
                hash: self.hash.into_owned(),
            },
            line: self.line,
            line_range: self.line_range,
            path_range: self.path_range,
            version_range: self.version_range,
            hash_range: self.hash_range,
        }
    }
}

/// A go.sum file as go reads it, borrowed from its text: [`GoSum`] without copies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSumRef<'a> {
    /// The checksum lines go keeps, in file order (duplicates included).
    pub lines: Vec<SumLineRef<'a>>,
    /// The lines go drops silently: those with [`EMPTY_GO_MOD_HASH`].
    pub dropped: Vec<SumLineRef<'a>>,
    /// The lines go refuses, in file order; go reports only the first.
    pub malformed: Vec<MalformedLine>,
}

/// [`read_go_sum`] without copying: the fields borrow `text`.
pub fn read_go_sum_borrowed(text: &[u8]) -> GoSumRef<'_> {
    // Checked once: fields of valid UTF-8 text are borrowed as they are.
    let whole = std::str::from_utf8(text).ok();
    // Text whose only white space is spaces and line breaks (as go writes go.sum) splits
    // fields at spaces alone.
    let plain = is_plain(text);
    let field = |range: &Range<usize>| -> Cow<'_, str> {
        match whole.and_then(|whole| whole.get(range.clone())) {
            Some(borrowed) => Cow::Borrowed(borrowed),
            None => Cow::Owned(crate::modfile::read::go_text(
                text.get(range.clone()).unwrap_or_default(),
            )),
        }
    };
    // About one line per 100 bytes in real files.
    let mut sum = GoSumRef {
        lines: Vec::with_capacity(text.len() / 96 + 1),
        ..GoSumRef::default()
    };
    let mut line_start = 0;
    let mut line_number: u32 = 0;
    while line_start < text.len() {
        line_number += 1;
        let rest = text.get(line_start..).unwrap_or_default();
        let rest_text = whole.and_then(|whole| whole.get(line_start..));
        let line_end = match find_byte(rest_text, rest, b'\n') {
            Some(at) => line_start + at,
            None => text.len(),
        };
        let line_range = line_start..line_end;
        let line = text.get(line_range.clone()).unwrap_or_default();
        let line_text = whole.and_then(|whole| whole.get(line_range.clone()));
        let fields = match line_text.filter(|_| plain) {
            Some(line) => space_separated_fields(line, line_start),
            None => fields(line, line_start),
        };
        match fields {
            Fields { count: 0, .. } => {}
            Fields {
                count: 3,
                first: [path, version, hash],
            } => {
                let version_field = field(&version);
                let (version_text, go_mod) = match version_field {
                    Cow::Borrowed(field) => match field.strip_suffix("/go.mod") {
                        Some(version) => (Cow::Borrowed(version), true),
                        None => (Cow::Borrowed(field), false),
                    },
                    Cow::Owned(mut field) => match field.strip_suffix("/go.mod") {
                        Some(version) => {
                            field.truncate(version.len());
                            (Cow::Owned(field), true)
                        }
                        None => (Cow::Owned(field), false),
                    },
                };
                let entry = SumLineRef {
                    path: field(&path),
                    version: version_text,
                    go_mod,
                    hash: field(&hash),
                    line: line_number,
                    line_range,
                    path_range: path,
                    version_range: version,
                    hash_range: hash,
                };
                if entry.hash == EMPTY_GO_MOD_HASH {
                    sum.dropped.push(entry);
                } else {
                    sum.lines.push(entry);
                }
            }
            Fields { count, .. } => sum.malformed.push(MalformedLine {
                line: line_number,
                fields: count,
                line_range,
            }),
        }
        line_start = line_end + 1;
    }
    sum
}

/// The fields of a line: how many, and the byte ranges of the first three.
struct Fields {
    count: usize,
    first: [Range<usize>; 3],
}

impl Fields {
    fn push(&mut self, range: Range<usize>) {
        if let Some(slot) = self.first.get_mut(self.count) {
            *slot = range;
        }
        self.count += 1;
    }
}

/// The first `byte` (ASCII) in `bytes`, searched fast through `text`, the same bytes as a string
/// when they are valid UTF-8.
fn find_byte(text: Option<&str>, bytes: &[u8], byte: u8) -> Option<usize> {
    match text {
        Some(text) => text.find(char::from(byte)),
        None => bytes.iter().position(|&b| b == byte),
    }
}

/// Whether `text` is ASCII whose only white space (for Go's `strings.Fields`) is spaces and
/// line breaks.
fn is_plain(text: &[u8]) -> bool {
    // Without an early exit, so that the compiler vectorises the loop.
    let other = text.iter().fold(false, |other, &b| {
        other | (b >= 0x80) | ((b < b' ') & (b != b'\n'))
    });
    !other
}

/// [`fields`] of a line of plain text ([`is_plain`]): its fields are separated by spaces alone.
fn space_separated_fields(line: &str, base: usize) -> Fields {
    let mut found = Fields {
        count: 0,
        first: [0..0, 0..0, 0..0],
    };
    let mut start = 0;
    // `str::split` at a character searches with memchr.
    for field in line.split(' ') {
        if !field.is_empty() {
            found.push(base + start..base + start + field.len());
        }
        start += field.len() + 1;
    }
    found
}

/// The byte ranges of the fields of `line` (Go's `strings.Fields`: separated by runs of Unicode
/// white space), offset by `base`.
fn fields(line: &[u8], base: usize) -> Fields {
    let mut found = Fields {
        count: 0,
        first: [0..0, 0..0, 0..0],
    };
    if line.is_ascii() {
        // Go's white space in ASCII: tab, line feed, vertical tab, form feed, CR and space.
        let is_space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
        let mut field_start: Option<usize> = None;
        for (offset, &byte) in line.iter().enumerate() {
            match (is_space(byte), field_start) {
                (true, Some(start)) => {
                    found.push(base + start..base + offset);
                    field_start = None;
                }
                (false, None) => field_start = Some(offset),
                _ => {}
            }
        }
        if let Some(start) = field_start {
            found.push(base + start..base + line.len());
        }
        return found;
    }
    let mut field_start: Option<usize> = None;
    let mut offset = 0;
    for step in quote::decode(line) {
        let width = match step {
            quote::Decoded::Char(c) => c.len_utf8(),
            quote::Decoded::Invalid(_) => 1,
        };
        let space = quote::is_space(step.rune());
        match (space, field_start) {
            (true, Some(start)) => {
                found.push(base + start..base + offset);
                field_start = None;
            }
            (false, None) => field_start = Some(offset),
            _ => {}
        }
        offset += width;
    }
    if let Some(start) = field_start {
        found.push(base + start..base + offset);
    }
    found
}

/// go's `module.Sort` order of (path, version field) keys: by path, then by the semantic version
/// of the part before the first `/`, then by the rest (`/go.mod`) as a string.
///
/// Where two different versions are equal as semantic versions (`v1.0.0` and `v1.0.0+meta`, or
/// two invalid versions) go's order is unspecified; this order then compares them as strings.
pub fn compare_keys(path_a: &str, version_a: &str, path_b: &str, version_b: &str) -> Ordering {
    path_a.cmp(path_b).then_with(|| {
        let (version_a, file_a) = split_version(version_a);
        let (version_b, file_b) = split_version(version_b);
        if version_a != version_b {
            semver::compare(version_a, version_b).then_with(|| version_a.cmp(version_b))
        } else {
            file_a.cmp(file_b)
        }
    })
}

/// [`compare_keys`] of two checksums given as (path, version, is the go.mod checksum), without
/// building their version fields.
pub fn compare_sum_keys(a: (&str, &str, bool), b: (&str, &str, bool)) -> Ordering {
    let ((path_a, version_a, go_mod_a), (path_b, version_b, go_mod_b)) = (a, b);
    path_a.cmp(path_b).then_with(|| {
        if version_a == version_b {
            // `V` before `V/go.mod`, whatever V holds.
            return go_mod_a.cmp(&go_mod_b);
        }
        if !version_a.contains('/') && !version_b.contains('/') {
            // The version fields split at their `/go.mod`, leaving the versions.
            return semver::compare(version_a, version_b).then_with(|| version_a.cmp(version_b));
        }
        let field = |version: &str, go_mod: bool| match go_mod {
            true => format!("{version}/go.mod"),
            false => version.to_owned(),
        };
        compare_keys(
            path_a,
            &field(version_a, go_mod_a),
            path_b,
            &field(version_b, go_mod_b),
        )
    })
}

fn split_version(version: &str) -> (&str, &str) {
    match version.find('/') {
        Some(at) => version.split_at(at),
        None => (version, ""),
    }
}

/// Writes checksums as go writes a go.sum file: each (path, version field) once, in `module.Sort`
/// order ([`compare_keys`]), with its hashes sorted as strings and de-duplicated, one line each.
pub fn format_go_sum<'a>(sums: impl IntoIterator<Item = &'a ModuleSum>) -> String {
    let mut lines: Vec<(&str, std::borrow::Cow<'a, str>, &str)> = sums
        .into_iter()
        .map(|sum| {
            let version = if sum.go_mod {
                std::borrow::Cow::Owned(sum.version_field())
            } else {
                std::borrow::Cow::Borrowed(sum.version.as_str())
            };
            (sum.path.as_str(), version, sum.hash.as_str())
        })
        .collect();
    lines.sort_by(|a, b| compare_keys(a.0, &a.1, b.0, &b.1).then_with(|| a.2.cmp(b.2)));
    lines.dedup();
    let mut out = String::with_capacity(
        lines
            .iter()
            .map(|l| l.0.len() + l.1.len() + l.2.len() + 3)
            .sum(),
    );
    for (path, version, hash) in lines {
        out.push_str(path);
        out.push(' ');
        out.push_str(&version);
        out.push(' ');
        out.push_str(hash);
        out.push('\n');
    }
    out
}

/// What is wrong with the shape of a go.sum hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// The hash does not start with `h1:`, the only algorithm go knows; go keeps such hashes but
    /// never checks them.
    #[error("unknown hash algorithm in {0:?}")]
    UnknownAlgorithm(String),
    /// The hash starts with `h1:` but is not the standard, padded base64 encoding of 32 bytes.
    #[error("malformed h1 hash {0:?}: want the base64 encoding of a 32-byte SHA-256 sum")]
    MalformedH1(String),
}

/// Checks that `hash` is `h1:` followed by the standard padded base64 encoding of exactly 32
/// bytes (a SHA-256 sum), the only form the go command ever writes.
pub fn check_hash(hash: &str) -> Result<(), HashError> {
    let Some(encoded) = hash.strip_prefix("h1:") else {
        return Err(HashError::UnknownAlgorithm(hash.to_owned()));
    };
    match base64::engine::general_purpose::STANDARD.decode(encoded) {
        Ok(bytes) if bytes.len() == 32 => Ok(()),
        _ => Err(HashError::MalformedH1(hash.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH_A: &str = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    const HASH_B: &str = "h1:frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=";

    #[test]
    fn reads_fields_lines_and_errors() {
        let text = "a.com/x v1.0.0 h1:x\r\n\n  \t\na.com/x  v1.0.0/go.mod\th1:y\nbad line\nb v1 h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=\nx\u{a0}v1\u{2003}h1:z";
        let sum = read_go_sum(text.as_bytes());
        assert_eq!(sum.lines.len(), 3);
        let first = &sum.lines[0];
        assert_eq!(first.sum.hash, "h1:x");
        assert_eq!((first.line, first.hash_range.clone()), (1, 15..19));
        let second = &sum.lines[1];
        assert_eq!(
            (second.sum.version.as_str(), second.sum.go_mod, second.line),
            ("v1.0.0", true, 4)
        );
        assert_eq!(&text[second.version_range.clone()], "v1.0.0/go.mod");
        assert_eq!(sum.lines[2].sum.path, "x");
        assert_eq!(sum.dropped.len(), 1);
        assert_eq!(
            sum.malformed[0].go_message("go.sum"),
            "malformed go.sum:\ngo.sum:5: wrong number of fields 2"
        );
    }

    #[test]
    fn writes_in_module_sort_order() {
        let sum = |path: &str, version: &str, go_mod: bool, hash: &str| ModuleSum {
            path: path.to_owned(),
            version: version.to_owned(),
            go_mod,
            hash: hash.to_owned(),
        };
        let sums = [
            sum("b.com/m", "v1.10.0", false, "h1:b"),
            sum("a.com/m", "v1.9.0", true, "h1:a"),
            sum("a.com/m", "v1.10.0", false, "h1:c"),
            sum("a.com/m", "v1.9.0", false, "h1:b"),
            sum("a.com/m", "v1.9.0", false, "h1:a"),
            sum("a.com/m", "v1.9.0", false, "h1:b"),
            sum("a.com/m", "v1.9.0-pre", false, "h1:p"),
            sum("a.com/m", "bogus", false, "h1:q"),
        ];
        assert_eq!(
            format_go_sum(&sums),
            "a.com/m bogus h1:q\na.com/m v1.9.0-pre h1:p\na.com/m v1.9.0 h1:a\na.com/m v1.9.0 h1:b\n\
             a.com/m v1.9.0/go.mod h1:a\na.com/m v1.10.0 h1:c\nb.com/m v1.10.0 h1:b\n"
        );
    }

    #[test]
    fn hash_shapes() {
        assert_eq!(check_hash(HASH_A), Ok(()));
        assert_eq!(check_hash(HASH_B), Ok(()));
        assert_eq!(check_hash(EMPTY_GO_MOD_HASH), Ok(()));
        assert!(matches!(
            check_hash("h2:abc"),
            Err(HashError::UnknownAlgorithm(_))
        ));
        assert!(matches!(
            check_hash("47DEQpj8"),
            Err(HashError::UnknownAlgorithm(_))
        ));
        for bad in [
            "h1:",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
            "h1:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=",
            "h1:AAAA",
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUAAAA=",
        ] {
            assert!(
                matches!(check_hash(bad), Err(HashError::MalformedH1(_))),
                "{bad}"
            );
        }
    }
}
