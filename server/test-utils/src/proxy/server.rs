//! [`TestProxy`]: a real module proxy on 127.0.0.1 (HTTP/1.1, or HTTPS with HTTP/2 and HTTP/1.1 by
//! ALPN under a certificate authority generated at start), on its own thread and runtime, with a
//! request log, fault injection and mountable extra handlers.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use futures::{StreamExt as _, TryStreamExt as _};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt as _, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::proxy::fault::{Fault, FaultId, FaultRule};
use crate::proxy::fixture::Fixture;
use crate::proxy::layout::{self, LayoutError, ProxyLayout};

/// What a [`TestProxy`] serves.
#[derive(Debug, Clone)]
pub enum ProxySource {
    /// A fixture, laid out in memory.
    Fixture(Fixture),
    /// Files already laid out in memory.
    Layout(ProxyLayout),
    /// A GOPROXY directory on disk (from [`layout::build_proxy_dir`], or a module cache's
    /// `cache/download`), read on each request.
    Dir(PathBuf),
}

impl From<Fixture> for ProxySource {
    fn from(fixture: Fixture) -> Self {
        ProxySource::Fixture(fixture)
    }
}

impl From<&Fixture> for ProxySource {
    fn from(fixture: &Fixture) -> Self {
        ProxySource::Fixture(fixture.clone())
    }
}

impl From<ProxyLayout> for ProxySource {
    fn from(layout: ProxyLayout) -> Self {
        ProxySource::Layout(layout)
    }
}

impl From<PathBuf> for ProxySource {
    fn from(dir: PathBuf) -> Self {
        ProxySource::Dir(dir)
    }
}

impl From<&Path> for ProxySource {
    fn from(dir: &Path) -> Self {
        ProxySource::Dir(dir.to_owned())
    }
}

/// The proxy could not start or its content could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The fixture cannot be laid out.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// Binding the loopback address (port 0) or preparing the listener failed.
    #[error("binding the test proxy to the loopback address: {0}")]
    Bind(#[source] std::io::Error),
    /// The server runtime or thread could not be created.
    #[error("starting the test proxy thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The certificates of the HTTPS mode could not be made or written.
    #[error("preparing the test proxy certificate: {0}")]
    Tls(String),
}

/// One request as the proxy received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The method (`GET`).
    pub method: String,
    /// The path and query exactly as sent (percent-encoded).
    pub uri: String,
    /// The percent-decoded path (`/example.com/!azure/sdk/@v/list`).
    pub path: String,
    /// Every header (names in lowercase, values lossily decoded), in the order received.
    pub headers: Vec<(String, String)>,
    /// The HTTP version of the request (`HTTP/1.1`, `HTTP/2.0`).
    pub version: String,
    /// Which connection carried it: connections are numbered from 0 in order of acceptance.
    pub connection: u64,
    /// When the request arrived.
    pub time: SystemTime,
}

impl RequestRecord {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The `Authorization` header.
    pub fn authorization(&self) -> Option<&str> {
        self.header("authorization")
    }
}

/// What a mounted handler answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The body.
    pub body: Bytes,
}

impl MountResponse {
    /// A `text/plain; charset=utf-8` answer.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8".to_owned(),
            body: Bytes::from(body.into()),
        }
    }
}

/// A handler mounted under a path prefix (for example a checksum database under `/sumdb/NAME/`).
pub type MountHandler = Arc<dyn Fn(&RequestRecord) -> MountResponse + Send + Sync>;

/// A module proxy serving HTTP/1.1 on `127.0.0.1:<ephemeral port>` until dropped.
///
/// It runs on its own thread with its own Tokio runtime, so it works the same from plain
/// `#[test]`s and from async tests. Paths it serves:
///
/// * mounted handlers ([`TestProxy::mount`]), longest prefix first;
/// * otherwise `/sumdb/…` is 404 (no checksum database proxying: the go command then talks to
///   the checksum database directly);
/// * otherwise the proxy files of its [`ProxySource`]; anything else is 404 with body
///   `not found`. Only `GET` and `HEAD` are allowed (405 otherwise), and `CONNECT` once
///   [`TestProxy::tunnel_connects_to`] names where to tunnel.
///
/// Every request is logged before faults apply; faults apply to every path, mounted or not.
pub struct TestProxy {
    address: SocketAddr,
    tls: Option<TlsFiles>,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct State {
    content: RwLock<Content>,
    log: Mutex<Vec<RequestRecord>>,
    faults: Mutex<Vec<(FaultId, FaultRule)>>,
    mounts: RwLock<Vec<(String, MountHandler)>>,
    next_fault_id: AtomicU64,
    next_connection: AtomicU64,
    /// Connections accepted and not yet closed.
    open_connections: AtomicU64,
    /// Where `CONNECT` requests are tunnelled, when this proxy stands in front of another.
    tunnel_to: Mutex<Option<SocketAddr>>,
}

/// The certificate authority file of an HTTPS proxy (removed with the proxy).
pub(crate) struct TlsFiles {
    _dir: tempfile::TempDir,
    pub(crate) ca_cert: PathBuf,
}

enum Content {
    Layout(ProxyLayout),
    Dir(PathBuf),
}

type ResponseBody = UnsyncBoxBody<Bytes, std::io::Error>;

/// Where the test proxies listen, but for [`TestProxy::start_https_ipv6`].
const LOOPBACK_V4: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// Connections the kernel queues before they are accepted (capped by `net.core.somaxconn`).
const LISTEN_BACKLOG: u32 = 4096;

impl TestProxy {
    /// Starts a proxy serving `source` (a [`Fixture`], a [`ProxyLayout`] or a directory).
    pub fn start(source: impl Into<ProxySource>) -> Result<TestProxy, ProxyError> {
        TestProxy::start_with(source.into(), None, LOOPBACK_V4)
    }

    /// Starts an HTTPS proxy serving `source`: HTTP/2 or HTTP/1.1 as the client chooses by ALPN,
    /// with a certificate for `127.0.0.1` and `localhost` issued by a certificate authority made
    /// for this proxy alone, whose PEM file is [`TestProxy::ca_cert_path`] (for `SSL_CERT_FILE`).
    pub fn start_https(source: impl Into<ProxySource>) -> Result<TestProxy, ProxyError> {
        let (acceptor, files) = tls_setup(true)?;
        TestProxy::start_with(source.into(), Some((acceptor, files)), LOOPBACK_V4)
    }

    /// [`TestProxy::start_https`] on the IPv6 loopback address, `[::1]`, which its certificate
    /// does not name.
    pub fn start_https_ipv6(source: impl Into<ProxySource>) -> Result<TestProxy, ProxyError> {
        let (acceptor, files) = tls_setup(true)?;
        TestProxy::start_with(
            source.into(),
            Some((acceptor, files)),
            std::net::Ipv6Addr::LOCALHOST.into(),
        )
    }

    /// [`TestProxy::start_https`] for a server that offers only HTTP/1.1 by ALPN (as some
    /// corporate proxies and TLS terminators do): each connection carries one request at a time.
    pub fn start_https_http1(source: impl Into<ProxySource>) -> Result<TestProxy, ProxyError> {
        let (acceptor, files) = tls_setup(false)?;
        TestProxy::start_with(source.into(), Some((acceptor, files)), LOOPBACK_V4)
    }

    fn start_with(
        source: ProxySource,
        tls: Option<(tokio_rustls::TlsAcceptor, TlsFiles)>,
        ip: std::net::IpAddr,
    ) -> Result<TestProxy, ProxyError> {
        let (acceptor, tls) = match tls {
            Some((acceptor, files)) => (Some(acceptor), Some(files)),
            None => (None, None),
        };
        let content = content_from(source)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ProxyError::Thread)?;
        // A real proxy takes hundreds of concurrent connections: std's listener queues only 128
        // pending ones, and the overflow costs a client a one-second SYN retransmission.
        let socket = match ip {
            std::net::IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            std::net::IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        }
        .map_err(ProxyError::Bind)?;
        socket
            .bind(SocketAddr::new(ip, 0))
            .map_err(ProxyError::Bind)?;
        let address = socket.local_addr().map_err(ProxyError::Bind)?;
        let listener = {
            let _entered = runtime.enter();
            socket.listen(LISTEN_BACKLOG).map_err(ProxyError::Bind)?
        };
        let state = Arc::new(State {
            content: RwLock::new(content),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            mounts: RwLock::new(Vec::new()),
            next_fault_id: AtomicU64::new(0),
            next_connection: AtomicU64::new(0),
            open_connections: AtomicU64::new(0),
            tunnel_to: Mutex::new(None),
        });
        let (shutdown, shutdown_requested) = oneshot::channel();
        let thread_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("test-proxy-{}", address.port()))
            .spawn(move || {
                runtime.block_on(serve(listener, thread_state, shutdown_requested, acceptor));
                // Dropping the runtime here cancels every connection task, hanging ones too.
                drop(runtime);
            })
            .map_err(ProxyError::Thread)?;
        Ok(TestProxy {
            address,
            tls,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The base URL for GOPROXY: `http://127.0.0.1:PORT`, or `https://…` for an HTTPS proxy (no
    /// trailing slash).
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.address)
    }

    /// The PEM file of the certificate authority of an HTTPS proxy (`None` for plain HTTP).
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.tls.as_ref().map(|files| files.ca_cert.as_path())
    }

    /// The socket address the proxy listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every request received so far, in order of arrival.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        lock(&self.state.log).clone()
    }

    /// The decoded paths of every request received so far, in order of arrival.
    pub fn requested_paths(&self) -> Vec<String> {
        lock(&self.state.log)
            .iter()
            .map(|record| record.path.clone())
            .collect()
    }

    /// Serves `requests` concurrent GETs of `path` (each on a connection of its own) to a
    /// throwaway client, then forgets them. A proxy in use has served bursts before: a benchmark
    /// of a client calls this so that it does not also measure the test proxy's first burst (its
    /// runtime's first tasks and buffers for hundreds of connections). Faults apply as usual.
    pub fn warm_up(&self, path: &str, requests: usize) -> Result<(), ProxyError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ProxyError::Thread)?;
        let url = format!("{}{path}", self.url());
        let mut builder = reqwest::Client::builder().pool_max_idle_per_host(requests);
        if let Some(ca) = &self.tls {
            let pem = std::fs::read(&ca.ca_cert).map_err(ProxyError::Bind)?;
            let certificate = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| ProxyError::Bind(std::io::Error::other(e)))?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder
            .build()
            .map_err(|e| ProxyError::Bind(std::io::Error::other(e)))?;
        runtime.block_on(futures::future::join_all((0..requests).map(|_| {
            let request = client.get(&url).send();
            async move {
                if let Ok(response) = request.await {
                    let _ = response.bytes().await;
                }
            }
        })));
        drop(client);
        self.clear_log();
        Ok(())
    }

    /// How many connections the proxy has accepted so far (over HTTPS, each one a TLS handshake),
    /// whether or not any request came over them.
    pub fn connections_accepted(&self) -> u64 {
        self.state.next_connection.load(Ordering::Relaxed)
    }

    /// How many connections are open: accepted, and not yet closed by either side.
    pub fn open_connections(&self) -> u64 {
        self.state.open_connections.load(Ordering::Relaxed)
    }

    /// Waits until no connection is open (the clients of a test or benchmark have closed theirs
    /// and the proxy has finished with them), for at most `bound`; false if some are still open.
    pub fn wait_until_idle(&self, bound: Duration) -> bool {
        let deadline = std::time::Instant::now() + bound;
        while self.open_connections() > 0 {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// Forgets the requests received so far.
    pub fn clear_log(&self) {
        lock(&self.state.log).clear();
    }

    /// Replaces what the proxy serves (publishing a new version, say) while it runs.
    pub fn set_content(&self, source: impl Into<ProxySource>) -> Result<(), ProxyError> {
        let content = content_from(source.into())?;
        *self
            .state
            .content
            .write()
            .unwrap_or_else(PoisonError::into_inner) = content;
        Ok(())
    }

    /// Adds a fault rule; it applies from the next request on.
    pub fn inject(&self, rule: FaultRule) -> FaultId {
        let id = FaultId(self.state.next_fault_id.fetch_add(1, Ordering::Relaxed));
        lock(&self.state.faults).push((id, rule));
        id
    }

    /// Removes a fault rule; false if it was already removed.
    pub fn remove_fault(&self, id: FaultId) -> bool {
        let mut faults = lock(&self.state.faults);
        let before = faults.len();
        faults.retain(|(candidate, _)| *candidate != id);
        faults.len() != before
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Serves every path starting with `prefix` (for example `/sumdb/sum.golang.org/`) with
    /// `handler` instead of the proxy files; replaces a handler mounted at the same prefix.
    pub fn mount(
        &self,
        prefix: &str,
        handler: impl Fn(&RequestRecord) -> MountResponse + Send + Sync + 'static,
    ) {
        let mut mounts = self
            .state
            .mounts
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        mounts.retain(|(existing, _)| existing != prefix);
        mounts.push((prefix.to_owned(), Arc::new(handler)));
    }

    /// Removes the handler mounted at exactly `prefix`; false if there was none.
    pub fn unmount(&self, prefix: &str) -> bool {
        let mut mounts = self
            .state
            .mounts
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let before = mounts.len();
        mounts.retain(|(existing, _)| existing != prefix);
        mounts.len() != before
    }

    /// Makes this proxy an HTTP forward proxy for https URLs too: a `CONNECT` request, whatever
    /// host it names, is answered 200 and tunnelled to `target` (another test proxy, an HTTPS
    /// one, whose certificate also names [`TUNNELLED_HOST`]), unless a [`Fault::Status`] rule
    /// matches the authority it names: that status answers it instead. Plain requests in absolute form
    /// are served as ever, from this proxy's own content. `CONNECT` requests are logged with the
    /// authority they name as `uri` and `path`.
    pub fn tunnel_connects_to(&self, target: SocketAddr) {
        *lock(&self.state.tunnel_to) = Some(target);
    }
}

/// A host name the HTTPS test proxies' certificates name besides `127.0.0.1` and `localhost`,
/// for requests that reach them through a forward proxy's tunnel ([`TestProxy::tunnel_connects_to`]):
/// nothing resolves it, so only the tunnel can carry them.
pub const TUNNELLED_HOST: &str = "modules.gomodls.test";

impl Drop for TestProxy {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // An error only means the server loop already ended.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panicked server thread has nothing left to clean up.
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for TestProxy {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TestProxy")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

fn content_from(source: ProxySource) -> Result<Content, ProxyError> {
    Ok(match source {
        ProxySource::Fixture(fixture) => Content::Layout(layout::proxy_layout(&fixture)?),
        ProxySource::Layout(layout) => Content::Layout(layout),
        ProxySource::Dir(dir) => Content::Dir(dir),
    })
}

/// A certificate authority and a server certificate for `127.0.0.1`/`localhost` signed by it;
/// the authority's PEM goes to a temporary file.
/// The acceptor of an HTTPS proxy (offering HTTP/2 by ALPN if `h2`) and its CA's files.
pub(crate) fn tls_setup(h2: bool) -> Result<(tokio_rustls::TlsAcceptor, TlsFiles), ProxyError> {
    use tokio_rustls::rustls;
    let tls = |e: &dyn std::fmt::Display| ProxyError::Tls(e.to_string());
    let ca_key = rcgen::KeyPair::generate().map_err(|e| tls(&e))?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| tls(&e))?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "gomodls test proxy CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(|e| tls(&e))?;
    let key = rcgen::KeyPair::generate().map_err(|e| tls(&e))?;
    let mut params = rcgen::CertificateParams::new(vec![
        "127.0.0.1".to_owned(),
        "localhost".to_owned(),
        TUNNELLED_HOST.to_owned(),
    ])
    .map_err(|e| tls(&e))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "gomodls test proxy");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).map_err(|e| tls(&e))?;

    let dir = tempfile::tempdir().map_err(|e| tls(&e))?;
    let ca_cert = dir.path().join("ca.pem");
    std::fs::write(&ca_cert, ca.pem()).map_err(|e| tls(&e))?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let private_key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], private_key)
        .map_err(|e| tls(&e))?;
    config.alpn_protocols = match h2 {
        true => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        false => vec![b"http/1.1".to_vec()],
    };
    Ok((
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        TlsFiles { _dir: dir, ca_cert },
    ))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    mut shutdown_requested: oneshot::Receiver<()>,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown_requested => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Accept errors (out of file descriptors, say) are transient: pause and go on.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        // Answers go out at once, as from a real server (no Nagle delay on small writes).
        let _ = stream.set_nodelay(true);
        let connection_state = Arc::clone(&state);
        let connection = state.next_connection.fetch_add(1, Ordering::Relaxed);
        let acceptor = acceptor.clone();
        let open = OpenConnection::new(Arc::clone(&state));
        tokio::spawn(async move {
            let _open = open;
            let service = hyper::service::service_fn(move |request| {
                let state = Arc::clone(&connection_state);
                async move { Ok::<_, Infallible>(handle(state, request, connection).await) }
            });
            // A connection error (client gone, aborted body, refused handshake) ends only that
            // connection.
            match acceptor {
                None => {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                }
                Some(acceptor) => {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let _ = hyper_util::server::conn::auto::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .await;
                }
            }
        });
    }
}

/// Counts a connection as open for as long as it lives.
struct OpenConnection(Arc<State>);

impl OpenConnection {
    fn new(state: Arc<State>) -> Self {
        state.open_connections.fetch_add(1, Ordering::Relaxed);
        OpenConnection(state)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open_connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A complete answer before faults shape how it is sent.
struct Answer {
    status: StatusCode,
    content_type: String,
    body: Bytes,
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
    connection: u64,
) -> Response<ResponseBody> {
    let record = record_of(&request, connection);
    lock(&state.log).push(record.clone());
    if request.method() == Method::CONNECT {
        // A status fault refuses the tunnel (a proxy that wants credentials answers 407).
        let refusal = take_matching_faults(&state, &record.path)
            .into_iter()
            .find_map(|fault| match fault {
                Fault::Status(code) => Some(empty_response(status_of(code))),
                Fault::StatusWithReason { status, reason } => {
                    Some(with_reason(empty_response(status_of(status)), reason))
                }
                _ => None,
            });
        return refusal.unwrap_or_else(|| tunnel(&state, request));
    }
    let faults = take_matching_faults(&state, &record.path);

    let mut latency = Duration::ZERO;
    let mut credentials = Vec::new();
    let mut shaping = None;
    for fault in faults {
        match fault {
            Fault::Latency(delay) => latency += delay,
            Fault::RequireBasicAuth { username, password } => {
                credentials.push((username, password))
            }
            other => {
                shaping.get_or_insert(other);
            }
        }
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    for (username, password) in credentials {
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        if record.authorization() != Some(format!("Basic {token}").as_str()) {
            let mut response = full_response(Answer {
                status: StatusCode::UNAUTHORIZED,
                content_type: "text/plain; charset=utf-8".to_owned(),
                body: Bytes::from_static(b"unauthorized\n"),
            });
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"gomodls-test-proxy\""),
            );
            return response;
        }
    }

    let Some(fault) = shaping else {
        return full_response(answer(&state, &record, request.method()).await);
    };
    match fault {
        Fault::Status(code) => empty_response(status_of(code)),
        Fault::StatusWithReason { status, reason } => {
            with_reason(empty_response(status_of(status)), reason)
        }
        Fault::Respond {
            status,
            content_type,
            body,
        } => full_response(Answer {
            status: status_of(status),
            content_type,
            body,
        }),
        Fault::Hang => std::future::pending().await,
        Fault::Redirect { to_base } => {
            let location = format!("{}{}", to_base.trim_end_matches('/'), record.uri);
            let mut response = empty_response(StatusCode::FOUND);
            match HeaderValue::from_str(&location) {
                Ok(value) => {
                    response.headers_mut().insert(header::LOCATION, value);
                }
                Err(_) => *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR,
            }
            response
        }
        Fault::ReplaceBody(body) => full_response(Answer {
            status: StatusCode::OK,
            content_type: content_type_of(&record.path).to_owned(),
            body,
        }),
        Fault::HugeBody { bytes } => huge_response(&record.path, bytes),
        Fault::SlowBody {
            chunk_size,
            interval,
        } => {
            let answer = answer(&state, &record, request.method()).await;
            slow_response(answer, chunk_size, interval)
        }
        Fault::TruncateBody { keep_bytes } => {
            let answer = answer(&state, &record, request.method()).await;
            truncated_response(answer, keep_bytes)
        }
        // Handled above; kept for an exhaustive match.
        Fault::Latency(_) | Fault::RequireBasicAuth { .. } => empty_response(StatusCode::OK),
    }
}

fn record_of(request: &Request<Incoming>, connection: u64) -> RequestRecord {
    let (uri, path) = match request.uri().authority() {
        Some(authority) if request.method() == Method::CONNECT => {
            (authority.to_string(), authority.to_string())
        }
        _ => (
            request.uri().path_and_query().map_or_else(
                || request.uri().path().to_owned(),
                |path_and_query| path_and_query.as_str().to_owned(),
            ),
            percent_encoding::percent_decode_str(request.uri().path())
                .decode_utf8_lossy()
                .into_owned(),
        ),
    };
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    RequestRecord {
        version: format!("{:?}", request.version()),
        connection,
        method: request.method().as_str().to_owned(),
        uri,
        path,
        headers,
        time: SystemTime::now(),
    }
}

/// Answers a `CONNECT`: 200 and a tunnel to the proxy [`TestProxy::tunnel_connects_to`] names,
/// or 405 when it names none.
fn tunnel(state: &State, request: Request<Incoming>) -> Response<ResponseBody> {
    let Some(target) = *lock(&state.tunnel_to) else {
        return full_response(text_answer(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n",
        ));
    };
    tokio::spawn(async move {
        // A client that goes away, or a target that is gone, ends only this tunnel.
        let Ok(upgraded) = hyper::upgrade::on(request).await else {
            return;
        };
        let Ok(mut stream) = tokio::net::TcpStream::connect(target).await else {
            return;
        };
        let _ = tokio::io::copy_bidirectional(&mut TokioIo::new(upgraded), &mut stream).await;
    });
    empty_response(StatusCode::OK)
}

/// The faults whose prefix matches, in injection order; counts down limited rules.
fn take_matching_faults(state: &State, path: &str) -> Vec<Fault> {
    let mut faults = lock(&state.faults);
    let mut matching = Vec::new();
    for (_, rule) in faults.iter_mut() {
        if rule.matches(path) {
            matching.push(rule.fault.clone());
            if let Some(times) = rule.times.as_mut() {
                *times = times.saturating_sub(1);
            }
        }
    }
    faults.retain(|(_, rule)| rule.times != Some(0));
    matching
}

/// The answer without faults: a mounted handler, the sumdb default, or a proxy file.
async fn answer(state: &State, record: &RequestRecord, method: &Method) -> Answer {
    if method != Method::GET && method != Method::HEAD {
        return text_answer(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    }
    let handler = {
        let mounts = state.mounts.read().unwrap_or_else(PoisonError::into_inner);
        mounts
            .iter()
            .filter(|(prefix, _)| record.path.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, handler)| Arc::clone(handler))
    };
    if let Some(handler) = handler {
        let response = handler(record);
        return Answer {
            status: status_of(response.status),
            content_type: response.content_type,
            body: response.body,
        };
    }
    if record.path.starts_with("/sumdb/") {
        return text_answer(StatusCode::NOT_FOUND, "not found\n");
    }
    let Some(relative) = relative_path(&record.path) else {
        return text_answer(StatusCode::NOT_FOUND, "not found\n");
    };
    let found = {
        let content = state.content.read().unwrap_or_else(PoisonError::into_inner);
        match &*content {
            Content::Layout(layout) => Ok(layout.get(relative).cloned()),
            Content::Dir(dir) => Err(dir.join(relative)),
        }
    };
    let body = match found {
        Ok(body) => body,
        Err(file) => tokio::fs::read(&file).await.ok().map(Bytes::from),
    };
    match body {
        Some(body) => Answer {
            status: StatusCode::OK,
            content_type: content_type_of(&record.path).to_owned(),
            body,
        },
        None => text_answer(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// The request path without its leading `/`, if every element is a plain name.
fn relative_path(path: &str) -> Option<&str> {
    let relative = path.strip_prefix('/')?;
    let plain = relative
        .split('/')
        .all(|element| !matches!(element, "" | "." | "..") && !element.contains('\\'));
    plain.then_some(relative)
}

fn content_type_of(path: &str) -> &'static str {
    if path.ends_with(".info") || path.ends_with("/@latest") {
        "application/json"
    } else if path.ends_with(".zip") {
        "application/zip"
    } else {
        "text/plain; charset=utf-8"
    }
}

fn status_of(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn text_answer(status: StatusCode, text: &'static str) -> Answer {
    Answer {
        status,
        content_type: "text/plain; charset=utf-8".to_owned(),
        body: Bytes::from_static(text.as_bytes()),
    }
}

fn with_headers(
    body: ResponseBody,
    status: StatusCode,
    content_type: &str,
    content_length: Option<u64>,
) -> Response<ResponseBody> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Some(length) = content_length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

/// `response` with `reason` as the reason phrase of its HTTP/1 status line (left standard if it
/// is not one a status line can hold).
fn with_reason(mut response: Response<ResponseBody>, reason: String) -> Response<ResponseBody> {
    if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(reason) {
        response.extensions_mut().insert(reason);
    }
    response
}

fn empty_response(status: StatusCode) -> Response<ResponseBody> {
    let body = Empty::new()
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    with_headers(body, status, "text/plain; charset=utf-8", None)
}

fn full_response(answer: Answer) -> Response<ResponseBody> {
    let body = Full::new(answer.body)
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    with_headers(body, answer.status, &answer.content_type, None)
}

fn stream_response(
    chunks: impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    status: StatusCode,
    content_type: &str,
    content_length: u64,
) -> Response<ResponseBody> {
    let body = StreamBody::new(chunks.map_ok(Frame::data)).boxed_unsync();
    with_headers(body, status, content_type, Some(content_length))
}

fn slow_response(answer: Answer, chunk_size: usize, interval: Duration) -> Response<ResponseBody> {
    let chunk_size = chunk_size.max(1);
    let length = answer.body.len();
    let chunks: Vec<Bytes> = (0..length)
        .step_by(chunk_size)
        .map(|start| answer.body.slice(start..length.min(start + chunk_size)))
        .collect();
    let stream = futures::stream::iter(chunks).then(move |chunk| async move {
        tokio::time::sleep(interval).await;
        Ok(chunk)
    });
    stream_response(stream, answer.status, &answer.content_type, length as u64)
}

fn truncated_response(answer: Answer, keep_bytes: usize) -> Response<ResponseBody> {
    let length = answer.body.len();
    if length == 0 {
        return full_response(answer);
    }
    let kept = answer.body.slice(..keep_bytes.min(length - 1));
    let abort = futures::stream::once(async {
        // Pausing first makes hyper flush the head and the kept bytes before the abort.
        tokio::time::sleep(Duration::from_millis(10)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "body truncated by test fault",
        ))
    });
    let stream = futures::stream::iter([Ok(kept)]).chain(abort);
    stream_response(stream, answer.status, &answer.content_type, length as u64)
}

fn huge_response(path: &str, total: u64) -> Response<ResponseBody> {
    const CHUNK: usize = 64 * 1024;
    let line = b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n";
    let filler = Bytes::from(line.repeat(CHUNK / line.len()));
    let stream = futures::stream::unfold(total, move |remaining| {
        let filler = filler.clone();
        async move {
            if remaining == 0 {
                return None;
            }
            let size =
                usize::try_from(remaining).map_or(filler.len(), |left| left.min(filler.len()));
            Some((Ok(filler.slice(..size)), remaining - size as u64))
        }
    });
    stream_response(stream, StatusCode::OK, content_type_of(path), total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_plain() {
        assert_eq!(
            relative_path("/example.com/a/@v/list"),
            Some("example.com/a/@v/list")
        );
        for bad in ["/", "/a//b", "/a/../b", "/./a", "a", "/a/b/", "/a\\b"] {
            assert_eq!(relative_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type_of("/m/@v/v1.0.0.info"), "application/json");
        assert_eq!(content_type_of("/m/@latest"), "application/json");
        assert_eq!(content_type_of("/m/@v/v1.0.0.zip"), "application/zip");
        assert_eq!(content_type_of("/m/@v/list"), "text/plain; charset=utf-8");
    }

    #[test]
    fn limited_rules_count_down_and_disappear() {
        let state = State {
            content: RwLock::new(Content::Layout(ProxyLayout::default())),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(vec![
                (
                    FaultId(0),
                    FaultRule::under("/a/", Fault::Status(500)).times(2),
                ),
                (
                    FaultId(1),
                    FaultRule::everywhere(Fault::Latency(Duration::from_millis(1))),
                ),
            ]),
            mounts: RwLock::new(Vec::new()),
            next_fault_id: AtomicU64::new(2),
            next_connection: AtomicU64::new(0),
            open_connections: AtomicU64::new(0),
            tunnel_to: Mutex::new(None),
        };
        assert_eq!(take_matching_faults(&state, "/b/x").len(), 1);
        assert_eq!(take_matching_faults(&state, "/a/x").len(), 2);
        assert_eq!(take_matching_faults(&state, "/a/x").len(), 2);
        assert_eq!(
            take_matching_faults(&state, "/a/x"),
            [Fault::Latency(Duration::from_millis(1))]
        );
        assert_eq!(lock(&state.faults).len(), 1);
    }
}
