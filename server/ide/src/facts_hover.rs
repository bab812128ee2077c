//! Hover with module facts: the plain [`crate::hover`] answer plus what the module proxy said
//! about the module under the cursor (publish time, latest version of its major, newer majors,
//! retraction, deprecation, what a replacement substitutes) and links (pkg.go.dev, never for
//! private modules; the source repository on well-known hosts).

use time::macros::format_description;

use crate::document::Document;
use crate::facts::FactsSnapshot;
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
    let Some(target) = module_at(document, offset) else {
        return Some(found);
    };
    let paragraphs = paragraphs(&target, facts);
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
    for spec in file.tools() {
        if inside(spec.path(), offset) {
            // A tool names a package; its module is the longest required path that prefixes it.
            let package = value(spec.path())?;
            let module = file
                .requires()
                .filter_map(|require| value(require.path()).zip(Some(value(require.version()))))
                .filter(|(path, _)| package == *path || package.starts_with(&format!("{path}/")))
                .max_by_key(|(path, _)| path.len())?;
            return Some(Target {
                path: module.0,
                version: module.1,
                substitute: None,
            });
        }
    }
    None
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

/// The source repository of a module on a well-known host.
fn repository(path: &str) -> Option<String> {
    let mut parts = path.split('/');
    let host = parts.next()?;
    if !matches!(
        host,
        "github.com" | "gitlab.com" | "bitbucket.org" | "codeberg.org"
    ) {
        return None;
    }
    let owner = parts.next()?;
    let repo = parts.next()?;
    Some(format!("https://{host}/{owner}/{repo}"))
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
    fn added(kind: FileKind, fixture_text: &str, found: &HoverText) -> String {
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
