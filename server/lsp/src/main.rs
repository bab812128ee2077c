//! The `gomodls` binary: a language server over stdio, and the command line.

fn main() -> std::process::ExitCode {
    // Before anything parses (see the grammar's allocator module).
    gomodls_grammar::allocator::install();
    gomodls_lsp::cli::main()
}
