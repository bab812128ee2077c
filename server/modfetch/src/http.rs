//! HTTP(S) and `file://` GETs for the proxy protocol: one request in flight per URL, a bound per
//! host, timeouts, retries with backoff on 429/5xx, bounded bodies, go's error texts, and
//! credentials that never leave their host.
//!
//! Requests are shared futures: every caller asking for the same URL awaits the same request,
//! and when the last caller stops waiting the request is dropped (and its connection with it).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use dashmap::DashMap;
use futures::FutureExt as _;
use futures::future::{BoxFuture, Shared, WeakShared};
use reqwest::header::HeaderValue;
use tokio::io::AsyncWriteExt as _;
use tokio::sync::Semaphore;

use crate::auth::Auth;
use crate::error::HttpError;
use crate::first_connect::{ConnectLayer, Gates, POOL_IDLE};
use crate::http_proxy::EnvProxies;
use crate::roots::LazyRoots;
use crate::routing::redact;

/// Network settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Requests in flight per host (and port) at most.
    pub max_per_host: usize,
    /// Bound on connecting.
    pub connect_timeout: Duration,
    /// Bound on one metadata request (list, info, mod), body included.
    pub request_timeout: Duration,
    /// Bound on one zip download.
    pub zip_timeout: Duration,
    /// Retries after 429, 5xx, timeouts and connection failures.
    pub retries: u32,
    /// Delay before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Longest delay between retries.
    pub max_backoff: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_per_host: 512,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            zip_timeout: Duration::from_secs(600),
            retries: 2,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
        }
    }
}

/// The user agent the go command sends, with our name.
const USER_AGENT: &str = concat!(
    "gomodls/",
    env!("CARGO_PKG_VERSION"),
    " (GoCommand/1 compatible)"
);

/// Where a response body goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Sink {
    /// Into memory.
    Memory,
    /// A module zip into this file: written to a temporary file beside it, kept (renamed into
    /// place) only once it reads as a zip whose every entry is under `module` (`path@version/`),
    /// as go checks a download before it keeps it. Anything else never reaches the cache.
    Zip {
        /// Where the zip is kept.
        path: PathBuf,
        /// `path@version` of the module.
        module: String,
    },
}

/// go's check of a downloaded module zip before it keeps it: it must read as a zip (archive/zip's
/// words when not), and every entry must be under `module/` (`zip for M@V has unexpected file
/// NAME`). Reads the central directory only.
fn check_downloaded_zip(file: &Path, module: &str) -> Result<(), String> {
    let mut reader = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let records = crate::zipdir::read_central_directory(&mut reader).map_err(|e| e.to_string())?;
    let prefix = format!("{module}/");
    match records
        .iter()
        .find(|record| !record.name.starts_with(prefix.as_bytes()))
    {
        Some(record) => Err(format!(
            "zip for {module} has unexpected file {}",
            String::from_utf8_lossy(&record.name)
        )),
        None => Ok(()),
    }
}

/// Checks the zip written to `temp` for `module` (off the runtime's threads) and keeps it at
/// `path`, or removes it.
async fn keep_zip(temp: tempfile::TempPath, path: &Path, module: &str) -> Result<(), HttpError> {
    let write_error = |message: String| HttpError::Write {
        path: path.display().to_string(),
        message,
    };
    let module = module.to_owned();
    let (temp, checked) = tokio::task::spawn_blocking(move || {
        let checked = check_downloaded_zip(&temp, &module);
        (temp, checked)
    })
    .await
    .map_err(|e| write_error(e.to_string()))?;
    // On an error the temporary file is removed as `temp` is dropped.
    checked.map_err(|message| HttpError::BadZip { message })?;
    temp.persist(path)
        .map_err(|e| write_error(e.error.to_string()))
}

/// A received body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// In memory.
    Bytes(Bytes),
    /// In the file named by the request's sink.
    File(PathBuf),
}

/// One GET.
#[derive(Debug, Clone)]
pub(crate) struct GetRequest {
    /// The full URL (may carry user information).
    pub url: String,
    /// The largest acceptable body.
    pub limit: u64,
    /// Where the body goes.
    pub sink: Sink,
    /// Bound on the whole request.
    pub timeout: Duration,
    /// Which of the client's connection pools carries it (see [`LANES`]).
    pub lane: usize,
}

/// How many independent connection pools a client has. Over HTTP/2 a connection carries one
/// request per stream, and servers bound the streams of a connection (Google's front ends 100,
/// nginx 128, hyper 200, Go's net/http 250): with one connection per host, the hundreds of
/// requests of an opened go.mod would wait in rounds of one round trip each. Go's own transport
/// dials another connection when one is full; we spread requests over this many connections per
/// host. Over HTTP/1.1 it changes nothing: each request has a connection of its own either way.
pub(crate) const LANES: usize = 4;

/// The lane of a module's requests: a module and its other major versions share one, so that the
/// connections their first requests opened carry their next ones.
pub(crate) fn lane_of(path: &str) -> usize {
    use std::hash::{Hash, Hasher};
    // Without the major version suffix (`/v2`, gopkg.in's `.v2`).
    let family =
        gomodls_syntax::module_path::split_path_version(path).map_or(path, |(prefix, _)| prefix);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    family.hash(&mut hasher);
    usize::try_from(hasher.finish() % LANES as u64).unwrap_or(0)
}

type SharedFetch = Shared<BoxFuture<'static, Result<Body, HttpError>>>;
type WeakFetch = WeakShared<BoxFuture<'static, Result<Body, HttpError>>>;

/// The HTTP client shared by every module request of one [`crate::ModuleClient`].
pub(crate) struct Http {
    /// The first lane.
    first: Lane,
    /// The other lanes.
    more: Vec<Lane>,
    /// The roots the lanes' TLS configuration trusts.
    roots: Arc<LazyRoots>,
    /// See [`Lanes`].
    proxies: Arc<EnvProxies>,
    auth: Arc<Auth>,
    config: HttpConfig,
    hosts: DashMap<String, Arc<Semaphore>>,
    inflight: DashMap<(String, Sink), WeakFetch>,
    sent: AtomicU64,
}

/// One connection pool of the client, with the gates that hold a burst of HTTPS requests back
/// until the pool's first connection to their host is up (see [`crate::first_connect`]).
pub(crate) struct Lane {
    client: reqwest::Client,
    gates: Arc<Gates>,
}

/// The [`LANES`] of a client, and the roots they share.
pub(crate) struct Lanes {
    first: Lane,
    more: Vec<Lane>,
    roots: Arc<LazyRoots>,
    /// The HTTP proxies of the environment: which one a request goes through.
    proxies: Arc<EnvProxies>,
}

/// Builds the [`LANES`] (rustls with the roots go trusts, loaded once before the first handshake
/// of any lane; HTTP/2 by ALPN, no automatic redirects, explicit proxies).
pub(crate) fn build_clients(
    config: &HttpConfig,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Lanes, ClientBuildError> {
    // Clones share the root store's loader and the TLS session cache.
    let (tls, roots) = crate::roots::tls_config(var)?;
    let proxies = Arc::new(EnvProxies::from_env(var));
    let build = || -> Result<Lane, ClientBuildError> {
        let gates = Arc::new(Gates::default());
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls.clone())
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .connector_layer(ConnectLayer(Arc::clone(&gates)))
            .pool_max_idle_per_host(config.max_per_host)
            .pool_idle_timeout(POOL_IDLE)
            .user_agent(USER_AGENT);
        for proxy in proxies.reqwest_proxies() {
            builder = builder.proxy(proxy);
        }
        Ok(Lane {
            client: builder.build()?,
            gates,
        })
    };
    let first = build()?;
    let more = (1..LANES).map(|_| build()).collect::<Result<_, _>>()?;
    Ok(Lanes {
        first,
        more,
        roots,
        proxies,
    })
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClientBuildError {
    /// The TLS configuration was refused.
    #[error("{0}")]
    Tls(#[from] rustls::Error),
    /// reqwest refused the settings.
    #[error("{0}")]
    Client(#[from] reqwest::Error),
}

impl Http {
    /// A client over built lanes.
    pub(crate) fn new(
        Lanes {
            first,
            more,
            roots,
            proxies,
        }: Lanes,
        auth: Arc<Auth>,
        config: HttpConfig,
    ) -> Http {
        Http {
            first,
            more,
            roots,
            proxies,
            auth,
            config,
            hosts: DashMap::new(),
            inflight: DashMap::new(),
            sent: AtomicU64::new(0),
        }
    }

    /// A lane by number.
    fn lane(&self, lane: usize) -> &Lane {
        match (lane % (self.more.len() + 1)).checked_sub(1) {
            Some(other) => self.more.get(other).unwrap_or(&self.first),
            None => &self.first,
        }
    }

    /// The network settings.
    pub(crate) fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// How many network requests were sent (retries and redirects included).
    pub(crate) fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// GETs a URL, sharing the request with every concurrent caller for the same URL and sink.
    pub(crate) async fn get(self: &Arc<Self>, request: GetRequest) -> Result<Body, HttpError> {
        let key = (request.url.clone(), request.sink.clone());
        let start = |request: GetRequest| -> SharedFetch {
            let this = Arc::clone(self);
            async move { this.get_with_retries(request).await }
                .boxed()
                .shared()
        };
        // The map guard lives only inside this match; nothing awaits while it is held.
        let fetch: SharedFetch = match self.inflight.entry(key.clone()) {
            dashmap::Entry::Occupied(mut entry) => match entry.get().upgrade() {
                Some(shared) => shared,
                None => {
                    let shared = start(request);
                    if let Some(weak) = shared.downgrade() {
                        entry.insert(weak);
                    }
                    shared
                }
            },
            dashmap::Entry::Vacant(entry) => {
                let shared = start(request);
                if let Some(weak) = shared.downgrade() {
                    entry.insert(weak);
                }
                shared
            }
        };
        let result = fetch.clone().await;
        self.inflight.remove_if(&key, |_, weak| {
            weak.upgrade().is_none_or(|other| other.ptr_eq(&fetch))
        });
        result
    }

    async fn get_with_retries(&self, request: GetRequest) -> Result<Body, HttpError> {
        let mut attempt = 0u32;
        loop {
            let result = self.get_once(&request).await;
            match result {
                Err(err) if err.is_transient() && attempt < self.config.retries => {
                    let factor = 1u32.checked_shl(attempt).unwrap_or(u32::MAX);
                    let delay = self
                        .config
                        .backoff
                        .saturating_mul(factor)
                        .min(self.config.max_backoff);
                    tracing::debug!("retrying after {delay:?}: {err}");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn get_once(&self, request: &GetRequest) -> Result<Body, HttpError> {
        if request.url.starts_with("file:") {
            return read_file_url(request).await;
        }
        let redacted = redact(&request.url);
        let parsed = reqwest::Url::parse(&request.url).map_err(|e| HttpError::Transport {
            url: redacted.clone(),
            message: e.to_string(),
        })?;
        let semaphore = Arc::clone(
            self.hosts
                .entry(host_key(&parsed))
                .or_insert_with(|| Arc::new(Semaphore::new(self.config.max_per_host.max(1))))
                .value(),
        );
        let _permit = semaphore
            .acquire_owned()
            .await
            .map_err(|e| HttpError::Transport {
                url: redacted.clone(),
                message: e.to_string(),
            })?;
        match tokio::time::timeout(request.timeout, self.follow(request, parsed, &redacted)).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Transport {
                url: redacted,
                message: format!("request timed out after {:?}", request.timeout),
            }),
        }
    }

    /// Sends the request and follows redirects by hand, attaching to each hop only the
    /// credentials stored for that hop's own host.
    async fn follow(
        &self,
        request: &GetRequest,
        start: reqwest::Url,
        redacted: &str,
    ) -> Result<Body, HttpError> {
        // go asks GOAUTH for https URLs only.
        if let Some(err) = self.auth.config_error()
            && start.scheme() == "https"
        {
            return Err(HttpError::Auth(err.to_string()));
        }
        let original_host = (
            start.host_str().map(str::to_owned),
            start.port_or_known_default(),
        );
        // User information in the URL, an empty one too (`https://@host`: go sends an empty user
        // name and password; the url crate keeps nothing of it). Never over plain http, GOINSECURE
        // or not: go's module proxy requests refuse it.
        let url_has_user = crate::http_proxy::has_user_info(&request.url);
        if start.scheme() == "http" && url_has_user {
            return Err(HttpError::InsecureCredentials {
                url: redacted.to_owned(),
            });
        }
        let mut current = start.clone();
        let mut hops = 0;
        loop {
            let secure = current.scheme() == "https";
            // Credentials (GOAUTH's, the URL's) go over https only, as go sends them.
            let credentials_allowed = secure;
            let same_host = (
                current.host_str().map(str::to_owned),
                current.port_or_known_default(),
            ) == original_host;
            let mut bare = current.clone();
            let _ = bare.set_username("");
            let _ = bare.set_password(None);
            if let Some(message) = self.proxies.unusable_proxy(&bare) {
                return Err(HttpError::Transport {
                    url: redact(current.as_str()),
                    message,
                });
            }
            let mut headers = if credentials_allowed {
                self.auth.credentials(bare.as_str()).await
            } else {
                Vec::new()
            };
            let mut retried_auth = false;
            let mut retried_socks = false;
            let lane = self.lane(request.lane);
            let host = host_key(&bare);
            let response = loop {
                let mut builder = lane.client.get(bare.clone());
                if same_host && credentials_allowed && url_has_user {
                    builder = builder.header(
                        reqwest::header::AUTHORIZATION,
                        basic_credentials(start.username(), start.password()),
                    );
                } else {
                    for (name, value) in &headers {
                        builder = builder.header(name.as_str(), value.as_str());
                    }
                }
                let ticket = match secure {
                    true => {
                        self.roots.preload().await;
                        Some(lane.gates.pass(&host, self.config.connect_timeout).await)
                    }
                    false => None,
                };
                self.sent.fetch_add(1, Ordering::Relaxed);
                let sending = std::time::Instant::now();
                let offered = self.proxies.socks_offer(&bare);
                let sent = builder.send().await;
                match (ticket, sent.is_ok()) {
                    (Some(ticket), true) => ticket.answered(),
                    (Some(ticket), false) => ticket.failed(),
                    (None, _) => {}
                }
                // As go's: the URL that got no answer, after any redirect.
                let response = match sent {
                    Ok(response) => response,
                    Err(e) => {
                        let mut message = transport_error_text(&e, &self.proxies);
                        // What of the connect timeout the failed attempt left, for asking again.
                        let left = self
                            .config
                            .connect_timeout
                            .saturating_sub(sending.elapsed());
                        let for_credentials = refused_for_credentials(&e);
                        // A refusal for credentials, or one another try would get again (what
                        // the retry policy does not retry: no 429 or 5xx).
                        let mut deliberate = for_credentials;
                        if (tunnel_refused(&e) || for_credentials)
                            && let Some((code, text)) = self
                                .proxies
                                .tunnel_refusal(&bare, left, for_credentials)
                                .await
                        {
                            message = text;
                            deliberate |= code != 429 && code < 500;
                        }
                        if let Some(words) = socks_words(&e) {
                            // go offers a SOCKS5 proxy both no authentication and the URL's
                            // credentials; hyper-util offers one of them. A proxy that wanted the
                            // other is asked again with it, as go would be answered.
                            if !retried_socks
                                && self
                                    .proxies
                                    .socks_offer_again(&bare, offered, &words, left)
                                    .await
                            {
                                retried_socks = true;
                                continue;
                            }
                            if let Some(text) = self
                                .proxies
                                .socks_failure(
                                    &words,
                                    &bare,
                                    self.config.connect_timeout,
                                    sending.elapsed(),
                                )
                                .await
                            {
                                message = text;
                            }
                        }
                        let url = redact(current.as_str());
                        return Err(match deliberate {
                            true => HttpError::TunnelRefused { url, message },
                            false => HttpError::Transport { url, message },
                        });
                    }
                };
                let code = response.status().as_u16();
                if secure && (400..500).contains(&code) && !retried_auth && self.auth.can_rerun() {
                    retried_auth = true;
                    let head = response_head(&response);
                    headers = self
                        .auth
                        .credentials_after_failure(bare.as_str(), &head)
                        .await;
                    continue;
                }
                break response;
            };
            if response.status().is_redirection() {
                let Some(location) = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                else {
                    return finish(response, request, redacted).await;
                };
                let next = current.join(location).map_err(|e| HttpError::Transport {
                    url: redacted.to_owned(),
                    message: format!("failed to parse Location header {location:?}: {e}"),
                })?;
                hops += 1;
                // go's client names the refused redirect by its Location, as sent.
                if start.scheme() == "https" && next.scheme() != "https" {
                    return Err(HttpError::InsecureRedirect {
                        url: redact(location),
                        from: redact(current.as_str()),
                        to: redact(next.as_str()),
                    });
                }
                if hops >= 10 {
                    return Err(HttpError::TooManyRedirects {
                        url: redact(location),
                    });
                }
                current = next;
                continue;
            }
            return finish(response, request, redacted).await;
        }
    }
}

/// `host:port` of a URL (the scheme's port when it names none): what requests are bounded and
/// connections gated by.
fn host_key(url: &reqwest::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn response_head(response: &reqwest::Response) -> String {
    let mut head = format!(
        "{:?} {}\n",
        response.version(),
        status_line(response.status())
    );
    for (name, value) in response.headers() {
        head.push_str(&format!(
            "{}: {}\n",
            name,
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    head.push('\n');
    head
}

fn status_line(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {}", status.as_u16(), reason),
        None => format!("{} status code {}", status.as_u16(), status.as_u16()),
    }
}

/// A redirect from https to http, refused as go refuses it (outside the module proxy protocol,
/// whose requests follow redirects in [`Http::follow`]).
#[derive(Debug)]
pub(crate) struct Downgrade {
    /// The last secure hop.
    from: String,
    /// The insecure target.
    to: String,
}

impl std::fmt::Display for Downgrade {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "redirected from secure URL {} to insecure URL {}",
            self.from, self.to
        )
    }
}

impl std::error::Error for Downgrade {}

/// Redirects as go's HTTP client follows them: never from https to http once a request started
/// secure, and at most ten.
pub fn go_redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let secure_start = attempt
            .previous()
            .first()
            .is_some_and(|first| first.scheme() == "https");
        if secure_start && attempt.url().scheme() != "https" {
            let from = attempt
                .previous()
                .last()
                .map(|hop| redact(hop.as_str()))
                .unwrap_or_default();
            let to = redact(attempt.url().as_str());
            return attempt.error(Downgrade { from, to });
        }
        if attempt.previous().len() >= 10 {
            return attempt.error("stopped after 10 redirects");
        }
        attempt.follow()
    })
}

/// go's words for a GET of `url` that got no answer (a `*url.Error`): `Get "URL": cause`. A
/// refused downgrade names the insecure target, as go does.
pub(crate) fn get_error_text(url: &str, err: &reqwest::Error) -> String {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = cause {
        if let Some(downgrade) = current.downcast_ref::<Downgrade>() {
            return format!("Get \"{}\": {downgrade}", downgrade.to);
        }
        cause = current.source();
    }
    format!("Get \"{url}\": {}", error_chain(err))
}

/// go's words for a connection the host of `url` refused (`dial tcp 127.0.0.1:8080: connect:
/// connection refused`), when `err` is one and the connection went to that host itself (no HTTP
/// proxy in between). go names the address it dialed (for a host name, the first address it
/// resolved to): that is the address of hyper's connect error; the URL's host and port stand in
/// for it if the error does not show one.
fn go_refused_text(err: &(dyn std::error::Error + 'static), url: &reqwest::Url) -> Option<String> {
    let mut cause = Some(err);
    let mut refused = false;
    let mut dialed = None;
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        dialed = dialed.or_else(|| dialed_address(current));
        cause = current.source();
    }
    if !refused {
        return None;
    }
    let address = match dialed {
        Some(address) => address.to_string(),
        // An IPv6 host comes bracketed, as go writes it.
        None => format!("{}:{}", url.host_str()?, url.port_or_known_default()?),
    };
    Some(format!("dial tcp {address}: connect: connection refused"))
}

/// The address a failed connection attempt dialed, from hyper-util's connect error. The error
/// type is private to hyper-util and shows the address only in its `Debug` form,
/// `ConnectError("tcp connect error", 127.0.0.1:1, Os { .. })`, which is read here (a test names
/// a proxy by host name and checks go's words against go's, so a change of that form is caught).
fn dialed_address(err: &(dyn std::error::Error + 'static)) -> Option<std::net::SocketAddr> {
    let debug = format!("{err:?}");
    let fields = debug.strip_prefix("ConnectError(\"")?;
    let (_message, rest) = fields.split_once("\", ")?;
    let address = rest.split([',', ')']).next()?;
    address.parse().ok()
}

/// [`error_chain`] for a request that got no answer, in go's words where go has its own for the
/// failure: a refused connection and a host name that does not exist (the URL's host, or the HTTP
/// proxy's when the request goes through one: go then begins with `proxyconnect tcp: `), an
/// unknown certificate authority.
pub(crate) fn transport_error_text(err: &reqwest::Error, proxies: &EnvProxies) -> String {
    if let Some(url) = err.url() {
        // Through a proxy, the only connection this client dials is the one to the proxy.
        let (dialed, prefix) = match proxies.proxy_for(url) {
            Some(proxy) => (proxy, "proxyconnect tcp: "),
            None => (url, ""),
        };
        if !prefix.is_empty() && refused_for_credentials(err) {
            // go's words are the status text of the proxy's answer to CONNECT: the standard one
            // until the proxy is asked for its own ([`EnvProxies::tunnel_refusal`]).
            return "Proxy Authentication Required".to_owned();
        }
        let text = go_refused_text(err, dialed).or_else(|| {
            crate::no_such_host::text(err, dialed, crate::no_such_host::system_resolv_conf)
        });
        if let Some(text) = text {
            return format!("{prefix}{text}");
        }
    }
    error_chain(err)
}

/// Whether the forward proxy answered `CONNECT` with 407 (hyper-util's tunnel error, whose
/// type it does not export: its words are read, and a test compares ours with go's).
fn refused_for_credentials(err: &(dyn std::error::Error + 'static)) -> bool {
    has_words(err, "tunnel error: proxy authorization required")
}

/// Whether the forward proxy refused `CONNECT` with a status other than 407 (read as
/// [`refused_for_credentials`] reads its error).
fn tunnel_refused(err: &(dyn std::error::Error + 'static)) -> bool {
    has_words(err, "tunnel error: unsuccessful")
}

/// What hyper-util's SOCKS5 client said of a failure, after its `SOCKS error: ` (its error type
/// is not exported, and keeps no cause: its words are read, and tests compare ours with go's).
fn socks_words(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    causes(err).find_map(|cause| {
        cause
            .to_string()
            .strip_prefix("SOCKS error: ")
            .map(str::to_owned)
    })
}

/// Whether an error of `err`'s chain reads `words`.
fn has_words(err: &(dyn std::error::Error + 'static), words: &str) -> bool {
    causes(err).any(|cause| cause.to_string() == words)
}

/// `err` and its causes, the error an io::Error wraps included (its `source` skips it:
/// tokio-rustls wraps rustls's errors so, std its lookup failures).
pub(crate) fn causes<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |current| {
        match current.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => std::error::Error::source(io),
            },
            None => current.source(),
        }
    })
}

/// `Basic` credentials as go sends those of a URL's user information (`user` and `password` as
/// the URL writes them, percent-encoded): each part decoded to its bytes, which need not be UTF-8,
/// and `user:password` in base64. Marked sensitive (kept out of debug output).
pub(crate) fn basic_credentials(user: &str, password: Option<&str>) -> HeaderValue {
    use base64::Engine as _;
    let mut raw: Vec<u8> = percent_encoding::percent_decode_str(user).collect();
    raw.push(b':');
    raw.extend(percent_encoding::percent_decode_str(
        password.unwrap_or_default(),
    ));
    let token = base64::engine::general_purpose::STANDARD.encode(raw);
    // Base64 is made of characters a header value may hold.
    let mut value = HeaderValue::try_from(format!("Basic {token}"))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

/// The error and its causes, as one line (go's words for the TLS failures it names alike).
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    if let Some(text) = crate::tls_words::text(err) {
        return text;
    }
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Reads the response: a 200 body within the bound, or go's status error.
async fn finish(
    mut response: reqwest::Response,
    request: &GetRequest,
    redacted: &str,
) -> Result<Body, HttpError> {
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        let detail = if is_plain_text(&response) {
            read_detail(&mut response).await
        } else {
            String::new()
        };
        return Err(HttpError::Status {
            url: redacted.to_owned(),
            status: status_line(status),
            code: status.as_u16(),
            detail,
        });
    }
    if response.content_length().is_some_and(|n| n > request.limit) {
        return Err(HttpError::TooLarge {
            url: redacted.to_owned(),
            limit: request.limit,
        });
    }
    let body_error = |e: reqwest::Error| HttpError::Body {
        url: redacted.to_owned(),
        message: error_chain(&e),
    };
    match &request.sink {
        Sink::Memory => {
            let mut buffer = BytesMut::new();
            while let Some(chunk) = response.chunk().await.map_err(body_error)? {
                if (buffer.len() + chunk.len()) as u64 > request.limit {
                    return Err(HttpError::TooLarge {
                        url: redacted.to_owned(),
                        limit: request.limit,
                    });
                }
                buffer.extend_from_slice(&chunk);
            }
            Ok(Body::Bytes(buffer.freeze()))
        }
        Sink::Zip { path, module } => {
            let (temp, file) = open_temp_beside(path).await?;
            let mut file = tokio::io::BufWriter::new(file);
            let mut written = 0u64;
            let write_error = |e: std::io::Error| HttpError::Write {
                path: path.display().to_string(),
                message: e.to_string(),
            };
            while let Some(chunk) = response.chunk().await.map_err(body_error)? {
                written += chunk.len() as u64;
                if written > request.limit {
                    return Err(HttpError::TooLarge {
                        url: redacted.to_owned(),
                        limit: request.limit,
                    });
                }
                file.write_all(&chunk).await.map_err(write_error)?;
            }
            file.flush().await.map_err(write_error)?;
            drop(file);
            keep_zip(temp, path, module).await?;
            Ok(Body::File(path.clone()))
        }
    }
}

async fn open_temp_beside(path: &Path) -> Result<(tempfile::TempPath, tokio::fs::File), HttpError> {
    let write_error = |e: std::io::Error| HttpError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    tokio::fs::create_dir_all(&dir).await.map_err(write_error)?;
    let named = tokio::task::spawn_blocking(move || tempfile::NamedTempFile::new_in(dir))
        .await
        .map_err(|e| HttpError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        })?
        .map_err(write_error)?;
    let (file, temp) = named.into_parts();
    Ok((temp, tokio::fs::File::from_std(file)))
}

fn is_plain_text(response: &reqwest::Response) -> bool {
    let Some(content_type) = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    if media != "text/plain" {
        return false;
    }
    for param in parts {
        if let Some((key, value)) = param.split_once('=')
            && key.trim().eq_ignore_ascii_case("charset")
        {
            let charset = value.trim().trim_matches('"').to_ascii_lowercase();
            return matches!(charset.as_str(), "us-ascii" | "utf-8" | "");
        }
    }
    true
}

const MAX_DETAIL_LINES: usize = 8;
const MAX_DETAIL_BYTES: usize = MAX_DETAIL_LINES * 81;

/// Reads the start of an error body (bounded) and shapes it as go's `formatErrorDetail` does.
async fn read_detail(response: &mut reqwest::Response) -> String {
    let mut buffer = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        buffer.extend_from_slice(&chunk);
        let lines = buffer.iter().filter(|&&b| b == b'\n').count();
        if lines > MAX_DETAIL_LINES || buffer.len() > 16 * 1024 {
            break;
        }
    }
    format_error_detail(&buffer)
}

/// go's `formatErrorDetail`: nothing for non-UTF-8 or non-printable text; lines up to the first
/// blank one, at most 8 lines and 648 bytes, joined with newline-tab.
pub(crate) fn format_error_detail(body: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(body) else {
        return String::new();
    };
    let suspicious = |c: char| {
        (c.is_control() && !c.is_whitespace())
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if text.chars().any(suspicious) {
        return String::new();
    }
    let mut detail = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if i > 0 {
            detail.push_str("\n\t");
        }
        if i >= MAX_DETAIL_LINES {
            detail.push_str("[Truncated: too many lines.]");
            break;
        }
        if detail.len() + line.len() > MAX_DETAIL_BYTES {
            detail.push_str("[Truncated: too long.]");
            break;
        }
        detail.push_str(line);
    }
    detail
}

/// The file system path of a `file://` URL (percent-decoded).
fn file_url_path(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("file://")
        .or_else(|| url.strip_prefix("file:"))
        .unwrap_or(url);
    let bytes = rest.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(value)) => {
                decoded.push(value);
                i += 3;
            }
            _ => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    PathBuf::from(String::from_utf8_lossy(&decoded).into_owned())
}

/// go's words for file errors (`no such file or directory`, `permission denied`).
fn io_words(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => {
            let text = err.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text);
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text.to_owned(),
            }
        }
    }
}

async fn read_file_url(request: &GetRequest) -> Result<Body, HttpError> {
    let redacted = redact(&request.url);
    let path = file_url_path(&request.url);
    let file_error = |e: std::io::Error| HttpError::File {
        url: redacted.clone(),
        message: io_words(&e),
        not_found: e.kind() == std::io::ErrorKind::NotFound,
    };
    let metadata = tokio::fs::metadata(&path).await.map_err(file_error)?;
    if metadata.len() > request.limit {
        return Err(HttpError::TooLarge {
            url: redacted,
            limit: request.limit,
        });
    }
    match &request.sink {
        Sink::Memory => {
            let data = tokio::fs::read(&path).await.map_err(file_error)?;
            if data.len() as u64 > request.limit {
                return Err(HttpError::TooLarge {
                    url: redacted,
                    limit: request.limit,
                });
            }
            Ok(Body::Bytes(Bytes::from(data)))
        }
        Sink::Zip {
            path: target,
            module,
        } => {
            let (temp, mut out) = open_temp_beside(target).await?;
            let mut input = tokio::fs::File::open(&path).await.map_err(file_error)?;
            let write_error = |e: std::io::Error| HttpError::Write {
                path: target.display().to_string(),
                message: e.to_string(),
            };
            tokio::io::copy(&mut input, &mut out)
                .await
                .map_err(write_error)?;
            out.flush().await.map_err(write_error)?;
            drop(out);
            keep_zip(temp, target, module).await?;
            Ok(Body::File(target.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_family_shares_a_lane_and_modules_use_every_lane() {
        assert_eq!(lane_of("github.com/a/b"), lane_of("github.com/a/b/v2"));
        assert_eq!(lane_of("github.com/a/b"), lane_of("github.com/a/b/v17"));
        assert_eq!(lane_of("gopkg.in/yaml.v2"), lane_of("gopkg.in/yaml.v3"));
        let lanes: std::collections::BTreeSet<usize> = (0..40)
            .map(|i| lane_of(&format!("example.com/m{i}")))
            .collect();
        assert_eq!(lanes, (0..LANES).collect());
    }

    #[test]
    fn error_detail_like_go() {
        assert_eq!(
            format_error_detail(b"not found: no such module\n"),
            "not found: no such module"
        );
        assert_eq!(format_error_detail(b"a\nb\n\nc"), "a\n\tb");
        assert_eq!(format_error_detail(b"evil \x1b[31m"), "");
        let many = "x\n".repeat(12);
        assert_eq!(
            format_error_detail(many.as_bytes()),
            format!("x{}\n\t[Truncated: too many lines.]", "\n\tx".repeat(7))
        );
        let long = "y".repeat(700);
        assert_eq!(
            format_error_detail(long.as_bytes()),
            "[Truncated: too long.]"
        );
    }

    #[test]
    fn file_urls() {
        assert_eq!(
            file_url_path("file:///tmp/a%21b/x"),
            PathBuf::from("/tmp/a!b/x")
        );
    }

    #[test]
    fn status_error_texts() {
        let err = HttpError::Status {
            url: "https://p/x/@v/list".into(),
            status: "500 Internal Server Error".into(),
            code: 500,
            detail: String::new(),
        };
        assert_eq!(
            err.to_string(),
            "reading https://p/x/@v/list: 500 Internal Server Error"
        );
        let err = HttpError::Status {
            url: "u".into(),
            status: "404 Not Found".into(),
            code: 404,
            detail: "a\n\tb".into(),
        };
        assert_eq!(
            err.to_string(),
            "reading u: 404 Not Found\n\tserver response:\n\ta\n\tb"
        );
        assert!(err.is_not_found());
    }
}
