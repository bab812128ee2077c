//! The GODEBUG settings a `godebug` line can name: our own copy of the facts in go's
//! `internal/godebugs` table (name, the package that reads it, the Go release that changed its
//! default, and the value that restores the behaviour before that change).
//!
//! A test compares this table with `$GOROOT/src/internal/godebugs/table.go` of the installed
//! toolchain, so a new Go release that adds or changes a setting fails the test until the table
//! is updated.

/// One GODEBUG setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Godebug {
    /// The key (`panicnil`).
    pub(crate) name: &'static str,
    /// The package that reads it (`runtime`).
    pub(crate) package: &'static str,
    /// The minor Go release whose default changed (21 for Go 1.21), if any.
    pub(crate) changed: Option<u32>,
    /// The value that restores the behaviour before `changed` (empty when nothing changed).
    pub(crate) old: &'static str,
}

/// The known settings, sorted by name.
pub(crate) const GODEBUGS: &[Godebug] = &[
    setting("allowmultiplevcs", "cmd/go", None, ""),
    setting("containermaxprocs", "runtime", Some(25), "0"),
    setting("cryptocustomrand", "crypto", Some(26), "1"),
    setting("dataindependenttiming", "crypto/subtle", None, ""),
    setting("decoratemappings", "runtime", Some(25), "0"),
    setting("embedfollowsymlinks", "cmd/go", None, ""),
    setting("execerrdot", "os/exec", None, ""),
    setting("fips140", "crypto/fips140", None, ""),
    setting("fips140ems", "crypto/tls", None, ""),
    setting("gocachehash", "cmd/go", None, ""),
    setting("gocachetest", "cmd/go", None, ""),
    setting("gocacheverify", "cmd/go", None, ""),
    setting("gotestjsonbuildtext", "cmd/go", Some(24), "1"),
    setting("htmlmetacontenturlescape", "html/template", None, ""),
    setting("http2client", "net/http", None, ""),
    setting("http2debug", "net/http", None, ""),
    setting("http2server", "net/http", None, ""),
    setting("httpcookiemaxnum", "net/http", Some(24), "0"),
    setting("httplaxcontentlength", "net/http", Some(22), "1"),
    setting("httpmuxgo121", "net/http", Some(22), "1"),
    setting("httpservecontentkeepheaders", "net/http", Some(23), "1"),
    setting("httpservecontentmaxranges", "net/http", Some(26), "1"),
    setting("installgoroot", "go/build", None, ""),
    setting("jstmpllitinterp", "html/template", None, ""),
    setting("multipartmaxheaders", "mime/multipart", None, ""),
    setting("multipartmaxparts", "mime/multipart", None, ""),
    setting("multipathtcp", "net", Some(24), "0"),
    setting("netdns", "net", None, ""),
    setting("netedns0", "net", Some(19), "0"),
    setting("panicnil", "runtime", Some(21), "1"),
    setting("randautoseed", "math/rand", None, ""),
    setting("randseednop", "math/rand", Some(24), "0"),
    setting("rsa1024min", "crypto/rsa", Some(24), "0"),
    setting("tarinsecurepath", "archive/tar", None, ""),
    setting("tlsmaxrsasize", "crypto/tls", None, ""),
    setting("tlsmlkem", "crypto/tls", Some(24), "0"),
    setting("tlssecpmlkem", "crypto/tls", Some(26), "0"),
    setting("tlssha1", "crypto/tls", Some(25), "1"),
    setting("tracebacklabels", "runtime", Some(27), "0"),
    setting("updatemaxprocs", "runtime", Some(25), "0"),
    setting("urlmaxqueryparams", "net/url", Some(24), "0"),
    setting("urlstrictcolons", "net/url", Some(26), "0"),
    setting("winreadlinkvolume", "os", Some(23), "0"),
    setting("winsymlink", "os", Some(23), "0"),
    setting("x509negativeserial", "crypto/x509", Some(23), "1"),
    setting("x509rsacrt", "crypto/x509", Some(24), "0"),
    setting("x509sha256skid", "crypto/x509", Some(25), "0"),
    setting("x509sslcertoverrideplatform", "crypto/x509", Some(27), "0"),
    setting("x509usefallbackroots", "crypto/x509", None, ""),
    setting("x509usepolicies", "crypto/x509", Some(24), "0"),
    setting("zipinsecurepath", "archive/zip", None, ""),
];

const fn setting(
    name: &'static str,
    package: &'static str,
    changed: Option<u32>,
    old: &'static str,
) -> Godebug {
    Godebug {
        name,
        package,
        changed,
        old,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entries of go's `All` table: `{Name: "x", Package: "y", Changed: N, Old: "v", ...}`
    /// lines between `var All = []Info{` and the closing brace; commented-out lines do not count.
    fn read_go_table(source: &str) -> Vec<Godebug> {
        let start = source.find("var All = []Info{").unwrap();
        let block = &source[start..];
        let block = &block[..block.find("\n}\n").unwrap()];
        block
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("{Name:"))
            .map(|line| {
                let fields = &line[1..line.find('}').unwrap()];
                let field = |key: &str| {
                    fields.split(',').map(str::trim).find_map(|part| {
                        part.strip_prefix(key)
                            .and_then(|rest| rest.strip_prefix(':'))
                            .map(|value| value.trim().trim_matches('"'))
                    })
                };
                let leak =
                    |text: &str| -> &'static str { Box::leak(text.to_owned().into_boxed_str()) };
                Godebug {
                    name: leak(field("Name").unwrap()),
                    package: leak(field("Package").unwrap()),
                    changed: field("Changed").map(|minor| minor.parse().unwrap()),
                    old: leak(field("Old").unwrap_or("")),
                }
            })
            .collect()
    }

    #[test]
    fn sorted_by_name() {
        assert!(GODEBUGS.windows(2).all(|pair| pair[0].name < pair[1].name));
    }

    #[test]
    fn matches_the_installed_go() -> Result<(), String> {
        let test = "godebugs::matches_the_installed_go";
        let Some(go) = gomodls_test_utils::go::require_go(test)? else {
            return Ok(());
        };
        let scratch = std::env::temp_dir();
        let goroot =
            gomodls_test_utils::go::goroot(&go, &scratch, &scratch.join("gomodls-gocache"))
                .map_err(|error| error.to_string())?;
        let table = goroot.join("src/internal/godebugs/table.go");
        let source = std::fs::read_to_string(&table)
            .map_err(|error| format!("{}: {error}", table.display()))?;
        let theirs = read_go_table(&source);
        assert!(
            theirs.len() > 20,
            "read only {} settings from {}",
            theirs.len(),
            table.display()
        );
        assert_eq!(
            GODEBUGS,
            theirs.as_slice(),
            "update GODEBUGS from {}",
            table.display()
        );
        Ok(())
    }
}
