//! [`SocksProxy`]: a SOCKS5 proxy on 127.0.0.1 for tests of clients that reach module proxies
//! through one (`HTTPS_PROXY=socks5://…`), go's and ours alike. It logs every `CONNECT` (the
//! target as the client named it, and the credentials it authenticated with), carries the
//! connections it was told where to send, and can be made to refuse them with a reply code of
//! the protocol (RFC 1928) or to ask for credentials (RFC 1929). It never dials a host of its
//! own choosing: a target it has no route for is answered `host unreachable`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use fast_socks5::ReplyError;
use fast_socks5::server::Socks5ServerProtocol;
use fast_socks5::util::target_addr::TargetAddr;
use tokio::sync::oneshot;

use super::server::ProxyError;

/// One `CONNECT` the SOCKS proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocksConnect {
    /// The target as the client named it: `host:port` for a name (the proxy resolves it, as
    /// go's client asks), `ip:port` for an address (`[ip]:port` for IPv6).
    pub target: String,
    /// Whether the client named the target by host name rather than by address.
    pub by_name: bool,
    /// The user name and password the client authenticated with, if it did.
    pub credentials: Option<(String, String)>,
}

#[derive(Debug, Default)]
struct SocksState {
    log: Vec<SocksConnect>,
    routes: HashMap<String, SocketAddr>,
    refusal: Option<SocksReply>,
    stalled: bool,
    /// The credentials it asks for, if any.
    required: Option<(String, String)>,
}

/// A reply code with which [`SocksProxy::refuse_with`] answers every `CONNECT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocksReply {
    /// `0x01`.
    GeneralFailure,
    /// `0x02`: the proxy's rules do not allow the connection.
    ConnectionNotAllowed,
    /// `0x03`.
    NetworkUnreachable,
    /// `0x04`.
    HostUnreachable,
    /// `0x05`.
    ConnectionRefused,
    /// `0x06`.
    TtlExpired,
}

impl SocksReply {
    fn error(self) -> ReplyError {
        match self {
            SocksReply::GeneralFailure => ReplyError::GeneralFailure,
            SocksReply::ConnectionNotAllowed => ReplyError::ConnectionNotAllowed,
            SocksReply::NetworkUnreachable => ReplyError::NetworkUnreachable,
            SocksReply::HostUnreachable => ReplyError::HostUnreachable,
            SocksReply::ConnectionRefused => ReplyError::ConnectionRefused,
            SocksReply::TtlExpired => ReplyError::TtlExpired,
        }
    }
}

/// A SOCKS5 proxy serving on 127.0.0.1 from a thread of its own until dropped.
pub struct SocksProxy {
    address: SocketAddr,
    state: Arc<Mutex<SocksState>>,
    /// Ends every open tunnel when notified.
    cut: Arc<tokio::sync::Notify>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SocksProxy {
    /// A proxy that asks for no credentials.
    pub fn start() -> Result<SocksProxy, ProxyError> {
        SocksProxy::start_with(None)
    }

    /// A proxy that accepts only the user name/password authentication (RFC 1929), with these
    /// credentials; other credentials are refused.
    pub fn start_with_credentials(user: &str, password: &str) -> Result<SocksProxy, ProxyError> {
        SocksProxy::start_with(Some((user.to_owned(), password.to_owned())))
    }

    fn start_with(credentials: Option<(String, String)>) -> Result<SocksProxy, ProxyError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(ProxyError::Thread)?;
        let listener = {
            let _entered = runtime.enter();
            let socket = tokio::net::TcpSocket::new_v4().map_err(ProxyError::Bind)?;
            socket
                .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .map_err(ProxyError::Bind)?;
            socket.listen(1024).map_err(ProxyError::Bind)?
        };
        let address = listener.local_addr().map_err(ProxyError::Bind)?;
        let state = Arc::new(Mutex::new(SocksState {
            required: credentials,
            ..SocksState::default()
        }));
        let cut = Arc::new(tokio::sync::Notify::new());
        let (shutdown, shutdown_requested) = oneshot::channel();
        let thread_state = Arc::clone(&state);
        let thread_cut = Arc::clone(&cut);
        let thread = std::thread::Builder::new()
            .name(format!("socks-proxy-{}", address.port()))
            .spawn(move || {
                runtime.block_on(serve(
                    listener,
                    thread_state,
                    thread_cut,
                    shutdown_requested,
                ));
                // Dropping the runtime here ends every connection still open.
                drop(runtime);
            })
            .map_err(ProxyError::Thread)?;
        Ok(SocksProxy {
            address,
            state,
            cut,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `socks5://127.0.0.1:PORT`, for `HTTPS_PROXY` or `HTTP_PROXY`.
    pub fn url(&self) -> String {
        format!("socks5://{}", self.address)
    }

    /// The socket address the proxy listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Carries connections to `target` (`host:port` or `ip:port`, as a client names it) to
    /// `to`: a test proxy that stands for that host.
    pub fn route(&self, target: &str, to: SocketAddr) {
        lock(&self.state).routes.insert(target.to_owned(), to);
    }

    /// Answers every `CONNECT` from now on with `reply` instead of carrying it.
    pub fn refuse_with(&self, reply: SocksReply) {
        lock(&self.state).refusal = Some(reply);
    }

    /// Asks for these credentials from now on (as a proxy reconfigured, or another proxy at the
    /// same address), and ends the tunnels open now.
    pub fn require_credentials(&self, user: &str, password: &str) {
        lock(&self.state).required = Some((user.to_owned(), password.to_owned()));
        self.cut.notify_waiters();
    }

    /// Accepts connections from now on and never answers on them: a proxy that hangs.
    pub fn stall(&self) {
        lock(&self.state).stalled = true;
    }

    /// Every `CONNECT` received so far, in order of arrival.
    pub fn connects(&self) -> Vec<SocksConnect> {
        lock(&self.state).log.clone()
    }
}

impl Drop for SocksProxy {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // An error only means the server loop already ended.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for SocksProxy {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SocksProxy")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<Mutex<SocksState>>,
    cut: Arc<tokio::sync::Notify>,
    mut shutdown_requested: oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown_requested => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let cut = Arc::clone(&cut);
        // A client that breaks the protocol or goes away ends only its own connection.
        tokio::spawn(async move {
            let _ = connection(stream, &state, &cut).await;
        });
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    state: &Mutex<SocksState>,
    cut: &tokio::sync::Notify,
) -> Result<(), fast_socks5::server::SocksServerError> {
    let (stalled, required) = {
        let state = lock(state);
        (state.stalled, state.required.clone())
    };
    if stalled {
        // Held open, unanswered, until the client gives up or the proxy is dropped.
        let _held = stream;
        return std::future::pending().await;
    }
    let (protocol, used) = match required {
        None => (Socks5ServerProtocol::accept_no_auth(stream).await?, None),
        Some(required) => {
            let (protocol, used) =
                Socks5ServerProtocol::accept_password_auth(stream, |user, password| {
                    let accepted = required.0 == user && required.1 == password;
                    accepted.then_some((user, password))
                })
                .await?;
            (protocol, used)
        }
    };
    let (protocol, _command, target) = protocol.read_command().await?;
    let (name, by_name) = match &target {
        TargetAddr::Domain(host, port) => (format!("{host}:{port}"), true),
        TargetAddr::Ip(address) => (address.to_string(), false),
    };
    let (route, refusal) = {
        let mut state = lock(state);
        state.log.push(SocksConnect {
            target: name.clone(),
            by_name,
            credentials: used,
        });
        (state.routes.get(&name).copied(), state.refusal)
    };
    if let Some(reply) = refusal {
        return protocol.reply_error(&reply.error()).await;
    }
    let Some(to) = route else {
        return protocol.reply_error(&ReplyError::HostUnreachable).await;
    };
    let Ok(mut outbound) = tokio::net::TcpStream::connect(to).await else {
        return protocol.reply_error(&ReplyError::ConnectionRefused).await;
    };
    let bound = outbound
        .local_addr()
        .unwrap_or(SocketAddr::from((IpAddr::V4(Ipv4Addr::LOCALHOST), 0)));
    let mut inbound = protocol.reply_success(bound).await?;
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
        () = cut.notified() => {}
    }
    Ok(())
}
