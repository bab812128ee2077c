//! Publish times of module versions, fetched lazily from the proxy's `.info` files for the
//! versions the user is shown: the versions the open go.mod and go.work files name and each
//! module's latest versions (hover), and the versions a completion lists.
//!
//! A module's facts carry the times the proxy gives without extra requests (its `@v/list`
//! lines, when they have times, and the latest version's `.info`); the standard proxy's list has
//! none, so without this only the latest version had a time.
//!
//! Invariants: nothing here waits for the network on a request's path: [`want`] only spawns
//! fetches and says whether some are still running. Each `(module, version)` is fetched at most
//! once per session (modfetch caches `.info` on disk; a failed fetch is not retried); times
//! learned here are kept, and put back when they are wanted again after a module's facts were
//! fetched anew.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use gomodls_ide::facts::{FactsSnapshot, ModuleState};
use time::OffsetDateTime;
use tokio::sync::Semaphore;

use gomodls_syntax::views::SourceFile;
use gomodls_syntax::{FileKind, semver};

use crate::document::Snapshot;
use crate::session::Session;

/// How many `.info` requests run at once.
const CONCURRENT_FETCHES: usize = 8;

/// What has been asked for and learned.
#[derive(Debug, Default)]
pub struct TimesState {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// `(module, version)` pairs asked for (fetched, being fetched, or failed).
    requested: HashSet<(String, String)>,
    /// Pairs being fetched now.
    in_flight: HashSet<(String, String)>,
    /// Times learned, by module and version.
    learned: HashMap<String, BTreeMap<String, OffsetDateTime>>,
}

fn lock(state: &TimesState) -> MutexGuard<'_, Inner> {
    state.inner.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes sure the publish times of `versions` of the module `path` become known: those learned
/// earlier are put back into the facts at once, the others are fetched in the background.
/// `answered` are the facts an answer showing the versions was made from; returns whether that
/// answer lacks times that are there now or will come (it is incomplete: the client asks again).
/// A module whose facts had not arrived is left alone (its facts fetch brings the latest time).
pub fn want(
    session: &Arc<Session>,
    answered: &FactsSnapshot,
    path: &str,
    versions: &[String],
) -> bool {
    let Some(ModuleState::Loaded(answered_facts)) = answered.modules.get(path) else {
        return false;
    };
    let missing: Vec<&String> = versions
        .iter()
        .filter(|version| {
            semver::is_valid(version) && !answered_facts.times.contains_key(version.as_str())
        })
        .collect();
    if missing.is_empty() {
        return false;
    }
    let store = session.facts();
    let current = store.current();
    let known_now = |version: &str| match current.modules.get(path) {
        Some(ModuleState::Loaded(facts)) => facts.times.contains_key(version),
        _ => false,
    };
    // Arrived since the answer's facts were taken.
    let arrived = missing.iter().any(|version| known_now(version));
    let missing: Vec<&String> = missing
        .into_iter()
        .filter(|version| !known_now(version))
        .collect();
    let (learned, to_fetch, loading) = {
        let mut inner = lock(&store.times);
        let learned_times = inner.learned.get(path);
        let learned: BTreeMap<String, OffsetDateTime> = missing
            .iter()
            .filter_map(|version| {
                learned_times
                    .and_then(|times| times.get(version.as_str()))
                    .map(|time| ((*version).clone(), *time))
            })
            .collect();
        let mut to_fetch = Vec::new();
        let mut loading = false;
        for version in missing {
            if learned.contains_key(version) {
                continue;
            }
            let key = (path.to_owned(), version.clone());
            if inner.in_flight.contains(&key) {
                loading = true;
            } else if inner.requested.insert(key.clone()) {
                inner.in_flight.insert(key);
                to_fetch.push(version.clone());
            }
        }
        (learned, to_fetch, loading)
    };
    let put_back = !learned.is_empty();
    store.add_times(path, learned);
    if to_fetch.is_empty() {
        return arrived || put_back || loading;
    }
    spawn_fetch(session, path.to_owned(), to_fetch);
    true
}

/// [`want`] for the versions the open go.mod and go.work files name, and for the latest
/// versions of every module whose facts are known (what hovers show).
pub fn want_shown(session: &Arc<Session>) {
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for snapshot in session.open_snapshots() {
        for (path, version) in named_versions(&snapshot) {
            wanted.entry(path).or_default().push(version);
        }
    }
    let current = session.facts().current();
    for (path, state) in &current.modules {
        let ModuleState::Loaded(facts) = state else {
            continue;
        };
        let versions = wanted.entry(path.clone()).or_default();
        versions.extend(facts.latest.iter().cloned());
        for major in &facts.majors {
            versions.extend(major.release.iter().cloned());
            versions.extend(major.prerelease.iter().cloned());
        }
    }
    for (path, mut versions) in wanted {
        versions.sort();
        versions.dedup();
        want(session, &current, &path, &versions);
    }
}

fn spawn_fetch(session: &Arc<Session>, path: String, versions: Vec<String>) {
    let session = session.clone();
    tokio::spawn(async move {
        let store = session.facts();
        let config = session.config();
        let times = match store.module_client(&config) {
            Ok(client) => {
                let permits = Arc::new(Semaphore::new(CONCURRENT_FETCHES));
                let mut tasks = tokio::task::JoinSet::new();
                for version in versions.iter().cloned() {
                    let client = client.clone();
                    let permits = permits.clone();
                    let path = path.clone();
                    tasks.spawn(async move {
                        let _permit = permits.acquire_owned().await.ok()?;
                        let info = client.info(&path, &version).await.ok()?;
                        // Only the version's own `.info` says when it was published.
                        (info.value.version == version)
                            .then_some(info.value.time)
                            .flatten()
                            .map(|time| (version, time))
                    });
                }
                let mut times = BTreeMap::new();
                while let Some(joined) = tasks.join_next().await {
                    if let Ok(Some((version, time))) = joined {
                        times.insert(version, time);
                    }
                }
                times
            }
            Err(problem) => {
                tracing::debug!("no publish times for {path}: {problem}");
                BTreeMap::new()
            }
        };
        {
            let mut inner = lock(&store.times);
            for version in &versions {
                inner.in_flight.remove(&(path.clone(), version.clone()));
            }
            inner
                .learned
                .entry(path.clone())
                .or_default()
                .extend(times.iter().map(|(version, time)| (version.clone(), *time)));
        }
        store.add_times(&path, times);
    });
}

/// The `(module path, version)` pairs a go.mod or go.work names: requirements, excluded
/// versions, replaced versions and replacement versions.
fn named_versions(snapshot: &Snapshot) -> Vec<(String, String)> {
    if !matches!(snapshot.kind, FileKind::GoMod | FileKind::GoWork) {
        return Vec::new();
    }
    let file = SourceFile::new(&snapshot.tree, &snapshot.text);
    let mut pairs = Vec::new();
    let mut add = |path: Option<std::borrow::Cow<'_, str>>,
                   version: Option<std::borrow::Cow<'_, str>>| {
        if let (Some(path), Some(version)) = (path, version) {
            pairs.push((path.into_owned(), version.into_owned()));
        }
    };
    for spec in file.requires() {
        add(
            spec.path().and_then(|token| token.value()),
            spec.version().and_then(|token| token.value()),
        );
    }
    for spec in file.excludes() {
        add(
            spec.path().and_then(|token| token.value()),
            spec.version().and_then(|token| token.value()),
        );
    }
    for spec in file.replaces() {
        add(
            spec.path().and_then(|token| token.value()),
            spec.version().and_then(|token| token.value()),
        );
        if let Some(replacement) = spec.replacement()
            && !replacement.is_directory()
        {
            add(
                replacement.token().value(),
                spec.replacement_version().and_then(|token| token.value()),
            );
        }
    }
    pairs
}
