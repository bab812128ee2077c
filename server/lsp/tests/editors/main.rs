//! Real-client tests: headless Neovim and Emacs (Eglot), configured with the shipped files in
//! `editors/`, drive the freshly built `gomodls` and report what they received; Helix's snippet
//! is checked as TOML against this repository's paths.
//!
//! They live in this package because only here does Cargo build the binary first and hand its
//! path over as `CARGO_BIN_EXE_gomodls`. Each editor is found through `GOMODLS_NVIM` /
//! `GOMODLS_EMACS` or `PATH` (`GOMODLS_EDITORS=1 scripts/install-tools` installs both); a missing
//! editor skips its tests, except under `CI=true` where it fails them.
//!
//! What the editor shows is compared with what the server answers the `gomodls-tests` harness for
//! the same documents, so the tests follow the server's messages as they change. Features the
//! server does not offer yet (by its `initialize` capabilities) are checked to be absent in the
//! editor too; once offered, the editor must show exactly the server's answer.

mod emacs;
mod helix;
mod neovim;
mod support;
