//! A real module proxy for tests: a fixture model of modules and versions, its GOPROXY file
//! layout (in memory or on disk), and [`TestProxy`], an HTTP/1.1 server on 127.0.0.1 with a
//! request log and fault injection.
//!
//! ```no_run
//! use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};
//!
//! let fixture = Fixture::new().with(
//!     FixtureVersion::new("example.com/hello", "v1.0.0")
//!         .go_mod("module example.com/hello\n\ngo 1.21\n")
//!         .file("hello.go", "package hello\n"),
//! );
//! let proxy = TestProxy::start(fixture)?;
//! proxy.inject(FaultRule::under("/example.com/hello/@v/list", Fault::Status(503)).times(1));
//! // GOPROXY = proxy.url()
//! # Ok::<(), gomodls_test_utils::proxy::ProxyError>(())
//! ```

pub mod escape;
mod fault;
mod fixture;
mod layout;
mod server;
mod socks;
pub mod txtar;
mod version;

pub use fault::{Fault, FaultId, FaultRule};
pub use fixture::{Fixture, FixtureModule, FixtureVersion, LatestEndpoint, VersionFlags};
pub use layout::{LayoutError, ProxyLayout, build_proxy_dir, info_json, module_zip, proxy_layout};
pub use server::{
    MountHandler, MountResponse, ProxyError, ProxySource, RequestRecord, TUNNELLED_HOST, TestProxy,
};
pub(crate) use server::{TlsFiles, tls_setup};
pub use socks::{SocksConnect, SocksProxy, SocksReply};
pub use txtar::FixtureTextError;
