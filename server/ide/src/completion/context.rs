//! Where the cursor is: the tokens of its line as go's modfile lexer cuts them, the block it is
//! in, and which argument of which directive it is typing.
//!
//! The scan is lexical and local on purpose: while a user types, blocks are often unclosed and the
//! tree has ERROR nodes where go's line structure is still plain. Go's blocks do not nest, so the
//! nearest line before the cursor that opens (`verb (`) or closes (`)`) a block decides whether
//! the cursor is inside one.

use std::ops::Range;

/// The kind of a token on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A word: printable characters other than blanks and `()[]{},`, up to `//` or `/*`.
    Word,
    /// A `"…"` or `` `…` `` string, quotes included (possibly unterminated).
    String,
    /// One of `( ) [ ] { } ,`.
    Punctuation,
    /// `//` to the end of the line.
    Comment,
}

/// One token of a line, as byte offsets into the whole text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) range: Range<usize>,
    pub(crate) kind: TokenKind,
}

impl Token {
    /// The token's text.
    pub(crate) fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.range.clone()).unwrap_or("")
    }

    /// The value the token stands for: a string's contents, else the word itself.
    pub(crate) fn value(&self, text: &str) -> String {
        let raw = self.text(text);
        match self.kind {
            TokenKind::String => gomodls_syntax::quote::unquote(raw)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_else(|_| raw.trim_matches(['"', '`']).to_owned()),
            _ => raw.to_owned(),
        }
    }
}

/// What the cursor's line looks like up to the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Context {
    /// The verb of the block the line is in, if it is inside a `verb (` block.
    pub(crate) block: Option<String>,
    /// The statement's verb: the block's verb, or the first token of a line outside a block;
    /// `None` when the cursor is typing the first token of a line outside a block.
    pub(crate) verb: Option<String>,
    /// The complete arguments before the cursor (the verb excluded).
    pub(crate) arguments: Vec<Token>,
    /// The word or string the cursor is in or at the end of, if any.
    pub(crate) current: Option<Token>,
    /// The comment the cursor is in, if any.
    pub(crate) comment: Option<Token>,
    /// What a completion replaces: the current token, or an empty range at the cursor.
    pub(crate) replace: Range<usize>,
    /// The line break the file uses (`"\r\n"` or `"\n"`).
    pub(crate) line_break: &'static str,
}

impl Context {
    /// The text typed so far in the current token (from its start to the cursor).
    pub(crate) fn prefix<'a>(&self, text: &'a str, offset: usize) -> &'a str {
        text.get(self.replace.start..offset).unwrap_or("")
    }
}

/// The context of `offset` in `text` (a go.mod or go.work file).
pub(crate) fn context(text: &str, offset: usize) -> Context {
    let offset = clamp_to_boundary(text, offset);
    let (line_start, line_end) = line_bounds(text, offset);
    let tokens = lex_line(text, line_start..line_end);
    let block = enclosing_block(text, line_start);

    let mut before = Vec::new();
    let mut current = None;
    let mut comment = None;
    for token in tokens {
        if token.range.start > offset || (token.range.start == offset && current.is_some()) {
            break;
        }
        match token.kind {
            TokenKind::Comment if token.range.start < offset => comment = Some(token),
            TokenKind::Comment => {}
            TokenKind::Word | TokenKind::String if token.range.end >= offset => {
                current = Some(token);
            }
            TokenKind::Punctuation if token.range.end > offset => {}
            _ => before.push(token),
        }
    }
    let replace = current
        .as_ref()
        .map_or(offset..offset, |token| token.range.clone());
    let (verb, arguments) = match &block {
        Some(verb) => (Some(verb.clone()), before),
        None => {
            let mut before = before.into_iter();
            match before.next() {
                Some(first) => (Some(first.text(text).to_owned()), before.collect()),
                None => (None, Vec::new()),
            }
        }
    };
    Context {
        block,
        verb,
        arguments,
        current,
        comment,
        replace,
        line_break: if text.contains("\r\n") { "\r\n" } else { "\n" },
    }
}

/// The nearest char boundary at or before `offset`, within the text.
fn clamp_to_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The start and end (before `\r\n` or `\n`) of the line holding `offset`.
fn line_bounds(text: &str, offset: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let start = bytes
        .get(..offset)
        .and_then(|head| head.iter().rposition(|&byte| byte == b'\n'))
        .map_or(0, |newline| newline + 1);
    let end = bytes
        .get(offset..)
        .and_then(|tail| tail.iter().position(|&byte| byte == b'\n'))
        .map_or(text.len(), |newline| offset + newline);
    (start, end)
}

/// Whether a line in a block closes it, opens one, or neither.
enum BlockMark {
    Open(String),
    Close,
}

/// The verb of the `verb (` block that holds the line starting at `line_start`, if any.
fn enclosing_block(text: &str, line_start: usize) -> Option<String> {
    let mut end = line_start.checked_sub(1)?;
    loop {
        let (start, _) = line_bounds(text, end);
        match block_mark(text, start..end) {
            Some(BlockMark::Open(verb)) => return Some(verb),
            Some(BlockMark::Close) => return None,
            None => {}
        }
        end = start.checked_sub(1)?;
    }
}

fn block_mark(text: &str, line: Range<usize>) -> Option<BlockMark> {
    let line_text = text.get(line.clone())?;
    let trimmed = line_text.trim_start_matches([' ', '\t', '\r']);
    if trimmed.starts_with(')') {
        return Some(BlockMark::Close);
    }
    if !line_text.contains('(') {
        return None;
    }
    let tokens: Vec<Token> = lex_line(text, line)
        .into_iter()
        .filter(|token| token.kind != TokenKind::Comment)
        .collect();
    match tokens.as_slice() {
        [verb, open] if verb.kind == TokenKind::Word && open.text(text) == "(" => {
            Some(BlockMark::Open(verb.text(text).to_owned()))
        }
        // A block after a verb with arguments has no typed lines; nothing completes there.
        [.., open] if tokens.len() > 2 && open.text(text) == "(" => {
            Some(BlockMark::Open(String::new()))
        }
        _ => None,
    }
}

/// The tokens of one line (`range` excludes the line break), as go's lexer cuts them; a string
/// left open at the end of the line ends there.
pub(crate) fn lex_line(text: &str, range: Range<usize>) -> Vec<Token> {
    let Some(line) = text.get(range.clone()) else {
        return Vec::new();
    };
    let base = range.start;
    let mut tokens = Vec::new();
    let mut characters = line.char_indices().peekable();
    while let Some(&(at, character)) = characters.peek() {
        let rest = line.get(at..).unwrap_or("");
        if character == ' ' || character == '\t' || character == '\r' {
            characters.next();
            continue;
        }
        if rest.starts_with("//") {
            let end = line.trim_end_matches('\r').len().max(at);
            tokens.push(token(base, at..end, TokenKind::Comment));
            break;
        }
        if "()[]{},".contains(character) {
            characters.next();
            tokens.push(token(base, at..at + 1, TokenKind::Punctuation));
            continue;
        }
        if character == '"' || character == '`' {
            characters.next();
            let mut end = line.len();
            let mut escaped = false;
            for (inside, next) in characters.by_ref() {
                if character == '"' && escaped {
                    escaped = false;
                    continue;
                }
                if character == '"' && next == '\\' {
                    escaped = true;
                    continue;
                }
                if next == character {
                    end = inside + next.len_utf8();
                    break;
                }
            }
            tokens.push(token(base, at..end, TokenKind::String));
            continue;
        }
        let mut end = at;
        while let Some(&(inside, next)) = characters.peek() {
            let tail = line.get(inside..).unwrap_or("");
            if next.is_whitespace()
                || "()[]{},".contains(next)
                || next.is_control()
                || tail.starts_with("//")
                || tail.starts_with("/*")
            {
                break;
            }
            end = inside + next.len_utf8();
            characters.next();
        }
        if end == at {
            // A character no token starts with (a control character, `/*`): skip it.
            characters.next();
            continue;
        }
        tokens.push(token(base, at..end, TokenKind::Word));
    }
    tokens
}

fn token(base: usize, range: Range<usize>, kind: TokenKind) -> Token {
    Token {
        range: base + range.start..base + range.end,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(fixture: &str) -> String {
        let offset = fixture.find("$0").unwrap();
        let text = fixture.replace("$0", "");
        let found = context(&text, offset);
        let arguments: Vec<&str> = found
            .arguments
            .iter()
            .map(|token| token.text(&text))
            .collect();
        format!(
            "block={:?} verb={:?} arguments={arguments:?} current={:?} comment={:?} replace={:?}",
            found.block,
            found.verb,
            found.current.as_ref().map(|token| token.text(&text)),
            found.comment.as_ref().map(|token| token.text(&text)),
            text.get(found.replace.clone()).unwrap(),
        )
    }

    #[test]
    fn statement_positions() {
        let cases = [
            (
                "$0",
                r#"block=None verb=None arguments=[] current=None comment=None replace="""#,
            ),
            (
                "mod$0ule x\n",
                r#"block=None verb=None arguments=[] current=Some("module") comment=None replace="module""#,
            ),
            (
                "require $0\n",
                r#"block=None verb=Some("require") arguments=[] current=None comment=None replace="""#,
            ),
            (
                "require (\n\tgolang.org/x/te$0\n",
                r#"block=Some("require") verb=Some("require") arguments=[] current=Some("golang.org/x/te") comment=None replace="golang.org/x/te""#,
            ),
            (
                "require (\n\ta v1$0\n)\n",
                r#"block=Some("require") verb=Some("require") arguments=["a"] current=Some("v1") comment=None replace="v1""#,
            ),
            (
                "require (\n\ta v1\n)\n$0",
                r#"block=None verb=None arguments=[] current=None comment=None replace="""#,
            ),
            (
                "require (\r\n\t\"é/😀\" $0\r\n)\r\n",
                r#"block=Some("require") verb=Some("require") arguments=["\"é/😀\""] current=None comment=None replace="""#,
            ),
            (
                "require a v1.0.0 // ind$0\n",
                r#"block=None verb=Some("require") arguments=["a", "v1.0.0"] current=None comment=Some("// ind") replace="""#,
            ),
            (
                "require a v1.0.0 /$0\n",
                r#"block=None verb=Some("require") arguments=["a", "v1.0.0"] current=Some("/") comment=None replace="/""#,
            ),
            (
                "retract [v1.0.0, $0\n",
                r#"block=None verb=Some("retract") arguments=["[", "v1.0.0", ","] current=None comment=None replace="""#,
            ),
            (
                "retract [$0v1.0.0]\n",
                r#"block=None verb=Some("retract") arguments=["["] current=Some("v1.0.0") comment=None replace="v1.0.0""#,
            ),
            (
                "require x (\n\t$0\n",
                r#"block=Some("") verb=Some("") arguments=[] current=None comment=None replace="""#,
            ),
            (
                "godebug (\n\t// c (\n\tpanicnil=$0\n",
                r#"block=Some("godebug") verb=Some("godebug") arguments=[] current=Some("panicnil=") comment=None replace="panicnil=""#,
            ),
        ];
        for (fixture, expected) in cases {
            assert_eq!(render(fixture), expected, "{fixture:?}");
        }
    }

    #[test]
    fn lexing_like_go() {
        let text = "a//b c/*d \"x\\\"y\" `r` (,) é";
        let tokens: Vec<(&str, TokenKind)> = lex_line(text, 0..text.len())
            .iter()
            .map(|token| (token.text(text), token.kind))
            .collect();
        assert_eq!(
            tokens,
            [
                ("a", TokenKind::Word),
                ("//b c/*d \"x\\\"y\" `r` (,) é", TokenKind::Comment)
            ]
        );
        let text = "c/*d \"x\\\"y\" `r` (,) é\r";
        let tokens: Vec<&str> = lex_line(text, 0..text.len())
            .iter()
            .map(|token| token.text(text))
            .collect();
        // Go stops at `/*` with an error; the scan skips the slash and goes on.
        assert_eq!(tokens, ["c", "*d", "\"x\\\"y\"", "`r`", "(", ",", ")", "é"]);
    }
}
