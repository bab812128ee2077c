//! JSON-RPC messages with LSP's `Content-Length` framing.

use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use serde_json::Value;

/// A message from the server.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A response to one of our requests.
    Response {
        /// Its id.
        id: Value,
        /// The result or the error.
        outcome: Result<Value, ResponseError>,
    },
    /// A notification (`textDocument/publishDiagnostics`, `window/logMessage`, ...).
    Notification {
        /// Its method.
        method: String,
        /// Its params (`null` when absent).
        params: Value,
    },
    /// A request of the server to the client.
    Request {
        /// Its id.
        id: Value,
        /// Its method.
        method: String,
        /// Its params (`null` when absent).
        params: Value,
    },
}

/// A JSON-RPC error response.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("error {code}: {message}")]
pub struct ResponseError {
    /// The error code (`-32801` for ContentModified, `-32800` for RequestCancelled, ...).
    pub code: i64,
    /// The message.
    pub message: String,
    /// Extra data.
    pub data: Option<Value>,
}

impl Message {
    /// Classifies a decoded JSON-RPC message.
    pub fn from_json(mut value: Value) -> anyhow::Result<Message> {
        let params = value
            .get_mut("params")
            .map(Value::take)
            .unwrap_or(Value::Null);
        let method = value
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let id = value.get_mut("id").map(Value::take);
        match (method, id) {
            (Some(method), Some(id)) => Ok(Message::Request { id, method, params }),
            (Some(method), None) => Ok(Message::Notification { method, params }),
            (None, Some(id)) => {
                let outcome = match value.get_mut("error").map(Value::take) {
                    Some(error) => Err(ResponseError {
                        code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                        message: error
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        data: error.get("data").cloned(),
                    }),
                    None => Ok(value
                        .get_mut("result")
                        .map(Value::take)
                        .unwrap_or(Value::Null)),
                };
                Ok(Message::Response { id, outcome })
            }
            (None, None) => bail!("a JSON-RPC message with neither method nor id: {value}"),
        }
    }
}

/// Writes one framed message.
pub fn write_message(writer: &mut impl Write, message: &Value) -> anyhow::Result<()> {
    let body = serde_json::to_vec(message)?;
    write!(writer, "Content-Length: {}\r\n\r\n", body.len())?;
    writer.write_all(&body)?;
    writer.flush()?;
    Ok(())
}

/// Reads one framed message; `None` at the end of the stream.
pub fn read_message(reader: &mut impl BufRead) -> anyhow::Result<Option<Value>> {
    let mut content_length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        let header = header.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            content_length = Some(value.trim().parse::<usize>()?);
        }
    }
    let length = content_length.context("a message without Content-Length")?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(serde_json::from_slice(&body)?))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trip_and_classify() {
        let mut buffer = Vec::new();
        let message = json!({"jsonrpc": "2.0", "id": 3, "result": {"text": "é\r\n"}});
        write_message(&mut buffer, &message).unwrap();
        write_message(&mut buffer, &json!({"jsonrpc": "2.0", "method": "exit"})).unwrap();
        let mut reader = std::io::Cursor::new(buffer);
        let first = read_message(&mut reader).unwrap().unwrap();
        assert_eq!(
            Message::from_json(first).unwrap(),
            Message::Response {
                id: json!(3),
                outcome: Ok(json!({"text": "é\r\n"}))
            }
        );
        let second = read_message(&mut reader).unwrap().unwrap();
        assert_eq!(
            Message::from_json(second).unwrap(),
            Message::Notification {
                method: "exit".to_owned(),
                params: Value::Null
            }
        );
        assert_eq!(read_message(&mut reader).unwrap(), None);
    }

    #[test]
    fn errors_and_server_requests() {
        let error = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32801, "message": "x"}});
        let Message::Response { outcome, .. } = Message::from_json(error).unwrap() else {
            panic!("not a response");
        };
        assert_eq!(outcome.unwrap_err().code, -32801);
        let request = json!({"jsonrpc": "2.0", "id": "a", "method": "workspace/configuration",
                             "params": {"items": []}});
        assert!(matches!(
            Message::from_json(request).unwrap(),
            Message::Request { method, .. } if method == "workspace/configuration"
        ));
    }
}
