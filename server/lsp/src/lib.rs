//! The gomodls language server and command line: the only crate that knows LSP and JSON.
//!
//! Invariants: handlers are thin (convert, call one function, convert back); document changes are
//! applied before a handler's first `.await`; features run on blocking tasks over immutable
//! snapshots, and a panic there becomes an error response; positions are byte offsets inside and
//! converted only at the LSP boundary; stdout carries only the protocol, logs go to stderr.
//!
//! Module map: [`cli`] (the command line), `serve` (runtime and service), `backend` (the
//! handlers), `session` (shared state), `document` (text, line index, tree, version),
//! `dispatch` (running features), `capabilities`, [`config`], `diagnostics`, `features`
//! (symbols, folding and selection ranges, semantic tokens, formatting, links, definition,
//! hover), `watch` (files read from disk), `kind` (file kinds of documents), `errors`,
//! `logging`.
//!
//! Adding a feature: add its provider to `capabilities::server_capabilities`, then a thin
//! handler in `backend` that takes what it needs from the params, runs one `ide` function over a
//! snapshot on a blocking task with `dispatch::on_document`, and converts positions with
//! `Snapshot::offset` (from LSP) and `Snapshot::position`/`Snapshot::range` (to LSP):
//!
//! ```text
//! async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
//!     let at = params.text_document_position_params;
//!     let config = self.session.config().hover.clone();
//!     let hover = on_document(&self.session, &at.text_document.uri, move |snapshot, cancel| {
//!         let offset = snapshot.offset(at.position);
//!         let found = gomodls_ide::hover(&snapshot.text, &snapshot.tree, offset, &config);
//!         Ok(found.map(|found| to_proto::hover(snapshot, found)))
//!     })
//!     .await?;
//!     Ok(hover)
//! }
//! ```
//!
//! `on_document` answers `ContentModified` if the document changed meanwhile, turns a panic
//! into an error response, and hands the feature a `CancelToken` for long loops.

/// `eprintln!` that cannot panic: when standard error is closed or a broken pipe, the line is
/// lost and the program goes on to its exit status.
macro_rules! report {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($argument)*);
    }};
}

mod backend;
mod capabilities;
mod check_command;
pub mod cli;
mod completion;
pub mod config;
mod diagnostics;
mod disk;
mod dispatch;
mod document;
mod env_command;
mod errors;
mod features;
mod fmt_command;
mod gosum_integrity;
mod kind;
mod logging;
mod module_actions;
mod module_data;
mod module_facts;
mod parse_command;
mod prewritten;
mod publish_times;
mod query_command;
mod serve;
mod session;
mod walk;
mod watch;
