//! Oracle test: our semver, pseudo-version, module path, quoting, Go version and Unicode primitives
//! must give the same answer as the Go toolchain for every one of many thousands of inputs.
//!
//! The test builds a small Go program (`tests/oracle/main.go`) against copies of the
//! `golang.org/x/mod` packages vendored in GOROOT, feeds it deterministic generated inputs and
//! compares its answers with ours. It also regenerates `src/quote/tables.rs` from Go's `unicode`
//! package (`UPDATE_EXPECT=1`) and fails when the committed tables differ.
//!
//! Without `go` (on PATH or in `GOMODLS_GO`) the test is skipped, except under `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a broken oracle setup must fail the test loudly"
)]

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gomodls_syntax::{go_version, module_path, pseudo, quote, semver};
use time::{OffsetDateTime, UtcOffset};

const ORACLE_MAIN: &str = include_str!("oracle/main.go");

/// The x/mod packages the oracle needs, relative to `golang.org/x/mod`.
const XMOD_PACKAGES: [&str; 4] = ["semver", "module", "modfile", "internal/lazyregexp"];

// ---------------------------------------------------------------------------------------------
// Finding and building the oracle.

fn find_go() -> Option<PathBuf> {
    if let Some(go) = std::env::var_os("GOMODLS_GO").filter(|go| !go.is_empty()) {
        return Some(PathBuf::from(go));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("go"))
        .find(|candidate| candidate.is_file())
}

fn go_command(go: &Path, work: &Path) -> Command {
    let mut command = Command::new(go);
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-oracle-cache");
    command
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0")
        .env("GOPATH", work.join("gopath"))
        .env("GOMODCACHE", work.join("gopath/pkg/mod"))
        .env("GOCACHE", cache);
    command
}

/// Builds the oracle binary in `work` and returns its path.
fn build_oracle(go: &Path, work: &Path) -> PathBuf {
    let output = go_command(go, work)
        .args(["env", "GOROOT"])
        .output()
        .expect("run go env GOROOT");
    assert!(output.status.success(), "go env GOROOT failed: {output:?}");
    let goroot = PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
    let xmod = goroot.join("src/cmd/vendor/golang.org/x/mod");
    let module = work.join("oracle");
    for package in XMOD_PACKAGES {
        let from = xmod.join(package);
        let to = module.join("xmod").join(package);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&from).unwrap_or_else(|e| panic!("read {from:?}: {e}")) {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if !name.ends_with(".go") || name.ends_with("_test.go") {
                continue;
            }
            let source = std::fs::read_to_string(entry.path()).unwrap();
            let source = source.replace("\"golang.org/x/mod/", "\"oracle/xmod/");
            std::fs::write(to.join(name), source).unwrap();
        }
    }
    std::fs::write(module.join("go.mod"), "module oracle\n\ngo 1.24\n").unwrap();
    std::fs::write(module.join("main.go"), ORACLE_MAIN).unwrap();
    let binary = work.join("oracle-bin");
    let output = go_command(go, work)
        .current_dir(&module)
        .args(["build", "-o"])
        .arg(&binary)
        .arg(".")
        .output()
        .expect("run go build");
    assert!(
        output.status.success(),
        "building the oracle failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    binary
}

// ---------------------------------------------------------------------------------------------
// Requests and the wire format (one line per request, hex-encoded fields).

struct Request {
    op: &'static str,
    args: Vec<Vec<u8>>,
}

fn request<A: AsRef<[u8]>>(op: &'static str, args: &[A]) -> Request {
    Request {
        op,
        args: args.iter().map(|a| a.as_ref().to_vec()).collect(),
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn run_oracle(binary: &Path, requests: &[Request]) -> Vec<Vec<Vec<u8>>> {
    let mut input = String::new();
    for request in requests {
        input.push_str(request.op);
        for arg in &request.args {
            input.push('\t');
            input.push_str(&hex_encode(arg));
        }
        input.push('\n');
    }
    let mut child = Command::new(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the oracle");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("run the oracle");
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "the oracle failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let answers: Vec<Vec<Vec<u8>>> = stdout
        .lines()
        .map(|line| {
            let fields: Vec<String> = serde_json::from_str(line).unwrap();
            fields.iter().map(|f| hex_decode(f)).collect()
        })
        .collect();
    assert_eq!(answers.len(), requests.len(), "one answer per request");
    answers
}

// ---------------------------------------------------------------------------------------------
// Our answers, in the oracle's format.

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("this operation's inputs are generated as UTF-8")
}

fn flag(b: bool) -> Vec<u8> {
    (if b { "true" } else { "false" }).into()
}

fn err_text<E: std::fmt::Display>(result: Result<(), E>) -> Vec<u8> {
    match result {
        Ok(()) => Vec::new(),
        Err(e) => format!("ERR:{e}").into_bytes(),
    }
}

fn result<T: AsRef<[u8]>, E: std::fmt::Display>(result: Result<T, E>) -> Vec<u8> {
    match result {
        Ok(value) => [b"OK:".as_slice(), value.as_ref()].concat(),
        Err(e) => format!("ERR:{e}").into_bytes(),
    }
}

fn rfc3339(time: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

fn sign(ordering: std::cmp::Ordering) -> Vec<u8> {
    (ordering as i8).to_string().into_bytes()
}

fn before_dash(s: &str) -> &str {
    s.split('-').next().unwrap_or(s)
}

fn ours(request: &Request) -> Vec<Vec<u8>> {
    let args = &request.args;
    match request.op {
        "semver" => {
            let v = text(&args[0]);
            vec![
                flag(semver::is_valid(v)),
                semver::canonical(v).into(),
                semver::major(v).into(),
                semver::major_minor(v).into(),
                semver::prerelease(v).into(),
                semver::build(v).into(),
                semver::module_canonical_version(v).into(),
                flag(pseudo::is_pseudo_version(v)),
                flag(pseudo::is_zero_pseudo_version(v)),
                result(pseudo::pseudo_version_time(v).map(rfc3339)),
                result(pseudo::pseudo_version_rev(v)),
                result(pseudo::pseudo_version_base(v)),
                result(module_path::escape_version(v)),
                result(module_path::unescape_version(v)),
                err_text(module_path::check_path_major(v, "")),
                err_text(module_path::check_path_major(v, "/v2")),
                err_text(module_path::check_path_major(v, ".v1")),
                err_text(module_path::check_path_major(v, ".v0-unstable")),
            ]
        }
        "cmp" => vec![sign(semver::compare(text(&args[0]), text(&args[1])))],
        "sort" => {
            let mut list: Vec<&str> = text(&args[0]).split('\n').collect();
            semver::sort(&mut list);
            vec![list.join("\n").into()]
        }
        "pathbytes" => {
            let p = args[0].as_slice();
            vec![
                err_text(module_path::check_path(p)),
                err_text(module_path::check_import_path(p)),
                err_text(module_path::check_file_path(p)),
            ]
        }
        "path" => {
            let p = text(&args[0]);
            let (prefix, major, ok) = match module_path::split_path_version(p) {
                Some((prefix, major)) => (prefix, major, true),
                None => (p, "", false),
            };
            let prefix_of_major = match module_path::path_major_prefix(major) {
                Some(m) => format!("OK:{m}"),
                None => "PANIC".to_owned(),
            };
            vec![
                err_text(module_path::check_path(p)),
                err_text(module_path::check_import_path(p)),
                err_text(module_path::check_file_path(p)),
                prefix.into(),
                major.into(),
                flag(ok),
                result(module_path::escape_path(p)),
                result(module_path::unescape_path(p)),
                flag(module_path::is_directory_path(p)),
                prefix_of_major.into(),
                err_text(module_path::check(p, "v1.0.0")),
                err_text(module_path::check(p, "v2.0.0")),
                err_text(module_path::check(p, "v2")),
            ]
        }
        "pathmajor" => {
            let prefix = match module_path::path_major_prefix(text(&args[1])) {
                Some(m) => format!("OK:{m}"),
                None => "PANIC".to_owned(),
            };
            vec![
                err_text(module_path::check_path_major(
                    text(&args[0]),
                    text(&args[1]),
                )),
                prefix.into(),
            ]
        }
        "glob" => {
            let (globs, target) = (text(&args[0]), text(&args[1]));
            vec![
                flag(module_path::match_prefix_patterns(globs, target)),
                result(module_path::path_match(globs, target).map(flag)),
            ]
        }
        "quote" => {
            let s = args[0].as_slice();
            vec![
                quote::quote(s).into(),
                flag(quote::must_quote(s)),
                quote::auto_quote_bytes(s).into_owned(),
                result(quote::unquote(s)),
            ]
        }
        "rune" => {
            let code_point: u32 = text(&args[0]).parse().unwrap();
            vec![quote::quote_rune(char::from_u32(code_point).unwrap()).into()]
        }
        "gover" => {
            let x = text(&args[0]);
            let lang = go_version::go_lang(before_dash(x));
            vec![
                flag(go_version::is_valid_go_version(x)),
                go_version::lax_go_version(x).unwrap_or("NONE").into(),
                flag(go_version::is_valid_toolchain(x)),
                flag(go_version::is_go_version(before_dash(x))),
                (if lang.is_empty() {
                    String::new()
                } else {
                    format!("go{lang}")
                })
                .into(),
            ]
        }
        "govercmp" => vec![sign(go_version::compare_go_versions(
            text(&args[0]),
            text(&args[1]),
        ))],
        "pseudo" => {
            let seconds: i64 = text(&args[2]).parse().unwrap();
            let offset: i32 = text(&args[3]).parse().unwrap();
            let time = OffsetDateTime::from_unix_timestamp(seconds)
                .unwrap()
                .to_offset(UtcOffset::from_whole_seconds(offset).unwrap());
            vec![
                pseudo::pseudo_version(text(&args[0]), text(&args[1]), time, text(&args[4])).into(),
            ]
        }
        other => panic!("unknown op {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic input generation.

/// xorshift64*: small, fixed-seed, good enough to spread inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
    fn concat(&mut self, pieces: &[&str], max: usize) -> String {
        let count = self.below(max + 1);
        (0..count).map(|_| self.pick(pieces)).collect()
    }
}

const NUMBERS: &[&str] = &["0", "1", "2", "3", "9", "10", "11", "01", "00", "123", "99"];
const IDENTIFIERS: &[&str] = &[
    "0",
    "1",
    "01",
    "2",
    "11",
    "alpha",
    "beta",
    "rc",
    "x-y",
    "-",
    "a",
    "0a",
    "incompatible",
    "",
    "ABC",
    "pre",
    "0",
    "20230102030405",
];
const REVISIONS: &[&str] = &[
    "abcdef123456",
    "abc",
    "ABC123",
    "",
    "abc_d",
    "0",
    "000000000000",
];

fn timestamp(rng: &mut Rng) -> String {
    if rng.chance(15) {
        return rng
            .pick(&[
                "20231302030405",
                "20230230000000",
                "20240229000000",
                "20230229000000",
                "00000101000000",
                "00010101000000",
                "20230101240000",
                "20230101235960",
                "2023010203040",
                "202301020304056",
                "2023010203040x",
                "99991231235959",
            ])
            .to_owned();
    }
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        rng.below(10_000),
        1 + rng.below(12),
        1 + rng.below(31),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

fn structured_version(rng: &mut Rng) -> String {
    let mut v = String::from(if rng.chance(95) {
        "v"
    } else {
        rng.pick(&["V", "", "vv"])
    });
    v.push_str(rng.pick(NUMBERS));
    if rng.chance(85) {
        v.push('.');
        v.push_str(rng.pick(NUMBERS));
        if rng.chance(85) {
            v.push('.');
            v.push_str(rng.pick(NUMBERS));
        }
    }
    if rng.chance(40) {
        v.push('-');
        let count = 1 + rng.below(3);
        let identifiers: Vec<&str> = (0..count).map(|_| rng.pick(IDENTIFIERS)).collect();
        v.push_str(&identifiers.join("."));
    }
    if rng.chance(25) {
        v.push('+');
        let count = 1 + rng.below(2);
        let identifiers: Vec<&str> = (0..count).map(|_| rng.pick(IDENTIFIERS)).collect();
        v.push_str(&identifiers.join("."));
    }
    v
}

fn pseudo_shaped_version(rng: &mut Rng) -> String {
    let major = rng.pick(&["0", "1", "2", "10"]);
    let ts = timestamp(rng);
    let rev = rng.pick(REVISIONS);
    let mut v = match rng.below(4) {
        0 => format!("v{major}.0.0-{ts}-{rev}"),
        1 => format!(
            "v{major}.{}.{}-0.{ts}-{rev}",
            rng.pick(NUMBERS),
            rng.pick(NUMBERS)
        ),
        2 => format!(
            "v{major}.{}.{}-{}.0.{ts}-{rev}",
            rng.pick(NUMBERS),
            rng.pick(NUMBERS),
            rng.pick(&["pre", "rc.1", "a-b", "0", "alpha.beta", "x.0", "1.0"])
        ),
        _ => format!(
            "v{major}.{}.{}-{ts}-{rev}",
            rng.pick(NUMBERS),
            rng.pick(NUMBERS)
        ),
    };
    if rng.chance(30) {
        v.push_str(rng.pick(&["+incompatible", "+meta", "+", "+a.b", "+a..b"]));
    }
    v
}

fn junk_version(rng: &mut Rng) -> String {
    rng.concat(
        &[
            "v", "0", "1", "2", ".", "-", "+", "a", "A", "z", "!", "é", "/", ":", "~", " ", "!a",
        ],
        12,
    )
}

fn version(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=4 => structured_version(rng),
        5..=7 => pseudo_shaped_version(rng),
        _ => junk_version(rng),
    }
}

const HOSTS: &[&str] = &[
    "example.com",
    "github.com",
    "Example.com",
    "gopkg.in",
    "golang.org",
    "localhost",
    "x.y",
    "a-b.c",
    "-x.com",
    "x_y.com",
    "x.com:8080",
    "é.com",
    "1.2",
    ".com",
    "com.",
    "x..y",
    "",
];
const ELEMENTS: &[&str] = &[
    "a",
    "A",
    "m",
    "Azure",
    "SDK",
    "v0",
    "v1",
    "v2",
    "v3",
    "v10",
    "v01",
    "v2.0",
    "v",
    "vx",
    "yaml.v2",
    "yaml.v0",
    "yaml.v1",
    "yaml.v01",
    "yaml.v2-unstable",
    "yaml.v-unstable",
    "yaml",
    "con",
    "COM1.txt",
    "Lpt9",
    "aux.go",
    "a~1",
    "a~b",
    "a~",
    "~1",
    ".",
    "..",
    "...",
    ".a",
    "a.",
    "-a",
    "a+b",
    "é",
    "世",
    "a b",
    "a:b",
    "_x",
    "!a",
    "a!",
    "x~12.y",
    "a..b",
    "!",
    "",
    "a#b",
    "(a)",
    "a@v1",
];

fn module_path_input(rng: &mut Rng) -> String {
    let mut path = rng.pick(HOSTS).to_owned();
    for _ in 0..rng.below(4) {
        path.push('/');
        path.push_str(rng.pick(ELEMENTS));
    }
    if rng.chance(10) {
        path.push('/');
    }
    if rng.chance(5) {
        path.insert_str(0, rng.pick(&["/", "-", ".", "\\"]));
    }
    if rng.chance(5) {
        path = path.replacen('/', "//", 1);
    }
    if rng.chance(10) {
        path.push_str(rng.pick(&["./x", "../x", ".\\x", "C:\\x", "c:", "1:"]));
    }
    path
}

const GLOB_PIECES: &[&str] = &[
    "*",
    "*.corp.com",
    "example.com",
    "example.com/",
    "example.com/*",
    "ex?mple.com",
    "[a-z]*.com",
    "ex[^a]mple.com",
    "[",
    "\\",
    "ex\\ample.com",
    "*/*",
    "example.com/a",
    "git.corp.com",
    " b.com",
    "b.com",
    "a[]b",
    "[a-]",
    "[]a]",
    "[\\]]",
    "x/*/z",
    "?",
    "é*",
    "[é-世]*",
    "*\\",
    "example.*",
];

fn glob_input(rng: &mut Rng) -> String {
    let count = 1 + rng.below(3);
    let globs: Vec<String> = (0..count)
        .map(|_| {
            if rng.chance(80) {
                rng.pick(GLOB_PIECES).to_owned()
            } else {
                rng.concat(
                    &[
                        "a", "*", "?", "[", "]", "^", "-", "\\", "/", ".", "é", "b", "z",
                    ],
                    6,
                )
            }
        })
        .collect();
    globs.join(",")
}

const GLOB_TARGETS: &[&str] = &[
    "example.com",
    "example.com/a",
    "example.com/ab",
    "example.com/a/b",
    "git.corp.com/x",
    "corp.com/x",
    "b.com/x",
    "x/y/z",
    "x/yy/z/w",
    "éa/b",
    "世界",
    "",
    "a",
    "[",
    "]",
    "\\",
    "a/",
    "/a",
    "exbmple.com",
];

fn glob_target(rng: &mut Rng) -> String {
    if rng.chance(70) {
        rng.pick(GLOB_TARGETS).to_owned()
    } else {
        rng.concat(
            &["a", "b", "z", "/", ".", "é", "[", "]", "-", "*", "?", "\\"],
            7,
        )
    }
}

const QUOTE_PIECES: &[&[u8]] = &[
    b"a",
    b"Z",
    b"0",
    b" ",
    b"\"",
    b"'",
    b"`",
    b"\\",
    b"\n",
    b"\r",
    b"\t",
    b"\x00",
    b"\x07",
    b"\x1b",
    b"\x7f",
    "é".as_bytes(),
    "世".as_bytes(),
    "😀".as_bytes(),
    "\u{a0}".as_bytes(),
    "\u{ad}".as_bytes(),
    "\u{200b}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{2028}".as_bytes(),
    "\u{e0001}".as_bytes(),
    "\u{10ffff}".as_bytes(),
    "\u{fffd}".as_bytes(),
    "\u{85}".as_bytes(),
    "\u{3000}".as_bytes(),
    "\u{1f8b0}".as_bytes(),
    "\u{a7cb}".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"//",
    b"/*",
    b"(",
    b")",
    b",",
    b"[",
    b"]",
    b"{",
    b"}",
    b"/",
    b"*",
];
const ESCAPE_PIECES: &[&[u8]] = &[
    b"\\x41",
    b"\\xff",
    b"\\xFf",
    b"\\x4",
    b"\\xg1",
    b"\\u00e9",
    b"\\u00E9",
    b"\\U0001F600",
    b"\\U00110000",
    b"\\ud800",
    b"\\u12",
    b"\\101",
    b"\\377",
    b"\\400",
    b"\\777",
    b"\\0",
    b"\\08",
    b"\\q",
    b"\\'",
    b"\\\"",
    b"\\\\",
    b"\\n",
    b"\\a",
    b"\\b",
    b"\\f",
    b"\\r",
    b"\\t",
    b"\\v",
    b"\\",
    b"a",
    "é".as_bytes(),
    b"\xff",
    b"\n",
    b"'",
    b"\"",
    b"`",
    b"\r",
];

fn quote_input(rng: &mut Rng) -> Vec<u8> {
    let pieces = |rng: &mut Rng, pool: &[&[u8]], max: usize| -> Vec<u8> {
        let count = rng.below(max + 1);
        (0..count).flat_map(|_| rng.pick(pool).to_vec()).collect()
    };
    match rng.below(10) {
        0..=3 => pieces(rng, QUOTE_PIECES, 6),
        4..=6 => [b"\"".as_slice(), &pieces(rng, ESCAPE_PIECES, 4), b"\""].concat(),
        7 => [b"'".as_slice(), &pieces(rng, ESCAPE_PIECES, 2), b"'"].concat(),
        8 => [b"`".as_slice(), &pieces(rng, ESCAPE_PIECES, 4), b"`"].concat(),
        _ => pieces(rng, ESCAPE_PIECES, 5),
    }
}

const GOVER_PIECES: &[&str] = &[
    "1", "2", "0", "21", "20", "9", "10", "01", ".", ".", ".", "rc", "beta", "alpha", "v", "go",
    "-", "x", "+auto", "A", "_", "1.21", "1.", "rc1", "beta2",
];

fn gover_input(rng: &mut Rng) -> String {
    if rng.chance(40) {
        return format!(
            "{}{}.{}{}",
            rng.pick(&["", "", "", "v", "go"]),
            rng.pick(&["1", "2", "0", "01", "10"]),
            rng.pick(&["0", "9", "10", "20", "21", "22", "021", "x"]),
            rng.pick(&[
                "", "", ".0", ".1", ".01", "rc1", "beta2", "alpha0", "rc01", "-rc1", ".0rc1", "x",
                ".", "RC1", "rc", "-gccgo", "+auto"
            ])
        );
    }
    let count = 1 + rng.below(5);
    (0..count).map(|_| rng.pick(GOVER_PIECES)).collect()
}

fn hand_picked_versions() -> Vec<String> {
    [
        "v1.0.0-rc.1",
        "v1.0.0",
        "v1.0.0-alpha",
        "v1.0.0-alpha.1",
        "v1.0.0-alpha.beta",
        "v1.0.0-2",
        "v1.0.0-11",
        "v1.0.0-a",
        "v1",
        "v1.2",
        "v1-pre",
        "v1.2-pre",
        "v1.2+incompatible",
        "v1.2.3-01",
        "v1.2.3-0a",
        "v1.2.3+meta",
        "v2.0.0+incompatible",
        "v0.0.0-00010101000000-000000000000",
        "v1.0.0-20230102030405-abcdef",
        "v1.0.0-0.20230102030405-abc",
        "v2.0.0-20230102030405-abc+incompatible",
        "v1.2.4-0.20230102030405-abcdef123456",
        "v2.0.0-rc.1.0.20230102030405-abc+incompatible",
        "v1.0.0-RC1",
        "v1.0.0-!r!c1",
        "vé",
        "",
        "v",
        "V1.0.0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn generate_requests() -> Vec<Request> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut requests = vec![request::<&str>("tables", &[])];

    let mut versions: BTreeSet<String> = hand_picked_versions().into_iter().collect();
    while versions.len() < 3000 {
        versions.insert(version(&mut rng));
    }
    let versions: Vec<String> = versions.into_iter().collect();
    for v in &versions {
        requests.push(request("semver", &[v]));
    }
    for _ in 0..4000 {
        let a = versions[rng.below(versions.len())].clone();
        let b = if rng.chance(20) {
            a.clone()
        } else {
            versions[rng.below(versions.len())].clone()
        };
        requests.push(request("cmp", &[a, b]));
    }
    for _ in 0..200 {
        let count = 1 + rng.below(8);
        let list: Vec<String> = (0..count)
            .map(|_| versions[rng.below(versions.len())].clone())
            .collect();
        requests.push(request("sort", &[list.join("\n")]));
    }

    let mut paths: BTreeSet<String> = [
        "example.com/m",
        "Example.com/m",
        "example.com/a..b",
        "example.com:8080/m",
        "localhost/m",
        "example.com/a+b",
        "github.com/Azure/SDK",
        "github.com/!azure/!s!d!k",
        "gopkg.in/yaml.v2",
        "gopkg.in/yaml.v1-unstable",
        "gopkg.in/yaml.v01",
        "x.com/v1",
        "x.com/v2",
        "./x",
        "C:\\x",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while paths.len() < 3000 {
        paths.insert(module_path_input(&mut rng));
    }
    for p in &paths {
        requests.push(request("path", &[p]));
    }
    for bytes in [
        b"x.com/\xff".as_slice(),
        b"\xc3",
        b"a/\xed\xa0\x80/b",
        b"",
        b"x.com/a\xf4\x90\x80\x80",
    ] {
        requests.push(request("pathbytes", &[bytes]));
    }
    let path_majors = [
        "",
        "/v2",
        "/v1",
        "/v0",
        ".v0",
        ".v1",
        ".v2",
        ".v1-unstable",
        ".v2-unstable",
        "v2",
        "/",
        ".v",
        "/v2.1",
        "x",
        "/vx",
        ".v01",
    ];
    for _ in 0..1500 {
        let v = versions[rng.below(versions.len())].clone();
        let major = rng.pick(&path_majors).to_owned();
        requests.push(request("pathmajor", &[v, major]));
    }

    for _ in 0..3000 {
        requests.push(request(
            "glob",
            &[glob_input(&mut rng), glob_target(&mut rng)],
        ));
    }

    let mut quoted: BTreeSet<Vec<u8>> = BTreeSet::new();
    while quoted.len() < 4000 {
        quoted.insert(quote_input(&mut rng));
    }
    for s in &quoted {
        requests.push(request("quote", &[s]));
    }
    let mut code_points: BTreeSet<u32> = (0..0x300).collect();
    code_points.extend([
        0x2028, 0xfeff, 0xfffd, 0xe0001, 0x10ffff, 0x1f600, 0xffff, 0x10000,
    ]);
    while code_points.len() < 3000 {
        let candidate = (rng.next() % 0x11_0000) as u32;
        if char::from_u32(candidate).is_some() {
            code_points.insert(candidate);
        }
    }
    for code_point in code_points {
        requests.push(request("rune", &[code_point.to_string()]));
    }

    let mut go_versions: BTreeSet<String> = [
        "1.21",
        "1.21.0",
        "1.21rc1",
        "1.21.0rc1",
        "2.0",
        "1.99",
        "1",
        "1.021",
        "1.21.0-rc1",
        "go1.21",
        "v1.21",
        "1.21.a1",
        "1.18-beta",
        "v1.21.0",
        "default",
        "go1",
        "go1.21.0-gccgo",
        "go1.21+auto",
        "go1x",
        "gox1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    while go_versions.len() < 2500 {
        go_versions.insert(gover_input(&mut rng));
    }
    let go_versions: Vec<String> = go_versions.into_iter().collect();
    for x in &go_versions {
        requests.push(request("gover", &[x]));
    }
    let comparable: Vec<&String> = go_versions.iter().filter(|x| !x.contains('-')).collect();
    for _ in 0..3000 {
        let a = comparable[rng.below(comparable.len())];
        let b = comparable[rng.below(comparable.len())];
        requests.push(request("govercmp", &[a, b]));
    }

    for _ in 0..1500 {
        let major = rng.pick(&["", "v0", "v1", "v2", "v10", "x"]).to_owned();
        let older = if rng.chance(20) {
            String::new()
        } else {
            versions[rng.below(versions.len())].clone()
        };
        // Between 0001-01-02 and 9999-12-30, so that every offset stays in range.
        let seconds = -62_135_510_400 + (rng.next() % 315_537_638_400) as i64;
        let offset = (rng.below(113) as i32 - 56) * 900;
        let rev = rng.pick(REVISIONS).to_owned();
        requests.push(request(
            "pseudo",
            &[major, older, seconds.to_string(), offset.to_string(), rev],
        ));
    }
    requests
}

// ---------------------------------------------------------------------------------------------

fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

#[test]
fn primitives_agree_with_go() {
    let Some(go) = find_go() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "go is required under CI=true (put it on PATH or set GOMODLS_GO)"
        );
        eprintln!("skipping the Go oracle test: no go on PATH and GOMODLS_GO unset");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let binary = build_oracle(&go, work.path());
    let requests = generate_requests();
    let answers = run_oracle(&binary, &requests);

    // The Unicode tables are generated from Go: compare (or, with UPDATE_EXPECT=1, rewrite).
    let tables = String::from_utf8(answers[0][0].clone()).unwrap();
    expect_test::expect_file!["../src/quote/tables.rs"].assert_eq(&tables);

    let mut failures = Vec::new();
    let mut compared = 0;
    for (request, theirs) in requests.iter().zip(&answers).skip(1) {
        let mine = ours(request);
        compared += 1;
        if &mine != theirs {
            let differences: Vec<String> = (0..mine.len().max(theirs.len()))
                .filter(|&i| mine.get(i) != theirs.get(i))
                .map(|i| {
                    let field =
                        |answer: &Vec<Vec<u8>>| answer.get(i).map_or("-".into(), |a| show(a));
                    format!(
                        "    [{i}] ours: {}\n    [{i}] go:   {}",
                        field(&mine),
                        field(theirs)
                    )
                })
                .collect();
            failures.push(format!(
                "{} {}\n{}",
                request.op,
                request
                    .args
                    .iter()
                    .map(|a| show(a))
                    .collect::<Vec<_>>()
                    .join(" "),
                differences.join("\n"),
            ));
        }
    }
    eprintln!(
        "compared {compared} inputs with Go, {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {compared} inputs differ from Go; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
