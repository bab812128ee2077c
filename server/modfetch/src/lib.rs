//! The outside world: go env resolution, the GOPROXY client, caches, the checksum database and
//! hashing.
//!
//! Invariants: async, no LSP types. Every request is routed exactly as the go command would route
//! it; a module that GOPRIVATE/GONOPROXY excludes is never sent to a proxy it is excluded from.
