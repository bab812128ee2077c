//! Neovim 0.11+ with `editors/neovim`: the LSP client (`lsp/gomodls.lua`, `vim.lsp.enable`) and
//! tree-sitter (our compiled parsers and our queries as they are); with a module proxy on
//! 127.0.0.1, hover shows its data, a version completion is accepted and a branch is pinned.

use std::path::Path;
use std::process::Command;

use gomodls_test_utils::proxy::{Fixture, FixtureVersion, TestProxy};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::support::{self, DELETED_LINES, HOVER_AT, QUICK_FIX_AT, QUICK_FIX_PICK, Reference};

/// Runs `nvim --headless --clean -u neovim.lua` on `scenario` in `dir`; `None` when Neovim is
/// missing outside CI.
fn run_neovim(
    test: &str,
    scenario: &str,
    dir: &Path,
    extra_env: &[(&str, String)],
) -> anyhow::Result<Option<Value>> {
    let Some(nvim) = support::require_editor(test, "GOMODLS_NVIM", "nvim")? else {
        return Ok(None);
    };
    let home = tempfile::tempdir()?;
    let result = dir.join("result.json");
    let mut command = Command::new(nvim);
    command
        .arg("--headless")
        .arg("--clean")
        .arg("-u")
        .arg(support::test_file("neovim.lua"))
        .current_dir(dir);
    support::isolate(&mut command, home.path());
    command
        .env("GOMODLS_REPO", support::repository())
        .env("GOMODLS_BIN", env!("CARGO_BIN_EXE_gomodls"))
        .env("GOMODLS_SCENARIO", scenario)
        .env("GOMODLS_WORKDIR", dir)
        .env("GOMODLS_RESULT", &result)
        .env("GOMODLS_WAIT_MS", support::wait_millis().to_string());
    for (name, value) in extra_env {
        command.env(name, value);
    }
    let run = support::run(command, home.path(), &result)?;
    Ok(Some(run.success()?))
}

/// A JSON list from Lua, where an empty table encodes as `{}`.
fn list(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

/// LSP diagnostics as `vim.diagnostic.get` holds them: 0-based `lnum`/`col` to
/// `end_lnum`/`end_col` (byte columns with UTF-8), message, severity (1 error .. 4 hint), code,
/// source.
fn editor_views(diagnostics: &[Value]) -> Vec<Value> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let range = &diagnostic["range"];
            json!({
                "lnum": range["start"]["line"],
                "col": range["start"]["character"],
                "end_lnum": range["end"]["line"],
                "end_col": range["end"]["character"],
                "message": diagnostic["message"],
                "severity": diagnostic.get("severity").cloned().unwrap_or(json!(1)),
                "code": diagnostic["code"],
                "source": diagnostic["source"],
            })
        })
        .collect()
}

#[test]
fn neovim_lsp_diagnostics_hover_quick_fix_format() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    support::write_workspace(dir.path())?;
    let Some(result) = run_neovim(
        "neovim_lsp_diagnostics_hover_quick_fix_format",
        "lsp",
        dir.path(),
        &[
            ("GOMODLS_HOVER_AT", format!("{},{}", HOVER_AT.0, HOVER_AT.1)),
            (
                "GOMODLS_QUICK_FIX_AT",
                format!("{},{}", QUICK_FIX_AT.0, QUICK_FIX_AT.1),
            ),
            ("GOMODLS_DELETE_LINES", DELETED_LINES.to_string()),
            ("GOMODLS_PICK", QUICK_FIX_PICK.to_owned()),
        ],
    )?
    else {
        return Ok(());
    };
    // Neovim 0.11 offers UTF-8 first and takes markdown hovers.
    let reference = Reference::ask(
        dir.path(),
        &["utf-8", "utf-16", "utf-32"],
        &["markdown", "plaintext"],
    )?;

    // The client the shipped config starts: right filetype, root and encoding.
    assert_eq!(result["filetype"], "gomod", "{result:#}");
    assert_eq!(result["offset_encoding"], "utf-8", "{result:#}");
    let root = result["root_dir"].as_str().unwrap_or_default();
    assert_eq!(
        Path::new(root).canonicalize()?,
        dir.path().canonicalize()?,
        "{result:#}"
    );

    // Diagnostics: exactly the server's, before and after the user's edit.
    assert!(!reference.diagnostics_broken.is_empty());
    assert_eq!(
        list(&result["diagnostics_broken"]),
        editor_views(&reference.diagnostics_broken),
        "{result:#}"
    );
    assert_eq!(result["text_fixed"], support::go_mod_fixed());
    assert_eq!(
        list(&result["diagnostics_fixed"]),
        editor_views(&reference.diagnostics_fixed),
        "{result:#}"
    );

    // What the editor can do matches what the server offers.
    let supports = &result["supports"];
    assert_eq!(supports["hover"], json!(reference.offers("hoverProvider")));
    assert_eq!(
        supports["code_action"],
        json!(reference.offers("codeActionProvider"))
    );
    assert_eq!(
        supports["formatting"],
        json!(reference.offers("documentFormattingProvider"))
    );

    // Hover: the floating window shows the server's text.
    if reference.offers("hoverProvider") {
        let shown = list(&result["hover_lines"])
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n");
        let expected = reference.hover_text();
        assert!(!expected.trim().is_empty(), "no hover from the server");
        for line in expected
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
        {
            assert!(shown.contains(line), "hover line {line:?} not in {shown:?}");
        }
    }

    // Quick fix, then format: the buffer texts the server's answers give.
    reference.assert_quick_fix_and_format(&result);

    // go.work and go.sum join the same client; go.work's diagnostics are the server's.
    assert_eq!(result["work_filetype"], "gowork");
    assert_eq!(result["work_same_client"], true);
    assert!(!reference.work_diagnostics.is_empty());
    assert_eq!(
        list(&result["work_diagnostics"]),
        editor_views(&reference.work_diagnostics),
        "{result:#}"
    );
    assert_eq!(result["sum_filetype"], "gosum");
    assert_eq!(result["sum_same_client"], true);
    assert_eq!(list(&result["sum_diagnostics"]), Vec::<Value>::new());

    // Nothing went wrong on the way.
    let errors: Vec<Value> = list(&result["notifications"])
        .into_iter()
        .filter(|notification| notification["level"].as_i64() >= Some(4))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    Ok(())
}

/// The canonical pseudo-version of the proxy fixture's `master` branch.
const MASTER_PSEUDO: &str = "v0.0.0-20230102030405-abcdefabcdef";

/// The module proxy the `proxy` scenario talks to: `example.com/m` (v1.1.0 retracted by v1.2.0),
/// `example.com/up` (patch and minor updates) and `example.com/branch`, whose `master` branch
/// resolves to [`MASTER_PSEUDO`]; every version with its own publish time.
fn proxy_fixture() -> Fixture {
    let go_mod = |path: &str, extra: &str| format!("module {path}\n\ngo 1.21\n{extra}");
    let version = |path: &str, version: &str, time: time::OffsetDateTime| {
        FixtureVersion::new(path, version)
            .go_mod(go_mod(path, ""))
            .time(time)
    };
    Fixture::new()
        .with(version(
            "example.com/m",
            "v1.0.0",
            datetime!(2023-01-01 00:00 UTC),
        ))
        .with(version(
            "example.com/m",
            "v1.1.0",
            datetime!(2023-03-01 00:00 UTC),
        ))
        .with(version(
            "example.com/m",
            "v1.1.1",
            datetime!(2023-03-15 00:00 UTC),
        ))
        .with(
            FixtureVersion::new("example.com/m", "v1.2.0")
                .go_mod(go_mod(
                    "example.com/m",
                    "\n// v1.1.0 was broken\nretract v1.1.0\n",
                ))
                .time(datetime!(2023-04-01 00:00 UTC)),
        )
        .with(version(
            "example.com/up",
            "v1.0.0",
            datetime!(2022-05-01 00:00 UTC),
        ))
        .with(version(
            "example.com/up",
            "v1.0.4",
            datetime!(2022-06-01 00:00 UTC),
        ))
        .with(version(
            "example.com/up",
            "v1.3.0",
            datetime!(2022-09-30 00:00 UTC),
        ))
        .with(
            version(
                "example.com/branch",
                MASTER_PSEUDO,
                datetime!(2023-01-02 03:04:05 UTC),
            )
            .revision("master"),
        )
}

/// The go.mod of the `proxy` scenario.
const PROXY_GO_MOD: &str = "module example.com/app\n\
\n\
go 1.22\n\
\n\
require (\n\
\texample.com/m v1.1.0\n\
\texample.com/up v1.0.0\n\
)\n";

/// The line the user appends in the `proxy` scenario, and pins.
const BRANCH_REQUIRE: &str = "require example.com/branch master";

/// What `go list -m -json MODULE@QUERY` resolves through `proxy_url`, with private caches under
/// `dir`; `None` when go is missing outside CI.
fn go_resolves(
    dir: &Path,
    proxy_url: &str,
    module: &str,
    query: &str,
) -> anyhow::Result<Option<String>> {
    let go = gomodls_test_utils::go::require_go("neovim_proxy_hover_completion_and_pin")
        .map_err(anyhow::Error::msg)?;
    let Some(go) = go else {
        return Ok(None);
    };
    let work = dir.join("go-oracle");
    std::fs::create_dir_all(&work)?;
    let output = gomodls_test_utils::go::go_command(&go, &work, &work.join("cache"))
        .args(["list", "-m", "-json", &format!("{module}@{query}")])
        .current_dir(&work)
        .env("GOPROXY", proxy_url)
        .env("GONOSUMDB", "*")
        .env("GOFLAGS", "-mod=mod")
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "go list -m -json {module}@{query}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: Value = serde_json::from_slice(&output.stdout)?;
    Ok(listed["Version"].as_str().map(str::to_owned))
}

#[test]
fn neovim_proxy_hover_completion_and_pin() -> anyhow::Result<()> {
    let proxy = TestProxy::start(proxy_fixture())?;
    let dir = tempfile::tempdir()?;
    let work = dir.path().join("app");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("go.mod"), PROXY_GO_MOD)?;
    let line_of = |needle: &str| {
        PROXY_GO_MOD
            .lines()
            .position(|line| line.contains(needle))
            .unwrap_or(usize::MAX)
    };
    // The user appends a blank line and the require.
    let pin_line = PROXY_GO_MOD.lines().count() + 1;
    let Some(result) = run_neovim(
        "neovim_proxy_hover_completion_and_pin",
        "proxy",
        &work,
        &[
            // Only the test proxy on 127.0.0.1: no checksum database, nothing private.
            ("GOPROXY", proxy.url()),
            ("GOSUMDB", "off".to_owned()),
            ("GONOSUMDB", "*".to_owned()),
            ("GOPRIVATE", String::new()),
            ("GOMODLS_WAIT_CODE", "retracted-version".to_owned()),
            // On `v1.1.0` of `example.com/m`.
            (
                "GOMODLS_HOVER_AT",
                format!("{},17", line_of("example.com/m")),
            ),
            ("GOMODLS_HOVER_SHOWS", "published".to_owned()),
            // On `v1.0.0` of `example.com/up`.
            (
                "GOMODLS_COMPLETE_AT",
                format!("{},18", line_of("example.com/up")),
            ),
            ("GOMODLS_ACCEPT", "v1.3.0".to_owned()),
            ("GOMODLS_ADD_LINE", BRANCH_REQUIRE.to_owned()),
            ("GOMODLS_PIN_AT", format!("{pin_line},30")),
            ("GOMODLS_PICK", "Pin master".to_owned()),
        ],
    )?
    else {
        return Ok(());
    };
    assert_eq!(result["offset_encoding"], "utf-8", "{result:#}");

    // Hover: the proxy's data, as the floating window shows it.
    let shown = list(&result["hover_lines"])
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    for expected in [
        "`v1.1.0` published 2023-03-01.",
        "**Retracted**: retracted by module author: v1.1.0 was broken",
        "Latest v1: `v1.2.0` (2023-04-01).",
        "https://pkg.go.dev/example.com/m@v1.1.0",
    ] {
        assert!(
            shown.contains(expected),
            "{expected:?} not in the hover {shown:?}"
        );
    }

    // Completion: every version of the proxy, newest first, with its publish time; the latest
    // release preselected; the one taken replaces the whole version.
    let items: Vec<(String, String, bool)> = list(&result["completion_items"])
        .iter()
        .map(|item| {
            assert_eq!(item["has_text_edit"], true, "{item}");
            (
                item["label"].as_str().unwrap_or_default().to_owned(),
                item["detail"].as_str().unwrap_or_default().to_owned(),
                item["preselect"] == true,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("v1.3.0".to_owned(), "2022-09-30 · latest".to_owned(), true),
            ("v1.0.4".to_owned(), "2022-06-01".to_owned(), false),
            ("v1.0.0".to_owned(), "2022-05-01".to_owned(), false),
        ],
        "{result:#}"
    );
    let completed = PROXY_GO_MOD.replace("example.com/up v1.0.0", "example.com/up v1.3.0");
    assert_eq!(result["text_after_completion"], completed, "{result:#}");

    // Pin: `master` becomes go's canonical pseudo-version for the branch.
    let before_pin = format!("{completed}\n{BRANCH_REQUIRE}\n");
    assert_eq!(result["text_before_pin"], before_pin);
    let canonical = go_resolves(dir.path(), &proxy.url(), "example.com/branch", "master")?
        .unwrap_or_else(|| MASTER_PSEUDO.to_owned());
    assert_eq!(canonical, MASTER_PSEUDO);
    assert_eq!(
        result["text_after_pin"],
        before_pin.replace("branch master", &format!("branch {canonical}")),
        "{result:#}"
    );

    let errors: Vec<Value> = list(&result["notifications"])
        .into_iter()
        .filter(|notification| notification["level"].as_i64() >= Some(4))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    Ok(())
}

/// A formatted go.mod with every kind of token the highlights name.
const HIGHLIGHTED_GO_MOD: &str = "module example.com/m\n\
\n\
go 1.22\n\
\n\
require (\n\
\texample.com/a v1.2.0\n\
\texample.com/b v1.0.0 // indirect\n\
)\n\
\n\
replace example.com/c => ../c\n";

#[test]
fn neovim_treesitter_highlights_and_folds_with_our_parser_and_queries() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("go.mod"), HIGHLIGHTED_GO_MOD)?;
    std::fs::write(dir.path().join("go.work"), "go 1.22\n\nuse ./m\n")?;
    std::fs::write(dir.path().join("go.sum"), support::GO_SUM)?;
    // (row, column) -> a capture expected there.
    let expected_captures = [
        ((0, 0), "keyword"),
        ((0, 7), "module"),
        ((2, 3), "number"),
        ((4, 8), "punctuation.bracket"),
        ((5, 1), "module"),
        ((5, 15), "number"),
        ((6, 22), "comment.note"),
        ((9, 22), "operator"),
        ((9, 25), "string.special.path"),
    ];
    let positions = expected_captures
        .iter()
        .map(|((row, column), _)| format!("{row}:{column}"))
        .collect::<Vec<_>>()
        .join(",");
    let Some(result) = run_neovim(
        "neovim_treesitter_highlights_and_folds_with_our_parser_and_queries",
        "treesitter",
        dir.path(),
        &[
            ("GOMODLS_POSITIONS", positions),
            // The first line inside the require block (1-based).
            ("GOMODLS_FOLD_LINE", "6".to_owned()),
        ],
    )?
    else {
        return Ok(());
    };

    assert_eq!(result["filetype"], "gomod", "{result:#}");
    assert_eq!(result["lang"], "gomod");
    assert_eq!(result["highlighting"], true);
    assert_eq!(result["has_error"], false);
    let captures = list(&result["captures"]);
    for (((row, column), name), found) in expected_captures.iter().zip(&captures) {
        assert_eq!(
            (found["row"].clone(), found["col"].clone()),
            (json!(row), json!(column))
        );
        let names = list(&found["names"]);
        assert!(
            names.contains(&json!(name)),
            "at {row}:{column} expected @{name}, got {names:?}"
        );
    }
    assert_eq!(captures.len(), expected_captures.len());

    // folds.scm: the require block (lines 5 to 8) folds, nothing else does.
    assert_eq!(result["foldmethod"], "expr");
    assert_eq!(result["foldlevels"], json!([0, 0, 0, 0, 1, 1, 1, 1, 0, 0]));
    assert_eq!(result["fold"], json!([5, 8]));

    assert_eq!(
        result["go.work"],
        json!({"filetype": "gowork", "lang": "gowork", "highlighting": true,
               "has_error": false, "first_capture": "keyword"})
    );
    assert_eq!(
        result["go.sum"],
        json!({"filetype": "gosum", "lang": "gosum", "highlighting": true,
               "has_error": false, "first_capture": "module"})
    );
    assert_eq!(list(&result["notifications"]), Vec::<Value>::new());
    Ok(())
}
