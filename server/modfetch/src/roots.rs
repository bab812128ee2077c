//! The certificate roots the go command trusts on Linux, loaded the first time a TLS handshake
//! needs them (as go does), so a client that never speaks HTTPS never reads the system store.
//!
//! Go's rules (`crypto/x509` `loadSystemRoots`/`loadOnDiskRoots` on Linux):
//! - the first readable file of a fixed list of bundle files, or only `SSL_CERT_FILE` when it is
//!   set and not empty;
//! - plus every file of the directories `/etc/ssl/certs` and `/etc/pki/tls/certs`, or of the
//!   colon-separated `SSL_CERT_DIR` when it is set and not empty; a symlink to a name in the same
//!   directory (the `openssl rehash` links) is skipped;
//! - so `SSL_CERT_FILE` alone replaces the bundle but still adds the certificate directories.
//!
//! `rustls-native-certs` is not used: given `SSL_CERT_FILE` it reads that file alone (no
//! certificate directories), and it reads the process environment rather than the environment
//! the client was built with.
//!
//! Differences from go, on purpose: when the system store yields no certificate at all (a minimal
//! container without ca-certificates), go fails every handshake with "certificate signed by
//! unknown authority"; we fall back to the bundled Mozilla roots (`webpki-roots`) instead.
//!
//! Like go (which reads the system roots once per process), the roots of one source are loaded
//! once per process: every client built with the same `SSL_CERT_FILE` and `SSL_CERT_DIR` (the
//! module client, a client rebuilt after a settings change, the checksum database's) shares one
//! [`LazyRoots`].

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// Bundle files go tries in order when `SSL_CERT_FILE` is unset (the first readable one wins).
const CERT_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Directories go reads whole when `SSL_CERT_DIR` is unset.
const CERT_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// Where the roots come from: `SSL_CERT_FILE` and `SSL_CERT_DIR` of the client's environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct RootSource {
    file: Option<String>,
    dirs: Option<String>,
}

impl RootSource {
    /// Reads `SSL_CERT_FILE` and `SSL_CERT_DIR` (an empty value counts as unset, as in go).
    pub(crate) fn from_env(var: &dyn Fn(&str) -> Option<String>) -> RootSource {
        RootSource {
            file: var("SSL_CERT_FILE").filter(|v| !v.is_empty()),
            dirs: var("SSL_CERT_DIR").filter(|v| !v.is_empty()),
        }
    }

    /// The certificates go would trust, in no particular order (duplicates possible).
    pub(crate) fn load(&self) -> Vec<CertificateDer<'static>> {
        let mut out = Vec::new();
        let files: Vec<&str> = match &self.file {
            Some(file) => vec![file.as_str()],
            None => CERT_FILES.to_vec(),
        };
        for file in files {
            if let Ok(data) = std::fs::read(file) {
                push_pem(&data, &mut out);
                break;
            }
        }
        let dirs: Vec<&str> = match &self.dirs {
            Some(dirs) => dirs.split(':').collect(),
            None => CERT_DIRS.to_vec(),
        };
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if same_dir_symlink(&path) {
                    continue;
                }
                if let Ok(data) = std::fs::read(&path) {
                    push_pem(&data, &mut out);
                }
            }
        }
        out
    }
}

/// Whether `path` is a symlink to a bare name (a link within its own directory).
fn same_dir_symlink(path: &Path) -> bool {
    match std::fs::read_link(path) {
        Ok(target) => target.components().count() == 1 && !target.is_absolute(),
        Err(_) => false,
    }
}

/// Appends every CERTIFICATE block of a PEM file; other blocks and broken ones are skipped.
fn push_pem(data: &[u8], out: &mut Vec<CertificateDer<'static>>) {
    out.extend(CertificateDer::pem_slice_iter(data).map_while(Result::ok));
}

/// The root store for a source: go's roots, or the bundled Mozilla roots when there are none.
fn root_store(source: &RootSource) -> RootCertStore {
    let mut store = RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(source.load());
    if added == 0 {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    store
}

/// A server certificate verifier that loads its roots on the first handshake, or before it on a
/// blocking thread when asked to ([`LazyRoots::preload`]).
pub(crate) struct LazyRoots {
    source: RootSource,
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<Result<Arc<WebPkiServerVerifier>, String>>,
    preloading: tokio::sync::OnceCell<()>,
}

impl fmt::Debug for LazyRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyRoots")
            .field("source", &self.source)
            .field("loaded", &self.verifier.get().is_some())
            .finish()
    }
}

/// The roots of each source this process has used (a handful at most: one per distinct
/// `SSL_CERT_FILE` and `SSL_CERT_DIR` pair).
static SHARED: LazyLock<Mutex<HashMap<RootSource, Arc<LazyRoots>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

impl LazyRoots {
    /// The process's verifier over the roots of `source`, loaded or not.
    pub(crate) fn shared(source: RootSource) -> Arc<LazyRoots> {
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(shared.entry(source.clone()).or_insert_with(|| {
            Arc::new(LazyRoots::new(
                source,
                Arc::new(rustls::crypto::ring::default_provider()),
            ))
        }))
    }

    /// A verifier over the roots of `source`, not yet loaded, shared with nothing.
    fn new(source: RootSource, provider: Arc<CryptoProvider>) -> LazyRoots {
        LazyRoots {
            source,
            provider,
            verifier: OnceLock::new(),
            preloading: tokio::sync::OnceCell::new(),
        }
    }

    /// Loads the roots on a blocking thread, once, if they are not loaded yet; the callers wait
    /// for it without holding a runtime thread. Reading the system store takes milliseconds
    /// (about 300 certificates in some 150 files on Debian): done by the handshake itself, it
    /// would stall a runtime worker, and every task on it, for that long.
    pub(crate) async fn preload(self: &Arc<Self>) {
        if self.verifier.get().is_some() {
            return;
        }
        self.preloading
            .get_or_init(|| async {
                let this = Arc::clone(self);
                // A failed load is kept, and each handshake reports it.
                let _ = tokio::task::spawn_blocking(move || {
                    let _ = this.verifier();
                })
                .await;
            })
            .await;
    }

    /// Whether the roots have been loaded.
    #[cfg(test)]
    fn loaded(&self) -> bool {
        self.verifier.get().is_some()
    }

    fn verifier(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.verifier
            .get_or_init(|| {
                let store = root_store(&self.source);
                WebPkiServerVerifier::builder_with_provider(
                    Arc::new(store),
                    Arc::clone(&self.provider),
                )
                .build()
                .map_err(|e| format!("loading certificate roots: {e}"))
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(e.clone()))
    }
}

impl ServerCertVerifier for LazyRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match verified {
            // go looks at the names before the chain (crypto/x509's `Certificate.Verify`), webpki
            // after it: a certificate that does not name the host is refused for its names, in
            // go's words, whatever else go would have found only in the chain.
            Err(rustls::Error::InvalidCertificate(ref found)) if found_in_the_chain(found) => {
                let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                verified
            }
            verified => verified,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Whether go finds `error` only once it has looked at the certificate's names: an unknown
/// authority, a signature, a purpose, a revocation (go checks the leaf's own validity, its dates
/// and critical extensions, before the names; webpki does not say whether an expired certificate
/// is the leaf, so dates are left as webpki found them).
fn found_in_the_chain(error: &rustls::CertificateError) -> bool {
    use rustls::CertificateError as E;
    matches!(
        error,
        E::UnknownIssuer
            | E::BadSignature
            | E::UnsupportedSignatureAlgorithmContext { .. }
            | E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. }
            | E::InvalidPurpose
            | E::InvalidPurposeContext { .. }
            | E::Revoked
            | E::UnknownRevocationStatus
            | E::ExpiredRevocationList
            | E::ExpiredRevocationListContext { .. }
    )
}

/// The rustls client configuration of the module client: go's roots (the process's, loaded on
/// first use), HTTP/2 or HTTP/1.1 chosen by ALPN; and its roots, to preload.
pub(crate) fn tls_config(
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<(rustls::ClientConfig, Arc<LazyRoots>), rustls::Error> {
    let verifier = LazyRoots::shared(RootSource::from_env(var));
    let provider = Arc::clone(&verifier.provider);
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::clone(&verifier) as Arc<dyn ServerCertVerifier>)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((config, verifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        move |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    /// A leaf for `name` (not yet expired unless `expired`, for `purpose`), signed by `issuer`.
    fn leaf(
        name: &str,
        purpose: rcgen::ExtendedKeyUsagePurpose,
        expired: bool,
        issuer: &rcgen::CertifiedIssuer<'_, rcgen::KeyPair>,
    ) -> CertificateDer<'static> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.extended_key_usages = vec![purpose];
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        params.signed_by(&key, issuer).unwrap().der().clone()
    }

    fn issuer(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
    }

    /// What go finds only in the chain (an unknown authority, a purpose) loses to a name that
    /// does not match, as in go; what it finds in the leaf itself (its dates) does not.
    #[test]
    fn the_names_are_looked_at_before_the_chain_as_go_does() {
        use rcgen::ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
        let tmp = tempfile::tempdir().unwrap();
        let trusted = issuer("trusted CA");
        let unknown = issuer("unknown CA");
        let file = tmp.path().join("ca.pem");
        std::fs::write(&file, trusted.pem()).unwrap();
        let source = RootSource::from_env(&env(&[
            ("SSL_CERT_FILE", file.display().to_string()),
            (
                "SSL_CERT_DIR",
                tmp.path().join("none").display().to_string(),
            ),
        ]));
        let roots = LazyRoots::new(source, Arc::new(rustls::crypto::ring::default_provider()));
        let verify = |cert: &CertificateDer<'_>, host: &str| {
            let host = ServerName::try_from(host.to_owned()).unwrap();
            match roots.verify_server_cert(cert, &[], &host, &[], UnixTime::now()) {
                Ok(_) => "verified".to_owned(),
                Err(rustls::Error::InvalidCertificate(error)) => match error {
                    rustls::CertificateError::NotValidForNameContext { .. } => {
                        "not valid for the name".to_owned()
                    }
                    other => format!("{other:?}"),
                },
                Err(other) => format!("{other:?}"),
            }
        };
        let good = leaf("proxy.test", ServerAuth, false, &trusted);
        assert_eq!(verify(&good, "proxy.test"), "verified");
        assert_eq!(verify(&good, "other.test"), "not valid for the name");
        let untrusted = leaf("proxy.test", ServerAuth, false, &unknown);
        assert_eq!(verify(&untrusted, "proxy.test"), "UnknownIssuer");
        assert_eq!(verify(&untrusted, "other.test"), "not valid for the name");
        let client_only = leaf("proxy.test", ClientAuth, false, &trusted);
        assert!(
            verify(&client_only, "proxy.test").starts_with("InvalidPurpose"),
            "{}",
            verify(&client_only, "proxy.test")
        );
        assert_eq!(verify(&client_only, "other.test"), "not valid for the name");
        let expired = leaf("proxy.test", ServerAuth, true, &trusted);
        for host in ["proxy.test", "other.test"] {
            let found = verify(&expired, host);
            assert!(found.starts_with("Expired"), "{host}: {found}");
        }
    }

    #[test]
    fn empty_values_count_as_unset() {
        let var = env(&[
            ("SSL_CERT_FILE", String::new()),
            ("SSL_CERT_DIR", String::new()),
        ]);
        assert_eq!(RootSource::from_env(&var), RootSource::default());
    }

    #[test]
    fn cert_file_and_dirs_as_go_reads_them() {
        let tmp = tempfile::tempdir().unwrap();
        let ca = |name: &str| {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params.self_signed(&key).unwrap()
        };
        let (a, b, c) = (ca("a.test"), ca("b.test"), ca("c.test"));
        let file = tmp.path().join("bundle.pem");
        std::fs::write(&file, format!("junk\n{}{}", a.pem(), b.pem())).unwrap();
        let dir1 = tmp.path().join("d1");
        let dir2 = tmp.path().join("d2");
        std::fs::create_dir_all(&dir1).unwrap();
        std::fs::create_dir_all(&dir2).unwrap();
        std::fs::write(dir1.join("c.pem"), c.pem()).unwrap();
        // An `openssl rehash` link to a name in the same directory is skipped (no duplicate).
        std::os::unix::fs::symlink("c.pem", dir1.join("abcd1234.0")).unwrap();
        std::fs::write(dir2.join("not-a-cert"), "hello").unwrap();

        let dirs = format!("{}:{}:/nonexistent", dir1.display(), dir2.display());
        let var = env(&[
            ("SSL_CERT_FILE", file.display().to_string()),
            ("SSL_CERT_DIR", dirs),
        ]);
        let mut got = RootSource::from_env(&var).load();
        got.sort_by(|x, y| x.as_ref().cmp(y.as_ref()));
        let mut want = vec![a.der().clone(), b.der().clone(), c.der().clone()];
        want.sort_by(|x, y| x.as_ref().cmp(y.as_ref()));
        assert_eq!(got, want);

        // SSL_CERT_DIR alone: the bundle list of the system, plus only the given directory.
        let var = env(&[("SSL_CERT_DIR", dir1.display().to_string())]);
        let got = RootSource::from_env(&var).load();
        assert!(got.contains(c.der()));
        assert!(!got.contains(a.der()));

        // A missing SSL_CERT_FILE and empty directories: nothing, so the bundled roots are used.
        let var = env(&[
            (
                "SSL_CERT_FILE",
                tmp.path().join("missing").display().to_string(),
            ),
            ("SSL_CERT_DIR", dir2.display().to_string()),
        ]);
        let source = RootSource::from_env(&var);
        assert!(source.load().is_empty());
        assert_eq!(
            root_store(&source).len(),
            webpki_roots::TLS_SERVER_ROOTS.len()
        );
    }

    #[test]
    fn roots_load_on_first_use_only() {
        let tmp = tempfile::tempdir().unwrap();
        let var = env(&[
            (
                "SSL_CERT_FILE",
                tmp.path().join("missing").display().to_string(),
            ),
            ("SSL_CERT_DIR", tmp.path().display().to_string()),
        ]);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = LazyRoots::new(RootSource::from_env(&var), provider);
        assert!(!roots.supported_verify_schemes().is_empty());
        assert!(!roots.loaded());
        assert!(roots.verifier().is_ok());
        assert!(roots.loaded());
    }

    #[test]
    fn clients_of_one_source_share_its_roots() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = |name: &str| {
            let dir = tmp.path().join(name);
            std::fs::create_dir_all(&dir).unwrap();
            dir.display().to_string()
        };
        let missing = tmp.path().join("missing").display().to_string();
        let one = env(&[
            ("SSL_CERT_FILE", missing.clone()),
            ("SSL_CERT_DIR", dir("one")),
        ]);
        let other = env(&[("SSL_CERT_FILE", missing), ("SSL_CERT_DIR", dir("other"))]);
        let (_, first) = tls_config(&one).unwrap();
        let (_, second) = tls_config(&one).unwrap();
        let (_, third) = tls_config(&other).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(!Arc::ptr_eq(&first, &third));
        assert!(first.verifier().is_ok());
        // Loaded once, for every client of the source; not for another source.
        assert!(second.loaded());
        assert!(!third.loaded());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn preloading_loads_once_off_the_runtime_threads() {
        let tmp = tempfile::tempdir().unwrap();
        let var = env(&[
            (
                "SSL_CERT_FILE",
                tmp.path().join("missing").display().to_string(),
            ),
            ("SSL_CERT_DIR", tmp.path().display().to_string()),
        ]);
        let (_, roots) = tls_config(&var).unwrap();
        assert!(!roots.loaded());
        let waiting: Vec<_> = (0..16)
            .map(|_| {
                let roots = Arc::clone(&roots);
                tokio::spawn(async move { roots.preload().await })
            })
            .collect();
        for task in waiting {
            task.await.unwrap();
        }
        assert!(roots.loaded());
        // Loaded already: at once.
        roots.preload().await;
    }
}
