//! Fault injection: rules that change what the proxy answers, per URL path prefix or globally,
//! and that can be added and removed while the proxy runs.

use std::time::Duration;

use bytes::Bytes;

/// One way of misbehaving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long before answering (latencies of all matching rules add up).
    Latency(Duration),
    /// Answer this status code with an empty body.
    Status(u16),
    /// Answer this status code with this reason phrase in the status line instead of the
    /// standard one (as some corporate proxies word a 407), and an empty body.
    StatusWithReason {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// Answer exactly this status, content type and body.
    Respond {
        /// The status code.
        status: u16,
        /// The `Content-Type` header.
        content_type: String,
        /// The body.
        body: Bytes,
    },
    /// Never answer; the connection stays open until the client gives up or the proxy stops.
    Hang,
    /// Send the normal answer, but its body in chunks of `chunk_size` bytes, waiting `interval`
    /// before each chunk.
    SlowBody {
        /// Bytes per chunk (at least one is sent).
        chunk_size: usize,
        /// The wait before each chunk.
        interval: Duration,
    },
    /// Send the normal status and `Content-Length`, but only the first `keep_bytes` bytes of the
    /// body (at most all but one), then abort the connection.
    TruncateBody {
        /// How many body bytes to send.
        keep_bytes: usize,
    },
    /// Answer 200 with these bytes instead of the real content (a `.mod` naming another module,
    /// an invalid `.info`, a corrupt zip).
    ReplaceBody(Bytes),
    /// Answer 200 with a streamed body of this many filler bytes (`Content-Length` set).
    HugeBody {
        /// The body length.
        bytes: u64,
    },
    /// Answer 401 (with `WWW-Authenticate: Basic realm="gomodls-test-proxy"`) unless the request
    /// carries these basic-auth credentials; with them, the request goes on normally.
    RequireBasicAuth {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// Answer `302 Found` with `Location: TO_BASE + request path and query`.
    Redirect {
        /// The URL the request path is appended to (a trailing `/` is dropped).
        to_base: String,
    },
}

impl Fault {
    /// A [`Fault::Respond`] with a `text/plain; charset=utf-8` body.
    pub fn text(status: u16, body: &str) -> Self {
        Fault::Respond {
            status,
            content_type: "text/plain; charset=utf-8".to_owned(),
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    /// A [`Fault::ReplaceBody`].
    pub fn replace_body(body: impl AsRef<[u8]>) -> Self {
        Fault::ReplaceBody(Bytes::copy_from_slice(body.as_ref()))
    }

    /// A [`Fault::RequireBasicAuth`].
    pub fn basic_auth(username: &str, password: &str) -> Self {
        Fault::RequireBasicAuth {
            username: username.to_owned(),
            password: password.to_owned(),
        }
    }

    /// A [`Fault::Redirect`].
    pub fn redirect(to_base: &str) -> Self {
        Fault::Redirect {
            to_base: to_base.to_owned(),
        }
    }
}

/// A fault and where and how often it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The percent-decoded URL path prefix it applies to (`/` or empty: everywhere). Module
    /// paths in URLs are `!`-escaped: use [`crate::proxy::escape::module_prefix`] and friends.
    pub prefix: String,
    /// What happens.
    pub fault: Fault,
    /// How many more matching requests it applies to; `None` is forever.
    pub times: Option<usize>,
}

impl FaultRule {
    /// A rule for every request.
    pub fn everywhere(fault: Fault) -> Self {
        Self {
            prefix: String::new(),
            fault,
            times: None,
        }
    }

    /// A rule for requests whose path starts with `prefix`.
    pub fn under(prefix: &str, fault: Fault) -> Self {
        Self {
            prefix: prefix.to_owned(),
            fault,
            times: None,
        }
    }

    /// Limits the rule to the next `count` matching requests.
    #[must_use]
    pub fn times(mut self, count: usize) -> Self {
        self.times = Some(count);
        self
    }

    /// Whether the rule applies to a request path.
    pub fn matches(&self, path: &str) -> bool {
        path.starts_with(&self.prefix) && self.times != Some(0)
    }
}

/// Identifies an injected rule, for [`crate::proxy::TestProxy::remove_fault`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultId(pub(crate) u64);
