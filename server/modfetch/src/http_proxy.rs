//! Which HTTP proxy a request goes through, chosen as go's HTTP client chooses it.
//!
//! The go command sends its requests through the proxy that `HTTPS_PROXY` (for https URLs) or
//! `HTTP_PROXY` (for http URLs) names, upper case before lower case, unless `NO_PROXY` excludes
//! the URL's host; loopback hosts never go through a proxy (`ProxyFromEnvironment` in go's
//! `net/http`, which reads the environment once per process, and `httpproxy` under go's
//! `src/vendor/golang.org/x/net/http`). Corporate networks rely on these rules: a host that
//! `NO_PROXY` names must be dialled directly, every other one must go through the proxy.
//!
//! A proxy may be an http or https forward proxy or a SOCKS5 one (`socks5://` or `socks5h://`,
//! which go treats alike: the proxy resolves the host name, as with `socks5h` in curl).
//!
//! When `REQUEST_METHOD` is set (a CGI program, whose `HTTP_PROXY` may come from a request's
//! `Proxy` header), go refuses every http URL while `HTTP_PROXY` names a proxy, hosts that
//! `NO_PROXY` exempts and loopback ones too; so do we, in go's words.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Url;

use crate::lock;

/// The HTTP proxies of an environment and the hosts `NO_PROXY` exempts from them.
#[derive(Default)]
pub(crate) struct EnvProxies {
    /// For http URLs (`HTTP_PROXY`).
    http: Option<Url>,
    /// For https URLs (`HTTPS_PROXY`).
    https: Option<Url>,
    /// The variables set to a value that is not a URL this client can read (go may read it, and
    /// then sends through it): requests they would carry fail rather than go around them.
    /// Each as `(upper-case name, the name that was set)`.
    unread: Vec<(&'static str, &'static str)>,
    /// The variables (upper-case names) whose proxy URL has user information with nothing in it
    /// (`socks5://@host`, `socks5://:@host`): go sees an empty user name there, the url crate
    /// nothing.
    empty_user_info: Vec<&'static str>,
    no_proxy: NoProxy,
    /// Whether `REQUEST_METHOD` is set and not empty: a CGI environment, where go uses no
    /// `HTTP_PROXY`.
    cgi: bool,
    /// The schemes of the targets (`http`, `https`) whose SOCKS5 proxy is now offered no
    /// credentials: it said it takes none. Keyed by scheme so that no URL with credentials is
    /// kept here.
    socks_without_credentials: Mutex<HashSet<&'static str>>,
    /// The words of forward proxies that refused a tunnel for credentials (407), by the variable
    /// naming the proxy and the tunnel's `host:port`: each is asked again once, not after every
    /// refusal (each asking is one more failed login, which may lock an account).
    refusals_for_credentials: Mutex<HashMap<(&'static str, String), Refusal>>,
}

impl std::fmt::Debug for EnvProxies {
    // The proxies' URLs may carry credentials: they are shown redacted.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |proxy: &Option<Url>| {
            proxy
                .as_ref()
                .map(|url| crate::routing::redact(url.as_str()))
        };
        formatter
            .debug_struct("EnvProxies")
            .field("http", &redacted(&self.http))
            .field("https", &redacted(&self.https))
            .field("unread", &self.unread)
            .field("empty_user_info", &self.empty_user_info)
            .field("no_proxy", &self.no_proxy)
            .field("cgi", &self.cgi)
            .field("socks_without_credentials", &self.socks_without_credentials)
            .field("refusals_for_credentials", &self.refusals_for_credentials)
            .finish()
    }
}

/// A forward proxy's answer refusing a tunnel: its status code and go's words for it.
type Refusal = (i32, String);

/// How a request to a SOCKS5 proxy offered it authentication, as read before it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocksOffer {
    /// Not through a SOCKS5 proxy whose URL has credentials go would send.
    NotApplicable,
    /// The URL's credentials.
    Credentials,
    /// No authentication.
    Nothing,
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
        let mut unread = Vec::new();
        let mut empty_user_info = Vec::new();
        let mut proxy = |upper: &'static str, lower: &'static str| {
            let value = pick(upper, lower)?;
            let parsed = parse_proxy(&value);
            if parsed.as_ref().is_some_and(|url| {
                url.username().is_empty() && url.password().is_none() && has_user_info(&value)
            }) {
                empty_user_info.push(upper);
            }
            if parsed.is_none() {
                let set = match var(upper).is_some_and(|v| !v.is_empty()) {
                    true => upper,
                    false => lower,
                };
                tracing::warn!("{set} is not a URL: requests it would carry fail");
                unread.push((upper, set));
            }
            parsed
        };
        let http = proxy("HTTP_PROXY", "http_proxy");
        let https = proxy("HTTPS_PROXY", "https_proxy");
        EnvProxies {
            http,
            https,
            unread,
            empty_user_info,
            no_proxy: NoProxy::parse(&pick("NO_PROXY", "no_proxy").unwrap_or_default()),
            cgi: var("REQUEST_METHOD").is_some_and(|v| !v.is_empty()),
            socks_without_credentials: Mutex::default(),
            refusals_for_credentials: Mutex::default(),
        }
    }

    /// The variable naming the proxy for `url`'s scheme.
    fn variable(url: &Url) -> Option<&'static str> {
        match url.scheme() {
            "https" => Some("HTTPS_PROXY"),
            "http" => Some("HTTP_PROXY"),
            _ => None,
        }
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

    /// The settings as reqwest's proxies: one per variable set, each for the URLs of its scheme.
    /// An http or https proxy's credentials go in the header as go sends them
    /// ([`EnvProxies::forward_credentials`]), not in the URL handed to reqwest (which would decode
    /// them as UTF-8, lossily).
    pub(crate) fn reqwest_proxies(self: &Arc<Self>) -> Vec<reqwest::Proxy> {
        let mut out = Vec::new();
        for (scheme, variable, proxy) in [
            ("http", "HTTP_PROXY", &self.http),
            ("https", "HTTPS_PROXY", &self.https),
        ] {
            let Some(proxy) = proxy else {
                continue;
            };
            let proxies = Arc::clone(self);
            // `None` from here sends the request straight to its host: every proxy without a
            // form for reqwest fails the request before it is sent
            // ([`EnvProxies::unusable_proxy`]).
            let mut custom = reqwest::Proxy::custom(move |url| {
                if url.scheme() != scheme {
                    return None;
                }
                let proxy = proxies.proxy_for(url)?;
                let offer = proxies.socks_offer(url) != SocksOffer::Nothing;
                reqwest_form(proxy, offer)
            });
            if let Some(credentials) = self.forward_credentials(variable, proxy) {
                custom = custom.custom_http_auth(credentials);
            }
            out.push(custom);
        }
        out
    }

    /// The `Proxy-Authorization` an http or https forward proxy is sent, as go sends it: the
    /// URL's user information, percent-decoded to its bytes (not necessarily UTF-8); an empty
    /// one (`http://@proxy:3128`) as an empty user name and password. `variable` names the proxy
    /// (`HTTP_PROXY` or `HTTPS_PROXY`).
    fn forward_credentials(
        &self,
        variable: &str,
        proxy: &Url,
    ) -> Option<reqwest::header::HeaderValue> {
        if !matches!(proxy.scheme(), "http" | "https") {
            return None;
        }
        let empty = self.empty_user_info.contains(&variable);
        (!proxy.username().is_empty() || proxy.password().is_some() || empty)
            .then(|| crate::http::basic_credentials(proxy.username(), proxy.password()))
    }

    /// [`socks_credentials`] of the proxy of `target`, an empty user information included (go
    /// has an empty user name there, which it refuses to send).
    fn credentials_given(&self, target: &Url, proxy: &Url) -> Option<bool> {
        let empty = Self::variable(target).is_some_and(|v| self.empty_user_info.contains(&v));
        socks_credentials(proxy).or(empty.then_some(false))
    }

    /// How a request to `target` offers its SOCKS5 proxy authentication now.
    pub(crate) fn socks_offer(&self, target: &Url) -> SocksOffer {
        let has_credentials = self
            .proxy_for(target)
            .filter(|proxy| is_socks(proxy))
            .is_some_and(|proxy| socks_credentials(proxy) == Some(true));
        match (has_credentials, Self::variable(target)) {
            (true, Some(variable)) if lock(&self.socks_without_credentials).contains(variable) => {
                SocksOffer::Nothing
            }
            (true, _) => SocksOffer::Credentials,
            (false, _) => SocksOffer::NotApplicable,
        }
    }

    /// Whether a request to `target` that offered its SOCKS5 proxy `offered` and failed with
    /// hyper-util's `words` should be sent again with the other offer. go offers a SOCKS5 proxy
    /// both no authentication and the URL's credentials and lets it choose; hyper-util offers only
    /// one: the credentials, or after a proxy said it takes none, nothing (until a proxy says it
    /// wants some: a proxy that changed, say after a move between networks). hyper-util words a
    /// proxy that accepts neither method alike, whichever was offered. A proxy that ended the
    /// connection when offered the credentials alone (OpenSSH's `ssh -D` wants "no
    /// authentication" among the methods) is sent go's first message, both methods, within
    /// `timeout`: if it then chooses no authentication, the request goes again without them.
    pub(crate) async fn socks_offer_again(
        &self,
        target: &Url,
        offered: SocksOffer,
        words: &str,
        timeout: Duration,
    ) -> bool {
        let Some(variable) = Self::variable(target) else {
            return false;
        };
        if offered == SocksOffer::Credentials
            && words == "io error during SOCKS handshake"
            && let Some(proxy) = self.proxy_for(target).filter(|proxy| is_socks(proxy))
            && let Some((host, port)) = socks_address(proxy)
        {
            let chosen = tokio::time::timeout(timeout, greet(&host, port, true)).await;
            let takes_nothing = matches!(chosen, Ok(Some((_, Ok([5, 0])))));
            if takes_nothing {
                lock(&self.socks_without_credentials).insert(variable);
            }
            return takes_nothing;
        }
        let refused = "server does not support user/pass authentication";
        let mut without = lock(&self.socks_without_credentials);
        match offered {
            SocksOffer::Credentials
                if words == refused || words == "server implements authentication incorrectly" =>
            {
                without.insert(variable);
                true
            }
            SocksOffer::Nothing if words == refused => {
                without.remove(variable);
                true
            }
            _ => false,
        }
    }

    /// Why a request to `url` cannot be sent through the proxy it must go through, when this
    /// client cannot use that proxy: a variable whose value is not a URL, a proxy of another kind
    /// than http, https and SOCKS5 (`socks4://`), or a URL reqwest would not take. The request
    /// must then fail rather than go around the proxy the user set. Also go's refusal of every
    /// http URL in a CGI environment with `HTTP_PROXY` set.
    pub(crate) fn unusable_proxy(&self, url: &Url) -> Option<String> {
        // Before NO_PROXY and loopback hosts are looked at, as go does.
        if self.cgi && url.scheme() == "http" && self.http.is_some() {
            return Some(
                "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"
                    .to_owned(),
            );
        }
        if let Some(variable) = Self::variable(url)
            && let Some((_, set)) = self.unread.iter().find(|(upper, _)| *upper == variable)
            && self.use_proxy(url)
        {
            return Some(format!(
                "{set} is set to a value gomodls cannot read as a proxy URL, and requests do not \
                 go around it"
            ));
        }
        let proxy = self.proxy_for(url)?;
        if reqwest_form(proxy, true).is_some() {
            return None;
        }
        let redacted = crate::routing::redact(proxy.as_str());
        Some(match proxy.scheme() {
            "http" | "https" | "socks5" | "socks5h" => {
                format!(
                    "proxy {redacted}: gomodls cannot use this proxy URL, and does not go around it"
                )
            }
            _ => format!(
                "proxy {redacted}: gomodls sends requests through http, https and SOCKS5 proxies \
                 only, and does not go around the one set"
            ),
        })
    }

    /// The status text with which the forward proxy of `target` refuses to open a tunnel to it
    /// (`Forbidden`, `Bad Gateway`, a 407's own words): go's words for a refused tunnel.
    /// hyper-util's tunnel keeps only whether the answer was 407, so the proxy is asked again
    /// (with the same credentials, to the same proxy), on a connection of its own, within
    /// `timeout`, after a refusal; a refusal `for_credentials` (407) only the first time, its
    /// words kept for the next ones. With the status code of the refusal. `None` when it cannot
    /// be asked (an https proxy, no answer within `timeout`) or now opens the tunnel.
    pub(crate) async fn tunnel_refusal(
        &self,
        target: &Url,
        timeout: Duration,
        for_credentials: bool,
    ) -> Option<Refusal> {
        let proxy = self.proxy_for(target)?;
        let variable = Self::variable(target)?;
        if proxy.scheme() != "http" || target.scheme() != "https" {
            return None;
        }
        let key = (
            variable,
            format!("{}:{}", target.host_str()?, target.port_or_known_default()?),
        );
        if for_credentials && let Some(refusal) = lock(&self.refusals_for_credentials).get(&key) {
            return Some(refusal.clone());
        }
        let credentials = self.forward_credentials(variable, proxy);
        let refusal = tokio::time::timeout(timeout, ask_for_tunnel(proxy, credentials, target))
            .await
            .ok()
            .flatten()?;
        if for_credentials {
            lock(&self.refusals_for_credentials).insert(key, refusal.clone());
        }
        Some(refusal)
    }

    /// go's words for a request to `target` that the SOCKS5 proxy it goes through did not carry,
    /// from `words`, what hyper-util's SOCKS client said (`SOCKS error: host unreachable`):
    /// `socks connect tcp 127.0.0.1:1080->modules.example.com:443: unknown error host
    /// unreachable`, or, when the proxy could not be reached, go's words for that (found by
    /// dialling it again: hyper-util keeps only that it failed). An answer hyper-util could not
    /// read, or a connection that ended during the handshake, is asked for again the same way
    /// ([`not_socks`]): the server may be no SOCKS5 proxy at all. Each look-up or dial is bounded
    /// by `timeout`, the connect timeout; dialling again, by what of it the failed `attempt` left
    /// (a proxy that did not answer is not waited for twice). `None` when the request does not go
    /// through a SOCKS5 proxy or go's words are not known.
    pub(crate) async fn socks_failure(
        &self,
        words: &str,
        target: &Url,
        timeout: Duration,
        attempt: Duration,
    ) -> Option<String> {
        let proxy = self.proxy_for(target).filter(|proxy| is_socks(proxy))?;
        let (host, port) = socks_address(proxy)?;
        let host = host.as_str();
        let left = timeout.saturating_sub(attempt);
        if words == "failed to create underlying connection" {
            let why = tokio::time::timeout(left, dial(host, port))
                .await
                .ok()?
                .err()??;
            return Some(format!("proxyconnect tcp: {why}"));
        }
        let given = self.credentials_given(target, proxy);
        let target = format!("{}:{}", target.host_str()?, target.port_or_known_default()?);
        if matches!(
            words,
            "failed parsing server response" | "io error during SOCKS handshake"
        ) {
            // What answered may not be a SOCKS5 proxy at all (an http proxy's or an SSH port):
            // go's words for what it answers to go's first message.
            let credentials = given.is_some();
            let (source, why) = tokio::time::timeout(left, not_socks(host, port, credentials))
                .await
                .ok()??;
            return Some(format!("socks connect tcp {source}->{target}: {why}"));
        }
        let reason = match socks_reason(words)? {
            // Credentials go would not send (it says so once the proxy asks for them) were not
            // offered: a proxy that wants some then has none to take.
            "no acceptable authentication methods" if given == Some(false) => {
                "invalid username/password"
            }
            reason => reason,
        };
        // go names the proxy by the address it is connected to (an IPv4 address in IPv6 form
        // as IPv4); the target as the request names it.
        let source = match host.parse::<IpAddr>() {
            Ok(ip) => SocketAddr::new(ip.to_canonical(), port),
            Err(_) => tokio::time::timeout(timeout, dial(host, port))
                .await
                .ok()?
                .ok()?,
        };
        Some(format!("socks connect tcp {source}->{target}: {reason}"))
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

/// Asks the http proxy `proxy` for a tunnel to `target`'s host and port, with `credentials` (the
/// proxy URL's), and gives the status text of a refusal.
async fn ask_for_tunnel(
    proxy: &Url,
    credentials: Option<reqwest::header::HeaderValue>,
    target: &Url,
) -> Option<Refusal> {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};

    let host = proxy
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    let mut stream = tokio::net::TcpStream::connect((host, proxy.port_or_known_default()?))
        .await
        .ok()?;
    let authority = format!("{}:{}", target.host_str()?, target.port_or_known_default()?);
    let request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    let mut request = request.into_bytes();
    if let Some(credentials) = credentials {
        request.extend_from_slice(b"Proxy-Authorization: ");
        request.extend_from_slice(credentials.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    stream.write_all(&request).await.ok()?;
    // go reads the first line of the answer, whatever it is (a 1xx too), and takes its words
    // from it as they are: hyper's parser reads it otherwise (it skips 1xx answers, keeps no
    // reason phrase with bytes outside ASCII, none for a status line without one).
    let mut line = Vec::new();
    tokio::io::BufReader::new(stream)
        .take(MAX_STATUS_LINE)
        .read_until(b'\n', &mut line)
        .await
        .ok()?;
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    refusal_words(&String::from_utf8_lossy(line))
}

/// The longest status line read from a proxy asked again for its refusal.
const MAX_STATUS_LINE: u64 = 64 * 1024;

/// The status code and go's words for the answer to CONNECT whose status line is `line`: the
/// text after the status code (`unknown status code` when there is none), or `None` when the
/// answer opens the tunnel (200) or go would not read it as a status line (its words are then
/// its parser's).
fn refusal_words(line: &str) -> Option<Refusal> {
    // http.ReadResponse: the version, then the status (spaces before it dropped), whose first
    // three characters are the code.
    let (version, status) = line.split_once(' ')?;
    let status = status.trim_start_matches(' ');
    let code = status.split_once(' ').map_or(status, |(code, _)| code);
    if code.len() != 3 || !go_http_version(version) {
        return None;
    }
    let code: i32 = code.parse().ok().filter(|code| *code >= 0)?;
    if code == 200 {
        return None;
    }
    // The transport's words: the status after its code.
    let words = match status.split_once(' ') {
        Some((_, text)) => text.to_owned(),
        None => "unknown status code".to_owned(),
    };
    Some((code, words))
}

/// Whether go's `http.ParseHTTPVersion` takes `version`: `HTTP/X.Y`, one digit each.
fn go_http_version(version: &str) -> bool {
    let Some(digits) = version.strip_prefix("HTTP/") else {
        return false;
    };
    let digits = digits.as_bytes();
    digits.len() == 3
        && digits[0].is_ascii_digit()
        && digits[1] == b'.'
        && digits[2].is_ascii_digit()
}

/// Whether the URL or proxy setting `value` has user information, maybe empty (an `@` in its
/// authority, as go's URL parser finds it; the url crate keeps nothing of an empty one).
pub(crate) fn has_user_info(value: &str) -> bool {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|authority| authority.contains('@'))
}

/// A proxy setting as go reads it: a URL, or a bare `host:port` taken as `http://host:port`. Any
/// scheme is kept, as go keeps it: a request meant for a proxy of a kind this client cannot use
/// (`socks4://`) fails ([`EnvProxies::unusable_proxy`]) instead of going around it.
fn parse_proxy(value: &str) -> Option<Url> {
    match Url::parse(value) {
        Ok(url) if url.has_host() => Some(url),
        _ => Url::parse(&format!("http://{value}")).ok(),
    }
}

/// The URL reqwest is given for `proxy` (a SOCKS5 proxy's with its credentials, if `credentials`;
/// an http or https proxy's never with them), or `None` when
/// this client cannot send requests through it as go would: a proxy of another kind, or a URL
/// that hyper-util would not take (it would then send the request around the proxy).
///
/// go sends a SOCKS5 proxy the host name, by both of its names for the protocol (reqwest does so
/// for `socks5h` only), and dials the proxy by its host in ASCII (IDNA), which the url crate does
/// not do for a scheme it does not know.
fn reqwest_form(proxy: &Url, credentials: bool) -> Option<Url> {
    let form = match proxy.scheme() {
        // The credentials go in a header of their own ([`EnvProxies::forward_credentials`]).
        "http" | "https" => {
            let mut bare = proxy.clone();
            bare.set_username("").ok()?;
            bare.set_password(None).ok()?;
            bare
        }
        "socks5" | "socks5h" => {
            let host = socks_host(proxy.host_str()?)?;
            let mut form = String::from("socks5h://");
            if credentials && socks_credentials(proxy) == Some(true) {
                form.push_str(proxy.username());
                if let Some(password) = proxy.password() {
                    form.push(':');
                    form.push_str(password);
                }
                form.push('@');
            }
            form.push_str(&host);
            if let Some(port) = proxy.port() {
                form.push_str(&format!(":{port}"));
            }
            Url::parse(&form).ok()?
        }
        _ => return None,
    };
    let uri = form.as_str().parse::<hyper::Uri>().ok()?;
    uri.host()
        .is_some_and(|host| !host.is_empty() && !host.contains('%'))
        .then_some(form)
}

/// The host of a SOCKS5 proxy URL as go dials it: an ASCII host as it is written (go keeps its
/// case), a host with non-ASCII characters in ASCII by IDNA. `None` for a host go would not read:
/// an escape of an ASCII character, or a character that ends or splits a host.
fn socks_host(host: &str) -> Option<String> {
    if host.starts_with('[') {
        // An IPv6 literal, parsed by the url crate.
        return Some(host.to_owned());
    }
    let decoded = percent_encoding::percent_decode_str(host).collect::<Vec<u8>>();
    let escapes = host.matches('%').count();
    let non_ascii = decoded.iter().filter(|byte| !byte.is_ascii()).count();
    // Every escape stands for a byte of a non-ASCII character (go refuses others in a host).
    if escapes != non_ascii {
        return None;
    }
    let decoded = String::from_utf8(decoded).ok()?;
    if decoded
        .chars()
        .any(|c| matches!(c, '%' | '/' | '?' | '#' | '@' | ':' | '[' | ']' | '\\'))
    {
        return None;
    }
    if decoded.is_ascii() {
        return Some(decoded);
    }
    let ascii = Url::parse(&format!("http://{decoded}/")).ok()?;
    ascii.host_str().map(str::to_owned)
}

/// Whether the URL of the SOCKS5 proxy `proxy` gives credentials that go would send (`Some(true)`:
/// a user name of 1 to 255 bytes and a password of at most 255, once decoded), gives some that it
/// would refuse to send (`Some(false)`), or gives none.
fn socks_credentials(proxy: &Url) -> Option<bool> {
    if proxy.username().is_empty() && proxy.password().is_none() {
        return None;
    }
    // go counts the bytes it sends; hyper-util sends them decoded as UTF-8 (lossily), which may
    // be longer: both must fit the protocol's length byte.
    let length = |part: &str| {
        let decoded = percent_encoding::percent_decode_str(part);
        decoded
            .clone()
            .count()
            .max(decoded.decode_utf8_lossy().len())
    };
    let user = length(proxy.username());
    Some((1..=255).contains(&user) && length(proxy.password().unwrap_or_default()) <= 255)
}

/// The host (in ASCII, as it is dialled) and port of the SOCKS5 proxy `proxy`.
fn socks_address(proxy: &Url) -> Option<(String, u16)> {
    let dialled = reqwest_form(proxy, false)?;
    let host = dialled
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']');
    Some((host.to_owned(), proxy.port().unwrap_or(SOCKS_PORT)))
}

/// Whether `proxy` is a SOCKS5 proxy, by either of the names go accepts.
fn is_socks(proxy: &Url) -> bool {
    matches!(proxy.scheme(), "socks5" | "socks5h")
}

/// The port of a SOCKS5 proxy whose URL names none (go's and reqwest's).
const SOCKS_PORT: u16 = 1080;

/// go's words for a SOCKS5 refusal, from hyper-util's words for it (the text after `SOCKS error:
/// `): go says `unknown error` and its own name of the reply code for a refused `CONNECT`.
fn socks_reason(words: &str) -> Option<&'static str> {
    Some(match words {
        "general server failure" => "unknown error general SOCKS server failure",
        "connection not allowed" => "unknown error connection not allowed by ruleset",
        "network unreachable" => "unknown error network unreachable",
        "host unreachable" => "unknown error host unreachable",
        "connection refused" => "unknown error connection refused",
        "ttl expired" => "unknown error TTL expired",
        "command not supported" => "unknown error command not supported",
        "address type not supported" => "unknown error address type not supported",
        "credentials not accepted" => "username/password authentication failed",
        "server does not support user/pass authentication" => {
            "no acceptable authentication methods"
        }
        _ => return None,
    })
}

/// Dials `host:port` as go does: the first address of the host that takes a connection (go
/// names the proxy by the address it connected to), or why none did in go's words for the first
/// address tried (`dial tcp 127.0.0.1:1080: connect: connection refused`, or go's words for a
/// host name that does not exist); `Err(None)` for a failure go's words are not known for.
async fn dial(host: &str, port: u16) -> Result<SocketAddr, Option<String>> {
    let addresses = match tokio::net::lookup_host((host, port)).await {
        Ok(addresses) => addresses,
        Err(err) => {
            return Err(crate::no_such_host::lookup_text(
                &err,
                host,
                crate::no_such_host::system_resolv_conf,
            ));
        }
    };
    let mut first = None;
    let mut known = true;
    for address in addresses {
        match tokio::net::TcpStream::connect(address).await {
            Ok(_) => return Ok(address),
            Err(err) => {
                let why = match err.kind() {
                    std::io::ErrorKind::ConnectionRefused => "connection refused",
                    std::io::ErrorKind::NetworkUnreachable => "network is unreachable",
                    std::io::ErrorKind::HostUnreachable => "no route to host",
                    _ => {
                        known = false;
                        continue;
                    }
                };
                first.get_or_insert((address, why));
            }
        }
    }
    Err(first
        .filter(|_| known)
        .map(|(address, why)| format!("dial tcp {address}: connect: {why}")))
}

/// go's words for the answer of the server at `host:port` to go's greeting of a SOCKS5 proxy
/// (`credentials`: offering the URL's credentials besides no authentication) when it is no SOCKS5
/// answer: `unexpected protocol version 72` (an http proxy's `HTTP/1.1 400`), `EOF`,
/// `unexpected EOF`, a reset connection. With the address of the server, as go names it. `None`
/// when it answers as a SOCKS5 proxy, or fails otherwise.
async fn not_socks(host: &str, port: u16, credentials: bool) -> Option<(SocketAddr, String)> {
    match greet(host, port, credentials).await? {
        (server, Ok([version, _])) if version != 5 => {
            Some((server, format!("unexpected protocol version {version}")))
        }
        (_, Ok(_)) => None,
        (server, Err(words)) => Some((server, words)),
    }
}

/// Sends the server at `host:port` go's greeting of a SOCKS5 proxy (`credentials`: offering the
/// URL's credentials besides no authentication) and reads its answer: the version and the method
/// it chose, or go's words for a connection that ended first (`EOF`, `unexpected EOF`, a reset).
/// With the address of the server, as go names it. Nothing else is sent. `None` when the server
/// cannot be reached or fails otherwise.
async fn greet(
    host: &str,
    port: u16,
    credentials: bool,
) -> Option<(SocketAddr, Result<[u8; 2], String>)> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let mut stream = tokio::net::TcpStream::connect((host, port)).await.ok()?;
    let canonical =
        |address: SocketAddr| SocketAddr::new(address.ip().to_canonical(), address.port());
    let server = canonical(stream.peer_addr().ok()?);
    let local = canonical(stream.local_addr().ok()?);
    // go's greeting: version 5, then the methods it offers (none, and user/password).
    let greeting: &[u8] = match credentials {
        true => &[5, 2, 0, 2],
        false => &[5, 1, 0],
    };
    stream.write_all(greeting).await.ok()?;
    let mut answer = [0_u8; 2];
    let mut read = 0;
    while let Some(rest) = answer.get_mut(read..).filter(|rest| !rest.is_empty()) {
        match stream.read(rest).await {
            Ok(0) if read == 0 => return Some((server, Err("EOF".to_owned()))),
            Ok(0) => return Some((server, Err("unexpected EOF".to_owned()))),
            Ok(n) => read += n,
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {
                let words = format!("read tcp {local}->{server}: read: connection reset by peer");
                return Some((server, Err(words)));
            }
            Err(_) => return None,
        }
    }
    Some((server, Ok(answer)))
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
        IpAddr::V6(v6) if bits <= 128 => {
            let network = Ipv6Addr::from(u128::from(v6) & mask128(bits));
            // An IPv4 block in IPv6 form (`::ffff:10.0.0.0/104`) is the IPv4 block to go (its
            // `IPNet.Contains`), with 96 bits fewer: still in that form once masked, it kept at
            // least 96.
            if let Some(v4) = network.to_ipv4_mapped() {
                return Some((IpAddr::V4(v4), bits.saturating_sub(96)));
            }
            IpAddr::V6(network)
        }
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
        assert!(Arc::new(proxies(&[])).reqwest_proxies().is_empty());
        // A proxy of another kind is kept, as go keeps it, but marked as one this client cannot
        // use; SOCKS5 proxies, by both of go's names, it uses.
        let target = Url::parse("https://proxy.golang.org/").unwrap();
        let socks4 = proxies(&[("HTTPS_PROXY", "socks4://127.0.0.1:1080")]);
        assert_eq!(
            socks4.unusable_proxy(&target).as_deref(),
            Some(
                "proxy socks4://127.0.0.1:1080: gomodls sends requests through http, https and \
                 SOCKS5 proxies only, and does not go around the one set"
            )
        );
        for usable in ["proxy:3128", "socks5://127.0.0.1:1080", "socks5h://proxy"] {
            let p = proxies(&[("HTTPS_PROXY", usable)]);
            assert_eq!(p.unusable_proxy(&target), None, "{usable}");
        }
    }

    #[test]
    fn proxies_as_reqwest_is_given_them() {
        let form = |proxy: &str, credentials: bool| {
            reqwest_form(&Url::parse(proxy).unwrap(), credentials).map(|url| url.to_string())
        };
        // The proxy resolves the host name, by both of go's names; the credentials stay encoded
        // (decoded on the way out), or are left out.
        assert_eq!(
            form("socks5://corp%40user:p%3Ass@proxy.corp:1081", true).as_deref(),
            Some("socks5h://corp%40user:p%3Ass@proxy.corp:1081")
        );
        assert_eq!(
            form("socks5://corp%40user:p%3Ass@proxy.corp:1081", false).as_deref(),
            Some("socks5h://proxy.corp:1081")
        );
        assert_eq!(
            form("SOCKS5H://[fd00::1]", true).as_deref(),
            Some("socks5h://[fd00::1]")
        );
        // Credentials go would not send are not given to reqwest either.
        let long = "u".repeat(256);
        for invalid in [
            "socks5://:p@proxy".to_owned(),
            format!("socks5://{long}:p@proxy"),
            format!("socks5://u:{long}@proxy"),
        ] {
            let proxy = Url::parse(&invalid).unwrap();
            assert_eq!(socks_credentials(&proxy), Some(false), "{invalid}");
            assert_eq!(
                form(&invalid, true).as_deref(),
                Some("socks5h://proxy"),
                "{invalid}"
            );
        }
        // 255 bytes once decoded: sent.
        let at_most = format!("socks5://{}%40:p@proxy", "u".repeat(254));
        assert_eq!(
            socks_credentials(&Url::parse(&at_most).unwrap()),
            Some(true)
        );
        // go dials a proxy by its host in ASCII.
        assert_eq!(
            form("socks5://prøxy.example:1080", true).as_deref(),
            Some("socks5h://xn--prxy-hra.example:1080")
        );
        // An ASCII host as written (go keeps its case).
        assert_eq!(
            form("socks5://PROXY.Example", true).as_deref(),
            Some("socks5h://PROXY.Example")
        );
        // An http proxy's credentials go in a header of their own, as go sends them.
        assert_eq!(
            form("http://u:p@proxy:3128", true).as_deref(),
            Some("http://proxy:3128/")
        );
        let forward = |value: &str| {
            let p = proxies(&[("HTTP_PROXY", value)]);
            let proxy = p.http.clone().unwrap();
            p.forward_credentials("HTTP_PROXY", &proxy)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        // corp@user:p:ss, then bytes that are not UTF-8 (0xFF, 0xFE), then an empty user name
        // and password (go's url.User("")), then no user information.
        assert_eq!(
            forward("http://corp%40user:p%3Ass@proxy:3128").as_deref(),
            Some("Basic Y29ycEB1c2VyOnA6c3M=")
        );
        assert_eq!(
            forward("http://us%FFer:p%FEss@proxy:3128").as_deref(),
            Some("Basic dXP/ZXI6cP5zcw==")
        );
        assert_eq!(forward("http://@proxy:3128").as_deref(), Some("Basic Og=="));
        assert_eq!(forward("http://proxy:3128").as_deref(), None);
        assert_eq!(forward("socks5://u:p@proxy:1080").as_deref(), None);
        // Hosts hyper-util would not take (reqwest would then go around the proxy), and kinds
        // of proxy this client does not speak: none.
        for proxy in [
            // Escapes of ASCII characters, which would change the host (go refuses them).
            "socks5://u:p@evil%2Fproxy.corp:1080",
            "socks5://proxy%3A9999",
            "socks5://evil%40proxy.corp",
            "socks5://{proxy}:1080",
            "socks5://pro\"xy:1080",
            "socks5://pro`xy:1080",
            "socks5h://{proxy}:1080",
            "socks4://proxy:1080",
        ] {
            assert_eq!(form(proxy, true), None, "{proxy}");
            let p = proxies(&[("HTTPS_PROXY", proxy)]);
            let target = Url::parse("https://proxy.golang.org/").unwrap();
            assert!(p.unusable_proxy(&target).is_some(), "{proxy}");
        }
    }

    #[tokio::test]
    async fn a_socks_proxy_is_offered_what_it_last_asked_for() {
        let p = proxies(&[
            ("HTTPS_PROXY", "socks5://dev:s3cret@127.0.0.1:1081"),
            ("HTTP_PROXY", "socks5://127.0.0.1:1082"),
        ]);
        let secure = Url::parse("https://modules.corp.example/").unwrap();
        let plain = Url::parse("http://modules.corp.example/").unwrap();
        let refused = "server does not support user/pass authentication";
        let again = |target: &Url, offered: SocksOffer, words: &'static str| {
            let target = target.clone();
            let p = &p;
            async move {
                p.socks_offer_again(&target, offered, words, Duration::from_secs(5))
                    .await
            }
        };
        // No credentials in the URL: nothing else to offer.
        assert_eq!(p.socks_offer(&plain), SocksOffer::NotApplicable);
        assert!(!again(&plain, SocksOffer::NotApplicable, refused).await);
        // Credentials refused as such are not taken back.
        assert_eq!(p.socks_offer(&secure), SocksOffer::Credentials);
        let wrong = "credentials not accepted";
        assert!(!again(&secure, SocksOffer::Credentials, wrong).await);
        // A proxy that takes no credentials is offered none from then on...
        assert!(again(&secure, SocksOffer::Credentials, refused).await);
        assert_eq!(p.socks_offer(&secure), SocksOffer::Nothing);
        // ... until it wants some again (a request sent before the change sees its offer).
        assert!(again(&secure, SocksOffer::Credentials, refused).await);
        assert!(again(&secure, SocksOffer::Nothing, refused).await);
        assert_eq!(p.socks_offer(&secure), SocksOffer::Credentials);
        // Nothing with credentials is kept.
        assert!(!format!("{p:?}").contains("s3cret"));
    }

    #[test]
    fn socks_refusals_in_go_words() {
        // hyper-util's words for each reply code and authentication failure, and go's.
        for (words, go) in [
            (
                "general server failure",
                "unknown error general SOCKS server failure",
            ),
            (
                "connection not allowed",
                "unknown error connection not allowed by ruleset",
            ),
            ("network unreachable", "unknown error network unreachable"),
            ("host unreachable", "unknown error host unreachable"),
            ("connection refused", "unknown error connection refused"),
            ("ttl expired", "unknown error TTL expired"),
            (
                "command not supported",
                "unknown error command not supported",
            ),
            (
                "address type not supported",
                "unknown error address type not supported",
            ),
            (
                "credentials not accepted",
                "username/password authentication failed",
            ),
            (
                "server does not support user/pass authentication",
                "no acceptable authentication methods",
            ),
        ] {
            assert_eq!(socks_reason(words), Some(go), "{words}");
        }
        assert_eq!(socks_reason("io error during SOCKS handshake"), None);
    }

    #[tokio::test]
    async fn a_socks_failure_names_the_proxy_and_the_target_as_go_does() {
        let p = proxies(&[
            ("HTTPS_PROXY", "socks5://u:p@127.0.0.1:1081"),
            ("HTTP_PROXY", "socks5h://10.1.2.3"),
        ]);
        let timeout = Duration::from_secs(5);
        let target = Url::parse("https://modules.corp.example/x/@v/list").unwrap();
        assert_eq!(
            p.socks_failure("host unreachable", &target, timeout, Duration::ZERO)
                .await,
            Some(
                "socks connect tcp 127.0.0.1:1081->modules.corp.example:443: unknown error host \
                 unreachable"
                    .to_owned()
            )
        );
        // The proxy's port defaults to 1080; the target's to its scheme's.
        let target = Url::parse("http://[fd00::1]/x/@v/list").unwrap();
        assert_eq!(
            p.socks_failure("credentials not accepted", &target, timeout, Duration::ZERO)
                .await,
            Some(
                "socks connect tcp 10.1.2.3:1080->[fd00::1]:80: username/password \
                 authentication failed"
                    .to_owned()
            )
        );
        // Words go has none for are left alone, and so are requests through no SOCKS proxy.
        assert_eq!(
            p.socks_failure(
                "could not resolve to acceptable address type",
                &target,
                timeout,
                Duration::ZERO
            )
            .await,
            None
        );
        // An answer that was no SOCKS5 answer, from a proxy that is gone when asked again.
        let gone = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let p = proxies(&[("HTTPS_PROXY", &format!("socks5://{gone}"))]);
        let target = Url::parse("https://modules.corp.example/x/@v/list").unwrap();
        assert_eq!(
            p.socks_failure(
                "failed parsing server response",
                &target,
                timeout,
                Duration::ZERO
            )
            .await,
            None
        );
        let http = proxies(&[("HTTPS_PROXY", "http://127.0.0.1:1081")]);
        let target = Url::parse("https://modules.corp.example/").unwrap();
        assert_eq!(
            http.socks_failure("host unreachable", &target, timeout, Duration::ZERO)
                .await,
            None
        );
    }

    #[test]
    fn a_refused_tunnel_in_go_words() {
        for (line, words) in [
            (
                "HTTP/1.1 407 Proxy Authentication Required",
                Some("Proxy Authentication Required"),
            ),
            (
                "HTTP/1.1 407 Autenticación requerida",
                Some("Autenticación requerida"),
            ),
            // No reason phrase, an empty one, spaces kept as they are.
            ("HTTP/1.1 407", Some("unknown status code")),
            ("HTTP/1.1 407 ", Some("")),
            ("HTTP/1.0  403 Forbidden  ", Some("Forbidden  ")),
            // go reads the first answer, a 1xx too; only 200 opens the tunnel.
            ("HTTP/1.1 100 Continue", Some("Continue")),
            ("HTTP/1.1 204 No Content", Some("No Content")),
            ("HTTP/1.1 200 Connection established", None),
            ("HTTP/1.1 200", None),
            // What go does not read as a status line: its parser's words, not these.
            ("garbage", None),
            ("HTTP/1.1 40 Short", None),
            ("HTTP/1.1 abc Letters", None),
            ("HTTP/2 403 Forbidden", None),
            ("HTTP/1.1 -10 Negative", None),
        ] {
            let found = refusal_words(line);
            assert_eq!(found.as_ref().map(|(_, w)| w.as_str()), words, "{line:?}");
            if let Some((code, _)) = found {
                let written = line.split_whitespace().nth(1);
                assert_eq!(Some(code.to_string().as_str()), written, "{line:?}");
            }
        }
    }

    #[test]
    fn empty_user_information_is_seen_where_go_sees_it() {
        for (value, has) in [
            ("socks5://@proxy:1080", true),
            ("socks5://:@proxy", true),
            ("socks5://u:p@proxy", true),
            ("socks5://proxy:1080/path@x", false),
            ("socks5://proxy?q=@", false),
            ("proxy:1080", false),
        ] {
            assert_eq!(has_user_info(value), has, "{value}");
        }
        let p = proxies(&[
            ("HTTPS_PROXY", "socks5://@127.0.0.1:1080"),
            ("HTTP_PROXY", "socks5://127.0.0.1:1080"),
        ]);
        assert_eq!(p.empty_user_info, vec!["HTTPS_PROXY"]);
    }

    #[test]
    fn a_value_that_is_not_a_url_is_named_as_it_was_set() {
        let target = Url::parse("https://proxy.golang.org/").unwrap();
        for (name, set) in [
            ("HTTPS_PROXY", "HTTPS_PROXY"),
            ("https_proxy", "https_proxy"),
        ] {
            let p = proxies(&[(name, "proxy:99999")]);
            assert_eq!(
                p.unusable_proxy(&target),
                Some(format!(
                    "{set} is set to a value gomodls cannot read as a proxy URL, and requests do \
                     not go around it"
                ))
            );
        }
        // Loopback hosts never go through a proxy, readable or not.
        let p = proxies(&[("HTTPS_PROXY", "proxy:99999")]);
        let local = Url::parse("https://127.0.0.1:8443/").unwrap();
        assert_eq!(p.unusable_proxy(&local), None);
    }

    #[test]
    fn a_cgi_environment_refuses_every_http_url_while_http_proxy_is_set() {
        let refusal =
            "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy";
        let p = proxies(&[
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "proxy:1"),
            ("HTTPS_PROXY", "proxy:1"),
            ("NO_PROXY", "exempt.example"),
        ]);
        for url in [
            "http://proxy.golang.org/x",
            "http://exempt.example/x",
            "http://127.0.0.1:3000/x",
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(p.unusable_proxy(&url).as_deref(), Some(refusal), "{url}");
        }
        let https = Url::parse("https://proxy.golang.org/x").unwrap();
        assert_eq!(p.unusable_proxy(&https), None);
        assert!(via(&p, "https://proxy.golang.org/x").is_some());
        for vars in [
            &[("REQUEST_METHOD", ""), ("HTTP_PROXY", "proxy:1")][..],
            &[("REQUEST_METHOD", "GET"), ("HTTPS_PROXY", "proxy:1")][..],
        ] {
            let p = proxies(vars);
            let http = Url::parse("http://proxy.golang.org/x").unwrap();
            assert_eq!(p.unusable_proxy(&http), None, "{vars:?}");
        }
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
        // IPv4 in IPv6 form: the IPv4 block, when the mask keeps that form.
        assert_eq!(
            parse_cidr("::ffff:10.1.2.3/104"),
            Some(("10.0.0.0".parse().unwrap(), 8))
        );
        assert_eq!(
            parse_cidr("::ffff:10.1.2.3/95"),
            Some(("::fffe:0:0".parse().unwrap(), 95))
        );
    }
}
