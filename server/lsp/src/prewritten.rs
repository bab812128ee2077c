//! Results written as JSON text by the feature that computed them, for the requests whose
//! answers are large (`textDocument/documentSymbol` and `textDocument/semanticTokens/full` of a
//! big go.mod or go.sum).
//!
//! The framework turns every result into a `serde_json::Value` tree and then writes that tree:
//! for the 527 symbols of tailscale's go.mod that was three quarters of the request's cost (a map
//! and its key strings allocated per field, written and freed again). Here the feature writes its
//! typed result once, on its blocking thread; the request answers with a placeholder string that
//! names the written text, and the output stream puts the text in the placeholder's place before
//! the message leaves, with its `Content-Length` set again.
//!
//! The placeholder is `"\u0000prewritten:<nonce>:<n>"`, with a random nonce per process: no
//! result of ours is a bare string starting with a NUL, and no text a client sends can guess the
//! nonce. Only a response whose whole result is such a placeholder is rewritten.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use serde_json::Value;
use tokio::io::AsyncWrite;
use tokio::sync::oneshot;
use tower::Service;
use tower_lsp_server::jsonrpc::{self, Id, Request, Response};
use tower_lsp_server::ls_types::{DocumentSymbolParams, SemanticTokensParams};

use crate::errors::RequestError;
use crate::features;
use crate::session::Session;

/// The feature writing the result of `method` with these params as JSON text, for the methods
/// answered that way; `None` for other methods and for params of the wrong shape (which the
/// framework answers with its error).
fn prewriting(
    method: &str,
    params: Option<&Value>,
    session: Arc<Session>,
) -> Option<BoxFuture<Result<Vec<u8>, RequestError>>> {
    if !matches!(
        method,
        "textDocument/documentSymbol" | "textDocument/semanticTokens/full"
    ) {
        return None;
    }
    let params = params?.clone();
    match method {
        "textDocument/documentSymbol" => {
            let params: DocumentSymbolParams = serde_json::from_value(params).ok()?;
            Some(Box::pin(async move {
                features::document_symbols_json(&session, &params.text_document.uri).await
            }))
        }
        "textDocument/semanticTokens/full" => {
            let params: SemanticTokensParams = serde_json::from_value(params).ok()?;
            Some(Box::pin(async move {
                features::semantic_tokens_full_json(&session, &params.text_document.uri).await
            }))
        }
        _ => None,
    }
}

/// How much written output may wait for a slow reader before writes wait too.
const OUTPUT_BACKLOG: usize = 1 << 20;

/// Written results waiting for their placeholder to pass through the output.
#[derive(Debug)]
pub struct Prewritten {
    /// What a rewritten message starts with, up to the placeholder's number.
    prefix: Vec<u8>,
    /// The placeholder string before its number.
    placeholder: String,
    next: AtomicU64,
    texts: Mutex<HashMap<u64, Vec<u8>>>,
}

impl Prewritten {
    /// A table with a fresh random nonce.
    pub fn new() -> Prewritten {
        let nonce = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let placeholder = format!("\u{0}prewritten:{nonce:016x}:");
        // As the framework writes a successful response: jsonrpc, result, id.
        let prefix = format!(r#"{{"jsonrpc":"2.0","result":"\u0000prewritten:{nonce:016x}:"#);
        Prewritten {
            prefix: prefix.into_bytes(),
            placeholder,
            next: AtomicU64::new(0),
            texts: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps `text` (a JSON value) and returns the placeholder that stands for it.
    fn keep(&self, text: Vec<u8>) -> Value {
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(number, text);
        Value::String(format!("{}{number}", self.placeholder))
    }

    /// The message body with its placeholder result replaced by the kept text, or `None` when
    /// the body is not a response with a placeholder result (or its text is gone).
    fn rewrite(&self, body: &[u8]) -> Option<Vec<u8>> {
        let rest = body.strip_prefix(self.prefix.as_slice())?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let (number, rest) = rest.split_at(digits);
        let rest = rest.strip_prefix(b"\"")?;
        let number: u64 = std::str::from_utf8(number).ok()?.parse().ok()?;
        let text = self
            .texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&number)?;
        let head = br#"{"jsonrpc":"2.0","result":"#;
        let mut out = Vec::with_capacity(head.len() + text.len() + rest.len());
        out.extend_from_slice(head);
        out.extend_from_slice(&text);
        out.extend_from_slice(rest);
        Some(out)
    }
}

impl Default for Prewritten {
    fn default() -> Self {
        Prewritten::new()
    }
}

/// The service, answering the requests of [`prewriting`] with a placeholder for the text the
/// feature wrote; every other request, and these before `initialize` succeeded or after
/// `shutdown` (where the framework's answer is an error), goes to the framework.
pub struct PrewrittenRequests<S> {
    inner: S,
    session: Arc<Session>,
    prewritten: Arc<Prewritten>,
    initialized: Arc<AtomicBool>,
    shut_down: bool,
    /// The requests answered here that are still running, by id: `$/cancelRequest` (and
    /// `exit`, for all) ends them as the framework ends its own.
    running: Arc<Mutex<HashMap<Id, oneshot::Sender<()>>>>,
}

impl<S> PrewrittenRequests<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, session: Arc<Session>, prewritten: Arc<Prewritten>) -> Self {
        PrewrittenRequests {
            inner,
            session,
            prewritten,
            initialized: Arc::new(AtomicBool::new(false)),
            shut_down: false,
            running: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S> Service<Request> for PrewrittenRequests<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match request.method() {
            "initialize" => {
                let initialized = self.initialized.clone();
                let future = self.inner.call(request);
                return Box::pin(async move {
                    let response = future.await?;
                    if response.as_ref().is_some_and(|r| r.is_ok()) {
                        initialized.store(true, Ordering::SeqCst);
                    }
                    Ok(response)
                });
            }
            "shutdown" => self.shut_down = true,
            "$/cancelRequest" => {
                let id = request
                    .params()
                    .and_then(|params| params.get("id"))
                    .and_then(|id| serde_json::from_value::<Id>(id.clone()).ok());
                if let Some(id) = id
                    && let Some(cancel) = lock(&self.running).remove(&id)
                {
                    let _ = cancel.send(());
                }
            }
            "exit" => {
                for (_, cancel) in lock(&self.running).drain() {
                    let _ = cancel.send(());
                }
            }
            method if !self.shut_down && self.initialized.load(Ordering::SeqCst) => {
                let prewriting = match request.id() {
                    Some(id) => prewriting(method, request.params(), self.session.clone())
                        .map(|future| (id.clone(), future)),
                    None => None,
                };
                if let Some((id, future)) = prewriting {
                    let prewritten = self.prewritten.clone();
                    let running = self.running.clone();
                    let (cancel, cancelled) = oneshot::channel();
                    lock(&running).insert(id.clone(), cancel);
                    return Box::pin(async move {
                        let outcome = tokio::select! {
                            outcome = future => Some(outcome),
                            _ = cancelled => None,
                        };
                        lock(&running).remove(&id);
                        let body = match outcome {
                            Some(Ok(text)) => Ok(prewritten.keep(text)),
                            Some(Err(err)) => Err(err.into()),
                            // As the framework answers a cancelled request.
                            None => Err(jsonrpc::Error::request_cancelled()),
                        };
                        Ok(Some(Response::from_parts(id, body)))
                    });
                }
            }
            _ => {}
        }
        Box::pin(self.inner.call(request))
    }
}

/// The output stream, putting kept texts in their placeholders' places.
///
/// It takes whole messages as the framework writes them (`Content-Length` header, blank line,
/// body), rewrites those with a placeholder result and passes every byte of the others through
/// unchanged and in order.
pub struct PrewrittenOutput<O> {
    inner: O,
    prewritten: Arc<Prewritten>,
    /// Bytes written to us that do not yet make a whole message.
    partial: Vec<u8>,
    /// Bytes ready for `inner`, from `sent` on.
    ready: Vec<u8>,
    sent: usize,
}

impl<O> PrewrittenOutput<O> {
    /// Wraps `inner`.
    pub fn new(inner: O, prewritten: Arc<Prewritten>) -> Self {
        PrewrittenOutput {
            inner,
            prewritten,
            partial: Vec::new(),
            ready: Vec::new(),
            sent: 0,
        }
    }

    /// Moves the whole messages at the start of `partial` to `ready`.
    fn take_messages(&mut self) {
        let mut start = 0;
        while let Some((header_len, body_len)) = message_bounds(&self.partial[start..]) {
            let body_start = start + header_len;
            let end = body_start + body_len;
            let body = &self.partial[body_start..end];
            match self.prewritten.rewrite(body) {
                Some(rewritten) => {
                    self.ready.extend_from_slice(
                        format!("Content-Length: {}\r\n\r\n", rewritten.len()).as_bytes(),
                    );
                    self.ready.extend_from_slice(&rewritten);
                }
                None => self.ready.extend_from_slice(&self.partial[start..end]),
            }
            start = end;
        }
        if start > 0 {
            self.partial.drain(..start);
        }
        // What is not a message we can read passes through as it is.
        if !self.partial.is_empty() && unreadable_header(&self.partial) {
            self.ready.append(&mut self.partial);
        }
    }
}

impl<O: AsyncWrite + Unpin> PrewrittenOutput<O> {
    /// Writes `ready` to `inner` until it is empty or `inner` is not ready.
    fn poll_send(&mut self, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        while self.sent < self.ready.len() {
            let pending = &self.ready[self.sent..];
            match Pin::new(&mut self.inner).poll_write(context, pending) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(written)) => self.sent += written,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.ready.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl<O: AsyncWrite + Unpin> AsyncWrite for PrewrittenOutput<O> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if let Poll::Ready(Err(err)) = self.poll_send(context) {
            return Poll::Ready(Err(err));
        }
        if self.ready.len() - self.sent > OUTPUT_BACKLOG {
            return Poll::Pending;
        }
        self.partial.extend_from_slice(buffer);
        self.take_messages();
        if let Poll::Ready(Err(err)) = self.poll_send(context) {
            return Poll::Ready(Err(err));
        }
        Poll::Ready(Ok(buffer.len()))
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.poll_send(context) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(context),
            other => other,
        }
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        // A message cut short has nothing to wait for: send it as it is.
        let mut rest = std::mem::take(&mut self.partial);
        self.ready.append(&mut rest);
        match self.poll_send(context) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_shutdown(context),
            other => other,
        }
    }
}

/// The header's and the body's length of the whole message at the start of `bytes`, if it is
/// all there.
fn message_bounds(bytes: &[u8]) -> Option<(usize, usize)> {
    let header_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let header = std::str::from_utf8(bytes.get(..header_end)?).ok()?;
    let length = header.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    })?;
    let header_len = header_end + 4;
    (bytes.len() >= header_len + length).then_some((header_len, length))
}

/// Whether `bytes` cannot be the start of a message with a `Content-Length` header.
fn unreadable_header(bytes: &[u8]) -> bool {
    match bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => {
            let Some(header) = bytes.get(..end).and_then(|h| std::str::from_utf8(h).ok()) else {
                return true;
            };
            !header.split("\r\n").any(|line| {
                line.split_once(':').is_some_and(|(name, value)| {
                    name.trim().eq_ignore_ascii_case("content-length")
                        && value.trim().parse::<usize>().is_ok()
                })
            })
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[tokio::test]
    async fn a_placeholder_result_becomes_the_kept_text_and_the_rest_passes_unchanged() {
        let prewritten = Arc::new(Prewritten::new());
        let placeholder = prewritten.keep(br#"[{"name":"x"}]"#.to_vec());
        let response = Response::from_ok(7.into(), placeholder);
        let body = serde_json::to_string(&response).unwrap();
        let other = r#"{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":"\u0000prewritten"}}"#;
        let mut out = PrewrittenOutput::new(Vec::new(), prewritten.clone());
        let mut input = frame(other);
        input.extend(frame(&body));
        input.extend(frame(other));
        // Written in pieces that split headers and bodies.
        for chunk in input.chunks(5) {
            out.write_all(chunk).await.unwrap();
        }
        out.flush().await.unwrap();
        let mut expected = frame(other);
        expected.extend(frame(r#"{"jsonrpc":"2.0","result":[{"name":"x"}],"id":7}"#));
        expected.extend(frame(other));
        assert_eq!(
            String::from_utf8(out.inner).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        assert!(prewritten.texts.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_placeholder_of_another_process_or_an_unknown_number_is_left_alone() {
        let ours = Arc::new(Prewritten::new());
        let theirs = Prewritten::new();
        let foreign =
            serde_json::to_string(&Response::from_ok(1.into(), theirs.keep(b"1".to_vec())))
                .unwrap();
        let unknown = format!(
            r#"{{"jsonrpc":"2.0","result":"{}99","id":2}}"#,
            serde_json::to_string(&ours.placeholder)
                .unwrap()
                .trim_matches('"')
        );
        let mut out = PrewrittenOutput::new(Vec::new(), ours);
        let mut input = frame(&foreign);
        input.extend(frame(&unknown));
        out.write_all(&input).await.unwrap();
        out.flush().await.unwrap();
        assert_eq!(out.inner, input);
    }

    #[tokio::test]
    async fn bytes_without_a_readable_header_pass_through() {
        let mut out = PrewrittenOutput::new(Vec::new(), Arc::new(Prewritten::new()));
        out.write_all(b"garbage\r\n\r\nmore").await.unwrap();
        out.flush().await.unwrap();
        assert_eq!(out.inner, b"garbage\r\n\r\nmore");
    }
}
