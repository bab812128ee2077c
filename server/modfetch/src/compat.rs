//! Thin adapters over the `gomodls_syntax` primitives (semantic versions, pseudo-versions,
//! module paths, escaping, prefix globs), shaped the way the fetching layer uses them: errors as
//! go's text.

pub(crate) mod semver {
    //! Go's semantic versions.

    pub(crate) use gomodls_syntax::semver::{
        canonical, compare, is_valid, major_minor, prerelease, sort,
    };

    /// `module.CanonicalVersion`: canonical, but `+incompatible` kept.
    pub(crate) fn module_canonical(v: &str) -> String {
        gomodls_syntax::semver::module_canonical_version(v)
    }

    /// `semver.Major` as an owned string.
    pub(crate) fn major(v: &str) -> String {
        gomodls_syntax::semver::major(v).to_owned()
    }
}

pub(crate) mod pseudo {
    //! Pseudo-versions.

    use time::OffsetDateTime;

    pub(crate) use gomodls_syntax::pseudo::is_pseudo_version;

    /// The commit time recorded in a pseudo-version.
    pub(crate) fn pseudo_version_time(v: &str) -> Option<OffsetDateTime> {
        gomodls_syntax::pseudo::pseudo_version_time(v).ok()
    }
}

pub(crate) mod module_path {
    //! Module paths and case escaping, with go's error texts as strings.

    use gomodls_syntax::module_path as mp;

    pub(crate) use mp::split_path_version;

    /// `module.CheckPath` (`malformed module path "P": REASON`).
    pub(crate) fn check_path(path: &str) -> Result<(), String> {
        mp::check_path(path).map_err(|e| e.to_string())
    }

    /// `module.CheckPathMajor`; the error is the reason only (`should be v2, not v1`).
    pub(crate) fn check_path_major(version: &str, path_major: &str) -> Result<(), String> {
        mp::check_path_major(version, path_major).map_err(|e| e.problem.to_string())
    }

    /// `module.EscapePath`.
    pub(crate) fn escape_path(path: &str) -> Result<String, String> {
        mp::escape_path(path).map_err(|e| e.to_string())
    }

    /// `module.EscapeVersion`; the error is the reason only (`disallowed version string`).
    pub(crate) fn escape_version(version: &str) -> Result<String, String> {
        mp::escape_version(version).map_err(|e| match e {
            mp::EscapeError::Version(v) => v.problem.to_string(),
            other => other.to_string(),
        })
    }
}

pub(crate) mod glob {
    //! `module.MatchPrefixPatterns`.

    pub(crate) use gomodls_syntax::module_path::match_prefix_patterns;
}
