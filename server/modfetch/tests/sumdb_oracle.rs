//! The go command as the oracle for our hashes, our checksum database client and our test
//! checksum database server.
//!
//! Modules are served from a `file://` GOPROXY directory built here (zips from the `zip` crate,
//! without directory entries) and checked against [`TestSumdb`] over HTTP on 127.0.0.1:
//!
//! * honest: `go mod download -json` accepts everything and writes go.sum; its `Sum` and
//!   `GoModSum` equal our `hash_zip` and `hash_go_mod`, and our client returns the same lines;
//! * each lie of the server (a wrong hash, a bad signature, another key, a forked history): go
//!   refuses with its own text, and our client refuses the same lie with the same text.
//!
//! Without `go` (on PATH or in `GOMODLS_GO`) the tests are skipped, except under `CI=true`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a broken setup must fail the test loudly"
)]

use std::io::{Cursor, Write as _};
use std::path::PathBuf;
use std::process::Command;

use gomodls_modfetch::dirhash;
use gomodls_modfetch::modzip;
use gomodls_modfetch::sumdb::client::{Client, DirStore, HttpRemote};
use gomodls_modfetch::sumdb::{self, VerifyError};
use gomodls_syntax::module_path::{escape_path, escape_version};
use gomodls_test_utils::sumdb_server::{Lie, TestSumdb};

fn find_go(test: &str) -> Option<PathBuf> {
    let from_env = std::env::var_os("GOMODLS_GO")
        .filter(|go| !go.is_empty())
        .map(PathBuf::from);
    let go = from_env.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join("go"))
            .find(|go| go.is_file())
    });
    if go.is_none() {
        if std::env::var("CI").is_ok_and(|value| value == "true") {
            panic!("{test}: the go command is required under CI=true (set GOMODLS_GO or PATH)");
        }
        eprintln!("{test}: skipped, no go command (set GOMODLS_GO or PATH)");
    }
    go
}

/// A module version to serve.
struct Module {
    path: &'static str,
    version: &'static str,
    go_mod: String,
    files: Vec<(&'static str, &'static str)>,
}

impl Module {
    fn new(path: &'static str, version: &'static str) -> Module {
        Module {
            path,
            version,
            go_mod: format!("module {path}\n\ngo 1.21\n"),
            files: vec![("lib.go", "package lib\n\nfunc Answer() int { return 42 }\n")],
        }
    }

    /// The module zip as a proxy serves it: files under `path@version/`, no directory entries.
    fn zip(&self) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let prefix = format!("{}@{}/", self.path, self.version);
        writer
            .start_file(format!("{prefix}go.mod"), options)
            .unwrap();
        writer.write_all(self.go_mod.as_bytes()).unwrap();
        for (name, content) in &self.files {
            writer
                .start_file(format!("{prefix}{name}"), options)
                .unwrap();
            writer.write_all(content.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// Our go.sum lines for it.
    fn gosum(&self) -> String {
        let zip_hash = dirhash::hash_zip(Cursor::new(self.zip())).unwrap();
        assert_eq!(
            modzip::verify_zip(self.path, self.version, Cursor::new(self.zip())).unwrap(),
            zip_hash
        );
        let mod_hash = dirhash::hash_go_mod(self.go_mod.as_bytes());
        format!(
            "{p} {v} {zip_hash}\n{p} {v}/go.mod {mod_hash}\n",
            p = self.path,
            v = self.version
        )
    }
}

/// A scratch world: a file:// proxy, and GOPATH/GOMODCACHE/GOCACHE for the go command.
struct World {
    root: tempfile::TempDir,
    go: PathBuf,
}

impl World {
    fn new(go: PathBuf, modules: &[&Module]) -> World {
        let root = tempfile::tempdir().unwrap();
        for module in modules {
            let escaped = escape_path(module.path).unwrap();
            let version = escape_version(module.version).unwrap();
            let dir = root.path().join("proxy").join(escaped).join("@v");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("{version}.mod")), &module.go_mod).unwrap();
            std::fs::write(
                dir.join(format!("{version}.info")),
                format!(
                    "{{\"Version\":\"{}\",\"Time\":\"2023-01-02T03:04:05Z\"}}\n",
                    module.version
                ),
            )
            .unwrap();
            std::fs::write(dir.join(format!("{version}.zip")), module.zip()).unwrap();
            std::fs::write(dir.join("list"), format!("{}\n", module.version)).unwrap();
        }
        World { root, go }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// Runs `go mod download -json M@V` in a fresh main module that requires it, with the GOPATH
    /// named `gopath`. Returns whether go succeeded, the parsed JSON objects, and everything go
    /// said about errors (stderr and the JSON `Error` fields).
    fn download(
        &self,
        gopath: &str,
        gosumdb: &str,
        module: &Module,
    ) -> (bool, Vec<serde_json::Value>, String) {
        let app = tempfile::tempdir_in(self.root.path()).unwrap();
        std::fs::write(
            app.path().join("go.mod"),
            format!(
                "module example.com/app\n\ngo 1.21\n\nrequire {} {}\n",
                module.path, module.version
            ),
        )
        .unwrap();
        let gopath = self.path(gopath);
        let output = Command::new(&self.go)
            .current_dir(app.path())
            .args([
                "mod",
                "download",
                "-json",
                &format!("{}@{}", module.path, module.version),
            ])
            .env("GOTOOLCHAIN", "local")
            .env("GOENV", "off")
            .env("GOFLAGS", "-mod=mod")
            .env(
                "GOPROXY",
                format!("file://{}", self.path("proxy").display()),
            )
            .env("GOSUMDB", gosumdb)
            .env("GONOSUMDB", "")
            .env("GOPRIVATE", "")
            .env("GONOPROXY", "")
            .env("GOTELEMETRY", "off")
            .env("GOPATH", &gopath)
            .env("GOMODCACHE", gopath.join("pkg/mod"))
            .env("GOCACHE", self.path("gocache"))
            .output()
            .unwrap();
        let objects: Vec<serde_json::Value> = serde_json::Deserializer::from_slice(&output.stdout)
            .into_iter::<serde_json::Value>()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut errors = String::from_utf8_lossy(&output.stderr).into_owned();
        for object in &objects {
            if let Some(error) = object.get("Error").and_then(serde_json::Value::as_str) {
                errors.push_str(error);
                errors.push('\n');
            }
        }
        let go_sum = std::fs::read_to_string(app.path().join("go.sum")).unwrap_or_default();
        let mut objects = objects;
        objects.push(serde_json::json!({ "go.sum": go_sum }));
        (output.status.success(), objects, errors)
    }

    fn client(&self, server: &TestSumdb, store: &str) -> Client<HttpRemote, DirStore> {
        let config = sumdb::parse_gosumdb(&server.gosumdb()).unwrap();
        // The test checksum database is on 127.0.0.1: no proxy.
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(gomodls_modfetch::http::go_redirect_policy())
            .build()
            .unwrap();
        let remote = HttpRemote::with_client(config.url.as_deref().unwrap(), http);
        let store = DirStore::new(self.path(store).join("config"))
            .with_cache(self.path(store).join("cache"));
        Client::new(&config.verifier_key, remote, store).unwrap()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// What our client makes of a module, checked in go's order: the go.mod hash, then the zip hash.
fn our_verdict(client: &Client<HttpRemote, DirStore>, module: &Module) -> Result<(), VerifyError> {
    let mod_hash = dirhash::hash_go_mod(module.go_mod.as_bytes());
    let zip_hash = dirhash::hash_zip(Cursor::new(module.zip())).unwrap();
    runtime().block_on(async {
        client
            .verify(
                module.path,
                &format!("{}/go.mod", module.version),
                &mod_hash,
            )
            .await?;
        client.verify(module.path, module.version, &zip_hash).await
    })
}

#[test]
fn go_accepts_our_sumdb_and_agrees_on_hashes() {
    let Some(go) = find_go("go_accepts_our_sumdb_and_agrees_on_hashes") else {
        return;
    };
    let hello = Module::new("example.com/hello", "v1.0.0");
    let mut upper = Module::new("example.com/Upper/Case", "v1.2.3-RC1");
    upper.files.push(("sub/b.go", "package sub\n"));
    let world = World::new(go, &[&hello, &upper]);
    let server = TestSumdb::start(&format!("{}{}", hello.gosum(), upper.gosum())).unwrap();

    for module in [&hello, &upper] {
        let (ok, objects, errors) = world.download("gopath", &server.gosumdb(), module);
        assert!(ok, "go refused {}: {errors}", module.path);
        let info = &objects[0];
        assert_eq!(
            info["Sum"],
            dirhash::hash_zip(Cursor::new(module.zip())).unwrap(),
            "{}",
            module.path
        );
        assert_eq!(
            info["GoModSum"],
            dirhash::hash_go_mod(module.go_mod.as_bytes()),
            "{}",
            module.path
        );
        let go_sum = objects.last().unwrap()["go.sum"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(go_sum, module.gosum(), "{}", module.path);
    }
    let requests = server.requests();
    assert!(
        requests.contains(&"/lookup/example.com/hello@v1.0.0".to_owned()),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"/lookup/example.com/!upper/!case@v1.2.3-!r!c1".to_owned()),
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|path| path.starts_with("/tile/8/0/")),
        "{requests:?}"
    );
    let latest =
        std::fs::read_to_string(world.path("gopath/pkg/sumdb/localhost.localdev/sumdb/latest"))
            .unwrap();
    assert!(latest.starts_with("go.sum database tree\n"), "{latest}");

    // Our client sees the same lines, and the same tree go stored.
    let client = world.client(&server, "ours");
    for module in [&hello, &upper] {
        let lines = runtime()
            .block_on(client.lookup(module.path, module.version))
            .unwrap();
        assert_eq!(lines.join("\n"), module.gosum().lines().next().unwrap());
        our_verdict(&client, module).unwrap();
    }
    let ours =
        std::fs::read_to_string(world.path("ours/config/localhost.localdev/sumdb/latest")).unwrap();
    assert_eq!(ours, latest);
}

#[test]
fn a_wrong_hash_is_refused_by_go_and_by_us_alike() {
    let Some(go) = find_go("a_wrong_hash_is_refused_by_go_and_by_us_alike") else {
        return;
    };
    let liar = Module::new("example.com/liar", "v1.0.0");
    let world = World::new(go, &[&liar]);
    let server = TestSumdb::start(&liar.gosum()).unwrap();
    server.lie(Lie::WrongHash {
        path: liar.path.to_owned(),
        version: liar.version.to_owned(),
    });

    let (ok, _, errors) = world.download("gopath", &server.gosumdb(), &liar);
    assert!(!ok, "go accepted a wrong hash");
    assert!(
        errors.contains("verifying module: checksum mismatch"),
        "{errors}"
    );
    assert!(
        errors.contains(
            "SECURITY ERROR\nThis download does NOT match the one reported by the checksum server."
        ),
        "{errors}"
    );

    let ours = our_verdict(&world.client(&server, "ours"), &liar).unwrap_err();
    assert!(ours.is_security_error(), "{ours}");
    let ours = ours.to_string();
    assert!(
        ours.starts_with("example.com/liar@v1.0.0: verifying module: checksum mismatch\n"),
        "{ours}"
    );
    // Our message is go's, byte for byte (go prefixes it with "go: ").
    assert!(
        errors.contains(&ours),
        "go said:\n{errors}\nwe said:\n{ours}"
    );
}

#[test]
fn bad_signatures_and_other_keys_are_refused_by_go_and_by_us_alike() {
    let Some(go) = find_go("bad_signatures_and_other_keys_are_refused_by_go_and_by_us_alike")
    else {
        return;
    };
    let hello = Module::new("example.com/hello", "v1.0.0");
    let world = World::new(go, &[&hello]);
    let server = TestSumdb::start(&hello.gosum()).unwrap();

    for (lie, reason) in [
        (
            Lie::BadSignature,
            "reading tree note: invalid signature for key localhost.localdev/sumdb+00000c67",
        ),
        (
            Lie::OtherKey,
            "reading tree note: note has no verifiable signatures",
        ),
    ] {
        server.tell_the_truth();
        server.lie(lie.clone());
        let gopath = format!("gopath-{lie:?}");
        let (ok, _, errors) = world.download(&gopath, &server.gosumdb(), &hello);
        assert!(!ok, "go accepted {lie:?}");
        assert!(
            errors.contains(&format!(
                "example.com/hello@v1.0.0: verifying go.mod: example.com/hello@v1.0.0/go.mod: {reason}\n"
            )),
            "{lie:?}: {errors}"
        );

        let ours =
            our_verdict(&world.client(&server, &format!("ours-{lie:?}")), &hello).unwrap_err();
        assert!(!ours.is_security_error(), "{lie:?}: {ours}");
        let ours = ours.to_string();
        assert!(
            ours.starts_with(&format!(
                "example.com/hello@v1.0.0: verifying go.mod: example.com/hello@v1.0.0/go.mod: {reason}\nnote:\n"
            )),
            "{lie:?}: {ours}"
        );
        // The whole message (with the note quoted) is go's.
        assert!(
            errors.contains(&ours),
            "{lie:?}: go said:\n{errors}\nwe said:\n{ours}"
        );
    }
}

#[test]
fn a_forked_history_is_misbehavior_to_go_and_to_us() {
    let Some(go) = find_go("a_forked_history_is_misbehavior_to_go_and_to_us") else {
        return;
    };
    let hello = Module::new("example.com/hello", "v1.0.0");
    let later = Module::new("example.com/later", "v1.0.0");
    let world = World::new(go, &[&hello, &later]);
    let server = TestSumdb::start(&format!("{}{}", hello.gosum(), later.gosum())).unwrap();

    // Both go and our client first see the honest log...
    let (ok, _, errors) = world.download("gopath", &server.gosumdb(), &hello);
    assert!(ok, "{errors}");
    let client = world.client(&server, "ours");
    our_verdict(&client, &hello).unwrap();

    // ...then a different history signed with the same key.
    server.lie(Lie::Fork);
    let (ok, _, errors) = world.download("gopath", &server.gosumdb(), &later);
    assert!(!ok, "go accepted a forked log");
    assert!(errors.contains("SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nold database:\n\tgo.sum database tree\n\t1\n"), "{errors}");

    // A fresh client on the same store, as a new process of ours would be.
    let client = world.client(&server, "ours");
    let error = our_verdict(&client, &later).unwrap_err();
    assert!(error.is_security_error(), "{error}");
    let ours = error.to_string();
    assert!(ours.starts_with("SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nold database:\n\tgo.sum database tree\n\t1\n"), "{ours}");
    // Both saw the same two trees, so the whole report, proof included, is go's.
    assert!(
        errors.contains(&ours),
        "go said:\n{errors}\nwe said:\n{ours}"
    );
}

#[test]
fn a_module_unknown_to_the_database_fails_alike() {
    let Some(go) = find_go("a_module_unknown_to_the_database_fails_alike") else {
        return;
    };
    let stranger = Module::new("example.com/Stranger", "v1.0.0");
    let world = World::new(go, &[&stranger]);
    let server = TestSumdb::start("").unwrap();

    let (ok, _, errors) = world.download("gopath", &server.gosumdb(), &stranger);
    assert!(!ok, "go accepted a module the database does not know");
    let ours = our_verdict(&world.client(&server, "ours"), &stranger).unwrap_err();
    assert!(!ours.is_security_error(), "{ours}");
    let ours = ours.to_string();
    assert!(
        ours.starts_with(&format!(
            "example.com/Stranger@v1.0.0: verifying go.mod: example.com/Stranger@v1.0.0/go.mod: \
             reading {}/lookup/example.com/!stranger@v1.0.0: 404 Not Found\n\tserver response: ",
            server.url()
        )),
        "{ours}"
    );
    assert!(
        errors.contains(&ours),
        "go said:\n{errors}\nwe said:\n{ours}"
    );
}
