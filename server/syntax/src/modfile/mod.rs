//! The go command's own view of go.mod and go.work files, reproduced exactly: its lexer and
//! statement structure (`read`), the meaning of each directive with go's error messages (`rules`),
//! its JSON (`json`) and its formatting (`format`).
//!
//! The tree-sitter tree serves the editor; this module answers every question the go command has an
//! opinion on. Both lex the same bytes the same way (a test compares their token boundaries).

pub mod ast;
pub mod format;
pub mod json;
mod pipeline;
pub mod read;
pub mod rules;
pub mod sort;

pub use pipeline::{format_gomod, format_gowork, json_gomod, json_gowork};
