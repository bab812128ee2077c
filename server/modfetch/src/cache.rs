//! The caches in front of the network: memory (dashmap), our own disk cache in the user's cache
//! directory (a valid GOPROXY layout), and read-only use of `GOMODCACHE/cache/download`.
//!
//! `.info` of canonical versions, `.mod` and `.zip` never change and are kept for good; version
//! lists, `@latest` and revision lookups (`master.info`) live for a configurable time and are
//! served stale when the network fails. Both caches are bounded.

use std::collections::HashMap;
use std::collections::HashSet;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use dashmap::DashMap;

use crate::compat::{module_path, semver};
use crate::env::GoEnv;
use crate::error::HttpError;

/// Cache settings.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// Our disk cache directory; `None` keeps everything in memory (zips then go to a temporary
    /// directory).
    pub dir: Option<PathBuf>,
    /// How long version lists, `@latest` and revision lookups count as fresh.
    pub ttl: Duration,
    /// Bound on the disk cache; the least recently written files go first.
    pub max_disk_bytes: u64,
    /// Bound on the number of entries kept in memory.
    pub max_memory_entries: usize,
    /// Never use the network; serve what the caches have, marked offline.
    pub offline: bool,
    /// Read `GOMODCACHE/cache/download` before asking the network.
    pub read_gomodcache: bool,
    /// Serve an expired list at once (marked stale) and refresh it in the background.
    pub stale_while_revalidate: bool,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            dir: None,
            ttl: Duration::from_secs(10 * 60),
            max_disk_bytes: 1 << 30,
            max_memory_entries: 50_000,
            offline: false,
            read_gomodcache: true,
            stale_while_revalidate: true,
        }
    }
}

impl CacheConfig {
    /// The defaults with the disk cache in `<user cache dir>/gomodls/modfetch`.
    pub fn in_user_cache_dir(env: &GoEnv) -> CacheConfig {
        CacheConfig {
            dir: user_cache_dir(env).map(|d| d.join("gomodls").join("modfetch")),
            ..CacheConfig::default()
        }
    }
}

/// `os.UserCacheDir` from the environment the [`GoEnv`] was resolved from.
pub fn user_cache_dir(env: &GoEnv) -> Option<PathBuf> {
    let var = |k: &str| {
        env.process_var(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return var("LocalAppData");
    }
    if cfg!(target_os = "macos") {
        return var("HOME").map(|h| h.join("Library/Caches"));
    }
    if let Some(xdg) = var("XDG_CACHE_HOME") {
        return xdg.is_absolute().then_some(xdg);
    }
    var("HOME").map(|h| h.join(".cache"))
}

/// One file of the proxy protocol for one module.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Resource {
    /// `@v/list`.
    List,
    /// `@latest`.
    Latest,
    /// `@v/<rev>.info`.
    Info(String),
    /// `@v/<version>.mod`.
    Mod(String),
    /// `@v/<version>.zip`.
    Zip(String),
}

/// go's bound on go.mod files (`codehost.MaxGoMod`).
pub(crate) const MAX_GO_MOD: u64 = 16 << 20;
/// go's bound on module zips (`codehost.MaxZipFile`).
pub(crate) const MAX_ZIP: u64 = 500 << 20;
/// Our bound on `.info` and `@latest` answers (a few hundred bytes in practice).
pub(crate) const MAX_INFO: u64 = 1 << 20;
/// Our bound on version lists.
pub(crate) const MAX_LIST: u64 = 16 << 20;

impl Resource {
    /// The path below the module's escaped path, as on a proxy (`@v/v1.0.0.info`).
    pub(crate) fn proxy_suffix(&self) -> Result<String, String> {
        Ok(match self {
            Resource::List => "@v/list".to_owned(),
            Resource::Latest => "@latest".to_owned(),
            Resource::Info(v) => format!("@v/{}.info", module_path::escape_version(v)?),
            Resource::Mod(v) => format!("@v/{}.mod", module_path::escape_version(v)?),
            Resource::Zip(v) => format!("@v/{}.zip", module_path::escape_version(v)?),
        })
    }

    /// Whether the answer can never change.
    pub(crate) fn is_immutable(&self) -> bool {
        match self {
            Resource::List | Resource::Latest => false,
            Resource::Info(v) => semver::module_canonical(v) == *v,
            Resource::Mod(_) | Resource::Zip(_) => true,
        }
    }

    /// The largest body accepted.
    pub(crate) fn limit(&self) -> u64 {
        match self {
            Resource::List => MAX_LIST,
            Resource::Latest | Resource::Info(_) => MAX_INFO,
            Resource::Mod(_) => MAX_GO_MOD,
            Resource::Zip(_) => MAX_ZIP,
        }
    }
}

/// An entry found in a cache.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// The content.
    pub data: Bytes,
    /// When it was stored (for the TTL of mutable entries).
    pub stored: SystemTime,
}

/// The file names of one directory.
type Names = Arc<std::sync::Mutex<HashSet<String>>>;

/// A directory's names once listed, with the time of listing; concurrent lookups of one
/// directory share one listing.
type Listing = Arc<tokio::sync::OnceCell<(Names, SystemTime)>>;

/// Work for the disk writer thread.
enum Job {
    /// Write a file atomically.
    Write { file: PathBuf, data: Bytes },
    /// Count a file someone else wrote into the cache (a downloaded zip, just handed to its
    /// caller: the prune this may start spares it).
    Account { file: PathBuf, size: u64 },
    /// Remove a file (a copy the proxy no longer has).
    Remove(PathBuf),
    /// Store a module's facts record in the facts index.
    FactsRecord {
        path: String,
        stored_ms: u64,
        data: Bytes,
    },
    /// Answer once every earlier job is done.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Where the answers that change over time from the proxies of `scope` are kept below the cache
/// directory `dir` (a name module paths cannot take: their first element has a dot).
fn scoped_dir(dir: &Path, scope: &str) -> PathBuf {
    dir.join("_proxies").join(scope)
}

/// The facts index: one line per module, `PATH \t STORED_MS \t RECORD_JSON`, so that a warm start
/// reads one file instead of one per module.
fn facts_index_file(dir: &Path) -> PathBuf {
    dir.join("_facts").join("index")
}

fn parse_facts_index(data: &str) -> impl Iterator<Item = (&str, u64, &str)> {
    data.lines().filter_map(|line| {
        let mut parts = line.splitn(3, '\t');
        let path = parts.next()?;
        let stored_ms = parts.next()?.parse().ok()?;
        Some((path, stored_ms, parts.next()?))
    })
}

/// The writer thread's copy of the facts index.
struct FactsIndex {
    entries: std::collections::BTreeMap<String, (u64, Bytes)>,
    dirty: bool,
    size_on_disk: u64,
}

impl FactsIndex {
    fn load(dir: &Path) -> FactsIndex {
        let data = std::fs::read_to_string(facts_index_file(dir)).unwrap_or_default();
        let entries = parse_facts_index(&data)
            .map(|(path, stored_ms, record)| {
                (
                    path.to_owned(),
                    (stored_ms, Bytes::copy_from_slice(record.as_bytes())),
                )
            })
            .collect();
        FactsIndex {
            entries,
            dirty: false,
            size_on_disk: data.len() as u64,
        }
    }

    /// Rewrites the index without expired entries; returns the change in bytes on disk. Records
    /// another process (another gomodls sharing the cache directory) saved since this one read
    /// the index are kept: the newer record of each module wins.
    fn save(&mut self, dir: &Path, ttl: std::time::Duration) -> i64 {
        self.dirty = false;
        let on_disk = std::fs::read_to_string(facts_index_file(dir)).unwrap_or_default();
        for (path, stored_ms, record) in parse_facts_index(&on_disk) {
            let newer = self
                .entries
                .get(path)
                .is_none_or(|(ours, _)| *ours < stored_ms);
            if newer {
                self.entries.insert(
                    path.to_owned(),
                    (stored_ms, Bytes::copy_from_slice(record.as_bytes())),
                );
            }
        }
        let now_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        self.entries
            .retain(|_, (stored_ms, _)| now_ms.saturating_sub(*stored_ms) < ttl_ms);
        let mut out = Vec::new();
        for (path, (stored_ms, record)) in &self.entries {
            out.extend_from_slice(format!("{path}\t{stored_ms}\t").as_bytes());
            out.extend_from_slice(record);
            out.push(b'\n');
        }
        if let Err(err) = write_atomically(&facts_index_file(dir), &out) {
            tracing::debug!("writing the facts index: {err}");
            return 0;
        }
        let before = self.size_on_disk;
        self.size_on_disk = out.len() as u64;
        i64::try_from(self.size_on_disk).unwrap_or(0) - i64::try_from(before).unwrap_or(0)
    }
}

/// Memory and disk caches.
#[derive(Debug)]
pub(crate) struct Cache {
    config: CacheConfig,
    /// Where the answers that change over time (lists, `@latest`, revision lookups, facts) are
    /// kept on disk: apart for each GOPROXY setting (its scope), so that a client set up for one
    /// proxy never takes another's answers for its own. What never changes (a version's
    /// `.info`, `.mod` and `.zip`) is shared, as go shares its module cache.
    scoped_dir: Option<PathBuf>,
    gomodcache: Option<PathBuf>,
    memory: DashMap<(String, Resource), Hit>,
    not_found: DashMap<String, (HttpError, SystemTime)>,
    not_found_disk: tokio::sync::OnceCell<HashMap<String, (HttpError, SystemTime)>>,
    /// Names of the files in cache directories, listed once per directory (and per TTL), so
    /// that a miss costs no file system call.
    listings: DashMap<PathBuf, Listing>,
    writer: Option<std::sync::mpsc::Sender<Job>>,
    /// Without a cache directory, where this client keeps the zips it downloads: a directory of
    /// its own (made on first use, readable by this user only, removed with the client), never
    /// a shared path under the temporary directory that another user could have made first.
    zips_without_dir: std::sync::OnceLock<Option<tempfile::TempDir>>,
}

/// Starts the thread that writes the disk cache (off the request path) and keeps it within its
/// bound. It ends when the cache is dropped, after finishing the queued writes.
fn spawn_writer(
    dir: PathBuf,
    facts_dir: PathBuf,
    max_bytes: u64,
    ttl: std::time::Duration,
) -> Option<std::sync::mpsc::Sender<Job>> {
    let (sender, receiver) = std::sync::mpsc::channel::<Job>();
    let spawned = std::thread::Builder::new()
        .name("gomodls-cache-writer".to_owned())
        .spawn(move || {
            let mut total: Option<u64> = None;
            // When the directory's size was last counted (the first write counts it).
            let mut counted = Instant::now();
            let mut facts: Option<FactsIndex> = None;
            let bounds = Bounds {
                dir: &dir,
                facts_dir: &facts_dir,
                max_bytes,
                spared: None,
            };
            let mut pending: VecDeque<Job> = VecDeque::new();
            loop {
                // Take queued jobs without waiting; when the queue is empty, save the facts
                // index once for the whole batch, then wait for the next burst to settle.
                let next = match pending.pop_front() {
                    Some(job) => Ok(job),
                    None => receiver.try_recv(),
                };
                let job = match next {
                    Ok(job) => job,
                    Err(std::sync::mpsc::TryRecvError::Empty) => {
                        save_facts(&mut facts, &mut total, &bounds, ttl);
                        match receiver.recv() {
                            Ok(job) => {
                                // Other processes (another editor's server, `gomodls check`)
                                // write to a shared directory too, and the running total counts
                                // this writer's writes only: once per TTL, a new burst counts the
                                // directory again, so that together they stay within the bound.
                                if counted.elapsed() >= ttl {
                                    total = None;
                                    counted = Instant::now();
                                }
                                pending.push_back(job);
                                wait_for_quiet(&receiver, &mut pending);
                                continue;
                            }
                            Err(_) => break,
                        }
                    }
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
                };
                let mut spared = None;
                let size = match job {
                    Job::Write { file, data } => match write_atomically(&file, &data) {
                        Ok(()) => data.len() as u64,
                        Err(err) => {
                            tracing::debug!("writing disk cache {}: {err}", file.display());
                            continue;
                        }
                    },
                    Job::Account { file, size } => {
                        spared = Some(file);
                        size
                    }
                    Job::Remove(file) => {
                        let size = std::fs::metadata(&file).map_or(0, |m| m.len());
                        if std::fs::remove_file(&file).is_ok()
                            && let Some(total) = total.as_mut()
                        {
                            *total = total.saturating_sub(size);
                        }
                        continue;
                    }
                    Job::FactsRecord {
                        path,
                        stored_ms,
                        data,
                    } => {
                        let index = facts.get_or_insert_with(|| FactsIndex::load(&facts_dir));
                        index.entries.insert(path, (stored_ms, data));
                        index.dirty = true;
                        continue;
                    }
                    Job::Flush(done) => {
                        save_facts(&mut facts, &mut total, &bounds, ttl);
                        let _ = done.send(());
                        continue;
                    }
                };
                settle(
                    &mut total,
                    i64::try_from(size).unwrap_or(i64::MAX),
                    &Bounds {
                        spared: spared.as_deref(),
                        ..bounds
                    },
                    &mut facts,
                );
            }
            if let Some(index) = facts.as_mut().filter(|i| i.dirty) {
                index.save(&facts_dir, ttl);
            }
        });
    match spawned {
        Ok(_) => Some(sender),
        Err(err) => {
            tracing::warn!("no disk cache: cannot start its writer thread: {err}");
            None
        }
    }
}

/// How long a directory listing stands in for file lookups.
const LISTING_FRESH: Duration = Duration::from_secs(2);

/// How long the writer waits for a burst of jobs to stop before it writes.
const WRITE_QUIET: Duration = Duration::from_millis(50);
/// How often the writer looks for new jobs while it waits for a burst to stop. It sleeps
/// between looks instead of waiting on the queue, so that each of the burst's jobs does not
/// wake it (a thread switch per fetched file, taken from the fetches themselves).
const WRITE_POLL: Duration = Duration::from_millis(5);
/// The longest a job waits for its burst to stop.
const WRITE_DELAY_MAX: Duration = Duration::from_secs(1);
/// The most jobs held back at once.
const WRITE_PENDING_MAX: usize = 10_000;

/// Collects jobs until none has come for [`WRITE_QUIET`] (a flush, a bound on time or count, or
/// a closed queue end the wait), so that the hundreds of requests of one burst of fetches do
/// not compete with their own disk writes for the processor.
fn wait_for_quiet(receiver: &std::sync::mpsc::Receiver<Job>, pending: &mut VecDeque<Job>) {
    let deadline = Instant::now() + WRITE_DELAY_MAX;
    let mut last_job = Instant::now();
    while !pending.iter().any(|job| matches!(job, Job::Flush(_)))
        && pending.len() < WRITE_PENDING_MAX
    {
        let now = Instant::now();
        if now >= deadline || now.duration_since(last_job) >= WRITE_QUIET {
            return;
        }
        std::thread::sleep(WRITE_POLL.min(deadline - now));
        loop {
            match receiver.try_recv() {
                Ok(job) => {
                    pending.push_back(job);
                    last_job = Instant::now();
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
            }
        }
    }
}

/// Saves the facts index if it changed, and keeps the directory within its bound.
fn save_facts(
    facts: &mut Option<FactsIndex>,
    total: &mut Option<u64>,
    bounds: &Bounds<'_>,
    ttl: Duration,
) {
    let grown = facts
        .as_mut()
        .filter(|index| index.dirty)
        .map(|index| index.save(bounds.facts_dir, ttl));
    if let Some(grown) = grown {
        settle(total, grown, bounds, facts);
    }
}

/// What the disk cache is kept within.
#[derive(Clone, Copy)]
struct Bounds<'a> {
    /// The cache directory.
    dir: &'a Path,
    /// Where the facts index of this client's proxy setting is.
    facts_dir: &'a Path,
    /// The bound.
    max_bytes: u64,
    /// A file a prune must leave (a zip just handed to its caller).
    spared: Option<&'a Path>,
}

/// Adds `delta` bytes to the running total (counting the directory when there is none: the
/// first time, and once per TTL for what other processes wrote) and prunes to 80% of the bound
/// when it is exceeded.
fn settle(
    total: &mut Option<u64>,
    delta: i64,
    bounds: &Bounds<'_>,
    facts: &mut Option<FactsIndex>,
) {
    let Bounds {
        dir,
        facts_dir,
        max_bytes,
        spared,
    } = *bounds;
    let current = match *total {
        Some(t) => t.saturating_add_signed(delta),
        None => scan(dir).iter().map(|f| f.size).sum(),
    };
    if current <= max_bytes {
        *total = Some(current);
        return;
    }
    *total = Some(prune_blocking(dir, max_bytes / 10 * 8, spared));
    // A pruned facts index is forgotten too, so its size stays in step with the disk.
    if !facts_index_file(facts_dir).exists() {
        *facts = None;
    }
}

/// Deletes the least recently written files until at most `target` bytes remain.
fn prune_blocking(dir: &Path, target: u64, spared: Option<&Path>) -> u64 {
    let mut files = scan(dir);
    files.sort_by_key(|f| f.modified);
    let mut total: u64 = files.iter().map(|f| f.size).sum();
    for file in files {
        if total <= target {
            break;
        }
        if Some(file.path.as_path()) == spared {
            continue;
        }
        if std::fs::remove_file(&file.path).is_ok() {
            total = total.saturating_sub(file.size);
        }
    }
    total
}

impl Cache {
    pub(crate) fn new(config: CacheConfig, gomodcache: Option<PathBuf>, scope: String) -> Cache {
        let scoped_dir = config.dir.as_deref().map(|dir| scoped_dir(dir, &scope));
        let writer = config
            .dir
            .clone()
            .zip(scoped_dir.clone())
            .and_then(|(dir, facts_dir)| {
                spawn_writer(dir, facts_dir, config.max_disk_bytes, config.ttl)
            });
        Cache {
            config,
            scoped_dir,
            gomodcache,
            memory: DashMap::new(),
            not_found: DashMap::new(),
            not_found_disk: tokio::sync::OnceCell::new(),
            listings: DashMap::new(),
            writer,
            zips_without_dir: std::sync::OnceLock::new(),
        }
    }

    fn send(&self, job: Job) {
        if let Some(writer) = &self.writer {
            let _ = writer.send(job);
        }
    }

    /// Waits until every queued disk write is done.
    pub(crate) async fn flush(&self) {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.send(Job::Flush(done));
        let _ = wait.await;
    }

    /// Queues a file for writing and records it (and its new directories) in the listings.
    fn write(&self, file: PathBuf, data: Bytes) {
        if self.writer.is_none() {
            return;
        }
        // Only directories of the cache are ever listed: the walk starts at its root.
        if let Some(root) = self.config.dir.as_deref()
            && let Ok(relative) = file.strip_prefix(root)
        {
            let mut dir = root.to_path_buf();
            for component in relative.components() {
                let Some(child) = component.as_os_str().to_str() else {
                    break;
                };
                if let Some(entry) = self.listings.get(&dir)
                    && let Some((names, _)) = entry.value().get()
                {
                    let mut names = names
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if !names.contains(child) {
                        names.insert(child.to_owned());
                    }
                }
                dir.push(child);
            }
        }
        self.send(Job::Write { file, data });
    }

    /// The names in a directory, listed at most once per [`LISTING_FRESH`] (hundreds of modules
    /// looked up at once share one listing, not one blocking task each). Kept no longer than
    /// that, so that a file someone else writes (`go mod download` into GOMODCACHE, another
    /// gomodls into a shared cache) is seen seconds later, not a TTL later.
    async fn listing(&self, dir: &Path) -> Names {
        let expired = |listing: &Listing| {
            listing.get().is_some_and(|(_, listed)| {
                SystemTime::now()
                    .duration_since(*listed)
                    .map_or(true, |age| age >= LISTING_FRESH.min(self.config.ttl))
            })
        };
        // The common case, a directory listed before: a shared look-up, no key to allocate.
        let known = self
            .listings
            .get(dir)
            .map(|entry| Arc::clone(entry.value()))
            .filter(|listing| !expired(listing));
        let listing = if let Some(listing) = known {
            listing
        } else {
            // The map guard lives only in this block; nothing awaits while it is held.
            let mut entry = self.listings.entry(dir.to_path_buf()).or_default();
            if expired(entry.value()) {
                *entry.value_mut() = Listing::default();
            }
            Arc::clone(entry.value())
        };
        let (names, _) = listing
            .get_or_init(|| async {
                let owned = dir.to_path_buf();
                let names = tokio::task::spawn_blocking(move || {
                    std::fs::read_dir(&owned)
                        .map(|entries| {
                            entries
                                .flatten()
                                .filter_map(|e| e.file_name().into_string().ok())
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .await
                .unwrap_or_default();
                (Arc::new(std::sync::Mutex::new(names)), SystemTime::now())
            })
            .await;
        Arc::clone(names)
    }

    /// Whether `root/relative` exists, by the listings of the directories on the way down (so a
    /// module absent from the cache costs no file system call once its parent was listed).
    async fn listed(&self, root: &Path, relative: &Path) -> bool {
        let mut dir = root.to_path_buf();
        for component in relative.components() {
            let Some(name) = component.as_os_str().to_str() else {
                return false;
            };
            let names = self.listing(&dir).await;
            if !names
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(name)
            {
                return false;
            }
            dir.push(name);
        }
        true
    }

    pub(crate) fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// Whether a hit of a mutable resource is still within its TTL.
    pub(crate) fn is_fresh(&self, hit: &Hit) -> bool {
        SystemTime::now()
            .duration_since(hit.stored)
            .is_ok_and(|age| age < self.config.ttl)
    }

    pub(crate) fn memory_get(&self, path: &str, resource: &Resource) -> Option<Hit> {
        self.memory
            .get(&(path.to_owned(), resource.clone()))
            .map(|e| e.value().clone())
    }

    pub(crate) fn memory_put(&self, path: &str, resource: &Resource, hit: Hit) {
        self.memory.insert((path.to_owned(), resource.clone()), hit);
        if self.memory.len() > self.config.max_memory_entries {
            self.evict_memory();
        }
    }

    /// Drops the oldest tenth of the memory entries.
    fn evict_memory(&self) {
        let mut ages: Vec<((String, Resource), SystemTime)> = self
            .memory
            .iter()
            .map(|e| (e.key().clone(), e.value().stored))
            .collect();
        ages.sort_by_key(|(_, stored)| *stored);
        let excess = self
            .memory
            .len()
            .saturating_sub(self.config.max_memory_entries);
        let drop_count = excess + self.config.max_memory_entries / 10;
        for (key, _) in ages.into_iter().take(drop_count) {
            self.memory.remove(&key);
        }
    }

    /// A "not found" answer for a URL, if one was stored within the TTL (so that probing for
    /// `/v2` of every module does not cost a request each time).
    /// When the "not found" answer for a URL that this client holds in memory came.
    pub(crate) fn not_found_time(&self, url: &str) -> Option<SystemTime> {
        self.not_found.get(url).map(|entry| entry.value().1)
    }

    pub(crate) async fn not_found_get(&self, url: &str) -> Option<HttpError> {
        if let Some(entry) = self.not_found.get(url) {
            let (error, stored) = entry.value().clone();
            drop(entry);
            if self.is_fresh(&Hit {
                data: Bytes::new(),
                stored,
            }) {
                return Some(error);
            }
            self.not_found.remove(url);
            return None;
        }
        let index = self.not_found_index().await;
        if index.is_empty() {
            return None;
        }
        let (error, stored) = index.get(&not_found_name(url))?.clone();
        if !self.is_fresh(&Hit {
            data: Bytes::new(),
            stored,
        }) {
            return None;
        }
        self.not_found
            .insert(url.to_owned(), (error.clone(), stored));
        Some(error)
    }

    /// The "not found" answers on disk, read once (one directory scan instead of one file
    /// lookup per request).
    async fn not_found_index(&self) -> &HashMap<String, (HttpError, SystemTime)> {
        self.not_found_disk
            .get_or_init(|| async {
                let Some(dir) = self.config.dir.as_ref().map(|d| d.join("_notfound")) else {
                    return HashMap::new();
                };
                tokio::task::spawn_blocking(move || {
                    let mut index = HashMap::new();
                    for file in scan(&dir) {
                        let Some(name) = file.path.file_name().and_then(|n| n.to_str()) else {
                            continue;
                        };
                        let Ok(data) = std::fs::read(&file.path) else {
                            continue;
                        };
                        if let Some(error) = decode_not_found(&data) {
                            index.insert(name.to_owned(), (error, file.modified));
                        }
                    }
                    index
                })
                .await
                .unwrap_or_default()
            })
            .await
    }

    /// Remembers a "not found" answer for a URL (404 and 410 only).
    pub(crate) fn not_found_put(&self, url: &str, error: &HttpError) {
        let Some(encoded) = encode_not_found(error) else {
            return;
        };
        self.not_found
            .insert(url.to_owned(), (error.clone(), SystemTime::now()));
        if self.not_found.len() > self.config.max_memory_entries {
            self.not_found.clear();
        }
        let Some(file) = self.not_found_file(url) else {
            return;
        };
        self.write(file, Bytes::from(encoded));
    }

    fn not_found_file(&self, url: &str) -> Option<PathBuf> {
        let name = not_found_name(url);
        Some(
            self.config
                .dir
                .as_deref()?
                .join("_notfound")
                .join(name.get(..2)?)
                .join(name),
        )
    }

    /// The stored facts records of modules, from one read of the facts index.
    pub(crate) async fn facts_records_get<T: Send + 'static>(
        &self,
        paths: Vec<String>,
        decode: fn(&[u8]) -> Option<T>,
    ) -> Vec<Option<T>> {
        let Some(dir) = self.scoped_dir.clone() else {
            return paths.iter().map(|_| None).collect();
        };
        let count = paths.len();
        tokio::task::spawn_blocking(move || {
            let data = std::fs::read_to_string(facts_index_file(&dir)).unwrap_or_default();
            let index: HashMap<&str, &str> = parse_facts_index(&data)
                .map(|(path, _, record)| (path, record))
                .collect();
            paths
                .iter()
                .map(|path| decode(index.get(path.as_str())?.as_bytes()))
                .collect::<Vec<Option<T>>>()
        })
        .await
        .unwrap_or_else(|_| (0..count).map(|_| None).collect())
    }

    /// Queues a module's facts record for the facts index (saved once per batch of writes).
    pub(crate) fn facts_record_put(&self, path: &str, stored: SystemTime, data: Bytes) {
        let stored_ms = stored
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.send(Job::FactsRecord {
            path: path.to_owned(),
            stored_ms,
            data,
        });
    }

    /// Where a resource lives below a GOPROXY-layout root.
    fn file_in(root: &Path, path: &str, resource: &Resource) -> Option<PathBuf> {
        let escaped = module_path::escape_path(path).ok()?;
        let suffix = resource.proxy_suffix().ok()?;
        Some(root.join(escaped).join(suffix))
    }

    /// Our disk cache file for a resource.
    pub(crate) fn disk_file(&self, path: &str, resource: &Resource) -> Option<PathBuf> {
        let dir = match resource.is_immutable() {
            true => self.config.dir.as_deref()?,
            false => self.scoped_dir.as_deref()?,
        };
        Self::file_in(dir, path, resource)
    }

    /// The `GOMODCACHE/cache/download` file for a resource.
    pub(crate) fn gomodcache_file(&self, path: &str, resource: &Resource) -> Option<PathBuf> {
        if !self.config.read_gomodcache {
            return None;
        }
        Self::file_in(
            &self.gomodcache.as_deref()?.join("cache").join("download"),
            path,
            resource,
        )
    }

    pub(crate) async fn disk_get(&self, path: &str, resource: &Resource) -> Option<Hit> {
        let root = self.config.dir.as_deref()?;
        let file = self.disk_file(path, resource)?;
        if !self.listed(root, file.strip_prefix(root).ok()?).await {
            return None;
        }
        read_hit(&file).await
    }

    pub(crate) async fn gomodcache_get(&self, path: &str, resource: &Resource) -> Option<Hit> {
        let root = self.gomodcache.as_deref()?.join("cache").join("download");
        let file = self.gomodcache_file(path, resource)?;
        if !self.listed(&root, file.strip_prefix(&root).ok()?).await {
            return None;
        }
        read_hit(&file).await
    }

    /// Forgets a resource in memory and on disk (the disk file is removed off the request path).
    pub(crate) fn forget(&self, path: &str, resource: &Resource) {
        self.memory.remove(&(path.to_owned(), resource.clone()));
        if let Some(file) = self.disk_file(path, resource) {
            self.send(Job::Remove(file));
        }
    }

    /// Queues a resource for the disk cache (written atomically, off the request path).
    pub(crate) fn disk_put(&self, path: &str, resource: &Resource, data: &Bytes) {
        if let Some(file) = self.disk_file(path, resource) {
            self.write(file, data.clone());
        }
    }

    /// Counts a file written into the disk cache by someone else (a downloaded zip).
    pub(crate) fn account(&self, file: PathBuf, size: u64) {
        self.send(Job::Account { file, size });
    }

    /// Where a downloaded zip goes: our disk cache, else this client's own temporary directory
    /// (`None` when neither can be had).
    pub(crate) fn zip_target(&self, path: &str, version: &str) -> Option<PathBuf> {
        let resource = Resource::Zip(version.to_owned());
        match &self.config.dir {
            Some(_) => self.disk_file(path, &resource),
            None => {
                let dir = self
                    .zips_without_dir
                    .get_or_init(|| {
                        let mut builder = tempfile::Builder::new();
                        builder.prefix("gomodls-zips-");
                        #[cfg(unix)]
                        {
                            use std::os::unix::fs::PermissionsExt as _;
                            builder.permissions(std::fs::Permissions::from_mode(0o700));
                        }
                        builder
                            .tempdir()
                            .inspect_err(|err| {
                                tracing::warn!("no directory for downloaded zips: {err}");
                            })
                            .ok()
                    })
                    .as_ref()?;
                Self::file_in(dir.path(), path, &resource)
            }
        }
    }
}

async fn read_hit(file: &Path) -> Option<Hit> {
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || read_hit_blocking(&file))
        .await
        .ok()
        .flatten()
}

/// Reads a cache file and its modification time with one open.
fn read_hit_blocking(file: &Path) -> Option<Hit> {
    use std::io::Read as _;
    let mut handle = std::fs::File::open(file).ok()?;
    let metadata = handle.metadata().ok()?;
    let mut data = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    handle.read_to_end(&mut data).ok()?;
    Some(Hit {
        data: Bytes::from(data),
        stored: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    })
}

/// The file name of a URL's "not found" record: the SHA-256 of the URL (which may carry
/// credentials, so it is never written out in clear).
fn not_found_name(url: &str) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let digest = sha2::Sha256::digest(url.as_bytes());
    let mut name = String::with_capacity(2 * digest.len());
    for byte in digest {
        let _ = write!(name, "{byte:02x}");
    }
    name
}

/// `status CODE`, the status line, the URL, then the detail (which may span lines).
fn encode_not_found(error: &HttpError) -> Option<String> {
    match error {
        HttpError::Status {
            url,
            status,
            code,
            detail,
        } if error.is_not_found() => Some(format!("status {code}\n{status}\n{url}\n{detail}")),
        HttpError::File {
            url,
            message,
            not_found: true,
        } => Some(format!("file\n{message}\n{url}\n")),
        _ => None,
    }
}

fn decode_not_found(data: &[u8]) -> Option<HttpError> {
    let text = std::str::from_utf8(data).ok()?;
    let mut parts = text.splitn(4, '\n');
    let kind = parts.next()?;
    let second = parts.next()?.to_owned();
    let url = parts.next()?.to_owned();
    let rest = parts.next().unwrap_or("").to_owned();
    if kind == "file" {
        return Some(HttpError::File {
            url,
            message: second,
            not_found: true,
        });
    }
    let code: u16 = kind.strip_prefix("status ")?.parse().ok()?;
    Some(HttpError::Status {
        url,
        status: second,
        code,
        detail: rest,
    })
}

fn write_atomically(file: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(data)?;
    temp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

struct CachedFile {
    path: PathBuf,
    size: u64,
    modified: SystemTime,
}

fn scan(dir: &Path) -> Vec<CachedFile> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() {
                stack.push(entry.path());
            } else {
                files.push(CachedFile {
                    path: entry.path(),
                    size: metadata.len(),
                    modified: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                });
            }
        }
    }
    files
}
