//! Tests of the code actions, inlay hints and code lenses over plain facts.

use expect_test::{Expect, expect};
use gomodls_syntax::FileKind;

use super::*;
use crate::document::fixture;

fn facts(modules: &[(&str, &[&str], &[&str])], resolved: &[(&str, &str, &str)]) -> ActionFacts {
    ActionFacts {
        modules: modules
            .iter()
            .map(|(path, versions, retracted)| {
                (
                    (*path).to_owned(),
                    ModuleUpdates {
                        versions: versions.iter().map(|v| (*v).to_owned()).collect(),
                        retracted: retracted.iter().map(|v| (*v).to_owned()).collect(),
                    },
                )
            })
            .collect(),
        resolved: resolved
            .iter()
            .map(|(path, query, version)| {
                (
                    ((*path).to_owned(), (*query).to_owned()),
                    (*version).to_owned(),
                )
            })
            .collect(),
        go_sum: None,
        used_modules: None,
    }
}

fn apply_all(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|edit| edit.range.start);
    apply(text, &sorted).expect("edits fit the text")
}

/// Renders every action at the `$0` marker: its kind, title, and the text after its edits (or
/// the pending query).
fn check_actions(fixture_text: &str, facts: &ActionFacts, expected: Expect) {
    let (parsed, offset) = fixture::cursor(FileKind::GoMod, fixture_text);
    let document = parsed.document();
    let mut out = String::new();
    for action in code_actions(&document, offset..offset, facts, UpgradeLevel::Minor) {
        out.push_str(&format!(
            "{:?} {}{}\n",
            action.kind,
            action.title,
            if action.preferred { " (preferred)" } else { "" }
        ));
        match &action.pending {
            Some(query) => out.push_str(&format!(
                "  pending {} {} at {:?}\n",
                query.path, query.query, query.range
            )),
            None => {
                for line in apply_all(&parsed.text, &action.edits).lines() {
                    out.push_str(&format!("  | {line}\n"));
                }
            }
        }
    }
    expected.assert_eq(&out);
}

const EXAMPLE: &[&str] = &[
    "v1.0.0",
    "v1.0.1",
    "v1.0.2",
    "v1.1.0",
    "v1.2.0-rc.1",
    "v2.0.0+incompatible",
];

#[test]
fn upgrades_offer_patch_minor_and_latest_once_each() {
    check_actions(
        "module m\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0$0\n\texample.com/b v1.0.0\n)\n",
        &facts(
            &[
                ("example.com/a", EXAMPLE, &[]),
                ("example.com/b", &["v1.0.0"], &[]),
            ],
            &[],
        ),
        expect![[r#"
            Rewrite Upgrade to v1.0.2 (patch)
              | module m
              | 
              | go 1.22
              | 
              | require (
              | 	example.com/a v1.0.2
              | 	example.com/b v1.0.0
              | )
            Rewrite Upgrade to v1.1.0 (minor)
              | module m
              | 
              | go 1.22
              | 
              | require (
              | 	example.com/a v1.1.0
              | 	example.com/b v1.0.0
              | )
            Rewrite Upgrade to v2.0.0+incompatible (latest)
              | module m
              | 
              | go 1.22
              | 
              | require (
              | 	example.com/a v2.0.0+incompatible
              | 	example.com/b v1.0.0
              | )
            Source Upgrade all requirements (minor)
              | module m
              | 
              | go 1.22
              | 
              | require (
              | 	example.com/a v1.1.0
              | 	example.com/b v1.0.0
              | )
            Source Upgrade all requirements (patch)
              | module m
              | 
              | go 1.22
              | 
              | require (
              | 	example.com/a v1.0.2
              | 	example.com/b v1.0.0
              | )
            Source Upgrade all requirements (latest)
              | module m
              | 
              | go 1.22
              | 
              | require (
              | 	example.com/a v2.0.0+incompatible
              | 	example.com/b v1.0.0
              | )
        "#]],
    );
}

#[test]
fn retracted_version_moves_to_the_nearest_newer_unretracted_release() {
    check_actions(
        "module m\n\nrequire example.com/a v1.0.0$0\n",
        &facts(
            &[("example.com/a", EXAMPLE, &["v1.0.0", "v1.0.1", "v1.1.0"])],
            &[],
        ),
        expect![[r#"
            QuickFix Move off retracted v1.0.0 to v1.0.2 (preferred)
              | module m
              | 
              | require example.com/a v1.0.2
            Rewrite Upgrade to v1.0.2 (patch)
              | module m
              | 
              | require example.com/a v1.0.2
            Rewrite Upgrade to v2.0.0+incompatible (latest)
              | module m
              | 
              | require example.com/a v2.0.0+incompatible
            Source Upgrade all requirements (patch, minor)
              | module m
              | 
              | require example.com/a v1.0.2
            Source Upgrade all requirements (latest)
              | module m
              | 
              | require example.com/a v2.0.0+incompatible
        "#]],
    );
}

#[test]
fn branch_names_and_prefixes_are_pinned_once_resolved_and_pending_before() {
    let text = "module m\n\nrequire (\n\texample.com/a master$0\n\texample.com/b v1.2\n)\n";
    check_actions(
        text,
        &facts(
            &[],
            &[(
                "example.com/a",
                "master",
                "v0.0.0-20260101000000-abcdefabcdef",
            )],
        ),
        expect![[r#"
            QuickFix Pin master to its current commit: v0.0.0-20260101000000-abcdefabcdef (preferred)
              | module m
              | 
              | require (
              | 	example.com/a v0.0.0-20260101000000-abcdefabcdef
              | 	example.com/b v1.2.0
              | )
            Source Canonicalise all versions
              | module m
              | 
              | require (
              | 	example.com/a master
              | 	example.com/b v1.2.0
              | )
        "#]],
    );
    check_actions(
        "module m\n\nrequire (\n\texample.com/a master\n\texample.com/b v1.2$0\n)\n",
        &ActionFacts::default(),
        expect![[r#"
            QuickFix Pin v1.2 to the version go resolves it to (preferred)
              pending example.com/b v1.2 at 57..61
            Source Canonicalise all versions
              | module m
              | 
              | require (
              | 	example.com/a master
              | 	example.com/b v1.2.0
              | )
        "#]],
    );
}

#[test]
fn dead_replaces_and_unnecessary_excludes_are_removed_and_blocks_collapse() {
    check_actions(
        "module m\n\nrequire example.com/a v1.2.0\n\nreplace (\n\texample.com/gone => ../gone$0\n\texample.com/a v1.1.0 => ../a\n\texample.com/a => ../a2\n)\n\nexclude example.com/a v1.0.0\n",
        &ActionFacts::default(),
        expect![[r#"
            QuickFix Remove this replace: nothing requires the module (preferred)
              | module m
              | 
              | require example.com/a v1.2.0
              | 
              | replace (
              | 	example.com/a => ../a2
              | 	example.com/a v1.1.0 => ../a
              | )
              | 
              | exclude example.com/a v1.0.0
            Source Remove all dead replaces
              | module m
              | 
              | require example.com/a v1.2.0
              | 
              | replace example.com/a => ../a2
              | 
              | exclude example.com/a v1.0.0
        "#]],
    );
    let with_sum = ActionFacts {
        go_sum: Some(
            "example.com/a v1.3.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                .to_owned(),
        ),
        ..ActionFacts::default()
    };
    let text = "module m\n\nrequire example.com/a v1.2.0\n\nexclude (\n\texample.com/a v1.0.0$0\n\texample.com/a v1.3.0\n)\n";
    check_actions(
        text,
        &with_sum,
        expect![[r#"
        QuickFix Remove this exclude: nothing requires the version (preferred)
          | module m
          | 
          | require example.com/a v1.2.0
          | 
          | exclude example.com/a v1.3.0
    "#]],
    );
    check_actions(
        text.replace("v1.0.0$0", "v1.0.0")
            .replace("v1.3.0\n)", "v1.3.0$0\n)")
            .as_str(),
        &with_sum,
        expect![[r#""#]],
    );
    check_actions(text, &ActionFacts::default(), expect![[r#""#]]);
}

#[test]
fn upgrade_targets_skip_retracted_and_prefer_releases() {
    let module = ModuleUpdates {
        versions: EXAMPLE.iter().map(|v| (*v).to_owned()).collect(),
        retracted: ["v1.1.0".to_owned()].into(),
    };
    assert_eq!(
        upgrade_target("v1.0.0", &module, UpgradeLevel::Minor).as_deref(),
        Some("v1.0.2")
    );
    assert_eq!(upgrade_target("v1.0.2", &module, UpgradeLevel::Patch), None);
    assert_eq!(
        upgrade_target("v3.0.0", &module, UpgradeLevel::Latest),
        None
    );
    assert_eq!(
        upgrade_target("master", &module, UpgradeLevel::Latest),
        None
    );
    let prereleases = ModuleUpdates {
        versions: vec!["v0.1.0-alpha".to_owned(), "v0.1.0-beta".to_owned()],
        retracted: BTreeSet::new(),
    };
    assert_eq!(
        upgrade_target("v0.1.0-alpha", &prereleases, UpgradeLevel::Latest).as_deref(),
        Some("v0.1.0-beta")
    );
    assert_eq!(
        upgrade_target("v0.1.0-alpha", &prereleases, UpgradeLevel::Minor),
        None
    );
    assert_eq!(
        unretracted_successor("v1.1.0", &module).as_deref(),
        Some("v2.0.0+incompatible")
    );
    assert_eq!(
        unretracted_successor("v1.0.0", &module).as_deref(),
        Some("v1.0.1")
    );
}

#[test]
fn inlay_hints_and_lenses_mark_requirements_behind() {
    let text = "module m\n\nrequire (\n\texample.com/a v1.0.0 // indirect\n\texample.com/b v1.0.0\n)\n\nrequire example.com/c v1.0.0\n";
    let parsed = fixture::parse(FileKind::GoMod, text);
    let document = parsed.document();
    let facts = facts(
        &[
            ("example.com/a", EXAMPLE, &[]),
            ("example.com/b", &["v1.0.0"], &[]),
            ("example.com/c", &["v1.0.0", "v1.0.1"], &[]),
        ],
        &[],
    );
    let hints: Vec<String> = inlay_hints(&document, &facts)
        .into_iter()
        .map(|hint| {
            format!(
                "{:?} after {:?}",
                hint.label,
                &text[..hint.offset].lines().last().unwrap_or_default()
            )
        })
        .collect();
    expect![[r#"
        [
            "\"latest v2.0.0+incompatible\" after \"\\texample.com/a v1.0.0 // indirect\"",
            "\"latest v1.0.1\" after \"require example.com/c v1.0.0\"",
        ]
    "#]]
    .assert_debug_eq(&hints);
    let lenses: Vec<String> = code_lenses(&document, &facts, UpgradeLevel::Minor)
        .into_iter()
        .map(|lens| format!("{} {} at {:?}", lens.title, lens.updates, &text[lens.range]))
        .collect();
    expect![[r#"
        [
            "1 update available (minor): upgrade 1 at \"require\"",
            "1 update available (minor): upgrade 1 at \"require\"",
        ]
    "#]]
    .assert_debug_eq(&lenses);
    let upgraded = apply_all(text, &upgrade_all(&document, &facts, UpgradeLevel::Patch));
    expect![[r#"
        module m

        require (
        	example.com/a v1.0.2 // indirect
        	example.com/b v1.0.0
        )

        require example.com/c v1.0.1
    "#]]
    .assert_eq(&upgraded);
}

#[test]
fn edits_keep_an_unformatted_file_formatted_as_go_does() {
    let text = "module m\nrequire   example.com/a   v1.0.0\n";
    let parsed = fixture::parse(FileKind::GoMod, text);
    let document = parsed.document();
    let facts = facts(&[("example.com/a", &["v1.0.1"], &[])], &[]);
    let upgraded = apply_all(text, &upgrade_all(&document, &facts, UpgradeLevel::Patch));
    assert_eq!(upgraded, "module m\n\nrequire example.com/a v1.0.1\n");
}

#[test]
fn facts_from_a_snapshot_mark_retracted_versions() {
    use crate::facts::{FactsSnapshot, ModuleFacts, ModuleState, Retraction};
    let module = ModuleFacts {
        path: "example.com/a".to_owned(),
        versions: vec![
            "v1.0.0".to_owned(),
            "v1.0.1".to_owned(),
            "v1.1.0".to_owned(),
        ],
        retractions: vec![Retraction {
            low: "v1.0.0".to_owned(),
            high: "v1.0.1".to_owned(),
            rationale: "broken".to_owned(),
        }],
        ..ModuleFacts::default()
    };
    let snapshot = FactsSnapshot {
        modules: [
            (
                "example.com/a".to_owned(),
                ModuleState::Loaded(std::sync::Arc::new(module)),
            ),
            (
                "example.com/b".to_owned(),
                ModuleState::Failed("not found".to_owned()),
            ),
        ]
        .into(),
        ..FactsSnapshot::default()
    };
    let facts = ActionFacts::from_snapshot(&snapshot);
    assert_eq!(facts.modules.len(), 1);
    let updates = &facts.modules["example.com/a"];
    assert_eq!(
        updates.retracted,
        ["v1.0.0".to_owned(), "v1.0.1".to_owned()].into()
    );
    assert_eq!(updates.versions.len(), 3);
}

#[test]
fn a_cursor_on_the_keyword_of_a_one_line_directive_gets_its_actions() {
    check_actions(
        "module m\n\nrequire example.com/a v1.0.0\n\nrep$0lace example.com/gone => ../gone\n",
        &ActionFacts::default(),
        expect![[r#"
            QuickFix Remove this replace: nothing requires the module (preferred)
              | module m
              | 
              | require example.com/a v1.0.0
            Source Remove all dead replaces
              | module m
              | 
              | require example.com/a v1.0.0
        "#]],
    );
}

#[test]
fn removing_a_line_go_cannot_format_around_leaves_one_blank_line() {
    check_actions(
        "module m\n\nrequire example.com/a master\n\nreplace example.com/gone => ../gone$0\n\nexclude example.com/a v0.1.0\n",
        &ActionFacts::default(),
        expect![[r#"
            QuickFix Remove this replace: nothing requires the module (preferred)
              | module m
              | 
              | require example.com/a master
              | 
              | exclude example.com/a v0.1.0
            Source Remove all dead replaces
              | module m
              | 
              | require example.com/a master
              | 
              | exclude example.com/a v0.1.0
        "#]],
    );
}

#[test]
fn removing_the_last_line_go_cannot_format_takes_the_blank_line_before() {
    check_actions(
        "module m\n\nrequire example.com/a master\n\nreplace example.com/gone => ../gone$0\n",
        &ActionFacts::default(),
        expect![[r#"
            QuickFix Remove this replace: nothing requires the module (preferred)
              | module m
              | 
              | require example.com/a master
            Source Remove all dead replaces
              | module m
              | 
              | require example.com/a master
        "#]],
    );
}

#[test]
fn go_work_dead_replaces_are_removed_when_the_used_modules_are_known() {
    let text = "go 1.22\n\nuse ./a\n\nreplace (\n\texample.com/gone => ../gone$0\n\texample.com/x => ../x\n)\n";
    let (parsed, offset) = fixture::cursor(FileKind::GoWork, text);
    let document = parsed.document();
    let used = UsedModules {
        paths: ["example.com/a".to_owned()].into_iter().collect(),
        requirements: [("example.com/x".to_owned(), "v1.0.0".to_owned())]
            .into_iter()
            .collect(),
    };
    let facts = ActionFacts {
        used_modules: Some(used),
        ..ActionFacts::default()
    };
    let render = |facts: &ActionFacts| -> String {
        code_actions(&document, offset..offset, facts, UpgradeLevel::Minor)
            .iter()
            .map(|action| {
                format!(
                    "{:?} {}\n{}",
                    action.kind,
                    action.title,
                    apply_all(&parsed.text, &action.edits)
                )
            })
            .collect()
    };
    expect![[r#"
        QuickFix Remove this replace: nothing requires the module
        go 1.22

        use ./a

        replace example.com/x => ../x
        Source Remove all dead replaces
        go 1.22

        use ./a

        replace example.com/x => ../x
    "#]]
    .assert_eq(&render(&facts));
    // Unknown used modules: nothing is dead.
    assert_eq!(render(&ActionFacts::default()), "");
}
