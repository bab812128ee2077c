//! The go command, pointed at a [`TestProxy`], downloads, lists and resolves modules exactly as
//! it would from a real proxy: versions, retractions, deprecations, updates, revision queries,
//! `!`-escaped paths, `+incompatible` and pseudo-version-only modules, and go.sum hashes that
//! agree with an independent `h1:` computation.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context as _, bail, ensure};
use base64::Engine as _;
use gomodls_test_utils::proxy::{Fault, FaultRule, Fixture, FixtureVersion, TestProxy};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

const PSEUDO_HELLO: &str = "v1.1.1-0.20240102030405-0123456789ab";
const FULL_HASH: &str = "0123456789abcdef0123456789abcdef01234567";
const PSEUDO_ONLY: &str = "v0.0.0-20230102030405-abcdefabcdef";

fn fixture() -> Fixture {
    let go_mod = |path: &str| format!("module {path}\n\ngo 1.21\n");
    let hello = |version: &str| {
        FixtureVersion::new("example.com/hello", version)
            .go_mod(go_mod("example.com/hello"))
            .file(
                "hello.go",
                format!("package hello\n\nconst Version = \"{version}\"\n"),
            )
    };
    let ret = |version: &str, go_mod_text: &str| {
        FixtureVersion::new("example.com/ret", version)
            .go_mod(go_mod_text)
            .file("ret.go", "package ret\n")
    };
    Fixture::new()
        .with(hello("v1.0.0"))
        .with(hello("v1.1.0"))
        .with(hello(PSEUDO_HELLO).revision("master").revision(FULL_HASH))
        .with(ret("v1.0.0", &go_mod("example.com/ret")))
        .with(ret("v1.1.0", &go_mod("example.com/ret")))
        .with(ret(
            "v1.2.0",
            "module example.com/ret\n\ngo 1.21\n\nretract [v1.1.0, v1.2.0] // v1.1.0 was broken\n",
        ))
        .with(FixtureVersion::new("example.com/dep", "v1.0.0").go_mod(go_mod("example.com/dep")))
        .with(FixtureVersion::new("example.com/dep", "v1.1.0").go_mod(
            "// Deprecated: use example.com/dep2 instead.\nmodule example.com/dep\n\ngo 1.21\n",
        ))
        .with(FixtureVersion::new("example.com/inc", "v1.0.0").file("inc.go", "package inc\n"))
        .with(
            FixtureVersion::new("example.com/inc", "v2.0.0+incompatible")
                .file("inc.go", "package inc\n")
                .file("sub/sub.go", "package sub\n"),
        )
        .with(
            FixtureVersion::new("example.com/hello/v2", "v2.0.0")
                .go_mod(go_mod("example.com/hello/v2"))
                .file("hello.go", "package hello\n"),
        )
        .with(
            FixtureVersion::new("example.com/Azure/sdk", "v1.0.0")
                .go_mod(go_mod("example.com/Azure/sdk"))
                .file("sdk.go", "package sdk\n"),
        )
        .with(
            FixtureVersion::new("example.com/Azure/sdk", "v1.1.0-RC1")
                .go_mod(go_mod("example.com/Azure/sdk"))
                .file("sdk.go", "package sdk\n"),
        )
        .with(
            FixtureVersion::new("example.com/pseudo", PSEUDO_ONLY)
                .go_mod(go_mod("example.com/pseudo"))
                .file("p.go", "package pseudo\n"),
        )
        .with(
            FixtureVersion::new("example.com/pre", "v0.1.0-alpha")
                .go_mod(go_mod("example.com/pre")),
        )
        .with(
            FixtureVersion::new("example.com/pre", "v0.1.0-beta.1")
                .go_mod(go_mod("example.com/pre")),
        )
}

/// The modules the main module requires, at the required versions.
const REQUIRED: &[(&str, &str)] = &[
    ("example.com/Azure/sdk", "v1.0.0"),
    ("example.com/dep", "v1.0.0"),
    ("example.com/hello", "v1.0.0"),
    ("example.com/hello/v2", "v2.0.0"),
    ("example.com/inc", "v2.0.0+incompatible"),
    ("example.com/pre", "v0.1.0-alpha"),
    ("example.com/pseudo", PSEUDO_ONLY),
    ("example.com/ret", "v1.1.0"),
];

/// `h1:` over named files, written from the definition (sorted names, `SHA256HEX  NAME\n`
/// summary lines, SHA-256 of the summary, standard base64).
fn h1(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut summary = String::new();
    for (name, content) in files {
        let digest = Sha256::digest(content);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        summary.push_str(&format!("{hex}  {name}\n"));
    }
    let digest = Sha256::digest(summary.as_bytes());
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn expected_sums(fixture: &Fixture, path: &str, version: &str) -> anyhow::Result<(String, String)> {
    let fixture_version = fixture
        .version(path, version)
        .context("version not in fixture")?;
    let zip_files: BTreeMap<String, Vec<u8>> = fixture_version
        .files
        .iter()
        .map(|(name, content)| (format!("{path}@{version}/{name}"), content.clone()))
        .collect();
    let go_mod = BTreeMap::from([("go.mod".to_owned(), fixture_version.mod_file())]);
    Ok((h1(&zip_files), h1(&go_mod)))
}

#[test]
fn h1_matches_values_the_go_command_printed() {
    // The module of the behaviour reference's file:// proxy recipe, whose sums go printed.
    let zip_files = BTreeMap::from([
        (
            "example.com/hello@v1.0.0/go.mod".to_owned(),
            b"module example.com/hello\n\ngo 1.21\n".to_vec(),
        ),
        (
            "example.com/hello@v1.0.0/hello.go".to_owned(),
            b"package hello\n\nfunc Hi() string { return \"hi\" }\n".to_vec(),
        ),
    ]);
    assert_eq!(
        h1(&zip_files),
        "h1:TkfvMK7Qu7fEaTEra/gSXr8wA/Xu1xybPI+AGkwzvto="
    );
    let go_mod = BTreeMap::from([(
        "go.mod".to_owned(),
        b"module example.com/hello\n\ngo 1.21\n".to_vec(),
    )]);
    assert_eq!(
        h1(&go_mod),
        "h1:NnGvEkTHyKKlgPcQSue0skqyqiS1EfBSAh+0WaWZYmE="
    );
}

fn find_go() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os("GOMODLS_GO").filter(|value| !value.is_empty()) {
        return Some(PathBuf::from(explicit));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("go"))
        .find(|candidate| candidate.is_file())
}

/// A private GOPATH, caches and main module, all in one temp dir.
struct GoSandbox {
    go: PathBuf,
    root: tempfile::TempDir,
    proxy_url: String,
}

impl GoSandbox {
    fn new(go: PathBuf, proxy_url: String) -> anyhow::Result<Self> {
        let sandbox = Self {
            go,
            root: tempfile::tempdir()?,
            proxy_url,
        };
        let app = sandbox.app_dir();
        std::fs::create_dir_all(&app)?;
        let mut go_mod = String::from("module example.com/app\n\ngo 1.21\n\nrequire (\n");
        for (path, version) in REQUIRED {
            go_mod.push_str(&format!("\t{path} {version}\n"));
        }
        go_mod.push_str(")\n");
        std::fs::write(app.join("go.mod"), go_mod)?;
        Ok(sandbox)
    }

    fn app_dir(&self) -> PathBuf {
        self.root.path().join("app")
    }

    fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let root = self.root.path();
        let output = Command::new(&self.go)
            .args(args)
            .current_dir(self.app_dir())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", root)
            .env("GOPROXY", &self.proxy_url)
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local")
            .env("GOENV", "off")
            .env("GOPATH", root.join("gopath"))
            .env("GOMODCACHE", root.join("gopath/pkg/mod"))
            .env("GOCACHE", root.join("gocache"))
            .output()
            .with_context(|| format!("running go {args:?}"))?;
        let stdout = String::from_utf8(output.stdout)?;
        if !output.status.success() {
            bail!(
                "go {args:?} failed: {}\n{stdout}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(stdout)
    }

    fn run_json(&self, args: &[&str]) -> anyhow::Result<Vec<Value>> {
        let stdout = self.run(args)?;
        let values: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(&stdout)
            .into_iter::<Value>()
            .collect();
        values.with_context(|| format!("go {args:?} printed non-JSON: {stdout}"))
    }
}

impl Drop for GoSandbox {
    fn drop(&mut self) {
        // The module cache is read-only; let go remove it so the temp dir can go too.
        let _ = self.run(&["clean", "-modcache"]);
    }
}

fn by_path(values: Vec<Value>) -> BTreeMap<String, Value> {
    values
        .into_iter()
        .filter_map(|value| Some((value.get("Path")?.as_str()?.to_owned(), value)))
        .collect()
}

fn string_list(value: &Value, field: &str) -> Vec<String> {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn field<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

#[test]
fn go_command_accepts_the_test_proxy() -> anyhow::Result<()> {
    let Some(go) = find_go() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            bail!("the go command is required in CI: put it on PATH or set GOMODLS_GO");
        }
        eprintln!("skipping go_command_accepts_the_test_proxy: no go on PATH and GOMODLS_GO unset");
        return Ok(());
    };
    let fixture = fixture();
    let proxy = TestProxy::start(&fixture)?;
    let sandbox = GoSandbox::new(go, proxy.url())?;

    // Downloads: every required module, with hashes computed independently of the proxy's zips.
    let download_args: Vec<String> = REQUIRED
        .iter()
        .map(|(path, version)| format!("{path}@{version}"))
        .collect();
    let mut args = vec!["mod", "download", "-json"];
    args.extend(download_args.iter().map(String::as_str));
    let downloads = by_path(sandbox.run_json(&args)?);
    ensure!(
        downloads.len() == REQUIRED.len(),
        "downloads: {downloads:#?}"
    );
    for (path, version) in REQUIRED {
        let download = &downloads[*path];
        ensure!(download.get("Error").is_none(), "{path}: {download}");
        let (sum, go_mod_sum) = expected_sums(&fixture, path, version)?;
        assert_eq!(field(download, "/Version"), Some(*version), "{path}");
        assert_eq!(
            field(download, "/Sum"),
            Some(sum.as_str()),
            "{path} zip hash"
        );
        assert_eq!(
            field(download, "/GoModSum"),
            Some(go_mod_sum.as_str()),
            "{path} go.mod hash"
        );
    }
    let go_sum = std::fs::read_to_string(sandbox.app_dir().join("go.sum"))?;
    let (hello_sum, hello_mod_sum) = expected_sums(&fixture, "example.com/hello", "v1.0.0")?;
    assert!(
        go_sum.contains(&format!("example.com/hello v1.0.0 {hello_sum}\n")),
        "{go_sum}"
    );
    assert!(
        go_sum.contains(&format!(
            "example.com/hello v1.0.0/go.mod {hello_mod_sum}\n"
        )),
        "{go_sum}"
    );
    assert!(
        go_sum.contains("example.com/Azure/sdk v1.0.0 h1:"),
        "{go_sum}"
    );

    // Version lists: pseudo-versions never listed, retracted versions hidden unless asked for.
    let paths: Vec<&str> = REQUIRED.iter().map(|(path, _)| *path).collect();
    let mut args = vec!["list", "-m", "-versions", "-json"];
    args.extend(paths.iter().copied());
    let lists = by_path(sandbox.run_json(&args)?);
    let versions = |path: &str| string_list(&lists[path], "Versions");
    assert_eq!(versions("example.com/hello"), ["v1.0.0", "v1.1.0"]);
    assert_eq!(versions("example.com/ret"), ["v1.0.0"]);
    assert_eq!(versions("example.com/dep"), ["v1.0.0", "v1.1.0"]);
    assert_eq!(
        versions("example.com/inc"),
        ["v1.0.0", "v2.0.0+incompatible"]
    );
    assert_eq!(versions("example.com/hello/v2"), ["v2.0.0"]);
    assert_eq!(versions("example.com/Azure/sdk"), ["v1.0.0", "v1.1.0-RC1"]);
    assert_eq!(
        versions("example.com/pre"),
        ["v0.1.0-alpha", "v0.1.0-beta.1"]
    );
    assert!(versions("example.com/pseudo").is_empty());
    let retracted = by_path(sandbox.run_json(&[
        "list",
        "-m",
        "-versions",
        "-retracted",
        "-json",
        "example.com/ret",
    ])?);
    assert_eq!(
        string_list(&retracted["example.com/ret"], "Versions"),
        ["v1.0.0", "v1.1.0", "v1.2.0"]
    );

    // Updates, retractions and deprecations.
    let updates = by_path(sandbox.run_json(&["list", "-m", "-u", "-json", "all"])?);
    let update = |path: &str| field(&updates[path], "/Update/Version").map(str::to_owned);
    assert_eq!(update("example.com/hello").as_deref(), Some("v1.1.0"));
    assert_eq!(
        field(&updates["example.com/hello"], "/Time"),
        Some("2023-01-01T00:00:00Z")
    );
    assert_eq!(
        field(&updates["example.com/hello"], "/Update/Time"),
        Some("2023-01-02T00:00:00Z")
    );
    assert_eq!(
        update("example.com/ret"),
        None,
        "only an older version is unretracted"
    );
    assert_eq!(
        string_list(&updates["example.com/ret"], "Retracted"),
        ["v1.1.0 was broken"]
    );
    assert_eq!(update("example.com/dep").as_deref(), Some("v1.1.0"));
    assert_eq!(
        field(&updates["example.com/dep"], "/Deprecated"),
        Some("use example.com/dep2 instead.")
    );
    assert_eq!(update("example.com/pre").as_deref(), Some("v0.1.0-beta.1"));
    for path in [
        "example.com/Azure/sdk",
        "example.com/inc",
        "example.com/hello/v2",
        "example.com/pseudo",
    ] {
        assert_eq!(update(path), None, "{path}");
        assert!(
            updates[path].get("Retracted").is_none() && updates[path].get("Deprecated").is_none()
        );
    }

    // Revision queries resolve through .info; @latest serves a pseudo-version-only module.
    let query = |module_query: &str| -> anyhow::Result<Value> {
        let mut values = sandbox.run_json(&["list", "-m", "-json", module_query])?;
        ensure!(values.len() == 1, "{module_query}: {values:?}");
        Ok(values.remove(0))
    };
    let master = query("example.com/hello@master")?;
    assert_eq!(field(&master, "/Version"), Some(PSEUDO_HELLO));
    assert_eq!(field(&master, "/Query"), Some("master"));
    assert_eq!(field(&master, "/Time"), Some("2024-01-02T03:04:05Z"));
    let by_hash = query(&format!("example.com/hello@{FULL_HASH}"))?;
    assert_eq!(field(&by_hash, "/Version"), Some(PSEUDO_HELLO));
    assert_eq!(
        field(&query("example.com/pseudo@latest")?, "/Version"),
        Some(PSEUDO_ONLY)
    );
    assert_eq!(
        field(&query("example.com/pre@latest")?, "/Version"),
        Some("v0.1.0-beta.1")
    );
    assert_eq!(
        field(&query("example.com/ret@latest")?, "/Version"),
        Some("v1.0.0")
    );
    let release_candidate = query("example.com/Azure/sdk@v1.1.0-RC1")?;
    assert_eq!(field(&release_candidate, "/Version"), Some("v1.1.0-RC1"));

    // The request log shows what go fetched, with escaped paths.
    let log = proxy.request_log();
    // go percent-escapes the `!` on the wire; the log keeps both forms.
    assert!(
        log.iter()
            .any(|record| record.uri == "/example.com/%21azure/sdk/@v/v1.1.0-%21r%21c1.info"),
        "{log:#?}"
    );
    let paths: Vec<&str> = log.iter().map(|record| record.path.as_str()).collect();
    for expected in [
        "/example.com/!azure/sdk/@v/v1.0.0.mod",
        "/example.com/!azure/sdk/@v/v1.0.0.zip",
        "/example.com/!azure/sdk/@v/list",
        "/example.com/!azure/sdk/@v/v1.1.0-!r!c1.info",
        "/example.com/inc/@v/v2.0.0+incompatible.zip",
        "/example.com/hello/@v/master.info",
        &format!("/example.com/hello/@v/{FULL_HASH}.info"),
        "/example.com/pseudo/@v/list",
        "/example.com/pseudo/@latest",
        "/example.com/ret/@v/v1.2.0.mod",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} not requested; log: {paths:#?}"
        );
    }
    assert!(log.iter().all(|record| record.method == "GET"), "{log:#?}");
    assert!(
        log.iter()
            .all(|record| record.header("user-agent").is_some()),
        "{log:#?}"
    );
    assert!(
        !paths.iter().any(|path| path.starts_with("/sumdb/")),
        "GOSUMDB=off: {paths:#?}"
    );
    drop(sandbox);
    Ok(())
}

#[test]
fn go_command_reads_a_proxy_directory_built_from_the_fixture() -> anyhow::Result<()> {
    let Some(go) = find_go() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            bail!("the go command is required in CI: put it on PATH or set GOMODLS_GO");
        }
        eprintln!("skipping: no go on PATH and GOMODLS_GO unset");
        return Ok(());
    };
    let fixture = fixture();
    let dir = tempfile::tempdir()?;
    gomodls_test_utils::proxy::build_proxy_dir(&fixture, dir.path())?;
    let file_url = format!("file://{}", dir.path().display());
    let file_sandbox = GoSandbox::new(go.clone(), file_url)?;
    let http_proxy = TestProxy::start(dir.path())?;
    let http_sandbox = GoSandbox::new(go, http_proxy.url())?;
    for sandbox in [&file_sandbox, &http_sandbox] {
        let downloads = by_path(sandbox.run_json(&[
            "mod",
            "download",
            "-json",
            "example.com/Azure/sdk@v1.1.0-RC1",
            "example.com/inc@v2.0.0+incompatible",
        ])?);
        for (path, version) in [
            ("example.com/Azure/sdk", "v1.1.0-RC1"),
            ("example.com/inc", "v2.0.0+incompatible"),
        ] {
            let (sum, go_mod_sum) = expected_sums(&fixture, path, version)?;
            assert_eq!(
                field(&downloads[path], "/Sum"),
                Some(sum.as_str()),
                "{path}"
            );
            assert_eq!(
                field(&downloads[path], "/GoModSum"),
                Some(go_mod_sum.as_str()),
                "{path}"
            );
        }
        let master = sandbox.run_json(&["list", "-m", "-json", "example.com/hello@master"])?;
        assert_eq!(field(&master[0], "/Version"), Some(PSEUDO_HELLO));
    }
    assert!(
        http_proxy
            .requested_paths()
            .contains(&"/example.com/hello/@v/master.info".to_owned())
    );
    Ok(())
}

#[test]
fn go_command_sees_injected_faults() -> anyhow::Result<()> {
    let Some(go) = find_go() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            bail!("the go command is required in CI: put it on PATH or set GOMODLS_GO");
        }
        eprintln!("skipping: no go on PATH and GOMODLS_GO unset");
        return Ok(());
    };
    let fixture = fixture();
    let failing = TestProxy::start(&fixture)?;
    let healthy = TestProxy::start(&fixture)?;
    let download = |separator: &str| -> anyhow::Result<Vec<Value>> {
        let proxies = format!("{}{separator}{}", failing.url(), healthy.url());
        let sandbox = GoSandbox::new(go.clone(), proxies)?;
        sandbox.run_json(&["mod", "download", "-json", "example.com/hello@v1.0.0"])
    };

    // "Not found" (410) falls through a `,`; the second proxy answers.
    failing.inject(FaultRule::everywhere(Fault::Status(410)));
    let downloaded = download(",")?;
    assert_eq!(field(&downloaded[0], "/Version"), Some("v1.0.0"));
    assert!(!failing.request_log().is_empty() && !healthy.request_log().is_empty());

    // A 500 stops at a `,` (with go's error text) but falls through a `|`.
    failing.clear_faults();
    failing.inject(FaultRule::everywhere(Fault::Status(500)));
    let error = download(",").expect_err("a 500 must not fall through a comma");
    assert!(
        error.to_string().contains("500 Internal Server Error"),
        "{error}"
    );
    assert_eq!(field(&download("|")?[0], "/Version"), Some("v1.0.0"));

    // A proxy lying about the go.mod is caught by the go command.
    failing.clear_faults();
    let mod_path =
        gomodls_test_utils::proxy::escape::version_file_path("example.com/hello", "v1.0.0", "mod")?;
    failing.inject(FaultRule::under(
        &mod_path,
        Fault::replace_body("module example.com/other\n"),
    ));
    let sandbox = GoSandbox::new(go.clone(), failing.url())?;
    let error = sandbox
        .run(&["list", "-m", "-json", "all"])
        .expect_err("a go.mod naming another module must be rejected");
    assert!(error.to_string().contains("example.com/other"), "{error}");
    Ok(())
}
