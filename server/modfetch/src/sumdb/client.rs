//! An async checksum database client that authenticates everything it is told, as the go
//! command's `sumdb.Client` does.
//!
//! A lookup fetches `/lookup/PATH@VERSION` (record id, record text, signed tree note), checks the
//! note's signature, proves the new tree consistent with the newest tree seen before (kept in a
//! [`Store`]), and proves the record's leaf hash from tiles authenticated against the signed tree
//! hash. Only then are the go.sum lines returned. A server that shows two inconsistent trees
//! makes the lookup fail with Go's "misbehavior" report.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;

use super::note::{self, NoteError, Verifier};
use super::tlog::{self, Hash, Tile, TileHashPlan, TlogError, Tree};

/// A failed fetch from the database server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RemoteError {
    message: String,
    not_found: bool,
}

impl RemoteError {
    /// A failure with the given message (Go's wording, e.g. `reading URL: 500 Internal Server
    /// Error`).
    pub fn new(message: impl Into<String>) -> RemoteError {
        RemoteError {
            message: message.into(),
            not_found: false,
        }
    }

    /// A 404 or 410 answer: the server does not have the file.
    pub fn not_found(message: impl Into<String>) -> RemoteError {
        RemoteError {
            message: message.into(),
            not_found: true,
        }
    }

    /// Whether the server said the file does not exist.
    pub fn is_not_found(&self) -> bool {
        self.not_found
    }
}

/// Where the client reads the database from: `path` is `/latest`, `/lookup/...` or `/tile/...`,
/// relative to the database's base URL.
pub trait Remote: Send + Sync {
    /// Fetches one file.
    fn read_remote(&self, path: &str) -> impl Future<Output = Result<Vec<u8>, RemoteError>> + Send;
}

impl<F, Fut> Remote for F
where
    F: Fn(String) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Vec<u8>, RemoteError>> + Send,
{
    fn read_remote(&self, path: &str) -> impl Future<Output = Result<Vec<u8>, RemoteError>> + Send {
        self(path.to_owned())
    }
}

/// A [`Remote`] that fetches over HTTP(S) from a base URL.
#[derive(Debug, Clone)]
pub struct HttpRemote {
    base: String,
    http: reqwest::Client,
}

impl HttpRemote {
    /// Reads from `base_url` (e.g. `https://sum.golang.org`) with the given HTTP client (for
    /// proxies, timeouts, TLS roots; its redirect policy should be
    /// [`crate::http::go_redirect_policy`]'s, as go's is). There is no default client: reqwest's
    /// own would follow its proxy rules, not go's (the server reads the checksum database
    /// through [`crate::ModuleClient`], which routes as go does).
    pub fn with_client(base_url: &str, http: reqwest::Client) -> HttpRemote {
        HttpRemote {
            base: base_url.trim_end_matches('/').to_owned(),
            http,
        }
    }

    /// Whether reads go over TLS.
    pub fn is_https(&self) -> bool {
        self.base.starts_with("https://")
    }
}

impl Remote for HttpRemote {
    async fn read_remote(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        // The go command sends (and reports) sumdb URLs with `!` as it is.
        let url = format!("{}{}", self.base, path);
        // go's words for a request that got no answer (a `*url.Error`).
        let response = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|error| RemoteError::new(crate::http::get_error_text(&url, &error)))?;
        let status = response.status();
        if status.is_success() {
            let body = response
                .bytes()
                .await
                .map_err(|error| RemoteError::new(format!("reading {url}: {error}")))?;
            return Ok(body.to_vec());
        }
        let is_text = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .eq_ignore_ascii_case("text/plain")
            });
        let body = if is_text {
            response.text().await.unwrap_or_default()
        } else {
            String::new()
        };
        let detail = error_detail(&body);
        let mut message = format!("reading {url}: {status}");
        if !detail.is_empty() {
            let separator = if detail.contains('\n') { "\n\t" } else { " " };
            message.push_str(&format!("\n\tserver response:{separator}{detail}"));
        }
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return Err(RemoteError::not_found(message));
        }
        Err(RemoteError::new(message))
    }
}

/// The server's explanation of an error as the go command shows it: at most 8 lines, stopping
/// at a blank line, nothing that could play tricks on a terminal.
fn error_detail(body: &str) -> String {
    const MAX_LINES: usize = 8;
    const MAX_BYTES: usize = MAX_LINES * 81;
    if body
        .chars()
        .any(|character| character.is_control() && !character.is_whitespace())
    {
        return String::new();
    }
    let mut detail = String::new();
    for (number, line) in body.split('\n').enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if number > 0 {
            detail.push_str("\n\t");
        }
        if number >= MAX_LINES {
            detail.push_str("[Truncated: too many lines.]");
            break;
        }
        if detail.len() + line.len() > MAX_BYTES {
            detail.push_str("[Truncated: too long.]");
            break;
        }
        detail.push_str(line);
    }
    detail
}

/// Why the store could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Someone else changed the file since it was read.
    #[error("write conflict")]
    Conflict,
    /// The file could not be read or written.
    #[error("{0}")]
    Io(String),
}

/// Where the client keeps what it has verified: the latest tree note (configuration, needed for
/// fork detection) and cached lookups and tiles. File names look like `NAME/latest`,
/// `NAME/lookup/PATH@VERSION` and `NAME/tile/8/0/000`, as in the go command's directories.
pub trait Store: Send + Sync {
    /// Reads a configuration file; a missing file reads as empty.
    fn read_config(&self, file: &str) -> Result<Vec<u8>, StoreError>;
    /// Replaces a configuration file, but only if it still holds `old` (or nothing).
    fn write_config(&self, file: &str, old: &[u8], new: &[u8]) -> Result<(), StoreError>;
    /// Reads a cached file, `None` when absent.
    fn read_cache(&self, file: &str) -> Option<Vec<u8>>;
    /// Caches a file; failures are ignored, as a cache may lose files.
    fn write_cache(&self, file: &str, data: &[u8]);
}

impl<T: Store + ?Sized> Store for std::sync::Arc<T> {
    fn read_config(&self, file: &str) -> Result<Vec<u8>, StoreError> {
        (**self).read_config(file)
    }

    fn write_config(&self, file: &str, old: &[u8], new: &[u8]) -> Result<(), StoreError> {
        (**self).write_config(file, old, new)
    }

    fn read_cache(&self, file: &str) -> Option<Vec<u8>> {
        (**self).read_cache(file)
    }

    fn write_cache(&self, file: &str, data: &[u8]) {
        (**self).write_cache(file, data);
    }
}

/// A [`Store`] on disk: configuration under one directory (the go command uses
/// `$GOPATH/pkg/sumdb`), cached files under another (`$GOMODCACHE/cache/download/sumdb`).
#[derive(Debug, Clone)]
pub struct DirStore {
    config_dir: PathBuf,
    cache_dir: Option<PathBuf>,
}

impl DirStore {
    /// Keeps the latest tree note under `config_dir` and caches nothing.
    pub fn new(config_dir: impl Into<PathBuf>) -> DirStore {
        DirStore {
            config_dir: config_dir.into(),
            cache_dir: None,
        }
    }

    /// Also caches lookups and authenticated tiles under `cache_dir`.
    pub fn with_cache(mut self, cache_dir: impl Into<PathBuf>) -> DirStore {
        self.cache_dir = Some(cache_dir.into());
        self
    }
}

fn write_atomically(target: &std::path::Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = target.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, data)?;
    std::fs::rename(&temporary, target)
}

impl Store for DirStore {
    fn read_config(&self, file: &str) -> Result<Vec<u8>, StoreError> {
        match std::fs::read(self.config_dir.join(file)) {
            Ok(data) => Ok(data),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(error) => Err(StoreError::Io(error.to_string())),
        }
    }

    fn write_config(&self, file: &str, old: &[u8], new: &[u8]) -> Result<(), StoreError> {
        let target = self.config_dir.join(file);
        let current = self.read_config(file)?;
        if !current.is_empty() && current != old {
            return Err(StoreError::Conflict);
        }
        write_atomically(&target, new).map_err(|error| StoreError::Io(error.to_string()))
    }

    fn read_cache(&self, file: &str) -> Option<Vec<u8>> {
        let data = std::fs::read(self.cache_dir.as_ref()?.join(file)).ok()?;
        (!data.is_empty()).then_some(data)
    }

    fn write_cache(&self, file: &str, data: &[u8]) {
        if let Some(dir) = &self.cache_dir {
            let _ = write_atomically(&dir.join(file), data);
        }
    }
}

/// A [`Store`] in memory, for tests and short-lived tools.
#[derive(Debug, Default)]
pub struct MemoryStore {
    config: Mutex<HashMap<String, Vec<u8>>>,
    cache: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn read_config(&self, file: &str) -> Result<Vec<u8>, StoreError> {
        let config = self
            .config
            .lock()
            .map_err(|_| StoreError::Io("store lock poisoned".to_owned()))?;
        Ok(config.get(file).cloned().unwrap_or_default())
    }

    fn write_config(&self, file: &str, old: &[u8], new: &[u8]) -> Result<(), StoreError> {
        let mut config = self
            .config
            .lock()
            .map_err(|_| StoreError::Io("store lock poisoned".to_owned()))?;
        let current = config.get(file).map(Vec::as_slice).unwrap_or_default();
        if !current.is_empty() && current != old {
            return Err(StoreError::Conflict);
        }
        config.insert(file.to_owned(), new.to_vec());
        Ok(())
    }

    fn read_cache(&self, file: &str) -> Option<Vec<u8>> {
        self.cache.lock().ok()?.get(file).cloned()
    }

    fn write_cache(&self, file: &str, data: &[u8]) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(file.to_owned(), data.to_vec());
        }
    }
}

/// Why a lookup failed; the texts are Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SumdbError {
    /// A lookup of `module` (`path@version`) failed.
    #[error("{module}: {source}")]
    Lookup {
        /// `path@version` as asked.
        module: String,
        /// What went wrong.
        source: Box<SumdbError>,
    },
    /// The stored state could not be loaded.
    #[error("initializing sumdb.Client: {0}")]
    Init(Box<SumdbError>),
    /// The verifier key is invalid.
    #[error("{0}")]
    Key(NoteError),
    /// The module path or version cannot be looked up.
    #[error("{0}")]
    Path(String),
    /// A fetch failed.
    #[error("{0}")]
    Remote(RemoteError),
    /// The store failed.
    #[error("{0}")]
    Store(StoreError),
    /// A tree note's signature did not verify.
    #[error("reading tree note: {error}\nnote:\n{note}")]
    TreeNote {
        /// What was wrong with it.
        error: NoteError,
        /// The note as received.
        note: String,
    },
    /// A signed tree note's text is not a tree head.
    #[error("reading tree: {error}\ntree:\n{text}")]
    Tree {
        /// What was wrong with it.
        error: TlogError,
        /// The note text.
        text: String,
    },
    /// Checking one tree against another failed for a reason other than misbehavior.
    #[error("{}", checking_tree_message(*older, *newer, source))]
    CheckingTree {
        /// The older tree's size.
        older: u64,
        /// The newer tree's size.
        newer: u64,
        /// What went wrong.
        source: Box<SumdbError>,
    },
    /// The server showed two inconsistent trees: Go's whole `SECURITY ERROR` report.
    #[error("{0}")]
    Misbehavior(String),
    /// The record id lies beyond the signed tree.
    #[error("cannot validate record {id} in tree of size {size}")]
    RecordNotInTree {
        /// The record id.
        id: u64,
        /// The tree size.
        size: u64,
    },
    /// The record text does not hash to the authenticated leaf.
    #[error("cannot authenticate record data in server response")]
    RecordMismatch,
    /// A log operation failed (malformed record, inconsistent tile, ...).
    #[error("{0}")]
    Tlog(TlogError),
}

fn checking_tree_message(older: u64, newer: u64, source: &SumdbError) -> String {
    if older == newer {
        format!("checking tree#{older}: {source}")
    } else {
        format!("checking tree#{older} against tree#{newer}: {source}")
    }
}

impl SumdbError {
    /// Whether this is a security error (server misbehavior), which the go command treats as
    /// fatal.
    pub fn is_security_error(&self) -> bool {
        match self {
            SumdbError::Misbehavior(_) => true,
            SumdbError::Lookup { source, .. }
            | SumdbError::Init(source)
            | SumdbError::CheckingTree { source, .. } => source.is_security_error(),
            _ => false,
        }
    }
}

impl From<TlogError> for SumdbError {
    fn from(error: TlogError) -> Self {
        SumdbError::Tlog(error)
    }
}

/// The newest verified tree and the signed note it came in.
#[derive(Debug, Clone, Default)]
struct Latest {
    tree: Tree,
    note: Vec<u8>,
}

/// How a newly seen tree relates to the newest one known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Past,
    Now,
    Future,
}

/// A checksum database client for one database.
pub struct Client<R, S> {
    remote: R,
    store: S,
    verifier: Verifier,
    tile_height: u32,
    init: tokio::sync::OnceCell<Result<(), SumdbError>>,
    /// Held while a new tree is checked and installed, so merges happen one at a time.
    latest: tokio::sync::Mutex<Latest>,
    /// A copy of the newest tree for readers that must not wait for a merge.
    latest_tree: Mutex<Tree>,
    tiles: Mutex<HashMap<Tile, Vec<u8>>>,
    records: Mutex<HashMap<String, Vec<u8>>>,
}

impl<R: Remote, S: Store> Client<R, S> {
    /// A client for the database whose verifier key is `verifier_key` (`NAME+HASH+KEYDATA`),
    /// reading from `remote` and remembering what it verified in `store`.
    pub fn new(verifier_key: &str, remote: R, store: S) -> Result<Client<R, S>, SumdbError> {
        let verifier = Verifier::new(verifier_key.trim()).map_err(SumdbError::Key)?;
        let empty = Tree {
            size: 0,
            hash: tlog::empty_tree_hash(),
        };
        Ok(Client {
            remote,
            store,
            verifier,
            tile_height: tlog::GO_TILE_HEIGHT,
            init: tokio::sync::OnceCell::new(),
            latest: tokio::sync::Mutex::new(Latest {
                tree: empty,
                note: Vec::new(),
            }),
            latest_tree: Mutex::new(empty),
            tiles: Mutex::new(HashMap::new()),
            records: Mutex::new(HashMap::new()),
        })
    }

    /// The database name, from the verifier key.
    pub fn name(&self) -> &str {
        self.verifier.name()
    }

    /// The newest tree this client has verified (size 0 before the first lookup).
    pub fn latest_tree(&self) -> Tree {
        self.latest_tree
            .lock()
            .map(|tree| *tree)
            .unwrap_or_default()
    }

    /// Looks up the go.sum lines for `path@version` (`version` may end in `/go.mod`) and returns
    /// those for exactly that version, each `PATH VERSION HASH`, after authenticating them.
    pub async fn lookup(&self, path: &str, version: &str) -> Result<Vec<String>, SumdbError> {
        self.lookup_inner(path, version)
            .await
            .map_err(|error| match error {
                // A misbehavior report stands alone, as the go command prints it.
                SumdbError::Misbehavior(_) => error,
                other => SumdbError::Lookup {
                    module: format!("{path}@{version}"),
                    source: Box::new(other),
                },
            })
    }

    async fn lookup_inner(&self, path: &str, version: &str) -> Result<Vec<String>, SumdbError> {
        self.initialize().await?;
        let remote_path = super::lookup_path(path, version).map_err(SumdbError::Path)?;
        let file = format!("{}{remote_path}", self.name());

        let cached_text = self
            .records
            .lock()
            .ok()
            .and_then(|records| records.get(&file).cloned());
        let text = match cached_text {
            Some(text) => text,
            None => {
                let (data, from_remote) = match self.store.read_cache(&file) {
                    Some(data) => (data, false),
                    None => (
                        self.remote
                            .read_remote(&remote_path)
                            .await
                            .map_err(SumdbError::Remote)?,
                        true,
                    ),
                };
                let (id, text, tree_note) = tlog::parse_record(&data)?;
                self.merge_latest(tree_note).await?;
                self.check_record(id, text).await?;
                if from_remote {
                    self.store.write_cache(&file, &data);
                }
                let text = text.to_vec();
                if let Ok(mut records) = self.records.lock() {
                    records.insert(file, text.clone());
                }
                text
            }
        };
        let prefix = format!("{path} {version} ");
        Ok(String::from_utf8_lossy(&text)
            .split('\n')
            .filter(|line| line.starts_with(&prefix))
            .map(str::to_owned)
            .collect())
    }

    /// Checks a downloaded hash (`version` ends in `/go.mod` for a go.mod hash) against the
    /// database as the go command's `checkSumDB` does, with its error texts.
    pub async fn verify(
        &self,
        path: &str,
        version: &str,
        hash: &str,
    ) -> Result<(), super::VerifyError> {
        let (plain_version, noun) = super::version_noun(version);
        let lines = self.lookup(path, version).await.map_err(|source| {
            if source.is_security_error() {
                return super::VerifyError::Misbehavior(source);
            }
            super::VerifyError::Lookup {
                module: format!("{path}@{plain_version}"),
                noun,
                source,
            }
        })?;
        Ok(super::check_hash(self.name(), path, version, hash, &lines)?)
    }

    /// Loads the stored latest tree once.
    async fn initialize(&self) -> Result<(), SumdbError> {
        self.init
            .get_or_init(|| async {
                let stored = self
                    .store
                    .read_config(&self.latest_file())
                    .map_err(SumdbError::Store);
                let result = match stored {
                    Ok(stored) => self.merge_latest(&stored).await,
                    Err(error) => Err(error),
                };
                result.map_err(|error| match error {
                    SumdbError::Misbehavior(_) => error,
                    other => SumdbError::Init(Box::new(other)),
                })
            })
            .await
            .clone()
    }

    fn latest_file(&self) -> String {
        format!("{}/latest", self.name())
    }

    /// Checks a signed tree note against the newest known tree and, when it is newer, makes it
    /// the newest, in memory and in the store.
    async fn merge_latest(&self, message: &[u8]) -> Result<(), SumdbError> {
        let mut latest = self.latest.lock().await;
        if self.merge_latest_locked(&mut latest, message).await? != When::Future {
            return Ok(());
        }
        // We learned of a newer tree: save it, unless the store already holds one at least as new
        // (written by another process), which must then be consistent with ours.
        loop {
            let stored = self
                .store
                .read_config(&self.latest_file())
                .map_err(SumdbError::Store)?;
            if self.merge_latest_locked(&mut latest, &stored).await? != When::Past {
                return Ok(());
            }
            match self
                .store
                .write_config(&self.latest_file(), &stored, &latest.note)
            {
                Err(StoreError::Conflict) => continue,
                other => return other.map_err(SumdbError::Store),
            }
        }
    }

    async fn merge_latest_locked(
        &self,
        latest: &mut Latest,
        message: &[u8],
    ) -> Result<When, SumdbError> {
        if message.is_empty() {
            return Ok(if latest.tree.size == 0 {
                When::Now
            } else {
                When::Past
            });
        }
        let opened =
            note::open(message, std::slice::from_ref(&self.verifier)).map_err(|error| {
                SumdbError::TreeNote {
                    error,
                    note: String::from_utf8_lossy(message).into_owned(),
                }
            })?;
        let tree = tlog::parse_tree(opened.text.as_bytes()).map_err(|error| SumdbError::Tree {
            error,
            text: opened.text.clone(),
        })?;
        if tree.size <= latest.tree.size {
            self.check_trees(tree, message, latest.tree, &latest.note)
                .await?;
            return Ok(if tree.size < latest.tree.size {
                When::Past
            } else {
                When::Now
            });
        }
        self.check_trees(latest.tree, &latest.note, tree, message)
            .await?;
        latest.tree = tree;
        latest.note = message.to_vec();
        if let Ok(mut copy) = self.latest_tree.lock() {
            *copy = tree;
        }
        Ok(When::Future)
    }

    /// Proves `older` a prefix of `newer` using `newer`'s tiles, or reports misbehavior.
    async fn check_trees(
        &self,
        older: Tree,
        older_note: &[u8],
        newer: Tree,
        newer_note: &[u8],
    ) -> Result<(), SumdbError> {
        let wrap = |source: SumdbError| match source {
            SumdbError::Misbehavior(_) => source,
            other => SumdbError::CheckingTree {
                older: older.size,
                newer: newer.size,
                source: Box::new(other),
            },
        };
        let indexes = tlog::tree_hash_indexes(older.size);
        let hashes = self.read_hashes(newer, &indexes).await.map_err(wrap)?;
        let known: HashMap<u64, Hash> = indexes.iter().copied().zip(hashes).collect();
        let hash = tlog::tree_hash(older.size, &known).map_err(|error| wrap(error.into()))?;
        if hash == older.hash {
            return Ok(());
        }

        let indent = |note: &[u8]| String::from_utf8_lossy(note).replace('\n', "\n\t");
        let mut report =
            String::from("SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n");
        report.push_str(&format!("old database:\n\t{}\n", indent(older_note)));
        report.push_str(&format!("new database:\n\t{}\n", indent(newer_note)));
        report.push_str(&format!("proof of misbehavior:\n\t{hash}"));
        match self.prove_tree(newer, older.size).await {
            Err(error) => report.push_str(&format!("\tinternal error: {error}\n")),
            Ok(proof) => {
                if tlog::check_tree(&proof, newer.size, newer.hash, older.size, hash).is_err() {
                    report.push_str("\tinternal error: generated inconsistent proof\n");
                } else {
                    for step in proof {
                        report.push_str(&format!("\n\t{step}"));
                    }
                }
            }
        }
        Err(SumdbError::Misbehavior(report))
    }

    async fn prove_tree(&self, tree: Tree, size: u64) -> Result<tlog::TreeProof, SumdbError> {
        let indexes = tlog::tree_proof_indexes(tree.size, size);
        let hashes = self.read_hashes(tree, &indexes).await?;
        let known: HashMap<u64, Hash> = indexes.iter().copied().zip(hashes).collect();
        Ok(tlog::prove_tree(tree.size, size, &known)?)
    }

    /// Proves that record `id` with text `text` is in the newest tree.
    async fn check_record(&self, id: u64, text: &[u8]) -> Result<(), SumdbError> {
        let tree = self.latest_tree();
        if id >= tree.size {
            return Err(SumdbError::RecordNotInTree {
                id,
                size: tree.size,
            });
        }
        let hashes = self
            .read_hashes(tree, &[tlog::stored_hash_index(0, id)])
            .await?;
        if hashes.first() == Some(&tlog::record_hash(text)) {
            return Ok(());
        }
        Err(SumdbError::RecordMismatch)
    }

    /// Reads stored hashes of `tree` from tiles authenticated against its hash.
    async fn read_hashes(&self, tree: Tree, indexes: &[u64]) -> Result<Vec<Hash>, SumdbError> {
        let plan = TileHashPlan::new(tree, self.tile_height, indexes)?;
        let data =
            futures::future::try_join_all(plan.tiles().iter().map(|tile| self.read_tile(*tile)))
                .await?;
        let hashes = plan.verify(&data)?;
        for (tile, bytes) in plan.tiles().iter().zip(&data) {
            let newly_saved = self
                .tiles
                .lock()
                .map(|mut tiles| tiles.insert(*tile, bytes.clone()).is_none())
                .unwrap_or(false);
            if newly_saved {
                self.store.write_cache(&self.tile_file(tile), bytes);
            }
        }
        Ok(hashes)
    }

    fn tile_file(&self, tile: &Tile) -> String {
        format!("{}/{}", self.name(), tile.path())
    }

    /// Fetches a tile's data (not yet authenticated): from memory, the cache (the tile itself or
    /// the full tile it is a prefix of), or the server.
    async fn read_tile(&self, tile: Tile) -> Result<Vec<u8>, SumdbError> {
        if let Some(data) = self
            .tiles
            .lock()
            .ok()
            .and_then(|tiles| tiles.get(&tile).cloned())
        {
            return Ok(data);
        }
        let full = Tile {
            width: 1 << tile.height,
            ..tile
        };
        let prefix = |data: Vec<u8>| -> Option<Vec<u8>> {
            let length = data.len() / full.width as usize * tile.width as usize;
            data.get(..length).map(<[u8]>::to_vec)
        };
        if let Some(data) = self.store.read_cache(&self.tile_file(&tile)) {
            return Ok(data);
        }
        if tile != full
            && let Some(data) = self
                .store
                .read_cache(&self.tile_file(&full))
                .and_then(prefix)
        {
            return Ok(data);
        }
        let error = match self.remote.read_remote(&format!("/{}", tile.path())).await {
            Ok(data) => return Ok(data),
            Err(error) => error,
        };
        if tile != full
            && let Some(data) = self
                .remote
                .read_remote(&format!("/{}", full.path()))
                .await
                .ok()
                .and_then(prefix)
        {
            return Ok(data);
        }
        Err(SumdbError::Remote(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sumdb::note::{Note, Signer};
    use std::sync::Arc;

    /// A minimal honest log built with this crate's own tlog code, to exercise the client.
    struct Log {
        signer: Signer,
        records: Vec<Vec<u8>>,
        stored: Vec<Hash>,
    }

    impl Log {
        fn new(seed: u8) -> Log {
            Log {
                signer: Signer::from_seed("test.example/db", [seed; 32]).unwrap(),
                records: Vec::new(),
                stored: Vec::new(),
            }
        }

        fn add(&mut self, text: &str) -> u64 {
            let id = self.records.len() as u64;
            let hashes = tlog::stored_hashes_for_record_hash(
                id,
                tlog::record_hash(text.as_bytes()),
                &self.stored,
            )
            .unwrap();
            self.stored.extend(hashes);
            self.records.push(text.as_bytes().to_vec());
            id
        }

        fn signed(&self) -> Vec<u8> {
            let size = self.records.len() as u64;
            let tree = Tree {
                size,
                hash: tlog::tree_hash(size, &self.stored).unwrap(),
            };
            note::sign(
                &Note {
                    text: tlog::format_tree(&tree),
                    ..Note::default()
                },
                &[&self.signer],
            )
            .unwrap()
        }

        fn serve(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
            if path == "/latest" {
                return Ok(self.signed());
            }
            if let Some(module) = path.strip_prefix("/lookup/") {
                let (module_path, version) = module.split_once('@').unwrap();
                let prefix = format!("{module_path} {version} ");
                let id = self
                    .records
                    .iter()
                    .position(|record| record.starts_with(prefix.as_bytes()));
                let Some(id) = id else {
                    return Err(RemoteError::not_found(format!(
                        "reading {path}: 404 Not Found"
                    )));
                };
                let mut data = tlog::format_record(id as u64, &self.records[id]).unwrap();
                data.extend(self.signed());
                return Ok(data);
            }
            let tile = Tile::parse_path(path.trim_start_matches('/'))
                .map_err(|error| RemoteError::new(error.to_string()))?;
            tlog::read_tile_data(&tile, &self.stored)
                .map_err(|error| RemoteError::new(error.to_string()))
        }
    }

    fn record(path: &str, version: &str) -> String {
        format!("{path} {version} h1:zip-{path}=\n{path} {version}/go.mod h1:mod-{path}=\n")
    }

    fn remote(log: Arc<Mutex<Log>>) -> impl Remote {
        move |path: String| {
            let log = log.clone();
            async move { log.lock().unwrap().serve(&path) }
        }
    }

    #[tokio::test]
    async fn lookups_are_authenticated_and_remembered() {
        let log = Arc::new(Mutex::new(Log::new(1)));
        for i in 0..300 {
            log.lock()
                .unwrap()
                .add(&record(&format!("example.com/m{i}"), "v1.0.0"));
        }
        let key = log.lock().unwrap().signer.verifier_key();
        let store = Arc::new(MemoryStore::new());
        let client = Client::new(&key, remote(log.clone()), store.clone()).unwrap();
        let lines = client.lookup("example.com/m7", "v1.0.0").await.unwrap();
        assert_eq!(lines, ["example.com/m7 v1.0.0 h1:zip-example.com/m7="]);
        let lines = client
            .lookup("example.com/m299", "v1.0.0/go.mod")
            .await
            .unwrap();
        assert_eq!(
            lines,
            ["example.com/m299 v1.0.0/go.mod h1:mod-example.com/m299="]
        );
        assert_eq!(client.latest_tree().size, 300);
        let latest = store.read_config("test.example/db/latest").unwrap();
        assert!(latest.starts_with(b"go.sum database tree\n300\n"));

        // The log grows; a new client (same store) checks the new tree against the stored one.
        for i in 300..700 {
            log.lock()
                .unwrap()
                .add(&record(&format!("example.com/m{i}"), "v1.0.0"));
        }
        let client = Client::new(&key, remote(log.clone()), store.clone()).unwrap();
        let lines = client.lookup("example.com/m650", "v1.0.0").await.unwrap();
        assert_eq!(lines, ["example.com/m650 v1.0.0 h1:zip-example.com/m650="]);
        assert_eq!(client.latest_tree().size, 700);

        let missing = client
            .lookup("example.com/nope", "v1.0.0")
            .await
            .unwrap_err();
        assert_eq!(
            missing.to_string(),
            "example.com/nope@v1.0.0: reading /lookup/example.com/nope@v1.0.0: 404 Not Found"
        );
    }

    #[tokio::test]
    async fn a_forked_log_is_misbehavior() {
        let honest = Arc::new(Mutex::new(Log::new(1)));
        for i in 0..10 {
            honest
                .lock()
                .unwrap()
                .add(&record(&format!("example.com/m{i}"), "v1.0.0"));
        }
        let key = honest.lock().unwrap().signer.verifier_key();
        let store = Arc::new(MemoryStore::new());
        let client = Client::new(&key, remote(honest.clone()), store.clone()).unwrap();
        client.lookup("example.com/m3", "v1.0.0").await.unwrap();

        // Same key, different history.
        let fork = Arc::new(Mutex::new(Log::new(1)));
        for i in 0..12 {
            fork.lock()
                .unwrap()
                .add(&record(&format!("example.com/other{i}"), "v1.0.0"));
        }
        fork.lock()
            .unwrap()
            .add(&record("example.com/m3", "v1.0.0"));
        let client = Client::new(&key, remote(fork.clone()), store.clone()).unwrap();
        // (A lookup of m3 would be answered from the cache of the honest lookup.)
        let error = client
            .lookup("example.com/other5", "v1.0.0")
            .await
            .unwrap_err();
        assert!(error.is_security_error());
        let text = error.to_string();
        assert!(
            text.starts_with("SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nold database:\n\tgo.sum database tree\n\t10\n"),
            "{text}"
        );
        assert!(
            text.contains("\nnew database:\n\tgo.sum database tree\n\t13\n"),
            "{text}"
        );
        assert!(text.contains("\nproof of misbehavior:\n\t"), "{text}");
        // The stored tree is still the honest one.
        let latest = store.read_config("test.example/db/latest").unwrap();
        assert!(latest.starts_with(b"go.sum database tree\n10\n"));
    }

    #[tokio::test]
    async fn lies_in_records_and_signatures_are_refused() {
        let log = Arc::new(Mutex::new(Log::new(1)));
        for i in 0..5 {
            log.lock()
                .unwrap()
                .add(&record(&format!("example.com/m{i}"), "v1.0.0"));
        }
        let key = log.lock().unwrap().signer.verifier_key();

        // A record whose text is not the one in the tree.
        let lying_log = log.clone();
        let lying = move |path: String| {
            let log = lying_log.clone();
            async move {
                let data = log.lock().unwrap().serve(&path)?;
                if !path.starts_with("/lookup/") {
                    return Ok(data);
                }
                Ok(String::from_utf8(data)
                    .unwrap()
                    .replacen("h1:zip-", "h1:ZIP-", 1)
                    .into_bytes())
            }
        };
        let client = Client::new(&key, lying, MemoryStore::new()).unwrap();
        let error = client.lookup("example.com/m2", "v1.0.0").await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "example.com/m2@v1.0.0: cannot authenticate record data in server response"
        );

        // A tree note signed by another key.
        let mut other = Log::new(2);
        for i in 0..5 {
            other.add(&record(&format!("example.com/m{i}"), "v1.0.0"));
        }
        let other = Arc::new(Mutex::new(other));
        let client = Client::new(&key, remote(other), MemoryStore::new()).unwrap();
        let error = client
            .lookup("example.com/m2", "v1.0.0")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("example.com/m2@v1.0.0: reading tree note: note has no verifiable signatures\nnote:\ngo.sum database tree\n5\n"),
            "{error}"
        );
    }

    #[test]
    fn error_details_follow_go() {
        assert_eq!(
            error_detail("not found: example.com/x@v1.0.0\n"),
            "not found: example.com/x@v1.0.0"
        );
        assert_eq!(error_detail("a\nb\n\nc"), "a\n\tb");
        assert_eq!(error_detail("bad\u{1b}[31m"), "");
    }
}
