//! Module paths as `golang.org/x/mod/module` sees them: validity checks with Go's exact error
//! text, major version suffixes, `!` case escaping for proxy URLs and cache paths, and
//! GOPRIVATE-style prefix glob matching; plus `modfile`'s directory path test for `replace`.

use std::fmt;

use crate::quote::{decode_first, quote, quote_rune};
use crate::semver;

/// Which of Go's three path checks an error came from; its `Display` is the word Go uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// `module.CheckPath`: a module path.
    Module,
    /// `module.CheckImportPath`: an import path.
    Import,
    /// `module.CheckFilePath`: a file path inside a module zip.
    File,
}

impl fmt::Display for PathKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathKind::Module => "module",
            PathKind::Import => "import",
            PathKind::File => "file",
        })
    }
}

/// Why a path is malformed; `Display` is Go's reason text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    /// The path is not valid UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The path is empty.
    #[error("empty string")]
    EmptyString,
    /// The path starts with `-` (module and import paths).
    #[error("leading dash")]
    LeadingDash,
    /// The path contains `//`.
    #[error("double slash")]
    DoubleSlash,
    /// The path ends with `/`.
    #[error("trailing slash")]
    TrailingSlash,
    /// An element between slashes is empty.
    #[error("empty path element")]
    EmptyPathElement,
    /// An element consists only of dots.
    #[error("invalid path element {}", quote(.0))]
    InvalidPathElement(String),
    /// An element of a module path starts with a dot.
    #[error("leading dot in path element")]
    LeadingDotInPathElement,
    /// An element ends with a dot.
    #[error("trailing dot in path element")]
    TrailingDotInPathElement,
    /// An element contains a character this kind of path does not allow.
    #[error("invalid char {}", quote_rune(*.0))]
    InvalidChar(char),
    /// The part of an element before its first dot is a reserved Windows device name.
    #[error("{} disallowed as path element component on Windows", quote(.0))]
    WindowsReservedName(String),
    /// An element's part before its first dot ends in `~` and digits (module and import paths).
    #[error("trailing tilde and digits in path element")]
    TrailingTildeAndDigits,
    /// A module path starts with `/`.
    #[error("leading slash")]
    LeadingSlash,
    /// The first element of a module path has no dot.
    #[error("missing dot in first path element")]
    MissingDotInFirstPathElement,
    /// A module path starts with `-`.
    #[error("leading dash in first path element")]
    LeadingDashInFirstPathElement,
    /// The first element of a module path has a character other than `a-z 0-9 - .`.
    #[error("invalid char {} in first path element", quote_rune(*.0))]
    InvalidCharInFirstPathElement(char),
    /// The module path has a malformed major version suffix (see [`split_path_version`]).
    #[error("invalid version")]
    InvalidVersion,
}

/// A malformed module, import or file path: `malformed module path "X": REASON`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {kind} path {}: {problem}", quote(.path))]
pub struct InvalidPathError {
    /// Which check failed.
    pub kind: PathKind,
    /// The path as given (bytes, since it may be invalid UTF-8).
    pub path: Vec<u8>,
    /// Why it is malformed.
    pub problem: PathProblem,
}

/// Why a version is invalid; `Display` is Go's reason text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionProblem {
    /// The major version does not match the path's major suffix.
    #[error("should be {expected}, not {actual}")]
    ShouldBe {
        /// What the path allows: `v0 or v1`, `v2`, ….
        expected: String,
        /// The version's major (`semver::major`, empty for an invalid version).
        actual: String,
    },
    /// The version is not usable as a file name element (`module.EscapeVersion`).
    #[error("disallowed version string")]
    DisallowedVersionString,
    /// The version is not a semantic version (`module.Check`).
    #[error("not a semantic version")]
    NotSemanticVersion,
    /// The text is not a pseudo-version.
    #[error("syntax error")]
    PseudoSyntax,
    /// The pseudo-version's timestamp is not a valid time.
    #[error("malformed time {}", quote(.0))]
    MalformedTime(String),
    /// A pseudo-version without base version carries build metadata.
    #[error("lacks base version, but has build metadata {}", quote(.0))]
    LacksBaseVersion(String),
    /// The pseudo-version's base would be below `vX.Y.0`.
    #[error("version before {0} would have negative patch number")]
    NegativePatch(String),
    /// Any other reason, for callers that build Go's other version messages
    /// (e.g. `must be of the form v1.2.3`).
    #[error("{0}")]
    Other(String),
}

/// Go's `module.InvalidVersionError`: `version "X" invalid: REASON` (or `pseudo-version …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {} invalid: {problem}", self.noun(), quote(.version))]
pub struct InvalidVersionError {
    /// The version as given.
    pub version: String,
    /// Whether the version was taken to be a pseudo-version (changes the noun).
    pub pseudo: bool,
    /// Why it is invalid.
    pub problem: VersionProblem,
}

impl InvalidVersionError {
    /// `version` or `pseudo-version`, as Go words it.
    pub fn noun(&self) -> &'static str {
        if self.pseudo {
            "pseudo-version"
        } else {
            "version"
        }
    }
}

/// The error of [`check`]: Go's `module.Check`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The module path is malformed.
    #[error(transparent)]
    Path(#[from] InvalidPathError),
    /// The version is invalid for the path: `PATH@VERSION: invalid version: REASON`.
    #[error("{path}@{}: invalid {}: {}", .error.version, .error.noun(), .error.problem)]
    Version {
        /// The module path.
        path: String,
        /// What is wrong with the version.
        error: InvalidVersionError,
    },
}

/// The error of [`escape_path`] and [`escape_version`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    /// The module path is malformed.
    #[error(transparent)]
    Path(#[from] InvalidPathError),
    /// The version cannot be escaped.
    #[error(transparent)]
    Version(#[from] InvalidVersionError),
    /// A version passed the file name check but has non-ASCII letters, which Go reports so.
    #[error("internal error: inconsistency in EscapePath")]
    Inconsistency,
}

/// The error of [`unescape_path`] and [`unescape_version`], worded as Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnescapeError {
    /// `invalid escaped module path "X"`, with the path check's error when unescaping worked.
    #[error("invalid escaped module path {}{}", quote(.escaped), cause_suffix(.cause.as_ref()))]
    Path {
        /// The escaped text.
        escaped: String,
        /// The module path check that failed on the unescaped text, if it got that far.
        cause: Option<InvalidPathError>,
    },
    /// `invalid escaped version "X"`, with the element check's reason when unescaping worked
    /// (then `text` is the unescaped version, as Go prints it).
    #[error("invalid escaped version {}{}", quote(.text), cause_suffix(.cause.as_ref()))]
    Version {
        /// The escaped text, or the unescaped version when `cause` is set.
        text: String,
        /// The file name check that failed on the unescaped version, if it got that far.
        cause: Option<PathProblem>,
    },
}

fn cause_suffix<E: fmt::Display>(cause: Option<&E>) -> String {
    cause.map_or_else(String::new, |cause| format!(": {cause}"))
}

/// Windows device names that may not begin a path element (case-insensitive).
const BAD_WINDOWS_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Characters allowed in module path elements.
fn module_path_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// Characters allowed in file path elements.
fn file_name_char_ok(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c);
    }
    crate::quote::is_letter(c)
}

/// Characters allowed in the first element of a module path.
fn first_element_char_ok(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'
}

/// The checks common to all three kinds of path.
fn check_common(path: &[u8], kind: PathKind) -> Result<&str, PathProblem> {
    let path = std::str::from_utf8(path).map_err(|_| PathProblem::InvalidUtf8)?;
    if path.is_empty() {
        return Err(PathProblem::EmptyString);
    }
    if path.starts_with('-') && kind != PathKind::File {
        return Err(PathProblem::LeadingDash);
    }
    if path.contains("//") {
        return Err(PathProblem::DoubleSlash);
    }
    if path.ends_with('/') {
        return Err(PathProblem::TrailingSlash);
    }
    for element in path.split('/') {
        check_element(element, kind)?;
    }
    Ok(path)
}

/// Go's `checkElem`: the rules for one slash-separated element.
fn check_element(element: &str, kind: PathKind) -> Result<(), PathProblem> {
    if element.is_empty() {
        return Err(PathProblem::EmptyPathElement);
    }
    if element.bytes().all(|b| b == b'.') {
        return Err(PathProblem::InvalidPathElement(element.to_owned()));
    }
    if element.starts_with('.') && kind == PathKind::Module {
        return Err(PathProblem::LeadingDotInPathElement);
    }
    if element.ends_with('.') {
        return Err(PathProblem::TrailingDotInPathElement);
    }
    let char_ok: fn(char) -> bool = match kind {
        PathKind::Module => module_path_char_ok,
        PathKind::Import => |c| module_path_char_ok(c) || c == '+',
        PathKind::File => file_name_char_ok,
    };
    if let Some(bad) = element.chars().find(|&c| !char_ok(c)) {
        return Err(PathProblem::InvalidChar(bad));
    }
    let short = element.split('.').next().unwrap_or(element);
    if BAD_WINDOWS_NAMES
        .iter()
        .any(|bad| bad.eq_ignore_ascii_case(short))
    {
        return Err(PathProblem::WindowsReservedName(short.to_owned()));
    }
    if kind == PathKind::File {
        return Ok(());
    }
    if let Some(tilde) = short.rfind('~') {
        let suffix = short.get(tilde + 1..).unwrap_or("");
        if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PathProblem::TrailingTildeAndDigits);
        }
    }
    Ok(())
}

fn module_path_problem(path: &[u8]) -> Result<(), PathProblem> {
    let path = check_common(path, PathKind::Module)?;
    let first = path.split('/').next().unwrap_or(path);
    if first.is_empty() {
        return Err(PathProblem::LeadingSlash);
    }
    if !first.contains('.') {
        return Err(PathProblem::MissingDotInFirstPathElement);
    }
    if path.starts_with('-') {
        return Err(PathProblem::LeadingDashInFirstPathElement);
    }
    if let Some(bad) = first.chars().find(|&c| !first_element_char_ok(c)) {
        return Err(PathProblem::InvalidCharInFirstPathElement(bad));
    }
    if split_path_version(path).is_none() {
        return Err(PathProblem::InvalidVersion);
    }
    Ok(())
}

fn path_error(kind: PathKind, path: &[u8], problem: PathProblem) -> InvalidPathError {
    InvalidPathError {
        kind,
        path: path.to_vec(),
        problem,
    }
}

/// Go's `module.CheckPath`: whether `path` is a valid module path.
///
/// Error text example: `malformed module path "X": missing dot in first path element`.
pub fn check_path<P: AsRef<[u8]> + ?Sized>(path: &P) -> Result<(), InvalidPathError> {
    let path = path.as_ref();
    module_path_problem(path).map_err(|problem| path_error(PathKind::Module, path, problem))
}

/// Go's `module.CheckImportPath`: whether `path` is a valid import path.
pub fn check_import_path<P: AsRef<[u8]> + ?Sized>(path: &P) -> Result<(), InvalidPathError> {
    let path = path.as_ref();
    check_common(path, PathKind::Import)
        .map(|_| ())
        .map_err(|problem| path_error(PathKind::Import, path, problem))
}

/// Go's `module.CheckFilePath`: whether `path` is a valid file path inside a module.
pub fn check_file_path<P: AsRef<[u8]> + ?Sized>(path: &P) -> Result<(), InvalidPathError> {
    let path = path.as_ref();
    check_common(path, PathKind::File)
        .map(|_| ())
        .map_err(|problem| path_error(PathKind::File, path, problem))
}

/// Go's `module.SplitPathVersion`: splits `path` into prefix and major version suffix
/// (`/v2`, or `.v2`/`.v2-unstable` for `gopkg.in/`), with `""` for no suffix. `None` when the
/// suffix is malformed (`/v0`, `/v1`, `/v01`, `/v2.0`; a `gopkg.in` path without `.vN`).
pub fn split_path_version(path: &str) -> Option<(&str, &str)> {
    if path.starts_with("gopkg.in/") {
        return split_gopkg_in(path);
    }
    let bytes = path.as_bytes();
    let mut start = bytes.len();
    let mut has_dot = false;
    while let Some(&b) = start.checked_sub(1).and_then(|i| bytes.get(i)) {
        if !(b.is_ascii_digit() || b == b'.') {
            break;
        }
        has_dot |= b == b'.';
        start -= 1;
    }
    let is_suffix = start > 1
        && start < bytes.len()
        && bytes.get(start - 1) == Some(&b'v')
        && bytes.get(start - 2) == Some(&b'/');
    if !is_suffix {
        return Some((path, ""));
    }
    let (prefix, path_major) = path.split_at(start - 2);
    if has_dot || path_major.as_bytes().get(2) == Some(&b'0') || path_major == "/v1" {
        return None;
    }
    Some((prefix, path_major))
}

fn split_gopkg_in(path: &str) -> Option<(&str, &str)> {
    let bytes = path.as_bytes();
    let mut start = bytes.len();
    if path.ends_with("-unstable") {
        start -= "-unstable".len();
    }
    while let Some(&b) = start.checked_sub(1).and_then(|i| bytes.get(i)) {
        if !b.is_ascii_digit() {
            break;
        }
        start -= 1;
    }
    if start <= 1 || bytes.get(start - 1) != Some(&b'v') || bytes.get(start - 2) != Some(&b'.') {
        return None;
    }
    let (prefix, path_major) = path.split_at(start - 2);
    if path_major.len() <= 2 || (path_major.as_bytes().get(2) == Some(&b'0') && path_major != ".v0")
    {
        return None;
    }
    Some((prefix, path_major))
}

/// Go's `module.CheckPathMajor`: whether `version` suits a path whose major suffix (from
/// [`split_path_version`]) is `path_major`.
///
/// Error text example: `version "v2.0.0" invalid: should be v0 or v1, not v2`.
pub fn check_path_major(version: &str, path_major: &str) -> Result<(), InvalidVersionError> {
    let path_major = match path_major.strip_suffix("-unstable") {
        Some(stable) if path_major.starts_with(".v") => stable,
        _ => path_major,
    };
    if version.starts_with("v0.0.0-") && path_major == ".v1" {
        return Ok(());
    }
    let version_major = semver::major(version);
    let expected = if path_major.is_empty() {
        if version_major == "v0"
            || version_major == "v1"
            || semver::build(version) == "+incompatible"
        {
            return Ok(());
        }
        "v0 or v1"
    } else if let Some(suffix) = path_major
        .strip_prefix('/')
        .or_else(|| path_major.strip_prefix('.'))
    {
        if version_major == suffix {
            return Ok(());
        }
        suffix
    } else {
        path_major
    };
    Err(InvalidVersionError {
        version: version.to_owned(),
        pseudo: false,
        problem: VersionProblem::ShouldBe {
            expected: expected.to_owned(),
            actual: version_major.to_owned(),
        },
    })
}

/// Go's `module.MatchPathMajor`: [`check_path_major`] as a boolean.
pub fn match_path_major(version: &str, path_major: &str) -> bool {
    check_path_major(version, path_major).is_ok()
}

/// Go's `module.PathMajorPrefix`: the major version a suffix requires (`/v2` → `v2`,
/// `.v1-unstable` → `v1`, `""` → `""`); `None` for text that is not a suffix (Go panics).
pub fn path_major_prefix(path_major: &str) -> Option<&str> {
    if path_major.is_empty() {
        return Some("");
    }
    let path_major = match path_major.strip_suffix("-unstable") {
        Some(stable) if path_major.starts_with(".v") => stable,
        _ => path_major,
    };
    let major = path_major
        .strip_prefix('/')
        .or_else(|| path_major.strip_prefix('.'))?;
    (semver::major(major) == major).then_some(major)
}

/// Go's `module.Check`: `path` is a valid module path and `version` a semantic version whose
/// major matches the path's suffix.
pub fn check(path: &str, version: &str) -> Result<(), CheckError> {
    check_path(path)?;
    let version_error = |problem| CheckError::Version {
        path: path.to_owned(),
        error: InvalidVersionError {
            version: version.to_owned(),
            pseudo: false,
            problem,
        },
    };
    if !semver::is_valid(version) {
        return Err(version_error(VersionProblem::NotSemanticVersion));
    }
    let path_major = split_path_version(path).map_or("", |(_, path_major)| path_major);
    check_path_major(version, path_major).map_err(|error| CheckError::Version {
        path: path.to_owned(),
        error,
    })
}

/// Replaces each ASCII capital with `!` and its lowercase letter.
fn escape_capitals(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Go's `module.EscapePath`: the case-escaped form of a module path for proxy URLs and the
/// module cache (`github.com/Azure/SDK` → `github.com/!azure/!s!d!k`). The path must pass
/// [`check_path`].
pub fn escape_path(path: &str) -> Result<String, EscapeError> {
    check_path(path)?;
    Ok(escape_capitals(path))
}

/// Go's `module.EscapeVersion`: the case-escaped form of a version (`v1.0.0-RC1` →
/// `v1.0.0-!r!c1`). The version must be a valid file name element without `!`, else
/// `version "X" invalid: disallowed version string`.
pub fn escape_version(version: &str) -> Result<String, EscapeError> {
    if check_element(version, PathKind::File).is_err() || version.contains('!') {
        return Err(EscapeError::Version(InvalidVersionError {
            version: version.to_owned(),
            pseudo: false,
            problem: VersionProblem::DisallowedVersionString,
        }));
    }
    if !version.is_ascii() {
        return Err(EscapeError::Inconsistency);
    }
    Ok(escape_capitals(version))
}

/// Undoes `!` escaping; `None` for non-ASCII, capitals, `!` not followed by `a`-`z`, or a
/// trailing `!`.
fn unescape_capitals(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut bang = false;
    for c in escaped.chars() {
        if !c.is_ascii() {
            return None;
        }
        if bang {
            bang = false;
            if !c.is_ascii_lowercase() {
                return None;
            }
            out.push(c.to_ascii_uppercase());
            continue;
        }
        if c == '!' {
            bang = true;
            continue;
        }
        if c.is_ascii_uppercase() {
            return None;
        }
        out.push(c);
    }
    (!bang).then_some(out)
}

/// Go's `module.UnescapePath`: the module path an escaped path stands for, which must pass
/// [`check_path`].
pub fn unescape_path(escaped: &str) -> Result<String, UnescapeError> {
    let Some(path) = unescape_capitals(escaped) else {
        return Err(UnescapeError::Path {
            escaped: escaped.to_owned(),
            cause: None,
        });
    };
    match check_path(&path) {
        Ok(()) => Ok(path),
        Err(cause) => Err(UnescapeError::Path {
            escaped: escaped.to_owned(),
            cause: Some(cause),
        }),
    }
}

/// Go's `module.UnescapeVersion`: the version an escaped version stands for, which must be a
/// valid file name element.
pub fn unescape_version(escaped: &str) -> Result<String, UnescapeError> {
    let Some(version) = unescape_capitals(escaped) else {
        return Err(UnescapeError::Version {
            text: escaped.to_owned(),
            cause: None,
        });
    };
    match check_element(&version, PathKind::File) {
        Ok(()) => Ok(version),
        Err(cause) => Err(UnescapeError::Version {
            text: version,
            cause: Some(cause),
        }),
    }
}

/// Go's `path.ErrBadPattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPatternError;

/// Go's `path.Match`: shell pattern matching where `*` and `?` never match `/`, with `[...]`
/// classes (`^` negates, `a-z` ranges) and `\` escapes. A malformed pattern is an error, but only
/// when the matcher gets to the malformed part, as in Go.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPatternError> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` matches the rest of the name unless it crosses a slash.
            return Ok(!name.contains(&b'/'));
        }
        let first_try = match_chunk(chunk, name);
        if let Ok(Some(after)) = first_try
            && (after.is_empty() || !pattern.is_empty())
        {
            name = after;
            continue;
        }
        first_try?;
        if star {
            // Let the star swallow more of the name, one byte at a time, never a slash.
            let mut skipped = 0;
            while let Some(&b) = name.get(skipped) {
                if b == b'/' {
                    break;
                }
                let later = name.get(skipped + 1..).unwrap_or_default();
                match match_chunk(chunk, later)? {
                    Some(after) if pattern.is_empty() && !after.is_empty() => {}
                    Some(after) => {
                        name = after;
                        continue 'chunks;
                    }
                    None => {}
                }
                skipped += 1;
            }
        }
        // No match: still report a malformed remainder of the pattern, as Go does.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits the pattern into leading stars, the chunk up to the next unbracketed star, and the rest.
fn scan_chunk(pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let stars = pattern.iter().take_while(|&&b| b == b'*').count();
    let pattern = pattern.get(stars..).unwrap_or_default();
    let mut in_range = false;
    let mut i = 0;
    while let Some(&b) = pattern.get(i) {
        match b {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => {
                let (chunk, rest) = pattern.split_at(i);
                return (stars > 0, chunk, rest);
            }
            _ => {}
        }
        i += 1;
    }
    (stars > 0, pattern, b"")
}

/// Matches one star-free chunk against the start of `s`: `Some(rest of s)` on a match.
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> Result<Option<&'a [u8]>, BadPatternError> {
    let mut failed = false;
    while let Some((&first, after_first)) = chunk.split_first() {
        failed = failed || s.is_empty();
        match first {
            b'[' => {
                let mut rune = '\0';
                if !failed {
                    let (step, width) = decode_first(s).ok_or(BadPatternError)?;
                    rune = step.rune();
                    s = s.get(width..).unwrap_or_default();
                }
                chunk = after_first;
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = chunk.get(1..).unwrap_or_default();
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = chunk.get(1..).unwrap_or_default();
                        break;
                    }
                    let (low, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut high = low;
                    if chunk.first() == Some(&b'-') {
                        let (upper, rest) = class_char(chunk.get(1..).unwrap_or_default())?;
                        high = upper;
                        chunk = rest;
                    }
                    matched = matched || (low <= rune && rune <= high);
                    ranges += 1;
                }
                failed = failed || matched == negated;
            }
            b'?' => {
                if !failed {
                    failed = s.first() == Some(&b'/');
                    let (_, width) = decode_first(s).ok_or(BadPatternError)?;
                    s = s.get(width..).unwrap_or_default();
                }
                chunk = after_first;
            }
            _ => {
                let literal = if first == b'\\' {
                    chunk = after_first;
                    *chunk.first().ok_or(BadPatternError)?
                } else {
                    first
                };
                if !failed {
                    failed = s.first() != Some(&literal);
                    s = s.get(1..).unwrap_or_default();
                }
                chunk = chunk.get(1..).unwrap_or_default();
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

/// Reads one possibly escaped character of a `[...]` class; it must be followed by more pattern.
fn class_char(chunk: &[u8]) -> Result<(char, &[u8]), BadPatternError> {
    let chunk = match chunk.first() {
        None | Some(b'-' | b']') => return Err(BadPatternError),
        Some(b'\\') => chunk.get(1..).unwrap_or_default(),
        Some(_) => chunk,
    };
    let (step, width) = decode_first(chunk).ok_or(BadPatternError)?;
    let crate::quote::Decoded::Char(c) = step else {
        return Err(BadPatternError);
    };
    let rest = chunk.get(width..).unwrap_or_default();
    if rest.is_empty() {
        return Err(BadPatternError);
    }
    Ok((c, rest))
}

/// Go's `module.MatchPrefixPatterns`: whether `target` or one of its path prefixes matches one
/// of the comma-separated `globs` (GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE).
///
/// Entries are not trimmed; empty entries are skipped; a trailing `/` is removed. A pattern with
/// N slashes is matched with [`path_match`] against the first N+1 elements of `target`.
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    globs.split(',').any(|glob| {
        let glob = glob.strip_suffix('/').unwrap_or(glob);
        if glob.is_empty() {
            return false;
        }
        let slashes = glob.bytes().filter(|&b| b == b'/').count();
        let mut elements = target.match_indices('/');
        let prefix = match elements.nth(slashes) {
            Some((end, _)) => target.get(..end).unwrap_or(target),
            None if target.matches('/').count() == slashes => target,
            None => return false,
        };
        path_match(glob, prefix).unwrap_or(false)
    })
}

/// `modfile.IsDirectoryPath`: whether a `replace` target is a directory rather than a module
/// path. Both Unix and Windows syntaxes count (`./x`, `.\x`, `..`, `/x`, `\x`, `C:…`), because
/// go.mod files move between systems.
pub fn is_directory_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    path == "."
        || path.starts_with("./")
        || path.starts_with(".\\")
        || path == ".."
        || path.starts_with("../")
        || path.starts_with("..\\")
        || path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2
            && bytes.first().is_some_and(u8::is_ascii_alphabetic)
            && bytes.get(1) == Some(&b':'))
}

/// Whether a `replace` directory target contains a backslash, which `modfile` on a non-Windows
/// system reports as `replacement directory appears to be Windows path (on a non-windows
/// system)`.
pub fn has_windows_separator(path: &str) -> bool {
    path.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_error(path: &str) -> String {
        check_path(path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn module_path_messages() {
        let cases = [
            ("example.com/m", ""),
            ("example.com/M", ""),
            ("example.com/a..b", ""),
            ("example.com/a_b~c", ""),
            ("example.com/v2", ""),
            ("gopkg.in/yaml.v2", ""),
            (
                "Example.com/m",
                r#"malformed module path "Example.com/m": invalid char 'E' in first path element"#,
            ),
            (
                "example.com:8080/m",
                r#"malformed module path "example.com:8080/m": invalid char ':'"#,
            ),
            (
                "localhost/m",
                r#"malformed module path "localhost/m": missing dot in first path element"#,
            ),
            (
                "example.com/a+b",
                r#"malformed module path "example.com/a+b": invalid char '+'"#,
            ),
            ("", r#"malformed module path "": empty string"#),
            ("-x.com", r#"malformed module path "-x.com": leading dash"#),
            (
                "x.com//a",
                r#"malformed module path "x.com//a": double slash"#,
            ),
            (
                "x.com/",
                r#"malformed module path "x.com/": trailing slash"#,
            ),
            (
                "/x.com",
                r#"malformed module path "/x.com": empty path element"#,
            ),
            (
                "x.com/..",
                r#"malformed module path "x.com/..": invalid path element "..""#,
            ),
            (
                "x.com/.a",
                r#"malformed module path "x.com/.a": leading dot in path element"#,
            ),
            (
                "x.com/a.",
                r#"malformed module path "x.com/a.": trailing dot in path element"#,
            ),
            (
                "x.com/Con.txt",
                r#"malformed module path "x.com/Con.txt": "Con" disallowed as path element component on Windows"#,
            ),
            (
                "x.com/lpt9",
                r#"malformed module path "x.com/lpt9": "lpt9" disallowed as path element component on Windows"#,
            ),
            (
                "x.com/a~1",
                r#"malformed module path "x.com/a~1": trailing tilde and digits in path element"#,
            ),
            (
                "x.com/a~1.b",
                r#"malformed module path "x.com/a~1.b": trailing tilde and digits in path element"#,
            ),
            ("x.com/a~", ""),
            ("x.com/a~b1", ""),
            (
                "x_y.com/m",
                r#"malformed module path "x_y.com/m": invalid char '_' in first path element"#,
            ),
            (
                "x.com/é",
                r#"malformed module path "x.com/é": invalid char 'é'"#,
            ),
            (
                "x.com/v1",
                r#"malformed module path "x.com/v1": invalid version"#,
            ),
            (
                "x.com/v0",
                r#"malformed module path "x.com/v0": invalid version"#,
            ),
            (
                "x.com/v02",
                r#"malformed module path "x.com/v02": invalid version"#,
            ),
            (
                "x.com/v2.0",
                r#"malformed module path "x.com/v2.0": invalid version"#,
            ),
            (
                "gopkg.in/yaml",
                r#"malformed module path "gopkg.in/yaml": invalid version"#,
            ),
        ];
        for (path, want) in cases {
            assert_eq!(module_error(path), want, "check_path({path:?})");
        }
        let invalid_utf8 = check_path(b"x.com/\xff".as_slice())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            invalid_utf8.as_deref(),
            Some(r#"malformed module path "x.com/\xff": invalid UTF-8"#)
        );
    }

    #[test]
    fn import_and_file_paths() {
        assert!(check_import_path("example.com/a+b").is_ok());
        assert!(check_import_path("localhost/m").is_ok());
        assert!(check_import_path(".x/y").is_ok());
        assert_eq!(
            check_import_path("a/b c")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(r#"malformed import path "a/b c": invalid char ' '"#)
        );
        assert_eq!(
            check_import_path("a/x~12")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(r#"malformed import path "a/x~12": trailing tilde and digits in path element"#)
        );
        assert!(check_file_path("-dir/a b(1)!.go").is_ok());
        assert!(check_file_path("x/x~12").is_ok());
        assert!(check_file_path("é/世.go").is_ok());
        assert_eq!(
            check_file_path("a/b:c")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(r#"malformed file path "a/b:c": invalid char ':'"#)
        );
        assert_eq!(
            check_file_path("a/aux")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(
                r#"malformed file path "a/aux": "aux" disallowed as path element component on Windows"#
            )
        );
    }

    #[test]
    fn major_version_suffixes() {
        let cases = [
            ("example.com/m", Some(("example.com/m", ""))),
            ("example.com/m/v2", Some(("example.com/m", "/v2"))),
            ("example.com/m/v10", Some(("example.com/m", "/v10"))),
            ("example.com/m/v1", None),
            ("example.com/m/v0", None),
            ("example.com/m/v01", None),
            ("example.com/m/v2.0", None),
            ("example.com/m/vx", Some(("example.com/m/vx", ""))),
            ("example.com/m/v", Some(("example.com/m/v", ""))),
            ("example.com/mv2", Some(("example.com/mv2", ""))),
            ("v2", Some(("v2", ""))),
            ("/v2", Some(("", "/v2"))),
            ("a/v2", Some(("a", "/v2"))),
            ("gopkg.in/yaml.v2", Some(("gopkg.in/yaml", ".v2"))),
            ("gopkg.in/yaml.v0", Some(("gopkg.in/yaml", ".v0"))),
            ("gopkg.in/yaml.v1", Some(("gopkg.in/yaml", ".v1"))),
            (
                "gopkg.in/yaml.v2-unstable",
                Some(("gopkg.in/yaml", ".v2-unstable")),
            ),
            ("gopkg.in/yaml.v01", None),
            ("gopkg.in/yaml.v", None),
            ("gopkg.in/yaml", None),
            ("gopkg.in/v2", None),
            (
                "gopkg.in/yaml.v-unstable",
                Some(("gopkg.in/yaml", ".v-unstable")),
            ),
        ];
        for (path, want) in cases {
            assert_eq!(
                split_path_version(path),
                want,
                "split_path_version({path:?})"
            );
        }
    }

    #[test]
    fn path_major_messages() {
        let error = |version, path_major| {
            check_path_major(version, path_major)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            error("v2.0.0", ""),
            r#"version "v2.0.0" invalid: should be v0 or v1, not v2"#
        );
        assert_eq!(
            error("v1.0.0", "/v2"),
            r#"version "v1.0.0" invalid: should be v2, not v1"#
        );
        assert_eq!(
            error("v3.0.0", ".v2"),
            r#"version "v3.0.0" invalid: should be v2, not v3"#
        );
        assert_eq!(
            error("bad", "/v2"),
            r#"version "bad" invalid: should be v2, not "#
        );
        assert_eq!(error("v2.0.0+incompatible", ""), "");
        assert_eq!(error("v1.5.0", ""), "");
        assert_eq!(error("v0.0.0-20230102030405-abcdef123456", ".v1"), "");
        assert_eq!(error("v0.0.0-x", ".v1-unstable"), "");
        assert_eq!(error("v2.1.0", ".v2-unstable"), "");
        assert_eq!(error("v2.0.0+incompatible", "/v2"), "");
        assert_eq!(
            error("v3.0.0+incompatible", "/v2"),
            r#"version "v3.0.0+incompatible" invalid: should be v2, not v3"#
        );
        assert!(match_path_major("v2.0.0", "/v2"));
        assert!(!match_path_major("v2.0.0", ""));
        assert_eq!(path_major_prefix("/v2"), Some("v2"));
        assert_eq!(path_major_prefix(".v1-unstable"), Some("v1"));
        assert_eq!(path_major_prefix(""), Some(""));
        assert_eq!(path_major_prefix("v2"), None);
        assert_eq!(path_major_prefix("/v2.1"), None);
    }

    #[test]
    fn check_messages() {
        let error = |path, version| {
            check(path, version)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            error("a.com/x", "v2.0.0"),
            "a.com/x@v2.0.0: invalid version: should be v0 or v1, not v2"
        );
        assert_eq!(
            error("a.com/x", "2.0.0"),
            "a.com/x@2.0.0: invalid version: not a semantic version"
        );
        assert_eq!(error("a.com/x/v2", "v2.0.0"), "");
        assert_eq!(
            error("a", "v1.0.0"),
            r#"malformed module path "a": missing dot in first path element"#
        );
    }

    #[test]
    fn case_escaping() {
        assert_eq!(
            escape_path("github.com/Azure/SDK").ok().as_deref(),
            Some("github.com/!azure/!s!d!k")
        );
        assert_eq!(
            escape_path("example.com/m").ok().as_deref(),
            Some("example.com/m")
        );
        assert_eq!(
            escape_path("Example.com")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some(r#"malformed module path "Example.com": invalid char 'E' in first path element"#)
        );
        assert_eq!(
            escape_version("v1.0.0-RC1").ok().as_deref(),
            Some("v1.0.0-!r!c1")
        );
        for bad in ["v1!", "", "v1/x", "..", "v1:0", "v1."] {
            assert_eq!(
                escape_version(bad).err().map(|e| e.to_string()),
                Some(format!(
                    "version {} invalid: disallowed version string",
                    quote(bad)
                )),
                "escape_version({bad:?})"
            );
        }
        assert_eq!(escape_version("vé"), Err(EscapeError::Inconsistency));
        assert_eq!(
            unescape_path("github.com/!azure/!s!d!k").ok().as_deref(),
            Some("github.com/Azure/SDK")
        );
        let unescape_path_error = |s| {
            unescape_path(s)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            unescape_path_error("github.com/Azure"),
            r#"invalid escaped module path "github.com/Azure""#
        );
        assert_eq!(
            unescape_path_error("a.com/x!"),
            r#"invalid escaped module path "a.com/x!""#
        );
        assert_eq!(
            unescape_path_error("a.com/!1"),
            r#"invalid escaped module path "a.com/!1""#
        );
        assert_eq!(
            unescape_path_error("a.com/é"),
            r#"invalid escaped module path "a.com/é""#
        );
        assert_eq!(
            unescape_path_error("!a.com/x"),
            r#"invalid escaped module path "!a.com/x": malformed module path "A.com/x": invalid char 'A' in first path element"#
        );
        assert_eq!(
            unescape_version("v1.0.0-!r!c1").ok().as_deref(),
            Some("v1.0.0-RC1")
        );
        let unescape_version_error = |s| {
            unescape_version(s)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            unescape_version_error("v1.0.0-RC1"),
            r#"invalid escaped version "v1.0.0-RC1""#
        );
        assert_eq!(
            unescape_version_error("!c!o!n"),
            r#"invalid escaped version "CON": "CON" disallowed as path element component on Windows"#
        );
        assert_eq!(
            unescape_version_error("v1/x"),
            r#"invalid escaped version "v1/x": invalid char '/'"#
        );
    }

    #[test]
    fn glob_matching() {
        let cases = [
            ("example.com", "example.com/a/b", true),
            ("example.com", "example.com", true),
            ("*.corp.com", "git.corp.com/x", true),
            ("*.corp.com", "corp.com/x", false),
            ("example.com/a", "example.com/ab", false),
            ("example.com/a", "example.com/a/b", true),
            ("example.com/*", "example.com", false),
            ("example.com/*", "example.com/x/y", true),
            ("a.com, b.com", "b.com/x", false),
            ("a.com,b.com", "b.com/x", true),
            ("a.com,,", "a.com", true),
            ("", "a.com", false),
            (",", "a.com", false),
            ("example.com/", "example.com/x", true),
            ("ex?mple.com", "example.com", true),
            ("ex[a-c]mple.com", "example.com", true),
            ("ex[^a]mple.com", "example.com", false),
            ("ex[", "ex", false),
            ("*", "anything/at/all", true),
            ("*/*", "a", false),
            ("a\\.com", "a.com", true),
            ("[", "[", false),
        ];
        for (globs, target, want) in cases {
            assert_eq!(
                match_prefix_patterns(globs, target),
                want,
                "match_prefix_patterns({globs:?}, {target:?})"
            );
        }
    }

    #[test]
    fn path_match_errors() {
        assert_eq!(path_match("[", "a"), Err(BadPatternError));
        assert_eq!(path_match("a[", "b"), Err(BadPatternError));
        assert_eq!(path_match("a[", "a"), Err(BadPatternError));
        assert_eq!(path_match("*x[", "ab"), Err(BadPatternError));
        assert_eq!(path_match("a\\", "a"), Err(BadPatternError));
        assert_eq!(path_match("[]a]", "]"), Err(BadPatternError));
        assert_eq!(path_match("[-]", "-"), Err(BadPatternError));
        assert_eq!(path_match("[\\]]", "]"), Ok(true));
        assert_eq!(path_match("a*b*c", "axxbyyc"), Ok(true));
        assert_eq!(path_match("a*", "ab/c"), Ok(false));
        assert_eq!(path_match("?", "/"), Ok(false));
        assert_eq!(path_match("?", "é"), Ok(true));
        assert_eq!(BadPatternError.to_string(), "syntax error in pattern");
    }

    #[test]
    fn directory_paths() {
        for yes in [
            ".", "./x", ".\\x", "..", "../x", "..\\x", "/x", "\\x", "C:", "c:\\x", "z:/",
        ] {
            assert!(is_directory_path(yes), "{yes:?}");
        }
        for no in [
            "",
            "x",
            ".x",
            "...",
            "..x",
            "example.com/m",
            "1:",
            "é:",
            "C",
        ] {
            assert!(!is_directory_path(no), "{no:?}");
        }
        assert!(has_windows_separator("..\\x"));
        assert!(!has_windows_separator("../x"));
    }
}
