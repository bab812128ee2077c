//! The fixture model: modules, their versions, and what the proxy serves for each.
//!
//! A [`Fixture`] is plain data with a chaining builder API; it can also be written as text (see
//! [`Fixture::parse`] and [`crate::proxy::txtar`]). Nothing is validated until the fixture is
//! laid out ([`crate::proxy::proxy_layout`]), so a fixture may deliberately hold lies.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::proxy::version;

/// A set of modules served by a proxy, keyed by module path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixture {
    modules: BTreeMap<String, FixtureModule>,
}

/// One module of a [`Fixture`]: its versions (in insertion order) and how `@latest` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureModule {
    /// The module path, unescaped (`example.com/Azure/sdk`).
    pub path: String,
    /// The versions, in insertion order; at most one per version string.
    pub versions: Vec<FixtureVersion>,
    /// What `@latest` serves.
    pub latest: LatestEndpoint,
}

/// What a module's `@latest` endpoint serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LatestEndpoint {
    /// The `.info` of the highest release, else the highest prerelease, else the highest
    /// pseudo-version (as the public proxy does); 404 when the module has no version.
    #[default]
    Highest,
    /// The `.info` of this version (which must be in the fixture, else 404).
    Version(String),
    /// 404.
    NotFound,
}

/// Switches that remove or hide parts of what is served for one version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VersionFlags {
    /// Leave the version out of `@v/list` (pseudo-versions are always left out).
    pub unlisted: bool,
    /// Serve no `.info` (404), also for the version's revision names.
    pub no_info: bool,
    /// Serve no `.mod` (404).
    pub no_mod: bool,
    /// Serve no `.zip` (404).
    pub no_zip: bool,
}

/// One version of a module: its files and what the proxy says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureVersion {
    /// The module path, unescaped.
    pub module_path: String,
    /// The canonical version (`v1.2.3`, a pseudo-version, `v2.0.0+incompatible`).
    pub version: String,
    /// The module's files by slash-separated name relative to the module root (`go.mod`,
    /// `sub/x.go`); they become the zip entries `PATH@VERSION/NAME`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The publish (commit) time for `.info`; when unset, a pseudo-version's own timestamp,
    /// else a fixed date derived from the version's rank in its module.
    pub time: Option<OffsetDateTime>,
    /// Bytes served as `.mod` instead of the `go.mod` file (a proxy that lies).
    pub mod_override: Option<Vec<u8>>,
    /// Bytes served as `.info` (also for the revision names) instead of the generated JSON.
    pub info_override: Option<Vec<u8>>,
    /// Bytes served as `.zip` instead of the generated module zip.
    pub zip_override: Option<Vec<u8>>,
    /// Extra names (branches like `master`, commit hashes) whose `.info` resolves to this version.
    pub revisions: Vec<String>,
    /// What to leave out.
    pub flags: VersionFlags,
}

impl Fixture {
    /// An empty fixture.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a version, creating its module if needed; for chaining.
    #[must_use]
    pub fn with(mut self, version: FixtureVersion) -> Self {
        self.add(version);
        self
    }

    /// Adds (or replaces, keeping its position) a version, creating its module if needed.
    pub fn add(&mut self, version: FixtureVersion) {
        let module = self.module_entry(&version.module_path);
        match module
            .versions
            .iter_mut()
            .find(|existing| existing.version == version.version)
        {
            Some(existing) => *existing = version,
            None => module.versions.push(version),
        }
    }

    /// Declares a module with no versions (`@v/list` is then an empty 200); for chaining.
    #[must_use]
    pub fn with_empty_module(mut self, module_path: &str) -> Self {
        self.module_entry(module_path);
        self
    }

    /// Sets what a module's `@latest` serves, creating the module if needed; for chaining.
    #[must_use]
    pub fn with_latest(mut self, module_path: &str, latest: LatestEndpoint) -> Self {
        self.module_entry(module_path).latest = latest;
        self
    }

    /// The module with this path.
    pub fn module(&self, module_path: &str) -> Option<&FixtureModule> {
        self.modules.get(module_path)
    }

    /// The module with this path, mutably.
    pub fn module_mut(&mut self, module_path: &str) -> Option<&mut FixtureModule> {
        self.modules.get_mut(module_path)
    }

    /// One version of one module.
    pub fn version(&self, module_path: &str, version: &str) -> Option<&FixtureVersion> {
        self.module(module_path)?.version(version)
    }

    /// All modules, sorted by path.
    pub fn modules(&self) -> impl Iterator<Item = &FixtureModule> {
        self.modules.values()
    }

    /// Adds every module and version of `other`, replacing versions present in both.
    pub fn merge(&mut self, other: Fixture) {
        for (path, module) in other.modules {
            self.module_entry(&path).latest = module.latest;
            for version in module.versions {
                self.add(version);
            }
        }
    }

    fn module_entry(&mut self, module_path: &str) -> &mut FixtureModule {
        self.modules
            .entry(module_path.to_owned())
            .or_insert_with(|| FixtureModule {
                path: module_path.to_owned(),
                versions: Vec::new(),
                latest: LatestEndpoint::Highest,
            })
    }
}

impl FixtureModule {
    /// The version with this exact version string.
    pub fn version(&self, version: &str) -> Option<&FixtureVersion> {
        self.versions
            .iter()
            .find(|candidate| candidate.version == version)
    }

    /// The versions in Go's semantic version order.
    pub fn sorted_versions(&self) -> Vec<&FixtureVersion> {
        let mut sorted: Vec<&FixtureVersion> = self.versions.iter().collect();
        sorted.sort_by(|left, right| version::compare(&left.version, &right.version));
        sorted
    }

    /// What `@v/list` holds: tagged, listed versions in semantic version order.
    pub fn listed_versions(&self) -> Vec<&str> {
        self.sorted_versions()
            .into_iter()
            .filter(|candidate| candidate.is_listed())
            .map(|candidate| candidate.version.as_str())
            .collect()
    }

    /// The version whose `.info` `@latest` serves, if any.
    pub fn latest_version(&self) -> Option<&FixtureVersion> {
        match &self.latest {
            LatestEndpoint::NotFound => None,
            LatestEndpoint::Version(wanted) => self.version(wanted),
            LatestEndpoint::Highest => {
                let sorted = self.sorted_versions();
                let highest_where = |keep: &dyn Fn(&str) -> bool| {
                    sorted
                        .iter()
                        .rev()
                        .find(|candidate| keep(&candidate.version))
                        .copied()
                };
                highest_where(&|v| !version::is_prerelease(v))
                    .or_else(|| highest_where(&|v| !version::is_pseudo(v)))
                    .or_else(|| sorted.last().copied())
            }
        }
    }

    /// The time `.info` reports for a version of this module (see [`FixtureVersion::time`]).
    pub fn publish_time(&self, fixture_version: &FixtureVersion) -> OffsetDateTime {
        if let Some(time) = fixture_version.time {
            return time;
        }
        if let Some(time) = version::pseudo_time(&fixture_version.version) {
            return time;
        }
        let rank = self
            .sorted_versions()
            .iter()
            .position(|candidate| candidate.version == fixture_version.version)
            .unwrap_or(0);
        let days = i64::try_from(rank).unwrap_or(0);
        time::macros::datetime!(2023-01-01 00:00:00 UTC) + time::Duration::days(days)
    }
}

impl FixtureVersion {
    /// A version with no files (so `.mod` is `module PATH\n` and the zip is empty).
    pub fn new(module_path: &str, version: &str) -> Self {
        Self {
            module_path: module_path.to_owned(),
            version: version.to_owned(),
            files: BTreeMap::new(),
            time: None,
            mod_override: None,
            info_override: None,
            zip_override: None,
            revisions: Vec::new(),
            flags: VersionFlags::default(),
        }
    }

    /// Adds a file to the module zip (`name` relative to the module root).
    #[must_use]
    pub fn file(mut self, name: &str, content: impl AsRef<[u8]>) -> Self {
        self.files
            .insert(name.to_owned(), content.as_ref().to_vec());
        self
    }

    /// Adds a `go.mod` file (served as `.mod` too, unless overridden).
    #[must_use]
    pub fn go_mod(self, content: impl AsRef<[u8]>) -> Self {
        self.file("go.mod", content)
    }

    /// Sets the publish time.
    #[must_use]
    pub fn time(mut self, time: OffsetDateTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Serves these bytes as `.mod` instead of the go.mod file.
    #[must_use]
    pub fn mod_override(mut self, content: impl AsRef<[u8]>) -> Self {
        self.mod_override = Some(content.as_ref().to_vec());
        self
    }

    /// Serves these bytes as `.info` instead of the generated JSON.
    #[must_use]
    pub fn info_override(mut self, content: impl AsRef<[u8]>) -> Self {
        self.info_override = Some(content.as_ref().to_vec());
        self
    }

    /// Serves these bytes as `.zip` instead of the generated module zip.
    #[must_use]
    pub fn zip_override(mut self, content: impl AsRef<[u8]>) -> Self {
        self.zip_override = Some(content.as_ref().to_vec());
        self
    }

    /// Makes `name.info` (a branch, tag or commit hash) resolve to this version.
    #[must_use]
    pub fn revision(mut self, name: &str) -> Self {
        self.revisions.push(name.to_owned());
        self
    }

    /// Leaves the version out of `@v/list`.
    #[must_use]
    pub fn unlisted(mut self) -> Self {
        self.flags.unlisted = true;
        self
    }

    /// Sets all flags at once.
    #[must_use]
    pub fn flags(mut self, flags: VersionFlags) -> Self {
        self.flags = flags;
        self
    }

    /// Whether `@v/list` names this version (not a pseudo-version, not unlisted).
    pub fn is_listed(&self) -> bool {
        !self.flags.unlisted && !version::is_pseudo(&self.version)
    }

    /// Whether the version is a pseudo-version.
    pub fn is_pseudo(&self) -> bool {
        version::is_pseudo(&self.version)
    }

    /// The bytes served as `.mod`: the override, else the `go.mod` file, else `module PATH\n`
    /// (what the go command synthesizes for a module without go.mod, e.g. `+incompatible`).
    pub fn mod_file(&self) -> Vec<u8> {
        if let Some(content) = &self.mod_override {
            return content.clone();
        }
        match self.files.get("go.mod") {
            Some(content) => content.clone(),
            None => format!("module {}\n", self.module_path).into_bytes(),
        }
    }

    /// The zip entry names (`PATH@VERSION/NAME`) with their contents, sorted by name.
    pub fn zip_entries(&self) -> Vec<(String, &[u8])> {
        let prefix = format!("{}@{}/", self.module_path, self.version);
        self.files
            .iter()
            .map(|(name, content)| (format!("{prefix}{name}"), content.as_slice()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(versions: &[&str]) -> FixtureModule {
        let mut fixture = Fixture::new().with_empty_module("example.com/m");
        for version in versions {
            fixture.add(FixtureVersion::new("example.com/m", version));
        }
        fixture.module("example.com/m").unwrap().clone()
    }

    #[test]
    fn latest_prefers_release_then_prerelease_then_pseudo() {
        let latest = |versions: &[&str]| {
            module(versions)
                .latest_version()
                .map(|found| found.version.clone())
        };
        assert_eq!(
            latest(&[
                "v1.0.0",
                "v1.1.0-rc.1",
                "v1.0.1-0.20230102030405-abcdefabcdef"
            ])
            .as_deref(),
            Some("v1.0.0")
        );
        assert_eq!(
            latest(&[
                "v0.1.0-alpha",
                "v0.1.0-beta",
                "v0.1.1-0.20230102030405-abcdefabcdef"
            ])
            .as_deref(),
            Some("v0.1.0-beta")
        );
        assert_eq!(
            latest(&[
                "v0.0.0-20230102030405-abcdefabcdef",
                "v0.0.0-20240102030405-abcdefabcdef"
            ])
            .as_deref(),
            Some("v0.0.0-20240102030405-abcdefabcdef")
        );
        assert_eq!(latest(&[]), None);
    }

    #[test]
    fn list_leaves_out_pseudo_and_unlisted_versions() {
        let mut fixture = Fixture::new()
            .with(FixtureVersion::new("example.com/m", "v1.10.0"))
            .with(FixtureVersion::new("example.com/m", "v1.9.0"))
            .with(FixtureVersion::new(
                "example.com/m",
                "v1.9.1-0.20230102030405-abcdefabcdef",
            ))
            .with(FixtureVersion::new("example.com/m", "v1.8.0").unlisted());
        assert_eq!(
            fixture.module("example.com/m").unwrap().listed_versions(),
            ["v1.9.0", "v1.10.0"]
        );
        fixture.add(FixtureVersion::new("example.com/m", "v1.9.0").unlisted());
        assert_eq!(
            fixture.module("example.com/m").unwrap().listed_versions(),
            ["v1.10.0"]
        );
        assert_eq!(fixture.module("example.com/m").unwrap().versions.len(), 4);
    }

    #[test]
    fn default_times_are_deterministic() {
        let module = module(&["v1.1.0", "v1.0.0", "v1.0.1-0.20230502030405-abcdefabcdef"]);
        let time_of = |v: &str| module.publish_time(module.version(v).unwrap());
        assert_eq!(
            time_of("v1.0.0"),
            time::macros::datetime!(2023-01-01 00:00:00 UTC)
        );
        assert_eq!(
            time_of("v1.1.0"),
            time::macros::datetime!(2023-01-03 00:00:00 UTC)
        );
        assert_eq!(
            time_of("v1.0.1-0.20230502030405-abcdefabcdef"),
            time::macros::datetime!(2023-05-02 03:04:05 UTC)
        );
    }

    #[test]
    fn mod_file_falls_back_to_a_synthesized_module_line() {
        let plain = FixtureVersion::new("example.com/inc", "v2.0.0+incompatible");
        assert_eq!(plain.mod_file(), b"module example.com/inc\n");
        let with_go_mod = plain.clone().go_mod("module example.com/inc\n\ngo 1.21\n");
        assert_eq!(
            with_go_mod.mod_file(),
            b"module example.com/inc\n\ngo 1.21\n"
        );
        let lying = with_go_mod.mod_override("module example.com/other\n");
        assert_eq!(lying.mod_file(), b"module example.com/other\n");
        assert_eq!(
            lying
                .zip_entries()
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>(),
            ["example.com/inc@v2.0.0+incompatible/go.mod"]
        );
    }
}
