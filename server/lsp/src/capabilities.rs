//! What the client can do (read once from `initialize`) and what the server offers.

use gomodls_syntax::line_index::PositionEncoding;
use tower_lsp_server::ls_types::{
    ClientCapabilities, CompletionItemTag, DiagnosticOptions, DiagnosticServerCapabilities,
    PositionEncodingKind, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, WorkDoneProgressOptions,
};
use tower_lsp_server::ls_types::{
    FoldingRangeProviderCapability, HoverProviderCapability, MarkupKind, OneOf,
    SelectionRangeProviderCapability, SemanticTokensFullOptions, SemanticTokensOptions,
    SemanticTokensServerCapabilities,
};

/// The parts of the client's capabilities the server acts on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientSupport {
    /// The negotiated position encoding.
    pub encoding: PositionEncoding,
    /// The client shows document symbols nested.
    pub hierarchical_symbols: bool,
    /// The client folds whole lines only.
    pub line_folding_only: bool,
    /// The client shows markdown in hovers.
    pub hover_markdown: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`), so the server does not push.
    pub pull_diagnostics: bool,
    /// The client accepts `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: bool,
    /// The client could pull diagnostics but cannot be asked to pull again (Neovim 0.11): it
    /// would never see what the module proxy says after a pull, so it is offered no pulling and
    /// gets pushed diagnostics.
    pub pull_without_refresh: bool,
    /// The client answers `workspace/configuration`.
    pub configuration: bool,
    /// The client accepts a dynamic registration of `workspace/didChangeWatchedFiles`.
    pub watched_files: bool,
    /// The client accepts `workspace/inlayHint/refresh`.
    pub inlay_hint_refresh: bool,
    /// The client accepts `workspace/semanticTokens/refresh`.
    pub semantic_tokens_refresh: bool,
    /// The client accepts snippets in completion items.
    pub completion_snippets: bool,
    /// The client shows the deprecated tag on completion items.
    pub completion_tags: bool,
}

impl ClientSupport {
    /// Reads the client's capabilities.
    pub fn from_capabilities(capabilities: &ClientCapabilities) -> ClientSupport {
        let workspace = capabilities.workspace.as_ref();
        let text_document = capabilities.text_document.as_ref();
        let offered = capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref())
            .unwrap_or_default();
        let completion_item = text_document
            .and_then(|text| text.completion.as_ref())
            .and_then(|completion| completion.completion_item.as_ref());
        let offers_pull = text_document.is_some_and(|text| text.diagnostic.is_some());
        let diagnostic_refresh = workspace
            .and_then(|workspace| workspace.diagnostics.as_ref())
            .and_then(|diagnostics| diagnostics.refresh_support)
            .unwrap_or(false);
        ClientSupport {
            encoding: negotiate_encoding(offered),
            hierarchical_symbols: text_document
                .and_then(|text| text.document_symbol.as_ref())
                .and_then(|symbols| symbols.hierarchical_document_symbol_support)
                .unwrap_or(false),
            line_folding_only: text_document
                .and_then(|text| text.folding_range.as_ref())
                .and_then(|folding| folding.line_folding_only)
                .unwrap_or(false),
            hover_markdown: text_document
                .and_then(|text| text.hover.as_ref())
                .and_then(|hover| hover.content_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            pull_diagnostics: offers_pull && diagnostic_refresh,
            diagnostic_refresh,
            pull_without_refresh: offers_pull && !diagnostic_refresh,
            configuration: workspace
                .and_then(|workspace| workspace.configuration)
                .unwrap_or(false),
            watched_files: workspace
                .and_then(|workspace| workspace.did_change_watched_files.as_ref())
                .and_then(|watched| watched.dynamic_registration)
                .unwrap_or(false),
            inlay_hint_refresh: workspace
                .and_then(|workspace| workspace.inlay_hint.as_ref())
                .and_then(|inlay_hint| inlay_hint.refresh_support)
                .unwrap_or(false),
            semantic_tokens_refresh: workspace
                .and_then(|workspace| workspace.semantic_tokens.as_ref())
                .and_then(|tokens| tokens.refresh_support)
                .unwrap_or(false),
            completion_snippets: completion_item
                .and_then(|item| item.snippet_support)
                .unwrap_or(false),
            completion_tags: completion_item
                .and_then(|item| item.tag_support.as_ref())
                .is_some_and(|tags| tags.value_set.contains(&CompletionItemTag::DEPRECATED)),
        }
    }
}

/// UTF-8 when the client offers it (no conversion at all); else the client's first choice among
/// the encodings we support; else UTF-16, which every client must support.
pub fn negotiate_encoding(offered: &[PositionEncodingKind]) -> PositionEncoding {
    if offered.contains(&PositionEncodingKind::UTF8) {
        return PositionEncoding::Utf8;
    }
    offered
        .iter()
        .find_map(|kind| match kind.as_str() {
            "utf-16" => Some(PositionEncoding::Utf16),
            "utf-32" => Some(PositionEncoding::Utf32),
            _ => None,
        })
        .unwrap_or(PositionEncoding::Utf16)
}

/// The LSP name of an encoding.
pub fn encoding_kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// The diagnostic identifier the server registers for pull diagnostics.
pub const DIAGNOSTIC_IDENTIFIER: &str = "gomodls";

/// What the server offers. Features add their provider here.
pub fn server_capabilities(client: &ClientSupport) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding_kind(client.encoding)),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: crate::features::semantic_tokens_legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                ..SemanticTokensOptions::default()
            },
        )),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(tower_lsp_server::ls_types::DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        definition_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        diagnostic_provider: (!client.pull_without_refresh).then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some(DIAGNOSTIC_IDENTIFIER.to_owned()),
                // A go.mod's diagnostics depend on its go.sum and on the go.mod files it
                // replaces.
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        completion_provider: Some(crate::completion::options()),
        code_action_provider: Some(crate::module_actions::code_action_capability()),
        execute_command_provider: Some({
            let mut commands = crate::module_actions::execute_command_capability();
            commands
                .commands
                .extend(crate::gosum_integrity::commands().map(str::to_owned));
            commands
        }),
        code_lens_provider: Some(crate::module_actions::code_lens_capability()),
        inlay_hint_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_negotiation() {
        let utf8 = PositionEncodingKind::UTF8;
        let utf16 = PositionEncodingKind::UTF16;
        let utf32 = PositionEncodingKind::UTF32;
        let other = PositionEncodingKind::from("utf-7");
        let cases = [
            (vec![], PositionEncoding::Utf16),
            (vec![utf16.clone(), utf8.clone()], PositionEncoding::Utf8),
            (vec![utf32.clone(), utf16.clone()], PositionEncoding::Utf32),
            (vec![other.clone(), utf16.clone()], PositionEncoding::Utf16),
            (vec![other], PositionEncoding::Utf16),
            (vec![utf32, utf8], PositionEncoding::Utf8),
        ];
        for (offered, expected) in cases {
            assert_eq!(negotiate_encoding(&offered), expected, "{offered:?}");
        }
    }
}
