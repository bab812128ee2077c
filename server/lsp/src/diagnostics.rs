//! Diagnostics and their quick fixes: computed by the syntax crate's `check` on blocking tasks, pushed with `textDocument/publishDiagnostics` (with
//! the document's version) to clients that do not pull, and served to clients that pull
//! (`textDocument/diagnostic`, `workspace/diagnostic`).

use std::ops::Range;
use std::sync::Arc;

use std::path::Path;

use gomodls_syntax::FileKind;
use gomodls_syntax::check::{self, CheckContext, Severity, Tag};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, DocumentChanges,
    DocumentDiagnosticReport, FullDocumentDiagnosticReport, Location, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, RelatedFullDocumentDiagnosticReport,
    RelatedUnchangedDocumentDiagnosticReport, TextDocumentEdit, TextEdit,
    UnchangedDocumentDiagnosticReport, Uri, WorkspaceDocumentDiagnosticReport, WorkspaceEdit,
    WorkspaceFullDocumentDiagnosticReport, WorkspaceUnchangedDocumentDiagnosticReport,
};

use crate::config::Config;
use crate::disk::DiskFileSystem;
use crate::dispatch::run_blocking;
use crate::document::Snapshot;
use crate::session::{Session, file_path};

/// The problems of one document: the syntax crate's Go-exact `check`, with the document's
/// directory and the disk for go.work `use` directories.
pub fn problems(snapshot: &Snapshot) -> Vec<check::Diagnostic> {
    text_problems(&snapshot.uri, snapshot.kind, &snapshot.text)
}

/// [`problems`] of a text: go's check reads the text alone, not the syntax tree.
fn text_problems(uri: &Uri, kind: FileKind, text: &str) -> Vec<check::Diagnostic> {
    let path = file_path(uri);
    let file_name = path
        .as_deref()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .unwrap_or(kind.file_name());
    let context = CheckContext {
        file_name,
        directory: path.as_deref().and_then(Path::parent),
        file_system: Some(&DiskFileSystem),
    };
    check::check(kind, text.as_bytes(), &context)
}

/// The check of an opened text, started on a blocking task before the text is parsed: the
/// check does not need the tree, so on a second core it runs while the parse does.
pub struct EarlyCheck {
    text: Arc<str>,
    problems: tokio::sync::oneshot::Receiver<Vec<check::Diagnostic>>,
}

impl EarlyCheck {
    /// Starts checking `text`, the text of `uri`, when diagnostics are pushed (a client that
    /// pulls them asks when it wants them).
    pub fn start(
        session: &Session,
        uri: &Uri,
        kind: FileKind,
        text: Arc<str>,
    ) -> Option<EarlyCheck> {
        if session.client().pull_diagnostics || !session.config().diagnostics.enable {
            return None;
        }
        let (sender, problems) = tokio::sync::oneshot::channel();
        let (uri, checked) = (uri.clone(), text.clone());
        tokio::task::spawn_blocking(move || {
            let _ = sender.send(text_problems(&uri, kind, &checked));
        });
        Some(EarlyCheck { text, problems })
    }

    /// The problems, when they are of the snapshot's very text (else, or if the check failed,
    /// `None`), once the check has ended.
    async fn result(self, snapshot: &Snapshot) -> Option<Vec<check::Diagnostic>> {
        if !Arc::ptr_eq(&self.text, &snapshot.text) {
            return None;
        }
        self.problems.await.ok()
    }
}

/// The LSP diagnostics of a document under `config`.
pub fn compute(snapshot: &Snapshot, config: &Config) -> Vec<Diagnostic> {
    compute_with(snapshot, config, None)
}

/// [`compute`], with the problems of the syntax check if they are known already.
fn compute_with(
    snapshot: &Snapshot,
    config: &Config,
    checked: Option<Vec<check::Diagnostic>>,
) -> Vec<Diagnostic> {
    if !config.diagnostics.enable {
        return Vec::new();
    }
    let mut found = checked.unwrap_or_else(|| problems(snapshot));
    // go refuses a file with errors before it looks at modules: so do the module checks.
    if !found
        .iter()
        .any(|problem| problem.severity == Severity::Error)
    {
        found.extend(crate::module_facts::problems(snapshot, config));
    }
    let mut diagnostics: Vec<Diagnostic> = found
        .iter()
        .map(|problem| to_lsp(snapshot, problem))
        .collect();
    diagnostics.extend(crate::gosum_integrity::diagnostics(snapshot, config));
    diagnostics
}

/// One diagnostic in LSP terms: code with its documentation link, source `go` or `gomodls`,
/// related places, tags.
fn to_lsp(snapshot: &Snapshot, problem: &check::Diagnostic) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = problem
        .related
        .iter()
        .map(|(range, message)| DiagnosticRelatedInformation {
            location: Location {
                uri: snapshot.uri.clone(),
                range: snapshot.range(range.clone()),
            },
            message: message.clone(),
        })
        .collect();
    let tags: Vec<DiagnosticTag> = problem
        .tags
        .iter()
        .map(|tag| match tag {
            Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => DiagnosticTag::DEPRECATED,
        })
        .collect();
    Diagnostic {
        range: snapshot.range(problem.range.clone()),
        severity: Some(match problem.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
            Severity::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(problem.code.to_owned())),
        code_description: check::code_info(problem.code)
            .and_then(|info| info.url.parse::<Uri>().ok())
            .map(|href| CodeDescription { href }),
        source: Some(problem.source.name().to_owned()),
        message: problem.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: None,
    }
}

/// The quick fixes of the diagnostics that touch `range` (bytes), each a versioned
/// `documentChanges` edit; none when the client asked only for other kinds.
pub fn code_actions(
    snapshot: &Snapshot,
    config: &Config,
    range: Range<usize>,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let wants_quick_fixes = only.is_none_or(|kinds| {
        kinds
            .iter()
            .any(|kind| CodeActionKind::QUICKFIX.as_str().starts_with(kind.as_str()))
    });
    if !config.diagnostics.enable || !wants_quick_fixes {
        return Vec::new();
    }
    let mut actions = Vec::new();
    for problem in problems(snapshot) {
        let touches = problem.range.start <= range.end && range.start <= problem.range.end;
        if !touches || problem.fixes.is_empty() {
            continue;
        }
        let only_fix = problem.fixes.len() == 1;
        for fix in &problem.fixes {
            let edits = fix
                .edits
                .iter()
                .map(|(range, new_text)| {
                    OneOf::Left(TextEdit {
                        range: snapshot.range(range.clone()),
                        new_text: new_text.clone(),
                    })
                })
                .collect();
            let change = TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: snapshot.uri.clone(),
                    version: snapshot.version,
                },
                edits,
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(snapshot, &problem)]),
                edit: Some(WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Edits(vec![change])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(only_fix),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

/// The diagnostics of a pull report and its result id, which names their content: a report is
/// "unchanged" exactly when the client already has these diagnostics, whatever was recomputed in
/// between (a background fetch that changed nothing, an edit that was undone).
fn pull_items(snapshot: &Snapshot, config: &Config) -> (Vec<Diagnostic>, String) {
    use std::hash::{Hash, Hasher};
    let items = compute(snapshot, config);
    let mut hasher = std::hash::DefaultHasher::new();
    serde_json::to_string(&items)
        .unwrap_or_default()
        .hash(&mut hasher);
    (items, format!("{:016x}", hasher.finish()))
}

/// Answers `textDocument/diagnostic` for one snapshot.
pub fn document_report(
    snapshot: &Snapshot,
    config: &Config,
    previous_result_id: Option<&str>,
) -> DocumentDiagnosticReport {
    let (items, result_id) = pull_items(snapshot, config);
    if previous_result_id == Some(result_id.as_str()) {
        return DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id },
        });
    }
    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport {
            result_id: Some(result_id),
            items,
        },
    })
}

/// One item of `workspace/diagnostic`.
pub fn workspace_report(
    snapshot: &Snapshot,
    config: &Config,
    previous_result_id: Option<&str>,
) -> WorkspaceDocumentDiagnosticReport {
    let version = snapshot.version.map(i64::from);
    let (items, result_id) = pull_items(snapshot, config);
    if previous_result_id == Some(result_id.as_str()) {
        return WorkspaceDocumentDiagnosticReport::Unchanged(
            WorkspaceUnchangedDocumentDiagnosticReport {
                uri: snapshot.uri.clone(),
                version,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id,
                },
            },
        );
    }
    WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
        uri: snapshot.uri.clone(),
        version,
        full_document_diagnostic_report: FullDocumentDiagnosticReport {
            result_id: Some(result_id),
            items,
        },
    })
}

/// Pushes the diagnostics of `uri`, unless the client pulls them.
///
/// Runs in the background: the caller does not wait. A newer change makes an older push give
/// up, so a burst of edits publishes once, for the last version.
pub fn schedule_push(session: &Arc<Session>, client: &Client, uri: Uri) {
    tokio::spawn(push(session, client, uri));
}

/// [`schedule_push`] as a future to wait for: it ends once the diagnostics are published, or
/// given up because the document changed. The revision is read now, so a push made before a
/// change never publishes the changed text.
pub fn push(
    session: &Arc<Session>,
    client: &Client,
    uri: Uri,
) -> impl Future<Output = ()> + Send + 'static {
    push_checked(session, client, uri, None)
}

/// [`push`] with the check of the text started already (for a document just opened).
pub fn push_checked(
    session: &Arc<Session>,
    client: &Client,
    uri: Uri,
    early: Option<EarlyCheck>,
) -> impl Future<Output = ()> + Send + 'static {
    let scheduled_revision = match session.client().pull_diagnostics {
        true => None,
        false => session.current_revision(&uri),
    };
    let session = session.clone();
    let client = client.clone();
    async move {
        if let Some(scheduled_revision) = scheduled_revision {
            publish(&session, &client, uri, scheduled_revision, early).await;
        }
    }
}

/// Publishes the diagnostics of `uri` at `scheduled_revision`, unless a newer change came.
async fn publish(
    session: &Arc<Session>,
    client: &Client,
    uri: Uri,
    scheduled_revision: u64,
    early: Option<EarlyCheck>,
) {
    // Let changes already queued behind this one apply first: a burst of edits then
    // publishes once, for the last version, without delaying a lone edit or an open.
    tokio::task::yield_now().await;
    let Some(snapshot) = session.snapshot(&uri) else {
        return;
    };
    if snapshot.revision != scheduled_revision {
        return;
    }
    let config = session.config();
    let version = snapshot.version;
    let checked = match early {
        Some(early) => early.result(&snapshot).await,
        None => None,
    };
    let diagnostics =
        match run_blocking(move |_| Ok(compute_with(&snapshot, &config, checked))).await {
            Ok(diagnostics) => diagnostics,
            Err(error) => {
                tracing::error!("diagnostics of {} failed: {error}", uri.as_str());
                return;
            }
        };
    let _publishing = session.publish_lock().lock().await;
    if session.current_revision(&uri) != Some(scheduled_revision) {
        return;
    }
    client.publish_diagnostics(uri, diagnostics, version).await;
}

/// Pushes (or asks pulling clients to refresh) the diagnostics of every open document, after
/// the configuration or a file on disk changed.
pub async fn refresh_all(session: &Arc<Session>, client: &Client) {
    let support = session.client();
    if support.pull_diagnostics {
        if support.diagnostic_refresh
            && let Err(error) = client.workspace_diagnostic_refresh().await
        {
            tracing::warn!("workspace/diagnostic/refresh failed: {error}");
        }
        return;
    }
    for uri in session.open_uris() {
        schedule_push(session, client, uri);
    }
}

/// [`refresh_all`], ending once the diagnostics are published (for background work that
/// should not start more work until they are out).
pub async fn refresh_all_and_wait(session: &Arc<Session>, client: &Client) {
    if session.client().pull_diagnostics {
        refresh_all(session, client).await;
        return;
    }
    let mut pushes = tokio::task::JoinSet::new();
    for uri in session.open_uris() {
        pushes.spawn(push(session, client, uri));
    }
    while pushes.join_next().await.is_some() {}
}

/// Clears the pushed diagnostics of a closed document.
pub async fn clear(session: &Session, client: &Client, uri: Uri) {
    if session.client().pull_diagnostics {
        return;
    }
    let _publishing = session.publish_lock().lock().await;
    client.publish_diagnostics(uri, Vec::new(), None).await;
}
