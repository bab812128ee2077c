//! Files the client has not opened but features need (the go.sum beside an open go.mod, the
//! go.mod of a local replacement): read from disk and kept fresh through a dynamically
//! registered `workspace/didChangeWatchedFiles`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileEvent, FileSystemWatcher,
    GlobPattern, Registration, Uri,
};

use crate::session::{Session, file_path};
use gomodls_syntax::FileKind;

/// The registration id of the file watchers.
const REGISTRATION_ID: &str = "gomodls-watched-files";

/// The files the server watches, wherever they are in the workspace.
pub const WATCHED_GLOBS: [&str; 4] = ["**/go.mod", "**/go.sum", "**/go.work", "**/go.work.sum"];

/// Asks the client to report changes of the watched files.
pub async fn register(client: &Client) {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: WATCHED_GLOBS
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*glob).to_owned()),
                kind: None,
            })
            .collect(),
    };
    let register_options = match serde_json::to_value(options) {
        Ok(value) => value,
        Err(error) => {
            tracing::error!("cannot encode the file watchers: {error}");
            return;
        }
    };
    let registration = Registration {
        id: REGISTRATION_ID.to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: Some(register_options),
    };
    if let Err(error) = client.register_capability(vec![registration]).await {
        tracing::warn!("the client refused to watch files: {error}");
    }
}

/// The files on disk a document's features read besides the document itself.
pub fn related_paths(uri: &Uri, kind: FileKind) -> Vec<PathBuf> {
    let Some(path) = file_path(uri) else {
        return Vec::new();
    };
    let Some(directory) = path.parent() else {
        return Vec::new();
    };
    match kind {
        FileKind::GoMod => vec![directory.join("go.sum")],
        FileKind::GoWork => vec![directory.join("go.work.sum")],
        // Go to definition leads from a go.sum line to the go.mod beside it.
        FileKind::GoSum if path.file_name().is_some_and(|name| name == "go.sum") => {
            vec![directory.join("go.mod")]
        }
        FileKind::GoSum => Vec::new(),
    }
}

/// Reads `path` from disk into the session (unless the client has it open). A missing file is
/// forgotten. Returns whether the session's view of the file changed.
pub async fn load(session: &Arc<Session>, path: &Path) -> bool {
    if session.is_open_path(path) {
        return false;
    }
    let Some(kind) = path.to_str().and_then(FileKind::from_path) else {
        return false;
    };
    match tokio::fs::read(path).await {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            session.store_disk_file(path.to_owned(), kind, text)
        }
        Err(error) => {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("cannot read {}: {error}", path.display());
            }
            session.forget_disk_file(path)
        }
    }
}

/// Reads the related files of an open document that are not loaded yet.
pub async fn load_related(session: &Arc<Session>, uri: &Uri, kind: FileKind) -> bool {
    let mut changed = false;
    for path in related_paths(uri, kind) {
        if !session.is_loaded_from_disk(&path) {
            changed |= load(session, &path).await;
        }
    }
    changed
}

/// Whether `go_sum` belongs to a module of the workspace of an open go.mod.
fn in_an_open_workspace(session: &Session, go_sum: &Path) -> bool {
    let gowork = crate::module_facts::gowork_setting(&session.config());
    session.open_snapshots().iter().any(|snapshot| {
        snapshot.kind == FileKind::GoMod
            && file_path(&snapshot.uri)
                .as_deref()
                .and_then(Path::parent)
                .is_some_and(|directory| {
                    crate::module_facts::is_workspace_go_sum(directory, gowork.as_deref(), go_sum)
                })
    })
}

/// Applies `workspace/didChangeWatchedFiles`: reloads or forgets the files the session holds
/// and reads newly created files that an open document relates to. Returns whether anything
/// changed.
pub async fn on_changes(session: &Arc<Session>, events: Vec<FileEvent>) -> bool {
    let related: Vec<PathBuf> = session
        .open_snapshots()
        .iter()
        .flat_map(|snapshot| related_paths(&snapshot.uri, snapshot.kind))
        .collect();
    let mut changed = false;
    for event in events {
        let Some(path) = file_path(&event.uri) else {
            continue;
        };
        // A go.mod's diagnostics depend on the workspace around it (see
        // `module_facts::workspace_sums`), read from disk when they are computed.
        if path
            .file_name()
            .is_some_and(|name| name == "go.work" || name == "go.work.sum")
        {
            changed = true;
        }
        // So does the go.sum of every module of that workspace.
        if !changed && path.file_name().is_some_and(|name| name == "go.sum") {
            // It reads go.work and the module directories: off the async workers.
            let (workspace_session, go_sum) = (session.clone(), path.clone());
            changed = tokio::task::spawn_blocking(move || {
                in_an_open_workspace(&workspace_session, &go_sum)
            })
            .await
            .unwrap_or(false);
        }
        if event.typ == FileChangeType::DELETED {
            changed |= session.forget_disk_file(&path);
            continue;
        }
        if session.is_loaded_from_disk(&path) || related.contains(&path) {
            changed |= load(session, &path).await;
        }
    }
    changed
}
