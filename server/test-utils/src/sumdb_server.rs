//! [`TestSumdb`]: a checksum database server for tests, on 127.0.0.1, that the go command accepts,
//! and that can be made to lie.
//!
//! It serves `/latest`, `/lookup/PATH@VERSION` and `/tile/H/L/NNN[.p/W]` (hash and data tiles) as
//! the real checksum database does. Records come from go.sum lines given up front and enter the
//! log on their first lookup, like the real server adding a module when first asked. Tree notes are
//! signed with Ed25519 (by default with the fixed `localhost.localdev/sumdb` test key the go
//! command's own tests use).
//!
//! This file deliberately shares no code with `gomodls-modfetch`'s checksum database client: the
//! log hashes are computed here by the plain recursive definition (RFC 6962), so the client and
//! this server check each other, and the go command checks both.
//!
//! Lies ([`Lie`]): a wrong hash for a module (recorded in the log as if the server believed it),
//! a bad signature, a note signed by a different key, and a forked history.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use ed25519_dalek::{Signer as _, SigningKey};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

/// The verifier key of the go command's test checksum database.
pub const TEST_VERIFIER_KEY: &str =
    "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";

/// The signer key matching [`TEST_VERIFIER_KEY`].
pub const TEST_SIGNER_KEY: &str =
    "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum SumdbServerError {
    /// The signer key is not `PRIVATE+KEY+NAME+HASH+KEYDATA` for an Ed25519 key.
    #[error("invalid signer key")]
    InvalidSignerKey,
    /// A go.sum line does not have three fields.
    #[error("malformed go.sum line {0:?}")]
    MalformedLine(String),
    /// Binding or starting the server failed.
    #[error("starting the test checksum database: {0}")]
    Start(#[source] std::io::Error),
    /// The TLS set-up of an HTTPS database failed.
    #[error("setting up TLS for the test checksum database: {0}")]
    Tls(String),
}

/// A way for the server to lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lie {
    /// Record a wrong `h1:` hash for this module's zip when its record enters the log (the server
    /// stays self-consistent: the log itself holds the lie).
    WrongHash {
        /// The module path.
        path: String,
        /// The version.
        version: String,
    },
    /// Serve tree notes whose signature does not verify.
    BadSignature,
    /// Sign tree notes with a different key of the same name.
    OtherKey,
    /// Serve a different history: a log that starts with a bogus record and then holds the same
    /// records, signed with the right key.
    Fork,
}

/// One signing key.
struct Key {
    name: String,
    hash: u32,
    signing: SigningKey,
}

impl Key {
    fn parse(signer_key: &str) -> Option<Key> {
        let mut fields = signer_key.splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(name), Some(hash), Some(data)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        let data = STANDARD.decode(data).ok()?;
        let (1, seed) = data
            .split_first()
            .map(|(algorithm, seed)| (*algorithm, seed))?
        else {
            return None;
        };
        let key = Key::from_seed(name, seed.try_into().ok()?);
        (u32::from_str_radix(hash, 16).ok()? == key.hash).then_some(key)
    }

    fn from_seed(name: &str, seed: [u8; 32]) -> Key {
        let signing = SigningKey::from_bytes(&seed);
        let mut hasher = Sha256::new();
        hasher.update(name.as_bytes());
        hasher.update(b"\n");
        hasher.update([1u8]);
        hasher.update(signing.verifying_key().as_bytes());
        let digest = hasher.finalize();
        let hash = u32::from_be_bytes(digest.first_chunk::<4>().copied().unwrap_or_default());
        Key {
            name: name.to_owned(),
            hash,
            signing,
        }
    }

    fn verifier_key(&self) -> String {
        let mut data = vec![1u8];
        data.extend_from_slice(self.signing.verifying_key().as_bytes());
        format!("{}+{:08x}+{}", self.name, self.hash, STANDARD.encode(data))
    }

    /// The signature line for `text`: `— NAME BASE64(keyhash ‖ signature)`.
    fn signature_line(&self, text: &str, corrupt: bool) -> String {
        let mut signature = self.hash.to_be_bytes().to_vec();
        signature.extend_from_slice(&self.signing.sign(text.as_bytes()).to_bytes());
        if corrupt && let Some(last) = signature.last_mut() {
            *last ^= 0x55;
        }
        format!("\u{2014} {} {}\n", self.name, STANDARD.encode(signature))
    }
}

/// A transparency log: record texts and their leaf hashes.
#[derive(Clone, Default)]
struct Log {
    records: Vec<Vec<u8>>,
    leaves: Vec<[u8; 32]>,
    ids: HashMap<String, usize>,
}

impl Log {
    fn append(&mut self, key: &str, text: Vec<u8>) -> usize {
        let id = self.records.len();
        let mut hasher = Sha256::new();
        hasher.update([0u8]);
        hasher.update(&text);
        self.leaves.push(hasher.finalize().into());
        self.records.push(text);
        self.ids.insert(key.to_owned(), id);
        id
    }

    /// The RFC 6962 hash of leaves `range`: split at the largest power of two below the count.
    fn hash(&self, start: usize, end: usize) -> [u8; 32] {
        match end.saturating_sub(start) {
            0 => Sha256::digest(b"").into(),
            1 => self.leaves.get(start).copied().unwrap_or_default(),
            count => {
                let split = (count - 1).checked_ilog2().map_or(1, |log| 1usize << log);
                let mut hasher = Sha256::new();
                hasher.update([1u8]);
                hasher.update(self.hash(start, start + split));
                hasher.update(self.hash(start + split, end));
                hasher.finalize().into()
            }
        }
    }
}

/// A parsed tile path.
struct TilePath {
    height: u32,
    /// `None` for a data tile.
    level: Option<u32>,
    number: usize,
    width: usize,
}

/// Parses `H/L/NNN[.p/W]` (after `/tile/`), accepting only the canonical spelling.
fn parse_tile(path: &str) -> Option<TilePath> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let mut width = None;
    if parts.len() >= 2
        && let Some(last_number) = parts
            .get(parts.len() - 2)
            .and_then(|part| part.strip_suffix(".p"))
    {
        width = Some(parts.last()?.parse::<usize>().ok()?);
        let count = parts.len();
        *parts.get_mut(count - 2)? = last_number;
        parts.pop();
    }
    let [height, level, groups @ ..] = parts.as_slice() else {
        return None;
    };
    let height: u32 = height
        .parse()
        .ok()
        .filter(|height| (1..=30).contains(height))?;
    let level = match *level {
        "data" => None,
        level => Some(level.parse::<u32>().ok().filter(|level| *level < 64)?),
    };
    let mut number = 0usize;
    for (index, group) in groups.iter().enumerate() {
        let digits = if index + 1 < groups.len() {
            group.strip_prefix('x')?
        } else {
            group
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        number = number
            .checked_mul(1000)?
            .checked_add(digits.parse::<usize>().ok()?)?;
    }
    if groups.is_empty() {
        return None;
    }
    let full = 1usize << height;
    let width = match width {
        Some(width) if width > 0 && width < full => width,
        Some(_) => return None,
        None => full,
    };
    Some(TilePath {
        height,
        level,
        number,
        width,
    })
}

struct State {
    key: Key,
    other_key: Key,
    /// Record text by `path@version`, from the go.sum lines.
    known: HashMap<String, Vec<u8>>,
    honest: Log,
    fork: Option<Log>,
    wrong_hash: HashSet<String>,
    lies: Vec<Lie>,
    requests: Vec<String>,
}

impl State {
    fn lying(&self, lie: &Lie) -> bool {
        self.lies.contains(lie)
    }

    fn active_log(&mut self) -> &mut Log {
        if self.lying(&Lie::Fork) {
            let honest = &self.honest;
            return self.fork.get_or_insert_with(|| {
                let mut fork = Log::default();
                fork.append(
                    "fork.example/bogus@v1.0.0",
                    b"fork.example/bogus v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                        .to_vec(),
                );
                for (key, id) in sorted_ids(honest) {
                    if let Some(text) = honest.records.get(id) {
                        fork.append(&key, text.clone());
                    }
                }
                fork
            });
        }
        &mut self.honest
    }

    fn signed_tree(&mut self) -> String {
        let log = self.active_log();
        let size = log.records.len();
        let hash = STANDARD.encode(log.hash(0, size));
        let text = format!("go.sum database tree\n{size}\n{hash}\n");
        let key = if self.lying(&Lie::OtherKey) {
            &self.other_key
        } else {
            &self.key
        };
        let signature = key.signature_line(&text, self.lying(&Lie::BadSignature));
        format!("{text}\n{signature}")
    }

    fn lookup(&mut self, module: &str) -> Result<Vec<u8>, (StatusCode, String)> {
        let Some(text) = self.known.get(module).cloned() else {
            return Err((StatusCode::NOT_FOUND, format!("not found: {module}")));
        };
        let text = if self.wrong_hash.contains(module) {
            corrupt_zip_hash(&text)
        } else {
            text
        };
        let log = self.active_log();
        let id = match log.ids.get(module) {
            Some(&id) => id,
            None => log.append(module, text),
        };
        let mut body = format!("{id}\n").into_bytes();
        body.extend_from_slice(log.records.get(id).map(Vec::as_slice).unwrap_or_default());
        body.push(b'\n');
        body.extend_from_slice(self.signed_tree().as_bytes());
        Ok(body)
    }

    fn tile(&mut self, path: &str) -> Result<Vec<u8>, (StatusCode, String)> {
        let bad = || (StatusCode::BAD_REQUEST, "invalid tile syntax".to_owned());
        let tile = parse_tile(path).ok_or_else(bad)?;
        let log = self.active_log();
        let level_bits = tile.level.unwrap_or(0) * tile.height;
        let first = tile.number.checked_shl(tile.height).ok_or_else(bad)?;
        let leaves_per_hash = 1usize.checked_shl(level_bits).ok_or_else(bad)?;
        let mut out = Vec::new();
        for index in first..first + tile.width {
            let start = index.checked_mul(leaves_per_hash).ok_or_else(bad)?;
            let end = start.checked_add(leaves_per_hash).ok_or_else(bad)?;
            if end > log.records.len() {
                return Err((
                    StatusCode::NOT_FOUND,
                    "not found: tile beyond tree".to_owned(),
                ));
            }
            match tile.level {
                Some(_) => out.extend_from_slice(&log.hash(start, end)),
                None => {
                    out.extend_from_slice(
                        log.records
                            .get(start)
                            .map(Vec::as_slice)
                            .unwrap_or_default(),
                    );
                    out.push(b'\n');
                }
            }
        }
        Ok(out)
    }
}

fn sorted_ids(log: &Log) -> Vec<(String, usize)> {
    let mut ids: Vec<(String, usize)> =
        log.ids.iter().map(|(key, &id)| (key.clone(), id)).collect();
    ids.sort_by_key(|(_, id)| *id);
    ids
}

/// Changes the first `h1:` hash of the record's zip line (the line without `/go.mod`).
fn corrupt_zip_hash(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = String::new();
    let mut done = false;
    for line in text.split_inclusive('\n') {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if !done
            && let [path, version, hash] = fields.as_slice()
            && !version.ends_with("/go.mod")
            && let Some(encoded) = hash.strip_prefix("h1:")
            && let Ok(mut digest) = STANDARD.decode(encoded)
            && let Some(first) = digest.first_mut()
        {
            *first ^= 0xff;
            let _ = writeln!(out, "{path} {version} h1:{}", STANDARD.encode(digest));
            done = true;
            continue;
        }
        out.push_str(line);
    }
    out.into_bytes()
}

/// Groups go.sum lines into checksum database records: for each `path@version`, the zip line
/// then the go.mod line.
fn records_from_gosum(gosum: &str) -> Result<HashMap<String, Vec<u8>>, SumdbServerError> {
    let mut grouped: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
    for line in gosum.lines().filter(|line| !line.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [path, version, hash] = fields.as_slice() else {
            return Err(SumdbServerError::MalformedLine(line.to_owned()));
        };
        let (plain, is_go_mod) = match version.strip_suffix("/go.mod") {
            Some(plain) => (plain, true),
            None => (*version, false),
        };
        let entry = grouped.entry(format!("{path}@{plain}")).or_default();
        let text = format!("{path} {version} {hash}\n");
        if is_go_mod {
            entry.1 = Some(text);
        } else {
            entry.0 = Some(text);
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(module, (zip, go_mod))| {
            (
                module,
                format!("{}{}", zip.unwrap_or_default(), go_mod.unwrap_or_default()).into_bytes(),
            )
        })
        .collect())
}

/// Undoes the `!` case escaping of module paths and versions in URLs.
fn unescape(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut bang = false;
    for character in escaped.chars() {
        if bang {
            if !character.is_ascii_lowercase() {
                return None;
            }
            out.push(character.to_ascii_uppercase());
            bang = false;
        } else if character == '!' {
            bang = true;
        } else if character.is_ascii_uppercase() {
            return None;
        } else {
            out.push(character);
        }
    }
    (!bang).then_some(out)
}

/// A checksum database on `127.0.0.1:<ephemeral port>`, serving until dropped.
pub struct TestSumdb {
    address: SocketAddr,
    /// The certificate authority of an HTTPS database.
    tls: Option<crate::proxy::TlsFiles>,
    verifier_key: String,
    state: Arc<Mutex<State>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestSumdb {
    /// Starts a database signed with [`TEST_SIGNER_KEY`] that knows the given go.sum lines.
    pub fn start(gosum: &str) -> Result<TestSumdb, SumdbServerError> {
        TestSumdb::start_with_key(TEST_SIGNER_KEY, gosum)
    }

    /// Starts a database signed with `signer_key` (`PRIVATE+KEY+NAME+HASH+KEYDATA`) that knows
    /// the given go.sum lines.
    pub fn start_with_key(signer_key: &str, gosum: &str) -> Result<TestSumdb, SumdbServerError> {
        TestSumdb::start_inner(signer_key, gosum, None)
    }

    /// [`TestSumdb::start`] over HTTPS (HTTP/1.1), as sum.golang.org is served, with a
    /// certificate from a certificate authority made for this database alone, whose PEM file is
    /// [`TestSumdb::ca_cert_path`] (for `SSL_CERT_FILE`).
    pub fn start_https(gosum: &str) -> Result<TestSumdb, SumdbServerError> {
        let tls = crate::proxy::tls_setup(false)
            .map_err(|error| SumdbServerError::Tls(error.to_string()))?;
        TestSumdb::start_inner(TEST_SIGNER_KEY, gosum, Some(tls))
    }

    fn start_inner(
        signer_key: &str,
        gosum: &str,
        tls: Option<(tokio_rustls::TlsAcceptor, crate::proxy::TlsFiles)>,
    ) -> Result<TestSumdb, SumdbServerError> {
        let (acceptor, tls) = match tls {
            Some((acceptor, files)) => (Some(acceptor), Some(files)),
            None => (None, None),
        };
        let key = Key::parse(signer_key).ok_or(SumdbServerError::InvalidSignerKey)?;
        let other_key = Key::from_seed(&key.name, [0x42; 32]);
        let verifier_key = key.verifier_key();
        let state = Arc::new(Mutex::new(State {
            key,
            other_key,
            known: records_from_gosum(gosum)?,
            honest: Log::default(),
            fork: None,
            wrong_hash: HashSet::new(),
            lies: Vec::new(),
            requests: Vec::new(),
        }));
        let listener =
            std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(SumdbServerError::Start)?;
        listener
            .set_nonblocking(true)
            .map_err(SumdbServerError::Start)?;
        let address = listener.local_addr().map_err(SumdbServerError::Start)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(SumdbServerError::Start)?;
        let (shutdown, shutdown_requested) = oneshot::channel();
        let thread_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("test-sumdb-{}", address.port()))
            .spawn(move || {
                runtime.block_on(serve(listener, thread_state, shutdown_requested, acceptor));
                drop(runtime);
            })
            .map_err(SumdbServerError::Start)?;
        Ok(TestSumdb {
            address,
            tls,
            verifier_key,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT` (`https://` when started with
    /// [`TestSumdb::start_https`]).
    pub fn url(&self) -> String {
        match self.tls {
            Some(_) => format!("https://{}", self.address),
            None => format!("http://{}", self.address),
        }
    }

    /// The PEM file of the certificate authority of an HTTPS database.
    pub fn ca_cert_path(&self) -> Option<&std::path::Path> {
        self.tls.as_ref().map(|files| files.ca_cert.as_path())
    }

    /// The verifier key clients must trust.
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// The database name.
    pub fn name(&self) -> String {
        self.verifier_key
            .split('+')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// A GOSUMDB value for this server: `VERIFIERKEY URL`.
    pub fn gosumdb(&self) -> String {
        format!("{} {}", self.verifier_key, self.url())
    }

    fn with_state<T>(&self, action: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        action(&mut state)
    }

    /// Makes more go.sum lines known (they enter the log when first looked up).
    pub fn add_gosum(&self, gosum: &str) -> Result<(), SumdbServerError> {
        let records = records_from_gosum(gosum)?;
        self.with_state(|state| state.known.extend(records));
        Ok(())
    }

    /// Starts telling a lie, until [`TestSumdb::tell_the_truth`]. A [`Lie::WrongHash`] applies to
    /// records entering the log from now on, and stays in the log.
    pub fn lie(&self, lie: Lie) {
        self.with_state(|state| {
            if let Lie::WrongHash { path, version } = &lie {
                state.wrong_hash.insert(format!("{path}@{version}"));
            }
            state.lies.push(lie);
        });
    }

    /// Stops lying about signatures and history (wrong hashes already logged stay).
    pub fn tell_the_truth(&self) {
        self.with_state(|state| {
            state.lies.clear();
            state.wrong_hash.clear();
        });
    }

    /// A handler that serves this database under a module proxy's `/sumdb/NAME/` prefix, as a
    /// proxy that supports the database does (`supported` answered with 200): mount it with
    /// [`crate::proxy::TestProxy::mount`]. Its requests are logged in [`TestSumdb::requests`]
    /// too, without the prefix.
    pub fn proxy_handler(
        &self,
    ) -> impl Fn(&crate::proxy::RequestRecord) -> crate::proxy::MountResponse + Send + Sync + 'static
    {
        let state = Arc::clone(&self.state);
        let prefix = format!("/sumdb/{}", self.name());
        move |request| {
            let path = request.path.strip_prefix(&prefix).unwrap_or(&request.path);
            if path == "/supported" {
                return crate::proxy::MountResponse::text(200, "");
            }
            let (status, content_type, body) = answer(&state, path.to_owned());
            crate::proxy::MountResponse {
                status: status.as_u16(),
                content_type: content_type.to_owned(),
                body: Bytes::from(body),
            }
        }
    }

    /// The paths requested so far (percent-decoded), in order.
    pub fn requests(&self) -> Vec<String> {
        self.with_state(|state| state.requests.clone())
    }

    /// The number of records in the log currently served.
    pub fn size(&self) -> usize {
        self.with_state(|state| state.active_log().records.len())
    }
}

impl Drop for TestSumdb {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
    mut shutdown: oneshot::Receiver<()>,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let state = Arc::clone(&state);
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(respond(&state, &request)) }
            });
            let http = hyper::server::conn::http1::Builder::new();
            let _ = match acceptor {
                None => http.serve_connection(TokioIo::new(stream), service).await,
                // A client that refuses the certificate ends the connection here.
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(stream) => http.serve_connection(TokioIo::new(stream), service).await,
                    Err(_) => return,
                },
            };
        });
    }
}

fn respond(state: &Mutex<State>, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let path = percent_encoding::percent_decode_str(request.uri().path())
        .decode_utf8_lossy()
        .into_owned();
    let (status, content_type, body) = answer(state, path);
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// The database's answer to a (percent-decoded) path: status, content type and body.
fn answer(state: &Mutex<State>, path: String) -> (StatusCode, &'static str, Vec<u8>) {
    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    state.requests.push(path.clone());
    let result = if path == "/latest" {
        Ok((
            state.signed_tree().into_bytes(),
            "text/plain; charset=UTF-8",
        ))
    } else if let Some(module) = path.strip_prefix("/lookup/") {
        match module
            .split_once('@')
            .and_then(|(path, version)| Some((unescape(path)?, unescape(version)?)))
        {
            Some((path, version)) => state
                .lookup(&format!("{path}@{version}"))
                .map(|body| (body, "text/plain; charset=UTF-8")),
            None => Err((
                StatusCode::BAD_REQUEST,
                "invalid module@version syntax".to_owned(),
            )),
        }
    } else if let Some(tile) = path.strip_prefix("/tile/") {
        state
            .tile(tile)
            .map(|body| (body, "application/octet-stream"))
    } else {
        Err((StatusCode::NOT_FOUND, "404 page not found".to_owned()))
    };
    match result {
        Ok((body, content_type)) => (StatusCode::OK, content_type, body),
        Err((status, message)) => (
            status,
            "text/plain; charset=utf-8",
            format!("{message}\n").into_bytes(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOSUM: &str = "example.com/a v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\
                         example.com/a v1.0.0/go.mod h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\n";

    #[test]
    fn keys() {
        let key = Key::parse(TEST_SIGNER_KEY).unwrap();
        assert_eq!(key.verifier_key(), TEST_VERIFIER_KEY);
        assert!(
            Key::parse("PRIVATE+KEY+x+00000000+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk")
                .is_none()
        );
    }

    #[test]
    fn tree_hashes() {
        let mut log = Log::default();
        assert_eq!(
            STANDARD.encode(log.hash(0, 0)),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        log.append("a", b"a\n".to_vec());
        assert_eq!(log.hash(0, 1), log.leaves[0]);
        log.append("b", b"b\n".to_vec());
        log.append("c", b"c\n".to_vec());
        let node = |left: [u8; 32], right: [u8; 32]| -> [u8; 32] {
            let mut hasher = Sha256::new();
            hasher.update([1u8]);
            hasher.update(left);
            hasher.update(right);
            hasher.finalize().into()
        };
        assert_eq!(
            log.hash(0, 3),
            node(node(log.leaves[0], log.leaves[1]), log.leaves[2])
        );
    }

    #[test]
    fn tile_paths() {
        let tile = parse_tile("8/0/x001/x234/067").unwrap();
        assert_eq!(
            (tile.height, tile.level, tile.number, tile.width),
            (8, Some(0), 1_234_067, 256)
        );
        let tile = parse_tile("8/data/000.p/5").unwrap();
        assert_eq!((tile.level, tile.number, tile.width), (None, 0, 5));
        assert!(parse_tile("8/0/1").is_none());
        assert!(parse_tile("8/0/000.p/256").is_none());
        assert!(parse_tile("8/0/001/000").is_none());
    }

    #[test]
    fn records_group_zip_and_go_mod_lines() {
        let records = records_from_gosum(GOSUM).unwrap();
        assert_eq!(records["example.com/a@v1.0.0"], GOSUM.as_bytes());
        let lying = String::from_utf8(corrupt_zip_hash(GOSUM.as_bytes())).unwrap();
        assert!(
            lying.starts_with("example.com/a v1.0.0 h1:/wAAAAAA"),
            "{lying}"
        );
        assert!(lying.ends_with(
            "example.com/a v1.0.0/go.mod h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\n"
        ));
    }

    #[test]
    fn serves_lookups_and_tiles_over_http() {
        let server = TestSumdb::start(GOSUM).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let get = |path: &str| {
                let url = format!("{}{path}", server.url());
                async move {
                    let response = reqwest::get(url).await.unwrap();
                    (
                        response.status().as_u16(),
                        response.bytes().await.unwrap().to_vec(),
                    )
                }
            };
            let (status, body) = get("/lookup/example.com/a@v1.0.0").await;
            assert_eq!(status, 200);
            let text = String::from_utf8(body).unwrap();
            assert!(
                text.starts_with(&format!("0\n{GOSUM}\ngo.sum database tree\n1\n")),
                "{text}"
            );
            assert!(
                text.contains("\n\n\u{2014} localhost.localdev/sumdb AAAMZ"),
                "{text}"
            );
            let (status, body) = get("/tile/8/0/000.p/1").await;
            assert_eq!(status, 200);
            assert_eq!(body.len(), 32);
            let (_, body) = get("/tile/8/data/000.p/1").await;
            assert_eq!(body, format!("{GOSUM}\n").into_bytes());
            let (status, _) = get("/lookup/example.com/b@v1.0.0").await;
            assert_eq!(status, 404);
            let (status, _) = get("/tile/8/0/000.p/2").await;
            assert_eq!(status, 404);
        });
        assert_eq!(server.requests().len(), 5);
    }
}
