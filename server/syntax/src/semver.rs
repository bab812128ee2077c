//! Go's semantic versions (`golang.org/x/mod/semver`): validity, canonical forms and ordering.
//!
//! Go's rules differ from SemVer 2.0.0 (and from the `semver` crate): a leading `v` is required,
//! `vMAJOR` and `vMAJOR.MINOR` are shorthands for `.0` fill-ins (only without prerelease or build),
//! numbers have no leading zeros, and build metadata is ignored by comparison. Like Go, the
//! accessors return the empty string for an invalid version.

use std::cmp::Ordering;

/// The parts of a valid semantic version, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// Decimal major number, without the `v`.
    pub major: &'a str,
    /// Decimal minor number (`"0"` when the text omits it).
    pub minor: &'a str,
    /// Decimal patch number (`"0"` when the text omits it).
    pub patch: &'a str,
    /// What [`canonical`] appends to a shorthand: `".0.0"`, `".0"` or `""`.
    pub short: &'static str,
    /// The prerelease suffix including its leading `-`, or `""`.
    pub prerelease: &'a str,
    /// The build suffix including its leading `+`, or `""`.
    pub build: &'a str,
}

/// Parses `v` as Go's `semver` does, or `None` when it is not a valid semantic version.
pub fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, rest) = split_number(rest)?;
    if rest.is_empty() {
        return Some(Parsed {
            major,
            minor: "0",
            patch: "0",
            short: ".0.0",
            prerelease: "",
            build: "",
        });
    }
    let (minor, rest) = split_number(rest.strip_prefix('.')?)?;
    if rest.is_empty() {
        return Some(Parsed {
            major,
            minor,
            patch: "0",
            short: ".0",
            prerelease: "",
            build: "",
        });
    }
    let (patch, rest) = split_number(rest.strip_prefix('.')?)?;
    let (prerelease, rest) = if rest.starts_with('-') {
        split_prerelease(rest)?
    } else {
        ("", rest)
    };
    let build = if rest.starts_with('+') {
        check_build(rest)?
    } else {
        rest
    };
    if !build.is_empty() && !build.starts_with('+') {
        return None;
    }
    Some(Parsed {
        major,
        minor,
        patch,
        short: "",
        prerelease,
        build,
    })
}

/// Splits a leading decimal number without superfluous leading zeros off `s`.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits > 1 && s.starts_with('0')) {
        return None;
    }
    Some(s.split_at(digits))
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// Splits the prerelease (`-` up to `+` or the end) off `s`, checking its identifiers: not
/// empty, of ASCII letters, digits and `-`, and no number with a leading zero.
fn split_prerelease(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    // One pass over the identifiers after the `-`.
    let mut end = bytes.len();
    let mut identifier_start = 1;
    let mut all_digits = true;
    let mut at = 1;
    loop {
        match bytes.get(at).copied() {
            Some(b'.') | Some(b'+') | None => {
                let length = at - identifier_start;
                let leading_zero = bytes.get(identifier_start) == Some(&b'0');
                if length == 0 || (all_digits && length > 1 && leading_zero) {
                    return None;
                }
                match bytes.get(at) {
                    Some(b'.') => {
                        identifier_start = at + 1;
                        all_digits = true;
                    }
                    Some(_) => {
                        end = at;
                        break;
                    }
                    None => break,
                }
            }
            Some(byte) if is_identifier_byte(byte) => all_digits &= byte.is_ascii_digit(),
            Some(_) => return None,
        }
        at += 1;
    }
    Some(s.split_at(end))
}

/// Checks that `s` (starting with `+`) is a build suffix and returns it.
fn check_build(s: &str) -> Option<&str> {
    let identifiers = s.get(1..)?;
    for identifier in identifiers.split('.') {
        if identifier.is_empty() || !identifier.bytes().all(is_identifier_byte) {
            return None;
        }
    }
    Some(s)
}

/// Go's `semver.IsValid`.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// Go's `semver.Canonical`: fills in a missing `.MINOR`/`.PATCH` and drops build metadata
/// (`v1` → `v1.0.0`, `v1.2.3+meta` → `v1.2.3`); `""` for an invalid version.
pub fn canonical(v: &str) -> String {
    match parse(v) {
        Some(parsed) => canonical_of(v, &parsed),
        None => String::new(),
    }
}

/// [`canonical`] of the valid version `v`, parsed as `parsed`.
fn canonical_of(v: &str, parsed: &Parsed<'_>) -> String {
    if !parsed.build.is_empty()
        && let Some(without_build) = v.strip_suffix(parsed.build)
    {
        return without_build.to_owned();
    }
    let mut out = String::with_capacity(v.len() + parsed.short.len());
    out.push_str(v);
    out.push_str(parsed.short);
    out
}

/// Go's `semver.Major`: `v2.1.0` → `v2`; `""` for an invalid version.
pub fn major(v: &str) -> &str {
    match parse(v) {
        Some(parsed) => v.get(..1 + parsed.major.len()).unwrap_or(""),
        None => "",
    }
}

/// Go's `semver.MajorMinor`: `v2.1.0` → `v2.1`, `v2` → `v2.0`; `""` for an invalid version.
pub fn major_minor(v: &str) -> String {
    let Some(parsed) = parse(v) else {
        return String::new();
    };
    let major_end = 1 + parsed.major.len();
    let minor_end = major_end + 1 + parsed.minor.len();
    match v.get(..minor_end) {
        Some(prefix) if v.as_bytes().get(major_end) == Some(&b'.') => prefix.to_owned(),
        _ => format!("v{}.{}", parsed.major, parsed.minor),
    }
}

/// Go's `semver.Prerelease`: the prerelease suffix with its `-` (`v2.1.0-pre+meta` → `-pre`).
pub fn prerelease(v: &str) -> &str {
    parse(v).map_or("", |parsed| parsed.prerelease)
}

/// Whether `v` is a valid semantic version with a prerelease suffix.
pub fn is_prerelease(v: &str) -> bool {
    !prerelease(v).is_empty()
}

/// Go's `semver.Build`: the build suffix with its `+` (`v2.1.0+meta` → `+meta`).
pub fn build(v: &str) -> &str {
    parse(v).map_or("", |parsed| parsed.build)
}

/// Go's `module.CanonicalVersion`: [`canonical`], but a `+incompatible` suffix is kept.
pub fn module_canonical_version(v: &str) -> String {
    let Some(parsed) = parse(v) else {
        return String::new();
    };
    let mut canonical_version = canonical_of(v, &parsed);
    if parsed.build == "+incompatible" {
        canonical_version.push_str("+incompatible");
    }
    canonical_version
}

/// Go's `semver.Compare`: semantic version precedence, build metadata ignored. Invalid versions
/// are smaller than valid ones and equal to each other.
pub fn compare(v: &str, w: &str) -> Ordering {
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(pv), Some(pw)) => compare_numbers(pv.major, pw.major)
            .then_with(|| compare_numbers(pv.minor, pw.minor))
            .then_with(|| compare_numbers(pv.patch, pw.patch))
            .then_with(|| compare_prerelease(pv.prerelease, pw.prerelease)),
    }
}

/// The order of Go's `semver.Sort`: [`compare`], ties broken by plain string order.
pub fn compare_for_sort(v: &str, w: &str) -> Ordering {
    compare(v, w).then_with(|| v.cmp(w))
}

/// Go's `semver.Sort`: sorts by [`compare_for_sort`].
pub fn sort<S: AsRef<str>>(list: &mut [S]) {
    list.sort_by(|a, b| compare_for_sort(a.as_ref(), b.as_ref()));
}

/// Compares decimal strings without leading zeros: by length, then by digits.
pub(crate) fn compare_numbers(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// Compares prerelease suffixes (with their `-`); no prerelease is the greatest.
fn compare_prerelease(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    if x.is_empty() {
        return Ordering::Greater;
    }
    if y.is_empty() {
        return Ordering::Less;
    }
    let mut xs = x.get(1..).unwrap_or("").split('.');
    let mut ys = y.get(1..).unwrap_or("").split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(dx), Some(dy)) => {
                if dx == dy {
                    continue;
                }
                let x_numeric = dx.bytes().all(|b| b.is_ascii_digit());
                let y_numeric = dy.bytes().all(|b| b.is_ascii_digit());
                return match (x_numeric, y_numeric) {
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (true, true) => compare_numbers(dx, dy),
                    (false, false) => dx.cmp(dy),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity() {
        let valid = [
            "v0",
            "v1",
            "v1.2",
            "v1.2.3",
            "v10.20.30",
            "v1.2.3-pre",
            "v1.2.3-0a",
            "v1.2.3-0",
            "v1.2.3-a.b-c.0",
            "v1.2.3+meta",
            "v1.2.3+01.x-y",
            "v1.2.3-pre+meta",
            "v2.0.0+incompatible",
            "v1.0.0-20230102030405-abcdef123456",
        ];
        for v in valid {
            assert!(is_valid(v), "{v} should be valid");
        }
        let invalid = [
            "",
            "v",
            "1.2.3",
            "V1.2.3",
            "v01",
            "v1.02",
            "v1.2.03",
            "v1.2.3.4",
            "v1-pre",
            "v1.2-pre",
            "v1.2+incompatible",
            "v1+meta",
            "v1.2.3-01",
            "v1.2.3-",
            "v1.2.3-a..b",
            "v1.2.3-a.",
            "v1.2.3+",
            "v1.2.3+a..b",
            "v1.2.3-a_b",
            "v1.2.3+a+b",
            "v1.2.3 ",
            "v1.",
            "v1.2.",
            "v1.2.3-é",
        ];
        for v in invalid {
            assert!(!is_valid(v), "{v} should be invalid");
        }
    }

    #[test]
    fn accessors() {
        assert_eq!(canonical("v1"), "v1.0.0");
        assert_eq!(canonical("v1.2"), "v1.2.0");
        assert_eq!(canonical("v1.2.3+meta"), "v1.2.3");
        assert_eq!(canonical("v1.2.3-pre+meta"), "v1.2.3-pre");
        assert_eq!(canonical("v2.0.0+incompatible"), "v2.0.0");
        assert_eq!(canonical("bad"), "");
        assert_eq!(
            module_canonical_version("v2.0.0+incompatible"),
            "v2.0.0+incompatible"
        );
        assert_eq!(module_canonical_version("v2.0.0+meta"), "v2.0.0");
        assert_eq!(module_canonical_version("v2"), "v2.0.0");
        assert_eq!(module_canonical_version("v2+incompatible"), "");
        assert_eq!(major("v2.3.4"), "v2");
        assert_eq!(major("v2"), "v2");
        assert_eq!(major("x"), "");
        assert_eq!(major_minor("v2.3.4"), "v2.3");
        assert_eq!(major_minor("v2.3"), "v2.3");
        assert_eq!(major_minor("v2"), "v2.0");
        assert_eq!(major_minor("2.3"), "");
        assert_eq!(prerelease("v2.1.0-pre+meta"), "-pre");
        assert_eq!(prerelease("v2.1.0+meta"), "");
        assert_eq!(build("v2.1.0-pre+meta"), "+meta");
        assert_eq!(build("v2.1.0-pre"), "");
        assert!(is_prerelease("v1.0.0-rc.1"));
        assert!(!is_prerelease("v1.0.0"));
        assert!(!is_prerelease("v1.0-rc.1"));
    }

    #[test]
    fn ordering() {
        let ascending = [
            "bad",
            "v0.0.0-00010101000000-000000000000",
            "v0.0.0",
            "v0.1.0",
            "v0.9.0",
            "v0.10.0",
            "v1.0.0-0",
            "v1.0.0-2",
            "v1.0.0-11",
            "v1.0.0-a",
            "v1.0.0-alpha",
            "v1.0.0-alpha.1",
            "v1.0.0-alpha.beta",
            "v1.0.0-beta",
            "v1.0.0-beta.2",
            "v1.0.0-beta.11",
            "v1.0.0-rc.1",
            "v1.0.0",
            "v1.0.1-0.20230102030405-abcdef123456",
            "v1.0.1",
            "v1.2.0",
            "v2.0.0+incompatible",
            "v10.0.0",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                assert_eq!(compare(a, b), i.cmp(&j), "compare({a}, {b})");
            }
        }
        assert_eq!(compare("v1", "v1.0.0"), Ordering::Equal);
        assert_eq!(compare("v1.2.3+a", "v1.2.3+b"), Ordering::Equal);
        assert_eq!(compare("bad", "worse"), Ordering::Equal);
        assert_eq!(compare("v1.2", "v1.2.0+x"), Ordering::Equal);
    }

    #[test]
    fn sorting_breaks_ties_by_text() {
        let mut list = vec!["v1.0.0+b", "v1.0.0", "x", "v1", "v1.0.0+a", "a", "v0.1.0"];
        sort(&mut list);
        assert_eq!(
            list,
            ["a", "x", "v0.1.0", "v1", "v1.0.0", "v1.0.0+a", "v1.0.0+b"]
        );
    }
}
