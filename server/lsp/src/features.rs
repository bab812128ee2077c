//! The navigation, display and formatting features: document symbols, folding and selection
//! ranges, semantic tokens (full, range and delta), formatting, document links, definition and
//! hover. Each one takes a snapshot, runs one `gomodls_ide` function on a blocking task and
//! converts the answer to LSP; the handlers in `backend` only call these.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use gomodls_ide::{
    DefinitionTarget, Document, FoldKind, LinkConfig, LinkTarget, SemanticFacts, Symbol,
    TokenModifier, TokenType,
};
use gomodls_syntax::FileKind;
use tower_lsp_server::ls_types::{
    DocumentLink, DocumentSymbol, DocumentSymbolResponse, FoldingRange, FoldingRangeKind,
    GotoDefinitionResponse, Hover, HoverContents, Location, MarkupContent, MarkupKind, Position,
    Range as LspRange, SelectionRange, SemanticToken, SemanticTokenModifier, SemanticTokenType,
    SemanticTokens, SemanticTokensDelta, SemanticTokensEdit, SemanticTokensFullDeltaResult,
    SemanticTokensLegend, SemanticTokensRangeResult, SemanticTokensResult, SymbolInformation,
    SymbolKind, SymbolTag, TextEdit, Uri,
};

use crate::config::Config;
use crate::dispatch::on_document;
use crate::document::Snapshot;
use crate::errors::RequestError;
use crate::session::{Session, file_path};

/// The document of a snapshot, as the ide crate takes it.
fn document(snapshot: &Snapshot) -> Document<'_> {
    Document::new(snapshot.kind, &snapshot.text, &snapshot.tree)
}

// ---------------------------------------------------------------------------------------------
// Document symbols.

/// `textDocument/documentSymbol`: nested symbols, or a flat list for clients that want one.
pub async fn document_symbols(
    session: &Arc<Session>,
    uri: &Uri,
) -> Result<Option<DocumentSymbolResponse>, RequestError> {
    let hierarchical = session.client().hierarchical_symbols;
    on_document(session, uri, move |snapshot, _| {
        Ok(Some(symbols_response(snapshot, hierarchical)))
    })
    .await
}

/// [`document_symbols`] as the JSON text of the result, written on the blocking thread that
/// built it: a large file's symbols cost far less written straight from their types than
/// through the framework's JSON value tree (see `prewritten`).
pub async fn document_symbols_json(
    session: &Arc<Session>,
    uri: &Uri,
) -> Result<Vec<u8>, RequestError> {
    let hierarchical = session.client().hierarchical_symbols;
    on_document(session, uri, move |snapshot, _| {
        serde_json::to_vec(&symbols_response(snapshot, hierarchical))
            .map_err(|err| RequestError::Internal(format!("writing document symbols: {err}")))
    })
    .await
}

fn symbols_response(snapshot: &Snapshot, hierarchical: bool) -> DocumentSymbolResponse {
    let symbols = gomodls_ide::document_symbols(&document(snapshot));
    match hierarchical {
        true => DocumentSymbolResponse::Nested(
            symbols
                .iter()
                .map(|symbol| nested(snapshot, symbol))
                .collect(),
        ),
        false => {
            let mut flat = Vec::new();
            for symbol in &symbols {
                flatten(snapshot, symbol, None, &mut flat);
            }
            DocumentSymbolResponse::Flat(flat)
        }
    }
}

fn symbol_kind(kind: gomodls_ide::SymbolKind) -> SymbolKind {
    match kind {
        gomodls_ide::SymbolKind::Directive => SymbolKind::NAMESPACE,
        gomodls_ide::SymbolKind::Module => SymbolKind::MODULE,
        gomodls_ide::SymbolKind::Version => SymbolKind::NUMBER,
        gomodls_ide::SymbolKind::Setting => SymbolKind::PROPERTY,
        gomodls_ide::SymbolKind::Directory => SymbolKind::FILE,
        gomodls_ide::SymbolKind::Package => SymbolKind::PACKAGE,
        gomodls_ide::SymbolKind::Retraction => SymbolKind::EVENT,
        gomodls_ide::SymbolKind::Checksum => SymbolKind::KEY,
    }
}

fn tags(symbol: &Symbol) -> Option<Vec<SymbolTag>> {
    symbol.deprecated.then(|| vec![SymbolTag::DEPRECATED])
}

#[expect(
    deprecated,
    reason = "`deprecated` is a required field of the LSP type; tags carry it"
)]
fn nested(snapshot: &Snapshot, symbol: &Symbol) -> DocumentSymbol {
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: symbol_kind(symbol.kind),
        tags: tags(symbol),
        deprecated: None,
        range: snapshot.range(symbol.range.clone()),
        selection_range: snapshot.range(symbol.selection_range.clone()),
        children: match symbol.children.is_empty() {
            true => None,
            false => Some(
                symbol
                    .children
                    .iter()
                    .map(|child| nested(snapshot, child))
                    .collect(),
            ),
        },
    }
}

#[expect(
    deprecated,
    reason = "`deprecated` is a required field of the LSP type; tags carry it"
)]
fn flatten(
    snapshot: &Snapshot,
    symbol: &Symbol,
    container: Option<&str>,
    out: &mut Vec<SymbolInformation>,
) {
    out.push(SymbolInformation {
        name: symbol.name.clone(),
        kind: symbol_kind(symbol.kind),
        tags: tags(symbol),
        deprecated: None,
        location: Location {
            uri: snapshot.uri.clone(),
            range: snapshot.range(symbol.range.clone()),
        },
        container_name: container.map(str::to_owned),
    });
    for child in &symbol.children {
        flatten(snapshot, child, Some(&symbol.name), out);
    }
}

// ---------------------------------------------------------------------------------------------
// Folding and selection ranges.

/// `textDocument/foldingRange`.
pub async fn folding_ranges(
    session: &Arc<Session>,
    uri: &Uri,
) -> Result<Option<Vec<FoldingRange>>, RequestError> {
    let line_folding_only = session.client().line_folding_only;
    on_document(session, uri, move |snapshot, _| {
        let folds = gomodls_ide::folding_ranges(&document(snapshot))
            .into_iter()
            .filter_map(|fold| {
                let start = snapshot.position(fold.range.start);
                let end = snapshot.position(fold.range.end);
                (end.line > start.line).then(|| FoldingRange {
                    start_line: start.line,
                    start_character: (!line_folding_only).then_some(start.character),
                    end_line: end.line,
                    end_character: (!line_folding_only).then_some(end.character),
                    kind: match fold.kind {
                        FoldKind::Comment => Some(FoldingRangeKind::Comment),
                        FoldKind::Block => None,
                    },
                    collapsed_text: None,
                })
            })
            .collect();
        Ok(Some(folds))
    })
    .await
}

/// `textDocument/selectionRange`.
pub async fn selection_ranges(
    session: &Arc<Session>,
    uri: &Uri,
    positions: Vec<Position>,
) -> Result<Option<Vec<SelectionRange>>, RequestError> {
    on_document(session, uri, move |snapshot, _| {
        let offsets: Vec<usize> = positions
            .iter()
            .map(|position| snapshot.offset(*position))
            .collect();
        let chains = gomodls_ide::selection_ranges(&document(snapshot), &offsets);
        let ranges = chains
            .into_iter()
            .zip(&offsets)
            .map(|(chain, &offset)| {
                // Outermost first, each wrapping the one before as its parent.
                let mut selection: Option<SelectionRange> = None;
                for range in chain.into_iter().rev() {
                    selection = Some(SelectionRange {
                        range: snapshot.range(range),
                        parent: selection.map(Box::new),
                    });
                }
                selection.unwrap_or_else(|| SelectionRange {
                    range: snapshot.range(offset..offset),
                    parent: None,
                })
            })
            .collect();
        Ok(Some(ranges))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Semantic tokens.

/// The legend the server registers: the ide crate's types and modifiers, in their order.
pub fn semantic_tokens_legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TokenType::ALL
            .iter()
            .map(|token_type| SemanticTokenType::new(token_type.name()))
            .collect(),
        token_modifiers: TokenModifier::ALL
            .iter()
            .map(|modifier| SemanticTokenModifier::new(modifier.name()))
            .collect(),
    }
}

/// The last full answer per document, for `textDocument/semanticTokens/full/delta`.
#[derive(Debug, Default)]
pub struct SemanticTokensCache {
    next_id: AtomicU64,
    last: Mutex<HashMap<Uri, (String, Vec<SemanticToken>)>>,
}

impl SemanticTokensCache {
    fn remember(&self, uri: &Uri, tokens: &[SemanticToken]) -> String {
        let id = (self.next_id.fetch_add(1, Ordering::Relaxed) + 1).to_string();
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(uri.clone(), (id.clone(), tokens.to_vec()));
        id
    }

    fn previous(&self, uri: &Uri, result_id: &str) -> Option<Vec<SemanticToken>> {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        match last.get(uri) {
            Some((id, tokens)) if id == result_id => Some(tokens.clone()),
            _ => None,
        }
    }

    /// Forgets a closed document.
    pub fn forget(&self, uri: &Uri) {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(uri);
    }
}

/// The tokens of a snapshot (or of a byte range of it), encoded relative to each other.
fn encoded_tokens(snapshot: &Snapshot, range: Option<Range<usize>>) -> Vec<SemanticToken> {
    let tokens =
        gomodls_ide::semantic_tokens(&document(snapshot), range, &SemanticFacts::default());
    let mut encoded = Vec::with_capacity(tokens.len());
    let mut previous = Position::new(0, 0);
    for token in tokens {
        for (start, end) in line_pieces(snapshot, token.range) {
            let start_position = snapshot.position(start);
            let end_position = snapshot.position(end);
            let length = end_position
                .character
                .saturating_sub(start_position.character);
            if length == 0 {
                continue;
            }
            let delta_line = start_position.line - previous.line;
            let delta_start = match delta_line {
                0 => start_position.character - previous.character,
                _ => start_position.character,
            };
            encoded.push(SemanticToken {
                delta_line,
                delta_start,
                length,
                token_type: token.token_type.index(),
                token_modifiers_bitset: token.modifiers,
            });
            previous = start_position;
        }
    }
    encoded
}

/// A token split at line ends: LSP tokens cannot span lines.
fn line_pieces(snapshot: &Snapshot, range: Range<usize>) -> Vec<(usize, usize)> {
    let first = snapshot.line_index.line_of(range.start);
    let last = snapshot.line_index.line_of(range.end);
    if first == last {
        return vec![(range.start, range.end)];
    }
    (first..=last)
        .filter_map(|line| {
            let line_range = snapshot.line_index.line_range(line)?;
            let start = line_range.start.max(range.start);
            let end = line_range.end.min(range.end);
            (start < end).then_some((start, end))
        })
        .collect()
}

/// `textDocument/semanticTokens/full`.
pub async fn semantic_tokens_full(
    session: &Arc<Session>,
    uri: &Uri,
) -> Result<Option<SemanticTokensResult>, RequestError> {
    if !session.config().semantic_tokens.enable {
        return Ok(None);
    }
    let tokens = on_document(session, uri, |snapshot, _| {
        Ok(encoded_tokens(snapshot, None))
    })
    .await?;
    let result_id = session.semantic_tokens().remember(uri, &tokens);
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: Some(result_id),
        data: tokens,
    })))
}

/// [`semantic_tokens_full`] as the JSON text of the result (see `prewritten`).
pub async fn semantic_tokens_full_json(
    session: &Arc<Session>,
    uri: &Uri,
) -> Result<Vec<u8>, RequestError> {
    let result = semantic_tokens_full(session, uri).await?;
    serde_json::to_vec(&result)
        .map_err(|err| RequestError::Internal(format!("writing semantic tokens: {err}")))
}

/// `textDocument/semanticTokens/full/delta`: one edit from the previous answer, or all tokens
/// when the previous answer is not the one remembered.
pub async fn semantic_tokens_delta(
    session: &Arc<Session>,
    uri: &Uri,
    previous_result_id: &str,
) -> Result<Option<SemanticTokensFullDeltaResult>, RequestError> {
    if !session.config().semantic_tokens.enable {
        return Ok(None);
    }
    let tokens = on_document(session, uri, |snapshot, _| {
        Ok(encoded_tokens(snapshot, None))
    })
    .await?;
    let cache = session.semantic_tokens();
    let previous = cache.previous(uri, previous_result_id);
    let result_id = cache.remember(uri, &tokens);
    let Some(previous) = previous else {
        return Ok(Some(SemanticTokensFullDeltaResult::Tokens(
            SemanticTokens {
                result_id: Some(result_id),
                data: tokens,
            },
        )));
    };
    Ok(Some(SemanticTokensFullDeltaResult::TokensDelta(
        SemanticTokensDelta {
            result_id: Some(result_id),
            edits: token_edits(&previous, &tokens),
        },
    )))
}

/// The single edit (common prefix and suffix kept) that turns `old` into `new`; indices count
/// the five numbers of each token, as LSP wants.
fn token_edits(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old
        .iter()
        .zip(new)
        .take_while(|(old, new)| old == new)
        .count();
    let old_rest = old.get(prefix..).unwrap_or_default();
    let new_rest = new.get(prefix..).unwrap_or_default();
    let suffix = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(old, new)| old == new)
        .count();
    let deleted = old_rest.len() - suffix;
    let inserted = new_rest.get(..new_rest.len() - suffix).unwrap_or_default();
    if deleted == 0 && inserted.is_empty() {
        return Vec::new();
    }
    let as_u32 = |count: usize| u32::try_from(count * 5).unwrap_or(u32::MAX);
    vec![SemanticTokensEdit {
        start: as_u32(prefix),
        delete_count: as_u32(deleted),
        data: Some(inserted.to_vec()),
    }]
}

/// `textDocument/semanticTokens/range`.
pub async fn semantic_tokens_range(
    session: &Arc<Session>,
    uri: &Uri,
    range: LspRange,
) -> Result<Option<SemanticTokensRangeResult>, RequestError> {
    if !session.config().semantic_tokens.enable {
        return Ok(None);
    }
    let tokens = on_document(session, uri, move |snapshot, _| {
        let bytes = snapshot.offset(range.start)..snapshot.offset(range.end);
        Ok(encoded_tokens(snapshot, Some(bytes)))
    })
    .await?;
    Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
        result_id: None,
        data: tokens,
    })))
}

// ---------------------------------------------------------------------------------------------
// Formatting.

/// `textDocument/formatting` (no `range`) and `textDocument/rangeFormatting`.
pub async fn formatting(
    session: &Arc<Session>,
    uri: &Uri,
    range: Option<LspRange>,
) -> Result<Option<Vec<TextEdit>>, RequestError> {
    on_document(session, uri, move |snapshot, _| {
        let document = document(snapshot);
        let edits = match range {
            None => gomodls_ide::format(&document),
            Some(range) => gomodls_ide::format_range(
                &document,
                snapshot.offset(range.start)..snapshot.offset(range.end),
            ),
        };
        Ok(Some(
            edits
                .into_iter()
                .map(|edit| TextEdit {
                    range: snapshot.range(edit.range),
                    new_text: edit.new_text,
                })
                .collect(),
        ))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Links and definitions.

/// The GOPRIVATE and GONOPROXY globs: the `gomodls.env` setting wins over the process
/// environment, as for the go command's other settings.
pub fn link_config(config: &Config) -> LinkConfig {
    let setting = |name: &str| {
        config
            .env
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
            .unwrap_or_default()
    };
    LinkConfig {
        private_patterns: ["GOPRIVATE", "GONOPROXY"]
            .into_iter()
            .map(setting)
            .filter(|patterns| !patterns.is_empty())
            .collect(),
    }
}

/// The go.mod of a directory named in `document_uri`'s document, if it exists on disk.
fn local_go_mod(document_uri: &Uri, directory: &str) -> Option<Uri> {
    let document_path = file_path(document_uri)?;
    let base = document_path.parent()?;
    let directory = Path::new(directory);
    let module_directory: PathBuf = match directory.is_absolute() {
        true => directory.to_owned(),
        false => base.join(directory),
    };
    let go_mod = lexically_normal(&module_directory.join("go.mod"));
    if !go_mod.is_file() {
        return None;
    }
    Uri::from_file_path(go_mod)
}

/// `path` with `.` and `..` resolved by name (not through the file system, so symbolic links
/// stay as the user wrote them).
fn lexically_normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    normal.push(component);
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

/// `textDocument/documentLink`.
pub async fn document_links(
    session: &Arc<Session>,
    uri: &Uri,
) -> Result<Option<Vec<DocumentLink>>, RequestError> {
    let config = link_config(&session.config());
    on_document(session, uri, move |snapshot, _| {
        let links = gomodls_ide::document_links(&document(snapshot), &config)
            .into_iter()
            .filter_map(|link| {
                let target = match link.target {
                    LinkTarget::Url(url) => url.parse::<Uri>().ok()?,
                    LinkTarget::LocalModule { directory } => {
                        local_go_mod(&snapshot.uri, &directory)?
                    }
                };
                Some(DocumentLink {
                    range: snapshot.range(link.range),
                    target: Some(target),
                    tooltip: Some(link.tooltip),
                    data: None,
                })
            })
            .collect();
        Ok(Some(links))
    })
    .await
}

/// The file a definition may lead to: the go.sum beside a go.mod, the go.mod beside a go.sum.
fn related_uri(uri: &Uri, kind: FileKind) -> Option<Uri> {
    let path = file_path(uri)?;
    let name = match kind {
        FileKind::GoMod => "go.sum",
        FileKind::GoSum if path.file_name().is_some_and(|name| name == "go.sum") => "go.mod",
        _ => return None,
    };
    Uri::from_file_path(path.parent()?.join(name))
}

/// `textDocument/definition`.
pub async fn definition(
    session: &Arc<Session>,
    uri: &Uri,
    position: Position,
) -> Result<Option<GotoDefinitionResponse>, RequestError> {
    let Some(snapshot) = session.snapshot(uri) else {
        return Err(RequestError::unknown_document(uri));
    };
    let related = related_uri(uri, snapshot.kind).and_then(|related| session.snapshot(&related));
    on_document(session, uri, move |snapshot, _| {
        let offset = snapshot.offset(position);
        let related_document = related.as_ref().map(document);
        let found = gomodls_ide::definition(&document(snapshot), offset, related_document.as_ref());
        let locations: Vec<Location> = found
            .into_iter()
            .filter_map(|definition| match definition.target {
                DefinitionTarget::LocalModule { directory } => Some(Location {
                    uri: local_go_mod(&snapshot.uri, &directory)?,
                    range: LspRange::default(),
                }),
                DefinitionTarget::Related { range, .. } => {
                    let related = related.as_ref()?;
                    Some(Location {
                        uri: related.uri.clone(),
                        range: related.range(range),
                    })
                }
            })
            .collect();
        Ok(match locations.is_empty() {
            true => None,
            false => Some(GotoDefinitionResponse::Array(locations)),
        })
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Hover.

/// `textDocument/hover`: markdown when the client shows it, else plain text.
pub async fn hover(
    session: &Arc<Session>,
    uri: &Uri,
    position: Position,
) -> Result<Option<Hover>, RequestError> {
    let markdown = session.client().hover_markdown;
    on_document(session, uri, move |snapshot, _| {
        let offset = snapshot.offset(position);
        let Some(found) = gomodls_ide::facts_hover::hover_with_facts(
            &document(snapshot),
            offset,
            &snapshot.facts,
        ) else {
            return Ok(None);
        };
        let contents = match markdown {
            true => MarkupContent {
                kind: MarkupKind::Markdown,
                value: found.markdown,
            },
            false => MarkupContent {
                kind: MarkupKind::PlainText,
                value: found.plaintext,
            },
        };
        Ok(Some(Hover {
            contents: HoverContents::Markup(contents),
            range: Some(snapshot.range(found.range)),
        }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(delta_line: u32, delta_start: u32) -> SemanticToken {
        SemanticToken {
            delta_line,
            delta_start,
            length: 1,
            token_type: 0,
            token_modifiers_bitset: 0,
        }
    }

    #[test]
    fn token_edits_keep_the_common_ends() {
        let old = [token(0, 0), token(0, 2), token(1, 0), token(1, 0)];
        let new = [
            token(0, 0),
            token(0, 3),
            token(0, 1),
            token(1, 0),
            token(1, 0),
        ];
        let edits = token_edits(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].start, 5);
        assert_eq!(edits[0].delete_count, 5);
        assert_eq!(edits[0].data, Some(vec![token(0, 3), token(0, 1)]));
        assert!(token_edits(&old, &old).is_empty());
        let all = token_edits(&old, &[]);
        assert_eq!((all[0].start, all[0].delete_count), (0, 20));
    }
}
