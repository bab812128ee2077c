//! The statement structure of a go.mod or go.work file as the go command sees it: lines, blocks and
//! comment blocks, with every comment attached where go attaches it.
//!
//! These values are what go's formatter prints and what its directive rules read. Token texts are
//! the bytes as written, except where the rules rewrite them (a quoted path go unquotes, a version
//! go canonicalises), exactly as go rewrites its syntax tree before printing.

use std::ops::Range;

/// A place in the file: 1-based line, 1-based column counted in runes (an invalid UTF-8 byte is one
/// rune, a tab is one rune), and the byte offset, as go reports positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// The 1-based line.
    pub line: u32,
    /// The 1-based column in runes.
    pub column: u32,
    /// The 0-based byte offset.
    pub byte: usize,
}

/// A comment as go keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comment {
    /// Where the comment starts; for a blank-line marker, where the blank line is.
    pub start: Position,
    /// The comment text including its `//`, without the line end. Empty for the marker go puts in a
    /// block where the source had one or more blank lines.
    pub token: String,
    /// Whether the comment follows code on its line.
    pub suffix: bool,
}

impl Comment {
    /// Whether this is go's blank-line marker rather than a comment.
    pub fn is_blank_line_marker(&self) -> bool {
        self.token.is_empty()
    }
}

/// The comments attached to a node.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comments {
    /// Whole-line comments (and blank-line markers) before the node.
    pub before: Vec<Comment>,
    /// Comments after the node on its line.
    pub suffix: Vec<Comment>,
    /// Whole-line comments after the node (only the file's own comments use this).
    pub after: Vec<Comment>,
}

/// A token of a line: its text and where it is in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token text; the rules may replace it with go's rewritten form.
    pub text: String,
    /// The bytes of the source this token came from.
    pub range: Range<usize>,
}

/// A single line of tokens: a directive at the top level or a line inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The comments of this line.
    pub comments: Comments,
    /// Where the line's first token starts.
    pub start: Position,
    /// The tokens. Inside a block, these do not include the block's verb.
    pub tokens: Vec<Token>,
    /// Where the line's last token ends.
    pub end: Position,
    /// Whether the line is inside a block.
    pub in_block: bool,
}

/// A block: `verb (`, lines, `)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineBlock {
    /// The comments of the block as a whole.
    pub comments: Comments,
    /// Where the block's first token starts.
    pub start: Position,
    /// The tokens before `(`: normally just the verb.
    pub verb: Vec<Token>,
    /// The `(` and its suffix comment.
    pub lparen: Paren,
    /// The lines of the block.
    pub lines: Vec<Line>,
    /// The `)` and the comments before it.
    pub rparen: Paren,
}

/// A parenthesis of a block, a place for comments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paren {
    /// Comments before (for `)`) or after (for `(`) the parenthesis.
    pub comments: Comments,
    /// Where the parenthesis is.
    pub pos: Position,
}

/// A run of whole-line comments standing on its own (followed by a blank line or the end of the
/// file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBlock {
    /// The comments, in `before`.
    pub comments: Comments,
    /// Where the first comment starts.
    pub start: Position,
}

/// A top-level statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// A comment block.
    Comments(CommentBlock),
    /// A single-line directive.
    Line(Line),
    /// A block.
    Block(LineBlock),
}

/// A whole file as go's parser structures it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileSyntax {
    /// Comments that belong to no statement.
    pub comments: Comments,
    /// The statements in file order.
    pub statements: Vec<Statement>,
}

/// The first lexical or syntax error, which stops go's parser: its position and go's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where go reports the error.
    pub pos: Position,
    /// go's message, without the `FILE:LINE:COL: ` prefix.
    pub message: String,
}
