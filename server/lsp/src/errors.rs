//! The errors a request can end with, and the one place that turns them into JSON-RPC errors.

use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::Uri;

/// Why a request did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The request names a document that is neither open nor readable from disk.
    #[error("unknown document {0}")]
    UnknownDocument(String),
    /// The document changed while the request ran; the result would be stale.
    #[error("the document changed while the request ran")]
    ContentModified,
    /// The client cancelled the request.
    #[error("request cancelled")]
    Cancelled,
    /// The feature panicked; the server lives on.
    #[error("internal error: {0}")]
    Panicked(String),
    /// The result could not be written as JSON.
    #[error("internal error: {0}")]
    Internal(String),
    /// The feature's blocking task could not be run or joined.
    #[error("internal error: the request's task was lost")]
    TaskLost,
    /// The request's parameters are unusable.
    #[error("invalid params: {0}")]
    InvalidParams(String),
}

impl RequestError {
    /// The error for a document that is not known.
    pub fn unknown_document(uri: &Uri) -> RequestError {
        RequestError::UnknownDocument(uri.as_str().to_owned())
    }
}

impl From<RequestError> for Error {
    fn from(error: RequestError) -> Error {
        let code = match &error {
            RequestError::UnknownDocument(_) | RequestError::InvalidParams(_) => {
                ErrorCode::InvalidParams
            }
            RequestError::ContentModified => ErrorCode::ContentModified,
            RequestError::Cancelled => ErrorCode::RequestCancelled,
            RequestError::Panicked(_) | RequestError::Internal(_) | RequestError::TaskLost => {
                ErrorCode::InternalError
            }
        };
        Error {
            code,
            message: error.to_string().into(),
            data: None,
        }
    }
}

/// The message of a panic payload, for the error response.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    match payload.downcast_ref::<&str>() {
        Some(message) => (*message).to_owned(),
        None => match payload.downcast_ref::<String>() {
            Some(message) => message.clone(),
            None => "the request panicked".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        let cases = [
            (RequestError::ContentModified, -32801),
            (RequestError::Cancelled, -32800),
            (RequestError::Panicked("boom".to_owned()), -32603),
            (RequestError::InvalidParams("x".to_owned()), -32602),
        ];
        for (error, code) in cases {
            assert_eq!(Error::from(error).code.code(), code);
        }
    }

    #[test]
    fn panic_messages() {
        let from_str: Box<dyn std::any::Any + Send> = Box::new("boom");
        let from_string: Box<dyn std::any::Any + Send> = Box::new(String::from("bang"));
        let other: Box<dyn std::any::Any + Send> = Box::new(3);
        assert_eq!(panic_message(from_str.as_ref()), "boom");
        assert_eq!(panic_message(from_string.as_ref()), "bang");
        assert_eq!(panic_message(other.as_ref()), "the request panicked");
    }
}
