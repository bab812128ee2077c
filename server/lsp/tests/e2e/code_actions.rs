//! Diagnostics with codes, sources, links, related information and tags, and their quick fixes
//! as versioned workspace edits.

use gomodls_tests::TestServer;
use serde_json::{Value, json};

use crate::options;

const GO_MOD: &str = "module é.example/m\r\n\r\ngo 1.22\r\n\r\nrequire (\r\n\tx.org/a v1.2\r\n\tx.org/b v1.0.0 //INDIRECT\r\n\tx.org/a v1.3.0\r\n)\r\n";

fn diagnostics_of(published: &Value) -> Vec<Value> {
    published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn diagnostics_carry_codes_links_related_places_and_tags() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "go.mod", 1, GO_MOD)?;
    let diagnostics = diagnostics_of(&server.wait_diagnostics(uri, Some(1))?);
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "duplicate-require",
            "non-canonical-version",
            "malformed-indirect-comment"
        ],
        "{diagnostics:#?}"
    );
    let duplicate = &diagnostics[0];
    assert_eq!(duplicate["source"], "gomodls");
    assert_eq!(duplicate["severity"], 2);
    assert_eq!(duplicate["tags"], json!([1]));
    assert_eq!(
        duplicate["codeDescription"]["href"],
        "https://go.dev/ref/mod#go-mod-file-require"
    );
    assert_eq!(
        duplicate["range"],
        json!({"start": {"line": 5, "character": 1}, "end": {"line": 5, "character": 13}})
    );
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri);
    assert_eq!(
        related["location"]["range"]["start"],
        json!({"line": 7, "character": 1})
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn quick_fixes_are_versioned_edits_that_remove_the_problem() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "go.mod", 1, GO_MOD)?;
    server.wait_diagnostics(uri, Some(1))?;
    server.change(uri, 2, vec![json!({"text": GO_MOD})])?;
    let published = server.wait_diagnostics(uri, Some(2))?;

    // Every diagnostic's fix, applied alone, makes that diagnostic go away.
    for diagnostic in diagnostics_of(&published) {
        let actions = server.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic], "only": ["quickfix"]},
            }),
        )?;
        let actions = actions.as_array().cloned().unwrap_or_default();
        let action = actions
            .iter()
            .find(|action| action["diagnostics"][0]["code"] == diagnostic["code"])
            .unwrap_or_else(|| panic!("no fix for {diagnostic}: {actions:#?}"));
        assert_eq!(action["kind"], "quickfix");
        let change = &action["edit"]["documentChanges"][0];
        assert_eq!(change["textDocument"], json!({"uri": uri, "version": 2}));
        let edits: Vec<Value> = change["edits"].as_array().cloned().unwrap_or_default();
        // LSP applies a document's edits against the same original text.
        let mut ordered = edits.clone();
        ordered.sort_by_key(|edit| {
            let start = &edit["range"]["start"];
            std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
        });
        let mut fixed = GO_MOD.to_owned();
        for edit in &ordered {
            let change = json!({"range": edit["range"], "text": edit["newText"]});
            gomodls_tests::edit::apply(&mut fixed, &change, gomodls_tests::Encoding::Utf16)?;
        }
        let check = format!(
            "file:///m/fixed-{}.mod",
            diagnostic["code"].as_str().unwrap_or("")
        );
        server.open(&check, "go.mod", 1, &fixed)?;
        let after = diagnostics_of(&server.wait_diagnostics(&check, Some(1))?);
        assert!(
            !after
                .iter()
                .any(|d| d["code"] == diagnostic["code"] && d["message"] == diagnostic["message"]),
            "fix {} left {}: {fixed}",
            action["title"],
            diagnostic["message"]
        );
    }

    // Asking only for refactorings gets no quick fixes.
    let none = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}},
            "context": {"diagnostics": [], "only": ["refactor"]},
        }),
    )?;
    assert_eq!(none, json!([]));
    server.shutdown_and_exit()?;
    Ok(())
}
