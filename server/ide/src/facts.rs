//! Module facts as plain values: what the module proxy said about each module a document names,
//! handed in by the lsp crate (which fetches them through `gomodls-modfetch` in the background).
//!
//! For features that use them (diagnostics, hover, completion, code actions, inlay hints, code
//! lenses): take a [`FactsSnapshot`] (the lsp crate gets one with `Session::facts()`, an `Arc`
//! clone that never waits) and look modules up with [`FactsSnapshot::module`]. A module missing
//! from the snapshot has not been fetched yet; [`ModuleState::Failed`] carries go's words for why
//! it could not be. Nothing here does I/O.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use gomodls_syntax::semver;
use time::OffsetDateTime;

/// A retracted interval `[low, high]` (closed) and the author's rationale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retraction {
    /// The lower bound.
    pub low: String,
    /// The upper bound.
    pub high: String,
    /// The comment on the `retract` directive; may be empty.
    pub rationale: String,
}

impl Retraction {
    /// Whether `version` lies inside the interval.
    pub fn contains(&self, version: &str) -> bool {
        semver::compare(&self.low, version).is_le() && semver::compare(version, &self.high).is_le()
    }
}

/// The newest release and prerelease of one major version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MajorLatest {
    /// The major version (`v0`, `v1`, `v2` for `+incompatible` versions of an unsuffixed path).
    pub major: String,
    /// The highest release of this major, if any.
    pub release: Option<String>,
    /// The highest prerelease of this major, if any.
    pub prerelease: Option<String>,
}

/// A module path for a newer major version that exists, and its latest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewerMajor {
    /// The module path of that major version (`example.com/m/v2`).
    pub path: String,
    /// Its highest release, else its highest prerelease.
    pub latest: Option<String>,
}

/// What is known about one module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleFacts {
    /// The module path.
    pub path: String,
    /// Tagged versions in go's order (ascending, pseudo-versions removed), retracted included.
    pub versions: Vec<String>,
    /// The newest release and prerelease of each major version present.
    pub majors: Vec<MajorLatest>,
    /// What `go get M@latest` picks (retracted versions skipped).
    pub latest: Option<String>,
    /// Existing paths of newer major versions.
    pub newer_majors: Vec<NewerMajor>,
    /// The retractions declared by the latest go.mod.
    pub retractions: Vec<Retraction>,
    /// The deprecation message of the latest go.mod.
    pub deprecation: Option<String>,
    /// Publish times of versions, where known.
    pub times: BTreeMap<String, OffsetDateTime>,
    /// Whether the data came from a cache rather than the network just now.
    pub cached: bool,
}

impl ModuleFacts {
    /// Whether a version is retracted.
    pub fn is_retracted(&self, version: &str) -> bool {
        self.retractions.iter().any(|r| r.contains(version))
    }

    /// go's words for a retracted version (`retracted by module author: RATIONALE`), or `None`
    /// when it is not retracted.
    pub fn retraction_message(&self, version: &str) -> Option<String> {
        let mut hits = self.retractions.iter().filter(|r| r.contains(version));
        let first = hits.next()?;
        let rationale = std::iter::once(first)
            .chain(hits)
            .find(|r| !r.rationale.is_empty())
            .map(|r| short_message(&r.rationale));
        Some(match rationale {
            Some(rationale) if !rationale.is_empty() => {
                format!("retracted by module author: {rationale}")
            }
            _ => "retracted by module author".to_owned(),
        })
    }

    /// The deprecation message as go shows it (first line, length and printability checked).
    pub fn deprecation_message(&self) -> Option<String> {
        self.deprecation.as_deref().map(short_message)
    }

    /// Whether `version` is one of the module's tagged versions.
    pub fn has_version(&self, version: &str) -> bool {
        self.versions.iter().any(|known| known == version)
    }

    /// The highest version not retracted that has the same major (and, for `minor`, the same
    /// major and minor) as `version` and is above it; releases only unless `version` is a
    /// prerelease.
    pub fn newest_after(&self, version: &str, scope: UpdateScope) -> Option<&str> {
        let major = semver::major(version);
        let major_minor = semver::major_minor(version);
        let allow_prerelease = semver::is_prerelease(version);
        self.versions
            .iter()
            .filter(|candidate| semver::compare(candidate, version).is_gt())
            .filter(|candidate| allow_prerelease || !semver::is_prerelease(candidate))
            .filter(|candidate| !self.is_retracted(candidate))
            .filter(|candidate| match scope {
                UpdateScope::Patch => semver::major_minor(candidate) == major_minor,
                UpdateScope::Minor => semver::major(candidate) == major,
                UpdateScope::Latest => semver::major(candidate) == major,
            })
            .max_by(|a, b| semver::compare(a, b))
            .map(String::as_str)
    }
}

/// How far an update may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateScope {
    /// Same major and minor.
    Patch,
    /// Same major.
    Minor,
    /// Same major here; newer majors are reported on their own.
    Latest,
}

/// go's `ShortMessage`: the first line, trimmed; a message too long or not printable is
/// replaced by a note.
pub fn short_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or("").trim();
    if first.len() > 500 {
        return "(message omitted: too long)".to_owned();
    }
    if first.chars().any(|c| c.is_control()) {
        return "(message omitted: contains non-printable characters)".to_owned();
    }
    first.to_owned()
}

/// What became of fetching one module's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleState {
    /// The facts arrived (from the network or a cache).
    Loaded(Arc<ModuleFacts>),
    /// The module could not be fetched; go's words for why.
    Failed(String),
}

/// Where the module data of a snapshot comes from now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DataStatus {
    /// Nothing fetched yet, or fetched from the network just now.
    #[default]
    Live,
    /// The network failed; answers come from the cache.
    Cached,
    /// The network is off (offline setting or `GOPROXY=off`).
    Offline,
}

impl DataStatus {
    /// The name the `gomodls/status` notification uses.
    pub fn name(self) -> &'static str {
        match self {
            DataStatus::Live => "live",
            DataStatus::Cached => "cached",
            DataStatus::Offline => "offline",
        }
    }
}

/// The module facts known at one moment, by module path. Cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactsSnapshot {
    /// Module states by module path.
    pub modules: HashMap<String, ModuleState>,
    /// Where the data comes from now.
    pub status: DataStatus,
    /// Changes whenever the facts change (for result ids of pulled diagnostics).
    pub generation: u64,
    /// Module path patterns that are private (`GOPRIVATE`, else `GONOPROXY`), comma-separated
    /// globs as go reads them; no public links for these.
    pub private_patterns: String,
}

impl FactsSnapshot {
    /// The facts of a module, if they arrived.
    pub fn module(&self, path: &str) -> Option<&ModuleFacts> {
        match self.modules.get(path)? {
            ModuleState::Loaded(facts) => Some(facts),
            ModuleState::Failed(_) => None,
        }
    }

    /// Why a module could not be fetched, if it could not.
    pub fn failure(&self, path: &str) -> Option<&str> {
        match self.modules.get(path)? {
            ModuleState::Loaded(_) => None,
            ModuleState::Failed(message) => Some(message),
        }
    }

    /// Whether a module path is private (no public links, no public proxy).
    pub fn is_private(&self, path: &str) -> bool {
        gomodls_syntax::module_path::match_prefix_patterns(&self.private_patterns, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ModuleFacts {
        ModuleFacts {
            path: "example.com/m".to_owned(),
            versions: ["v1.0.0", "v1.0.1", "v1.1.0", "v1.2.0-rc.1", "v1.2.0"]
                .map(String::from)
                .to_vec(),
            retractions: vec![Retraction {
                low: "v1.2.0".to_owned(),
                high: "v1.2.0".to_owned(),
                rationale: "broken build\nsecond line".to_owned(),
            }],
            ..ModuleFacts::default()
        }
    }

    #[test]
    fn retraction_message_uses_gos_words_and_first_line() {
        let facts = facts();
        assert_eq!(
            facts.retraction_message("v1.2.0").as_deref(),
            Some("retracted by module author: broken build")
        );
        assert_eq!(facts.retraction_message("v1.1.0"), None);
    }

    #[test]
    fn newest_after_skips_retracted_and_prereleases_and_respects_scope() {
        let facts = facts();
        assert_eq!(
            facts.newest_after("v1.0.0", UpdateScope::Minor),
            Some("v1.1.0")
        );
        assert_eq!(
            facts.newest_after("v1.0.0", UpdateScope::Patch),
            Some("v1.0.1")
        );
        assert_eq!(facts.newest_after("v1.1.0", UpdateScope::Minor), None);
    }

    #[test]
    fn short_message_omits_long_and_unprintable_text() {
        assert_eq!(
            short_message(&"x".repeat(501)),
            "(message omitted: too long)"
        );
        assert_eq!(
            short_message("a\u{7}b"),
            "(message omitted: contains non-printable characters)"
        );
    }
}
