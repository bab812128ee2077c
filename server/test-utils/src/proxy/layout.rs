//! Turning a [`Fixture`] into the files of a GOPROXY: `<escaped path>/@v/list`, `<v>.info`,
//! `<v>.mod`, `<v>.zip` and `<escaped path>/@latest`, in memory or on disk.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use time::format_description::well_known::Rfc3339;

use crate::proxy::escape::{self, EscapeError};
use crate::proxy::fixture::{Fixture, FixtureModule, FixtureVersion};

/// A fixture that cannot be laid out as a proxy.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A module path or version that cannot be escaped.
    #[error(transparent)]
    Escape(#[from] EscapeError),
    /// A file name that cannot be a zip entry.
    #[error("{module}@{version}: file name {name:?} is not a slash-separated relative path")]
    FileName {
        /// The module path.
        module: String,
        /// The version.
        version: String,
        /// The file name.
        name: String,
    },
    /// The zip writer failed.
    #[error("building zip for {module}@{version}: {source}")]
    Zip {
        /// The module path.
        module: String,
        /// The version.
        version: String,
        /// The underlying error.
        #[source]
        source: zip::result::ZipError,
    },
    /// A publish time that cannot be written as RFC 3339.
    #[error("{module}@{version}: time cannot be formatted: {source}")]
    Time {
        /// The module path.
        module: String,
        /// The version.
        version: String,
        /// The underlying error.
        #[source]
        source: time::error::Format,
    },
    /// The `.info` JSON could not be written.
    #[error("{module}@{version}: info cannot be encoded: {source}")]
    Json {
        /// The module path.
        module: String,
        /// The version.
        version: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// Writing the directory failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file or directory being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// The files of a proxy, keyed by slash-separated path relative to the proxy root
/// (`example.com/!azure/sdk/@v/list`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyLayout {
    files: BTreeMap<String, Bytes>,
}

impl ProxyLayout {
    /// The content served at `relative_path` (no leading `/`).
    pub fn get(&self, relative_path: &str) -> Option<&Bytes> {
        self.files.get(relative_path)
    }

    /// Every file, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, &Bytes)> {
        self.files
            .iter()
            .map(|(path, content)| (path.as_str(), content))
    }

    /// Adds or replaces a file (for serving something a fixture cannot express).
    pub fn insert(&mut self, relative_path: &str, content: impl Into<Bytes>) {
        self.files.insert(relative_path.to_owned(), content.into());
    }

    /// Writes every file under `dir`, creating directories as needed.
    pub fn write_to(&self, dir: &Path) -> Result<(), LayoutError> {
        for (relative_path, content) in &self.files {
            let path = dir.join(relative_path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| LayoutError::Io {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            std::fs::write(&path, content).map_err(|source| LayoutError::Io { path, source })?;
        }
        Ok(())
    }
}

/// Lays a fixture out as proxy files in memory.
pub fn proxy_layout(fixture: &Fixture) -> Result<ProxyLayout, LayoutError> {
    let mut layout = ProxyLayout::default();
    for module in fixture.modules() {
        add_module(&mut layout, module)?;
    }
    Ok(layout)
}

/// Writes a fixture as a GOPROXY directory (usable as `GOPROXY=file://DIR` too).
pub fn build_proxy_dir(fixture: &Fixture, dir: &Path) -> Result<(), LayoutError> {
    proxy_layout(fixture)?.write_to(dir)
}

/// The `.info` JSON generated for a version: `{"Version":"…","Time":"…"}`, compact, no newline.
pub fn info_json(module: &FixtureModule, version: &FixtureVersion) -> Result<Vec<u8>, LayoutError> {
    let time = module
        .publish_time(version)
        .format(&Rfc3339)
        .map_err(|source| LayoutError::Time {
            module: version.module_path.clone(),
            version: version.version.clone(),
            source,
        })?;
    let info = InfoJson {
        version: &version.version,
        time,
    };
    serde_json::to_vec(&info).map_err(|source| LayoutError::Json {
        module: version.module_path.clone(),
        version: version.version.clone(),
        source,
    })
}

/// The `.info` fields in the order the go command writes them.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct InfoJson<'a> {
    version: &'a str,
    time: String,
}

/// Builds the module zip of a version: one entry `PATH@VERSION/NAME` per file, sorted, no
/// directory entries, deflated, with fixed timestamps and modes (so the bytes are deterministic).
pub fn module_zip(version: &FixtureVersion) -> Result<Vec<u8>, LayoutError> {
    let zip_error = |source| LayoutError::Zip {
        module: version.module_path.clone(),
        version: version.version.clone(),
        source,
    };
    for name in version.files.keys() {
        let clean = !name.is_empty()
            && !name.starts_with('/')
            && !name.contains('\\')
            && !name.contains('\n')
            && name
                .split('/')
                .all(|element| !matches!(element, "" | "." | ".."));
        if !clean {
            return Err(LayoutError::FileName {
                module: version.module_path.clone(),
                version: version.version.clone(),
                name: name.clone(),
            });
        }
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in version.zip_entries() {
        writer.start_file(name, options).map_err(zip_error)?;
        writer.write_all(content).map_err(|e| zip_error(e.into()))?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

fn add_module(layout: &mut ProxyLayout, module: &FixtureModule) -> Result<(), LayoutError> {
    let escaped_path = escape::escape_path(&module.path)?;
    let mut list = String::new();
    for version in module.listed_versions() {
        list.push_str(version);
        list.push('\n');
    }
    layout.insert(&format!("{escaped_path}/@v/list"), list);
    let mut infos = BTreeMap::new();
    for version in &module.versions {
        let escaped_version = escape::escape_version(&version.version)?;
        let file = |ext: &str| format!("{escaped_path}/@v/{escaped_version}.{ext}");
        let info = match &version.info_override {
            Some(info) => info.clone(),
            None => info_json(module, version)?,
        };
        infos.insert(version.version.clone(), info.clone());
        if !version.flags.no_info {
            layout.insert(&file("info"), info);
        }
        if !version.flags.no_mod {
            layout.insert(&file("mod"), version.mod_file());
        }
        if !version.flags.no_zip {
            let zip = match &version.zip_override {
                Some(zip) => zip.clone(),
                None => module_zip(version)?,
            };
            layout.insert(&file("zip"), zip);
        }
    }
    // Revision names come after every canonical version so that a name that is also a
    // version string never shadows that version's own `.info`.
    for version in &module.versions {
        if version.flags.no_info {
            continue;
        }
        for revision in &version.revisions {
            let path = format!(
                "{escaped_path}/@v/{}.info",
                escape::escape_version(revision)?
            );
            if !infos.contains_key(revision) {
                layout.insert(
                    &path,
                    infos.get(&version.version).cloned().unwrap_or_default(),
                );
            }
        }
    }
    if let Some(latest) = module.latest_version()
        && !latest.flags.no_info
    {
        let info = infos.get(&latest.version).cloned().unwrap_or_default();
        layout.insert(&format!("{escaped_path}/@latest"), info);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::proxy::fixture::LatestEndpoint;

    fn fixture() -> Fixture {
        Fixture::new()
            .with(
                FixtureVersion::new("example.com/Azure/sdk", "v1.0.0-RC1")
                    .go_mod("module example.com/Azure/sdk\n")
                    .file("sub/b.go", "package sub\n")
                    .file("a.go", "package sdk\n")
                    .revision("master"),
            )
            .with(
                FixtureVersion::new("example.com/inc", "v2.0.0+incompatible")
                    .file("x.go", "package x\n"),
            )
            .with(FixtureVersion::new(
                "example.com/pseudo",
                "v0.0.0-20230102030405-abcdefabcdef",
            ))
    }

    #[test]
    fn lays_out_escaped_proxy_files() {
        let layout = proxy_layout(&fixture()).unwrap();
        let paths: Vec<&str> = layout.files().map(|(path, _)| path).collect();
        expect_test::expect![[r#"
            [
                "example.com/!azure/sdk/@latest",
                "example.com/!azure/sdk/@v/list",
                "example.com/!azure/sdk/@v/master.info",
                "example.com/!azure/sdk/@v/v1.0.0-!r!c1.info",
                "example.com/!azure/sdk/@v/v1.0.0-!r!c1.mod",
                "example.com/!azure/sdk/@v/v1.0.0-!r!c1.zip",
                "example.com/inc/@latest",
                "example.com/inc/@v/list",
                "example.com/inc/@v/v2.0.0+incompatible.info",
                "example.com/inc/@v/v2.0.0+incompatible.mod",
                "example.com/inc/@v/v2.0.0+incompatible.zip",
                "example.com/pseudo/@latest",
                "example.com/pseudo/@v/list",
                "example.com/pseudo/@v/v0.0.0-20230102030405-abcdefabcdef.info",
                "example.com/pseudo/@v/v0.0.0-20230102030405-abcdefabcdef.mod",
                "example.com/pseudo/@v/v0.0.0-20230102030405-abcdefabcdef.zip",
            ]
        "#]]
        .assert_debug_eq(&paths);
        let text = |path: &str| String::from_utf8(layout.get(path).unwrap().to_vec()).unwrap();
        assert_eq!(text("example.com/!azure/sdk/@v/list"), "v1.0.0-RC1\n");
        assert_eq!(text("example.com/pseudo/@v/list"), "");
        assert_eq!(
            text("example.com/inc/@v/v2.0.0+incompatible.mod"),
            "module example.com/inc\n"
        );
        assert_eq!(
            text("example.com/pseudo/@latest"),
            r#"{"Version":"v0.0.0-20230102030405-abcdefabcdef","Time":"2023-01-02T03:04:05Z"}"#
        );
        assert_eq!(
            text("example.com/!azure/sdk/@v/master.info"),
            text("example.com/!azure/sdk/@v/v1.0.0-!r!c1.info")
        );
    }

    #[test]
    fn zips_have_prefixed_sorted_entries_and_no_directories() {
        let fixture = fixture();
        let version = fixture
            .version("example.com/Azure/sdk", "v1.0.0-RC1")
            .unwrap();
        let zip_bytes = module_zip(version).unwrap();
        assert_eq!(
            zip_bytes,
            module_zip(version).unwrap(),
            "zips are deterministic"
        );
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
        let mut entries = Vec::new();
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let mut content = String::new();
            entry.read_to_string(&mut content).unwrap();
            entries.push((entry.name().to_owned(), content));
        }
        assert_eq!(
            entries,
            [
                (
                    "example.com/Azure/sdk@v1.0.0-RC1/a.go".to_owned(),
                    "package sdk\n".to_owned()
                ),
                (
                    "example.com/Azure/sdk@v1.0.0-RC1/go.mod".to_owned(),
                    "module example.com/Azure/sdk\n".to_owned()
                ),
                (
                    "example.com/Azure/sdk@v1.0.0-RC1/sub/b.go".to_owned(),
                    "package sub\n".to_owned()
                ),
            ]
        );
        let unclean = FixtureVersion::new("example.com/a", "v1.0.0").file("../x.go", "");
        assert!(matches!(
            module_zip(&unclean),
            Err(LayoutError::FileName { .. })
        ));
    }

    #[test]
    fn flags_overrides_and_latest_choices() {
        let mut fixture = Fixture::new()
            .with(FixtureVersion::new("example.com/a", "v1.0.0").info_override("not json"))
            .with(FixtureVersion::new("example.com/a", "v1.1.0").flags(
                crate::proxy::VersionFlags {
                    no_info: true,
                    no_zip: true,
                    ..Default::default()
                },
            ))
            .with_latest(
                "example.com/a",
                LatestEndpoint::Version("v1.0.0".to_owned()),
            );
        let layout = proxy_layout(&fixture).unwrap();
        assert_eq!(
            layout.get("example.com/a/@latest").unwrap().as_ref(),
            b"not json"
        );
        assert!(layout.get("example.com/a/@v/v1.1.0.info").is_none());
        assert!(layout.get("example.com/a/@v/v1.1.0.zip").is_none());
        assert!(layout.get("example.com/a/@v/v1.1.0.mod").is_some());
        fixture = fixture.with_latest("example.com/a", LatestEndpoint::NotFound);
        assert!(
            proxy_layout(&fixture)
                .unwrap()
                .get("example.com/a/@latest")
                .is_none()
        );
        let bad = Fixture::new().with(FixtureVersion::new("example.com/a!", "v1.0.0"));
        assert!(matches!(proxy_layout(&bad), Err(LayoutError::Escape(_))));
    }

    #[test]
    fn writes_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        build_proxy_dir(&fixture(), dir.path()).unwrap();
        let written = std::fs::read(
            dir.path()
                .join("example.com/inc/@v/v2.0.0+incompatible.mod"),
        )
        .unwrap();
        assert_eq!(written, b"module example.com/inc\n");
        assert!(
            dir.path()
                .join("example.com/!azure/sdk/@v/v1.0.0-!r!c1.zip")
                .is_file()
        );
    }
}
