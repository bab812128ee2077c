//! The command line, run as a user runs it: `gomodls parse`, `gomodls check` and `gomodls fmt`
//! against the real-world corpus, the x/mod test data and a live go command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::Context as _;
use gomodls_test_utils::go::{go_command, require_go};
use serde_json::{Value, json};

use crate::binary;

fn gomodls(arguments: &[&str], directory: &Path) -> anyhow::Result<Output> {
    Command::new(binary())
        .args(arguments)
        .current_dir(directory)
        // Tests never reach the internet.
        .env("GOPROXY", "off")
        .output()
        .context("run gomodls")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Every file of the real corpus whose name ends with `suffix` (`go.mod`, `go.work`, `go.sum`).
fn corpus_files(suffix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for repo in std::fs::read_dir(corpus().join("real"))? {
        let repo = repo?.path();
        if !repo.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&repo)? {
            let path = entry?.path();
            if path.to_string_lossy().ends_with(suffix) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[test]
fn parse_json_equals_go_on_the_real_corpus() -> anyhow::Result<()> {
    let mut files = corpus_files("go.mod")?;
    files.extend(corpus_files("go.work")?);
    assert!(
        files.len() > 300,
        "the corpus is incomplete: {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let kind = if file.to_string_lossy().ends_with("go.work") {
            "gowork"
        } else {
            "gomod"
        };
        let path = file.to_string_lossy();
        let output = gomodls(&["parse", "--json", "--kind", kind, &path], Path::new("."))?;
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{path}.json"))?)?;
        let ours: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        if !output.status.success() || ours != expected {
            failures.push(format!("{path}: {}", stderr(&output)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    Ok(())
}

#[test]
fn every_corpus_go_sum_parses_cleanly_and_round_trips() -> anyhow::Result<()> {
    let files = corpus_files(".sum")?;
    assert!(
        files.len() > 40,
        "the corpus is incomplete: {}",
        files.len()
    );
    for file in &files {
        let path = file.to_string_lossy();
        let tree = gomodls(&["parse", "--kind", "gosum", &path], Path::new("."))?;
        assert!(tree.status.success(), "{path}: {}", stderr(&tree));
        let sexp = stdout(&tree);
        assert!(
            !sexp.contains("ERROR") && !sexp.contains("MISSING"),
            "{path}: {sexp}"
        );
        let output = gomodls(
            &["parse", "--json", "--kind", "gosum", &path],
            Path::new("."),
        )?;
        assert!(output.status.success(), "{path}: {}", stderr(&output));
        let entries: Vec<Value> = serde_json::from_slice(&output.stdout)?;
        let written: Vec<String> = entries
            .iter()
            .map(|entry| {
                let go_mod = if entry["GoMod"] == json!(true) {
                    "/go.mod"
                } else {
                    ""
                };
                format!(
                    "{} {}{go_mod} {}",
                    entry["Path"].as_str().unwrap_or(""),
                    entry["Version"].as_str().unwrap_or(""),
                    entry["Hash"].as_str().unwrap_or("")
                )
            })
            .collect();
        let text = std::fs::read_to_string(file)?;
        let lines: Vec<String> = text
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect();
        assert_eq!(written, lines, "{path}");
    }
    Ok(())
}

/// Files go rejects, each with the line of go's first error.
const BROKEN: &[&str] = &[
    "module m\nrequire a.com/x v1.0.0 /* c */\n",
    "\u{feff}module m\n",
    "module m\nrequire (\n\ta.com/x v1.0.0\n",
    "module m\nrequire a.com/x \"v1.0.0\n",
    "module m\nrequire ( a.com/x v1.0.0 )\n",
    "module m\nrequre a.com/x v1.0.0\n",
    "module m\nmodule n\n",
    "module m\ngo 1.21\ngo 1.22\n",
    "module m\ngo 1.21.0-rc1\n",
    "module m\ntoolchain go2\n",
    "module m\nrequire a.com/x v1.2-pre\n",
    "module m\nrequire a.com/x v2.0.0\n",
    "module m\nrequire a.com/x/v2 v1.0.0\n",
    "module m\nexclude a.com/x/v1 v1.0.0\n",
    "module m\nreplace a.com/x => b.com/y\n",
    "module m\nreplace a.com/x => ./y v1.0.0\n",
    "module m\nreplace a.com/x=>./y\n",
    "module m\nretract v1.0.0 v1.1.0\n",
    "module m\nretract [v1.0.0, v1.1.0\n",
    "module m\nretract (\n\t[v1.0.0 v1.1.0]\n)\n",
    "module `m`\n",
    "module m\ngodebug x\n",
    "module m\ntool a b\n",
    "module m\nignore\n",
    "module m\ngo (\n\t1.21\n)\n",
    "module m\nrequire x (\n)\n",
    "module m\n)\n",
    "module m\nrequire (\n) x\n",
    "module m\nrequire a.com/x v1.0.0\rgo 1.21\n",
    "module m\nrequire a.com/x \"v1\\q\"\n",
    "module m\n\u{a0}\n",
];

#[test]
fn rejected_files_get_go_s_error_lines() -> anyhow::Result<()> {
    let Some(go) = require_go("rejected_files_get_go_s_error_lines").map_err(anyhow::Error::msg)?
    else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let cache = work.path().join("cache");
    let mut inputs: Vec<(String, Vec<u8>)> = BROKEN
        .iter()
        .enumerate()
        .map(|(index, text)| (format!("broken {index}"), text.as_bytes().to_vec()))
        .collect();
    let testdata = corpus().join("x-mod-testdata/modfile/testdata");
    for entry in std::fs::read_dir(&testdata)? {
        let path = entry?.path();
        if path.is_file() {
            inputs.push((path.display().to_string(), std::fs::read(&path)?));
        }
    }
    let mut rejected = 0;
    for (label, text) in &inputs {
        std::fs::write(work.path().join("go.mod"), text)?;
        let theirs = go_command(&go, work.path(), &cache)
            .current_dir(work.path())
            .args(["mod", "edit", "-json", "go.mod"])
            .output()?;
        let ours = gomodls(&["parse", "--json", "go.mod"], work.path())?;
        if theirs.status.success() {
            assert!(
                ours.status.success(),
                "{label}: go accepts, we say {}",
                stderr(&ours)
            );
            let expected: Value = serde_json::from_slice(&theirs.stdout)?;
            let got: Value = serde_json::from_slice(&ours.stdout)?;
            assert_eq!(got, expected, "{label}");
            continue;
        }
        rejected += 1;
        assert_eq!(ours.status.code(), Some(1), "{label}: {}", stderr(&ours));
        let go_lines: Vec<String> = stderr(&theirs).lines().skip(1).map(str::to_owned).collect();
        let our_lines: Vec<String> = stderr(&ours).lines().map(str::to_owned).collect();
        assert_eq!(our_lines, go_lines, "{label}");
        // The S-expression mode reports the same lines.
        let tree = gomodls(&["parse", "go.mod"], work.path())?;
        assert_eq!(tree.status.code(), Some(1), "{label}");
        assert_eq!(stderr(&tree), stderr(&ours), "{label}");
    }
    assert!(rejected >= 30, "only {rejected} inputs were rejected by go");
    Ok(())
}

#[test]
fn parse_prints_the_tree_and_refuses_bad_usage() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    std::fs::write(work.path().join("go.mod"), "module m\n")?;
    let output = gomodls(&["parse", "go.mod"], work.path())?;
    assert!(output.status.success());
    assert!(
        stdout(&output).starts_with("(source_file"),
        "{}",
        stdout(&output)
    );
    std::fs::write(work.path().join("x.txt"), "module m\n")?;
    assert_eq!(
        gomodls(&["parse", "x.txt"], work.path())?.status.code(),
        Some(2)
    );
    assert_eq!(
        gomodls(&["parse", "missing.mod"], work.path())?
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        gomodls(&["parse", "--bogus", "go.mod"], work.path())?
            .status
            .code(),
        Some(2)
    );
    let kind = gomodls(&["parse", "--kind", "gomod", "x.txt"], work.path())?;
    assert!(kind.status.success(), "{}", stderr(&kind));
    Ok(())
}

/// A tree with problems: errors in one module, a warning in another, ignored directories.
fn write_tree(root: &Path) -> anyhow::Result<()> {
    let write = |path: &str, text: &str| -> anyhow::Result<()> {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().context("no parent")?)?;
        std::fs::write(path, text)?;
        Ok(())
    };
    write(
        "a/go.mod",
        "module example.com/a\n\ngo 1.22\n\nrequire example.com/x v1.2\n",
    )?;
    write(
        "b/go.mod",
        "module example.com/b\n\nrequire example.com/é v2.0.0\n",
    )?;
    write("b/go.sum", "example.com/x v1.0.0 h1:abc\n")?;
    write("vendor/go.mod", "broken (\n")?;
    write("a/testdata/go.mod", "broken (\n")?;
    write(".hidden/go.mod", "broken (\n")?;
    Ok(())
}

#[test]
fn check_reports_in_three_formats_with_exit_codes() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    write_tree(work.path())?;

    let human = gomodls(&["check"], work.path())?;
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    assert_eq!(
        stdout(&human),
        "a/go.mod:5:23: warning: version \"v1.2\" is not canonical: go rewrites it as v1.2.0 [non-canonical-version]\n\
         b/go.mod:3:23: error: require example.com/é: version \"v2.0.0\" invalid: should be v0 or v1, not v2 [major-version-mismatch]\n\
         b/go.sum:1:22: error: malformed h1 hash \"h1:abc\": want the base64 encoding of a 32-byte SHA-256 sum: no download can match it [invalid-sum-hash]\n"
    );

    let json_output = gomodls(
        &["check", "--format", "json", "--offline", "b/go.mod"],
        work.path(),
    )?;
    assert_eq!(json_output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&json_output.stdout)?;
    assert_eq!(
        report,
        json!([{
            "path": "b/go.mod",
            "range": {"start": {"line": 3, "column": 23}, "end": {"line": 3, "column": 29}},
            "severity": "error",
            "code": "major-version-mismatch",
            "source": "go",
            "message": "require example.com/é: version \"v2.0.0\" invalid: should be v0 or v1, not v2",
        }])
    );

    let warnings_only = gomodls(&["check", "--format=json", "a"], work.path())?;
    assert_eq!(
        warnings_only.status.code(),
        Some(0),
        "{}",
        stderr(&warnings_only)
    );

    let sarif = gomodls(&["check", "--format", "sarif"], work.path())?;
    assert_eq!(sarif.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&sarif.stdout)?;
    validate_sarif(&log)?;
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["ruleId"], "major-version-mismatch");
    assert_eq!(results[1]["level"], "error");
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"],
        json!({"startLine": 3, "startColumn": 23, "endLine": 3, "endColumn": 29})
    );

    assert_eq!(
        gomodls(&["check", "nowhere"], work.path())?.status.code(),
        Some(2)
    );
    assert_eq!(
        gomodls(&["check", "--format", "xml"], work.path())?
            .status
            .code(),
        Some(2)
    );
    let clean = tempfile::tempdir()?;
    std::fs::write(
        clean.path().join("go.mod"),
        "module example.com/c\n\ngo 1.22\n",
    )?;
    assert_eq!(gomodls(&["check"], clean.path())?.status.code(), Some(0));
    Ok(())
}

/// Validates a SARIF log against the SARIF 2.1.0 JSON schema named by `GOMODLS_SARIF_SCHEMA`
/// (`scripts/install-tools` fetches it from a registry package); without it the structural
/// checks alone run, except under `CI=true`, where the schema is required.
fn validate_sarif(log: &Value) -> anyhow::Result<()> {
    assert_eq!(log["version"], "2.1.0");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for result in log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let index = result["ruleIndex"].as_u64().context("ruleIndex")?;
        assert_eq!(rules[usize::try_from(index)?]["id"], result["ruleId"]);
    }
    let Some(schema_path) = std::env::var_os("GOMODLS_SARIF_SCHEMA") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "GOMODLS_SARIF_SCHEMA is required under CI=true (scripts/install-tools sets it)"
        );
        eprintln!("SARIF schema validation skipped: GOMODLS_SARIF_SCHEMA unset");
        return Ok(());
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path)?)?;
    let validator =
        jsonschema::validator_for(&schema).map_err(|error| anyhow::anyhow!("{error}"))?;
    let problems: Vec<String> = validator
        .iter_errors(log)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(problems.is_empty(), "SARIF invalid: {problems:#?}");
    // The validator does see mistakes: a level SARIF does not have.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(!validator.is_valid(&broken));
    Ok(())
}

#[test]
fn fmt_lists_diffs_writes_and_leaves_broken_files_alone() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let messy = "module   example.com/m\ngo 1.22\nrequire (\n\texample.com/b v1.0.0\n\texample.com/a v1.2\n)\n";
    let tidy = "module example.com/m\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.2.0\n\texample.com/b v1.0.0\n)\n";
    std::fs::write(work.path().join("go.mod"), messy)?;
    std::fs::create_dir(work.path().join("ok"))?;
    std::fs::write(work.path().join("ok/go.mod"), "module example.com/ok\n")?;

    let printed = gomodls(&["fmt", "go.mod"], work.path())?;
    assert!(printed.status.success());
    assert_eq!(stdout(&printed), tidy);

    let listed = gomodls(&["fmt", "-l"], work.path())?;
    assert_eq!(stdout(&listed), "go.mod\n");

    let diff = gomodls(&["fmt", "-d", "go.mod"], work.path())?;
    let diff = stdout(&diff);
    assert!(
        diff.starts_with("diff go.mod.orig go.mod\n--- go.mod.orig\n+++ go.mod\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-\texample.com/a v1.2\n") && diff.contains("+\texample.com/a v1.2.0\n"),
        "{diff}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            work.path().join("go.mod"),
            std::fs::Permissions::from_mode(0o640),
        )?;
    }
    let written = gomodls(&["fmt", "-w", "."], work.path())?;
    assert!(written.status.success(), "{}", stderr(&written));
    assert_eq!(std::fs::read_to_string(work.path().join("go.mod"))?, tidy);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(work.path().join("go.mod"))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    let leftovers: Vec<_> = std::fs::read_dir(work.path())?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".gomodls"))
        .collect();
    assert!(leftovers.is_empty());

    let broken = "module m\nrequire (\n\ta.com/x v1.0.0\n";
    std::fs::write(work.path().join("go.mod"), broken)?;
    let refused = gomodls(&["fmt", "-w", "go.mod"], work.path())?;
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        stderr(&refused),
        "go.mod:4: syntax error (unterminated block started at go.mod:2:1)\n"
    );
    assert_eq!(std::fs::read_to_string(work.path().join("go.mod"))?, broken);
    assert_eq!(gomodls(&["fmt", "-x"], work.path())?.status.code(), Some(2));
    Ok(())
}

#[test]
fn fmt_equals_go_on_the_corpus() -> anyhow::Result<()> {
    let mut files = corpus_files("go.mod")?;
    files.extend(corpus_files("go.work")?);
    let mut failures = Vec::new();
    for file in &files {
        let path = file.to_string_lossy();
        let kind = if path.ends_with("go.work") {
            "go.work"
        } else {
            "go.mod"
        };
        // `fmt` picks the kind from the name: format a copy with the right name.
        let work = tempfile::tempdir()?;
        std::fs::copy(file, work.path().join(kind))?;
        let output = gomodls(&["fmt", kind], work.path())?;
        let expected = std::fs::read(format!("{path}.fmt")).or_else(|_| std::fs::read(file))?;
        if !output.status.success() || output.stdout != expected {
            failures.push(path.into_owned());
        }
    }
    assert!(
        failures.is_empty(),
        "{} differ: {failures:#?}",
        failures.len()
    );

    // go.sum files are written in go's order already.
    for file in corpus_files(".sum")? {
        let work = tempfile::tempdir()?;
        std::fs::copy(&file, work.path().join("go.sum"))?;
        let output = gomodls(&["fmt", "-l", "go.sum"], work.path())?;
        assert!(output.status.success(), "{}", file.display());
    }

    let Some(go) = require_go("fmt_equals_go_on_the_corpus").map_err(anyhow::Error::msg)? else {
        return Ok(());
    };
    let work = tempfile::tempdir()?;
    let cache = work.path().join("cache");
    let testdata = corpus().join("x-mod-testdata/modfile/testdata");
    let mut compared = 0;
    for (directory, name, command) in [
        (testdata.clone(), "go.mod", "mod"),
        (testdata.join("work"), "go.work", "work"),
    ] {
        for entry in std::fs::read_dir(&directory)? {
            let path = entry?.path();
            if path.extension().is_none_or(|extension| extension != "in") {
                continue;
            }
            std::fs::copy(&path, work.path().join(name))?;
            let theirs = go_command(&go, work.path(), &cache)
                .current_dir(work.path())
                .env("GOWORK", "")
                .args([command, "edit", "-fmt", "-print", name])
                .output()?;
            let ours = gomodls(&["fmt", name], work.path())?;
            assert_eq!(
                ours.status.success(),
                theirs.status.success(),
                "{}",
                path.display()
            );
            assert_eq!(stdout(&ours), stdout(&theirs), "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared >= 15, "compared only {compared}");
    Ok(())
}
