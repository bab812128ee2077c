//! Go release versions for the `go` and `toolchain` lines, newest first.
//!
//! The table below is maintained by hand: each entry is a minor release of Go and the highest
//! patch release known to exist when the table was last updated. Update it when Go ships a
//! release. At run time the list grows up to the installed toolchain (whose version the lsp crate
//! reads from GOROOT), so a newer Go is offered even before the table knows it; later the
//! proxy's `golang.org/toolchain` versions can extend it the same way.

use gomodls_syntax::go_version::{GoVersion, compare_go_versions};

/// Minor releases since Go 1.21 (the first whose first release is `1.N.0` and whose toolchains
/// `go` can switch to) with the highest patch release known to exist.
const RELEASES: &[(u32, u32)] = &[(21, 13), (22, 12), (23, 12), (24, 6), (25, 0)];

/// Language versions before Go 1.21 worth offering on a `go` line: modules arrived in Go 1.11.
const OLD_LANGUAGE_VERSIONS: std::ops::RangeInclusive<u32> = 11..=20;

/// One Go release to offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Release {
    /// The bare version (`1.22.3`, `1.20`).
    pub(crate) version: String,
    /// Whether it is the installed toolchain's version.
    pub(crate) installed: bool,
}

/// The Go versions to offer, newest first: the table, extended up to `installed` (a bare
/// version like `1.27.3`, if known). With `toolchains_only`, the versions before Go 1.21 (which
/// are no toolchains `go` can switch to) are left out.
pub(crate) fn releases(installed: Option<&str>, toolchains_only: bool) -> Vec<Release> {
    let mut versions: Vec<String> = RELEASES
        .iter()
        .flat_map(|&(minor, last_patch)| {
            (0..=last_patch).map(move |patch| format!("1.{minor}.{patch}"))
        })
        .collect();
    if let Some(installed) = installed.and_then(GoVersion::parse) {
        let newest_minor = RELEASES.last().map_or(21, |&(minor, _)| minor);
        let installed_minor: u32 = installed.minor.parse().unwrap_or(0);
        if installed.major == "1" {
            // Every minor release from Go 1.21 on starts with `1.N.0`.
            versions
                .extend((newest_minor + 1..installed_minor).map(|minor| format!("1.{minor}.0")));
            if installed.kind.is_empty() {
                let patch: u32 = installed.patch.parse().unwrap_or(0);
                versions.extend((0..=patch).map(|patch| format!("1.{installed_minor}.{patch}")));
            }
        }
    }
    let installed_text = installed.filter(|version| GoVersion::parse(version).is_some());
    if let Some(version) = installed_text {
        versions.push(version.to_owned());
    }
    if !toolchains_only {
        versions.extend(OLD_LANGUAGE_VERSIONS.map(|minor| format!("1.{minor}")));
    }
    versions.sort_by(|a, b| compare_go_versions(b, a));
    versions.dedup();
    versions
        .into_iter()
        .map(|version| Release {
            installed: installed_text == Some(version.as_str()),
            version,
        })
        .collect()
}

/// The language versions (`1.27`, `1.26`, …, `1.11`) of [`releases`], newest first.
pub(crate) fn language_versions(installed: Option<&str>) -> Vec<String> {
    let mut languages: Vec<String> = releases(installed, false)
        .into_iter()
        .map(|release| gomodls_syntax::go_version::go_lang(&release.version))
        .collect();
    languages.dedup();
    languages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(installed: Option<&str>, toolchains_only: bool) -> Vec<String> {
        releases(installed, toolchains_only)
            .into_iter()
            .map(|release| match release.installed {
                true => format!("{}*", release.version),
                false => release.version,
            })
            .collect()
    }

    #[test]
    fn the_table_alone() {
        let all = versions(None, false);
        assert_eq!(all.first().map(String::as_str), Some("1.25.0"));
        assert_eq!(all.last().map(String::as_str), Some("1.11"));
        assert!(all.contains(&"1.21.13".to_owned()));
        assert!(all.contains(&"1.20".to_owned()));
        let toolchains = versions(None, true);
        assert_eq!(toolchains.last().map(String::as_str), Some("1.21.0"));
        assert_eq!(toolchains.len(), 14 + 13 + 13 + 7 + 1);
    }

    #[test]
    fn grows_to_the_installed_toolchain() {
        let all = versions(Some("1.27.3"), true);
        let head: Vec<&str> = all.iter().take(7).map(String::as_str).collect();
        assert_eq!(
            head,
            [
                "1.27.3*", "1.27.2", "1.27.1", "1.27.0", "1.26.0", "1.25.0", "1.24.6"
            ]
        );
        let prerelease = versions(Some("1.28rc1"), true);
        let head: Vec<&str> = prerelease.iter().take(4).map(String::as_str).collect();
        assert_eq!(head, ["1.28rc1*", "1.27.0", "1.26.0", "1.25.0"]);
        let older = versions(Some("1.22.3"), true);
        assert_eq!(older.first().map(String::as_str), Some("1.25.0"));
        assert!(older.contains(&"1.22.3*".to_owned()));
        assert_eq!(versions(Some("not a version"), true), versions(None, true));
    }

    #[test]
    fn language_versions_are_unique_and_newest_first() {
        let languages = language_versions(Some("1.27.3"));
        let head: Vec<&str> = languages.iter().take(3).map(String::as_str).collect();
        assert_eq!(head, ["1.27", "1.26", "1.25"]);
        assert_eq!(languages.last().map(String::as_str), Some("1.11"));
        assert_eq!(languages.len(), 27 - 11 + 1);
    }
}
