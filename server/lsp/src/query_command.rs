//! `gomodls query [--json] [--offline] MODULE[@QUERY]...`: what the server knows of each module,
//! in the spirit of `go list -m -versions -json`: the versions go lists (retracted ones left out),
//! the version a query resolves to (`latest` when none is given) with its time and retraction
//! rationales, the deprecation, every retraction interval with its rationale, the publish times
//! known, and where the data came from (which proxy, or a cache) and how fresh it is.

use std::ffi::OsString;
use std::process::ExitCode;

use gomodls_modfetch::{CacheConfig, DataSource, Freshness, GoEnv, ModuleClient};
use serde_json::{Map, Value, json};
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
        failed |= answer.get("Error").is_some();
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

/// One module's answer as a JSON object (go's field names where go has them).
async fn describe(client: &ModuleClient, path: &str, query: Option<&str>) -> Value {
    let mut out = Map::new();
    out.insert("Path".to_owned(), json!(path));
    if let Some(query) = query {
        out.insert("Query".to_owned(), json!(query));
    }
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
            out.insert("Error".to_owned(), json!({ "Err": error.to_string() }));
            return Value::Object(out);
        }
    };
    match resolved {
        Ok(resolved) => {
            out.insert("Version".to_owned(), json!(resolved.version));
            if let Some(time) = &resolved.time {
                out.insert("Time".to_owned(), json!(rfc3339(time)));
            }
            if let Some(rationales) = &resolved.retracted {
                out.insert("Retracted".to_owned(), json!(rationales));
            }
        }
        Err(error) => {
            out.insert("Error".to_owned(), json!({ "Err": error.to_string() }));
        }
    }
    let visible = facts.visible_versions();
    if !visible.is_empty() {
        out.insert("Versions".to_owned(), json!(visible));
    }
    if let Some(message) = &facts.deprecation {
        out.insert("Deprecated".to_owned(), json!(message));
    }
    if let Some(latest) = &facts.latest_unretracted {
        out.insert("Latest".to_owned(), json!(latest));
    }
    if !facts.retractions.is_empty() {
        let retractions: Vec<Value> = facts
            .retractions
            .iter()
            .map(|r| json!({ "Low": r.low, "High": r.high, "Rationale": r.rationale }))
            .collect();
        out.insert("Retractions".to_owned(), Value::Array(retractions));
    }
    if !facts.times.is_empty() {
        let times: Map<String, Value> = facts
            .times
            .iter()
            .map(|(version, time)| (version.clone(), json!(rfc3339(time))))
            .collect();
        out.insert("Times".to_owned(), Value::Object(times));
    }
    if !facts.newer_majors.is_empty() {
        let majors: Vec<&str> = facts.newer_majors.iter().map(|m| m.path.as_str()).collect();
        out.insert("NewerMajors".to_owned(), json!(majors));
    }
    if !facts.problems.is_empty() {
        out.insert("Problems".to_owned(), json!(facts.problems));
    }
    out.insert("Freshness".to_owned(), json!(freshness(facts.freshness)));
    if let Some(list_source) = &list_source {
        out.insert("Source".to_owned(), json!(source(list_source)));
    }
    Value::Object(out)
}

/// The text form: one `Key: value` line per field, modules separated by a blank line.
fn to_text(answer: &Value) -> String {
    let mut text = String::new();
    let Some(fields) = answer.as_object() else {
        return text;
    };
    for (key, value) in fields {
        let shown = match value {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => {
                        let field = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
                        let range = if field("Low") == field("High") {
                            field("Low").to_owned()
                        } else {
                            format!("[{}, {}]", field("Low"), field("High"))
                        };
                        match field("Rationale") {
                            "" => range,
                            rationale => format!("{range} ({})", rationale.replace('\n', " ")),
                        }
                    }
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(o) if key == "Error" => o
                .get("Err")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        text.push_str(&format!("{key}: {shown}\n"));
    }
    text.push('\n');
    text
}
