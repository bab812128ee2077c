//! Serving LSP over stdio: the runtime, the service with its methods, and the exit code.
//!
//! After `exit`, or at the end of stdin, the server stops even if a handler still waits for an
//! answer from the client (the framework would wait for it forever).

use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{LspService, Server};

use crate::backend::Backend;
use crate::prewritten::{Prewritten, PrewrittenOutput, PrewrittenRequests};
use crate::session::Session;

/// The environment variable that enables the `gomodls/debug*` test requests.
pub const TEST_HOOKS_VARIABLE: &str = "GOMODLS_TEST_HOOKS";

/// How many requests may run at once. Generous, so a few slow requests never hold back the
/// document changes queued behind them.
const CONCURRENCY: usize = 32;

/// The runtime's worker threads. The transport runs on the main thread and features on
/// blocking threads, so the workers only pass messages: two are plenty on any machine, and every
/// thread that allocates costs memory (its stack, and an allocator arena that keeps what it
/// freed).
const WORKER_THREADS: usize = 2;

/// The most threads running blocking work at once (features, diagnostics, file reads, reading
/// stdin and writing stdout). More work waits for a free thread; with more threads than cores
/// it would only wait for the processor instead, in more memory.
const MAX_BLOCKING_THREADS: usize = 8;

/// How long the transport may take to finish after `exit` or the end of stdin.
const WIND_DOWN: Duration = Duration::from_millis(200);

/// Serves LSP over stdin and stdout until `exit` (or the end of stdin).
///
/// The exit code follows LSP: 0 when `shutdown` came before `exit`, else 1.
pub fn serve_stdio() -> anyhow::Result<ExitCode> {
    crate::logging::init();
    let test_hooks = std::env::var_os(TEST_HOOKS_VARIABLE).is_some_and(|value| value == "1");
    let session = Arc::new(Session::new(test_hooks));
    let shutdown_requested = session.shutdown_flag();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .enable_all()
        .thread_name("gomodls")
        .build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout(), session));
    // Blocking tasks may still run (a read of stdin, a feature the exit cut short): don't wait
    // for them, the process is ending.
    runtime.shutdown_background();
    let clean = shutdown_requested.load(Ordering::SeqCst);
    tracing::info!("exiting; shutdown requested: {clean}");
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Serves LSP over any byte streams until `exit` or the end of `input`.
pub async fn serve<I, O>(input: I, output: O, session: Arc<Session>)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let ended = Arc::new(Notify::new());
    let test_hooks = session.test_hooks();
    let backend_session = session.clone();
    let builder = LspService::build(|client| Backend::new(client, backend_session));
    let builder = match test_hooks {
        true => builder
            .custom_method("gomodls/debugDocument", Backend::debug_document)
            .custom_method("gomodls/debugPosition", Backend::debug_position)
            .custom_method("gomodls/debugPanic", Backend::debug_panic)
            .custom_method("gomodls/debugWait", Backend::debug_wait),
        false => builder,
    };
    let (service, socket) = builder.finish();
    let prewritten = Arc::new(Prewritten::new());
    let service = ExitWatch {
        inner: PrewrittenRequests::new(service, session.clone(), prewritten.clone()),
        ended: ended.clone(),
    };
    let output = PrewrittenOutput::new(Box::pin(output), prewritten);
    let input = EndWatch {
        inner: input,
        ended: ended.clone(),
    };
    let serving = Server::new(input, output, socket)
        .concurrency_level(CONCURRENCY)
        .serve(service);
    tokio::pin!(serving);
    tokio::select! {
        () = &mut serving => {}
        () = ended.notified() => {
            if tokio::time::timeout(WIND_DOWN, &mut serving).await.is_err() {
                tracing::debug!("stopping with handlers still waiting for the client");
            }
        }
    }
}

/// The service, plus a signal when the `exit` notification passes through it.
struct ExitWatch<S> {
    inner: S,
    ended: Arc<Notify>,
}

impl<S> Service<Request> for ExitWatch<S>
where
    S: Service<Request, Response = Option<Response>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let is_exit = request.method() == "exit";
        let future = self.inner.call(request);
        if is_exit {
            self.ended.notify_one();
        }
        future
    }
}

/// The input, plus a signal at its end.
struct EndWatch<R> {
    inner: R,
    ended: Arc<Notify>,
}

impl<R: AsyncRead + Unpin> AsyncRead for EndWatch<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buffer.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(context, buffer);
        if let Poll::Ready(result) = &polled
            && (result.is_err() || buffer.filled().len() == before)
        {
            self.ended.notify_one();
        }
        polled
    }
}
