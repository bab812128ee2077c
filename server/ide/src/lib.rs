//! Editor features as pure, synchronous functions over an immutable snapshot.
//!
//! Invariants: no network, no LSP types, no I/O. Module facts arrive as plain values computed by
//! the lsp crate from `gomodls-modfetch`; this crate never sees the fetching layer.
//!
//! Every feature is one function over a [`Document`] (kind, text and tree, borrowed) plus the
//! plain values it needs. Positions are byte offsets of the document's text; the lsp crate
//! converts them. Broken input is data: features answer what they can and never fail.

pub mod actions;
pub mod completion;
pub mod definition;
mod document;
pub mod facts;
pub mod facts_hover;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod links;
pub mod module_diagnostics;
pub mod selection;
pub mod semantic_tokens;
pub mod symbols;

pub use definition::{Definition, DefinitionTarget, definition};
pub use document::Document;
pub use folding::{Fold, FoldKind, folding_ranges};
pub use formatting::{TextEdit, format, format_range};
pub use hover::{HoverText, hover};
pub use links::{Link, LinkConfig, LinkTarget, document_links};
pub use selection::selection_ranges;
pub use semantic_tokens::{
    SemanticFacts, SemanticToken, TokenModifier, TokenType, semantic_tokens,
};
pub use symbols::{Symbol, SymbolKind, document_symbols};
