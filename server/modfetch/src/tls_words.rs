//! go's words for the TLS failures it names the same way: a certificate from an unknown
//! authority, and one that does not name the host (crypto/x509's `UnknownAuthorityError` and
//! `HostnameError`, behind crypto/tls's `tls: failed to verify certificate: `).
//!
//! A corporate proxy with an internal CA that is not trusted yet, or a certificate for another
//! name, is a common set-up error; the words go prints are the ones users search for.

use std::net::IpAddr;

use rustls::CertificateError;
use rustls::pki_types::ServerName;

/// go's words for the TLS failure in `err`'s chain, if it holds one go words alike.
pub(crate) fn text(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let certificate =
        crate::http::causes(err).find_map(|cause| match cause.downcast_ref::<rustls::Error>() {
            Some(rustls::Error::InvalidCertificate(certificate)) => Some(certificate),
            _ => None,
        })?;
    let words = match certificate {
        CertificateError::UnknownIssuer => {
            Some("x509: certificate signed by unknown authority".to_owned())
        }
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => hostname_words(expected, presented),
        _ => None,
    };
    words.map(|words| format!("tls: failed to verify certificate: {words}"))
}

/// go lists the names of a certificate only up to this many.
const MAX_NAMES: usize = 100;

/// go's words for a certificate that does not name the host it was asked for: the IP addresses
/// it names when the host is an IP address, else its DNS names. `presented` holds the
/// certificate's subject alternative names as webpki words them (`DnsName("localhost")`,
/// `IpAddress(127.0.0.1)`). `None` where go's words depend on what rustls does not show: a
/// certificate without subject alternative names (go then looks at its Common Name), and an IPv6
/// address webpki writes shortened: it drops every zero group after the first group, so that
/// `fd00:0:0:1::` and `fd00::1` read alike.
fn hostname_words(expected: &ServerName<'_>, presented: &[String]) -> Option<String> {
    if presented.is_empty() {
        return None;
    }
    let of_kind = |prefix: &'static str, suffix: &'static str| {
        presented
            .iter()
            .filter_map(move |name| name.strip_prefix(prefix)?.strip_suffix(suffix))
    };
    match expected {
        ServerName::IpAddress(ip) => {
            let host = go_ip(IpAddr::from(*ip));
            let addresses: Vec<String> = of_kind("IpAddress(", ")")
                .map(|address| match address.contains("::") {
                    true => None,
                    false => address.parse().ok().map(go_ip),
                })
                .collect::<Option<_>>()?;
            Some(match addresses.len() {
                0 => format!(
                    "x509: cannot validate certificate for {host} because it doesn't contain any IP SANs"
                ),
                n if n >= MAX_NAMES => {
                    format!("x509: certificate is valid for {n} IP SANs, but none matched {host}")
                }
                _ => format!(
                    "x509: certificate is valid for {}, not {host}",
                    addresses.join(", ")
                ),
            })
        }
        ServerName::DnsName(host) => {
            let host = host.as_ref();
            let names: Vec<&str> = of_kind("DnsName(\"", "\")").collect();
            Some(match names.len() {
                0 => format!(
                    "x509: certificate is not valid for any names, but wanted to match {host}"
                ),
                n if n >= MAX_NAMES => {
                    format!("x509: certificate is valid for {n} names, but none matched {host}")
                }
                _ => format!(
                    "x509: certificate is valid for {}, not {host}",
                    names.join(", ")
                ),
            })
        }
        _ => None,
    }
}

/// An address as go writes it (`net.IP.String`): an IPv4 address in IPv6 form as IPv4, any other
/// IPv6 address shortened as RFC 5952 says, as Rust writes it.
fn go_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(expected: &str, presented: &[&str]) -> Option<String> {
        let expected = ServerName::try_from(expected.to_owned()).unwrap();
        let presented: Vec<String> = presented.iter().map(|p| (*p).to_owned()).collect();
        hostname_words(&expected, &presented)
    }

    #[test]
    fn names_as_go_lists_them() {
        let sans = [
            "IpAddress(127.0.0.1)",
            "DnsName(\"localhost\")",
            "DnsName(\"*.corp.example\")",
            "IpAddress(10.0.0.1)",
        ];
        assert_eq!(
            words("proxy.example", &sans).as_deref(),
            Some("x509: certificate is valid for localhost, *.corp.example, not proxy.example")
        );
        assert_eq!(
            words("0.0.0.0", &sans).as_deref(),
            Some("x509: certificate is valid for 127.0.0.1, 10.0.0.1, not 0.0.0.0")
        );
        let dns_only = ["DnsName(\"athens.corp.example\")"];
        assert_eq!(
            words("10.1.2.3", &dns_only).as_deref(),
            Some(
                "x509: cannot validate certificate for 10.1.2.3 because it doesn't contain any IP SANs"
            )
        );
        let ip_only = ["IpAddress(10.1.2.3)"];
        assert_eq!(
            words("athens.corp.example", &ip_only).as_deref(),
            Some(
                "x509: certificate is not valid for any names, but wanted to match athens.corp.example"
            )
        );
        let many: Vec<String> = (0..100)
            .map(|i| format!("DnsName(\"h{i}.example\")"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            words("proxy.example", &many).as_deref(),
            Some("x509: certificate is valid for 100 names, but none matched proxy.example")
        );
    }

    #[test]
    fn ipv6_addresses_as_go_writes_them() {
        // The host as go writes it (RFC 5952; an IPv4 address in IPv6 form as IPv4).
        assert_eq!(
            words("::1", &["IpAddress(127.0.0.1)"]).as_deref(),
            Some("x509: certificate is valid for 127.0.0.1, not ::1")
        );
        assert_eq!(
            words("::ffff:10.0.0.1", &["IpAddress(10.0.0.2)"]).as_deref(),
            Some("x509: certificate is valid for 10.0.0.2, not 10.0.0.1")
        );
        // An IPv6 address webpki writes in full (no zero group after the first) is one address,
        // written as go writes it.
        assert_eq!(
            words("fd00::1", &["IpAddress(fd00:1:2:3:4:5:6:7)"]).as_deref(),
            Some("x509: certificate is valid for fd00:1:2:3:4:5:6:7, not fd00::1")
        );
    }

    #[test]
    fn what_rustls_does_not_show_keeps_its_own_words() {
        // No subject alternative names: go may name the legacy Common Name instead.
        assert_eq!(words("proxy.example", &[]), None);
        // An IPv6 address webpki writes shortened: `fd00::1` may be `fd00:0:0:1::` (webpki's
        // form of it), `0::2` may be `0:0:2::`; and one that is no address at all.
        for shortened in [
            "IpAddress(fd00::1)",
            "IpAddress(0::2)",
            "IpAddress(fd00::1::1)",
        ] {
            assert_eq!(
                words("10.0.0.1", &["IpAddress(127.0.0.1)", shortened]),
                None,
                "{shortened}"
            );
        }
    }
}
