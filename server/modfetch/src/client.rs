//! [`ModuleClient`]: the proxy protocol over the caches, routed through GOPROXY as go routes it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::Auth;
use crate::cache::{Cache, CacheConfig, Hit, Resource};
use crate::compat::{module_path, pseudo, semver};
use crate::env::GoEnv;
use crate::error::{ConfigError, FetchError, HttpError, Reason};
use crate::http::{Body, GetRequest, Http, HttpConfig, Sink, build_clients, lane_of};
use crate::lock;
use crate::routing::{ProxyEntry, ProxyList, ProxyUrl, Route, parse_proxy_list, path_escape};

/// How current a piece of data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Freshness {
    /// From the network just now, or a copy younger than the cache TTL.
    Fresh,
    /// Immutable data (`.info` of a version, `.mod`, `.zip`) from a cache: always correct.
    Cached,
    /// Mutable data (a version list) past its TTL, served because the network failed or while a
    /// refresh runs in the background.
    Stale,
    /// Served from a cache because the network is off (`GOPROXY=off` or the offline setting).
    Offline,
}

impl Freshness {
    /// The weaker of two: offline over stale over fresh over cached.
    pub fn combine(self, other: Freshness) -> Freshness {
        use Freshness::*;
        match (self, other) {
            (Offline, _) | (_, Offline) => Offline,
            (Stale, _) | (_, Stale) => Stale,
            (Fresh, _) | (_, Fresh) => Fresh,
            (Cached, Cached) => Cached,
        }
    }
}

/// Where a piece of data came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DataSource {
    /// A module proxy (redacted base URL).
    Proxy(String),
    /// The in-memory cache.
    Memory,
    /// Our disk cache.
    DiskCache,
    /// `GOMODCACHE/cache/download`.
    GoModCache,
}

/// A value with its freshness and origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched<T> {
    /// The value.
    pub value: T,
    /// How current it is.
    pub freshness: Freshness,
    /// Where it came from.
    pub source: DataSource,
}

/// A `.info` answer (`RevInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevInfo {
    /// The canonical version.
    pub version: String,
    /// The commit (publish) time, if the proxy gave one.
    pub time: Option<OffsetDateTime>,
    /// The `Origin` object as sent, if any.
    pub origin: Option<serde_json::Value>,
}

/// A parsed `@v/list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionList {
    /// Valid, non-pseudo versions in go's order (ascending `semver.Sort`).
    pub versions: Vec<String>,
    /// Times given as second fields of list lines.
    pub times: BTreeMap<String, OffsetDateTime>,
    /// Pseudo-versions the list contained.
    pub pseudo_versions: Vec<String>,
    /// The entry `proxyRepo.Latest` falls back to when `@latest` is not found: the first line
    /// with the newest time, taken from its second field, else from a pseudo-version itself.
    pub newest_by_time: Option<String>,
}

/// Parses a version list as `proxyRepo.Versions` does.
pub fn parse_version_list(data: &[u8]) -> VersionList {
    let text = String::from_utf8_lossy(data);
    let mut list = VersionList::default();
    // go starts from its zero time and takes only strictly newer lines, so a line at or before
    // it is never chosen.
    let mut newest = time::macros::datetime!(0001-01-01 00:00 UTC);
    for line in text.split('\n') {
        let mut fields = line.split_whitespace();
        let Some(version) = fields.next() else {
            continue;
        };
        if !semver::is_valid(version) {
            continue;
        }
        let time_field = fields.next();
        let time = time_field.and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
        if let Some(time) = time {
            list.times.insert(version.to_owned(), time);
        }
        // A second field that does not parse still stands for the line's time in go (as the
        // zero time), so the pseudo-version's own time is read only when there is no field;
        // a tagged version without one is not a candidate.
        let line_time = match time_field {
            Some(_) => time,
            None => pseudo::pseudo_version_time(version),
        };
        if let Some(line_time) = line_time
            && newest < line_time
        {
            newest = line_time;
            list.newest_by_time = Some(version.to_owned());
        }
        if pseudo::is_pseudo_version(version) {
            list.pseudo_versions.push(version.to_owned());
        } else if !list.versions.iter().any(|v| v == version) {
            list.versions.push(version.to_owned());
        }
    }
    semver::sort(&mut list.versions);
    list
}

#[derive(serde::Deserialize)]
struct InfoJson {
    #[serde(rename = "Version", alias = "version", default)]
    version: String,
    #[serde(rename = "Time", alias = "time", default)]
    time: Option<String>,
    #[serde(rename = "Origin", alias = "origin", default)]
    origin: Option<serde_json::Value>,
}

/// Parses and checks a `.info` (or `@latest`) answer for `rev` of `path` as `proxyRepo.Stat`
/// does, plus checks that the answer is a valid version for the path.
pub(crate) fn check_info(
    path: &str,
    rev: Option<&str>,
    data: &[u8],
    base: &str,
) -> Result<RevInfo, Reason> {
    let invalid = |message: String| Reason::InvalidResponse {
        base: base.to_owned(),
        message,
    };
    let parsed: InfoJson = serde_json::from_slice(data).map_err(|e| invalid(e.to_string()))?;
    let time = match parsed.time.as_deref() {
        None | Some("0001-01-01T00:00:00Z") => None,
        Some(t) => Some(
            OffsetDateTime::parse(t, &Rfc3339)
                .map_err(|e| invalid(format!("parsing time {t:?}: {e}")))?,
        ),
    };
    let path_major = module_path::split_path_version(path)
        .map(|(_, major)| major)
        .unwrap_or("");
    if let Some(rev) = rev {
        let requested_ok = semver::module_canonical(rev) == rev
            && module_path::check_path_major(rev, path_major).is_ok();
        if parsed.version != rev && requested_ok {
            return Err(Reason::WrongVersion(parsed.version));
        }
    }
    if !semver::is_valid(&parsed.version)
        || semver::module_canonical(&parsed.version) != parsed.version
    {
        return Err(invalid(format!(
            "version {:?} is not a canonical semantic version",
            parsed.version
        )));
    }
    module_path::check_path_major(&parsed.version, path_major)
        .map_err(|e| Reason::BadMajor(format!("version {:?} invalid: {e}", parsed.version)))?;
    Ok(RevInfo {
        version: parsed.version,
        time,
        origin: parsed.origin,
    })
}

/// Checks a proxy answer before it is accepted and cached.
/// The name under which the disk cache keeps the answers that change over time from this GOPROXY
/// list (see [`Cache`]): a hash of its entries and separators, without any credentials (a new
/// password is the same proxy).
fn cache_scope(proxies: &Result<ProxyList, ConfigError>) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    if let Ok(list) = proxies {
        for spec in &list.specs {
            match &spec.entry {
                ProxyEntry::NoProxy => continue,
                ProxyEntry::Off => hasher.update(b"off"),
                ProxyEntry::Direct => hasher.update(b"direct"),
                ProxyEntry::Url(proxy) => {
                    let mut url = reqwest::Url::parse(&proxy.url).ok();
                    if let Some(url) = url.as_mut() {
                        let _ = url.set_username("");
                        let _ = url.set_password(None);
                    }
                    match url {
                        Some(url) => hasher.update(url.as_str().trim_end_matches('/')),
                        None => hasher.update(&proxy.url),
                    }
                }
            }
            hasher.update(if spec.fall_back_on_error { b"|" } else { b"," });
        }
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Checks a body before it is used or kept: given the body and the redacted base URL of the
/// proxy that sent it (`cache` for a copy read from a cache), for messages.
type Validator = Arc<dyn Fn(&Body, &str) -> Result<(), Reason> + Send + Sync>;

/// A client for module data: version lists, `.info`, `.mod`, `.zip`, facts and queries.
#[derive(Clone)]
pub struct ModuleClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) env: GoEnv,
    proxies: Result<ProxyList, ConfigError>,
    /// Module requests' HTTP client, and the checksum database's (as go's `web` package serves
    /// both).
    pub(crate) http: Arc<Http>,
    pub(crate) cache: Cache,
    offline: AtomicBool,
    /// Computed facts with the time their version list was fetched.
    pub(crate) facts_memory: dashmap::DashMap<String, (crate::facts::ModuleFacts, SystemTime)>,
}

/// Failure to build a client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The HTTP client could not be built (TLS setup, proxy settings).
    #[error("building the HTTP client: {0}")]
    Http(String),
}

/// Ranks of errors in `TryProxies`: origin errors beat proxy errors beat "not found".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    NotFound,
    Proxy,
    Direct,
}

/// The error `TryProxies` reports after trying the entries of a GOPROXY list in turn: the most
/// helpful one (see [`Rank`]).
pub(crate) struct BestError<E> {
    best: Option<(E, Rank)>,
}

impl<E> BestError<E> {
    pub(crate) fn new() -> Self {
        BestError { best: None }
    }

    /// Takes the error of one entry (`direct`: the entry is the origin; `not_found`: go's "not
    /// found" or an equivalent).
    pub(crate) fn consider(&mut self, error: E, not_found: bool, direct: bool) {
        let rank = self.best.as_ref().map_or(Rank::NotFound, |(_, r)| *r);
        if direct {
            self.best = Some((error, Rank::Direct));
        } else if rank <= Rank::Proxy && !not_found {
            self.best = Some((error, Rank::Proxy));
        } else if rank == Rank::NotFound {
            self.best = Some((error, Rank::NotFound));
        }
    }

    /// The error to report, if any entry gave one.
    pub(crate) fn into_error(self) -> Option<E> {
        self.best.map(|(error, _)| error)
    }
}

/// Which entries of the GOPROXY list a request may go to: all of them in turn (go's fallback for
/// one request), or one (an attempt of a whole query on one proxy, as go's `TryProxies` runs a
/// query: see [`ModuleClient::query_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Proxies {
    /// Every entry, in order.
    All,
    /// Only the entry at this index of the list.
    Only {
        /// The entry's index.
        index: usize,
        /// Whether the answers that change over time (lists, `@latest`, revision lookups) may
        /// come from the caches and go into them. The caches keep one answer per module for the
        /// whole list, which is what the first attempt of a query asks for; a later attempt asks
        /// its own proxy, and keeps what it hears to itself.
        cached: bool,
    },
}

impl Proxies {
    /// Whether the entry at `index` may be asked.
    fn allows(self, index: usize) -> bool {
        match self {
            Proxies::All => true,
            Proxies::Only { index: only, .. } => only == index,
        }
    }

    /// Whether answers that change over time may be read from the caches and kept in them.
    fn cached(self) -> bool {
        match self {
            Proxies::All => true,
            Proxies::Only { cached, .. } => cached,
        }
    }
}

impl ModuleClient {
    /// A client for the given environment and cache settings, with default network settings.
    pub fn new(env: GoEnv, cache: CacheConfig) -> Result<ModuleClient, ClientError> {
        ModuleClient::with_http_config(env, cache, HttpConfig::default())
    }

    /// A client with explicit network settings.
    pub fn with_http_config(
        env: GoEnv,
        cache: CacheConfig,
        http: HttpConfig,
    ) -> Result<ModuleClient, ClientError> {
        let var = |k: &str| env.process_var(k).map(str::to_owned);
        let clients = build_clients(&http, &var).map_err(|e| ClientError::Http(e.to_string()))?;
        let auth = Arc::new(Auth::new(env.goauth(), env.netrc_path().map(PathBuf::from)));
        let proxies = parse_proxy_list(env.goproxy(), env.gonoproxy());
        let scope = cache_scope(&proxies);
        let gomodcache = env.gomodcache().map(PathBuf::from);
        let offline = AtomicBool::new(cache.offline);
        Ok(ModuleClient {
            inner: Arc::new(Inner {
                proxies,
                http: Arc::new(Http::new(clients, auth, http)),
                cache: Cache::new(cache, gomodcache, scope),
                offline,
                env,
                facts_memory: dashmap::DashMap::new(),
            }),
        })
    }

    /// The environment this client routes by.
    pub fn env(&self) -> &GoEnv {
        &self.inner.env
    }

    /// The parsed GOPROXY list, or go's error for it.
    pub fn proxy_list(&self) -> Result<&ProxyList, &ConfigError> {
        self.inner.proxies.as_ref()
    }

    /// Turns offline mode on or off (the cache setting is the initial value).
    pub fn set_offline(&self, offline: bool) {
        self.inner.offline.store(offline, Ordering::SeqCst);
    }

    /// Whether the network is off (offline mode or `GOPROXY=off`).
    pub fn is_offline(&self) -> bool {
        self.inner.is_offline()
    }

    /// Waits until every queued disk cache write is done (writes happen off the request path).
    pub async fn flush(&self) {
        self.inner.cache.flush().await;
    }

    /// Network requests sent so far (retries and redirects included).
    pub fn requests_sent(&self) -> u64 {
        self.inner.http.requests_sent()
    }

    /// The version list of a module.
    pub async fn versions(&self, path: &str) -> Result<Fetched<VersionList>, FetchError> {
        self.inner.versions(path).await
    }

    /// `.info` for a version or any revision (branch, tag, commit prefix).
    pub async fn info(&self, path: &str, rev: &str) -> Result<Fetched<RevInfo>, FetchError> {
        self.inner.info(path, rev).await
    }

    /// The go.mod of a canonical version.
    pub async fn go_mod(&self, path: &str, version: &str) -> Result<Fetched<Bytes>, FetchError> {
        self.inner.go_mod(path, version).await
    }

    /// The zip of a canonical version, as a file (ours, or GOMODCACHE's, read-only).
    pub async fn zip(&self, path: &str, version: &str) -> Result<Fetched<PathBuf>, FetchError> {
        self.inner.zip(path, version).await
    }

    /// The repository's latest revision as `proxyRepo.Latest` finds it: `@latest`, else the
    /// newest list entry with a time (or pseudo-version).
    pub async fn latest(&self, path: &str) -> Result<Fetched<RevInfo>, FetchError> {
        let list = self.inner.versions(path).await?;
        self.inner.latest(path, &list.value).await
    }
}

fn version_of(resource: &Resource) -> Option<&str> {
    match resource {
        Resource::List | Resource::Latest => None,
        Resource::Info(v) | Resource::Mod(v) | Resource::Zip(v) => Some(v),
    }
}

tokio::task_local! {
    /// The failed answers of the proxies during one operation (a query, a module's facts), by
    /// URL: go's memory of each proxy's answers for the run of one command.
    static OPERATION: Arc<Mutex<HashMap<String, HttpError>>>;
}

/// Runs `future` as one operation (see [`OPERATION`]), or as part of the operation it is
/// created in. (A plain function, so that the future is held once, not once more by an `async`
/// wrapper.)
pub(crate) fn as_operation<F: std::future::Future>(
    future: F,
) -> impl std::future::Future<Output = F::Output> {
    let memory = OPERATION.try_with(Arc::clone).unwrap_or_default();
    OPERATION.scope(memory, future)
}

/// Keeps a failed answer for the rest of the operation, if there is one.
fn remember_in_operation(url: &str, error: &HttpError) {
    let _ = OPERATION.try_with(|memory| {
        lock(memory).insert(url.to_owned(), error.clone());
    });
}

/// The URL of a resource (its escaped module path and suffix) at a proxy.
fn proxy_url(base: &str, escaped_path: &str, suffix: &str) -> String {
    format!(
        "{base}/{}/{}",
        path_escape(escaped_path),
        path_escape(suffix)
    )
}

/// An entry of the GOPROXY list a whole query is tried against (see
/// [`ModuleClient::query_with`]).
pub(crate) struct Attempt {
    /// The entry's index in the list.
    pub(crate) index: usize,
    /// `|` after the entry.
    pub(crate) fall_back_on_error: bool,
    /// The entry is the origin (`direct`).
    pub(crate) direct: bool,
}

impl Inner {
    /// The entries of the GOPROXY list that can answer for the module `path`, in order. Those
    /// GONOPROXY rules out for it, and its implicit entry for other modules, are go's "not found"
    /// equivalents, which a better error always replaces: they are left out, as
    /// [`Inner::via_proxies`] skips them.
    pub(crate) fn attempts(&self, path: &str) -> Vec<Attempt> {
        let Ok(list) = &self.proxies else {
            return Vec::new();
        };
        list.specs
            .iter()
            .enumerate()
            .filter_map(|(index, spec)| {
                let direct = match ProxyList::route(&spec.entry, path, self.env.gonoproxy()) {
                    Route::Excluded | Route::UseProxy => return None,
                    Route::Direct(_) => true,
                    Route::Proxy(_) | Route::Off => false,
                };
                Some(Attempt {
                    index,
                    fall_back_on_error: spec.fall_back_on_error,
                    direct,
                })
            })
            .collect()
    }

    /// Whether the network is off: offline mode, or a GOPROXY list of `off` alone.
    pub(crate) fn is_offline(&self) -> bool {
        self.offline_mode() || self.proxies_off()
    }

    /// Whether offline mode is on (the setting, not GOPROXY).
    fn offline_mode(&self) -> bool {
        self.offline.load(Ordering::SeqCst)
    }

    /// Whether GOPROXY turns every lookup off (`off`, with nothing but GONOPROXY's implicit
    /// entry beside it): lookups then fail in go's words, and copies are served as offline.
    fn proxies_off(&self) -> bool {
        self.proxies.as_ref().is_ok_and(|list| {
            list.specs.iter().any(|spec| spec.entry == ProxyEntry::Off)
                && list
                    .specs
                    .iter()
                    .all(|spec| matches!(spec.entry, ProxyEntry::Off | ProxyEntry::NoProxy))
        })
    }

    fn check_path(path: &str) -> Result<(), FetchError> {
        module_path::check_path(path).map_err(FetchError::InvalidPath)
    }

    /// Walks the GOPROXY list for one request, as `TryProxies` does.
    async fn via_proxies(
        &self,
        path: &str,
        resource: &Resource,
        sink: Sink,
        validate: &(dyn Fn(&Body, &str) -> Result<(), Reason> + Sync),
        proxies: Proxies,
    ) -> Result<(Body, ProxyUrl), FetchError> {
        let list = self
            .proxies
            .as_ref()
            .map_err(|e| FetchError::Config(e.clone()))?;
        let version = version_of(resource);
        let escaped = module_path::escape_path(path).map_err(FetchError::InvalidPath)?;
        let suffix = resource
            .proxy_suffix()
            .map_err(|e| FetchError::module(path, version, Reason::Unescapable(e)))?;
        let mut best = BestError::new();
        for (index, spec) in list.specs.iter().enumerate() {
            if !proxies.allows(index) {
                continue;
            }
            let route = ProxyList::route(&spec.entry, path, self.env.gonoproxy());
            let (error, direct) = match route {
                Route::Proxy(proxy) => {
                    let request = GetRequest {
                        url: proxy_url(&proxy.url, &escaped, &suffix),
                        limit: resource.limit(),
                        sink: sink.clone(),
                        lane: lane_of(path),
                        timeout: match resource {
                            Resource::Zip(_) => self.http.config().zip_timeout,
                            _ => self.http.config().request_timeout,
                        },
                    };
                    let cached = self.cache.not_found_get(&request.url).await;
                    let url = request.url.clone();
                    let answer = match cached {
                        Some(err) => Err(err),
                        None => {
                            let answer = self.http.get(request).await;
                            if let Err(err) = &answer
                                && err.is_not_found()
                            {
                                self.cache.not_found_put(&url, err);
                            }
                            answer
                        }
                    };
                    if let Err(err) = &answer {
                        remember_in_operation(&url, err);
                    }
                    match answer {
                        Ok(body) => match validate(&body, &proxy.redacted) {
                            Ok(()) => return Ok((body, proxy.clone())),
                            Err(reason) => (FetchError::module(path, version, reason), false),
                        },
                        Err(HttpError::TooLarge { .. }) if matches!(resource, Resource::Zip(_)) => {
                            (
                                FetchError::module(path, version, Reason::ZipTooLarge),
                                false,
                            )
                        }
                        Err(HttpError::BadZip { message }) => (FetchError::BadZip(message), false),
                        Err(err) => (FetchError::module(path, version, Reason::Http(err)), false),
                    }
                }
                Route::Direct(cause) => (
                    FetchError::module(path, version, Reason::Direct(cause)),
                    true,
                ),
                Route::Off => (FetchError::Off, false),
                // "disabled by GOPRIVATE/GONOPROXY" and "path does not match GOPRIVATE/GONOPROXY":
                // not-found equivalents that a better error always replaces.
                Route::Excluded | Route::UseProxy => continue,
            };
            let not_found = error.is_not_found();
            best.consider(error, not_found, direct);
            if !spec.fall_back_on_error && !not_found {
                break;
            }
        }
        Err(best
            .into_error()
            .unwrap_or(FetchError::Config(ConfigError::EmptyProxyList)))
    }

    /// One proxy resource through the caches: memory, our disk cache, GOMODCACHE (immutable
    /// files), then the network; stale copies when the network fails.
    async fn resource(
        self: &Arc<Self>,
        path: &str,
        resource: &Resource,
        validate: Validator,
        proxies: Proxies,
    ) -> Result<Fetched<Bytes>, FetchError> {
        let immutable = resource.is_immutable();
        if !immutable && !proxies.cached() {
            // A later attempt of a query asks its own proxy, and nothing else.
            return self
                .network(path, resource, validate.as_ref(), proxies)
                .await;
        }
        if immutable && let Some(err) = self.failed_at(path, resource, proxies) {
            return Err(err);
        }
        let cache = &self.cache;
        let mut stale: Option<(Hit, DataSource)> = None;
        if let Some(hit) = cache.memory_get(path, resource) {
            if immutable {
                return Ok(Fetched {
                    value: hit.data,
                    freshness: Freshness::Cached,
                    source: DataSource::Memory,
                });
            }
            if cache.is_fresh(&hit) {
                return Ok(Fetched {
                    value: hit.data,
                    freshness: Freshness::Fresh,
                    source: DataSource::Memory,
                });
            }
            stale = Some((hit, DataSource::Memory));
        }
        // A copy on disk is checked as an answer from the network would be: one that fails the
        // check (cut short, damaged, for another version) is treated as absent, as go treats a
        // `.info` in its cache that it cannot use.
        let usable = |hit: &Hit| validate(&Body::Bytes(hit.data.clone()), "cache").is_ok();
        if let Some(hit) = cache.disk_get(path, resource).await.filter(usable) {
            if immutable || cache.is_fresh(&hit) {
                cache.memory_put(path, resource, hit.clone());
                let freshness = if immutable {
                    Freshness::Cached
                } else {
                    Freshness::Fresh
                };
                return Ok(Fetched {
                    value: hit.data,
                    freshness,
                    source: DataSource::DiskCache,
                });
            }
            if stale.as_ref().is_none_or(|(s, _)| s.stored < hit.stored) {
                stale = Some((hit, DataSource::DiskCache));
            }
        }
        if immutable && let Some(hit) = cache.gomodcache_get(path, resource).await.filter(usable) {
            cache.memory_put(path, resource, hit.clone());
            return Ok(Fetched {
                value: hit.data,
                freshness: Freshness::Cached,
                source: DataSource::GoModCache,
            });
        }
        if self.offline_mode() {
            return match self.fallback(path, resource, stale).await {
                Some((hit, source)) => Ok(Fetched {
                    value: hit.data,
                    freshness: Freshness::Offline,
                    source,
                }),
                None => Err(FetchError::module(
                    path,
                    version_of(resource),
                    Reason::Offline,
                )),
            };
        }
        if let Some((hit, source)) = &stale
            && cache.config().stale_while_revalidate
        {
            let this = Arc::clone(self);
            let (path, resource, validate) =
                (path.to_owned(), resource.clone(), Arc::clone(&validate));
            tokio::spawn(async move {
                match this
                    .network(&path, &resource, validate.as_ref(), Proxies::All)
                    .await
                {
                    // Gone from the proxy: the copy is forgotten, so that the next call says so
                    // (a stale copy never hides a "not found").
                    Err(err) if err.is_not_found() => {
                        tracing::debug!("background refresh: {err}; the copy is dropped");
                        this.cache.forget(&path, &resource);
                    }
                    Err(err) => tracing::debug!("background refresh failed: {err}"),
                    Ok(_) => {}
                }
            });
            return Ok(Fetched {
                value: hit.data.clone(),
                freshness: Freshness::Stale,
                source: source.clone(),
            });
        }
        match self
            .network(path, resource, validate.as_ref(), proxies)
            .await
        {
            Ok(fetched) => Ok(fetched),
            Err(err) => {
                let usable = err.is_network()
                    || err.is_direct_unavailable()
                    || matches!(err, FetchError::Off);
                if !usable {
                    return Err(err);
                }
                let freshness = if matches!(err, FetchError::Off) {
                    Freshness::Offline
                } else {
                    Freshness::Stale
                };
                match self.fallback(path, resource, stale).await {
                    Some((hit, source)) => Ok(Fetched {
                        value: hit.data,
                        freshness,
                        source,
                    }),
                    None => Err(err),
                }
            }
        }
    }

    /// For an attempt on one entry of the GOPROXY list: the failure that proxy answered for
    /// `resource` earlier in the same operation. go's attempt on a proxy keeps that proxy's own
    /// answers, failures too, for the run of a command, and asks them before the module cache,
    /// which another proxy of the list may have filled since: within one command, a proxy that
    /// lacks a version's `.info` (or failed to serve it) does not answer it from what the next
    /// proxy gave. A later command (a later operation here) finds the module cache first.
    fn failed_at(&self, path: &str, resource: &Resource, proxies: Proxies) -> Option<FetchError> {
        let Proxies::Only { index, .. } = proxies else {
            return None;
        };
        let (_, url) = self
            .proxy_urls(path, resource)
            .into_iter()
            .find(|(at, _)| *at == index)?;
        let error = OPERATION
            .try_with(|memory| lock(memory).get(&url).cloned())
            .ok()
            .flatten()?;
        Some(FetchError::module(
            path,
            version_of(resource),
            Reason::Http(error),
        ))
    }

    /// When the answer this client holds for `resource` came: the copy in memory, or else the
    /// oldest "not found" the proxies of the list gave for it.
    pub(crate) fn answer_time(&self, path: &str, resource: &Resource) -> Option<SystemTime> {
        if let Some(hit) = self.cache.memory_get(path, resource) {
            return Some(hit.stored);
        }
        self.proxy_urls(path, resource)
            .iter()
            .filter_map(|(_, url)| self.cache.not_found_time(url))
            .min()
    }

    /// The URL of `resource` at each entry of the GOPROXY list that routes the module to a
    /// proxy, with the entry's index (none when the path or version cannot be escaped).
    fn proxy_urls(&self, path: &str, resource: &Resource) -> Vec<(usize, String)> {
        let (Ok(list), Ok(escaped), Ok(suffix)) = (
            self.proxies.as_ref(),
            module_path::escape_path(path),
            resource.proxy_suffix(),
        ) else {
            return Vec::new();
        };
        list.specs
            .iter()
            .enumerate()
            .filter_map(|(index, spec)| {
                match ProxyList::route(&spec.entry, path, self.env.gonoproxy()) {
                    Route::Proxy(proxy) => Some((index, proxy_url(&proxy.url, &escaped, &suffix))),
                    _ => None,
                }
            })
            .collect()
    }

    /// A stale copy, or for version lists GOMODCACHE's partial list.
    async fn fallback(
        &self,
        path: &str,
        resource: &Resource,
        stale: Option<(Hit, DataSource)>,
    ) -> Option<(Hit, DataSource)> {
        if stale.is_some() {
            return stale;
        }
        if *resource == Resource::List {
            return self
                .cache
                .gomodcache_get(path, resource)
                .await
                .map(|hit| (hit, DataSource::GoModCache));
        }
        None
    }

    /// Fetches from the network and stores the answer in both caches.
    async fn network(
        &self,
        path: &str,
        resource: &Resource,
        validate: &(dyn Fn(&Body, &str) -> Result<(), Reason> + Send + Sync),
        proxies: Proxies,
    ) -> Result<Fetched<Bytes>, FetchError> {
        let (body, proxy) = self
            .via_proxies(path, resource, Sink::Memory, validate, proxies)
            .await?;
        let Body::Bytes(data) = body else {
            return Err(FetchError::module(
                path,
                version_of(resource),
                Reason::Cache("unexpected file body".to_owned()),
            ));
        };
        if resource.is_immutable() || proxies.cached() {
            let hit = Hit {
                data: data.clone(),
                stored: SystemTime::now(),
            };
            self.cache.memory_put(path, resource, hit);
            self.cache.disk_put(path, resource, &data);
        }
        Ok(Fetched {
            value: data,
            freshness: Freshness::Fresh,
            source: DataSource::Proxy(proxy.redacted),
        })
    }

    pub(crate) async fn versions(
        self: &Arc<Self>,
        path: &str,
    ) -> Result<Fetched<VersionList>, FetchError> {
        self.versions_via(path, Proxies::All).await
    }

    /// [`Inner::versions`] from the given entries of the GOPROXY list.
    pub(crate) async fn versions_via(
        self: &Arc<Self>,
        path: &str,
        proxies: Proxies,
    ) -> Result<Fetched<VersionList>, FetchError> {
        Self::check_path(path)?;
        let fetched = self
            .resource(
                path,
                &Resource::List,
                Arc::new(|_: &Body, _: &str| Ok(())),
                proxies,
            )
            .await?;
        Ok(Fetched {
            value: parse_version_list(&fetched.value),
            freshness: fetched.freshness,
            source: fetched.source,
        })
    }

    pub(crate) async fn info(
        self: &Arc<Self>,
        path: &str,
        rev: &str,
    ) -> Result<Fetched<RevInfo>, FetchError> {
        self.info_via(path, rev, Proxies::All).await
    }

    /// [`Inner::info`] from the given entries of the GOPROXY list.
    pub(crate) async fn info_via(
        self: &Arc<Self>,
        path: &str,
        rev: &str,
        proxies: Proxies,
    ) -> Result<Fetched<RevInfo>, FetchError> {
        Self::check_path(path)?;
        module_path::escape_version(rev)
            .map_err(|e| FetchError::module(path, Some(rev), Reason::Unescapable(e)))?;
        let (owned_path, owned_rev) = (path.to_owned(), rev.to_owned());
        let validate = Arc::new(move |body: &Body, base: &str| match body {
            Body::Bytes(data) => check_info(&owned_path, Some(&owned_rev), data, base).map(|_| ()),
            Body::File(_) => Ok(()),
        });
        let fetched = self
            .resource(path, &Resource::Info(rev.to_owned()), validate, proxies)
            .await?;
        let base = match &fetched.source {
            DataSource::Proxy(base) => base.clone(),
            _ => "cache".to_owned(),
        };
        let info = check_info(path, Some(rev), &fetched.value, &base)
            .map_err(|r| FetchError::module(path, Some(rev), r))?;
        if info.version != rev && fetched.source != DataSource::Memory {
            // A revision lookup also tells us the version's own (immutable) .info.
            let resource = Resource::Info(info.version.clone());
            self.cache.memory_put(
                path,
                &resource,
                Hit {
                    data: fetched.value.clone(),
                    stored: SystemTime::now(),
                },
            );
            self.cache.disk_put(path, &resource, &fetched.value);
        }
        Ok(Fetched {
            value: info,
            freshness: fetched.freshness,
            source: fetched.source,
        })
    }

    /// go's internal error for a non-canonical version passed to `operation` (`GoMod`, `Zip`):
    /// those take only the versions a list or a query gave.
    fn check_canonical(path: &str, version: &str, operation: &str) -> Result<(), FetchError> {
        if semver::module_canonical(version) == version {
            return Ok(());
        }
        Err(FetchError::module(
            path,
            Some(version),
            Reason::BadVersion(format!(
                "internal error: version passed to {operation} is not canonical"
            )),
        ))
    }

    pub(crate) async fn go_mod(
        self: &Arc<Self>,
        path: &str,
        version: &str,
    ) -> Result<Fetched<Bytes>, FetchError> {
        Self::check_path(path)?;
        Self::check_canonical(path, version, "GoMod")?;
        self.resource(
            path,
            &Resource::Mod(version.to_owned()),
            Arc::new(|_: &Body, _: &str| Ok(())),
            Proxies::All,
        )
        .await
    }

    pub(crate) async fn zip(
        self: &Arc<Self>,
        path: &str,
        version: &str,
    ) -> Result<Fetched<PathBuf>, FetchError> {
        Self::check_path(path)?;
        Self::check_canonical(path, version, "Zip")?;
        let resource = Resource::Zip(version.to_owned());
        // Our disk cache, or without one this client's own directory of downloaded zips.
        let kept = self.cache.zip_target(path, version);
        if let Some(own) = &kept
            && tokio::fs::metadata(own).await.is_ok_and(|m| m.is_file())
        {
            return Ok(Fetched {
                value: own.clone(),
                freshness: Freshness::Cached,
                source: DataSource::DiskCache,
            });
        }
        if let Some(theirs) = self.cache.gomodcache_file(path, &resource)
            && tokio::fs::metadata(&theirs)
                .await
                .is_ok_and(|m| m.is_file())
        {
            return Ok(Fetched {
                value: theirs,
                freshness: Freshness::Cached,
                source: DataSource::GoModCache,
            });
        }
        if self.offline_mode() {
            return Err(FetchError::module(path, Some(version), Reason::Offline));
        }
        let Some(target) = kept else {
            return Err(FetchError::module(
                path,
                Some(version),
                Reason::Cache("no directory to download the zip into".to_owned()),
            ));
        };
        let (body, proxy) = self
            .via_proxies(
                path,
                &resource,
                Sink::Zip {
                    path: target.clone(),
                    module: format!("{path}@{version}"),
                },
                &|_: &Body, _: &str| Ok(()),
                Proxies::All,
            )
            .await?;
        let Body::File(file) = body else {
            return Err(FetchError::module(
                path,
                Some(version),
                Reason::Cache("zip kept in memory".to_owned()),
            ));
        };
        if let Ok(metadata) = tokio::fs::metadata(&file).await {
            self.cache.account(file.clone(), metadata.len());
        }
        Ok(Fetched {
            value: file,
            freshness: Freshness::Fresh,
            source: DataSource::Proxy(proxy.redacted),
        })
    }

    /// `proxyRepo.Latest`: `@latest`, or on "not found" the newest timed list entry.
    pub(crate) async fn latest(
        self: &Arc<Self>,
        path: &str,
        list: &VersionList,
    ) -> Result<Fetched<RevInfo>, FetchError> {
        self.latest_via(path, list, Proxies::All).await
    }

    /// [`Inner::latest`] from the given entries of the GOPROXY list.
    pub(crate) async fn latest_via(
        self: &Arc<Self>,
        path: &str,
        list: &VersionList,
        proxies: Proxies,
    ) -> Result<Fetched<RevInfo>, FetchError> {
        let owned_path = path.to_owned();
        let validate = Arc::new(move |body: &Body, base: &str| match body {
            Body::Bytes(data) => check_info(&owned_path, None, data, base).map(|_| ()),
            Body::File(_) => Ok(()),
        });
        match self
            .resource(path, &Resource::Latest, validate, proxies)
            .await
        {
            Ok(fetched) => {
                let info = check_info(path, None, &fetched.value, "cache")
                    .map_err(|r| FetchError::module(path, None, r))?;
                Ok(Fetched {
                    value: info,
                    freshness: fetched.freshness,
                    source: fetched.source,
                })
            }
            Err(err) if err.is_not_found() => match &list.newest_by_time {
                Some(version) => self.info_via(path, version, proxies).await,
                None => Err(FetchError::module(path, None, Reason::NoCommits)),
            },
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_list_entry_by_time() {
        let newest = |text: &str| parse_version_list(text.as_bytes()).newest_by_time;
        // A second field that does not parse is the zero time, not the pseudo-version's own.
        assert_eq!(
            newest(
                "v0.0.0-20230101000000-aaaaaaaaaaaa\n\
                 v0.0.0-20230401000000-dddddddddddd notatime\n"
            )
            .as_deref(),
            Some("v0.0.0-20230101000000-aaaaaaaaaaaa")
        );
        // A tagged version counts only with a time; on a tie the first line stays.
        assert_eq!(
            newest(
                "v1.0.0\n\
                 v1.1.0 2023-03-01T00:00:00Z\n\
                 v0.0.0-20230301000000-aaaaaaaaaaaa\n"
            )
            .as_deref(),
            Some("v1.1.0")
        );
        assert_eq!(newest("v1.0.0\nv1.1.0 notatime\n"), None);
    }
}
