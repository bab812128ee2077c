//! Running features: take a snapshot, run the feature on a blocking task, turn a panic into an
//! error response, and answer `ContentModified` when the document changed meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::ls_types::Uri;

use crate::document::Snapshot;
use crate::errors::{RequestError, panic_message};
use crate::session::Session;

/// Tells a feature running on a blocking task that its request was cancelled (the client sent
/// `$/cancelRequest`, or the server is exiting), so long work can stop early.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// Whether the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once the request was cancelled, for `?` in long loops.
    pub fn check(&self) -> Result<(), RequestError> {
        match self.is_cancelled() {
            true => Err(RequestError::Cancelled),
            false => Ok(()),
        }
    }
}

/// Cancels its token when dropped before [`CancelOnDrop::finish`]: the request's future is
/// dropped exactly when the client cancels it.
struct CancelOnDrop(Option<CancelToken>);

impl CancelOnDrop {
    fn finish(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = self.0.take() {
            token.0.store(true, Ordering::Relaxed);
        }
    }
}

/// Runs `job` on a blocking task with a cancel token; a panic becomes
/// [`RequestError::Panicked`].
pub async fn run_blocking<T, F>(job: F) -> Result<T, RequestError>
where
    F: FnOnce(&CancelToken) -> Result<T, RequestError> + Send + 'static,
    T: Send + 'static,
{
    let token = CancelToken::default();
    let guard = CancelOnDrop(Some(token.clone()));
    let joined = tokio::task::spawn_blocking(move || job(&token)).await;
    guard.finish();
    match joined {
        Ok(result) => result,
        Err(error) if error.is_panic() => {
            let message = panic_message(error.into_panic().as_ref());
            tracing::error!("a request panicked: {message}");
            Err(RequestError::Panicked(message))
        }
        Err(_) => Err(RequestError::TaskLost),
    }
}

/// Runs `feature` over a snapshot of the document `uri` on a blocking task.
///
/// The snapshot is taken before the first `.await`, so it includes every change that arrived
/// before this request. If the document changes while the feature runs, the answer is
/// [`RequestError::ContentModified`].
pub async fn on_document<T, F>(
    session: &Arc<Session>,
    uri: &Uri,
    feature: F,
) -> Result<T, RequestError>
where
    F: FnOnce(&Snapshot, &CancelToken) -> Result<T, RequestError> + Send + 'static,
    T: Send + 'static,
{
    let snapshot = session
        .snapshot(uri)
        .ok_or_else(|| RequestError::unknown_document(uri))?;
    let revision = snapshot.revision;
    let value = run_blocking(move |token| feature(&snapshot, token)).await?;
    if session.current_revision(uri) != Some(revision) {
        return Err(RequestError::ContentModified);
    }
    Ok(value)
}
