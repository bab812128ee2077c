//! The command line: `gomodls` (or `gomodls --stdio`) serves LSP over stdio; other first
//! arguments pick a subcommand from [`SUBCOMMANDS`].
//!
//! Subcommands write their output through [`Stdout`], whose write errors end the program
//! without a panic: when the reader has gone (`gomodls check | head -1`) it exits quietly with
//! status 141, the status a shell reports for gofmt, which the closed pipe's SIGPIPE ends
//! silently (so `set -o pipefail` treats both alike); any other write error is reported on
//! stderr and exits with 2, like an I/O problem with a file.

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

/// One subcommand of the command line.
pub struct Subcommand {
    /// The name typed on the command line.
    pub name: &'static str,
    /// A one-line summary for `--help`.
    pub summary: &'static str,
    /// Runs the subcommand with the arguments after its name.
    pub run: fn(&[OsString]) -> anyhow::Result<ExitCode>,
}

/// The subcommands. Add a subcommand by adding an entry here (for example `parse`, `check` and
/// `fmt`, each running a function of its own module).
pub const SUBCOMMANDS: &[Subcommand] = &[
    Subcommand {
        name: "serve",
        summary: "serve the Language Server Protocol over stdio (the default)",
        run: run_serve,
    },
    Subcommand {
        name: "parse",
        summary: "print a file's syntax tree, or with --json go's JSON of it",
        run: crate::parse_command::run,
    },
    Subcommand {
        name: "check",
        summary: "report every problem of the go.mod, go.work and go.sum files under the paths",
        run: crate::check_command::run,
    },
    Subcommand {
        name: "fmt",
        summary: "format go.mod, go.work and go.sum files as go does (-l, -w, -d as gofmt)",
        run: crate::fmt_command::run,
    },
    Subcommand {
        name: "env",
        summary: "print the module environment as go resolves it, with each value's source",
        run: crate::env_command::run,
    },
    Subcommand {
        name: "query",
        summary: "what the server knows of modules: versions, latest, retractions, deprecation",
        run: crate::query_command::run,
    },
];

/// The exit code for a command line the program does not understand, or a file it cannot read.
pub const USAGE_ERROR: u8 = 2;

/// The exit status after standard output was closed by its reader: 128 + SIGPIPE, what a shell
/// reports for gofmt and other Go programs in that case.
pub const CLOSED_PIPE: u8 = 141;

/// Runs the program with the process's arguments.
pub fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(&arguments) {
        Ok(code) => code,
        Err(error) => exit_code(&error),
    }
}

/// The exit code for a subcommand's error, after telling the user about it.
fn exit_code(error: &anyhow::Error) -> ExitCode {
    let write_error = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<StdoutError>());
    match write_error {
        Some(StdoutError(io)) if io.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(CLOSED_PIPE)
        }
        Some(write_error) => {
            report!("gomodls: {write_error}");
            ExitCode::from(USAGE_ERROR)
        }
        None => {
            report!("gomodls: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// A failed write to standard output.
#[derive(Debug, thiserror::Error)]
#[error("writing to standard output: {0}")]
pub struct StdoutError(#[source] pub std::io::Error);

/// Standard output, locked for the whole subcommand; its writes return [`StdoutError`], which
/// [`main`] turns into the exit status (quietly for a closed pipe). `write!` and `writeln!` work
/// on it.
pub struct Stdout(std::io::StdoutLock<'static>);

impl Stdout {
    /// Locks standard output.
    pub fn lock() -> Stdout {
        Stdout(std::io::stdout().lock())
    }

    /// Writes `text`.
    pub fn print(&mut self, text: &str) -> Result<(), StdoutError> {
        self.0.write_all(text.as_bytes()).map_err(StdoutError)?;
        self.flush()
    }

    /// Writes formatted text (what `write!` calls).
    pub fn write_fmt(&mut self, arguments: std::fmt::Arguments<'_>) -> Result<(), StdoutError> {
        self.0.write_fmt(arguments).map_err(StdoutError)?;
        self.flush()
    }

    /// Sends what is buffered, so that its errors are seen here rather than lost at exit.
    pub fn flush(&mut self) -> Result<(), StdoutError> {
        self.0.flush().map_err(StdoutError)
    }
}

/// Runs the program with `arguments` (without the program name).
pub fn run(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    let Some(first) = arguments.first() else {
        return crate::serve::serve_stdio();
    };
    let rest = arguments.get(1..).unwrap_or_default();
    match first.to_str() {
        Some("--stdio") => run_serve(rest),
        Some("--version" | "-V" | "version") => {
            writeln!(Stdout::lock(), "{}", version())?;
            Ok(ExitCode::SUCCESS)
        }
        Some("--help" | "-h" | "help") => {
            Stdout::lock().print(&usage())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(name) => match SUBCOMMANDS
            .iter()
            .find(|subcommand| subcommand.name == name)
        {
            Some(subcommand) => (subcommand.run)(rest),
            None => Ok(usage_error(&format!("unknown command {name:?}"))),
        },
        None => Ok(usage_error("arguments must be UTF-8")),
    }
}

/// `gomodls VERSION`.
pub fn version() -> String {
    format!("gomodls {}", env!("CARGO_PKG_VERSION"))
}

/// The help text.
pub fn usage() -> String {
    let mut text = format!(
        "{}: a language server for go.mod, go.work and go.sum\n\n\
         usage:\n  gomodls [--stdio]        serve LSP over stdio\n  \
         gomodls <command> [args]\n  gomodls --version\n\ncommands:\n",
        version()
    );
    for subcommand in SUBCOMMANDS {
        text.push_str(&format!(
            "  {:<10} {}\n",
            subcommand.name, subcommand.summary
        ));
    }
    text
}

/// Prints `message` and the usage, and returns the usage error exit code.
pub fn usage_error(message: &str) -> ExitCode {
    use std::io::Write as _;
    let _ = write!(std::io::stderr(), "gomodls: {message}\n\n{}", usage());
    ExitCode::from(USAGE_ERROR)
}

fn run_serve(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    match arguments {
        [] => crate::serve::serve_stdio(),
        [flag] if flag == "--stdio" => crate::serve::serve_stdio(),
        _ => Ok(usage_error("serve takes no arguments besides --stdio")),
    }
}
