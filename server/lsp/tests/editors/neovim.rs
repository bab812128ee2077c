//! Neovim 0.11+ with `editors/neovim`: the LSP client (`lsp/gomodls.lua`, `vim.lsp.enable`) and
//! tree-sitter (our compiled parsers and our queries as they are).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{
    self, DELETED_LINES, GO_MOD_FORMATTED, HOVER_AT, QUICK_FIX_AT, QUICK_FIX_PICK,
    QUICK_FIXED_REQUIREMENT, Reference,
};

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

    // Quick fix: the buffer holds the fixed version; several fixes came as a menu of the
    // server's titles.
    match &reference.after_quick_fix {
        Some(expected) => {
            assert!(expected.contains(QUICK_FIXED_REQUIREMENT), "{expected}");
            assert_eq!(
                result["text_after_quick_fix"],
                json!(expected),
                "{result:#}"
            );
            let menus = list(&result["quick_fix_menus"]);
            match reference.quick_fix_titles.len() {
                1 => assert_eq!(menus, Vec::<Value>::new()),
                _ => assert_eq!(menus, vec![json!(reference.quick_fix_titles)]),
            }
        }
        None => assert_eq!(result["text_after_quick_fix"], support::go_mod_fixed()),
    }

    // Format: the buffer is what go mod edit -fmt writes.
    match &reference.formatted {
        Some(expected) => {
            assert_eq!(result["text_final"], json!(expected));
            assert_eq!(result["text_final"], GO_MOD_FORMATTED);
        }
        None => assert_eq!(result["text_final"], result["text_after_quick_fix"]),
    }

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
