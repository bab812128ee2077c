//! Diagnostics: computed on blocking tasks, pushed with `textDocument/publishDiagnostics` (with
//! the document's version) to clients that do not pull, and served to clients that pull
//! (`textDocument/diagnostic`, `workspace/diagnostic`).

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticSeverity, DocumentDiagnosticReport, FullDocumentDiagnosticReport,
    NumberOrString, RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport,
    UnchangedDocumentDiagnosticReport, Uri, WorkspaceDocumentDiagnosticReport,
    WorkspaceFullDocumentDiagnosticReport, WorkspaceUnchangedDocumentDiagnosticReport,
};

use crate::config::Config;
use crate::dispatch::run_blocking;
use crate::document::Snapshot;
use crate::session::Session;

/// How long a burst of changes must pause before diagnostics are computed and pushed.
const PUSH_DELAY: Duration = Duration::from_millis(30);

/// A problem found in a document, in byte offsets; converted to LSP only when sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub range: Range<usize>,
    /// A stable kebab-case code.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

/// The problems of one document: for now the syntax errors of its tree (ERROR and MISSING
/// nodes). To be replaced by the syntax crate's Go-exact `check`.
pub fn problems(snapshot: &Snapshot) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut cursor = snapshot.tree.walk();
    loop {
        let node = cursor.node();
        let descend = node.has_error();
        if node.is_error() {
            problems.push(Problem {
                range: node.byte_range(),
                code: "syntax-error",
                message: "syntax error".to_owned(),
            });
        } else if node.is_missing() {
            problems.push(Problem {
                range: node.byte_range(),
                code: "syntax-error",
                message: format!("syntax error: missing {}", node.kind()),
            });
        }
        // Errors inside an ERROR node are reported once, by the node itself.
        if descend && !node.is_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return problems;
            }
        }
    }
}

/// The LSP diagnostics of a document under `config`.
pub fn compute(snapshot: &Snapshot, config: &Config) -> Vec<Diagnostic> {
    if !config.diagnostics.enable {
        return Vec::new();
    }
    problems(snapshot)
        .into_iter()
        .map(|problem| Diagnostic {
            range: snapshot.range(problem.range),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String(problem.code.to_owned())),
            source: Some("gomodls".to_owned()),
            message: problem.message,
            ..Diagnostic::default()
        })
        .collect()
}

/// The result id of a pull report: the revision it describes and whether diagnostics were on.
fn result_id(snapshot: &Snapshot, config: &Config) -> String {
    format!(
        "{}-{}",
        snapshot.revision,
        u8::from(config.diagnostics.enable)
    )
}

/// Answers `textDocument/diagnostic` for one snapshot.
pub fn document_report(
    snapshot: &Snapshot,
    config: &Config,
    previous_result_id: Option<&str>,
) -> DocumentDiagnosticReport {
    let result_id = result_id(snapshot, config);
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
            items: compute(snapshot, config),
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
    let result_id = result_id(snapshot, config);
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
            items: compute(snapshot, config),
        },
    })
}

/// Pushes the diagnostics of `uri` once changes pause, unless the client pulls them.
///
/// Runs in the background: the caller does not wait. A newer change makes an older push give
/// up, so a burst of edits publishes once, for the last version.
pub fn schedule_push(session: &Arc<Session>, client: &Client, uri: Uri) {
    if session.client().pull_diagnostics {
        return;
    }
    let Some(scheduled_revision) = session.current_revision(&uri) else {
        return;
    };
    let session = session.clone();
    let client = client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(PUSH_DELAY).await;
        let Some(snapshot) = session.snapshot(&uri) else {
            return;
        };
        if snapshot.revision != scheduled_revision {
            return;
        }
        let config = session.config();
        let version = snapshot.version;
        let diagnostics = match run_blocking(move |_| Ok(compute(&snapshot, &config))).await {
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
    });
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

/// Clears the pushed diagnostics of a closed document.
pub async fn clear(session: &Session, client: &Client, uri: Uri) {
    if session.client().pull_diagnostics {
        return;
    }
    let _publishing = session.publish_lock().lock().await;
    client.publish_diagnostics(uri, Vec::new(), None).await;
}
