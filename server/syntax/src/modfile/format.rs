//! go's formatting of a go.mod or go.work syntax tree (`modfile.Format`) and its clean-up after
//! edits (`FileSyntax.Cleanup`), reproduced exactly.
//!
//! The printer puts one blank line between top-level statements, one tab per block level, one
//! space between tokens (none after `(` `[` `{` or before `,` `)` `]` `}`), comments trimmed, the
//! comments before a block's `)` at column 1 (a quirk of go's), no trailing white space, and one
//! final line break; an empty file prints as nothing.

use super::ast::{Comment, Comments, FileSyntax, Line, Statement};
use crate::quote;

impl Line {
    /// Marks the line for removal by [`cleanup`], as go's `markRemoved` does: the tokens and the
    /// comment after the line go; the comments before it stay until the clean-up.
    pub fn mark_removed(&mut self) {
        self.tokens.clear();
        self.comments.suffix.clear();
    }

    /// Whether the line is marked for removal (it has no tokens; a parsed line always has one).
    pub fn is_removed(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Formats `file` exactly as go's `modfile.Format` does.
pub fn print(file: &FileSyntax) -> String {
    let mut printer = Printer {
        out: String::new(),
        pending: Vec::new(),
        margin: 0,
    };
    printer.file(file);
    let mut out = printer.out;
    // Remove trailing blank lines, keeping one final line break.
    while out.ends_with('\n') && (out.len() == 1 || out.ends_with("\n\n")) {
        out.pop();
    }
    out
}

/// Cleans up `file` after edits, as go's `FileSyntax.Cleanup` does: drops the lines marked with
/// [`Line::mark_removed`], deletes blocks left without lines, and turns a block with one line and
/// no comments before its `)` into a single-line statement.
///
/// In that collapse the line keeps the block's comments before it and after it, but a comment
/// after the block's `(` is lost, as in go. The new line starts where the block did and ends
/// where its line did (go leaves these positions zero; nothing printed depends on them).
pub fn cleanup(file: &mut FileSyntax) {
    let statements = std::mem::take(&mut file.statements);
    for statement in statements {
        match statement {
            Statement::Line(line) if line.is_removed() => {}
            Statement::Block(mut block) => {
                block.lines.retain(|line| !line.is_removed());
                if block.lines.is_empty() {
                    continue;
                }
                if block.lines.len() > 1 || !block.rparen.comments.before.is_empty() {
                    file.statements.push(Statement::Block(block));
                    continue;
                }
                let Some(line) = block.lines.pop() else {
                    continue;
                };
                let comments = Comments {
                    before: joined(block.comments.before, line.comments.before),
                    suffix: joined(line.comments.suffix, block.comments.suffix),
                    after: joined(line.comments.after, block.comments.after),
                };
                let mut tokens = block.verb;
                tokens.extend(line.tokens);
                file.statements.push(Statement::Line(Line {
                    comments,
                    start: block.start,
                    tokens,
                    end: line.end,
                    in_block: false,
                }));
            }
            other => file.statements.push(other),
        }
    }
}

fn joined(mut first: Vec<Comment>, second: Vec<Comment>) -> Vec<Comment> {
    first.extend(second);
    first
}

/// A comment's text as go prints it: without surrounding white space (Go's `strings.TrimSpace`).
fn trimmed(comment: &Comment) -> &str {
    comment.token.trim_matches(quote::is_space)
}

struct Printer<'a> {
    out: String,
    /// Comments to print at the end of the current line.
    pending: Vec<&'a Comment>,
    /// The indentation, in tabs.
    margin: usize,
}

/// Something the printer can print: the parts of a file that hold comments.
#[derive(Clone, Copy)]
enum Expr<'a> {
    CommentBlock(&'a Comments),
    Line(&'a Line),
    Block(&'a super::ast::LineBlock),
    LParen(&'a Comments),
    RParen(&'a Comments),
}

impl<'a> Expr<'a> {
    fn comments(self) -> &'a Comments {
        match self {
            Expr::CommentBlock(comments) | Expr::LParen(comments) | Expr::RParen(comments) => {
                comments
            }
            Expr::Line(line) => &line.comments,
            Expr::Block(block) => &block.comments,
        }
    }
}

impl<'a> Printer<'a> {
    fn indent_to_margin(&mut self) {
        for _ in 0..self.margin {
            self.out.push('\t');
        }
    }

    /// Removes the spaces and tabs at the end of the current line.
    fn trim(&mut self) {
        let kept = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(kept);
    }

    /// The column on the current line, in bytes, counted from 0.
    fn column(&self) -> usize {
        match self.out.rfind('\n') {
            Some(at) => self.out.len() - at - 1,
            None => self.out.len(),
        }
    }

    /// Ends the current line: prints the pending comments, then a line break unless the output is
    /// empty or already ends with a blank line, then the indentation.
    fn newline(&mut self) {
        if !self.pending.is_empty() {
            self.out.push(' ');
            let pending = std::mem::take(&mut self.pending);
            for (index, comment) in pending.into_iter().enumerate() {
                if index > 0 {
                    self.trim();
                    self.out.push('\n');
                    self.indent_to_margin();
                }
                self.out.push_str(trimmed(comment));
            }
        }
        self.trim();
        if !(self.out.is_empty() || self.out.ends_with("\n\n")) {
            self.out.push('\n');
        }
        self.indent_to_margin();
    }

    fn file(&mut self, file: &'a FileSyntax) {
        for comment in &file.comments.before {
            self.out.push_str(trimmed(comment));
            self.newline();
        }
        let count = file.statements.len();
        for (index, statement) in file.statements.iter().enumerate() {
            let expr = match statement {
                Statement::Comments(block) => Expr::CommentBlock(&block.comments),
                Statement::Line(line) => Expr::Line(line),
                Statement::Block(block) => Expr::Block(block),
            };
            self.expr(expr);
            if !matches!(statement, Statement::Comments(_)) {
                self.newline();
            }
            for comment in &expr.comments().after {
                self.out.push_str(trimmed(comment));
                self.newline();
            }
            if index + 1 < count {
                self.newline();
            }
        }
    }

    fn expr(&mut self, expr: Expr<'a>) {
        let comments = expr.comments();
        if !comments.before.is_empty() {
            // Whole-line comments go on their own lines at the margin.
            self.trim();
            if self.column() > 0 {
                self.out.push('\n');
            }
            self.indent_to_margin();
            for comment in &comments.before {
                self.out.push_str(trimmed(comment));
                self.newline();
            }
        }

        match expr {
            Expr::CommentBlock(_) => {}
            Expr::LParen(_) => self.out.push('('),
            Expr::RParen(_) => self.out.push(')'),
            Expr::Line(line) => self.tokens(line.tokens.iter().map(|token| token.text.as_str())),
            Expr::Block(block) => {
                self.tokens(block.verb.iter().map(|token| token.text.as_str()));
                self.out.push(' ');
                self.expr(Expr::LParen(&block.lparen.comments));
                self.margin += 1;
                for line in &block.lines {
                    self.newline();
                    self.expr(Expr::Line(line));
                }
                self.margin -= 1;
                self.newline();
                // The margin is already back to zero here: go prints the comments before `)` at
                // column 1.
                self.expr(Expr::RParen(&block.rparen.comments));
            }
        }

        self.pending.extend(comments.suffix.iter());
    }

    fn tokens<'t>(&mut self, tokens: impl Iterator<Item = &'t str>) {
        let mut separator = "";
        for token in tokens {
            if matches!(token, "," | ")" | "]" | "}") {
                separator = "";
            }
            self.out.push_str(separator);
            self.out.push_str(token);
            separator = if matches!(token, "(" | "[" | "{") {
                ""
            } else {
                " "
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modfile::read::read;

    fn format(text: &str) -> String {
        print(&read(text.as_bytes(), "go.mod").unwrap())
    }

    #[test]
    fn blank_lines_between_statements() {
        assert_eq!(
            format("module m\nrequire a v1\n\n\n\nrequire b v1\n\n"),
            "module m\n\nrequire a v1\n\nrequire b v1\n"
        );
        assert_eq!(format(""), "");
        assert_eq!(format("\n\n"), "");
    }

    #[test]
    fn rparen_comments_at_column_one() {
        assert_eq!(
            format("require (\n  a v1   // x  \n\n\n  // keep\n)\n"),
            "require (\n\ta v1 // x\n\n// keep\n)\n"
        );
    }

    #[test]
    fn punctuation_spacing() {
        assert_eq!(
            format("retract [ v1 , v2 ]   // why\n"),
            "retract [v1, v2] // why\n"
        );
    }

    #[test]
    fn cleanup_collapses_and_drops() {
        let mut file = read(
            b"// before\nrequire ( // lost\n\ta v1 // a\n) // after\n\nrequire (\n)\n\nexclude (\n\tb v1\n\tc v1\n)\n",
            "go.mod",
        )
        .unwrap();
        if let Some(Statement::Block(block)) = file.statements.get_mut(2) {
            block.lines[1].mark_removed();
        }
        cleanup(&mut file);
        assert_eq!(
            print(&file),
            "// before\nrequire a v1 // a\n\nexclude b v1\n"
        );
    }
}
