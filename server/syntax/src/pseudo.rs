//! Pseudo-versions (`golang.org/x/mod/module/pseudo.go`): recognising them, taking them apart
//! into base version, UTC commit time and revision, and building them, with Go's error text.
//!
//! The five forms (TIMESTAMP is `yyyymmddhhmmss` in UTC):
//! `vX.0.0-TIMESTAMP-REV`, `vX.Y.(Z+1)-0.TIMESTAMP-REV[+incompatible]` after tag `vX.Y.Z`, and
//! `vX.Y.Z-PRE.0.TIMESTAMP-REV[+incompatible]` after tag `vX.Y.Z-PRE`.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::module_path::{InvalidVersionError, VersionProblem};
use crate::semver;

/// Go's `module.IsPseudoVersion`: at least two `-`, a valid semantic version, and the shape of
/// one of the pseudo-version forms. The revision's length is not checked.
pub fn is_pseudo_version(v: &str) -> bool {
    v.matches('-').count() >= 2 && semver::is_valid(v) && matches_pseudo_shape(v)
}

/// Go's `pseudoVersionRE`:
/// `^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`.
fn matches_pseudo_shape(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let Some(rest) = skip_digits(rest).and_then(|rest| rest.strip_prefix('.')) else {
        return false;
    };
    // First alternative: `0.0-` directly before the timestamp.
    if rest
        .strip_prefix("0.0-")
        .is_some_and(matches_timestamp_tail)
    {
        return true;
    }
    // Second alternative: `MINOR.PATCH-`, an optional `[^+]*.` prefix, then `0.`.
    let Some(after_dash) = skip_digits(rest)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(skip_digits)
        .and_then(|rest| rest.strip_prefix('-'))
    else {
        return false;
    };
    let bytes = after_dash.as_bytes();
    (0..bytes.len()).any(|zero_at| {
        let prefix_ok = zero_at == 0
            || (bytes.get(zero_at - 1) == Some(&b'.')
                && !bytes
                    .get(..zero_at)
                    .is_some_and(|prefix| prefix.contains(&b'+')));
        prefix_ok
            && after_dash
                .get(zero_at..)
                .and_then(|rest| rest.strip_prefix("0."))
                .is_some_and(matches_timestamp_tail)
    })
}

/// Skips one or more ASCII digits.
fn skip_digits(s: &str) -> Option<&str> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 { None } else { s.get(digits..) }
}

/// Matches `\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`.
fn matches_timestamp_tail(s: &str) -> bool {
    let Some((timestamp, rest)) = s.split_at_checked(14) else {
        return false;
    };
    if !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    let (rev, build) = rest.split_at(rest.find('+').unwrap_or(rest.len()));
    if rev.is_empty() || !rev.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    match build.strip_prefix('+') {
        None => build.is_empty(),
        Some(identifiers) => identifiers.split('.').all(|identifier| {
            !identifier.is_empty()
                && identifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }),
    }
}

/// The textual parts of a pseudo-version (Go's `parsePseudoVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PseudoVersionParts<'a> {
    /// `vX.0.0` (form 1), `vX.Y.(Z+1)-0` (form 2) or `vX.Y.Z-PRE.0` (form 4).
    pub base: &'a str,
    /// The 14-digit `yyyymmddhhmmss` UTC timestamp, not yet checked as a time.
    pub timestamp: &'a str,
    /// The revision identifier (commit hash prefix).
    pub rev: &'a str,
    /// The build suffix with its `+` (`+incompatible`), or `""`.
    pub build: &'a str,
}

fn pseudo_error(v: &str, problem: VersionProblem) -> InvalidVersionError {
    InvalidVersionError {
        version: v.to_owned(),
        pseudo: true,
        problem,
    }
}

/// Splits a pseudo-version into its textual parts, or fails with
/// `pseudo-version "X" invalid: syntax error`.
pub fn split_pseudo_version(v: &str) -> Result<PseudoVersionParts<'_>, InvalidVersionError> {
    let syntax_error = || pseudo_error(v, VersionProblem::PseudoSyntax);
    if !is_pseudo_version(v) {
        return Err(syntax_error());
    }
    let build = semver::build(v);
    let without_build = v.strip_suffix(build).ok_or_else(syntax_error)?;
    let (head, rev) = without_build.rsplit_once('-').ok_or_else(syntax_error)?;
    let last_dash = head.rfind('-').ok_or_else(syntax_error)?;
    let (base, timestamp) = match head.rfind('.') {
        Some(last_dot) if last_dot > last_dash => (head.get(..last_dot), head.get(last_dot + 1..)),
        _ => (head.get(..last_dash), head.get(last_dash + 1..)),
    };
    Ok(PseudoVersionParts {
        base: base.ok_or_else(syntax_error)?,
        timestamp: timestamp.ok_or_else(syntax_error)?,
        rev,
        build,
    })
}

/// A pseudo-version taken apart: what [`pseudo_version_base`], [`pseudo_version_time`] and
/// [`pseudo_version_rev`] return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPseudoVersion<'a> {
    /// The tag the pseudo-version builds on (with the build suffix), or `""` for form 1.
    pub base: String,
    /// The commit time, in UTC.
    pub time: OffsetDateTime,
    /// The revision identifier.
    pub rev: &'a str,
}

/// Takes a pseudo-version apart; the first error of syntax, time and base is returned.
pub fn parse_pseudo_version(v: &str) -> Result<ParsedPseudoVersion<'_>, InvalidVersionError> {
    let parts = split_pseudo_version(v)?;
    Ok(ParsedPseudoVersion {
        time: pseudo_version_time(v)?,
        base: pseudo_version_base(v)?,
        rev: parts.rev,
    })
}

/// Go's `module.PseudoVersionTime`: the commit time, or
/// `pseudo-version "X" invalid: malformed time "20231302030405"`.
pub fn pseudo_version_time(v: &str) -> Result<OffsetDateTime, InvalidVersionError> {
    let parts = split_pseudo_version(v)?;
    parse_timestamp(parts.timestamp)
        .ok_or_else(|| pseudo_error(v, VersionProblem::MalformedTime(parts.timestamp.to_owned())))
}

/// Parses `yyyymmddhhmmss` as Go's `time.Parse("20060102150405", …)` does, in UTC.
fn parse_timestamp(timestamp: &str) -> Option<OffsetDateTime> {
    if timestamp.len() != 14 || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |range: std::ops::Range<usize>| timestamp.get(range)?.parse::<u16>().ok();
    let year = i32::from(field(0..4)?);
    let month = Month::try_from(u8::try_from(field(4..6)?).ok()?).ok()?;
    let day = u8::try_from(field(6..8)?).ok()?;
    let hour = u8::try_from(field(8..10)?).ok()?;
    let minute = u8::try_from(field(10..12)?).ok()?;
    let second = u8::try_from(field(12..14)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Go's `module.PseudoVersionRev`: the revision identifier.
pub fn pseudo_version_rev(v: &str) -> Result<&str, InvalidVersionError> {
    split_pseudo_version(v).map(|parts| parts.rev)
}

/// Go's `module.PseudoVersionBase`: the tag the pseudo-version builds on, `""` when there is
/// none (form 1). Errors: `lacks base version, but has build metadata "+incompatible"`,
/// `version before v1.0.0 would have negative patch number`.
pub fn pseudo_version_base(v: &str) -> Result<String, InvalidVersionError> {
    let parts = split_pseudo_version(v)?;
    let base = parts.base;
    let build = parts.build;
    match semver::prerelease(base) {
        "" => {
            if build.is_empty() {
                Ok(String::new())
            } else {
                Err(pseudo_error(
                    v,
                    VersionProblem::LacksBaseVersion(build.to_owned()),
                ))
            }
        }
        "-0" => {
            let release = base.strip_suffix("-0").unwrap_or(base);
            let (major_minor, patch) = release.rsplit_once('.').unwrap_or(("", release));
            let previous = decrement_decimal(patch);
            if previous.is_empty() {
                return Err(pseudo_error(
                    v,
                    VersionProblem::NegativePatch(release.to_owned()),
                ));
            }
            Ok(format!("{major_minor}.{previous}{build}"))
        }
        _ => Ok(format!(
            "{}{build}",
            base.strip_suffix(".0").unwrap_or(base)
        )),
    }
}

/// Adds one to a decimal string (`"9"` → `"10"`).
fn increment_decimal(decimal: &str) -> String {
    let mut digits = decimal.as_bytes().to_vec();
    for digit in digits.iter_mut().rev() {
        if *digit == b'9' {
            *digit = b'0';
        } else {
            *digit += 1;
            return String::from_utf8_lossy(&digits).into_owned();
        }
    }
    format!("1{}", String::from_utf8_lossy(&digits))
}

/// Subtracts one from a decimal string (`"10"` → `"9"`); `""` for zero.
fn decrement_decimal(decimal: &str) -> String {
    let mut digits = decimal.as_bytes().to_vec();
    let mut position = digits.len();
    loop {
        let Some(index) = position.checked_sub(1) else {
            return String::new();
        };
        position = index;
        match digits.get_mut(index) {
            Some(digit) if *digit == b'0' => *digit = b'9',
            Some(digit) => {
                *digit -= 1;
                break;
            }
            None => return String::new(),
        }
    }
    // A leading one that became zero disappears ("10" → "9"), as in Go.
    if position == 0 && digits.len() > 1 && digits.first() == Some(&b'0') {
        digits.remove(0);
    }
    String::from_utf8_lossy(&digits).into_owned()
}

/// Formats a time as Go's `t.UTC().Format("20060102150405")`.
fn format_timestamp(time: OffsetDateTime) -> String {
    let seconds = time.unix_timestamp();
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let year_text = if year < 0 {
        format!("-{:04}", year.unsigned_abs())
    } else {
        format!("{year:04}")
    };
    format!(
        "{year_text}{month:02}{day:02}{:02}{:02}{:02}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Go's `module.PseudoVersion`: the pseudo-version for a commit at `time` with revision `rev`,
/// whose latest ancestor tag of major version `major` (`""` means `v0`) is `older` (`""` or an
/// invalid version for none). The time is converted to UTC.
pub fn pseudo_version(major: &str, older: &str, time: OffsetDateTime, rev: &str) -> String {
    let major = if major.is_empty() { "v0" } else { major };
    let segment = format!("{}-{rev}", format_timestamp(time));
    let build = semver::build(older);
    let older = semver::canonical(older);
    if older.is_empty() {
        return format!("{major}.0.0-{segment}");
    }
    if semver::is_prerelease(&older) {
        return format!("{older}.0.{segment}{build}");
    }
    let (major_minor, patch) = older.rsplit_once('.').unwrap_or(("", &older));
    format!(
        "{major_minor}.{}-0.{segment}{build}",
        increment_decimal(patch)
    )
}

/// Go's `module.ZeroPseudoVersion`: `vX.0.0-00010101000000-000000000000`, the placeholder for
/// an unknown revision (`""` means `v0`).
pub fn zero_pseudo_version(major: &str) -> String {
    let major = if major.is_empty() { "v0" } else { major };
    format!("{major}.0.0-00010101000000-000000000000")
}

/// Go's `module.IsZeroPseudoVersion`.
pub fn is_zero_pseudo_version(v: &str) -> bool {
    v == zero_pseudo_version(semver::major(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn recognition() {
        let yes = [
            "v0.0.0-20230102030405-abcdef123456",
            "v1.0.0-20230102030405-abcdef",
            "v1.2.4-0.20230102030405-abcdef123456",
            "v1.2.4-0.20230102030405-abcdef123456+incompatible",
            "v1.2.3-pre.0.20230102030405-abcdef123456",
            "v1.2.3-pre.x.0.20230102030405-abcdef123456+incompatible",
            "v1.2.3-a-b.0.20230102030405-ABC",
            "v2.0.0-20231302030405-abcdef123456",
            "v1.2.3-0.20230102030405-abcdef",
        ];
        for v in yes {
            assert!(is_pseudo_version(v), "{v} should be a pseudo-version");
        }
        let no = [
            "v1.0.0",
            "v1.0.0-pre",
            "v1.0.0-20230102030405",
            "v1.0.0-2023010203040-abcdef",
            "v1.0.0-202301020304056-abcdef",
            "v1.0.0-20230102030405-",
            "v1.0.0-20230102030405-abc_def",
            "v1.2.4-1.20230102030405-abcdef",
            "v1.2.3-pre0.20230102030405-abcdef",
            "v1.2.3-20230102030405-abcdef",
            "1.0.0-20230102030405-abcdef",
            "v1.0-20230102030405-abcdef",
            "v1.0.0-20230102030405-abcdef+",
        ];
        for v in no {
            assert!(!is_pseudo_version(v), "{v} should not be a pseudo-version");
        }
    }

    fn base(v: &str) -> String {
        match pseudo_version_base(v) {
            Ok(base) => base,
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn base_versions() {
        assert_eq!(base("v0.0.0-20230102030405-abcdef123456"), "");
        assert_eq!(base("v1.2.4-0.20230102030405-abcdef123456"), "v1.2.3");
        assert_eq!(base("v1.2.10-0.20230102030405-abcdef123456"), "v1.2.9");
        assert_eq!(base("v1.2.100-0.20230102030405-abcdef123456"), "v1.2.99");
        assert_eq!(
            base("v2.0.1-0.20230102030405-abc+incompatible"),
            "v2.0.0+incompatible"
        );
        assert_eq!(base("v1.2.3-pre.0.20230102030405-abc"), "v1.2.3-pre");
        assert_eq!(
            base("v2.0.0-rc.1.0.20230102030405-abc+incompatible"),
            "v2.0.0-rc.1+incompatible"
        );
        assert_eq!(
            base("v2.0.0-20230102030405-abc+incompatible"),
            r#"pseudo-version "v2.0.0-20230102030405-abc+incompatible" invalid: lacks base version, but has build metadata "+incompatible""#
        );
        assert_eq!(
            base("v1.0.0-0.20230102030405-abc"),
            r#"pseudo-version "v1.0.0-0.20230102030405-abc" invalid: version before v1.0.0 would have negative patch number"#
        );
        assert_eq!(
            base("v1.0.0"),
            r#"pseudo-version "v1.0.0" invalid: syntax error"#
        );
    }

    #[test]
    fn times_and_revisions() {
        assert_eq!(
            pseudo_version_time("v1.2.4-0.20230102030405-abcdef123456"),
            Ok(datetime!(2023-01-02 03:04:05 UTC))
        );
        assert_eq!(
            pseudo_version_time("v0.0.0-20240229235959-abc"),
            Ok(datetime!(2024-02-29 23:59:59 UTC))
        );
        for bad in [
            "20231302030405",
            "20230230000000",
            "20230229000000",
            "20230101240000",
            "20230101006000",
            "20230101000060",
            "20230100000000",
        ] {
            let v = format!("v0.0.0-{bad}-abc");
            assert_eq!(
                pseudo_version_time(&v).err().map(|e| e.to_string()),
                Some(format!(
                    r#"pseudo-version "{v}" invalid: malformed time "{bad}""#
                ))
            );
        }
        assert_eq!(
            pseudo_version_rev("v1.2.4-0.20230102030405-abcdef123456+incompatible"),
            Ok("abcdef123456")
        );
        assert!(pseudo_version_rev("v1.2.3").is_err());
        let parsed = parse_pseudo_version("v1.2.4-0.20230102030405-abcdef123456").ok();
        assert_eq!(
            parsed,
            Some(ParsedPseudoVersion {
                base: "v1.2.3".to_owned(),
                time: datetime!(2023-01-02 03:04:05 UTC),
                rev: "abcdef123456",
            })
        );
        let parts = split_pseudo_version("v1.2.3-a-b.0.20230102030405-abc+x").ok();
        assert_eq!(
            parts,
            Some(PseudoVersionParts {
                base: "v1.2.3-a-b.0",
                timestamp: "20230102030405",
                rev: "abc",
                build: "+x",
            })
        );
    }

    #[test]
    fn construction() {
        let t = datetime!(2023-01-02 03:04:05 UTC);
        assert_eq!(
            pseudo_version("", "", t, "abcdef123456"),
            "v0.0.0-20230102030405-abcdef123456"
        );
        assert_eq!(
            pseudo_version("v2", "", t, "abc"),
            "v2.0.0-20230102030405-abc"
        );
        assert_eq!(
            pseudo_version("v1", "v1.2.3", t, "abc"),
            "v1.2.4-0.20230102030405-abc"
        );
        assert_eq!(
            pseudo_version("v1", "v1.2.9", t, "abc"),
            "v1.2.10-0.20230102030405-abc"
        );
        assert_eq!(
            pseudo_version("v1", "v1.2.99", t, "abc"),
            "v1.2.100-0.20230102030405-abc"
        );
        assert_eq!(
            pseudo_version("v1", "v1.2", t, "abc"),
            "v1.2.1-0.20230102030405-abc"
        );
        assert_eq!(
            pseudo_version("v2", "v2.0.0-rc.1+incompatible", t, "abc"),
            "v2.0.0-rc.1.0.20230102030405-abc+incompatible"
        );
        assert_eq!(
            pseudo_version("v2", "v2.0.0+incompatible", t, "abc"),
            "v2.0.1-0.20230102030405-abc+incompatible"
        );
        assert_eq!(
            pseudo_version("v1", "garbage", t, "abc"),
            "v1.0.0-20230102030405-abc"
        );
        let zoned = datetime!(2023-01-02 01:04:05 +02:00);
        assert_eq!(
            pseudo_version("v1", "", zoned, "abc"),
            "v1.0.0-20230101230405-abc"
        );
        let early = datetime!(-0005-03-01 00:00:00 UTC);
        assert_eq!(
            pseudo_version("", "", early, "abc"),
            "v0.0.0--00050301000000-abc"
        );
        let late = datetime!(9999-12-31 23:00:00 -02:00);
        assert_eq!(
            pseudo_version("", "", late, "abc"),
            "v0.0.0-100000101010000-abc"
        );
        assert_eq!(
            zero_pseudo_version(""),
            "v0.0.0-00010101000000-000000000000"
        );
        assert_eq!(
            zero_pseudo_version("v2"),
            "v2.0.0-00010101000000-000000000000"
        );
        assert!(is_zero_pseudo_version("v2.0.0-00010101000000-000000000000"));
        assert!(!is_zero_pseudo_version(
            "v2.0.0-00010101000000-000000000001"
        ));
        let zero = datetime!(0001-01-01 00:00:00 UTC);
        assert_eq!(
            pseudo_version("v3", "", zero, "000000000000"),
            zero_pseudo_version("v3")
        );
    }

    #[test]
    fn pseudo_versions_order_as_prereleases() {
        let ascending = [
            "v1.0.0-20230102030405-abc",
            "v1.0.0-20240102030405-abc",
            "v1.0.0-alpha",
            "v1.0.0",
            "v1.2.3",
            "v1.2.4-0",
            "v1.2.4-0.20230102030405-abc",
            "v1.2.4-0.20240102030405-abc",
            "v1.2.4-1",
            "v1.2.4-alpha",
            "v1.2.4",
        ];
        for pair in ascending.windows(2) {
            assert_eq!(
                semver::compare(pair[0], pair[1]),
                std::cmp::Ordering::Less,
                "{pair:?}"
            );
        }
    }

    #[test]
    fn decimals() {
        assert_eq!(increment_decimal("0"), "1");
        assert_eq!(increment_decimal("99"), "100");
        assert_eq!(increment_decimal("109"), "110");
        assert_eq!(decrement_decimal("0"), "");
        assert_eq!(decrement_decimal("1"), "0");
        assert_eq!(decrement_decimal("10"), "9");
        assert_eq!(decrement_decimal("100"), "99");
        assert_eq!(decrement_decimal("110"), "109");
        assert_eq!(decrement_decimal("200"), "199");
    }
}
