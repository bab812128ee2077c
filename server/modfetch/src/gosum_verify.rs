//! go.sum verification as the go command verifies downloads: each line's hash against the bits the
//! module cache or the proxy serves and, unless GONOSUMDB/GOPRIVATE/GOSUMDB=off/GOFLAGS=-insecure
//! exempt the module, against the checksum database; and new go.sum lines, added only when every
//! one of them verified.
//!
//! Verified lines are remembered in a file (`verified-gosum` under the state directory), keyed by
//! the line and the database that confirmed it, so a warm check of a large go.sum reads one file
//! and does no hashing. A mismatch is never remembered: it is found again on every check.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use futures::StreamExt as _;
use gomodls_syntax::gosum::{self, GoSum, GoSumLine, ModuleSum};

use crate::client::ModuleClient;
use crate::dirhash;
use crate::error::HttpError;
use crate::http::{Body, GetRequest, Http, Sink};
use crate::routing::{ProxyEntry, ProxyScheme, ProxySpec};
use crate::sumdb::client::{Client, DirStore, MemoryStore, Remote, RemoteError, Store};
use crate::sumdb::{self, GosumdbError};

/// The go command's explanation after a go.sum mismatch (`goSumMismatch`).
pub const GO_SUM_MISMATCH: &str = "\n\nSECURITY ERROR\nThis download does NOT match an earlier download recorded in go.sum.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n";

/// The name of the verified-lines file under the state directory.
pub const VERIFIED_FILE: &str = "verified-gosum";

/// How many downloads and lookups run at once.
const CONCURRENCY: usize = 8;

/// What verification found for one go.sum line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The hash equals the downloaded bits' hash (and the database's, where it applies).
    Verified,
    /// The hash is not an `h1:` hash; the go command keeps such lines but never checks them.
    Ignored,
    /// A `SECURITY ERROR`: the whole message as the go command prints it (without `go: `).
    Mismatch(String),
    /// The line could not be checked now (offline, the proxy or the database unreachable); not an
    /// error.
    Unverified(String),
}

/// Why missing go.sum lines could not be added; nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddError {
    /// The go.sum file has a line go refuses, so go would not write it either.
    #[error("{0}")]
    Malformed(String),
    /// A download failed or did not verify (the go command's message).
    #[error("{0}")]
    Verify(String),
}

type SumdbClient = Client<RoutedRemote, Arc<dyn Store>>;

/// Verifies go.sum lines for one environment; cheap to share behind an `Arc`.
pub struct GoSumVerifier {
    client: ModuleClient,
    /// The checksum database, or why there is none (`None` for GOSUMDB=off or -insecure).
    sumdb: Option<Result<SumdbClient, String>>,
    verified: VerifiedLines,
}

impl GoSumVerifier {
    /// A verifier downloading through `client` (its GOPROXY routing and caches) and checking the
    /// database its environment names. `state_dir` holds the verified-lines file and the
    /// database's latest signed tree; without it both live in memory only.
    pub fn new(client: ModuleClient, state_dir: Option<&Path>) -> GoSumVerifier {
        let sumdb = sumdb_client(&client, state_dir);
        let verified = VerifiedLines::new(state_dir.map(|dir| dir.join(VERIFIED_FILE)));
        GoSumVerifier {
            client,
            sumdb,
            verified,
        }
    }

    /// The name the verified-lines file records for a module: the database that must confirm its
    /// lines, or `-` when none does.
    fn authority(&self, path: &str) -> &str {
        match &self.sumdb {
            Some(Ok(database)) if !self.client.env().is_nosumdb(path) => database.name(),
            Some(Err(_)) if !self.client.env().is_nosumdb(path) => "?",
            _ => "-",
        }
    }

    /// The verdicts known without any download: `Verified` for lines remembered as verified,
    /// `Ignored` for non-`h1:` hashes, `None` for lines that need work. Reads the verified-lines
    /// file once.
    pub fn cached_verdicts(&self, go_sum: &GoSum) -> Vec<Option<Verdict>> {
        let verified = self.verified.load();
        // Lines of one module are adjacent in go.sum: match GONOSUMDB once per path.
        let mut last: Option<(&str, &str)> = None;
        go_sum
            .lines
            .iter()
            .map(|line| {
                if !line.sum.hash.starts_with("h1:") {
                    return Some(Verdict::Ignored);
                }
                let authority = match last {
                    Some((path, authority)) if path == line.sum.path => authority,
                    _ => {
                        let authority = self.authority(&line.sum.path);
                        last = Some((&line.sum.path, authority));
                        authority
                    }
                };
                verified
                    .contains(&verified_key(authority, &line.sum))
                    .then_some(Verdict::Verified)
            })
            .collect()
    }

    /// Verifies every line of `go_sum` (in its order), downloading and looking up what the
    /// verified-lines file does not already vouch for. `file_name` is the name go's messages use
    /// (`go.sum`, `go.work.sum`).
    pub async fn verify(&self, go_sum: &GoSum, file_name: &str) -> Vec<Verdict> {
        let mut verdicts = self.cached_verdicts(go_sum);
        let pending: Vec<usize> = verdicts
            .iter()
            .enumerate()
            .filter(|(_, verdict)| verdict.is_none())
            .map(|(index, _)| index)
            .collect();
        let work = pending.into_iter().filter_map(|index| {
            let line = go_sum.lines.get(index)?;
            Some(async move { (index, self.verify_sum(&line.sum, file_name).await) })
        });
        let done: Vec<(usize, Verdict)> = futures::stream::iter(work)
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for (index, verdict) in done {
            if let Some(slot) = verdicts.get_mut(index) {
                *slot = Some(verdict);
            }
        }
        self.verified.save();
        verdicts
            .into_iter()
            .map(|verdict| verdict.unwrap_or(Verdict::Unverified(String::new())))
            .collect()
    }

    /// Verifies the go.sum (or go.work.sum) bytes `text`, named `file_name` in messages, and pairs
    /// each checksum line with its verdict: what `gomodls check --verify` prints and what go.sum
    /// diagnostics show (line numbers and byte ranges come with each line).
    pub async fn verify_file(&self, text: &[u8], file_name: &str) -> Vec<(GoSumLine, Verdict)> {
        let go_sum = gosum::read_go_sum(text);
        let verdicts = self.verify(&go_sum, file_name).await;
        go_sum.lines.into_iter().zip(verdicts).collect()
    }

    /// Verifies one checksum against the download and the database.
    async fn verify_sum(&self, sum: &ModuleSum, file_name: &str) -> Verdict {
        if !sum.hash.starts_with("h1:") {
            return Verdict::Ignored;
        }
        let downloaded = match self
            .download_hash(&sum.path, &sum.version, sum.go_mod)
            .await
        {
            Ok(hash) => hash,
            Err(error) => return Verdict::Unverified(error),
        };
        if downloaded != sum.hash {
            return Verdict::Mismatch(go_sum_mismatch(sum, &downloaded, &sum.hash, file_name));
        }
        match self
            .check_database(&sum.path, &sum.version_field(), &sum.hash)
            .await
        {
            Ok(()) => {
                self.verified
                    .insert(verified_key(self.authority(&sum.path), sum));
                Verdict::Verified
            }
            Err(DatabaseError::Security(message)) => Verdict::Mismatch(message),
            Err(DatabaseError::Unavailable(message)) => Verdict::Unverified(message),
        }
    }

    /// The `h1:` hash of the module's zip or go.mod as the cache or the proxy serves it.
    async fn download_hash(
        &self,
        path: &str,
        version: &str,
        go_mod: bool,
    ) -> Result<String, String> {
        if go_mod {
            let data = self
                .client
                .go_mod(path, version)
                .await
                .map_err(|error| error.to_string())?;
            return Ok(dirhash::hash_go_mod(&data.value));
        }
        let zip = self
            .client
            .zip(path, version)
            .await
            .map_err(|error| error.to_string())?;
        let zip_path = zip.value;
        let hashed = tokio::task::spawn_blocking(move || {
            dirhash::hash_zip_parallel(|| {
                std::fs::File::open(&zip_path).map(std::io::BufReader::new)
            })
            .map_err(|error| error.to_string())
        })
        .await;
        match hashed {
            Ok(result) => result,
            Err(error) => Err(error.to_string()),
        }
    }

    /// Checks a downloaded hash against the checksum database unless the module is exempt.
    async fn check_database(
        &self,
        path: &str,
        version_field: &str,
        hash: &str,
    ) -> Result<(), DatabaseError> {
        if self.client.env().is_nosumdb(path) {
            return Ok(());
        }
        match &self.sumdb {
            None => Ok(()),
            // The database is on the network too: offline, nothing is asked of it.
            Some(_) if self.client.is_offline() => Err(DatabaseError::Unavailable(
                "checksum database not consulted: the network is off (offline mode or \
                 GOPROXY=off)"
                    .to_owned(),
            )),
            Some(Err(message)) => Err(DatabaseError::Unavailable(message.clone())),
            Some(Ok(database)) => match database.verify(path, version_field, hash).await {
                Ok(()) => Ok(()),
                Err(error) if error.is_security_error() => {
                    Err(DatabaseError::Security(error.to_string()))
                }
                Err(error) => Err(DatabaseError::Unavailable(error.to_string())),
            },
        }
    }

    /// Downloads, hashes and verifies the checksums in `wanted` that `go_sum` lacks (a key with
    /// any hash counts as present: a line that disagrees is never replaced) and returns them. Any
    /// failure fails the whole call, so nothing unverified is ever written.
    pub async fn missing_sums(
        &self,
        go_sum: &GoSum,
        wanted: &[(String, String, bool)],
    ) -> Result<Vec<ModuleSum>, AddError> {
        let present: HashSet<(&str, &str, bool)> = go_sum
            .lines
            .iter()
            .map(|line| {
                (
                    line.sum.path.as_str(),
                    line.sum.version.as_str(),
                    line.sum.go_mod,
                )
            })
            .collect();
        // Owned keys: the futures below must not borrow through a closure argument, or they are
        // not `Send` for every lifetime (and a server cannot spawn them).
        let mut keys: Vec<(String, String, bool)> = wanted
            .iter()
            .filter(|(path, version, go_mod)| {
                !present.contains(&(path.as_str(), version.as_str(), *go_mod))
            })
            .cloned()
            .collect();
        keys.sort();
        keys.dedup();
        let work = keys.into_iter().map(|(path, version, go_mod)| async move {
            let hash = self
                .download_hash(&path, &version, go_mod)
                .await
                .map_err(AddError::Verify)?;
            let sum = ModuleSum {
                path,
                version,
                go_mod,
                hash,
            };
            match self
                .check_database(&sum.path, &sum.version_field(), &sum.hash)
                .await
            {
                Ok(()) => Ok(sum),
                Err(DatabaseError::Security(message) | DatabaseError::Unavailable(message)) => {
                    Err(AddError::Verify(message))
                }
            }
        });
        let results: Vec<Result<ModuleSum, AddError>> = futures::stream::iter(work)
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let sums = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        for sum in &sums {
            self.verified
                .insert(verified_key(self.authority(&sum.path), sum));
        }
        self.verified.save();
        Ok(sums)
    }

    /// The go.sum text with the missing checksums of `wanted` added, in go's order, or `None`
    /// when nothing is missing. `text` is the current go.sum; `file_name` names it in messages.
    pub async fn add_missing(
        &self,
        text: &[u8],
        file_name: &str,
        wanted: &[(String, String, bool)],
    ) -> Result<Option<String>, AddError> {
        let go_sum = gosum::read_go_sum(text);
        if let Some(malformed) = go_sum.malformed.first() {
            return Err(AddError::Malformed(malformed.go_message(file_name)));
        }
        let added = self.missing_sums(&go_sum, wanted).await?;
        if added.is_empty() {
            return Ok(None);
        }
        let all = go_sum
            .lines
            .iter()
            .map(|line| &line.sum)
            .chain(added.iter());
        Ok(Some(gosum::format_go_sum(all)))
    }
}

/// The checksum keys plain `go mod download` records for a go.mod's requirements: the go.mod
/// checksum of each (no zip lines). Keys are `(path, version, go_mod)` as [`GoSumVerifier::missing_sums`]
/// takes them.
pub fn go_mod_download_keys<'a>(
    requirements: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String, bool)> {
    requirements
        .into_iter()
        .map(|(path, version)| (path.to_owned(), version.to_owned(), true))
        .collect()
}

/// The checksum keys plain `go mod download` records for the go.mod `text` (named `file_name` in
/// go's messages): the go.mod checksum of each requirement after replacements (a replacement by a
/// version wins over one for every version; a directory replacement needs no checksum). Returns
/// go's error lines when the file does not parse.
pub fn required_go_mod_keys(
    text: &[u8],
    file_name: &str,
) -> Result<Vec<(String, String, bool)>, Vec<String>> {
    use gomodls_syntax::modfile::{read, rules};
    let mut syntax =
        read::read(text, file_name).map_err(|error| vec![error.go_message(file_name)])?;
    let (file, errors) = rules::parse_gomod(&mut syntax, true);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|error| error.display(file_name).to_string())
            .collect());
    }
    let mut keys: Vec<(String, String, bool)> = Vec::new();
    for require in &file.require {
        let module = &require.module;
        let exact = file.replace.iter().rev().find(|replace| {
            replace.old.path == module.path && replace.old.version == module.version
        });
        let any = || {
            file.replace
                .iter()
                .rev()
                .find(|replace| replace.old.path == module.path && replace.old.version.is_empty())
        };
        let target = match exact.or_else(any) {
            Some(replace) if replace.new.version.is_empty() => continue,
            Some(replace) => &replace.new,
            None => module,
        };
        keys.push((target.path.clone(), target.version.clone(), true));
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// Why the database did not confirm a hash.
enum DatabaseError {
    /// A `SECURITY ERROR` (mismatch, missing line, misbehavior).
    Security(String),
    /// The database could not be reached or used.
    Unavailable(String),
}

/// The go command's message when a download disagrees with a go.sum line.
pub fn go_sum_mismatch(
    sum: &ModuleSum,
    downloaded: &str,
    recorded: &str,
    file_name: &str,
) -> String {
    format!(
        "verifying {}@{}: checksum mismatch\n\tdownloaded: {downloaded}\n\t{file_name}:     {recorded}{GO_SUM_MISMATCH}",
        sum.path,
        sum.version_field()
    )
}

fn verified_key(authority: &str, sum: &ModuleSum) -> String {
    let mut key = String::with_capacity(
        authority.len() + sum.path.len() + sum.version.len() + sum.hash.len() + 11,
    );
    key.push_str(authority);
    key.push(' ');
    key.push_str(&sum.path);
    key.push(' ');
    key.push_str(&sum.version);
    if sum.go_mod {
        key.push_str("/go.mod");
    }
    key.push(' ');
    key.push_str(&sum.hash);
    key
}

/// The checksum database client for the environment, as the go command chooses it.
fn sumdb_client(
    client: &ModuleClient,
    state_dir: Option<&Path>,
) -> Option<Result<SumdbClient, String>> {
    let env = client.env();
    if env.goflag("insecure").is_some_and(|value| value != "false") {
        return None;
    }
    let config = match sumdb::parse_gosumdb(env.gosumdb()) {
        Ok(config) => config,
        Err(GosumdbError::Off) => return None,
        Err(error) => return Some(Err(error.to_string())),
    };
    let direct = config.url.clone().unwrap_or_else(|| config.direct_url());
    let proxies = client
        .proxy_list()
        .map(|list| list.specs.clone())
        .unwrap_or_default();
    let remote = RoutedRemote {
        proxies,
        name: config.name.clone(),
        direct,
        http: Arc::clone(&client.inner.http),
        base: tokio::sync::OnceCell::new(),
    };
    let store: Arc<dyn Store> = match state_dir {
        Some(dir) => Arc::new(DirStore::new(dir.join("sumdb")).with_cache(dir.join("sumdb-cache"))),
        None => Arc::new(MemoryStore::new()),
    };
    Some(Client::new(&config.verifier_key, remote, store).map_err(|error| error.to_string()))
}

/// The checksum database reached as the go command reaches it: through the first GOPROXY entry
/// that answers `<proxy>/sumdb/<name>/supported` with success, trying the next entry after "not
/// found" or "gone" (or any error after `|`), and directly at `direct` once the list ends or
/// reaches `direct` or `off`. Decided on the first read, then kept.
struct RoutedRemote {
    proxies: Vec<ProxySpec>,
    name: String,
    direct: String,
    /// The module client's HTTP layer (see [`DatabaseHttp`]).
    http: Arc<Http>,
    base: tokio::sync::OnceCell<Result<DatabaseHttp, RemoteError>>,
}

impl RoutedRemote {
    async fn find_base(&self) -> Result<DatabaseHttp, RemoteError> {
        for spec in &self.proxies {
            let proxy = match &spec.entry {
                ProxyEntry::NoProxy => continue,
                ProxyEntry::Direct | ProxyEntry::Off => break,
                ProxyEntry::Url(proxy) => proxy,
            };
            let base = format!("{}/sumdb/{}", proxy.url, self.name);
            let supported = format!("{base}/supported");
            let outcome = match proxy.scheme {
                ProxyScheme::File => {
                    let file = supported.strip_prefix("file://").unwrap_or(&supported);
                    match std::fs::metadata(file) {
                        Ok(_) => Ok(()),
                        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                            Err((true, error.to_string()))
                        }
                        Err(error) => Err((false, error.to_string())),
                    }
                }
                ProxyScheme::Http | ProxyScheme::Https => {
                    let database = DatabaseHttp {
                        base: base.clone(),
                        http: Arc::clone(&self.http),
                    };
                    match database.get("/supported").await {
                        Ok(_) => Ok(()),
                        Err(error) => Err((error.is_not_found(), error.to_string())),
                    }
                }
            };
            match outcome {
                Ok(()) if proxy.scheme == ProxyScheme::File => {
                    return Err(RemoteError::new(format!(
                        "checksum database through a file:// proxy is not supported: {}",
                        proxy.redacted
                    )));
                }
                Ok(()) => {
                    return Ok(DatabaseHttp {
                        base,
                        http: Arc::clone(&self.http),
                    });
                }
                Err((missing, _)) if missing || spec.fall_back_on_error => continue,
                Err((_, message)) => return Err(RemoteError::new(message)),
            }
        }
        Ok(DatabaseHttp {
            base: self.direct.trim_end_matches('/').to_owned(),
            http: Arc::clone(&self.http),
        })
    }
}

impl Remote for RoutedRemote {
    async fn read_remote(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        let base = self.base.get_or_init(|| self.find_base()).await;
        match base {
            Ok(database) => database.get(path).await.map_err(|error| {
                if error.is_not_found() {
                    RemoteError::not_found(error.to_string())
                } else {
                    RemoteError::new(error.to_string())
                }
            }),
            Err(error) => Err(error.clone()),
        }
    }
}

/// The most a checksum database answer may hold. The largest real one, a full data tile, holds
/// 256 records of a few hundred bytes; a server that sends more is lying or broken.
const DATABASE_ANSWER_LIMIT: u64 = 16 << 20;

/// Reads from a checksum database at `base` through the module client's HTTP layer, as go's
/// `web.GetBytes` reads it for module requests and database requests alike: the credentials go
/// sends (netrc, GOAUTH; over https only), the HTTP proxies of the environment, the redirects go
/// follows and refuses, go's words for every failure, and a bound on the answer.
struct DatabaseHttp {
    base: String,
    http: Arc<Http>,
}

impl DatabaseHttp {
    async fn get(&self, path: &str) -> Result<Vec<u8>, HttpError> {
        // The go command sends (and reports) database URLs with `!` as it is.
        let request = GetRequest {
            url: format!("{}{path}", self.base),
            limit: DATABASE_ANSWER_LIMIT,
            sink: Sink::Memory,
            timeout: self.http.config().request_timeout,
            lane: 0,
        };
        let url = crate::routing::redact(&request.url);
        match self.http.get(request).await? {
            Body::Bytes(data) => Ok(data.to_vec()),
            // Not for a request into memory.
            Body::File(_) => Err(HttpError::Body {
                url,
                message: "the answer went to a file".to_owned(),
            }),
        }
    }
}

/// The verified-lines file, loaded on first use and rewritten when it grew.
struct VerifiedLines {
    file: Option<PathBuf>,
    state: Mutex<VerifiedState>,
}

#[derive(Default)]
struct VerifiedState {
    loaded: bool,
    lines: Arc<HashSet<String>>,
    dirty: bool,
}

impl VerifiedLines {
    fn new(file: Option<PathBuf>) -> VerifiedLines {
        VerifiedLines {
            file,
            state: Mutex::new(VerifiedState::default()),
        }
    }

    fn load(&self) -> Arc<HashSet<String>> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.loaded {
            state.loaded = true;
            if let Some(text) = self.file.as_ref().and_then(|file| std::fs::read(file).ok()) {
                let text = String::from_utf8_lossy(&text);
                state.lines = Arc::new(text.lines().map(str::to_owned).collect());
            }
        }
        Arc::clone(&state.lines)
    }

    fn insert(&self, key: String) {
        self.load();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if Arc::make_mut(&mut state.lines).insert(key) {
            state.dirty = true;
        }
    }

    fn save(&self) {
        let Some(file) = &self.file else {
            return;
        };
        let text = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if !state.dirty {
                return;
            }
            state.dirty = false;
            let mut lines: Vec<&String> = state.lines.iter().collect();
            lines.sort();
            let mut text = String::new();
            for line in lines {
                text.push_str(line);
                text.push('\n');
            }
            text
        };
        if let Err(error) = write_atomically(file, text.as_bytes()) {
            tracing::warn!("writing {}: {error}", file.display());
        }
    }
}

/// Writes the verified-lines file for `sums` as a verifier with the given authority would, so a
/// cache can be prepared ahead (benchmarks, tests). `authority` is the database name or `-`.
pub fn write_verified_file<'a>(
    state_dir: &Path,
    authority: &str,
    sums: impl IntoIterator<Item = &'a ModuleSum>,
) -> std::io::Result<()> {
    let mut lines: Vec<String> = sums
        .into_iter()
        .map(|sum| verified_key(authority, sum))
        .collect();
    lines.sort();
    lines.dedup();
    let mut text = lines.join("\n");
    text.push('\n');
    write_atomically(&state_dir.join(VERIFIED_FILE), text.as_bytes())
}

fn write_atomically(target: &Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = target.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, data)?;
    std::fs::rename(&temporary, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatch_uses_go_wording() {
        let sum = ModuleSum {
            path: "example.com/hello".to_owned(),
            version: "v1.1.0".to_owned(),
            go_mod: true,
            hash: "h1:X=".to_owned(),
        };
        assert_eq!(
            go_sum_mismatch(&sum, "h1:D=", "h1:X=", "go.sum"),
            "verifying example.com/hello@v1.1.0/go.mod: checksum mismatch\n\tdownloaded: h1:D=\n\tgo.sum:     h1:X=\n\nSECURITY ERROR\nThis download does NOT match an earlier download recorded in go.sum.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n"
        );
    }
}
