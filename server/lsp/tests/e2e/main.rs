//! End-to-end tests: the built `gomodls` binary, driven over stdio by the `gomodls-tests` harness.
//!
//! They live in this package (not in `tests/`) because only here does Cargo build the binary
//! first and pass its path as `CARGO_BIN_EXE_gomodls`, so the tests always run the fresh binary.

mod code_actions;
mod command_line;
mod completion;
mod config;
mod diagnostics;
mod documents;
mod encoding;
mod formatting;
mod gosum_integrity;
mod hover;
mod lifecycle;
mod module_actions;
mod module_completion;
mod module_diagnostics;
mod module_facts;
mod module_hover;
mod module_pins;
mod mutants;
mod navigation;
mod proxy_credentials;
mod proxy_editing;
mod publish_times;
mod robustness;
mod semantic_tokens;
mod storm;
mod views;
mod watch;

use gomodls_tests::ServerOptions;

/// Options for the binary under test.
fn options() -> ServerOptions {
    ServerOptions::new(env!("CARGO_BIN_EXE_gomodls"))
}

/// Options for a server whose go environment points at the test proxy `proxy_url`, with its
/// home, user cache and module cache private under `home`, no checksum database and no private
/// modules (tests add or override variables after this).
fn proxy_options(home: &std::path::Path, proxy_url: &str) -> ServerOptions {
    options()
        .env("HOME", &home.display().to_string())
        .env("XDG_CACHE_HOME", &home.join("cache").display().to_string())
        .env("GOMODCACHE", &home.join("gomodcache").display().to_string())
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GONOSUMDB", "")
        .env("GOPRIVATE", "")
        .env("GOSUMDB", "off")
        .env("GOPROXY", proxy_url)
}

/// The path of the binary under test.
fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_gomodls")
}
