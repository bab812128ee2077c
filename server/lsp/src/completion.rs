//! `textDocument/completion`: the thin handler around `gomodls_ide::completion` and the
//! conversion of its answer to LSP.
//!
//! The handler reads the module data as last published (never waiting for a scan), asks for the
//! scans the document needs, and asks for the versions the answer says are missing and the
//! publish times of the versions it lists; the client asks again because the answer is
//! incomplete.

use std::sync::Arc;

use gomodls_ide::completion::{CompletionInput, CompletionKind, Completions, completions};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionList, CompletionOptions,
    CompletionParams, CompletionResponse, CompletionTextEdit, Documentation, InsertTextFormat,
    MarkupContent, MarkupKind, TextEdit, WorkDoneProgressOptions,
};

use crate::capabilities::ClientSupport;
use crate::dispatch::on_document;
use crate::document::Snapshot;
use crate::errors::RequestError;
use crate::module_data;
use crate::publish_times;
use crate::session::{Session, file_path};

/// The characters that open completion besides identifier characters: a space after a verb or
/// a path, the separators inside module paths and versions, `=` of a godebug setting, and the
/// punctuation of a retract interval.
pub const TRIGGER_CHARACTERS: [&str; 6] = [" ", "/", ".", "=", "[", ","];

/// What the server offers for completion.
pub fn options() -> CompletionOptions {
    CompletionOptions {
        resolve_provider: Some(false),
        trigger_characters: Some(TRIGGER_CHARACTERS.map(str::to_owned).to_vec()),
        all_commit_characters: None,
        work_done_progress_options: WorkDoneProgressOptions::default(),
        completion_item: None,
    }
}

/// Answers `textDocument/completion`.
pub async fn completion(
    session: &Arc<Session>,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>, RequestError> {
    let at = params.text_document_position;
    let uri = at.text_document.uri;
    module_data::prefetch(session, &uri);
    let modules = session.module_data().snapshot();
    let local_modules = file_path(&uri)
        .map(|path| session.module_data().local_modules(&path))
        .unwrap_or_default();
    let support = session.client();
    let (mut response, wanted, shown) = on_document(session, &uri, move |snapshot, _| {
        let input = CompletionInput {
            kind: snapshot.kind,
            text: &snapshot.text,
            tree: &snapshot.tree,
            offset: snapshot.offset(at.position),
            modules: &modules,
            local_modules: &local_modules,
            snippets: support.completion_snippets,
            // The module facts fetched in the background, as they were when the snapshot was
            // taken: the proxy's versions, times and retractions merged with what is on disk.
            facts: Some(&snapshot.facts),
        };
        let found = completions(&input);
        let response = to_proto(snapshot, &found, support);
        let shown = found.versions_of.clone().map(|path| {
            let versions: Vec<String> = found
                .items
                .iter()
                .filter(|item| item.kind == CompletionKind::Version)
                .map(|item| item.label.clone())
                .collect();
            (path, versions, snapshot.facts.clone())
        });
        Ok((response, found.wanted_modules, shown))
    })
    .await?;
    if !wanted.is_empty() {
        module_data::want_versions(session, wanted);
    }
    // The publish times of the versions shown load in the background; until they are there
    // the client asks again as the user types.
    if let Some((path, versions, answered)) = shown
        && publish_times::want(session, &answered, &path, &versions)
        && let CompletionResponse::List(list) = &mut response
    {
        list.is_incomplete = true;
    }
    Ok(Some(response))
}

/// The LSP form of an answer.
fn to_proto(
    snapshot: &Snapshot,
    found: &Completions,
    support: ClientSupport,
) -> CompletionResponse {
    let items = found
        .items
        .iter()
        .map(|item| CompletionItem {
            label: item.label.clone(),
            kind: Some(kind(item.kind)),
            detail: item.detail.clone(),
            documentation: item.documentation.clone().map(|value| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                })
            }),
            deprecated: (item.deprecated && !support.completion_tags).then_some(true),
            preselect: item.preselect.then_some(true),
            sort_text: Some(item.sort_text.clone()),
            filter_text: Some(item.filter_text.clone()),
            insert_text_format: Some(match item.snippet {
                true => InsertTextFormat::SNIPPET,
                false => InsertTextFormat::PLAIN_TEXT,
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: snapshot.range(item.range.clone()),
                new_text: item.new_text.clone(),
            })),
            tags: (item.deprecated && support.completion_tags)
                .then(|| vec![CompletionItemTag::DEPRECATED]),
            ..CompletionItem::default()
        })
        .collect();
    CompletionResponse::List(CompletionList {
        is_incomplete: found.incomplete,
        items,
    })
}

fn kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Snippet => CompletionItemKind::SNIPPET,
        CompletionKind::ModulePath => CompletionItemKind::MODULE,
        CompletionKind::Version | CompletionKind::GoVersion => CompletionItemKind::CONSTANT,
        CompletionKind::Directory => CompletionItemKind::FOLDER,
        CompletionKind::GodebugKey => CompletionItemKind::PROPERTY,
        CompletionKind::GodebugValue => CompletionItemKind::VALUE,
        CompletionKind::Comment => CompletionItemKind::TEXT,
        CompletionKind::Operator => CompletionItemKind::OPERATOR,
    }
}
