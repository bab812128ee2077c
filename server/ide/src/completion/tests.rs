//! Completion fixtures: a `$0` cursor, module data, and the items rendered one per line.

use expect_test::{Expect, expect};
use time::macros::datetime;

use super::*;

fn modules() -> ModuleData {
    let known = |path: &str, source| KnownPath {
        path: path.to_owned(),
        source,
    };
    let version = |version: &str| ModuleVersion::new(version);
    let mut versions = HashMap::new();
    versions.insert(
        "golang.org/x/text".to_owned(),
        ModuleVersions {
            versions: vec![
                version("v0.3.0"),
                ModuleVersion {
                    time: Some(datetime!(2024-05-01 12:00 UTC)),
                    ..version("v0.15.0")
                },
                ModuleVersion {
                    retracted: Some("broken build".to_owned()),
                    ..version("v0.16.0")
                },
                version("v0.17.0-rc.1"),
                version("v0.0.0-20230101020304-abcdefabcdef"),
                version("v0.3.0"),
            ],
            complete: true,
        },
    );
    versions.insert(
        "example.com/loading".to_owned(),
        ModuleVersions {
            versions: vec![version("v1.0.0")],
            complete: false,
        },
    );
    versions.insert(
        "example.com/me".to_owned(),
        ModuleVersions {
            versions: vec![version("v1.0.0"), version("v1.1.0")],
            complete: true,
        },
    );
    versions.insert(
        "é.example/😀".to_owned(),
        ModuleVersions {
            versions: vec![version("v2.0.0+incompatible"), version("v1.0.0")],
            complete: true,
        },
    );
    ModuleData {
        known_paths: vec![
            known("rsc.io/quote", PathSource::ModuleCache),
            known("golang.org/x/text", PathSource::GoSum),
            known("example.com/fork/text", PathSource::Workspace),
            known("golang.org/x/mod", PathSource::ModuleCache),
            known("golang.org/x/text", PathSource::ModuleCache),
        ],
        paths_loading: false,
        versions,
        go_toolchain: Some("1.27.3".to_owned()),
    }
}

fn local_modules() -> Vec<LocalModule> {
    vec![
        LocalModule {
            dir: ".".to_owned(),
            module_path: Some("example.com/me".to_owned()),
        },
        LocalModule {
            dir: "../text".to_owned(),
            module_path: Some("golang.org/x/text".to_owned()),
        },
        LocalModule {
            dir: "./tools".to_owned(),
            module_path: None,
        },
    ]
}

fn render(kind: FileKind, fixture: &str, modules: &ModuleData, snippets: bool) -> String {
    let offset = fixture.find("$0").unwrap();
    let text = fixture.replacen("$0", "", 1);
    let tree = gomodls_syntax::parse(kind, text.as_bytes());
    let local = local_modules();
    let input = CompletionInput {
        kind,
        text: &text,
        tree: &tree,
        offset,
        modules,
        local_modules: &local,
        snippets,
        facts: None,
    };
    let answer = completions(&input);
    let mut out = String::new();
    if answer.incomplete || !answer.wanted_modules.is_empty() {
        out.push_str(&format!(
            "incomplete={} wanted={:?}\n",
            answer.incomplete, answer.wanted_modules
        ));
    }
    let mut sort_texts: Vec<&str> = answer
        .items
        .iter()
        .map(|item| item.sort_text.as_str())
        .collect();
    let sorted = sort_texts.is_sorted();
    sort_texts.dedup();
    assert!(
        sorted && sort_texts.len() == answer.items.len(),
        "sort texts keep the order"
    );
    for item in &answer.items {
        let mut flags = Vec::new();
        if item.preselect {
            flags.push("preselect");
        }
        if item.deprecated {
            flags.push("deprecated");
        }
        if item.snippet {
            flags.push("snippet");
        }
        assert!(
            item.range.start <= offset && offset <= item.range.end,
            "{item:?}"
        );
        out.push_str(&format!(
            "{:?} {:?} [{:?} -> {:?}]",
            item.label,
            item.kind,
            &text[item.range.clone()],
            item.new_text
        ));
        if item.filter_text != item.label {
            out.push_str(&format!(" filter={:?}", item.filter_text));
        }
        if let Some(detail) = &item.detail {
            out.push_str(&format!(" ({detail})"));
        }
        if let Some(documentation) = &item.documentation {
            out.push_str(&format!(" doc={documentation:?}"));
        }
        if !flags.is_empty() {
            out.push_str(&format!(" {}", flags.join(",")));
        }
        out.push('\n');
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    expect.assert_eq(&render(FileKind::GoMod, fixture, &modules(), true));
}

fn check_work(fixture: &str, expect: Expect) {
    expect.assert_eq(&render(FileKind::GoWork, fixture, &modules(), true));
}

/// The first `lines` lines and how many there were.
fn head(rendered: &str, lines: usize) -> String {
    let all: Vec<&str> = rendered.lines().collect();
    format!(
        "{}\n… {} items",
        all[..lines.min(all.len())].join("\n"),
        all.len()
    )
}

#[test]
fn keywords_in_an_empty_gomod() {
    check(
        "$0",
        expect![[r#"
            "module" Keyword ["" -> "module "] (the module's path)
            "go" Keyword ["" -> "go "] (the minimum Go version)
            "toolchain" Keyword ["" -> "toolchain "] (the suggested Go toolchain)
            "godebug" Keyword ["" -> "godebug "] (GODEBUG defaults for the main packages)
            "godebug (…)" Snippet ["" -> "godebug (\n\t$0\n)"] filter="godebug" (godebug block) snippet
            "require" Keyword ["" -> "require "] (a module version the build needs at least)
            "require (…)" Snippet ["" -> "require (\n\t$0\n)"] filter="require" (require block) snippet
            "exclude" Keyword ["" -> "exclude "] (a module version to skip)
            "exclude (…)" Snippet ["" -> "exclude (\n\t$0\n)"] filter="exclude" (exclude block) snippet
            "replace" Keyword ["" -> "replace "] (another module or a directory in place of a module)
            "replace (…)" Snippet ["" -> "replace (\n\t$0\n)"] filter="replace" (replace block) snippet
            "retract" Keyword ["" -> "retract "] (versions of this module not to use)
            "retract (…)" Snippet ["" -> "retract (\n\t$0\n)"] filter="retract" (retract block) snippet
            "tool" Keyword ["" -> "tool "] (a package to run with go tool)
            "tool (…)" Snippet ["" -> "tool (\n\t$0\n)"] filter="tool" (tool block) snippet
            "ignore" Keyword ["" -> "ignore "] (a directory the go command skips)
            "ignore (…)" Snippet ["" -> "ignore (\n\t$0\n)"] filter="ignore" (ignore block) snippet
        "#]],
    );
}

#[test]
fn keywords_skip_present_singletons_and_keep_crlf() {
    let rendered = render(
        FileKind::GoMod,
        "module é.example/m\r\n\r\ngo 1.22\r\n\r\nre$0\r\n",
        &modules(),
        false,
    );
    expect![[r#"
        "toolchain" Keyword ["re" -> "toolchain "] (the suggested Go toolchain)
        "godebug" Keyword ["re" -> "godebug "] (GODEBUG defaults for the main packages)
        "godebug (…)" Snippet ["re" -> "godebug (\r\n\t\r\n)"] filter="godebug" (godebug block)
        "require" Keyword ["re" -> "require "] (a module version the build needs at least)
        … 15 items"#]]
    .assert_eq(&head(&rendered, 4));
    assert!(!rendered.contains("\"module\""));
    assert!(!rendered.contains("\"go\" "));
    assert!(rendered.contains("\"toolchain\" Keyword"));
}

#[test]
fn keywords_in_gowork() {
    check_work(
        "go 1.22\n\n$0",
        expect![[r#"
            "toolchain" Keyword ["" -> "toolchain "] (the suggested Go toolchain)
            "godebug" Keyword ["" -> "godebug "] (GODEBUG defaults for the workspace)
            "godebug (…)" Snippet ["" -> "godebug (\n\t$0\n)"] filter="godebug" (godebug block) snippet
            "use" Keyword ["" -> "use "] (a module directory in the workspace)
            "use (…)" Snippet ["" -> "use (\n\t$0\n)"] filter="use" (use block) snippet
            "replace" Keyword ["" -> "replace "] (another module or a directory in place of a module)
            "replace (…)" Snippet ["" -> "replace (\n\t$0\n)"] filter="replace" (replace block) snippet
        "#]],
    );
}

#[test]
fn nothing_inside_blocks_at_keyword_position_or_in_gosum() {
    check("module m\n\nmodule $0\n", expect![[""]]);
    check("ignore $0\n", expect![[""]]);
    check("require x (\n\t$0\n", expect![[""]]);
    expect![[""]].assert_eq(&render(
        FileKind::GoSum,
        "golang.org/x/text $0",
        &modules(),
        true,
    ));
}

#[test]
fn go_versions() {
    let rendered = render(FileKind::GoMod, "module m\n\ngo 1.2$0\n", &modules(), true);
    expect![[r#"
        "1.27.3" GoVersion ["1.2" -> "1.27.3"] (installed toolchain) preselect
        "1.27.2" GoVersion ["1.2" -> "1.27.2"]
        "1.27.1" GoVersion ["1.2" -> "1.27.1"]
        "1.27.0" GoVersion ["1.2" -> "1.27.0"]
        "1.26.0" GoVersion ["1.2" -> "1.26.0"]
        "1.25.0" GoVersion ["1.2" -> "1.25.0"]
        … 63 items"#]]
    .assert_eq(&head(&rendered, 6));
    assert!(rendered.ends_with("\"1.11\" GoVersion [\"1.2\" -> \"1.11\"]\n"));
    let rendered = render(FileKind::GoWork, "go $0", &ModuleData::default(), true);
    expect![[r#"
        "1.25.0" GoVersion ["" -> "1.25.0"] preselect
        "1.24.6" GoVersion ["" -> "1.24.6"]
        … 58 items"#]]
    .assert_eq(&head(&rendered, 2));
}

#[test]
fn toolchain_names() {
    let rendered = render(FileKind::GoMod, "toolchain go$0\n", &modules(), true);
    expect![[r#"
        "go1.27.3" GoVersion ["go" -> "go1.27.3"] (installed toolchain) preselect
        "go1.27.2" GoVersion ["go" -> "go1.27.2"]
        … 53 items"#]]
    .assert_eq(&head(&rendered, 2));
    assert!(rendered.ends_with("\"go1.21.0\" GoVersion [\"go\" -> \"go1.21.0\"]\n"));
}

#[test]
fn indirect_comment() {
    check(
        "require golang.org/x/text v0.3.0 $0\n",
        expect![[r#"
            "// indirect" Comment ["" -> "// indirect"] (needed only by other modules)
        "#]],
    );
    check(
        "require (\n\tgolang.org/x/text v0.3.0 /$0\n)\n",
        expect![[r#"
            "// indirect" Comment ["/" -> "// indirect"] (needed only by other modules)
        "#]],
    );
    check(
        "require golang.org/x/text v0.3.0 // ind$0\n",
        expect![[r#"
            "// indirect" Comment ["// ind" -> "// indirect"] (needed only by other modules)
        "#]],
    );
    check("require golang.org/x/text v0.3.0 // see$0\n", expect![[""]]);
    check("exclude golang.org/x/text v0.3.0 $0\n", expect![[""]]);
    check(
        "require golang.org/x/text v0.3.0 // indirect $0\n",
        expect![[""]],
    );
}

#[test]
fn godebug_keys_and_values() {
    let rendered = render(FileKind::GoMod, "godebug (\n\tpan$0\n)\n", &modules(), true);
    expect![[r#"
        "default" GodebugKey ["pan" -> "default="] (the Go version whose defaults apply)
        "allowmultiplevcs" GodebugKey ["pan" -> "allowmultiplevcs="] (cmd/go)
        "containermaxprocs" GodebugKey ["pan" -> "containermaxprocs="] (runtime; Go 1.25 changed the default (old: containermaxprocs=0))
        … 52 items"#]]
    .assert_eq(&head(&rendered, 3));
    // The key of a setting with a value is replaced up to the `=`.
    let rendered = render(FileKind::GoMod, "godebug pa$0nicnil=1\n", &modules(), true);
    assert!(
        rendered.contains(r#""panicnil" GodebugKey ["panicnil" -> "panicnil"]"#),
        "{rendered}"
    );
    check(
        "godebug panicnil=$0\n",
        expect![[r#"
            "0" GodebugValue ["" -> "0"] (the default since Go 1.21)
            "1" GodebugValue ["" -> "1"] (the behaviour before Go 1.21)
        "#]],
    );
    check("godebug netdns=$0\n", expect![[""]]);
    let rendered = render(
        FileKind::GoWork,
        "godebug default=go1.2$0\n",
        &modules(),
        true,
    );
    expect![[r#"
        "go1.27" GodebugValue ["go1.2" -> "go1.27"]
        "go1.26" GodebugValue ["go1.2" -> "go1.26"]
        … 17 items"#]]
    .assert_eq(&head(&rendered, 2));
}

#[test]
fn module_paths_for_require() {
    check(
        "require (\n\trsc.io/quote v1.5.2\n\t$0\n)\n",
        expect![[r#"
            "example.com/fork/text" ModulePath ["" -> "example.com/fork/text"] (in the workspace)
            "golang.org/x/text" ModulePath ["" -> "golang.org/x/text"] (in go.sum)
            "golang.org/x/mod" ModulePath ["" -> "golang.org/x/mod"] (in the module cache)
        "#]],
    );
    check(
        "require TEXT$0\n",
        expect![[r#"
            "example.com/fork/text" ModulePath ["TEXT" -> "example.com/fork/text"] (in the workspace)
            "golang.org/x/text" ModulePath ["TEXT" -> "golang.org/x/text"] (in go.sum)
        "#]],
    );
    check(
        "require golang.org/$0x\n",
        expect![[r#"
            "golang.org/x/text" ModulePath ["golang.org/x" -> "golang.org/x/text"] (in go.sum)
            "golang.org/x/mod" ModulePath ["golang.org/x" -> "golang.org/x/mod"] (in the module cache)
        "#]],
    );
}

#[test]
fn module_paths_are_capped_and_loading_is_incomplete() {
    let mut many = modules();
    many.known_paths = (0..250)
        .map(|index| KnownPath {
            path: format!("example.com/m{index:03}"),
            source: PathSource::ModuleCache,
        })
        .collect();
    let rendered = render(FileKind::GoMod, "require $0", &many, true);
    expect![[r#"
        incomplete=true wanted=[]
        "example.com/m000" ModulePath ["" -> "example.com/m000"] (in the module cache)
        … 101 items"#]]
    .assert_eq(&head(&rendered, 2));
    let rendered = render(FileKind::GoMod, "require example.com/m24$0", &many, true);
    assert_eq!(rendered.lines().count(), 10, "{rendered}");
    let mut loading = modules();
    loading.paths_loading = true;
    let rendered = render(FileKind::GoMod, "require rsc$0", &loading, true);
    expect![[r#"
        incomplete=true wanted=[]
        "rsc.io/quote" ModulePath ["rsc" -> "rsc.io/quote"] (in the module cache)
    "#]]
    .assert_eq(&rendered);
}

#[test]
fn versions_newest_first_with_latest_preselected() {
    check(
        "require golang.org/x/text v0.1$0\n",
        expect![[r#"
            "v0.17.0-rc.1" Version ["v0.1" -> "v0.17.0-rc.1"] (pre-release)
            "v0.16.0" Version ["v0.1" -> "v0.16.0"] (retracted) doc="Retracted: broken build" deprecated
            "v0.15.0" Version ["v0.1" -> "v0.15.0"] (2024-05-01 · latest) preselect
            "v0.3.0" Version ["v0.1" -> "v0.3.0"]
            "v0.0.0-20230101020304-abcdefabcdef" Version ["v0.1" -> "v0.0.0-20230101020304-abcdefabcdef"] (2023-01-01 · pseudo-version)
        "#]],
    );
    // The whole token is replaced, wherever the cursor is in it.
    check(
        "exclude (\n\tgolang.org/x/text v$00.3.0 // why\n)\n",
        expect![[r#"
            "v0.17.0-rc.1" Version ["v0.3.0" -> "v0.17.0-rc.1"] (pre-release)
            "v0.16.0" Version ["v0.3.0" -> "v0.16.0"] (retracted) doc="Retracted: broken build" deprecated
            "v0.15.0" Version ["v0.3.0" -> "v0.15.0"] (2024-05-01 · latest) preselect
            "v0.3.0" Version ["v0.3.0" -> "v0.3.0"]
            "v0.0.0-20230101020304-abcdefabcdef" Version ["v0.3.0" -> "v0.0.0-20230101020304-abcdefabcdef"] (2023-01-01 · pseudo-version)
        "#]],
    );
}

#[test]
fn versions_of_unknown_or_loading_modules_are_incomplete() {
    check(
        "require example.com/unknown $0\n",
        expect![[r#"
            incomplete=true wanted=["example.com/unknown"]
        "#]],
    );
    check(
        "require example.com/loading v$0\n",
        expect![[r#"
            incomplete=true wanted=["example.com/loading"]
            "v1.0.0" Version ["v" -> "v1.0.0"] (latest) preselect
        "#]],
    );
}

#[test]
fn versions_of_quoted_paths_on_crlf_lines() {
    check(
        "module m\r\n\r\nrequire (\r\n\t\"é.example/😀\" $0\r\n)\r\n",
        expect![[r#"
            "v2.0.0+incompatible" Version ["" -> "v2.0.0+incompatible"] (latest) preselect
            "v1.0.0" Version ["" -> "v1.0.0"]
        "#]],
    );
}

#[test]
fn replace_positions() {
    check(
        "require golang.org/x/text v0.3.0\nreplace $0\n",
        expect![[r#"
            "golang.org/x/text" ModulePath ["" -> "golang.org/x/text"] (required here)
            "example.com/fork/text" ModulePath ["" -> "example.com/fork/text"] (in the workspace)
            "golang.org/x/mod" ModulePath ["" -> "golang.org/x/mod"] (in the module cache)
            "rsc.io/quote" ModulePath ["" -> "rsc.io/quote"] (in the module cache)
        "#]],
    );
    check(
        "replace example.com/me $0\n",
        expect![[r#"
            "=>" Operator ["" -> "=> "] (replace with)
            "v1.1.0" Version ["" -> "v1.1.0"] (latest) preselect
            "v1.0.0" Version ["" -> "v1.0.0"]
        "#]],
    );
    check(
        "replace example.com/me v1.0.0 =$0\n",
        expect![[r#"
            "=>" Operator ["=" -> "=> "] (replace with)
        "#]],
    );
    check(
        "replace (\n\tgolang.org/x/text => $0\n)\n",
        expect![[r#"
            "../text" Directory ["" -> "../text"] (module golang.org/x/text) preselect
            "./tools" Directory ["" -> "./tools"] (go.mod without a module line)
            "example.com/fork/text" ModulePath ["" -> "example.com/fork/text"] (in the workspace)
            "golang.org/x/text" ModulePath ["" -> "golang.org/x/text"] (in go.sum)
            "golang.org/x/mod" ModulePath ["" -> "golang.org/x/mod"] (in the module cache)
            "rsc.io/quote" ModulePath ["" -> "rsc.io/quote"] (in the module cache)
        "#]],
    );
    check(
        "replace golang.org/x/text => ../$0\n",
        expect![[r#"
            "../text" Directory ["../" -> "../text"] (module golang.org/x/text) preselect
            "./tools" Directory ["../" -> "./tools"] (go.mod without a module line)
        "#]],
    );
    check(
        "replace rsc.io/quote => golang.org/x/text v0.1$0\n",
        expect![[r#"
            "v0.17.0-rc.1" Version ["v0.1" -> "v0.17.0-rc.1"] (pre-release)
            "v0.16.0" Version ["v0.1" -> "v0.16.0"] (retracted) doc="Retracted: broken build" deprecated
            "v0.15.0" Version ["v0.1" -> "v0.15.0"] (2024-05-01 · latest) preselect
            "v0.3.0" Version ["v0.1" -> "v0.3.0"]
            "v0.0.0-20230101020304-abcdefabcdef" Version ["v0.1" -> "v0.0.0-20230101020304-abcdefabcdef"] (2023-01-01 · pseudo-version)
        "#]],
    );
    check("replace rsc.io/quote => ../text $0\n", expect![[""]]);
}

#[test]
fn retract_offers_this_modules_versions() {
    let expected = r#""v1.1.0" Version ["" -> "v1.1.0"] (latest) preselect
"v1.0.0" Version ["" -> "v1.0.0"]
"#;
    for fixture in [
        "module example.com/me\n\nretract $0\n",
        "module example.com/me\n\nretract (\n\t[$0\n",
        "module example.com/me\n\nretract [v1.0.0, $0]\n",
    ] {
        assert_eq!(
            render(FileKind::GoMod, fixture, &modules(), true),
            expected,
            "{fixture:?}"
        );
    }
    check(
        "module example.com/me\n\nretract v1.0.0 $0\n",
        expect![[""]],
    );
    check("retract $0\n", expect![[""]]);
}

#[test]
fn gowork_use_and_replace() {
    check_work(
        "go 1.22\n\nuse (\n\t$0\n)\n",
        expect![[r#"
            "." Directory ["" -> "."] (module example.com/me)
            "../text" Directory ["" -> "../text"] (module golang.org/x/text)
            "./tools" Directory ["" -> "./tools"] (go.mod without a module line)
        "#]],
    );
    check_work(
        "replace golang.org/x/text v$0",
        expect![[r#"
            "=>" Operator ["v" -> "=> "] (replace with)
            "v0.17.0-rc.1" Version ["v" -> "v0.17.0-rc.1"] (pre-release)
            "v0.16.0" Version ["v" -> "v0.16.0"] (retracted) doc="Retracted: broken build" deprecated
            "v0.15.0" Version ["v" -> "v0.15.0"] (2024-05-01 · latest) preselect
            "v0.3.0" Version ["v" -> "v0.3.0"]
            "v0.0.0-20230101020304-abcdefabcdef" Version ["v" -> "v0.0.0-20230101020304-abcdefabcdef"] (2023-01-01 · pseudo-version)
        "#]],
    );
    check_work("require golang.org/x/text $0", expect![[""]]);
}

#[test]
fn tool_offers_required_modules() {
    check(
        "require golang.org/x/text v0.3.0\n\ntool $0\n",
        expect![[r#"
            "golang.org/x/text" ModulePath ["" -> "golang.org/x/text"] (required here)
        "#]],
    );
}

#[test]
fn latest_rules() {
    let versions = |list: &[(&str, bool)]| -> Vec<ModuleVersion> {
        list.iter()
            .map(|&(version, retracted)| ModuleVersion {
                retracted: retracted.then(String::new),
                ..ModuleVersion::new(version)
            })
            .collect()
    };
    // The versions (with whether each is retracted) and the latest of them.
    type Case<'a> = (&'a [(&'a str, bool)], Option<&'a str>);
    let cases: [Case<'_>; 4] = [
        (
            &[("v1.1.0", true), ("v1.0.0", false), ("v1.2.0-pre", false)],
            Some("v1.0.0"),
        ),
        (
            &[
                ("v1.2.0-pre", false),
                ("v0.0.0-20230101020304-abcdefabcdef", false),
            ],
            Some("v1.2.0-pre"),
        ),
        (
            &[
                ("v0.0.0-20230101020304-abcdefabcdef", false),
                ("v1.0.0", true),
            ],
            Some("v0.0.0-20230101020304-abcdefabcdef"),
        ),
        (&[("v1.0.0", true)], None),
    ];
    for (list, expected) in cases {
        let owned = versions(list);
        let mut sorted: Vec<&ModuleVersion> = owned.iter().collect();
        sorted.sort_by(|a, b| semver::compare_for_sort(&b.version, &a.version));
        assert_eq!(latest(&sorted), expected, "{list:?}");
    }
}

#[test]
fn match_ranks() {
    assert_eq!(match_rank("golang.org/x/text", ""), Some(0));
    assert_eq!(match_rank("golang.org/x/text", "golang"), Some(0));
    assert_eq!(match_rank("github.com/BurntSushi/toml", "burnt"), Some(1));
    assert_eq!(match_rank("github.com/BurntSushi/toml", "sushi"), Some(2));
    assert_eq!(match_rank("example.com/texttext/text", "text"), Some(1));
    assert_eq!(match_rank("golang.org/x/text", "text"), Some(1));
    assert_eq!(match_rank("golang.org/x/text", "ext"), Some(2));
    assert_eq!(match_rank("golang.org/x/text", "texts"), None);
    assert_eq!(match_rank("é", "😀"), None);
}

#[test]
fn versions_from_proxy_facts_and_local_data() {
    let facts = crate::facts::ModuleFacts {
        path: "golang.org/x/text".to_owned(),
        versions: vec!["v0.13.0".to_owned(), "v0.14.0".to_owned()],
        retractions: vec![
            crate::facts::Retraction {
                low: "v0.10.0".to_owned(),
                high: "v0.13.0".to_owned(),
                rationale: String::new(),
            },
            crate::facts::Retraction {
                low: "v0.13.0".to_owned(),
                high: "v0.13.0".to_owned(),
                rationale: "  a broken tag\nsecond line".to_owned(),
            },
        ],
        times: [("v0.14.0".to_owned(), datetime!(2023-10-25 17:00 UTC))].into(),
        ..crate::facts::ModuleFacts::default()
    };
    let local = ModuleVersions {
        versions: vec![
            ModuleVersion::new("v0.0.0-20230101020304-abcdefabcdef"),
            ModuleVersion::new("v0.12.0"),
            ModuleVersion {
                time: Some(datetime!(2023-01-01 00:00 UTC)),
                ..ModuleVersion::new("v0.13.0")
            },
        ],
        complete: false,
    };
    let merged = ModuleVersions::from_facts(&facts, Some(&local));
    assert!(merged.complete);
    let rendered: Vec<String> = merged
        .versions
        .iter()
        .map(|version| {
            format!(
                "{} {:?} {:?}",
                version.version,
                version.time.map(|time| time.unix_timestamp()),
                version.retracted
            )
        })
        .collect();
    assert_eq!(
        rendered,
        [
            "v0.0.0-20230101020304-abcdefabcdef None None",
            "v0.12.0 None Some(\"\")",
            "v0.13.0 Some(1672531200) Some(\"a broken tag\")",
            "v0.14.0 Some(1698253200) None",
        ]
    );
    assert_eq!(ModuleVersions::from_facts(&facts, None).versions.len(), 2);
}

#[test]
fn proxy_facts_complete_the_versions() {
    use std::sync::Arc;

    use crate::facts::{DataStatus, FactsSnapshot, ModuleFacts, ModuleState};

    let text = "require example.com/loading $0\nrequire golang.org/x/text v\n";
    let offset = text.find("$0").unwrap();
    let text = text.replacen("$0", "", 1);
    let tree = gomodls_syntax::parse(FileKind::GoMod, text.as_bytes());
    let data = modules();
    let mut facts = FactsSnapshot::default();
    facts.modules.insert(
        "example.com/loading".to_owned(),
        ModuleState::Loaded(Arc::new(ModuleFacts {
            path: "example.com/loading".to_owned(),
            versions: vec!["v1.0.0".to_owned(), "v1.1.0".to_owned()],
            ..ModuleFacts::default()
        })),
    );
    let answer = |facts: &FactsSnapshot, offset: usize| {
        completions(&CompletionInput {
            kind: FileKind::GoMod,
            text: &text,
            tree: &tree,
            offset,
            modules: &data,
            local_modules: &[],
            snippets: true,
            facts: Some(facts),
        })
    };
    // The proxy answered: complete, though the local data alone is not.
    let loaded = answer(&facts, offset);
    assert!(!loaded.incomplete);
    let labels: Vec<&str> = loaded
        .items
        .iter()
        .map(|item| item.label.as_str())
        .collect();
    assert_eq!(labels, ["v1.1.0", "v1.0.0"]);
    // No answer for golang.org/x/text yet: its local versions, marked incomplete.
    let pending = answer(&facts, text.len() - 1);
    assert!(pending.incomplete);
    assert_eq!(pending.wanted_modules, ["golang.org/x/text"]);
    assert_eq!(pending.items.len(), 5);
    // Offline, the local versions are all there will be.
    facts.status = DataStatus::Offline;
    assert!(!answer(&facts, text.len() - 1).incomplete);
}
