//! Oracle test of the whole syntax tree: go's own modfile parser (the unexported `parse` of the
//! x/mod sources vendored in GOROOT, exposed by a one-line file added to a temporary copy) dumps
//! every statement, token, position and comment of each input as JSON, with `Format` of it before
//! and after `Cleanup`; our `read`, `print` and `cleanup` must give the same tree and text, or the
//! same first error.
//!
//! Inputs: every go.mod and go.work of the corpus, go's test data, and a few thousand generated
//! files built from the pieces that matter to the lexer and to comment attachment.
//!
//! One normalisation: go gives a blank-line marker the zero position, ours says where the blank
//! line is; markers are compared with the zero position.
//!
//! Without `go` (on PATH or in `GOMODLS_GO`) the test is skipped, except under `CI=true`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a panic is a test failure"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gomodls_syntax::modfile::ast::{
    Comment, Comments, FileSyntax, Line, Paren, Position, Statement, Token,
};
use gomodls_syntax::modfile::format::{cleanup, print};
use gomodls_syntax::modfile::read::read;
use serde_json::{Value, json};

const DUMPER: &str = r#"
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"

	"oracle/xmod/modfile"
)

type pos [3]int

func p(x modfile.Position) pos { return pos{x.Line, x.LineRune, x.Byte} }

type comment struct {
	Start  pos
	Token  string
	Suffix bool
}

type comments struct{ Before, Suffix, After []comment }

func cs(list []modfile.Comment) []comment {
	out := []comment{}
	for _, c := range list {
		out = append(out, comment{p(c.Start), c.Token, c.Suffix})
	}
	return out
}

func cc(c modfile.Comments) comments { return comments{cs(c.Before), cs(c.Suffix), cs(c.After)} }

func toks(t []string) []string {
	if t == nil {
		return []string{}
	}
	return t
}

type line struct {
	Comments   comments
	Start, End pos
	Tokens     []string
	InBlock    bool
}

func ln(l *modfile.Line) line { return line{cc(l.Comments), p(l.Start), p(l.End), toks(l.Token), l.InBlock} }

type paren struct {
	Comments comments
	Pos      pos
}

type stmt struct {
	Kind     string
	Comments comments
	Start    pos
	Line     *line   `json:",omitempty"`
	Verb     []string `json:",omitempty"`
	LParen   *paren  `json:",omitempty"`
	Lines    []line  `json:",omitempty"`
	RParen   *paren  `json:",omitempty"`
}

type file struct {
	Comments comments
	Stmts    []stmt
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		data, err := hex.DecodeString(in.Text())
		if err != nil {
			panic(err)
		}
		f, err := modfile.RawParse("go.mod", data)
		if err != nil {
			enc.Encode(map[string]string{"error": err.Error()})
			continue
		}
		res := file{Comments: cc(f.Comments), Stmts: []stmt{}}
		for _, s := range f.Stmt {
			switch s := s.(type) {
			case *modfile.CommentBlock:
				res.Stmts = append(res.Stmts, stmt{Kind: "comments", Comments: cc(s.Comments), Start: p(s.Start)})
			case *modfile.Line:
				l := ln(s)
				res.Stmts = append(res.Stmts, stmt{Kind: "line", Comments: cc(s.Comments), Start: p(s.Start), Line: &l})
			case *modfile.LineBlock:
				lines := []line{}
				for _, l := range s.Line {
					lines = append(lines, ln(l))
				}
				res.Stmts = append(res.Stmts, stmt{
					Kind: "block", Comments: cc(s.Comments), Start: p(s.Start), Verb: toks(s.Token),
					LParen: &paren{cc(s.LParen.Comments), p(s.LParen.Pos)},
					Lines:  lines,
					RParen: &paren{cc(s.RParen.Comments), p(s.RParen.Pos)},
				})
			}
		}
		formatted := string(modfile.Format(f))
		f.Cleanup()
		cleaned := string(modfile.Format(f))
		enc.Encode(map[string]any{"file": res, "format": formatted, "cleaned": cleaned})
	}
}
"#;

const EXPORT: &str = "package modfile\n\n// RawParse is the syntax parser alone.\nfunc RawParse(file string, data []byte) (*FileSyntax, error) { return parse(file, data) }\n";

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
    command
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
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-read-oracle-cache"),
        );
    command
}

fn build_dumper(go: &Path, work: &Path) -> PathBuf {
    let output = go_command(go, work)
        .args(["env", "GOROOT"])
        .output()
        .unwrap();
    assert!(output.status.success(), "go env GOROOT: {output:?}");
    let goroot = PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
    let xmod = goroot.join("src/cmd/vendor/golang.org/x/mod");
    let module = work.join("dumper");
    for package in ["semver", "module", "modfile", "internal/lazyregexp"] {
        let from = xmod.join(package);
        let to = module.join("xmod").join(package);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&from).unwrap() {
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
    std::fs::write(module.join("xmod/modfile/rawparse.go"), EXPORT).unwrap();
    std::fs::write(module.join("go.mod"), "module oracle\n\ngo 1.24\n").unwrap();
    std::fs::write(module.join("main.go"), DUMPER).unwrap();
    let binary = work.join("dumper-bin");
    let output = go_command(go, work)
        .current_dir(&module)
        .args(["build", "-o"])
        .arg(&binary)
        .arg(".")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "building the dumper failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    binary
}

fn run_dumper(binary: &Path, inputs: &[Vec<u8>]) -> Vec<Value> {
    let mut stdin = String::new();
    for input in inputs {
        for byte in input {
            stdin.push_str(&format!("{byte:02x}"));
        }
        stdin.push('\n');
    }
    let mut child = Command::new(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(stdin.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "dumper failed");
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Our tree in the dumper's shape.

fn pos(p: Position) -> Value {
    json!([p.line, p.column, p.byte])
}

fn comment_list(list: &[Comment]) -> Value {
    Value::Array(
        list.iter()
            .map(|c| {
                let start = if c.is_blank_line_marker() {
                    Position::default()
                } else {
                    c.start
                };
                json!({"Start": pos(start), "Token": c.token, "Suffix": c.suffix})
            })
            .collect(),
    )
}

fn comments(c: &Comments) -> Value {
    json!({"Before": comment_list(&c.before), "Suffix": comment_list(&c.suffix), "After": comment_list(&c.after)})
}

fn tokens(list: &[Token]) -> Value {
    Value::Array(list.iter().map(|t| Value::from(t.text.as_str())).collect())
}

fn line(l: &Line) -> Value {
    json!({
        "Comments": comments(&l.comments),
        "Start": pos(l.start),
        "End": pos(l.end),
        "Tokens": tokens(&l.tokens),
        "InBlock": l.in_block,
    })
}

fn paren(p: &Paren) -> Value {
    json!({"Comments": comments(&p.comments), "Pos": pos(p.pos)})
}

fn ours(file: &FileSyntax) -> Value {
    let statements: Vec<Value> = file
        .statements
        .iter()
        .map(|statement| match statement {
            Statement::Comments(block) => json!({
                "Kind": "comments",
                "Comments": comments(&block.comments),
                "Start": pos(block.start),
            }),
            Statement::Line(l) => json!({
                "Kind": "line",
                "Comments": comments(&l.comments),
                "Start": pos(l.start),
                "Line": line(l),
            }),
            Statement::Block(block) => {
                let mut value = json!({
                    "Kind": "block",
                    "Comments": comments(&block.comments),
                    "Start": pos(block.start),
                    "LParen": paren(&block.lparen),
                    "RParen": paren(&block.rparen),
                });
                // go leaves out empty verbs and line lists (`omitempty`).
                if !block.verb.is_empty() {
                    value["Verb"] = tokens(&block.verb);
                }
                if !block.lines.is_empty() {
                    value["Lines"] = Value::Array(block.lines.iter().map(line).collect());
                }
                value
            }
        })
        .collect();
    json!({"file": {"Comments": comments(&file.comments), "Stmts": statements}})
}

// ---------------------------------------------------------------------------------------------
// Inputs.

fn corpus_inputs() -> Vec<Vec<u8>> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut found = Vec::new();
    let mut dirs = vec![corpus];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let wanted = name.ends_with("go.mod")
                || name.ends_with("go.work")
                || name.ends_with(".fmt")
                || ((name.ends_with(".in") || name.ends_with(".golden"))
                    && path.to_string_lossy().contains("modfile/testdata"));
            if wanted {
                found.push(std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

/// Deterministic generated files from pieces that exercise the lexer, the block structure and
/// comment attachment.
fn generated_inputs(count: usize) -> Vec<Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"module",
        b"require",
        b"x",
        b"a.com/b",
        b"v1.0.0",
        b"(",
        b")",
        b"()",
        b"( )",
        b"[",
        b"]",
        b",",
        b"{",
        b"}",
        b"\n",
        b"\n",
        b"\n",
        b"\n",
        b"\n\n",
        b" ",
        b" ",
        b"\t",
        b"\r",
        b"\r\n",
        b"// c",
        b"//",
        b"// d ",
        b"\"q\"",
        b"\"a b\"",
        b"`r`",
        b"\xc3\xa9",
        b"=>",
        b"k=v",
        b"/",
        b"\\",
        b"\xff",
        b"\"\\\n\"",
        b"\t// w\n",
        b"\n)\n",
        b"(\n",
        b"x (\n\ty\n)\n",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap() % bound
    };
    (0..count)
        .map(|_| {
            let length = 1 + next(40);
            let mut input = Vec::new();
            for _ in 0..length {
                input.extend_from_slice(PIECES[next(PIECES.len())]);
            }
            input
        })
        .collect()
}

#[test]
fn syntax_trees_match_go() {
    let Some(go) = find_go() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "go not found on PATH or in GOMODLS_GO, and CI=true"
        );
        eprintln!("skipping: go not found on PATH or in GOMODLS_GO");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let dumper = build_dumper(&go, work.path());
    let mut inputs = corpus_inputs();
    assert!(inputs.len() > 300, "corpus not found");
    inputs.extend(generated_inputs(4000));
    let expected = run_dumper(&dumper, &inputs);
    assert_eq!(expected.len(), inputs.len());
    let mut failures = Vec::new();
    let mut errors = 0;
    for (input, want) in inputs.iter().zip(&expected) {
        let got = match read(input, "go.mod") {
            Ok(mut file) => {
                let mut value = ours(&file);
                value["format"] = Value::from(print(&file));
                cleanup(&mut file);
                value["cleaned"] = Value::from(print(&file));
                value
            }
            Err(error) => {
                errors += 1;
                json!({"error": error.go_message("go.mod")})
            }
        };
        if &got != want {
            failures.push(format!(
                "input {:?}\n  ours: {got}\n  go:   {want}",
                String::from_utf8_lossy(input)
            ));
        }
    }
    // The generated inputs must reach both outcomes often.
    assert!(errors > 500 && errors < 3500, "{errors} errors");
    let shown: Vec<&String> = failures.iter().take(5).collect();
    assert!(
        failures.is_empty(),
        "{} of {} trees differ; first ones:\n{}",
        failures.len(),
        inputs.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
