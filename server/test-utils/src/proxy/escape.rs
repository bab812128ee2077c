//! Go's `!` case escaping of module paths and versions, as used in proxy URLs and cache paths.
//!
//! Kept local to the test support crate so that it does not depend on `gomodls-syntax` (whose
//! tests depend on this crate); the rules are those of `module.EscapePath` and
//! `module.EscapeVersion`, minus the full path validation.

/// A module path or version that cannot be escaped or unescaped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    /// The module path is empty or contains `!` or a non-ASCII character.
    #[error("malformed module path {path:?}: {reason}")]
    Path {
        /// The offending path.
        path: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The version is not usable as one file name element.
    #[error("version {version:?} invalid: disallowed version string")]
    Version {
        /// The offending version.
        version: String,
    },
    /// An escaped string with an uppercase letter, a bad `!` sequence or non-ASCII text.
    #[error("invalid escaped string {escaped:?}")]
    Unescape {
        /// The offending escaped text.
        escaped: String,
    },
}

/// Escapes a module path for a proxy URL: every uppercase ASCII letter becomes `!` + lowercase
/// (`github.com/Azure/SDK` -> `github.com/!azure/!s!d!k`).
pub fn escape_path(path: &str) -> Result<String, EscapeError> {
    let reason = if path.is_empty() {
        Some("empty string")
    } else if path.contains('!') {
        Some("invalid char '!'")
    } else if !path.is_ascii() {
        Some("non-ASCII character")
    } else if path.starts_with('/') || path.ends_with('/') || path.contains("//") {
        Some("empty path element")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(EscapeError::Path {
            path: path.to_owned(),
            reason,
        }),
        None => Ok(escape_ascii(path)),
    }
}

/// Escapes a version (or any revision name) for a proxy URL, like [`escape_path`]
/// (`v1.0.0-RC1` -> `v1.0.0-!r!c1`).
pub fn escape_version(version: &str) -> Result<String, EscapeError> {
    let bad = version.is_empty()
        || version == "."
        || version == ".."
        || !version.is_ascii()
        || version
            .chars()
            .any(|c| c == '!' || c == '/' || c == '\\' || c.is_ascii_control());
    if bad {
        return Err(EscapeError::Version {
            version: version.to_owned(),
        });
    }
    Ok(escape_ascii(version))
}

/// Reverses the `!` escaping of a path or version.
pub fn unescape(escaped: &str) -> Result<String, EscapeError> {
    let error = || EscapeError::Unescape {
        escaped: escaped.to_owned(),
    };
    let mut unescaped = String::with_capacity(escaped.len());
    let mut after_bang = false;
    for c in escaped.chars() {
        if !c.is_ascii() || c.is_ascii_uppercase() {
            return Err(error());
        }
        if after_bang {
            if !c.is_ascii_lowercase() {
                return Err(error());
            }
            unescaped.push(c.to_ascii_uppercase());
            after_bang = false;
        } else if c == '!' {
            after_bang = true;
        } else {
            unescaped.push(c);
        }
    }
    if after_bang {
        return Err(error());
    }
    Ok(unescaped)
}

/// The URL path (with a leading `/`) of one file of a version: `ext` is `info`, `mod` or `zip`.
pub fn version_file_path(
    module_path: &str,
    version: &str,
    ext: &str,
) -> Result<String, EscapeError> {
    Ok(format!(
        "/{}/@v/{}.{ext}",
        escape_path(module_path)?,
        escape_version(version)?
    ))
}

/// The URL path (with a leading `/`) of a module's `@v/list`.
pub fn list_path(module_path: &str) -> Result<String, EscapeError> {
    Ok(format!("/{}/@v/list", escape_path(module_path)?))
}

/// The URL path (with a leading `/`) of a module's `@latest`.
pub fn latest_path(module_path: &str) -> Result<String, EscapeError> {
    Ok(format!("/{}/@latest", escape_path(module_path)?))
}

/// The URL path prefix (with leading and trailing `/`) of everything served for a module.
pub fn module_prefix(module_path: &str) -> Result<String, EscapeError> {
    Ok(format!("/{}/", escape_path(module_path)?))
}

fn escape_ascii(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            escaped.push('!');
            escaped.push(c.to_ascii_lowercase());
        } else {
            escaped.push(c);
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_uppercase_letters() {
        assert_eq!(
            escape_path("github.com/Azure/SDK").unwrap(),
            "github.com/!azure/!s!d!k"
        );
        assert_eq!(
            escape_path("example.com/plain").unwrap(),
            "example.com/plain"
        );
        assert_eq!(escape_version("v1.0.0-RC1").unwrap(), "v1.0.0-!r!c1");
        assert_eq!(
            escape_version("v2.0.0+incompatible").unwrap(),
            "v2.0.0+incompatible"
        );
    }

    #[test]
    fn rejects_unescapable_input() {
        assert!(escape_path("example.com/a!b").is_err());
        assert!(escape_path("example.com/é").is_err());
        assert!(escape_path("").is_err());
        assert!(escape_version("v1/0").is_err());
        assert!(escape_version("v1!").is_err());
        assert!(escape_version("..").is_err());
    }

    #[test]
    fn unescape_round_trips_and_rejects_bad_forms() {
        for text in ["github.com/Azure/SDK", "v1.0.0-RC1", "lower"] {
            assert_eq!(unescape(&escape_path(text).unwrap()).unwrap(), text);
        }
        for bad in ["a!", "a!B", "a!1", "Ab", "é"] {
            assert!(unescape(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_paths() {
        assert_eq!(
            version_file_path("example.com/Azure/sdk", "v1.1.0-RC1", "info").unwrap(),
            "/example.com/!azure/sdk/@v/v1.1.0-!r!c1.info"
        );
        assert_eq!(
            list_path("example.com/A").unwrap(),
            "/example.com/!a/@v/list"
        );
        assert_eq!(
            latest_path("example.com/a").unwrap(),
            "/example.com/a/@latest"
        );
        assert_eq!(module_prefix("example.com/a").unwrap(), "/example.com/a/");
    }
}
