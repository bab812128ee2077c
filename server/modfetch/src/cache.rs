//! The caches in front of the network: memory (dashmap), our own disk cache in the user's cache
//! directory (a valid GOPROXY layout), and read-only use of `GOMODCACHE/cache/download`.
//!
//! `.info` of canonical versions, `.mod` and `.zip` never change and are kept for good; version
//! lists, `@latest` and revision lookups (`master.info`) live for a configurable time and are
//! served stale when the network fails. Both caches are bounded.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

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

/// Memory and disk caches.
#[derive(Debug)]
pub(crate) struct Cache {
    config: CacheConfig,
    gomodcache: Option<PathBuf>,
    memory: DashMap<(String, Resource), Hit>,
    not_found: DashMap<String, (HttpError, SystemTime)>,
    disk_bytes: AtomicU64,
    disk_scanned: AtomicBool,
    pruning: AtomicBool,
}

impl Cache {
    pub(crate) fn new(config: CacheConfig, gomodcache: Option<PathBuf>) -> Cache {
        Cache {
            config,
            gomodcache,
            memory: DashMap::new(),
            not_found: DashMap::new(),
            disk_bytes: AtomicU64::new(0),
            disk_scanned: AtomicBool::new(false),
            pruning: AtomicBool::new(false),
        }
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
        let file = self.not_found_file(url)?;
        let hit = read_hit(&file).await?;
        if !self.is_fresh(&hit) {
            return None;
        }
        let error = decode_not_found(&hit.data)?;
        self.not_found
            .insert(url.to_owned(), (error.clone(), hit.stored));
        Some(error)
    }

    /// Remembers a "not found" answer for a URL (404 and 410 only).
    pub(crate) async fn not_found_put(&self, url: &str, error: &HttpError) {
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
        let data = Bytes::from(encoded);
        let written = tokio::task::spawn_blocking(move || {
            write_atomically(&file, &data).map(|()| data.len() as u64)
        })
        .await;
        if let Ok(Ok(size)) = written {
            self.account(size).await;
        }
    }

    fn not_found_file(&self, url: &str) -> Option<PathBuf> {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(url.as_bytes());
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Some(
            self.config
                .dir
                .as_deref()?
                .join("_notfound")
                .join(name.get(..2)?)
                .join(name),
        )
    }

    /// Where a resource lives below a GOPROXY-layout root.
    fn file_in(root: &Path, path: &str, resource: &Resource) -> Option<PathBuf> {
        let escaped = module_path::escape_path(path).ok()?;
        let suffix = resource.proxy_suffix().ok()?;
        Some(root.join(escaped).join(suffix))
    }

    /// Our disk cache file for a resource.
    pub(crate) fn disk_file(&self, path: &str, resource: &Resource) -> Option<PathBuf> {
        Self::file_in(self.config.dir.as_deref()?, path, resource)
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
        let file = self.disk_file(path, resource)?;
        read_hit(&file).await
    }

    pub(crate) async fn gomodcache_get(&self, path: &str, resource: &Resource) -> Option<Hit> {
        let file = self.gomodcache_file(path, resource)?;
        read_hit(&file).await
    }

    /// Writes a resource to the disk cache (atomically), then prunes if over the bound.
    pub(crate) async fn disk_put(&self, path: &str, resource: &Resource, data: &Bytes) {
        let Some(file) = self.disk_file(path, resource) else {
            return;
        };
        let data = data.clone();
        let written = tokio::task::spawn_blocking(move || {
            write_atomically(&file, &data).map(|()| data.len() as u64)
        })
        .await;
        match written {
            Ok(Ok(size)) => self.account(size).await,
            Ok(Err(err)) => tracing::debug!("writing disk cache: {err}"),
            Err(err) => tracing::debug!("writing disk cache: {err}"),
        }
    }

    /// Counts a file written into the disk cache by someone else (a downloaded zip).
    pub(crate) async fn account(&self, size: u64) {
        let Some(dir) = self.config.dir.clone() else {
            return;
        };
        if !self.disk_scanned.swap(true, Ordering::SeqCst) {
            let total =
                tokio::task::spawn_blocking(move || scan(&dir).iter().map(|f| f.size).sum::<u64>())
                    .await;
            self.disk_bytes.store(total.unwrap_or(0), Ordering::SeqCst);
        } else {
            self.disk_bytes.fetch_add(size, Ordering::SeqCst);
        }
        if self.disk_bytes.load(Ordering::SeqCst) > self.config.max_disk_bytes {
            self.prune().await;
        }
    }

    /// Deletes the least recently written files until the cache is at 80% of its bound.
    pub(crate) async fn prune(&self) {
        let Some(dir) = self.config.dir.clone() else {
            return;
        };
        if self.pruning.swap(true, Ordering::SeqCst) {
            return;
        }
        let target = self.config.max_disk_bytes / 10 * 8;
        let remaining = tokio::task::spawn_blocking(move || {
            let mut files = scan(&dir);
            files.sort_by_key(|f| f.modified);
            let mut total: u64 = files.iter().map(|f| f.size).sum();
            for file in files {
                if total <= target {
                    break;
                }
                if std::fs::remove_file(&file.path).is_ok() {
                    total = total.saturating_sub(file.size);
                }
            }
            total
        })
        .await;
        if let Ok(total) = remaining {
            self.disk_bytes.store(total, Ordering::SeqCst);
        }
        self.pruning.store(false, Ordering::SeqCst);
    }

    /// Where a downloaded zip goes: our disk cache, else a temporary directory.
    pub(crate) fn zip_target(&self, path: &str, version: &str) -> Option<PathBuf> {
        let resource = Resource::Zip(version.to_owned());
        match &self.config.dir {
            Some(_) => self.disk_file(path, &resource),
            None => Self::file_in(
                &std::env::temp_dir().join("gomodls-modfetch"),
                path,
                &resource,
            ),
        }
    }
}

async fn read_hit(file: &Path) -> Option<Hit> {
    let metadata = tokio::fs::metadata(file).await.ok()?;
    let data = tokio::fs::read(file).await.ok()?;
    Some(Hit {
        data: Bytes::from(data),
        stored: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    })
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
