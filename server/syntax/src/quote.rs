//! Go string literals as go.mod files use them: `strconv.Quote` and `strconv.Unquote` semantics,
//! the `modfile` rules for when a token must be quoted, and Go's Unicode character classes.
//!
//! Go strings are byte strings and go.mod files may hold invalid UTF-8, so the functions that see
//! file text accept bytes (a `&str` works as well) and treat invalid bytes exactly as Go does: as
//! `U+FFFD` when deciding, as `\xNN` when quoting.

use std::borrow::Cow;
use std::cmp::Ordering;

mod tables;

/// The Unicode replacement character, which Go's decoder yields for every invalid byte.
const REPLACEMENT: char = '\u{FFFD}';

/// Reports whether `ranges` (sorted, inclusive, disjoint) contains `c`.
fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let code_point = u32::from(c);
    ranges
        .binary_search_by(|&(low, high)| {
            if high < code_point {
                Ordering::Less
            } else if low > code_point {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space
/// (Unicode 17.0.0, as in Go 1.27).
pub fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, ' '..='~');
    }
    in_ranges(tables::PRINT, c)
}

/// Go's `unicode.IsLetter` (Unicode 17.0.0, as in Go 1.27).
pub fn is_letter(c: char) -> bool {
    in_ranges(tables::LETTER, c)
}

/// Go's `unicode.IsSpace`: the Latin-1 spaces Go lists plus the Unicode `White_Space` property.
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ');
    }
    in_ranges(tables::SPACE, c)
}

/// One step of Go's UTF-8 decoding: a valid character, or one invalid byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// A correctly encoded character.
    Char(char),
    /// A byte that does not start a valid encoding; Go sees it as `U+FFFD` of width 1.
    Invalid(u8),
}

impl Decoded {
    /// The rune Go's `range` loop yields for this step.
    pub(crate) fn rune(self) -> char {
        match self {
            Decoded::Char(c) => c,
            Decoded::Invalid(_) => REPLACEMENT,
        }
    }
}

/// Decodes `bytes` the way Go's `for _, r := range s` does, one invalid byte at a time.
pub(crate) fn decode(bytes: &[u8]) -> impl Iterator<Item = Decoded> + '_ {
    bytes.utf8_chunks().flat_map(|chunk| {
        chunk
            .valid()
            .chars()
            .map(Decoded::Char)
            .chain(chunk.invalid().iter().map(|&b| Decoded::Invalid(b)))
    })
}

/// Go's `utf8.DecodeRune`: the first step of [`decode`] and its width in bytes, or `None` for
/// empty input.
pub(crate) fn decode_first(bytes: &[u8]) -> Option<(Decoded, usize)> {
    let first = decode(bytes).next()?;
    let width = match first {
        Decoded::Char(c) => c.len_utf8(),
        Decoded::Invalid(_) => 1,
    };
    Some((first, width))
}

/// Appends the escaped form of `c` inside a literal delimited by `quote`, as `strconv` does.
fn push_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    let code_point = u32::from(c);
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ if code_point < 0x20 || code_point == 0x7f => {
            out.push_str(&format!("\\x{code_point:02x}"));
        }
        _ if code_point < 0x10000 => out.push_str(&format!("\\u{code_point:04x}")),
        _ => out.push_str(&format!("\\U{code_point:08x}")),
    }
}

/// Go's `strconv.Quote`: a double-quoted Go string literal for `s`, escaping non-printable
/// characters and writing each invalid UTF-8 byte as `\xNN`.
pub fn quote<S: AsRef<[u8]> + ?Sized>(s: &S) -> String {
    let bytes = s.as_ref();
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for step in decode(bytes) {
        match step {
            Decoded::Char(c) => push_escaped(&mut out, c, '"'),
            Decoded::Invalid(b) => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (what `%q` prints for a rune): a single-quoted Go rune literal.
pub fn quote_rune(c: char) -> String {
    let mut out = String::with_capacity(4);
    out.push('\'');
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// `modfile.MustQuote`: whether `s` must be quoted to appear as a single token in a go.mod line.
///
/// True for the empty string, for text containing `//` or `/*`, a space, a quote of any kind or a
/// non-printable character, and for text longer than one byte containing one of `()[]{},`.
/// Invalid UTF-8 alone does not force quoting (Go sees `U+FFFD`, which is printable).
pub fn must_quote<S: AsRef<[u8]> + ?Sized>(s: &S) -> bool {
    let bytes = s.as_ref();
    if bytes.is_ascii() {
        return must_quote_ascii(bytes);
    }
    must_quote_runes(bytes)
}

/// [`must_quote`] rune by rune, as go decides it.
fn must_quote_runes(bytes: &[u8]) -> bool {
    for step in decode(bytes) {
        match step.rune() {
            ' ' | '"' | '\'' | '`' => return true,
            '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                if bytes.len() > 1 {
                    return true;
                }
            }
            other => {
                if !is_print(other) {
                    return true;
                }
            }
        }
    }
    bytes.is_empty() || contains(bytes, b"//") || contains(bytes, b"/*")
}

/// [`must_quote`] of ASCII text, byte by byte.
fn must_quote_ascii(bytes: &[u8]) -> bool {
    let mut previous = 0u8;
    for &byte in bytes {
        let quoted = match byte {
            b' ' | b'"' | b'\'' | b'`' => true,
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' => bytes.len() > 1,
            b'/' | b'*' => previous == b'/',
            // Not printable.
            _ => !(b' '..=b'~').contains(&byte),
        };
        if quoted {
            return true;
        }
        previous = byte;
    }
    bytes.is_empty()
}

/// `modfile.AutoQuote`: `s` itself, or its [`quote`] when [`must_quote`] says so.
pub fn auto_quote(s: &str) -> Cow<'_, str> {
    if must_quote(s) {
        Cow::Owned(quote(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// [`auto_quote`] for text that may hold invalid UTF-8.
pub fn auto_quote_bytes(s: &[u8]) -> Cow<'_, [u8]> {
    if must_quote(s) {
        Cow::Owned(quote(s).into_bytes())
    } else {
        Cow::Borrowed(s)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The error of [`unquote`]; its text is Go's `strconv.ErrSyntax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid syntax")]
pub struct UnquoteError;

/// Go's `strconv.Unquote`: decodes a complete Go string literal (`"…"` with all escapes,
/// `` `…` `` raw, or a one-rune `'…'`) into its bytes.
///
/// Escapes `\xNN` and octal `\NNN` produce single bytes, so the result may be invalid UTF-8; an
/// invalid byte written literally inside `"…"` becomes `U+FFFD`, as in Go.
pub fn unquote<S: AsRef<[u8]> + ?Sized>(s: &S) -> Result<Vec<u8>, UnquoteError> {
    let literal = s.as_ref();
    if literal.len() < 2 {
        return Err(UnquoteError);
    }
    let (&quote, after_open) = literal.split_first().ok_or(UnquoteError)?;
    // Index just past the first closing quote byte; escapes may make this the wrong end, which
    // only matters for the fast paths below.
    let end = after_open
        .iter()
        .position(|&b| b == quote)
        .ok_or(UnquoteError)?
        + 2;
    let first_literal = literal.get(..end).ok_or(UnquoteError)?;
    let content = literal.get(1..end - 1).ok_or(UnquoteError)?;
    match quote {
        b'`' => {
            if end != literal.len() {
                return Err(UnquoteError);
            }
            Ok(content.iter().copied().filter(|&b| b != b'\r').collect())
        }
        b'"' | b'\'' => {
            if !first_literal.contains(&b'\\') && !first_literal.contains(&b'\n') {
                let valid = if quote == b'"' {
                    std::str::from_utf8(content).is_ok()
                } else {
                    match decode_first(content) {
                        None => true,
                        Some((Decoded::Char(_), width)) => width == content.len(),
                        Some((Decoded::Invalid(_), _)) => false,
                    }
                };
                if valid {
                    if end != literal.len() {
                        return Err(UnquoteError);
                    }
                    return Ok(content.to_vec());
                }
            }
            unquote_slow(after_open, quote)
        }
        _ => Err(UnquoteError),
    }
}

/// The escape-decoding loop of [`unquote`], starting after the opening quote.
fn unquote_slow(mut rest: &[u8], quote: u8) -> Result<Vec<u8>, UnquoteError> {
    let mut out = Vec::with_capacity(rest.len());
    while let Some(&first) = rest.first() {
        if first == quote {
            break;
        }
        if first == b'\n' {
            return Err(UnquoteError);
        }
        rest = unquote_char(rest, quote, &mut out)?;
        if quote == b'\'' {
            break;
        }
    }
    match rest.split_first() {
        Some((&close, [])) if close == quote => Ok(out),
        _ => Err(UnquoteError),
    }
}

/// Go's `strconv.UnquoteChar`: decodes one character or escape from the start of `s`, appends its
/// bytes to `out` and returns the remaining input.
fn unquote_char<'a>(s: &'a [u8], quote: u8, out: &mut Vec<u8>) -> Result<&'a [u8], UnquoteError> {
    let (&first, after_first) = s.split_first().ok_or(UnquoteError)?;
    if first == quote && (quote == b'\'' || quote == b'"') {
        return Err(UnquoteError);
    }
    if first >= 0x80 {
        let (step, width) = decode_first(s).ok_or(UnquoteError)?;
        let mut buffer = [0u8; 4];
        out.extend_from_slice(step.rune().encode_utf8(&mut buffer).as_bytes());
        return s.get(width..).ok_or(UnquoteError);
    }
    if first != b'\\' {
        out.push(first);
        return Ok(after_first);
    }
    let (&escape, rest) = after_first.split_first().ok_or(UnquoteError)?;
    let simple = match escape {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' => Some(b'\\'),
        b'\'' | b'"' if escape == quote => Some(escape),
        _ => None,
    };
    if let Some(byte) = simple {
        out.push(byte);
        return Ok(rest);
    }
    match escape {
        b'x' | b'u' | b'U' => {
            let digits = match escape {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = rest.get(..digits).ok_or(UnquoteError)?;
            let mut value: u32 = 0;
            for &digit in hex {
                let nibble = char::from(digit).to_digit(16).ok_or(UnquoteError)?;
                value = value << 4 | nibble;
            }
            if escape == b'x' {
                out.push(u8::try_from(value).map_err(|_| UnquoteError)?);
            } else {
                let c = char::from_u32(value).ok_or(UnquoteError)?;
                let mut buffer = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
            rest.get(digits..).ok_or(UnquoteError)
        }
        b'0'..=b'7' => {
            let more = rest.get(..2).ok_or(UnquoteError)?;
            let mut value = u32::from(escape - b'0');
            for &digit in more {
                if !(b'0'..=b'7').contains(&digit) {
                    return Err(UnquoteError);
                }
                value = value << 3 | u32::from(digit - b'0');
            }
            out.push(u8::try_from(value).map_err(|_| UnquoteError)?);
            rest.get(2..).ok_or(UnquoteError)
        }
        _ => Err(UnquoteError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fast_paths_agree_with_the_tables() {
        for byte in 0u8..0x80 {
            let c = char::from(byte);
            assert_eq!(is_print(c), in_ranges(tables::PRINT, c), "{byte:#x}");
            assert_eq!(is_space(c), in_ranges(tables::SPACE, c), "{byte:#x}");
        }
        // Every ASCII text of up to three bytes from a telling alphabet.
        let alphabet = b" \"'`()[]{},/*\t\x7fa~v.";
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        let mut start = 0;
        for _ in 0..3 {
            let end = texts.len();
            for index in start..end {
                for &byte in alphabet {
                    let mut longer = texts[index].clone();
                    longer.push(byte);
                    texts.push(longer);
                }
            }
            start = end;
        }
        for text in texts {
            assert_eq!(must_quote_ascii(&text), must_quote_runes(&text), "{text:?}");
        }
    }

    #[test]
    fn unicode_classes() {
        let print = ['a', ' ', '~', 'é', '世', '€', '\u{301}', '😀', '\u{FFFD}'];
        for c in print {
            assert!(is_print(c), "{c:?} should be printable");
        }
        let not_print = [
            '\0', '\t', '\n', '\u{7f}', '\u{a0}', '\u{ad}', '\u{200b}', '\u{feff}',
        ];
        for c in not_print {
            assert!(!is_print(c), "{c:?} should not be printable");
        }
        assert!(!is_print('\u{2028}'));
        assert!(!is_print('\u{3000}'));
        assert!(is_letter('é') && is_letter('世') && is_letter('Z'));
        assert!(!is_letter('1') && !is_letter('_') && !is_letter('\u{301}'));
        for c in [
            '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}', '\u{2028}',
        ] {
            assert!(is_space(c), "{c:?} should be a space");
        }
        assert!(!is_space('\u{200b}') && !is_space('a') && !is_space('\u{feff}'));
    }

    #[test]
    fn quote_matches_strconv() {
        let cases: &[(&[u8], &str)] = &[
            (b"", r#""""#),
            (b"example.com/m", r#""example.com/m""#),
            (b"a b", r#""a b""#),
            (b"say \"hi\"\\", r#""say \"hi\"\\""#),
            (b"it's `x`", r#""it's `x`""#),
            (b"\x07\x08\x0c\n\r\t\x0b", r#""\a\b\f\n\r\t\v""#),
            (b"\x00\x01\x1f\x7f", r#""\x00\x01\x1f\x7f""#),
            ("é世😀".as_bytes(), "\"é世😀\""),
            ("\u{a0}\u{ad}\u{feff}".as_bytes(), r#""\u00a0\u00ad\ufeff""#),
            ("\u{e0001}".as_bytes(), r#""\U000e0001""#),
            (b"\xff", r#""\xff""#),
            (b"a\xc3", r#""a\xc3""#),
            (b"\xe2\x82x", r#""\xe2\x82x""#),
            (b"\xed\xa0\x80", r#""\xed\xa0\x80""#),
            ("\u{FFFD}".as_bytes(), "\"\u{FFFD}\""),
        ];
        for &(input, want) in cases {
            assert_eq!(quote(input), want, "quote({input:?})");
        }
    }

    #[test]
    fn quote_rune_matches_strconv() {
        let cases = [
            ('a', "'a'"),
            ('\'', r"'\''"),
            ('"', "'\"'"),
            ('\\', r"'\\'"),
            ('\u{1}', r"'\x01'"),
            ('\u{feff}', r"'\ufeff'"),
            ('\n', r"'\n'"),
            ('é', "'é'"),
        ];
        for (input, want) in cases {
            assert_eq!(quote_rune(input), want, "quote_rune({input:?})");
        }
    }

    #[test]
    fn must_quote_follows_modfile() {
        let quoted: &[&[u8]] = &[
            b"",
            b"a b",
            b"a\"b",
            b"a'b",
            b"a`b",
            b"a//b",
            b"a/*b",
            b"a(b",
            b"()",
            b"a,",
            b"\t",
            "x\u{a0}".as_bytes(),
        ];
        for &input in quoted {
            assert!(must_quote(input), "must_quote({input:?})");
        }
        let bare: &[&[u8]] = &[
            b"example.com/m",
            b"(",
            b")",
            b",",
            b"[",
            b"=>",
            b"a/b",
            b"a/",
            "é".as_bytes(),
            b"\xff",
            b"v1.0.0+incompatible",
        ];
        for &input in bare {
            assert!(!must_quote(input), "must_quote({input:?}) should be false");
        }
        assert_eq!(auto_quote("example.com/b"), "example.com/b");
        assert_eq!(auto_quote("a b"), "\"a b\"");
        assert_eq!(auto_quote(""), "\"\"");
        assert_eq!(&*auto_quote_bytes(b"\xff"), b"\xff");
        assert_eq!(&*auto_quote_bytes(b"\xff "), b"\"\\xff \"");
    }

    #[test]
    fn unquote_matches_strconv() {
        let good: &[(&[u8], &[u8])] = &[
            (br#""""#, b""),
            (br#""example.com/b""#, b"example.com/b"),
            (br#""\x41\u00e9\U0001F600""#, "Aé😀".as_bytes()),
            (br#""\a\b\f\n\r\t\v\\\"""#, b"\x07\x08\x0c\n\r\t\x0b\\\""),
            (br#""\101\377\000""#, b"A\xff\x00"),
            (br#""\xff""#, b"\xff"),
            (b"\"\xff\"", "\u{FFFD}".as_bytes()),
            (b"\"\xff\\n\"", "\u{FFFD}\n".as_bytes()),
            (b"`a\\n\r\nb`", b"a\\n\nb"),
            (b"'a'", b"a"),
            (br"'\''", b"'"),
            ("'é'".as_bytes(), "é".as_bytes()),
            (b"''", b""),
            (b"'\xff'", "\u{FFFD}".as_bytes()),
        ];
        for &(input, want) in good {
            assert_eq!(unquote(input), Ok(want.to_vec()), "unquote({input:?})");
        }
        let bad: &[&[u8]] = &[
            b"",
            b"\"",
            b"x",
            b"\"abc",
            b"\"a\"b\"",
            b"\"a\nb\"",
            br#""\q""#,
            br#""\'""#,
            br#"'\"'"#,
            br#""\400""#,
            br#""\19""#,
            br#""\x4""#,
            br#""\xg0""#,
            br#""\ud800""#,
            br#""\U00110000""#,
            br#""\""#,
            b"'ab'",
            b"`a`b`",
            b"\"a\"x",
        ];
        for &input in bad {
            assert_eq!(unquote(input), Err(UnquoteError), "unquote({input:?})");
        }
        assert_eq!(UnquoteError.to_string(), "invalid syntax");
    }
}
