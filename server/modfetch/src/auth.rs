//! Credentials from GOAUTH (`netrc`, `git DIR`, commands) as cmd/go/internal/auth finds them.
//!
//! Credentials are stored under URL prefixes without scheme (`host[:port]/path`) and looked up by
//! walking the request URL up one path element at a time, so a credential only ever goes to the
//! host (and port) it was given for. The caller decides whether a request may carry credentials
//! at all: go sends them over https only, GOINSECURE or not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use tokio::sync::{Mutex, OnceCell, RwLock};

use crate::error::ConfigError;

/// One `machine`/`login`/`password` triple of a netrc file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetrcLine {
    /// The host name (with port, if the file gives one).
    pub machine: String,
    /// The user name.
    pub login: String,
    /// The password.
    pub password: String,
}

/// Parses a netrc file as go does: a triple is emitted once machine, login and password are all
/// seen; `macdef` skips to the next empty line; a final `default` ends the file.
pub fn parse_netrc(data: &str) -> Vec<NetrcLine> {
    let mut lines = Vec::new();
    let mut current = NetrcLine {
        machine: String::new(),
        login: String::new(),
        password: String::new(),
    };
    let mut in_macro = false;
    for line in data.split('\n') {
        if in_macro {
            if line.is_empty() {
                in_macro = false;
            }
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let mut i = 0;
        while i + 1 < fields.len() {
            let value = fields.get(i + 1).copied().unwrap_or("");
            match fields.get(i).copied().unwrap_or("") {
                "machine" => {
                    current = NetrcLine {
                        machine: value.to_owned(),
                        login: String::new(),
                        password: String::new(),
                    };
                }
                "login" => current.login = value.to_owned(),
                "password" => current.password = value.to_owned(),
                "macdef" => in_macro = true,
                _ => {}
            }
            if !current.machine.is_empty()
                && !current.login.is_empty()
                && !current.password.is_empty()
            {
                lines.push(current.clone());
                current = NetrcLine {
                    machine: String::new(),
                    login: String::new(),
                    password: String::new(),
                };
            }
            i += 2;
        }
        if fields.get(i) == Some(&"default") {
            break;
        }
    }
    lines
}

/// One GOAUTH command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthCommand {
    /// `netrc`: basic auth from the netrc file.
    Netrc,
    /// `git DIR`: `git credential fill` run in DIR.
    Git(PathBuf),
    /// Any other command line: prints URL prefixes and headers.
    Command(String),
}

/// Parses GOAUTH; `Ok(None)` for `off`. Errors carry go's words.
pub fn parse_goauth(goauth: &str) -> Result<Option<Vec<AuthCommand>>, ConfigError> {
    let parts: Vec<&str> = goauth.split(';').collect();
    let mut commands = Vec::new();
    for part in &parts {
        let command = part.trim();
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.first().copied() {
            None => {
                return Err(ConfigError::GoAuth(format!(
                    "GOAUTH encountered an empty command (GOAUTH={goauth})"
                )));
            }
            Some("off") => {
                if parts.len() != 1 {
                    return Err(ConfigError::GoAuth(format!(
                        "GOAUTH=off cannot be combined with other authentication commands (GOAUTH={goauth})"
                    )));
                }
                return Ok(None);
            }
            Some("netrc") => commands.push(AuthCommand::Netrc),
            Some("git") => {
                let [_, dir] = words.as_slice() else {
                    return Err(ConfigError::GoAuth(
                        "GOAUTH=git dir method requires an absolute path to the git working directory".to_owned(),
                    ));
                };
                if !Path::new(dir).is_absolute() {
                    return Err(ConfigError::GoAuth(
                        "GOAUTH=git dir method requires an absolute path to the git working directory, dir is not absolute"
                            .to_owned(),
                    ));
                }
                commands.push(AuthCommand::Git(PathBuf::from(dir)));
            }
            Some(_) => commands.push(AuthCommand::Command(command.to_owned())),
        }
    }
    Ok(Some(commands))
}

/// Header lines to add to a request.
pub(crate) type Headers = Vec<(String, String)>;

fn basic(login: &str, password: &str) -> Headers {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
    vec![("Authorization".to_owned(), format!("Basic {token}"))]
}

/// Strips the scheme and a trailing slash, the form credentials are stored under.
fn prefix_key(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    rest.strip_suffix('/').unwrap_or(rest)
}

/// Parses the output of a GOAUTH command: blocks of URL lines, an empty line, header lines, an
/// empty line.
pub(crate) fn parse_user_auth(data: &str) -> Result<HashMap<String, Headers>, String> {
    let mut credentials = HashMap::new();
    let mut rest = data;
    while !rest.is_empty() {
        let mut urls = Vec::new();
        loop {
            let Some((line, after)) = rest.split_once('\n') else {
                return Err("invalid format: missing empty line after URLs".to_owned());
            };
            rest = after;
            if line.is_empty() {
                break;
            }
            let parsed = reqwest::Url::parse(line)
                .map_err(|e| format!("could not parse URL {line}: {e}"))?;
            urls.push(parsed.to_string());
        }
        let mut headers = Vec::new();
        loop {
            let Some((line, after)) = rest.split_once('\n') else {
                return Err("invalid format: missing empty line after headers".to_owned());
            };
            rest = after;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(": ") else {
                return Err("invalid format: invalid header line".to_owned());
            };
            let value = value.trim();
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
            let value_ok = value
                .bytes()
                .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f));
            if !name_ok || !value_ok {
                return Err("invalid format: invalid header line".to_owned());
            }
            headers.push((name.to_owned(), value.to_owned()));
        }
        for url in urls {
            credentials.insert(prefix_key(&url).to_owned(), headers.clone());
        }
    }
    Ok(credentials)
}

/// The credential store for one client.
#[derive(Debug)]
pub(crate) struct Auth {
    commands: Result<Option<Vec<AuthCommand>>, ConfigError>,
    netrc: Option<PathBuf>,
    store: RwLock<HashMap<String, Headers>>,
    initial: OnceCell<()>,
    rerun: Mutex<()>,
}

impl Auth {
    /// Builds the store from GOAUTH and the netrc path; nothing runs until first use.
    pub(crate) fn new(goauth: &str, netrc: Option<PathBuf>) -> Auth {
        Auth {
            commands: parse_goauth(goauth),
            netrc,
            store: RwLock::new(HashMap::new()),
            initial: OnceCell::new(),
            rerun: Mutex::new(()),
        }
    }

    /// The GOAUTH configuration error, if any.
    pub(crate) fn config_error(&self) -> Option<&ConfigError> {
        self.commands.as_ref().err()
    }

    /// Whether GOAUTH can produce new credentials after a 4xx (commands or git).
    pub(crate) fn can_rerun(&self) -> bool {
        matches!(&self.commands, Ok(Some(cmds)) if cmds.iter().any(|c| !matches!(c, AuthCommand::Netrc)))
    }

    /// Credentials for `url` (longest stored prefix wins), running GOAUTH once first.
    pub(crate) async fn credentials(&self, url: &str) -> Headers {
        if !matches!(&self.commands, Ok(Some(_))) {
            return Vec::new();
        }
        self.initial.get_or_init(|| self.run(None)).await;
        self.lookup(url).await
    }

    /// Re-runs GOAUTH for `url` after a 4xx response (with the status line and headers on the
    /// commands' standard input), then returns the credentials found.
    pub(crate) async fn credentials_after_failure(
        &self,
        url: &str,
        response_head: &str,
    ) -> Headers {
        if !self.can_rerun() {
            return self.credentials(url).await;
        }
        self.initial.get_or_init(|| self.run(None)).await;
        let _serial = self.rerun.lock().await;
        self.run(Some((url, response_head))).await;
        self.lookup(url).await
    }

    async fn lookup(&self, url: &str) -> Headers {
        let store = self.store.read().await;
        let mut prefix = prefix_key(url);
        loop {
            if let Some(headers) = store.get(prefix) {
                return headers.clone();
            }
            match prefix.rfind('/') {
                Some(slash) => prefix = prefix.get(..slash).unwrap_or(""),
                None => return Vec::new(),
            }
        }
    }

    async fn store(&self, prefix: &str, headers: Headers) {
        let key = prefix_key(prefix).to_owned();
        let mut store = self.store.write().await;
        if headers.is_empty() {
            store.remove(&key);
        } else {
            store.insert(key, headers);
        }
    }

    /// Runs the commands in reverse so that earlier ones win, as go does.
    async fn run(&self, failure: Option<(&str, &str)>) {
        let Ok(Some(commands)) = &self.commands else {
            return;
        };
        for command in commands.iter().rev() {
            match command {
                AuthCommand::Netrc => {
                    let Some(path) = &self.netrc else { continue };
                    let Ok(data) = tokio::fs::read_to_string(path).await else {
                        continue;
                    };
                    // Reverse, so the first entry for a machine is the one kept.
                    for line in parse_netrc(&data).iter().rev() {
                        self.store(&line.machine, basic(&line.login, &line.password))
                            .await;
                    }
                }
                AuthCommand::Git(dir) => {
                    let Some((url, _)) = failure else { continue };
                    match run_git_auth(dir, url).await {
                        Ok((prefix, headers)) => self.store(&prefix, headers).await,
                        Err(err) => tracing::debug!("GOAUTH=git {}: {err}", dir.display()),
                    }
                }
                AuthCommand::Command(line) => match run_auth_command(line, failure).await {
                    Ok(found) => {
                        for (prefix, headers) in found {
                            self.store(&prefix, headers).await;
                        }
                    }
                    Err(err) => tracing::debug!("GOAUTH={line}: {err}"),
                },
            }
        }
    }
}

async fn run_auth_command(
    line: &str,
    failure: Option<(&str, &str)>,
) -> Result<HashMap<String, Headers>, String> {
    let words = crate::env::split_quoted(line)
        .map_err(|e| format!("cannot parse GOAUTH command {line}: {e}"))?;
    let Some((program, args)) = words.split_first() else {
        return Err("empty command".to_owned());
    };
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .kill_on_drop(true)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    command.stderr(std::process::Stdio::null());
    if let Some((url, _)) = failure {
        command.arg(url);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not run command {line}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        use tokio::io::AsyncWriteExt as _;
        if let Some((_, head)) = failure {
            // A command that does not read its input is not an error.
            let _ = stdin.write_all(head.as_bytes()).await;
        }
    }
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| format!("could not run command {line}: {e}"))?;
    if !output.status.success() {
        return Err(format!("could not run command {line}: {}", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    parse_user_auth(&text).map_err(|e| format!("cannot parse output of GOAUTH command {line}: {e}"))
}

async fn run_git_auth(dir: &Path, url: &str) -> Result<(String, Headers), String> {
    let mut child = tokio::process::Command::new("git")
        .args(["credential", "fill"])
        .current_dir(dir)
        .kill_on_drop(true)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0")
        .spawn()
        .map_err(|e| format!("'git credential fill' failed (url={url}): {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        use tokio::io::AsyncWriteExt as _;
        let _ = stdin.write_all(format!("url={url}\n").as_bytes()).await;
    }
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| format!("'git credential fill' failed (url={url}): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "'git credential fill' failed (url={url}): {}",
            output.status
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let (mut protocol, mut host, mut path, mut username, mut password, mut whole) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        None,
    );
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        match key {
            "protocol" => protocol = value.to_owned(),
            "host" => host = value.to_owned(),
            "path" => path = value.to_owned(),
            "username" => username = value.to_owned(),
            "password" => password = value.to_owned(),
            "url" => whole = Some(value.to_owned()),
            _ => {}
        }
    }
    let prefix = match whole {
        Some(u) => u,
        None if !host.is_empty() => {
            let path = if path.is_empty() || path.starts_with('/') {
                path
            } else {
                format!("/{path}")
            };
            format!("{protocol}://{host}{path}")
        }
        None => {
            return Err(format!(
                "'git credential fill' failed for url={url}, could not parse url"
            ));
        }
    };
    if !url.starts_with(&prefix) {
        return Err(format!(
            "requested a credential for {url}, but 'git credential fill' provided one for {prefix}"
        ));
    }
    Ok((prefix, basic(&username, &password)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netrc_like_go() {
        let lines = parse_netrc(
            "machine a.com login u password p\nmacdef init\nmachine skipped.com login x password y\n\nmachine b.com\nlogin v\npassword q\nmachine c.com login w\ndefault\nmachine after.com login z password z\n",
        );
        let machines: Vec<&str> = lines.iter().map(|l| l.machine.as_str()).collect();
        assert_eq!(machines, ["a.com", "b.com"]);
        // Like go, `default` only ends the file when it is the last word of its line.
        let lines =
            parse_netrc("default login d password e\nmachine after.com login z password z\n");
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn goauth_parse() {
        assert_eq!(parse_goauth("netrc"), Ok(Some(vec![AuthCommand::Netrc])));
        assert_eq!(parse_goauth("off"), Ok(None));
        assert_eq!(
            parse_goauth("off;netrc").map_err(|e| e.to_string()),
            Err("GOAUTH=off cannot be combined with other authentication commands (GOAUTH=off;netrc)".to_owned())
        );
        assert_eq!(
            parse_goauth("netrc;;").map_err(|e| e.to_string()),
            Err("GOAUTH encountered an empty command (GOAUTH=netrc;;)".to_owned())
        );
        assert!(parse_goauth("git rel/dir").is_err());
    }

    #[test]
    fn user_auth_output() {
        let parsed =
            parse_user_auth("https://a.com/x\nhttps://b.com\n\nAuthorization: Bearer t\n\n")
                .unwrap();
        assert_eq!(parsed.get("a.com/x").unwrap()[0].1, "Bearer t");
        assert!(parsed.contains_key("b.com"));
        assert!(parse_user_auth("https://a.com\n").is_err());
    }

    #[tokio::test]
    async fn prefix_lookup_stays_on_host() {
        let auth = Auth::new("off", None);
        auth.store("a.com", basic("u", "p")).await;
        auth.store("a.com/private", basic("v", "q")).await;
        assert_eq!(
            auth.lookup("https://a.com/private/x/@v/list").await,
            basic("v", "q")
        );
        assert_eq!(
            auth.lookup("https://a.com/other/@v/list").await,
            basic("u", "p")
        );
        assert!(auth.lookup("https://a.com.evil.com/x").await.is_empty());
        assert!(auth.lookup("https://a.com:8443/x").await.is_empty());
    }
}
