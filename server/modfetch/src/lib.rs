//! The outside world: go env resolution, the GOPROXY client, caches, the checksum database and
//! hashing.
//!
//! Invariants: async, no LSP types. Every request is routed exactly as the go command would route
//! it; a module that GOPRIVATE/GONOPROXY excludes is never sent to a proxy it is excluded from.

pub mod auth;
pub mod cache;
mod casefold;
pub mod client;
mod compat;
pub mod dirhash;
pub mod env;
pub mod error;
pub mod facts;
mod first_connect;
pub mod gosum_verify;
pub mod http;
mod http_proxy;
pub mod modzip;
mod no_such_host;
pub mod query;
pub mod retractions;
mod roots;
pub mod routing;
pub mod sumdb;
mod tls_words;
mod zipdir;

pub use cache::CacheConfig;
pub use client::{ClientError, DataSource, Fetched, Freshness, ModuleClient, RevInfo, VersionList};
pub use env::{EnvSource, EnvValue, GoEnv};
pub use error::{FetchError, QueryError};
pub use facts::{MajorLatest, ModuleFacts, NewerMajor};
pub use http::HttpConfig;
pub use query::{QueryOptions, Resolved};

/// Locks a mutex whose data stays usable after a panic elsewhere (the maps and counters it guards
/// are never left half-changed).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
