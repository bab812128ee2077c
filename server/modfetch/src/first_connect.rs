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
//! Over HTTP/2 they then find the connection in the pool; over HTTP/1.1 they open their own, as
//! before, one handshake later. The connector of the lane reports connections through
//! [`ConnectLayer`]; it does not say to which host, so a connection opens every gate of its lane
//! that is waiting (the worst case is the behaviour without gates).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How long an idle connection stays in a pool; a gate opened longer ago than this without use
/// closes again, as the connection behind it is gone.
pub(crate) const POOL_IDLE: Duration = Duration::from_secs(90);

/// The gates of one lane, by `host:port`.
#[derive(Debug, Default)]
pub(crate) struct Gates {
    hosts: Mutex<HashMap<String, Gate>>,
}

#[derive(Debug)]
enum Gate {
    /// A first request is connecting; the others wait on this.
    Connecting(Arc<Notify>),
    /// A connection came up; requests go straight through. When it was last used.
    Open(Instant),
}

impl Gates {
    /// Lets a request to `host` go: at once if a connection of the lane to it is (or may be)
    /// open, or if this is the first request (which then connects); otherwise once the first one
    /// has connected, failed or ended, and after `bound` at the latest. The ticket tells the gate
    /// when the request ended.
    pub(crate) async fn pass<'a>(&'a self, host: &'a str, bound: Duration) -> Ticket<'a> {
        let ticket = Ticket {
            gates: self,
            host,
            answered: false,
        };
        let notify: Arc<Notify>;
        let notified;
        {
            let mut hosts = self.lock();
            match hosts.get_mut(host) {
                Some(Gate::Open(used)) if used.elapsed() < POOL_IDLE => {
                    *used = Instant::now();
                    return ticket;
                }
                Some(Gate::Connecting(waiting)) => notify = Arc::clone(waiting),
                _ => {
                    hosts.insert(host.to_owned(), Gate::Connecting(Arc::new(Notify::new())));
                    return ticket;
                }
            }
            // Created under the lock: a wake-up sent after the lock is released reaches it.
            notified = notify.notified();
        }
        let _ = tokio::time::timeout(bound, notified).await;
        // The connector reports a connection before hyper-util has put it in the pool (right
        // after, on the task that woke us): let that task finish first, or this request starts
        // a connection (and a handshake) of its own.
        tokio::task::yield_now().await;
        ticket
    }

    /// What the lane's connector saw: a connection came up (`true`), or one failed or was given
    /// up (`false`). Waiting requests go; after a failure the next request connects first again.
    pub(crate) fn connected(&self, up: bool) {
        let mut hosts = self.lock();
        hosts.retain(|_, gate| match gate {
            Gate::Connecting(waiting) => {
                waiting.notify_waiters();
                if up {
                    *gate = Gate::Open(Instant::now());
                }
                up
            }
            Gate::Open(_) => true,
        });
    }

    /// A request to `host` ended (`answered`: a response came, so a connection was up). Releases
    /// its waiters if the connector said nothing (the request found an open connection, or was
    /// given up before it connected).
    fn ended(&self, host: &str, answered: bool) {
        let mut hosts = self.lock();
        if let Some(Gate::Connecting(waiting)) = hosts.get(host) {
            waiting.notify_waiters();
            if answered {
                hosts.insert(host.to_owned(), Gate::Open(Instant::now()));
            } else {
                hosts.remove(host);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Gate>> {
        self.hosts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A request let through by [`Gates::pass`]; tells the gate when the request ended, or was given
/// up (when dropped).
#[derive(Debug)]
pub(crate) struct Ticket<'a> {
    gates: &'a Gates,
    host: &'a str,
    answered: bool,
}

impl Ticket<'_> {
    /// The request got a response.
    pub(crate) fn answered(mut self) {
        self.answered = true;
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.gates.ended(self.host, self.answered);
    }
}

/// A layer over a lane's connector that tells its [`Gates`] when a connection came up or failed.
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

/// Reports a connection attempt's outcome when dropped: a failure unless marked up.
struct Outcome {
    gates: Arc<Gates>,
    up: bool,
}

impl Drop for Outcome {
    fn drop(&mut self) {
        self.gates.connected(self.up);
    }
}

impl<S, R> tower::Service<R> for ConnectService<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
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
            up: false,
        };
        Box::pin(async move {
            // Dropped before the end (the request was given up): reported as a failure.
            let result = connecting.await;
            outcome.up = result.is_ok();
            drop(outcome);
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(60);

    /// A request to `h:443` on a task, ended (given up) as soon as it passed.
    fn waiter(gates: &Arc<Gates>) -> tokio::task::JoinHandle<()> {
        let gates = Arc::clone(gates);
        tokio::spawn(async move {
            let _ticket = gates.pass("h:443", LONG).await;
        })
    }

    /// A connector whose request says whether the connection comes up.
    #[derive(Clone)]
    struct Connector;

    impl tower::Service<bool> for Connector {
        type Response = ();
        type Error = ();
        type Future = std::future::Ready<Result<(), ()>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, up: bool) -> Self::Future {
            std::future::ready(if up { Ok(()) } else { Err(()) })
        }
    }

    #[tokio::test]
    async fn the_first_request_goes_and_the_others_wait_for_its_connection() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass("h:443", LONG).await;
        let waiting = tokio::spawn({
            let gates = Arc::clone(&gates);
            async move {
                gates.pass("h:443", LONG).await.answered();
            }
        });
        // Another host is not held up.
        let other = tokio::time::timeout(Duration::from_secs(5), gates.pass("other:443", LONG))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        gates.connected(true);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
        first.answered();
        other.answered();
        // Open now: later requests go at once.
        let _ = tokio::time::timeout(Duration::from_millis(100), gates.pass("h:443", LONG))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_failed_connection_lets_the_waiters_go_and_the_next_request_connects_first() {
        let gates = Arc::new(Gates::default());
        let first = gates.pass("h:443", LONG).await;
        let waiting = waiter(&gates);
        tokio::time::sleep(Duration::from_millis(20)).await;
        gates.connected(false);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
        drop(first);
        // Closed again: the next request is a first request, and the one after it waits.
        let _next = gates.pass("h:443", LONG).await;
        let short = tokio::time::timeout(Duration::from_millis(50), gates.pass("h:443", LONG));
        assert!(short.await.is_err());
    }

    #[tokio::test]
    async fn a_first_request_that_needed_no_connection_releases_the_others_when_it_ends() {
        let gates = Arc::new(Gates::default());
        for answered in [true, false] {
            let first = gates.pass("h:443", LONG).await;
            let waiting = waiter(&gates);
            tokio::time::sleep(Duration::from_millis(20)).await;
            assert!(!waiting.is_finished());
            // Answered, or given up (dropped).
            if answered {
                first.answered();
            } else {
                drop(first);
            }
            tokio::time::timeout(Duration::from_secs(5), waiting)
                .await
                .unwrap()
                .unwrap();
            // An answer opened the gate; a request given up closed it.
            assert_eq!(
                matches!(gates.lock().get("h:443"), Some(Gate::Open(_))),
                answered
            );
            gates.lock().clear();
        }
    }

    #[tokio::test]
    async fn waiting_is_bounded() {
        let gates = Gates::default();
        let _first = gates.pass("h:443", LONG).await;
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            gates.pass("h:443", Duration::from_millis(10)),
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn the_layer_reports_connections_and_abandoned_attempts() {
        use tower::{Layer as _, Service as _};
        let gates = Arc::new(Gates::default());
        let mut service = ConnectLayer(Arc::clone(&gates)).layer(Connector);
        let first = gates.pass("h:443", LONG).await;
        let _ = service.call(false).await;
        assert!(gates.lock().is_empty(), "a failure closes the gate");
        drop(first);
        let first = gates.pass("h:443", LONG).await;
        // An attempt given up before its end counts as a failure.
        drop(service.call(true));
        assert!(gates.lock().is_empty());
        drop(first);
        let first = gates.pass("h:443", LONG).await;
        service.call(true).await.unwrap();
        assert!(matches!(gates.lock().get("h:443"), Some(Gate::Open(_))));
        first.answered();
        assert!(matches!(gates.lock().get("h:443"), Some(Gate::Open(_))));
    }
}
