//! The gomodls language server and command line: the only crate that knows LSP and JSON.
//!
//! Invariants: handlers are thin (convert, call one function, convert back); document changes are
//! applied before a handler's first `.await`; features run on blocking tasks over immutable
//! snapshots, and a panic there becomes an error response; positions are byte offsets inside and
//! converted only at the LSP boundary; stdout carries only the protocol, logs go to stderr.
//!
//! Module map: [`cli`] (the command line), `serve` (runtime and service), `backend` (the
//! handlers), `session` (shared state), `document` (text, line index, tree, version),
//! `dispatch` (running features), `capabilities`, [`config`], `diagnostics`, `watch` (files
//! read from disk), `kind` (file kinds of documents), `errors`, `logging`.

mod backend;
mod capabilities;
pub mod cli;
pub mod config;
mod diagnostics;
mod dispatch;
mod document;
mod errors;
mod kind;
mod logging;
mod serve;
mod session;
mod watch;
