//! Retractions and the deprecation message of a dependency's go.mod, read as go reads them
//! (`modfile.ParseLax`, then `parseDirectiveComment` and `parseDeprecation`).
//!
//! This is a deliberately small stand-in: it lexes the file as modfile does (tokens, strings,
//! `//` comments, blocks) and looks only at `module` and `retract`. The lead will swap the body
//! of [`read_retractions_and_deprecation`] for the lax go.mod reader of `gomodls_syntax` once it
//! exists; callers only see this function and its types.

use crate::compat::semver;

/// A retracted interval `[low, high]` (closed) and the author's rationale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retraction {
    /// The lower bound as written (lax mode does not canonicalise bounds).
    pub low: String,
    /// The upper bound as written.
    pub high: String,
    /// The comment text on the directive (lines joined by `\n`); may be empty.
    pub rationale: String,
}

impl Retraction {
    /// Whether `version` lies inside the interval (go's `ModCompare(low, v) <= 0 <= ...`).
    pub fn contains(&self, version: &str) -> bool {
        semver::compare(&self.low, version).is_le() && semver::compare(version, &self.high).is_le()
    }
}

/// What a latest go.mod says about its module's other versions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetractionsAndDeprecation {
    /// The path on the `module` line, if any.
    pub module_path: Option<String>,
    /// The `retract` directives in file order.
    pub retractions: Vec<Retraction>,
    /// The deprecation message (the paragraph after `Deprecated:`), if any and non-empty.
    pub deprecation: Option<String>,
}

/// Reads the retractions and deprecation of a go.mod in lax mode. A lexical or syntax error
/// fails the whole file, as in go (`parsing go.mod: ...`); malformed `retract` lines are
/// skipped silently, as lax mode does.
pub fn read_retractions_and_deprecation(gomod: &[u8]) -> Result<RetractionsAndDeprecation, String> {
    let text = String::from_utf8_lossy(gomod);
    let lines = parse_lines(&text)?;
    let mut result = RetractionsAndDeprecation::default();
    for line in &lines {
        let comments = line.comment_text();
        match line.verb.as_str() {
            "module" if result.module_path.is_none() => {
                if let [path] = line.args.as_slice()
                    && let Ok(path) = decode(path)
                {
                    result.module_path = Some(path);
                    result.deprecation = deprecation(&comments).filter(|m| !m.is_empty());
                }
            }
            "retract" => {
                if let Some((low, high)) = interval(&line.args) {
                    result.retractions.push(Retraction {
                        low,
                        high,
                        rationale: comments,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(result)
}

/// go's `ShortMessage`: the first line, trimmed; the default if empty; replaced if longer than
/// 500 bytes or not printable.
pub fn short_message(message: &str, empty_default: &str) -> String {
    let first = message.split('\n').next().unwrap_or("").trim();
    if first.is_empty() {
        return empty_default.to_owned();
    }
    if first.len() > 500 {
        return "(message omitted: too long)".to_owned();
    }
    if first.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return "(message omitted: contains non-printable characters)".to_owned();
    }
    first.to_owned()
}

/// The text go prints for a retracted version: `retracted by module author[: RATIONALE]`.
pub fn retraction_message(rationales: &[String]) -> String {
    match rationales.first() {
        Some(first) => format!(
            "retracted by module author: {}",
            short_message(first, "retracted by module author")
        ),
        None => "retracted by module author".to_owned(),
    }
}

fn interval(args: &[String]) -> Option<(String, String)> {
    match args {
        [open, low, comma, high, close, ..] if open == "[" && comma == "," && close == "]" => {
            Some((decode(low).ok()?, decode(high).ok()?))
        }
        [open, ..] if open == "[" || open == "(" => None,
        [single, ..] => {
            let v = decode(single).ok()?;
            Some((v.clone(), v))
        }
        [] => None,
    }
}

/// `parseString`: quoted tokens are unquoted; other tokens may not contain quotes.
fn decode(token: &str) -> Result<String, ()> {
    if let Some(body) = token.strip_prefix('"') {
        let body = body.strip_suffix('"').ok_or(())?;
        let mut out = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next().ok_or(())? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                'x' => {
                    let hex: String = chars.by_ref().take(2).collect();
                    out.push(char::from(u8::from_str_radix(&hex, 16).map_err(|_| ())?));
                }
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(
                        char::from_u32(u32::from_str_radix(&hex, 16).map_err(|_| ())?).ok_or(())?,
                    );
                }
                _ => return Err(()),
            }
        }
        return Ok(out);
    }
    if token.contains(['"', '\'', '`']) {
        return Err(());
    }
    Ok(token.to_owned())
}

/// `(?s)(?:^|\n\n)Deprecated: *(.*?)(?:$|\n\n)`: the first paragraph starting with
/// `Deprecated:`, without the prefix.
fn deprecation(text: &str) -> Option<String> {
    let start = if text.starts_with("Deprecated:") {
        0
    } else {
        text.find("\n\nDeprecated:")? + 2
    };
    let rest = text
        .get(start + "Deprecated:".len()..)?
        .trim_start_matches(' ');
    let end = rest.find("\n\n").unwrap_or(rest.len());
    rest.get(..end).map(str::to_owned)
}

/// A statement with the comments go attaches to it.
struct Line {
    verb: String,
    args: Vec<String>,
    before: Vec<String>,
    suffix: Vec<String>,
    /// For a line inside a block: the block's own comments.
    block: Option<(Vec<String>, Vec<String>)>,
}

impl Line {
    /// `parseDirectiveComment`: own comments, else the block's; `//` stripped, trimmed, joined.
    fn comment_text(&self) -> String {
        let (before, suffix) = match &self.block {
            Some(block) if self.before.is_empty() && self.suffix.is_empty() => (&block.0, &block.1),
            _ => (&self.before, &self.suffix),
        };
        before
            .iter()
            .chain(suffix.iter())
            .filter_map(|c| c.strip_prefix("//"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[derive(Debug, PartialEq)]
enum Token {
    Newline,
    /// A comment, `//` included.
    Comment(String),
    Word(String),
}

fn is_ident_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !"()[]{},".contains(c) && c != '\u{feff}'
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\r' => {}
            '\n' => {
                tokens.push(Token::Newline);
            }
            '/' if text.get(i..).is_some_and(|r| r.starts_with("//")) => {
                let end = text
                    .get(i..)
                    .and_then(|r| r.find('\n'))
                    .map_or(text.len(), |n| i + n);
                let comment = text
                    .get(i..end)
                    .unwrap_or("")
                    .trim_end_matches('\r')
                    .to_owned();
                tokens.push(Token::Comment(comment));
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
                // The comment takes its newline with it.
                if chars.peek().is_some_and(|&(_, c)| c == '\n') {
                    chars.next();
                }
                tokens.push(Token::Newline);
            }
            '/' if text.get(i..).is_some_and(|r| r.starts_with("/*")) => {
                return Err("mod files must use // comments (not /* */ comments)".to_owned());
            }
            '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                tokens.push(Token::Word(c.to_string()));
            }
            '"' | '`' => {
                let mut word = String::from(c);
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\n' {
                        return Err("unexpected newline in string".to_owned());
                    }
                    word.push(d);
                    if c == '"' && d == '\\' {
                        if let Some((_, e)) = chars.next() {
                            word.push(e);
                        }
                        continue;
                    }
                    if d == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err("unexpected EOF in string".to_owned());
                }
                tokens.push(Token::Word(word));
            }
            c if is_ident_char(c) => {
                let mut word = String::from(c);
                while let Some(&(j, d)) = chars.peek() {
                    if !is_ident_char(d) || text.get(j..).is_some_and(|r| r.starts_with("//")) {
                        break;
                    }
                    word.push(d);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
            c => return Err(format!("unexpected input character {c:?}")),
        }
    }
    Ok(tokens)
}

/// Groups tokens into statements (block lines get their block's verb) with attached comments.
fn parse_lines(text: &str) -> Result<Vec<Line>, String> {
    let tokens = lex(text)?;
    // Split into physical lines: (words, suffix comment, whole-line comment).
    let mut physical: Vec<(Vec<String>, Option<String>)> = vec![(Vec::new(), None)];
    for token in tokens {
        let Some(current) = physical.last_mut() else {
            break;
        };
        match token {
            Token::Newline => physical.push((Vec::new(), None)),
            Token::Comment(text) => current.1 = Some(text),
            Token::Word(word) => current.0.push(word),
        }
    }
    let mut lines = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut block: Option<(String, Vec<String>, Vec<String>)> = None;
    for (words, comment) in physical {
        if words.is_empty() {
            match comment {
                Some(c) => pending.push(c),
                // A blank line detaches comments at top level; in a block it is only a marker.
                None if block.is_none() => pending.clear(),
                None => {}
            }
            continue;
        }
        let suffix: Vec<String> = comment.into_iter().collect();
        if let Some((verb, block_before, block_suffix)) = &block {
            if words.first().map(String::as_str) == Some(")") {
                if words.len() != 1 {
                    return Err("syntax error (expected newline after closing paren)".to_owned());
                }
                block = None;
                pending.clear();
                continue;
            }
            lines.push(Line {
                verb: verb.clone(),
                args: words,
                before: std::mem::take(&mut pending),
                suffix,
                block: Some((block_before.clone(), block_suffix.clone())),
            });
            continue;
        }
        if words.len() >= 2 && words.last().map(String::as_str) == Some("(") {
            if words.len() != 2 {
                // Multi-word block verbs are errors go reports; lax readers skip them.
                block = Some((String::new(), Vec::new(), Vec::new()));
            } else {
                let verb = words.first().cloned().unwrap_or_default();
                block = Some((verb, std::mem::take(&mut pending), Vec::new()));
            }
            continue;
        }
        let mut words = words.into_iter();
        let verb = words.next().unwrap_or_default();
        lines.push(Line {
            verb,
            args: words.collect(),
            before: std::mem::take(&mut pending),
            suffix,
            block: None,
        });
    }
    if block.is_some() {
        return Err("syntax error (unterminated block)".to_owned());
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retractions_with_rationale() {
        let got = read_retractions_and_deprecation(
            b"// Deprecated: use example.com/dep2 instead.\n// more text\n//\n// other\nmodule example.com/ret\n\ngo 1.21\n\n// v1.1.0 was broken\nretract v1.1.0\n\nretract [v1.2.0, v1.3.0] // oops\nretract (\n\t// first\n\tv0.1.0\n\t\"v0.2.0\"\n)\nretract [bad\n",
        )
        .unwrap();
        assert_eq!(got.module_path.as_deref(), Some("example.com/ret"));
        assert_eq!(
            got.deprecation.as_deref(),
            Some("use example.com/dep2 instead.\nmore text")
        );
        let summary: Vec<(String, String, String)> = got
            .retractions
            .iter()
            .map(|r| (r.low.clone(), r.high.clone(), r.rationale.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("v1.1.0".into(), "v1.1.0".into(), "v1.1.0 was broken".into()),
                ("v1.2.0".into(), "v1.3.0".into(), "oops".into()),
                ("v0.1.0".into(), "v0.1.0".into(), "first".into()),
                ("v0.2.0".into(), "v0.2.0".into(), String::new()),
            ]
        );
        assert!(got.retractions[1].contains("v1.2.5"));
        assert!(!got.retractions[1].contains("v1.3.1"));
    }

    #[test]
    fn deprecation_forms() {
        let read = |s: &str| {
            read_retractions_and_deprecation(s.as_bytes())
                .unwrap()
                .deprecation
        };
        assert_eq!(
            read("module a.com/x // Deprecated: gone\n"),
            Some("gone".into())
        );
        assert_eq!(read("//Deprecated:x\nmodule a.com/x\n"), Some("x".into()));
        assert_eq!(read("// Deprecated:\nmodule a.com/x\n"), None);
        assert_eq!(read("// x Deprecated: y\nmodule a.com/x\n"), None);
        assert_eq!(read("// Deprecated: detached\n\nmodule a.com/x\n"), None);
        assert_eq!(
            read("// intro\n//\n// Deprecated: later\nmodule a.com/x\n"),
            Some("later".into())
        );
    }

    #[test]
    fn messages() {
        assert_eq!(retraction_message(&[]), "retracted by module author");
        assert_eq!(
            retraction_message(&["bad\nmore".into()]),
            "retracted by module author: bad"
        );
        assert_eq!(
            short_message(&"x".repeat(501), "d"),
            "(message omitted: too long)"
        );
        assert_eq!(
            short_message("a\u{7}b", "d"),
            "(message omitted: contains non-printable characters)"
        );
        assert!(read_retractions_and_deprecation(b"module a.com/x /* c */\n").is_err());
    }
}
