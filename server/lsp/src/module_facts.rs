//! Module facts fetched in the background: after a go.mod or go.work is opened or changed, the
//! facts of every module it names are fetched through `gomodls-modfetch` (coalesced per module,
//! cached on disk by modfetch), turned into plain [`FactsSnapshot`] values, and then diagnostics
//! are republished and `workspace/inlayHint/refresh` and `workspace/codeLens/refresh` sent.
//!
//! For features (code actions, inlay hints, code lenses, hover): every [`Snapshot`] carries the
//! facts known when it was taken in `snapshot.facts` (an `Arc<FactsSnapshot>`); read them there
//! with `snapshot.facts.module(path)`, never wait for a fetch. A feature that only has the
//! session calls `session.facts().current()`.
//!
//! Invariants: nothing here runs on the edit path (`schedule` spawns and returns); a module is
//! fetched by at most one task at a time; a network failure is shown to the user once per
//! session with one `window/showMessage`, and `gomodls/status` tells the client whether module
//! data is live, cached or offline.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use gomodls_ide::facts::{self, DataStatus, FactsSnapshot, ModuleState};
use gomodls_ide::module_diagnostics::{
    LocalDir, LocalDirs, ModuleCheckInput, UpdateCheck, module_diagnostics,
};
use gomodls_modfetch::error::{HttpError, Reason};
use gomodls_modfetch::{CacheConfig, FetchError, GoEnv, ModuleClient, ModuleFacts};
use gomodls_syntax::FileKind;
use gomodls_syntax::check;
use gomodls_syntax::views::SourceFile;
use serde::{Deserialize, Serialize};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::notification::Notification;
use tower_lsp_server::ls_types::{
    ClientCapabilities, MessageType, NumberOrString, ProgressParams, ProgressParamsValue,
    WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
};

use crate::config::{self, Config};
use crate::document::Snapshot;
use crate::session::{Session, file_path};

/// How long a fetch runs before the client is shown progress.
const PROGRESS_AFTER: Duration = Duration::from_millis(500);

/// How long a module whose fetch failed for network reasons waits before it is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// The `gomodls/status` notification: where module data comes from now.
#[derive(Debug)]
pub enum StatusNotification {}

/// The parameters of `gomodls/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusParams {
    /// `live`, `cached` or `offline`.
    pub module_data: String,
}

impl Notification for StatusNotification {
    type Params = StatusParams;
    const METHOD: &'static str = "gomodls/status";
}

/// The facts known now and the state of the fetches.
#[derive(Debug, Default)]
pub struct FactsStore {
    current: RwLock<Arc<FactsSnapshot>>,
    state: Mutex<FetchState>,
    generation: AtomicU64,
    /// Publish times fetched lazily (see [`crate::publish_times`]).
    pub(crate) times: crate::publish_times::TimesState,
}

#[derive(Default)]
struct FetchState {
    /// The client and the environment overrides it was made with.
    client: Option<(BTreeMap<String, String>, Arc<ModuleClient>)>,
    /// Modules being fetched now.
    in_flight: HashSet<String>,
    /// Modules whose last fetch failed for network reasons, and when.
    failed_at: BTreeMap<String, Instant>,
    /// Whether the one message about the network has been shown.
    network_message_shown: bool,
    /// The last status sent to the client.
    status_sent: Option<DataStatus>,
    /// What the client accepts: code lens refresh, work-done progress.
    code_lens_refresh: bool,
    work_done_progress: bool,
    /// Progress tokens handed out.
    progress_tokens: u64,
}

impl std::fmt::Debug for FetchState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FetchState")
            .field("in_flight", &self.in_flight)
            .field("failed_at", &self.failed_at)
            .field("status_sent", &self.status_sent)
            .finish_non_exhaustive()
    }
}

fn lock(mutex: &Mutex<FetchState>) -> MutexGuard<'_, FetchState> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FactsStore {
    /// The facts known now; never waits for a fetch.
    pub fn current(&self) -> Arc<FactsSnapshot> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Adds publish times learned from `.info` files to a module's loaded facts.
    pub(crate) fn add_times(&self, path: &str, times: BTreeMap<String, time::OffsetDateTime>) {
        if times.is_empty() {
            return;
        }
        self.publish(|snapshot| {
            if let Some(ModuleState::Loaded(facts)) = snapshot.modules.get_mut(path) {
                let mut facts_with_times = (**facts).clone();
                facts_with_times.times.extend(times);
                *facts = Arc::new(facts_with_times);
            }
        });
    }

    /// Reads what the client accepts beyond `ClientSupport` (code lens refresh, progress).
    pub fn set_client_capabilities(&self, capabilities: &ClientCapabilities) {
        let mut state = lock(&self.state);
        state.code_lens_refresh = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.code_lens.as_ref())
            .and_then(|lens| lens.refresh_support)
            .unwrap_or(false);
        state.work_done_progress = capabilities
            .window
            .as_ref()
            .and_then(|window| window.work_done_progress)
            .unwrap_or(false);
    }

    fn publish(&self, change: impl FnOnce(&mut FactsSnapshot)) {
        let mut guard = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let mut next = (**guard).clone();
        change(&mut next);
        next.generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        *guard = Arc::new(next);
    }

    /// Writes the module client's queued disk-cache entries (the client delays them while
    /// requests are in flight), waiting at most `limit`; for shutdown.
    pub async fn flush_disk_cache(&self, limit: std::time::Duration) {
        let client = lock(&self.state)
            .client
            .as_ref()
            .map(|(_, client)| client.clone());
        if let Some(client) = client
            && tokio::time::timeout(limit, client.flush()).await.is_err()
        {
            tracing::warn!("module cache writes not finished at shutdown");
        }
    }

    /// The module client for `config`, made anew when the environment overrides change.
    pub fn module_client(&self, config: &Config) -> Result<Arc<ModuleClient>, String> {
        let mut state = lock(&self.state);
        if let Some((env, client)) = &state.client
            && *env == config.env
        {
            return Ok(client.clone());
        }
        let env = GoEnv::resolve(std::env::vars(), &config.env);
        let cache = CacheConfig::in_user_cache_dir(&env);
        let client = Arc::new(ModuleClient::new(env, cache).map_err(|error| error.to_string())?);
        state.client = Some((config.env.clone(), client.clone()));
        Ok(client)
    }
}

/// The module paths a go.mod or go.work names (requires, replaced and excluded modules, the
/// module targets of replacements, and the module itself when it retracts versions).
pub fn named_modules(snapshot: &Snapshot) -> Vec<String> {
    named_modules_of(snapshot.kind, &snapshot.tree, &snapshot.text)
}

/// [`named_modules`] of a parsed text.
pub fn named_modules_of(kind: FileKind, tree: &tree_sitter::Tree, text: &str) -> Vec<String> {
    if !matches!(kind, FileKind::GoMod | FileKind::GoWork) {
        return Vec::new();
    }
    let file = SourceFile::new(tree, text);
    let mut paths: Vec<String> = Vec::new();
    let mut add = |path: Option<std::borrow::Cow<'_, str>>| {
        if let Some(path) = path
            && gomodls_syntax::module_path::check_path(path.as_ref()).is_ok()
        {
            paths.push(path.into_owned());
        }
    };
    for spec in file.requires() {
        add(spec.path().and_then(|token| token.value()));
    }
    for spec in file.excludes() {
        add(spec.path().and_then(|token| token.value()));
    }
    for spec in file.replaces() {
        if let Some(replacement) = spec.replacement()
            && !replacement.is_directory()
        {
            add(replacement.token().value());
        }
    }
    // A module that retracts versions is published: its own versions show what is retracted.
    if file.retracts().next().is_some() {
        for module in file.modules() {
            add(module.path().and_then(|token| token.value()));
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// Starts fetching the facts of the modules the open go.mod and go.work files name that are
/// not known or being fetched yet. Returns at once.
pub fn schedule(session: &Arc<Session>, client: &Client) {
    let session = session.clone();
    let client = client.clone();
    tokio::spawn(async move {
        let mut wanted: Vec<String> = session
            .open_snapshots()
            .iter()
            .flat_map(named_modules)
            .collect();
        // Files name the same modules: each is picked once (a go.mod may name 100,000).
        wanted.sort_unstable();
        wanted.dedup();
        let store = session.facts();
        let known = store.current();
        let now = Instant::now();
        let paths: Vec<String> = {
            let mut state = lock(&store.state);
            let mut picked = Vec::new();
            for path in wanted {
                let retry_due = state
                    .failed_at
                    .get(&path)
                    .is_none_or(|at| now.duration_since(*at) >= RETRY_AFTER);
                let fetched =
                    known.modules.contains_key(&path) && !state.failed_at.contains_key(&path);
                if fetched || !retry_due || state.in_flight.contains(&path) {
                    continue;
                }
                picked.push(path);
            }
            state.in_flight.extend(picked.iter().cloned());
            picked
        };
        if paths.is_empty() {
            crate::publish_times::want_shown(&session);
            return;
        }
        fetch(&session, &client, paths).await;
    });
}

async fn fetch(session: &Arc<Session>, client: &Client, paths: Vec<String>) {
    let store = session.facts();
    let config = session.config();
    let module_client = match store.module_client(&config) {
        Ok(module_client) => module_client,
        Err(message) => {
            {
                let mut state = lock(&store.state);
                for path in &paths {
                    state.in_flight.remove(path);
                }
            }
            tracing::warn!("cannot fetch module data: {message}");
            show_network_message_once(session, client, &message).await;
            return;
        }
    };
    // Stored facts answer at once; only the rest waits for the network (after a restart, a
    // warm cache shows its modules even while one new module's fetch hangs).
    let stored = module_client.facts_cached(&paths).await;
    let mut cached = Vec::new();
    let mut missing = Vec::new();
    for (path, facts) in paths.into_iter().zip(stored) {
        match facts {
            Some(facts) => cached.push((path, ModuleState::Loaded(Arc::new(plain(&facts))))),
            None => missing.push(path),
        }
    }
    let paths = missing;
    if !cached.is_empty() {
        {
            let mut state = lock(&store.state);
            for (path, _) in &cached {
                state.in_flight.remove(path);
                state.failed_at.remove(path);
            }
        }
        store.publish(|snapshot| snapshot.modules.extend(cached));
        if !paths.is_empty() {
            refresh(session, client).await;
        }
    }
    let started = Instant::now();
    let fetching = module_client.facts_many(&paths);
    tokio::pin!(fetching);
    let mut progress = None;
    let results = tokio::select! {
        results = &mut fetching => results,
        () = tokio::time::sleep(PROGRESS_AFTER) => {
            progress = begin_progress(session, client, paths.len()).await;
            fetching.await
        }
    };
    tracing::debug!(
        "fetched facts of {} modules in {:?}",
        paths.len(),
        started.elapsed()
    );
    let mut network_problem: Option<String> = None;
    let mut offline = module_client.is_offline()
        || module_client
            .env()
            .get("GOPROXY")
            .is_some_and(|value| value.value == "off");
    let private_patterns = private_patterns(module_client.env());
    let mut loaded = Vec::new();
    let now = Instant::now();
    {
        let mut state = lock(&store.state);
        for (path, result) in paths.iter().zip(results) {
            state.in_flight.remove(path);
            match result {
                Ok(facts) => {
                    state.failed_at.remove(path);
                    loaded.push((path.clone(), ModuleState::Loaded(Arc::new(plain(&facts)))));
                }
                Err(error) => {
                    if matches!(error, FetchError::Off) {
                        offline = true;
                    }
                    if is_network_failure(&error) {
                        state.failed_at.insert(path.clone(), now);
                        network_problem.get_or_insert_with(|| error.to_string());
                        // Keep what an earlier fetch found.
                        continue;
                    }
                    state.failed_at.remove(path);
                    loaded.push((path.clone(), ModuleState::Failed(error.to_string())));
                }
            }
        }
    }
    let status = if offline {
        DataStatus::Offline
    } else if network_problem.is_some() {
        DataStatus::Cached
    } else {
        DataStatus::Live
    };
    store.publish(|snapshot| {
        snapshot.modules.extend(loaded);
        snapshot.status = status;
        snapshot.private_patterns = private_patterns;
    });
    if let Some(token) = progress {
        end_progress(client, token).await;
    }
    send_status(session, client, status).await;
    if let Some(problem) = network_problem {
        show_network_message_once(session, client, &problem).await;
    }
    crate::diagnostics::refresh_all_and_wait(session, client).await;
    // Publish times are for hovers: their requests start once the diagnostics are out, so that
    // they do not compete with them.
    crate::publish_times::want_shown(session);
    refresh_views(session, client).await;
}

/// Republishes diagnostics and asks the client to refresh inlay hints and code lenses.
async fn refresh(session: &Arc<Session>, client: &Client) {
    crate::diagnostics::refresh_all(session, client).await;
    refresh_views(session, client).await;
}

/// Asks the client to refresh inlay hints and code lenses.
async fn refresh_views(session: &Arc<Session>, client: &Client) {
    if session.client().inlay_hint_refresh
        && let Err(error) = client.inlay_hint_refresh().await
    {
        tracing::debug!("workspace/inlayHint/refresh failed: {error}");
    }
    let code_lens_refresh = lock(&session.facts().state).code_lens_refresh;
    if code_lens_refresh && let Err(error) = client.code_lens_refresh().await {
        tracing::debug!("workspace/codeLens/refresh failed: {error}");
    }
}

async fn send_status(session: &Arc<Session>, client: &Client, status: DataStatus) {
    {
        let mut state = lock(&session.facts().state);
        if state.status_sent == Some(status) {
            return;
        }
        state.status_sent = Some(status);
    }
    client
        .send_notification::<StatusNotification>(StatusParams {
            module_data: status.name().to_owned(),
        })
        .await;
}

async fn show_network_message_once(session: &Arc<Session>, client: &Client, problem: &str) {
    {
        let mut state = lock(&session.facts().state);
        if state.network_message_shown {
            return;
        }
        state.network_message_shown = true;
    }
    client
        .show_message(
            MessageType::WARNING,
            format!(
                "gomodls: the module proxy cannot be used ({problem}); module information comes from the cache until it can"
            ),
        )
        .await;
}

async fn begin_progress(
    session: &Arc<Session>,
    client: &Client,
    count: usize,
) -> Option<NumberOrString> {
    let token = {
        let mut state = lock(&session.facts().state);
        if !state.work_done_progress {
            return None;
        }
        state.progress_tokens += 1;
        NumberOrString::String(format!("gomodls/fetch/{}", state.progress_tokens))
    };
    let created = client
        .send_request::<tower_lsp_server::ls_types::request::WorkDoneProgressCreate>(
            WorkDoneProgressCreateParams {
                token: token.clone(),
            },
        )
        .await;
    if created.is_err() {
        return None;
    }
    client
        .send_notification::<tower_lsp_server::ls_types::notification::Progress>(ProgressParams {
            token: token.clone(),
            value: ProgressParamsValue::WorkDone(WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "Fetching module data".to_owned(),
                cancellable: Some(false),
                message: Some(format!("{count} modules")),
                percentage: None,
            })),
        })
        .await;
    Some(token)
}

async fn end_progress(client: &Client, token: NumberOrString) {
    client
        .send_notification::<tower_lsp_server::ls_types::notification::Progress>(ProgressParams {
            token,
            value: ProgressParamsValue::WorkDone(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: None,
            })),
        })
        .await;
}

/// Whether a failure means the proxy could not be used at all (unreachable, refusing
/// credentials, failing), rather than something about the module.
fn is_network_failure(error: &FetchError) -> bool {
    let FetchError::Module { reason, .. } = error else {
        return false;
    };
    match reason.as_ref() {
        Reason::Http(HttpError::Status { code, .. }) => {
            *code == 401 || *code == 403 || *code >= 500
        }
        Reason::Http(HttpError::File { .. }) => false,
        Reason::Http(_) => true,
        Reason::InvalidResponse { .. } => true,
        _ => false,
    }
}

fn private_patterns(env: &GoEnv) -> String {
    ["GOPRIVATE", "GONOPROXY"]
        .iter()
        .filter_map(|key| env.get(key))
        .map(|value| value.value.clone())
        .find(|value| !value.is_empty())
        .unwrap_or_default()
}

/// modfetch's facts as the ide crate's plain value.
fn plain(fetched: &ModuleFacts) -> facts::ModuleFacts {
    facts::ModuleFacts {
        path: fetched.path.clone(),
        versions: fetched.versions.clone(),
        majors: fetched
            .majors
            .iter()
            .map(|major| facts::MajorLatest {
                major: major.major.clone(),
                release: major.release.clone(),
                prerelease: major.prerelease.clone(),
            })
            .collect(),
        latest: fetched.latest_unretracted.clone(),
        newer_majors: fetched
            .newer_majors
            .iter()
            .map(|newer| facts::NewerMajor {
                path: newer.path.clone(),
                latest: newer.latest.clone(),
            })
            .collect(),
        retractions: fetched
            .retractions
            .iter()
            .map(|retraction| facts::Retraction {
                low: retraction.low.clone(),
                high: retraction.high.clone(),
                rationale: retraction.rationale.clone(),
            })
            .collect(),
        deprecation: fetched.deprecation.clone(),
        times: fetched.times.clone(),
        cached: !matches!(fetched.freshness, gomodls_modfetch::Freshness::Fresh),
    }
}

/// Local replacement (and go.work `use`) directories relative to a file's directory, read from
/// disk.
pub(crate) struct DiskDirs<'a> {
    /// The directory of the file the directories are written in.
    pub(crate) base: &'a Path,
}

impl LocalDirs for DiskDirs<'_> {
    fn look(&self, dir: &str) -> LocalDir {
        let go_mod = self.base.join(dir).join("go.mod");
        match std::fs::read_to_string(&go_mod) {
            Ok(text) => {
                let tree = gomodls_syntax::parse(FileKind::GoMod, text.as_bytes());
                let file = SourceFile::new(&tree, &text);
                let path = file
                    .modules()
                    .find_map(|module| module.path().and_then(|token| token.value()))
                    .map(|path| path.into_owned());
                LocalDir::Module(path)
            }
            Err(error) => LocalDir::Missing(format!(
                "open {}: {}",
                clean(&go_mod).display(),
                io_words(&error)
            )),
        }
    }

    fn requirements(&self, dir: &str) -> Option<Vec<(String, String)>> {
        let text = std::fs::read_to_string(self.base.join(dir).join("go.mod")).ok()?;
        Some(gomodls_ide::module_diagnostics::requirements_of(&text))
    }
}

/// A path without `.` and `..` parts, as go prints it.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The operating system's words as go prints them (lowercase, no error number).
fn io_words(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::NotADirectory => "not a directory".to_owned(),
        _ => error.to_string().to_lowercase(),
    }
}

/// The module diagnostics of a snapshot: facts from the snapshot, the sibling go.sum (or
/// go.mod), the go.work workspace and local replacement directories from disk.
pub fn problems(snapshot: &Snapshot, config: &Config) -> Vec<check::Diagnostic> {
    let path = file_path(&snapshot.uri);
    let gowork = gowork_setting(config);
    file_problems(
        snapshot.kind,
        &snapshot.text,
        &snapshot.tree,
        path.as_deref(),
        &snapshot.facts,
        config.update_check,
        gowork.as_deref(),
    )
}

/// The module diagnostics of a text at `path` (when it is a file on disk); `gowork` is the
/// GOWORK setting.
pub fn file_problems(
    kind: FileKind,
    text: &str,
    tree: &tree_sitter::Tree,
    path: Option<&Path>,
    facts: &FactsSnapshot,
    update_check: config::UpdateCheck,
    gowork: Option<&str>,
) -> Vec<check::Diagnostic> {
    let directory = path.and_then(Path::parent);
    let sibling_name = match kind {
        FileKind::GoMod => Some("go.sum"),
        FileKind::GoSum
            if path
                .and_then(Path::file_name)
                .is_some_and(|n| n == "go.sum") =>
        {
            Some("go.mod")
        }
        _ => None,
    };
    let workspace = match (kind, directory) {
        (FileKind::GoMod, Some(directory)) => {
            // In workspace mode only the exclude checks read sums.
            let excludes = gomodls_syntax::views::SourceFile::new(tree, text)
                .excludes()
                .next()
                .is_some();
            workspace_sums(directory, gowork, excludes)
        }
        _ => None,
    };
    let in_workspace = workspace.is_some();
    let sibling = match workspace {
        Some(workspace) => Some(workspace.sums),
        None => directory.zip(sibling_name).and_then(|(directory, name)| {
            match std::fs::read_to_string(directory.join(name)) {
                Ok(text) => Some(text),
                // A go.mod on disk without a go.sum: go misses the entry of every requirement.
                Err(error)
                    if kind == FileKind::GoMod
                        && error.kind() == std::io::ErrorKind::NotFound
                        && directory.is_dir() =>
                {
                    Some(String::new())
                }
                Err(_) => None,
            }
        }),
    };
    let dirs = directory.map(|base| DiskDirs { base });
    let input = ModuleCheckInput {
        kind,
        text,
        tree,
        facts,
        sibling: sibling.as_deref(),
        in_workspace,
        // The diagnostic goes on go.mod and go.work files only (module_diagnostics decides).
        invalid_gowork: gowork_is_relative(gowork),
        update_check: match update_check {
            config::UpdateCheck::Off => UpdateCheck::Off,
            config::UpdateCheck::Patch => UpdateCheck::Patch,
            config::UpdateCheck::Minor => UpdateCheck::Minor,
            config::UpdateCheck::Latest => UpdateCheck::Latest,
        },
        local_dirs: dirs.as_ref().map(|dirs| dirs as &dyn LocalDirs),
    };
    module_diagnostics(&input)
}

/// What go checks a go.mod's requirements against in workspace mode.
struct WorkspaceSums {
    /// go.work.sum and the go.sum of every workspace module, one after the other.
    sums: String,
}

/// GOWORK, from the settings or else the process environment.
pub fn gowork_setting(config: &Config) -> Option<String> {
    config
        .env
        .get("GOWORK")
        .cloned()
        .or_else(|| std::env::var("GOWORK").ok())
}

/// The go.work file go would use in `directory` and the module directories it uses, when it uses
/// the module in `directory` (see [`workspace_sums`]).
struct Workspace {
    work_file: PathBuf,
    roots: Vec<PathBuf>,
}

/// Whether `go_sum` is the go.sum of a module in the workspace of the go.mod in `directory`:
/// the checks of that go.mod read it (see [`workspace_sums`]).
pub fn is_workspace_go_sum(directory: &Path, gowork: Option<&str>, go_sum: &Path) -> bool {
    let Some(module) = go_sum
        .parent()
        .and_then(|dir| std::fs::canonicalize(dir).ok())
    else {
        return false;
    };
    workspace_of(directory, gowork).is_some_and(|workspace| {
        workspace
            .roots
            .iter()
            .any(|root| std::fs::canonicalize(root).is_ok_and(|root| root == module))
    })
}

/// Whether GOWORK names a relative path, which go refuses (`invalid GOWORK: not an absolute
/// path`): anything but unset, empty, `off`, `auto` or an absolute path.
fn gowork_is_relative(gowork: Option<&str>) -> bool {
    gowork.is_some_and(|set| !matches!(set, "" | "off" | "auto") && !Path::new(set).is_absolute())
}

fn workspace_of(directory: &Path, gowork: Option<&str>) -> Option<Workspace> {
    let work_file = match gowork.unwrap_or("") {
        "off" => return None,
        "" | "auto" => directory
            .ancestors()
            .map(|dir| dir.join("go.work"))
            .find(|file| file.is_file())?,
        // go refuses to run at all then (the `invalid-gowork` diagnostic).
        _ if gowork_is_relative(gowork) => return None,
        set => PathBuf::from(set),
    };
    let text = std::fs::read_to_string(&work_file).ok()?;
    let tree = gomodls_syntax::parse(FileKind::GoWork, text.as_bytes());
    let file = gomodls_syntax::views::SourceFile::new(&tree, &text);
    let base = work_file.parent()?;
    let this = std::fs::canonicalize(directory).ok()?;
    let roots: Vec<PathBuf> = file
        .uses()
        .filter_map(|spec| spec.path()?.value().map(|dir| base.join(dir.as_ref())))
        .collect();
    if !roots
        .iter()
        .any(|root| std::fs::canonicalize(root).is_ok_and(|root| root == this))
    {
        return None;
    }
    Some(Workspace { work_file, roots })
}

/// The sums of the go.work workspace go would use in `directory` (GOWORK, or the nearest go.work
/// above), when that workspace uses the module in `directory`; `None` outside workspace mode
/// (and where go refuses to run: a module the workspace does not use). The sum files are read
/// only when `read_sums`.
fn workspace_sums(
    directory: &Path,
    gowork: Option<&str>,
    read_sums: bool,
) -> Option<WorkspaceSums> {
    let Workspace { work_file, roots } = workspace_of(directory, gowork)?;
    if !read_sums {
        return Some(WorkspaceSums {
            sums: String::new(),
        });
    }
    let mut sum_file = work_file.clone().into_os_string();
    sum_file.push(".sum");
    let mut sums = std::fs::read_to_string(sum_file).unwrap_or_default();
    for root in &roots {
        if let Ok(text) = std::fs::read_to_string(root.join("go.sum")) {
            sums.push('\n');
            sums.push_str(&text);
        }
    }
    Some(WorkspaceSums { sums })
}

/// Fetches the facts of `paths` once and waits for them (for `gomodls check`); `offline` uses
/// only what is cached.
pub fn fetch_blocking(paths: &[String], offline: bool) -> FactsSnapshot {
    let mut snapshot = FactsSnapshot::default();
    if paths.is_empty() {
        return snapshot;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            report!("gomodls: module data unavailable: {error}");
            return snapshot;
        }
    };
    let env = GoEnv::resolve(std::env::vars(), &BTreeMap::new());
    snapshot.private_patterns = private_patterns(&env);
    let cache = CacheConfig::in_user_cache_dir(&env);
    let client = match ModuleClient::new(env, cache) {
        Ok(client) => client,
        Err(error) => {
            report!("gomodls: module data unavailable: {error}");
            return snapshot;
        }
    };
    client.set_offline(offline);
    let results = runtime.block_on(async {
        let results = client.facts_many(paths).await;
        client.flush().await;
        results
    });
    let mut network_problem = None;
    for (path, result) in paths.iter().zip(results) {
        match result {
            Ok(facts) => {
                snapshot
                    .modules
                    .insert(path.clone(), ModuleState::Loaded(Arc::new(plain(&facts))));
            }
            // GOPROXY=off is the user's choice: nothing to tell.
            Err(FetchError::Off) => {}
            Err(error) if is_network_failure(&error) => {
                network_problem.get_or_insert_with(|| error.to_string());
            }
            Err(error) => {
                snapshot
                    .modules
                    .insert(path.clone(), ModuleState::Failed(error.to_string()));
            }
        }
    }
    if let Some(problem) = network_problem
        && !offline
    {
        report!("gomodls: the module proxy cannot be used: {problem}");
    }
    snapshot
}
