//! Checking module zips as the go command does (`x/mod/zip`), without ever extracting them.
//!
//! [`check_zip`] lists which entries Go accepts and why it rejects the others; [`verify_zip`] runs
//! every check the go command applies to a downloaded zip (including declared versus actual sizes)
//! and returns the zip's `h1:` hash, reading each entry once. [`check_files`] is the file-list
//! check that decides what goes into a zip Go creates. Error texts are Go's, byte for byte.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Seek};

use crate::dirhash::{self, HashError};
use gomodls_syntax::go_version;
use gomodls_syntax::module_path;
use gomodls_syntax::quote::quote;
use gomodls_syntax::semver;

use crate::casefold::fold_path;
use crate::zipdir::{self, ZipRecord};

/// The largest module zip Go accepts, and the largest total uncompressed size of its files.
pub const MAX_ZIP_FILE: u64 = 500 << 20;
/// The largest go.mod file Go accepts in a module zip.
pub const MAX_GO_MOD: u64 = 16 << 20;
/// The largest LICENSE file Go accepts in a module zip.
pub const MAX_LICENSE: u64 = 16 << 20;

/// One file that a check rejected or left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The path as the check saw it (the zip entry name, or the file path for [`check_files`]).
    pub path: String,
    /// Go's reason text.
    pub reason: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.path, self.reason)
    }
}

/// The outcome of a check, sorted into Go's three lists (`zip.CheckedFiles`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedFiles {
    /// Paths that would be included.
    pub valid: Vec<String>,
    /// Files that would be silently left out (vendored packages, nested modules, ...).
    pub omitted: Vec<FileError>,
    /// Files that make the whole module invalid.
    pub invalid: Vec<FileError>,
    /// Set when the files together are too large.
    pub size_error: Option<String>,
}

impl CheckedFiles {
    /// The error Go reports for these results, if any: the size error first, then all invalid
    /// files, one per line.
    pub fn error(&self) -> Option<ZipError> {
        if let Some(size) = &self.size_error {
            return Some(ZipError::Size(size.clone()));
        }
        if self.invalid.is_empty() {
            return None;
        }
        Some(ZipError::Files(self.invalid.clone()))
    }
}

/// Why a module zip is unacceptable; the texts are the go command's.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    /// The version is not in canonical form.
    #[error("version \"{version}\" is not canonical (should be \"{canonical}\")")]
    NotCanonical {
        /// The version given.
        version: String,
        /// Its canonical form.
        canonical: String,
    },
    /// The module path or version is invalid (Go's `module.Check` message).
    #[error("{0}")]
    Module(String),
    /// The zip file itself is larger than Go allows.
    #[error("module zip file is too large ({size} bytes; limit is {MAX_ZIP_FILE} bytes)")]
    TooLarge {
        /// The zip's size in bytes.
        size: u64,
    },
    /// The files are too large together.
    #[error("{0}")]
    Size(String),
    /// Entries that make the module invalid, one per line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Files(Vec<FileError>),
    /// The archive cannot be read or hashed.
    #[error("{0}")]
    Hash(#[from] HashError),
}

impl From<std::io::Error> for ZipError {
    fn from(error: std::io::Error) -> Self {
        ZipError::Hash(HashError::Io(error))
    }
}

/// Checks a module path and version as Go does before creating or checking a module zip: the
/// version must be canonical and the pair must pass Go's `module.Check`.
pub fn check_module_version<P: AsRef<[u8]>>(module_path: P, version: &str) -> Result<(), ZipError> {
    let module_path = module_path.as_ref();
    let canonical = semver::module_canonical_version(version);
    if canonical != version {
        return Err(ZipError::NotCanonical {
            version: version.to_owned(),
            canonical,
        });
    }
    // The byte check first: a path that is not UTF-8 gets Go's "invalid UTF-8" message.
    module_path::check_path(module_path).map_err(|error| ZipError::Module(error.to_string()))?;
    let module_path = String::from_utf8_lossy(module_path);
    module_path::check(&module_path, version).map_err(|error| ZipError::Module(error.to_string()))
}

/// Checks a module zip's entries as Go's `zip.CheckZip` does.
///
/// An `Err` means the zip could not be checked at all (bad module path or version, too large, not
/// a zip); file-level problems are in the returned lists, and [`CheckedFiles::error`] gives Go's
/// error for them.
pub fn check_zip<P: AsRef<[u8]>, R: Read + Seek>(
    module_path: P,
    version: &str,
    mut reader: R,
) -> Result<CheckedFiles, ZipError> {
    let module_path = module_path.as_ref();
    let records = checked_directory(module_path, version, &mut reader)?;
    Ok(check_entries(module_path, version, &records))
}

/// The zip's central directory, once the module path and version are valid and the zip is within
/// go's size limit.
fn checked_directory<R: Read + Seek>(
    module_path: &[u8],
    version: &str,
    reader: &mut R,
) -> Result<Vec<ZipRecord>, ZipError> {
    check_module_version(module_path, version)?;
    let size = reader.seek(std::io::SeekFrom::End(0))?;
    reader.rewind()?;
    if size > MAX_ZIP_FILE {
        return Err(ZipError::TooLarge { size });
    }
    Ok(zipdir::read_central_directory(reader)?)
}

fn check_entries(module_path: &[u8], version: &str, records: &[ZipRecord]) -> CheckedFiles {
    let mut prefix = module_path.to_vec();
    prefix.push(b'@');
    prefix.extend_from_slice(version.as_bytes());
    prefix.push(b'/');
    let quoted_prefix = quote(&prefix);
    let mut checked = CheckedFiles::default();
    let mut collisions = CollisionChecker::default();
    let mut total: u64 = 0;
    for record in records {
        let display_name = String::from_utf8_lossy(&record.name).into_owned();
        let mut invalid = |reason: String| {
            checked.invalid.push(FileError {
                path: display_name.clone(),
                reason,
            });
        };
        let Some(name) = record.name.strip_prefix(prefix.as_slice()) else {
            invalid(format!("path does not have prefix {quoted_prefix}"));
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let is_dir = name.ends_with(b"/");
        let name = if is_dir {
            name.get(..name.len() - 1).unwrap_or_default()
        } else {
            name
        };
        if clean_path(name) != name {
            invalid("file path is not clean".to_owned());
            continue;
        }
        if let Err(error) = module_path::check_file_path(name) {
            invalid(error.to_string());
            continue;
        }
        // check_file_path accepted it, so it is UTF-8.
        let name = String::from_utf8_lossy(name);
        if let Err(message) = collisions.check(&name, is_dir) {
            invalid(message);
            continue;
        }
        if is_dir {
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or_default();
        if base.eq_ignore_ascii_case("go.mod") {
            if base != name {
                invalid("go.mod file not in module root directory".to_owned());
                continue;
            }
            if name != "go.mod" {
                invalid("go.mod files must have lowercase names".to_owned());
                continue;
            }
        }
        if MAX_ZIP_FILE - total >= record.size {
            total += record.size;
        } else if checked.size_error.is_none() {
            checked.size_error = Some(format!(
                "total uncompressed size of module contents too large (max size is {MAX_ZIP_FILE} bytes)"
            ));
        }
        if name == "go.mod" && record.size > MAX_GO_MOD {
            invalid(format!(
                "go.mod file too large (max size is {MAX_GO_MOD} bytes)"
            ));
            continue;
        }
        if name == "LICENSE" && record.size > MAX_LICENSE {
            invalid(format!(
                "LICENSE file too large (max size is {MAX_LICENSE} bytes)"
            ));
            continue;
        }
        checked.valid.push(display_name);
    }
    checked
}

/// Runs every check the go command applies to a downloaded module zip and returns its `h1:`
/// hash: [`check_zip`], then each entry's content (its checksum, and its length against the
/// declared size), hashing as it reads. Nothing is extracted and no entry is held in memory whole.
pub fn verify_zip<P: AsRef<[u8]>, R: Read + Seek>(
    module_path: P,
    version: &str,
    mut reader: R,
) -> Result<String, ZipError> {
    let module_path = module_path.as_ref();
    let records = checked_directory(module_path, version, &mut reader)?;
    let checked = check_entries(module_path, version, &records);
    if let Some(error) = checked.error() {
        return Err(error);
    }
    reader.rewind()?;
    let digests = zipdir::digest_contents(reader)?;
    Ok(dirhash::hash1_from_digests(zipdir::record_digests(
        &records, &digests,
    )?)?)
}

/// Sorts a module's source files (paths relative to the module root, with their contents) as
/// Go's `zip.CheckFiles` does when it creates a module zip: which are included, which are
/// silently left out, and which make the module invalid.
pub fn check_files<N: AsRef<str>, D: AsRef<[u8]>>(files: &[(N, D)]) -> CheckedFiles {
    let mut reported: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut checked = CheckedFiles::default();
    let mut add_error = |checked: &mut CheckedFiles, path: &str, omitted: bool, reason: String| {
        if !reported.insert(path.to_owned()) {
            return;
        }
        let error = FileError {
            path: path.to_owned(),
            reason,
        };
        if omitted {
            checked.omitted.push(error);
        } else {
            checked.invalid.push(error);
        }
    };

    let mut module_dirs: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut at_least_1_24 = false;
    for (path, data) in files {
        let path = path.as_ref();
        let (dir, base) = split_dir(path);
        if base.eq_ignore_ascii_case("go.mod") {
            module_dirs.insert(dir);
            if base == "go.mod" && dir.is_empty() {
                at_least_1_24 = declares_go_1_24(data.as_ref());
            }
        }
    }
    let in_submodule = |path: &str| {
        let mut rest = path;
        loop {
            let (dir, _) = split_dir(rest);
            if dir.is_empty() {
                return false;
            }
            if module_dirs.contains(dir) {
                return true;
            }
            rest = dir.get(..dir.len() - 1).unwrap_or_default();
        }
    };

    let mut collisions = CollisionChecker::default();
    let mut remaining = MAX_ZIP_FILE;
    for (path, data) in files {
        let path = path.as_ref();
        if clean_path(path.as_bytes()) != path.as_bytes() {
            add_error(
                &mut checked,
                path,
                false,
                "file path is not clean".to_owned(),
            );
            continue;
        }
        if path.starts_with('/') {
            add_error(
                &mut checked,
                path,
                false,
                "file path is not relative".to_owned(),
            );
            continue;
        }
        if is_vendored_package(path, at_least_1_24) {
            add_error(
                &mut checked,
                path,
                true,
                "file is in vendor directory".to_owned(),
            );
            continue;
        }
        if in_submodule(path) {
            add_error(
                &mut checked,
                path,
                true,
                "file is in another module".to_owned(),
            );
            continue;
        }
        if path == ".hg_archival.txt" {
            add_error(
                &mut checked,
                path,
                true,
                "file is inserted by 'hg archive' and is always omitted".to_owned(),
            );
            continue;
        }
        if let Err(error) = module_path::check_file_path(path) {
            add_error(&mut checked, path, false, error.to_string());
            continue;
        }
        if path.eq_ignore_ascii_case("go.mod") && path != "go.mod" {
            add_error(
                &mut checked,
                path,
                false,
                "go.mod files must have lowercase names".to_owned(),
            );
            continue;
        }
        if let Err(message) = collisions.check(path, false) {
            add_error(&mut checked, path, false, message);
            continue;
        }
        let size = data.as_ref().len() as u64;
        if size <= remaining {
            remaining -= size;
        } else if checked.size_error.is_none() {
            checked.size_error = Some(format!(
                "module source tree too large (max size is {MAX_ZIP_FILE} bytes)"
            ));
        }
        if path == "go.mod" && size > MAX_GO_MOD {
            add_error(
                &mut checked,
                path,
                false,
                format!("go.mod file too large (max size is {MAX_GO_MOD} bytes)"),
            );
            continue;
        }
        if path == "LICENSE" && size > MAX_LICENSE {
            add_error(
                &mut checked,
                path,
                false,
                format!("LICENSE file too large (max size is {MAX_LICENSE} bytes)"),
            );
            continue;
        }
        checked.valid.push(path.to_owned());
    }
    checked
}

/// Splits a slash path into its directory (with the trailing slash) and base, as Go's
/// `path.Split` does.
fn split_dir(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(slash) => path.split_at(slash + 1),
        None => ("", path),
    }
}

/// Reports whether a file belongs to a vendored package, with Go's version-dependent rules
/// (`isVendoredPackage`): from go 1.24 on `vendor/modules.txt` is vendored too, and a nested
/// `/vendor/` is measured from its own start.
fn is_vendored_package(name: &str, at_least_1_24: bool) -> bool {
    if at_least_1_24 && name == "vendor/modules.txt" {
        return true;
    }
    let start = if name.starts_with("vendor/") {
        "vendor/".len()
    } else if let Some(nested) = name.find("/vendor/") {
        if at_least_1_24 {
            nested + "/vendor/".len()
        } else {
            "/vendor/".len()
        }
    } else {
        return false;
    };
    name.get(start..).is_some_and(|rest| rest.contains('/'))
}

/// Reports whether a module's root go.mod declares go 1.24 or later, which changes which files
/// count as vendored. Go reads it with the lax parser and treats any failure as "no version".
fn declares_go_1_24(go_mod: &[u8]) -> bool {
    let Ok(mut syntax) = gomodls_syntax::modfile::read::read(go_mod, "go.mod") else {
        return false;
    };
    let (file, errors) = gomodls_syntax::modfile::rules::parse_gomod(&mut syntax, false);
    let Some(go) = file.go.filter(|_| errors.is_empty()) else {
        return false;
    };
    let language = go_version::go_lang(&go.version);
    go_version::compare_go_versions(&language, "1.24") != std::cmp::Ordering::Less
}

/// Cleans a slash path lexically as Go's `path.Clean` does.
fn clean_path(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let rooted = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.last().is_some_and(|last| *last != b"..") {
                    parts.pop();
                } else if !rooted {
                    parts.push(part);
                }
            }
            _ => parts.push(part),
        }
    }
    let mut cleaned = Vec::with_capacity(path.len());
    if rooted {
        cleaned.push(b'/');
    }
    cleaned.extend_from_slice(&parts.join(&b'/'));
    if cleaned.is_empty() {
        cleaned.push(b'.');
    }
    cleaned
}

/// Go's case-insensitive collision check over file paths and their parent directories.
#[derive(Default)]
struct CollisionChecker {
    seen: HashMap<String, (String, bool)>,
}

impl CollisionChecker {
    fn check(&mut self, path: &str, is_dir: bool) -> Result<(), String> {
        let mut path = path;
        let mut is_dir = is_dir;
        loop {
            let fold = fold_path(path);
            match self.seen.get(&fold) {
                Some((other, other_is_dir)) => {
                    if path != other {
                        return Err(format!(
                            "case-insensitive file name collision: {} and {}",
                            quote(other.as_bytes()),
                            quote(path.as_bytes())
                        ));
                    }
                    if is_dir != *other_is_dir {
                        return Err(format!(
                            "entry {} is both a file and a directory",
                            quote(path.as_bytes())
                        ));
                    }
                    if !is_dir {
                        return Err(format!(
                            "multiple entries for file {}",
                            quote(path.as_bytes())
                        ));
                    }
                }
                None => {
                    self.seen.insert(fold, (path.to_owned(), is_dir));
                }
            }
            match path.rfind('/') {
                Some(slash) => {
                    path = path.get(..slash).unwrap_or_default();
                    is_dir = true;
                }
                None => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths() {
        assert_eq!(clean_path(b"a/b"), b"a/b");
        assert_eq!(clean_path(b"not/../clean"), b"clean");
        assert_eq!(clean_path(b"a//b"), b"a/b");
        assert_eq!(clean_path(b"./a"), b"a");
        assert_eq!(clean_path(b"../a"), b"../a");
        assert_eq!(clean_path(b"/../a"), b"/a");
    }

    #[test]
    fn go_versions() {
        assert!(declares_go_1_24(b"module m\n\ngo 1.24\n"));
        assert!(declares_go_1_24(b"go 1.25.1 // comment\n"));
        assert!(declares_go_1_24(b"go 1.24rc1\n"));
        assert!(!declares_go_1_24(b"go 1.23.4\n"));
        assert!(!declares_go_1_24(b"module m\n"));
        // Unknown directives are ignored by the lax parser; a syntax error is not.
        assert!(declares_go_1_24(b"go 1.24\nunknown directive\n"));
        assert!(!declares_go_1_24(b"go 1.24\nrequire (\n"));
    }

    #[test]
    fn vendored() {
        assert!(is_vendored_package("vendor/x/y", false));
        assert!(!is_vendored_package("vendor/modules.txt", false));
        assert!(is_vendored_package("vendor/modules.txt", true));
        assert!(is_vendored_package("pkg/vendor/vendor.go", false));
        assert!(!is_vendored_package("pkg/vendor/vendor.go", true));
        assert!(is_vendored_package("pkg/vendor/foo/foo.go", true));
    }
}
