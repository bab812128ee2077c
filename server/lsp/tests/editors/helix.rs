//! Helix: `editors/helix/languages.toml` parses as TOML, points gomod, gowork and gosum at
//! gomodls, and names grammars and queries that exist in this repository, with the names, scopes
//! and file types of `grammar/tree-sitter.json`. Helix itself is in none of the registries CI
//! installs from (Debian, PyPI, npm, crates.io), so no test runs it; README.md says how to check
//! a real Helix with `hx --health gomod`.

use anyhow::Context;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use toml::Value;

use crate::support;

const LANGUAGES: [&str; 3] = ["gomod", "gowork", "gosum"];

fn snippet() -> anyhow::Result<toml::Table> {
    let path = support::repository().join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path)?;
    text.parse::<toml::Table>()
        .with_context(|| format!("{} is not TOML", path.display()))
}

fn tree_sitter_json() -> anyhow::Result<Json> {
    let text = std::fs::read_to_string(support::repository().join("grammar/tree-sitter.json"))?;
    Ok(serde_json::from_str(&text)?)
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(text) => Some(text.clone()),
                    Value::Table(table) => {
                        table.get("glob").and_then(Value::as_str).map(str::to_owned)
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn helix_languages_toml_names_gomodls_and_our_grammars() -> anyhow::Result<()> {
    let snippet = snippet()?;
    let grammars_json = tree_sitter_json()?;
    let repository = support::repository();

    // The server.
    let server = &snippet["language-server"]["gomodls"];
    assert_eq!(server["command"].as_str(), Some("gomodls"));

    // One language for each grammar, served by gomodls, agreeing with tree-sitter.json.
    let languages = snippet["language"].as_array().context("no [[language]]")?;
    let names: BTreeSet<&str> = languages
        .iter()
        .filter_map(|language| language["name"].as_str())
        .collect();
    assert_eq!(names, BTreeSet::from(LANGUAGES));
    for language in languages {
        let name = language["name"].as_str().unwrap_or_default();
        let described = grammars_json["grammars"]
            .as_array()
            .and_then(|grammars| grammars.iter().find(|grammar| grammar["name"] == name))
            .with_context(|| format!("{name} is not in grammar/tree-sitter.json"))?;
        assert_eq!(
            string_list(language.get("language-servers")),
            ["gomodls"],
            "{name}"
        );
        assert_eq!(
            language["scope"].as_str(),
            described["scope"].as_str(),
            "{name}"
        );
        assert_eq!(
            language["injection-regex"].as_str(),
            described["injection-regex"].as_str(),
            "{name}"
        );
        let file_types = string_list(language.get("file-types"));
        let expected: Vec<String> = described["file-types"]
            .as_array()
            .map(|types| {
                types
                    .iter()
                    .filter_map(|kind| kind.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(file_types, expected, "{name}");
        // The queries the README links into Helix's runtime folder.
        let queries = repository.join("grammar/queries").join(name);
        assert!(
            queries.join("highlights.scm").is_file(),
            "{}",
            queries.display()
        );
    }

    // Each grammar is built from this repository's generated sources, as Helix builds it:
    // <subpath>/src/parser.c and scanner.c.
    let grammars = snippet["grammar"].as_array().context("no [[grammar]]")?;
    let grammar_names: BTreeSet<&str> = grammars
        .iter()
        .filter_map(|grammar| grammar["name"].as_str())
        .collect();
    assert_eq!(grammar_names, BTreeSet::from(LANGUAGES));
    for grammar in grammars {
        let name = grammar["name"].as_str().unwrap_or_default();
        let source = grammar["source"].as_table().context("no source")?;
        assert!(source["git"].as_str().is_some(), "{name}: {source:?}");
        assert!(source["rev"].as_str().is_some(), "{name}: {source:?}");
        let subpath = source["subpath"].as_str().context("no subpath")?;
        assert_eq!(subpath, format!("grammar/{name}"));
        for file in ["src/parser.c", "src/scanner.c", "grammar.js"] {
            let path = repository.join(subpath).join(file);
            assert!(path.is_file(), "{}", path.display());
        }
    }
    Ok(())
}
