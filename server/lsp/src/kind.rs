//! Which kind of file a document is: from its file name for `file:` URIs, else (for `untitled:`
//! and other schemes, or names that say nothing) from the client's language id.

use gomodls_syntax::FileKind;
use tower_lsp_server::ls_types::Uri;

/// The kind of a document. The file name wins over the language id because clients disagree on
/// language ids (Neovim and Helix send `gomod`, VS Code sends `go.mod`) and some send a generic
/// one.
pub fn document_kind(uri: &Uri, language_id: &str) -> Option<FileKind> {
    let from_name = match uri.scheme().as_str() {
        "file" => FileKind::from_path(uri.path().as_str()),
        _ => None,
    };
    from_name.or_else(|| FileKind::from_language_id(language_id))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn kind_from_the_file_name_first() {
        let cases = [
            (
                "file:///home/gopher/m/go.mod",
                "plaintext",
                Some(FileKind::GoMod),
            ),
            (
                "file:///home/gopher/m/go.work",
                "gomod",
                Some(FileKind::GoWork),
            ),
            (
                "file:///home/gopher/m/go.work.sum",
                "",
                Some(FileKind::GoSum),
            ),
            (
                "file:///home/gopher/m/go.sum",
                "go.sum",
                Some(FileKind::GoSum),
            ),
            (
                "file:///home/gopher/m/other.txt",
                "gomod",
                Some(FileKind::GoMod),
            ),
            ("file:///home/gopher/m/other.txt", "text", None),
            ("untitled:Untitled-1", "go.mod", Some(FileKind::GoMod)),
            ("untitled:Untitled-1", "gowork", Some(FileKind::GoWork)),
            ("untitled:go.mod", "plaintext", None),
        ];
        for (uri, language_id, kind) in cases {
            let uri = Uri::from_str(uri).unwrap();
            assert_eq!(document_kind(&uri, language_id), kind, "{uri:?}");
        }
    }
}
