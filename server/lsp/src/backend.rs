//! The LSP handlers. Each one is thin: convert, call one function, convert back.
//!
//! Document sync handlers apply the change before their first `.await`: the framework runs
//! handlers concurrently but starts them in the order the messages arrived, so every request
//! sees every change sent before it.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CompletionParams, CompletionResponse, ConfigurationItem, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentDiagnosticParams, DocumentDiagnosticReportResult,
    InitializeParams, InitializeResult, InitializedParams, MessageType, Position, ServerInfo, Uri,
    WorkspaceDiagnosticParams, WorkspaceDiagnosticReport, WorkspaceDiagnosticReportResult,
};
use tower_lsp_server::ls_types::{
    DocumentFormattingParams, DocumentLink, DocumentLinkParams, DocumentRangeFormattingParams,
    DocumentSymbolParams, DocumentSymbolResponse, FoldingRange, FoldingRangeParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverParams, SelectionRange,
    SelectionRangeParams, SemanticTokensDeltaParams, SemanticTokensFullDeltaResult,
    SemanticTokensParams, SemanticTokensRangeParams, SemanticTokensRangeResult,
    SemanticTokensResult, TextEdit,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::capabilities::{ClientSupport, server_capabilities};
use crate::completion;
use crate::config::{ConfigProblem, SECTION};
use crate::diagnostics;
use crate::dispatch::{on_document, run_blocking};
use crate::errors::RequestError;
use crate::features;
use crate::kind::document_kind;
use crate::session::{ChangeOutcome, Session, file_path};
use crate::watch;

/// How long edits of a document pause before the module facts its text names are looked for.
const MODULE_FACTS_AFTER_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// The language server: the client connection and the shared session.
#[derive(Debug)]
pub struct Backend {
    client: Client,
    session: Arc<Session>,
}

impl Backend {
    /// A server talking to `client` over `session`.
    pub fn new(client: Client, session: Arc<Session>) -> Backend {
        Backend { client, session }
    }

    /// Asks the client for the `gomodls` settings and applies them.
    async fn pull_configuration(&self) {
        if !self.session.client().configuration {
            let (problems, changed) = self.session.update_config(|_| {});
            self.after_config_change(problems, changed).await;
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some(SECTION.to_owned()),
        };
        let settings = match self.client.configuration(vec![item]).await {
            Ok(values) => values.into_iter().next().unwrap_or(Value::Null),
            Err(error) => {
                tracing::warn!("workspace/configuration failed: {error}");
                Value::Null
            }
        };
        let (problems, changed) = self.session.update_config(|layers| {
            if !settings.is_null() {
                layers.client_settings = Some(settings);
            }
        });
        self.after_config_change(problems, changed).await;
    }

    /// Tells the user about unusable settings and refreshes what depends on the settings.
    async fn after_config_change(&self, problems: Vec<ConfigProblem>, changed: bool) {
        if !problems.is_empty() {
            let keys: Vec<String> = problems
                .iter()
                .map(|problem| format!("{} ({})", problem.key, problem.reason))
                .collect();
            let message = format!("gomodls: ignoring invalid settings: {}", keys.join("; "));
            self.client
                .show_message(MessageType::WARNING, message)
                .await;
        }
        if !changed {
            return;
        }
        tracing::info!("configuration: {:?}", self.session.config());
        diagnostics::refresh_all(&self.session, &self.client).await;
        let support = self.session.client();
        if support.inlay_hint_refresh
            && let Err(error) = self.client.inlay_hint_refresh().await
        {
            tracing::warn!("workspace/inlayHint/refresh failed: {error}");
        }
        if support.semantic_tokens_refresh
            && let Err(error) = self.client.semantic_tokens_refresh().await
        {
            tracing::warn!("workspace/semanticTokens/refresh failed: {error}");
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let support = ClientSupport::from_capabilities(&params.capabilities);
        self.session.set_client(support);
        self.session
            .facts()
            .set_client_capabilities(&params.capabilities);
        let (problems, _) = self.session.update_config(|layers| {
            layers.initialization_options = params.initialization_options;
        });
        for problem in problems {
            tracing::warn!("ignoring {}: {}", problem.key, problem.reason);
        }
        tracing::info!("initialized with {support:?}");
        Ok(InitializeResult {
            capabilities: server_capabilities(&support),
            server_info: Some(ServerInfo {
                name: "gomodls".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.session.client().watched_files {
            watch::register(&self.client).await;
        }
        self.pull_configuration().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.session.request_shutdown();
        // Cache entries fetched in the last moments would otherwise be fetched again next time.
        self.session
            .facts()
            .flush_disk_cache(std::time::Duration::from_secs(2))
            .await;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let Some(kind) = document_kind(&document.uri, &document.language_id) else {
            tracing::warn!(
                "ignoring {}: not a go.mod, go.work or go.sum (language id {:?})",
                document.uri.as_str(),
                document.language_id
            );
            return;
        };
        let uri = document.uri;
        let text: std::sync::Arc<str> = document.text.into();
        let early = diagnostics::EarlyCheck::start(&self.session, &uri, kind, text.clone());
        self.session.open(uri.clone(), kind, document.version, text);
        // The first diagnostics go out before any background work starts (module data, module
        // facts, the files beside): with two cores, that work would only delay them.
        diagnostics::push_checked(&self.session, &self.client, uri.clone(), early).await;
        crate::module_data::prefetch(&self.session, &uri);
        crate::module_facts::schedule(&self.session, &self.client);
        crate::gosum_integrity::schedule(&self.session, &self.client, &uri);
        if watch::load_related(&self.session, &uri, kind).await {
            diagnostics::schedule_push(&self.session, &self.client, uri);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        match self.session.change(&uri, version, params.content_changes) {
            ChangeOutcome::Applied(revision) => {
                crate::gosum_integrity::schedule(&self.session, &self.client, &uri);
                // Module facts are looked for once the diagnostics are out and the typing has
                // paused: reading every open file's modules per keystroke costs as much as the
                // diagnostics themselves.
                let pushed = diagnostics::push(&self.session, &self.client, uri.clone());
                let (session, client) = (self.session.clone(), self.client.clone());
                tokio::spawn(async move {
                    pushed.await;
                    tokio::time::sleep(MODULE_FACTS_AFTER_PAUSE).await;
                    if session.current_revision(&uri) == Some(revision) {
                        crate::module_facts::schedule(&session, &client);
                    }
                });
            }
            ChangeOutcome::NotOpen => {
                tracing::warn!("didChange for {}, which is not open", uri.as_str());
            }
            ChangeOutcome::StaleVersion { current } => {
                tracing::warn!(
                    "dropping didChange for {} with version {version}: the document is at {current:?}",
                    uri.as_str()
                );
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.session.semantic_tokens().forget(&uri);
        if !self.session.close(&uri) {
            return;
        }
        // The disk's text counts again for a file that features read from disk.
        if let Some(path) = file_path(&uri)
            && self.session.is_loaded_from_disk(&path)
        {
            watch::load(&self.session, &path).await;
        }
        diagnostics::clear(&self.session, &self.client, uri).await;
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(features::document_symbols(&self.session, &params.text_document.uri).await?)
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(features::folding_ranges(&self.session, &params.text_document.uri).await?)
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let uri = params.text_document.uri;
        Ok(features::selection_ranges(&self.session, &uri, params.positions).await?)
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        Ok(features::semantic_tokens_full(&self.session, &params.text_document.uri).await?)
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let previous = params.previous_result_id;
        Ok(features::semantic_tokens_delta(&self.session, &uri, &previous).await?)
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let uri = params.text_document.uri;
        Ok(features::semantic_tokens_range(&self.session, &uri, params.range).await?)
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        Ok(features::formatting(&self.session, &params.text_document.uri, None).await?)
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri;
        Ok(features::formatting(&self.session, &uri, Some(params.range)).await?)
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        Ok(features::document_links(&self.session, &params.text_document.uri).await?)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        Ok(features::definition(&self.session, &at.text_document.uri, at.position).await?)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        Ok(features::hover(&self.session, &at.text_document.uri, at.position).await?)
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = params.settings;
        let (problems, changed) = self.session.update_config(|layers| {
            if settings.is_object() {
                layers.client_settings = Some(settings);
            }
        });
        if self.session.client().configuration {
            // The notification's payload is optional in LSP; the pulled settings are the truth.
            self.pull_configuration().await;
            return;
        }
        self.after_config_change(problems, changed).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        if watch::on_changes(&self.session, params.changes).await {
            diagnostics::refresh_all(&self.session, &self.client).await;
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        Ok(completion::completion(&self.session, params).await?)
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let config = self.session.config();
        let previous = params.previous_result_id;
        let report = on_document(
            &self.session,
            &params.text_document.uri,
            move |snapshot, _| {
                Ok(diagnostics::document_report(
                    snapshot,
                    &config,
                    previous.as_deref(),
                ))
            },
        )
        .await?;
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let snapshots = self.session.open_snapshots();
        let config = self.session.config();
        let previous: HashMap<Uri, String> = params
            .previous_result_ids
            .into_iter()
            .map(|previous| (previous.uri, previous.value))
            .collect();
        let items = run_blocking(move |token| {
            let mut items = Vec::new();
            for snapshot in &snapshots {
                token.check()?;
                let previous = previous.get(&snapshot.uri).map(String::as_str);
                items.push(diagnostics::workspace_report(snapshot, &config, previous));
            }
            Ok(items)
        })
        .await?;
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }

    async fn code_action(
        &self,
        params: tower_lsp_server::ls_types::CodeActionParams,
    ) -> Result<Option<tower_lsp_server::ls_types::CodeActionResponse>> {
        let config = self.session.config();
        let range = params.range;
        let only = params.context.only;
        let actions = on_document(
            &self.session,
            &params.text_document.uri,
            move |snapshot, _| {
                let bytes = snapshot.offset(range.start)..snapshot.offset(range.end);
                let mut actions =
                    diagnostics::code_actions(snapshot, &config, bytes.clone(), only.as_deref());
                actions.extend(crate::module_actions::code_actions(
                    snapshot,
                    &config,
                    bytes.clone(),
                    only.as_deref(),
                ));
                actions.extend(crate::gosum_integrity::code_actions(
                    snapshot,
                    &config,
                    bytes,
                    only.as_deref(),
                ));
                Ok(actions)
            },
        )
        .await?;
        Ok(Some(actions))
    }

    async fn code_action_resolve(
        &self,
        action: tower_lsp_server::ls_types::CodeAction,
    ) -> Result<tower_lsp_server::ls_types::CodeAction> {
        crate::module_actions::resolve(&self.session, action).await
    }

    async fn inlay_hint(
        &self,
        params: tower_lsp_server::ls_types::InlayHintParams,
    ) -> Result<Option<Vec<tower_lsp_server::ls_types::InlayHint>>> {
        let config = self.session.config();
        let hints = on_document(
            &self.session,
            &params.text_document.uri,
            move |snapshot, _| Ok(crate::module_actions::inlay_hints(snapshot, &config)),
        )
        .await?;
        Ok(Some(hints))
    }

    async fn code_lens(
        &self,
        params: tower_lsp_server::ls_types::CodeLensParams,
    ) -> Result<Option<Vec<tower_lsp_server::ls_types::CodeLens>>> {
        let config = self.session.config();
        let lenses = on_document(
            &self.session,
            &params.text_document.uri,
            move |snapshot, _| Ok(crate::module_actions::code_lenses(snapshot, &config)),
        )
        .await?;
        Ok(Some(lenses))
    }

    async fn execute_command(
        &self,
        params: tower_lsp_server::ls_types::ExecuteCommandParams,
    ) -> Result<Option<Value>> {
        if let Some(outcome) =
            crate::gosum_integrity::execute_command(&self.session, &self.client, &params).await
        {
            return outcome;
        }
        if params.command != crate::module_actions::UPGRADE_ALL {
            return Err(
                RequestError::InvalidParams(format!("unknown command {}", params.command)).into(),
            );
        }
        let Some(argument) = crate::module_actions::upgrade_all_argument(&params.arguments) else {
            return Err(RequestError::InvalidParams(format!(
                "{} takes one argument {{ \"uri\": ... }}",
                params.command
            ))
            .into());
        };
        let config = self.session.config();
        let edit = on_document(&self.session, &argument.uri, move |snapshot, _| {
            Ok(crate::module_actions::upgrade_all(snapshot, &config))
        })
        .await?;
        let Some(edit) = edit else {
            return Ok(Some(Value::Bool(false)));
        };
        let applied = self.client.apply_edit(edit).await?;
        Ok(Some(Value::Bool(applied.applied)))
    }
}

/// Parameters of the test requests that name a document.
#[derive(Debug, Deserialize)]
pub struct DebugDocumentParams {
    /// The document.
    pub uri: Uri,
}

/// Parameters of `gomodls/debugPosition`.
#[derive(Debug, Deserialize)]
pub struct DebugPositionParams {
    /// The document.
    pub uri: Uri,
    /// A position in the negotiated encoding, possibly past the end.
    pub position: Position,
}

/// The test requests, served only when `GOMODLS_TEST_HOOKS=1`.
impl Backend {
    /// `gomodls/debugPosition`: the byte offset of a position and the position of that offset,
    /// the conversions every feature makes at the LSP boundary.
    pub async fn debug_position(&self, params: DebugPositionParams) -> Result<Value> {
        let position = params.position;
        let value = on_document(&self.session, &params.uri, move |snapshot, _| {
            let offset = snapshot.offset(position);
            Ok(serde_json::json!({"offset": offset, "position": snapshot.position(offset)}))
        })
        .await?;
        Ok(value)
    }

    /// `gomodls/debugDocument`: the server's view of a document (text, version, tree,
    /// diagnostics).
    pub async fn debug_document(&self, params: DebugDocumentParams) -> Result<Value> {
        let config = self.session.config();
        let value = on_document(&self.session, &params.uri, move |snapshot, _| {
            let diagnostics = diagnostics::compute(snapshot, &config);
            Ok(serde_json::json!({
                "uri": snapshot.uri,
                "kind": snapshot.kind.file_name(),
                "origin": format!("{:?}", snapshot.origin).to_lowercase(),
                "version": snapshot.version,
                "revision": snapshot.revision,
                "text": &*snapshot.text,
                "tree": snapshot.tree.root_node().to_sexp(),
                "diagnostics": diagnostics,
                "config": &*config,
            }))
        })
        .await?;
        Ok(value)
    }

    /// `gomodls/debugPanic`: a feature that panics, to prove the server survives it.
    pub async fn debug_panic(&self) -> Result<Value> {
        let value =
            run_blocking(|_| -> std::result::Result<Value, RequestError> { debug_panic_feature() })
                .await?;
        Ok(value)
    }

    /// `gomodls/debugWait`: a feature that runs until the document changes or the request is
    /// cancelled, to prove `ContentModified` and `$/cancelRequest`.
    pub async fn debug_wait(&self, params: DebugDocumentParams) -> Result<Value> {
        let session = self.session.clone();
        let uri = params.uri.clone();
        on_document(&self.session, &params.uri, move |snapshot, token| {
            let give_up = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while session.current_revision(&uri) == Some(snapshot.revision)
                && std::time::Instant::now() < give_up
            {
                token.check()?;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Ok(Value::Null)
        })
        .await?;
        Ok(Value::Null)
    }
}

#[expect(
    clippy::panic,
    reason = "test hook: proves that a panicking feature becomes an error response"
)]
fn debug_panic_feature() -> std::result::Result<Value, RequestError> {
    panic!("gomodls/debugPanic was asked to panic")
}
