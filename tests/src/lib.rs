//! End-to-end test support: starts the built `gomodls` binary and drives it as an editor would.
