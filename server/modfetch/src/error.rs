//! Errors of the fetching layer, worded as the go command words them where it has words.

use crate::compat::{pseudo, semver};

/// A configuration error found while reading GOPROXY, GOAUTH or the cache settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// GOPROXY holds only separators and spaces.
    #[error("GOPROXY list is not the empty string, but contains no entries")]
    EmptyProxyList,
    /// A GOPROXY entry without a URL scheme.
    #[error("invalid proxy URL missing scheme: {0}")]
    MissingScheme(String),
    /// A GOPROXY entry with a scheme other than https, http or file.
    #[error("invalid proxy URL scheme (must be https, http, file): {0}")]
    BadScheme(String),
    /// A `file://` GOPROXY entry with a host, query or other non-path parts.
    #[error("invalid file:// proxy URL with non-path elements: {0}")]
    FileNonPath(String),
    /// A GOPROXY entry that is not a URL at all.
    #[error("parse {0:?}: {1}")]
    BadUrl(String, String),
    /// A malformed GOAUTH setting (go stops with this message).
    #[error("{0}")]
    GoAuth(String),
}

/// Failure of one HTTP (or `file://`) request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// A response other than 200 OK.
    #[error("{}", status_text(url, status, detail))]
    Status {
        /// The redacted URL.
        url: String,
        /// The status line, such as `500 Internal Server Error`.
        status: String,
        /// The status code.
        code: u16,
        /// The start of a `text/plain` body, already shaped as go shapes it.
        detail: String,
    },
    /// A `file://` proxy read failure (`reading file:///p: no such file or directory`).
    #[error("reading {url}: {message}")]
    File {
        /// The redacted URL.
        url: String,
        /// The operating system's words, as go prints them.
        message: String,
        /// Whether the file does not exist (which counts as a 404).
        not_found: bool,
    },
    /// No response: connection, TLS or timeout failure.
    #[error("Get {url:?}: {message}")]
    Transport {
        /// The redacted URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The forward proxy refused the tunnel, for the credentials it was given (407) or with
    /// another answer that is no 429 or 5xx: no response either, but not retried (go tries once;
    /// each try of a 407 is one more failed login, which may lock the user's account).
    #[error("Get {url:?}: {message}")]
    TunnelRefused {
        /// The redacted URL.
        url: String,
        /// The proxy's words.
        message: String,
    },
    /// The response body broke off or timed out.
    #[error("read {url:?}: {message}")]
    Body {
        /// The redacted URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The body was larger than the bound for this kind of file.
    #[error("reading {url}: response body too large (more than {limit} bytes)")]
    TooLarge {
        /// The redacted URL.
        url: String,
        /// The bound in bytes.
        limit: u64,
    },
    /// A redirect from https to http.
    #[error("Get {url:?}: redirected from secure URL {from} to insecure URL {to}")]
    InsecureRedirect {
        /// The redirect's `Location` as sent (redacted): go's `*url.Error` names it.
        url: String,
        /// The last secure hop.
        from: String,
        /// The insecure target.
        to: String,
    },
    /// More than ten redirects.
    #[error("Get {url:?}: stopped after 10 redirects")]
    TooManyRedirects {
        /// The last redirect's `Location` as sent (redacted), as go names it.
        url: String,
    },
    /// User information in an http:// URL: go never sends it in the clear, GOINSECURE or not.
    #[error("refusing to pass credentials to insecure URL: {url}")]
    InsecureCredentials {
        /// The redacted URL.
        url: String,
    },
    /// GOAUTH is malformed.
    #[error("{0}")]
    Auth(String),
    /// A downloaded module zip that go would not keep: not a zip, or an entry outside
    /// `path@version/` (go's words).
    #[error("{message}")]
    BadZip {
        /// go's words.
        message: String,
    },
    /// Writing the downloaded file failed.
    #[error("writing {path}: {message}")]
    Write {
        /// The file being written.
        path: String,
        /// The operating system's words.
        message: String,
    },
}

fn status_text(url: &str, status: &str, detail: &str) -> String {
    if detail.is_empty() {
        return format!("reading {url}: {status}");
    }
    let separator = if detail.contains('\n') { "\n\t" } else { " " };
    format!("reading {url}: {status}\n\tserver response:{separator}{detail}")
}

impl HttpError {
    /// Whether the failure means "not found" (HTTP 404 or 410, or a missing file), the only
    /// failures after which a `,` in GOPROXY moves on to the next entry.
    pub fn is_not_found(&self) -> bool {
        match self {
            HttpError::Status { code, .. } => *code == 404 || *code == 410,
            HttpError::File { not_found, .. } => *not_found,
            _ => false,
        }
    }

    /// Whether a retry may help (429, 5xx, connection trouble, timeouts).
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            HttpError::Status { code, .. } => *code == 429 || *code >= 500,
            HttpError::Transport { .. } | HttpError::Body { .. } => true,
            _ => false,
        }
    }
}

/// Why the origin (version control) would be needed, for [`Reason::Direct`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectCause {
    /// GOPROXY lists `direct`.
    Goproxy,
    /// GONOPROXY or GOPRIVATE matches the module path.
    NoProxy,
}

/// The cause inside a [`FetchError::Module`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// The request failed.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The proxy answered with something that is not a valid answer.
    #[error("invalid response from proxy {base:?}: {message}")]
    InvalidResponse {
        /// The redacted proxy base URL.
        base: String,
        /// What was wrong.
        message: String,
    },
    /// A `.info` for a canonical version named another version.
    #[error("proxy returned info for version {0} instead of requested version")]
    WrongVersion(String),
    /// The version's major does not fit the path (`should be v0 or v1, not v2`).
    #[error("{0}")]
    BadMajor(String),
    /// A version that a proxy operation refuses, such as a non-canonical one passed where go
    /// takes only canonical versions.
    #[error("{0}")]
    BadVersion(String),
    /// The version string cannot be escaped for a URL (`disallowed version string`).
    #[error("{0}")]
    Unescapable(String),
    /// A zip larger than go's 500 MiB bound.
    #[error("downloaded zip file too large")]
    ZipTooLarge,
    /// Version data would have to come from version control, which gomodls does not do yet.
    #[error("version data is not available directly from the origin: gomodls does not fetch from version control yet ({})", direct_cause(*.0))]
    Direct(DirectCause),
    /// Offline mode and nothing cached.
    #[error("module lookup disabled: offline mode is on and nothing is cached")]
    Offline,
    /// The module has no versions and no commits (`@latest` unknown).
    #[error("no commits")]
    NoCommits,
    /// Reading the local caches failed.
    #[error("{0}")]
    Cache(String),
}

fn direct_cause(cause: DirectCause) -> &'static str {
    match cause {
        DirectCause::Goproxy => "GOPROXY=direct",
        DirectCause::NoProxy => "the module matches GONOPROXY/GOPRIVATE",
    }
}

/// Failure of a module fetch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// GOPROXY (or GOAUTH) is malformed; reported bare, as go does.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// GOPROXY=off.
    #[error("module lookup disabled by GOPROXY=off")]
    Off,
    /// The module path is malformed (`malformed module path "P": REASON`).
    #[error("{0}")]
    InvalidPath(String),
    /// A downloaded zip that is not the module's (not a zip, or an entry outside
    /// `path@version/`): go reports its check of the download bare, without the module.
    #[error("{0}")]
    BadZip(String),
    /// A failure concerning one module (and version), shaped like go's `module.ModuleError`.
    #[error("{}", module_error_text(path, version.as_deref(), reason))]
    Module {
        /// The module path.
        path: String,
        /// The version or revision, if the request was about one.
        version: Option<String>,
        /// What went wrong.
        reason: Box<Reason>,
    },
}

fn module_error_text(path: &str, version: Option<&str>, reason: &Reason) -> String {
    match version {
        // go's escaping error is itself an invalid-version error naming the version, so it reads
        // "invalid version" even for the empty version, which the rule below would print bare.
        Some(v) if matches!(reason, Reason::Unescapable(_)) => {
            format!("{path}@{v}: invalid version: {reason}")
        }
        Some(v) if v != semver::module_canonical(v) => {
            let noun = if pseudo::is_pseudo_version(v) {
                "pseudo-version"
            } else {
                "version"
            };
            format!("{path}@{v}: invalid {noun}: {reason}")
        }
        Some(v) => format!("{path}@{v}: {reason}"),
        None => format!("module {path}: {reason}"),
    }
}

impl FetchError {
    /// A module-level error.
    pub(crate) fn module(
        path: &str,
        version: Option<&str>,
        reason: impl Into<Reason>,
    ) -> FetchError {
        FetchError::Module {
            path: path.to_owned(),
            version: version.map(str::to_owned),
            reason: Box::new(reason.into()),
        }
    }

    /// Whether this is go's "not found" (404/410, missing file, `GOPROXY=off`).
    pub fn is_not_found(&self) -> bool {
        match self {
            FetchError::Off => true,
            FetchError::Module { reason, .. } => match reason.as_ref() {
                Reason::Http(http) => http.is_not_found(),
                Reason::NoCommits => true,
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether the data would have had to come from version control.
    pub fn is_direct_unavailable(&self) -> bool {
        matches!(self, FetchError::Module { reason, .. } if matches!(reason.as_ref(), Reason::Direct(_)))
    }

    /// Whether the failure is the network's (not the request's or the configuration's): such
    /// failures let stale cache entries be served.
    pub fn is_network(&self) -> bool {
        match self {
            FetchError::Module { reason, .. } => {
                matches!(reason.as_ref(), Reason::Http(http) if !http.is_not_found())
            }
            _ => false,
        }
    }
}

/// Failure of [`crate::ModuleClient::query`], worded as `go list -m PATH@QUERY` words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Fetching failed; module-level errors are shown as they are, others get `PATH@QUERY: `.
    #[error("{}", fetch_in_query(path, query, error))]
    Fetch {
        /// The module path.
        path: String,
        /// The query.
        query: String,
        /// The failure.
        error: FetchError,
    },
    /// No version matched.
    #[error("module {path}: no matching versions for query {query:?}{}", current_suffix(query, current.as_deref()))]
    NoMatchingVersions {
        /// The module path.
        path: String,
        /// The query.
        query: String,
        /// The current version, mentioned for `upgrade` and `patch`.
        current: Option<String>,
    },
    /// `patch` without a current version.
    #[error(
        "{0}@patch: can't query version \"patch\" of module {0}: no existing version is required"
    )]
    NoPatchBase(String),
    /// `upgrade` or `patch` would stay on the current version, which is retracted.
    #[error("{path}@{version}: {message}")]
    Retracted {
        /// The module path.
        path: String,
        /// The retracted version.
        version: String,
        /// `retracted by module author[: RATIONALE]`.
        message: String,
    },
    /// A malformed range or version in the query.
    #[error("{path}@{query}: {message}")]
    BadQuery {
        /// The module path.
        path: String,
        /// The query.
        query: String,
        /// go's words (`invalid semantic version "x" in range "<x"`).
        message: String,
    },
    /// The current version is not valid for the path.
    #[error("invalid previous version {0}@{1}")]
    BadCurrent(String, String),
    /// `std` and `cmd` have no versions of their own.
    #[error("can't query specific version ({query:?}) of standard-library module {path:?}")]
    StandardLibrary {
        /// `std` or `cmd`.
        path: String,
        /// The query.
        query: String,
    },
    /// The explicitly requested version is excluded by the main module's go.mod.
    #[error("{path}@{version}: excluded by go.mod")]
    Excluded {
        /// The module path.
        path: String,
        /// The version.
        version: String,
    },
}

fn fetch_in_query(path: &str, query: &str, error: &FetchError) -> String {
    match error {
        FetchError::Module { .. } | FetchError::InvalidPath(_) => error.to_string(),
        _ => format!("{path}@{query}: {error}"),
    }
}

fn current_suffix(query: &str, current: Option<&str>) -> String {
    match current {
        Some(c) if (query == "upgrade" || query == "patch") && !c.is_empty() && c != "none" => {
            format!(" (current version is {c})")
        }
        _ => String::new(),
    }
}
