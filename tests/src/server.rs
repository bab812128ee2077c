//! [`TestServer`]: the `gomodls` binary in a child process, driven over JSON-RPC on its stdio.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::fixture::Encoding;
use crate::rpc::{Message, ResponseError, read_message, write_message};

/// LSP's ContentModified error code.
pub const CONTENT_MODIFIED: i64 = -32801;

/// How long any wait may take before the test fails: a guard against hangs, not a timing
/// assertion. `GOMODLS_TEST_TIMEOUT_SECS` overrides it for slow machines.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How to start a [`TestServer`].
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The `gomodls` binary (`env!("CARGO_BIN_EXE_gomodls")`).
    pub binary: PathBuf,
    /// Arguments (`--stdio` by default).
    pub arguments: Vec<String>,
    /// Extra environment variables; `GOMODLS_TEST_HOOKS=1` is always set.
    pub env: Vec<(String, String)>,
    /// The client capabilities sent with `initialize`.
    pub capabilities: Value,
    /// The `initializationOptions` sent with `initialize`.
    pub initialization_options: Option<Value>,
    /// What `workspace/configuration` answers, by section (`null` for a missing section).
    pub configuration: HashMap<String, Value>,
    /// The workspace folder.
    pub root: Option<PathBuf>,
}

impl ServerOptions {
    /// Options for `binary` with a capable, UTF-16 client (dynamic file watching, configuration,
    /// push diagnostics) and no settings.
    pub fn new(binary: impl Into<PathBuf>) -> ServerOptions {
        ServerOptions {
            binary: binary.into(),
            arguments: vec!["--stdio".to_owned()],
            env: Vec::new(),
            capabilities: json!({
                "general": {"positionEncodings": ["utf-16"]},
                "workspace": {
                    "configuration": true,
                    "didChangeConfiguration": {"dynamicRegistration": true},
                    "didChangeWatchedFiles": {"dynamicRegistration": true},
                },
                "textDocument": {
                    "synchronization": {"dynamicRegistration": false},
                    "publishDiagnostics": {"versionSupport": true},
                },
                "window": {"workDoneProgress": true},
            }),
            initialization_options: None,
            configuration: HashMap::new(),
            root: None,
        }
    }

    /// Offers these position encodings, in order of preference.
    pub fn position_encodings(mut self, encodings: &[&str]) -> ServerOptions {
        self.capabilities["general"]["positionEncodings"] = json!(encodings);
        self
    }

    /// Sets one client capability by its JSON path, e.g. `("textDocument", "diagnostic", {...})`.
    pub fn capability(mut self, group: &str, name: &str, value: Value) -> ServerOptions {
        self.capabilities[group][name] = value;
        self
    }

    /// Sends these `initializationOptions`.
    pub fn initialization_options(mut self, options: Value) -> ServerOptions {
        self.initialization_options = Some(options);
        self
    }

    /// Answers `workspace/configuration` for `section` with `value`.
    pub fn configuration(mut self, section: &str, value: Value) -> ServerOptions {
        self.configuration.insert(section.to_owned(), value);
        self
    }

    /// Sets an environment variable for the server.
    pub fn env(mut self, name: &str, value: &str) -> ServerOptions {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the workspace folder.
    pub fn root(mut self, root: &Path) -> ServerOptions {
        self.root = Some(root.to_owned());
        self
    }
}

/// What the reader thread hands to the test.
enum Incoming {
    Message(Message),
    Closed,
    Broken(String),
}

/// A running `gomodls` with a client attached.
pub struct TestServer {
    child: Child,
    writer: Arc<Mutex<Option<ChildStdin>>>,
    incoming: Receiver<Incoming>,
    reader: Option<JoinHandle<()>>,
    stderr: Arc<Mutex<String>>,
    /// Responses that arrived while waiting for something else.
    responses: HashMap<String, Result<Value, ResponseError>>,
    /// Notifications in arrival order, not yet taken by a wait.
    notifications: Vec<(String, Value)>,
    /// Every server-to-client request, in arrival order.
    server_requests: Arc<Mutex<Vec<(String, Value)>>>,
    /// What `workspace/configuration` answers; shared with the reader thread.
    configuration: Arc<Mutex<HashMap<String, Value>>>,
    closed: bool,
    next_id: i64,
    timeout: Duration,
    options: ServerOptions,
}

fn key(id: &Value) -> String {
    id.to_string()
}

/// The `file:` URI of a path.
pub fn file_uri(path: &Path) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let text = path.to_string_lossy().replace('\\', "/");
    let encoded = percent_encoding::utf8_percent_encode(&text, KEEP).to_string();
    match encoded.starts_with('/') {
        true => format!("file://{encoded}"),
        false => format!("file:///{encoded}"),
    }
}

impl TestServer {
    /// Starts the server without initializing it.
    pub fn spawn(options: ServerOptions) -> anyhow::Result<TestServer> {
        let mut command = Command::new(&options.binary);
        command
            .args(&options.arguments)
            .env("GOMODLS_TEST_HOOKS", "1")
            .env("GOMODLS_LOG", "gomodls_lsp=debug,info")
            // Tests never reach the internet: module data only from a test proxy a test names.
            .env("GOPROXY", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in &options.env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", options.binary.display()))?;
        let stdin = child.stdin.take().context("no stdin")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let stderr_pipe = child.stderr.take().context("no stderr")?;

        let writer = Arc::new(Mutex::new(Some(stdin)));
        let server_requests = Arc::new(Mutex::new(Vec::new()));
        let configuration = Arc::new(Mutex::new(options.configuration.clone()));
        let (sender, incoming) = channel();
        let reader = {
            let writer = writer.clone();
            let server_requests = server_requests.clone();
            let configuration = configuration.clone();
            std::thread::spawn(move || {
                read_loop(stdout, &sender, &writer, &server_requests, &configuration);
            })
        };
        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                let mut pipe = stderr_pipe;
                let mut buffer = [0; 8192];
                while let Ok(read) = pipe.read(&mut buffer) {
                    if read == 0 {
                        break;
                    }
                    let chunk = String::from_utf8_lossy(buffer.get(..read).unwrap_or_default());
                    stderr
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push_str(&chunk);
                }
            });
        }
        let timeout = std::env::var("GOMODLS_TEST_TIMEOUT_SECS")
            .ok()
            .and_then(|seconds| seconds.parse().ok())
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
        Ok(TestServer {
            child,
            writer,
            incoming,
            reader: Some(reader),
            stderr,
            responses: HashMap::new(),
            notifications: Vec::new(),
            server_requests,
            configuration,
            closed: false,
            next_id: 1,
            timeout,
            options,
        })
    }

    /// Starts the server and completes `initialize` and `initialized`; returns the server and
    /// the `initialize` result.
    pub fn start(options: ServerOptions) -> anyhow::Result<(TestServer, Value)> {
        let mut server = TestServer::spawn(options)?;
        let result = server.initialize()?;
        Ok((server, result))
    }

    /// Sends `initialize` (with the options' capabilities) and `initialized`.
    pub fn initialize(&mut self) -> anyhow::Result<Value> {
        let root_uri = self.options.root.as_deref().map(file_uri);
        let folders = root_uri
            .as_ref()
            .map(|uri| json!([{"uri": uri, "name": "root"}]));
        let mut params = json!({
            "processId": std::process::id(),
            "clientInfo": {"name": "gomodls-tests"},
            "rootUri": root_uri,
            "capabilities": self.options.capabilities,
            "workspaceFolders": folders,
        });
        if let Some(options) = &self.options.initialization_options {
            params["initializationOptions"] = options.clone();
        }
        let result = self.request("initialize", params)?;
        self.notify("initialized", json!({}))?;
        Ok(result)
    }

    /// The negotiated position encoding, from an `initialize` result.
    pub fn encoding_of(initialize_result: &Value) -> Encoding {
        match initialize_result["capabilities"]["positionEncoding"].as_str() {
            Some("utf-8") => Encoding::Utf8,
            Some("utf-32") => Encoding::Utf32,
            _ => Encoding::Utf16,
        }
    }

    /// Changes what `workspace/configuration` answers for `section` from now on.
    pub fn set_configuration(&self, section: &str, value: Value) {
        self.configuration
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(section.to_owned(), value);
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        let id = json!(self.next_id);
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        Ok(id)
    }

    /// Sends a request and waits for its result; an error response is an `Err` holding a
    /// [`ResponseError`].
    pub fn request(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        let id = self.send_request(method, params)?;
        self.response(&id)?
            .with_context(|| format!("{method} failed"))
    }

    /// Sends a request and waits for its response, result or error.
    pub fn request_outcome(
        &mut self,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Result<Value, ResponseError>> {
        let id = self.send_request(method, params)?;
        self.response(&id)
    }

    /// Waits for the response to request `id`.
    pub fn response(&mut self, id: &Value) -> anyhow::Result<Result<Value, ResponseError>> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(outcome) = self.responses.remove(&key(id)) {
                return Ok(outcome);
            }
            self.receive(deadline)
                .with_context(|| format!("waiting for the response to request {id}"))?;
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) -> anyhow::Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// Sends any JSON-RPC message as it is (for malformed or unusual messages).
    pub fn send(&mut self, message: &Value) -> anyhow::Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        match writer.as_mut() {
            Some(stdin) => write_message(stdin, message),
            None => bail!("the server's stdin is closed"),
        }
    }

    /// `textDocument/didOpen`.
    pub fn open(
        &mut self,
        uri: &str,
        language_id: &str,
        version: i32,
        text: &str,
    ) -> anyhow::Result<()> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version,
                                    "text": text}}),
        )
    }

    /// `textDocument/didChange` with the given content changes.
    pub fn change(&mut self, uri: &str, version: i32, changes: Vec<Value>) -> anyhow::Result<()> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": changes}),
        )
    }

    /// `textDocument/didClose`.
    pub fn close(&mut self, uri: &str) -> anyhow::Result<()> {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        )
    }

    /// The server's view of a document (the `gomodls/debugDocument` test request): `text`,
    /// `version`, `kind`, `origin`, `tree` (an S-expression), `diagnostics`, `config`.
    ///
    /// Asks again when the answer is ContentModified (the document changed while the request
    /// ran, for example a file re-read from disk in the background), as an editor would.
    pub fn debug_document(&mut self, uri: &str) -> anyhow::Result<Value> {
        loop {
            match self.request_outcome("gomodls/debugDocument", json!({"uri": uri}))? {
                Ok(document) => return Ok(document),
                Err(error) if error.code == CONTENT_MODIFIED => continue,
                Err(error) => return Err(error).context("gomodls/debugDocument failed"),
            }
        }
    }

    /// Waits for a notification with `method` whose params satisfy `accept`, and takes it (and
    /// every earlier notification with that method) out of the queue.
    pub fn wait_notification(
        &mut self,
        method: &str,
        accept: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let found = self
                .notifications
                .iter()
                .position(|(name, params)| name == method && accept(params));
            if let Some(index) = found {
                let (_, params) = self.notifications.remove(index);
                let mut position = 0;
                self.notifications.retain(|(name, _)| {
                    position += 1;
                    !(name == method && position <= index)
                });
                return Ok(params);
            }
            self.receive(deadline)
                .with_context(|| format!("waiting for a {method} notification"))?;
        }
    }

    /// Waits for `textDocument/publishDiagnostics` of `uri`, with `version` when given.
    pub fn wait_diagnostics(&mut self, uri: &str, version: Option<i32>) -> anyhow::Result<Value> {
        self.wait_notification("textDocument/publishDiagnostics", |params| {
            params["uri"] == uri
                && version.is_none_or(|version| params["version"] == json!(version))
        })
    }

    /// The notifications received and not yet taken, in order.
    pub fn pending_notifications(&mut self) -> anyhow::Result<Vec<(String, Value)>> {
        self.drain()?;
        Ok(self.notifications.clone())
    }

    /// Every request the server sent to the client so far, as `(method, params)`.
    pub fn server_requests(&mut self) -> anyhow::Result<Vec<(String, Value)>> {
        self.drain()?;
        Ok(self
            .server_requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    /// Waits until the server has sent a request with `method` to the client; returns its
    /// params.
    pub fn wait_server_request(&mut self, method: &str) -> anyhow::Result<Value> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let found = self
                .server_requests
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .find(|(name, _)| name == method)
                .map(|(_, params)| params.clone());
            if let Some(params) = found {
                return Ok(params);
            }
            self.receive(deadline)
                .with_context(|| format!("waiting for a {method} request from the server"))?;
        }
    }

    /// Retries `probe` until it returns `Some` (for state the server reaches in the background,
    /// such as settings pulled from the client or files read from disk); fails at the deadline.
    pub fn eventually<T>(
        &mut self,
        what: &str,
        mut probe: impl FnMut(&mut TestServer) -> anyhow::Result<Option<T>>,
    ) -> anyhow::Result<T> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(found) = probe(self)? {
                return Ok(found);
            }
            if Instant::now() > deadline {
                bail!("timed out waiting for {what}; stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's process id (to read its memory use from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `shutdown` (with `params: null`, as some clients send it), then `exit`; waits for the
    /// process to end.
    pub fn shutdown_and_exit(mut self) -> anyhow::Result<ExitStatus> {
        let id = json!(self.next_id);
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": "shutdown", "params": null}))?;
        let outcome = self.response(&id)?;
        if outcome != Ok(Value::Null) {
            bail!("shutdown answered {outcome:?}");
        }
        self.notify("exit", Value::Null)?;
        self.wait_exit()
    }

    /// `exit` without `shutdown` (as kak-lsp sends it); waits for the process to end.
    pub fn exit_without_shutdown(mut self) -> anyhow::Result<ExitStatus> {
        self.send(&json!({"jsonrpc": "2.0", "method": "exit"}))?;
        self.wait_exit()
    }

    /// Closes the server's stdin (the editor went away); waits for the process to end.
    pub fn close_stdin(self) -> anyhow::Result<ExitStatus> {
        drop(
            self.writer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        self.wait_exit()
    }

    /// Waits for the process to end, and for the end of its output.
    pub fn wait_exit(mut self) -> anyhow::Result<ExitStatus> {
        let deadline = Instant::now() + self.timeout;
        while !self.closed {
            self.receive(deadline)
                .context("waiting for the server to close its output")?;
        }
        loop {
            if let Some(status) = self.child.try_wait()? {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return Ok(status);
            }
            if Instant::now() > deadline {
                bail!("the server did not exit; stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Takes every message that has already arrived, without waiting.
    fn drain(&mut self) -> anyhow::Result<()> {
        loop {
            match self.incoming.try_recv() {
                Ok(incoming) => self.accept(incoming)?,
                Err(_) => return Ok(()),
            }
        }
    }

    /// Waits for one message (or the end of the output) and files it.
    fn receive(&mut self, deadline: Instant) -> anyhow::Result<()> {
        if self.closed {
            bail!("the server closed its output; stderr:\n{}", self.stderr());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(incoming) => self.accept(incoming),
            Err(RecvTimeoutError::Timeout) => {
                bail!(
                    "timed out after {:?}; stderr:\n{}",
                    self.timeout,
                    self.stderr()
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                self.closed = true;
                Ok(())
            }
        }
    }

    fn accept(&mut self, incoming: Incoming) -> anyhow::Result<()> {
        match incoming {
            Incoming::Message(Message::Response { id, outcome }) => {
                self.responses.insert(key(&id), outcome);
            }
            Incoming::Message(Message::Notification { method, params }) => {
                self.notifications.push((method, params));
            }
            // The reader thread answers and records server requests itself.
            Incoming::Message(Message::Request { .. }) => {}
            Incoming::Closed => self.closed = true,
            Incoming::Broken(problem) => {
                self.closed = true;
                bail!("broken output from the server: {problem}");
            }
        }
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A test that failed half-way must not leave a server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The reader thread: decodes messages, answers server requests, passes the rest on.
fn read_loop(
    stdout: impl Read,
    sender: &Sender<Incoming>,
    writer: &Mutex<Option<ChildStdin>>,
    server_requests: &Mutex<Vec<(String, Value)>>,
    configuration: &Mutex<HashMap<String, Value>>,
) {
    let mut reader = BufReader::new(stdout);
    loop {
        let value = match read_message(&mut reader) {
            Ok(Some(value)) => value,
            Ok(None) => {
                let _ = sender.send(Incoming::Closed);
                return;
            }
            Err(error) => {
                let _ = sender.send(Incoming::Broken(format!("{error:#}")));
                return;
            }
        };
        let message = match Message::from_json(value) {
            Ok(message) => message,
            Err(error) => {
                let _ = sender.send(Incoming::Broken(format!("{error:#}")));
                return;
            }
        };
        if let Message::Request { id, method, params } = &message {
            let answer = answer_server_request(method, params, configuration);
            server_requests
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((method.clone(), params.clone()));
            let response = match answer {
                Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                Err(message) => json!({"jsonrpc": "2.0", "id": id,
                                       "error": {"code": -32601, "message": message}}),
            };
            let mut writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
            // The server may be gone already; the test finds out through the closed output.
            if let Some(stdin) = writer.as_mut() {
                let _ = write_message(stdin, &response);
            }
        }
        if sender.send(Incoming::Message(message)).is_err() {
            return;
        }
    }
}

/// The client's answer to a server request.
fn answer_server_request(
    method: &str,
    params: &Value,
    configuration: &Mutex<HashMap<String, Value>>,
) -> Result<Value, String> {
    match method {
        "workspace/configuration" => {
            let configuration = configuration.lock().unwrap_or_else(PoisonError::into_inner);
            let items = params["items"].as_array().cloned().unwrap_or_default();
            Ok(Value::Array(
                items
                    .iter()
                    .map(|item| {
                        item["section"]
                            .as_str()
                            .and_then(|section| configuration.get(section))
                            .cloned()
                            .unwrap_or(Value::Null)
                    })
                    .collect(),
            ))
        }
        "client/registerCapability"
        | "client/unregisterCapability"
        | "window/workDoneProgress/create"
        | "workspace/diagnostic/refresh"
        | "workspace/inlayHint/refresh"
        | "workspace/semanticTokens/refresh"
        | "workspace/codeLens/refresh" => Ok(Value::Null),
        "window/showMessageRequest" => Ok(Value::Null),
        "workspace/applyEdit" => Ok(json!({"applied": true})),
        _ => Err(format!("the test client does not handle {method}")),
    }
}
