//! Module scenarios compared with the go command through one TestProxy: for each `MODULE@QUERY`
//! the version `go list -m -json` resolves (or go's error), the version list of
//! `go list -m -versions`, and the retraction rationales of `go list -m -retracted`. Covers
//! retract ranges and rationales, a deprecated latest version, `+incompatible` versions,
//! pseudo-version-only and pre-release-only modules, `/v2` and gopkg.in majors, case-escaped
//! paths, branch and commit queries, and versions that cannot be escaped. Smaller fixtures
//! compare queries (from a required version too) where a .info or .mod is missing or a list line
//! is odd.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{client, env, go_command};
use gomodls_test_utils::go::require_go;
use gomodls_test_utils::proxy::{
    Fault, FaultRule, Fixture, FixtureVersion, LatestEndpoint, TestProxy, VersionFlags,
    proxy_layout,
};
use time::macros::datetime;

fn go_mod(path: &str, extra: &str) -> String {
    format!("module {path}\n\ngo 1.21\n{extra}")
}

fn fixture() -> Fixture {
    let v = |path: &str, version: &str| FixtureVersion::new(path, version).go_mod(go_mod(path, ""));
    Fixture::new()
        // Retract ranges with rationales, retractions in the latest go.mod.
        .with(v("example.com/ret", "v1.0.0").time(datetime!(2023-01-01 00:00 UTC)))
        .with(v("example.com/ret", "v1.1.0").time(datetime!(2023-02-01 00:00 UTC)))
        .with(v("example.com/ret", "v1.2.0").time(datetime!(2023-03-01 00:00 UTC)))
        .with(v("example.com/ret", "v1.3.0").time(datetime!(2023-04-01 00:00 UTC)))
        .with(
            FixtureVersion::new("example.com/ret", "v1.4.0")
                .go_mod(go_mod(
                    "example.com/ret",
                    "\nretract (\n\t// the 1.1 and 1.2 line leaked memory\n\t[v1.1.0, v1.2.9]\n\tv1.4.0 // published by mistake\n)\n",
                ))
                .time(datetime!(2023-05-01 00:00 UTC))
                .revision("main")
                .revision("1234567890ab"),
        )
        // Deprecated latest version.
        .with(v("example.com/old", "v1.0.0"))
        .with(
            FixtureVersion::new("example.com/old", "v1.1.0")
                .go_mod("// Deprecated: use example.com/new.\nmodule example.com/old\n\ngo 1.21\n"),
        )
        // +incompatible versions next to compatible ones.
        .with(v("example.com/inc", "v1.5.0"))
        .with(FixtureVersion::new("example.com/inc", "v2.0.0+incompatible").go_mod("module example.com/inc\n"))
        .with(FixtureVersion::new("example.com/inc", "v3.1.0+incompatible").go_mod("module example.com/inc\n"))
        // Only +incompatible versions.
        .with(FixtureVersion::new("example.com/onlyinc", "v2.0.0+incompatible").go_mod("module example.com/onlyinc\n"))
        // Pseudo-versions only.
        .with(
            v("example.com/untagged", "v0.0.0-20230102030405-abcdefabcdef")
                .revision("trunk"),
        )
        // Pre-releases only.
        .with(v("example.com/pre", "v0.1.0-alpha.1"))
        .with(v("example.com/pre", "v0.1.0-beta.2"))
        .with(v("example.com/pre", "v1.0.0-rc.1"))
        // A /v2 major with its own retraction.
        .with(v("example.com/mod", "v1.9.0"))
        .with(v("example.com/mod/v2", "v2.0.0"))
        .with(
            FixtureVersion::new("example.com/mod/v2", "v2.1.0")
                .go_mod(go_mod("example.com/mod/v2", "\nretract v2.0.0 // wrong module path\n")),
        )
        .with(v("example.com/mod/v2", "v2.2.0-rc.1"))
        // gopkg.in majors.
        .with(v("gopkg.in/check.v1", "v1.0.0-20201130134442-10cb98267c6c"))
        .with(v("gopkg.in/yaml.v2", "v2.3.0"))
        .with(v("gopkg.in/yaml.v2", "v2.4.0"))
        .with(v("gopkg.in/yaml.v3", "v3.0.0"))
        .with(v("gopkg.in/yaml.v3", "v3.0.1"))
        // Case-escaped paths.
        .with(v("github.com/Azure/azure-sdk-for-go", "v68.0.0+incompatible").go_mod("module github.com/Azure/azure-sdk-for-go\n"))
        .with(v("github.com/Azure/go-autorest", "v14.2.0+incompatible").go_mod("module github.com/Azure/go-autorest\n"))
        .with(v("github.com/Azure/go-autorest/autorest", "v0.11.29"))
        .with(v("github.com/BurntSushi/toml", "v1.3.2"))
        .with(v("github.com/BurntSushi/toml", "v1.4.0"))
}

fn go_list(
    go: &Path,
    proxy: &TestProxy,
    work: &Path,
    args: &[&str],
) -> Result<serde_json::Value, String> {
    go_list_in(go, &proxy.url(), work, work, args)
}

/// `go list -m -json ARGS` run in `dir` through the GOPROXY list `goproxy`, with its caches and
/// HOME in `work`.
fn go_list_in(
    go: &Path,
    goproxy: &str,
    work: &Path,
    dir: &Path,
    args: &[&str],
) -> Result<serde_json::Value, String> {
    let output = go_command(go, goproxy, work)
        .current_dir(dir)
        .args(["list", "-m", "-json"])
        .args(args)
        .output()
        .unwrap();
    if output.status.success() {
        Ok(serde_json::from_slice(&output.stdout).unwrap())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr
            .trim_end()
            .strip_prefix("go: ")
            .unwrap_or(stderr.trim_end())
            .to_owned())
    }
}

const SCENARIOS: &[(&str, &str)] = &[
    ("example.com/ret", "latest"),
    ("example.com/ret", "v1.1.0"),
    ("example.com/ret", "v1.2.0"),
    ("example.com/ret", "v1.3.0"),
    ("example.com/ret", "v1.4.0"),
    ("example.com/ret", "v1"),
    ("example.com/ret", "v1.2"),
    ("example.com/ret", "<v1.3.0"),
    ("example.com/ret", ">v1.0.0"),
    ("example.com/ret", "main"),
    ("example.com/ret", "1234567890ab"),
    ("example.com/ret", ""),
    ("example.com/ret", "v1.0.0!"),
    ("example.com/ret", "a..b"),
    ("example.com/old", "latest"),
    ("example.com/old", "v1.0.0"),
    ("example.com/old", "v1.1.0"),
    ("example.com/inc", "latest"),
    ("example.com/inc", "v2.0.0+incompatible"),
    ("example.com/inc", "v3"),
    ("example.com/inc", ">v1.5.0"),
    ("example.com/onlyinc", "latest"),
    ("example.com/onlyinc", "v2"),
    ("example.com/untagged", "latest"),
    ("example.com/untagged", "trunk"),
    ("example.com/untagged", "v0.0.0-20230102030405-abcdefabcdef"),
    ("example.com/untagged", "v1"),
    ("example.com/pre", "latest"),
    ("example.com/pre", "v0.1"),
    ("example.com/pre", "v1.0.0-rc.1"),
    ("example.com/pre", ">=v0.1.0-beta.1"),
    ("example.com/mod", "latest"),
    ("example.com/mod/v2", "latest"),
    ("example.com/mod/v2", "v2.0.0"),
    ("example.com/mod/v2", "v2.2.0-rc.1"),
    ("example.com/mod/v2", "v1.0.0"),
    ("gopkg.in/check.v1", "latest"),
    ("gopkg.in/yaml.v2", "latest"),
    ("gopkg.in/yaml.v2", "v2.3"),
    ("gopkg.in/yaml.v3", "latest"),
    ("gopkg.in/yaml.v3", "v2.4.0"),
    ("github.com/Azure/azure-sdk-for-go", "latest"),
    ("github.com/Azure/go-autorest", "latest"),
    ("github.com/Azure/go-autorest/autorest", "latest"),
    ("github.com/BurntSushi/toml", "latest"),
    ("github.com/BurntSushi/toml", "v1.3"),
    ("github.com/burntsushi/toml", "latest"),
];

#[tokio::test]
async fn scenarios_agree_with_go() {
    let Some(go) = require_go("scenarios_agree_with_go").unwrap() else {
        return;
    };
    assert!(SCENARIOS.len() >= 40);
    let proxy = TestProxy::start(fixture()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &[("GOPROXY", &proxy.url())]));
    let mut mismatches = Vec::new();
    let mut resolved_by_both = 0;
    let mut retracted_seen = 0;
    for (path, query) in SCENARIOS {
        let module = format!("{path}@{query}");
        let expected = go_list(&go, &proxy, work.path(), &["-versions", &module]);
        let ours = c.query(path, query, None).await;
        let (want, got) = match (&expected, &ours) {
            (Ok(json), Ok(resolved)) => (
                json["Version"].as_str().unwrap_or("").to_owned(),
                resolved.version.clone(),
            ),
            (Err(go_err), Err(err)) => (go_err.clone(), err.to_string()),
            (Ok(json), Err(err)) => (json["Version"].to_string(), format!("error: {err}")),
            (Err(go_err), Ok(resolved)) => (format!("error: {go_err}"), resolved.version.clone()),
        };
        if want != got {
            mismatches.push(format!("{module}: version: go {want:?}, we {got:?}"));
        }
        let (Ok(json), Ok(resolved)) = (&expected, &ours) else {
            continue;
        };
        resolved_by_both += 1;
        // The version list go shows (retracted versions hidden).
        let go_versions: Vec<String> =
            serde_json::from_value(json["Versions"].clone()).unwrap_or_default();
        let facts = c.facts(path).await.unwrap();
        let our_versions: Vec<String> = facts
            .visible_versions()
            .into_iter()
            .map(str::to_owned)
            .collect();
        if go_versions != our_versions {
            mismatches.push(format!(
                "{module}: versions: go {go_versions:?}, we {our_versions:?}"
            ));
        }
        // Rationales and deprecation of the resolved version, as `go list -m -retracted -u`.
        let exact = format!("{path}@{}", resolved.version);
        let retracted = go_list(&go, &proxy, work.path(), &["-retracted", "-u", &exact]).unwrap();
        let go_rationales: Option<Vec<String>> =
            serde_json::from_value(retracted["Retracted"].clone()).ok();
        let ours_rationales = c
            .query_with(
                path,
                &resolved.version,
                &gomodls_modfetch::QueryOptions {
                    allow_retracted: true,
                    ..Default::default()
                },
            )
            .await
            .ok()
            .and_then(|r| r.retracted);
        if go_rationales.is_some() {
            retracted_seen += 1;
        }
        if go_rationales != ours_rationales {
            mismatches.push(format!(
                "{exact}: retracted: go {go_rationales:?}, we {ours_rationales:?}"
            ));
        }
        let go_deprecated = retracted["Deprecated"].as_str().map(str::to_owned);
        if go_deprecated != facts.deprecation {
            mismatches.push(format!(
                "{exact}: deprecated: go {go_deprecated:?}, we {:?}",
                facts.deprecation
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The table exercises answers, not only agreeing errors.
    assert!(resolved_by_both >= 35, "{resolved_by_both}");
    assert!(retracted_seen >= 3, "{retracted_seen}");
}

/// The queries `(path, query, current)` on which go and we answer differently, each with both
/// answers (the version, or `error: ` and the words). go runs in a fresh main module that
/// requires `current` when there is one, since `upgrade` and `patch` start from it.
async fn query_mismatches(
    go: &Path,
    goproxy: &str,
    cases: &[(&str, &str, Option<&str>)],
) -> Vec<String> {
    let work = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let c = client(env(home.path(), &[("GOPROXY", goproxy)]));
    let mut mismatches = Vec::new();
    for (path, query, current) in cases {
        let app = tempfile::tempdir_in(work.path()).unwrap();
        let mut go_mod = "module example.com/app\n\ngo 1.21\n".to_owned();
        if let Some(version) = current {
            go_mod.push_str(&format!("\nrequire {path} {version}\n"));
        }
        std::fs::write(app.path().join("go.mod"), go_mod).unwrap();
        let module = format!("{path}@{query}");
        let want = match go_list_in(go, goproxy, work.path(), app.path(), &[&module]) {
            Ok(json) => json["Version"].as_str().unwrap_or("").to_owned(),
            Err(err) => format!("error: {err}"),
        };
        let got = match c.query(path, query, *current).await {
            Ok(resolved) => resolved.version,
            Err(err) => format!("error: {err}"),
        };
        if want != got {
            mismatches.push(format!(
                "{module} from {current:?}:\n    go: {want:?}\n    we: {got:?}"
            ));
        }
    }
    mismatches
}

/// The last compatible version's .mod is missing. go reads it only to decide whether
/// +incompatible versions count, which a `v2` query or an upgrade from one does not need; the
/// same missing .mod makes go's own `latest` fail, and go then applies no retractions instead of
/// failing the query.
#[tokio::test]
async fn incompatible_versions_when_the_last_compatible_go_mod_is_missing() {
    let Some(go) =
        require_go("incompatible_versions_when_the_last_compatible_go_mod_is_missing").unwrap()
    else {
        return;
    };
    let path = "example.com/incmiss";
    let without_go_mod = VersionFlags {
        no_mod: true,
        ..VersionFlags::default()
    };
    let proxy = TestProxy::start(
        Fixture::new()
            .with(
                FixtureVersion::new(path, "v1.0.0")
                    .go_mod(go_mod(path, ""))
                    .flags(without_go_mod),
            )
            .with(FixtureVersion::new(path, "v2.0.0+incompatible")),
    )
    .unwrap();
    let mismatches = query_mismatches(
        &go,
        &proxy.url(),
        &[
            (path, "latest", None),
            (path, "v2", None),
            (path, ">=v2.0.0", None),
            (path, "upgrade", Some("v2.0.0+incompatible")),
        ],
    )
    .await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The latest version's go.mod retracts it, but its .info is missing. go's own `latest` query
/// fails on the .info, so go loads no retractions, picks that version anyway and fails on its
/// .info; it does not fall back to the version below.
#[tokio::test]
async fn latest_without_info_loads_no_retractions() {
    let Some(go) = require_go("latest_without_info_loads_no_retractions").unwrap() else {
        return;
    };
    let path = "example.com/noinfo";
    let without_info = VersionFlags {
        no_info: true,
        ..VersionFlags::default()
    };
    let proxy = TestProxy::start(
        Fixture::new()
            .with(FixtureVersion::new(path, "v1.0.0").go_mod(go_mod(path, "")))
            .with(FixtureVersion::new(path, "v1.1.0").go_mod(go_mod(path, "")))
            .with(
                FixtureVersion::new(path, "v1.2.0")
                    .go_mod(go_mod(path, "retract v1.2.0 // self\n"))
                    .flags(without_info),
            ),
    )
    .unwrap();
    let mismatches = query_mismatches(
        &go,
        &proxy.url(),
        &[
            (path, "latest", None),
            (path, "v1", None),
            (path, "upgrade", Some("v1.0.0")),
        ],
    )
    .await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// No tags and no `@latest`: go picks the list line with the newest time, and a line whose time
/// field does not parse counts as the zero time, not as its pseudo-version's own (newer) time.
#[tokio::test]
async fn latest_from_a_list_line_with_an_unparsable_time() {
    let Some(go) = require_go("latest_from_a_list_line_with_an_unparsable_time").unwrap() else {
        return;
    };
    let path = "example.com/listtime";
    let versions = [
        "v0.0.0-20230101000000-aaaaaaaaaaaa",
        "v0.0.0-20230201000000-cccccccccccc",
        "v0.0.0-20230401000000-dddddddddddd",
    ];
    let mut fixture = Fixture::new().with_latest(path, LatestEndpoint::NotFound);
    for version in versions {
        fixture.add(FixtureVersion::new(path, version).go_mod(go_mod(path, "")));
    }
    let mut layout = proxy_layout(&fixture).unwrap();
    layout.insert(
        "example.com/listtime/@v/list",
        format!(
            "{}\n{}\n{} notatime\n",
            versions[0], versions[1], versions[2]
        ),
    );
    let proxy = TestProxy::start(layout).unwrap();
    let mismatches = query_mismatches(
        &go,
        &proxy.url(),
        &[(path, "latest", None), (path, "upgrade", Some(versions[0]))],
    )
    .await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// A GOPROXY list whose first proxy has the module but no version a query wants: go runs the
/// whole query again on the next proxy past a `|` (any error), and past a `,` only after "not
/// found" ("no matching versions" is not "not found", so a `,` stops there).
#[tokio::test]
async fn a_query_moves_to_the_next_proxy_as_a_whole_as_go_does() {
    let Some(go) = require_go("a_query_moves_to_the_next_proxy_as_a_whole_as_go_does").unwrap()
    else {
        return;
    };
    let path = "example.com/multi";
    let version = |v: &str| FixtureVersion::new(path, v).go_mod(go_mod(path, ""));
    let a = TestProxy::start(Fixture::new().with(version("v1.0.0"))).unwrap();
    let b = TestProxy::start(
        Fixture::new()
            .with(version("v1.0.0"))
            .with(version("v1.1.0")),
    )
    .unwrap();
    for separator in ["|", ","] {
        let goproxy = format!("{}{separator}{}", a.url(), b.url());
        let mismatches = query_mismatches(
            &go,
            &goproxy,
            &[
                (path, "latest", None),
                (path, "v1.1", None),
                (path, ">v1.0.0", None),
                (path, "v1.1.0", None),
                (path, "upgrade", Some("v1.0.0")),
            ],
        )
        .await;
        assert!(
            mismatches.is_empty(),
            "GOPROXY={goproxy}\n{}",
            mismatches.join("\n")
        );
    }
}

/// A partial mirror first in the list: it lists a version whose .info it does not have. go's
/// query on it fails with "not found", and past a `,` go runs the whole query on the next proxy;
/// the first proxy's list does not decide the answer. For `latest` and `v1` go answers the second
/// proxy's newer v1.2.0: its retraction check runs a `latest` query of its own, proxy by proxy,
/// and within one command the mirror's "not found" for v1.1.0 stands even once the second proxy
/// has described v1.1.0.
#[tokio::test]
async fn a_partial_mirror_does_not_decide_a_query_as_go_does() {
    let Some(go) = require_go("a_partial_mirror_does_not_decide_a_query_as_go_does").unwrap()
    else {
        return;
    };
    let path = "example.com/mirror";
    let version = |v: &str| FixtureVersion::new(path, v).go_mod(go_mod(path, ""));
    let without_info = VersionFlags {
        no_info: true,
        ..VersionFlags::default()
    };
    let a = TestProxy::start(
        Fixture::new()
            .with(version("v1.0.0"))
            .with(version("v1.1.0").flags(without_info)),
    )
    .unwrap();
    let b = TestProxy::start(
        Fixture::new()
            .with(version("v1.0.0"))
            .with(version("v1.1.0"))
            .with(version("v1.2.0")),
    )
    .unwrap();
    for separator in [",", "|"] {
        let goproxy = format!("{}{separator}{}", a.url(), b.url());
        let mismatches = query_mismatches(
            &go,
            &goproxy,
            &[
                (path, "v1.0.0", None),
                (path, "latest", None),
                (path, "v1", None),
                (path, "v1.1.0", None),
                (path, ">=v1.1.0", None),
                (path, "upgrade", Some("v1.0.0")),
                (path, "patch", Some("v1.1.0")),
            ],
        )
        .await;
        assert!(
            mismatches.is_empty(),
            "GOPROXY={goproxy}\n{}",
            mismatches.join("\n")
        );
    }
}

/// go's words where `go list -m -json` failed (no JSON, and `go: WORDS` on stderr), as
/// [`module_facts_over_a_partial_mirror_agree_with_go`]'s runner records them.
fn failure(json: &serde_json::Value) -> Option<String> {
    let words = json["Failed"].as_str()?.trim_end();
    Some(words.strip_prefix("go: ").unwrap_or(words).to_owned())
}

/// The module facts over a partial mirror first in the list, compared with `go list -m
/// -versions`, `go list -m -u` from v1.0.0 (its update and deprecation) and `go list -m
/// -retracted` of the version the mirror cannot describe. go takes the version that retractions
/// and the deprecation come from with a `latest` query of its own, run proxy by proxy: the mirror
/// lists v1.1.0 but has no .info for it, so that query moves on to the second proxy, whose v1.2.0
/// deprecates the module and retracts v1.1.0. The versions shown stay the mirror's list; the
/// update is the mirror's answer to the upgrade query, skipping the retracted v1.1.0 (none, here).
/// A mirror that fails with a server error instead of "not found" keeps go there past a `,`: go
/// then fails to list the versions and `-u`, in the words of its retraction check, which are the
/// facts' one problem; past a `|` it moves on. The mirror alone, missing or failing, fails the
/// listing in the same words.
#[tokio::test]
async fn module_facts_over_a_partial_mirror_agree_with_go() {
    let Some(go) = require_go("module_facts_over_a_partial_mirror_agree_with_go").unwrap() else {
        return;
    };
    let path = "example.com/partial";
    let version = |v: &str, extra: &str| FixtureVersion::new(path, v).go_mod(go_mod(path, extra));
    let without_info = VersionFlags {
        no_info: true,
        ..VersionFlags::default()
    };
    let newest = "retract v1.1.0 // broken, and gone from the mirror\n";
    let deprecated =
        format!("// Deprecated: use example.com/whole.\nmodule {path}\n\ngo 1.21\n\n{newest}");
    let mirror = |flags: VersionFlags| {
        TestProxy::start(
            Fixture::new()
                .with(version("v1.0.0", ""))
                .with(version("v1.1.0", "").flags(flags)),
        )
        .unwrap()
    };
    let b = TestProxy::start(
        Fixture::new()
            .with(version("v1.0.0", ""))
            .with(version("v1.1.0", ""))
            .with(FixtureVersion::new(path, "v1.2.0").go_mod(deprecated)),
    )
    .unwrap();
    let missing = mirror(without_info);
    let failing = mirror(VersionFlags::default());
    failing.inject(FaultRule::under(
        &format!("/{path}/@v/v1.1.0.info"),
        Fault::Status(500),
    ));
    let mut compared = Vec::new();
    let mut mismatches = Vec::new();
    for (a, separator) in [
        (&missing, ","),
        (&missing, "|"),
        (&failing, ","),
        (&failing, "|"),
        (&missing, ""),
        (&failing, ""),
    ] {
        let goproxy = match separator {
            "" => a.url(),
            _ => format!("{}{separator}{}", a.url(), b.url()),
        };
        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &[("GOPROXY", &goproxy)]));
        let facts = c.facts(path).await.unwrap();
        // go's JSON, printed with an `Error` field when go fails on the module.
        let run = |dir_go_mod: Option<&str>, args: &[&str]| {
            let work = tempfile::tempdir().unwrap();
            if let Some(text) = dir_go_mod {
                std::fs::write(work.path().join("go.mod"), text).unwrap();
            }
            let output = go_command(&go, &goproxy, work.path())
                .current_dir(work.path())
                .args(["list", "-m", "-json"])
                .args(args)
                .output()
                .unwrap();
            let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(
                |_| serde_json::json!({"Failed": String::from_utf8_lossy(&output.stderr)}),
            );
            json
        };

        // Where go fails to list the versions, its words are the facts' one problem.
        let listed = run(None, &["-versions", path]);
        let go_failure = failure(&listed);
        let go_versions: Vec<String> =
            serde_json::from_value(listed["Versions"].clone()).unwrap_or_default();
        let ours: Vec<String> = facts
            .visible_versions()
            .into_iter()
            .map(str::to_owned)
            .collect();
        compared.push(format!(
            "GOPROXY={goproxy}: versions {go_versions:?}, failure {go_failure:?}"
        ));
        let our_failure = facts.problems.first().cloned();
        if go_failure != our_failure || facts.problems.len() > 1 {
            mismatches.push(format!(
                "GOPROXY={goproxy}: listing: go {go_failure:?}, we {:?}",
                facts.problems
            ));
        }
        if go_failure.is_none() && go_versions != ours {
            mismatches.push(format!(
                "GOPROXY={goproxy}: versions: go {go_versions:?}, we {ours:?}"
            ));
        }

        let app = format!("module example.com/app\n\ngo 1.21\n\nrequire {path} v1.0.0\n");
        // go fails `-u` on the retraction check of v1.0.0 where it fails the listing for
        // another reason than "not found": then no version is ours to offer.
        let updated = run(Some(&app), &["-u", path]);
        let update_failure = failure(&updated);
        if update_failure.is_some() && update_failure != our_failure {
            mismatches.push(format!(
                "GOPROXY={goproxy}: -u: go {update_failure:?}, we {:?}",
                facts.problems
            ));
        }
        let go_update = updated["Update"]["Version"].as_str().map(str::to_owned);
        let our_update = facts
            .latest_unretracted
            .clone()
            .filter(|v| v.as_str() > "v1.0.0");
        let go_deprecated = updated["Deprecated"].as_str().map(str::to_owned);
        compared.push(format!(
            "GOPROXY={goproxy}: update {go_update:?}, deprecated {go_deprecated:?}"
        ));
        if go_update != our_update {
            mismatches.push(format!(
                "GOPROXY={goproxy}: update from v1.0.0: go {go_update:?}, we {our_update:?}"
            ));
        }
        if go_deprecated != facts.deprecation {
            mismatches.push(format!(
                "GOPROXY={goproxy}: deprecated: go {go_deprecated:?}, we {:?}",
                facts.deprecation
            ));
        }

        let retracted = run(None, &["-retracted", &format!("{path}@v1.1.0")]);
        let go_rationales = match failure(&retracted) {
            Some(words) => Err(words),
            None => Ok(serde_json::from_value::<Vec<String>>(retracted["Retracted"].clone()).ok()),
        };
        let our_rationales = c
            .query_with(
                path,
                "v1.1.0",
                &gomodls_modfetch::QueryOptions {
                    allow_retracted: true,
                    ..Default::default()
                },
            )
            .await
            .map(|r| r.retracted)
            .map_err(|e| e.to_string());
        if go_rationales != our_rationales {
            mismatches.push(format!(
                "GOPROXY={goproxy}: v1.1.0 retracted: go {go_rationales:?}, we {our_rationales:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The cases differ as described: the mirror's "not found" and a `|` move go on to v1.2.0's
    // go.mod, a server error before a `,` does not.
    let text = compared.join("\n");
    assert_eq!(text.matches("versions [\"v1.0.0\"]").count(), 3, "{text}");
    assert_eq!(text.matches("deprecated Some(").count(), 3, "{text}");
}

/// The latest version's go.mod cannot be read: the proxy has none for it (404), answers 500 for
/// it, or serves one that does not parse. go's retraction check then fails, and go fails
/// `go list -m -versions` in its words, naming the version checked (the first listed), not the
/// latest: those words are the facts' one problem. Its queries take the failure as no
/// retractions.
#[tokio::test]
async fn an_unreadable_latest_go_mod_fails_the_listing_in_go_words() {
    let Some(go) = require_go("an_unreadable_latest_go_mod_fails_the_listing_in_go_words").unwrap()
    else {
        return;
    };
    let path = "example.com/badmod";
    let without_go_mod = VersionFlags {
        no_mod: true,
        ..VersionFlags::default()
    };
    let cases: [(&str, FixtureVersion, Option<Fault>); 3] = [
        (
            "missing",
            FixtureVersion::new(path, "v1.1.0").flags(without_go_mod),
            None,
        ),
        (
            "server error",
            FixtureVersion::new(path, "v1.1.0").go_mod(go_mod(path, "")),
            Some(Fault::Status(500)),
        ),
        (
            "unparsable",
            FixtureVersion::new(path, "v1.1.0").go_mod(format!("module {path}\n\nretract (\n")),
            None,
        ),
    ];
    let mut mismatches = Vec::new();
    for (name, latest, fault) in cases {
        let proxy = TestProxy::start(
            Fixture::new()
                .with(FixtureVersion::new(path, "v1.0.0").go_mod(go_mod(path, "")))
                .with(latest),
        )
        .unwrap();
        if let Some(fault) = fault {
            proxy.inject(FaultRule::under(&format!("/{path}/@v/v1.1.0.mod"), fault));
        }
        let work = tempfile::tempdir().unwrap();
        let output = go_command(&go, &proxy.url(), work.path())
            .current_dir(work.path())
            .args(["list", "-m", "-json", "-versions", path])
            .output()
            .unwrap();
        let go_words = (!output.status.success()).then(|| {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let words = stderr.trim_end();
            words.strip_prefix("go: ").unwrap_or(words).to_owned()
        });
        let home = tempfile::tempdir().unwrap();
        let c = client(env(home.path(), &[("GOPROXY", &proxy.url())]));
        let facts = c.facts(path).await.unwrap();
        if go_words.as_ref() != facts.problems.first() || facts.problems.len() > 1 {
            mismatches.push(format!(
                "{name}: go {go_words:?}\n    we {:?}",
                facts.problems
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
