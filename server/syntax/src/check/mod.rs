//! Go-exact validation of go.mod, go.work and go.sum files: [`check`] returns every problem of a
//! file as a [`Diagnostic`] in byte offsets.
//!
//! Two sources of diagnostics:
//!
//! - [`Source::Go`]: exactly the errors the go command reports for the file, with its message
//!   (the text after `FILE:LINE:COL: `). For go.mod and go.work these are what `go mod edit -json`
//!   / `go work edit -json` print: the first syntax error, or else every directive error. For
//!   go.sum, the lines go refuses to read; for go.work, `use` directories without a go.mod (only
//!   when a [`FileSystem`] is given).
//! - [`Source::Gomodls`]: what go accepts silently but changes or trips over later (versions it
//!   rewrites, duplicates, a toolchain older than the go line, unrecognised `// indirect`
//!   markers, go.sum lines out of go's order, …).
//!
//! Each diagnostic code lives in a file of its name in this directory, whose doc comment explains
//! it; [`CODES`] lists them all with their documentation links.
//!
//! Invariants: pure and synchronous; the only way out is the [`FileSystem`] of the
//! [`CheckContext`]. Ranges are never empty when the text is not: they cover the offending token
//! or line.

use std::cmp::Ordering;
use std::ops::Range;
use std::path::Path;

use crate::FileKind;
use crate::go_version::compare_go_versions;
use crate::modfile::ast::{FileSyntax, Line, Position, Statement};
use crate::modfile::read::read;
use crate::modfile::rules::{
    GoStmt, LineRef, ModFile, RuleError, RuleErrorKind, parse_gomod, parse_gowork,
};

mod directive_usage;
mod duplicate_exclude;
mod duplicate_replace;
mod duplicate_require;
mod duplicate_sum_line;
mod ignore_requires_go_1_25;
mod invalid_go_version;
mod invalid_module_path;
mod invalid_quoted_string;
mod invalid_replacement;
mod invalid_retraction;
mod invalid_sum_hash;
mod invalid_toolchain;
mod invalid_version;
mod major_version_mismatch;
mod malformed_indirect_comment;
mod malformed_sum_line;
mod missing_workspace_module;
mod non_canonical_version;
mod repeated_directive;
mod require_main_module;
mod syntax_error;
mod tool_requires_go_1_24;
mod toolchain_older_than_go;
mod unknown_directive;
mod unsorted_sum_lines;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The go command refuses the file, or will fail on it.
    Error,
    /// The go command accepts the file but changes it, or the line is not doing what it seems to.
    Warning,
    /// Worth knowing; nothing breaks.
    Info,
    /// A suggestion.
    Hint,
}

impl Severity {
    /// The lowercase name (`error`, `warning`, `info`, `hint`).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// Who reports a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The go command reports it, with this message.
    Go,
    /// gomodls reports it; the go command is silent.
    Gomodls,
}

impl Source {
    /// The name shown to users (`go`, `gomodls`).
    pub fn name(self) -> &'static str {
        match self {
            Source::Go => "go",
            Source::Gomodls => "gomodls",
        }
    }
}

/// An extra mark on a diagnostic, which editors show (faded or struck-through text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// The text has no effect and can go.
    Unnecessary,
    /// The text uses something deprecated.
    Deprecated,
}

/// A way to fix a diagnostic: a title and edits of the checked text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, as a command (`Replace with v1.2.0`).
    pub title: String,
    /// Non-overlapping replacements of byte ranges of the checked text.
    pub edits: Vec<(Range<usize>, String)>,
}

impl Fix {
    /// The text after the edits; `None` when an edit does not fit the text.
    pub fn apply(&self, text: &str) -> Option<String> {
        let mut edits: Vec<&(Range<usize>, String)> = self.edits.iter().collect();
        edits.sort_by_key(|(range, _)| (range.start, range.end));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (range, replacement) in edits {
            if range.start < at {
                return None;
            }
            out.push_str(text.get(at..range.start)?);
            out.push_str(replacement);
            at = range.end;
        }
        out.push_str(text.get(at..)?);
        Some(out)
    }
}

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable kebab-case code, one of [`CODES`].
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// The offending token or line, in bytes of the checked text.
    pub range: Range<usize>,
    /// The message; for [`Source::Go`] go's own text after `FILE:LINE:COL: `.
    pub message: String,
    /// Who reports it.
    pub source: Source,
    /// Other places that explain it, with what each is.
    pub related: Vec<(Range<usize>, String)>,
    /// Marks for editors.
    pub tags: Vec<Tag>,
    /// Ways to fix it.
    pub fixes: Vec<Fix>,
    /// Where go reports it (its line and rune column), when go reports it with a position; go
    /// puts a directive error at the start of its line, while `range` is the offending token.
    pub go_position: Option<Position>,
}

impl Diagnostic {
    /// A diagnostic of `code` with its source, no related information, tags or fixes.
    pub(crate) fn new(
        code: &CodeInfo,
        severity: Severity,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: code.code,
            severity,
            range,
            message: message.into(),
            source: code.source,
            related: Vec::new(),
            tags: Vec::new(),
            fixes: Vec::new(),
            go_position: None,
        }
    }

    fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.related.push((range, message.into()));
        self
    }

    fn with_tag(mut self, tag: Tag) -> Diagnostic {
        self.tags.push(tag);
        self
    }

    fn with_fix(
        mut self,
        title: impl Into<String>,
        edits: Vec<(Range<usize>, String)>,
    ) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
        });
        self
    }
}

/// What a diagnostic code means and where it is documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The kebab-case code.
    pub code: &'static str,
    /// Who reports diagnostics of this code.
    pub source: Source,
    /// A one-line description.
    pub summary: &'static str,
    /// The documentation: the Go modules reference where it covers the topic, else our README.
    pub url: &'static str,
}

/// Every diagnostic code, in a stable order.
pub const CODES: &[CodeInfo] = &[
    syntax_error::CODE,
    unknown_directive::CODE,
    directive_usage::CODE,
    repeated_directive::CODE,
    invalid_go_version::CODE,
    invalid_toolchain::CODE,
    invalid_quoted_string::CODE,
    invalid_version::CODE,
    major_version_mismatch::CODE,
    invalid_module_path::CODE,
    invalid_replacement::CODE,
    invalid_retraction::CODE,
    missing_workspace_module::CODE,
    malformed_sum_line::CODE,
    non_canonical_version::CODE,
    duplicate_require::CODE,
    duplicate_exclude::CODE,
    duplicate_replace::CODE,
    require_main_module::CODE,
    tool_requires_go_1_24::CODE,
    ignore_requires_go_1_25::CODE,
    toolchain_older_than_go::CODE,
    malformed_indirect_comment::CODE,
    invalid_sum_hash::CODE,
    duplicate_sum_line::CODE,
    unsorted_sum_lines::CODE,
];

/// The registry entry of `code`.
pub fn code_info(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|info| info.code == code)
}

/// The file system as the checks see it (only go.work `use` directories need it), so that this
/// crate stays pure: the command line and the server pass the real one, tests a fake.
pub trait FileSystem {
    /// Whether `path` names an existing regular file (following links).
    fn is_file(&self, path: &Path) -> bool;
}

/// What a check knows besides the text.
#[derive(Clone, Copy, Default)]
pub struct CheckContext<'a> {
    /// The file name go would use in messages that name the file (`syntax error (unterminated
    /// block started at FILE:L:C)`); `go.mod` when empty.
    pub file_name: &'a str,
    /// The directory holding the file, against which relative paths are resolved.
    pub directory: Option<&'a Path>,
    /// The file system, when checks may look at it.
    pub file_system: Option<&'a dyn FileSystem>,
}

impl std::fmt::Debug for CheckContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckContext")
            .field("file_name", &self.file_name)
            .field("directory", &self.directory)
            .field("file_system", &self.file_system.is_some())
            .finish()
    }
}

/// Every diagnostic of a file of `kind`, ordered by position.
pub fn check(kind: FileKind, text: &[u8], context: &CheckContext<'_>) -> Vec<Diagnostic> {
    let file_name = match context.file_name {
        "" => kind.file_name(),
        name => name,
    };
    let mut diagnostics = match kind {
        FileKind::GoMod => check_gomod(text, file_name),
        FileKind::GoWork => check_gowork(text, file_name, context),
        FileKind::GoSum => check_gosum(text),
    };
    for diagnostic in &mut diagnostics {
        diagnostic.range = widen_point(text, diagnostic.range.clone());
        for (range, _) in &mut diagnostic.related {
            *range = widen_point(text, range.clone());
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    diagnostics
}

fn check_gomod(text: &[u8], file_name: &str) -> Vec<Diagnostic> {
    let mut syntax = match read(text, file_name) {
        Ok(syntax) => syntax,
        Err(error) => return vec![syntax_error::diagnostic(&error, text)],
    };
    let (file, errors) = parse_gomod(&mut syntax, true);
    let mut diagnostics: Vec<Diagnostic> = errors.iter().map(rule_diagnostic).collect();
    let view = FileView {
        text,
        syntax: &syntax,
    };
    non_canonical_version::check_gomod(&view, &file, &mut diagnostics);
    duplicate_require::check(&view, &file, &mut diagnostics);
    duplicate_exclude::check(&view, &file, &mut diagnostics);
    duplicate_replace::check(&view, &file.replace, &mut diagnostics);
    require_main_module::check(&view, &file, &mut diagnostics);
    tool_requires_go_1_24::check(&view, &file, &mut diagnostics);
    ignore_requires_go_1_25::check(&view, &file, &mut diagnostics);
    toolchain_older_than_go::check(
        &view,
        file.go.as_ref(),
        file.toolchain.as_ref(),
        &mut diagnostics,
    );
    malformed_indirect_comment::check(&view, &file, &mut diagnostics);
    diagnostics
}

fn check_gowork(text: &[u8], file_name: &str, context: &CheckContext<'_>) -> Vec<Diagnostic> {
    let mut syntax = match read(text, file_name) {
        Ok(syntax) => syntax,
        Err(error) => return vec![syntax_error::diagnostic(&error, text)],
    };
    let (file, errors) = parse_gowork(&mut syntax);
    let mut diagnostics: Vec<Diagnostic> = errors.iter().map(rule_diagnostic).collect();
    let view = FileView {
        text,
        syntax: &syntax,
    };
    non_canonical_version::check_replacements(&view, &file.replace, &mut diagnostics);
    duplicate_replace::check(&view, &file.replace, &mut diagnostics);
    toolchain_older_than_go::check(
        &view,
        file.go.as_ref(),
        file.toolchain.as_ref(),
        &mut diagnostics,
    );
    if let (Some(directory), Some(file_system)) = (context.directory, context.file_system) {
        missing_workspace_module::check(&view, &file, directory, file_system, &mut diagnostics);
    }
    diagnostics
}

fn check_gosum(text: &[u8]) -> Vec<Diagnostic> {
    let sum = crate::gosum::read_go_sum_borrowed(text);
    let mut diagnostics = Vec::new();
    malformed_sum_line::check(&sum.malformed, &mut diagnostics);
    invalid_sum_hash::check(&sum.lines, &mut diagnostics);
    let in_order = unsorted_sum_lines::check(&sum, text, &mut diagnostics);
    duplicate_sum_line::check(&sum.lines, in_order, text, &mut diagnostics);
    diagnostics
}

/// The diagnostic of one of go's directive errors.
fn rule_diagnostic(error: &RuleError) -> Diagnostic {
    let code = match error.kind {
        RuleErrorKind::UnknownDirective => &unknown_directive::CODE,
        RuleErrorKind::Usage => &directive_usage::CODE,
        RuleErrorKind::Repeated => &repeated_directive::CODE,
        RuleErrorKind::GoVersion => &invalid_go_version::CODE,
        RuleErrorKind::Toolchain => &invalid_toolchain::CODE,
        RuleErrorKind::QuotedString => &invalid_quoted_string::CODE,
        RuleErrorKind::Version => &invalid_version::CODE,
        RuleErrorKind::MajorVersion => &major_version_mismatch::CODE,
        RuleErrorKind::ModulePath => &invalid_module_path::CODE,
        RuleErrorKind::Replacement => &invalid_replacement::CODE,
        RuleErrorKind::Retraction => &invalid_retraction::CODE,
    };
    let mut diagnostic = Diagnostic::new(code, Severity::Error, error.range.clone(), error.text());
    diagnostic.go_position = Some(error.pos);
    diagnostic
}

/// The checked text with go's statement structure, for the gomodls checks.
pub(crate) struct FileView<'a> {
    text: &'a [u8],
    syntax: &'a FileSyntax,
}

impl FileView<'_> {
    /// The line an interpreted entry was read from.
    fn line(&self, place: &LineRef) -> Option<&Line> {
        match (self.syntax.statements.get(place.statement)?, place.line) {
            (Statement::Line(line), None) => Some(line),
            (Statement::Block(block), Some(index)) => block.lines.get(index),
            _ => None,
        }
    }

    /// The source text of a range, as go sees it (an invalid byte as U+FFFD).
    fn source(&self, range: &Range<usize>) -> String {
        crate::modfile::read::go_text(self.text.get(range.clone()).unwrap_or_default())
    }

    /// The 1-based line number of a byte offset.
    fn line_number(&self, offset: usize) -> usize {
        let before = self.text.get(..offset).unwrap_or(self.text);
        before.iter().filter(|&&byte| byte == b'\n').count() + 1
    }

    /// The whole physical line around `range`, its line break included: what deleting a
    /// directive line removes.
    fn deletion(&self, range: &Range<usize>) -> Range<usize> {
        whole_lines(self.text, range)
    }
}

/// The physical lines covering `range`, from the start of the first to after the line break of
/// the last (or the end of the text).
fn whole_lines(text: &[u8], range: &Range<usize>) -> Range<usize> {
    let before = text.get(..range.start).unwrap_or(text);
    let start = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |at| at + 1);
    let after = text.get(range.end..).unwrap_or_default();
    let end = after
        .iter()
        .position(|&byte| byte == b'\n')
        .map_or(text.len(), |at| range.end + at + 1);
    start..end
}

/// A range that is never a point: an empty range grows to the word (or character) at it, or at
/// the end of the text to the character before it.
fn widen_point(text: &[u8], range: Range<usize>) -> Range<usize> {
    if range.start < range.end || text.is_empty() {
        return range;
    }
    let at = range.start.min(text.len());
    let is_space = |byte: u8| matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
    match text.get(at) {
        Some(&byte) if !is_space(byte) => {
            let rest = text.get(at..).unwrap_or_default();
            let length = rest.iter().take_while(|&&byte| !is_space(byte)).count();
            at..at + length.max(1)
        }
        Some(_) => at..at + 1,
        None => {
            // At the end: the last character, whole (UTF-8 continuation bytes included).
            let mut start = at.saturating_sub(1);
            while start > 0 && text.get(start).is_some_and(|&byte| byte & 0xC0 == 0x80) {
                start -= 1;
            }
            start..at
        }
    }
}

/// The go line's version (`none` when missing: go then assumes 1.16) when it is older than
/// `minimum`.
fn go_line_below(go: Option<&GoStmt>, minimum: &str) -> Option<String> {
    let current = go.map_or(DEFAULT_GO_VERSION, |go| go.version.as_str());
    if compare_go_versions(current, minimum) != Ordering::Less {
        return None;
    }
    Some(match go {
        Some(go) => go.version.clone(),
        None => format!("nothing (so {DEFAULT_GO_VERSION})"),
    })
}

/// The go version of a go.mod without a go line (go's `gover.DefaultGoModVersion`).
const DEFAULT_GO_VERSION: &str = "1.16";

/// Edits that set the go line to `version`: its version token rewritten, or a go line added
/// after the module line (at the top without one).
fn raise_go_line(
    view: &FileView<'_>,
    file: &ModFile,
    version: &str,
) -> Vec<(Range<usize>, String)> {
    if let Some(go) = &file.go {
        let token = view.line(&go.syntax).and_then(|line| line.tokens.get(1));
        return match token {
            Some(token) => vec![(token.range.clone(), version.to_owned())],
            None => Vec::new(),
        };
    }
    let Some(module) = &file.module else {
        return vec![(0..0, format!("go {version}\n\n"))];
    };
    let after = view.deletion(&module.syntax.range).end;
    let line_break = match after.checked_sub(1).and_then(|at| view.text.get(at)) {
        Some(b'\n') => "",
        _ => "\n",
    };
    vec![(after..after, format!("{line_break}\ngo {version}\n"))]
}

/// Orders versions as go's `semver.Compare`, then as strings.
fn compare_versions(a: &str, b: &str) -> Ordering {
    crate::semver::compare(a, b).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_grow_to_a_token_or_the_last_character() {
        let text = "module m\nrequire (\n\tx v1 é";
        assert_eq!(widen_point(text.as_bytes(), 9..9), 9..16);
        assert_eq!(widen_point(text.as_bytes(), 8..8), 8..9);
        let end = text.len();
        assert_eq!(&text[widen_point(text.as_bytes(), end..end)], "é");
        assert_eq!(widen_point(b"", 0..0), 0..0);
    }

    #[test]
    fn deletions_cover_whole_lines() {
        let text = b"a\n\tb c\nd";
        assert_eq!(whole_lines(text, &(3..6)), 2..7);
        assert_eq!(whole_lines(text, &(7..8)), 7..8);
    }

    #[test]
    fn fixes_apply_in_order() {
        let fix = Fix {
            title: String::new(),
            edits: vec![(4..5, "X".into()), (0..1, "Y".into())],
        };
        assert_eq!(fix.apply("abcdef").as_deref(), Some("YbcdXf"));
        let overlapping = Fix {
            title: String::new(),
            edits: vec![(0..3, String::new()), (2..4, String::new())],
        };
        assert_eq!(overlapping.apply("abcdef"), None);
    }

    #[test]
    fn codes_are_unique_kebab_case_with_links() {
        let mut seen = std::collections::HashSet::new();
        for info in CODES {
            assert!(seen.insert(info.code), "{} twice", info.code);
            assert!(
                info.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                info.code
            );
            assert!(
                info.url.starts_with("https://go.dev/ref/mod#")
                    || info.url == format!("https://github.com/gomodls/gomodls#{}", info.code),
                "{}: {}",
                info.code,
                info.url
            );
        }
    }
}
