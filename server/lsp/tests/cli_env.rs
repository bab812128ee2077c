//! `gomodls env --json` against `go env -json` run with the same environment: process
//! variables, a user env file, derived values and defaults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use gomodls_test_utils::go::require_go;
use serde_json::Value;

const COMPARED: [&str; 10] = [
    "GOPROXY",
    "GONOPROXY",
    "GOPRIVATE",
    "GONOSUMDB",
    "GOSUMDB",
    "GOINSECURE",
    "GOPATH",
    "GOMODCACHE",
    "GOFLAGS",
    "GOTOOLCHAIN",
];

fn run(program: &Path, env: &BTreeMap<String, String>, dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(program)
        .env_clear()
        .envs(env)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// (name, variables, env file content, expected sources of some keys).
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

#[test]
fn env_json_matches_go_env_json() {
    let Some(go) = require_go("env_json_matches_go_env_json").unwrap() else {
        return;
    };
    // The toolchain's own binary (what is on PATH may be a shim needing more than PATH).
    let goroot = Command::new(&go).args(["env", "GOROOT"]).output().unwrap();
    let go_bin = Path::new(String::from_utf8(goroot.stdout).unwrap().trim()).join("bin");
    let go = go_bin.join("go");
    let gomodls = Path::new(env!("CARGO_BIN_EXE_gomodls"));
    let cases: [Case; 4] = [
        (
            "toolchain defaults",
            &[],
            None,
            &[("GOPROXY", "GOROOT go.env"), ("GOPATH", "from HOME")],
        ),
        (
            "process variables and GOPRIVATE",
            &[
                ("GOPROXY", "http://127.0.0.1:1/p,off"),
                ("GOPRIVATE", "*.corp.example,x.org/y"),
            ],
            None,
            &[("GOPROXY", "variable"), ("GONOPROXY", "from GOPRIVATE")],
        ),
        (
            "env file",
            &[("GOFLAGS", "-mod=mod")],
            Some("GOPROXY=https://a.example|https://b.example\nGOSUMDB=off\nGOINSECURE=*.lan\n"),
            &[
                ("GOPROXY", "env file"),
                ("GOSUMDB", "env file"),
                ("GOFLAGS", "variable"),
            ],
        ),
        (
            "GOPATH list and empty env file value",
            &[("GOPATH", "/tmp/gp1:/tmp/gp2")],
            Some("GOPROXY=\n"),
            &[("GOMODCACHE", "from GOPATH")],
        ),
    ];
    let mut failures = Vec::new();
    for (name, vars, file, sources) in cases {
        let temp = tempfile::tempdir().unwrap();
        let home = temp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let goenv = temp.path().join("goenv");
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        env.insert("PATH".into(), go_bin.display().to_string());
        env.insert("HOME".into(), home.display().to_string());
        env.insert("GOTOOLCHAIN".into(), "local".into());
        env.insert("GOENV".into(), goenv.display().to_string());
        if let Some(content) = file {
            std::fs::write(&goenv, content).unwrap();
        }
        for (key, value) in vars {
            env.insert((*key).into(), (*value).into());
        }
        let mut go_args = vec!["env", "-json"];
        go_args.extend(COMPARED);
        let want: BTreeMap<String, String> =
            serde_json::from_slice(&run(&go, &env, temp.path(), &go_args)).unwrap();
        let ours: Value =
            serde_json::from_slice(&run(gomodls, &env, temp.path(), &["env", "--json"])).unwrap();
        for key in COMPARED {
            let got = ours[key]["value"].as_str().unwrap_or("<missing>");
            let expected = want.get(key).map(String::as_str).unwrap_or("");
            if got != expected {
                failures.push(format!(
                    "{name}: {key}: go says {expected:?}, we say {got:?}"
                ));
            }
        }
        for (key, source) in sources {
            let got = ours[*key]["source"].as_str().unwrap_or("<missing>");
            if got != *source {
                failures.push(format!(
                    "{name}: {key}: source {got:?}, expected {source:?}"
                ));
            }
        }
        // The text form carries the same values, quoted as go quotes them.
        let text = String::from_utf8(run(gomodls, &env, temp.path(), &["env", "GOPROXY"])).unwrap();
        let go_text = String::from_utf8(run(&go, &env, temp.path(), &["env", "GOPROXY"])).unwrap();
        let line = text.lines().next().unwrap_or("");
        let go_line = format!("GOPROXY='{}'", go_text.trim_end());
        if !line.starts_with(&format!("{go_line} # ")) {
            failures.push(format!(
                "{name}: text line {line:?} does not start with {go_line:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
