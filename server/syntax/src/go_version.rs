//! Go language and toolchain versions: the syntax of the `go` and `toolchain` lines
//! (`modfile.GoVersionRE`, its lax fix-up, `modfile.ToolchainRE`) and Go's version ordering
//! (`go/version`, `internal/gover`): `1.21` < `1.21rc1` < `1.21.0` < `1.21.1`.

use std::cmp::Ordering;

use crate::semver::compare_numbers;

/// Skips a decimal number without superfluous leading zeros (`0|[1-9][0-9]*`).
fn skip_number(s: &str) -> Option<&str> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits > 1 && s.starts_with('0')) {
        return None;
    }
    s.get(digits..)
}

/// Skips a decimal number that does not start with zero (`[1-9][0-9]*`).
fn skip_positive(s: &str) -> Option<&str> {
    if s.starts_with('0') {
        return None;
    }
    skip_number(s)
}

/// Whether `version` is a valid `go` line argument in a strictly parsed file: it matches
/// `modfile.GoVersionRE`, `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`
/// (`1.21`, `1.21.0`, `1.21rc1`; not `1`, `1.021`, `1.21.0-rc1`, `go1.21`).
///
/// The error modfile reports otherwise: `invalid go version 'X': must match format 1.23.0`.
pub fn is_valid_go_version(version: &str) -> bool {
    let Some(rest) = skip_positive(version)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(skip_number)
    else {
        return false;
    };
    let rest = match rest.strip_prefix('.') {
        Some(patch) => match skip_number(patch) {
            Some(rest) => rest,
            None => return false,
        },
        None => rest,
    };
    if rest.is_empty() {
        return true;
    }
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = rest.get(letters..).unwrap_or("");
    letters > 0 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The version the lax parser (dependencies' go.mod files) stores for a `go` line: the text
/// itself when [`is_valid_go_version`] holds, else the `MAJOR.MINOR` prefix when the text matches
/// `^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$` (`1.18-beta` → `1.18`, `v1.21.0` → `1.21`),
/// else `None` (the lax parser then reports the strict error too).
pub fn lax_go_version(version: &str) -> Option<&str> {
    if is_valid_go_version(version) {
        return Some(version);
    }
    let unprefixed = version.strip_prefix('v').unwrap_or(version);
    let rest = skip_positive(unprefixed)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(skip_number)?;
    // `[^0-9]` takes one character (newlines included), then `.*` the rest but no newline.
    let mut tail = rest.chars();
    let first = tail.next()?;
    if first.is_ascii_digit() || tail.as_str().contains('\n') {
        return None;
    }
    unprefixed.get(..unprefixed.len() - rest.len())
}

/// Whether `name` is a valid `toolchain` line argument: it matches `modfile.ToolchainRE`,
/// `^default$|^go1($|\.)` (`go1.21.0`, `go1.21+auto`, `default`; not `go1x`).
///
/// The error modfile reports otherwise:
/// `invalid toolchain version 'X': must match format go1.23.0 or default`.
pub fn is_valid_toolchain(name: &str) -> bool {
    name == "default" || name == "go1" || name.starts_with("go1.")
}

/// A Go version taken apart as `internal/gover.Parse` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoVersion<'a> {
    /// Decimal major number.
    pub major: &'a str,
    /// Decimal minor number, or `""`.
    pub minor: &'a str,
    /// Decimal patch number, or `""` (`1.21` has none, but `1.20` means `1.20.0`).
    pub patch: &'a str,
    /// Prerelease kind: `""`, `alpha`, `beta`, `rc` or any other lowercase word.
    pub kind: &'a str,
    /// Prerelease number, or `""`.
    pub pre: &'a str,
}

/// Splits a decimal number without superfluous leading zeros off `s`.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let rest = skip_number(s)?;
    Some(s.split_at(s.len() - rest.len()))
}

impl<'a> GoVersion<'a> {
    /// Parses a bare Go version (`1.21.0`, `1.21rc1`, `1.9`, `1`); `None` if it is not one.
    pub fn parse(version: &'a str) -> Option<Self> {
        let (major, rest) = split_number(version)?;
        if rest.is_empty() {
            return Some(GoVersion {
                major,
                minor: "0",
                patch: "0",
                ..GoVersion::default()
            });
        }
        let (minor, rest) = split_number(rest.strip_prefix('.')?)?;
        if rest.is_empty() {
            // Before Go 1.21 the first release of a minor version had no `.0`.
            let patch = if compare_numbers(minor, "21") == Ordering::Less {
                "0"
            } else {
                ""
            };
            return Some(GoVersion {
                major,
                minor,
                patch,
                ..GoVersion::default()
            });
        }
        if let Some(patch_text) = rest.strip_prefix('.') {
            let (patch, rest) = split_number(patch_text)?;
            return rest.is_empty().then_some(GoVersion {
                major,
                minor,
                patch,
                ..GoVersion::default()
            });
        }
        let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        let (kind, rest) = rest.split_at(letters);
        if kind.is_empty() || rest.bytes().next().is_some_and(|b| !b.is_ascii_digit()) {
            return None;
        }
        if rest.is_empty() {
            return Some(GoVersion {
                major,
                minor,
                kind,
                ..GoVersion::default()
            });
        }
        let (pre, rest) = split_number(rest)?;
        rest.is_empty().then_some(GoVersion {
            major,
            minor,
            patch: "",
            kind,
            pre,
        })
    }
}

/// `internal/gover.Compare` for bare versions (no `go` prefix): numeric per component,
/// `1.21` < `1.21rc1` < `1.21.0`, `alpha` < `beta` < `rc`. Invalid versions are smaller than all
/// valid ones and equal to each other.
pub fn compare_go_versions(x: &str, y: &str) -> Ordering {
    let vx = GoVersion::parse(x).unwrap_or_default();
    let vy = GoVersion::parse(y).unwrap_or_default();
    compare_numbers(vx.major, vy.major)
        .then_with(|| compare_numbers(vx.minor, vy.minor))
        .then_with(|| compare_numbers(vx.patch, vy.patch))
        .then_with(|| vx.kind.cmp(vy.kind))
        .then_with(|| compare_numbers(vx.pre, vy.pre))
}

/// `internal/gover.IsValid`: whether `version` is a bare Go version [`GoVersion::parse`] accepts.
pub fn is_go_version(version: &str) -> bool {
    GoVersion::parse(version).is_some()
}

/// `internal/gover.Lang`: the language version of a Go version (`1.21.3` → `1.21`,
/// `1.0.1` → `1`); `""`-like input yields `""`.
pub fn go_lang(version: &str) -> String {
    let parsed = GoVersion::parse(version).unwrap_or_default();
    if parsed.minor.is_empty() || (parsed.major == "1" && parsed.minor == "0") {
        return parsed.major.to_owned();
    }
    format!("{}.{}", parsed.major, parsed.minor)
}

/// `cmd/go/internal/gover.FromToolchain`: the Go version of a toolchain name
/// (`go1.21.3` → `1.21.3`, `go1.21rc2-custom` → `1.21rc2`); `None` for `default`, names
/// without `go`, paths, and invalid versions.
pub fn go_version_from_toolchain(name: &str) -> Option<&str> {
    if name.contains(['\\', '/']) {
        return None;
    }
    let version = name.strip_prefix("go")?;
    let end = version.find([' ', '\t', '-']).unwrap_or(version.len());
    let version = version.get(..end)?;
    is_go_version(version).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_go_line_syntax() {
        for valid in [
            "1.21",
            "1.21.0",
            "1.21rc1",
            "1.21.0rc1",
            "2.0",
            "1.99",
            "1.0",
            "10.100.1000",
            "1.21beta01",
        ] {
            assert!(is_valid_go_version(valid), "{valid} should be valid");
        }
        for invalid in [
            "",
            "1",
            "1.021",
            "1.21.0-rc1",
            "go1.21",
            "v1.21",
            "1.21.a1",
            "01.21",
            "0.1",
            "1.21rc",
            "1.21.",
            "1.21.01",
            "1.21RC1",
            "1.21rc1a",
            "1..21",
            " 1.21",
            "1.21 ",
        ] {
            assert!(!is_valid_go_version(invalid), "{invalid} should be invalid");
        }
    }

    #[test]
    fn lax_go_line_fix_up() {
        let cases = [
            ("1.21", Some("1.21")),
            ("1.21.0rc1", Some("1.21.0rc1")),
            ("1.18-beta", Some("1.18")),
            ("v1.21.0", Some("1.21")),
            ("v1.21", None),
            ("1.21.a1", Some("1.21")),
            ("1.21.0-rc1", Some("1.21")),
            ("1.21x", Some("1.21")),
            ("1.2\n", Some("1.2")),
            ("1.2x\nx", None),
            ("1.02x", None),
            ("1", None),
            ("go1.21", None),
            ("01.2x", None),
            ("vv1.2x", None),
        ];
        for (input, want) in cases {
            assert_eq!(lax_go_version(input), want, "lax_go_version({input:?})");
        }
    }

    #[test]
    fn toolchain_syntax() {
        for valid in [
            "default",
            "go1",
            "go1.21",
            "go1.21.0-gccgo",
            "go1.21+auto",
            "go1.",
        ] {
            assert!(is_valid_toolchain(valid), "{valid}");
        }
        for invalid in [
            "go1x", "gox1", "go2", "Default", "default ", "go", "1.21", "go10.1",
        ] {
            assert!(!is_valid_toolchain(invalid), "{invalid}");
        }
    }

    #[test]
    fn ordering() {
        let ascending = [
            "",
            "1",
            "1.0.1",
            "1.9",
            "1.10",
            "1.20",
            "1.21",
            "1.21alpha1",
            "1.21beta1",
            "1.21beta2",
            "1.21rc1",
            "1.21rc2",
            "1.21.0",
            "1.21.1",
            "1.22rc1",
            "1.22.0",
            "2.0",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                assert_eq!(
                    compare_go_versions(a, b),
                    i.cmp(&j),
                    "compare_go_versions({a:?}, {b:?})"
                );
            }
        }
        assert_eq!(compare_go_versions("1.20", "1.20.0"), Ordering::Equal);
        assert_eq!(compare_go_versions("1", "1.0.0"), Ordering::Equal);
        assert_eq!(compare_go_versions("x", "1.x"), Ordering::Equal);
        assert_eq!(compare_go_versions("1.21", "1.21.0"), Ordering::Less);
    }

    #[test]
    fn lang_and_toolchains() {
        assert_eq!(go_lang("1.21.3"), "1.21");
        assert_eq!(go_lang("1.21rc2"), "1.21");
        assert_eq!(go_lang("1.0.1"), "1");
        assert_eq!(go_lang("2"), "2.0");
        assert_eq!(go_lang("junk"), "");
        assert!(is_go_version("1.21rc1") && is_go_version("1") && !is_go_version("1.21-rc1"));
        assert_eq!(go_version_from_toolchain("go1.21.3"), Some("1.21.3"));
        assert_eq!(
            go_version_from_toolchain("go1.21rc2-custom"),
            Some("1.21rc2")
        );
        assert_eq!(go_version_from_toolchain("go1.21.0+auto"), None);
        assert_eq!(go_version_from_toolchain("default"), None);
        assert_eq!(go_version_from_toolchain("go/1.21"), None);
    }
}
