//! The go command's lexer and statement parser for go.mod and go.work files, reproduced exactly:
//! the same tokens, the same lines and blocks, the same comment attachment, and the same first
//! lexical or syntax error with go's position and message.
//!
//! The parser reads one token ahead, like go's: a lexical error in the token after the current one
//! is reported before anything the parser would have said about the current one. Comments that
//! stand alone on a line are statements of the parser; comments that follow code are collected by
//! the lexer and attached afterwards to the node that ends before them on their line.

use std::ops::Range;

use super::ast::{
    Comment, CommentBlock, Comments, FileSyntax, Line, LineBlock, Paren, Position, Statement,
    SyntaxError, Token,
};
use crate::quote;

/// The kind of a raw token of the modfile lexer, as [`tokens`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A line break (`\n`; a CR before it is skipped as white space).
    Newline,
    /// A `//` comment, standing alone on its line or following code.
    Comment,
    /// A word: a run of printable, non-space characters other than `()[]{},`.
    Ident,
    /// An interpreted (`"…"`) or raw (`` `…` ``) string literal, quotes included.
    String,
    /// One of the one-byte punctuation tokens `( ) [ ] { } ,`.
    Punctuation(u8),
}

/// Parses `text` exactly as go's `modfile` parser structures it (before any directive rule).
///
/// `file_name` only appears in the message of an unterminated block, which names the file the way
/// go does (`syntax error (unterminated block started at FILE:L:C)`).
pub fn read(text: &[u8], file_name: &str) -> Result<FileSyntax, SyntaxError> {
    let mut parser = Parser::new(text, file_name)?;
    let statements = parser.parse_file()?;
    let mut file = FileSyntax {
        comments: Comments::default(),
        statements,
    };
    let suffix_comments = std::mem::take(&mut parser.lexer.suffix_comments);
    assign_suffix_comments(&mut file, suffix_comments);
    Ok(file)
}

/// The raw tokens of `text` as go's lexer cuts them, comments and line breaks included, up to the
/// end of the file or the first lexical error (the erroneous token is not included).
///
/// A comment's range ends before its line break (and before a CR directly preceding it), which is
/// the text go keeps for the comment.
pub fn tokens(text: &[u8]) -> Vec<(Range<usize>, TokenKind)> {
    let mut lexer = Lexer::new(text);
    let mut found = Vec::new();
    while lexer.read_token().is_ok() {
        let lexeme = &lexer.lookahead;
        let kind = match lexeme.kind {
            Kind::Eof => break,
            Kind::Comment | Kind::EolComment => TokenKind::Comment,
            Kind::Ident => TokenKind::Ident,
            Kind::String => TokenKind::String,
            Kind::Punct(b'\n') => TokenKind::Newline,
            Kind::Punct(byte) => TokenKind::Punctuation(byte),
        };
        found.push((lexeme.text.clone(), kind));
    }
    found
}

impl SyntaxError {
    /// The error as go prints it: `FILE:LINE:COL: message`, without the column when it is 1 (go
    /// omits a column of 1), without the line when there is none.
    pub fn go_message(&self, file_name: &str) -> String {
        if self.pos.column > 1 {
            format!(
                "{file_name}:{}:{}: {}",
                self.pos.line, self.pos.column, self.message
            )
        } else if self.pos.line > 0 {
            format!("{file_name}:{}: {}", self.pos.line, self.message)
        } else {
            format!("{file_name}: {}", self.message)
        }
    }
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenKind::Newline => f.write_str("newline"),
            TokenKind::Comment => f.write_str("comment"),
            TokenKind::Ident => f.write_str("word"),
            TokenKind::String => f.write_str("string"),
            TokenKind::Punctuation(byte) => write!(f, "'{}'", char::from(*byte)),
        }
    }
}

/// Text of the source as a Rust string: valid UTF-8 as it is, each invalid byte as one U+FFFD
/// (the rune go sees for it).
pub(crate) fn go_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => quote::decode(bytes).map(quote::Decoded::rune).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// The lexer.

const SLASH_STAR_ERROR: &str = "mod files must use // comments (not /* */ comments)";

/// The kind of a lexeme, as the parser distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Eof,
    /// A comment that follows code on its line.
    EolComment,
    Ident,
    String,
    /// A comment alone on its line.
    Comment,
    /// A line break or one-byte punctuation.
    Punct(u8),
}

impl Kind {
    /// Whether the lexeme ends a line: a line break, a comment after code, or the end of the file.
    fn is_eol(self) -> bool {
        matches!(self, Kind::Eof | Kind::EolComment | Kind::Punct(b'\n'))
    }
}

/// A lexeme: its kind, where it starts and ends, and its bytes (for a comment, without the line
/// break that ends it).
#[derive(Debug, Clone)]
struct Lexeme {
    kind: Kind,
    pos: Position,
    end: Position,
    text: Range<usize>,
}

struct Lexer<'a> {
    text: &'a [u8],
    pos: Position,
    /// The byte offset where the current line starts.
    line_start: usize,
    /// The next token, read ahead.
    lookahead: Lexeme,
    /// The comments that followed code, in file order.
    suffix_comments: Vec<Comment>,
}

/// Whether `c` can be part of a word: printable, not a space, not one of `()[]{},`.
/// The ASCII bytes that stop the fast scan of a word: punctuation, and `/`, which needs a look at
/// the next byte.
fn is_ascii_separator(byte: u8) -> bool {
    matches!(byte, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b'/')
}

/// Whether `bytes` are all white space for Go's `bytes.TrimSpace`.
fn only_white_space(bytes: &[u8]) -> bool {
    if bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
        return true;
    }
    if bytes
        .iter()
        .any(|b| b.is_ascii() && !b.is_ascii_whitespace() && *b != 0x0b)
    {
        return false;
    }
    quote::decode(bytes).all(|step| quote::is_space(step.rune()))
}

fn is_ident(c: char) -> bool {
    match c {
        ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',' => false,
        '!'..='~' => true,
        _ if c.is_ascii() => false,
        _ => !quote::is_space(c) && quote::is_print(c),
    }
}

impl<'a> Lexer<'a> {
    fn new(text: &'a [u8]) -> Lexer<'a> {
        let start = Position {
            line: 1,
            column: 1,
            byte: 0,
        };
        Lexer {
            text,
            pos: start,
            line_start: 0,
            lookahead: Lexeme {
                kind: Kind::Eof,
                pos: start,
                end: start,
                text: 0..0,
            },
            suffix_comments: Vec::new(),
        }
    }

    fn error(&self, pos: Position, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos,
            message: message.into(),
        }
    }

    fn rest(&self) -> &'a [u8] {
        self.text.get(self.pos.byte..).unwrap_or_default()
    }

    fn peek_byte(&self) -> Option<u8> {
        self.text.get(self.pos.byte).copied()
    }

    fn at_eof(&self) -> bool {
        self.pos.byte >= self.text.len()
    }

    /// The next rune (an invalid byte is U+FFFD) and its width, as go's `utf8.DecodeRune`.
    fn peek_rune(&self) -> Option<(char, usize)> {
        let rest = self.rest();
        match rest.first() {
            None => None,
            Some(&byte) if byte.is_ascii() => Some((char::from(byte), 1)),
            Some(_) => {
                let window = rest.get(..rest.len().min(4)).unwrap_or(rest);
                quote::decode_first(window).map(|(step, width)| (step.rune(), width))
            }
        }
    }

    /// Consumes one rune, keeping the position as go counts it.
    fn read_rune(&mut self) -> Option<char> {
        let (rune, width) = self.peek_rune()?;
        self.pos.byte += width;
        if rune == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
            self.line_start = self.pos.byte;
        } else {
            self.pos.column += 1;
        }
        Some(rune)
    }

    fn has_prefix(&self, prefix: &[u8]) -> bool {
        self.rest().starts_with(prefix)
    }

    fn finish(&mut self, kind: Kind, pos: Position) {
        let mut end_byte = self.pos.byte;
        if matches!(kind, Kind::Comment | Kind::EolComment) {
            let consumed = self.text.get(pos.byte..end_byte).unwrap_or_default();
            if consumed.ends_with(b"\r\n") {
                end_byte -= 2;
            } else if consumed.ends_with(b"\n") {
                end_byte -= 1;
            }
        }
        self.lookahead = Lexeme {
            kind,
            pos,
            end: self.pos,
            text: pos.byte..end_byte,
        };
    }

    /// Reads the next token into `lookahead`.
    fn read_token(&mut self) -> Result<(), SyntaxError> {
        // White space between tokens, and comments.
        while let Some(byte) = self.peek_byte() {
            if matches!(byte, b' ' | b'\t' | b'\r') {
                self.read_rune();
                continue;
            }
            if self.has_prefix(b"//") {
                self.read_comment();
                return Ok(());
            }
            if self.has_prefix(b"/*") {
                return Err(self.error(self.pos, SLASH_STAR_ERROR));
            }
            break;
        }

        let start = self.pos;
        let Some((first, _)) = self.peek_rune() else {
            self.finish(Kind::Eof, start);
            return Ok(());
        };
        match first {
            '\n' | '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                self.read_rune();
                // The match arm only admits ASCII.
                self.finish(Kind::Punct(first as u8), start);
                Ok(())
            }
            '"' | '`' => self.read_string(first, start),
            _ => {
                if !is_ident(first) {
                    return Err(self.error(
                        start,
                        format!("unexpected input character {}", quote::quote_rune(first)),
                    ));
                }
                self.read_ident(start)
            }
        }
    }

    /// Reads a comment from its `//` to the end of its line, line break included.
    fn read_comment(&mut self) {
        let start = self.pos;
        // Whole-line when only white space precedes it on its line.
        let before = self
            .text
            .get(self.line_start..start.byte)
            .unwrap_or_default();
        let suffix = !only_white_space(before);
        let rest = self.rest();
        let (body, newline) = match rest.iter().position(|&b| b == b'\n') {
            Some(at) => (rest.get(..at).unwrap_or_default(), true),
            None => (rest, false),
        };
        let runes = if body.is_ascii() {
            body.len()
        } else {
            quote::decode(body).count()
        };
        self.pos.byte += body.len();
        self.pos.column += u32::try_from(runes).unwrap_or(u32::MAX);
        if newline {
            self.read_rune();
        }
        if suffix {
            self.finish(Kind::EolComment, start);
            let text = self
                .text
                .get(self.lookahead.text.clone())
                .unwrap_or_default();
            self.suffix_comments.push(Comment {
                start,
                token: go_text(text),
                suffix: true,
            });
        } else {
            self.finish(Kind::Comment, start);
        }
    }

    /// Reads a string literal; a backslash in an interpreted string skips the next rune, even a
    /// line break.
    fn read_string(&mut self, quote_char: char, start: Position) -> Result<(), SyntaxError> {
        self.read_rune();
        loop {
            let Some((next, _)) = self.peek_rune() else {
                return Err(self.error(start, "unexpected EOF in string"));
            };
            if next == '\n' {
                return Err(self.error(self.pos, "unexpected newline in string"));
            }
            self.read_rune();
            if next == quote_char {
                break;
            }
            if next == '\\' && quote_char != '`' {
                if self.at_eof() {
                    return Err(self.error(start, "unexpected EOF in string"));
                }
                self.read_rune();
            }
        }
        self.finish(Kind::String, start);
        Ok(())
    }

    /// Reads a word, which ends before `//`; `/*` inside it is an error.
    fn read_ident(&mut self, start: Position) -> Result<(), SyntaxError> {
        loop {
            // The common case first: a run of ASCII word bytes other than `/`.
            let run = self
                .rest()
                .iter()
                .take_while(|&&b| matches!(b, b'!'..=b'~') && !is_ascii_separator(b))
                .count();
            self.pos.byte += run;
            self.pos.column += u32::try_from(run).unwrap_or(u32::MAX);
            let Some((next, width)) = self.peek_rune() else {
                break;
            };
            if !is_ident(next) {
                break;
            }
            if next == '/' {
                if self.has_prefix(b"//") {
                    break;
                }
                if self.has_prefix(b"/*") {
                    return Err(self.error(self.pos, SLASH_STAR_ERROR));
                }
            }
            // Inlined read_rune: a word never contains a line break.
            self.pos.byte += width;
            self.pos.column += 1;
        }
        self.finish(Kind::Ident, start);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The parser.

struct Parser<'a> {
    lexer: Lexer<'a>,
    file_name: &'a str,
}

impl<'a> Parser<'a> {
    fn new(text: &'a [u8], file_name: &'a str) -> Result<Parser<'a>, SyntaxError> {
        let mut lexer = Lexer::new(text);
        lexer.read_token()?;
        Ok(Parser { lexer, file_name })
    }

    fn peek(&self) -> Kind {
        self.lexer.lookahead.kind
    }

    /// Returns the current token and reads the next one.
    fn lex(&mut self) -> Result<Lexeme, SyntaxError> {
        let current = self.lexer.lookahead.clone();
        self.lexer.read_token()?;
        Ok(current)
    }

    fn token(&self, lexeme: &Lexeme) -> Token {
        let text = self.lexer.text.get(lexeme.text.clone()).unwrap_or_default();
        Token {
            text: go_text(text),
            range: lexeme.text.clone(),
        }
    }

    fn whole_line_comment(&self, lexeme: &Lexeme) -> Comment {
        let text = self.lexer.text.get(lexeme.text.clone()).unwrap_or_default();
        Comment {
            start: lexeme.pos,
            token: go_text(text),
            suffix: false,
        }
    }

    /// An error at the lexer's position (just after the token read ahead), as go reports the
    /// errors of its parser.
    fn error_here(&self, message: String) -> SyntaxError {
        self.lexer.error(self.lexer.pos, message)
    }

    fn parse_file(&mut self) -> Result<Vec<Statement>, SyntaxError> {
        let mut statements = Vec::new();
        let mut pending: Option<CommentBlock> = None;
        loop {
            match self.peek() {
                Kind::Punct(b'\n') => {
                    self.lex()?;
                    if let Some(block) = pending.take() {
                        statements.push(Statement::Comments(block));
                    }
                }
                Kind::Comment => {
                    let lexeme = self.lex()?;
                    let comment = self.whole_line_comment(&lexeme);
                    pending
                        .get_or_insert_with(|| CommentBlock {
                            comments: Comments::default(),
                            start: lexeme.pos,
                        })
                        .comments
                        .before
                        .push(comment);
                }
                Kind::Eof => {
                    if let Some(block) = pending.take() {
                        statements.push(Statement::Comments(block));
                    }
                    return Ok(statements);
                }
                _ => {
                    let mut statement = self.parse_statement()?;
                    if let Some(block) = pending.take() {
                        statement_comments_mut(&mut statement).before = block.comments.before;
                    }
                    statements.push(statement);
                }
            }
        }
    }

    fn parse_statement(&mut self) -> Result<Statement, SyntaxError> {
        let first = self.lex()?;
        let start = first.pos;
        let mut end = first.end;
        let mut tokens = Vec::with_capacity(4);
        tokens.push(self.token(&first));
        loop {
            let lexeme = self.lex()?;
            if lexeme.kind.is_eol() {
                return Ok(Statement::Line(Line {
                    comments: Comments::default(),
                    start,
                    tokens,
                    end,
                    in_block: false,
                }));
            }
            if lexeme.kind != Kind::Punct(b'(') {
                tokens.push(self.token(&lexeme));
                end = lexeme.end;
                continue;
            }
            // `(` opens a block only at the end of its line, or as `()` at the end of its line.
            let next = self.peek();
            if next.is_eol() {
                let block = self.parse_line_block(start, tokens, &lexeme)?;
                return Ok(Statement::Block(block));
            }
            if next == Kind::Punct(b')') {
                let rparen = self.lex()?;
                if self.peek().is_eol() {
                    self.lex()?;
                    return Ok(Statement::Block(LineBlock {
                        comments: Comments::default(),
                        start,
                        verb: tokens,
                        lparen: Paren {
                            comments: Comments::default(),
                            pos: lexeme.pos,
                        },
                        lines: Vec::new(),
                        rparen: Paren {
                            comments: Comments::default(),
                            pos: rparen.pos,
                        },
                    }));
                }
                // go does not move the line's end over a `( )` in the middle of a line.
                tokens.push(self.token(&lexeme));
                tokens.push(self.token(&rparen));
            } else {
                // Nor over a `(` in the middle of a line.
                tokens.push(self.token(&lexeme));
            }
        }
    }

    fn parse_line_block(
        &mut self,
        start: Position,
        verb: Vec<Token>,
        lparen: &Lexeme,
    ) -> Result<LineBlock, SyntaxError> {
        let mut block = LineBlock {
            comments: Comments::default(),
            start,
            verb,
            lparen: Paren {
                comments: Comments::default(),
                pos: lparen.pos,
            },
            lines: Vec::new(),
            rparen: Paren::default(),
        };
        let mut comments: Vec<Comment> = Vec::new();
        loop {
            match self.peek() {
                Kind::EolComment => {
                    // Attached later, with the other comments that follow code.
                    self.lex()?;
                }
                Kind::Punct(b'\n') => {
                    let lexeme = self.lex()?;
                    // One marker for a run of blank lines, never before the first line.
                    let wanted = match comments.last() {
                        None => !block.lines.is_empty(),
                        Some(last) => !last.is_blank_line_marker(),
                    };
                    if wanted {
                        comments.push(Comment {
                            start: lexeme.pos,
                            token: String::new(),
                            suffix: false,
                        });
                    }
                }
                Kind::Comment => {
                    let lexeme = self.lex()?;
                    comments.push(self.whole_line_comment(&lexeme));
                }
                Kind::Eof => {
                    return Err(self.error_here(format!(
                        "syntax error (unterminated block started at {}:{}:{})",
                        self.file_name, block.start.line, block.start.column
                    )));
                }
                Kind::Punct(b')') => {
                    let rparen = self.lex()?;
                    // A lone blank-line marker at the end of the block is not kept.
                    if comments.len() == 1 && comments.iter().all(Comment::is_blank_line_marker) {
                        comments.clear();
                    }
                    block.rparen = Paren {
                        comments: Comments {
                            before: comments,
                            ..Comments::default()
                        },
                        pos: rparen.pos,
                    };
                    if !self.peek().is_eol() {
                        return Err(self.error_here(
                            "syntax error (expected newline after closing paren)".to_owned(),
                        ));
                    }
                    self.lex()?;
                    return Ok(block);
                }
                _ => {
                    let mut line = self.parse_block_line()?;
                    line.comments.before = std::mem::take(&mut comments);
                    block.lines.push(line);
                }
            }
        }
    }

    fn parse_block_line(&mut self) -> Result<Line, SyntaxError> {
        let first = self.lex()?;
        let start = first.pos;
        let mut end = first.end;
        let mut tokens = Vec::with_capacity(4);
        tokens.push(self.token(&first));
        loop {
            let lexeme = self.lex()?;
            if lexeme.kind.is_eol() {
                return Ok(Line {
                    comments: Comments::default(),
                    start,
                    tokens,
                    end,
                    in_block: true,
                });
            }
            tokens.push(self.token(&lexeme));
            end = lexeme.end;
        }
    }
}

fn statement_comments_mut(statement: &mut Statement) -> &mut Comments {
    match statement {
        Statement::Comments(block) => &mut block.comments,
        Statement::Line(line) => &mut line.comments,
        Statement::Block(block) => &mut block.comments,
    }
}

// ---------------------------------------------------------------------------------------------
// Attaching comments that follow code.

/// A node that can hold comments, by where it is in the file.
#[derive(Debug, Clone, Copy)]
enum Node {
    Statement(usize),
    LParen(usize),
    BlockLine(usize, usize),
    RParen(usize),
}

/// The position one byte (one rune) after `pos` on the same line: the end of a parenthesis.
fn after_paren(pos: Position) -> Position {
    Position {
        line: pos.line,
        column: pos.column + 1,
        byte: pos.byte + 1,
    }
}

/// Gives each comment that follows code to the innermost node that ends before it and lies on one
/// line, as go does: walking the nodes by decreasing end (outer nodes after their insides), each
/// takes the remaining comments that start at or after its end. The rest go to the file.
fn assign_suffix_comments(file: &mut FileSyntax, mut suffix: Vec<Comment>) {
    if suffix.is_empty() {
        return;
    }
    // The nodes in postorder with their spans.
    let mut postorder: Vec<(Node, Position, Position)> = Vec::new();
    for (index, statement) in file.statements.iter().enumerate() {
        match statement {
            Statement::Comments(block) => {
                postorder.push((Node::Statement(index), block.start, block.start));
            }
            Statement::Line(line) => postorder.push((Node::Statement(index), line.start, line.end)),
            Statement::Block(block) => {
                let lparen = block.lparen.pos;
                postorder.push((Node::LParen(index), lparen, after_paren(lparen)));
                for (line_index, line) in block.lines.iter().enumerate() {
                    postorder.push((Node::BlockLine(index, line_index), line.start, line.end));
                }
                let rparen = block.rparen.pos;
                postorder.push((Node::RParen(index), rparen, after_paren(rparen)));
                postorder.push((Node::Statement(index), block.start, after_paren(rparen)));
            }
        }
    }
    for &(node, start, end) in postorder.iter().rev() {
        if suffix.is_empty() {
            break;
        }
        if start.line != end.line {
            continue;
        }
        let keep = suffix.partition_point(|comment| comment.start.byte < end.byte);
        if keep == suffix.len() {
            continue;
        }
        let taken = suffix.split_off(keep);
        if let Some(comments) = node_comments_mut(file, node) {
            comments.suffix.extend(taken);
        }
    }
    file.comments.before.append(&mut suffix);
}

fn node_comments_mut(file: &mut FileSyntax, node: Node) -> Option<&mut Comments> {
    match node {
        Node::Statement(index) => file.statements.get_mut(index).map(statement_comments_mut),
        Node::LParen(index) => match file.statements.get_mut(index) {
            Some(Statement::Block(block)) => Some(&mut block.lparen.comments),
            _ => None,
        },
        Node::RParen(index) => match file.statements.get_mut(index) {
            Some(Statement::Block(block)) => Some(&mut block.rparen.comments),
            _ => None,
        },
        Node::BlockLine(index, line_index) => match file.statements.get_mut(index) {
            Some(Statement::Block(block)) => block
                .lines
                .get_mut(line_index)
                .map(|line| &mut line.comments),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str) -> String {
        match read(text.as_bytes(), "go.mod") {
            Err(error) => error.go_message("go.mod"),
            Ok(file) => format!("{file:#?}"),
        }
    }

    #[test]
    fn errors_have_go_positions() {
        let cases = [
            (
                "\u{feff}module m\n",
                "go.mod:1: unexpected input character '\\ufeff'",
            ),
            (
                "module m\x0b\n",
                "go.mod:1:9: unexpected input character '\\v'",
            ),
            (
                "module a/*b\n",
                "go.mod:1:9: mod files must use // comments (not /* */ comments)",
            ),
            ("module \"a\n", "go.mod:1:10: unexpected newline in string"),
            ("module \"a", "go.mod:1:8: unexpected EOF in string"),
            ("module \"a\\", "go.mod:1:8: unexpected EOF in string"),
            (
                "require (\n\tx v1\n",
                "go.mod:3: syntax error (unterminated block started at go.mod:1:1)",
            ),
            (
                "require (\n) x y\n",
                "go.mod:2:4: syntax error (expected newline after closing paren)",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(summary(input), want, "input {input:?}");
        }
    }

    #[test]
    fn backslash_newline_stays_in_a_string() {
        let found = tokens(b"module \"a\\\nb\"\n");
        assert_eq!(
            found,
            vec![
                (0..6, TokenKind::Ident),
                (7..13, TokenKind::String),
                (13..14, TokenKind::Newline)
            ]
        );
    }

    #[test]
    fn comments_attach_like_go() {
        let file = read(
            b"// head\nmodule m // m\n\nrequire ( // open\n\ta v1 // a\n\n\t// b\n\tb v1\n// end\n) // close\n",
            "go.mod",
        )
        .unwrap();
        let [Statement::Line(module), Statement::Block(block)] = file.statements.as_slice() else {
            panic!("unexpected shape {file:#?}");
        };
        assert_eq!(module.comments.before[0].token, "// head");
        assert_eq!(module.comments.suffix[0].token, "// m");
        assert_eq!(block.lparen.comments.suffix[0].token, "// open");
        assert_eq!(block.lines[0].comments.suffix[0].token, "// a");
        let before_b: Vec<&str> = block.lines[1]
            .comments
            .before
            .iter()
            .map(|c| c.token.as_str())
            .collect();
        assert_eq!(before_b, ["", "// b"]);
        assert_eq!(block.rparen.comments.before[0].token, "// end");
        assert_eq!(block.rparen.comments.suffix[0].token, "// close");
    }
}
