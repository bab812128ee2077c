//! `textDocument/completion` over a real workspace, module cache and GOROOT laid out in
//! temporary directories: keywords and snippets (with and without client snippet support),
//! versions from the module cache and go.sum, module paths, local directories, Go versions, and
//! positions on lines with non-ASCII text and CRLF line ends.

use std::path::{Path, PathBuf};

use gomodls_tests::{Encoding, ServerOptions, TestServer, cursor, file_uri, position_of};
use serde_json::{Value, json};

use crate::options;

/// A workspace (`.git`, `app/` with go.mod and go.sum, `text/` holding a fork of
/// golang.org/x/text), a module cache and a GOROOT saying `go1.30.1`.
struct Layout {
    _temporary: tempfile::TempDir,
    root: PathBuf,
    cache: PathBuf,
    goroot: PathBuf,
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)?;
    Ok(())
}

fn layout() -> anyhow::Result<Layout> {
    let temporary = tempfile::tempdir()?;
    let root = temporary.path().join("work");
    let cache = temporary.path().join("gomodcache");
    let goroot = temporary.path().join("goroot");
    std::fs::create_dir_all(root.join(".git"))?;
    write(
        &root.join("app/go.mod"),
        "module example.com/app\n\nrequire rsc.io/quote v1.5.2\n",
    )?;
    write(
        &root.join("app/go.sum"),
        "rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\n\
         golang.org/x/text v0.3.0/go.mod h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=\n",
    )?;
    write(&root.join("text/go.mod"), "module golang.org/x/text\n")?;
    let download = cache.join("cache/download");
    write(
        &download.join("golang.org/x/text/@v/list"),
        "v0.13.0\nv0.14.0\n",
    )?;
    write(
        &download.join("golang.org/x/text/@v/v0.14.0.info"),
        r#"{"Version":"v0.14.0","Time":"2023-10-25T17:00:00Z"}"#,
    )?;
    write(
        &download.join("golang.org/x/text/@v/v0.14.0.mod"),
        "module golang.org/x/text\n\n// a broken tag\nretract v0.13.0\n",
    )?;
    write(&download.join("github.com/!burnt!sushi/toml/@v/list"), "")?;
    write(
        &goroot.join("VERSION"),
        "go1.30.1\ntime 2027-01-01T00:00:00Z\n",
    )?;
    Ok(Layout {
        _temporary: temporary,
        root,
        cache,
        goroot,
    })
}

/// Options for a client in `layout` with the given completion item capabilities.
fn client(layout: &Layout, completion_item: Value) -> ServerOptions {
    options()
        .root(&layout.root)
        .env("GOENV", "off")
        .env("GOFLAGS", "")
        .env("GOMODCACHE", &layout.cache.to_string_lossy())
        .env("GOROOT", &layout.goroot.to_string_lossy())
        .env("GOPATH", &layout.root.join("gopath").to_string_lossy())
        .capability(
            "textDocument",
            "completion",
            json!({"completionItem": completion_item}),
        )
}

fn capable(layout: &Layout) -> ServerOptions {
    client(
        layout,
        json!({"snippetSupport": true, "tagSupport": {"valueSet": [1]}}),
    )
}

/// Opens `fixture` (with its `$0`) at `path` and asks for completion at the cursor until
/// `done` accepts the answer (data arrives in the background).
fn complete_until(
    server: &mut TestServer,
    path: &Path,
    fixture: &str,
    encoding: Encoding,
    done: impl Fn(&Value) -> bool,
) -> anyhow::Result<(Value, String)> {
    let fixture = cursor(fixture)?;
    let uri = file_uri(path);
    let language = match path.file_name().and_then(|name| name.to_str()) {
        Some("go.work") => "go.work",
        _ => "go.mod",
    };
    server.open(&uri, language, 1, &fixture.text)?;
    let position = fixture.position(encoding);
    let answer = server.eventually("a complete completion answer", |server| {
        let answer = server.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        )?;
        Ok(done(&answer).then_some(answer))
    })?;
    Ok((answer, fixture.text))
}

fn labels(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item["label"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn item<'a>(answer: &'a Value, label: &str) -> &'a Value {
    answer["items"]
        .as_array()
        .and_then(|items| items.iter().find(|item| item["label"] == label))
        .unwrap_or(&Value::Null)
}

fn complete_answer(answer: &Value) -> bool {
    answer["isIncomplete"] == false && !labels(answer).is_empty()
}

#[test]
fn the_server_offers_completion_with_trigger_characters() -> anyhow::Result<()> {
    let layout = layout()?;
    let (server, result) = TestServer::start(capable(&layout))?;
    let provider = &result["capabilities"]["completionProvider"];
    assert_eq!(
        provider["triggerCharacters"],
        json!([" ", "/", ".", "=", "[", ","])
    );
    assert_eq!(provider["resolveProvider"], false);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn keywords_and_block_snippets_with_and_without_snippet_support() -> anyhow::Result<()> {
    let layout = layout()?;
    let path = layout.root.join("app/go.mod");
    let fixture = "module example.com/app\r\n\r\nreq$0\r\n";

    let (mut server, _) = TestServer::start(capable(&layout))?;
    let (answer, _) = complete_until(&mut server, &path, fixture, Encoding::Utf16, |answer| {
        !labels(answer).is_empty()
    })?;
    assert!(!labels(&answer).contains(&"module".to_owned()));
    let block = item(&answer, "require (…)");
    assert_eq!(block["insertTextFormat"], 2);
    assert_eq!(block["kind"], 15);
    assert_eq!(block["textEdit"]["newText"], "require (\r\n\t$0\r\n)");
    assert_eq!(
        block["textEdit"]["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 3}})
    );
    assert_eq!(item(&answer, "require")["kind"], 14);
    server.shutdown_and_exit()?;

    let (mut server, _) = TestServer::start(client(&layout, json!({})))?;
    let (answer, _) = complete_until(&mut server, &path, fixture, Encoding::Utf16, |answer| {
        !labels(answer).is_empty()
    })?;
    let block = item(&answer, "require (…)");
    assert_eq!(block["insertTextFormat"], 1);
    assert_eq!(block["textEdit"]["newText"], "require (\r\n\t\r\n)");
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn versions_from_the_module_cache_and_go_sum() -> anyhow::Result<()> {
    let layout = layout()?;
    let path = layout.root.join("app/go.mod");
    // A quoted, non-ASCII path before the version and CRLF line ends: the edit's range must
    // count UTF-16 units.
    let fixture =
        "module example.com/app\r\n\r\nreplace \"é.example/😀\" => golang.org/x/text v0.1$0\r\n";
    let (mut server, _) = TestServer::start(capable(&layout))?;
    let (answer, text) = complete_until(
        &mut server,
        &path,
        fixture,
        Encoding::Utf16,
        complete_answer,
    )?;
    assert_eq!(labels(&answer), ["v0.14.0", "v0.13.0", "v0.3.0"]);
    let latest = item(&answer, "v0.14.0");
    assert_eq!(latest["preselect"], true);
    assert_eq!(latest["detail"], "2023-10-25 · latest");
    assert_eq!(latest["kind"], 21);
    let start = text.find("v0.1").unwrap_or_default();
    assert_eq!(
        latest["textEdit"]["range"],
        json!({"start": position_of(&text, start, Encoding::Utf16),
               "end": position_of(&text, start + 4, Encoding::Utf16)})
    );
    assert_eq!(latest["textEdit"]["range"]["start"]["character"], 44);
    let retracted = item(&answer, "v0.13.0");
    assert_eq!(retracted["tags"], json!([1]));
    assert_eq!(retracted["detail"], "retracted");
    assert_eq!(
        retracted["documentation"]["value"],
        "Retracted: a broken tag"
    );
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn utf8_positions_and_deprecated_without_tag_support() -> anyhow::Result<()> {
    let layout = layout()?;
    let path = layout.root.join("app/go.mod");
    let fixture =
        "module example.com/app\r\n\r\nreplace \"é.example/😀\" => golang.org/x/text v$0\r\n";
    let options = client(&layout, json!({"deprecatedSupport": true}))
        .position_encodings(&["utf-8", "utf-16"]);
    let (mut server, _) = TestServer::start(options)?;
    let (answer, text) =
        complete_until(&mut server, &path, fixture, Encoding::Utf8, complete_answer)?;
    let retracted = item(&answer, "v0.13.0");
    assert_eq!(retracted["deprecated"], true);
    assert_eq!(retracted["tags"], Value::Null);
    let start = text.find(" v").unwrap_or_default() + 1;
    assert_eq!(
        retracted["textEdit"]["range"]["start"],
        position_of(&text, start, Encoding::Utf8)
    );
    assert_eq!(retracted["textEdit"]["range"]["start"]["character"], 47);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn module_paths_and_local_directories() -> anyhow::Result<()> {
    let layout = layout()?;
    let path = layout.root.join("app/go.mod");
    let (mut server, _) = TestServer::start(capable(&layout))?;
    let (answer, _) = complete_until(
        &mut server,
        &path,
        "module example.com/app\n\nrequire rsc.io/quote v1.5.2\n\nreplace golang.org/x/text => $0\n",
        Encoding::Utf16,
        |answer| complete_answer(answer) && !item(answer, "../text").is_null(),
    )?;
    let directory = item(&answer, "../text");
    assert_eq!(directory["kind"], 19);
    assert_eq!(directory["preselect"], true);
    assert_eq!(directory["detail"], "module golang.org/x/text");
    let paths = labels(&answer);
    for expected in [
        "golang.org/x/text",
        "rsc.io/quote",
        "github.com/BurntSushi/toml",
    ] {
        assert!(
            paths.contains(&expected.to_owned()),
            "{expected} in {paths:?}"
        );
    }
    assert_eq!(
        item(&answer, "github.com/BurntSushi/toml")["detail"],
        "in the module cache"
    );
    assert_eq!(item(&answer, "rsc.io/quote")["detail"], "in the workspace");

    // A require's path: the ones already required are left out.
    let (answer, _) = complete_until(
        &mut server,
        &path,
        "module example.com/app\n\nrequire rsc.io/quote v1.5.2\n\nrequire g$0\n",
        Encoding::Utf16,
        complete_answer,
    )?;
    assert!(!labels(&answer).contains(&"rsc.io/quote".to_owned()));
    assert!(labels(&answer).contains(&"golang.org/x/text".to_owned()));
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn go_versions_toolchains_indirect_and_godebug() -> anyhow::Result<()> {
    let layout = layout()?;
    let path = layout.root.join("app/go.mod");
    let (mut server, _) = TestServer::start(capable(&layout))?;
    let (answer, _) = complete_until(&mut server, &path, "go $0\n", Encoding::Utf16, |answer| {
        labels(answer).first().map(String::as_str) == Some("1.30.1")
    })?;
    assert_eq!(item(&answer, "1.30.1")["preselect"], true);
    assert_eq!(item(&answer, "1.30.1")["detail"], "installed toolchain");
    assert!(labels(&answer).contains(&"1.21.0".to_owned()));

    let (answer, _) = complete_until(
        &mut server,
        &path,
        "toolchain go1.$0\n",
        Encoding::Utf16,
        |answer| !labels(answer).is_empty(),
    )?;
    assert_eq!(
        labels(&answer).first().map(String::as_str),
        Some("go1.30.1")
    );

    let (answer, _) = complete_until(
        &mut server,
        &path,
        "require golang.org/x/text v0.14.0 $0\n",
        Encoding::Utf16,
        |answer| !labels(answer).is_empty(),
    )?;
    assert_eq!(labels(&answer), ["// indirect"]);

    let (answer, _) = complete_until(
        &mut server,
        &path,
        "godebug (\n\tpanic$0\n)\n",
        Encoding::Utf16,
        |answer| !labels(answer).is_empty(),
    )?;
    let setting = item(&answer, "panicnil");
    assert_eq!(setting["kind"], 10);
    assert_eq!(setting["textEdit"]["newText"], "panicnil=");
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn gowork_keywords_and_use_directories() -> anyhow::Result<()> {
    let layout = layout()?;
    let path = layout.root.join("go.work");
    let (mut server, _) = TestServer::start(capable(&layout))?;
    let (answer, _) = complete_until(
        &mut server,
        &path,
        "go 1.22\n\n$0",
        Encoding::Utf16,
        |answer| !labels(answer).is_empty(),
    )?;
    assert!(labels(&answer).contains(&"use (…)".to_owned()));
    assert!(!labels(&answer).contains(&"require".to_owned()));

    let (answer, _) = complete_until(
        &mut server,
        &path,
        "go 1.22\n\nuse (\n\t$0\n)\n",
        Encoding::Utf16,
        |answer| labels(answer).len() >= 2,
    )?;
    assert_eq!(labels(&answer), ["./app", "./text"]);
    assert_eq!(item(&answer, "./app")["detail"], "module example.com/app");
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn nothing_for_go_sum() -> anyhow::Result<()> {
    let layout = layout()?;
    let (mut server, _) = TestServer::start(capable(&layout))?;
    let uri = file_uri(&layout.root.join("app/go.sum"));
    server.open(&uri, "go.sum", 1, "rsc.io/quote v1.5.2 h1:x=\n")?;
    let answer = server.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 13}}),
    )?;
    assert_eq!(answer["items"], json!([]));
    server.shutdown_and_exit()?;
    Ok(())
}
