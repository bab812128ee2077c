//! The Go toolchain as an oracle: finding `go`, running it in a sandbox that never reaches the
//! network, and building small programs against the x/mod packages vendored in its GOROOT.
//!
//! Tests find `go` through `GOMODLS_GO` or `PATH`. Without it a test skips with a message, except
//! under `CI=true`, where a missing tool is a failure: see [`require_go`].

use std::path::{Path, PathBuf};
use std::process::Command;

/// Errors of the oracle helpers.
#[derive(Debug, thiserror::Error)]
pub enum GoError {
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A go command failed.
    #[error("{command} failed: {stderr}")]
    Command {
        /// The command line.
        command: String,
        /// What it printed on stderr.
        stderr: String,
    },
}

/// The `go` binary from `GOMODLS_GO` or `PATH`, if there is one.
pub fn find_go() -> Option<PathBuf> {
    if let Some(go) = std::env::var_os("GOMODLS_GO").filter(|go| !go.is_empty()) {
        return Some(PathBuf::from(go));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("go"))
        .find(|candidate| candidate.is_file())
}

/// The `go` binary, or `None` after printing why the caller skips. Under `CI=true` a missing `go`
/// is an error instead, so that CI never passes by skipping.
pub fn require_go(test: &str) -> Result<Option<PathBuf>, String> {
    match find_go() {
        Some(go) => Ok(Some(go)),
        None if std::env::var("CI").is_ok_and(|value| value == "true") => Err(format!(
            "{test}: the go command is required under CI=true (set GOMODLS_GO or PATH)"
        )),
        None => {
            eprintln!("{test}: skipped, no go command (set GOMODLS_GO or PATH)");
            Ok(None)
        }
    }
}

/// A `go` command with an environment that keeps it local and reproducible: no network
/// (`GOPROXY=off`), no user env file, no toolchain switching, its own GOPATH under `work`. `cache`
/// is the build cache (share one between runs to keep builds fast).
pub fn go_command(go: &Path, work: &Path, cache: &Path) -> Command {
    let mut command = Command::new(go);
    command
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOTELEMETRY", "off")
        .env("CGO_ENABLED", "0")
        .env("GOPATH", work.join("gopath"))
        .env("GOMODCACHE", work.join("gopath/pkg/mod"))
        .env("GOCACHE", cache);
    command
}

/// GOROOT of `go`.
pub fn goroot(go: &Path, work: &Path, cache: &Path) -> Result<PathBuf, GoError> {
    let output = go_command(go, work, cache)
        .args(["env", "GOROOT"])
        .output()
        .map_err(|source| GoError::Io {
            context: "run go env GOROOT".to_owned(),
            source,
        })?;
    if !output.status.success() {
        return Err(GoError::Command {
            command: "go env GOROOT".to_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

/// Builds `main_go` as a program in `work/name` with the given x/mod packages (paths relative to
/// `golang.org/x/mod`, e.g. `modfile`) copied from GOROOT's vendor directory under
/// `name/xmod/...`; imports of `golang.org/x/mod/...` in the program and the copies are rewritten
/// to that place. Returns the binary.
pub fn build_xmod_program(
    go: &Path,
    work: &Path,
    cache: &Path,
    name: &str,
    main_go: &str,
    packages: &[&str],
) -> Result<PathBuf, GoError> {
    let io = |context: String| move |source| GoError::Io { context, source };
    let xmod = goroot(go, work, cache)?.join("src/cmd/vendor/golang.org/x/mod");
    let module = work.join(name);
    let rewrite = |source: &str| source.replace("\"golang.org/x/mod/", &format!("\"{name}/xmod/"));
    for package in packages {
        let from = xmod.join(package);
        let to = module.join("xmod").join(package);
        std::fs::create_dir_all(&to).map_err(io(format!("create {}", to.display())))?;
        for entry in std::fs::read_dir(&from).map_err(io(format!("read {}", from.display())))? {
            let entry = entry.map_err(io(format!("read {}", from.display())))?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if !file_name.ends_with(".go") || file_name.ends_with("_test.go") {
                continue;
            }
            let source = std::fs::read_to_string(entry.path())
                .map_err(io(format!("read {}", entry.path().display())))?;
            std::fs::write(to.join(&file_name), rewrite(&source))
                .map_err(io(format!("write {file_name}")))?;
        }
    }
    std::fs::write(module.join("go.mod"), format!("module {name}\n\ngo 1.24\n"))
        .map_err(io("write go.mod".to_owned()))?;
    std::fs::write(module.join("main.go"), rewrite(main_go))
        .map_err(io("write main.go".to_owned()))?;
    let binary = work.join(format!("{name}-bin"));
    let output = go_command(go, work, cache)
        .current_dir(&module)
        .args(["build", "-o"])
        .arg(&binary)
        .arg(".")
        .output()
        .map_err(io("run go build".to_owned()))?;
    if !output.status.success() {
        return Err(GoError::Command {
            command: format!("go build ({name})"),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(binary)
}
