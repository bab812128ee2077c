//! Document symbols, folding ranges, selection ranges, document links and go to definition,
//! over go.mod, go.work and go.sum with non-ASCII text and CRLF line ends.
#![allow(
    clippy::panic,
    reason = "test helpers: an answer of the wrong shape fails the test"
)]

use std::fmt::Write as _;

use expect_test::{Expect, expect};
use gomodls_tests::{Encoding, TestServer, cursor, file_uri};
use serde_json::{Value, json};

use crate::options;
use crate::views::{percent_decode, slice};

const GO_MOD: &str = "// Deprecated: use é.example/n\r\nmodule é.example/m\r\n\r\ngo 1.22\r\n\r\nrequire (\r\n\t// the 😀 one\r\n\t// second line\r\n\tx.org/😀 v1.0.0\r\n\ty.org/b v0.0.0-20230102030405-abcdefabcdef // indirect\r\n)\r\n\r\nreplace y.org/b => ../b\r\n";

fn render_symbols(text: &str, symbols: &Value, depth: usize, out: &mut String) {
    for symbol in symbols.as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            out,
            "{}{} kind={} detail={} tags={} selects {:?}",
            "  ".repeat(depth),
            symbol["name"].as_str().unwrap_or_default(),
            symbol["kind"],
            symbol["detail"],
            symbol["tags"],
            slice(text, &symbol["selectionRange"], Encoding::Utf16)
        );
        render_symbols(text, &symbol["children"], depth + 1, out);
    }
}

fn check_symbols(language: &str, uri: &str, text: &str, expected: Expect) -> anyhow::Result<()> {
    let options = options().capability(
        "textDocument",
        "documentSymbol",
        json!({"hierarchicalDocumentSymbolSupport": true}),
    );
    let (mut server, initialized) = TestServer::start(options)?;
    assert_eq!(initialized["capabilities"]["documentSymbolProvider"], true);
    server.open(uri, language, 1, text)?;
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let mut out = String::new();
    render_symbols(text, &symbols, 0, &mut out);
    expected.assert_eq(&out);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn document_symbols_of_a_go_mod() -> anyhow::Result<()> {
    check_symbols(
        "gomod",
        "file:///m/go.mod",
        GO_MOD,
        expect![[r#"
            module kind=3 detail="é.example/m" tags=[1] selects "module"
              é.example/m kind=2 detail=null tags=null selects "é.example/m"
            go kind=3 detail="1.22" tags=null selects "go"
            require kind=3 detail=null tags=null selects "require"
              x.org/😀 kind=2 detail="v1.0.0" tags=null selects "x.org/😀"
              y.org/b kind=2 detail="v0.0.0-20230102030405-abcdefabcdef // indirect" tags=null selects "y.org/b"
            replace kind=3 detail=null tags=null selects "replace"
              y.org/b kind=1 detail="=> ../b" tags=null selects "y.org/b"
        "#]],
    )
}

#[test]
fn document_symbols_of_a_go_work_and_a_go_sum() -> anyhow::Result<()> {
    check_symbols(
        "gowork",
        "file:///w/go.work",
        "go 1.22\r\nuse (\r\n\t./é\r\n\t./b\r\n)\r\n",
        expect![[r#"
            go kind=3 detail="1.22" tags=null selects "go"
            use kind=3 detail=null tags=null selects "use"
              ./é kind=1 detail=null tags=null selects "./é"
              ./b kind=1 detail=null tags=null selects "./b"
        "#]],
    )?;
    check_symbols(
        "gosum",
        "file:///m/go.sum",
        "x.org/😀 v1.0.0 h1:abc=\r\nx.org/😀 v1.0.0/go.mod h1:def=\r\ny.org/b v0.1.0/go.mod h1:ghi=\r\n",
        expect![[r#"
            x.org/😀 kind=2 detail="2 lines" tags=null selects "x.org/😀"
              v1.0.0 kind=20 detail="h1:abc=" tags=null selects "v1.0.0"
              v1.0.0/go.mod kind=20 detail="h1:def=" tags=null selects "v1.0.0/go.mod"
            y.org/b kind=2 detail="1 line" tags=null selects "y.org/b"
              v0.1.0/go.mod kind=20 detail="h1:ghi=" tags=null selects "v0.1.0/go.mod"
        "#]],
    )
}

#[test]
fn flat_symbols_for_clients_without_nesting() -> anyhow::Result<()> {
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, GO_MOD)?;
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let rows: Vec<String> = symbols
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|symbol| {
            format!(
                "{} in {} at {:?}",
                symbol["name"].as_str().unwrap_or_default(),
                symbol["containerName"],
                slice(GO_MOD, &symbol["location"]["range"], Encoding::Utf16)
            )
        })
        .collect();
    assert_eq!(
        rows[..3],
        [
            "module in null at \"module é.example/m\"",
            "é.example/m in \"module\" at \"é.example/m\"",
            "go in null at \"go 1.22\"",
        ]
    );
    assert_eq!(rows.len(), 8);
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn folding_ranges_for_blocks_and_comments() -> anyhow::Result<()> {
    for line_folding_only in [true, false] {
        let options = options().capability(
            "textDocument",
            "foldingRange",
            json!({"lineFoldingOnly": line_folding_only}),
        );
        let (mut server, initialized) = TestServer::start(options)?;
        assert_eq!(initialized["capabilities"]["foldingRangeProvider"], true);
        let uri = "file:///m/go.mod";
        server.open(uri, "gomod", 1, GO_MOD)?;
        let folds = server.request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        )?;
        let rows: Vec<String> = folds
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|fold| {
                format!(
                    "{}:{}-{}:{} {}",
                    fold["startLine"],
                    fold["startCharacter"],
                    fold["endLine"],
                    fold["endCharacter"],
                    fold["kind"]
                )
            })
            .collect();
        let expected = match line_folding_only {
            // The block from `require (` to the line before `)`; the two comment lines.
            true => ["5:null-9:null null", "6:null-7:null \"comment\""],
            false => ["5:0-9:55 null", "6:1-7:15 \"comment\""],
        };
        assert_eq!(rows, expected);
        server.shutdown_and_exit()?;
    }
    Ok(())
}

#[test]
fn selection_ranges_grow_from_the_token() -> anyhow::Result<()> {
    let fixture = cursor("module é\r\n\r\nrequire (\r\n\tx.org/😀 v1.$00.0 // indirect\r\n)\r\n")?;
    let (mut server, initialized) = TestServer::start(options())?;
    assert_eq!(initialized["capabilities"]["selectionRangeProvider"], true);
    let uri = "file:///m/go.mod";
    server.open(uri, "gomod", 1, &fixture.text)?;
    let answer = server.request(
        "textDocument/selectionRange",
        json!({"textDocument": {"uri": uri}, "positions": [fixture.position(Encoding::Utf16)]}),
    )?;
    let mut chain = Vec::new();
    let mut selection = &answer[0];
    while selection.is_object() {
        chain.push(slice(&fixture.text, &selection["range"], Encoding::Utf16).to_owned());
        selection = &selection["parent"];
    }
    assert_eq!(
        chain,
        [
            "v1.0.0",
            "x.org/😀 v1.0.0 // indirect",
            "(\r\n\tx.org/😀 v1.0.0 // indirect\r\n)",
            "require (\r\n\tx.org/😀 v1.0.0 // indirect\r\n)",
            "module é\r\n\r\nrequire (\r\n\tx.org/😀 v1.0.0 // indirect\r\n)",
            fixture.text.as_str(),
        ]
    );
    server.shutdown_and_exit()?;
    Ok(())
}

/// A workspace on disk: a module with a go.sum and a local replacement, and a go.work.
struct Workspace {
    directory: tempfile::TempDir,
}

impl Workspace {
    fn new() -> anyhow::Result<Workspace> {
        let directory = tempfile::tempdir()?;
        let root = directory.path();
        std::fs::create_dir_all(root.join("m"))?;
        std::fs::create_dir_all(root.join("local é"))?;
        std::fs::write(root.join("m/go.mod"), MODULE)?;
        std::fs::write(root.join("m/go.sum"), SUMS)?;
        std::fs::write(root.join("local é/go.mod"), "module y.org/b\r\n")?;
        std::fs::write(root.join("go.work"), WORK)?;
        Ok(Workspace { directory })
    }

    fn uri(&self, relative: &str) -> String {
        file_uri(&self.directory.path().join(relative))
    }
}

const MODULE: &str = "module é.example/m\r\n\r\nrequire (\r\n\tx.org/😀 v1.0.0\r\n\tcorp.example.com/lib v1.2.0\r\n\ty.org/b v0.1.0 // indirect\r\n)\r\n\r\nreplace y.org/b => \"../local é\"\r\n";
const SUMS: &str = "corp.example.com/lib v1.2.0 h1:p=\r\nx.org/😀 v1.0.0 h1:abc=\r\nx.org/😀 v1.0.0/go.mod h1:def=\r\n";
const WORK: &str = "go 1.22\r\n\r\nuse (\r\n\t./m\r\n\t\"./local é\"\r\n\t./missing\r\n)\r\n";

#[test]
fn document_links_to_pkg_go_dev_and_local_modules() -> anyhow::Result<()> {
    let workspace = Workspace::new()?;
    let options = options()
        .root(workspace.directory.path())
        .initialization_options(json!({"env": {"GOPRIVATE": "corp.example.com"}}));
    let (mut server, initialized) = TestServer::start(options)?;
    assert_eq!(
        initialized["capabilities"]["documentLinkProvider"]["resolveProvider"],
        false
    );
    let module_uri = workspace.uri("m/go.mod");
    server.open(&module_uri, "gomod", 1, MODULE)?;
    let links = server.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": module_uri}}),
    )?;
    let rows: Vec<String> = links
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|link| {
            let target = link["target"].as_str().unwrap_or_default();
            let target =
                percent_decode(target).replace(&percent_decode(&workspace.uri("")), "<root>/");
            format!(
                "{:?} -> {target}",
                slice(MODULE, &link["range"], Encoding::Utf16)
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // é.example/m and x.org/😀 are no valid module paths: no page to link.
            "\"y.org/b\" -> https://pkg.go.dev/y.org/b@v0.1.0",
            "\"y.org/b\" -> https://pkg.go.dev/y.org/b",
            "\"\\\"../local é\\\"\" -> <root>/local é/go.mod",
        ]
    );

    let work_uri = workspace.uri("go.work");
    server.open(&work_uri, "gowork", 1, WORK)?;
    let links = server.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": work_uri}}),
    )?;
    let rows: Vec<String> = links
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|link| {
            let target = link["target"].as_str().unwrap_or_default();
            format!(
                "{:?} -> {}",
                slice(WORK, &link["range"], Encoding::Utf16),
                percent_decode(target).replace(&percent_decode(&workspace.uri("")), "<root>/")
            )
        })
        .collect();
    // ./missing has no go.mod: no link.
    assert_eq!(
        rows,
        [
            "\"./m\" -> <root>/m/go.mod",
            "\"\\\"./local é\\\"\" -> <root>/local é/go.mod",
        ]
    );
    server.shutdown_and_exit()?;
    Ok(())
}

fn definitions(
    server: &mut TestServer,
    uri: &str,
    text: &str,
    marker: &str,
    workspace: &Workspace,
) -> anyhow::Result<Vec<String>> {
    let offset = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} is not in the text"));
    let position = gomodls_tests::position_of(text, offset + 1, Encoding::Utf16);
    let answer = server.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position}),
    )?;
    Ok(answer
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|location| {
            let target = location["uri"].as_str().unwrap_or_default();
            let relative = percent_decode(target).replace(&percent_decode(&workspace.uri("")), "");
            let text = std::fs::read_to_string(workspace.directory.path().join(&relative))
                .unwrap_or_default();
            format!(
                "{relative} {:?}",
                slice(&text, &location["range"], Encoding::Utf16)
            )
        })
        .collect())
}

#[test]
fn definitions_across_go_mod_go_sum_and_local_modules() -> anyhow::Result<()> {
    let workspace = Workspace::new()?;
    let (mut server, initialized) = TestServer::start(options().root(workspace.directory.path()))?;
    assert_eq!(initialized["capabilities"]["definitionProvider"], true);
    let module_uri = workspace.uri("m/go.mod");
    server.open(&module_uri, "gomod", 1, MODULE)?;
    // The go.sum beside the go.mod is read from disk.
    let sum_uri = workspace.uri("m/go.sum");
    server.eventually("go.sum to be read", |server| {
        Ok(server.debug_document(&sum_uri).ok())
    })?;
    assert_eq!(
        definitions(&mut server, &module_uri, MODULE, "x.org/😀", &workspace)?,
        [
            "m/go.sum \"x.org/😀 v1.0.0 h1:abc=\"",
            "m/go.sum \"x.org/😀 v1.0.0/go.mod h1:def=\""
        ]
    );
    assert_eq!(
        definitions(&mut server, &module_uri, MODULE, "\"../local", &workspace)?,
        ["local é/go.mod \"\""]
    );
    // Nothing is known for y.org/b in go.sum.
    assert!(definitions(&mut server, &module_uri, MODULE, "y.org/b v0", &workspace)?.is_empty());

    // From a go.sum line (opened in the editor) to the requirement.
    server.open(&sum_uri, "gosum", 1, SUMS)?;
    assert_eq!(
        definitions(&mut server, &sum_uri, SUMS, "h1:def", &workspace)?,
        ["m/go.mod \"x.org/😀 v1.0.0\""]
    );

    // From a go.work use to the module's go.mod.
    let work_uri = workspace.uri("go.work");
    server.open(&work_uri, "gowork", 1, WORK)?;
    assert_eq!(
        definitions(&mut server, &work_uri, WORK, "./m", &workspace)?,
        ["m/go.mod \"\""]
    );
    assert!(definitions(&mut server, &work_uri, WORK, "./missing", &workspace)?.is_empty());
    server.shutdown_and_exit()?;
    Ok(())
}

#[test]
fn definition_from_a_go_sum_reads_the_go_mod_from_disk() -> anyhow::Result<()> {
    let workspace = Workspace::new()?;
    let (mut server, _) = TestServer::start(options().root(workspace.directory.path()))?;
    let sum_uri = workspace.uri("m/go.sum");
    server.open(&sum_uri, "gosum", 1, SUMS)?;
    let module_uri = workspace.uri("m/go.mod");
    let document = server.eventually("go.mod to be read", |server| {
        Ok(server.debug_document(&module_uri).ok())
    })?;
    assert_eq!(document["origin"], "disk");
    assert_eq!(
        definitions(&mut server, &sum_uri, SUMS, "corp.example.com", &workspace)?,
        ["m/go.mod \"corp.example.com/lib v1.2.0\""]
    );
    server.shutdown_and_exit()?;
    Ok(())
}

/// Document symbols and semantic tokens are written by the feature and spliced into the output
/// stream (`prewritten`): the answers around that path are still the framework's.
#[test]
fn document_symbols_before_initialize_after_shutdown_and_of_unknown_documents() -> anyhow::Result<()>
{
    let uri = "file:///m/go.mod";
    let params = json!({"textDocument": {"uri": uri}});
    let mut server = TestServer::spawn(options())?;
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
    ] {
        let early = server.request_outcome(method, params.clone())?;
        assert_eq!(
            early.map_err(|e| e.code),
            Err(-32002),
            "{method} before initialize"
        );
    }
    server.initialize()?;
    let unknown = server.request_outcome("textDocument/documentSymbol", params.clone())?;
    assert_eq!(
        unknown.map_err(|e| e.code),
        Err(-32602),
        "a document never opened"
    );
    let bad = server.request_outcome("textDocument/documentSymbol", json!({"uri": uri}))?;
    assert_eq!(
        bad.map_err(|e| e.code),
        Err(-32602),
        "params of the wrong shape"
    );
    server.open(uri, "gomod", 1, GO_MOD)?;
    let symbols = server.request("textDocument/documentSymbol", params.clone())?;
    assert_eq!(symbols.as_array().map(Vec::len), Some(8), "flat: {symbols}");
    let shutdown = server.request("shutdown", Value::Null)?;
    assert_eq!(shutdown, Value::Null);
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
    ] {
        let late = server.request_outcome(method, params.clone())?;
        assert_eq!(
            late.map_err(|e| e.code),
            Err(-32600),
            "{method} after shutdown"
        );
    }
    Ok(())
}

/// The symbols of the largest corpus go.mod (hundreds of requires, each line a symbol) and of a
/// large go.sum arrive whole, between the messages around them.
#[test]
fn document_symbols_of_large_files_arrive_whole() -> anyhow::Result<()> {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let go_mod = std::fs::read_to_string(corpus.join("tailscale__tailscale/go.mod"))?;
    let go_sum = std::fs::read_to_string(corpus.join("tailscale__tailscale/go.sum"))?;
    let options = options().capability(
        "textDocument",
        "documentSymbol",
        json!({"hierarchicalDocumentSymbolSupport": true}),
    );
    let (mut server, _) = TestServer::start(options)?;
    let (mod_uri, sum_uri) = ("file:///t/go.mod", "file:///t/go.sum");
    server.open(mod_uri, "gomod", 1, &go_mod)?;
    server.open(sum_uri, "gosum", 1, &go_sum)?;
    // Both requests in flight at once, a hover between them.
    let mod_id = server.send_request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": mod_uri}}),
    )?;
    let hover_id = server.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": mod_uri}, "position": {"line": 0, "character": 1}}),
    )?;
    let sum_id = server.send_request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": sum_uri}}),
    )?;
    let mod_symbols = server
        .response(&mod_id)?
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    server
        .response(&hover_id)?
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let sum_symbols = server
        .response(&sum_id)?
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    // Every required module is a child of a require directive, with its version as detail.
    let mut required = Vec::new();
    for directive in mod_symbols.as_array().cloned().unwrap_or_default() {
        if directive["name"] == "require" {
            for child in directive["children"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let version = child["detail"].as_str().unwrap_or_default();
                let version = version.split(' ').next().unwrap_or_default();
                required.push(format!(
                    "{} {version}",
                    child["name"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    let expected: Vec<String> = go_mod
        .lines()
        .filter_map(|line| {
            let line = line.trim().strip_prefix("require ").unwrap_or(line.trim());
            let mut fields = line.split_whitespace();
            let (path, version) = (fields.next()?, fields.next()?);
            (path.contains('.') && version.starts_with('v')).then(|| format!("{path} {version}"))
        })
        .collect();
    assert!(expected.len() > 400, "{} requires", expected.len());
    assert_eq!(required, expected);

    // A go.sum symbol per line.
    let lines = go_sum.lines().filter(|l| !l.trim().is_empty()).count();
    let mut count = 0;
    fn count_all(symbols: &Value, count: &mut usize) {
        for symbol in symbols.as_array().cloned().unwrap_or_default() {
            if symbol["children"].is_null() {
                *count += 1;
            }
            count_all(&symbol["children"], count);
        }
    }
    count_all(&sum_symbols, &mut count);
    assert_eq!(count, lines, "go.sum leaf symbols");
    server.shutdown_and_exit()?;
    Ok(())
}

/// `$/cancelRequest` ends symbols and tokens requests (answered by `prewritten`, outside the
/// framework's own cancellation) as it ends any other: with RequestCancelled. The request and
/// its cancel are written together, and the answer of the largest go.sum takes the server far
/// longer than reading the cancel.
#[test]
fn symbols_and_tokens_requests_can_be_cancelled() -> anyhow::Result<()> {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real");
    let go_sum = std::fs::read_to_string(corpus.join("traefik__traefik/go.sum"))?;
    let (mut server, _) = TestServer::start(options())?;
    let uri = "file:///t/go.sum";
    server.open(uri, "gosum", 1, &go_sum)?;
    server.wait_diagnostics(uri, Some(1))?;
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
    ] {
        let id = server.send_request(method, json!({"textDocument": {"uri": uri}}))?;
        server.notify("$/cancelRequest", json!({"id": id}))?;
        let outcome = server.response(&id)?;
        assert_eq!(
            outcome.map(|_| "a result").map_err(|e| e.code),
            Err(-32800),
            "{method}"
        );
        // The next one is answered in full.
        let answer = server.request(method, json!({"textDocument": {"uri": uri}}))?;
        assert!(!answer.is_null(), "{method}");
    }
    server.shutdown_and_exit()?;
    Ok(())
}
