//! Code actions over module facts: pin a version go would rewrite (a branch name, a version
//! prefix, `latest`, a commit hash) to the canonical version the proxy resolved it to; upgrade a
//! requirement to its latest patch, minor or latest version (one line, or all of them); move off
//! a retracted version; remove a dead replace (one, or all) or an unnecessary exclude;
//! canonicalise every shorthand version.
//!
//! Invariants: pure and synchronous. The lsp crate hands in what the proxy told it as
//! [`ActionFacts`]; a pin whose query has not been resolved yet comes back as an [`Action`] with
//! a [`PinQuery`] instead of edits, which the lsp crate resolves off the editor's path and turns
//! into edits with [`set_version`]. Every edit keeps the file formatted as the go command formats
//! it: the changed text is run through go's formatting and the difference to the document is
//! returned as the smallest edits.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use gomodls_syntax::check::{CheckContext, check};
use gomodls_syntax::modfile::{format_gomod, format_gowork};
use gomodls_syntax::views::SourceFile;
use gomodls_syntax::{FileKind, semver};

use crate::document::Document;
use crate::facts::{FactsSnapshot, ModuleFacts, ModuleState};
use crate::formatting::{TextEdit, minimal_edits};
use crate::module_diagnostics::UsedModules;

/// What the proxy said about one module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleUpdates {
    /// The module's tagged versions (releases and pre-releases), in any order.
    pub versions: Vec<String>,
    /// The versions known to be retracted (from the module's latest go.mod).
    pub retracted: BTreeSet<String>,
}

/// Everything the actions know from the network, as plain values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionFacts {
    /// Facts by module path; a module without an entry gets no upgrade actions.
    pub modules: HashMap<String, ModuleUpdates>,
    /// Resolved queries: `(module path, query as written)` to go's canonical version.
    pub resolved: HashMap<(String, String), String>,
    /// The text of the go.sum beside a go.mod, which tells the versions of the module graph.
    pub go_sum: Option<String>,
    /// For a go.work, what the modules it uses require; `None` when unknown (then no replace
    /// of the go.work is dead).
    pub used_modules: Option<UsedModules>,
}

impl ActionFacts {
    /// The facts of every module whose facts arrived in `snapshot`.
    pub fn from_snapshot(snapshot: &FactsSnapshot) -> ActionFacts {
        let modules = snapshot
            .modules
            .iter()
            .filter_map(|(path, state)| match state {
                ModuleState::Loaded(facts) => Some((path.clone(), updates(facts))),
                ModuleState::Failed(_) => None,
            })
            .collect();
        ActionFacts {
            modules,
            ..ActionFacts::default()
        }
    }
}

/// The versions of one module's facts, with the retracted ones marked.
fn updates(facts: &ModuleFacts) -> ModuleUpdates {
    ModuleUpdates {
        versions: facts.versions.clone(),
        retracted: facts
            .versions
            .iter()
            .filter(|version| facts.is_retracted(version))
            .cloned()
            .collect(),
    }
}

/// How far an upgrade goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UpgradeLevel {
    /// The latest release with the same major and minor version.
    Patch,
    /// The latest release with the same major version.
    Minor,
    /// The latest release of the module path (a pre-release when there is no release).
    Latest,
}

impl UpgradeLevel {
    /// The word for titles: `patch`, `minor`, `latest`.
    pub fn name(self) -> &'static str {
        match self {
            UpgradeLevel::Patch => "patch",
            UpgradeLevel::Minor => "minor",
            UpgradeLevel::Latest => "latest",
        }
    }
}

/// The kind of an action, as editors group them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// Fixes a problem on the line (`quickfix`).
    QuickFix,
    /// Changes one line by choice (`refactor.rewrite`).
    Rewrite,
    /// Changes the whole file (`source`).
    Source,
}

/// A query the proxy must resolve before a pin has edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinQuery {
    /// The module path.
    pub path: String,
    /// The version as written (`master`, `v1.2`, `latest`, `abc1234`).
    pub query: String,
    /// The bytes of the version token to replace.
    pub range: Range<usize>,
}

/// One code action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// What it does, as a command.
    pub title: String,
    /// How editors group it.
    pub kind: ActionKind,
    /// The edits; empty while `pending` waits for the proxy.
    pub edits: Vec<TextEdit>,
    /// A query to resolve first, for pins whose answer is not known yet.
    pub pending: Option<PinQuery>,
    /// Whether this is the action to take for the line.
    pub preferred: bool,
}

/// The actions for the bytes `range` of a go.mod or go.work document: the line actions of every
/// spec the range touches, then the file-wide source actions that have something to do.
pub fn code_actions(
    document: &Document<'_>,
    range: Range<usize>,
    facts: &ActionFacts,
    level: UpgradeLevel,
) -> Vec<Action> {
    if document.kind == FileKind::GoSum {
        return Vec::new();
    }
    // A spec counts from the start of its line, so a cursor on the keyword of a one-line
    // directive gets the spec's actions.
    let touches = |spec: Range<usize>| {
        let line_start = document
            .text
            .get(..spec.start)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |newline| newline + 1);
        line_start <= range.end && range.start <= spec.end
    };
    let mut actions = Vec::new();
    for version in versions(document) {
        if !touches(version.spec.clone()) {
            continue;
        }
        pin_action(document, &version, facts, &mut actions);
        if version.role == Role::Require {
            retracted_action(document, &version, facts, &mut actions);
            upgrade_actions(document, &version, facts, &mut actions);
        }
    }
    for dead in dead_replaces(document, facts) {
        if touches(dead.clone()) {
            actions.push(Action {
                title: "Remove this replace: nothing requires the module".to_owned(),
                kind: ActionKind::QuickFix,
                edits: finish(document, vec![delete_line(document, dead)]),
                pending: None,
                preferred: true,
            });
        }
    }
    for exclude in unnecessary_excludes(document, facts.go_sum.as_deref()) {
        if touches(exclude.clone()) {
            actions.push(Action {
                title: "Remove this exclude: nothing requires the version".to_owned(),
                kind: ActionKind::QuickFix,
                edits: finish(document, vec![delete_line(document, exclude)]),
                pending: None,
                preferred: true,
            });
        }
    }
    source_actions(document, facts, level, &mut actions);
    actions
}

/// The edits that upgrade every requirement with facts to its `level` target; empty when
/// nothing is behind.
pub fn upgrade_all(
    document: &Document<'_>,
    facts: &ActionFacts,
    level: UpgradeLevel,
) -> Vec<TextEdit> {
    let raw: Vec<TextEdit> = versions(document)
        .into_iter()
        .filter(|version| version.role == Role::Require)
        .filter_map(|version| {
            let target = upgrade_target(&version.text, facts.modules.get(&version.path)?, level)?;
            Some(TextEdit {
                range: version.range,
                new_text: target,
            })
        })
        .collect();
    match raw.is_empty() {
        true => Vec::new(),
        false => finish(document, raw),
    }
}

/// The edits that write `version` over the version token at `range` (a resolved pin), keeping
/// the file formatted.
pub fn set_version(document: &Document<'_>, range: Range<usize>, version: &str) -> Vec<TextEdit> {
    finish(
        document,
        vec![TextEdit {
            range,
            new_text: version.to_owned(),
        }],
    )
}

/// The version an upgrade of `current` to `level` moves to, if it is newer than `current`.
pub fn upgrade_target(current: &str, facts: &ModuleUpdates, level: UpgradeLevel) -> Option<String> {
    if !semver::is_valid(current) {
        return None;
    }
    let usable = |version: &&String| {
        semver::is_valid(version)
            && !facts.retracted.contains(version.as_str())
            && match level {
                UpgradeLevel::Patch => semver::major_minor(version) == semver::major_minor(current),
                UpgradeLevel::Minor => semver::major(version) == semver::major(current),
                UpgradeLevel::Latest => true,
            }
    };
    let newest = |releases: bool| {
        facts
            .versions
            .iter()
            .filter(usable)
            .filter(|version| semver::is_prerelease(version) != releases)
            .max_by(|a, b| semver::compare_for_sort(a, b))
    };
    let best = match (newest(true), level) {
        (Some(release), _) => release,
        (None, UpgradeLevel::Latest) => newest(false)?,
        (None, _) => return None,
    };
    match semver::compare(best, current) {
        std::cmp::Ordering::Greater => Some(best.clone()),
        _ => None,
    }
}

/// The nearest version newer than a retracted `current` that is not retracted: a release when
/// `current` is one, else any version.
pub fn unretracted_successor(current: &str, facts: &ModuleUpdates) -> Option<String> {
    let wants_release = !semver::is_prerelease(current);
    facts
        .versions
        .iter()
        .filter(|version| semver::is_valid(version))
        .filter(|version| semver::compare(version, current).is_gt())
        .filter(|version| !facts.retracted.contains(version.as_str()))
        .filter(|version| !wants_release || !semver::is_prerelease(version))
        .min_by(|a, b| semver::compare_for_sort(a, b))
        .cloned()
}

/// An inlay hint: a label shown at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionHint {
    /// Where the label goes: the end of the require line.
    pub offset: usize,
    /// The label (`latest v1.4.0`).
    pub label: String,
}

/// The latest version at the end of every require line that is behind it.
pub fn inlay_hints(document: &Document<'_>, facts: &ActionFacts) -> Vec<VersionHint> {
    versions(document)
        .into_iter()
        .filter(|version| version.role == Role::Require)
        .filter_map(|version| {
            let latest = upgrade_target(
                &version.text,
                facts.modules.get(&version.path)?,
                UpgradeLevel::Latest,
            )?;
            Some(VersionHint {
                offset: document.trim_end(version.spec).end,
                label: format!("latest {latest}"),
            })
        })
        .collect()
}

/// A code lens over a require directive with updates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdatesLens {
    /// The bytes of the directive's keyword.
    pub range: Range<usize>,
    /// How many of its requirements have an update at the level.
    pub updates: usize,
    /// The title (`2 updates available (minor)`).
    pub title: String,
}

/// One lens per require directive (block or line) with at least one update at `level`.
pub fn code_lenses(
    document: &Document<'_>,
    facts: &ActionFacts,
    level: UpgradeLevel,
) -> Vec<UpdatesLens> {
    let file = document.file();
    file.directives()
        .filter(|directive| directive.kind() == gomodls_syntax::views::DirectiveKind::Require)
        .filter_map(|directive| {
            let keyword = directive.keyword()?;
            let updates = directive
                .specs()
                .filter_map(|spec| match spec {
                    gomodls_syntax::views::Spec::Require(require) => Some(require),
                    _ => None,
                })
                .filter(|require| {
                    let path = require.path().and_then(|token| token.value());
                    let current = require.version().and_then(|token| token.value());
                    match (path, current) {
                        (Some(path), Some(current)) => facts
                            .modules
                            .get(path.as_ref())
                            .and_then(|module| upgrade_target(&current, module, level))
                            .is_some(),
                        _ => false,
                    }
                })
                .count();
            let plural = if updates == 1 { "update" } else { "updates" };
            (updates > 0).then(|| UpdatesLens {
                range: keyword.range(),
                updates,
                title: format!("{updates} {plural} available ({}): upgrade", level.name()),
            })
        })
        .collect()
}

/// Which directive a version token belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Require,
    Exclude,
    Replaced,
    Replacement,
}

/// A module version written in the document.
#[derive(Clone, Debug)]
struct WrittenVersion {
    role: Role,
    /// The module path the version belongs to.
    path: String,
    /// The unquoted version.
    text: String,
    /// The bytes of the version token.
    range: Range<usize>,
    /// The bytes of the whole spec.
    spec: Range<usize>,
}

/// Every module version the document writes, with its module path.
fn versions(document: &Document<'_>) -> Vec<WrittenVersion> {
    let file = document.file();
    let mut found = Vec::new();
    let mut push = |role,
                    path: Option<gomodls_syntax::views::Token<'_>>,
                    version: Option<gomodls_syntax::views::Token<'_>>,
                    spec: Range<usize>| {
        let (Some(path), Some(version)) = (path, version) else {
            return;
        };
        let (Some(path_text), Some(version_text)) = (path.value(), version.value()) else {
            return;
        };
        found.push(WrittenVersion {
            role,
            path: path_text.into_owned(),
            text: version_text.into_owned(),
            range: version.range(),
            spec,
        });
    };
    for require in file.requires() {
        push(
            Role::Require,
            require.path(),
            require.version(),
            require.range(),
        );
    }
    for exclude in file.excludes() {
        push(
            Role::Exclude,
            exclude.path(),
            exclude.version(),
            exclude.range(),
        );
    }
    for replace in file.replaces() {
        push(
            Role::Replaced,
            replace.path(),
            replace.version(),
            replace.range(),
        );
        let replacement = replace.replacement().filter(|new| !new.is_directory());
        push(
            Role::Replacement,
            replacement.map(|new| new.token()),
            replace.replacement_version(),
            replace.range(),
        );
    }
    found
}

/// Whether go would rewrite `version` (it is not a canonical module version).
fn needs_pin(version: &str) -> bool {
    semver::module_canonical_version(version) != version
}

/// Whether a query names a commit (seven to forty lowercase hex digits).
fn is_commit_hash(query: &str) -> bool {
    (7..=40).contains(&query.len()) && query.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// Whether a query names a branch or tag rather than a version, `latest` or a commit.
fn is_branch_name(query: &str) -> bool {
    !semver::is_valid(query)
        && !matches!(query, "latest" | "upgrade" | "patch")
        && !is_commit_hash(query)
        && !query.starts_with(['<', '>'])
}

fn pin_action(
    document: &Document<'_>,
    version: &WrittenVersion,
    facts: &ActionFacts,
    actions: &mut Vec<Action>,
) {
    if !needs_pin(&version.text) {
        return;
    }
    let subject = match is_branch_name(&version.text) {
        true => format!("Pin {} to its current commit", version.text),
        false => format!("Pin {} to the version go resolves it to", version.text),
    };
    let key = (version.path.clone(), version.text.clone());
    let action = match facts.resolved.get(&key) {
        Some(resolved) => Action {
            title: format!("{subject}: {resolved}"),
            kind: ActionKind::QuickFix,
            edits: set_version(document, version.range.clone(), resolved),
            pending: None,
            preferred: true,
        },
        None => Action {
            title: subject,
            kind: ActionKind::QuickFix,
            edits: Vec::new(),
            pending: Some(PinQuery {
                path: version.path.clone(),
                query: version.text.clone(),
                range: version.range.clone(),
            }),
            preferred: true,
        },
    };
    actions.push(action);
}

fn retracted_action(
    document: &Document<'_>,
    version: &WrittenVersion,
    facts: &ActionFacts,
    actions: &mut Vec<Action>,
) {
    let Some(module) = facts.modules.get(&version.path) else {
        return;
    };
    if !module.retracted.contains(&version.text) {
        return;
    }
    let Some(successor) = unretracted_successor(&version.text, module) else {
        return;
    };
    actions.push(Action {
        title: format!("Move off retracted {} to {successor}", version.text),
        kind: ActionKind::QuickFix,
        edits: set_version(document, version.range.clone(), &successor),
        pending: None,
        preferred: true,
    });
}

fn upgrade_actions(
    document: &Document<'_>,
    version: &WrittenVersion,
    facts: &ActionFacts,
    actions: &mut Vec<Action>,
) {
    let Some(module) = facts.modules.get(&version.path) else {
        return;
    };
    let mut offered: Vec<String> = Vec::new();
    for level in [
        UpgradeLevel::Patch,
        UpgradeLevel::Minor,
        UpgradeLevel::Latest,
    ] {
        let Some(target) = upgrade_target(&version.text, module, level) else {
            continue;
        };
        if offered.contains(&target) {
            continue;
        }
        actions.push(Action {
            title: format!("Upgrade to {target} ({})", level.name()),
            kind: ActionKind::Rewrite,
            edits: set_version(document, version.range.clone(), &target),
            pending: None,
            preferred: false,
        });
        offered.push(target);
    }
}

fn source_actions(
    document: &Document<'_>,
    facts: &ActionFacts,
    level: UpgradeLevel,
    actions: &mut Vec<Action>,
) {
    // One action per distinct outcome: levels whose upgrades are the same share an action
    // (`patch, minor`), and the one holding the configured level comes first.
    let mut upgrades: Vec<(Vec<UpgradeLevel>, Vec<TextEdit>)> = Vec::new();
    for each in [
        UpgradeLevel::Patch,
        UpgradeLevel::Minor,
        UpgradeLevel::Latest,
    ] {
        let edits = upgrade_all(document, facts, each);
        if edits.is_empty() {
            continue;
        }
        match upgrades.iter_mut().find(|(_, known)| *known == edits) {
            Some((levels, _)) => levels.push(each),
            None => upgrades.push((vec![each], edits)),
        }
    }
    upgrades.sort_by_key(|(levels, _)| !levels.contains(&level));
    for (levels, edits) in upgrades {
        let names: Vec<&str> = levels.iter().map(|level| level.name()).collect();
        actions.push(Action {
            title: format!("Upgrade all requirements ({})", names.join(", ")),
            kind: ActionKind::Source,
            edits,
            pending: None,
            preferred: false,
        });
    }
    let dead: Vec<TextEdit> = dead_replaces(document, facts)
        .into_iter()
        .map(|range| delete_line(document, range))
        .collect();
    if !dead.is_empty() {
        actions.push(Action {
            title: "Remove all dead replaces".to_owned(),
            kind: ActionKind::Source,
            edits: finish(document, dead),
            pending: None,
            preferred: false,
        });
    }
    let canonical = canonicalise(document);
    if !canonical.is_empty() {
        actions.push(Action {
            title: "Canonicalise all versions".to_owned(),
            kind: ActionKind::Source,
            edits: canonical,
            pending: None,
            preferred: false,
        });
    }
}

/// The edits that write every shorthand version (`v1.2`, `v1.2.3+meta`) the way `go mod edit`
/// would.
fn canonicalise(document: &Document<'_>) -> Vec<TextEdit> {
    let context = CheckContext {
        file_name: "",
        directory: None,
        file_system: None,
    };
    let raw: Vec<TextEdit> = check(document.kind, document.text.as_bytes(), &context)
        .into_iter()
        .filter(|diagnostic| diagnostic.code == "non-canonical-version")
        .filter_map(|diagnostic| diagnostic.fixes.into_iter().next())
        .flat_map(|fix| fix.edits)
        .map(|(range, new_text)| TextEdit { range, new_text })
        .collect();
    match raw.is_empty() {
        true => Vec::new(),
        false => finish(document, raw),
    }
}

/// The specs of replaces whose module (at that version, for a version-specific replace) nothing
/// requires: in a go.mod, the go.mod itself; in a go.work, the modules it uses.
fn dead_replaces(document: &Document<'_>, facts: &ActionFacts) -> Vec<Range<usize>> {
    match (document.kind, &facts.used_modules) {
        (FileKind::GoMod, _) => {}
        (FileKind::GoWork, Some(used)) => {
            return document
                .file()
                .replaces()
                .filter(|replace| {
                    replace
                        .path()
                        .and_then(|token| token.value())
                        .is_some_and(|path| {
                            let version = replace.version().and_then(|token| token.value());
                            used.is_dead_replace(&path, version.as_deref())
                        })
                })
                .map(|replace| replace.range())
                .collect();
        }
        _ => return Vec::new(),
    }
    let file = document.file();
    let required: Vec<(String, String)> = file
        .requires()
        .filter_map(|require| {
            Some((
                require.path()?.value()?.into_owned(),
                require.version()?.value()?.into_owned(),
            ))
        })
        .collect();
    file.replaces()
        .filter(|replace| {
            let Some(path) = replace.path().and_then(|token| token.value()) else {
                return false;
            };
            let version = replace.version().and_then(|token| token.value());
            !required.iter().any(|(required_path, required_version)| {
                required_path == path.as_ref()
                    && version
                        .as_deref()
                        .is_none_or(|version| version == required_version)
            })
        })
        .map(|replace| replace.range())
        .collect()
}

/// The specs of excludes of a version nothing requires: neither this go.mod nor the go.sum
/// beside it (which holds every version of the module graph) names it. Without a go.sum
/// nothing tells which versions the graph holds, so no exclude is unnecessary.
fn unnecessary_excludes(document: &Document<'_>, go_sum: Option<&str>) -> Vec<Range<usize>> {
    let Some(go_sum) = go_sum.filter(|_| document.kind == FileKind::GoMod) else {
        return Vec::new();
    };
    let sum_tree = gomodls_syntax::parse(FileKind::GoSum, go_sum.as_bytes());
    let in_graph: HashSet<(&str, &str)> = SourceFile::new(&sum_tree, go_sum)
        .checksums()
        .filter_map(|line| {
            let version = line.version()?.text();
            let version = version.strip_suffix("/go.mod").unwrap_or(version);
            Some((line.path()?.text(), version))
        })
        .collect();
    let file = document.file();
    let required: HashSet<(String, String)> = file
        .requires()
        .filter_map(|require| {
            Some((
                require.path()?.value()?.into_owned(),
                require.version()?.value()?.into_owned(),
            ))
        })
        .collect();
    file.excludes()
        .filter(|exclude| {
            let path = exclude.path().and_then(|token| token.value());
            let version = exclude.version().and_then(|token| token.value());
            match (path, version) {
                (Some(path), Some(version)) => {
                    !in_graph.contains(&(path.as_ref(), version.as_ref()))
                        && !required.contains(&(path.into_owned(), version.into_owned()))
                }
                _ => false,
            }
        })
        .map(|exclude| exclude.range())
        .collect()
}

/// An edit deleting the whole line of the spec at `spec`, with its indentation and line break.
fn delete_line(document: &Document<'_>, spec: Range<usize>) -> TextEdit {
    let text = document.text;
    let end = document.trim_end(spec.clone()).end;
    let start = text
        .get(..spec.start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |newline| newline + 1);
    let end = text
        .get(end..)
        .and_then(|after| after.find('\n'))
        .map_or(text.len(), |newline| end + newline + 1);
    // Between two blank lines, take one of them too, as go's printer would when it can format
    // the result (it cannot when another line holds a version go rewrites).
    let blank_before = text
        .get(..start)
        .is_none_or(|before| before.is_empty() || before.ends_with("\n\n"));
    let rest = text.get(end..).unwrap_or_default();
    let blank_after = rest.trim_start_matches([' ', '\t', '\r']).starts_with('\n');
    let end = match (blank_before, blank_after) {
        (true, true) => rest.find('\n').map_or(end, |newline| end + newline + 1),
        _ => end,
    };
    // The last line after a blank one: the blank line goes too.
    let start = match blank_before && rest.trim().is_empty() {
        true => start.saturating_sub(1),
        false => start,
    };
    TextEdit {
        range: start..end,
        new_text: String::new(),
    }
}

/// Applies `raw` to the document, formats the result as go would and returns the difference to
/// the document as the smallest edits; `raw` itself when go cannot format the result.
fn finish(document: &Document<'_>, mut raw: Vec<TextEdit>) -> Vec<TextEdit> {
    raw.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let Some(changed) = apply(document.text, &raw) else {
        return raw;
    };
    let formatted = match document.kind {
        FileKind::GoMod => format_gomod(changed.as_bytes(), "go.mod").ok(),
        FileKind::GoWork => format_gowork(changed.as_bytes(), "go.work").ok(),
        FileKind::GoSum => None,
    };
    match formatted {
        Some(formatted) => minimal_edits(document.text, &formatted),
        None => raw,
    }
}

/// The text after sorted, non-overlapping edits; `None` if they overlap or leave the text.
fn apply(text: &str, edits: &[TextEdit]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        out.push_str(text.get(at..edit.range.start)?);
        out.push_str(&edit.new_text);
        at = edit.range.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

#[cfg(test)]
mod tests;
