//! Logging with `tracing` to stderr (stdout carries the protocol), filtered by `GOMODLS_LOG`.

use tracing_subscriber::EnvFilter;

/// The environment variable with the log filter, in `tracing`'s `EnvFilter` syntax (for example
/// `debug` or `gomodls_lsp=trace,tower_lsp_server=debug`).
pub const LOG_VARIABLE: &str = "GOMODLS_LOG";

/// The filter when `GOMODLS_LOG` is unset or invalid.
const DEFAULT_FILTER: &str = "info";

/// Installs the stderr logger once; later calls do nothing.
pub fn init() {
    let filter =
        EnvFilter::try_from_env(LOG_VARIABLE).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _already_installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
