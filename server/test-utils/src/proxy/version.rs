//! The little of Go's version semantics the proxy needs: ordering, prerelease and
//! pseudo-version recognition, and a pseudo-version's commit time.

use std::cmp::Ordering;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Compares two versions the way `semver.Compare` does (build metadata ignored). Strings that
/// are not valid semantic versions sort below every valid one, and among themselves bytewise.
pub(crate) fn compare(left: &str, right: &str) -> Ordering {
    match (parse(left), parse(right)) {
        (Some(left), Some(right)) => (left.major, left.minor, left.patch, &left.pre).cmp(&(
            right.major,
            right.minor,
            right.patch,
            &right.pre,
        )),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => left.cmp(right),
    }
}

/// Whether `version` is a valid semantic version with a prerelease part.
pub(crate) fn is_prerelease(version: &str) -> bool {
    parse(version).is_some_and(|parsed| !parsed.pre.is_empty())
}

/// Whether `version` has the shape of a pseudo-version (`module.IsPseudoVersion`).
pub(crate) fn is_pseudo(version: &str) -> bool {
    pseudo_parts(version).is_some()
}

/// The commit time encoded in a pseudo-version, in UTC.
pub(crate) fn pseudo_time(version: &str) -> Option<OffsetDateTime> {
    let (timestamp, _) = pseudo_parts(version)?;
    let digits = |from: usize, to: usize| timestamp.get(from..to)?.parse::<u32>().ok();
    let year = i32::try_from(digits(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(4, 6)?).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(digits(6, 8)?).ok()?).ok()?;
    let time = Time::from_hms(
        u8::try_from(digits(8, 10)?).ok()?,
        u8::try_from(digits(10, 12)?).ok()?,
        u8::try_from(digits(12, 14)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

fn parse(version: &str) -> Option<semver::Version> {
    let rest = version.strip_prefix('v')?;
    semver::Version::parse(rest).ok()
}

/// Splits a pseudo-version into its 14-digit timestamp and revision, checking the base form.
fn pseudo_parts(version: &str) -> Option<(&str, &str)> {
    parse(version)?;
    if version.matches('-').count() < 2 {
        return None;
    }
    let without_build = version.split('+').next()?;
    let (before_revision, revision) = without_build.rsplit_once('-')?;
    if revision.is_empty() || !revision.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let split = before_revision.len().checked_sub(14)?;
    let (base, timestamp) = (before_revision.get(..split)?, before_revision.get(split..)?);
    if !timestamp.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (core, pre) = base.split_once('-')?;
    let mut numbers = core.strip_prefix('v')?.split('.');
    let (major, minor, patch) = (numbers.next()?, numbers.next()?, numbers.next()?);
    let is_number = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    if !(is_number(major) && is_number(minor) && is_number(patch)) {
        return None;
    }
    // Form 1 is `vX.0.0-TIMESTAMP`; the others end their prerelease prefix with `0.`.
    let form_one = minor == "0" && patch == "0" && pre.is_empty();
    let later_form = pre == "0." || pre.ends_with(".0.");
    (form_one || later_form).then_some((timestamp, revision))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_go() {
        let mut versions = vec![
            "v1.10.0",
            "v1.2.0",
            "v1.2.0-pre",
            "v1.2.1-0.20230102030405-abcdefabcdef",
            "v2.0.0+incompatible",
            "v0.0.0-20200101000000-000000000000",
            "v1.2.0-alpha.10",
            "v1.2.0-alpha.9",
        ];
        versions.sort_by(|a, b| compare(a, b));
        assert_eq!(
            versions,
            [
                "v0.0.0-20200101000000-000000000000",
                "v1.2.0-alpha.9",
                "v1.2.0-alpha.10",
                "v1.2.0-pre",
                "v1.2.0",
                "v1.2.1-0.20230102030405-abcdefabcdef",
                "v1.10.0",
                "v2.0.0+incompatible",
            ]
        );
        assert_eq!(compare("v1.0.0", "v1.0.0+meta"), Ordering::Equal);
        assert_eq!(compare("master", "v0.0.1"), Ordering::Less);
    }

    #[test]
    fn recognises_pseudo_versions() {
        for pseudo in [
            "v0.0.0-20230102030405-abcdefabcdef",
            "v1.2.4-0.20230102030405-abcdefabcdef",
            "v1.2.4-pre.0.20230102030405-abcdefabcdef",
            "v2.0.1-0.20230102030405-abcdefabcdef+incompatible",
            "v1.0.0-20230102030405-abcdef",
        ] {
            assert!(is_pseudo(pseudo), "{pseudo}");
            assert!(is_prerelease(pseudo), "{pseudo}");
        }
        for not_pseudo in [
            "v1.0.0",
            "v1.0.0-rc.1",
            "v1.1.0-20230102030405-abcdefabcdef",
            "v1.0.1-1.20230102030405-abcdefabcdef",
            "v0.0.0-2023010203040-abcdefabcdef",
            "master",
        ] {
            assert!(!is_pseudo(not_pseudo), "{not_pseudo}");
        }
        assert!(!is_prerelease("v1.0.0+incompatible"));
    }

    #[test]
    fn pseudo_time_is_utc() {
        let time = pseudo_time("v1.2.4-0.20230102030405-abcdefabcdef").unwrap();
        assert_eq!(time, time::macros::datetime!(2023-01-02 03:04:05 UTC));
        assert_eq!(pseudo_time("v0.0.0-20231302030405-abcdefabcdef"), None);
    }
}
