//! Hover: what a directive means (with a link into the Go modules reference), what a version
//! is (pseudo-versions decoded: base version, commit time in UTC, revision), and what a go.sum
//! line records (module, version, which hash, which algorithm).
//!
//! Every hover comes as markdown and as plain text, for clients that show no markdown. The
//! explanations are our own short words; the links lead to the full story.

use std::ops::Range;

use gomodls_syntax::FileKind;
use gomodls_syntax::pseudo::{is_pseudo_version, parse_pseudo_version};
use gomodls_syntax::semver;
use gomodls_syntax::views::{DirectiveKind, Spec, SumLine, Token};
use time::macros::format_description;

use crate::document::Document;

/// The Go modules reference.
const REFERENCE: &str = "https://go.dev/ref/mod";

/// A hover answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverText {
    /// The bytes the hover is about.
    pub range: Range<usize>,
    /// The text as markdown.
    pub markdown: String,
    /// The same text without markup.
    pub plaintext: String,
}

/// A hover before rendering: a title, paragraphs (with `code` spans between backticks) and a
/// link into the reference.
struct Card {
    title: String,
    paragraphs: Vec<String>,
    anchor: Option<&'static str>,
}

impl Card {
    fn new(title: String) -> Card {
        Card {
            title,
            paragraphs: Vec::new(),
            anchor: None,
        }
    }

    fn paragraph(mut self, text: impl Into<String>) -> Card {
        self.paragraphs.push(text.into());
        self
    }

    fn paragraphs(mut self, texts: Vec<String>) -> Card {
        self.paragraphs.extend(texts);
        self
    }

    fn link(mut self, anchor: &'static str) -> Card {
        self.anchor = Some(anchor);
        self
    }

    fn render(self, range: Range<usize>) -> HoverText {
        let mut markdown = format!("**{}**", self.title);
        let mut plaintext = self.title.replace('`', "");
        for paragraph in &self.paragraphs {
            markdown.push_str("\n\n");
            markdown.push_str(paragraph);
            plaintext.push_str("\n\n");
            plaintext.push_str(&paragraph.replace('`', ""));
        }
        if let Some(anchor) = self.anchor {
            let url = format!("{REFERENCE}#{anchor}");
            markdown.push_str(&format!("\n\n[Go modules reference]({url})"));
            plaintext.push_str(&format!("\n\nGo modules reference: {url}"));
        }
        HoverText {
            range,
            markdown,
            plaintext,
        }
    }
}

/// A value as a code span (backticks inside would end it early, so they become quotes).
fn code(value: &str) -> String {
    format!("`{}`", value.replace('`', "'"))
}

/// The hover at `offset`, if there is something to say.
pub fn hover(document: &Document<'_>, offset: usize) -> Option<HoverText> {
    match document.kind {
        FileKind::GoSum => sum_hover(document, offset),
        FileKind::GoMod | FileKind::GoWork => modfile_hover(document, offset),
    }
}

fn contains(range: &Range<usize>, offset: usize) -> bool {
    range.start <= offset && offset <= range.end
}

fn at<'a>(token: Option<Token<'a>>, offset: usize) -> Option<Token<'a>> {
    token.filter(|token| contains(&token.range(), offset))
}

fn modfile_hover(document: &Document<'_>, offset: usize) -> Option<HoverText> {
    let file = document.file();
    if let Some(comment) = file
        .comments()
        .find(|comment| contains(&comment.range(), offset))
    {
        return comment_hover(document, comment);
    }
    let directive = file
        .directives()
        .find(|directive| contains(&directive.range(), offset))?;
    let kind = directive.kind();
    if let Some(keyword) = at(directive.keyword(), offset) {
        return directive_card(kind, document.kind).map(|card| card.render(keyword.range()));
    }
    if let Some(go) = directive.as_go() {
        let version = at(go.version(), offset)?;
        return directive_card(kind, document.kind).map(|card| card.render(version.range()));
    }
    if let Some(toolchain) = directive.as_toolchain() {
        let name = at(toolchain.name(), offset)?;
        return directive_card(kind, document.kind).map(|card| card.render(name.range()));
    }
    let spec = directive
        .specs()
        .find(|spec| contains(&spec.range(), offset))?;
    spec_hover(document, spec, offset)
}

fn comment_hover(document: &Document<'_>, comment: Token<'_>) -> Option<HoverText> {
    match comment.kind() {
        "indirect_comment" => Some(
            Card::new(code("// indirect"))
                .paragraph(
                    "No package of this module imports a package of the required module \
                     directly. The go command keeps the requirement to pin the version the build \
                     uses, and adds or removes the marker itself (`go mod tidy`).",
                )
                .link("go-mod-file-require")
                .render(comment.range()),
        ),
        "deprecation_comment" if document.kind == FileKind::GoMod => Some(
            Card::new("Deprecated module".to_owned())
                .paragraph(
                    "A comment starting with `Deprecated:` next to the `module` directive marks \
                     the whole module as deprecated. Users of its latest version are told the \
                     rest of the paragraph when they run `go get` or `go list -m -u`.",
                )
                .link("go-mod-file-module-deprecation")
                .render(comment.range()),
        ),
        _ => None,
    }
}

fn spec_hover(document: &Document<'_>, spec: Spec<'_>, offset: usize) -> Option<HoverText> {
    match spec {
        Spec::Require(require) => {
            let token = at(require.path(), offset).or(at(require.version(), offset))?;
            let mut card = module_card(require.path(), require.version());
            card = card.paragraph(match require.indirect() {
                Some(_) => "Required indirectly: no package of this module imports it directly.",
                None => "Required directly.",
            });
            Some(card.link("go-mod-file-require").render(token.range()))
        }
        Spec::Exclude(exclude) => {
            let token = at(exclude.path(), offset).or(at(exclude.version(), offset))?;
            Some(
                module_card(exclude.path(), exclude.version())
                    .paragraph("Excluded: the build never uses this version.")
                    .link("go-mod-file-exclude")
                    .render(token.range()),
            )
        }
        Spec::Replace(replace) => {
            let anchor = match document.kind {
                FileKind::GoWork => "go-work-file-replace",
                _ => "go-mod-file-replace",
            };
            if let Some(token) = at(replace.path(), offset).or(at(replace.version(), offset)) {
                let replaced = match replace.version() {
                    Some(_) => "Replaced: this version is built from what `=>` names.",
                    None => "Replaced: every version is built from what `=>` names.",
                };
                return Some(
                    module_card(replace.path(), replace.version())
                        .paragraph(replaced)
                        .link(anchor)
                        .render(token.range()),
                );
            }
            let replacement = replace.replacement()?;
            if replacement.is_directory() {
                let token = at(Some(replacement.token()), offset)?;
                let directory = token.value().unwrap_or_default();
                return Some(
                    Card::new(code(&directory))
                        .paragraph(
                            "A directory on disk replaces the module; it must hold a go.mod \
                             file of its own.",
                        )
                        .link(anchor)
                        .render(token.range()),
                );
            }
            let token = at(Some(replacement.token()), offset)
                .or(at(replace.replacement_version(), offset))?;
            Some(
                module_card(Some(replacement.token()), replace.replacement_version())
                    .paragraph("The replacement module version.")
                    .link(anchor)
                    .render(token.range()),
            )
        }
        Spec::Retract(retract) => {
            let token = retract
                .versions()
                .find(|version| contains(&version.range(), offset))?;
            let retracted = match retract.interval() {
                Some(interval) => format!(
                    "Retracted: every version of this module from {} to {}, both included.",
                    code(
                        &interval
                            .low()
                            .and_then(|low| low.value())
                            .unwrap_or_default()
                    ),
                    code(
                        &interval
                            .high()
                            .and_then(|high| high.value())
                            .unwrap_or_default()
                    )
                ),
                None => "Retracted: this version of this module should not be used.".to_owned(),
            };
            let version = token.value().unwrap_or_default();
            Some(
                Card::new(code(&version))
                    .paragraphs(version_notes(&version))
                    .paragraph(retracted)
                    .link("go-mod-file-retract")
                    .render(token.range()),
            )
        }
        Spec::Godebug(godebug) => {
            let token = at(godebug.key(), offset).or(at(godebug.value(), offset))?;
            directive_card(DirectiveKind::Godebug, document.kind)
                .map(|card| card.render(token.range()))
        }
        Spec::Tool(tool) => {
            let token = at(tool.path(), offset)?;
            directive_card(DirectiveKind::Tool, document.kind)
                .map(|card| card.render(token.range()))
        }
        Spec::Ignore(ignore) => {
            let token = at(ignore.path(), offset)?;
            directive_card(DirectiveKind::Ignore, document.kind)
                .map(|card| card.render(token.range()))
        }
        Spec::Use(use_spec) => {
            let token = at(use_spec.path(), offset)?;
            directive_card(DirectiveKind::Use, document.kind).map(|card| card.render(token.range()))
        }
        Spec::Module(module) => {
            let token = at(module.path(), offset)?;
            directive_card(DirectiveKind::Module, document.kind)
                .map(|card| card.render(token.range()))
        }
        Spec::Line(_) => None,
    }
}

/// `path version` with what the version is.
fn module_card(path: Option<Token<'_>>, version: Option<Token<'_>>) -> Card {
    let path = path.and_then(|path| path.value()).unwrap_or_default();
    let version = version.and_then(|version| version.value());
    match version {
        Some(version) => Card::new(format!("{} {}", code(&path), code(&version)))
            .paragraphs(version_notes(&version)),
        None => Card::new(code(&path)),
    }
}

/// What a version is: a pseudo-version decoded, a pre-release, a `+incompatible` version.
fn version_notes(version: &str) -> Vec<String> {
    let mut notes = Vec::new();
    if is_pseudo_version(version) {
        let Ok(parsed) = parse_pseudo_version(version) else {
            notes.push("Looks like a pseudo-version, but is not a valid one.".to_owned());
            return notes;
        };
        let time = parsed
            .time
            .format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .unwrap_or_default();
        let base = match parsed.base.is_empty() {
            true => "none (no earlier tag on this major version)".to_owned(),
            false => code(&parsed.base),
        };
        notes.push(format!(
            "Pseudo-version: an untagged commit.\n\n- base version: {base}\n- commit time: {time}\n- revision: {}",
            code(parsed.rev)
        ));
    } else if semver::is_valid(version) && semver::is_prerelease(version) {
        notes.push(format!(
            "Pre-release {} of {}.",
            code(semver::prerelease(version).trim_start_matches('-')),
            code(
                &semver::canonical(version)
                    .replace(semver::prerelease(version), "")
                    .replace(semver::build(version), "")
            )
        ));
    }
    if semver::build(version) == "+incompatible" {
        notes.push(
            "`+incompatible`: a major version 2 or higher of a repository without a go.mod \
             file, used under the path of major version 1."
                .to_owned(),
        );
    }
    notes
}

fn directive_card(kind: DirectiveKind, file: FileKind) -> Option<Card> {
    let work = file == FileKind::GoWork;
    let title = format!("{} directive", code(kind.keyword()));
    let card = Card::new(title);
    Some(match kind {
        DirectiveKind::Module => card
            .paragraph(
                "Declares this module's path: the name other modules require it by, and the \
                 prefix of the import paths of its packages.",
            )
            .link("go-mod-file-module"),
        DirectiveKind::Go if work => card
            .paragraph(
                "The Go version this workspace is written for. Go toolchains older than it \
                 refuse to use the workspace (since Go 1.21).",
            )
            .link("go-work-file-go"),
        DirectiveKind::Go => card
            .paragraph(
                "The Go version this module is written for: it decides which language \
                 features its packages may use and how the go command treats the module. \
                 Since Go 1.21 it is also a minimum: older toolchains refuse the module.",
            )
            .link("go-mod-file-go"),
        DirectiveKind::Toolchain => card
            .paragraph(
                "Suggests a Go toolchain for working in this module or workspace. It counts \
                 only when the running toolchain is older, and only in the main module.",
            )
            .link(match work {
                true => "go-work-file-toolchain",
                false => "go-mod-file-toolchain",
            }),
        DirectiveKind::Godebug => card
            .paragraph(
                "Sets a default `GODEBUG` value (`key=value`) for programs built in this main \
                 module or workspace, in place of the default the `go` version implies. \
                 Ignored in dependencies.",
            )
            .link("go-mod-file-godebug"),
        DirectiveKind::Require => card
            .paragraph(
                "Names a module this one depends on and the lowest version of it to use. The \
                 build uses, for each module, the highest version any requirement asks for \
                 (minimal version selection).",
            )
            .link("go-mod-file-require"),
        DirectiveKind::Exclude => card
            .paragraph(
                "Keeps a module version out of the build; requirements on it move to the next \
                 higher version. Only the main module's exclusions count.",
            )
            .link("go-mod-file-exclude"),
        DirectiveKind::Replace => card
            .paragraph(
                "Builds a module (every version, or one version) from another module version \
                 or from a directory on disk. Only the main module's (or workspace's) \
                 replacements count.",
            )
            .link(match work {
                true => "go-work-file-replace",
                false => "go-mod-file-replace",
            }),
        DirectiveKind::Retract => card
            .paragraph(
                "Marks versions of this module that should not be used (broken, or published \
                 by mistake). Version queries such as `@latest` skip them, and users of them \
                 are warned; the comment gives the reason.",
            )
            .link("go-mod-file-retract"),
        DirectiveKind::Tool => card
            .paragraph(
                "Records a package as a tool of this module (Go 1.24 and later): it becomes a \
                 dependency, and `go tool` runs it.",
            )
            .link("go-mod-file-tool"),
        DirectiveKind::Ignore => card
            .paragraph(
                "Makes package patterns such as `./...` skip a directory and everything under \
                 it. A path starting with `./` is relative to the module root; any other path \
                 matches a directory of that name at any depth.",
            )
            .link("go-mod-file-ignore"),
        DirectiveKind::Use => card
            .paragraph(
                "Adds the module in a directory (the one holding its go.mod) to the \
                 workspace's main modules. Modules in subdirectories need a `use` of their own.",
            )
            .link("go-work-file-use"),
        DirectiveKind::Unknown => return None,
    })
}

fn sum_hover(document: &Document<'_>, offset: usize) -> Option<HoverText> {
    let line = document.file().checksums().find(|line| {
        let range = line.range();
        let text = document.slice(range.clone());
        contains(
            &(range.start..range.start + text.trim_end_matches(['\r', '\n']).len()),
            offset,
        )
    })?;
    Some(sum_card(line).render(line_range(document, line)))
}

fn line_range(document: &Document<'_>, line: SumLine<'_>) -> Range<usize> {
    let range = line.range();
    let text = document.slice(range.clone());
    range.start..range.start + text.trim_end_matches(['\r', '\n']).len()
}

fn sum_card(line: SumLine<'_>) -> Card {
    let mut card = module_card(line.path(), line.version());
    card = card.paragraph(match line.is_go_mod() {
        true => "Checksum of this version's go.mod file alone (enough to build the module \
                 graph without downloading the module)."
            .to_owned(),
        false => "Checksum of this version's files (the module zip).".to_owned(),
    });
    let algorithm = line
        .hash()
        .and_then(|hash| hash.algorithm())
        .map(|algorithm| algorithm.text().to_owned());
    card = card.paragraph(match algorithm.as_deref() {
        Some("h1") => "Hash `h1`: SHA-256 of a list of the files with the SHA-256 of each, \
                       in base64."
            .to_owned(),
        Some(other) => format!(
            "Hash {}: an algorithm the go command does not know.",
            code(other)
        ),
        None => "The hash names no algorithm.".to_owned(),
    });
    card.link("go-sum-files")
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::cursor;

    fn check(kind: FileKind, fixture: &str, expected: Expect) {
        let (parsed, offset) = cursor(kind, fixture);
        let out = match hover(&parsed.document(), offset) {
            Some(found) => {
                assert!(!found.plaintext.contains('`'));
                format!(
                    "[{}]\n{}\n---\n{}\n",
                    &parsed.text[found.range.clone()],
                    found.markdown,
                    found.plaintext
                )
            }
            None => "no hover\n".to_owned(),
        };
        expected.assert_eq(&out);
    }

    #[test]
    fn keyword() {
        check(
            FileKind::GoMod,
            "module m\r\nreq$0uire x.org/a v1.0.0\r\n",
            expect![[r#"
                [require]
                **`require` directive**

                Names a module this one depends on and the lowest version of it to use. The build uses, for each module, the highest version any requirement asks for (minimal version selection).

                [Go modules reference](https://go.dev/ref/mod#go-mod-file-require)
                ---
                require directive

                Names a module this one depends on and the lowest version of it to use. The build uses, for each module, the highest version any requirement asks for (minimal version selection).

                Go modules reference: https://go.dev/ref/mod#go-mod-file-require
            "#]],
        );
    }

    #[test]
    fn pseudo_version_is_decoded() {
        check(
            FileKind::GoMod,
            "module m\nrequire (\n\té.org/a v1.2.4-0.2023$00102030405-abcdefabcdef // indirect\n)\n",
            expect![[r#"
                [v1.2.4-0.20230102030405-abcdefabcdef]
                **`é.org/a` `v1.2.4-0.20230102030405-abcdefabcdef`**

                Pseudo-version: an untagged commit.

                - base version: `v1.2.3`
                - commit time: 2023-01-02 03:04:05 UTC
                - revision: `abcdefabcdef`

                Required indirectly: no package of this module imports it directly.

                [Go modules reference](https://go.dev/ref/mod#go-mod-file-require)
                ---
                é.org/a v1.2.4-0.20230102030405-abcdefabcdef

                Pseudo-version: an untagged commit.

                - base version: v1.2.3
                - commit time: 2023-01-02 03:04:05 UTC
                - revision: abcdefabcdef

                Required indirectly: no package of this module imports it directly.

                Go modules reference: https://go.dev/ref/mod#go-mod-file-require
            "#]],
        );
    }

    #[test]
    fn go_sum_line() {
        check(
            FileKind::GoSum,
            "x.org/a v0.0.0-20230102030405-abcdefabcdef/go.mod h1:a$0bc=\r\n",
            expect![[r#"
                [x.org/a v0.0.0-20230102030405-abcdefabcdef/go.mod h1:abc=]
                **`x.org/a` `v0.0.0-20230102030405-abcdefabcdef`**

                Pseudo-version: an untagged commit.

                - base version: none (no earlier tag on this major version)
                - commit time: 2023-01-02 03:04:05 UTC
                - revision: `abcdefabcdef`

                Checksum of this version's go.mod file alone (enough to build the module graph without downloading the module).

                Hash `h1`: SHA-256 of a list of the files with the SHA-256 of each, in base64.

                [Go modules reference](https://go.dev/ref/mod#go-sum-files)
                ---
                x.org/a v0.0.0-20230102030405-abcdefabcdef

                Pseudo-version: an untagged commit.

                - base version: none (no earlier tag on this major version)
                - commit time: 2023-01-02 03:04:05 UTC
                - revision: abcdefabcdef

                Checksum of this version's go.mod file alone (enough to build the module graph without downloading the module).

                Hash h1: SHA-256 of a list of the files with the SHA-256 of each, in base64.

                Go modules reference: https://go.dev/ref/mod#go-sum-files
            "#]],
        );
    }

    #[test]
    fn other_places() {
        check(
            FileKind::GoWork,
            "go 1.22\nuse ./$0a\n",
            expect![[r#"
                [./a]
                **`use` directive**

                Adds the module in a directory (the one holding its go.mod) to the workspace's main modules. Modules in subdirectories need a `use` of their own.

                [Go modules reference](https://go.dev/ref/mod#go-work-file-use)
                ---
                use directive

                Adds the module in a directory (the one holding its go.mod) to the workspace's main modules. Modules in subdirectories need a use of their own.

                Go modules reference: https://go.dev/ref/mod#go-work-file-use
            "#]],
        );
        check(
            FileKind::GoMod,
            "module m\n\n$0\n",
            expect![[r#"
            no hover
        "#]],
        );
        check(
            FileKind::GoMod,
            "module m\nrequire x.org/a v1.0.0 // ind$0irect\n",
            expect![[r#"
                [// indirect]
                **`// indirect`**

                No package of this module imports a package of the required module directly. The go command keeps the requirement to pin the version the build uses, and adds or removes the marker itself (`go mod tidy`).

                [Go modules reference](https://go.dev/ref/mod#go-mod-file-require)
                ---
                // indirect

                No package of this module imports a package of the required module directly. The go command keeps the requirement to pin the version the build uses, and adds or removes the marker itself (go mod tidy).

                Go modules reference: https://go.dev/ref/mod#go-mod-file-require
            "#]],
        );
        check(
            FileKind::GoMod,
            "module m\nretract [v1.0.0, v1.$01.0-rc.1]\n",
            expect![[r#"
                [v1.1.0-rc.1]
                **`v1.1.0-rc.1`**

                Pre-release `rc.1` of `v1.1.0`.

                Retracted: every version of this module from `v1.0.0` to `v1.1.0-rc.1`, both included.

                [Go modules reference](https://go.dev/ref/mod#go-mod-file-retract)
                ---
                v1.1.0-rc.1

                Pre-release rc.1 of v1.1.0.

                Retracted: every version of this module from v1.0.0 to v1.1.0-rc.1, both included.

                Go modules reference: https://go.dev/ref/mod#go-mod-file-retract
            "#]],
        );
        check(
            FileKind::GoMod,
            "module m\nrequire x.org/a v2.0.0+incompat$0ible\n",
            expect![[r#"
                [v2.0.0+incompatible]
                **`x.org/a` `v2.0.0+incompatible`**

                `+incompatible`: a major version 2 or higher of a repository without a go.mod file, used under the path of major version 1.

                Required directly.

                [Go modules reference](https://go.dev/ref/mod#go-mod-file-require)
                ---
                x.org/a v2.0.0+incompatible

                +incompatible: a major version 2 or higher of a repository without a go.mod file, used under the path of major version 1.

                Required directly.

                Go modules reference: https://go.dev/ref/mod#go-mod-file-require
            "#]],
        );
    }
}
