//! `malformed-indirect-comment`: a require line whose comment looks like go's `// indirect`
//! marker but is not one, so go treats the requirement as direct.
//!
//! go recognises exactly `// indirect` (any spacing) or `// indirect; more text`. `//INDIRECT`,
//! `// Indirect`, `// indirect:` and `// indirect more text` are ordinary comments. The fix
//! writes the marker go reads, keeping any text after it behind `indirect; `.

use super::{CodeInfo, Diagnostic, FileView, Severity, Source};
use crate::modfile::rules::ModFile;

/// The registry entry.
pub(super) const CODE: CodeInfo = CodeInfo {
    code: "malformed-indirect-comment",
    source: Source::Gomodls,
    summary: "a comment that looks like // indirect but is not go's marker",
    url: "https://go.dev/ref/mod#go-mod-file-require",
};

pub(super) fn check(view: &FileView<'_>, file: &ModFile, out: &mut Vec<Diagnostic>) {
    for require in file.require.iter().filter(|require| !require.indirect) {
        let Some(line) = view.line(&require.syntax) else {
            continue;
        };
        let Some(comment) = line.comments.suffix.first() else {
            continue;
        };
        let start = comment.start.byte;
        let rest = view.text.get(start..).unwrap_or_default();
        let length = rest
            .iter()
            .position(|&byte| byte == b'\n')
            .unwrap_or(rest.len());
        let mut end = start + length;
        if end > start && view.text.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        let range = start..end;
        let source = view.source(&range);
        let Some(fixed) = intended_marker(&source) else {
            continue;
        };
        let message = format!(
            "go does not read {:?} as the // indirect marker, so it treats this requirement as direct",
            source.trim_end()
        );
        out.push(
            Diagnostic::new(&CODE, Severity::Warning, range.clone(), message)
                .with_fix(format!("Write {fixed:?}"), vec![(range, fixed)]),
        );
    }
}

/// The marker a comment meant to be (`// indirect` or `// indirect; TEXT`), when its first word
/// is `indirect` in any case, possibly glued to punctuation.
fn intended_marker(comment: &str) -> Option<String> {
    let body = comment
        .strip_prefix("//")?
        .trim_start_matches(crate::quote::is_space);
    let word_end = body.find(crate::quote::is_space).unwrap_or(body.len());
    let (word, rest) = body.split_at(word_end);
    let lowered = word.to_ascii_lowercase();
    let glued = lowered.strip_prefix("indirect")?;
    if !glued.chars().all(|c| matches!(c, ';' | ':' | ',' | '.')) {
        return None;
    }
    let rest = rest.trim_matches(crate::quote::is_space);
    match rest {
        "" => Some("// indirect".to_owned()),
        text => Some(format!("// indirect; {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::intended_marker;

    #[test]
    fn intended_markers() {
        assert_eq!(
            intended_marker("//INDIRECT").as_deref(),
            Some("// indirect")
        );
        assert_eq!(
            intended_marker("// indirect x y").as_deref(),
            Some("// indirect; x y")
        );
        assert_eq!(
            intended_marker("// indirect:").as_deref(),
            Some("// indirect")
        );
        assert_eq!(intended_marker("// indirectly"), None);
        assert_eq!(intended_marker("// c1 // indirect"), None);
    }
}
