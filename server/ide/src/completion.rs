//! Completion in go.mod and go.work files: directive keywords and block snippets, Go versions
//! and toolchain names, GODEBUG keys, `// indirect`, module paths, local module directories and
//! module versions.
//!
//! Everything the feature knows about modules arrives as plain values in [`ModuleData`], which
//! the lsp crate fills from what it finds on disk (other go.mod files, go.sum, the module cache)
//! and from the module proxy ([`ModuleVersions::from_facts`] turns a module's
//! [`crate::facts::ModuleFacts`] into its versions). When the versions of a module are not known yet, or are
//! still loading, the answer says so ([`Completions::incomplete`]) and names the module
//! ([`Completions::wanted_modules`]) so the caller can fetch it and the client asks again.

mod context;
mod go_releases;
mod godebugs;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use gomodls_syntax::FileKind;
use gomodls_syntax::{pseudo, semver};
use time::OffsetDateTime;
use tree_sitter::{Node, Tree};

use crate::facts::{DataStatus, FactsSnapshot, ModuleFacts, short_message};
use context::{Context, Token, TokenKind};

/// How many module paths one answer holds at most; more make the answer incomplete, so the
/// client asks again as the user types more of the path.
pub const MAX_MODULE_PATHS: usize = 100;

/// What the server knows about modules, as plain values. The lsp crate fills it; nothing in it
/// is fetched here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleData {
    /// Module paths known without asking a proxy, each once, with where it was seen.
    pub known_paths: Vec<KnownPath>,
    /// Whether [`ModuleData::known_paths`] is still being gathered.
    pub paths_loading: bool,
    /// Version data by module path. A module that is absent has no data yet.
    pub versions: HashMap<String, ModuleVersions>,
    /// The installed Go toolchain's version (bare, like `1.27.3`), if known: the Go versions
    /// offered reach up to it.
    pub go_toolchain: Option<String>,
}

/// A module path and where it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownPath {
    /// The module path.
    pub path: String,
    /// Where it was seen.
    pub source: PathSource,
}

/// Where a module path was seen, best first: completion ranks paths by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathSource {
    /// The module directive or a requirement of a go.mod in the workspace.
    Workspace,
    /// A go.sum or go.work.sum line.
    GoSum,
    /// The module cache (`GOMODCACHE/cache/download`).
    ModuleCache,
    /// A module proxy.
    Proxy,
}

/// The known versions of one module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleVersions {
    /// The versions, in any order.
    pub versions: Vec<ModuleVersion>,
    /// Whether the list is final; `false` while more is being fetched (for example, versions
    /// known from go.sum and the module cache while the proxy has not answered yet).
    pub complete: bool,
}

impl ModuleVersions {
    /// The versions the module proxy's facts give, with the versions known locally (go.sum and
    /// the module cache, pseudo-versions among them) added, and the retractions of the facts
    /// applied to all of them. Complete: the proxy has answered.
    pub fn from_facts(facts: &ModuleFacts, local: Option<&ModuleVersions>) -> ModuleVersions {
        let mut times: BTreeMap<&str, Option<OffsetDateTime>> = BTreeMap::new();
        for version in &facts.versions {
            times.insert(version, facts.times.get(version).copied());
        }
        for known in local.map_or(&[][..], |local| local.versions.as_slice()) {
            let time = times.entry(&known.version).or_default();
            *time = time.or(known.time);
        }
        let versions = times
            .into_iter()
            .map(|(version, time)| ModuleVersion {
                version: version.to_owned(),
                time: time.or_else(|| facts.times.get(version).copied()),
                retracted: retraction_rationale(facts, version),
            })
            .collect();
        ModuleVersions {
            versions,
            complete: true,
        }
    }
}

/// The rationale of the first retraction with one that covers `version` (empty if none has
/// one), or `None` when no retraction covers it.
fn retraction_rationale(facts: &ModuleFacts, version: &str) -> Option<String> {
    let mut covering = facts
        .retractions
        .iter()
        .filter(|retraction| retraction.contains(version))
        .peekable();
    covering.peek()?;
    Some(
        covering
            .map(|retraction| retraction.rationale.trim())
            .find(|rationale| !rationale.is_empty())
            .map(short_message)
            .unwrap_or_default(),
    )
}

/// One version of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleVersion {
    /// The version (`v1.2.3`, a pseudo-version, `v2.0.0+incompatible`).
    pub version: String,
    /// When it was published (the proxy's `.info` time), if known. A pseudo-version without
    /// one shows the commit time it carries.
    pub time: Option<OffsetDateTime>,
    /// `Some(rationale)` when the module's latest go.mod retracts this version; the rationale
    /// may be empty.
    pub retracted: Option<String>,
}

impl ModuleVersion {
    /// A version with no publish time that is not retracted.
    pub fn new(version: impl Into<String>) -> ModuleVersion {
        ModuleVersion {
            version: version.into(),
            time: None,
            retracted: None,
        }
    }
}

/// A directory near the document that holds a go.mod: a candidate for a `replace` target or a
/// `use` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalModule {
    /// The directory as a go.mod or go.work line names it: relative to the document's
    /// directory and starting with `./` or `../` (or `.` itself), or absolute.
    pub dir: String,
    /// The module path its go.mod declares, if it has a module line.
    pub module_path: Option<String>,
}

/// Everything completion looks at.
#[derive(Clone, Copy, Debug)]
pub struct CompletionInput<'a> {
    /// The document's kind; go.sum files get no completion.
    pub kind: FileKind,
    /// The document's text.
    pub text: &'a str,
    /// Its syntax tree.
    pub tree: &'a Tree,
    /// The cursor, a byte offset into `text`.
    pub offset: usize,
    /// What is known about modules.
    pub modules: &'a ModuleData,
    /// Directories near the document holding a go.mod.
    pub local_modules: &'a [LocalModule],
    /// Whether the client accepts snippets (`$0` tab stops); without them block snippets are
    /// inserted as plain text.
    pub snippets: bool,
    /// What the module proxy said, if the caller has a facts snapshot: a module's facts replace
    /// its [`ModuleData`] versions (merged with them by [`ModuleVersions::from_facts`]), and a
    /// module the proxy has not answered for yet makes the answer incomplete.
    pub facts: Option<&'a FactsSnapshot>,
}

/// The answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    /// The items, in the order they should be shown ([`CompletionItem::sort_text`] keeps it).
    pub items: Vec<CompletionItem>,
    /// Whether typing more may change the answer beyond filtering: data is still loading, or
    /// the list was cut at [`MAX_MODULE_PATHS`].
    pub incomplete: bool,
    /// Modules whose versions were asked for but are unknown or incomplete: the caller should
    /// load them.
    pub wanted_modules: Vec<String>,
    /// The module whose versions the version items are, when the answer lists versions: the
    /// caller may load what is missing about them (publish times) for the next answer.
    pub versions_of: Option<String>,
}

/// One completion item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows.
    pub label: String,
    /// What kind of thing it is.
    pub kind: CompletionKind,
    /// A short note beside the label (a publish time, where a path was seen).
    pub detail: Option<String>,
    /// Longer text (Markdown), if any.
    pub documentation: Option<String>,
    /// The bytes the item replaces: the whole token at the cursor, or an empty range.
    pub range: Range<usize>,
    /// The replacement text; a snippet when [`CompletionItem::snippet`] is set.
    pub new_text: String,
    /// Whether `new_text` uses snippet syntax.
    pub snippet: bool,
    /// The key clients sort by.
    pub sort_text: String,
    /// The text clients filter by.
    pub filter_text: String,
    /// Whether the item should be selected first.
    pub preselect: bool,
    /// Whether the item is shown as deprecated (a retracted version).
    pub deprecated: bool,
}

/// The kind of a completion item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// A directive keyword.
    Keyword,
    /// A directive with a block, as a snippet.
    Snippet,
    /// A module path.
    ModulePath,
    /// A module version.
    Version,
    /// A Go version or toolchain name.
    GoVersion,
    /// A local directory.
    Directory,
    /// A GODEBUG key.
    GodebugKey,
    /// A GODEBUG value.
    GodebugValue,
    /// A comment (`// indirect`).
    Comment,
    /// The `=>` of a replace line.
    Operator,
}

/// The completions at `input.offset`.
pub fn completions(input: &CompletionInput<'_>) -> Completions {
    if input.kind == FileKind::GoSum {
        return Completions::default();
    }
    let context = context::context(input.text, input.offset);
    let facts = FileFacts::read(input.tree, input.text);
    let mut builder = Builder {
        input,
        context: &context,
        answer: Completions::default(),
    };
    builder.complete(&facts);
    builder.answer
}

/// What the tree says about the rest of the file.
#[derive(Debug, Default)]
struct FileFacts {
    /// The path of the module directive.
    module_path: Option<String>,
    /// The paths of require lines.
    required: Vec<String>,
    /// The verbs of the `module`, `go` and `toolchain` directives present, with their byte
    /// ranges.
    directives: Vec<(&'static str, Range<usize>)>,
}

impl FileFacts {
    fn read(tree: &Tree, text: &str) -> FileFacts {
        let mut facts = FileFacts::default();
        let mut cursor = tree.walk();
        for child in tree.root_node().children(&mut cursor) {
            facts.visit(child, text);
        }
        facts
    }

    fn visit(&mut self, node: Node<'_>, text: &str) {
        let kind = node.kind();
        match kind {
            "module_spec" => {
                if self.module_path.is_none() {
                    self.module_path = path_field(node, text);
                }
                return;
            }
            "require_spec" => {
                self.required.extend(path_field(node, text));
                return;
            }
            "module_directive" => self.directives.push(("module", node.byte_range())),
            "go_directive" => self.directives.push(("go", node.byte_range())),
            "toolchain_directive" => self.directives.push(("toolchain", node.byte_range())),
            _ => {}
        }
        if kind.ends_with("_directive") || kind == "block" || node.is_error() {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                self.visit(child, text);
            }
        }
    }

    /// Whether a directive of `kind` exists outside `line`.
    fn has_directive_outside(&self, kind: &str, line: &Range<usize>) -> bool {
        self.directives.iter().any(|(found, range)| {
            *found == kind && (range.end <= line.start || range.start > line.end)
        })
    }
}

/// The unquoted text of a node's `path` field.
fn path_field(node: Node<'_>, text: &str) -> Option<String> {
    let path = node.child_by_field_name("path")?;
    let raw = text.get(path.byte_range())?;
    let token = Token {
        range: path.byte_range(),
        kind: match raw.starts_with(['"', '`']) {
            true => TokenKind::String,
            false => TokenKind::Word,
        },
    };
    Some(token.value(text))
}

struct Builder<'a> {
    input: &'a CompletionInput<'a>,
    context: &'a Context,
    answer: Completions,
}

/// The directives of go.mod, with what each one does (in our words) and whether it has a block
/// form.
const GOMOD_DIRECTIVES: &[(&str, &str, bool)] = &[
    ("module", "the module's path", false),
    ("go", "the minimum Go version", false),
    ("toolchain", "the suggested Go toolchain", false),
    ("godebug", "GODEBUG defaults for the main packages", true),
    ("require", "a module version the build needs at least", true),
    ("exclude", "a module version to skip", true),
    (
        "replace",
        "another module or a directory in place of a module",
        true,
    ),
    ("retract", "versions of this module not to use", true),
    ("tool", "a package to run with go tool", true),
    ("ignore", "a directory the go command skips", true),
];

/// The directives of go.work.
const GOWORK_DIRECTIVES: &[(&str, &str, bool)] = &[
    ("go", "the minimum Go version", false),
    ("toolchain", "the suggested Go toolchain", false),
    ("godebug", "GODEBUG defaults for the workspace", true),
    ("use", "a module directory in the workspace", true),
    (
        "replace",
        "another module or a directory in place of a module",
        true,
    ),
];

impl Builder<'_> {
    fn text(&self) -> &str {
        self.input.text
    }

    fn complete(&mut self, facts: &FileFacts) {
        let context = self.context;
        if let Some(comment) = &context.comment {
            self.indirect_comment(Some(comment.range.clone()));
            return;
        }
        let Some(verb) = context.verb.as_deref() else {
            self.keywords(facts);
            return;
        };
        let arguments: Vec<String> = context
            .arguments
            .iter()
            .map(|token| token.value(self.text()))
            .collect();
        let is_gomod = self.input.kind == FileKind::GoMod;
        match (verb, arguments.as_slice()) {
            ("go", []) => self.go_versions(),
            ("toolchain", []) => self.toolchains(),
            ("godebug", []) => self.godebug(),
            ("require", []) if is_gomod => {
                let current = self.current_value();
                let exclude: HashSet<&str> = facts
                    .required
                    .iter()
                    .map(String::as_str)
                    .filter(|path| Some(*path) != current.as_deref())
                    .collect();
                self.module_paths(&[], &exclude);
            }
            ("require", [path]) | ("exclude", [path]) if is_gomod => self.versions(path),
            ("require", [_, _]) if is_gomod => self.indirect_comment(None),
            ("exclude", []) if is_gomod => self.module_paths(&facts.required, &HashSet::new()),
            ("tool", []) if is_gomod => self.required_paths(&facts.required),
            ("retract", arguments) if is_gomod => self.retract(facts, arguments),
            ("use", []) if !is_gomod => self.local_modules(None),
            ("replace", arguments) => self.replace(facts, arguments),
            _ => {}
        }
    }

    /// The value of the token at the cursor, if any.
    fn current_value(&self) -> Option<String> {
        self.context
            .current
            .as_ref()
            .map(|token| token.value(self.text()))
    }

    fn prefix(&self) -> &str {
        self.context.prefix(self.text(), self.input.offset)
    }

    fn push(&mut self, item: Item) {
        let index = self.answer.items.len();
        self.answer.items.push(CompletionItem {
            filter_text: item.filter_text.unwrap_or_else(|| item.label.clone()),
            label: item.label,
            kind: item.kind,
            detail: item.detail,
            documentation: item.documentation,
            range: item.range.unwrap_or_else(|| self.context.replace.clone()),
            new_text: item.new_text,
            snippet: item.snippet,
            sort_text: format!("{index:05}"),
            preselect: item.preselect,
            deprecated: item.deprecated,
        });
    }

    fn keywords(&mut self, facts: &FileFacts) {
        let directives = match self.input.kind {
            FileKind::GoMod => GOMOD_DIRECTIVES,
            _ => GOWORK_DIRECTIVES,
        };
        let line = self.context.replace.clone();
        let line_break = self.context.line_break;
        for &(keyword, description, has_block) in directives {
            let singleton = matches!(keyword, "module" | "go" | "toolchain");
            if singleton && facts.has_directive_outside(keyword, &line) {
                continue;
            }
            self.push(Item {
                detail: Some(description.to_owned()),
                ..Item::new(keyword, CompletionKind::Keyword, format!("{keyword} "))
            });
            if !has_block {
                continue;
            }
            let (new_text, snippet) = match self.input.snippets {
                true => (format!("{keyword} ({line_break}\t$0{line_break})"), true),
                false => (format!("{keyword} ({line_break}\t{line_break})"), false),
            };
            self.push(Item {
                detail: Some(format!("{keyword} block")),
                filter_text: Some(keyword.to_owned()),
                snippet,
                ..Item::new(&format!("{keyword} (…)"), CompletionKind::Snippet, new_text)
            });
        }
    }

    fn go_versions(&mut self) {
        let installed = self.input.modules.go_toolchain.as_deref();
        let releases = go_releases::releases(installed, false);
        let preselect = preselected_release(&releases);
        for release in releases {
            self.push(Item {
                detail: release.installed.then(|| "installed toolchain".to_owned()),
                preselect: Some(&release.version) == preselect.as_ref(),
                ..Item::new(
                    &release.version,
                    CompletionKind::GoVersion,
                    release.version.clone(),
                )
            });
        }
    }

    fn toolchains(&mut self) {
        let installed = self.input.modules.go_toolchain.as_deref();
        let releases = go_releases::releases(installed, true);
        let preselect = preselected_release(&releases);
        for release in releases {
            let name = format!("go{}", release.version);
            self.push(Item {
                detail: release.installed.then(|| "installed toolchain".to_owned()),
                preselect: Some(&release.version) == preselect.as_ref(),
                ..Item::new(&name, CompletionKind::GoVersion, name.clone())
            });
        }
    }

    fn godebug(&mut self) {
        let Some(current) = self.context.current.clone() else {
            self.godebug_keys(self.context.replace.clone(), true);
            return;
        };
        let token = current.text(self.input.text);
        let Some(equals) = token.find('=') else {
            self.godebug_keys(current.range.clone(), true);
            return;
        };
        let equals_at = current.range.start + equals;
        if self.input.offset <= equals_at {
            self.godebug_keys(current.range.start..equals_at, false);
            return;
        }
        let key = token.get(..equals).unwrap_or("");
        self.godebug_values(key, equals_at + 1..current.range.end);
    }

    fn godebug_keys(&mut self, range: Range<usize>, with_equals: bool) {
        let suffix = if with_equals { "=" } else { "" };
        self.push(Item {
            detail: Some("the Go version whose defaults apply".to_owned()),
            range: Some(range.clone()),
            ..Item::new(
                "default",
                CompletionKind::GodebugKey,
                format!("default{suffix}"),
            )
        });
        for setting in godebugs::GODEBUGS {
            let detail = match setting.changed {
                Some(minor) if !setting.old.is_empty() => format!(
                    "{}; Go 1.{minor} changed the default (old: {}={})",
                    setting.package, setting.name, setting.old
                ),
                _ => setting.package.to_owned(),
            };
            self.push(Item {
                detail: Some(detail),
                range: Some(range.clone()),
                ..Item::new(
                    setting.name,
                    CompletionKind::GodebugKey,
                    format!("{}{suffix}", setting.name),
                )
            });
        }
    }

    fn godebug_values(&mut self, key: &str, range: Range<usize>) {
        if key == "default" {
            let installed = self.input.modules.go_toolchain.as_deref();
            for language in go_releases::language_versions(installed) {
                let value = format!("go{language}");
                self.push(Item {
                    range: Some(range.clone()),
                    ..Item::new(&value, CompletionKind::GodebugValue, value.clone())
                });
            }
            return;
        }
        let Some(setting) = godebugs::GODEBUGS
            .iter()
            .find(|setting| setting.name == key)
        else {
            return;
        };
        let (Some(minor), old @ ("0" | "1")) = (setting.changed, setting.old) else {
            return;
        };
        let new = if old == "0" { "1" } else { "0" };
        for (value, detail) in [
            (new, format!("the default since Go 1.{minor}")),
            (old, format!("the behaviour before Go 1.{minor}")),
        ] {
            self.push(Item {
                detail: Some(detail),
                range: Some(range.clone()),
                ..Item::new(value, CompletionKind::GodebugValue, value.to_owned())
            });
        }
    }

    /// `// indirect` after a require's version; `comment` is the comment being typed, if any.
    fn indirect_comment(&mut self, comment: Option<Range<usize>>) {
        let is_require_with_version = self.input.kind == FileKind::GoMod
            && self.context.verb.as_deref() == Some("require")
            && self.context.arguments.len() == 2;
        if !is_require_with_version {
            return;
        }
        let range = match comment {
            Some(range) => range,
            None => match &self.context.current {
                Some(current) if self.prefix().starts_with('/') => current.range.clone(),
                Some(_) => return,
                None => self.context.replace.clone(),
            },
        };
        let typed: String = self
            .text()
            .get(range.start..self.input.offset)
            .unwrap_or("")
            .chars()
            .filter(|character| !character.is_whitespace())
            .collect();
        // Nothing to offer once the marker is typed out.
        if !"//indirect".starts_with(&typed) || typed == "//indirect" {
            return;
        }
        self.push(Item {
            detail: Some("needed only by other modules".to_owned()),
            range: Some(range),
            ..Item::new(
                "// indirect",
                CompletionKind::Comment,
                "// indirect".to_owned(),
            )
        });
    }

    /// Module paths matching the token at the cursor: `preferred` first (paths this file
    /// already names), then the known ones by source; none of `exclude`.
    fn module_paths(&mut self, preferred: &[String], exclude: &HashSet<&str>) {
        let typed = self
            .prefix()
            .trim_start_matches(['"', '`'])
            .to_ascii_lowercase();
        let modules = self.input.modules;
        let mut ranked: Vec<(u8, PathSource, &str, bool)> = Vec::new();
        for path in preferred {
            if let Some(rank) = match_rank(path, &typed) {
                ranked.push((rank, PathSource::Workspace, path, true));
            }
        }
        // The known paths can be many (a whole module cache): nothing is allocated or hashed
        // per path here. Excluded and repeated paths are dropped from the best few only, which
        // are enough: each dropped one frees at most one place.
        for known in &modules.known_paths {
            if let Some(rank) = match_rank(&known.path, &typed) {
                ranked.push((rank, known.source, &known.path, false));
            }
        }
        let matched = ranked.len();
        let enough = MAX_MODULE_PATHS + exclude.len() + preferred.len();
        if matched > enough {
            ranked.select_nth_unstable_by_key(enough, path_order);
            ranked.truncate(enough);
        }
        ranked.sort_unstable_by_key(path_order);
        let mut shown: HashSet<&str> = exclude.clone();
        ranked.retain(|&(_, _, path, _)| shown.insert(path));
        if matched > enough || ranked.len() > MAX_MODULE_PATHS || modules.paths_loading {
            self.answer.incomplete = true;
        }
        let chosen: Vec<(String, Option<String>)> = ranked
            .into_iter()
            .take(MAX_MODULE_PATHS)
            .map(|(_, source, path, here)| {
                let detail = match (here, source) {
                    (true, _) => "required here",
                    (false, PathSource::Workspace) => "in the workspace",
                    (false, PathSource::GoSum) => "in go.sum",
                    (false, PathSource::ModuleCache) => "in the module cache",
                    (false, PathSource::Proxy) => "from the module proxy",
                };
                (path.to_owned(), Some(detail.to_owned()))
            })
            .collect();
        for (path, detail) in chosen {
            self.push(Item {
                detail,
                ..Item::new(&path, CompletionKind::ModulePath, path.clone())
            });
        }
    }

    /// The module paths this file requires (tool packages live in them).
    fn required_paths(&mut self, required: &[String]) {
        let mut seen = HashSet::new();
        for path in required {
            if seen.insert(path) {
                self.push(Item {
                    detail: Some("required here".to_owned()),
                    ..Item::new(path, CompletionKind::ModulePath, path.clone())
                });
            }
        }
    }

    /// The versions of `path`, newest first, the latest release preselected.
    fn versions(&mut self, path: &str) {
        let local = self.input.modules.versions.get(path);
        let facts = self.input.facts;
        let merged;
        let known = match facts.and_then(|facts| facts.module(path)) {
            Some(module_facts) => {
                merged = ModuleVersions::from_facts(module_facts, local);
                Some(&merged)
            }
            None => local,
        };
        // The proxy has not answered for this module yet, and will (the facts layer fetches
        // every module a document names, unless the network is off).
        let proxy_pending = facts.is_some_and(|facts| {
            !facts.modules.contains_key(path) && facts.status != DataStatus::Offline
        });
        let Some(known) = known else {
            self.answer.incomplete = true;
            self.answer.wanted_modules.push(path.to_owned());
            return;
        };
        if !known.complete || proxy_pending {
            self.answer.incomplete = true;
            self.answer.wanted_modules.push(path.to_owned());
        }
        let mut versions: Vec<&ModuleVersion> = known.versions.iter().collect();
        versions.sort_by(|a, b| semver::compare_for_sort(&b.version, &a.version));
        versions.dedup_by(|a, b| a.version == b.version);
        let latest = latest(&versions);
        self.answer.versions_of = Some(path.to_owned());
        for version in versions {
            let item = version_item(version, latest == Some(version.version.as_str()));
            self.push(item);
        }
    }

    fn retract(&mut self, facts: &FileFacts, arguments: &[String]) {
        let at_version = match arguments.last().map(String::as_str) {
            None | Some("[" | ",") => true,
            Some(_) => false,
        };
        if !at_version {
            return;
        }
        if let Some(path) = &facts.module_path {
            self.versions(path);
        }
    }

    fn replace(&mut self, facts: &FileFacts, arguments: &[String]) {
        let arrow = arguments.iter().position(|argument| argument == "=>");
        match (arrow, arguments) {
            (None, []) => self.module_paths(&facts.required, &HashSet::new()),
            (None, [path]) => {
                self.arrow();
                self.versions(path);
            }
            (None, [_, _]) => self.arrow(),
            (Some(arrow), _) => {
                let old = arguments.first().cloned();
                match arguments.get(arrow + 1..).unwrap_or_default() {
                    [] => {
                        self.local_modules(old.as_deref());
                        let typing_directory = self.prefix().starts_with(['.', '/', '\\']);
                        if !typing_directory {
                            self.module_paths(&[], &HashSet::new());
                        }
                    }
                    [new]
                        if !gomodls_syntax::module_path::is_directory_path(new)
                            && arguments.len() == arrow + 2 =>
                    {
                        self.versions(new);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn arrow(&mut self) {
        self.push(Item {
            detail: Some("replace with".to_owned()),
            ..Item::new("=>", CompletionKind::Operator, "=> ".to_owned())
        });
    }

    /// Directories holding a go.mod; the one whose module is `replaced` comes first and is
    /// preselected.
    fn local_modules(&mut self, replaced: Option<&str>) {
        let is_gomod = self.input.kind == FileKind::GoMod;
        let mut candidates: Vec<&LocalModule> = self
            .input
            .local_modules
            .iter()
            .filter(|local| !(is_gomod && local.dir == "."))
            .collect();
        candidates.sort_by_key(|local| {
            (
                replaced.is_none() || local.module_path.as_deref() != replaced,
                local.dir.clone(),
            )
        });
        for local in candidates {
            let matches = replaced.is_some() && local.module_path.as_deref() == replaced;
            let detail = match &local.module_path {
                Some(path) => format!("module {path}"),
                None => "go.mod without a module line".to_owned(),
            };
            self.push(Item {
                detail: Some(detail),
                preselect: matches,
                ..Item::new(&local.dir, CompletionKind::Directory, local.dir.clone())
            });
        }
    }
}

/// The parts of an item before it gets its place in the list.
struct Item {
    label: String,
    kind: CompletionKind,
    new_text: String,
    detail: Option<String>,
    documentation: Option<String>,
    range: Option<Range<usize>>,
    filter_text: Option<String>,
    snippet: bool,
    preselect: bool,
    deprecated: bool,
}

impl Item {
    fn new(label: &str, kind: CompletionKind, new_text: String) -> Item {
        Item {
            label: label.to_owned(),
            kind,
            new_text,
            detail: None,
            documentation: None,
            range: None,
            filter_text: None,
            snippet: false,
            preselect: false,
            deprecated: false,
        }
    }
}

/// The release to preselect: the installed toolchain's, else the newest.
fn preselected_release(releases: &[go_releases::Release]) -> Option<String> {
    releases
        .iter()
        .find(|release| release.installed)
        .or_else(|| releases.first())
        .map(|release| release.version.clone())
}

/// The order of matched module paths: those this file names first, then by match rank, source
/// and path.
fn path_order<'a>(
    &(rank, source, path, here): &(u8, PathSource, &'a str, bool),
) -> (bool, u8, PathSource, &'a str) {
    (!here, rank, source, path)
}

/// How well `path` matches `typed` (in ASCII lower case): 0 for a prefix, 1 for the start of a
/// path element, 2 anywhere; `None` for no match. ASCII case is ignored; nothing is allocated,
/// as this runs over every known path.
fn match_rank(path: &str, typed: &str) -> Option<u8> {
    let (path, typed) = (path.as_bytes(), typed.as_bytes());
    let Some(&first) = typed.first() else {
        return Some(0);
    };
    let mut best = None;
    for (start, &byte) in path.iter().enumerate() {
        if byte.to_ascii_lowercase() != first
            || !path
                .get(start..start + typed.len())
                .is_some_and(|window| window.eq_ignore_ascii_case(typed))
        {
            continue;
        }
        let rank = match start.checked_sub(1).map(|before| path.get(before)) {
            None => return Some(0),
            Some(Some(b'/' | b'.' | b'-')) => return Some(1),
            Some(_) => 2,
        };
        best = Some(rank);
    }
    best
}

/// Go's `latest`: the newest release that is not retracted, else the newest pre-release that is
/// not retracted and not a pseudo-version, else the newest version that is not retracted.
/// `versions` are sorted newest first.
fn latest<'a>(versions: &[&'a ModuleVersion]) -> Option<&'a str> {
    let usable = || {
        versions
            .iter()
            .filter(|version| version.retracted.is_none())
    };
    usable()
        .find(|version| {
            semver::is_valid(&version.version) && !semver::is_prerelease(&version.version)
        })
        .or_else(|| {
            usable().find(|version| {
                semver::is_valid(&version.version) && !pseudo::is_pseudo_version(&version.version)
            })
        })
        .or_else(|| usable().next())
        .map(|version| version.version.as_str())
}

fn version_item(version: &ModuleVersion, preselect: bool) -> Item {
    let text = &version.version;
    let is_pseudo = pseudo::is_pseudo_version(text);
    let time = version.time.or_else(|| {
        is_pseudo
            .then(|| pseudo::pseudo_version_time(text).ok())
            .flatten()
    });
    let mut notes: Vec<String> = Vec::new();
    if let Some(time) = time {
        notes.push(format_date(time));
    }
    if is_pseudo {
        notes.push("pseudo-version".to_owned());
    } else if semver::is_prerelease(text) {
        notes.push("pre-release".to_owned());
    }
    if preselect {
        notes.push("latest".to_owned());
    }
    let documentation = match &version.retracted {
        Some(rationale) if !rationale.is_empty() => {
            notes.push("retracted".to_owned());
            Some(format!("Retracted: {rationale}"))
        }
        Some(_) => {
            notes.push("retracted".to_owned());
            None
        }
        None => None,
    };
    Item {
        detail: Some(notes.join(" · ")).filter(|detail| !detail.is_empty()),
        documentation,
        preselect,
        deprecated: version.retracted.is_some(),
        ..Item::new(text, CompletionKind::Version, text.clone())
    }
}

/// `2024-05-01`.
fn format_date(time: OffsetDateTime) -> String {
    let date = time.to_offset(time::UtcOffset::UTC).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests;
