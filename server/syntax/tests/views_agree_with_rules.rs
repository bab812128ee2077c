//! The typed views over the tree must name the same parts as go's own reading of a file
//! (`modfile::rules`): every require, exclude, replace, retract, tool, ignore, use, godebug, go
//! and module of each valid go.mod and go.work of the real corpus, with the same values, and the
//! same byte ranges where the rules keep them. Every corpus go.sum must give the same lines as
//! `gosum::read_go_sum`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a panic is a test failure"
)]

use std::path::{Path, PathBuf};

use gomodls_syntax::gosum::read_go_sum;
use gomodls_syntax::modfile::read::read;
use gomodls_syntax::modfile::rules::{parse_gomod, parse_gowork};
use gomodls_syntax::views::{SourceFile, Token};
use gomodls_syntax::{FileKind, parse};

fn corpus() -> PathBuf {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    assert!(
        corpus.is_dir(),
        "the shared corpus is missing at {corpus:?}"
    );
    corpus
}

fn files(name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![corpus()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name().is_some_and(|file| file == name) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A version as go keeps it: canonical where the version is valid (`v0.23` is `v0.23.0`).
fn version(token: Option<Token<'_>>) -> String {
    let written = value(token);
    match gomodls_syntax::semver::is_valid(&written) {
        true => gomodls_syntax::semver::module_canonical_version(&written),
        false => written,
    }
}

fn value(token: Option<Token<'_>>) -> String {
    token
        .and_then(|token| token.value())
        .map(|value| value.into_owned())
        .unwrap_or_default()
}

#[test]
fn gomod_views_agree_with_go() {
    let paths = files("go.mod");
    assert!(paths.len() > 50, "{} go.mod files", paths.len());
    let mut requires = 0;
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let mut syntax = read(text.as_bytes(), "go.mod").unwrap();
        let (expected, errors) = parse_gomod(&mut syntax, true);
        assert!(errors.is_empty(), "{path:?}");
        let tree = parse(FileKind::GoMod, text.as_bytes());
        let file = SourceFile::new(&tree, &text);
        let at = format!("{}", path.display());

        let module: Vec<String> = file.modules().map(|module| value(module.path())).collect();
        let expected_module: Vec<String> = expected.module.iter().map(|m| m.path.clone()).collect();
        assert_eq!(module, expected_module, "{at}");
        let go: Vec<String> = file.go_directives().map(|go| value(go.version())).collect();
        let expected_go: Vec<String> = expected.go.iter().map(|go| go.version.clone()).collect();
        assert_eq!(go, expected_go, "{at}");
        let toolchain: Vec<String> = file.toolchains().map(|t| value(t.name())).collect();
        let expected_toolchain: Vec<String> =
            expected.toolchain.iter().map(|t| t.name.clone()).collect();
        assert_eq!(toolchain, expected_toolchain, "{at}");
        let godebug: Vec<(String, String)> = file
            .godebugs()
            .map(|godebug| (value(godebug.key()), value(godebug.value())))
            .collect();
        let expected_godebug: Vec<(String, String)> = expected
            .godebug
            .iter()
            .map(|godebug| (godebug.key.clone(), godebug.value.clone()))
            .collect();
        assert_eq!(godebug, expected_godebug, "{at}");

        let require: Vec<_> = file
            .requires()
            .map(|require| {
                (
                    value(require.path()),
                    version(require.version()),
                    require.indirect().is_some(),
                    require.path().unwrap().range(),
                    require.version().unwrap().range(),
                )
            })
            .collect();
        let expected_require: Vec<_> = expected
            .require
            .iter()
            .map(|require| {
                (
                    require.module.path.clone(),
                    require.module.version.clone(),
                    require.indirect,
                    require.path_range.clone(),
                    require.version_range.clone(),
                )
            })
            .collect();
        assert_eq!(require, expected_require, "{at}");
        requires += require.len();

        let exclude: Vec<_> = file
            .excludes()
            .map(|exclude| (value(exclude.path()), version(exclude.version())))
            .collect();
        let expected_exclude: Vec<_> = expected
            .exclude
            .iter()
            .map(|exclude| (exclude.module.path.clone(), exclude.module.version.clone()))
            .collect();
        assert_eq!(exclude, expected_exclude, "{at}");

        let replace: Vec<_> = file
            .replaces()
            .map(|replace| {
                let replacement = replace.replacement().unwrap();
                (
                    value(replace.path()),
                    version(replace.version()),
                    value(Some(replacement.token())),
                    version(replace.replacement_version()),
                    replacement.is_directory(),
                )
            })
            .collect();
        let expected_replace: Vec<_> = expected
            .replace
            .iter()
            .map(|replace| {
                (
                    replace.old.path.clone(),
                    replace.old.version.clone(),
                    replace.new.path.clone(),
                    replace.new.version.clone(),
                    replace.new.version.is_empty(),
                )
            })
            .collect();
        assert_eq!(replace, expected_replace, "{at}");

        let retract: Vec<_> = file
            .retracts()
            .map(|retract| match retract.interval() {
                Some(interval) => (version(interval.low()), version(interval.high())),
                None => (version(retract.version()), version(retract.version())),
            })
            .collect();
        let expected_retract: Vec<_> = expected
            .retract
            .iter()
            .map(|retract| (retract.low.clone(), retract.high.clone()))
            .collect();
        assert_eq!(retract, expected_retract, "{at}");

        let tool: Vec<String> = file.tools().map(|tool| value(tool.path())).collect();
        let expected_tool: Vec<String> = expected.tool.iter().map(|t| t.path.clone()).collect();
        assert_eq!(tool, expected_tool, "{at}");
        let ignore: Vec<String> = file.ignores().map(|ignore| value(ignore.path())).collect();
        let expected_ignore: Vec<String> = expected.ignore.iter().map(|i| i.path.clone()).collect();
        assert_eq!(ignore, expected_ignore, "{at}");
    }
    assert!(requires > 1000, "only {requires} requirements compared");
}

#[test]
fn gowork_views_agree_with_go() {
    let text = "go 1.23\r\ntoolchain go1.23.1\r\ngodebug (\r\n\tpanicnil=1\r\n)\r\nuse (\r\n\t./a\r\n\t\"./é b\"\r\n)\r\nuse ../c\r\nreplace x.org/m v1.0.0 => ../m\r\n";
    let mut syntax = read(text.as_bytes(), "go.work").unwrap();
    let (expected, errors) = parse_gowork(&mut syntax);
    assert!(errors.is_empty());
    let tree = parse(FileKind::GoWork, text.as_bytes());
    let file = SourceFile::new(&tree, text);
    let uses: Vec<String> = file.uses().map(|use_spec| value(use_spec.path())).collect();
    let expected_uses: Vec<String> = expected.uses.iter().map(|u| u.path.clone()).collect();
    assert_eq!(uses, expected_uses);
    assert_eq!(
        file.go_directives()
            .map(|go| value(go.version()))
            .collect::<Vec<_>>(),
        vec![expected.go.unwrap().version]
    );
    let replace: Vec<_> = file
        .replaces()
        .map(|replace| {
            (
                value(replace.path()),
                value(Some(replace.replacement().unwrap().token())),
            )
        })
        .collect();
    assert_eq!(
        replace,
        expected
            .replace
            .iter()
            .map(|replace| (replace.old.path.clone(), replace.new.path.clone()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn gosum_views_agree_with_go() {
    let paths = files("go.sum");
    assert!(paths.len() > 20, "{} go.sum files", paths.len());
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let expected = read_go_sum(text.as_bytes());
        let tree = parse(FileKind::GoSum, text.as_bytes());
        let file = SourceFile::new(&tree, &text);
        let lines: Vec<_> = file
            .checksums()
            .map(|line| {
                (
                    line.path().unwrap().range(),
                    line.version().unwrap().range().start
                        ..line
                            .go_mod()
                            .map_or(line.version().unwrap().range().end, |go_mod| go_mod.end),
                    line.hash().unwrap().range(),
                    line.is_go_mod(),
                )
            })
            .collect();
        let expected_lines: Vec<_> = expected
            .lines
            .iter()
            .chain(&expected.dropped)
            .map(|line| {
                (
                    line.path_range.clone(),
                    line.version_range.clone(),
                    line.hash_range.clone(),
                    line.sum.go_mod,
                )
            })
            .collect();
        let mut expected_lines = expected_lines;
        expected_lines.sort_by_key(|line| line.0.start);
        assert_eq!(lines, expected_lines, "{path:?}");
    }
}
