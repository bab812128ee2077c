//! Hover with module facts: the plain [`crate::hover`] answer plus what the module proxy said
//! about the module under the cursor (publish time, latest version of its major, newer majors,
//! retraction, deprecation, what a replacement substitutes) and links (pkg.go.dev, never for
//! private modules; the source repository on well-known hosts). On a retract line: its rationale,
//! which published versions of this module it covers and whether the newest published go.mod
//! already retracts them; on a tool line: the module that provides the package; on an ignore
//! line: which directories package patterns skip.

use time::macros::format_description;

use crate::document::Document;
use crate::facts::{FactsSnapshot, short_message};
use crate::hover::{HoverText, hover};
use gomodls_syntax::FileKind;
use gomodls_syntax::semver;
use gomodls_syntax::views::Token;

/// The hover at `offset`, with module facts where the cursor is on a module.
pub fn hover_with_facts(
    document: &Document<'_>,
    offset: usize,
    facts: &FactsSnapshot,
) -> Option<HoverText> {
    let mut found = hover(document, offset)?;
    let paragraphs = match line_at(document, offset) {
        Some(Line::Retract {
            low,
            high,
            rationale,
        }) => retract_paragraphs(document, &low, &high, &rationale, facts),
        Some(Line::Ignore(path)) => ignore_paragraphs(&path),
        Some(Line::Tool { package, module }) => {
            let mut out = vec![tool_paragraph(document, &package, module.as_ref())];
            if let Some(target) = module {
                out.extend(paragraphs(&target, facts));
            }
            out
        }
        Some(Line::Module(target)) => paragraphs(&target, facts),
        None => Vec::new(),
    };
    for paragraph in paragraphs {
        found.markdown.push_str("\n\n");
        found.markdown.push_str(&paragraph);
        found.plaintext.push_str("\n\n");
        found.plaintext.push_str(&plain(&paragraph));
    }
    Some(found)
}

/// The module a hover is about, with its version and what replaces it.
struct Target {
    path: String,
    version: Option<String>,
    substitute: Option<String>,
}

fn inside(token: Option<Token<'_>>, offset: usize) -> bool {
    token.is_some_and(|token| {
        let range = token.range();
        range.start <= offset && offset <= range.end
    })
}

fn value(token: Option<Token<'_>>) -> Option<String> {
    token
        .and_then(|token| token.value())
        .map(|value| value.into_owned())
}

fn module_at(document: &Document<'_>, offset: usize) -> Option<Target> {
    let file = document.file();
    if document.kind == FileKind::GoSum {
        let line = file.checksums().find(|line| {
            let range = line.range();
            range.start <= offset && offset <= range.end
        })?;
        return Some(Target {
            path: line.path()?.text().to_owned(),
            version: line.version().map(|token| token.text().to_owned()),
            substitute: None,
        });
    }
    for spec in file.requires() {
        if inside(spec.path(), offset) || inside(spec.version(), offset) {
            return Some(Target {
                path: value(spec.path())?,
                version: value(spec.version()),
                substitute: None,
            });
        }
    }
    for spec in file.excludes() {
        if inside(spec.path(), offset) || inside(spec.version(), offset) {
            return Some(Target {
                path: value(spec.path())?,
                version: value(spec.version()),
                substitute: None,
            });
        }
    }
    for spec in file.replaces() {
        let replacement = spec.replacement();
        if inside(spec.path(), offset) || inside(spec.version(), offset) {
            let substitute = replacement.map(|replacement| {
                let target = value(Some(replacement.token())).unwrap_or_default();
                match value(spec.replacement_version()) {
                    Some(version) => format!("{target} {version}"),
                    None => target,
                }
            });
            return Some(Target {
                path: value(spec.path())?,
                version: value(spec.version()),
                substitute,
            });
        }
        if let Some(replacement) = replacement
            && !replacement.is_directory()
            && (inside(Some(replacement.token()), offset)
                || inside(spec.replacement_version(), offset))
        {
            return Some(Target {
                path: value(Some(replacement.token()))?,
                version: value(spec.replacement_version()),
                substitute: None,
            });
        }
    }
    None
}

/// What the line under the cursor is about.
enum Line {
    /// A module (require, exclude, replace, go.sum line).
    Module(Target),
    /// A retraction of versions of this module, with its rationale as go reads it.
    Retract {
        low: String,
        high: String,
        rationale: String,
    },
    /// A tool package and the required module that provides it.
    Tool {
        package: String,
        module: Option<Target>,
    },
    /// An ignored directory.
    Ignore(String),
}

fn line_at(document: &Document<'_>, offset: usize) -> Option<Line> {
    if let Some(target) = module_at(document, offset) {
        return Some(Line::Module(target));
    }
    if document.kind != FileKind::GoMod {
        return None;
    }
    let file = document.file();
    for spec in file.retracts() {
        if !spec.versions().any(|token| inside(Some(token), offset)) {
            continue;
        }
        let (low, high) = match (spec.version(), spec.interval()) {
            (Some(version), _) => (value(Some(version))?, value(Some(version))?),
            (None, Some(interval)) => (value(interval.low())?, value(interval.high())?),
            (None, None) => return None,
        };
        let rationale = retract_rationale(document.text, offset).unwrap_or_default();
        return Some(Line::Retract {
            low,
            high,
            rationale,
        });
    }
    for spec in file.tools() {
        if inside(spec.path(), offset) {
            // A tool names a package; its module is the longest required path that prefixes it.
            let package = value(spec.path())?;
            let module = file
                .requires()
                .filter_map(|require| value(require.path()).zip(Some(value(require.version()))))
                .filter(|(path, _)| package == *path || package.starts_with(&format!("{path}/")))
                .max_by_key(|(path, _)| path.len())
                .map(|(path, version)| Target {
                    path,
                    version,
                    substitute: None,
                });
            return Some(Line::Tool { package, module });
        }
    }
    for spec in file.ignores() {
        if inside(spec.path(), offset) {
            return Some(Line::Ignore(value(spec.path())?));
        }
    }
    None
}

/// The rationale go reads for the retraction on the line at `offset` (the comments before and
/// after it, or its block's), when the file reads without syntax errors.
fn retract_rationale(text: &str, offset: usize) -> Option<String> {
    let mut syntax = gomodls_syntax::modfile::read::read(text.as_bytes(), "go.mod").ok()?;
    let (file, _) = gomodls_syntax::modfile::rules::parse_gomod(&mut syntax, false);
    file.retract
        .into_iter()
        .find(|retract| retract.syntax.range.start <= offset && offset <= retract.syntax.range.end)
        .map(|retract| retract.rationale)
}

/// This module's own path (from its `module` line).
fn own_module_path(document: &Document<'_>) -> Option<String> {
    document
        .file()
        .modules()
        .find_map(|module| value(module.path()))
}

fn retract_paragraphs(
    document: &Document<'_>,
    low: &str,
    high: &str,
    rationale: &str,
    facts: &FactsSnapshot,
) -> Vec<String> {
    let mut out = Vec::new();
    let rationale = short_message(rationale);
    match rationale.is_empty() {
        true => out.push(
            "No rationale: a comment on the line tells users why these versions are retracted."
                .to_owned(),
        ),
        false => out.push(format!("Rationale: {rationale}")),
    }
    let Some(path) = own_module_path(document) else {
        return out;
    };
    if let Some(failure) = facts.failure(&path) {
        out.push(format!("Module data unavailable: {failure}"));
        return out;
    }
    let Some(module) = facts.module(&path) else {
        return out;
    };
    let covers = |version: &str| {
        semver::compare(low, version).is_le() && semver::compare(version, high).is_le()
    };
    let covered: Vec<&str> = module
        .versions
        .iter()
        .map(String::as_str)
        .filter(|version| covers(version))
        .collect();
    if covered.is_empty() {
        out.push(format!(
            "No published version of `{path}` lies in this range."
        ));
        return out;
    }
    const SHOWN: usize = 10;
    let mut listed: Vec<String> = covered
        .iter()
        .take(SHOWN)
        .map(|v| format!("`{v}`"))
        .collect();
    if covered.len() > SHOWN {
        listed.push(format!("and {} more", covered.len() - SHOWN));
    }
    out.push(format!(
        "Published versions retracted: {}.",
        listed.join(", ")
    ));
    let highest = module
        .versions
        .iter()
        .filter(|version| !semver::is_prerelease(version))
        .max_by(|a, b| semver::compare(a, b))
        .or_else(|| module.versions.iter().max_by(|a, b| semver::compare(a, b)));
    let in_effect = covered.iter().all(|version| module.is_retracted(version));
    if let Some(highest) = highest.filter(|highest| covers(highest)) {
        out.push(match in_effect {
            true => format!(
                "The newest version `{highest}` is retracted: `go get {path}@latest` picks an older one."
            ),
            false => format!(
                "The newest version `{highest}` is among them: once this is published, \
                 `go get {path}@latest` picks an older one."
            ),
        });
    }
    match in_effect {
        true => {
            out.push("In effect: the newest published go.mod retracts these versions.".to_owned())
        }
        false => out.push(
            "Not in effect yet: the newest published go.mod does not retract all of them; \
             publish a version with this go.mod to retract them."
                .to_owned(),
        ),
    }
    out
}

fn ignore_paragraphs(path: &str) -> Vec<String> {
    let trimmed = path.trim_end_matches('/');
    let paragraph = match trimmed.strip_prefix("./") {
        Some(relative) => format!(
            "The directory `{relative}` at the root of this module, and everything under it, is \
             skipped when a package pattern with `...` (such as `./...`) is expanded."
        ),
        None => format!(
            "Every file or directory whose path within this module contains `{trimmed}` as whole \
             elements, at any depth, is skipped (with everything under it) when a package pattern with `...` \
             (such as `./...`) is expanded. Write `./{trimmed}` to mean only the one at the module root."
        ),
    };
    vec![paragraph]
}

fn tool_paragraph(document: &Document<'_>, package: &str, module: Option<&Target>) -> String {
    if let Some(own) = own_module_path(document)
        && (package == own || package.starts_with(&format!("{own}/")))
    {
        return format!("`{package}` is a package of this module.");
    }
    match module {
        Some(Target {
            path,
            version: Some(version),
            ..
        }) => format!("Provided by module `{path} {version}`."),
        Some(Target { path, .. }) => format!("Provided by module `{path}`."),
        None => {
            format!("No required module provides `{package}`: `go mod tidy` adds the requirement.")
        }
    }
}

fn date(time: &time::OffsetDateTime) -> String {
    time.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

fn paragraphs(target: &Target, facts: &FactsSnapshot) -> Vec<String> {
    let mut out = Vec::new();
    let path = target.path.as_str();
    if let Some(substitute) = &target.substitute {
        out.push(format!("Substituted by `{substitute}`."));
    }
    if let Some(failure) = facts.failure(path) {
        out.push(format!("Module data unavailable: {failure}"));
    }
    if let Some(module) = facts.module(path) {
        if let Some(version) = &target.version {
            if let Some(time) = module.times.get(version) {
                out.push(format!("`{version}` published {}.", date(time)));
            }
            if let Some(message) = module.retraction_message(version) {
                out.push(format!("**Retracted**: {message}"));
            }
            let major = semver::major(version);
            let latest = module
                .latest
                .as_deref()
                .filter(|latest| semver::major(latest) == major)
                .or_else(|| {
                    module
                        .majors
                        .iter()
                        .find(|entry| entry.major == major)
                        .and_then(|entry| entry.release.as_deref().or(entry.prerelease.as_deref()))
                });
            if let Some(latest) = latest {
                let when = module
                    .times
                    .get(latest)
                    .map(|time| format!(" ({})", date(time)))
                    .unwrap_or_default();
                out.push(format!("Latest {major}: `{latest}`{when}."));
            }
        }
        if !module.newer_majors.is_empty() {
            let newer: Vec<String> = module
                .newer_majors
                .iter()
                .map(|newer| match &newer.latest {
                    Some(latest) => format!("`{} {latest}`", newer.path),
                    None => format!("`{}`", newer.path),
                })
                .collect();
            out.push(format!("Newer major versions: {}.", newer.join(", ")));
        }
        if let Some(message) = module.deprecation_message() {
            out.push(format!("**Deprecated**: {message}"));
        }
    }
    let mut links = Vec::new();
    if !facts.is_private(path) {
        let at = target
            .version
            .as_deref()
            .map(|version| format!("@{version}"))
            .unwrap_or_default();
        links.push(format!("[pkg.go.dev](https://pkg.go.dev/{path}{at})"));
    }
    if let Some(repository) = repository(path) {
        links.push(format!("[source]({repository})"));
    }
    if !links.is_empty() {
        out.push(links.join(" · "));
    }
    out
}

/// The source repository of a module on a well-known host: the repository of the path's first
/// elements (a major version suffix or a subdirectory module lives in the same repository).
fn repository(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [
            host @ ("github.com" | "gitlab.com" | "bitbucket.org" | "codeberg.org"),
            owner,
            repo,
            ..,
        ] => Some(format!("https://{host}/{owner}/{repo}")),
        ["go.googlesource.com", repo, ..] | ["golang.org", "x", repo, ..] => {
            Some(format!("https://go.googlesource.com/{repo}"))
        }
        // gopkg.in/pkg.vN is github.com/go-pkg/pkg; gopkg.in/user/pkg.vN is github.com/user/pkg.
        ["gopkg.in", user, package, ..] if gopkg_name(package).is_some() => Some(format!(
            "https://github.com/{user}/{}",
            gopkg_name(package)?
        )),
        ["gopkg.in", package, ..] => {
            let name = gopkg_name(package)?;
            Some(format!("https://github.com/go-{name}/{name}"))
        }
        _ => None,
    }
}

/// The package name of a gopkg.in element `name.vN`, if it is one.
fn gopkg_name(element: &str) -> Option<&str> {
    let (name, major) = element.rsplit_once(".v")?;
    let is_major = !major.is_empty() && major.bytes().all(|byte| byte.is_ascii_digit());
    (is_major && !name.is_empty()).then_some(name)
}

/// A paragraph without markdown: links as `text: url`, no code spans or emphasis.
fn plain(paragraph: &str) -> String {
    let mut out = String::new();
    let mut rest = paragraph;
    while let Some(open) = rest.find('[') {
        let Some(middle) = rest[open..].find("](").map(|at| open + at) else {
            break;
        };
        let Some(close) = rest[middle..].find(')').map(|at| middle + at) else {
            break;
        };
        out.push_str(rest.get(..open).unwrap_or_default());
        out.push_str(rest.get(open + 1..middle).unwrap_or_default());
        out.push_str(": ");
        out.push_str(rest.get(middle + 2..close).unwrap_or_default());
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out.replace('`', "").replace("**", "")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use expect_test::expect;
    use time::macros::datetime;

    use super::*;
    use crate::document::fixture;
    use crate::facts::{MajorLatest, ModuleFacts, ModuleState, NewerMajor, Retraction};

    fn facts() -> FactsSnapshot {
        let module = ModuleFacts {
            path: "github.com/o/r".to_owned(),
            versions: ["v1.0.0", "v1.1.0", "v1.2.0"].map(String::from).to_vec(),
            majors: vec![MajorLatest {
                major: "v1".to_owned(),
                release: Some("v1.2.0".to_owned()),
                prerelease: None,
            }],
            latest: Some("v1.2.0".to_owned()),
            newer_majors: vec![NewerMajor {
                path: "github.com/o/r/v2".to_owned(),
                latest: Some("v2.0.0".to_owned()),
            }],
            retractions: vec![Retraction {
                low: "v1.1.0".to_owned(),
                high: "v1.1.0".to_owned(),
                rationale: "broken".to_owned(),
            }],
            deprecation: Some("use v2".to_owned()),
            times: [
                ("v1.1.0".to_owned(), datetime!(2023-03-01 00:00 UTC)),
                ("v1.2.0".to_owned(), datetime!(2023-04-01 00:00 UTC)),
            ]
            .into_iter()
            .collect(),
            cached: false,
        };
        let mut modules = HashMap::new();
        modules.insert(module.path.clone(), ModuleState::Loaded(Arc::new(module)));
        modules.insert(
            "corp.example/secret".to_owned(),
            ModuleState::Failed("unreachable".to_owned()),
        );
        FactsSnapshot {
            modules,
            private_patterns: "corp.example".to_owned(),
            ..FactsSnapshot::default()
        }
    }

    fn check(kind: FileKind, fixture_text: &str) -> HoverText {
        let (parsed, offset) = fixture::cursor(kind, fixture_text);
        hover_with_facts(&parsed.document(), offset, &facts()).unwrap()
    }

    /// What the facts added to the plain hover, in plain text.
    pub(super) fn added(kind: FileKind, fixture_text: &str, found: &HoverText) -> String {
        let (parsed, offset) = fixture::cursor(kind, fixture_text);
        let base = hover(&parsed.document(), offset).unwrap();
        found
            .plaintext
            .strip_prefix(&base.plaintext)
            .unwrap()
            .trim_start()
            .to_owned()
    }

    #[test]
    fn require_line_shows_facts_and_links() {
        let found = check(
            FileKind::GoMod,
            "module m\n\nrequire github.com/o/r v1.1$0.0\n",
        );
        expect![[r#"
            v1.1.0 published 2023-03-01.

            Retracted: retracted by module author: broken

            Latest v1: v1.2.0 (2023-04-01).

            Newer major versions: github.com/o/r/v2 v2.0.0.

            Deprecated: use v2

            pkg.go.dev: https://pkg.go.dev/github.com/o/r@v1.1.0 · source: https://github.com/o/r"#]]
        .assert_eq(&added(FileKind::GoMod, "module m\n\nrequire github.com/o/r v1.1$0.0\n", &found));
        assert!(
            found
                .markdown
                .contains("**Retracted**: retracted by module author: broken")
        );
    }

    #[test]
    fn private_modules_get_no_public_link_and_failures_are_told() {
        let found = check(
            FileKind::GoMod,
            "module m\n\nrequire corp.example/se$0cret v1.0.0\n",
        );
        assert!(
            found
                .plaintext
                .contains("Module data unavailable: unreachable")
        );
        assert!(!found.plaintext.contains("pkg.go.dev"));
    }

    #[test]
    fn replace_tells_what_substitutes_and_go_sum_lines_get_facts() {
        let found = check(
            FileKind::GoMod,
            "module m\n\nreplace github.com/o/$0r => ../local\n",
        );
        assert!(found.plaintext.contains("Substituted by ../local."));
        let found = check(
            FileKind::GoSum,
            "github.com/o/r v1.2$0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        );
        assert!(found.plaintext.contains("Latest v1: v1.2.0 (2023-04-01)."));
    }
}

#[cfg(test)]
mod line_tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use expect_test::expect;

    use super::*;
    use crate::document::fixture;
    use crate::facts::{ModuleFacts, ModuleState, Retraction};

    /// Facts of this module (`example.com/me`): five versions, the newest go.mod retracting
    /// v1.1.0 only.
    fn facts() -> FactsSnapshot {
        let module = ModuleFacts {
            path: "example.com/me".to_owned(),
            versions: ["v1.0.0", "v1.1.0", "v1.1.1", "v1.2.0-rc.1", "v1.2.0"]
                .map(String::from)
                .to_vec(),
            retractions: vec![Retraction {
                low: "v1.1.0".to_owned(),
                high: "v1.1.0".to_owned(),
                rationale: String::new(),
            }],
            ..ModuleFacts::default()
        };
        let mut modules = HashMap::new();
        modules.insert(module.path.clone(), ModuleState::Loaded(Arc::new(module)));
        FactsSnapshot {
            modules,
            ..FactsSnapshot::default()
        }
    }

    /// What `facts` add to the plain hover of a go.mod fixture, in plain text.
    fn added(fixture_text: &str, facts: &FactsSnapshot) -> String {
        let (parsed, offset) = fixture::cursor(FileKind::GoMod, fixture_text);
        let found = hover_with_facts(&parsed.document(), offset, facts).unwrap();
        super::tests::added(FileKind::GoMod, fixture_text, &found)
    }

    #[test]
    fn retract_lists_published_versions_rationale_and_whether_in_effect() {
        expect![[r#"
            Rationale: v1.1.0 was broken

            Published versions retracted: v1.1.0.

            In effect: the newest published go.mod retracts these versions."#]]
        .assert_eq(&added(
            "module example.com/me\n\n// v1.1.0 was broken\nretract v1.1$0.0\n",
            &facts(),
        ));
        expect![[r#"
            Rationale: self-retract

            Published versions retracted: v1.1.1, v1.2.0-rc.1, v1.2.0.

            The newest version v1.2.0 is among them: once this is published, go get example.com/me@latest picks an older one.

            Not in effect yet: the newest published go.mod does not retract all of them; publish a version with this go.mod to retract them."#]]
        .assert_eq(&added(
            "module example.com/me\n\nretract (\n\t[v1.1.1, v1.2$0.0] // self-retract\n)\n",
            &facts(),
        ));
        expect![[r#"
            No rationale: a comment on the line tells users why these versions are retracted.

            No published version of example.com/me lies in this range."#]]
        .assert_eq(&added(
            "module example.com/me\n\nretract v0.9$0.0\n",
            &facts(),
        ));
        // Before the facts arrive, the rationale alone.
        expect!["Rationale: oops"].assert_eq(&added(
            "module example.com/me\n\nretract v0.9$0.0 // oops\n",
            &FactsSnapshot::default(),
        ));
    }

    #[test]
    fn tool_names_the_module_that_provides_it() {
        let provided = added(
            "module example.com/me\n\nrequire example.com/tools v1.0.0\n\ntool example.com/tools/cmd/g$0en\n",
            &FactsSnapshot::default(),
        );
        assert!(
            provided.starts_with("Provided by module example.com/tools v1.0.0."),
            "{provided}"
        );
        assert!(
            provided.contains("https://pkg.go.dev/example.com/tools@v1.0.0"),
            "{provided}"
        );
        expect!["example.com/me/cmd/x is a package of this module."].assert_eq(&added(
            "module example.com/me\n\ntool example.com/me/cmd/$0x\n",
            &FactsSnapshot::default(),
        ));
        expect![
            "No required module provides example.com/none/cmd: go mod tidy adds the requirement."
        ]
        .assert_eq(&added(
            "module example.com/me\n\ntool example.com/none/$0cmd\n",
            &FactsSnapshot::default(),
        ));
    }

    #[test]
    fn ignore_says_which_directories_are_skipped() {
        expect!["The directory third_party/big at the root of this module, and everything under it, is skipped when a package pattern with ... (such as ./...) is expanded."]
            .assert_eq(&added(
                "module example.com/me\n\nignore ./third_party/b$0ig/\n",
                &FactsSnapshot::default(),
            ));
        expect!["Every file or directory whose path within this module contains node_modules as whole elements, at any depth, is skipped (with everything under it) when a package pattern with ... (such as ./...) is expanded. Write ./node_modules to mean only the one at the module root."]
            .assert_eq(&added(
                "module example.com/me\n\nignore node_$0modules\n",
                &FactsSnapshot::default(),
            ));
    }

    #[test]
    fn source_repositories_of_well_known_hosts() {
        let cases = [
            ("github.com/o/r/v2", Some("https://github.com/o/r")),
            ("github.com/o/r/sub", Some("https://github.com/o/r")),
            ("gitlab.com/g/p", Some("https://gitlab.com/g/p")),
            ("bitbucket.org/o/r", Some("https://bitbucket.org/o/r")),
            ("golang.org/x/mod", Some("https://go.googlesource.com/mod")),
            (
                "go.googlesource.com/tools",
                Some("https://go.googlesource.com/tools"),
            ),
            ("gopkg.in/yaml.v3", Some("https://github.com/go-yaml/yaml")),
            (
                "gopkg.in/src-d/go-git.v4",
                Some("https://github.com/src-d/go-git"),
            ),
            ("gopkg.in/notaversion", None),
            ("github.com/o", None),
            ("example.com/m", None),
        ];
        for (path, expected) in cases {
            assert_eq!(repository(path).as_deref(), expected, "{path}");
        }
    }
}

#[cfg(test)]
mod block_tests {
    use super::*;
    use crate::document::fixture;

    #[test]
    fn require_block_line() {
        let (parsed, offset) = fixture::cursor(
            FileKind::GoMod,
            "module m\n\nrequire (\n\texample.com/m v1.1$0.0\n)\n",
        );
        let found =
            hover_with_facts(&parsed.document(), offset, &FactsSnapshot::default()).unwrap();
        assert!(
            found
                .plaintext
                .contains("https://pkg.go.dev/example.com/m@v1.1.0"),
            "{}",
            found.plaintext
        );
    }
}
