//! The server's shared state: open documents, files read from disk, the client's capabilities
//! and the configuration.
//!
//! Invariant: every lock here is a `std::sync` lock taken for a short, synchronous moment; no
//! guard lives across an `.await` (the guards are not `Send`, so the compiler refuses it in a
//! handler).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use tower_lsp_server::ls_types::Uri;

use crate::capabilities::ClientSupport;
use crate::config::{Config, ConfigLayers, ConfigProblem};
use crate::document::{Document, Origin, Snapshot};
use gomodls_syntax::FileKind;

/// State shared by all handlers.
#[derive(Debug, Default)]
pub struct Session {
    /// Documents the client has open, by URI.
    open: Mutex<HashMap<Uri, Document>>,
    /// Files read from disk because a feature needs them, by path.
    disk: Mutex<HashMap<PathBuf, Document>>,
    /// The source of revision numbers.
    revisions: AtomicU64,
    /// The last semantic tokens sent per document, for delta requests.
    semantic_tokens: crate::features::SemanticTokensCache,
    client: RwLock<ClientSupport>,
    config: RwLock<(ConfigLayers, Arc<Config>)>,
    /// Set by the `shutdown` request; decides the exit code.
    shutdown_requested: Arc<AtomicBool>,
    /// Whether the `gomodls/debug*` test requests are served.
    test_hooks: bool,
    /// Held while deciding to publish diagnostics and publishing them, so a stale publish
    /// never overtakes a newer one or the clearing on close.
    publish_lock: tokio::sync::Mutex<()>,
    /// Module facts fetched in the background.
    facts: crate::module_facts::FactsStore,
    /// What completion knows about modules, gathered in the background.
    module_data: crate::module_data::ModuleDataStore,
}

/// What became of a `didChange`.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Applied; the document is at this revision.
    Applied(u64),
    /// The document is not open.
    NotOpen,
    /// The version does not go up; the change was dropped.
    StaleVersion {
        /// The version the document has.
        current: Option<i32>,
    },
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The path of a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

impl Session {
    /// A session; `test_hooks` enables the `gomodls/debug*` requests.
    pub fn new(test_hooks: bool) -> Session {
        Session {
            test_hooks,
            ..Session::default()
        }
    }

    /// The lock that orders diagnostic publications.
    pub fn publish_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.publish_lock
    }

    /// The module data store.
    pub fn module_data(&self) -> &crate::module_data::ModuleDataStore {
        &self.module_data
    }

    /// The module facts fetched in the background.
    pub fn facts(&self) -> &crate::module_facts::FactsStore {
        &self.facts
    }

    /// `snapshot` with the module facts known now.
    fn with_facts(&self, mut snapshot: Snapshot) -> Snapshot {
        snapshot.facts = self.facts.current();
        snapshot
    }

    /// Whether the test requests are served.
    pub fn test_hooks(&self) -> bool {
        self.test_hooks
    }

    /// The flag the `shutdown` request sets.
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shutdown_requested.clone()
    }

    /// Records that `shutdown` arrived.
    pub fn request_shutdown(&self) {
        self.shutdown_requested.store(true, Ordering::SeqCst);
    }

    /// The semantic tokens last sent per document.
    pub fn semantic_tokens(&self) -> &crate::features::SemanticTokensCache {
        &self.semantic_tokens
    }

    /// A fresh revision number.
    pub fn next_revision(&self) -> u64 {
        self.revisions.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// What the client supports.
    pub fn client(&self) -> ClientSupport {
        *self.client.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records what the client supports (once, at `initialize`).
    pub fn set_client(&self, client: ClientSupport) {
        *self.client.write().unwrap_or_else(PoisonError::into_inner) = client;
    }

    /// The current configuration.
    pub fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    /// Changes one layer of the configuration and resolves it again; returns the problems
    /// found and whether the configuration changed.
    pub fn update_config(
        &self,
        change: impl FnOnce(&mut ConfigLayers),
    ) -> (Vec<ConfigProblem>, bool) {
        let mut guard = self.config.write().unwrap_or_else(PoisonError::into_inner);
        change(&mut guard.0);
        let (config, problems) = guard.0.resolve();
        let changed = *guard.1 != config;
        guard.1 = Arc::new(config);
        (problems, changed)
    }

    /// Opens a document (or replaces it when the client opens it again).
    pub fn open(&self, uri: Uri, kind: FileKind, version: i32, text: impl Into<Arc<str>>) -> u64 {
        let revision = self.next_revision();
        let document = Document::new(kind, Origin::Open, Some(version), revision, text);
        lock(&self.open).insert(uri, document);
        revision
    }

    /// Applies a `didChange`. Runs synchronously so it completes before the handler's first
    /// `.await`.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<tower_lsp_server::ls_types::TextDocumentContentChangeEvent>,
    ) -> ChangeOutcome {
        let encoding = self.client().encoding;
        let mut open = lock(&self.open);
        let Some(document) = open.get_mut(uri) else {
            return ChangeOutcome::NotOpen;
        };
        if document.version().is_some_and(|current| version <= current) {
            return ChangeOutcome::StaleVersion {
                current: document.version(),
            };
        }
        let revision = self.next_revision();
        document.apply_changes(changes, encoding, version, revision);
        ChangeOutcome::Applied(revision)
    }

    /// Closes a document; returns whether it was open.
    pub fn close(&self, uri: &Uri) -> bool {
        lock(&self.open).remove(uri).is_some()
    }

    /// A snapshot of an open document or of a file already read from disk.
    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let encoding = self.client().encoding;
        if let Some(document) = lock(&self.open).get(uri) {
            return Some(self.with_facts(document.snapshot(uri, encoding)));
        }
        let path = file_path(uri)?;
        lock(&self.disk)
            .get(&path)
            .map(|document| self.with_facts(document.snapshot(uri, encoding)))
    }

    /// The revision of a document now, to tell whether a snapshot is stale.
    pub fn current_revision(&self, uri: &Uri) -> Option<u64> {
        if let Some(document) = lock(&self.open).get(uri) {
            return Some(document.revision());
        }
        let path = file_path(uri)?;
        lock(&self.disk).get(&path).map(Document::revision)
    }

    /// Snapshots of all open documents.
    pub fn open_snapshots(&self) -> Vec<Snapshot> {
        let encoding = self.client().encoding;
        lock(&self.open)
            .iter()
            .map(|(uri, document)| self.with_facts(document.snapshot(uri, encoding)))
            .collect()
    }

    /// The URIs of all open documents.
    pub fn open_uris(&self) -> Vec<Uri> {
        lock(&self.open).keys().cloned().collect()
    }

    /// Whether a file on disk is open in the client (whose text then wins over the disk).
    pub fn is_open_path(&self, path: &Path) -> bool {
        lock(&self.open)
            .keys()
            .any(|uri| file_path(uri).as_deref() == Some(path))
    }

    /// Whether a file has been read from disk.
    pub fn is_loaded_from_disk(&self, path: &Path) -> bool {
        lock(&self.disk).contains_key(path)
    }

    /// Stores (or refreshes) the text of a file read from disk; returns whether it changed.
    pub fn store_disk_file(&self, path: PathBuf, kind: FileKind, text: String) -> bool {
        let mut disk = lock(&self.disk);
        if let Some(document) = disk.get_mut(&path) {
            if document.text() == text {
                return false;
            }
            let revision = self.next_revision();
            document.replace_text(text, revision);
            return true;
        }
        let revision = self.next_revision();
        disk.insert(
            path,
            Document::new(kind, Origin::Disk, None, revision, text),
        );
        true
    }

    /// Forgets a file read from disk; returns whether it was known.
    pub fn forget_disk_file(&self, path: &Path) -> bool {
        lock(&self.disk).remove(path).is_some()
    }
}
