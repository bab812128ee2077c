//! Test support: fixtures with `$0` cursor markers, fake module data, and a real module proxy
//! served over HTTP on 127.0.0.1.

pub mod go;
pub mod machine;
pub mod mutants;
pub mod proxy;
pub mod sumdb_server;
