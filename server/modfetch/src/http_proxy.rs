//! Which HTTP proxy a request goes through, chosen as go's HTTP client chooses it.
//!
//! The go command sends its requests through the proxy that `HTTPS_PROXY` (for https URLs) or
//! `HTTP_PROXY` (for http URLs) names, upper case before lower case, unless `NO_PROXY` excludes
//! the URL's host; loopback hosts never go through a proxy (`ProxyFromEnvironment` in go's
//! `net/http`, which reads the environment once per process, and `httpproxy` under go's
//! `src/vendor/golang.org/x/net/http`). Corporate networks rely on these rules: a host that
//! `NO_PROXY` names must be dialled directly, every other one must go through the proxy.
//!
//! Not followed: go refuses `HTTP_PROXY` when `REQUEST_METHOD` is set (a CGI environment); a
//! language server is never run as a CGI program.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

/// The HTTP proxies of an environment and the hosts `NO_PROXY` exempts from them.
#[derive(Debug, Default)]
pub(crate) struct EnvProxies {
    /// For http URLs (`HTTP_PROXY`).
    http: Option<Url>,
    /// For https URLs (`HTTPS_PROXY`).
    https: Option<Url>,
    no_proxy: NoProxy,
}

impl EnvProxies {
    /// The proxy settings of an environment (`var` reads one variable).
    pub(crate) fn from_env(var: &dyn Fn(&str) -> Option<String>) -> EnvProxies {
        // go takes the first of the two names that is set and not empty.
        let pick = |upper: &str, lower: &str| {
            var(upper)
                .filter(|v| !v.is_empty())
                .or_else(|| var(lower).filter(|v| !v.is_empty()))
        };
        let proxy = |upper: &str, lower: &str| {
            let value = pick(upper, lower)?;
            let parsed = parse_proxy(&value);
            if parsed.is_none() {
                tracing::warn!("ignoring {upper}: not a URL");
            }
            parsed
        };
        EnvProxies {
            http: proxy("HTTP_PROXY", "http_proxy"),
            https: proxy("HTTPS_PROXY", "https_proxy"),
            no_proxy: NoProxy::parse(&pick("NO_PROXY", "no_proxy").unwrap_or_default()),
        }
    }

    /// Whether no proxy is configured at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy a request to `url` goes through, if any.
    pub(crate) fn proxy_for(&self, url: &Url) -> Option<&Url> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref()?,
            "http" => self.http.as_ref()?,
            _ => return None,
        };
        self.use_proxy(url).then_some(proxy)
    }

    /// The settings as reqwest's proxy, when there is one to use.
    pub(crate) fn reqwest_proxy(self: &Arc<Self>) -> Option<reqwest::Proxy> {
        if self.is_empty() {
            return None;
        }
        let proxies = Arc::clone(self);
        Some(reqwest::Proxy::custom(move |url| {
            proxies
                .proxy_for(url)
                .filter(|proxy| usable(proxy))
                .cloned()
        }))
    }

    /// The proxy a request to `url` must go through when this client cannot use it (a SOCKS
    /// proxy): the request must fail rather than go around the proxy the user set.
    pub(crate) fn unusable_proxy(&self, url: &Url) -> Option<&Url> {
        self.proxy_for(url).filter(|proxy| !usable(proxy))
    }

    /// The status text with which the forward proxy of `target` refuses to open a tunnel to it
    /// (`Forbidden`, `Bad Gateway`): go's words for a refused tunnel. hyper-util's tunnel keeps
    /// only whether the answer was 407, so the proxy is asked again, on a connection of its own,
    /// after a refusal. `None` when it cannot be asked (an https proxy, no answer within
    /// `timeout`) or now opens the tunnel.
    pub(crate) async fn tunnel_refusal(&self, target: &Url, timeout: Duration) -> Option<String> {
        let proxy = self.proxy_for(target)?;
        if proxy.scheme() != "http" || target.scheme() != "https" {
            return None;
        }
        tokio::time::timeout(timeout, ask_for_tunnel(proxy, target))
            .await
            .ok()
            .flatten()
    }

    /// Whether a request to `url` goes through a proxy, as far as the host goes.
    fn use_proxy(&self, url: &Url) -> bool {
        let Some(port) = url.port_or_known_default() else {
            return false;
        };
        let port = port.to_string();
        let Some(host) = url.host_str() else {
            return false;
        };
        if host == "localhost" {
            return false;
        }
        // An IPv6 literal comes bracketed.
        let ip = match url.domain() {
            Some(_) => None,
            None => host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .ok(),
        };
        let host = host.to_ascii_lowercase();
        if ip.is_some_and(|ip| is_loopback(&ip)) {
            return false;
        }
        !self.no_proxy.exempts(&host, &port, ip.as_ref())
    }
}

/// Asks the http proxy `proxy` for a tunnel to `target`'s host and port, with the proxy URL's
/// credentials, and gives the status text of a refusal.
async fn ask_for_tunnel(proxy: &Url, target: &Url) -> Option<String> {
    use http_body_util::Empty;
    use hyper::header::{HOST, PROXY_AUTHORIZATION};

    let host = proxy
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    let stream = tokio::net::TcpStream::connect((host, proxy.port_or_known_default()?))
        .await
        .ok()?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .ok()?;
    let authority = format!("{}:{}", target.host_str()?, target.port_or_known_default()?);
    let mut request = hyper::Request::builder()
        .method(hyper::Method::CONNECT)
        .uri(authority.as_str())
        .header(HOST, authority.as_str());
    if !proxy.username().is_empty() || proxy.password().is_some() {
        use crate::http::user_info;
        use base64::Engine as _;
        let credentials = format!(
            "{}:{}",
            user_info(proxy.username()),
            user_info(proxy.password().unwrap_or_default())
        );
        let token = base64::engine::general_purpose::STANDARD.encode(credentials);
        request = request.header(PROXY_AUTHORIZATION, format!("Basic {token}"));
    }
    let request = request.body(Empty::<bytes::Bytes>::new()).ok()?;
    // The connection is driven beside the request; only the answer's head is wanted.
    let response = tokio::select! {
        response = sender.send_request(request) => response.ok()?,
        _ = connection => return None,
    };
    let status = response.status();
    if status.is_success() {
        return None;
    }
    // go takes the text after the code in the status line, the proxy's own words.
    match response.extensions().get::<hyper::ext::ReasonPhrase>() {
        Some(reason) => Some(String::from_utf8_lossy(reason.as_bytes()).into_owned()),
        None => status.canonical_reason().map(str::to_owned),
    }
}

/// A proxy setting as go reads it: a URL, or a bare `host:port` taken as `http://host:port`. Any
/// scheme is kept, as go keeps it: a request meant for a proxy of a kind this client cannot use
/// (SOCKS) fails ([`EnvProxies::unusable_proxy`]) instead of going around it.
fn parse_proxy(value: &str) -> Option<Url> {
    match Url::parse(value) {
        Ok(url) if url.has_host() => Some(url),
        _ => Url::parse(&format!("http://{value}")).ok(),
    }
}

/// Whether this client can send requests through a proxy of `proxy`'s kind.
fn usable(proxy: &Url) -> bool {
    matches!(proxy.scheme(), "http" | "https")
}

/// Loopback as go's `IP.IsLoopback` sees it (an IPv4 loopback address in IPv6 form counts).
fn is_loopback(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The same address in one form: an IPv4 address in IPv6 form as IPv4 (go compares so).
fn unmapped(ip: &IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(*ip, IpAddr::V4),
        IpAddr::V4(_) => *ip,
    }
}

/// The hosts `NO_PROXY` exempts: `*` for all, IP addresses (with an optional port), CIDR blocks,
/// and domains (`corp.example` for it and its subdomains, `.corp.example` or `*.corp.example` for
/// its subdomains only, each with an optional port).
#[derive(Debug, Default)]
struct NoProxy {
    all: bool,
    ips: Vec<(IpAddr, String)>,
    cidrs: Vec<(IpAddr, u8)>,
    domains: Vec<DomainMatch>,
}

#[derive(Debug)]
struct DomainMatch {
    /// With a leading dot.
    suffix: String,
    port: String,
    /// The domain itself matches too, not only its subdomains.
    itself: bool,
}

impl NoProxy {
    fn parse(list: &str) -> NoProxy {
        let mut out = NoProxy::default();
        for entry in list.split(',') {
            let entry = entry.trim().to_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                return NoProxy {
                    all: true,
                    ..NoProxy::default()
                };
            }
            if let Some(cidr) = parse_cidr(&entry) {
                out.cidrs.push(cidr);
                continue;
            }
            let (mut host, port) = match split_host_port(&entry) {
                Some((host, port)) => {
                    if host.is_empty() {
                        continue;
                    }
                    let host = host
                        .strip_prefix('[')
                        .and_then(|h| h.strip_suffix(']'))
                        .unwrap_or(host);
                    (host.to_owned(), port.to_owned())
                }
                None => (entry.clone(), String::new()),
            };
            if let Ok(ip) = host.parse::<IpAddr>() {
                out.ips.push((ip, port));
                continue;
            }
            if host.is_empty() {
                continue;
            }
            if let Some(rest) = host.strip_prefix("*.") {
                host = format!(".{rest}");
            }
            let itself = !host.starts_with('.');
            if itself {
                host.insert(0, '.');
            }
            out.domains.push(DomainMatch {
                suffix: ascii_domain(&host),
                port,
                itself,
            });
        }
        out
    }

    /// Whether the entry list exempts a host (lower case), on `port`, whose address is `ip` when
    /// it is an IP literal.
    fn exempts(&self, host: &str, port: &str, ip: Option<&IpAddr>) -> bool {
        if self.all {
            return true;
        }
        if let Some(ip) = ip {
            let ip = unmapped(ip);
            let in_block = self
                .cidrs
                .iter()
                .any(|(network, bits)| in_cidr(&ip, network, *bits));
            let listed = self.ips.iter().any(|(listed, listed_port)| {
                unmapped(listed) == ip && (listed_port.is_empty() || listed_port == port)
            });
            // Domain entries never match an IP literal.
            return in_block || listed;
        }
        self.domains.iter().any(|domain| {
            (host.ends_with(&domain.suffix) || (domain.itself && host == &domain.suffix[1..]))
                && (domain.port.is_empty() || domain.port == port)
        })
    }
}

/// A domain in its ASCII (punycode) form, as go compares them; unchanged when it is ASCII already
/// or cannot be converted.
fn ascii_domain(dotted: &str) -> String {
    if dotted.is_ascii() {
        return dotted.to_owned();
    }
    let bare = dotted.trim_start_matches('.');
    match Url::parse(&format!("http://{bare}/")) {
        Ok(url) => match url.host_str() {
            Some(ascii) => format!("{}{ascii}", &dotted[..dotted.len() - bare.len()]),
            None => dotted.to_owned(),
        },
        Err(_) => dotted.to_owned(),
    }
}

/// A CIDR block (`10.0.0.0/8`, `fd00::/8`) as go's `ParseCIDR` takes it: the network, masked.
fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, bits) = text.split_once('/')?;
    let ip: IpAddr = address.parse().ok()?;
    // go takes the prefix length as decimal digits only.
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bits: u8 = bits.parse().ok()?;
    let network = match ip {
        IpAddr::V4(v4) if bits <= 32 => IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask32(bits))),
        IpAddr::V6(v6) if bits <= 128 => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask128(bits))),
        _ => return None,
    };
    Some((network, bits))
}

fn mask32(bits: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0)
}

fn mask128(bits: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0)
}

fn in_cidr(ip: &IpAddr, network: &IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            u32::from(*ip) & mask32(bits) == u32::from(*network)
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            u128::from(*ip) & mask128(bits) == u128::from(*network)
        }
        _ => false,
    }
}

/// go's `net.SplitHostPort`: `host:port` or `[host]:port` (the brackets kept off), `None` where go
/// reports an error (no port, too many colons, stray brackets).
fn split_host_port(text: &str) -> Option<(&str, &str)> {
    let colon = text.rfind(':')?;
    let (host, after_host) = if text.starts_with('[') {
        let end = text.find(']')?;
        if end + 1 != colon {
            return None;
        }
        (&text[1..end], end + 1)
    } else {
        let host = &text[..colon];
        if host.contains(':') {
            return None;
        }
        (host, 0)
    };
    let start = usize::from(text.starts_with('['));
    if text[start..].contains('[') || text[after_host..].contains(']') {
        return None;
    }
    Some((host, &text[colon + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn proxies(vars: &[(&str, &str)]) -> EnvProxies {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        EnvProxies::from_env(&|key| vars.get(key).cloned())
    }

    fn via(proxies: &EnvProxies, url: &str) -> Option<String> {
        proxies
            .proxy_for(&Url::parse(url).unwrap())
            .map(Url::to_string)
    }

    #[test]
    fn the_scheme_picks_the_variable_and_upper_case_comes_first() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://secure.proxy:3128"),
            ("https_proxy", "http://lower.proxy:1"),
            ("http_proxy", "plain.proxy:8080"),
        ]);
        let secure = Some("http://secure.proxy:3128/".to_owned());
        assert_eq!(via(&p, "https://proxy.golang.org/x/@v/list"), secure);
        // A bare host:port is an http URL, as go reads it.
        let plain = Some("http://plain.proxy:8080/".to_owned());
        assert_eq!(via(&p, "http://athens.corp:3000/x/@v/list"), plain);
        assert_eq!(via(&p, "file:///tmp/proxy/x/@v/list"), None);
        // An empty upper-case value falls back to the lower-case one.
        let p = proxies(&[("HTTPS_PROXY", ""), ("https_proxy", "10.0.0.1:3128")]);
        let lower = Some("http://10.0.0.1:3128/".to_owned());
        assert_eq!(via(&p, "https://proxy.golang.org/"), lower);
        assert!(proxies(&[]).is_empty());
        // A SOCKS proxy is kept, as go keeps it, but marked as one this client cannot use.
        let socks = proxies(&[("HTTPS_PROXY", "socks5://127.0.0.1:1080")]);
        let target = Url::parse("https://proxy.golang.org/").unwrap();
        assert_eq!(
            socks.unusable_proxy(&target).map(Url::as_str),
            Some("socks5://127.0.0.1:1080")
        );
        let p = proxies(&[("HTTPS_PROXY", "proxy:3128")]);
        assert_eq!(p.unusable_proxy(&target), None);
    }

    #[test]
    fn loopback_hosts_never_go_through_a_proxy() {
        let p = proxies(&[("HTTP_PROXY", "proxy:1"), ("HTTPS_PROXY", "proxy:1")]);
        for url in [
            "http://localhost:3000/x",
            "http://127.0.0.1:3000/x",
            "http://127.8.9.10/x",
            "https://[::1]:8443/x",
            "http://[::ffff:127.0.0.1]/x",
        ] {
            assert_eq!(via(&p, url), None, "{url}");
        }
        // Names that merely look local do go through it, as with go.
        for url in [
            "http://localhost.corp/x",
            "http://sub.localhost/x",
            "http://10.0.0.1/x",
        ] {
            assert!(via(&p, url).is_some(), "{url}");
        }
    }

    /// Whether NO_PROXY=`list` exempts `url` from the proxy.
    fn exempt(list: &str, url: &str) -> bool {
        let p = proxies(&[
            ("HTTP_PROXY", "proxy:1"),
            ("HTTPS_PROXY", "proxy:1"),
            ("NO_PROXY", list),
        ]);
        via(&p, url).is_none()
    }

    #[test]
    fn no_proxy_entries_as_go_matches_them() {
        let cases: &[(&str, &str, bool)] = &[
            // A domain exempts itself and its subdomains, not a longer name ending alike.
            ("corp.example", "https://corp.example/x", true),
            ("corp.example", "https://athens.corp.example/x", true),
            ("corp.example", "https://notcorp.example/x", false),
            // A leading dot or `*.`: subdomains only.
            (".corp.example", "https://corp.example/x", false),
            (".corp.example", "https://a.b.corp.example/x", true),
            ("*.corp.example", "https://corp.example/x", false),
            ("*.corp.example", "https://a.corp.example/x", true),
            // Case and spaces do not matter; empty entries are skipped.
            (" , CORP.Example ,", "https://Athens.corp.example/x", true),
            // A port narrows an entry; the URL's port is its scheme's default when absent.
            ("corp.example:8443", "https://corp.example:8443/x", true),
            ("corp.example:8443", "https://corp.example/x", false),
            ("corp.example:443", "https://corp.example/x", true),
            ("corp.example:80", "http://corp.example/x", true),
            // IP addresses, with or without a port, and CIDR blocks.
            ("10.1.2.3", "http://10.1.2.3:3000/x", true),
            ("10.1.2.3:3000", "http://10.1.2.3:3000/x", true),
            ("10.1.2.3:3001", "http://10.1.2.3:3000/x", false),
            ("10.0.0.0/8", "http://10.200.0.1/x", true),
            ("10.0.0.0/8", "http://11.0.0.1/x", false),
            ("fd00::/8", "http://[fd12::1]/x", true),
            ("[fd12::1]:80", "http://[fd12::1]/x", true),
            ("fd12::1", "http://[fd12::1]/x", true),
            // Domain entries never match an IP literal, and IP entries never match a name.
            ("10.1.2.3", "http://ten.corp/x", false),
            ("0.0.0.0/0", "http://corp.example/x", false),
            // `*` exempts everything; `*` inside a list too.
            ("*", "https://proxy.golang.org/x", true),
            ("a.example,*", "https://proxy.golang.org/x", true),
            ("", "https://proxy.golang.org/x", false),
            // Non-ASCII entries are compared in their ASCII form.
            ("bücher.example", "https://xn--bcher-kva.example/x", true),
        ];
        for (list, url, exempted) in cases {
            assert_eq!(exempt(list, url), *exempted, "NO_PROXY={list:?} {url}");
        }
    }

    #[test]
    fn host_port_splitting_as_go_does() {
        assert_eq!(split_host_port("a.example:80"), Some(("a.example", "80")));
        assert_eq!(split_host_port("[::1]:80"), Some(("::1", "80")));
        assert_eq!(split_host_port("a.example:"), Some(("a.example", "")));
        assert_eq!(split_host_port("a.example"), None);
        assert_eq!(split_host_port("::1"), None);
        assert_eq!(split_host_port("[::1]"), None);
        assert_eq!(split_host_port("[::1]x:80"), None);
        assert_eq!(split_host_port("a]:80"), None);
        assert_eq!(
            parse_cidr("10.1.2.3/8"),
            Some(("10.0.0.0".parse().unwrap(), 8))
        );
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(parse_cidr("10.0.0.0/+8"), None);
        assert_eq!(
            parse_cidr("10.0.0.0/008"),
            Some(("10.0.0.0".parse().unwrap(), 8))
        );
    }
}
