//! The go command's environment, resolved exactly as `go env` resolves it, with the origin of
//! every value.
//!
//! Order (highest first): an editor setting (non-empty override), the process environment
//! (non-empty values only), the user's go env file (`$GOENV`, else `$XDG_CONFIG_HOME/go/env`, else
//! `$HOME/.config/go/env`), `$GOROOT/go.env` when a Go toolchain is found, go's documented defaults
//! when none is. As in go, a key present in the env file shadows `GOROOT/go.env` even when its
//! value is empty; an empty value then falls back to go's built-in default for that key (which is
//! the empty string for GOPROXY and GOSUMDB, GOPRIVATE for GONOPROXY and GONOSUMDB).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::compat::glob::match_prefix_patterns;

/// Where a resolved value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSource {
    /// An editor setting passed as an override.
    Setting,
    /// The process environment.
    Process,
    /// The user's go env file (the file written by `go env -w`).
    EnvFile(PathBuf),
    /// The `go.env` file of the Go toolchain.
    GorootGoEnv(PathBuf),
    /// Go's built-in or documented default.
    Default,
    /// Computed from another variable (GONOPROXY from GOPRIVATE, GOMODCACHE from GOPATH, ...).
    DerivedFrom(&'static str),
}

/// One resolved variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue {
    /// The value as `go env` prints it.
    pub value: String,
    /// Where the value came from.
    pub source: EnvSource,
}

/// The documented GOPROXY default, used when no Go toolchain (and so no `GOROOT/go.env`) exists.
pub const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";
/// The documented GOSUMDB default, used when no Go toolchain exists.
pub const DEFAULT_GOSUMDB: &str = "sum.golang.org";

/// The variables [`GoEnv`] resolves.
pub const KEYS: [&str; 16] = [
    "GOROOT",
    "GOENV",
    "GOPATH",
    "GOMODCACHE",
    "GOPROXY",
    "GONOPROXY",
    "GOPRIVATE",
    "GONOSUMDB",
    "GOSUMDB",
    "GOINSECURE",
    "GOVCS",
    "GOFLAGS",
    "GOAUTH",
    "GOTOOLCHAIN",
    "GOWORK",
    "NETRC",
];

/// Errors in the values themselves, worded as go words them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    /// GOFLAGS could not be split or holds a non-flag word.
    #[error("parsing $GOFLAGS: {0}")]
    GoFlags(String),
}

/// The resolved go environment.
#[derive(Debug, Clone)]
pub struct GoEnv {
    values: BTreeMap<&'static str, EnvValue>,
    env_file: Option<PathBuf>,
    goroot_go_env: Option<PathBuf>,
    process: HashMap<String, String>,
}

/// The layers below the process environment, as read from disk.
struct Layers {
    file: Option<(PathBuf, HashMap<String, String>)>,
    goroot: Option<(PathBuf, HashMap<String, String>)>,
}

/// Reads a go env file as `cfg.readEnvFile` does: `KEY=VALUE` lines split at the first `=`,
/// no trimming, lines not starting with `A`-`Z` or without `=` ignored.
pub fn parse_env_file(data: &[u8]) -> HashMap<String, String> {
    let mut values = HashMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        if !line.first().is_some_and(u8::is_ascii_uppercase) {
            continue;
        }
        let (key, value) = line.split_at(eq);
        let value = value.get(1..).unwrap_or_default();
        // Later lines win, as in go's map assignment.
        values.insert(
            String::from_utf8_lossy(key).into_owned(),
            String::from_utf8_lossy(value).into_owned(),
        );
    }
    values
}

fn read_env_file(path: &Path) -> Option<HashMap<String, String>> {
    std::fs::read(path).ok().map(|data| parse_env_file(&data))
}

fn non_empty<'a>(map: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    map.get(key).map(String::as_str).filter(|v| !v.is_empty())
}

/// `os.UserConfigDir` on this platform, from the given environment.
fn user_config_dir(process: &HashMap<String, String>) -> Option<(PathBuf, &'static str)> {
    if cfg!(windows) {
        return non_empty(process, "AppData").map(|d| (PathBuf::from(d), "AppData"));
    }
    if cfg!(target_os = "macos") {
        return non_empty(process, "HOME")
            .map(|h| (Path::new(h).join("Library/Application Support"), "HOME"));
    }
    if let Some(xdg) = non_empty(process, "XDG_CONFIG_HOME") {
        // Go rejects a relative XDG_CONFIG_HOME, which leaves no env file at all.
        return Path::new(xdg)
            .is_absolute()
            .then(|| (PathBuf::from(xdg), "XDG_CONFIG_HOME"));
    }
    non_empty(process, "HOME").map(|h| (Path::new(h).join(".config"), "HOME"))
}

fn home_dir(process: &HashMap<String, String>) -> Option<&str> {
    let key = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    non_empty(process, key)
}

/// Finds a Go toolchain's GOROOT: an explicit GOROOT, else the directory above `bin/go` of the
/// first `go` on PATH (following symlinks), if it holds a `go.env` or `pkg/tool`.
fn find_goroot(explicit: Option<&str>, process: &HashMap<String, String>) -> Option<PathBuf> {
    if let Some(root) = explicit {
        return Some(PathBuf::from(root));
    }
    let path = non_empty(process, "PATH")?;
    let exe = if cfg!(windows) { "go.exe" } else { "go" };
    for dir in std::env::split_paths(path) {
        let candidate = dir.join(exe);
        if !candidate.is_file() {
            continue;
        }
        let real = std::fs::canonicalize(&candidate).unwrap_or(candidate);
        let root = real.parent().and_then(Path::parent)?;
        if root.join("go.env").is_file() || root.join("pkg/tool").is_dir() {
            return Some(root.to_path_buf());
        }
        return None;
    }
    None
}

impl GoEnv {
    /// Resolves the environment from the process environment (`std::env::vars()` for the real
    /// one) and editor overrides (keys from [`KEYS`]; empty override values count as unset).
    pub fn resolve<I, K, V>(process_env: I, overrides: &BTreeMap<String, String>) -> GoEnv
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let process: HashMap<String, String> = process_env
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let overrides: HashMap<String, String> = overrides
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut values = BTreeMap::new();

        // GOENV: an override, else the process environment only (go env -w cannot set it).
        let (env_file, goenv) = if let Some(file) = overrides.get("GOENV") {
            resolve_goenv_value(file, EnvSource::Setting)
        } else if let Some(file) = non_empty(&process, "GOENV") {
            resolve_goenv_value(file, EnvSource::Process)
        } else {
            match user_config_dir(&process) {
                Some((dir, from)) => {
                    let path = dir.join("go").join("env");
                    let value = EnvValue {
                        value: path.to_string_lossy().into_owned(),
                        source: EnvSource::DerivedFrom(from),
                    };
                    (Some(path), value)
                }
                None => (
                    None,
                    EnvValue {
                        value: String::new(),
                        source: EnvSource::Default,
                    },
                ),
            }
        };
        values.insert("GOENV", goenv);

        let file = env_file
            .as_ref()
            .and_then(|p| read_env_file(p).map(|m| (p.clone(), m)));
        let explicit_root = overrides
            .get("GOROOT")
            .map(String::as_str)
            .or_else(|| file.as_ref().and_then(|(_, m)| non_empty(m, "GOROOT")))
            .or_else(|| non_empty(&process, "GOROOT"));
        let goroot_dir = find_goroot(explicit_root, &process);
        let goroot = goroot_dir.as_ref().and_then(|root| {
            let path = root.join("go.env");
            read_env_file(&path).map(|m| (path, m))
        });
        let layers = Layers { file, goroot };

        let mut env = GoEnv {
            values: BTreeMap::new(),
            env_file: layers.file.as_ref().map(|(p, _)| p.clone()).or(env_file),
            goroot_go_env: layers.goroot.as_ref().map(|(p, _)| p.clone()),
            process,
        };

        let goroot_value = match (&overrides.get("GOROOT"), non_empty(&env.process, "GOROOT")) {
            (Some(v), _) => EnvValue {
                value: (*v).clone(),
                source: EnvSource::Setting,
            },
            (None, Some(v)) => EnvValue {
                value: v.to_owned(),
                source: EnvSource::Process,
            },
            (None, None) => match (&layers.file, &goroot_dir) {
                (Some((path, map)), _) if non_empty(map, "GOROOT").is_some() => EnvValue {
                    value: non_empty(map, "GOROOT").unwrap_or_default().to_owned(),
                    source: EnvSource::EnvFile(path.clone()),
                },
                (_, Some(dir)) => EnvValue {
                    value: dir.to_string_lossy().into_owned(),
                    source: EnvSource::Default,
                },
                (_, None) => EnvValue {
                    value: String::new(),
                    source: EnvSource::Default,
                },
            },
        };
        values.insert("GOROOT", goroot_value);

        let no_toolchain_default = |key: &str| -> Option<&'static str> {
            if layers.goroot.is_some() {
                return None;
            }
            match key {
                "GOPROXY" => Some(DEFAULT_GOPROXY),
                "GOSUMDB" => Some(DEFAULT_GOSUMDB),
                "GOTOOLCHAIN" => Some("auto"),
                _ => None,
            }
        };

        let lookup = |key: &'static str, default: EnvValue| -> EnvValue {
            if let Some(v) = overrides.get(key) {
                return EnvValue {
                    value: v.clone(),
                    source: EnvSource::Setting,
                };
            }
            if let Some(v) = non_empty(&env.process, key) {
                return EnvValue {
                    value: v.to_owned(),
                    source: EnvSource::Process,
                };
            }
            if let Some((path, map)) = &layers.file
                && let Some(v) = map.get(key)
            {
                if v.is_empty() {
                    // An empty value shadows go.env; go then uses its built-in default.
                    return match default.source {
                        EnvSource::Default if default.value.is_empty() => EnvValue {
                            value: String::new(),
                            source: EnvSource::EnvFile(path.clone()),
                        },
                        _ => default,
                    };
                }
                return EnvValue {
                    value: v.clone(),
                    source: EnvSource::EnvFile(path.clone()),
                };
            }
            if let Some((path, map)) = &layers.goroot
                && let Some(v) = map.get(key)
            {
                if v.is_empty() {
                    return default;
                }
                return EnvValue {
                    value: v.clone(),
                    source: EnvSource::GorootGoEnv(path.clone()),
                };
            }
            if let Some(v) = no_toolchain_default(key) {
                return EnvValue {
                    value: v.to_owned(),
                    source: EnvSource::Default,
                };
            }
            default
        };
        let plain_default = || EnvValue {
            value: String::new(),
            source: EnvSource::Default,
        };

        let gopath_default = match home_dir(&env.process) {
            Some(home) => EnvValue {
                value: Path::new(home).join("go").to_string_lossy().into_owned(),
                source: EnvSource::DerivedFrom(if cfg!(windows) { "USERPROFILE" } else { "HOME" }),
            },
            None => plain_default(),
        };
        let gopath = lookup("GOPATH", gopath_default);
        let first_gopath = std::env::split_paths(&gopath.value)
            .next()
            .filter(|p| !p.as_os_str().is_empty());
        let modcache_default = match first_gopath {
            Some(first) => EnvValue {
                value: first.join("pkg").join("mod").to_string_lossy().into_owned(),
                source: EnvSource::DerivedFrom("GOPATH"),
            },
            None => plain_default(),
        };
        let gomodcache = lookup("GOMODCACHE", modcache_default);
        values.insert("GOPATH", gopath);
        values.insert("GOMODCACHE", gomodcache);

        for key in [
            "GOPROXY",
            "GOSUMDB",
            "GOPRIVATE",
            "GOINSECURE",
            "GOVCS",
            "GOFLAGS",
            "GOTOOLCHAIN",
            "GOWORK",
        ] {
            let value = lookup(key, plain_default());
            values.insert(key, value);
        }
        let private = values
            .get("GOPRIVATE")
            .cloned()
            .unwrap_or_else(plain_default);
        let derived_private = || EnvValue {
            value: private.value.clone(),
            source: if private.value.is_empty() {
                EnvSource::Default
            } else {
                EnvSource::DerivedFrom("GOPRIVATE")
            },
        };
        let gonoproxy = lookup("GONOPROXY", derived_private());
        let gonosumdb = lookup("GONOSUMDB", derived_private());
        values.insert("GONOPROXY", gonoproxy);
        values.insert("GONOSUMDB", gonosumdb);
        let goauth = lookup(
            "GOAUTH",
            EnvValue {
                value: "netrc".to_owned(),
                source: EnvSource::Default,
            },
        );
        values.insert("GOAUTH", goauth);

        // NETRC is read from the process environment only (os.Getenv in go).
        let netrc = if let Some(v) = overrides.get("NETRC") {
            EnvValue {
                value: v.clone(),
                source: EnvSource::Setting,
            }
        } else if let Some(v) = non_empty(&env.process, "NETRC") {
            EnvValue {
                value: v.to_owned(),
                source: EnvSource::Process,
            }
        } else {
            match home_dir(&env.process) {
                Some(home) => EnvValue {
                    value: Path::new(home)
                        .join(".netrc")
                        .to_string_lossy()
                        .into_owned(),
                    source: EnvSource::DerivedFrom(if cfg!(windows) {
                        "USERPROFILE"
                    } else {
                        "HOME"
                    }),
                },
                None => plain_default(),
            }
        };
        values.insert("NETRC", netrc);

        env.values = values;
        env
    }

    /// Resolves from the real process environment and no overrides.
    pub fn from_process() -> GoEnv {
        GoEnv::resolve(
            std::env::vars_os().map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            }),
            &BTreeMap::new(),
        )
    }

    /// The resolved variable, with its source; `None` for keys outside [`KEYS`].
    pub fn get(&self, key: &str) -> Option<&EnvValue> {
        self.values.get(key)
    }

    /// The value of a variable (empty if unknown).
    pub fn value(&self, key: &str) -> &str {
        self.values.get(key).map(|v| v.value.as_str()).unwrap_or("")
    }

    /// All resolved variables in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &EnvValue)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }

    /// GOPROXY.
    pub fn goproxy(&self) -> &str {
        self.value("GOPROXY")
    }

    /// GONOPROXY (GOPRIVATE unless set).
    pub fn gonoproxy(&self) -> &str {
        self.value("GONOPROXY")
    }

    /// GONOSUMDB (GOPRIVATE unless set).
    pub fn gonosumdb(&self) -> &str {
        self.value("GONOSUMDB")
    }

    /// GOSUMDB.
    pub fn gosumdb(&self) -> &str {
        self.value("GOSUMDB")
    }

    /// GOINSECURE.
    pub fn goinsecure(&self) -> &str {
        self.value("GOINSECURE")
    }

    /// GOAUTH.
    pub fn goauth(&self) -> &str {
        self.value("GOAUTH")
    }

    /// GOMODCACHE, if known.
    pub fn gomodcache(&self) -> Option<&Path> {
        Some(Path::new(self.value("GOMODCACHE"))).filter(|p| !p.as_os_str().is_empty())
    }

    /// The netrc file go would read.
    pub fn netrc_path(&self) -> Option<&Path> {
        Some(Path::new(self.value("NETRC"))).filter(|p| !p.as_os_str().is_empty())
    }

    /// The user env file in effect (`None` with `GOENV=off` or no config directory).
    pub fn env_file(&self) -> Option<&Path> {
        self.env_file.as_deref()
    }

    /// The `GOROOT/go.env` file that was read, if a toolchain was found.
    pub fn goroot_go_env(&self) -> Option<&Path> {
        self.goroot_go_env.as_deref()
    }

    /// A variable of the process environment as given (HTTPS_PROXY, NO_PROXY, HOME, ...).
    pub fn process_var(&self, key: &str) -> Option<&str> {
        self.process.get(key).map(String::as_str)
    }

    /// Whether GONOPROXY (or GOPRIVATE through it) matches the module path.
    pub fn is_noproxy(&self, module_path: &str) -> bool {
        match_prefix_patterns(self.gonoproxy(), module_path)
    }

    /// Whether GONOSUMDB (or GOPRIVATE through it) matches the module path.
    pub fn is_nosumdb(&self, module_path: &str) -> bool {
        match_prefix_patterns(self.gonosumdb(), module_path)
    }

    /// Whether GOINSECURE matches the module path.
    pub fn is_insecure(&self, module_path: &str) -> bool {
        match_prefix_patterns(self.goinsecure(), module_path)
    }

    /// GOFLAGS split as go splits it (quotes allowed, no escapes), with go's checks that every
    /// word is a flag.
    pub fn goflags(&self) -> Result<Vec<String>, EnvError> {
        let words = split_quoted(self.value("GOFLAGS")).map_err(EnvError::GoFlags)?;
        for word in &words {
            let bad = !word.starts_with('-')
                || word == "-"
                || word == "--"
                || word.starts_with("---")
                || word.starts_with("-=")
                || word.starts_with("--=");
            if bad {
                return Err(EnvError::GoFlags(format!("non-flag {word:?}")));
            }
        }
        Ok(words)
    }

    /// The value of a flag in GOFLAGS (`-mod=mod` gives `Some("mod")` for `mod`; the last
    /// occurrence wins, as with the command line).
    pub fn goflag(&self, name: &str) -> Option<String> {
        let words = self.goflags().ok()?;
        words.iter().rev().find_map(|word| {
            let bare = word.trim_start_matches('-');
            match bare.split_once('=') {
                Some((n, v)) if n == name => Some(v.to_owned()),
                None if bare == name => Some("true".to_owned()),
                _ => None,
            }
        })
    }
}

fn resolve_goenv_value(file: &str, source: EnvSource) -> (Option<PathBuf>, EnvValue) {
    if file == "off" {
        // go env prints an empty GOENV when the file is disabled.
        return (
            None,
            EnvValue {
                value: String::new(),
                source,
            },
        );
    }
    (
        Some(PathBuf::from(file)),
        EnvValue {
            value: file.to_owned(),
            source,
        },
    )
}

/// `quoted.Split`: fields separated by ASCII space, optionally wrapped in `'` or `"`.
pub(crate) fn split_quoted(s: &str) -> Result<Vec<String>, String> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let mut fields = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(is_space);
        let Some(first) = rest.chars().next() else {
            return Ok(fields);
        };
        if first == '"' || first == '\'' {
            let body = rest.get(1..).unwrap_or("");
            let Some(end) = body.find(first) else {
                return Err(format!("unterminated {first} string"));
            };
            fields.push(body.get(..end).unwrap_or("").to_owned());
            rest = body.get(end + 1..).unwrap_or("");
            continue;
        }
        let end = rest.find(is_space).unwrap_or(rest.len());
        fields.push(rest.get(..end).unwrap_or("").to_owned());
        rest = rest.get(end..).unwrap_or("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_lines() {
        let parsed = parse_env_file(
            b"# comment\nGOPROXY=a=b\nlower=x\nGOPRIVATE= spaced \nNOEQUALS\nGONOSUMDB=\n",
        );
        assert_eq!(parsed.get("GOPROXY").map(String::as_str), Some("a=b"));
        assert_eq!(
            parsed.get("GOPRIVATE").map(String::as_str),
            Some(" spaced ")
        );
        assert_eq!(parsed.get("GONOSUMDB").map(String::as_str), Some(""));
        assert!(!parsed.contains_key("lower"));
        assert!(!parsed.contains_key("NOEQUALS"));
    }

    #[test]
    fn goflags_split() {
        assert_eq!(
            split_quoted(" -a '-b=c d' \"-e\"").unwrap(),
            vec!["-a", "-b=c d", "-e"]
        );
        assert_eq!(split_quoted("-a 'x").unwrap_err(), "unterminated ' string");
    }
}
