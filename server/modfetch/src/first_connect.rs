//! One TLS handshake, not hundreds, when a burst of HTTPS requests meets a host the client has no
//! connection to.
//!
//! Over HTTPS the client learns only at the end of a handshake (ALPN) whether the connection will
//! carry one request at a time (HTTP/1.1) or all of them (HTTP/2). Until then hyper-util starts a
//! connection for every request that finds none open: the hundreds of requests of an opened go.mod
//! cost hundreds of TLS handshakes, on both sides, before all but one connection are thrown away
//! (on 2 cores, 250 modules: the first request reached the proxy 170-220 ms after the start).
//!
//! So each lane (connection pool) has a gate per host: the first request goes through and connects;
//! the others wait until a connection of the lane is up, or failed, or that first request ended.
//! Over HTTP/2 they then find the connection in the pool (after a short hand-off: hyper-util pools
//! it a moment after the connector reports it); over HTTP/1.1 they open their own, one handshake
//! later than without the gate, and the lane never holds that host's requests back again. If the
//! first request is given up before it connected, one of the waiters connects first instead. The
//! connector of the lane reports connections through [`ConnectLayer`]; it does not say to which
//! host, so a connection opens every gate of its lane that is waiting (the worst case is the
//! behaviour without gates).
//!
//! A gate stays open while its host is used at least once per [`POOL_IDLE`]: if the server closes
//! the connection in the meantime, the next burst to it opens connections as without gates.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::client::legacy::connect::Connection;
use tokio::sync::Notify;

/// How long an idle connection stays in a pool; a gate opened longer ago than this without use
/// closes again, as the connection behind it is gone.
pub(crate) const POOL_IDLE: Duration = Duration::from_secs(90);

/// How long after an HTTP/2 connection is reported the waiting requests go: hyper-util still
/// sends the connection preface and pools the connection after that, on the connecting task; a
/// request that looks before then opens a connection of its own.
const HANDOFF: Duration = Duration::from_millis(2);

/// The gates of one lane, by `host:port`.
#[derive(Debug, Default)]
pub(crate) struct Gates {
    hosts: Mutex<HashMap<String, Gate>>,
}

#[derive(Debug)]
enum Gate {
    /// A first request is connecting; the others wait for the end of its round.
    Connecting(Arc<Round>),
    /// A connection came up and requests go straight through: when it came up, when the gate was
    /// last used, and whether it speaks HTTP/2 (then requests wait for the hand-off).
    Open {
        since: Instant,
        used: Instant,
        h2: bool,
    },
    /// The host speaks HTTP/1.1 on this lane: every request needs a connection of its own, so
    /// there is never anything to wait for.
    Http1,
}

/// One first request's attempt to connect, and how it ended (0 while it lasts).
#[derive(Debug, Default)]
struct Round {
    done: Notify,
    outcome: AtomicU8,
}

const UP: u8 = 1;
const FAILED: u8 = 2;
const ABANDONED: u8 = 3;

impl Round {
    fn end(&self, outcome: u8) {
        self.outcome.store(outcome, Ordering::Release);
        self.done.notify_waiters();
    }
}

/// What became of a connection attempt of a lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connected {
    /// It came up, speaking HTTP/2 or not.
    Up {
        /// Whether ALPN chose HTTP/2.
        h2: bool,
    },
    /// It failed: the waiting requests go, each on its own, as without the gate.
    Failed,
    /// It was given up before its end (its request was cancelled): another request connects.
    Abandoned,
}

impl Gates {
    /// Lets a request to `host` go: at once if a connection of the lane to it is (or may be)
    /// open, or if this is the first request (which then connects); otherwise once the first one
    /// has connected or failed, and after `bound` at the latest. The ticket tells the gate how
    /// the request ended.
    pub(crate) async fn pass<'a>(&'a self, host: &'a str, bound: Duration) -> Ticket<'a> {
        let deadline = tokio::time::Instant::now() + bound;
        loop {
            let mut waiting_on: Option<Arc<Round>> = None;
            let mut handoff = None;
            let notified = {
                let mut hosts = self.lock();
                let now = Instant::now();
                match hosts.get_mut(host) {
                    Some(Gate::Http1) => return Ticket::new(self, host, None),
                    Some(Gate::Open { since, used, h2 }) if used.elapsed() < POOL_IDLE => {
                        *used = now;
                        if *h2 {
                            handoff = (*since + HANDOFF).checked_duration_since(now);
                        }
                    }
                    Some(Gate::Connecting(round)) => waiting_on = Some(Arc::clone(round)),
                    _ => {
                        let round = Arc::new(Round::default());
                        hosts.insert(host.to_owned(), Gate::Connecting(Arc::clone(&round)));
                        return Ticket::new(self, host, Some(round));
                    }
                }
                // Created under the lock: an end announced after it is released reaches it.
                waiting_on.as_ref().map(|round| round.done.notified())
            };
            if let (Some(round), Some(notified)) = (&waiting_on, notified) {
                if tokio::time::timeout_at(deadline, notified).await.is_err()
                    || round.outcome.load(Ordering::Acquire) == FAILED
                {
                    return Ticket::new(self, host, None);
                }
                // Up: the gate is open now (wait for the hand-off). Abandoned: one of the
                // waiters connects first.
                continue;
            }
            if let Some(wait) = handoff {
                tokio::time::sleep(wait.min(HANDOFF)).await;
            }
            return Ticket::new(self, host, None);
        }
    }

    /// What the lane's connector saw. Every gate of the lane whose first request is connecting
    /// takes it as its own (the connector does not say to which host it connected).
    pub(crate) fn connected(&self, what: Connected) {
        let mut hosts = self.lock();
        let now = Instant::now();
        hosts.retain(|_, gate| {
            let Gate::Connecting(round) = gate else {
                return true;
            };
            let round = Arc::clone(round);
            match what {
                Connected::Up { h2: true } => {
                    *gate = Gate::Open {
                        since: now,
                        used: now,
                        h2: true,
                    };
                    round.end(UP);
                    true
                }
                Connected::Up { h2: false } => {
                    *gate = Gate::Http1;
                    round.end(UP);
                    true
                }
                Connected::Failed => {
                    round.end(FAILED);
                    false
                }
                Connected::Abandoned => {
                    round.end(ABANDONED);
                    false
                }
            }
        });
    }

    /// The first request of `round` ended: answered (a connection was up: the pool had one, or
    /// the connector's report came first), failed, or given up. Ends the round if the connector
    /// said nothing yet.
    fn ended(&self, host: &str, round: &Arc<Round>, outcome: u8) {
        let mut hosts = self.lock();
        let Some(Gate::Connecting(current)) = hosts.get(host) else {
            return;
        };
        if !Arc::ptr_eq(current, round) {
            return;
        }
        if outcome == UP {
            let now = Instant::now();
            // The request used a pooled connection: nothing left to hand off.
            hosts.insert(
                host.to_owned(),
                Gate::Open {
                    since: now,
                    used: now,
                    h2: false,
                },
            );
        } else {
            hosts.remove(host);
        }
        round.end(outcome);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Gate>> {
        self.hosts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A request let through by [`Gates::pass`]. The first request of a round tells the gate how it
/// ended: [`Ticket::answered`], [`Ticket::failed`], or given up (dropped without either).
#[derive(Debug)]
pub(crate) struct Ticket<'a> {
    gates: &'a Gates,
    host: &'a str,
    /// The round this request connects for, if it is its first request.
    round: Option<Arc<Round>>,
}

impl<'a> Ticket<'a> {
    fn new(gates: &'a Gates, host: &'a str, round: Option<Arc<Round>>) -> Ticket<'a> {
        Ticket { gates, host, round }
    }

    /// The request got a response.
    pub(crate) fn answered(mut self) {
        self.end(UP);
    }

    /// The request failed.
    pub(crate) fn failed(mut self) {
        self.end(FAILED);
    }

    fn end(&mut self, outcome: u8) {
        if let Some(round) = self.round.take() {
            self.gates.ended(self.host, &round, outcome);
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.end(ABANDONED);
    }
}

/// A layer over a lane's connector that tells its [`Gates`] when a connection came up (and
/// whether ALPN chose HTTP/2), failed, or was given up.
#[derive(Debug, Clone)]
pub(crate) struct ConnectLayer(pub(crate) Arc<Gates>);

impl<S> tower::Layer<S> for ConnectLayer {
    type Service = ConnectService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ConnectService {
            inner,
            gates: Arc::clone(&self.0),
        }
    }
}

/// The connector wrapped by [`ConnectLayer`].
#[derive(Debug, Clone)]
pub(crate) struct ConnectService<S> {
    inner: S,
    gates: Arc<Gates>,
}

/// Reports a connection attempt's outcome when dropped: given up unless told otherwise.
struct Outcome {
    gates: Arc<Gates>,
    what: Connected,
}

impl Drop for Outcome {
    fn drop(&mut self) {
        self.gates.connected(self.what);
    }
}

impl<S, R> tower::Service<R> for ConnectService<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
    S::Response: Connection + Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let connecting = self.inner.call(request);
        let mut outcome = Outcome {
            gates: Arc::clone(&self.gates),
            what: Connected::Abandoned,
        };
        Box::pin(async move {
            // Dropped before the end (the request was given up): reported as abandoned.
            let result = connecting.await;
            outcome.what = match &result {
                Ok(connection) => Connected::Up {
                    h2: connection.connected().is_negotiated_h2(),
                },
                Err(_) => Connected::Failed,
            };
            drop(outcome);
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(60);
    const H: &str = "h:443";

    /// A request to `h:443` on a task, given up as soon as it passed.
    fn waiter(gates: &Arc<Gates>) -> tokio::task::JoinHandle<()> {
        let gates = Arc::clone(gates);
        tokio::spawn(async move {
            let _ticket = gates.pass(H, LONG).await;
        })
    }

    async fn goes(waiting: tokio::task::JoinHandle<()>) {
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
    }

    async fn still_waits(waiting: &tokio::task::JoinHandle<()>) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
    }

    fn state(gates: &Gates) -> &'static str {
        match gates.lock().get(H) {
            None => "closed",
            Some(Gate::Connecting(_)) => "connecting",
            Some(Gate::Open { h2: true, .. }) => "open h2",
            Some(Gate::Open { h2: false, .. }) => "open",
            Some(Gate::Http1) => "http/1.1",
        }
    }

    #[tokio::test]
    async fn the_first_request_goes_and_the_others_wait_for_its_connection() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass(H, LONG).await;
        let waiting = waiter(&gates);
        // Another host is not held up.
        let other = tokio::time::timeout(Duration::from_secs(5), gates.pass("other:443", LONG))
            .await
            .unwrap();
        still_waits(&waiting).await;
        gates.connected(Connected::Up { h2: true });
        goes(waiting).await;
        assert_eq!(state(&gates), "open h2");
        first.answered();
        other.answered();
        assert_eq!(state(&gates), "open h2");
        // Later requests go at once.
        let _ = tokio::time::timeout(Duration::from_millis(100), gates.pass(H, LONG))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_host_speaking_http1_is_never_held_up_again() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass(H, LONG).await;
        let waiting = waiter(&gates);
        still_waits(&waiting).await;
        gates.connected(Connected::Up { h2: false });
        goes(waiting).await;
        first.failed();
        assert_eq!(state(&gates), "http/1.1");
    }

    #[tokio::test]
    async fn a_failed_connection_lets_the_waiters_go_each_on_its_own() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass(H, LONG).await;
        let waiting: Vec<_> = (0..3).map(|_| waiter(&gates)).collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
        gates.connected(Connected::Failed);
        for waiting in waiting {
            goes(waiting).await;
        }
        first.failed();
        // Closed again: the next request is a first request, and the one after it waits.
        let _next = gates.pass(H, LONG).await;
        let short = tokio::time::timeout(Duration::from_millis(50), gates.pass(H, LONG));
        assert!(short.await.is_err());
    }

    #[tokio::test]
    async fn a_first_request_given_up_hands_the_connecting_to_a_waiter() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass(H, LONG).await;
        let (passed, mut passes) = tokio::sync::mpsc::unbounded_channel();
        for _ in 0..3 {
            let gates = Arc::clone(&gates);
            let passed = passed.clone();
            tokio::spawn(async move {
                let ticket = gates.pass(H, LONG).await;
                let _ = passed.send(());
                // Each holds its ticket: the one that became first connects "forever".
                tokio::time::sleep(LONG).await;
                drop(ticket);
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(first);
        // One waiter became the first request; the two others wait for it.
        tokio::time::timeout(Duration::from_secs(5), passes.recv())
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(passes.try_recv().is_err());
        assert_eq!(state(&gates), "connecting");
        gates.connected(Connected::Up { h2: true });
        for _ in 0..2 {
            tokio::time::timeout(Duration::from_secs(5), passes.recv())
                .await
                .unwrap()
                .unwrap();
        }
    }

    #[tokio::test]
    async fn a_first_request_that_needed_no_connection_releases_the_others_when_it_ends() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass(H, LONG).await;
        let waiting = waiter(&gates);
        still_waits(&waiting).await;
        first.answered();
        goes(waiting).await;
        assert_eq!(state(&gates), "open");
    }

    #[tokio::test]
    async fn only_the_first_request_of_the_round_ends_it() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass(H, LONG).await;
        gates.connected(Connected::Failed);
        // A request of the earlier round ends after a new round began: the new round goes on.
        let second = gates.pass(H, LONG).await;
        first.answered();
        assert_eq!(state(&gates), "connecting");
        second.answered();
        assert_eq!(state(&gates), "open");
    }

    #[tokio::test]
    async fn waiting_is_bounded() {
        let gates = Gates::default();
        let _first = gates.pass(H, LONG).await;
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            gates.pass(H, Duration::from_millis(10)),
        )
        .await
        .unwrap();
    }

    /// A connection whose ALPN result is given.
    struct Conn(bool);

    impl Connection for Conn {
        fn connected(&self) -> hyper_util::client::legacy::connect::Connected {
            let connected = hyper_util::client::legacy::connect::Connected::new();
            if self.0 {
                connected.negotiated_h2()
            } else {
                connected
            }
        }
    }

    /// A connector whose request says whether the connection comes up, and if so with HTTP/2.
    #[derive(Clone)]
    struct Connector;

    impl tower::Service<Option<bool>> for Connector {
        type Response = Conn;
        type Error = ();
        type Future = std::future::Ready<Result<Conn, ()>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, up: Option<bool>) -> Self::Future {
            std::future::ready(up.map(Conn).ok_or(()))
        }
    }

    #[tokio::test]
    async fn the_layer_reports_connections_their_protocol_and_abandoned_attempts() {
        use tower::{Layer as _, Service as _};
        let gates = Arc::new(Gates::default());
        let mut service = ConnectLayer(Arc::clone(&gates)).layer(Connector);
        let first = gates.pass(H, LONG).await;
        assert!(service.call(None).await.is_err());
        assert_eq!(state(&gates), "closed", "a failure closes the gate");
        drop(first);
        let first = gates.pass(H, LONG).await;
        // An attempt given up before its end closes it too.
        drop(service.call(Some(true)));
        assert_eq!(state(&gates), "closed");
        drop(first);
        let first = gates.pass(H, LONG).await;
        assert!(service.call(Some(true)).await.is_ok());
        assert_eq!(state(&gates), "open h2");
        first.answered();
        gates.lock().clear();
        let first = gates.pass(H, LONG).await;
        assert!(service.call(Some(false)).await.is_ok());
        assert_eq!(state(&gates), "http/1.1");
        first.answered();
    }
}
