//! Code actions, inlay hints and code lenses over module facts: the LSP side of
//! `gomodls_ide::actions`.
//!
//! Invariants: requests answer from the facts in the snapshot and never wait for the network. A
//! pin whose query the facts cannot answer is sent without an edit and with `data`; resolving it
//! (`codeAction/resolve`) queries the module proxy with a time limit, so a proxy that is down or
//! slow ends in a clear error, never a hang. Every edit is a `documentChanges` edit carrying the
//! document's version.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gomodls_ide::Document;
use gomodls_ide::actions::{self, Action, ActionFacts, ActionKind, UpgradeLevel};
use gomodls_ide::module_diagnostics::UsedModules;
use gomodls_syntax::FileKind;
use gomodls_syntax::views::SourceFile;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionProviderCapability, CodeLens, CodeLensOptions, Command, DocumentChanges,
    ExecuteCommandOptions, InlayHint, InlayHintKind, InlayHintLabel, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri,
    WorkDoneProgressOptions, WorkspaceEdit,
};

use crate::config::{Config, UpdateCheck};
use crate::document::Snapshot;
use crate::module_facts::DiskDirs;
use crate::session::{Session, file_path};

/// The command that upgrades every requirement of a go.mod (argument `{ "uri": ... }`).
pub const UPGRADE_ALL: &str = "gomodls.upgradeAll";

/// How long resolving a pin may wait for the module proxy.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// The `data` of a pin action sent without an edit.
#[derive(Debug, Deserialize, Serialize)]
struct PinData {
    uri: Uri,
    version: Option<i32>,
    path: String,
    query: String,
    start: usize,
    end: usize,
}

/// The argument of [`UPGRADE_ALL`].
#[derive(Debug, Deserialize)]
pub struct UpgradeAllArgument {
    /// The go.mod to upgrade.
    pub uri: Uri,
}

/// What the server offers for `textDocument/codeAction`: quick fixes (the check's and the
/// module actions'), rewrites and source actions, with pins resolved lazily.
pub fn code_action_capability() -> CodeActionProviderCapability {
    CodeActionProviderCapability::Options(CodeActionOptions {
        code_action_kinds: Some(vec![
            CodeActionKind::QUICKFIX,
            CodeActionKind::REFACTOR_REWRITE,
            CodeActionKind::SOURCE,
        ]),
        work_done_progress_options: WorkDoneProgressOptions::default(),
        resolve_provider: Some(true),
    })
}

/// What the server offers for `workspace/executeCommand`.
pub fn execute_command_capability() -> ExecuteCommandOptions {
    ExecuteCommandOptions {
        commands: vec![UPGRADE_ALL.to_owned()],
        work_done_progress_options: WorkDoneProgressOptions::default(),
    }
}

/// What the server offers for `textDocument/codeLens`.
pub fn code_lens_capability() -> CodeLensOptions {
    CodeLensOptions {
        resolve_provider: Some(false),
    }
}

/// The upgrade level of the `updateCheck` setting (`off` still lets the user upgrade by hand, to
/// the latest minor).
fn level(config: &Config) -> UpgradeLevel {
    match config.update_check {
        UpdateCheck::Patch => UpgradeLevel::Patch,
        UpdateCheck::Off | UpdateCheck::Minor => UpgradeLevel::Minor,
        UpdateCheck::Latest => UpgradeLevel::Latest,
    }
}

fn facts(snapshot: &Snapshot) -> ActionFacts {
    let mut facts = ActionFacts::from_snapshot(&snapshot.facts);
    let path = file_path(&snapshot.uri);
    let directory = path.as_deref().and_then(Path::parent);
    match snapshot.kind {
        FileKind::GoMod => {
            facts.go_sum = directory
                .and_then(|directory| std::fs::read_to_string(directory.join("go.sum")).ok());
        }
        // A go.work's replaces act on the modules it uses, read from disk.
        FileKind::GoWork => {
            facts.used_modules = directory.and_then(|base| {
                let file = SourceFile::new(&snapshot.tree, &snapshot.text);
                UsedModules::read(&file, &DiskDirs { base })
            });
        }
        FileKind::GoSum => {}
    }
    facts
}

fn document(snapshot: &Snapshot) -> Document<'_> {
    Document::new(snapshot.kind, &snapshot.text, &snapshot.tree)
}

fn kind(kind: ActionKind) -> CodeActionKind {
    match kind {
        ActionKind::QuickFix => CodeActionKind::QUICKFIX,
        ActionKind::Rewrite => CodeActionKind::REFACTOR_REWRITE,
        ActionKind::Source => CodeActionKind::SOURCE,
    }
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

/// A versioned `documentChanges` edit of the snapshot's document.
fn workspace_edit(snapshot: &Snapshot, edits: &[gomodls_ide::TextEdit]) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|edit| {
            OneOf::Left(TextEdit {
                range: snapshot.range(edit.range.clone()),
                new_text: edit.new_text.clone(),
            })
        })
        .collect();
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: snapshot.uri.clone(),
                version: snapshot.version,
            },
            edits,
        }])),
        ..WorkspaceEdit::default()
    }
}

/// The module actions for the bytes `range` of a snapshot, filtered by the client's `only`.
pub fn code_actions(
    snapshot: &Snapshot,
    config: &Config,
    range: Range<usize>,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let facts = facts(snapshot);
    actions::code_actions(&document(snapshot), range, &facts, level(config))
        .into_iter()
        .filter(|action| wanted(only, &kind(action.kind)))
        .map(|action| CodeActionOrCommand::CodeAction(to_proto(snapshot, action)))
        .collect()
}

fn to_proto(snapshot: &Snapshot, action: Action) -> CodeAction {
    let data = action.pending.as_ref().and_then(|pending| {
        serde_json::to_value(PinData {
            uri: snapshot.uri.clone(),
            version: snapshot.version,
            path: pending.path.clone(),
            query: pending.query.clone(),
            start: pending.range.start,
            end: pending.range.end,
        })
        .ok()
    });
    let edit = match action.pending {
        Some(_) => None,
        None => Some(workspace_edit(snapshot, &action.edits)),
    };
    CodeAction {
        title: action.title,
        kind: Some(kind(action.kind)),
        edit,
        data,
        is_preferred: action.preferred.then_some(true),
        ..CodeAction::default()
    }
}

/// A request failure the client shows as it is.
fn failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

/// Resolves a pin: asks the module proxy (with a time limit) what go's canonical version for the
/// query is, and fills in the edit. Other actions come back as they are.
pub async fn resolve(session: &Arc<Session>, mut action: CodeAction) -> Result<CodeAction, Error> {
    if action.edit.is_some() {
        return Ok(action);
    }
    let Some(data) = action
        .data
        .clone()
        .and_then(|data| serde_json::from_value::<PinData>(data).ok())
    else {
        return Ok(action);
    };
    let config = session.config();
    let client = session.facts().module_client(&config).map_err(|problem| {
        failed(format!(
            "cannot resolve {}@{}: {problem}",
            data.path, data.query
        ))
    })?;
    let query = client.query(&data.path, &data.query, None);
    let resolved = match tokio::time::timeout(RESOLVE_TIMEOUT, query).await {
        Ok(Ok(resolved)) => resolved.version,
        Ok(Err(error)) => return Err(failed(error.to_string())),
        Err(_) => {
            return Err(failed(format!(
                "cannot resolve {}@{}: the module proxy did not answer within {} seconds",
                data.path,
                data.query,
                RESOLVE_TIMEOUT.as_secs()
            )));
        }
    };
    let snapshot = session
        .snapshot(&data.uri)
        .ok_or_else(|| Error::from(crate::errors::RequestError::unknown_document(&data.uri)))?;
    if snapshot.version != data.version {
        return Err(Error::from(crate::errors::RequestError::ContentModified));
    }
    let edits = actions::set_version(&document(&snapshot), data.start..data.end, &resolved);
    action.edit = Some(workspace_edit(&snapshot, &edits));
    Ok(action)
}

/// The edit of [`UPGRADE_ALL`] for a snapshot; `None` when nothing is behind.
pub fn upgrade_all(snapshot: &Snapshot, config: &Config) -> Option<WorkspaceEdit> {
    let edits = actions::upgrade_all(&document(snapshot), &facts(snapshot), level(config));
    (!edits.is_empty()).then(|| workspace_edit(snapshot, &edits))
}

/// The argument of [`UPGRADE_ALL`], from `workspace/executeCommand`'s arguments.
pub fn upgrade_all_argument(arguments: &[Value]) -> Option<UpgradeAllArgument> {
    serde_json::from_value(arguments.first()?.clone()).ok()
}

/// The latest version at the end of every require line that is behind; none when the setting
/// turns inlay hints off.
pub fn inlay_hints(snapshot: &Snapshot, config: &Config) -> Vec<InlayHint> {
    if !config.inlay_hints.enable {
        return Vec::new();
    }
    actions::inlay_hints(&document(snapshot), &facts(snapshot))
        .into_iter()
        .map(|hint| InlayHint {
            position: snapshot.position(hint.offset),
            label: InlayHintLabel::String(hint.label),
            kind: Some(InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect()
}

/// One lens per require directive with updates, running [`UPGRADE_ALL`].
pub fn code_lenses(snapshot: &Snapshot, config: &Config) -> Vec<CodeLens> {
    if config.update_check == UpdateCheck::Off {
        return Vec::new();
    }
    actions::code_lenses(&document(snapshot), &facts(snapshot), level(config))
        .into_iter()
        .map(|lens| CodeLens {
            range: snapshot.range(lens.range),
            command: Some(Command {
                title: lens.title,
                command: UPGRADE_ALL.to_owned(),
                arguments: Some(vec![serde_json::json!({ "uri": snapshot.uri })]),
            }),
            data: None,
        })
        .collect()
}
