//! Standard output that cannot be written: every subcommand of the command line, with its
//! output going to a pipe whose reader has gone, ends quietly (no panic, no message) with the
//! status a shell reports for gofmt in that case (141); any other write error is reported on
//! stderr with status 2. A closed standard error loses messages, never the exit status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The status after the reader of standard output has gone (128 + SIGPIPE).
const CLOSED_PIPE: i32 = 141;

fn corpus_file(repository: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/real")
        .join(repository)
        .join(name)
}

/// The command with an environment that keeps go data private and the network off.
fn gomodls(home: &Path, arguments: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gomodls"));
    command
        .env_clear()
        .env("HOME", home)
        .env("GOPATH", home.join("gopath"))
        .env("GOMODCACHE", home.join("gopath/pkg/mod"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("GOENV", "off")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env("GOMODLS_LOG", "off")
        .current_dir(home)
        .args(arguments);
    command
}

/// Every subcommand with arguments that make it print (the go.sum is the largest of the corpus,
/// so its outputs are far larger than a pipe holds).
fn printing_commands() -> Vec<Vec<String>> {
    let go_mod = corpus_file("tailscale__tailscale", "go.mod")
        .display()
        .to_string();
    let go_sum = corpus_file("traefik__traefik", "go.sum")
        .display()
        .to_string();
    let commands: [&[&str]; 10] = [
        &["--version"],
        &["--help"],
        &["parse", &go_sum],
        &["parse", "--json", &go_mod],
        &["check", "--offline", "--format", "json", &go_mod],
        &["fmt", &go_sum],
        &["fmt", &go_mod],
        &["env"],
        &["env", "--json"],
        &["query", "--offline", "golang.org/x/mod@v0.20.0"],
    ];
    commands
        .iter()
        .map(|command| command.iter().map(|word| (*word).to_owned()).collect())
        .collect()
}

fn describe(arguments: &[String], output: &Output) -> String {
    format!(
        "gomodls {}: {:?}, stderr {:?}",
        arguments.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_reader_gone_before_the_first_write_ends_every_subcommand_quietly() {
    let home = tempfile::tempdir().unwrap();
    for arguments in printing_commands() {
        let words: Vec<&str> = arguments.iter().map(String::as_str).collect();
        // The reading end is closed before the program starts: every write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = gomodls(home.path(), &words)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let shown = describe(&arguments, &output);
        assert_eq!(output.status.code(), Some(CLOSED_PIPE), "{shown}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{shown}");
        assert!(!stderr.contains("Broken pipe"), "{shown}");
        assert!(!stderr.contains("standard output"), "{shown}");
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    let home = tempfile::tempdir().unwrap();
    let go_sum = corpus_file("traefik__traefik", "go.sum");
    for subcommand in ["parse", "fmt"] {
        let mut child = gomodls(home.path(), &[subcommand, &go_sum.display().to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -c 100`: read a little, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let output = child.wait_with_output().unwrap();
        let shown = describe(&[subcommand.to_owned()], &output);
        assert_eq!(output.status.code(), Some(CLOSED_PIPE), "{shown}");
        assert!(output.stderr.is_empty(), "{shown}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn other_write_errors_are_reported_with_status_2() {
    let home = tempfile::tempdir().unwrap();
    let go_mod = corpus_file("tailscale__tailscale", "go.mod");
    for arguments in [
        vec!["--version".to_owned()],
        vec!["parse".to_owned(), go_mod.display().to_string()],
    ] {
        let words: Vec<&str> = arguments.iter().map(String::as_str).collect();
        // Every write to /dev/full fails with ENOSPC.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = gomodls(home.path(), &words)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let shown = describe(&arguments, &output);
        assert_eq!(output.status.code(), Some(2), "{shown}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("gomodls: writing to standard output: No space left on device"),
            "{shown}"
        );
        assert!(!stderr.contains("panicked"), "{shown}");
    }
}

#[test]
fn a_closed_standard_error_loses_the_messages_not_the_exit_status() {
    let home = tempfile::tempdir().unwrap();
    let broken = home.path().join("go.mod");
    std::fs::write(&broken, "module m\n\nrequire (\n").unwrap();
    let missing = home.path().join("missing/go.mod").display().to_string();
    let broken = broken.display().to_string();
    // Each prints to standard error only: files that cannot be read, a syntax error, a usage error.
    for arguments in [
        vec!["check", "--offline", missing.as_str()],
        vec!["fmt", missing.as_str()],
        vec!["parse", broken.as_str()],
        vec!["--no-such-flag"],
    ] {
        let shown = format!("gomodls {}", arguments.join(" "));
        let open = gomodls(home.path(), &arguments)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(!open.stderr.is_empty(), "{shown}: prints nothing on stderr");
        assert_ne!(open.status.code(), Some(0), "{shown}");
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let closed = gomodls(home.path(), &arguments)
            .stdout(Stdio::null())
            .stderr(writer)
            .output()
            .unwrap();
        // A panic would end with 101: the messages are lost, the exit status is not.
        assert_eq!(closed.status.code(), open.status.code(), "{shown}");
    }
}
