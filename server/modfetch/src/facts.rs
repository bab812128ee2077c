//! [`ModuleFacts`]: everything an editor shows about a module's versions, gathered in as few
//! round trips as the protocol allows (list and newer-major probes together, then `.info` and
//! `.mod` of the latest version together).

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::client::{Attempt, BestError, Freshness, Inner, ModuleClient, Proxies, RevInfo};
use crate::compat::{module_path, semver};
use crate::error::{ConfigError, FetchError, QueryError};
use crate::query::{Matcher, QueryOptions};
use crate::retractions::{Retraction, read_retractions_and_deprecation, retraction_message};

/// The newest release and prerelease of one major version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MajorLatest {
    /// The major version (`v0`, `v1`, `v2` for `+incompatible` versions of an unsuffixed path).
    pub major: String,
    /// The highest release of this major, if any.
    pub release: Option<String>,
    /// The highest prerelease of this major, if any (even below the release).
    pub prerelease: Option<String>,
}

/// A module path for a newer major version (`/v2`, or `.v3` for gopkg.in) that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewerMajor {
    /// The module path of that major version.
    pub path: String,
    /// Its highest release, else its highest prerelease.
    pub latest: Option<String>,
}

/// What is known about one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleFacts {
    /// The module path.
    pub path: String,
    /// Tagged versions in go's order (pseudo-versions removed); retracted ones included.
    pub versions: Vec<String>,
    /// The newest release and prerelease of each major version present.
    pub majors: Vec<MajorLatest>,
    /// go's "latest" ignoring retractions: the version whose go.mod the retractions and the
    /// deprecation come from (the `@latest` commit when there are no tags).
    pub latest: Option<RevInfo>,
    /// What `latest` resolves to once retracted versions are skipped (what `go get` picks).
    pub latest_unretracted: Option<String>,
    /// Existing paths of newer major versions.
    pub newer_majors: Vec<NewerMajor>,
    /// The retractions declared by the latest go.mod.
    pub retractions: Vec<Retraction>,
    /// The deprecation message of the latest go.mod.
    pub deprecation: Option<String>,
    /// Publish times known without extra requests (list lines with times, the latest `.info`).
    pub times: BTreeMap<String, OffsetDateTime>,
    /// The weakest freshness of the data used.
    pub freshness: Freshness,
    /// Parts that could not be loaded (retractions, newer majors), in go's words where go has
    /// words.
    pub problems: Vec<String>,
}

impl ModuleFacts {
    /// The retractions covering a version.
    pub fn retractions_of(&self, version: &str) -> Vec<&Retraction> {
        self.retractions
            .iter()
            .filter(|r| r.contains(version))
            .collect()
    }

    /// Whether a version is retracted.
    pub fn is_retracted(&self, version: &str) -> bool {
        self.retractions.iter().any(|r| r.contains(version))
    }

    /// go's message for a retracted version (`retracted by module author: RATIONALE`).
    pub fn retraction_message(&self, version: &str) -> Option<String> {
        let hits = self.retractions_of(version);
        if hits.is_empty() {
            return None;
        }
        let rationales: Vec<String> = hits
            .iter()
            .filter(|r| !r.rationale.is_empty())
            .map(|r| r.rationale.clone())
            .collect();
        Some(retraction_message(&rationales))
    }

    /// These facts, whose latest version another proxy of the GOPROXY list answered, with the
    /// versions of `first`, the list a request over the whole list got (publish times of both).
    fn with_versions_of(mut self, first: ModuleFacts) -> ModuleFacts {
        let mut times = first.times;
        times.append(&mut self.times);
        ModuleFacts {
            majors: first.majors,
            versions: first.versions,
            times,
            freshness: self.freshness.combine(first.freshness),
            ..self
        }
    }

    /// The versions `go list -m -versions` shows (retracted ones hidden).
    pub fn visible_versions(&self) -> Vec<&str> {
        self.versions
            .iter()
            .filter(|v| !self.is_retracted(v))
            .map(String::as_str)
            .collect()
    }
}

fn majors_of(versions: &[String]) -> Vec<MajorLatest> {
    let mut majors: Vec<MajorLatest> = Vec::new();
    for v in versions {
        let major = semver::major(v);
        let index = match majors.iter().position(|m| m.major == major) {
            Some(i) => i,
            None => {
                majors.push(MajorLatest {
                    major: major.clone(),
                    release: None,
                    prerelease: None,
                });
                majors.len() - 1
            }
        };
        let Some(entry) = majors.get_mut(index) else {
            continue;
        };
        // `versions` is ascending, so the last one seen of each kind is the highest.
        if semver::prerelease(v).is_empty() {
            entry.release = Some(v.clone());
        } else {
            entry.prerelease = Some(v.clone());
        }
    }
    majors.sort_by(|a, b| semver::compare(&a.major, &b.major));
    majors
}

/// The next major-version path after `path`, or `None` if the path has no room for one.
fn next_major_path(path: &str, after: u64) -> Option<String> {
    let (prefix, major) = module_path::split_path_version(path)?;
    if path.starts_with("gopkg.in/") {
        return Some(format!("{prefix}.v{}", after + 1));
    }
    let _ = major;
    Some(format!("{prefix}/v{}", after + 1))
}

fn major_number(path: &str) -> Option<u64> {
    let (_, major) = module_path::split_path_version(path)?;
    let digits = major
        .trim_start_matches(['/', '.'])
        .trim_start_matches('v')
        .trim_end_matches("-unstable");
    if digits.is_empty() {
        return Some(1);
    }
    digits.parse().ok()
}

/// How go's own `latest` query (the one retractions and the deprecation come from) ended.
enum LatestQuery {
    /// The first proxy that listed the module answered it.
    AnsweredFirst,
    /// A later proxy of the GOPROXY list answered it.
    AnsweredLater,
    /// No proxy answered it; the error go reports.
    Failed(FetchError),
}

/// go's words for a retraction check of `path@version` that could not load the retractions:
/// the failure is attributed to the version checked, so a module error loses its own
/// `path@version: ` prefix.
fn retraction_loading_words(path: &str, version: &str, error: &FetchError) -> String {
    let cause = match error {
        FetchError::Module { reason, .. } => reason.to_string(),
        other => other.to_string(),
    };
    format!("loading module retractions for {path}@{version}: {cause}")
}

/// How many newer majors are probed at most.
const MAX_MAJOR_PROBES: u64 = 50;

impl ModuleClient {
    /// Everything known about a module: versions, latest versions per major, newer major
    /// versions, retractions, deprecation and publish times.
    pub async fn facts(&self, path: &str) -> Result<ModuleFacts, FetchError> {
        let mut results = self.facts_many(&[path.to_owned()]).await;
        results
            .pop()
            .unwrap_or_else(|| Err(FetchError::InvalidPath(path.to_owned())))
    }

    /// The stored facts of each module that are still within the TTL, from memory or one read
    /// of their disk records; `None` for the others. Never asks the network: a caller can show
    /// these at once and fetch only the rest.
    pub async fn facts_cached(&self, paths: &[String]) -> Vec<Option<ModuleFacts>> {
        let inner = &self.inner;
        let mut results: Vec<Option<ModuleFacts>> =
            paths.iter().map(|p| inner.facts_from_memory(p)).collect();
        let missing: Vec<String> = paths
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.is_none())
            .map(|(p, _)| p.clone())
            .collect();
        if missing.is_empty() {
            return results;
        }
        let records = inner
            .cache
            .facts_records_get(missing.clone(), decode_record)
            .await;
        let mut found = std::collections::HashMap::new();
        for (path, record) in missing.iter().zip(records) {
            if let Some((facts, stored)) = record
                && inner.cache.is_fresh(&crate::cache::Hit {
                    data: bytes::Bytes::new(),
                    stored,
                })
            {
                inner.remember_facts(path, &facts, stored);
                found.insert(path.clone(), facts);
            }
        }
        for (path, slot) in paths.iter().zip(results.iter_mut()) {
            if slot.is_none()
                && let Some(facts) = found.get(path)
            {
                *slot = Some(facts.clone());
            }
        }
        results
    }

    /// [`ModuleClient::facts`] for many modules at once: stored facts still within the TTL
    /// come from [`ModuleClient::facts_cached`], the rest are fetched together.
    pub async fn facts_many(&self, paths: &[String]) -> Vec<Result<ModuleFacts, FetchError>> {
        let inner = &self.inner;
        let mut results: Vec<Option<Result<ModuleFacts, FetchError>>> = self
            .facts_cached(paths)
            .await
            .into_iter()
            .map(|cached| cached.map(Ok))
            .collect();
        let pending: Vec<(usize, String)> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_none())
            .map(|(i, _)| (i, paths.get(i).cloned().unwrap_or_default()))
            .collect();
        for (index, result) in inner.facts_of_all(pending).await {
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(result);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(FetchError::InvalidPath(String::new()))))
            .collect()
    }
}

/// The on-disk form of [`ModuleFacts`] (times as RFC 3339 text).
#[derive(serde::Serialize, serde::Deserialize)]
struct FactsRecord {
    /// When the version list behind the facts was fetched (milliseconds since the epoch).
    stored_ms: u64,
    path: String,
    versions: Vec<String>,
    majors: Vec<(String, Option<String>, Option<String>)>,
    latest: Option<(String, Option<String>, Option<serde_json::Value>)>,
    latest_unretracted: Option<String>,
    newer_majors: Vec<(String, Option<String>)>,
    retractions: Vec<(String, String, String)>,
    deprecation: Option<String>,
    times: BTreeMap<String, String>,
}

fn format_time(t: &OffsetDateTime) -> Option<String> {
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn parse_time(t: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
}

fn encode_record(facts: &ModuleFacts, stored: std::time::SystemTime) -> Option<Vec<u8>> {
    let stored_ms = u64::try_from(
        stored
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_millis(),
    )
    .ok()?;
    let record = FactsRecord {
        stored_ms,
        path: facts.path.clone(),
        versions: facts.versions.clone(),
        majors: facts
            .majors
            .iter()
            .map(|m| (m.major.clone(), m.release.clone(), m.prerelease.clone()))
            .collect(),
        latest: facts.latest.as_ref().map(|l| {
            (
                l.version.clone(),
                l.time.as_ref().and_then(format_time),
                l.origin.clone(),
            )
        }),
        latest_unretracted: facts.latest_unretracted.clone(),
        newer_majors: facts
            .newer_majors
            .iter()
            .map(|n| (n.path.clone(), n.latest.clone()))
            .collect(),
        retractions: facts
            .retractions
            .iter()
            .map(|r| (r.low.clone(), r.high.clone(), r.rationale.clone()))
            .collect(),
        deprecation: facts.deprecation.clone(),
        times: facts
            .times
            .iter()
            .filter_map(|(v, t)| Some((v.clone(), format_time(t)?)))
            .collect(),
    };
    serde_json::to_vec(&record).ok()
}

fn decode_record(data: &[u8]) -> Option<(ModuleFacts, std::time::SystemTime)> {
    let record: FactsRecord = serde_json::from_slice(data).ok()?;
    let stored = std::time::UNIX_EPOCH + std::time::Duration::from_millis(record.stored_ms);
    let facts = ModuleFacts {
        path: record.path,
        versions: record.versions,
        majors: record
            .majors
            .into_iter()
            .map(|(major, release, prerelease)| MajorLatest {
                major,
                release,
                prerelease,
            })
            .collect(),
        latest: record.latest.map(|(version, time, origin)| RevInfo {
            version,
            time: time.as_deref().and_then(parse_time),
            origin,
        }),
        latest_unretracted: record.latest_unretracted,
        newer_majors: record
            .newer_majors
            .into_iter()
            .map(|(path, latest)| NewerMajor { path, latest })
            .collect(),
        retractions: record
            .retractions
            .into_iter()
            .map(|(low, high, rationale)| Retraction {
                low,
                high,
                rationale,
            })
            .collect(),
        deprecation: record.deprecation,
        times: record
            .times
            .iter()
            .filter_map(|(v, t)| Some((v.clone(), parse_time(t)?)))
            .collect(),
        freshness: Freshness::Fresh,
        problems: Vec::new(),
    };
    Some((facts, stored))
}

impl Inner {
    /// Facts computed earlier whose version list is still within the TTL.
    fn facts_from_memory(&self, path: &str) -> Option<ModuleFacts> {
        let entry = self.facts_memory.get(path)?;
        let (facts, stored) = entry.value().clone();
        drop(entry);
        if self.cache.is_fresh(&crate::cache::Hit {
            data: bytes::Bytes::new(),
            stored,
        }) {
            return Some(facts);
        }
        self.facts_memory.remove(path);
        None
    }

    /// Computes the facts of every `(index, path)` at once, each module on a task of its own
    /// when there is a runtime, so that the work of hundreds of requests (connecting, reading
    /// answers, parsing) is shared out among the runtime's workers instead of being polled on
    /// the caller's one task. Dropping the future aborts the tasks.
    async fn facts_of_all(
        self: &Arc<Self>,
        pending: Vec<(usize, String)>,
    ) -> Vec<(usize, Result<ModuleFacts, FetchError>)> {
        if pending.len() < 2 || tokio::runtime::Handle::try_current().is_err() {
            let computed =
                futures::future::join_all(pending.iter().map(|(_, p)| self.facts_and_record(p)))
                    .await;
            return pending
                .into_iter()
                .map(|(index, _)| index)
                .zip(computed)
                .collect();
        }
        let mut tasks = tokio::task::JoinSet::new();
        let mut out = Vec::with_capacity(pending.len());
        for (index, path) in pending {
            let this = Arc::clone(self);
            tasks.spawn(async move {
                let result = this.facts_and_record(&path).await;
                (index, path, result)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, _, result)) => out.push((index, result)),
                // A task that panicked leaves its slot empty (reported as an invalid path).
                Err(err) => tracing::warn!("module facts task failed: {err}"),
            }
        }
        out
    }

    /// Computes facts and, when they are complete and fresh, keeps them in memory and on disk.
    async fn facts_and_record(self: &Arc<Self>, path: &str) -> Result<ModuleFacts, FetchError> {
        let facts = self.facts(path, true).await?;
        if facts.freshness == Freshness::Fresh && facts.problems.is_empty() {
            let stored = self.facts_time(path, &facts);
            self.remember_facts(path, &facts, stored);
            if let Some(record) = encode_record(&facts, stored) {
                self.cache
                    .facts_record_put(path, stored, bytes::Bytes::from(record));
            }
        }
        Ok(facts)
    }
}

impl Inner {
    /// When the oldest answer the facts of `path` rest on came, which is how old the facts are:
    /// the module's own list, the lists of its newer majors, and the answer (most often a "not
    /// found") that ended the search for newer majors. Facts computed from a fresh list of their
    /// own still count from an older answer kept beside it, so that they expire with it.
    fn facts_time(&self, path: &str, facts: &ModuleFacts) -> std::time::SystemTime {
        let mut paths = vec![path.to_owned()];
        paths.extend(facts.newer_majors.iter().map(|m| m.path.clone()));
        let found = u64::try_from(facts.newer_majors.len()).unwrap_or(u64::MAX);
        if let Some(next) = major_number(path)
            .and_then(|number| next_major_path(path, number.saturating_add(found)))
        {
            paths.push(next);
        }
        paths
            .iter()
            .filter_map(|p| self.answer_time(p, &crate::cache::Resource::List))
            .min()
            .unwrap_or_else(std::time::SystemTime::now)
    }

    /// Keeps a module's facts in memory, within the memory cache's bound on entries: past it,
    /// the oldest tenth goes.
    fn remember_facts(&self, path: &str, facts: &ModuleFacts, stored: std::time::SystemTime) {
        self.facts_memory
            .insert(path.to_owned(), (facts.clone(), stored));
        let bound = self.cache.config().max_memory_entries;
        if self.facts_memory.len() <= bound {
            return;
        }
        let mut ages: Vec<(String, std::time::SystemTime)> = self
            .facts_memory
            .iter()
            .map(|entry| (entry.key().clone(), entry.value().1))
            .collect();
        ages.sort_by_key(|(_, stored)| *stored);
        let excess = self.facts_memory.len().saturating_sub(bound) + bound / 10;
        for (key, _) in ages.into_iter().take(excess) {
            self.facts_memory.remove(&key);
        }
    }

    async fn newer_majors(
        self: &Arc<Self>,
        path: &str,
    ) -> (Vec<NewerMajor>, Freshness, Vec<String>) {
        let mut found = Vec::new();
        let mut freshness = Freshness::Cached;
        let mut problems = Vec::new();
        let Some(mut number) = major_number(path) else {
            return (found, freshness, problems);
        };
        for _ in 0..MAX_MAJOR_PROBES {
            let Some(candidate) = next_major_path(path, number) else {
                break;
            };
            match self.versions(&candidate).await {
                Ok(list) if !list.value.versions.is_empty() => {
                    freshness = freshness.combine(list.freshness);
                    let latest = list
                        .value
                        .versions
                        .iter()
                        .rev()
                        .find(|v| semver::prerelease(v).is_empty())
                        .or(list.value.versions.last())
                        .cloned();
                    found.push(NewerMajor {
                        path: candidate,
                        latest,
                    });
                }
                Ok(_) => break,
                Err(err) => {
                    if !(err.is_not_found() || err.is_direct_unavailable()) {
                        problems.push(format!("looking for newer major versions: {err}"));
                    }
                    break;
                }
            }
            number += 1;
        }
        (found, freshness, problems)
    }

    pub(crate) async fn facts(
        self: &Arc<Self>,
        path: &str,
        probe_majors: bool,
    ) -> Result<ModuleFacts, FetchError> {
        crate::client::as_operation(self.facts_in_operation(path, probe_majors)).await
    }

    /// [`Inner::facts`], within its operation.
    async fn facts_in_operation(
        self: &Arc<Self>,
        path: &str,
        probe_majors: bool,
    ) -> Result<ModuleFacts, FetchError> {
        module_path::check_path(path).map_err(FetchError::InvalidPath)?;
        let majors_probe = async {
            if probe_majors {
                self.newer_majors(path).await
            } else {
                (Vec::new(), Freshness::Cached, Vec::new())
            }
        };
        // The latest version's .info and .mod are asked for as soon as the module's own list is
        // in, without waiting for the probes of newer majors.
        let (facts, (newer_majors, majors_freshness, mut problems)) =
            futures::join!(self.facts_of_own_versions(path), majors_probe);
        let mut facts = facts?;
        facts.newer_majors = newer_majors;
        facts.freshness = facts.freshness.combine(majors_freshness);
        problems.append(&mut facts.problems);
        facts.problems = problems;
        Ok(facts)
    }

    /// The facts that come from the module's own version list (all but the newer majors).
    ///
    /// go takes the version the retractions and the deprecation come from with a `latest` query
    /// of its own, which runs as a whole against one proxy of the GOPROXY list at a time
    /// (`TryProxies`, as [`ModuleClient::query_with`] runs a query): a proxy that lists a version
    /// it cannot describe, or lists none, does not decide it. The versions shown are the first
    /// list any proxy gave, as one request over the whole list gets them.
    async fn facts_of_own_versions(
        self: &Arc<Self>,
        path: &str,
    ) -> Result<ModuleFacts, FetchError> {
        let attempts = self.attempts(path);
        if attempts.len() < 2 {
            let (facts, failed) = self.own_facts_via(path, Proxies::All).await?;
            let outcome = match failed {
                None => LatestQuery::AnsweredFirst,
                Some(error) => LatestQuery::Failed(error),
            };
            return Ok(self.settle_latest_unretracted(facts, outcome).await);
        }
        // The facts of the first attempt whose list came: its versions are the module's.
        let mut listed: Option<ModuleFacts> = None;
        let mut best = BestError::new();
        for Attempt {
            index,
            fall_back_on_error,
            direct,
        } in attempts
        {
            // Until a list came, the list an attempt gets is the one a request over the whole
            // list gets: it may come from the caches and go into them.
            let proxies = Proxies::Only {
                index,
                cached: listed.is_none(),
            };
            let error = match self.own_facts_via(path, proxies).await {
                // Answered by the first proxy that listed the module: the ones before it failed
                // on the list, as they would fail a query.
                Ok((facts, None)) => {
                    let (facts, outcome) = match listed {
                        Some(first) => (facts.with_versions_of(first), LatestQuery::AnsweredLater),
                        None => (facts, LatestQuery::AnsweredFirst),
                    };
                    return Ok(self.settle_latest_unretracted(facts, outcome).await);
                }
                Ok((facts, Some(failed))) => {
                    listed.get_or_insert(facts);
                    failed
                }
                Err(error) => error,
            };
            let not_found = error.is_not_found();
            best.consider(error, not_found, direct);
            if !fall_back_on_error && !not_found {
                break;
            }
        }
        let error = best
            .into_error()
            .unwrap_or(FetchError::Config(ConfigError::EmptyProxyList));
        match listed {
            Some(facts) => Ok(self
                .settle_latest_unretracted(facts, LatestQuery::Failed(error))
                .await),
            None => Err(error),
        }
    }

    /// `latest_unretracted` as go's `latest` query answers it once the retractions are known: run
    /// proxy by proxy, each proxy choosing from its own list, the choice checked with its
    /// `.info`. Where the first proxy that listed the module answered the latest version and that
    /// version is not retracted, the choice made from its list is that answer already, checked;
    /// otherwise the query runs. A query that finds nothing leaves no version; one that fails for
    /// another reason leaves a problem.
    ///
    /// Where go's own `latest` query failed, go fails to list the versions, in the words of its
    /// retraction check of the first one (`loading module retractions for PATH@VERSION: ...`):
    /// that is the facts' problem. Its queries then take a "not found" as no retractions, and
    /// fail on any other error, so there is no version to go to.
    async fn settle_latest_unretracted(
        self: &Arc<Self>,
        mut facts: ModuleFacts,
        outcome: LatestQuery,
    ) -> ModuleFacts {
        let latest = facts.latest.as_ref().map(|l| l.version.as_str());
        match outcome {
            LatestQuery::AnsweredFirst if facts.latest_unretracted.as_deref() == latest => {
                return facts;
            }
            LatestQuery::AnsweredFirst | LatestQuery::AnsweredLater => {}
            LatestQuery::Failed(error) => {
                let not_found = error.is_not_found();
                // With no version listed, go checks none, and its failure is the query's own.
                match facts.versions.first() {
                    Some(first) => {
                        let words = retraction_loading_words(&facts.path, first, &error);
                        facts.problems.push(words);
                    }
                    None if !not_found => facts.problems.push(error.to_string()),
                    None => {}
                }
                if !not_found {
                    facts.latest_unretracted = None;
                    return facts;
                }
            }
        }
        let client = ModuleClient {
            inner: Arc::clone(self),
        };
        let known = tokio::sync::OnceCell::new_with(Some(Some(facts.clone())));
        let path = facts.path.clone();
        // Boxed: the rare case keeps its (large) future off the facts' own.
        let resolved = Box::pin(client.query_over_attempts(
            (&path, "latest", None),
            &QueryOptions::default(),
            &known,
        ))
        .await;
        facts.latest_unretracted = match resolved {
            Ok(resolved) => {
                if let Some(time) = resolved.time {
                    facts.times.insert(resolved.version.clone(), time);
                }
                facts.freshness = facts.freshness.combine(resolved.freshness);
                Some(resolved.version)
            }
            Err(QueryError::NoMatchingVersions { .. }) => None,
            Err(QueryError::Fetch { error, .. }) if error.is_not_found() => None,
            Err(err) => {
                facts.problems.push(err.to_string());
                None
            }
        };
        facts
    }

    /// The module's own facts from the given entries of the GOPROXY list, and why go's `latest`
    /// query failed on them, if it did (the facts then have no latest go.mod behind them).
    async fn own_facts_via(
        self: &Arc<Self>,
        path: &str,
        proxies: Proxies,
    ) -> Result<(ModuleFacts, Option<FetchError>), FetchError> {
        let list = self.versions_via(path, proxies).await?;
        let mut problems = Vec::new();
        let mut failed = None;
        let mut freshness = list.freshness;
        let versions = list.value.versions.clone();
        let mut times = list.value.times.clone();

        // go's latest, ignoring retractions and exclusions.
        let matcher = Matcher::latest();
        let (releases, prereleases) = self
            .filter_versions(path, &matcher, &versions, &|_| true)
            .await?;
        let tagged_latest = releases.last().or(prereleases.last()).cloned();
        let (latest, go_mod) = match &tagged_latest {
            Some(v) => {
                let (info, go_mod) =
                    futures::join!(self.info_via(path, v, proxies), self.go_mod(path, v));
                match info {
                    Ok(info) => {
                        freshness = freshness.combine(info.freshness);
                        (Some(info.value), Some(go_mod))
                    }
                    // go's own latest query fails on the missing .info, so go loads neither
                    // retractions nor a deprecation from this version's go.mod, even when the
                    // go.mod is there.
                    Err(err) => {
                        failed = Some(err);
                        let rev = RevInfo {
                            version: v.clone(),
                            time: None,
                            origin: None,
                        };
                        (Some(rev), None)
                    }
                }
            }
            None => match self.latest_via(path, &list.value, proxies).await {
                Ok(info) => {
                    freshness = freshness.combine(info.freshness);
                    let go_mod = self.go_mod(path, &info.value.version).await;
                    (Some(info.value), Some(go_mod))
                }
                Err(err) => {
                    failed = Some(err);
                    (None, None)
                }
            },
        };
        if let Some(RevInfo {
            version,
            time: Some(time),
            ..
        }) = &latest
        {
            times.insert(version.clone(), *time);
        }
        // go's retraction check names the version it checks, the first listed (with none listed,
        // go checks nothing; the latest is named then).
        let (retractions, deprecation) = match (&latest, go_mod) {
            (Some(rev), Some(Ok(go_mod))) => {
                freshness = freshness.combine(go_mod.freshness);
                match read_retractions_and_deprecation(&go_mod.value) {
                    Ok(read) => (read.retractions, read.deprecation),
                    Err(err) => {
                        let checked = versions.first().unwrap_or(&rev.version);
                        problems.push(format!(
                            "loading module retractions for {path}@{checked}: parsing go.mod: {err}"
                        ));
                        (Vec::new(), None)
                    }
                }
            }
            (Some(rev), Some(Err(err))) => {
                let checked = versions.first().unwrap_or(&rev.version);
                problems.push(retraction_loading_words(path, checked, &err));
                (Vec::new(), None)
            }
            _ => (Vec::new(), None),
        };

        let allowed = |v: &str| !retractions.iter().any(|r| r.contains(v));
        let (releases, prereleases) = self
            .filter_versions(path, &matcher, &versions, &allowed)
            .await?;
        let latest_unretracted = match releases.last().or(prereleases.last()) {
            Some(v) => Some(v.clone()),
            None => latest
                .as_ref()
                .filter(|l| tagged_latest.is_none() && allowed(&l.version))
                .map(|l| l.version.clone()),
        };
        let facts = ModuleFacts {
            path: path.to_owned(),
            majors: majors_of(&versions),
            versions,
            latest,
            latest_unretracted,
            newer_majors: Vec::new(),
            retractions,
            deprecation,
            times,
            freshness,
            problems,
        };
        Ok((facts, failed))
    }
}
