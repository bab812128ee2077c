//! The meaning of each go.mod and go.work directive as the go command's `modfile` package gives it:
//! `Parse`, `ParseLax` and `ParseWork` with a nil version fixer (the `go mod edit` / `go work
//! edit` view), every error with go's exact text and position, and go's in-place token rewriting
//! (quotes removed where not needed, versions canonicalised) so that printing afterwards matches
//! `go mod edit -fmt`.
//!
//! Errors are all collected, in file order, as go collects them. Each entry of the interpreted
//! file keeps a [`LineRef`] to its line in the [`FileSyntax`] it was read from.

use std::fmt;
use std::ops::Range;

use crate::go_version::{is_valid_go_version, is_valid_toolchain, lax_go_version};
use crate::modfile::ast::{Comment, Comments, FileSyntax, Line, Position, Statement, Token};
use crate::module_path::{
    InvalidVersionError, VersionProblem, check_path_major, is_directory_path, split_path_version,
};
use crate::quote::{auto_quote_bytes, is_space, must_quote, quote, unquote};
use crate::semver::module_canonical_version;

/// Where an interpreted entry's line is in the [`FileSyntax`] it was read from.
///
/// The indices are those of the tree passed to [`parse_gomod`] or [`parse_gowork`] (kept up to
/// date by [`crate::modfile::sort`]); a later `cleanup`, which collapses and removes blocks,
/// invalidates them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineRef {
    /// The index of the statement in [`FileSyntax::statements`].
    pub statement: usize,
    /// The index of the line inside the block, when the statement is a block.
    pub line: Option<usize>,
    /// The bytes of the line, from its first token's start to its last token's end.
    pub range: Range<usize>,
}

/// A module path with an optional version, as go's `module.Version`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ModuleVersion {
    /// The module path (or, for a replacement, possibly a directory).
    pub path: String,
    /// The version; empty when none was given.
    pub version: String,
}

/// The `module` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleStmt {
    /// The module path, unquoted; empty when the statement is malformed.
    pub path: String,
    /// The deprecation message from the statement's comments, empty when not deprecated.
    pub deprecated: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// The `go` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoStmt {
    /// The Go version (`1.23`), after the lax fix-up when that applied.
    pub version: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// The `toolchain` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainStmt {
    /// The toolchain name (`go1.21rc1`, `default`).
    pub name: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// A `godebug key=value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Godebug {
    /// The text before the first `=` (may be empty).
    pub key: String,
    /// The text after the first `=`.
    pub value: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// A `require` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    /// The required module path and its canonical version.
    pub module: ModuleVersion,
    /// Whether the line carries go's `// indirect` marker.
    pub indirect: bool,
    /// The statement's line.
    pub syntax: LineRef,
    /// The bytes of the path token.
    pub path_range: Range<usize>,
    /// The bytes of the version token.
    pub version_range: Range<usize>,
}

/// An `exclude` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclude {
    /// The excluded module path and version.
    pub module: ModuleVersion,
    /// The statement's line.
    pub syntax: LineRef,
}

/// A `replace` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// What is replaced; an empty version means every version.
    pub old: ModuleVersion,
    /// The replacement; an empty version means a directory.
    pub new: ModuleVersion,
    /// The statement's line.
    pub syntax: LineRef,
}

/// A `retract` line: a closed interval of versions (a single version has `low == high`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retract {
    /// The lowest retracted version (not validated, as with `go mod edit`).
    pub low: String,
    /// The highest retracted version.
    pub high: String,
    /// The comments on the line (or its block), `//` removed, joined with newlines.
    pub rationale: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// A `tool` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// The tool's package path.
    pub path: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// An `ignore` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The ignored directory pattern.
    pub path: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// A `use` line of a go.work file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The directory, as written (unquoted).
    pub path: String,
    /// The module path; go's parser never fills it (only `go work use` does).
    pub module_path: String,
    /// The statement's line.
    pub syntax: LineRef,
}

/// A go.mod file as go's `modfile.File` interprets it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModFile {
    /// The first `module` statement.
    pub module: Option<ModuleStmt>,
    /// The `go` statement.
    pub go: Option<GoStmt>,
    /// The `toolchain` statement.
    pub toolchain: Option<ToolchainStmt>,
    /// The `godebug` lines.
    pub godebug: Vec<Godebug>,
    /// The `require` lines, duplicates included.
    pub require: Vec<Require>,
    /// The `exclude` lines.
    pub exclude: Vec<Exclude>,
    /// The `replace` lines.
    pub replace: Vec<Replace>,
    /// The `retract` lines.
    pub retract: Vec<Retract>,
    /// The `tool` lines.
    pub tool: Vec<Tool>,
    /// The `ignore` lines.
    pub ignore: Vec<Ignore>,
}

/// A go.work file as go's `modfile.WorkFile` interprets it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkFile {
    /// The `go` statement.
    pub go: Option<GoStmt>,
    /// The `toolchain` statement.
    pub toolchain: Option<ToolchainStmt>,
    /// The `godebug` lines.
    pub godebug: Vec<Godebug>,
    /// The `use` lines.
    pub uses: Vec<Use>,
    /// The `replace` lines.
    pub replace: Vec<Replace>,
}

impl ModFile {
    /// Every entry's [`LineRef`], for keeping them in step with a reordered tree.
    pub(crate) fn line_refs_mut(&mut self) -> impl Iterator<Item = &mut LineRef> {
        let module = self.module.iter_mut().map(|x| &mut x.syntax);
        let go = self.go.iter_mut().map(|x| &mut x.syntax);
        let toolchain = self.toolchain.iter_mut().map(|x| &mut x.syntax);
        let godebug = self.godebug.iter_mut().map(|x| &mut x.syntax);
        let require = self.require.iter_mut().map(|x| &mut x.syntax);
        let exclude = self.exclude.iter_mut().map(|x| &mut x.syntax);
        let replace = self.replace.iter_mut().map(|x| &mut x.syntax);
        let retract = self.retract.iter_mut().map(|x| &mut x.syntax);
        let tool = self.tool.iter_mut().map(|x| &mut x.syntax);
        let ignore = self.ignore.iter_mut().map(|x| &mut x.syntax);
        module
            .chain(go)
            .chain(toolchain)
            .chain(godebug)
            .chain(require)
            .chain(exclude)
            .chain(replace)
            .chain(retract)
            .chain(tool)
            .chain(ignore)
    }
}

impl WorkFile {
    /// Every entry's [`LineRef`], for keeping them in step with a reordered tree.
    pub(crate) fn line_refs_mut(&mut self) -> impl Iterator<Item = &mut LineRef> {
        let go = self.go.iter_mut().map(|x| &mut x.syntax);
        let toolchain = self.toolchain.iter_mut().map(|x| &mut x.syntax);
        let godebug = self.godebug.iter_mut().map(|x| &mut x.syntax);
        let uses = self.uses.iter_mut().map(|x| &mut x.syntax);
        let replace = self.replace.iter_mut().map(|x| &mut x.syntax);
        go.chain(toolchain)
            .chain(godebug)
            .chain(uses)
            .chain(replace)
    }
}

impl LineRef {
    /// The statement and line indices, which identify the line.
    pub(crate) fn key(&self) -> LineKey {
        (self.statement, self.line)
    }
}

/// A line's identity in a tree: statement index and line index inside a block.
pub(crate) type LineKey = (usize, Option<usize>);

/// A directive error, as go's `modfile.Error`: a position, optionally the directive's verb and
/// module path, and the message. Its `Display` is the text after the position
/// (`require a.com/x: version "v1.x" invalid: must be of the form v1.2.3`); [`RuleError::display`]
/// gives go's whole line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub struct RuleError {
    /// Where go reports the error: the line's (or block's) first token.
    pub pos: Position,
    /// The bytes of the offending token, or of the line when no single token is at fault.
    pub range: Range<usize>,
    /// The directive, when go names it in the message.
    pub verb: Option<String>,
    /// The module path, when go names it in the message (always with a verb).
    pub module_path: Option<String>,
    /// go's message.
    pub message: String,
    /// What kind of mistake go reports.
    pub kind: RuleErrorKind,
}

/// The kinds of directive errors go reports, for telling them apart without reading messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleErrorKind {
    /// `unknown directive: X` or `unknown block type: X`.
    UnknownDirective,
    /// A directive with the wrong arguments: `usage: …` or `… expects exactly one argument`.
    Usage,
    /// `repeated module statement` (and `go`, `toolchain`).
    Repeated,
    /// `invalid go version '…': must match format 1.23.0`.
    GoVersion,
    /// `invalid toolchain version '…': must match format go1.23.0 or default`.
    Toolchain,
    /// `invalid quoted string: …`.
    QuotedString,
    /// `version "X" invalid: …` for a version that is not a semantic version.
    Version,
    /// `version "X" invalid: should be v0 or v1, not v2`: the version's major version does not
    /// match the module path.
    MajorVersion,
    /// `invalid module path`.
    ModulePath,
    /// A malformed replacement target (`replacement module without version must be directory
    /// path …` and the like).
    Replacement,
    /// A malformed retraction (`expected '[' or version`, `unexpected token after version`, …).
    Retraction,
}

impl RuleError {
    /// The message with go's directive prefix: `VERB PATH: MSG`, `VERB: MSG` or `MSG`.
    pub fn text(&self) -> String {
        match (&self.verb, &self.module_path) {
            (verb, Some(path)) => {
                format!("{} {path}: {}", verb.as_deref().unwrap_or(""), self.message)
            }
            (Some(verb), None) => format!("{verb}: {}", self.message),
            (None, None) => self.message.clone(),
        }
    }

    /// go's full error line for a file named `file_name` (`go.mod:3:2: require …`).
    pub fn display<'a>(&'a self, file_name: &'a str) -> impl fmt::Display + 'a {
        GoErrorLine {
            file_name,
            pos: self.pos,
            text: self.text(),
        }
    }
}

/// The text of one go error line: position prefix and message.
struct GoErrorLine<'a> {
    file_name: &'a str,
    pos: Position,
    text: String,
}

impl fmt::Display for GoErrorLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_position(f, self.file_name, self.pos)?;
        f.write_str(&self.text)
    }
}

/// go's position prefix of an error (`Error.Error`): `FILE:LINE:COL: ` when the column is past
/// 1, `FILE:LINE: ` when there is a line, `FILE: ` when there is only a file name.
pub(crate) fn write_position(
    f: &mut impl fmt::Write,
    file_name: &str,
    pos: Position,
) -> fmt::Result {
    if pos.column > 1 {
        write!(f, "{file_name}:{}:{}: ", pos.line, pos.column)
    } else if pos.line > 0 {
        write!(f, "{file_name}:{}: ", pos.line)
    } else if !file_name.is_empty() {
        write!(f, "{file_name}: ")
    } else {
        Ok(())
    }
}

/// What went wrong on a line, before it gets the line's position.
struct Problem {
    kind: RuleErrorKind,
    verb: Option<String>,
    module_path: Option<String>,
    message: String,
    /// The index (in the line's tokens) of the offending token.
    token: Option<usize>,
}

impl Problem {
    fn plain(kind: RuleErrorKind, message: impl Into<String>) -> Self {
        Problem {
            kind,
            verb: None,
            module_path: None,
            message: message.into(),
            token: None,
        }
    }

    fn at(mut self, token: usize) -> Self {
        self.token = Some(token);
        self
    }

    /// A problem go reports as `VERB PATH: MSG` (or `VERB: MSG` for an empty path).
    fn directive(
        kind: RuleErrorKind,
        verb: &str,
        module_path: &str,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            verb: Some(verb.to_owned()),
            module_path: (!module_path.is_empty()).then(|| module_path.to_owned()),
            message: message.into(),
            token: None,
        }
    }

    fn into_error(self, line: &Line) -> RuleError {
        let range = self
            .token
            .and_then(|index| line.tokens.get(index))
            .map_or_else(|| line_range(line), |token| token.range.clone());
        RuleError {
            pos: line.start,
            range,
            verb: self.verb,
            module_path: self.module_path,
            message: self.message,
            kind: self.kind,
        }
    }
}

/// The bytes from a line's first token to its last.
fn line_range(line: &Line) -> Range<usize> {
    match (line.tokens.first(), line.tokens.last()) {
        (Some(first), Some(last)) => first.range.start..last.range.end,
        _ => line.start.byte..line.end.byte.max(line.start.byte),
    }
}

/// Reads a go.mod file's directives as go's `modfile.Parse` (`strict`) or `modfile.ParseLax`
/// does with a nil version fixer, rewriting tokens in `syntax` as go does.
///
/// Returns the interpreted file (filled as far as go fills it even when there are errors) and
/// every directive error in go's order. go itself returns no file when there is any error.
pub fn parse_gomod(syntax: &mut FileSyntax, strict: bool) -> (ModFile, Vec<RuleError>) {
    let mut file = ModFile::default();
    let mut errors = Vec::new();
    for (statement_index, statement) in syntax.statements.iter_mut().enumerate() {
        match statement {
            Statement::Comments(_) => {}
            Statement::Line(line) => {
                let Some(verb) = line.tokens.first().map(|token| token.text.clone()) else {
                    continue;
                };
                let place = LineRef {
                    statement: statement_index,
                    line: None,
                    range: line_range(line),
                };
                let context = LineContext {
                    block_comments: None,
                    line,
                    first_arg: 1,
                    place,
                };
                if let Err(problem) = add_mod_line(&mut file, &verb, context, strict) {
                    errors.push(problem.into_error(line));
                }
            }
            Statement::Block(block) => {
                let known = matches!(
                    block.verb.as_slice(),
                    [verb] if matches!(
                        verb.text.as_str(),
                        "module" | "godebug" | "require" | "exclude" | "replace" | "retract"
                            | "tool" | "ignore"
                    )
                );
                if !known {
                    if strict && !block.verb.is_empty() {
                        errors.push(unknown_block(&block.verb, block.start));
                    }
                    continue;
                }
                let verb = block
                    .verb
                    .first()
                    .map(|token| token.text.clone())
                    .unwrap_or_default();
                for (line_index, line) in block.lines.iter_mut().enumerate() {
                    let place = LineRef {
                        statement: statement_index,
                        line: Some(line_index),
                        range: line_range(line),
                    };
                    let context = LineContext {
                        block_comments: Some(&block.comments),
                        line,
                        first_arg: 0,
                        place,
                    };
                    if let Err(problem) = add_mod_line(&mut file, &verb, context, strict) {
                        errors.push(problem.into_error(line));
                    }
                }
            }
        }
    }
    (file, errors)
}

/// Reads a go.work file's directives as go's `modfile.ParseWork` does with a nil version fixer
/// (always strict), rewriting tokens in `syntax` as go does.
pub fn parse_gowork(syntax: &mut FileSyntax) -> (WorkFile, Vec<RuleError>) {
    let mut file = WorkFile::default();
    let mut errors = Vec::new();
    for (statement_index, statement) in syntax.statements.iter_mut().enumerate() {
        match statement {
            Statement::Comments(_) => {}
            Statement::Line(line) => {
                let Some(verb) = line.tokens.first().map(|token| token.text.clone()) else {
                    continue;
                };
                let place = LineRef {
                    statement: statement_index,
                    line: None,
                    range: line_range(line),
                };
                if let Err(problem) = add_work_line(&mut file, &verb, line, 1, place) {
                    errors.push(problem.into_error(line));
                }
            }
            Statement::Block(block) => {
                let known = matches!(
                    block.verb.as_slice(),
                    [verb] if matches!(verb.text.as_str(), "godebug" | "use" | "replace")
                );
                if !known {
                    if !block.verb.is_empty() {
                        errors.push(unknown_block(&block.verb, block.start));
                    }
                    continue;
                }
                let verb = block
                    .verb
                    .first()
                    .map(|token| token.text.clone())
                    .unwrap_or_default();
                for (line_index, line) in block.lines.iter_mut().enumerate() {
                    let place = LineRef {
                        statement: statement_index,
                        line: Some(line_index),
                        range: line_range(line),
                    };
                    if let Err(problem) = add_work_line(&mut file, &verb, line, 0, place) {
                        errors.push(problem.into_error(line));
                    }
                }
            }
        }
    }
    (file, errors)
}

/// `unknown block type: VERB…`, positioned at the block.
fn unknown_block(verb: &[Token], start: Position) -> RuleError {
    let words: Vec<&str> = verb.iter().map(|token| token.text.as_str()).collect();
    let range = match (verb.first(), verb.last()) {
        (Some(first), Some(last)) => first.range.start..last.range.end,
        _ => start.byte..start.byte,
    };
    RuleError {
        pos: start,
        range,
        verb: None,
        module_path: None,
        message: format!("unknown block type: {}", words.join(" ")),
        kind: RuleErrorKind::UnknownDirective,
    }
}

/// One line being interpreted: its tokens, where its arguments start, its block's comments.
struct LineContext<'a> {
    block_comments: Option<&'a Comments>,
    line: &'a mut Line,
    /// The index of the first argument token (1 for a top-level line, whose first token is the
    /// verb; 0 inside a block).
    first_arg: usize,
    place: LineRef,
}

/// go's `File.add` for one line.
fn add_mod_line(
    file: &mut ModFile,
    verb: &str,
    context: LineContext<'_>,
    strict: bool,
) -> Result<(), Problem> {
    if !strict && !matches!(verb, "go" | "module" | "retract" | "require" | "ignore") {
        // Dependencies' go.mod files: unknown and main-module-only directives are ignored.
        return Ok(());
    }
    let LineContext {
        block_comments,
        line,
        first_arg,
        place,
    } = context;
    let arg_count = line.tokens.len().saturating_sub(first_arg);
    match verb {
        "go" => {
            if file.go.is_some() {
                return Err(Problem::plain(
                    RuleErrorKind::Repeated,
                    "repeated go statement",
                ));
            }
            let version = single_arg(line, first_arg, "go directive expects exactly one argument")?;
            let version = match version {
                version if is_valid_go_version(version) => version.to_owned(),
                version => match lax_go_version(version).filter(|_| !strict) {
                    Some(fixed) => fixed.to_owned(),
                    None => {
                        return Err(Problem::plain(
                            RuleErrorKind::GoVersion,
                            format!("invalid go version '{version}': must match format 1.23.0"),
                        )
                        .at(first_arg));
                    }
                },
            };
            if let Some(token) = line.tokens.get_mut(first_arg) {
                token.text.clone_from(&version);
            }
            file.go = Some(GoStmt {
                version,
                syntax: place,
            });
        }
        "toolchain" => {
            if file.toolchain.is_some() {
                return Err(Problem::plain(
                    RuleErrorKind::Repeated,
                    "repeated toolchain statement",
                ));
            }
            let name = parse_toolchain(line, first_arg)?;
            file.toolchain = Some(ToolchainStmt {
                name,
                syntax: place,
            });
        }
        "module" => {
            if file.module.is_some() {
                return Err(Problem::plain(
                    RuleErrorKind::Repeated,
                    "repeated module statement",
                ));
            }
            let comments = directive_comments(block_comments, line);
            file.module = Some(ModuleStmt {
                path: String::new(),
                deprecated: deprecation(&comments),
                syntax: place,
            });
            if arg_count != 1 {
                return Err(Problem::plain(
                    RuleErrorKind::Usage,
                    "usage: module module/path",
                ));
            }
            let path = parse_quoted_arg(line, first_arg)?;
            if let Some(module) = file.module.as_mut() {
                module.path = path;
            }
        }
        "godebug" => {
            let (key, value) = parse_godebug(line, first_arg)?;
            file.godebug.push(Godebug {
                key,
                value,
                syntax: place,
            });
        }
        "require" | "exclude" => {
            if arg_count != 2 {
                return Err(Problem::plain(
                    RuleErrorKind::Usage,
                    format!("usage: {verb} module/path v1.2.3"),
                ));
            }
            let path = parse_quoted_arg(line, first_arg)?;
            let version = parse_version(verb, &path, line, first_arg + 1)?;
            let path_major = module_path_major(&path).ok_or_else(|| {
                Problem::plain(RuleErrorKind::ModulePath, "invalid module path").at(first_arg)
            })?;
            check_path_major(&version, path_major).map_err(|error| {
                Problem::directive(RuleErrorKind::MajorVersion, verb, &path, error.to_string())
                    .at(first_arg + 1)
            })?;
            let module = ModuleVersion { path, version };
            if verb == "require" {
                let token_range = |index: usize| {
                    line.tokens
                        .get(index)
                        .map_or(place.range.clone(), |token| token.range.clone())
                };
                file.require.push(Require {
                    indirect: is_indirect(line),
                    path_range: token_range(first_arg),
                    version_range: token_range(first_arg + 1),
                    module,
                    syntax: place,
                });
            } else {
                file.exclude.push(Exclude {
                    module,
                    syntax: place,
                });
            }
        }
        "replace" => {
            let replace = parse_replace(verb, line, first_arg, place)?;
            file.replace.push(replace);
        }
        "retract" => {
            let rationale = directive_comments(block_comments, line).join("\n");
            let interval = match parse_retract_interval(verb, line, first_arg) {
                Ok(interval) => interval,
                // Dependencies may use retraction syntax from the future: drop the line quietly.
                Err(_) if !strict => return Ok(()),
                Err(problem) => return Err(problem),
            };
            let (low, high, next) = interval;
            if strict && let Some(extra) = line.tokens.get(next) {
                return Err(Problem::plain(
                    RuleErrorKind::Retraction,
                    format!("unexpected token after version: {}", quote(&extra.text)),
                )
                .at(next));
            }
            file.retract.push(Retract {
                low,
                high,
                rationale,
                syntax: place,
            });
        }
        "tool" => {
            let path = parse_single_path(
                line,
                first_arg,
                "tool directive expects exactly one argument",
            )?;
            file.tool.push(Tool {
                path,
                syntax: place,
            });
        }
        "ignore" => {
            let path = parse_single_path(
                line,
                first_arg,
                "ignore directive expects exactly one argument",
            )?;
            file.ignore.push(Ignore {
                path,
                syntax: place,
            });
        }
        unknown => {
            return Err(Problem::plain(
                RuleErrorKind::UnknownDirective,
                format!("unknown directive: {unknown}"),
            ));
        }
    }
    Ok(())
}

/// go's `WorkFile.add` for one line.
fn add_work_line(
    file: &mut WorkFile,
    verb: &str,
    line: &mut Line,
    first_arg: usize,
    place: LineRef,
) -> Result<(), Problem> {
    let arg_count = line.tokens.len().saturating_sub(first_arg);
    match verb {
        "go" => {
            if file.go.is_some() {
                return Err(Problem::plain(
                    RuleErrorKind::Repeated,
                    "repeated go statement",
                ));
            }
            let version = single_arg(line, first_arg, "go directive expects exactly one argument")?;
            if !is_valid_go_version(version) {
                return Err(Problem::plain(
                    RuleErrorKind::GoVersion,
                    format!("invalid go version '{version}': must match format 1.23.0"),
                )
                .at(first_arg));
            }
            file.go = Some(GoStmt {
                version: version.to_owned(),
                syntax: place,
            });
        }
        "toolchain" => {
            if file.toolchain.is_some() {
                return Err(Problem::plain(
                    RuleErrorKind::Repeated,
                    "repeated toolchain statement",
                ));
            }
            let name = parse_toolchain(line, first_arg)?;
            file.toolchain = Some(ToolchainStmt {
                name,
                syntax: place,
            });
        }
        "godebug" => {
            let (key, value) = parse_godebug(line, first_arg)?;
            file.godebug.push(Godebug {
                key,
                value,
                syntax: place,
            });
        }
        "use" => {
            if arg_count != 1 {
                return Err(Problem::plain(
                    RuleErrorKind::Usage,
                    format!("usage: {verb} local/dir"),
                ));
            }
            let path = parse_quoted_arg(line, first_arg)?;
            file.uses.push(Use {
                path,
                module_path: String::new(),
                syntax: place,
            });
        }
        "replace" => {
            let replace = parse_replace(verb, line, first_arg, place)?;
            file.replace.push(replace);
        }
        unknown => {
            return Err(Problem::plain(
                RuleErrorKind::UnknownDirective,
                format!("unknown directive: {unknown}"),
            ));
        }
    }
    Ok(())
}

/// The only argument of a line, or the usage error `message`.
fn single_arg<'a>(line: &'a Line, first_arg: usize, message: &str) -> Result<&'a str, Problem> {
    match line.tokens.get(first_arg..) {
        Some([only]) => Ok(only.text.as_str()),
        _ => Err(Problem::plain(RuleErrorKind::Usage, message)),
    }
}

/// The `toolchain` argument, checked against go's `ToolchainRE`.
fn parse_toolchain(line: &Line, first_arg: usize) -> Result<String, Problem> {
    let name = single_arg(
        line,
        first_arg,
        "toolchain directive expects exactly one argument",
    )?;
    if !is_valid_toolchain(name) {
        return Err(Problem::plain(
            RuleErrorKind::Toolchain,
            format!("invalid toolchain version '{name}': must match format go1.23.0 or default"),
        )
        .at(first_arg));
    }
    Ok(name.to_owned())
}

/// A `godebug key=value` argument, split at the first `=`.
fn parse_godebug(line: &Line, first_arg: usize) -> Result<(String, String), Problem> {
    let usage = || Problem::plain(RuleErrorKind::Usage, "usage: godebug key=value");
    let setting = single_arg(line, first_arg, "usage: godebug key=value")?;
    if setting.contains(['"', '`', '\'', ',']) {
        return Err(usage());
    }
    let (key, value) = setting.split_once('=').ok_or_else(usage)?;
    Ok((key.to_owned(), value.to_owned()))
}

/// The single (string-decoded) path argument of a `tool` or `ignore` line.
fn parse_single_path(line: &mut Line, first_arg: usize, usage: &str) -> Result<String, Problem> {
    if line.tokens.len().saturating_sub(first_arg) != 1 {
        return Err(Problem::plain(RuleErrorKind::Usage, usage));
    }
    parse_quoted_arg(line, first_arg)
}

/// Why go's `parseString` rejects a token.
enum StringProblem {
    /// `strconv.Unquote` failed.
    BadQuotes,
    /// An unquoted token holds a quote character.
    StrayQuote,
}

impl fmt::Display for StringProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StringProblem::BadQuotes => "invalid syntax",
            StringProblem::StrayQuote => "unquoted string cannot contain quote",
        })
    }
}

/// go's `parseString`: decodes a token (a Go string literal when it starts with `"`), and
/// rewrites the token to its auto-quoted form. Returns the decoded text (an invalid byte as
/// U+FFFD); on error the token is left as it was.
fn decode_token(token: &mut Token) -> Result<String, StringProblem> {
    if token.text.starts_with('"') {
        let decoded = unquote(&token.text).map_err(|_| StringProblem::BadQuotes)?;
        token.text = String::from_utf8_lossy(&auto_quote_bytes(&decoded)).into_owned();
        return Ok(match String::from_utf8(decoded) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        });
    }
    if token.text.contains(['"', '\'', '`']) {
        return Err(StringProblem::StrayQuote);
    }
    // An unquoted token is its own value, rewritten only when go would quote it.
    let decoded = token.text.clone();
    if must_quote(&decoded) {
        token.text = quote(&decoded);
    }
    Ok(decoded)
}

/// [`decode_token`] on argument `index`, with go's `invalid quoted string: …` error.
fn parse_quoted_arg(line: &mut Line, index: usize) -> Result<String, Problem> {
    let Some(token) = line.tokens.get_mut(index) else {
        return Err(Problem::plain(
            RuleErrorKind::QuotedString,
            "invalid quoted string: invalid syntax",
        ));
    };
    decode_token(token).map_err(|problem| {
        Problem::plain(
            RuleErrorKind::QuotedString,
            format!("invalid quoted string: {problem}"),
        )
        .at(index)
    })
}

/// A `version "X" invalid: REASON` problem reported with `VERB PATH: ` in front.
fn invalid_version(verb: &str, path: &str, version: &str, reason: String) -> Problem {
    let error = InvalidVersionError {
        version: version.to_owned(),
        pseudo: false,
        problem: VersionProblem::Other(reason),
    };
    Problem::directive(RuleErrorKind::Version, verb, path, error.to_string())
}

/// go's `parseVersion` with a nil fixer: decodes the token, requires a version that
/// `module.CanonicalVersion` accepts, and rewrites the token to the canonical version.
fn parse_version(verb: &str, path: &str, line: &mut Line, index: usize) -> Result<String, Problem> {
    let Some(token) = line.tokens.get_mut(index) else {
        return Err(invalid_version(verb, path, "", "invalid syntax".to_owned()));
    };
    let decoded = decode_token(token).map_err(|problem| {
        invalid_version(verb, path, &token.text, problem.to_string()).at(index)
    })?;
    let canonical = module_canonical_version(&decoded);
    if canonical.is_empty() {
        return Err(invalid_version(
            verb,
            path,
            &decoded,
            "must be of the form v1.2.3".to_owned(),
        )
        .at(index));
    }
    if token.text != canonical {
        token.text.clone_from(&canonical);
    }
    Ok(canonical)
}

/// go's `parseVersion` for retractions, whose fixer leaves versions as written: decodes the
/// token and rewrites it to the decoded text (unquoted, not re-quoted).
fn parse_retract_version(verb: &str, line: &mut Line, index: usize) -> Result<String, Problem> {
    let Some(token) = line.tokens.get_mut(index) else {
        return Err(invalid_version(verb, "", "", "invalid syntax".to_owned()));
    };
    let decoded = decode_token(token)
        .map_err(|problem| invalid_version(verb, "", &token.text, problem.to_string()).at(index))?;
    token.text.clone_from(&decoded);
    Ok(decoded)
}

/// go's `parseVersionInterval`: `VERSION` or `[ LOW , HIGH ]`. Returns the bounds and the index
/// of the first token after the interval.
fn parse_retract_interval(
    verb: &str,
    line: &mut Line,
    first_arg: usize,
) -> Result<(String, String, usize), Problem> {
    let text_at =
        |line: &Line, index: usize| line.tokens.get(index).map(|token| token.text.clone());
    let mut index = first_arg;
    match text_at(line, index).as_deref() {
        None | Some("(") => {
            return Err(
                Problem::plain(RuleErrorKind::Retraction, "expected '[' or version").at(index),
            );
        }
        Some("[") => {}
        Some(_) => {
            let version = parse_retract_version(verb, line, index)?;
            return Ok((version.clone(), version, index + 1));
        }
    }
    index += 1;
    if text_at(line, index).is_none() {
        return Err(Problem::plain(
            RuleErrorKind::Retraction,
            "expected version after '['",
        ));
    }
    let low = parse_retract_version(verb, line, index)?;
    index += 1;
    if text_at(line, index).as_deref() != Some(",") {
        return Err(
            Problem::plain(RuleErrorKind::Retraction, "expected ',' after version").at(index),
        );
    }
    index += 1;
    if text_at(line, index).is_none() {
        return Err(Problem::plain(
            RuleErrorKind::Retraction,
            "expected version after ','",
        ));
    }
    let high = parse_retract_version(verb, line, index)?;
    index += 1;
    if text_at(line, index).as_deref() != Some("]") {
        return Err(
            Problem::plain(RuleErrorKind::Retraction, "expected ']' after version").at(index),
        );
    }
    Ok((low, high, index + 1))
}

/// go's `modulePathMajor`: the major version suffix of a path, `None` when it is malformed.
fn module_path_major(path: &str) -> Option<&str> {
    split_path_version(path).map(|(_, major)| major)
}

/// The usage text go prints for a malformed `replace` line.
fn replace_usage(verb: &str) -> String {
    format!(
        "usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} module/path [v1.2.3] => ../local/directory"
    )
}

/// go's `parseReplace`: the four forms of `replace`, with the same checks in the same order.
fn parse_replace(
    verb: &str,
    line: &mut Line,
    first_arg: usize,
    place: LineRef,
) -> Result<Replace, Problem> {
    let arg_text = |line: &Line, offset: usize| {
        line.tokens
            .get(first_arg + offset)
            .map(|token| token.text.clone())
    };
    let arg_count = line.tokens.len().saturating_sub(first_arg);
    let arrow = if arg_count >= 2 && arg_text(line, 1).as_deref() == Some("=>") {
        1
    } else {
        2
    };
    if arg_count < arrow + 2
        || arg_count > arrow + 3
        || arg_text(line, arrow).as_deref() != Some("=>")
    {
        return Err(Problem::plain(RuleErrorKind::Usage, replace_usage(verb)));
    }
    let old_path = parse_quoted_arg(line, first_arg)?;
    let path_major = module_path_major(&old_path).ok_or_else(|| {
        Problem::directive(
            RuleErrorKind::ModulePath,
            verb,
            &old_path,
            "invalid module path",
        )
        .at(first_arg)
    })?;
    let mut old_version = String::new();
    if arrow == 2 {
        old_version = parse_version(verb, &old_path, line, first_arg + 1)?;
        check_path_major(&old_version, path_major).map_err(|error| {
            Problem::directive(
                RuleErrorKind::MajorVersion,
                verb,
                &old_path,
                error.to_string(),
            )
            .at(first_arg + 1)
        })?;
    }
    let new_index = first_arg + arrow + 1;
    let new_path = parse_quoted_arg(line, new_index)?;
    let mut new_version = String::new();
    if arg_count == arrow + 2 {
        if !is_directory_path(&new_path) {
            let message = if new_path.contains('@') {
                "replacement module must match format 'path version', not 'path@version'"
            } else {
                "replacement module without version must be directory path (rooted or starting with . or ..)"
            };
            return Err(Problem::plain(RuleErrorKind::Replacement, message).at(new_index));
        }
        if std::path::MAIN_SEPARATOR == '/' && new_path.contains('\\') {
            return Err(Problem::plain(
                RuleErrorKind::Replacement,
                "replacement directory appears to be Windows path (on a non-windows system)",
            )
            .at(new_index));
        }
    }
    if arg_count == arrow + 3 {
        new_version = parse_version(verb, &new_path, line, new_index + 1)?;
        if is_directory_path(&new_path) {
            return Err(Problem::plain(
                RuleErrorKind::Replacement,
                format!(
                    "replacement module directory path {} cannot have version",
                    quote(&new_path)
                ),
            )
            .at(new_index));
        }
    }
    Ok(Replace {
        old: ModuleVersion {
            path: old_path,
            version: old_version,
        },
        new: ModuleVersion {
            path: new_path,
            version: new_version,
        },
        syntax: place,
    })
}

/// go's `isIndirect`: the first suffix comment, `//` removed and split on white space, is exactly
/// `indirect`, or has at least two fields of which the first is `indirect;`.
pub fn is_indirect(line: &Line) -> bool {
    let Some(comment) = line.comments.suffix.first() else {
        return false;
    };
    let text = comment.token.strip_prefix("//").unwrap_or(&comment.token);
    let mut fields = text.split(is_space).filter(|f| !f.is_empty());
    matches!(
        (fields.next(), fields.next()),
        (Some("indirect"), None) | (Some("indirect;"), Some(_))
    )
}

/// go's `parseDirectiveComment` before joining: the text of the line's `before` and `suffix`
/// comments (or, when the line has none, its block's), `//` removed and trimmed; blank-line
/// markers skipped.
fn directive_comments(block_comments: Option<&Comments>, line: &Line) -> Vec<String> {
    let own = &line.comments;
    let comments = match block_comments {
        Some(block) if own.before.is_empty() && own.suffix.is_empty() => block,
        _ => own,
    };
    comments
        .before
        .iter()
        .chain(&comments.suffix)
        .filter_map(|comment: &Comment| comment.token.strip_prefix("//"))
        .map(|text| text.trim_matches(is_space).to_owned())
        .collect()
}

/// go's `parseDeprecation`: in the comment text (lines joined with newlines), the first paragraph
/// that starts with `Deprecated:`, without that prefix and the spaces after it.
fn deprecation(comment_lines: &[String]) -> String {
    const PREFIX: &str = "Deprecated:";
    let text = comment_lines.join("\n");
    // A paragraph starts at the beginning or after any "\n\n" (overlapping: "\n\n\n" starts
    // one after its first two newlines and one after its last two).
    let paragraph_starts = std::iter::once(0).chain(
        text.as_bytes()
            .windows(2)
            .enumerate()
            .filter(|(_, pair)| *pair == b"\n\n".as_slice())
            .map(|(index, _)| index + 2),
    );
    let mut candidates = paragraph_starts;
    let Some(start) = candidates.find(|&start| {
        text.get(start..)
            .is_some_and(|rest| rest.starts_with(PREFIX))
    }) else {
        return String::new();
    };
    let message = text
        .get(start + PREFIX.len()..)
        .unwrap_or("")
        .trim_start_matches(' ');
    match message.find("\n\n") {
        Some(end) => message.get(..end).unwrap_or("").to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(text: &str) -> Comment {
        Comment {
            start: Position::default(),
            token: text.to_owned(),
            suffix: false,
        }
    }

    #[test]
    fn deprecation_takes_the_first_paragraph_starting_with_the_prefix() {
        let lines = |texts: &[&str]| texts.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            deprecation(&lines(&[
                "Deprecated: use b instead.",
                "more text",
                "",
                "other"
            ])),
            "use b instead.\nmore text"
        );
        assert_eq!(deprecation(&lines(&["Deprecated:x"])), "x");
        assert_eq!(deprecation(&lines(&["Deprecated:"])), "");
        assert_eq!(deprecation(&lines(&["x Deprecated: y"])), "");
        assert_eq!(
            deprecation(&lines(&["intro", "", "Deprecated:   a", "b"])),
            "a\nb"
        );
        assert_eq!(deprecation(&lines(&["intro", "Deprecated: a"])), "");
        assert_eq!(deprecation(&lines(&["a", "", "", "Deprecated: x"])), "x");
    }

    fn parsed(text: &str, strict: bool) -> (FileSyntax, ModFile, Vec<RuleError>) {
        let mut syntax = crate::modfile::read::read(text.as_bytes(), "go.mod").unwrap();
        let (file, errors) = parse_gomod(&mut syntax, strict);
        (syntax, file, errors)
    }

    #[test]
    fn errors_keep_position_pieces_and_the_offending_token() {
        let text = "module m\nrequire (\n\ta.com/x v1.x\n\ta.com/c v2.0.0\n)\nreplace a\n";
        let (_, _, errors) = parsed(text, true);
        let lines: Vec<String> = errors
            .iter()
            .map(|e| e.display("go.mod").to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "go.mod:3:2: require a.com/x: version \"v1.x\" invalid: must be of the form v1.2.3",
                "go.mod:4:2: require a.com/c: version \"v2.0.0\" invalid: should be v0 or v1, not v2",
                "go.mod:6: usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory",
            ]
        );
        let first = &errors[0];
        assert_eq!(first.verb.as_deref(), Some("require"));
        assert_eq!(first.module_path.as_deref(), Some("a.com/x"));
        assert_eq!(&text[first.range.clone()], "v1.x");
        assert_eq!(
            first.to_string(),
            "require a.com/x: version \"v1.x\" invalid: must be of the form v1.2.3"
        );
        assert_eq!(&text[errors[2].range.clone()], "replace a");
        let kinds: Vec<RuleErrorKind> = errors.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                RuleErrorKind::Version,
                RuleErrorKind::MajorVersion,
                RuleErrorKind::Usage
            ]
        );
        assert_eq!(
            (errors[2].verb.clone(), errors[2].module_path.clone()),
            (None, None)
        );
    }

    #[test]
    fn entries_point_at_their_lines_and_tokens() {
        let text = "module m\n\nrequire (\n\t\"a.com/x\" v1 // indirect\n)\n";
        let (syntax, file, errors) = parsed(text, true);
        assert!(errors.is_empty());
        let require = &file.require[0];
        assert_eq!(
            require.module,
            ModuleVersion {
                path: "a.com/x".into(),
                version: "v1.0.0".into()
            }
        );
        assert!(require.indirect);
        assert_eq!(
            (require.syntax.statement, require.syntax.line),
            (1, Some(0))
        );
        assert_eq!(&text[require.syntax.range.clone()], "\"a.com/x\" v1");
        assert_eq!(&text[require.path_range.clone()], "\"a.com/x\"");
        assert_eq!(&text[require.version_range.clone()], "v1");
        // The tokens are rewritten as go rewrites them.
        let Statement::Block(block) = &syntax.statements[1] else {
            panic!("not a block")
        };
        let texts: Vec<&str> = block.lines[0]
            .tokens
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(texts, ["a.com/x", "v1.0.0"]);
    }

    #[test]
    fn lax_mode_ignores_main_module_directives_and_fixes_go_versions() {
        let text = "module m\ngo 1.18-beta\ntoolchain bad\nexclude bad\nfoo (\n)\nretract [\nretract v1.0.0 extra\n";
        let (syntax, file, errors) = parsed(text, false);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(file.go.as_ref().map(|go| go.version.as_str()), Some("1.18"));
        let Statement::Line(go_line) = &syntax.statements[1] else {
            panic!("not a line")
        };
        assert_eq!(go_line.tokens[1].text, "1.18");
        assert!(file.toolchain.is_none() && file.exclude.is_empty());
        assert_eq!(file.retract.len(), 1);
        assert_eq!(
            (file.retract[0].low.as_str(), file.retract[0].high.as_str()),
            ("v1.0.0", "v1.0.0")
        );

        let (_, _, strict_errors) = parsed(text, true);
        let messages: Vec<String> = strict_errors.iter().map(RuleError::text).collect();
        assert_eq!(
            messages,
            [
                "invalid go version '1.18-beta': must match format 1.23.0",
                "invalid toolchain version 'bad': must match format go1.23.0 or default",
                "usage: exclude module/path v1.2.3",
                "unknown block type: foo",
                "expected version after '['",
                "unexpected token after version: \"extra\"",
            ]
        );
    }

    #[test]
    fn sorting_and_dedup_keep_line_refs_in_step() {
        let text = "module m\n\nexclude a v1.0.0\n\nexclude (\n\tc v1.0.0\n\tb v1.0.0\n\ta v1.0.0\n)\n\nrequire (\n\tz v1.0.0\n\ty v1.0.0\n)\n";
        let (mut syntax, mut file, errors) = parsed(text, true);
        assert!(errors.is_empty());
        crate::modfile::sort::sort_gomod(&mut syntax, &mut file);
        let line_text = |line_ref: &LineRef| -> String {
            let line = match (&syntax.statements[line_ref.statement], line_ref.line) {
                (Statement::Line(line), None) => line,
                (Statement::Block(block), Some(index)) => &block.lines[index],
                _ => panic!("bad reference {line_ref:?}"),
            };
            line.tokens
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let excluded: Vec<String> = file.exclude.iter().map(|x| line_text(&x.syntax)).collect();
        assert_eq!(excluded, ["exclude a v1.0.0", "c v1.0.0", "b v1.0.0"]);
        let required: Vec<String> = file.require.iter().map(|x| line_text(&x.syntax)).collect();
        assert_eq!(required, ["z v1.0.0", "y v1.0.0"]);
        assert_eq!(file.require[0].syntax.line, Some(1));
    }

    #[test]
    fn indirect_marker_is_exact() {
        let line_with = |text: &str| Line {
            comments: Comments {
                suffix: vec![comment(text)],
                ..Comments::default()
            },
            start: Position::default(),
            tokens: Vec::new(),
            end: Position::default(),
            in_block: true,
        };
        for yes in [
            "// indirect",
            "//indirect",
            "// indirect; note",
            "//\tindirect  ",
        ] {
            assert!(is_indirect(&line_with(yes)), "{yes}");
        }
        for no in [
            "// indirect note",
            "// INDIRECT",
            "// indirect //x",
            "// c1 // indirect",
            "// indirect;",
        ] {
            assert!(!is_indirect(&line_with(no)), "{no}");
        }
    }
}
