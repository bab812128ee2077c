//! Snapshot tests of the module diagnostics over plain facts.

use std::collections::HashMap;
use std::sync::Arc;

use expect_test::{Expect, expect};
use gomodls_syntax::FileKind;

use super::*;
use crate::facts::{ModuleFacts, ModuleState, NewerMajor, Retraction};

struct FakeDirs;

impl LocalDirs for FakeDirs {
    fn look(&self, dir: &str) -> LocalDir {
        match dir {
            "../missing" => {
                LocalDir::Missing("open /w/missing/go.mod: no such file or directory".to_owned())
            }
            "../other" => LocalDir::Module(Some("example.com/other".to_owned())),
            "./a" => LocalDir::Module(Some("example.com/a".to_owned())),
            "./b" => LocalDir::Module(Some("example.com/b".to_owned())),
            _ => LocalDir::Module(Some("example.com/local".to_owned())),
        }
    }

    fn requirements(&self, dir: &str) -> Option<Vec<(String, String)>> {
        let pairs: &[(&str, &str)] = match dir {
            "./a" => &[("example.com/x", "v1.0.0")],
            "./b" => &[("example.com/y", "v1.2.0"), ("example.com/a", "v0.1.0")],
            _ => return None,
        };
        Some(
            pairs
                .iter()
                .map(|(path, version)| ((*path).to_owned(), (*version).to_owned()))
                .collect(),
        )
    }
}

fn module(path: &str, versions: &[&str]) -> ModuleFacts {
    ModuleFacts {
        path: path.to_owned(),
        versions: versions.iter().map(|v| (*v).to_owned()).collect(),
        ..ModuleFacts::default()
    }
}

fn facts() -> FactsSnapshot {
    let mut modules = HashMap::new();
    let mut retracted = module("example.com/ret", &["v1.0.0", "v1.1.0", "v1.2.0"]);
    retracted.retractions = vec![Retraction {
        low: "v1.1.0".to_owned(),
        high: "v1.1.0".to_owned(),
        rationale: "v1.1.0 was broken".to_owned(),
    }];
    let mut deprecated = module("example.com/dep", &["v1.0.0"]);
    deprecated.deprecation = Some("use example.com/dep2 instead.".to_owned());
    let mut major = module("example.com/major", &["v1.0.0"]);
    major.newer_majors = vec![NewerMajor {
        path: "example.com/major/v2".to_owned(),
        latest: Some("v2.3.0".to_owned()),
    }];
    let mut incompatible = module("example.com/inc", &["v1.0.0", "v2.0.0+incompatible"]);
    incompatible.newer_majors = vec![NewerMajor {
        path: "example.com/inc/v2".to_owned(),
        latest: Some("v2.1.0".to_owned()),
    }];
    for facts in [
        retracted,
        deprecated,
        major,
        incompatible,
        module(
            "example.com/up",
            &["v1.0.0", "v1.0.1", "v1.1.0", "v1.2.0-pre"],
        ),
        module("example.com/ok", &["v1.0.0"]),
    ] {
        modules.insert(facts.path.clone(), ModuleState::Loaded(Arc::new(facts)));
    }
    FactsSnapshot {
        modules,
        ..FactsSnapshot::default()
    }
}

fn render(kind: FileKind, text: &str, sibling: Option<&str>, update_check: UpdateCheck) -> String {
    let tree = gomodls_syntax::parse(kind, text.as_bytes());
    let facts = facts();
    let input = ModuleCheckInput {
        kind,
        text,
        tree: &tree,
        facts: &facts,
        sibling,
        in_workspace: false,
        invalid_gowork: false,
        update_check,
        local_dirs: Some(&FakeDirs),
    };
    module_diagnostics(&input)
        .iter()
        .map(|d| {
            let tags = if d.tags.is_empty() {
                String::new()
            } else {
                format!(" {:?}", d.tags)
            };
            format!(
                "{} {:?} {} [{}]{tags}: {}\n",
                d.code,
                d.severity,
                d.source.name(),
                text.get(d.range.clone()).unwrap_or("?"),
                d.message
            )
        })
        .collect()
}

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render(FileKind::GoMod, text, None, UpdateCheck::Minor));
}

#[test]
fn facts_diagnostics_on_requires() {
    check(
        "module example.com/m\n\ngo 1.22\n\nrequire (\n\texample.com/ret v1.1.0\n\texample.com/dep v1.0.0\n\texample.com/up v1.0.0\n\texample.com/ok v1.9.9\n\texample.com/major v1.0.0\n\texample.com/inc v2.0.0+incompatible\n\texample.com/notyet v1.0.0\n\texample.com/ok v0.0.0-20200101000000-abcdefabcdef\n)\n",
        expect![[r#"
            retracted-version Warning go [v1.1.0]: example.com/ret@v1.1.0: retracted by module author: v1.1.0 was broken
            update-available Hint gomodls [v1.1.0]: example.com/ret v1.2.0 is available (current v1.1.0)
            deprecated-module Warning go [example.com/dep] [Deprecated]: module example.com/dep is deprecated: use example.com/dep2 instead.
            update-available Hint gomodls [v1.0.0]: example.com/up v1.1.0 is available (current v1.0.0)
            unknown-version Error go [v1.9.9]: example.com/ok@v1.9.9: invalid version: unknown revision v1.9.9
            newer-major-available Hint gomodls [example.com/major]: a newer major version is available: example.com/major/v2 v2.3.0
            newer-major-available Hint gomodls [example.com/inc]: a newer major version is available: example.com/inc/v2 v2.1.0
            incompatible-with-go-mod Error go [v2.0.0+incompatible]: example.com/inc@v2.0.0+incompatible: invalid version: module contains a go.mod file, so module path must match major version ("example.com/inc/v2")
        "#]],
    );
}

#[test]
fn update_check_setting_limits_the_hint() {
    let text = "module example.com/m\n\nrequire example.com/up v1.0.0\n";
    assert!(render(FileKind::GoMod, text, None, UpdateCheck::Off).is_empty());
    expect![[r#"
        update-available Hint gomodls [v1.0.0]: example.com/up v1.0.1 is available (current v1.0.0)
    "#]]
    .assert_eq(&render(FileKind::GoMod, text, None, UpdateCheck::Patch));
}

#[test]
fn replacements_dead_missing_and_mismatched() {
    check(
        "module example.com/m\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n\texample.com/local v1.0.0\n)\n\nreplace example.com/gone => example.com/x v1.0.0\n\nreplace example.com/a v0.9.0 => example.com/x v1.0.0\n\nreplace example.com/a => ../missing\n\nreplace example.com/b => ../other\n\nreplace example.com/local => ../fine\n",
        expect![[r#"
            dead-replace Hint gomodls [example.com/gone => example.com/x v1.0.0] [Unnecessary]: replacement of example.com/gone has no effect: it is not required
            dead-replace Hint gomodls [example.com/a v0.9.0 => example.com/x v1.0.0] [Unnecessary]: replacement of example.com/a@v0.9.0 has no effect: it is not required
            replacement-directory Error go [../missing]: example.com/a@v1.0.0 (replaced by ../missing): reading ../missing/go.mod: open /w/missing/go.mod: no such file or directory
            replacement-directory Error go [../other]: example.com/b@v1.0.0 (replaced by ../other): parsing ../other/go.mod: module declares its path as: example.com/other
            	but was required as: example.com/b
        "#]],
    );
}

#[test]
fn go_sum_missing_entries_and_unnecessary_excludes() {
    let go_mod = "module example.com/m\n\nrequire (\n\texample.com/ok v1.0.0\n\texample.com/nosum v1.0.0\n)\n\nexclude example.com/ok v0.5.0\n\nexclude example.com/ok v0.4.0\n";
    let go_sum = "example.com/ok v0.5.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/ok v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/ok v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    expect![[r#"
        missing-sum-entry Error go [example.com/nosum v1.0.0]: example.com/nosum@v1.0.0: missing go.sum entry for go.mod file; to add it:
        	go mod download example.com/nosum
        unnecessary-exclude Hint gomodls [example.com/ok v0.4.0] [Unnecessary]: exclusion of example.com/ok@v0.4.0 has no effect: nothing requires it
    "#]]
    .assert_eq(&render(FileKind::GoMod, go_mod, Some(go_sum), UpdateCheck::Off));
}

#[test]
fn without_go_sum_every_requirement_misses_its_entry_and_excludes_are_not_judged() {
    let go_mod = "module example.com/m\n\nrequire (\n\texample.com/ok v1.0.0\n\texample.com/local v1.0.0\n)\n\nreplace example.com/local => ../fine\n\nexclude example.com/ok v0.4.0\n";
    expect![[r#"
        missing-sum-entry Error go [example.com/ok v1.0.0]: example.com/ok@v1.0.0: missing go.sum entry for go.mod file; to add it:
        	go mod download example.com/ok
    "#]]
    .assert_eq(&render(FileKind::GoMod, go_mod, Some(""), UpdateCheck::Off));
}

#[test]
fn stale_go_sum_lines() {
    let go_mod = "module example.com/m\n\nrequire example.com/ok v1.0.0\n";
    let go_sum = "example.com/gone v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/gone v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/ok v0.9.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/ok v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    expect![[r#"
        stale-sum-line Hint gomodls [example.com/gone v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=] [Unnecessary]: example.com/gone v1.0.0 is not required by go.mod any more
        stale-sum-line Hint gomodls [example.com/ok v0.9.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=] [Unnecessary]: example.com/ok v0.9.0 is not required by go.mod any more
    "#]]
    .assert_eq(&render(FileKind::GoSum, go_sum, Some(go_mod), UpdateCheck::Minor));
}

#[test]
fn nothing_without_facts_or_sibling() {
    let text = "module example.com/m\n\nrequire example.com/unfetched v1.0.0\n";
    assert_eq!(render(FileKind::GoMod, text, None, UpdateCheck::Latest), "");
}

#[test]
fn go_work_replaces_nothing_in_the_workspace_requires_are_dead() {
    let go_work = "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n\nreplace example.com/x => example.com/x2 v1.0.0\n\nreplace example.com/y v1.1.0 => example.com/y2 v1.0.0\n\nreplace example.com/y v1.2.0 => example.com/y2 v1.0.0\n\nreplace example.com/z => example.com/z2 v1.0.0\n\nreplace example.com/a v0.1.0 => example.com/a2 v1.0.0\n";
    expect![[r#"
        dead-replace Hint gomodls [example.com/y v1.1.0 => example.com/y2 v1.0.0] [Unnecessary]: replacement of example.com/y@v1.1.0 has no effect: no module in the workspace requires it
        dead-replace Hint gomodls [example.com/z => example.com/z2 v1.0.0] [Unnecessary]: replacement of example.com/z has no effect: no module in the workspace requires it
    "#]].assert_eq(&render(FileKind::GoWork, go_work, None, UpdateCheck::Minor));
    // A used directory whose requirements cannot be read: nothing is called dead.
    let unreadable = go_work.replace("\t./b\n", "\t./b\n\t./c\n");
    assert_eq!(
        render(FileKind::GoWork, &unreadable, None, UpdateCheck::Minor),
        ""
    );
}

#[test]
fn a_relative_gowork_is_an_error_on_the_first_line_of_go_mod_and_go_work() {
    let problems = |kind: FileKind, text: &str, invalid_gowork: bool| {
        let tree = gomodls_syntax::parse(kind, text.as_bytes());
        let facts = FactsSnapshot::default();
        let input = ModuleCheckInput {
            kind,
            text,
            tree: &tree,
            facts: &facts,
            sibling: None,
            in_workspace: false,
            invalid_gowork,
            update_check: UpdateCheck::Off,
            local_dirs: None,
        };
        module_diagnostics(&input)
            .into_iter()
            .filter(|d| d.code == "invalid-gowork")
            .map(|d| (d.range, d.severity, d.source, d.message))
            .collect::<Vec<_>>()
    };
    let error = |end: usize| {
        vec![(
            0..end,
            Severity::Error,
            Source::Go,
            "invalid GOWORK: not an absolute path".to_owned(),
        )]
    };
    assert_eq!(
        problems(FileKind::GoMod, "module m\r\n\ngo 1.22\n", true),
        error(8)
    );
    assert_eq!(
        problems(FileKind::GoWork, "go 1.22\n\nuse ./a\n", true),
        error(7)
    );
    assert_eq!(problems(FileKind::GoMod, "", true), error(0));
    assert_eq!(problems(FileKind::GoMod, "module m\n", false), []);
    // go.sum files are read by go commands, not run against.
    assert_eq!(
        problems(FileKind::GoSum, "a.com/m v1.0.0 h1:x=\n", true),
        []
    );
}
