//! The checksum database (sumdb): GOSUMDB settings, signed notes, the transparency log, and an
//! async client that authenticates lookups the way the go command does.
//!
//! Invariants: nothing from a server is believed before it is tied to a signed tree head by tile
//! hashes; the newest verified tree head is kept, and a server that shows two inconsistent trees
//! is reported with Go's "misbehavior" text. GONOSUMDB/GOPRIVATE matching is the caller's job.

pub mod client;
pub mod note;
pub mod tlog;

use gomodls_syntax::module_path;

/// The checksum database the go command uses when GOSUMDB is unset.
pub const DEFAULT_GOSUMDB: &str = "sum.golang.org";

/// The verifier keys built into the go command, by database name.
pub const KNOWN_GOSUMDB_KEYS: &[(&str, &str)] = &[(
    "sum.golang.org",
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
)];

/// A checksum database chosen by GOSUMDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumdbConfig {
    /// The database name, from its key (`sum.golang.org`).
    pub name: String,
    /// The verifier key, `NAME+HASH+KEYDATA`.
    pub verifier_key: String,
    /// The base URL given in GOSUMDB, if any. Without one the go command first asks each
    /// GOPROXY entry for `<proxy>/sumdb/<name>/supported` and otherwise uses [`Self::direct_url`].
    pub url: Option<String>,
}

impl SumdbConfig {
    /// The URL used when no proxy serves the database: `https://NAME`.
    pub fn direct_url(&self) -> String {
        format!("https://{}", self.name)
    }

    /// The base URL under a proxy that supports this database: `<proxy>/sumdb/<name>`.
    pub fn proxy_url(&self, proxy: &str) -> String {
        format!("{}/sumdb/{}", proxy.trim_end_matches('/'), self.name)
    }
}

/// Why a GOSUMDB value is unusable; the texts are Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GosumdbError {
    /// GOSUMDB is `off`.
    #[error("checksum database disabled by GOSUMDB=off")]
    Off,
    /// GOSUMDB is empty.
    #[error("missing GOSUMDB")]
    Missing,
    /// GOSUMDB has more than a key and a URL.
    #[error("invalid GOSUMDB: too many fields")]
    TooManyFields,
    /// The key does not parse.
    #[error("invalid GOSUMDB: {0}")]
    Key(note::NoteError),
    /// The key's name is not `host[/path]` (the text after the colon is Go's).
    #[error("invalid sumdb name (must be host[/path]): {0}")]
    Name(String),
}

/// Parses a GOSUMDB value as the go command does: `off`, a known database name, or
/// `VERIFIERKEY [URL]`.
pub fn parse_gosumdb(value: &str) -> Result<SumdbConfig, GosumdbError> {
    let value = if value == "sum.golang.google.cn" {
        "sum.golang.org https://sum.golang.google.cn"
    } else {
        value
    };
    if value == "off" {
        return Err(GosumdbError::Off);
    }
    let mut fields: Vec<&str> = value.split_whitespace().collect();
    if let Some(first) = fields.first_mut()
        && let Some((_, key)) = KNOWN_GOSUMDB_KEYS.iter().find(|(name, _)| name == first)
    {
        *first = key;
    }
    let (key, url) = match fields.as_slice() {
        [] => return Err(GosumdbError::Missing),
        [key] => (*key, None),
        [key, url] => (*key, Some((*url).to_owned())),
        _ => return Err(GosumdbError::TooManyFields),
    };
    let verifier = note::Verifier::new(key).map_err(GosumdbError::Key)?;
    let name = verifier.name().to_owned();
    check_host_path(&name)?;
    Ok(SumdbConfig {
        name,
        verifier_key: key.to_owned(),
        url,
    })
}

/// Checks that `https://NAME` is a plain host-and-path URL, as the go command demands; the error
/// text is Go's, including its dump of the parsed URL.
fn check_host_path(name: &str) -> Result<(), GosumdbError> {
    let (authority, rest) = name.split_at(name.find(['/', '?', '#']).unwrap_or(name.len()));
    let (before_fragment, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let has_fragment = rest.contains('#');
    let (path, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let force_query = before_fragment.ends_with('?') && query.is_empty();
    let (user, host) = match authority.rsplit_once('@') {
        Some((user, host)) => (user, host),
        None => ("", authority),
    };
    // Escapes and ports make Go's URL parser decode or reject parts; Go itself then crashes
    // or reports the decoded URL. We refuse them with the name alone.
    let port_ok = host
        .rsplit_once(':')
        .is_none_or(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()));
    if name.contains(['%', '\\']) || !port_ok {
        return Err(GosumdbError::Name(name.to_owned()));
    }
    let plain =
        user.is_empty() && query.is_empty() && !has_fragment && !force_query && !host.is_empty();
    if plain && !name.ends_with('/') {
        return Ok(());
    }
    Err(GosumdbError::Name(format!(
        "{name} {{Scheme:https Opaque: User:{user} Host:{host} Path:{path} Fragment:{fragment} \
         RawQuery:{query} RawPath: RawFragment: ForceQuery:{force_query} OmitHost:false}}"
    )))
}

/// The go command's explanation after a checksum database mismatch.
pub const SUMDB_MISMATCH: &str = "\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n";

/// The go command's explanation when the checksum database has no line for a download.
pub const SUMDB_ABSENT: &str = "\n\nSECURITY ERROR\nThis download does NOT match one reported by the checksum server.\nThe checksum server has provided checksums, but the checksums do\nnot contain an entry for the download.\nThe checksum server may be malfunctioning, or an attacker may have\nintercepted the checksum request.\nThe download cannot be verified.\n\nFor more information, see 'go help module-auth'.\n";

/// A downloaded hash that the checksum database does not confirm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashCheckError {
    /// The database holds a different `h1:` hash.
    #[error(
        "{module}: verifying {noun}: checksum mismatch\n\tdownloaded: {downloaded}\n\t{database}: {expected}{SUMDB_MISMATCH}"
    )]
    Mismatch {
        /// `path@version` (without `/go.mod`).
        module: String,
        /// `module` or `go.mod`.
        noun: &'static str,
        /// The hash of the download.
        downloaded: String,
        /// The database name.
        database: String,
        /// The hash the database holds.
        expected: String,
    },
    /// The database's record has no line for the download.
    #[error("{module}: verifying {noun}: checksum missing from sumdb response{SUMDB_ABSENT}")]
    Missing {
        /// `path@version` (without `/go.mod`).
        module: String,
        /// `module` or `go.mod`.
        noun: &'static str,
    },
}

/// Why the checksum database did not confirm a download ([`client::Client::verify`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The lookup failed: `PATH@VERSION: verifying module: ...` (or `verifying go.mod`).
    #[error("{module}: verifying {noun}: {source}")]
    Lookup {
        /// `path@version` (without `/go.mod`).
        module: String,
        /// `module` or `go.mod`.
        noun: &'static str,
        /// The lookup's error.
        source: client::SumdbError,
    },
    /// The database's answer does not confirm the hash (a `SECURITY ERROR`).
    #[error(transparent)]
    Hash(#[from] HashCheckError),
    /// The server misbehaved (a `SECURITY ERROR` the go command treats as fatal).
    #[error(transparent)]
    Misbehavior(client::SumdbError),
}

impl VerifyError {
    /// Whether this is one of the go command's `SECURITY ERROR`s.
    pub fn is_security_error(&self) -> bool {
        !matches!(self, VerifyError::Lookup { .. })
    }
}

/// Checks a downloaded hash against the go.sum lines the database returned for it, as the go
/// command's `checkSumDB` does. `version` ends in `/go.mod` for a go.mod hash.
pub fn check_hash(
    database: &str,
    path: &str,
    version: &str,
    hash: &str,
    lines: &[String],
) -> Result<(), HashCheckError> {
    let (plain_version, noun) = version_noun(version);
    let module = format!("{path}@{plain_version}");
    let have = format!("{path} {version} {hash}");
    let prefix = format!("{path} {version} ");
    for line in lines {
        if *line == have {
            return Ok(());
        }
        if let Some(expected) = line.strip_prefix(&prefix)
            && expected.starts_with("h1:")
        {
            return Err(HashCheckError::Mismatch {
                module,
                noun,
                downloaded: hash.to_owned(),
                database: database.to_owned(),
                expected: expected.to_owned(),
            });
        }
    }
    Err(HashCheckError::Missing { module, noun })
}

/// Splits a version that may end in `/go.mod` into the plain version and Go's noun for it.
pub(crate) fn version_noun(version: &str) -> (&str, &'static str) {
    match version.strip_suffix("/go.mod") {
        Some(plain) => (plain, "go.mod"),
        None => (version, "module"),
    }
}

/// Escapes a module path and version for a `/lookup/` URL (case-encoded with `!`).
pub(crate) fn lookup_path(path: &str, version: &str) -> Result<String, String> {
    let escaped_path = module_path::escape_path(path).map_err(|error| error.to_string())?;
    let escaped_version =
        module_path::escape_version(version.strip_suffix("/go.mod").unwrap_or(version))
            .map_err(|error| error.to_string())?;
    Ok(format!("/lookup/{escaped_path}@{escaped_version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_VERIFIER: &str =
        "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";

    #[test]
    fn gosumdb_values() {
        let default = parse_gosumdb("sum.golang.org").unwrap();
        assert_eq!(default.name, "sum.golang.org");
        assert_eq!(default.url, None);
        assert_eq!(default.direct_url(), "https://sum.golang.org");
        let mirror = parse_gosumdb("sum.golang.google.cn").unwrap();
        assert_eq!(mirror.name, "sum.golang.org");
        assert_eq!(mirror.url.as_deref(), Some("https://sum.golang.google.cn"));
        let local = parse_gosumdb(&format!("{TEST_VERIFIER} http://127.0.0.1:1")).unwrap();
        assert_eq!(local.name, "localhost.localdev/sumdb");
        assert_eq!(local.url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(
            local.proxy_url("https://proxy.example/"),
            "https://proxy.example/sumdb/localhost.localdev/sumdb"
        );

        assert_eq!(
            parse_gosumdb("off").unwrap_err().to_string(),
            "checksum database disabled by GOSUMDB=off"
        );
        assert_eq!(
            parse_gosumdb("  ").unwrap_err().to_string(),
            "missing GOSUMDB"
        );
        assert_eq!(
            parse_gosumdb("a b c").unwrap_err().to_string(),
            "invalid GOSUMDB: too many fields"
        );
        assert_eq!(
            parse_gosumdb("example.com").unwrap_err().to_string(),
            "invalid GOSUMDB: malformed verifier id"
        );
    }

    #[test]
    fn sumdb_names_must_be_host_and_path() {
        // The messages the go command printed for keys with these names.
        let check = |name: &str| check_host_path(name).map_err(|error| error.to_string());
        assert_eq!(check("example.com"), Ok(()));
        assert_eq!(check("localhost.localdev/sumdb"), Ok(()));
        assert_eq!(check("127.0.0.1:8080/db"), Ok(()));
        assert_eq!(
            check("example.com/"),
            Err("invalid sumdb name (must be host[/path]): example.com/ {Scheme:https Opaque: User: Host:example.com Path:/ Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}".to_owned())
        );
        assert_eq!(
            check("a?b"),
            Err("invalid sumdb name (must be host[/path]): a?b {Scheme:https Opaque: User: Host:a Path: Fragment: RawQuery:b RawPath: RawFragment: ForceQuery:false OmitHost:false}".to_owned())
        );
        assert_eq!(
            check("user@host"),
            Err("invalid sumdb name (must be host[/path]): user@host {Scheme:https Opaque: User:user Host:host Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}".to_owned())
        );
        assert_eq!(
            check("/x"),
            Err("invalid sumdb name (must be host[/path]): /x {Scheme:https Opaque: User: Host: Path:/x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}".to_owned())
        );
        assert_eq!(
            check("a#b"),
            Err("invalid sumdb name (must be host[/path]): a#b {Scheme:https Opaque: User: Host:a Path: Fragment:b RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}".to_owned())
        );
        assert!(check("host:port").is_err());
    }

    #[test]
    fn hash_checks_use_go_wording() {
        let lines = vec![
            "example.com/m v1.0.0 h1:AAA=".to_owned(),
            "example.com/m v1.0.0/go.mod h1:BBB=".to_owned(),
        ];
        assert_eq!(
            check_hash("db", "example.com/m", "v1.0.0", "h1:AAA=", &lines),
            Ok(())
        );
        assert_eq!(
            check_hash("db", "example.com/m", "v1.0.0/go.mod", "h1:BBB=", &lines),
            Ok(())
        );
        let mismatch =
            check_hash("db", "example.com/m", "v1.0.0/go.mod", "h1:CCC=", &lines).unwrap_err();
        assert_eq!(
            mismatch.to_string(),
            "example.com/m@v1.0.0: verifying go.mod: checksum mismatch\n\tdownloaded: h1:CCC=\n\tdb: h1:BBB=\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n"
        );
        let missing = check_hash("db", "example.com/m", "v1.0.0", "h1:AAA=", &[]).unwrap_err();
        assert!(missing.to_string().starts_with("example.com/m@v1.0.0: verifying module: checksum missing from sumdb response\n\nSECURITY ERROR\n"));
    }

    #[test]
    fn lookup_paths_are_escaped() {
        assert_eq!(
            lookup_path("github.com/Azure/x", "v1.0.0-RC/go.mod"),
            Ok("/lookup/github.com/!azure/x@v1.0.0-!r!c".to_owned())
        );
    }
}
