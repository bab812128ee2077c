//! Version queries (`latest`, `upgrade`, `patch`, `v1`, `v1.2`, `<v`, `>=v`, exact versions,
//! branches and commit hashes) resolved to go's canonical answer (`modload.queryProxy`).

use std::collections::BTreeSet;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::client::{Attempt, BestError, Freshness, Inner, ModuleClient, Proxies, RevInfo};
use crate::compat::{module_path, pseudo, semver};
use crate::error::{ConfigError, FetchError, QueryError};
use crate::facts::ModuleFacts;
use crate::retractions::Retraction;

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The canonical version.
    pub version: String,
    /// Its commit time, if known.
    pub time: Option<OffsetDateTime>,
    /// The rationales if the version is retracted (`Some(vec![])` when retracted without one).
    pub retracted: Option<Vec<String>>,
    /// How current the data behind the answer is.
    pub freshness: Freshness,
}

/// What a query may choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// The currently required version (for `upgrade` and `patch`), if any.
    pub current: Option<String>,
    /// Versions excluded by the main module's go.mod: never chosen by a query, and an explicit
    /// version or revision that names one is refused, as `go get` refuses it (`go list -m`,
    /// which checks no exclusion for those, would answer it).
    pub excluded: BTreeSet<String>,
    /// Keep retracted versions among the candidates (go's queries skip them).
    pub allow_retracted: bool,
}

/// A comparison a candidate version must pass.
#[derive(Debug, Clone)]
enum Filter {
    AtLeast(String),
    Above(String),
    Below(String),
    AtMost(String),
    Exactly(String),
}

impl Filter {
    fn allows(&self, v: &str) -> bool {
        match self {
            Filter::AtLeast(w) => semver::compare(v, w).is_ge(),
            Filter::Above(w) => semver::compare(v, w).is_gt(),
            Filter::Below(w) => semver::compare(v, w).is_lt(),
            Filter::AtMost(w) => semver::compare(v, w).is_le(),
            Filter::Exactly(w) => semver::compare(v, w).is_eq(),
        }
    }
}

/// `queryMatcher`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    prefix: String,
    filter: Option<Filter>,
    can_stat: bool,
    prefer_lower: bool,
    pub(crate) may_use_latest: bool,
    prefer_incompatible: bool,
}

/// A parsed query.
pub(crate) enum Parsed {
    /// Chooses among listed versions.
    Matcher(Matcher),
    /// A branch, tag or commit: asked of the proxy as `.info`.
    Revision,
}

/// `ModIsPrefix`: `v1` and `v1.2` are prefixes; anything with `-`, `+` or two dots is not.
fn is_prefix(v: &str) -> bool {
    !v.contains(['-', '+']) && v.matches('.').count() < 2
}

impl Matcher {
    /// The matcher of the `latest` query.
    pub(crate) fn latest() -> Matcher {
        Matcher {
            may_use_latest: true,
            ..Matcher::default()
        }
    }

    fn allows(&self, v: &str, allowed: &dyn Fn(&str) -> bool) -> bool {
        (self.prefix.is_empty() || v.starts_with(&self.prefix))
            && self.filter.as_ref().is_none_or(|f| f.allows(v))
            && allowed(v)
    }
}

/// `newQueryMatcher`.
pub(crate) fn parse_query(
    path: &str,
    query: &str,
    current: Option<&str>,
) -> Result<Parsed, QueryError> {
    let bad = |message: String| QueryError::BadQuery {
        path: path.to_owned(),
        query: query.to_owned(),
        message,
    };
    let matches_major = |v: &str| {
        module_path::split_path_version(path)
            .is_some_and(|(_, major)| module_path::check_path_major(v, major).is_ok())
    };
    let current = current.filter(|c| !c.is_empty() && *c != "none");
    let mut m = Matcher {
        prefer_incompatible: current.is_some_and(|c| c.ends_with("+incompatible")),
        ..Matcher::default()
    };
    let range = |m: &mut Matcher, v: &str, ambiguous_check: bool| -> Result<(), QueryError> {
        if !semver::is_valid(v) {
            return Err(bad(format!(
                "invalid semantic version {v:?} in range {query:?}"
            )));
        }
        if ambiguous_check && is_prefix(v) {
            return Err(bad(format!(
                "ambiguous semantic version {v:?} in range {query:?}"
            )));
        }
        if !matches_major(v) {
            m.prefer_incompatible = true;
        }
        Ok(())
    };
    match query {
        "latest" => m.may_use_latest = true,
        "upgrade" => match current {
            None => m.may_use_latest = true,
            Some(c) => {
                m.may_use_latest = pseudo::is_pseudo_version(c);
                m.filter = Some(Filter::AtLeast(c.to_owned()));
            }
        },
        "patch" => match current {
            None => return Err(QueryError::NoPatchBase(path.to_owned())),
            Some(c) => {
                m.may_use_latest = pseudo::is_pseudo_version(c);
                m.prefix = format!("{}.", semver::major_minor(c));
                m.filter = Some(Filter::AtLeast(c.to_owned()));
            }
        },
        q if q.starts_with("<=") => {
            let v = q.get(2..).unwrap_or("");
            range(&mut m, v, true)?;
            m.filter = Some(Filter::AtMost(v.to_owned()));
        }
        q if q.starts_with('<') => {
            let v = q.get(1..).unwrap_or("");
            range(&mut m, v, false)?;
            m.filter = Some(Filter::Below(v.to_owned()));
        }
        q if q.starts_with(">=") => {
            let v = q.get(2..).unwrap_or("");
            range(&mut m, v, false)?;
            m.filter = Some(Filter::AtLeast(v.to_owned()));
            m.prefer_lower = true;
        }
        q if q.starts_with('>') => {
            let v = q.get(1..).unwrap_or("");
            range(&mut m, v, true)?;
            m.filter = Some(Filter::Above(v.to_owned()));
            m.prefer_lower = true;
        }
        q if semver::is_valid(q) => {
            if is_prefix(q) {
                m.prefix = format!("{q}.");
                m.filter = Some(Filter::AtLeast(q.to_owned()));
            } else {
                m.can_stat = true;
                m.filter = Some(Filter::Exactly(q.to_owned()));
                m.prefix = semver::canonical(q);
            }
            if !matches_major(q) {
                m.prefer_incompatible = true;
            }
        }
        _ => return Ok(Parsed::Revision),
    }
    Ok(Parsed::Matcher(m))
}

/// The go.mod of a version is "fake" (`module PATH` only) when the module had none.
fn is_legacy_go_mod(path: &str, data: &[u8]) -> bool {
    let quoted = if path.contains([' ', '"', '\'', '`', '(', ')', '[', ']', '{', '}', ','])
        || path.contains("//")
    {
        format!("{path:?}")
    } else {
        path.to_owned()
    };
    data == format!("module {quoted}\n").as_bytes()
}

impl Inner {
    /// `filterVersions`: candidates split into releases and prereleases, `+incompatible` ones
    /// dropped once the last compatible candidate has a real go.mod.
    pub(crate) async fn filter_versions(
        self: &Arc<Self>,
        path: &str,
        matcher: &Matcher,
        versions: &[String],
        allowed: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<(Vec<String>, Vec<String>), FetchError> {
        let mut need_incompatible = matcher.prefer_incompatible;
        let mut last_compatible: Option<&str> = None;
        let (mut releases, mut prereleases) = (Vec::new(), Vec::new());
        for v in versions {
            if !matcher.allows(v, allowed) {
                continue;
            }
            if !need_incompatible {
                if !v.ends_with("+incompatible") {
                    last_compatible = Some(v);
                } else if let Some(compatible) = last_compatible {
                    let go_mod = self.go_mod(path, compatible).await?;
                    if !is_legacy_go_mod(path, &go_mod.value) {
                        break;
                    }
                    need_incompatible = true;
                }
            }
            if semver::prerelease(v).is_empty() {
                releases.push(v.clone());
            } else {
                prereleases.push(v.clone());
            }
        }
        Ok((releases, prereleases))
    }
}

fn retraction_rationales(retractions: &[Retraction], version: &str) -> Option<Vec<String>> {
    let hits: Vec<&Retraction> = retractions.iter().filter(|r| r.contains(version)).collect();
    if hits.is_empty() {
        return None;
    }
    Some(
        hits.iter()
            .filter(|r| !r.rationale.is_empty())
            .map(|r| r.rationale.clone())
            .collect(),
    )
}

/// Wraps a fetch failure of the query `path@query` as go words it.
fn fetch_error_in<'a>(
    path: &'a str,
    query: &'a str,
) -> impl Fn(FetchError) -> QueryError + Copy + 'a {
    move |error| QueryError::Fetch {
        path: path.to_owned(),
        query: query.to_owned(),
        error,
    }
}

impl ModuleClient {
    /// Resolves a query as `go get PATH@QUERY` / `go list -m PATH@QUERY` would, skipping
    /// retracted versions (as go does) for everything but explicit versions and revisions.
    pub async fn query(
        &self,
        path: &str,
        query: &str,
        current: Option<&str>,
    ) -> Result<Resolved, QueryError> {
        let options = QueryOptions {
            current: current.map(str::to_owned),
            ..QueryOptions::default()
        };
        self.query_with(path, query, &options).await
    }

    /// [`ModuleClient::query`] with exclusions and retraction handling spelled out.
    pub async fn query_with(
        &self,
        path: &str,
        query: &str,
        options: &QueryOptions,
    ) -> Result<Resolved, QueryError> {
        let fetch_error = fetch_error_in(path, query);
        let current = options
            .current
            .as_deref()
            .filter(|c| !c.is_empty() && *c != "none");
        if let Some(c) = current
            && !semver::is_valid(c)
        {
            return Err(QueryError::BadCurrent(path.to_owned(), c.to_owned()));
        }
        if path == "std" || path == "cmd" {
            return Err(QueryError::StandardLibrary {
                path: path.to_owned(),
                query: query.to_owned(),
            });
        }
        module_path::check_path(path).map_err(|e| fetch_error(FetchError::InvalidPath(e)))?;
        parse_query(path, query, current)?;

        let facts = tokio::sync::OnceCell::new();
        crate::client::as_operation(self.query_over_attempts(
            (path, query, current),
            options,
            &facts,
        ))
        .await
    }

    /// A query whose path and words are already checked, run as go runs it: as a whole against
    /// one proxy of the GOPROXY list at a time (`TryProxies`), moving to the next as go moves
    /// for one request: after "not found" past a `,`, after any error past a `|`. So a proxy
    /// that lists a version it cannot describe, or has none that match, does not decide the
    /// answer alone. The retractions come from the module's facts, a query of their own over
    /// the whole list, as go's do: `facts` holds them once fetched (or from the start, when the
    /// facts ask for their own `latest`).
    pub(crate) async fn query_over_attempts(
        &self,
        (path, query, current): (&str, &str, Option<&str>),
        options: &QueryOptions,
        facts: &tokio::sync::OnceCell<Option<ModuleFacts>>,
    ) -> Result<Resolved, QueryError> {
        let fetch_error = fetch_error_in(path, query);
        let attempts = self.inner.attempts(path);
        if attempts.len() < 2 {
            return self
                .query_attempt((path, query, current), options, Proxies::All, facts)
                .await;
        }
        let mut best = BestError::new();
        for (
            n,
            Attempt {
                index,
                fall_back_on_error,
                direct,
            },
        ) in attempts.into_iter().enumerate()
        {
            // The first attempt asks what a request over the whole list asks first: it may use
            // the caches.
            let proxies = Proxies::Only {
                index,
                cached: n == 0,
            };
            let err = match self
                .query_attempt((path, query, current), options, proxies, facts)
                .await
            {
                Ok(resolved) => return Ok(resolved),
                Err(err) => err,
            };
            let not_found = matches!(&err, QueryError::Fetch { error, .. } if error.is_not_found());
            best.consider(err, not_found, direct);
            if !fall_back_on_error && !not_found {
                break;
            }
        }
        Err(best
            .into_error()
            .unwrap_or_else(|| fetch_error(FetchError::Config(ConfigError::EmptyProxyList))))
    }

    /// One attempt of [`ModuleClient::query_with`]: the query against the given entries of the
    /// GOPROXY list, with the retractions of the module's facts (fetched once, over the whole
    /// list, into `facts`).
    async fn query_attempt(
        &self,
        (path, query, current): (&str, &str, Option<&str>),
        options: &QueryOptions,
        proxies: Proxies,
        facts: &tokio::sync::OnceCell<Option<ModuleFacts>>,
    ) -> Result<Resolved, QueryError> {
        let inner = &self.inner;
        let fetch_error = fetch_error_in(path, query);
        let parsed = parse_query(path, query, current)?;
        let excluded = |v: &str| options.excluded.contains(v);
        let facts = || async {
            facts
                .get_or_init(|| async { Box::pin(inner.facts(path, false)).await.ok() })
                .await
                .clone()
        };

        let matcher = match parsed {
            Parsed::Matcher(m) if !m.can_stat => m,
            stat_query => {
                // An exact version or a revision: ask for its .info.
                let _ = stat_query;
                let info = match inner.info_via(path, query, proxies).await {
                    Ok(info) => info,
                    Err(first) => {
                        let canonical = semver::module_canonical(query);
                        if canonical.is_empty() || canonical == query {
                            return Err(fetch_error(first));
                        }
                        match inner.info_via(path, &canonical, proxies).await {
                            Ok(info) => info,
                            Err(second) if !second.is_not_found() => {
                                return Err(fetch_error(second));
                            }
                            Err(_) => return Err(fetch_error(first)),
                        }
                    }
                };
                if excluded(&info.value.version) {
                    return Err(QueryError::Excluded {
                        path: path.to_owned(),
                        version: info.value.version,
                    });
                }
                let facts = facts().await;
                let retracted = facts
                    .as_ref()
                    .and_then(|f| retraction_rationales(&f.retractions, &info.value.version));
                return Ok(Resolved {
                    version: info.value.version,
                    time: info.value.time,
                    retracted,
                    freshness: info.freshness,
                });
            }
        };

        // The version list is what the query chooses from, so failing to fetch it fails the
        // query.
        let fetched_list = inner
            .versions_via(path, proxies)
            .await
            .map_err(fetch_error)?;
        // Non-revision queries skip retracted versions. The retractions come from the go.mod of
        // go's own latest version, and go takes any failure to find or read that version (a
        // missing .info or .mod, or the missing .mod that decides about +incompatible versions)
        // as "no retractions" rather than as the query's failure.
        let facts: Option<ModuleFacts> = facts().await;
        let list = &fetched_list.value.versions;
        let retractions: Vec<Retraction> = facts
            .as_ref()
            .map(|f| f.retractions.clone())
            .unwrap_or_default();
        let allow_retracted = options.allow_retracted;
        let allowed = |v: &str| {
            !excluded(v) && (allow_retracted || !retractions.iter().any(|r| r.contains(v)))
        };
        let mut freshness = facts
            .as_ref()
            .map_or(fetched_list.freshness, |f| f.freshness);

        let (releases, prereleases) = inner
            .filter_versions(path, &matcher, list, &allowed)
            .await
            .map_err(fetch_error)?;
        let pick = if matcher.prefer_lower {
            releases.first().or(prereleases.first())
        } else {
            releases.last().or(prereleases.last())
        };

        let lookup = |version: String| async move {
            let rev = inner.info_via(path, &version, proxies).await?;
            Ok::<_, FetchError>(rev)
        };
        let finish = |rev: RevInfo, freshness: Freshness| Resolved {
            retracted: retraction_rationales(&retractions, &rev.version),
            version: rev.version,
            time: rev.time,
            freshness,
        };
        let current_allowed = |c: &str| -> Result<(), QueryError> {
            if excluded(c) {
                return Err(QueryError::Excluded {
                    path: path.to_owned(),
                    version: c.to_owned(),
                });
            }
            match retraction_rationales(&retractions, c) {
                Some(rationales) if !allow_retracted => Err(QueryError::Retracted {
                    path: path.to_owned(),
                    version: c.to_owned(),
                    message: crate::retractions::retraction_message(&rationales),
                }),
                _ => Ok(()),
            }
        };
        let guard_pseudo = |rev: &RevInfo| -> bool {
            // "upgrade" and "patch" never move from a pseudo-version to an older commit.
            let Some(c) = current else { return false };
            if !(query == "upgrade" || query == "patch") || !pseudo::is_pseudo_version(c) {
                return false;
            }
            match (rev.time, pseudo::pseudo_version_time(c)) {
                (Some(t), Some(current_time)) => t < current_time,
                _ => false,
            }
        };

        if let Some(version) = pick {
            let rev = lookup(version.clone()).await.map_err(fetch_error)?;
            freshness = freshness.combine(rev.freshness);
            if guard_pseudo(&rev.value)
                && let Some(c) = current
            {
                current_allowed(c)?;
                let cur = lookup(c.to_owned()).await.map_err(fetch_error)?;
                return Ok(finish(cur.value, freshness.combine(cur.freshness)));
            }
            return Ok(finish(rev.value, freshness));
        }

        if matcher.may_use_latest {
            match inner.latest_via(path, &fetched_list.value, proxies).await {
                Ok(latest) => {
                    if matcher.allows(&latest.value.version, &allowed) {
                        let rev = lookup(latest.value.version.clone())
                            .await
                            .map_err(fetch_error)?;
                        freshness = freshness.combine(rev.freshness);
                        if guard_pseudo(&rev.value)
                            && let Some(c) = current
                        {
                            current_allowed(c)?;
                            let cur = lookup(c.to_owned()).await.map_err(fetch_error)?;
                            return Ok(finish(cur.value, freshness.combine(cur.freshness)));
                        }
                        return Ok(finish(rev.value, freshness));
                    }
                }
                Err(err) if !err.is_not_found() => return Err(fetch_error(err)),
                Err(_) => {}
            }
        }

        if let Some(c) = current
            && (query == "upgrade" || query == "patch")
        {
            current_allowed(c)?;
            let cur = lookup(c.to_owned()).await.map_err(fetch_error)?;
            return Ok(finish(cur.value, freshness.combine(cur.freshness)));
        }
        Err(QueryError::NoMatchingVersions {
            path: path.to_owned(),
            query: query.to_owned(),
            current: current.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(path: &str, query: &str, current: Option<&str>) -> String {
        match parse_query(path, query, current) {
            Ok(Parsed::Revision) => "revision".to_owned(),
            Ok(Parsed::Matcher(m)) => format!(
                "prefix={:?} stat={} lower={} latest={}",
                m.prefix, m.can_stat, m.prefer_lower, m.may_use_latest
            ),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn query_parsing() {
        let p = "example.com/m";
        assert_eq!(
            message(p, "<=v1.2", None),
            "example.com/m@<=v1.2: ambiguous semantic version \"v1.2\" in range \"<=v1.2\""
        );
        assert_eq!(
            message(p, ">v1.2", None),
            "example.com/m@>v1.2: ambiguous semantic version \"v1.2\" in range \">v1.2\""
        );
        assert_eq!(
            message(p, "<x", None),
            "example.com/m@<x: invalid semantic version \"x\" in range \"<x\""
        );
        assert_eq!(
            message(p, "patch", None),
            "example.com/m@patch: can't query version \"patch\" of module example.com/m: no existing version is required"
        );
        assert_eq!(
            message(p, "v1.2", None),
            "prefix=\"v1.2.\" stat=false lower=false latest=false"
        );
        assert_eq!(
            message(p, "v1.2.3", None),
            "prefix=\"v1.2.3\" stat=true lower=false latest=false"
        );
        assert_eq!(
            message(p, ">=v1.2", None),
            "prefix=\"\" stat=false lower=true latest=false"
        );
        assert_eq!(message(p, "master", None), "revision");
        assert_eq!(
            message(p, "patch", Some("v1.2.3")),
            "prefix=\"v1.2.\" stat=false lower=false latest=false"
        );
        assert_eq!(
            message(p, "upgrade", Some("none")),
            "prefix=\"\" stat=false lower=false latest=true"
        );
    }

    #[test]
    fn legacy_go_mod() {
        assert!(is_legacy_go_mod("example.com/m", b"module example.com/m\n"));
        assert!(!is_legacy_go_mod(
            "example.com/m",
            b"module example.com/m\n\ngo 1.21\n"
        ));
    }
}
