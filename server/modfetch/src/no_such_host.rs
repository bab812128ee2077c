//! go's words for a host name that does not resolve.
//!
//! A mistyped `GOPROXY` host is a common corporate set-up error, and go names it plainly:
//! `dial tcp: lookup proxy.corp.invalid on 10.0.0.2:53: no such host`. We resolve through the
//! system (`getaddrinfo`, as reqwest does), whose failure reads `dns error: failed to lookup
//! address information: Name or service not known`; this module gives go's words instead.
//!
//! Where go's words come from: the go command is built without cgo, so on Linux and the BSDs it
//! asks the name servers of `/etc/resolv.conf` itself and, when the name does not exist, names the
//! server that said so (the first one, unless it did not answer: `tryOneName` in go's
//! `net/dnsclient_unix.go`; the file is read by `dnsReadConfig` in `net/dnsconfig_unix.go`). On
//! macOS and Windows it asks the system, and names no server (`net/cgo_unix.go`,
//! `net/lookup_windows.go`).

use std::net::IpAddr;

/// go's name servers when `/etc/resolv.conf` names none (or cannot be read).
const DEFAULT_SERVER: &str = "127.0.0.1:53";

/// go's words for `err`, a request to `url` whose host name did not resolve because the name does
/// not exist (`dial tcp: lookup HOST on SERVER: no such host`); `None` for any other failure.
/// `resolv_conf` gives the text of `/etc/resolv.conf`, read only when the words need it.
pub(crate) fn text(
    err: &(dyn std::error::Error + 'static),
    url: &reqwest::Url,
    resolv_conf: impl FnOnce() -> Option<String>,
) -> Option<String> {
    let host = url.domain()?;
    if !is_not_found(err) {
        return None;
    }
    Some(words(host, resolv_conf))
}

/// [`text`] for the system's own answer to a lookup of `host` (tokio's `lookup_host`, which
/// says only what the C library says): go's words when the name does not exist.
pub(crate) fn lookup_text(
    err: &std::io::Error,
    host: &str,
    resolv_conf: impl FnOnce() -> Option<String>,
) -> Option<String> {
    let said = err.to_string();
    NOT_FOUND_WORDS
        .iter()
        .any(|known| said.ends_with(known))
        .then(|| words(host, resolv_conf))
}

fn words(host: &str, resolv_conf: impl FnOnce() -> Option<String>) -> String {
    match server_named() {
        true => {
            let server = resolv_conf()
                .as_deref()
                .and_then(first_server)
                .unwrap_or_else(|| DEFAULT_SERVER.to_owned());
            format!("dial tcp: lookup {host} on {server}: no such host")
        }
        false => format!("dial tcp: lookup {host}: no such host"),
    }
}

/// The text of the system's resolver configuration, as go reads it on this system.
pub(crate) fn system_resolv_conf() -> Option<String> {
    std::fs::read_to_string("/etc/resolv.conf").ok()
}

/// Whether go names the name server in its words on this system (it asks the servers itself).
fn server_named() -> bool {
    cfg!(all(
        unix,
        not(any(
            target_os = "macos",
            target_os = "ios",
            target_os = "android"
        ))
    ))
}

/// Whether `err` is a failed name lookup that found the name does not exist: hyper-util's
/// connect error for the lookup (`dns error`) over the system's answer. The system says so in
/// words only (`getaddrinfo`'s `EAI_NONAME` and `EAI_NODATA`, as the C library words them), or
/// on Windows with a socket error code.
fn is_not_found(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut lookup = false;
    for cause in crate::http::causes(err) {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // WSAHOST_NOT_FOUND and WSANO_DATA.
            if lookup && matches!(io.raw_os_error(), Some(11001 | 11004)) && cfg!(windows) {
                return true;
            }
        }
        let words = cause.to_string();
        if words == "dns error" {
            lookup = true;
        } else if lookup && NOT_FOUND_WORDS.iter().any(|known| words.ends_with(known)) {
            return true;
        }
    }
    false
}

/// How C libraries word a name that does not exist (`gai_strerror`).
const NOT_FOUND_WORDS: &[&str] = &[
    // glibc: EAI_NONAME, EAI_NODATA.
    "Name or service not known",
    "No address associated with hostname",
    // musl: EAI_NONAME, EAI_NODATA.
    "Name does not resolve",
    "Name has no usable address",
    // macOS and the BSDs: EAI_NONAME.
    "nodename nor servname provided, or not known",
];

/// The first name server of a `resolv.conf` text as go dials it (`10.0.0.2:53`, `[fd00::1]:53`):
/// go keeps the `nameserver` lines whose value is an IP address, at most three.
fn first_server(text: &str) -> Option<String> {
    text.lines()
        .filter(|line| !line.starts_with([';', '#']))
        .filter_map(|line| {
            let mut fields = line.split([' ', '\t', '\r']).filter(|f| !f.is_empty());
            match (fields.next(), fields.next()) {
                (Some("nameserver"), Some(address)) => Some(address),
                _ => None,
            }
        })
        .find_map(|address| {
            // go accepts an IPv6 address with a zone (`fe80::1%eth0`), not an IPv4 one.
            let (bare, zone) = match address.split_once('%') {
                Some((bare, zone)) => (bare, Some(zone)),
                None => (address, None),
            };
            match (bare.parse::<IpAddr>().ok()?, zone) {
                (IpAddr::V4(_), None) => Some(format!("{address}:53")),
                (IpAddr::V6(_), None) => Some(format!("[{address}]:53")),
                (IpAddr::V6(_), Some(zone)) if !zone.is_empty() => Some(format!("[{address}]:53")),
                _ => None,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_name_server_go_would_ask() {
        assert_eq!(
            first_server(
                "# generated\nsearch corp.example\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n"
            ),
            Some("10.0.0.2:53".to_owned())
        );
        // Comments, names instead of addresses and IPv4 zones are skipped, as go skips them.
        assert_eq!(
            first_server(
                "; old\n#nameserver 1.1.1.1\nnameserver dns.corp.example\n\
                 nameserver 10.0.0.9%eth0\nnameserver\tfd00::53\n"
            ),
            Some("[fd00::53]:53".to_owned())
        );
        assert_eq!(
            first_server("nameserver fe80::1%eth0\r\n"),
            Some("[fe80::1%eth0]:53".to_owned())
        );
        assert_eq!(first_server("nameserver 010.0.0.1\nsearch x\n"), None);
        assert_eq!(first_server(""), None);
    }

    /// A client whose lookups fail with `words`, as the system resolver's do.
    fn failing_client(words: &'static str) -> reqwest::Client {
        struct Failing(&'static str);
        impl reqwest::dns::Resolve for Failing {
            fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
                let words = self.0;
                Box::pin(async move {
                    Err(Box::new(std::io::Error::other(format!(
                        "failed to lookup address information: {words}"
                    )))
                        as Box<dyn std::error::Error + Send + Sync>)
                })
            }
        }
        reqwest::Client::builder()
            .dns_resolver(std::sync::Arc::new(Failing(words)))
            .build()
            .unwrap()
    }

    async fn words_for(client: &reqwest::Client, url: &str, conf: Option<&str>) -> Option<String> {
        let url = reqwest::Url::parse(url).unwrap();
        let err = client.get(url.clone()).send().await.unwrap_err();
        text(&err, &url, || conf.map(str::to_owned))
    }

    /// go's words on this system for `proxy.corp.invalid`, not found by `server`.
    fn gos_words(server: &str) -> String {
        match server_named() {
            true => format!("dial tcp: lookup proxy.corp.invalid on {server}: no such host"),
            false => "dial tcp: lookup proxy.corp.invalid: no such host".to_owned(),
        }
    }

    #[tokio::test]
    async fn a_name_that_does_not_exist_in_gos_words() {
        let conf = Some("nameserver 10.255.255.53\n");
        let client = failing_client("Name or service not known");
        let url = "http://proxy.corp.invalid/example.com/m/@v/list";
        let words = words_for(&client, url, conf).await;
        assert_eq!(words, Some(gos_words("10.255.255.53:53")));
        // A port of the URL is not part of the lookup; no resolv.conf means go's default server.
        let url = "https://proxy.corp.invalid:8443/x/@v/list";
        let words = words_for(&client, url, None).await;
        assert_eq!(words, Some(gos_words("127.0.0.1:53")));
        let client = failing_client("No address associated with hostname");
        let words = words_for(&client, url, conf).await;
        assert_eq!(words, Some(gos_words("10.255.255.53:53")));
    }

    #[tokio::test]
    async fn other_lookup_failures_keep_their_own_words() {
        let conf = Some("nameserver 10.0.0.2\n");
        // No name server answered: go's words depend on how it failed (a timeout, a refusal).
        let client = failing_client("Temporary failure in name resolution");
        let url = "http://proxy.corp.example/x/@v/list";
        assert_eq!(words_for(&client, url, conf).await, None);
        // A connection refused after a lookup is not a lookup failure.
        let client = reqwest::Client::new();
        assert_eq!(words_for(&client, "http://localhost:1/x", conf).await, None);
    }
}
