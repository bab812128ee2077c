//! Retractions and the deprecation message of a dependency's go.mod, read as go reads them
//! (`modfile.ParseLax`, then `parseDirectiveComment` and `parseDeprecation`), through the go.mod
//! reader of `gomodls_syntax`.

use gomodls_syntax::modfile::{read, rules};

use crate::compat::semver;

/// A retracted interval `[low, high]` (closed) and the author's rationale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retraction {
    /// The lower bound as written (lax mode does not canonicalise bounds).
    pub low: String,
    /// The upper bound as written.
    pub high: String,
    /// The comment text on the directive (lines joined by `\n`); may be empty.
    pub rationale: String,
}

impl Retraction {
    /// Whether `version` lies inside the interval (go's `ModCompare(low, v) <= 0 <= ...`).
    pub fn contains(&self, version: &str) -> bool {
        semver::compare(&self.low, version).is_le() && semver::compare(version, &self.high).is_le()
    }
}

/// What a latest go.mod says about its module's other versions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetractionsAndDeprecation {
    /// The path on the `module` line, if any.
    pub module_path: Option<String>,
    /// The `retract` directives in file order.
    pub retractions: Vec<Retraction>,
    /// The deprecation message (the paragraph after `Deprecated:`), if any and non-empty.
    pub deprecation: Option<String>,
}

/// Reads the retractions and deprecation of a go.mod in lax mode. A syntax error or a directive
/// error lax mode reports fails the whole file with go's message (`go.mod:LINE:COL: ...`, one line
/// per error), as in go (`parsing go.mod: ...`); malformed `retract` lines are skipped silently,
/// as lax mode does.
pub fn read_retractions_and_deprecation(gomod: &[u8]) -> Result<RetractionsAndDeprecation, String> {
    const NAME: &str = "go.mod";
    let mut syntax = read::read(gomod, NAME).map_err(|err| err.go_message(NAME))?;
    let (file, errors) = rules::parse_gomod(&mut syntax, false);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|err| err.display(NAME).to_string())
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let (module_path, deprecation) = match file.module {
        Some(module) => {
            let deprecation = Some(module.deprecated).filter(|m| !m.is_empty());
            (Some(module.path), deprecation)
        }
        None => (None, None),
    };
    Ok(RetractionsAndDeprecation {
        module_path,
        retractions: file
            .retract
            .into_iter()
            .map(|r| Retraction {
                low: r.low,
                high: r.high,
                rationale: r.rationale,
            })
            .collect(),
        deprecation,
    })
}

/// go's `ShortMessage`: the first line, trimmed; the default if empty; replaced if longer than
/// 500 bytes or not printable.
pub fn short_message(message: &str, empty_default: &str) -> String {
    let first = message.split('\n').next().unwrap_or("").trim();
    if first.is_empty() {
        return empty_default.to_owned();
    }
    if first.len() > 500 {
        return "(message omitted: too long)".to_owned();
    }
    if first.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return "(message omitted: contains non-printable characters)".to_owned();
    }
    first.to_owned()
}

/// The text go prints for a retracted version: `retracted by module author[: RATIONALE]`.
pub fn retraction_message(rationales: &[String]) -> String {
    match rationales.first() {
        Some(first) => format!(
            "retracted by module author: {}",
            short_message(first, "retracted by module author")
        ),
        None => "retracted by module author".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retractions_with_rationale() {
        let got = read_retractions_and_deprecation(
            b"// Deprecated: use example.com/dep2 instead.\n// more text\n//\n// other\nmodule example.com/ret\n\ngo 1.21\n\n// v1.1.0 was broken\nretract v1.1.0\n\nretract [v1.2.0, v1.3.0] // oops\nretract (\n\t// first\n\tv0.1.0\n\t\"v0.2.0\"\n)\nretract [bad\n",
        )
        .unwrap();
        assert_eq!(got.module_path.as_deref(), Some("example.com/ret"));
        assert_eq!(
            got.deprecation.as_deref(),
            Some("use example.com/dep2 instead.\nmore text")
        );
        let summary: Vec<(String, String, String)> = got
            .retractions
            .iter()
            .map(|r| (r.low.clone(), r.high.clone(), r.rationale.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("v1.1.0".into(), "v1.1.0".into(), "v1.1.0 was broken".into()),
                ("v1.2.0".into(), "v1.3.0".into(), "oops".into()),
                ("v0.1.0".into(), "v0.1.0".into(), "first".into()),
                ("v0.2.0".into(), "v0.2.0".into(), String::new()),
            ]
        );
        assert!(got.retractions[1].contains("v1.2.5"));
        assert!(!got.retractions[1].contains("v1.3.1"));
    }

    #[test]
    fn deprecation_forms() {
        let read = |s: &str| {
            read_retractions_and_deprecation(s.as_bytes())
                .unwrap()
                .deprecation
        };
        assert_eq!(
            read("module a.com/x // Deprecated: gone\n"),
            Some("gone".into())
        );
        assert_eq!(read("//Deprecated:x\nmodule a.com/x\n"), Some("x".into()));
        assert_eq!(read("// Deprecated:\nmodule a.com/x\n"), None);
        assert_eq!(read("// x Deprecated: y\nmodule a.com/x\n"), None);
        assert_eq!(read("// Deprecated: detached\n\nmodule a.com/x\n"), None);
        assert_eq!(
            read("// intro\n//\n// Deprecated: later\nmodule a.com/x\n"),
            Some("later".into())
        );
    }

    #[test]
    fn messages() {
        assert_eq!(retraction_message(&[]), "retracted by module author");
        assert_eq!(
            retraction_message(&["bad\nmore".into()]),
            "retracted by module author: bad"
        );
        assert_eq!(
            short_message(&"x".repeat(501), "d"),
            "(message omitted: too long)"
        );
        assert_eq!(
            short_message("a\u{7}b", "d"),
            "(message omitted: contains non-printable characters)"
        );
        assert!(read_retractions_and_deprecation(b"module a.com/x /* c */\n").is_err());
    }
}
