//! `gomodls env [--json] [KEY...]`: the module environment the server resolves, as `go env` would
//! print it, with the origin of each value (variable, env file, GOROOT go.env, default, setting).
//!
//! The text form is `go env`'s (`KEY='value'`, shell-quoted) followed by a `# source` comment;
//! `--json` prints an object of `{"KEY": {"value": "...", "source": "...", "file": "..."}}`, where
//! `file` names the env file a value was read from.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::process::ExitCode;

use gomodls_modfetch::env::{EnvSource, EnvValue, GoEnv, KEYS};
use serde::Serialize;

use crate::cli::{Stdout, usage_error};

const USAGE: &str = "usage: gomodls env [--json] [KEY...]";

/// Runs `gomodls env` with the arguments after the subcommand name.
pub fn run(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    let mut as_json = false;
    let mut keys: Vec<&'static str> = Vec::new();
    for argument in arguments {
        match argument.to_str() {
            Some("--json" | "-json") => as_json = true,
            Some(flag) if flag.starts_with('-') => {
                return Ok(usage_error(&format!("unknown flag {flag}\n{USAGE}")));
            }
            Some(name) => match KEYS.iter().find(|key| **key == name) {
                Some(key) => keys.push(key),
                None => {
                    return Ok(usage_error(&format!(
                        "unknown variable {name:?} (known: {})\n{USAGE}",
                        KEYS.join(" ")
                    )));
                }
            },
            None => return Ok(usage_error("arguments must be UTF-8")),
        }
    }
    let env = GoEnv::from_process();
    let selected: Vec<(&str, &EnvValue)> = env
        .iter()
        .filter(|(key, _)| keys.is_empty() || keys.contains(key))
        .collect();
    let mut stdout = Stdout::lock();
    if as_json {
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&to_json(&selected))?
        )?;
    } else {
        stdout.print(&to_text(&selected))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The source as a short word, and the file it names, if any.
fn describe(source: &EnvSource) -> (String, Option<String>) {
    match source {
        EnvSource::Setting => ("setting".to_owned(), None),
        EnvSource::Process => ("variable".to_owned(), None),
        EnvSource::EnvFile(path) => ("env file".to_owned(), Some(path.display().to_string())),
        EnvSource::GorootGoEnv(path) => {
            ("GOROOT go.env".to_owned(), Some(path.display().to_string()))
        }
        EnvSource::Default => ("default".to_owned(), None),
        EnvSource::DerivedFrom(key) => (format!("from {key}"), None),
    }
}

/// go's `shellQuote`: single quotes, each `'` written as `'\''`.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

fn to_text(values: &[(&str, &EnvValue)]) -> String {
    let mut text = String::new();
    for (key, value) in values {
        let (source, file) = describe(&value.source);
        let origin = match file {
            Some(file) => format!("{source} {file}"),
            None => source,
        };
        text.push_str(&format!(
            "{key}={} # {}\n",
            shell_quote(&value.value),
            origin.replace('\n', " ")
        ));
    }
    text
}

/// One variable of `gomodls env --json`, its members in this order.
#[derive(Debug, Serialize)]
struct EnvEntry<'a> {
    value: &'a str,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
}

fn to_json<'a>(values: &[(&'a str, &'a EnvValue)]) -> BTreeMap<&'a str, EnvEntry<'a>> {
    values
        .iter()
        .map(|(key, value)| {
            let (source, file) = describe(&value.source);
            let entry = EnvEntry {
                value: &value.value,
                source,
                file,
            };
            (*key, entry)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn text_is_go_env_quoting_with_the_source() {
        let proxy = EnvValue {
            value: "https://a.example,direct".into(),
            source: EnvSource::EnvFile(PathBuf::from("/h/.config/go/env")),
        };
        let flags = EnvValue {
            value: "-tags=it's".into(),
            source: EnvSource::Process,
        };
        let root = EnvValue {
            value: String::new(),
            source: EnvSource::DerivedFrom("GOPRIVATE"),
        };
        let values = [
            ("GOFLAGS", &flags),
            ("GONOPROXY", &root),
            ("GOPROXY", &proxy),
        ];
        assert_eq!(
            to_text(&values),
            "GOFLAGS='-tags=it'\\''s' # variable\n\
             GONOPROXY='' # from GOPRIVATE\n\
             GOPROXY='https://a.example,direct' # env file /h/.config/go/env\n"
        );
        assert_eq!(
            serde_json::to_value(to_json(&values)).unwrap(),
            json!({
                "GOFLAGS": {"value": "-tags=it's", "source": "variable"},
                "GONOPROXY": {"value": "", "source": "from GOPRIVATE"},
                "GOPROXY": {"value": "https://a.example,direct", "source": "env file",
                            "file": "/h/.config/go/env"},
            })
        );
    }
}
