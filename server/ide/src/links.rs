//! Document links: module paths to their page on pkg.go.dev, local directories (replacements
//! and `use`) to their go.mod.
//!
//! Private modules (matched by the GOPRIVATE or GONOPROXY globs the lsp crate passes in) get no
//! link: their pages do not exist publicly, and a link would leak their names to a public site.

use std::ops::Range;

use gomodls_syntax::module_path::{check_import_path, check_path, match_prefix_patterns};
use gomodls_syntax::semver;
use gomodls_syntax::views::Token;

use crate::document::Document;

/// The public documentation site.
pub const PKG_GO_DEV: &str = "https://pkg.go.dev/";

/// What links need to know besides the document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkConfig {
    /// Comma-separated glob lists (the values of GOPRIVATE and GONOPROXY) naming modules that
    /// get no public link.
    pub private_patterns: Vec<String>,
}

impl LinkConfig {
    /// Whether `path` is private.
    pub fn is_private(&self, path: &str) -> bool {
        self.private_patterns
            .iter()
            .any(|patterns| match_prefix_patterns(patterns, path))
    }
}

/// Where a link goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// A web page.
    Url(String),
    /// The go.mod in a directory, as written in the document (relative to the document's
    /// directory unless absolute); the lsp crate makes the file URI.
    LocalModule {
        /// The directory.
        directory: String,
    },
}

/// One link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The bytes that link.
    pub range: Range<usize>,
    /// Where to.
    pub target: LinkTarget,
    /// What the link shows on hover.
    pub tooltip: String,
}

/// The links of a document.
pub fn document_links(document: &Document<'_>, config: &LinkConfig) -> Vec<Link> {
    let file = document.file();
    let mut links = Vec::new();
    let module = |path: Option<Token<'_>>, version: Option<Token<'_>>, links: &mut Vec<Link>| {
        if let Some(link) = module_link(path, version, config, false) {
            links.push(link);
        }
    };
    for spec in file.modules() {
        module(spec.path(), None, &mut links);
    }
    for spec in file.requires() {
        module(spec.path(), spec.version(), &mut links);
    }
    for spec in file.excludes() {
        module(spec.path(), spec.version(), &mut links);
    }
    for spec in file.replaces() {
        module(spec.path(), spec.version(), &mut links);
        let Some(replacement) = spec.replacement() else {
            continue;
        };
        match replacement.is_directory() {
            true => links.extend(directory_link(replacement.token())),
            false => module(
                Some(replacement.token()),
                spec.replacement_version(),
                &mut links,
            ),
        }
    }
    for spec in file.tools() {
        links.extend(module_link(spec.path(), None, config, true));
    }
    for spec in file.uses() {
        if let Some(path) = spec.path() {
            links.extend(directory_link(path));
        }
    }
    for line in file.checksums() {
        module(line.path(), line.version(), &mut links);
    }
    links.sort_by_key(|link| link.range.start);
    links
}

fn module_link(
    path: Option<Token<'_>>,
    version: Option<Token<'_>>,
    config: &LinkConfig,
    package: bool,
) -> Option<Link> {
    let path_token = path?;
    let path = path_token.value()?;
    let valid = match package {
        true => check_import_path(path.as_ref()).is_ok(),
        false => check_path(path.as_ref()).is_ok(),
    };
    if !valid || config.is_private(&path) {
        return None;
    }
    let version = version
        .and_then(|version| version.value())
        .filter(|version| semver::is_valid(version));
    let (url, tooltip) = match version {
        Some(version) => (
            format!("{PKG_GO_DEV}{path}@{version}"),
            format!("{path}@{version} on pkg.go.dev"),
        ),
        None => (
            format!("{PKG_GO_DEV}{path}"),
            format!("{path} on pkg.go.dev"),
        ),
    };
    Some(Link {
        range: path_token.range(),
        target: LinkTarget::Url(url),
        tooltip,
    })
}

fn directory_link(token: Token<'_>) -> Option<Link> {
    let directory = token.value()?.into_owned();
    if directory.is_empty() {
        return None;
    }
    Some(Link {
        range: token.range(),
        tooltip: format!("the go.mod in {directory}"),
        target: LinkTarget::LocalModule { directory },
    })
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use gomodls_syntax::FileKind;

    use super::*;
    use crate::document::fixture::parse;

    fn check(kind: FileKind, text: &str, private: &[&str], expected: Expect) {
        let parsed = parse(kind, text);
        let config = LinkConfig {
            private_patterns: private.iter().map(|glob| (*glob).to_owned()).collect(),
        };
        let out: String = document_links(&parsed.document(), &config)
            .iter()
            .map(|link| {
                format!(
                    "{:?} -> {}\n",
                    &text[link.range.clone()],
                    match &link.target {
                        LinkTarget::Url(url) => url.clone(),
                        LinkTarget::LocalModule { directory } => format!("dir {directory}"),
                    }
                )
            })
            .collect();
        expected.assert_eq(&out);
    }

    #[test]
    fn gomod_links() {
        check(
            FileKind::GoMod,
            "module example.com/m\r\nrequire (\r\n\tgolang.org/x/text v0.3.0\r\n\tcorp.example.com/lib v1.0.0\r\n\tgithub.com/a/b v0.0.0-20230102030405-abcdefabcdef // indirect\r\n\t\"example.com/with space\" v1.0.0\r\n\tgithub.com/c/d latest\r\n)\r\nexclude github.com/a/b v0.1.0\r\nreplace (\r\n\tgithub.com/a/b => ./b\r\n\tgolang.org/x/text v0.3.0 => github.com/fork/text v0.3.1\r\n\tgithub.com/e/f => \"../é f\"\r\n)\r\ntool golang.org/x/tools/cmd/stringer\r\n",
            &["corp.example.com", ""],
            expect![[r#"
                "example.com/m" -> https://pkg.go.dev/example.com/m
                "golang.org/x/text" -> https://pkg.go.dev/golang.org/x/text@v0.3.0
                "github.com/a/b" -> https://pkg.go.dev/github.com/a/b@v0.0.0-20230102030405-abcdefabcdef
                "github.com/c/d" -> https://pkg.go.dev/github.com/c/d
                "github.com/a/b" -> https://pkg.go.dev/github.com/a/b@v0.1.0
                "github.com/a/b" -> https://pkg.go.dev/github.com/a/b
                "./b" -> dir ./b
                "golang.org/x/text" -> https://pkg.go.dev/golang.org/x/text@v0.3.0
                "github.com/fork/text" -> https://pkg.go.dev/github.com/fork/text@v0.3.1
                "github.com/e/f" -> https://pkg.go.dev/github.com/e/f
                "\"../é f\"" -> dir ../é f
                "golang.org/x/tools/cmd/stringer" -> https://pkg.go.dev/golang.org/x/tools/cmd/stringer
            "#]],
        );
    }

    #[test]
    fn gowork_and_gosum_links() {
        check(
            FileKind::GoWork,
            "go 1.22\nuse (\n\t./a\n\t/abs/b\n)\n",
            &[],
            expect![[r#"
                "./a" -> dir ./a
                "/abs/b" -> dir /abs/b
            "#]],
        );
        check(
            FileKind::GoSum,
            "github.com/a/b v1.0.0 h1:x=\ngithub.com/a/b v1.0.0/go.mod h1:y=\nprivate.corp/x v1.0.0 h1:z=\n",
            &["*.corp"],
            expect![[r#"
                "github.com/a/b" -> https://pkg.go.dev/github.com/a/b@v1.0.0
                "github.com/a/b" -> https://pkg.go.dev/github.com/a/b@v1.0.0
            "#]],
        );
    }
}
