//! Editor features as pure, synchronous functions over an immutable snapshot.
//!
//! Invariants: no network, no LSP types, no I/O. Module facts arrive as plain values computed by
//! the lsp crate from `gomodls-modfetch`; this crate never sees the fetching layer.

pub mod completion;
