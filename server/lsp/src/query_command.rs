//! `gomodls query [--json] [--offline] MODULE[@QUERY]...`: what the server knows of each module,
//! in the spirit of `go list -m -versions -json`: the versions go lists (retracted ones left out),
//! the version a query resolves to (`latest` when none is given) with its time and retraction
//! rationales, the deprecation, every retraction interval with its rationale, the publish times
//! known, and where the data came from (which proxy, or a cache) and how fresh it is.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::process::ExitCode;

use gomodls_modfetch::{CacheConfig, DataSource, Freshness, GoEnv, ModuleClient};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::{Stdout, usage_error};

const USAGE: &str = "usage: gomodls query [--json] [--offline] MODULE[@QUERY]...";

/// Runs `gomodls query` with the arguments after the subcommand name.
pub fn run(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    let mut as_json = false;
    let mut offline = false;
    let mut modules: Vec<(String, Option<String>)> = Vec::new();
    for argument in arguments {
        match argument.to_str() {
            Some("--json" | "-json") => as_json = true,
            Some("--offline") => offline = true,
            Some(flag) if flag.starts_with('-') => {
                return Ok(usage_error(&format!("unknown flag {flag}\n{USAGE}")));
            }
            Some(module) => match module.split_once('@') {
                Some((path, query)) => modules.push((path.to_owned(), Some(query.to_owned()))),
                None => modules.push((module.to_owned(), None)),
            },
            None => return Ok(usage_error("arguments must be UTF-8")),
        }
    }
    if modules.is_empty() {
        return Ok(usage_error(USAGE));
    }
    let env = GoEnv::from_process();
    let cache = CacheConfig {
        offline,
        ..CacheConfig::in_user_cache_dir(&env)
    };
    let client = ModuleClient::new(env, cache)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Every module is described at once (each waits only for its own round trips); the
    // answers are printed in the order the modules were named.
    let tasks: Vec<_> = modules
        .into_iter()
        .map(|(path, query)| {
            let client = client.clone();
            runtime.spawn(async move { describe(&client, &path, query.as_deref()).await })
        })
        .collect();
    let mut failed = false;
    let mut answers = Vec::new();
    for task in tasks {
        let answer = runtime.block_on(task)?;
        failed |= answer.error.is_some();
        answers.push(answer);
    }
    runtime.block_on(client.flush());
    let mut stdout = Stdout::lock();
    for answer in &answers {
        if as_json {
            writeln!(stdout, "{}", serde_json::to_string_pretty(answer)?)?;
        } else {
            stdout.print(&to_text(answer))?;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn rfc3339(time: &OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_default()
}

fn freshness(freshness: Freshness) -> &'static str {
    match freshness {
        Freshness::Fresh => "fresh",
        Freshness::Cached => "cached",
        Freshness::Stale => "stale",
        Freshness::Offline => "offline",
    }
}

fn source(source: &DataSource) -> String {
    match source {
        DataSource::Proxy(url) => url.clone(),
        DataSource::Memory => "memory cache".to_owned(),
        DataSource::DiskCache => "disk cache".to_owned(),
        DataSource::GoModCache => "GOMODCACHE".to_owned(),
    }
}

/// One module's answer: go's field names where go has them, in the order they are printed.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<AnswerError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retracted: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    versions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deprecated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latest: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    retractions: Vec<AnswerRetraction>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    times: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    newer_majors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    freshness: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

/// go's `{"Err": …}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerError {
    err: String,
}

/// A retraction interval with its rationale.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerRetraction {
    low: String,
    high: String,
    rationale: String,
}

/// One module's answer.
async fn describe(client: &ModuleClient, path: &str, query: Option<&str>) -> Answer {
    let mut out = Answer {
        path: path.to_owned(),
        query: query.map(str::to_owned),
        ..Answer::default()
    };
    // The list, the facts and the query together: their requests overlap and are shared. The
    // list is polled first, so that its source is where the list came from, not the memory
    // cache the facts then read it from.
    let (list, facts, resolved) = tokio::join!(
        client.versions(path),
        client.facts(path),
        client.query(path, query.unwrap_or("latest"), None)
    );
    let list_source = list.ok().map(|list| list.source);
    let facts = match facts {
        Ok(facts) => facts,
        Err(error) => {
            out.error = Some(AnswerError {
                err: error.to_string(),
            });
            return out;
        }
    };
    match resolved {
        Ok(resolved) => {
            out.time = resolved.time.as_ref().map(rfc3339);
            out.retracted = resolved.retracted;
            out.version = Some(resolved.version);
        }
        Err(error) => {
            out.error = Some(AnswerError {
                err: error.to_string(),
            });
        }
    }
    out.versions = facts
        .visible_versions()
        .into_iter()
        .map(str::to_owned)
        .collect();
    out.deprecated = facts.deprecation.clone();
    out.latest = facts.latest_unretracted.clone();
    out.retractions = facts
        .retractions
        .iter()
        .map(|r| AnswerRetraction {
            low: r.low.clone(),
            high: r.high.clone(),
            rationale: r.rationale.clone(),
        })
        .collect();
    out.times = facts
        .times
        .iter()
        .map(|(version, time)| (version.clone(), rfc3339(time)))
        .collect();
    out.newer_majors = facts.newer_majors.iter().map(|m| m.path.clone()).collect();
    out.problems = facts.problems.clone();
    out.freshness = Some(freshness(facts.freshness));
    out.source = list_source.as_ref().map(source);
    out
}

/// The text form: one `Key: value` line per field, modules separated by a blank line.
fn to_text(answer: &Answer) -> String {
    let mut lines: Vec<(&str, String)> = vec![("Path", answer.path.clone())];
    let mut optional = |key, value: Option<String>| {
        if let Some(value) = value {
            lines.push((key, value));
        }
    };
    let list = |items: &[String]| (!items.is_empty()).then(|| items.join(", "));
    optional("Query", answer.query.clone());
    optional(
        "Error",
        answer.error.as_ref().map(|error| error.err.clone()),
    );
    optional("Version", answer.version.clone());
    optional("Time", answer.time.clone());
    optional("Retracted", answer.retracted.as_ref().map(|r| r.join(", ")));
    optional("Versions", list(&answer.versions));
    optional("Deprecated", answer.deprecated.clone());
    optional("Latest", answer.latest.clone());
    let retractions: Vec<String> = answer
        .retractions
        .iter()
        .map(|retraction| {
            let range = match retraction.low == retraction.high {
                true => retraction.low.clone(),
                false => format!("[{}, {}]", retraction.low, retraction.high),
            };
            match retraction.rationale.as_str() {
                "" => range,
                rationale => format!("{range} ({})", rationale.replace('\n', " ")),
            }
        })
        .collect();
    optional("Retractions", list(&retractions));
    let times: Vec<String> = answer
        .times
        .iter()
        .map(|(version, time)| format!("{version} {time}"))
        .collect();
    optional("Times", list(&times));
    optional("NewerMajors", list(&answer.newer_majors));
    optional("Problems", list(&answer.problems));
    optional("Freshness", answer.freshness.map(str::to_owned));
    optional("Source", answer.source.clone());
    let mut text = String::new();
    for (key, shown) in lines {
        text.push_str(&format!("{key}: {shown}\n"));
    }
    text.push('\n');
    text
}
