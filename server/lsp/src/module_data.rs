//! What completion knows about modules, gathered from disk off the edit path: module paths from
//! the workspace's go.mod files, the go.sum beside a document and `GOMODCACHE/cache/download`;
//! versions from the module cache and go.sum; directories near a document holding a go.mod; the
//! installed Go toolchain's version.
//!
//! Invariant: requests only read the published [`ModuleData`] (an `Arc` swap, never a wait);
//! every scan runs on a blocking task started by [`prefetch`] or [`want_versions`], and
//! publishes a new value when it is done. The module proxy will feed the same store later: it
//! fills [`ModuleVersions`] for a module, with `complete: false` until its list has arrived.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use gomodls_ide::completion::{
    KnownPath, LocalModule, ModuleData, ModuleVersion, ModuleVersions, PathSource,
};
use gomodls_syntax::{module_path, semver};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tower_lsp_server::ls_types::Uri;

use crate::session::{Session, file_path};

/// How long a scan of the workspace or the module cache is trusted before the next request for
/// it starts a new one.
const RESCAN_AFTER: Duration = Duration::from_secs(30);

/// How many directories one scan of a workspace visits at most, and how deep.
const MAX_WORKSPACE_DIRECTORIES: usize = 5_000;
const MAX_WORKSPACE_DEPTH: usize = 6;

/// How many directories one scan of the module cache visits at most.
const MAX_CACHE_DIRECTORIES: usize = 200_000;

/// The store of module data, shared by all requests.
#[derive(Debug, Default)]
pub struct ModuleDataStore {
    published: RwLock<Arc<ModuleData>>,
    state: Mutex<State>,
}

/// What the scans found so far, and which scans ran when.
#[derive(Debug, Default)]
struct State {
    /// Where GOMODCACHE and GOROOT are, once the go environment has been read.
    environment: Option<Environment>,
    /// Module paths with the best source each was seen in.
    paths: BTreeMap<String, PathSource>,
    /// Versions seen in go.sum files, by module path.
    sum_versions: HashMap<String, BTreeSet<String>>,
    /// Versions loaded per module.
    versions: HashMap<String, ModuleVersions>,
    /// Modules whose versions are loaded or being loaded.
    versions_requested: HashSet<String>,
    /// Workspace roots by the directory of a document.
    roots: HashMap<PathBuf, PathBuf>,
    /// The go.mod directories found under each workspace root, and when.
    root_scans: HashMap<PathBuf, (Instant, Arc<Vec<FoundModule>>)>,
    /// When the module cache and the go.sum beside each document were last read.
    scanned: HashMap<ScanKey, Instant>,
    /// Scans running now.
    running: usize,
    /// The installed toolchain's version.
    go_toolchain: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ScanKey {
    ModuleCache,
    GoSum(PathBuf),
    Root(PathBuf),
}

/// Where the go command keeps things.
#[derive(Clone, Debug, Default)]
struct Environment {
    gomodcache: Option<PathBuf>,
    goroot: Option<PathBuf>,
}

/// A directory holding a go.mod.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FoundModule {
    dir: PathBuf,
    module_path: Option<String>,
}

fn lock(mutex: &Mutex<State>) -> MutexGuard<'_, State> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ModuleDataStore {
    /// The data as last published.
    pub fn snapshot(&self) -> Arc<ModuleData> {
        self.published
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The directories holding a go.mod near `document` (a file path), as the document would
    /// name them; empty until its workspace has been scanned.
    pub fn local_modules(&self, document: &Path) -> Vec<LocalModule> {
        let Some(directory) = document.parent() else {
            return Vec::new();
        };
        let state = lock(&self.state);
        let Some(found) = state
            .roots
            .get(directory)
            .and_then(|root| state.root_scans.get(root))
            .map(|(_, found)| found.clone())
        else {
            return Vec::new();
        };
        drop(state);
        found
            .iter()
            .map(|module| LocalModule {
                dir: relative_dir(directory, &module.dir),
                module_path: module.module_path.clone(),
            })
            .collect()
    }

    /// Publishes what the state holds now.
    fn publish(&self, state: &State) {
        let data = ModuleData {
            known_paths: state
                .paths
                .iter()
                .map(|(path, source)| KnownPath {
                    path: path.clone(),
                    source: *source,
                })
                .collect(),
            paths_loading: state.running > 0,
            versions: state.versions.clone(),
            go_toolchain: state.go_toolchain.clone(),
        };
        *self
            .published
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(data);
    }

    /// Marks a scan as started unless one of `key` ran recently; returns whether to run it.
    fn start(&self, key: ScanKey) -> bool {
        let mut state = lock(&self.state);
        let now = Instant::now();
        if state
            .scanned
            .get(&key)
            .is_some_and(|at| now.duration_since(*at) < RESCAN_AFTER)
        {
            return false;
        }
        state.scanned.insert(key, now);
        state.running += 1;
        self.publish(&state);
        true
    }

    /// Applies what a scan found and publishes it.
    fn finish(&self, apply: impl FnOnce(&mut State)) {
        let mut state = lock(&self.state);
        apply(&mut state);
        state.running = state.running.saturating_sub(1);
        self.publish(&state);
    }

    /// The go environment, read once.
    fn environment(&self) -> Environment {
        if let Some(environment) = lock(&self.state).environment.clone() {
            return environment;
        }
        let env = gomodls_modfetch::GoEnv::from_process();
        let environment = Environment {
            gomodcache: env.gomodcache().map(Path::to_path_buf),
            goroot: Some(PathBuf::from(env.value("GOROOT")))
                .filter(|root| !root.as_os_str().is_empty()),
        };
        lock(&self.state).environment = Some(environment.clone());
        environment
    }
}

/// Starts the scans a document's completion needs that have not run recently: the module cache
/// and the toolchain version (once per [`RESCAN_AFTER`]), the go.sum beside the document, and
/// the workspace around it. Never waits for them.
pub fn prefetch(session: &Arc<Session>, uri: &Uri) {
    let Some(document) = file_path(uri) else {
        spawn_cache_scan(session);
        return;
    };
    spawn_cache_scan(session);
    // A document whose directory does not exist (a file not saved yet, a URI from elsewhere)
    // has no go.sum or workspace beside it to read.
    let Some(directory) = document
        .parent()
        .filter(|directory| directory.is_dir())
        .map(Path::to_path_buf)
    else {
        return;
    };
    for name in ["go.sum", "go.work.sum"] {
        let sum = directory.join(name);
        if session.module_data().start(ScanKey::GoSum(sum.clone())) {
            let session = session.clone();
            tokio::task::spawn_blocking(move || {
                let read = read_go_sum(&sum);
                session
                    .module_data()
                    .finish(|state| add_go_sum(state, read));
            });
        }
    }
    if session
        .module_data()
        .start(ScanKey::Root(directory.clone()))
    {
        let session = session.clone();
        tokio::task::spawn_blocking(move || {
            let root = workspace_root(&directory);
            // The file system's root is nobody's workspace: reading it finds only noise.
            let found = match root.parent() {
                Some(_) => scan_workspace(&root),
                None => WorkspaceScan::default(),
            };
            session.module_data().finish(|state| {
                for module in &found.modules {
                    if let Some(path) = &module.module_path {
                        add_path(state, path, PathSource::Workspace);
                    }
                }
                for path in &found.required {
                    add_path(state, path, PathSource::Workspace);
                }
                state
                    .root_scans
                    .insert(root.clone(), (Instant::now(), Arc::new(found.modules)));
                state.roots.insert(directory, root);
            });
        });
    }
}

fn spawn_cache_scan(session: &Arc<Session>) {
    if !session.module_data().start(ScanKey::ModuleCache) {
        return;
    }
    let session = session.clone();
    tokio::task::spawn_blocking(move || {
        let store = session.module_data();
        let environment = store.environment();
        let paths = environment
            .gomodcache
            .as_deref()
            .map(|cache| scan_module_cache(&cache.join("cache/download")))
            .unwrap_or_default();
        let toolchain = environment.goroot.as_deref().and_then(installed_go_version);
        store.finish(|state| {
            for path in paths {
                add_path(state, &path, PathSource::ModuleCache);
            }
            state.go_toolchain = toolchain;
        });
    });
}

/// Starts loading the versions of `paths` that are not loaded or loading yet.
pub fn want_versions(session: &Arc<Session>, paths: Vec<String>) {
    for path in paths {
        {
            let mut state = lock(&session.module_data().state);
            if !state.versions_requested.insert(path.clone()) {
                continue;
            }
            state.running += 1;
        }
        let session = session.clone();
        tokio::task::spawn_blocking(move || {
            let store = session.module_data();
            let environment = store.environment();
            let cached = environment
                .gomodcache
                .as_deref()
                .map(|cache| cached_versions(&cache.join("cache/download"), &path))
                .unwrap_or_default();
            store.finish(|state| {
                let from_sum = state.sum_versions.get(&path).cloned().unwrap_or_default();
                let versions = merge_versions(cached, from_sum);
                state.versions.insert(
                    path,
                    ModuleVersions {
                        versions,
                        // Without a proxy, what is on disk is all there is.
                        complete: true,
                    },
                );
            });
        });
    }
}

fn add_path(state: &mut State, path: &str, source: PathSource) {
    if path.is_empty() || module_path::check_path(path).is_err() {
        return;
    }
    state
        .paths
        .entry(path.to_owned())
        .and_modify(|best| *best = (*best).min(source))
        .or_insert(source);
}

/// The module paths and versions of a go.sum file (empty when it does not exist).
fn read_go_sum(path: &Path) -> Vec<(String, String)> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    gomodls_syntax::gosum::read_go_sum(&bytes)
        .lines
        .into_iter()
        .map(|line| (line.sum.path, line.sum.version))
        .collect()
}

fn add_go_sum(state: &mut State, lines: Vec<(String, String)>) {
    for (path, version) in lines {
        add_path(state, &path, PathSource::GoSum);
        if let Some(known) = state.versions.get_mut(&path)
            && !known.versions.iter().any(|known| known.version == version)
        {
            known.versions.push(ModuleVersion::new(version.clone()));
        }
        state.sum_versions.entry(path).or_default().insert(version);
    }
}

/// The directory to scan for a document in `directory`: the nearest ancestor (up to five
/// levels) holding a go.work or a `.git`, else the directory's parent, so sibling modules are
/// found.
fn workspace_root(directory: &Path) -> PathBuf {
    for ancestor in directory.ancestors().take(6) {
        if ancestor.join("go.work").is_file() || ancestor.join(".git").exists() {
            return ancestor.to_path_buf();
        }
    }
    directory.parent().unwrap_or(directory).to_path_buf()
}

/// What a workspace scan finds.
#[derive(Debug, Default)]
struct WorkspaceScan {
    modules: Vec<FoundModule>,
    required: BTreeSet<String>,
}

/// The directories under `root` holding a go.mod, with their module paths and requirements;
/// hidden directories, `vendor`, `testdata` and `node_modules` are skipped, as go skips them.
fn scan_workspace(root: &Path) -> WorkspaceScan {
    let mut scan = WorkspaceScan::default();
    let mut pending = vec![(root.to_path_buf(), 0)];
    let mut visited = 0;
    while let Some((directory, depth)) = pending.pop() {
        visited += 1;
        if visited > MAX_WORKSPACE_DIRECTORIES {
            break;
        }
        let gomod = directory.join("go.mod");
        if let Ok(bytes) = std::fs::read(&gomod) {
            let (module_path, required) = read_go_mod(&bytes);
            scan.required.extend(required);
            scan.modules.push(FoundModule {
                dir: directory.clone(),
                module_path,
            });
        }
        if depth >= MAX_WORKSPACE_DEPTH {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let skipped = name.starts_with('.')
                || name.starts_with('_')
                || matches!(name.as_ref(), "vendor" | "testdata" | "node_modules");
            if !skipped && entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                pending.push((entry.path(), depth + 1));
            }
        }
    }
    scan.modules.sort_by(|a, b| a.dir.cmp(&b.dir));
    scan
}

/// The module path and the required module paths of a go.mod, as go reads them.
fn read_go_mod(bytes: &[u8]) -> (Option<String>, Vec<String>) {
    let Ok(mut syntax) = gomodls_syntax::modfile::read::read(bytes, "go.mod") else {
        return (None, Vec::new());
    };
    let (file, _) = gomodls_syntax::modfile::rules::parse_gomod(&mut syntax, false);
    let module_path = file
        .module
        .map(|module| module.path)
        .filter(|path| !path.is_empty());
    let required = file
        .require
        .into_iter()
        .map(|require| require.module.path)
        .collect();
    (module_path, required)
}

/// `to` as a go.mod or go.work line names it from `from`: `.`, `./sub`, `../other`.
fn relative_dir(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to_slashes(&to.iter().collect::<PathBuf>());
    }
    let ups = from.len() - common;
    let rest: PathBuf = to.iter().skip(common).collect();
    let rest = to_slashes(&rest);
    match (ups, rest.is_empty()) {
        (0, true) => ".".to_owned(),
        (0, false) => format!("./{rest}"),
        (ups, true) => vec![".."; ups].join("/"),
        (ups, false) => format!("{}/{rest}", vec![".."; ups].join("/")),
    }
}

fn to_slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The module paths in a module cache's `cache/download` directory: every directory holding an
/// `@v` directory, its case-escaped path decoded.
fn scan_module_cache(download: &Path) -> Vec<String> {
    let mut paths = Vec::new();
    let mut pending = vec![download.to_path_buf()];
    let mut visited = 0;
    while let Some(directory) = pending.pop() {
        visited += 1;
        if visited > MAX_CACHE_DIRECTORIES {
            tracing::warn!(
                "stopped reading {} after {visited} directories",
                download.display()
            );
            break;
        }
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries.flatten() {
            if !entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                continue;
            }
            let name = entry.file_name();
            if name == "@v" {
                let escaped = directory
                    .strip_prefix(download)
                    .map(to_slashes)
                    .unwrap_or_default();
                if let Ok(path) = module_path::unescape_path(&escaped) {
                    paths.push(path);
                }
            } else if name != "sumdb" || directory != download {
                pending.push(entry.path());
            }
        }
    }
    paths
}

/// A version the module cache knows, with its time and go.mod retractions.
#[derive(Debug, Default, PartialEq, Eq)]
struct CachedVersions {
    versions: BTreeMap<String, Option<OffsetDateTime>>,
    /// `(low, high, rationale)` from the go.mod of the highest cached version.
    retractions: Vec<(String, String, String)>,
}

/// The versions of `path` in the module cache: the `@v/list` file and the `.info` files (whose
/// times are the publish times), and the retractions of the highest version's go.mod.
fn cached_versions(download: &Path, path: &str) -> CachedVersions {
    let mut cached = CachedVersions::default();
    let Ok(escaped) = module_path::escape_path(path) else {
        return cached;
    };
    let directory = download.join(escaped).join("@v");
    if let Ok(bytes) = std::fs::read(directory.join("list")) {
        let list = gomodls_modfetch::client::parse_version_list(&bytes);
        for version in list.versions.iter().chain(&list.pseudo_versions) {
            let time = list.times.get(version).copied();
            cached.versions.insert(version.clone(), time);
        }
    }
    let Ok(entries) = std::fs::read_dir(&directory) else {
        return cached;
    };
    let mut with_go_mod = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(escaped_version) = name.strip_suffix(".info") {
            let Ok(version) = module_path::unescape_version(escaped_version) else {
                continue;
            };
            let time = std::fs::read(entry.path())
                .ok()
                .and_then(|bytes| info_time(&bytes));
            let slot = cached.versions.entry(version).or_default();
            *slot = slot.or(time);
        } else if let Some(escaped_version) = name.strip_suffix(".mod")
            && let Ok(version) = module_path::unescape_version(escaped_version)
        {
            with_go_mod.push(version);
        }
    }
    semver::sort(&mut with_go_mod);
    if let Some(highest) = with_go_mod.last()
        && let Ok(escaped_version) = module_path::escape_version(highest)
        && let Ok(bytes) = std::fs::read(directory.join(format!("{escaped_version}.mod")))
        && let Ok(mut syntax) = gomodls_syntax::modfile::read::read(&bytes, "go.mod")
    {
        let (file, _) = gomodls_syntax::modfile::rules::parse_gomod(&mut syntax, false);
        cached.retractions = file
            .retract
            .into_iter()
            .map(|retract| (retract.low, retract.high, retract.rationale))
            .collect();
    }
    cached
}

/// The `Time` of a proxy `.info` file.
fn info_time(bytes: &[u8]) -> Option<OffsetDateTime> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let text = value.get("Time")?.as_str()?;
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// The cached versions and the go.sum versions as one list, retractions applied.
fn merge_versions(cached: CachedVersions, from_sum: BTreeSet<String>) -> Vec<ModuleVersion> {
    let mut times = cached.versions;
    for version in from_sum {
        times.entry(version).or_default();
    }
    times
        .into_iter()
        .filter(|(version, _)| semver::is_valid(version))
        .map(|(version, time)| {
            let retracted = cached
                .retractions
                .iter()
                .find(|(low, high, _)| {
                    semver::compare(low, &version).is_le()
                        && semver::compare(&version, high).is_le()
                })
                .map(|(_, _, rationale)| rationale.clone());
            ModuleVersion {
                version,
                time,
                retracted,
            }
        })
        .collect()
}

/// The version of the toolchain in `goroot` (`1.27.3` from a VERSION file saying `go1.27.3`).
fn installed_go_version(goroot: &Path) -> Option<String> {
    let text = std::fs::read_to_string(goroot.join("VERSION")).ok()?;
    let first = text.lines().next()?.trim();
    let version = first.strip_prefix("go")?;
    gomodls_syntax::go_version::is_go_version(version).then(|| version.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn relative_directories() {
        let cases = [
            ("/w/a", "/w/a", "."),
            ("/w/a", "/w/a/sub/x", "./sub/x"),
            ("/w/a", "/w/b", "../b"),
            ("/w/a/b", "/w/c", "../../c"),
            ("/w/a/b", "/w", "../.."),
        ];
        for (from, to, expected) in cases {
            assert_eq!(
                relative_dir(Path::new(from), Path::new(to)),
                expected,
                "{from} {to}"
            );
        }
    }

    #[test]
    fn module_cache_paths_and_versions() {
        let cache = tempfile::tempdir().unwrap();
        let download = cache.path().join("cache/download");
        write(
            &download.join("github.com/!burnt!sushi/toml/@v/list"),
            "v1.2.0\nv1.3.0\n",
        );
        write(
            &download.join("github.com/!burnt!sushi/toml/@v/v1.3.0.info"),
            r#"{"Version":"v1.3.0","Time":"2023-06-01T10:00:00Z"}"#,
        );
        write(
            &download.join("github.com/!burnt!sushi/toml/@v/v1.4.0-!r!c1.info"),
            r#"{"Version":"v1.4.0-RC1","Time":"not a time"}"#,
        );
        write(
            &download.join("github.com/!burnt!sushi/toml/@v/v1.3.0.mod"),
            "module github.com/BurntSushi/toml\n\n// broken\nretract [v1.0.0, v1.2.0]\n",
        );
        write(&download.join("golang.org/x/text/@v/list"), "");
        write(&download.join("sumdb/sum.golang.org/lookup/x"), "");
        let mut paths = scan_module_cache(&download);
        paths.sort();
        assert_eq!(paths, ["github.com/BurntSushi/toml", "golang.org/x/text"]);

        let cached = cached_versions(&download, "github.com/BurntSushi/toml");
        let from_sum = BTreeSet::from(["v1.1.0".to_owned(), "v1.3.0".to_owned()]);
        let merged: Vec<String> = merge_versions(cached, from_sum)
            .into_iter()
            .map(|version| {
                format!(
                    "{} {:?} {:?}",
                    version.version,
                    version.time.map(|time| time.unix_timestamp()),
                    version.retracted
                )
            })
            .collect();
        assert_eq!(
            merged,
            [
                "v1.1.0 None Some(\"broken\")",
                "v1.2.0 None Some(\"broken\")",
                "v1.3.0 Some(1685613600) None",
                "v1.4.0-RC1 None None",
            ]
        );
    }

    #[test]
    fn workspace_modules() {
        let workspace = tempfile::tempdir().unwrap();
        let root = workspace.path();
        write(&root.join(".git/HEAD"), "");
        write(
            &root.join("app/go.mod"),
            "module example.com/app\n\nrequire golang.org/x/text v0.3.0\n",
        );
        write(&root.join("lib/go.mod"), "module \"example.com/lib\"\n");
        write(
            &root.join("lib/vendor/x/go.mod"),
            "module example.com/vendored\n",
        );
        write(
            &root.join("lib/.hidden/go.mod"),
            "module example.com/hidden\n",
        );
        write(&root.join("broken/go.mod"), "module (\n");
        assert_eq!(workspace_root(&root.join("app")), root);
        let scan = scan_workspace(root);
        let found: Vec<(String, Option<String>)> = scan
            .modules
            .iter()
            .map(|module| {
                (
                    relative_dir(&root.join("app"), &module.dir),
                    module.module_path.clone(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (".".to_owned(), Some("example.com/app".to_owned())),
                ("../broken".to_owned(), None),
                ("../lib".to_owned(), Some("example.com/lib".to_owned())),
            ]
        );
        assert_eq!(Vec::from_iter(scan.required), ["golang.org/x/text"]);
    }

    #[test]
    fn toolchain_version_from_goroot() {
        let goroot = tempfile::tempdir().unwrap();
        assert_eq!(installed_go_version(goroot.path()), None);
        write(
            &goroot.path().join("VERSION"),
            "go1.27.3\ntime 2026-10-19T22:20:36Z\n",
        );
        assert_eq!(
            installed_go_version(goroot.path()).as_deref(),
            Some("1.27.3")
        );
        write(&goroot.path().join("VERSION"), "devel go1.28-abcdef\n");
        assert_eq!(installed_go_version(goroot.path()), None);
    }
}
