//! The gomodls language server and command line: the only crate that knows LSP and JSON.
