//! Parsing, typed views, Go-exact validation and formatting of go.mod, go.work and go.sum files.
//!
//! Invariants: this crate is pure and synchronous (no I/O, no network, no LSP types). Parsing never
//! fails: it returns a tree plus errors. Positions are byte offsets; conversion to editor positions
//! happens only at the LSP boundary (see [`line_index`]).

pub mod check;
pub mod go_version;
pub mod gosum;
pub mod line_index;
pub mod modfile;
pub mod module_path;
pub mod parse;
pub mod pseudo;
pub mod quote;
pub mod semver;
pub mod views;

pub use parse::{FileKind, parse, reparse};
