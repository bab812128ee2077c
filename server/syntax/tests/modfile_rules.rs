//! go.mod and go.work directive rules, JSON and `-fmt` against the go command.
//!
//! * `real_corpus_matches_go`: every go.mod and go.work of the shared real-world corpus; go's
//!   answers are stored beside each file (`F.json`, `F.fmt`), so no go is needed.
//! * `xmod_testdata_matches_live_go` and `invalid_inputs_match_live_go`: x/mod's own fixtures and
//!   hand-written (mostly invalid) files, compared with a live `go mod edit` / `go work edit`
//!   (JSON, `-fmt -print`, and the error lines). Without `go` (on PATH or in `GOMODLS_GO`) these
//!   are skipped, except under `CI=true`, where they fail.
//! * `lax_parsing_matches_go_parselax`: the dependency view (`modfile.ParseLax`), compared with a
//!   small Go program (`tests/modfile_lax_oracle/main.go`) built against the x/mod packages
//!   vendored in GOROOT; skipped like the live tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a broken setup must fail the test loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gomodls_syntax::modfile::format::print;
use gomodls_syntax::modfile::read::read;
use gomodls_syntax::modfile::rules::parse_gomod;
use gomodls_syntax::modfile::{format_gomod, format_gowork, json_gomod, json_gowork};
use serde_json::{Value, json};

fn corpus() -> PathBuf {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(
        corpus.is_dir(),
        "the shared corpus is missing at {corpus:?}"
    );
    corpus
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Mod,
    Work,
}

impl Kind {
    fn file_name(self) -> &'static str {
        match self {
            Kind::Mod => "go.mod",
            Kind::Work => "go.work",
        }
    }

    fn json(self, text: &[u8]) -> Result<String, Vec<String>> {
        match self {
            Kind::Mod => json_gomod(text, self.file_name()),
            Kind::Work => json_gowork(text, self.file_name()),
        }
    }

    fn format(self, text: &[u8]) -> Result<String, Vec<String>> {
        match self {
            Kind::Mod => format_gomod(text, self.file_name()),
            Kind::Work => format_gowork(text, self.file_name()),
        }
    }
}

/// Compares two JSON texts as values and as bytes; `None` when equal.
fn json_difference(ours: &str, theirs: &str) -> Option<String> {
    let our_value: serde_json::Value = match serde_json::from_str(ours) {
        Ok(value) => value,
        Err(error) => return Some(format!("our JSON does not parse: {error}\n{ours}")),
    };
    let their_value: serde_json::Value = serde_json::from_str(theirs).unwrap();
    if our_value != their_value {
        return Some(format!("JSON values differ:\nours:\n{ours}\ngo:\n{theirs}"));
    }
    if ours != theirs {
        return Some(format!(
            "JSON bytes differ:\nours:\n{ours:?}\ngo:\n{theirs:?}"
        ));
    }
    None
}

#[test]
fn real_corpus_matches_go() {
    let real = corpus().join("real");
    let mut files = Vec::new();
    for repo in std::fs::read_dir(&real).unwrap() {
        let repo = repo.unwrap().path();
        if !repo.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&repo).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let kind = if name.ends_with("go.mod") {
                Kind::Mod
            } else if name.ends_with("go.work") {
                Kind::Work
            } else {
                continue;
            };
            files.push((path, kind));
        }
    }
    files.sort();
    assert!(
        files.len() > 300,
        "expected the whole corpus, found {}",
        files.len()
    );

    let (mut json_passed, mut format_passed) = (0, 0);
    let mut failures = Vec::new();
    for (path, kind) in &files {
        let text = std::fs::read(path).unwrap();
        let with_suffix = |suffix: &str| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        let expected_json = std::fs::read_to_string(with_suffix(".json")).unwrap();
        match kind.json(&text) {
            Ok(ours) => match json_difference(&ours, &expected_json) {
                None => json_passed += 1,
                Some(difference) => failures.push(format!("{path:?}: {difference}")),
            },
            Err(errors) => failures.push(format!("{path:?}: -json failed: {errors:?}")),
        }
        let formatted_path = with_suffix(".fmt");
        let expected_format = if formatted_path.exists() {
            std::fs::read(&formatted_path).unwrap()
        } else {
            text.clone()
        };
        match kind.format(&text) {
            Ok(ours) if ours.as_bytes() == expected_format => format_passed += 1,
            Ok(ours) => failures.push(format!(
                "{path:?}: -fmt differs:\nours:\n{ours}\ngo:\n{}",
                String::from_utf8_lossy(&expected_format)
            )),
            Err(errors) => failures.push(format!("{path:?}: -fmt failed: {errors:?}")),
        }
    }
    eprintln!(
        "real corpus: {json_passed}/{} JSON and {format_passed}/{} -fmt outputs equal go's",
        files.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// The live go command.

fn find_go() -> Option<PathBuf> {
    if let Some(go) = std::env::var_os("GOMODLS_GO").filter(|go| !go.is_empty()) {
        return Some(PathBuf::from(go));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("go"))
        .find(|candidate| candidate.is_file())
}

/// The go command, or `None` (skip) when it is missing outside CI.
fn go_or_skip(test: &str) -> Option<PathBuf> {
    let go = find_go();
    if go.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "go is required under CI=true (put it on PATH or set GOMODLS_GO)"
        );
        eprintln!("skipping {test}: no go on PATH and GOMODLS_GO unset");
    }
    go
}

/// What `go mod edit` / `go work edit` answered: standard output, or the error lines after its
/// header.
fn run_go_edit(
    go: &Path,
    work: &Path,
    kind: Kind,
    text: &[u8],
    flags: &[&str],
) -> Result<String, Vec<String>> {
    std::fs::write(work.join(kind.file_name()), text).unwrap();
    let command = match kind {
        Kind::Mod => "mod",
        Kind::Work => "work",
    };
    let output = Command::new(go)
        .current_dir(work)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTELEMETRY", "off")
        .env("GOPATH", work.join("gopath"))
        .env("GOMODCACHE", work.join("gopath/pkg/mod"))
        .env("GOCACHE", work.join("gocache"))
        .arg(command)
        .arg("edit")
        .args(flags)
        .arg(kind.file_name())
        .output()
        .unwrap();
    if output.status.success() {
        // Token texts are Rust strings: an invalid byte (written raw or as a `\xNN` escape that
        // go prints raw) is U+FFFD for us, as go's JSON shows it too.
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8(output.stderr).unwrap();
    let mut lines = stderr.lines();
    let header = format!("go: errors parsing {}:", kind.file_name());
    assert_eq!(
        lines.next(),
        Some(header.as_str()),
        "unexpected go output: {stderr}"
    );
    let mut lines: Vec<String> = lines.map(str::to_owned).collect();
    if kind == Kind::Work && lines.first().map(String::as_str) == Some("errors parsing go.work:") {
        lines.remove(0);
    }
    Err(lines)
}

/// Our error list as the lines go prints.
fn error_lines(errors: Vec<String>) -> Vec<String> {
    errors
        .iter()
        .flat_map(|error| error.lines().map(str::to_owned))
        .collect()
}

/// Compares our `-json` and `-fmt -print` answers for `text` with go's; the differences. go's
/// error lines are added to `seen_errors`.
fn compare_with_go(
    go: &Path,
    work: &Path,
    kind: Kind,
    label: &str,
    text: &[u8],
    seen_errors: &mut Vec<String>,
) -> Vec<String> {
    let mut failures = Vec::new();
    let theirs = run_go_edit(go, work, kind, text, &["-json"]);
    if let Err(lines) = &theirs {
        seen_errors.extend(lines.iter().cloned());
    }
    match (kind.json(text), theirs) {
        (Ok(ours), Ok(theirs)) => {
            if let Some(difference) = json_difference(&ours, &theirs) {
                failures.push(format!("{label}: {difference}"));
            }
        }
        (Err(ours), Err(theirs)) => {
            let ours = error_lines(ours);
            if ours != theirs {
                failures.push(format!(
                    "{label}: errors differ\nours:\n{}\ngo:\n{}",
                    ours.join("\n"),
                    theirs.join("\n")
                ));
            }
        }
        (ours, theirs) => failures.push(format!("{label}: -json ours {ours:?}\ngo {theirs:?}")),
    }
    let theirs = run_go_edit(go, work, kind, text, &["-fmt", "-print"]);
    match (kind.format(text), theirs) {
        (Ok(ours), Ok(theirs)) if ours == theirs => {}
        (Err(ours), Err(theirs)) if error_lines(ours.clone()) == theirs => {}
        (ours, theirs) => failures.push(format!(
            "{label}: -fmt differs\nours: {ours:#?}\ngo:   {theirs:#?}"
        )),
    }
    failures
}

#[test]
fn xmod_testdata_matches_live_go() {
    let Some(go) = go_or_skip("xmod_testdata_matches_live_go") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let testdata = corpus().join("x-mod-testdata/modfile/testdata");
    let mut inputs = Vec::new();
    for (dir, kind) in [
        (testdata.clone(), Kind::Mod),
        (testdata.join("work"), Kind::Work),
    ] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                inputs.push((path, kind));
            }
        }
    }
    inputs.sort();
    assert!(inputs.len() >= 30, "x/mod test data is missing");
    let mut failures = Vec::new();
    for (path, kind) in &inputs {
        let text = std::fs::read(path).unwrap();
        let label = format!("{path:?}");
        failures.extend(compare_with_go(
            &go,
            work.path(),
            *kind,
            &label,
            &text,
            &mut Vec::new(),
        ));
    }
    eprintln!(
        "x/mod test data: {}/{} files equal go's -json and -fmt answers",
        inputs.len() - failures.len().min(inputs.len()),
        inputs.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Hand-written go.mod files covering every directive message (and some valid corner cases).
const GOMOD_CASES: &[&str] = &[
    // module
    "module\n",
    "module a b\n",
    "module a\nmodule b\n",
    "module a'b\n",
    "module \"a\\q\"\n",
    "module \"example.com/quoted\"\n",
    "module (\n\tx\n\ty\n)\n",
    "module (\n)\n",
    "// Deprecated: use b instead.\n// more text\n//\n// other\nmodule a\n",
    "module a // Deprecated: suffix form\n",
    "//Deprecated:x\nmodule a\n",
    "// Deprecated:\nmodule a\n",
    "// x Deprecated: y\nmodule a\n",
    "// intro\n//\n//\n// Deprecated: <b> & \"c\"\nmodule a\n",
    "// block comment\n// Deprecated: from the block\nmodule (\n\ta\n)\n",
    // go
    "go\n",
    "go 1.21 1.22\n",
    "go 1.21\ngo 1.22\n",
    "go 1\n",
    "go 1.021\n",
    "go 1.21.0-rc1\n",
    "go go1.21\n",
    "go v1.21\n",
    "go 1.21.a1\n",
    "go \"1.21\"\n",
    "go 1.21rc1\ngo 2\n",
    "go (\n\t1.21\n)\n",
    "module m\n\ngo 1.21.0rc1\n",
    // toolchain
    "toolchain\n",
    "toolchain go1.21 go1.22\n",
    "toolchain go1x\n",
    "toolchain gox1\n",
    "toolchain go1.21\ntoolchain go1.22\n",
    "toolchain default\n",
    "toolchain go1.21.0-gccgo\n",
    "toolchain (\n\tgo1.21\n)\n",
    // godebug
    "godebug\n",
    "godebug a\n",
    "godebug \"a=b\"\n",
    "godebug a=b,c\n",
    "godebug a='b'\n",
    "godebug a=b c=d\n",
    "godebug =x\ngodebug x=y=z\n",
    "godebug (\n\ta=1\n\tb\n\tc=3\n)\n",
    // require and exclude
    "require a.com/x\n",
    "require a.com/x v1.0.0 v2.0.0\n",
    "require a.com/h v1.2-pre\n",
    "require a.com/c v2.0.0\n",
    "require a.com/d/v2 v1.0.0\n",
    "require a.com/x/v1 v1.0.0\n",
    "require a.com/x/v0 v0.1.0\n",
    "require a.com/x/v2.1 v2.1.0\n",
    "require gopkg.in/yaml v1.0.0\n",
    "require gopkg.in/yaml.v2 v1.0.0\n",
    "require gopkg.in/yaml.v1 v0.0.0-20190101000000-abcdefabcdef\n",
    "require gopkg.in/yaml.v3-unstable v3.0.0\n",
    "require a.com/f/v2 v2.0.0+incompatible\n",
    "require a.com/f v2.0.0+incompatible\n",
    "require a.com/x master\n",
    "require \"a.com/x\" \"v1\"\nrequire a.com/y v1.2.3+meta\n",
    "require a'b v1.0.0\n",
    "require a.com/x v1'0\n",
    "require a.com/x \"v1\\q\"\n",
    "require a.com/x/v1 vbad\n",
    "require (\n\ta.com/x v1.x\n\ta.com/y/v3 v2.0.0\n\tbad\n)\n",
    "require (\n\tb.com/x v1.0.0 // indirect\n\ta.com/x v1.0.0 //indirect\n\tc.com/x v1.0.0 // indirect; note\n\td.com/x v1.0.0 // indirect note\n\te.com/x v1.0.0 // INDIRECT\n\tf.com/x v1.0.0 // c1 // indirect\n\ta.com/x v1.0.0\n)\n",
    "exclude a.com/x\n",
    "exclude a.com/x vbad\n",
    "exclude a.com/c v2.0.0\n",
    "go 1.21\nexclude (\n\ta.com/x v1.10.0\n\ta.com/x v1.9.0\n\ta.com/x v1.9.0\n\tb.com/x v1.0.0\n)\n",
    "go 1.20\nexclude (\n\ta.com/x v1.10.0\n\ta.com/x v1.9.0\n)\n",
    "require \"\" v1.0.0\nexclude \"\" v1.0.0\n",
    // replace
    "replace a\n",
    "replace a b\n",
    "replace a => \n",
    "replace a => b c d\n",
    "replace a v1 b => c\n",
    "replace a v1.0.0 => b v1.0.0 extra\n",
    "replace a.com/x/v1 => ./d\n",
    "replace a.com/x v2.0.0 => ./d\n",
    "replace a.com/x vbad => ./d\n",
    "replace a.com/x => b.com/y\n",
    "replace a.com/x => b.com/y@v1.0.0\n",
    "replace a.com/x => .\\d\n",
    "replace a.com/x => C:\\d\n",
    "replace a.com/x => C:/d\n",
    "replace a.com/x => ./d v1.0.0\n",
    "replace a.com/x => ./d vbad\n",
    "replace a.com/x => b.com/y vbad\n",
    "replace a.com/x => b.com/y/v2 v1.0.0\n",
    "replace a'b => ./d\n",
    "replace a.com/x => b'c v1.0.0\n",
    "replace a.com/x => \"./quoted dir\"\n",
    "replace (\n\ta.com/x => ./a\n\ta.com/x v1.0.0 => ./b\n\ta.com/x => ./c\n\ta.com/x v1 => ./e\n)\n",
    "replace a.com/x => ../d\nreplace a.com/x => /abs\nreplace b.com/y v1.2 => c.com/z v1.3\n",
    // retract
    "retract\n",
    "retract [\n",
    "retract [ v1.0.0\n",
    "retract [v1.0.0 v1.1.0]\n",
    "retract [v1.0.0,]\n",
    "retract [v1.0.0,\n",
    "retract [v1.0.0\n",
    "retract [v1.0.0, v1.1.0\n",
    "retract v1.0.0 x\n",
    "retract [v1.0.0, v1.1.0] x\n",
    "retract a'b\n",
    "retract \"\\q\"\n",
    "retract foo\nretract [bar, baz]\nretract v1.3\nretract \"v1.0.0\"\nretract \"a b\"\n",
    "module m\n\nretract (\n\t// rationale one\n\tv1.0.0\n\t[v1.1.0, v1.2.0] // suffix reason\n\tv1.10.0\n\t[v1.1.0, v1.3.0]\n\tv1.0.0\n)\n",
    "// block reason\nretract (\n\tv1.0.0\n\tv1.1.0\n)\n",
    "retract \"\"\n",
    // tool and ignore
    "tool\n",
    "tool a b\n",
    "tool a'b\n",
    "tool (\n\tb.com/x\n\ta.com/x\n\tb.com/x\n)\n",
    "ignore\n",
    "ignore a b\n",
    "ignore \"\\q\"\n",
    "ignore (\n\t./b\n\tvendor\n\t./b\n)\nignore vendor\n",
    // unknown directives and blocks
    "foo bar\n",
    "foo (\n\tbar\n)\n",
    "require a.com (\n\tx v1.0.0\n)\n",
    "use ./a\n",
    // several errors, lexical errors
    "module m\ngo 1\nrequire a.com/x v1.x\nreplace a\nretract [\nfoo\n",
    "module m\n/* c */\n",
    "module m\nrequire (\n\ta.com/x v1.0.0\n",
    "\u{feff}module m\n",
    "module \"m\n",
    // non-ASCII and escapes
    "module a\u{a0}b\n",
    "module \"a\\u00e9\"\nrequire \"\\x61.com/x\" v1.0.0\n",
    "module \"a\\xffb\"\n",
    "module é.com/m // Deprecated: \u{2028} <é>\n",
    // formatting corner cases
    "require (\n)\nreplace ()\n",
    "require ( // lost\n\ta.com/x v1.0.0 // kept\n)\n",
    "require (\n\ta.com/x v1.0.0\n// keep\n)\n",
    "module m\r\n\r\ngo 1.21\r\n",
    "",
];

/// Hand-written go.work files covering every go.work message.
const GOWORK_CASES: &[&str] = &[
    "go\n",
    "go 1.21 1.22\n",
    "go 1.21\ngo 1.22\n",
    "go 1.21.0-rc1\n",
    "go v1.21\n",
    "toolchain\n",
    "toolchain go1x\n",
    "toolchain go1.21\ntoolchain go1.22\n",
    "godebug\n",
    "godebug a\n",
    "godebug =x\ngodebug (\n\ta=1\n\tb,c=2\n)\n",
    "use\n",
    "use a b\n",
    "use a'b\n",
    "use \"\\q\"\n",
    "use \"\"\nuse ./a\nuse (\n\t./c\n\t./b\n\t\"./with space\"\n)\n",
    "require a.com/x v1.0.0\n",
    "module m\n",
    "exclude a.com/x v1.0.0\n",
    "retract v1.0.0\n",
    "toolchain (\n\tgo1.21\n)\n",
    "require (\n\ta.com/x v1.0.0\n)\n",
    "use a (\n\tb\n)\n",
    "replace a\n",
    "replace a.com/x => b.com/y\n",
    "replace a.com/x => ./d v1.0.0\n",
    "replace a.com/x v2.0.0 => ./d\n",
    "replace (\n\ta.com/x => ./a\n\ta.com/x => ./b\n)\n",
    "go 1.22\n\nuse ./a // comment\n\nreplace a.com/x v1.2 => b.com/y v1.3\n",
    "go 1.22\n/* c */\n",
];

/// Every message of go's directive rules (go.mod and go.work), with a distinguishing context.
const EVERY_MESSAGE: &[&str] = &[
    ": usage: module module/path",
    ": repeated module statement",
    ": invalid quoted string: unquoted string cannot contain quote",
    ": invalid quoted string: invalid syntax",
    ": go directive expects exactly one argument",
    ": repeated go statement",
    ": invalid go version '1.21.0-rc1': must match format 1.23.0",
    ": toolchain directive expects exactly one argument",
    ": repeated toolchain statement",
    ": invalid toolchain version 'go1x': must match format go1.23.0 or default",
    ": usage: godebug key=value",
    ": usage: require module/path v1.2.3",
    ": usage: exclude module/path v1.2.3",
    "go.mod:1: invalid module path",
    ": require a.com/h: version \"v1.2-pre\" invalid: must be of the form v1.2.3",
    ": exclude a.com/x: version \"vbad\" invalid: must be of the form v1.2.3",
    ": require a.com/c: version \"v2.0.0\" invalid: should be v0 or v1, not v2",
    ": require a.com/d/v2: version \"v1.0.0\" invalid: should be v2, not v1",
    ": require a.com/x: version \"v1'0\" invalid: unquoted string cannot contain quote",
    ": require a.com/x: version \"\\\"v1\\\\q\\\"\" invalid: invalid syntax",
    ": usage: replace module/path [v1.2.3] => other/module v1.4",
    "\t or replace module/path [v1.2.3] => ../local/directory",
    ": replace a.com/x/v1: invalid module path",
    ": replace a.com/x: version \"v2.0.0\" invalid: should be v0 or v1, not v2",
    ": replace a.com/x: version \"vbad\" invalid: must be of the form v1.2.3",
    ": replace b.com/y: version \"vbad\" invalid: must be of the form v1.2.3",
    ": replace ./d: version \"vbad\" invalid: must be of the form v1.2.3",
    ": replacement module must match format 'path version', not 'path@version'",
    ": replacement module without version must be directory path (rooted or starting with . or ..)",
    ": replacement directory appears to be Windows path (on a non-windows system)",
    ": replacement module directory path \"./d\" cannot have version",
    ": expected '[' or version",
    ": expected version after '['",
    ": expected ',' after version",
    ": expected version after ','",
    ": expected ']' after version",
    ": unexpected token after version: \"x\"",
    ": retract: version \"a'b\" invalid: unquoted string cannot contain quote",
    ": tool directive expects exactly one argument",
    ": ignore directive expects exactly one argument",
    ": unknown directive: foo",
    ": unknown block type: foo",
    ": unknown block type: require a.com",
    ": unknown block type: go",
    "go.work:1: unknown directive: require",
    "go.work:1: unknown block type: toolchain",
    "go.work:1: usage: use local/dir",
    "go.mod:2:2: require a.com/x: version \"v1.x\" invalid",
];

#[test]
fn invalid_inputs_match_live_go() {
    let Some(go) = go_or_skip("invalid_inputs_match_live_go") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let cases = GOMOD_CASES
        .iter()
        .map(|text| (Kind::Mod, text))
        .chain(GOWORK_CASES.iter().map(|text| (Kind::Work, text)));
    let mut count = 0;
    let mut seen_errors = Vec::new();
    for (kind, text) in cases {
        count += 1;
        let label = format!("{kind:?} {text:?}");
        failures.extend(compare_with_go(
            &go,
            work.path(),
            kind,
            &label,
            text.as_bytes(),
            &mut seen_errors,
        ));
    }
    eprintln!(
        "hand-written inputs: {count} compared, {} differences",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let missing: Vec<&str> = EVERY_MESSAGE
        .iter()
        .copied()
        .filter(|message| !seen_errors.iter().any(|line| line.contains(message)))
        .collect();
    assert!(missing.is_empty(), "no case makes go print: {missing:#?}");
}

// ---------------------------------------------------------------------------------------------
// ParseLax, through a Go program built against GOROOT's vendored x/mod.

const LAX_ORACLE_MAIN: &str = include_str!("modfile_lax_oracle/main.go");

/// Inputs where the dependency view differs from the main module's.
const LAX_CASES: &[&str] = &[
    "module m\ngo 1.18-beta\n",
    "module m\ngo v1.21.0\n",
    "module m\ngo 1.21.0-rc1\n",
    "module m\ngo 1.21.0rc1\n",
    "module m\ngo 1.2x\n",
    "module m\ngo 1.2\n",
    "module m\ngo v1\n",
    "module m\ngo 1.021\n",
    "module m\ngo 1.21 x\n",
    "module m\ntoolchain bad\ngodebug bad\nexclude bad\nreplace bad\ntool\nfoo bar\n",
    "module m\nfoo (\n\tbar\n)\nrequire x (\n\ty v1\n)\n",
    "module m\nretract [\nretract [v1.0.0,\nretract v1.0.0 extra\nretract (\n\t[v1.1.0, v1.2.0] x y\n\t(\n)\n",
    "module m\nrequire a.com/x v1\nrequire a.com/c v2.0.0\nignore\n",
    "module m\nexclude (\n\ta.com/x v1.0.0\n\ta.com/x v1.0.0\n)\nreplace a => b\n",
];

fn build_lax_oracle(go: &Path, work: &Path) -> PathBuf {
    let goroot = Command::new(go)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .args(["env", "GOROOT"])
        .output()
        .unwrap();
    assert!(goroot.status.success(), "go env GOROOT failed: {goroot:?}");
    let goroot = PathBuf::from(String::from_utf8(goroot.stdout).unwrap().trim());
    let xmod = goroot.join("src/cmd/vendor/golang.org/x/mod");
    let module = work.join("laxoracle");
    for package in ["semver", "module", "modfile", "internal/lazyregexp"] {
        let target = module.join("xmod").join(package);
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(xmod.join(package)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if !name.ends_with(".go") || name.ends_with("_test.go") {
                continue;
            }
            let source = std::fs::read_to_string(entry.path()).unwrap();
            let source = source.replace("\"golang.org/x/mod/", "\"laxoracle/xmod/");
            std::fs::write(target.join(name), source).unwrap();
        }
    }
    std::fs::write(module.join("go.mod"), "module laxoracle\n\ngo 1.24\n").unwrap();
    std::fs::write(module.join("main.go"), LAX_ORACLE_MAIN).unwrap();
    let binary = work.join("laxoracle-bin");
    let output = Command::new(go)
        .current_dir(&module)
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0")
        .env("GOPATH", work.join("gopath"))
        .env("GOMODCACHE", work.join("gopath/pkg/mod"))
        .env(
            "GOCACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-lax-oracle-cache"),
        )
        .args(["build", "-o"])
        .arg(&binary)
        .arg(".")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "building the lax oracle failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    binary
}

/// Our answer in the oracle's shape.
fn our_lax_answer(text: &[u8]) -> Value {
    let mut answer = json!({
        "Err": "", "Module": [], "Go": "", "Toolchain": "", "Godebug": [], "Require": [],
        "Exclude": [], "Replace": [], "Retract": [], "Tool": [], "Ignore": [], "Formatted": "",
    });
    let mut syntax = match read(text, "go.mod") {
        Ok(syntax) => syntax,
        Err(error) => {
            answer["Err"] = error.go_message("go.mod").into();
            return answer;
        }
    };
    let (file, errors) = parse_gomod(&mut syntax, false);
    if !errors.is_empty() {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| e.display("go.mod").to_string())
            .collect();
        answer["Err"] = lines.join("\n").into();
        return answer;
    }
    if let Some(module) = &file.module {
        answer["Module"] = json!([module.path, module.deprecated]);
    }
    if let Some(go) = &file.go {
        answer["Go"] = go.version.clone().into();
    }
    if let Some(toolchain) = &file.toolchain {
        answer["Toolchain"] = toolchain.name.clone().into();
    }
    answer["Godebug"] = file
        .godebug
        .iter()
        .map(|x| json!([x.key, x.value]))
        .collect();
    answer["Require"] = file
        .require
        .iter()
        .map(|x| {
            let indirect = if x.indirect { "indirect" } else { "direct" };
            json!([x.module.path, x.module.version, indirect])
        })
        .collect();
    answer["Exclude"] = file
        .exclude
        .iter()
        .map(|x| json!([x.module.path, x.module.version]))
        .collect();
    answer["Replace"] = file
        .replace
        .iter()
        .map(|x| json!([x.old.path, x.old.version, x.new.path, x.new.version]))
        .collect();
    answer["Retract"] = file
        .retract
        .iter()
        .map(|x| json!([x.low, x.high, x.rationale]))
        .collect();
    answer["Tool"] = file.tool.iter().map(|x| json!(x.path)).collect();
    answer["Ignore"] = file.ignore.iter().map(|x| json!(x.path)).collect();
    answer["Formatted"] = print(&syntax).into();
    answer
}

#[test]
fn lax_parsing_matches_go_parselax() {
    let Some(go) = go_or_skip("lax_parsing_matches_go_parselax") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let binary = build_lax_oracle(&go, work.path());

    let mut inputs: Vec<(String, Vec<u8>)> = LAX_CASES
        .iter()
        .chain(GOMOD_CASES)
        .map(|text| (format!("{text:?}"), text.as_bytes().to_vec()))
        .collect();
    let real = corpus().join("real");
    let mut real_files = Vec::new();
    for repo in std::fs::read_dir(&real).unwrap() {
        let repo = repo.unwrap().path();
        if repo.is_dir() {
            for entry in std::fs::read_dir(&repo).unwrap() {
                let path = entry.unwrap().path();
                if path.to_str().unwrap().ends_with("go.mod") {
                    real_files.push(path);
                }
            }
        }
    }
    real_files.sort();
    for path in real_files {
        inputs.push((format!("{path:?}"), std::fs::read(&path).unwrap()));
    }

    let input_dir = work.path().join("inputs");
    std::fs::create_dir_all(&input_dir).unwrap();
    let mut paths = Vec::new();
    for (index, (_, text)) in inputs.iter().enumerate() {
        let path = input_dir.join(format!("{index}.mod"));
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    let output = Command::new(&binary).args(&paths).output().unwrap();
    assert!(output.status.success(), "lax oracle failed: {output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let answers: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(answers.len(), inputs.len());

    let mut failures = Vec::new();
    for ((label, text), theirs) in inputs.iter().zip(&answers) {
        let ours = our_lax_answer(text);
        if &ours != theirs {
            failures.push(format!("{label}:\nours: {ours:#}\ngo:   {theirs:#}"));
        }
    }
    eprintln!(
        "ParseLax: {}/{} inputs equal go's",
        inputs.len() - failures.len(),
        inputs.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// Generated inputs: random directive lines and blocks from a small vocabulary, against live go.

/// A small deterministic generator (64-bit LCG), so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const VERBS: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
    "use",
    "foo",
];

const WORDS: &[&str] = &[
    "a.com/x",
    "a.com/x/v2",
    "a.com/x/v1",
    "b.com/y",
    "gopkg.in/y.v1",
    "gopkg.in/y.v2",
    "gopkg.in/y",
    "./d",
    "../d",
    ".\\d",
    "C:/d",
    "/abs",
    "\"q.com/x\"",
    "\"./with space\"",
    "a@v1.0.0",
    "v1",
    "v1.2",
    "v1.2.3",
    "v1.2.3+meta",
    "v2.0.0",
    "v2.0.0+incompatible",
    "v0.0.0-20190101000000-abcdefabcdef",
    "vbad",
    "\"v1.0.0\"",
    "=>",
    "=>",
    "[",
    "]",
    ",",
    "1.21",
    "1.21.0",
    "1.9",
    "1.21rc1",
    "go1.21",
    "default",
    "k=v",
    "=v",
    "a'b",
    "x",
];

const COMMENTS: &[&str] = &[
    "",
    "",
    "",
    " // indirect",
    " // note",
    " // indirect; note",
    " //",
];

fn generated_line(rng: &mut Lcg, in_block: bool) -> String {
    let count = rng.below(4) + usize::from(!in_block);
    let mut words: Vec<&str> = (0..count).map(|_| rng.pick(WORDS)).collect();
    if rng.below(3) == 0 && count >= 3 {
        // Make replace-shaped lines likely.
        words[1] = "=>";
    }
    format!("{}{}", words.join(" "), rng.pick(COMMENTS))
}

/// A line that is probably valid for `verb` (arguments only).
fn templated_line(rng: &mut Lcg, verb: &str) -> String {
    const PATHS: &[&str] = &["a.com/x", "b.com/y", "c.com/z", "\"q.com/w\""];
    const VERSIONS: &[&str] = &[
        "v1.0.0",
        "v1.10.0",
        "v1.9.0",
        "v1.2",
        "v0.1.0",
        "v1.0.0-pre",
        "v1",
    ];
    let path = rng.pick(PATHS);
    let version = rng.pick(VERSIONS);
    match verb {
        "module" => path.to_owned(),
        "go" => rng.pick(&["1.21", "1.20", "1.21.0", "1.22rc1"]).to_owned(),
        "toolchain" => rng.pick(&["go1.21.0", "default"]).to_owned(),
        "godebug" => rng.pick(&["k=v", "a=1", "=v", "x=y=z"]).to_owned(),
        "require" | "exclude" => format!("{path} {version}{}", rng.pick(COMMENTS)),
        "replace" => {
            let old = if rng.below(2) == 0 {
                path.to_owned()
            } else {
                format!("{path} {version}")
            };
            let new = match rng.below(3) {
                0 => rng.pick(&["./d", "../e", "/abs"]).to_owned(),
                _ => format!("{} {}", rng.pick(PATHS), rng.pick(VERSIONS)),
            };
            format!("{old} => {new}")
        }
        "retract" => match rng.below(2) {
            0 => format!("{version}{}", rng.pick(COMMENTS)),
            _ => format!("[{version}, {}]", rng.pick(VERSIONS)),
        },
        "use" => rng.pick(&["./a", "./b", "../c", "\"./d e\""]).to_owned(),
        _ => rng.pick(&["./a", "b/c", "x"]).to_owned(),
    }
}

fn generated_file(rng: &mut Lcg, kind: Kind) -> String {
    let mut out = String::new();
    if rng.below(2) == 0 {
        out.push_str(if kind == Kind::Mod {
            "module m\n"
        } else {
            "go 1.22\n"
        });
    }
    for _ in 0..rng.below(5) + 1 {
        if rng.below(6) == 0 {
            out.push_str(&format!(
                "// {}\n",
                rng.pick(&["c", "Deprecated: old", "x"])
            ));
        }
        let verb = match kind {
            Kind::Mod if rng.below(10) > 0 => rng.pick(&VERBS[..10]),
            Kind::Work if rng.below(10) > 0 => {
                rng.pick(&["go", "toolchain", "godebug", "use", "replace"])
            }
            _ => rng.pick(VERBS),
        };
        if rng.below(3) == 0 {
            out.push_str(&format!("{verb} (\n"));
            for _ in 0..rng.below(5) {
                if rng.below(5) == 0 {
                    out.push('\n');
                }
                out.push('\t');
                let line = if rng.below(8) == 0 {
                    generated_line(rng, true)
                } else {
                    templated_line(rng, verb)
                };
                out.push_str(&line);
                out.push('\n');
            }
            out.push_str(")\n");
        } else {
            let line = if rng.below(8) == 0 {
                generated_line(rng, false)
            } else {
                templated_line(rng, verb)
            };
            out.push_str(&format!("{verb} {line}\n"));
        }
    }
    out
}

#[test]
fn generated_inputs_match_live_go() {
    let Some(go) = go_or_skip("generated_inputs_match_live_go") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let mut rng = Lcg(20_260_827);
    let mut failures = Vec::new();
    let (mut count, mut valid) = (0, 0);
    for index in 0..400 {
        let kind = if index % 4 == 3 {
            Kind::Work
        } else {
            Kind::Mod
        };
        let text = generated_file(&mut rng, kind);
        count += 1;
        let label = format!("{kind:?} {text:?}");
        let mut errors = Vec::new();
        failures.extend(compare_with_go(
            &go,
            work.path(),
            kind,
            &label,
            text.as_bytes(),
            &mut errors,
        ));
        valid += usize::from(errors.is_empty());
    }
    eprintln!(
        "generated inputs: {count} compared ({valid} valid), {} differences",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
