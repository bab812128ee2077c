//! The command line: `gomodls` (or `gomodls --stdio`) serves LSP over stdio; other first
//! arguments pick a subcommand from [`SUBCOMMANDS`].

use std::ffi::OsString;
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

/// Runs the program with the process's arguments.
pub fn main() -> ExitCode {
    let arguments: Vec<OsString> = std::env::args_os().skip(1).collect();
    match run(&arguments) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("gomodls: {error:#}");
            ExitCode::FAILURE
        }
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
            println!("{}", version());
            Ok(ExitCode::SUCCESS)
        }
        Some("--help" | "-h" | "help") => {
            print!("{}", usage());
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
    eprint!("gomodls: {message}\n\n{}", usage());
    ExitCode::from(USAGE_ERROR)
}

fn run_serve(arguments: &[OsString]) -> anyhow::Result<ExitCode> {
    match arguments {
        [] => crate::serve::serve_stdio(),
        [flag] if flag == "--stdio" => crate::serve::serve_stdio(),
        _ => Ok(usage_error("serve takes no arguments besides --stdio")),
    }
}
