//! What the editor tests share: finding an editor, running it with a bound, the scenario's files,
//! and the reference answers of the server (asked over the `gomodls-tests` harness) that each
//! editor must show.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use gomodls_tests::fixture::Encoding;
use gomodls_tests::{ServerOptions, TestServer, edit, file_uri};
use serde_json::{Value, json};

/// How long one editor run may take in all: a guard against hangs, not a timing assertion.
/// `GOMODLS_TEST_TIMEOUT_SECS` raises it (each wait inside the editor gets a third of it).
pub fn run_timeout() -> Duration {
    let seconds = std::env::var("GOMODLS_TEST_TIMEOUT_SECS")
        .ok()
        .and_then(|value| value.parse::<u64>().ok())
        .unwrap_or(60);
    Duration::from_secs(seconds * 3)
}

/// The bound of each wait inside an editor, in milliseconds.
pub fn wait_millis() -> u128 {
    run_timeout().as_millis() / 3
}

/// The repository root.
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of this test directory.
pub fn test_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/editors")
        .join(name)
}

/// The editor `name`, from the environment variable `variable` or else `PATH`; `None` after
/// saying why the test skips. Under `CI=true` a missing editor is an error: CI never passes by
/// skipping (scripts/install-tools installs them).
pub fn require_editor(test: &str, variable: &str, name: &str) -> anyhow::Result<Option<PathBuf>> {
    if let Some(path) = std::env::var_os(variable).filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!("{test}: {variable}={} is not a file", path.display());
        }
        return Ok(Some(path));
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    match found {
        Some(path) => Ok(Some(path)),
        None if std::env::var("CI").is_ok_and(|value| value == "true") => bail!(
            "{test}: {name} is required under CI=true (set {variable} or PATH; \
             GOMODLS_EDITORS=1 scripts/install-tools installs it)"
        ),
        None => {
            eprintln!("{test}: skipped, no {name} (set {variable} or PATH)");
            Ok(None)
        }
    }
}

/// Keeps the editor and the server it starts local and quiet: a private home, no network for
/// the go command and the server, no user configuration.
pub fn isolate(command: &mut Command, home: &Path) {
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOPATH", home.join("gopath"))
        .env("GOMODCACHE", home.join("gopath/pkg/mod"))
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOENV", "off")
        .env("GOMODLS_LOG", "info")
        .stdin(Stdio::null());
}

/// What an editor run left: its exit status, its output, and the JSON result it wrote.
pub struct Run {
    /// The editor's exit status.
    pub status: ExitStatus,
    /// stdout and stderr, for failure messages.
    pub output: String,
    /// The result file's JSON, if the editor wrote one.
    pub result: Option<Value>,
}

/// Runs `command` to its end, killing it after [`run_timeout`]; its output goes to files in
/// `dir` (no pipe can fill up and block it). The editor writes its JSON result to `result`.
pub fn run(mut command: Command, dir: &Path, result: &Path) -> anyhow::Result<Run> {
    let stdout_path = dir.join("editor.stdout");
    let stderr_path = dir.join("editor.stderr");
    command
        .stdout(std::fs::File::create(&stdout_path)?)
        .stderr(std::fs::File::create(&stderr_path)?);
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let deadline = Instant::now() + run_timeout();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            child.kill()?;
            child.wait()?;
            let output = read_output(&stdout_path, &stderr_path);
            bail!(
                "the editor ran past {:?}: {command:?}\n{output}",
                run_timeout()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = read_output(&stdout_path, &stderr_path);
    let result = match std::fs::read_to_string(result) {
        Ok(text) => Some(
            serde_json::from_str(&text)
                .with_context(|| format!("the editor's result is not JSON: {text}\n{output}"))?,
        ),
        Err(_) => None,
    };
    Ok(Run {
        status,
        output,
        result,
    })
}

fn read_output(stdout: &Path, stderr: &Path) -> String {
    let stdout = std::fs::read_to_string(stdout).unwrap_or_default();
    let stderr = std::fs::read_to_string(stderr).unwrap_or_default();
    format!("--- stdout\n{stdout}\n--- stderr\n{stderr}")
}

impl Run {
    /// The result of a run that succeeded, or an error with everything the editor said.
    pub fn success(self) -> anyhow::Result<Value> {
        match (self.status.success(), self.result) {
            (true, Some(result)) if result.get("error").is_none() => Ok(result),
            (_, Some(result)) => bail!(
                "the editor failed ({}): {}\nnotifications: {:#}\n{}",
                self.status,
                result["error"].as_str().unwrap_or_default(),
                result["notifications"],
                self.output
            ),
            (_, None) => bail!(
                "the editor wrote no result ({})\n{}",
                self.status,
                self.output
            ),
        }
    }
}

/// The go.mod the scenario opens: unformatted, a non-canonical version, and a broken last line
/// (an unterminated string) that the user then deletes.
pub const GO_MOD: &str = "module   example.com/m\n\
go 1.22\n\
\n\
require (\n\
\x20   example.com/a v1.2\n\
\x20 example.com/b   v1.0.0 // indirect\n\
)\n\
\n\
require \"example.com/c v1.0.0\n";

/// How many lines the user deletes from the end of [`GO_MOD`].
pub const DELETED_LINES: usize = 2;

/// [`GO_MOD`] after the deletion.
pub fn go_mod_fixed() -> String {
    let lines: Vec<&str> = GO_MOD.lines().collect();
    let kept = &lines[..lines.len() - DELETED_LINES];
    format!("{}\n", kept.join("\n"))
}

/// Where the scenario hovers: on the `require` keyword (line, byte column; 0-based).
pub const HOVER_AT: (u32, u32) = (3, 2);

/// Where the scenario asks for a quick fix: on `v1.2` (line, byte column; 0-based).
pub const QUICK_FIX_AT: (u32, u32) = (4, 20);

/// The text the quick fix makes of `example.com/a v1.2`: the version the go command would write.
pub const QUICK_FIXED_REQUIREMENT: &str = "example.com/a v1.2.0";

/// What the user looks for in a menu of several quick fixes: the one that writes the canonical
/// version (the others may need the network, which the tests do not have).
pub const QUICK_FIX_PICK: &str = "v1.2.0";

/// What `go mod edit -fmt` makes of [`go_mod_fixed`] (checked against go by hand; the version is
/// canonical after the quick fix anyway): the text after quick fix and format.
pub const GO_MOD_FORMATTED: &str = "module example.com/m\n\
\n\
go 1.22\n\
\n\
require (\n\
\texample.com/a v1.2.0\n\
\texample.com/b v1.0.0 // indirect\n\
)\n";

/// The go.work the scenario opens: a broken `use` line.
pub const GO_WORK: &str = "go 1.22\n\nuse \"./m\n";

/// The go.sum the scenario opens.
pub const GO_SUM: &str = "example.com/b v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\
example.com/b v1.0.0/go.mod h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";

/// Writes the scenario's files into `dir` (a module with go.mod and go.sum under a go.work).
pub fn write_workspace(dir: &Path) -> anyhow::Result<()> {
    std::fs::write(dir.join("go.mod"), GO_MOD)?;
    std::fs::write(dir.join("go.work"), GO_WORK)?;
    std::fs::write(dir.join("go.sum"), GO_SUM)?;
    Ok(())
}

/// What the server itself answers for the scenario, asked over the harness as a client that pulls
/// diagnostics: what every editor must show. The fixture is ASCII, so positions read the same in
/// every encoding.
pub struct Reference {
    /// The `capabilities` of the `initialize` result.
    pub capabilities: Value,
    /// The diagnostics of [`GO_MOD`], [`go_mod_fixed`] and [`GO_WORK`].
    pub diagnostics_broken: Vec<Value>,
    /// See `diagnostics_broken`.
    pub diagnostics_fixed: Vec<Value>,
    /// See `diagnostics_broken`.
    pub work_diagnostics: Vec<Value>,
    /// The hover at [`HOVER_AT`] in [`go_mod_fixed`] (`null` when none).
    pub hover: Value,
    /// [`go_mod_fixed`] after the quick fix at [`QUICK_FIX_AT`], if the server offers one.
    pub after_quick_fix: Option<String>,
    /// The titles of the quick fixes offered there, in order.
    pub quick_fix_titles: Vec<String>,
    /// The text after the quick fix and formatting, if the server formats.
    pub formatted: Option<String>,
}

impl Reference {
    /// Asserts what an editor's scenario `result` recorded after the quick fix and formatting:
    /// `text_after_quick_fix` is the server's fixed text (several fixes came as one menu,
    /// `quick_fix_menus`, of the server's titles) and `text_final` what go mod edit -fmt writes.
    pub fn assert_quick_fix_and_format(&self, result: &Value) {
        let list = |value: &Value| value.as_array().cloned().unwrap_or_default();
        match &self.after_quick_fix {
            Some(expected) => {
                assert!(expected.contains(QUICK_FIXED_REQUIREMENT), "{expected}");
                assert_eq!(
                    result["text_after_quick_fix"],
                    json!(expected),
                    "{result:#}"
                );
                let menus = list(&result["quick_fix_menus"]);
                match self.quick_fix_titles.len() {
                    1 => assert_eq!(menus, Vec::<Value>::new()),
                    _ => assert_eq!(menus, vec![json!(self.quick_fix_titles)]),
                }
            }
            None => assert_eq!(result["text_after_quick_fix"], go_mod_fixed()),
        }
        match &self.formatted {
            Some(expected) => {
                assert_eq!(result["text_final"], json!(expected));
                assert_eq!(result["text_final"], GO_MOD_FORMATTED);
            }
            None => assert_eq!(result["text_final"], result["text_after_quick_fix"]),
        }
    }

    /// Asks the server for everything the scenario does, on documents under `dir`, as a client
    /// that offers `encodings` and takes hovers in `hover_formats` (both in order of preference).
    pub fn ask(
        dir: &Path,
        encodings: &[&str],
        hover_formats: &[&str],
    ) -> anyhow::Result<Reference> {
        let options = ServerOptions::new(env!("CARGO_BIN_EXE_gomodls"))
            .position_encodings(encodings)
            .capability(
                "textDocument",
                "diagnostic",
                json!({"dynamicRegistration": false}),
            )
            .capability(
                "textDocument",
                "hover",
                json!({"contentFormat": hover_formats}),
            )
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local")
            .root(dir);
        let (mut server, initialized) = TestServer::start(options)?;
        let capabilities = initialized["capabilities"].clone();
        let uri = file_uri(&dir.join("go.mod"));
        server.open(&uri, "gomod", 1, GO_MOD)?;
        let diagnostics_broken = pull(&mut server, &uri)?;

        let fixed = go_mod_fixed();
        server.change(&uri, 2, vec![json!({"text": fixed})])?;
        let diagnostics_fixed = pull(&mut server, &uri)?;

        let position = json!({"line": HOVER_AT.0, "character": HOVER_AT.1});
        let hover = match capabilities.get("hoverProvider") {
            Some(provider) if provider != &json!(false) => server.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": position}),
            )?,
            _ => Value::Null,
        };

        let (after_quick_fix, quick_fix_titles) = match capabilities.get("codeActionProvider") {
            Some(provider) if provider != &json!(false) => {
                let (text, titles) = quick_fix(&mut server, &uri, &fixed, &diagnostics_fixed)?;
                (Some(text), titles)
            }
            _ => (None, Vec::new()),
        };

        let formatted = match capabilities.get("documentFormattingProvider") {
            Some(provider) if provider != &json!(false) => {
                let text = after_quick_fix.clone().unwrap_or_else(|| fixed.clone());
                server.change(&uri, 3, vec![json!({"text": text})])?;
                let edits = server.request(
                    "textDocument/formatting",
                    json!({"textDocument": {"uri": uri},
                           "options": {"tabSize": 8, "insertSpaces": false}}),
                )?;
                Some(apply_text_edits(&text, &edits)?)
            }
            _ => None,
        };

        let work_uri = file_uri(&dir.join("go.work"));
        server.open(&work_uri, "gowork", 1, GO_WORK)?;
        let work_diagnostics = pull(&mut server, &work_uri)?;
        server.shutdown_and_exit()?;
        Ok(Reference {
            capabilities,
            diagnostics_broken,
            diagnostics_fixed,
            work_diagnostics,
            hover,
            after_quick_fix,
            quick_fix_titles,
            formatted,
        })
    }

    /// Whether the server offers `provider` (e.g. `hoverProvider`).
    pub fn offers(&self, provider: &str) -> bool {
        self.capabilities
            .get(provider)
            .is_some_and(|value| value != &json!(false) && !value.is_null())
    }

    /// The text of the hover, whatever shape its contents take.
    pub fn hover_text(&self) -> String {
        hover_contents_text(&self.hover["contents"])
    }
}

fn hover_contents_text(contents: &Value) -> String {
    match contents {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(hover_contents_text)
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Object(object) => object
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// Pulls the diagnostics of `uri`, sorted by position.
fn pull(server: &mut TestServer, uri: &str) -> anyhow::Result<Vec<Value>> {
    let report = server.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let mut items = report["items"]
        .as_array()
        .cloned()
        .context("a diagnostic report without items")?;
    items.sort_by_key(|item| {
        (
            item["range"]["start"]["line"].as_u64(),
            item["range"]["start"]["character"].as_u64(),
        )
    });
    Ok(items)
}

/// Asks for the quick fixes at [`QUICK_FIX_AT`] with the diagnostics of that line, as editors do,
/// and applies the one the user takes to `text`; returns the text and the titles offered.
fn quick_fix(
    server: &mut TestServer,
    uri: &str,
    text: &str,
    diagnostics: &[Value],
) -> anyhow::Result<(String, Vec<String>)> {
    let position = json!({"line": QUICK_FIX_AT.0, "character": QUICK_FIX_AT.1});
    let on_line: Vec<&Value> = diagnostics
        .iter()
        .filter(|item| item["range"]["start"]["line"] == json!(QUICK_FIX_AT.0))
        .collect();
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": position, "end": position},
               "context": {"diagnostics": on_line, "only": ["quickfix"]}}),
    )?;
    let actions = actions.as_array().cloned().unwrap_or_default();
    let titles = actions
        .iter()
        .map(|action| action["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    // A lone quick fix is applied at once; from several, the user picks the one naming the
    // canonical version.
    let action = match actions.as_slice() {
        [action] => action,
        _ => actions
            .iter()
            .find(|action| {
                action["title"]
                    .as_str()
                    .is_some_and(|title| title.contains(QUICK_FIX_PICK))
            })
            .with_context(|| {
                format!("no quick fix at {QUICK_FIX_AT:?} names {QUICK_FIX_PICK}: {actions:?}")
            })?,
    };
    let edit = &action["edit"];
    let edits = match (&edit["changes"], &edit["documentChanges"]) {
        (Value::Object(changes), _) => changes.get(uri).cloned().unwrap_or_default(),
        (_, Value::Array(changes)) => changes
            .iter()
            .filter(|change| change["textDocument"]["uri"] == uri)
            .flat_map(|change| change["edits"].as_array().cloned().unwrap_or_default())
            .collect(),
        _ => bail!("the quick fix has no edit: {action}"),
    };
    Ok((apply_text_edits(text, &edits)?, titles))
}

/// Applies LSP `TextEdit`s (UTF-8 positions, all against the same text) to `text`.
pub fn apply_text_edits(text: &str, edits: &Value) -> anyhow::Result<String> {
    let mut edits = edits.as_array().cloned().unwrap_or_default();
    // Last first, so earlier positions stay valid.
    edits.sort_by_key(|edit| {
        std::cmp::Reverse((
            edit["range"]["start"]["line"].as_u64(),
            edit["range"]["start"]["character"].as_u64(),
        ))
    });
    let mut result = text.to_owned();
    for text_edit in edits {
        let change = json!({"range": text_edit["range"], "text": text_edit["newText"]});
        edit::apply(&mut result, &change, Encoding::Utf8)?;
    }
    Ok(result)
}
