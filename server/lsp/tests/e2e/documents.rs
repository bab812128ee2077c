//! Document sync: incremental changes, versions, kinds and non-file documents.

use gomodls_tests::edit::{apply, change};
use gomodls_tests::{Encoding, TestServer};
use serde_json::json;

use crate::options;

fn check_incremental_sync(offered: &str, encoding: Encoding) -> anyhow::Result<()> {
    let (mut server, result) = TestServer::start(options().position_encodings(&[offered]))?;
    assert_eq!(TestServer::encoding_of(&result), encoding);
    let uri = "file:///work/m/go.mod";
    let mut expected =
        String::from("module é.example/😀\r\nrequire (\r\n\tx.org/中 v1.0.0\r\n)\r\n");
    server.open(uri, "go.mod", 1, &expected)?;

    // Several changes in one notification, each against the text the previous one left.
    let mut changes = Vec::new();
    for (needle, replacement) in [
        ("😀", "m"),
        ("中", "y/ü\r\n\tz.org/ß"),
        ("\r\n)", "\r\n)\r\n// 終"),
    ] {
        let start = expected.find(needle).unwrap_or_default();
        let edit = change(
            &expected,
            start,
            start + needle.len(),
            replacement,
            encoding,
        );
        apply(&mut expected, &edit, encoding)?;
        changes.push(edit);
    }
    server.change(uri, 2, changes)?;
    // An edit spanning lines: from inside line 0 to inside line 2.
    let start = expected.find("example").unwrap_or_default();
    let end = expected.find("y/ü").unwrap_or_default();
    let edit = change(&expected, start, end, "ex\r\n", encoding);
    apply(&mut expected, &edit, encoding)?;
    server.change(uri, 3, vec![edit])?;

    let document = server.debug_document(uri)?;
    assert_eq!(document["text"], expected.as_str());
    assert_eq!(document["version"], 3);
    let fresh = gomodls_syntax::parse(gomodls_syntax::FileKind::GoMod, expected.as_bytes());
    assert_eq!(document["tree"], fresh.root_node().to_sexp());
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn incremental_sync_utf16() -> anyhow::Result<()> {
    check_incremental_sync("utf-16", Encoding::Utf16)
}

#[test]
fn incremental_sync_utf8() -> anyhow::Result<()> {
    check_incremental_sync("utf-8", Encoding::Utf8)
}

#[test]
fn incremental_sync_utf32() -> anyhow::Result<()> {
    check_incremental_sync("utf-32", Encoding::Utf32)
}

#[test]
fn versions_only_go_up() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 5, "module a\r\n")?;
    let rename = |name: &str| {
        json!({"range": {"start": {"line": 0, "character": 7},
                                             "end": {"line": 0, "character": 8}}, "text": name})
    };
    server.change(uri, 6, vec![rename("b")])?;
    // A stale (or replayed) change is dropped: applying it would corrupt the text.
    server.change(uri, 6, vec![rename("c")])?;
    server.change(uri, 4, vec![rename("d")])?;
    let document = server.debug_document(uri)?;
    assert_eq!(document["text"], "module b\r\n");
    assert_eq!(document["version"], 6);
    server.change(uri, 9, vec![rename("é")])?;
    let document = server.debug_document(uri)?;
    assert_eq!(document["text"], "module é\r\n");
    assert_eq!(document["version"], 9);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn full_text_changes_and_reopen() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.work";
    server.open(uri, "gowork", 1, "go 1.22\n")?;
    server.change(uri, 2, vec![json!({"text": "go 1.23\r\nuse ./é\r\n"})])?;
    let document = server.debug_document(uri)?;
    assert_eq!(document["text"], "go 1.23\r\nuse ./é\r\n");
    assert_eq!(document["kind"], "go.work");
    server.close(uri)?;
    let closed = server.request_outcome("gomodls/debugDocument", json!({"uri": uri}))?;
    assert_eq!(closed.map_err(|error| error.code), Err(-32602));
    server.open(uri, "gowork", 1, "go 1.24\n")?;
    assert_eq!(server.debug_document(uri)?["text"], "go 1.24\n");
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn kinds_from_file_names_then_language_ids() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let cases = [
        // File names decide for file: URIs, whatever the language id.
        ("file:///m/go.mod", "plaintext", "go.mod"),
        ("file:///m/go.sum", "go.sum", "go.sum"),
        ("file:///m/go.work.sum", "gosum", "go.sum"),
        ("file:///m/go.work", "gomod", "go.work"),
        // Without a telling name, the language id: Neovim/Helix and VS Code spellings.
        ("untitled:Untitled-1", "go.mod", "go.mod"),
        ("untitled:Untitled-2", "gowork", "go.work"),
        ("untitled:Untitled-3", "gosum", "go.sum"),
        ("file:///m/notes.txt", "gomod", "go.mod"),
    ];
    for (uri, language_id, kind) in cases {
        server.open(uri, language_id, 1, "module é\r\n")?;
        let document = server.debug_document(uri)?;
        assert_eq!(document["kind"], kind, "{uri} {language_id}");
        assert_eq!(document["origin"], "open");
    }
    // Nothing tells the kind: the document is ignored.
    server.open("untitled:Untitled-4", "plaintext", 1, "hello")?;
    let unknown = server.request_outcome(
        "gomodls/debugDocument",
        json!({"uri": "untitled:Untitled-4"}),
    )?;
    assert_eq!(unknown.map_err(|error| error.code), Err(-32602));
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn untitled_documents_work_from_their_text() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "untitled:Untitled-1";
    server.open(uri, "gomod", 1, "module é.example/m\r\n\r\nrequire (\r\n")?;
    let diagnostics = server.wait_diagnostics(uri, Some(1))?;
    assert_eq!(diagnostics["diagnostics"][0]["code"], "syntax-error");
    server.change(
        uri,
        2,
        vec![json!({"range": {"start": {"line": 2, "character": 0},
                              "end": {"line": 3, "character": 0}}, "text": ""})],
    )?;
    let diagnostics = server.wait_diagnostics(uri, Some(2))?;
    assert_eq!(diagnostics["diagnostics"], json!([]));
    assert_eq!(
        server.debug_document(uri)?["text"],
        "module é.example/m\r\n\r\n"
    );
    server.shutdown_and_exit()?;
    Ok(())
}
