//! The `gomodls` binary: a language server over stdio, and the command line.

fn main() -> std::process::ExitCode {
    gomodls_lsp::cli::main()
}
