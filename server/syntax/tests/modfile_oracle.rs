//! Oracle tests: the go command itself judges our reader and printer.
//!
//! * Lexical and syntax errors: for each hand-written broken file, `go mod edit -json` (or
//!   `go work edit -json`) prints `FILE:LINE[:COL]: msg` on stderr; our first error, printed the
//!   same way, must be that line. Where go's complaint is not lexical or syntactic, our reader must
//!   accept the file.
//! * Formatting: for comment-heavy files that go's directive rules leave alone, reading, cleaning
//!   up and printing must give what `go mod edit -fmt -print` gives.
//! * go.sum: after `go mod download` adds checksums to a go.sum full of shuffled, duplicated and
//!   bogus lines, go's rewritten file must be our [`format_go_sum`] of what it read plus the new
//!   checksums.
//!
//! Without `go` (on PATH or in `GOMODLS_GO`) the tests are skipped, except under `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a panic is a test failure"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gomodls_syntax::gosum::{format_go_sum, read_go_sum};
use gomodls_syntax::modfile::format::{cleanup, print};
use gomodls_syntax::modfile::read::read;

fn find_go() -> Option<PathBuf> {
    if let Some(go) = std::env::var_os("GOMODLS_GO").filter(|go| !go.is_empty()) {
        return Some(PathBuf::from(go));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("go"))
        .find(|candidate| candidate.is_file())
}

/// The go command, or `None` to skip (a failure under `CI=true`).
fn go_or_skip() -> Option<PathBuf> {
    let go = find_go();
    if go.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "go not found on PATH or in GOMODLS_GO, and CI=true"
        );
        eprintln!("skipping: go not found on PATH or in GOMODLS_GO");
    }
    go
}

fn go_command(go: &Path, work: &Path) -> Command {
    let mut command = Command::new(go);
    command
        .current_dir(work)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOPATH", work.join("gopath"))
        .env("GOMODCACHE", work.join("gopath/pkg/mod"))
        .env("GOCACHE", work.join("gocache"));
    command
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("run {command:?}: {e}"))
}

/// The messages go prints for a lexical or syntax error (the rest come from directive rules).
fn is_syntax_message(line: &str) -> bool {
    [
        "unexpected ",
        "mod files must use // comments",
        "syntax error (",
    ]
    .iter()
    .any(|needle| line.contains(needle))
}

const BROKEN_GO_MOD: &[&[u8]] = &[
    b"\xef\xbb\xbfmodule m\n",
    b"module m\n\xef\xbb\xbfgo 1.21\n",
    b"module m\x0b\n",
    b"module m\x0c\n",
    b"module m\x00\n",
    b"module m\x01\n",
    b"module m\x7f\n",
    b"module a/*b*/\n",
    b"/* c */\nmodule m\n",
    b"module m /* c\n",
    b"module \"a\n",
    b"module \"a",
    b"module `a\n",
    b"module `a",
    b"module \"a\\",
    b"module \"a\\\nb\"\n",
    b"module m\n)\n",
    b"require (\n) x\n",
    b"require (\n\ta v1.0.0\n) x y\n",
    b"require (\n\ta v1.0.0\n",
    b"require (\n",
    b"module m\nrequire (\n// c\n",
    b"module m\rgo 1.21\n",
    b"module m\r\rrequire (\r",
    b"module a.com/\xff\n",
    b"module m\n\xc0\x80 x\n",
    "module m\u{a0}x\n".as_bytes(),
    "module m\u{2028}\n".as_bytes(),
    "module m\u{200b}\n".as_bytes(),
    "module m\u{85}\n".as_bytes(),
    "module m\u{e000}\n".as_bytes(),
    "module m\u{10ffff}\n".as_bytes(),
    "module m\u{378}\n".as_bytes(),
    "module m\u{ad}\n".as_bytes(),
    "module m\u{1f600}\n".as_bytes(),
    b"module m\nrequire (\n\ta v1.0.0\n\t\"b\n)\n",
    b"module m\nrequire ( // c\n\ta.com/a v1.0.0\n) // d",
    b"module m\nrequire ()x\n",
    b"x (\n",
    b"module m\n\n\t\t)\n",
    b"require (\n)) \n",
    b"require (\n)\"unterminated\n",
    b"module a//b\nrequire x/*\n",
    b"\t\tmodule m\x0b",
    "module \u{e9}\x0b\n".as_bytes(),
    b"module \xff\xfe\x0b\n",
    b"require (\n\ta v1.0.0 \"x\\\n",
    b"module m\nrequire (\n\ta v1.0.0\n\n\n",
];

const BROKEN_GO_WORK: &[&[u8]] = &[
    b"go 1.22\nuse (\n",
    b"go 1.22\nuse \"a\n",
    b"\xef\xbb\xbfgo 1.22\n",
    b"go 1.22\nuse ./a /* b */\n",
];

fn check_errors(go: &Path, work: &Path, name: &str, inputs: &[&[u8]]) -> Vec<String> {
    let mut failures = Vec::new();
    let mut syntax_errors = 0;
    for (index, input) in inputs.iter().enumerate() {
        let dir = work.join(format!("{name}-{index}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), input).unwrap();
        let subcommand = if name == "go.work" { "work" } else { "mod" };
        let output = run(go_command(go, &dir).args([subcommand, "edit", "-json", name]));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let go_lines: Vec<&str> = stderr
            .lines()
            .filter(|line| {
                !line.starts_with("go: errors parsing") && !line.starts_with("errors parsing")
            })
            .collect();
        let go_syntax = go_lines.first().is_some_and(|line| is_syntax_message(line));
        match read(input, name) {
            Err(error) => {
                let ours = error.go_message(name);
                syntax_errors += 1;
                if !go_syntax || go_lines.len() != 1 || go_lines[0] != ours {
                    failures.push(format!(
                        "{name} {:?}:\n  ours: {ours}\n  go:   {stderr}",
                        String::from_utf8_lossy(input)
                    ));
                }
            }
            Ok(_) => {
                if go_syntax {
                    failures.push(format!(
                        "{name} {:?}: we accept it, go says {stderr}",
                        String::from_utf8_lossy(input)
                    ));
                }
            }
        }
    }
    assert!(
        syntax_errors * 3 > inputs.len() * 2,
        "too few syntax errors among {name} inputs"
    );
    failures
}

#[test]
fn syntax_errors_match_go() {
    let Some(go) = go_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let mut failures = check_errors(&go, work.path(), "go.mod", BROKEN_GO_MOD);
    failures.extend(check_errors(&go, work.path(), "go.work", BROKEN_GO_WORK));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Files that go's directive rules leave as they are (canonical versions, sorted blocks, no
/// quotes needed), so `go mod edit -fmt` shows go's reading, clean-up and printing alone.
const FORMAT_INPUTS: &[&str] = &[
    "// head\n\n// attached\nmodule m // m\n\n\n\ngo 1.21\nrequire (\n\t// first\n\ta.com/x v1.0.0 // x\n\n\n\tb.com/y v1.0.0\n\n  // tail\n) // close\n// end\n",
    "module m\nrequire ( // lost\n\ta.com/x v1.0.0 // x\n)\n",
    "// before block\nrequire ( // lost\n\t// before line\n\ta.com/x v1.0.0 // x\n) // gone\nmodule m\n",
    "module m\nrequire (\n\ta.com/x v1.0.0\n\t// keep\n)\n",
    "module m\nrequire ()\nexclude (\n)\nreplace ( ) // c\n",
    "module m   \r\n\r\n\r\ngo 1.21 // c   \r\n",
    "module m //\u{a0}c\u{a0}\u{3000}\n",
    "module m\nretract [ v1.0.0 , v1.1.0 ] // r\nretract (\n\t[v1.2.0,v1.3.0]\n)\n",
    "module m\ngo 1.21\nrequire a.com/x v1.0.0\nrequire b.com/y v1.0.0\n",
    "\n\n\nmodule m\n\n\n// a\n// b\n\n\n// c\n",
    "module m\nrequire (\n\ta.com/x v1.0.0\n\tb.com/y v1.0.0\n\n)\n",
    "module m\nrequire (\n\n\n\ta.com/x v1.0.0\n\tb.com/y v1.0.0\n)\n",
    "// only\n",
    "",
    "\n\n",
    "module m\n\nrequire (\n\ta.com/x v1.0.0 // indirect\n\t// c1\n\n\t// c2\n\tb.com/y v1.0.0\n)\n",
    "module m\nrequire (\n\ta.com/x v1.0.0 // one\n\t\n\t\t\n\tb.com/y v1.0.0 // two\n)\n// trailing\n\n// file end",
    "module m\n\nrequire (\n\t// only comments\n)\n",
    "module m\n\nrequire (\n\n)\n",
    "module m\n// c1\n// c2\nrequire (\n\ta.com/x v1.0.0\n) // after\n",
    "//no space\n//\tx\t\nmodule m\n",
];

#[test]
fn formatting_matches_go() {
    let Some(go) = go_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (index, input) in FORMAT_INPUTS.iter().enumerate() {
        let dir = work.path().join(format!("fmt-{index}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("go.mod"), input).unwrap();
        let output = run(go_command(&go, &dir).args(["mod", "edit", "-fmt", "-print", "go.mod"]));
        assert!(
            output.status.success(),
            "go mod edit -fmt failed for {input:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let want = String::from_utf8(output.stdout).unwrap();
        let mut syntax = read(input.as_bytes(), "go.mod").unwrap();
        cleanup(&mut syntax);
        let ours = print(&syntax);
        if ours != want {
            failures.push(format!("{input:?}:\n  ours: {ours:?}\n  go:   {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// go.sum writing.

/// Writes a module `example.com/fresh@v1.0.0` into a file-system proxy in `proxy`.
fn write_proxy_module(proxy: &Path) {
    let dir = proxy.join("example.com/fresh/@v");
    std::fs::create_dir_all(&dir).unwrap();
    let go_mod = "module example.com/fresh\n\ngo 1.21\n";
    std::fs::write(dir.join("list"), "v1.0.0\n").unwrap();
    std::fs::write(dir.join("v1.0.0.info"), "{\"Version\":\"v1.0.0\"}\n").unwrap();
    std::fs::write(dir.join("v1.0.0.mod"), go_mod).unwrap();
    let mut zip = Vec::new();
    write_stored_zip(
        &mut zip,
        &[
            ("example.com/fresh@v1.0.0/go.mod", go_mod.as_bytes()),
            ("example.com/fresh@v1.0.0/fresh.go", b"package fresh\n"),
        ],
    );
    std::fs::write(dir.join("v1.0.0.zip"), zip).unwrap();
}

/// A minimal zip archive with stored (uncompressed) entries.
fn write_stored_zip(out: &mut Vec<u8>, files: &[(&str, &[u8])]) {
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = u32::try_from(out.len()).unwrap();
        let crc = crc32(data);
        let size = u32::try_from(data.len()).unwrap();
        let name_len = u16::try_from(name.len()).unwrap();
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).unwrap();
    let central_size = u32::try_from(central.len()).unwrap();
    let count = u16::try_from(files.len()).unwrap();
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A go.sum in no particular order, with duplicates, blank lines, CRLF, odd spacing, the bogus
/// empty-go.mod hash, versions that sort differently as strings and as semantic versions, and
/// hashes of unknown algorithms.
const MESSY_GO_SUM: &str = "\
b.com/m v1.10.0 h1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=\n\
a.com/m v1.9.0/go.mod h1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\r\n\
\n\
a.com/m   v1.9.0\th1:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz=\n\
a.com/m v1.10.0 h1:ccccccccccccccccccccccccccccccccccccccccccc=\n\
a.com/m v1.9.0 h1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n\
a.com/m v1.9.0 h1:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz=\n\
a.com/m v1.9.0-rc.1 h1:ppppppppppppppppppppppppppppppppppppppppppp=\n\
a.com/m v1.9.0-rc.10 h1:qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq=\n\
a.com/m v1.9.0-rc.2 h1:rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr=\n\
a.com/m v0.0.0-20200101000000-abcdefabcdef h1:ddddddddddddddddddddddddddddddddddddddddddd=\n\
a.com/m v2.0.0+incompatible h1:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee=\n\
a.com/m v2.0.0+incompatible/go.mod h1:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee=\n\
a.com/m v1.9.0 h2:unknown\n\
A.com/m v1.0.0 h1:upperupperupperupperupperupperupperuppe=\n\
a.com/m-x v1.0.0 h1:dashdashdashdashdashdashdashdashdashdash=\n\
a.com/m/v2 v2.0.0 h1:slashslashslashslashslashslashslashslash=\n\
c.com/old v1.0.0/go.mod h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=\n\
b.com/m v1.10.0 h1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=\n";

#[test]
fn go_sum_is_written_like_go() {
    let Some(go) = go_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let proxy = work.path().join("proxy");
    write_proxy_module(&proxy);
    let project = work.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("go.mod"),
        "module example.com/project\n\ngo 1.21\n\nrequire example.com/fresh v1.0.0\n",
    )
    .unwrap();
    std::fs::write(project.join("go.sum"), MESSY_GO_SUM).unwrap();
    let mut proxy_url = String::from("file://");
    proxy_url.push_str(&proxy.display().to_string());
    let output = run(go_command(&go, &project)
        .env("GOPROXY", &proxy_url)
        .env("GONOSUMDB", "*")
        .args(["mod", "download", "example.com/fresh"]));
    assert!(
        output.status.success(),
        "go mod download failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(project.join("go.sum")).unwrap();
    let added: String = written
        .lines()
        .filter(|line| line.starts_with("example.com/fresh "))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(!added.is_empty(), "go added no checksum:\n{written}");

    let mut combined = MESSY_GO_SUM.to_owned();
    combined.push_str(&added);
    let read_back = read_go_sum(combined.as_bytes());
    assert!(read_back.malformed.is_empty());
    assert_eq!(read_back.dropped.len(), 1);
    let ours = format_go_sum(read_back.lines.iter().map(|line| &line.sum));
    assert_eq!(ours, written);

    // go reports the first malformed line and stops.
    let mut malformed = MESSY_GO_SUM.to_owned();
    malformed.push_str("a.com/m v1.0.0\nx y z w\n");
    std::fs::write(project.join("go.sum"), &malformed).unwrap();
    let output = run(go_command(&go, &project).env("GOPROXY", &proxy_url).args([
        "mod",
        "download",
        "example.com/fresh",
    ]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let sum = read_go_sum(malformed.as_bytes());
    let first = &sum.malformed[0];
    let project_sum = project.join("go.sum").display().to_string();
    assert_eq!(stderr, format!("{}\n", first.go_message(&project_sum)));
}
