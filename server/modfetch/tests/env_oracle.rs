//! `GoEnv::resolve` against `go env -json` run with the same environment: a user env file (via
//! GOENV or the config directory), GOROOT's go.env, empty values, GOPRIVATE defaults, lists.
// Test helpers outside #[test] functions unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use gomodls_modfetch::{EnvSource, GoEnv};
use gomodls_test_utils::go::require_go;

/// The variables compared with `go env`.
const COMPARED: [&str; 13] = [
    "GOPROXY",
    "GONOPROXY",
    "GOPRIVATE",
    "GONOSUMDB",
    "GOSUMDB",
    "GOINSECURE",
    "GOFLAGS",
    "GOAUTH",
    "GOMODCACHE",
    "GOPATH",
    "GOENV",
    "GOVCS",
    "GOTOOLCHAIN",
];

/// Where the env file of a case lives.
#[derive(Clone, Copy)]
enum FileAt {
    /// No env file.
    None,
    /// `$GOENV` points at it.
    Goenv,
    /// `$XDG_CONFIG_HOME/go/env`, found without GOENV.
    Xdg,
    /// `$HOME/.config/go/env`, found without GOENV.
    Home,
}

struct Case {
    name: &'static str,
    file: Option<&'static str>,
    at: FileAt,
    vars: &'static [(&'static str, &'static str)],
    /// Variables removed from the base environment.
    unset: &'static [&'static str],
}

const fn case(
    name: &'static str,
    file: Option<&'static str>,
    vars: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        file,
        at: FileAt::Goenv,
        vars,
        unset: &[],
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("defaults", None, &[]),
        case(
            "file goproxy",
            Some("GOPROXY=https://a.example,direct\n"),
            &[],
        ),
        case("file goproxy empty shadows go.env", Some("GOPROXY=\n"), &[]),
        case(
            "empty variable falls back to file",
            Some("GOPROXY=https://f.example\n"),
            &[("GOPROXY", "")],
        ),
        case(
            "variable beats file",
            Some("GOPROXY=https://f.example\n"),
            &[("GOPROXY", "https://p.example")],
        ),
        case(
            "goprivate implies nosumdb and noproxy",
            None,
            &[("GOPRIVATE", "a.com")],
        ),
        case(
            "file gonoproxy beats variable goprivate",
            Some("GONOPROXY=b.com\n"),
            &[("GOPRIVATE", "a.com")],
        ),
        case(
            "file goprivate, variable gonosumdb",
            Some("GOPRIVATE=a.com\n"),
            &[("GONOSUMDB", "c.com")],
        ),
        case(
            "empty file gonoproxy falls to goprivate",
            Some("GONOPROXY=\n"),
            &[("GOPRIVATE", "a.com")],
        ),
        case(
            "globs",
            None,
            &[("GOPRIVATE", "*.corp.example.com,example.com/private")],
        ),
        case(
            "goprivate with spaces",
            None,
            &[("GOPRIVATE", "a.com, b.com")],
        ),
        case("off", None, &[("GOPROXY", "off")]),
        case("direct", None, &[("GOPROXY", "direct")]),
        case(
            "pipe and comma list",
            None,
            &[("GOPROXY", "https://a.example|https://b.example,direct")],
        ),
        case("separators only", None, &[("GOPROXY", " , ")]),
        case("gosumdb off", None, &[("GOSUMDB", "off")]),
        case("file gosumdb empty", Some("GOSUMDB=\n"), &[]),
        case("file gosumdb", Some("GOSUMDB=sum.example.com\n"), &[]),
        case("file goauth empty is netrc", Some("GOAUTH=\n"), &[]),
        case("goauth off", None, &[("GOAUTH", "off")]),
        case("goflags", None, &[("GOFLAGS", "-mod=mod -modcacherw")]),
        case("goinsecure", None, &[("GOINSECURE", "*.insecure.example")]),
        case("gopath variable", None, &[("GOPATH", "/tmp/gomodls-gp")]),
        case("gopath list", None, &[("GOPATH", "/tmp/gp-a:/tmp/gp-b")]),
        case(
            "gomodcache in file",
            Some("GOMODCACHE=/tmp/gomodls-mc\n"),
            &[],
        ),
        case("gopath in file", Some("GOPATH=/tmp/gomodls-file-gp\n"), &[]),
        case(
            "comments, lower case, garbage",
            Some("# comment\ngoproxy=https://no\nGOPROXY https://no\n=x\nGONOSUMDB=x.com\n"),
            &[],
        ),
        case(
            "crlf stays in the value",
            Some("GOPRIVATE=crlf.example\r\n"),
            &[],
        ),
        case(
            "duplicate keys, last wins",
            Some("GOPROXY=https://first\nGOPROXY=https://second\n"),
            &[],
        ),
        case("value with equals", Some("GOFLAGS=-ldflags=-X=a=b\n"), &[]),
        case("govcs", None, &[("GOVCS", "private:all,public:git")]),
        case("gotoolchain in file", Some("GOTOOLCHAIN=go1.21.0\n"), &[]),
        case(
            "goenv off hides file",
            Some("GOPROXY=https://hidden\n"),
            &[("GOENV", "off")],
        ),
        Case {
            name: "xdg config dir",
            file: Some("GOPROXY=https://xdg.example\n"),
            at: FileAt::Xdg,
            vars: &[],
            unset: &["GOENV"],
        },
        Case {
            name: "home config dir",
            file: Some("GOPRIVATE=home.example\n"),
            at: FileAt::Home,
            vars: &[],
            unset: &["GOENV"],
        },
        Case {
            name: "relative xdg config dir",
            file: None,
            at: FileAt::None,
            vars: &[("XDG_CONFIG_HOME", "relative/dir")],
            unset: &["GOENV"],
        },
        Case {
            name: "no home",
            file: None,
            at: FileAt::None,
            vars: &[],
            unset: &["GOENV", "HOME"],
        },
        case(
            "every variable empty",
            Some("GOPRIVATE=p.com\nGOPROXY=https://f\n"),
            &[
                ("GOPROXY", ""),
                ("GOPRIVATE", ""),
                ("GONOPROXY", ""),
                ("GOSUMDB", ""),
            ],
        ),
    ]
}

fn go_env_json(go: &Path, env: &BTreeMap<String, String>, dir: &Path) -> BTreeMap<String, String> {
    let output = Command::new(go)
        .env_clear()
        .envs(env)
        .current_dir(dir)
        .arg("env")
        .arg("-json")
        .args(COMPARED)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "go env failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn env_matches_go_env() {
    let Some(go) = require_go("env_matches_go_env").unwrap() else {
        return;
    };
    let go_bin = go.canonicalize().unwrap().parent().unwrap().to_path_buf();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 30);
    for case in &all {
        let temp = tempfile::tempdir().unwrap();
        let home = temp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        env.insert("PATH".into(), go_bin.display().to_string());
        env.insert("HOME".into(), home.display().to_string());
        env.insert("GOTOOLCHAIN".into(), "local".into());
        env.insert(
            "GOENV".into(),
            temp.path().join("goenv").display().to_string(),
        );
        for key in case.unset {
            env.remove(*key);
        }
        let file_path = match case.at {
            FileAt::None => None,
            FileAt::Goenv => Some(temp.path().join("goenv")),
            FileAt::Xdg => {
                let xdg = temp.path().join("xdg");
                env.insert("XDG_CONFIG_HOME".into(), xdg.display().to_string());
                Some(xdg.join("go").join("env"))
            }
            FileAt::Home => Some(home.join(".config").join("go").join("env")),
        };
        if let (Some(path), Some(content)) = (&file_path, case.file) {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        for (key, value) in case.vars {
            env.insert((*key).into(), (*value).into());
        }
        let expected = go_env_json(&go, &env, temp.path());
        let ours = GoEnv::resolve(env.clone(), &BTreeMap::new());
        for key in COMPARED {
            let want = expected.get(key).cloned().unwrap_or_default();
            let got = ours.value(key);
            if got != want {
                failures.push(format!(
                    "{}: {key}: go env says {want:?}, we say {got:?}",
                    case.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn sources_are_recorded() {
    let Some(go) = require_go("sources_are_recorded").unwrap() else {
        return;
    };
    let go_bin = go.canonicalize().unwrap().parent().unwrap().to_path_buf();
    let temp = tempfile::tempdir().unwrap();
    let env_file = temp.path().join("goenv");
    std::fs::write(&env_file, "GONOSUMDB=file.example\nGOSUMDB=\n").unwrap();
    let process = [
        ("PATH", go_bin.display().to_string()),
        ("HOME", temp.path().display().to_string()),
        ("GOENV", env_file.display().to_string()),
        ("GOPRIVATE", "private.example".to_owned()),
        ("GOINSECURE", String::new()),
    ];
    let overrides = BTreeMap::from([("GOFLAGS".to_owned(), "-mod=readonly".to_owned())]);
    let env = GoEnv::resolve(process, &overrides);
    let source = |key: &str| env.get(key).unwrap().source.clone();
    assert!(
        matches!(source("GOPROXY"), EnvSource::GorootGoEnv(_)),
        "{:?}",
        source("GOPROXY")
    );
    assert_eq!(source("GONOSUMDB"), EnvSource::EnvFile(env_file.clone()));
    assert_eq!(source("GOSUMDB"), EnvSource::EnvFile(env_file.clone()));
    assert_eq!(env.gosumdb(), "");
    assert_eq!(source("GOPRIVATE"), EnvSource::Process);
    assert_eq!(source("GONOPROXY"), EnvSource::DerivedFrom("GOPRIVATE"));
    assert_eq!(source("GOFLAGS"), EnvSource::Setting);
    assert_eq!(env.goflag("mod").as_deref(), Some("readonly"));
    assert_eq!(source("GOAUTH"), EnvSource::Default);
    assert_eq!(source("GOMODCACHE"), EnvSource::DerivedFrom("GOPATH"));
    assert_eq!(source("GOINSECURE"), EnvSource::Default);
    assert!(env.goroot_go_env().is_some());
}

#[test]
fn without_a_toolchain_go_documented_defaults_apply() {
    let temp = tempfile::tempdir().unwrap();
    let process = [
        ("PATH", temp.path().display().to_string()),
        ("HOME", temp.path().display().to_string()),
    ];
    let env = GoEnv::resolve(process, &BTreeMap::new());
    assert_eq!(env.goproxy(), "https://proxy.golang.org,direct");
    assert_eq!(env.gosumdb(), "sum.golang.org");
    assert_eq!(env.get("GOPROXY").unwrap().source, EnvSource::Default);
    assert!(env.goroot_go_env().is_none());
    // An empty value in the user file still shadows the default, as it shadows go.env.
    let file = temp.path().join(".config/go/env");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "GOPROXY=\n").unwrap();
    let process = [
        ("PATH", temp.path().display().to_string()),
        ("HOME", temp.path().display().to_string()),
    ];
    let env = GoEnv::resolve(process, &BTreeMap::new());
    assert_eq!(env.goproxy(), "");
    assert_eq!(env.get("GOPROXY").unwrap().source, EnvSource::EnvFile(file));
}

#[test]
fn settings_override_everything_but_empty_settings_do_not() {
    let temp = tempfile::tempdir().unwrap();
    let process = [
        ("HOME", temp.path().display().to_string()),
        ("GOPROXY", "https://process.example".to_owned()),
    ];
    let overrides = BTreeMap::from([
        ("GOPROXY".to_owned(), "https://setting.example".to_owned()),
        ("GOPRIVATE".to_owned(), "setting.example".to_owned()),
        ("GONOSUMDB".to_owned(), String::new()),
    ]);
    let env = GoEnv::resolve(process, &overrides);
    assert_eq!(env.goproxy(), "https://setting.example");
    assert_eq!(env.get("GOPROXY").unwrap().source, EnvSource::Setting);
    assert_eq!(env.gonoproxy(), "setting.example");
    assert_eq!(env.gonosumdb(), "setting.example");
    assert!(env.is_noproxy("setting.example/x"));
    assert!(!env.is_noproxy("settingexample/x"));
}

#[test]
fn goflags_errors_are_go_words() {
    let temp = tempfile::tempdir().unwrap();
    let resolve = |flags: &str| {
        GoEnv::resolve(
            [
                ("HOME", temp.path().display().to_string()),
                ("GOFLAGS", flags.to_owned()),
            ],
            &BTreeMap::new(),
        )
    };
    assert_eq!(
        resolve("mod=mod").goflags().unwrap_err().to_string(),
        "parsing $GOFLAGS: non-flag \"mod=mod\""
    );
    assert_eq!(
        resolve("-x 'y").goflags().unwrap_err().to_string(),
        "parsing $GOFLAGS: unterminated ' string"
    );
    assert_eq!(
        resolve("-mod=vendor -mod=mod").goflag("mod").as_deref(),
        Some("mod")
    );
}
