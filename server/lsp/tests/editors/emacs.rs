//! Emacs with Eglot and `editors/emacs/gomodls.el`: Flymake diagnostics, ElDoc hover, the quick
//! fix and `eglot-format-buffer`, on go-mode's `go-dot-mod-mode` and our go.work and go.sum modes.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{self, DELETED_LINES, HOVER_AT, QUICK_FIX_AT, QUICK_FIX_PICK, Reference};

/// LSP diagnostics as Eglot hands them to Flymake: the range as 0-based lines and columns, the
/// type from the severity, and the text `SOURCE [CODE]: MESSAGE`.
fn flymake_views(diagnostics: &[Value]) -> Vec<Value> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let range = &diagnostic["range"];
            let kind = match diagnostic["severity"].as_u64() {
                None | Some(0..=1) => "eglot-error",
                Some(2) => "eglot-warning",
                Some(_) => "eglot-note",
            };
            let code = match &diagnostic["code"] {
                Value::String(code) => format!(" [{code}]"),
                Value::Number(code) => format!(" [{code}]"),
                _ => String::new(),
            };
            let source = diagnostic["source"].as_str().unwrap_or_default();
            let message = diagnostic["message"].as_str().unwrap_or_default();
            json!({
                "lnum": range["start"]["line"],
                "col": range["start"]["character"],
                "end_lnum": range["end"]["line"],
                "end_col": range["end"]["character"],
                "type": kind,
                "text": format!("{source}{code}: {message}"),
            })
        })
        .collect()
}

fn list(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

#[test]
fn emacs_eglot_diagnostics_hover_quick_fix_format() -> anyhow::Result<()> {
    let test = "emacs_eglot_diagnostics_hover_quick_fix_format";
    let Some(emacs) = support::require_editor(test, "GOMODLS_EMACS", "emacs")? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    support::write_workspace(dir.path())?;
    let home = tempfile::tempdir()?;
    let result_path = dir.path().join("result.json");
    let mut command = Command::new(emacs);
    // --batch loads no user init file; Debian's site files put the elpa packages (Eglot,
    // go-mode) on the load path, as for every user.
    command
        .arg("--batch")
        .arg("-l")
        .arg(support::test_file("emacs.el"))
        .current_dir(dir.path());
    support::isolate(&mut command, home.path());
    command
        .env("GOMODLS_REPO", support::repository())
        .env("GOMODLS_BIN", env!("CARGO_BIN_EXE_gomodls"))
        .env("GOMODLS_WORKDIR", dir.path())
        .env("GOMODLS_RESULT", &result_path)
        .env("GOMODLS_WAIT_MS", support::wait_millis().to_string())
        .env("GOMODLS_HOVER_AT", format!("{},{}", HOVER_AT.0, HOVER_AT.1))
        .env(
            "GOMODLS_QUICK_FIX_AT",
            format!("{},{}", QUICK_FIX_AT.0, QUICK_FIX_AT.1),
        )
        .env("GOMODLS_DELETE_LINES", DELETED_LINES.to_string())
        .env("GOMODLS_PICK", QUICK_FIX_PICK);
    let result = support::run(command, home.path(), &result_path)?.success()?;
    // Eglot 1.9 offers no position encodings (UTF-16) and, without markdown-mode, plain text.
    let reference = Reference::ask(dir.path(), &["utf-16"], &["plaintext"])?;

    // The shipped modes and project lookup: go.mod in go-mode's mode, rooted at the go.work.
    assert_eq!(result["major_mode"], "go-dot-mod-mode", "{result:#}");
    let root = result["root"].as_str().unwrap_or_default();
    assert_eq!(
        Path::new(root).canonicalize()?,
        dir.path().canonicalize()?,
        "{result:#}"
    );

    // Diagnostics: exactly the server's, before and after the user's edit.
    assert!(!reference.diagnostics_broken.is_empty());
    assert_eq!(
        list(&result["diagnostics_broken"]),
        flymake_views(&reference.diagnostics_broken),
        "{result:#}"
    );
    assert_eq!(result["text_fixed"], support::go_mod_fixed());
    assert_eq!(
        list(&result["diagnostics_fixed"]),
        flymake_views(&reference.diagnostics_fixed),
        "{result:#}"
    );

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

    // Hover: ElDoc gets the server's text.
    if reference.offers("hoverProvider") {
        let expected = reference.hover_text();
        assert!(!expected.trim().is_empty(), "no hover from the server");
        assert_eq!(result["hover"], json!(expected), "{result:#}");
    }

    // Quick fix, then format: the buffer texts the server's answers give.
    reference.assert_quick_fix_and_format(&result);

    // go.work and go.sum: our modes, the same server, go.work's diagnostics.
    assert_eq!(result["work_major_mode"], "gomodls-go-work-mode");
    assert_eq!(result["work_same_server"], true);
    assert!(!reference.work_diagnostics.is_empty());
    assert_eq!(
        list(&result["work_diagnostics"]),
        flymake_views(&reference.work_diagnostics),
        "{result:#}"
    );
    assert_eq!(result["sum_major_mode"], "gomodls-go-sum-mode");
    assert_eq!(result["sum_same_server"], true);

    // Eglot reported no error from the server.
    let errors: Vec<Value> = list(&result["messages"])
        .into_iter()
        .filter(|message| {
            let text = message.as_str().unwrap_or_default();
            text.contains("error") || text.contains("Error")
        })
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    Ok(())
}
