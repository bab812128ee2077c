//! go.sum integrity in the editor and on the command line: every go.sum line verified as the go
//! command verifies downloads (`gomodls_modfetch::gosum_verify`), mismatches shown in go's
//! SECURITY ERROR words, missing lines added only after they verified, stale lines removed.
//!
//! Invariants: verification never runs on the edit path. Opening or changing a go.sum schedules
//! it in the background (after a short quiet period), against the module cache only: opening a
//! go.sum never downloads module zips. The `gomodls.verifyGoSum` command verifies against the
//! proxy's downloads as well. Results are kept per go.sum line (path, version, hash), so
//! diagnostics stay on their line while the file is edited; a line that cannot be verified now
//! is not an error. A line that disagrees is never overwritten, and nothing is written unless
//! every added line verified.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use gomodls_modfetch::gosum_verify::{GoSumVerifier, Verdict, required_go_mod_keys};
use gomodls_modfetch::{CacheConfig, GoEnv, ModuleClient};
use gomodls_syntax::FileKind;
use gomodls_syntax::check::{self, Severity, Source};
use gomodls_syntax::gosum::{self, GoSumLine};
use gomodls_syntax::line_index::LineIndex;
use gomodls_syntax::views::SourceFile;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, Command, CreateFile,
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChangeOperation,
    DocumentChanges, ExecuteCommandParams, Location, MessageType, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, ResourceOp, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::config::Config;
use crate::document::Snapshot;
use crate::session::{Session, file_path};

/// The command that verifies a module's go.sum against the downloads and the checksum database
/// and reports (argument `{ "uri": ... }`: the go.mod, go.sum, go.work or go.work.sum).
pub const VERIFY_GO_SUM: &str = "gomodls.verifyGoSum";

/// The command that downloads, hashes, verifies and adds the go.sum lines `go mod download`
/// would add (argument `{ "uri": ... }` as for [`VERIFY_GO_SUM`]).
pub const ADD_MISSING_SUMS: &str = "gomodls.addMissingGoSumLines";

/// The diagnostic code of a hash that disagrees with the downloaded bits or the database.
pub const CODE: &str = "checksum";

/// Where the code is explained: the Go modules reference on authenticating modules.
const CODE_URL: &str = "https://go.dev/ref/mod#authenticating";

/// How long a go.sum must stay unchanged before it is verified in the background.
const QUIET_PERIOD: Duration = Duration::from_millis(300);

/// What verification found in go.sum files, by URI, and the verifiers in use.
#[derive(Default)]
struct IntegrityStore {
    /// Orders verification runs: an older run never replaces a newer run's findings.
    sequence: AtomicU64,
    files: Mutex<HashMap<Uri, Findings>>,
    /// The background (module cache only) and the full verifier, with the environment
    /// overrides they were made with.
    verifiers: Mutex<Option<(BTreeMap<String, String>, Verifiers)>>,
}

#[derive(Clone)]
struct Verifiers {
    cache_only: Arc<GoSumVerifier>,
    full: Arc<GoSumVerifier>,
}

/// The findings of the last verification of one go.sum.
#[derive(Default, PartialEq, Eq)]
struct Findings {
    sequence: u64,
    /// go's message for each line that disagrees, by `PATH VERSION HASH`.
    mismatches: HashMap<String, String>,
}

/// The findings are process-wide like the module cache and the verified-lines file they come
/// from; the LSP server runs one session per process.
static STORE: LazyLock<IntegrityStore> = LazyLock::new(IntegrityStore::default);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The argument of the commands.
#[derive(Debug, Deserialize)]
struct UriArgument {
    uri: Uri,
}

/// The two files of a module: its go.mod and its go.sum (or a workspace's go.work and
/// go.work.sum).
struct ModuleFiles {
    go_mod: PathBuf,
    go_sum: PathBuf,
}

impl ModuleFiles {
    /// The files of the module a go.mod, go.sum, go.work or go.work.sum belongs to.
    fn of(path: &Path) -> Option<ModuleFiles> {
        let directory = path.parent()?;
        let name = path.file_name()?.to_str()?;
        let (go_mod, go_sum) = match name {
            "go.mod" | "go.sum" => ("go.mod", "go.sum"),
            "go.work" | "go.work.sum" => ("go.work", "go.work.sum"),
            _ => return None,
        };
        Some(ModuleFiles {
            go_mod: directory.join(go_mod),
            go_sum: directory.join(go_sum),
        })
    }

    /// The name go's messages give the go.sum.
    fn sum_name(&self) -> &str {
        self.go_sum
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("go.sum")
    }
}

/// A go.sum verifier over the module environment (process variables with `overrides` on top),
/// keeping its verified lookups beside the user's module cache; `offline` keeps it to caches.
fn new_verifier(
    overrides: &BTreeMap<String, String>,
    offline: bool,
) -> Result<GoSumVerifier, String> {
    let env = GoEnv::resolve(std::env::vars(), overrides);
    let cache = CacheConfig::in_user_cache_dir(&env);
    let state = cache
        .dir
        .as_deref()
        .and_then(Path::parent)
        .map(|dir| dir.join("gosum"));
    let client = ModuleClient::new(env, cache).map_err(|error| error.to_string())?;
    client.set_offline(offline);
    Ok(GoSumVerifier::new(client, state.as_deref()))
}

/// The verifiers for `config`'s environment, made anew when the overrides change.
fn verifiers(config: &Config) -> Result<Verifiers, String> {
    let mut guard = lock(&STORE.verifiers);
    if let Some((env, verifiers)) = guard.as_ref()
        && *env == config.env
    {
        return Ok(verifiers.clone());
    }
    let make = |offline: bool| new_verifier(&config.env, offline);
    let verifiers = Verifiers {
        cache_only: Arc::new(make(true)?),
        full: Arc::new(make(false)?),
    };
    *guard = Some((config.env.clone(), verifiers.clone()));
    Ok(verifiers)
}

fn line_key(path: &str, version_field: &str, hash: &str) -> String {
    format!("{path} {version_field} {hash}")
}

/// Records the verdicts of a run; returns whether the findings changed.
fn record(uri: &Uri, sequence: u64, verdicts: &[(GoSumLine, Verdict)]) -> bool {
    let mismatches: HashMap<String, String> = verdicts
        .iter()
        .filter_map(|(line, verdict)| match verdict {
            Verdict::Mismatch(message) => Some((
                line_key(&line.sum.path, &line.sum.version_field(), &line.sum.hash),
                message.clone(),
            )),
            _ => None,
        })
        .collect();
    let mut files = lock(&STORE.files);
    let entry = files.entry(uri.clone()).or_default();
    if entry.sequence > sequence {
        return false;
    }
    entry.sequence = sequence;
    if entry.mismatches == mismatches {
        return false;
    }
    entry.mismatches = mismatches;
    true
}

/// Verifies a go.sum in the background once it has been quiet for a moment, against the module
/// cache (never downloading zips), then republishes diagnostics if the findings changed.
/// Returns at once; does nothing for other files.
pub fn schedule(session: &Arc<Session>, client: &Client, uri: &Uri) {
    let Some(snapshot) = session.snapshot(uri) else {
        return;
    };
    let config = session.config();
    if snapshot.kind != FileKind::GoSum || !config.diagnostics.enable {
        return;
    }
    let Some(files) = file_path(uri).as_deref().and_then(ModuleFiles::of) else {
        return;
    };
    let session = session.clone();
    let client = client.clone();
    let uri = uri.clone();
    tokio::spawn(async move {
        tokio::time::sleep(QUIET_PERIOD).await;
        // A newer change scheduled its own run.
        if session.current_revision(&uri) != Some(snapshot.revision) {
            return;
        }
        let verifier = match verifiers(&config) {
            Ok(verifiers) => verifiers.cache_only,
            Err(problem) => {
                tracing::warn!("go.sum verification unavailable: {problem}");
                return;
            }
        };
        let sequence = STORE.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let verdicts = verifier
            .verify_file(snapshot.text.as_bytes(), files.sum_name())
            .await;
        if record(&uri, sequence, &verdicts) {
            crate::diagnostics::refresh_all(&session, &client).await;
        }
    });
}

/// The `checksum` diagnostics of a go.sum snapshot: the lines the last verification found to
/// disagree, each with go's message (both hashes) and the require in go.mod as related place.
pub fn diagnostics(snapshot: &Snapshot, config: &Config) -> Vec<Diagnostic> {
    if snapshot.kind != FileKind::GoSum || !config.diagnostics.enable {
        return Vec::new();
    }
    let mismatches = match lock(&STORE.files).get(&snapshot.uri) {
        Some(findings) if !findings.mismatches.is_empty() => findings.mismatches.clone(),
        _ => return Vec::new(),
    };
    let go_sum = gosum::read_go_sum(snapshot.text.as_bytes());
    let go_mod = file_path(&snapshot.uri)
        .as_deref()
        .and_then(ModuleFiles::of)
        .and_then(|files| {
            let text = std::fs::read_to_string(&files.go_mod).ok()?;
            let uri = Uri::from_file_path(&files.go_mod)?;
            Some((uri, text))
        });
    let requires = go_mod
        .as_ref()
        .map(|(_, text)| requirement_ranges(text))
        .unwrap_or_default();
    let go_mod_index = go_mod.as_ref().map(|(_, text)| LineIndex::new(text));
    go_sum
        .lines
        .iter()
        .filter_map(|line| {
            let key = line_key(&line.sum.path, &line.sum.version_field(), &line.sum.hash);
            let message = mismatches.get(&key)?;
            let related =
                go_mod
                    .as_ref()
                    .zip(go_mod_index.as_ref())
                    .and_then(|((uri, text), index)| {
                        let (range, what) = requires.get(&line.sum.path)?;
                        let position = |offset: usize| {
                            let at = index.position(text, offset, snapshot.encoding);
                            Position {
                                line: at.line,
                                character: at.column,
                            }
                        };
                        Some(vec![DiagnosticRelatedInformation {
                            location: Location {
                                uri: uri.clone(),
                                range: tower_lsp_server::ls_types::Range {
                                    start: position(range.start),
                                    end: position(range.end),
                                },
                            },
                            message: format!("{} {what} here", line.sum.path),
                        }])
                    });
            Some(Diagnostic {
                range: snapshot.range(line.hash_range.clone()),
                severity: Some(DiagnosticSeverity::ERROR),
                code: Some(NumberOrString::String(CODE.to_owned())),
                code_description: CODE_URL
                    .parse::<Uri>()
                    .ok()
                    .map(|href| CodeDescription { href }),
                source: Some(Source::Go.name().to_owned()),
                message: message.clone(),
                related_information: related,
                tags: None,
                data: None,
            })
        })
        .collect()
}

/// Where go.mod names each module: its require (or, for a replacement's target, the replace).
fn requirement_ranges(go_mod: &str) -> HashMap<String, (Range<usize>, &'static str)> {
    let tree = gomodls_syntax::parse(FileKind::GoMod, go_mod.as_bytes());
    let file = SourceFile::new(&tree, go_mod);
    let mut ranges = HashMap::new();
    for spec in file.replaces() {
        if let Some(target) = spec.replacement().and_then(|r| r.token().value()) {
            ranges.insert(target.into_owned(), (spec.range(), "is replaced"));
        }
    }
    for spec in file.requires() {
        if let Some(path) = spec.path().and_then(|token| token.value()) {
            ranges.insert(path.into_owned(), (spec.range(), "is required"));
        }
    }
    ranges
}

/// The text of a file as the session sees it (the client's text when open), else from disk;
/// `None` when it does not exist.
fn current_text(session: &Session, path: &Path) -> Option<(String, Option<i32>, bool)> {
    if let Some(snapshot) = Uri::from_file_path(path).and_then(|uri| session.snapshot(&uri)) {
        let open = snapshot.origin == crate::document::Origin::Open;
        return Some((snapshot.text.to_string(), snapshot.version, open));
    }
    std::fs::read_to_string(path)
        .ok()
        .map(|text| (text, None, false))
}

/// The go.sum keys `go mod download` would add for the go.mod `go_mod`, missing from `go_sum`.
fn missing_keys(go_mod: &str, go_sum: &str) -> Vec<(String, String, bool)> {
    let Ok(wanted) = required_go_mod_keys(go_mod.as_bytes(), "go.mod") else {
        return Vec::new();
    };
    let present: HashSet<(String, String, bool)> = gosum::read_go_sum(go_sum.as_bytes())
        .lines
        .into_iter()
        .map(|line| (line.sum.path, line.sum.version, line.sum.go_mod))
        .collect();
    wanted
        .into_iter()
        .filter(|key| !present.contains(key))
        .collect()
}

/// Whether a client's `only` filter lets `kind` through.
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|kinds| {
        kinds.iter().any(|asked| {
            kind.as_str() == asked.as_str()
                || kind
                    .as_str()
                    .strip_prefix(asked.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

fn touches(left: &Range<usize>, right: &Range<usize>) -> bool {
    left.start <= right.end && right.start <= left.end
}

/// The go.sum code actions for the bytes `range` of a go.mod or go.sum snapshot: add the missing
/// lines (a command: it downloads and verifies), and in a go.sum remove the stale lines.
pub fn code_actions(
    snapshot: &Snapshot,
    config: &Config,
    range: Range<usize>,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    let Some(files) = file_path(&snapshot.uri)
        .as_deref()
        .and_then(ModuleFiles::of)
    else {
        return actions;
    };
    if files.sum_name() != "go.sum" {
        return actions;
    }
    let (go_mod, go_sum) = match snapshot.kind {
        FileKind::GoMod => (
            snapshot.text.to_string(),
            std::fs::read_to_string(&files.go_sum).unwrap_or_default(),
        ),
        FileKind::GoSum => match std::fs::read_to_string(&files.go_mod) {
            Ok(go_mod) => (go_mod, snapshot.text.to_string()),
            Err(_) => return actions,
        },
        FileKind::GoWork => return actions,
    };
    let missing = missing_keys(&go_mod, &go_sum);
    // In go.mod the action belongs to the requirements that lack lines; in go.sum, to the file.
    let (offer_missing, missing_kind) = match snapshot.kind {
        FileKind::GoMod => {
            let paths: HashSet<&str> = missing.iter().map(|(path, _, _)| path.as_str()).collect();
            let file = SourceFile::new(&snapshot.tree, &snapshot.text);
            let touched = file.requires().any(|spec| {
                spec.path()
                    .and_then(|token| token.value())
                    .is_some_and(|path| paths.contains(path.as_ref()))
                    && touches(&spec.range(), &range)
            });
            (touched, CodeActionKind::QUICKFIX)
        }
        _ => (!missing.is_empty(), CodeActionKind::SOURCE),
    };
    if offer_missing && wanted(only, &missing_kind) {
        let go_mod_uri = Uri::from_file_path(&files.go_mod);
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!(
                "Add the {} missing go.sum line{} (downloaded and verified)",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            ),
            kind: Some(missing_kind),
            command: go_mod_uri.map(|uri| Command {
                title: "Add missing go.sum lines".to_owned(),
                command: ADD_MISSING_SUMS.to_owned(),
                arguments: Some(vec![json!({ "uri": uri })]),
            }),
            ..CodeAction::default()
        }));
    }
    if snapshot.kind == FileKind::GoSum
        && let Some(action) = remove_stale_lines(snapshot, config, &range, only)
    {
        actions.push(action);
    }
    actions
}

/// Deletes every go.sum line go.mod no longer needs (the `stale-sum-line` diagnostics): a quick
/// fix where the range touches one, a source action elsewhere.
fn remove_stale_lines(
    snapshot: &Snapshot,
    config: &Config,
    range: &Range<usize>,
    only: Option<&[CodeActionKind]>,
) -> Option<CodeActionOrCommand> {
    let stale: Vec<check::Diagnostic> = crate::module_facts::problems(snapshot, config)
        .into_iter()
        .filter(|problem| problem.code == "stale-sum-line")
        .collect();
    if stale.is_empty() {
        return None;
    }
    let kind = match stale.iter().any(|problem| touches(&problem.range, range)) {
        true => CodeActionKind::QUICKFIX,
        false => CodeActionKind::SOURCE,
    };
    if !wanted(only, &kind) {
        return None;
    }
    let mut lines: Vec<Range<usize>> = stale
        .iter()
        .filter_map(|problem| {
            let line = snapshot.line_index.line_of(problem.range.start);
            snapshot.line_index.full_line_range(line)
        })
        .collect();
    lines.sort_by_key(|line| line.start);
    lines.dedup();
    let edits = lines
        .into_iter()
        .map(|line| {
            OneOf::Left(TextEdit {
                range: snapshot.range(line),
                new_text: String::new(),
            })
        })
        .collect();
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!(
            "Remove the {} stale go.sum line{}",
            stale.len(),
            if stale.len() == 1 { "" } else { "s" }
        ),
        kind: Some(kind),
        diagnostics: None,
        edit: Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: snapshot.uri.clone(),
                    version: snapshot.version,
                },
                edits,
            }])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    }))
}

/// The commands this module serves, for `executeCommandProvider`.
pub fn commands() -> [&'static str; 2] {
    [VERIFY_GO_SUM, ADD_MISSING_SUMS]
}

/// A command failure the client shows as it is.
fn failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

fn module_files(arguments: &[Value], command: &str) -> Result<(Uri, ModuleFiles), Error> {
    let argument = arguments
        .first()
        .cloned()
        .and_then(|value| serde_json::from_value::<UriArgument>(value).ok())
        .ok_or_else(|| {
            Error::invalid_params(format!("{command} takes one argument {{ \"uri\": ... }}"))
        })?;
    let files = file_path(&argument.uri)
        .as_deref()
        .and_then(ModuleFiles::of)
        .ok_or_else(|| {
            Error::invalid_params(format!(
                "{command}: {} is not a go.mod, go.sum, go.work or go.work.sum file",
                argument.uri.as_str()
            ))
        })?;
    Ok((argument.uri, files))
}

/// Runs one of [`commands`]; `None` for other commands.
pub async fn execute_command(
    session: &Arc<Session>,
    client: &Client,
    params: &ExecuteCommandParams,
) -> Option<Result<Option<Value>, Error>> {
    let outcome = match params.command.as_str() {
        VERIFY_GO_SUM => verify_command(session, client, &params.arguments).await,
        ADD_MISSING_SUMS => add_missing_command(session, client, &params.arguments).await,
        _ => return None,
    };
    Some(outcome.map(Some))
}

/// `gomodls.verifyGoSum`: verifies every line against the downloads and the database, records
/// the findings (diagnostics follow) and tells the user. Answers with counts and go's messages.
async fn verify_command(
    session: &Arc<Session>,
    client: &Client,
    arguments: &[Value],
) -> Result<Value, Error> {
    let (_, files) = module_files(arguments, VERIFY_GO_SUM)?;
    let sum_name = files.sum_name().to_owned();
    let Some((text, _, _)) = current_text(session, &files.go_sum) else {
        let message = format!("{}: no {sum_name} to verify", files.go_sum.display());
        client.show_message(MessageType::INFO, &message).await;
        return Ok(json!({ "lines": 0, "verified": 0, "unverified": 0, "mismatches": [] }));
    };
    let verifier = verifiers(&session.config()).map_err(failed)?.full;
    let sequence = STORE.sequence.fetch_add(1, Ordering::Relaxed) + 1;
    let verdicts = verifier.verify_file(text.as_bytes(), &sum_name).await;
    let mut verified = 0;
    let mut unverified = Vec::new();
    let mut mismatches = Vec::new();
    for (line, verdict) in &verdicts {
        match verdict {
            Verdict::Verified | Verdict::Ignored => verified += 1,
            Verdict::Unverified(reason) => unverified.push(json!({
                "line": line.line,
                "reason": reason,
            })),
            Verdict::Mismatch(message) => mismatches.push(json!({
                "line": line.line,
                "message": message,
            })),
        }
    }
    if let Some(uri) = Uri::from_file_path(&files.go_sum)
        && record(&uri, sequence, &verdicts)
    {
        crate::diagnostics::refresh_all(session, client).await;
    }
    let (kind, message) = match (mismatches.len(), unverified.len()) {
        (0, 0) => (
            MessageType::INFO,
            format!("{sum_name}: all {} lines verified", verdicts.len()),
        ),
        (0, count) => (
            MessageType::WARNING,
            format!(
                "{sum_name}: {verified} lines verified, {count} could not be verified now: {}",
                unverified
                    .first()
                    .and_then(|item| item["reason"].as_str())
                    .unwrap_or_default()
            ),
        ),
        (count, _) => (
            MessageType::ERROR,
            format!(
                "{sum_name}: {count} line{} do NOT match the downloaded bits or the checksum database (SECURITY ERROR)",
                if count == 1 { "" } else { "s" }
            ),
        ),
    };
    client.show_message(kind, message).await;
    Ok(json!({
        "lines": verdicts.len(),
        "verified": verified,
        "unverified": unverified,
        "mismatches": mismatches,
    }))
}

/// `gomodls.addMissingGoSumLines`: downloads, hashes and verifies the lines `go mod download`
/// would add and applies them in go's order; answers whether an edit was applied. Any failure
/// is an error response and nothing is written.
async fn add_missing_command(
    session: &Arc<Session>,
    client: &Client,
    arguments: &[Value],
) -> Result<Value, Error> {
    let (_, files) = module_files(arguments, ADD_MISSING_SUMS)?;
    let sum_name = files.sum_name().to_owned();
    let go_mod_name = files
        .go_mod
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("go.mod")
        .to_owned();
    let Some((go_mod, _, _)) = current_text(session, &files.go_mod) else {
        return Err(failed(format!("{}: no such file", files.go_mod.display())));
    };
    let keys = required_go_mod_keys(go_mod.as_bytes(), &go_mod_name)
        .map_err(|errors| failed(errors.join("\n")))?;
    let existing = current_text(session, &files.go_sum);
    let (go_sum, version, open) = existing.clone().unwrap_or_default();
    let verifier = verifiers(&session.config()).map_err(failed)?.full;
    let added = verifier
        .add_missing(go_sum.as_bytes(), &sum_name, &keys)
        .await
        .map_err(|error| failed(error.to_string()))?;
    let Some(new_text) = added else {
        return Ok(Value::Bool(false));
    };
    let Some(uri) = Uri::from_file_path(&files.go_sum) else {
        return Err(failed(format!(
            "{}: not a file URI",
            files.go_sum.display()
        )));
    };
    let index = LineIndex::new(&go_sum);
    let encoding = session.client().encoding;
    let position = |offset: usize| {
        let at = index.position(&go_sum, offset, encoding);
        Position {
            line: at.line,
            character: at.column,
        }
    };
    let edits: Vec<OneOf<TextEdit, _>> = gomodls_ide::formatting::minimal_edits(&go_sum, &new_text)
        .into_iter()
        .map(|edit| {
            OneOf::Left(TextEdit {
                range: tower_lsp_server::ls_types::Range {
                    start: position(edit.range.start),
                    end: position(edit.range.end),
                },
                new_text: edit.new_text,
            })
        })
        .collect();
    let text_edit = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version: if open { version } else { None },
        },
        edits,
    };
    let document_changes = match existing {
        Some(_) => DocumentChanges::Edits(vec![text_edit]),
        None => DocumentChanges::Operations(vec![
            DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                uri,
                options: None,
                annotation_id: None,
            })),
            DocumentChangeOperation::Edit(text_edit),
        ]),
    };
    let applied = client
        .apply_edit(WorkspaceEdit {
            document_changes: Some(document_changes),
            ..WorkspaceEdit::default()
        })
        .await?;
    Ok(Value::Bool(applied.applied))
}

/// What `gomodls check --verify` found in one go.sum: a `checksum` error per line that
/// disagrees, and the reasons lines could not be verified now (not errors).
pub struct CheckVerification {
    /// The `checksum` diagnostics, in line order.
    pub diagnostics: Vec<check::Diagnostic>,
    /// Why lines could not be verified now, one per unverified line.
    pub unverified: Vec<String>,
}

/// Verifies go.sum files for `gomodls check --verify` as the go command would (GOPROXY, GOSUMDB,
/// GONOSUMDB, GOPRIVATE, GOFLAGS from the environment); `offline` uses only the caches and the
/// checksum database's cached tiles. `files` are `(text, name in go's messages)`.
pub fn check_verify(
    files: &[(&[u8], &str)],
    offline: bool,
) -> Result<Vec<CheckVerification>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    let verifier = new_verifier(&BTreeMap::new(), offline)?;
    Ok(files
        .iter()
        .map(|(text, name)| {
            let verdicts = runtime.block_on(verifier.verify_file(text, name));
            let mut found = CheckVerification {
                diagnostics: Vec::new(),
                unverified: Vec::new(),
            };
            for (line, verdict) in verdicts {
                match verdict {
                    Verdict::Mismatch(message) => found.diagnostics.push(check::Diagnostic {
                        code: CODE,
                        severity: Severity::Error,
                        range: line.hash_range,
                        message,
                        source: Source::Go,
                        related: Vec::new(),
                        tags: Vec::new(),
                        fixes: Vec::new(),
                        go_position: None,
                    }),
                    Verdict::Unverified(reason) => found.unverified.push(reason),
                    Verdict::Verified | Verdict::Ignored => {}
                }
            }
            found
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edits "add missing lines" sends, as `(range, new text)`.
    fn line_edits(old: &str, new: &str) -> Vec<(Range<usize>, String)> {
        gomodls_ide::formatting::minimal_edits(old, new)
            .into_iter()
            .map(|edit| (edit.range, edit.new_text))
            .collect()
    }

    #[test]
    fn line_edits_insert_only_the_new_lines() {
        let old = "a v1 h1:x=\nc v1 h1:y=\n";
        let new = "a v1 h1:x=\nb v1/go.mod h1:z=\nc v1 h1:y=\n";
        assert_eq!(
            line_edits(old, new),
            vec![(11..11, "b v1/go.mod h1:z=\n".to_owned())]
        );
        assert_eq!(
            line_edits("", "a v1 h1:x=\n"),
            vec![(0..0, "a v1 h1:x=\n".to_owned())]
        );
        assert_eq!(line_edits(new, new), Vec::new());
    }

    #[test]
    fn module_files_pair_go_mod_with_go_sum_and_go_work_with_go_work_sum() {
        let files = ModuleFiles::of(Path::new("/m/go.sum")).unwrap();
        assert_eq!(files.go_mod, Path::new("/m/go.mod"));
        assert_eq!(files.sum_name(), "go.sum");
        let files = ModuleFiles::of(Path::new("/w/go.work")).unwrap();
        assert_eq!(files.go_sum, Path::new("/w/go.work.sum"));
        assert_eq!(files.sum_name(), "go.work.sum");
        assert!(ModuleFiles::of(Path::new("/m/other.txt")).is_none());
    }

    #[test]
    fn missing_keys_are_the_go_mod_lines_of_requirements_not_in_go_sum() {
        let go_mod =
            "module m\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.1.0\n)\n";
        let go_sum =
            "example.com/a v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        assert_eq!(
            missing_keys(go_mod, go_sum),
            vec![("example.com/b".to_owned(), "v1.1.0".to_owned(), true)]
        );
    }

    #[test]
    fn requirement_ranges_name_requires_and_replacement_targets() {
        let go_mod = "module m\n\nrequire example.com/a v1.0.0\n\nreplace example.com/b => example.com/c v1.0.0\n";
        let ranges = requirement_ranges(go_mod);
        let (range, what) = ranges.get("example.com/a").unwrap();
        assert_eq!(&go_mod[range.clone()], "example.com/a v1.0.0");
        assert_eq!(*what, "is required");
        assert_eq!(ranges.get("example.com/c").unwrap().1, "is replaced");
    }
}
