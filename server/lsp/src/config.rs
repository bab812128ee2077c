//! The server's settings: one camelCase [`Config`] with documented defaults, merged from the
//! client's `initializationOptions`, `workspace/configuration` (section `gomodls`) and
//! `workspace/didChangeConfiguration`.
//!
//! Every setting is listed in `server/lsp/SETTINGS.md`; a test keeps the two in sync.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The configuration section the server asks the client for.
pub const SECTION: &str = "gomodls";

/// All settings of the server. Unknown keys are ignored; a key whose value has the wrong type is
/// ignored with a warning and keeps its default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Config {
    /// Diagnostics (syntax and Go-exact validation).
    pub diagnostics: DiagnosticsConfig,
    /// Semantic tokens.
    pub semantic_tokens: SemanticTokensConfig,
    /// Inlay hints.
    pub inlay_hints: InlayHintsConfig,
    /// Which newer module versions to point out.
    pub update_check: UpdateCheck,
    /// Environment overrides for the go command's settings (`GOPROXY`, `GOPRIVATE`, `GONOSUMDB`,
    /// `GOFLAGS`, ...); they win over the process environment and `go env`.
    pub env: BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            diagnostics: DiagnosticsConfig { enable: true },
            semantic_tokens: SemanticTokensConfig { enable: true },
            inlay_hints: InlayHintsConfig { enable: true },
            update_check: UpdateCheck::Minor,
            env: BTreeMap::new(),
        }
    }
}

/// Settings of diagnostics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DiagnosticsConfig {
    /// Whether the server reports diagnostics at all.
    pub enable: bool,
}

impl Default for DiagnosticsConfig {
    fn default() -> DiagnosticsConfig {
        Config::default().diagnostics
    }
}

/// Settings of semantic tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SemanticTokensConfig {
    /// Whether the server answers semantic token requests.
    pub enable: bool,
}

impl Default for SemanticTokensConfig {
    fn default() -> SemanticTokensConfig {
        Config::default().semantic_tokens
    }
}

/// Settings of inlay hints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InlayHintsConfig {
    /// Whether the server answers inlay hint requests.
    pub enable: bool,
}

impl Default for InlayHintsConfig {
    fn default() -> InlayHintsConfig {
        Config::default().inlay_hints
    }
}

/// How far newer versions of a required module are pointed out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UpdateCheck {
    /// Never look for newer versions.
    Off,
    /// Only newer patch versions (same major and minor).
    Patch,
    /// Newer minor and patch versions (same major).
    #[default]
    Minor,
    /// The latest version, including a new major version path.
    Latest,
}

/// The layers that make up the configuration, lowest priority first.
#[derive(Clone, Debug, Default)]
pub struct ConfigLayers {
    /// The `initializationOptions` of `initialize`.
    pub initialization_options: Option<Value>,
    /// The latest settings from `workspace/configuration` or `workspace/didChangeConfiguration`.
    pub client_settings: Option<Value>,
}

/// A setting the server could not use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The dotted path of the setting, for example `gomodls.updateCheck`.
    pub key: String,
    /// Why it was ignored.
    pub reason: String,
}

impl ConfigLayers {
    /// Merges the layers over the defaults. Settings with invalid values are skipped and
    /// reported, so one bad value never throws away the rest.
    pub fn resolve(&self) -> (Config, Vec<ConfigProblem>) {
        let mut merged = Map::new();
        for layer in [&self.initialization_options, &self.client_settings]
            .into_iter()
            .flatten()
        {
            if let Value::Object(settings) = section_of(layer) {
                merge_into(&mut merged, settings);
            }
        }
        from_settings(merged)
    }
}

/// The `gomodls` section of a settings value: clients send either the section itself or an
/// object that contains it (`{"gomodls": {...}}`).
pub fn section_of(settings: &Value) -> &Value {
    match settings.get(SECTION) {
        Some(section) => section,
        None => settings,
    }
}

/// Deep-merges `overlay` into `base`: objects merge key by key, anything else replaces.
fn merge_into(base: &mut Map<String, Value>, overlay: &Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                merge_into(existing, incoming);
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Builds a [`Config`] from merged settings, dropping the settings that do not deserialize.
fn from_settings(mut settings: Map<String, Value>) -> (Config, Vec<ConfigProblem>) {
    let mut problems = Vec::new();
    // Each round drops at most one bad key per section; the number of keys bounds the rounds.
    let rounds = count_keys(&settings) + 1;
    for _ in 0..rounds {
        match serde_json::from_value::<Config>(Value::Object(settings.clone())) {
            Ok(config) => return (config, problems),
            Err(error) => {
                let Some(key) = first_bad_key(&settings) else {
                    problems.push(ConfigProblem {
                        key: SECTION.to_owned(),
                        reason: error.to_string(),
                    });
                    break;
                };
                problems.push(ConfigProblem {
                    key: format!("{SECTION}.{}", key.join(".")),
                    reason: error.to_string(),
                });
                remove_path(&mut settings, &key);
            }
        }
    }
    (Config::default(), problems)
}

fn count_keys(settings: &Map<String, Value>) -> usize {
    settings
        .values()
        .map(|value| match value {
            Value::Object(inner) => 1 + count_keys(inner),
            _ => 1,
        })
        .sum()
}

/// The path of the first setting that does not deserialize on its own over the defaults.
fn first_bad_key(settings: &Map<String, Value>) -> Option<Vec<String>> {
    for (key, value) in settings {
        let mut alone = Map::new();
        alone.insert(key.clone(), value.clone());
        if serde_json::from_value::<Config>(Value::Object(alone)).is_ok() {
            continue;
        }
        // Inside a section, find the nested key at fault so its siblings survive.
        if let Value::Object(inner) = value {
            for (inner_key, inner_value) in inner {
                let mut nested = Map::new();
                nested.insert(inner_key.clone(), inner_value.clone());
                let mut alone = Map::new();
                alone.insert(key.clone(), Value::Object(nested));
                if serde_json::from_value::<Config>(Value::Object(alone)).is_err() {
                    return Some(vec![key.clone(), inner_key.clone()]);
                }
            }
        }
        return Some(vec![key.clone()]);
    }
    None
}

fn remove_path(settings: &mut Map<String, Value>, path: &[String]) {
    match path {
        [] => {}
        [key] => {
            settings.remove(key);
        }
        [key, rest @ ..] => {
            if let Some(Value::Object(inner)) = settings.get_mut(key) {
                remove_path(inner, rest);
            }
        }
    }
}

/// Every setting as `(dotted key, default value as JSON)`, for documentation checks.
pub fn setting_keys() -> Vec<(String, Value)> {
    fn walk(prefix: &str, value: &Value, keys: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(fields) if !prefix.ends_with(".env") => {
                for (key, inner) in fields {
                    walk(&format!("{prefix}.{key}"), inner, keys);
                }
            }
            _ => keys.push((prefix.to_owned(), value.clone())),
        }
    }
    let mut keys = Vec::new();
    if let Ok(defaults) = serde_json::to_value(Config::default()) {
        walk(SECTION, &defaults, &mut keys);
    }
    keys
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn resolve(initialization_options: Value, client_settings: Value) -> (Config, Vec<String>) {
        let layers = ConfigLayers {
            initialization_options: Some(initialization_options),
            client_settings: Some(client_settings),
        };
        let (config, problems) = layers.resolve();
        let mut keys: Vec<String> = problems.into_iter().map(|problem| problem.key).collect();
        keys.sort();
        (config, keys)
    }

    #[test]
    fn defaults() {
        let config = Config::default();
        assert!(config.diagnostics.enable);
        assert!(config.semantic_tokens.enable);
        assert!(config.inlay_hints.enable);
        assert_eq!(config.update_check, UpdateCheck::Minor);
        assert!(config.env.is_empty());
        assert_eq!(
            ConfigLayers::default().resolve(),
            (Config::default(), vec![])
        );
    }

    #[test]
    fn later_layers_win_and_objects_merge() {
        let (config, problems) = resolve(
            json!({"updateCheck": "patch", "env": {"GOPROXY": "off", "GOFLAGS": "-mod=mod"}}),
            json!({"gomodls": {"updateCheck": "latest", "env": {"GOPROXY": "http://127.0.0.1:1"},
                               "diagnostics": {"enable": false}}}),
        );
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(config.update_check, UpdateCheck::Latest);
        assert!(!config.diagnostics.enable);
        assert!(config.semantic_tokens.enable);
        assert_eq!(config.env["GOPROXY"], "http://127.0.0.1:1");
        assert_eq!(config.env["GOFLAGS"], "-mod=mod");
    }

    #[test]
    fn bad_values_are_skipped_and_reported() {
        let (config, problems) = resolve(
            json!({"updateCheck": "sometimes", "inlayHints": {"enable": "yes"}}),
            json!({"semanticTokens": {"enable": false}, "unknownKey": 1, "env": 3}),
        );
        assert_eq!(
            problems,
            [
                "gomodls.env",
                "gomodls.inlayHints.enable",
                "gomodls.updateCheck"
            ]
        );
        assert_eq!(config.update_check, UpdateCheck::Minor);
        assert!(config.inlay_hints.enable);
        assert!(!config.semantic_tokens.enable);
    }

    #[test]
    fn non_object_settings_are_ignored() {
        let (config, problems) = resolve(json!(null), json!("text"));
        assert_eq!(config, Config::default());
        assert!(problems.is_empty());
    }

    #[test]
    fn every_setting_is_documented() {
        let settings_doc = include_str!("../SETTINGS.md");
        for (key, default) in setting_keys() {
            let row_start = format!("| `{key}` |");
            let row = settings_doc
                .lines()
                .find(|line| line.starts_with(&row_start))
                .unwrap_or_else(|| panic!("{key} is missing from SETTINGS.md"));
            let default = format!("`{default}`");
            assert!(
                row.contains(&default),
                "{key}: the row should show the default {default}"
            );
        }
        let documented = settings_doc
            .lines()
            .filter(|line| line.starts_with("| `gomodls."))
            .count();
        assert_eq!(
            documented,
            setting_keys().len(),
            "SETTINGS.md lists unknown settings"
        );
    }
}
