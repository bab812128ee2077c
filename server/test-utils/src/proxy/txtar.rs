//! Fixtures written as text, in the txtar shape of the go command's own proxy fixtures
//! (`$GOROOT/src/cmd/go/testdata/mod`).
//!
//! One version is one archive: `-- NAME --` lines start files; text before the first one is a
//! comment. Names starting with `.` are not module files but say what the proxy serves:
//!
//! * `.mod` — served as `.mod` (only needed when it should differ from `go.mod`);
//! * `.info` — served verbatim as `.info`; its `Time`, when it parses, is the publish time;
//! * `.revisions` — whitespace-separated names (`master`, a commit hash) resolving to this version;
//! * `.flags` — whitespace-separated words among `unlisted`, `no-info`, `no-mod`, `no-zip`.
//!
//! Every other section is a file of the module zip. Several versions go into one text with
//! `== PATH@VERSION ==` header lines (see [`Fixture::parse`]); a directory of Go-style
//! `PATH_VERSION.txt` files loads with [`Fixture::load_go_testdata_dir`].

use std::path::Path;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::proxy::escape;
use crate::proxy::fixture::{Fixture, FixtureVersion, VersionFlags};

/// A parsed txtar archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Txtar {
    /// The text before the first file marker.
    pub comment: String,
    /// The files in order of appearance.
    pub files: Vec<TxtarFile>,
}

/// One file of a [`Txtar`] archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxtarFile {
    /// The name between `-- ` and ` --`, trimmed.
    pub name: String,
    /// The lines up to the next marker; always ends with `\n` unless empty.
    pub content: String,
}

/// A fixture text or directory that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FixtureTextError {
    /// A `== ... ==` header without `PATH@VERSION`.
    #[error("line {line}: malformed version header {header:?}: want \"== PATH@VERSION ==\"")]
    Header {
        /// 1-based line number.
        line: usize,
        /// The header line.
        header: String,
    },
    /// An unknown word in a `.flags` section.
    #[error("{module}@{version}: unknown flag {flag:?} (known: unlisted, no-info, no-mod, no-zip)")]
    Flag {
        /// The module path.
        module: String,
        /// The version.
        version: String,
        /// The unknown word.
        flag: String,
    },
    /// A Go-style fixture file name that is not `PATH_VERSION.txt` with valid escaping.
    #[error("fixture file name {name:?} is not an escaped PATH_VERSION.txt")]
    FileName {
        /// The file name.
        name: String,
    },
    /// A directory or file that cannot be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The path being read.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Parses a txtar archive. Never fails: every line belongs to the comment or to a file.
pub fn parse_txtar(text: &str) -> Txtar {
    let mut archive = Txtar::default();
    let mut current: Option<TxtarFile> = None;
    for line in text.split_inclusive('\n') {
        if let Some(name) = file_marker(line) {
            archive.files.extend(current.take());
            current = Some(TxtarFile {
                name: name.to_owned(),
                content: String::new(),
            });
            continue;
        }
        match current.as_mut() {
            Some(file) => file.content.push_str(line),
            None => archive.comment.push_str(line),
        }
    }
    archive.files.extend(current);
    for file in &mut archive.files {
        if !file.content.is_empty() && !file.content.ends_with('\n') {
            file.content.push('\n');
        }
    }
    archive
}

fn file_marker(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let name = line.strip_prefix("-- ")?.strip_suffix(" --")?.trim();
    (!name.is_empty()).then_some(name)
}

impl FixtureVersion {
    /// Builds a version from one txtar archive (see the module docs for the `.` sections).
    pub fn from_txtar(
        module_path: &str,
        version: &str,
        text: &str,
    ) -> Result<Self, FixtureTextError> {
        let mut fixture_version = FixtureVersion::new(module_path, version);
        for file in parse_txtar(text).files {
            match file.name.as_str() {
                ".mod" => fixture_version.mod_override = Some(file.content.into_bytes()),
                ".info" => {
                    fixture_version.time = info_time(&file.content);
                    fixture_version.info_override = Some(file.content.into_bytes());
                }
                ".revisions" => fixture_version
                    .revisions
                    .extend(file.content.split_whitespace().map(str::to_owned)),
                ".flags" => {
                    fixture_version.flags =
                        parse_flags(&file.content).map_err(|flag| FixtureTextError::Flag {
                            module: module_path.to_owned(),
                            version: version.to_owned(),
                            flag,
                        })?;
                }
                _ => {
                    fixture_version
                        .files
                        .insert(file.name, file.content.into_bytes());
                }
            }
        }
        Ok(fixture_version)
    }
}

impl Fixture {
    /// Parses several versions from one text: each starts with a `== PATH@VERSION ==` line and
    /// continues as a txtar archive until the next header; text before the first header is a
    /// comment.
    ///
    /// ```text
    /// == example.com/hello@v1.0.0 ==
    /// -- go.mod --
    /// module example.com/hello
    /// -- hello.go --
    /// package hello
    /// ```
    pub fn parse(text: &str) -> Result<Fixture, FixtureTextError> {
        let mut fixture = Fixture::new();
        let mut current: Option<(String, String, String)> = None;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let trimmed = line.trim_end();
            let Some(header) = trimmed
                .strip_prefix("== ")
                .and_then(|h| h.strip_suffix(" =="))
            else {
                if let Some((_, _, body)) = current.as_mut() {
                    body.push_str(line);
                }
                continue;
            };
            let Some((path, version)) = header.trim().split_once('@') else {
                return Err(FixtureTextError::Header {
                    line: index + 1,
                    header: trimmed.to_owned(),
                });
            };
            if let Some((path, version, body)) = current.take() {
                fixture.add(FixtureVersion::from_txtar(&path, &version, &body)?);
            }
            current = Some((path.to_owned(), version.to_owned(), String::new()));
        }
        if let Some((path, version, body)) = current {
            fixture.add(FixtureVersion::from_txtar(&path, &version, &body)?);
        }
        Ok(fixture)
    }

    /// Loads every `*.txt` file of a directory laid out like the go command's
    /// `testdata/mod`: the name is the escaped module path with `/` replaced by `_`, then `_`
    /// and the escaped version (`rsc.io_!q!u!o!t!e_v1.5.2.txt`). Other files are ignored.
    pub fn load_go_testdata_dir(dir: &Path) -> Result<Fixture, FixtureTextError> {
        let io_error = |path: &Path, source| FixtureTextError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
            let entry = entry.map_err(|e| io_error(dir, e))?;
            if let Some(name) = entry.file_name().to_str()
                && name.ends_with(".txt")
                && entry.path().is_file()
            {
                names.push(name.to_owned());
            }
        }
        names.sort();
        let mut fixture = Fixture::new();
        for name in names {
            let (module_path, version) = split_go_testdata_name(&name)
                .ok_or_else(|| FixtureTextError::FileName { name: name.clone() })?;
            let path = dir.join(&name);
            let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
            fixture.add(FixtureVersion::from_txtar(&module_path, &version, &text)?);
        }
        Ok(fixture)
    }
}

/// Splits `PATH_VERSION.txt` (escaped, `/` written as `_`) into the unescaped path and version.
fn split_go_testdata_name(name: &str) -> Option<(String, String)> {
    let stem = name.strip_suffix(".txt")?;
    let split = stem.rfind("_v")?;
    let (path, version) = (stem.get(..split)?, stem.get(split + 1..)?);
    let path = escape::unescape(&path.replace('_', "/")).ok()?;
    let version = escape::unescape(version).ok()?;
    Some((path, version))
}

fn info_time(info: &str) -> Option<OffsetDateTime> {
    let value: serde_json::Value = serde_json::from_str(info).ok()?;
    OffsetDateTime::parse(value.get("Time")?.as_str()?, &Rfc3339).ok()
}

fn parse_flags(text: &str) -> Result<VersionFlags, String> {
    let mut flags = VersionFlags::default();
    for word in text.split_whitespace() {
        match word {
            "unlisted" => flags.unlisted = true,
            "no-info" => flags.no_info = true,
            "no-mod" => flags.no_mod = true,
            "no-zip" => flags.no_zip = true,
            unknown => return Err(unknown.to_owned()),
        }
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_txtar_like_go() {
        let archive = parse_txtar(
            "comment\n-- a.txt --\nA\n--  b/c.go  --\nB\n-- not a marker\n-- last --\nno newline",
        );
        assert_eq!(archive.comment, "comment\n");
        let files: Vec<(&str, &str)> = archive
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.content.as_str()))
            .collect();
        assert_eq!(
            files,
            [
                ("a.txt", "A\n"),
                ("b/c.go", "B\n-- not a marker\n"),
                ("last", "no newline\n")
            ]
        );
        assert_eq!(parse_txtar("").files, []);
    }

    #[test]
    fn version_from_txtar_uses_dot_sections() {
        let text = "A module.\n-- .info --\n{\"Version\":\"v1.0.0\",\"Time\":\"2021-02-03T04:05:06Z\"}\n-- .mod --\nmodule example.com/other\n-- .revisions --\nmaster 0123456789ab\n-- .flags --\nunlisted no-zip\n-- go.mod --\nmodule example.com/m\n-- m.go --\npackage m\n";
        let parsed = FixtureVersion::from_txtar("example.com/m", "v1.0.0", text).unwrap();
        assert_eq!(
            parsed.time,
            Some(time::macros::datetime!(2021-02-03 04:05:06 UTC))
        );
        assert_eq!(parsed.mod_file(), b"module example.com/other\n");
        assert_eq!(parsed.revisions, ["master", "0123456789ab"]);
        assert_eq!(
            parsed.flags,
            VersionFlags {
                unlisted: true,
                no_zip: true,
                ..VersionFlags::default()
            }
        );
        assert_eq!(parsed.files.keys().collect::<Vec<_>>(), ["go.mod", "m.go"]);
        let bad =
            FixtureVersion::from_txtar("example.com/m", "v1.0.0", "-- .flags --\nsometimes\n");
        assert!(matches!(bad, Err(FixtureTextError::Flag { flag, .. }) if flag == "sometimes"));
    }

    #[test]
    fn parses_multi_version_text() {
        let text = "Modules for a test.\n== example.com/a@v1.0.0 ==\n-- go.mod --\nmodule example.com/a\n== example.com/a@v1.1.0 ==\n-- go.mod --\nmodule example.com/a\n-- a.go --\npackage a\n== example.com/Azure/sdk@v1.0.0-RC1 ==\n";
        let fixture = Fixture::parse(text).unwrap();
        let a = fixture.module("example.com/a").unwrap();
        assert_eq!(a.listed_versions(), ["v1.0.0", "v1.1.0"]);
        assert_eq!(a.version("v1.1.0").unwrap().files.len(), 2);
        assert!(
            fixture
                .version("example.com/Azure/sdk", "v1.0.0-RC1")
                .unwrap()
                .files
                .is_empty()
        );
        assert!(matches!(
            Fixture::parse("== example.com/a ==\n"),
            Err(FixtureTextError::Header { line: 1, .. })
        ));
    }

    #[test]
    fn loads_go_style_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("rsc.io_!q!u!o!t!e_v1.5.3-!p!r!e.txt"),
            "-- .mod --\nmodule rsc.io/QUOTE\n-- q.go --\npackage q\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("example.com_a_b_v1.0.0.txt"),
            "-- go.mod --\nmodule example.com/a/b\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("README"), "not a fixture").unwrap();
        let fixture = Fixture::load_go_testdata_dir(dir.path()).unwrap();
        let quote = fixture.version("rsc.io/QUOTE", "v1.5.3-PRE").unwrap();
        assert_eq!(quote.mod_file(), b"module rsc.io/QUOTE\n");
        assert!(fixture.version("example.com/a/b", "v1.0.0").is_some());
        std::fs::write(dir.path().join("bad_name.txt"), "").unwrap();
        assert!(matches!(
            Fixture::load_go_testdata_dir(dir.path()),
            Err(FixtureTextError::FileName { .. })
        ));
    }
}
