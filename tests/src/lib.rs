//! End-to-end test support: starts the built `gomodls` binary and drives it as an editor would.
//!
//! The end-to-end tests themselves live in `server/lsp/tests/`, where Cargo builds the binary
//! before the tests and hands its path over as `env!("CARGO_BIN_EXE_gomodls")` (a test of another
//! package cannot rely on the binary being built, or being fresh). This crate is the harness:
//!
//! - [`TestServer`] runs the binary and speaks JSON-RPC over its stdio: requests awaited by id,
//!   notifications collected and awaited, server-to-client requests answered automatically
//!   (`workspace/configuration`, `client/registerCapability`, `window/workDoneProgress/create`,
//!   the `workspace/*/refresh` requests) and recorded;
//! - [`fixture`] strips `$0` cursor markers and converts between byte offsets and LSP positions
//!   with its own simple model (independent of the server's line index);
//! - [`edit`] applies LSP content changes to a plain string, the way a client's buffer changes.
//!
//! Every wait has a generous deadline ([`DEFAULT_TIMEOUT`]) so a broken server fails the test
//! instead of hanging it; no test asserts on timing.

pub mod edit;
pub mod fixture;
mod rpc;
mod server;

pub use fixture::{Cursor, Encoding, cursor, offset_of, position_of};
pub use rpc::{Message, ResponseError};
pub use server::{CONTENT_MODIFIED, DEFAULT_TIMEOUT, ServerOptions, TestServer, file_uri};
