//! Diagnostics that need module facts, a sibling file or local directories: unknown, retracted
//! and `+incompatible` versions, deprecated modules, available updates and newer majors, local
//! replacements that do not hold the module, dead replacements (in a go.mod: not required by
//! it; in a go.work: not required by any module it uses) and exclusions, missing and stale
//! go.sum lines.
//!
//! Pure: facts come as a [`FactsSnapshot`], the sibling file as text and local directories
//! through [`LocalDirs`]. A module whose facts have not arrived gets no fact-based diagnostic.
//! Where go reports the same problem the source is `go` and the message go's words.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use gomodls_syntax::FileKind;
use gomodls_syntax::check::{Diagnostic, Severity, Source, Tag};
use gomodls_syntax::views::SourceFile;
use gomodls_syntax::{pseudo, semver};
use tree_sitter::Tree;

use crate::facts::{FactsSnapshot, UpdateScope};

/// How far the update-available hint looks (the `updateCheck` setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdateCheck {
    /// No update hints.
    Off,
    /// Newer patch releases of the same minor.
    Patch,
    /// Newer minor and patch releases of the same major.
    #[default]
    Minor,
    /// As `Minor`, plus newer major versions.
    Latest,
}

/// What a local replacement directory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalDir {
    /// The directory's go.mod does not exist (nor, maybe, the directory); go's error text for
    /// opening it.
    Missing(String),
    /// The go.mod exists; the path on its `module` line, if any.
    Module(Option<String>),
}

/// Reads local replacement directories, relative to the checked file's directory.
pub trait LocalDirs {
    /// What `dir` (as written in the replace directive) holds.
    fn look(&self, dir: &str) -> LocalDir;

    /// The `(module path, version)` pairs the go.mod in `dir` requires, `None` when it cannot
    /// be read (a go.work's replaces apply to the modules it uses).
    fn requirements(&self, dir: &str) -> Option<Vec<(String, String)>> {
        let _ = dir;
        None
    }
}

/// The `(module path, version)` pairs of the require lines of a go.mod text.
pub fn requirements_of(go_mod: &str) -> Vec<(String, String)> {
    let tree = gomodls_syntax::parse(FileKind::GoMod, go_mod.as_bytes());
    let file = SourceFile::new(&tree, go_mod);
    file.requires()
        .filter_map(|spec| {
            Some((
                spec.path()?.value()?.into_owned(),
                spec.version()?.value()?.into_owned(),
            ))
        })
        .collect()
}

/// What the modules a go.work uses declare: their own module paths and their requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsedModules {
    /// The module paths of the used directories.
    pub paths: HashSet<String>,
    /// Every `(module path, version)` their go.mod files require.
    pub requirements: HashSet<(String, String)>,
}

impl UsedModules {
    /// Reads the modules the `use` directives of a go.work name through `dirs`; `None` when one
    /// of them cannot be read (then no replace can be called dead).
    pub fn read(file: &SourceFile<'_>, dirs: &dyn LocalDirs) -> Option<UsedModules> {
        let mut used = UsedModules::default();
        for spec in file.uses() {
            let dir = spec.path()?.value()?;
            match dirs.look(&dir) {
                LocalDir::Module(Some(path)) => {
                    used.paths.insert(path);
                }
                LocalDir::Module(None) | LocalDir::Missing(_) => return None,
            }
            used.requirements.extend(dirs.requirements(&dir)?);
        }
        Some(used)
    }

    /// Whether a go.work replace of `path` (at `version`, for a version-specific replace) has
    /// no effect: no used module is that module or requires it (at that version).
    pub fn is_dead_replace(&self, path: &str, version: Option<&str>) -> bool {
        if self.paths.contains(path) {
            return false;
        }
        !self
            .requirements
            .iter()
            .any(|(required, required_version)| {
                required == path && version.is_none_or(|version| version == required_version)
            })
    }
}

/// Who a replace must be required by to have an effect.
enum Requirers {
    /// The go.mod the replace is in.
    ThisFile,
    /// The modules a go.work uses; `None` when they could not all be read.
    Workspace(Option<UsedModules>),
}

/// Everything the module diagnostics of one document need.
pub struct ModuleCheckInput<'a> {
    /// The checked document's kind.
    pub kind: FileKind,
    /// Its text.
    pub text: &'a str,
    /// Its tree.
    pub tree: &'a Tree,
    /// The module facts known now.
    pub facts: &'a FactsSnapshot,
    /// For a go.mod, the text of the go.sum beside it (empty when the go.mod is a file on disk
    /// with no go.sum: go then misses every entry); for a go.sum, the go.mod beside it. `None`
    /// when unknown (a document that is not on disk).
    pub sibling: Option<&'a str>,
    /// Whether the go.mod is used by a go.work workspace: go then fetches what a go.sum lacks
    /// and records it in go.work.sum, and reports no missing go.sum entry (`mustHaveSums`).
    pub in_workspace: bool,
    /// Whether GOWORK names a relative path: go then refuses to run at all, in module and
    /// workspace mode alike (`go: invalid GOWORK: not an absolute path`).
    pub invalid_gowork: bool,
    /// The `updateCheck` setting.
    pub update_check: UpdateCheck,
    /// Local replacement directories, when the document is a file on disk.
    pub local_dirs: Option<&'a dyn LocalDirs>,
}

/// The stable codes of the diagnostics made here.
pub const CODES: &[&str] = &[
    "unknown-version",
    "retracted-version",
    "deprecated-module",
    "update-available",
    "newer-major-available",
    "incompatible-with-go-mod",
    "replacement-directory",
    "dead-replace",
    "unnecessary-exclude",
    "missing-sum-entry",
    "stale-sum-line",
    "invalid-gowork",
];

/// The module diagnostics of a go.mod, go.work or go.sum document.
pub fn module_diagnostics(input: &ModuleCheckInput<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if input.invalid_gowork && matches!(input.kind, FileKind::GoMod | FileKind::GoWork) {
        // go says so before it reads any file, so there is no better place than the first line.
        let first_line = input.text.find('\n').unwrap_or(input.text.len());
        out.push(diagnostic(
            "invalid-gowork",
            Severity::Error,
            Source::Go,
            0..input
                .text
                .get(..first_line)
                .unwrap_or("")
                .trim_end_matches('\r')
                .len(),
            "invalid GOWORK: not an absolute path".to_owned(),
            Vec::new(),
        ));
    }
    match input.kind {
        FileKind::GoMod => {
            let file = SourceFile::new(input.tree, input.text);
            requires(input, &file, &mut out);
            replaces(input, &file, Requirers::ThisFile, &mut out);
            excludes(input, &file, &mut out);
        }
        FileKind::GoWork => {
            let file = SourceFile::new(input.tree, input.text);
            let used = input
                .local_dirs
                .and_then(|dirs| UsedModules::read(&file, dirs));
            replaces(input, &file, Requirers::Workspace(used), &mut out);
        }
        FileKind::GoSum => stale_sum_lines(input, &mut out),
    }
    out.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.range.end));
    out
}

fn diagnostic(
    code: &'static str,
    severity: Severity,
    source: Source,
    range: Range<usize>,
    message: String,
    tags: Vec<Tag>,
) -> Diagnostic {
    Diagnostic {
        code,
        severity,
        range,
        message,
        source,
        related: Vec::new(),
        tags,
        fixes: Vec::new(),
        go_position: None,
    }
}

/// The module paths and versions a go.mod requires.
fn required(file: &SourceFile<'_>) -> HashMap<String, Vec<String>> {
    let mut required: HashMap<String, Vec<String>> = HashMap::new();
    for spec in file.requires() {
        let (Some(path), Some(version)) = (
            spec.path().and_then(|t| t.value()),
            spec.version().and_then(|t| t.value()),
        ) else {
            continue;
        };
        required
            .entry(path.into_owned())
            .or_default()
            .push(version.into_owned());
    }
    required
}

/// The (path, version) pairs of go.sum lines, by whether they hash the zip or the go.mod.
fn sum_entries(text: &str) -> HashSet<(String, String, bool)> {
    let tree = gomodls_syntax::parse(FileKind::GoSum, text.as_bytes());
    let file = SourceFile::new(&tree, text);
    file.checksums()
        .filter_map(|line| {
            let path = line.path()?.text().to_owned();
            let version = line.version()?.text().to_owned();
            Some((path, version, line.is_go_mod()))
        })
        .collect()
}

fn requires(input: &ModuleCheckInput<'_>, file: &SourceFile<'_>, out: &mut Vec<Diagnostic>) {
    let sums = input.sibling.map(sum_entries);
    let replaced: HashSet<String> = file
        .replaces()
        .filter_map(|spec| spec.path().and_then(|t| t.value()).map(|p| p.into_owned()))
        .collect();
    for spec in file.requires() {
        let (Some(path_token), Some(version_token)) = (spec.path(), spec.version()) else {
            continue;
        };
        let (Some(path), Some(version)) = (path_token.value(), version_token.value()) else {
            continue;
        };
        let (path, version) = (path.as_ref(), version.as_ref());
        let range = version_token.range();
        // go resolves a version it would rewrite (`v1.2`) before it looks into go.sum.
        if let Some(sums) = &sums
            && !replaced.contains(path)
            && !input.in_workspace
            && semver::module_canonical_version(version) == version
            && !sums.contains(&(path.to_owned(), version.to_owned(), true))
            && !sums.contains(&(path.to_owned(), version.to_owned(), false))
        {
            out.push(diagnostic(
                "missing-sum-entry",
                Severity::Error,
                Source::Go,
                path_token.range().start..range.end,
                format!(
                    "{path}@{version}: missing go.sum entry for go.mod file; to add it:\n\tgo mod download {path}"
                ),
                Vec::new(),
            ));
        }
        if replaced.contains(path) {
            continue;
        }
        let Some(facts) = input.facts.module(path) else {
            continue;
        };
        if !semver::is_valid(version) {
            continue;
        }
        if !pseudo::is_pseudo_version(version) && !facts.has_version(version) {
            out.push(diagnostic(
                "unknown-version",
                Severity::Error,
                Source::Go,
                range.clone(),
                format!("{path}@{version}: invalid version: unknown revision {version}"),
                Vec::new(),
            ));
            continue;
        }
        if semver::build(version) == "+incompatible" {
            let major = semver::major(version);
            let suffixed = format!("{path}/{major}");
            if facts
                .newer_majors
                .iter()
                .any(|newer| newer.path == suffixed)
            {
                out.push(diagnostic(
                    "incompatible-with-go-mod",
                    Severity::Error,
                    Source::Go,
                    range.clone(),
                    format!(
                        "{path}@{version}: invalid version: module contains a go.mod file, so module path must match major version (\"{suffixed}\")"
                    ),
                    Vec::new(),
                ));
            }
        }
        if let Some(message) = facts.retraction_message(version) {
            out.push(diagnostic(
                "retracted-version",
                Severity::Warning,
                Source::Go,
                range.clone(),
                format!("{path}@{version}: {message}"),
                Vec::new(),
            ));
        }
        if let Some(message) = facts.deprecation_message() {
            out.push(diagnostic(
                "deprecated-module",
                Severity::Warning,
                Source::Go,
                path_token.range(),
                format!("module {path} is deprecated: {message}"),
                vec![Tag::Deprecated],
            ));
        }
        let scope = match input.update_check {
            UpdateCheck::Off => None,
            UpdateCheck::Patch => Some(UpdateScope::Patch),
            UpdateCheck::Minor => Some(UpdateScope::Minor),
            UpdateCheck::Latest => Some(UpdateScope::Latest),
        };
        if let Some(scope) = scope
            && let Some(newer) = facts.newest_after(version, scope)
        {
            out.push(diagnostic(
                "update-available",
                Severity::Hint,
                Source::Gomodls,
                range.clone(),
                format!("{path} {newer} is available (current {version})"),
                Vec::new(),
            ));
        }
        if input.update_check != UpdateCheck::Off
            && let Some(newer) = facts.newer_majors.last()
        {
            let latest = newer.latest.as_deref().unwrap_or("");
            out.push(diagnostic(
                "newer-major-available",
                Severity::Hint,
                Source::Gomodls,
                path_token.range(),
                format!(
                    "a newer major version is available: {} {latest}",
                    newer.path
                )
                .trim_end()
                .to_owned(),
                Vec::new(),
            ));
        }
    }
}

fn replaces(
    input: &ModuleCheckInput<'_>,
    file: &SourceFile<'_>,
    requirers: Requirers,
    out: &mut Vec<Diagnostic>,
) {
    // Built at the first replacement: most files have none, and the map of a large file's
    // requirements costs as much as the rest of these checks.
    let mut required_versions = None;
    for spec in file.replaces() {
        let Some(path_token) = spec.path() else {
            continue;
        };
        let Some(path) = path_token.value() else {
            continue;
        };
        let old_version = spec.version().and_then(|t| t.value());
        let dead = match &requirers {
            Requirers::ThisFile => match (
                &old_version,
                required_versions
                    .get_or_insert_with(|| required(file))
                    .get(path.as_ref()),
            ) {
                (_, None) => Some("it is not required"),
                (Some(old), Some(versions)) => {
                    (!versions.iter().any(|v| v == old.as_ref())).then_some("it is not required")
                }
                (None, Some(_)) => None,
            },
            Requirers::Workspace(Some(used)) => used
                .is_dead_replace(&path, old_version.as_deref())
                .then_some("no module in the workspace requires it"),
            Requirers::Workspace(None) => None,
        };
        if let Some(why) = dead {
            let what = match &old_version {
                Some(old) => format!("{path}@{old}"),
                None => path.to_string(),
            };
            out.push(diagnostic(
                "dead-replace",
                Severity::Hint,
                Source::Gomodls,
                spec.range(),
                format!("replacement of {what} has no effect: {why}"),
                vec![Tag::Unnecessary],
            ));
            continue;
        }
        let (Some(replacement), Some(dirs)) = (spec.replacement(), input.local_dirs) else {
            continue;
        };
        if !replacement.is_directory() {
            continue;
        }
        let Some(dir) = replacement.token().value() else {
            continue;
        };
        let version = old_version
            .map(|v| v.into_owned())
            .or_else(|| {
                required_versions
                    .get_or_insert_with(|| required(file))
                    .get(path.as_ref())
                    .and_then(|versions| versions.first().cloned())
            })
            .unwrap_or_default();
        let subject = if version.is_empty() {
            path.to_string()
        } else {
            format!("{path}@{version}")
        };
        let dir = dir.as_ref();
        let go_mod = format!("{}/go.mod", dir.trim_end_matches('/'));
        let message = match dirs.look(dir) {
            LocalDir::Missing(reason) => Some(format!(
                "{subject} (replaced by {dir}): reading {go_mod}: {reason}"
            )),
            LocalDir::Module(Some(declared)) if declared != path.as_ref() => Some(format!(
                "{subject} (replaced by {dir}): parsing {go_mod}: module declares its path as: {declared}\n\tbut was required as: {path}"
            )),
            LocalDir::Module(_) => None,
        };
        if let Some(message) = message {
            out.push(diagnostic(
                "replacement-directory",
                Severity::Error,
                Source::Go,
                replacement.token().range(),
                message,
                Vec::new(),
            ));
        }
    }
}

fn excludes(input: &ModuleCheckInput<'_>, file: &SourceFile<'_>, out: &mut Vec<Diagnostic>) {
    // Without go.sum lines nothing tells which versions the module graph holds.
    let Some(sums) = input
        .sibling
        .map(sum_entries)
        .filter(|sums| !sums.is_empty())
    else {
        return;
    };
    let required = required(file);
    for spec in file.excludes() {
        let (Some(path), Some(version)) = (
            spec.path().and_then(|t| t.value()),
            spec.version().and_then(|t| t.value()),
        ) else {
            continue;
        };
        let is_required = required
            .get(path.as_ref())
            .is_some_and(|versions| versions.iter().any(|v| v == version.as_ref()));
        let in_graph = sums.contains(&(path.to_string(), version.to_string(), true))
            || sums.contains(&(path.to_string(), version.to_string(), false));
        if !is_required && !in_graph {
            out.push(diagnostic(
                "unnecessary-exclude",
                Severity::Hint,
                Source::Gomodls,
                spec.range(),
                format!("exclusion of {path}@{version} has no effect: nothing requires it"),
                vec![Tag::Unnecessary],
            ));
        }
    }
}

/// go.sum lines hashing the zip of a module version that go.mod does not require.
fn stale_sum_lines(input: &ModuleCheckInput<'_>, out: &mut Vec<Diagnostic>) {
    let Some(go_mod) = input.sibling else {
        return;
    };
    let go_mod_tree = gomodls_syntax::parse(FileKind::GoMod, go_mod.as_bytes());
    let go_mod_file = SourceFile::new(&go_mod_tree, go_mod);
    let mut named = required(&go_mod_file);
    for spec in go_mod_file.replaces() {
        let (Some(target), Some(version)) = (
            spec.replacement().and_then(|r| r.token().value()),
            spec.replacement_version().and_then(|t| t.value()),
        ) else {
            continue;
        };
        named
            .entry(target.into_owned())
            .or_default()
            .push(version.into_owned());
    }
    let file = SourceFile::new(input.tree, input.text);
    for line in file.checksums() {
        if line.is_go_mod() {
            continue;
        }
        let (Some(path), Some(version)) = (line.path(), line.version()) else {
            continue;
        };
        let (path, version) = (path.text(), version.text());
        let current = named
            .get(path)
            .is_some_and(|versions| versions.iter().any(|v| v == version));
        if !current {
            out.push(diagnostic(
                "stale-sum-line",
                Severity::Hint,
                Source::Gomodls,
                trim_end(input.text, line.range()),
                format!("{path} {version} is not required by go.mod any more"),
                vec![Tag::Unnecessary],
            ));
        }
    }
}

/// `range` without trailing white space and line ends.
fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = text.get(range.clone()).unwrap_or_default();
    range.start..range.start + slice.trim_end().len()
}

#[cfg(test)]
mod tests;
