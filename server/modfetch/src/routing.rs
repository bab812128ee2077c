//! GOPROXY list parsing and the routing decision for one module (`proxyList`, `lookup` and
//! `TryProxies` in cmd/go/internal/modfetch).

use crate::compat::glob::match_prefix_patterns;
use crate::error::ConfigError;

/// How a proxy URL is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyScheme {
    /// `https://`.
    Https,
    /// `http://`.
    Http,
    /// `file://`: a directory in GOPROXY layout.
    File,
}

/// A proxy base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    /// The URL as configured (after go's implicit `https://`), without a trailing slash.
    pub url: String,
    /// The URL with any password replaced by `xxxxx`, for messages.
    pub redacted: String,
    /// The scheme.
    pub scheme: ProxyScheme,
}

/// One entry of the GOPROXY list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyEntry {
    /// The implicit first entry when GONOPROXY is set: matching modules go to the origin.
    NoProxy,
    /// `off`: every lookup fails.
    Off,
    /// `direct`: the origin (version control).
    Direct,
    /// A module proxy.
    Url(ProxyUrl),
}

/// An entry and what happens after it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxySpec {
    /// The entry.
    pub entry: ProxyEntry,
    /// `|` after the entry: the next entry is tried after any error, not only after "not found".
    pub fall_back_on_error: bool,
}

/// The parsed GOPROXY list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyList {
    /// The entries in order.
    pub specs: Vec<ProxySpec>,
}

/// Replaces the password of a URL's user information with `xxxxx`, as `url.URL.Redacted` does.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = url.get(authority_start..).unwrap_or("");
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or("");
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = authority.get(..at).unwrap_or("");
    let Some((user, _password)) = userinfo.split_once(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:xxxxx@{}",
        url.get(..authority_start).unwrap_or(""),
        user,
        rest.get(at + 1..).unwrap_or("")
    )
}

/// The scheme as go's `url.Parse` finds it: letters first, then letters, digits, `+ - .`,
/// ended by `:`; anything else means "no scheme".
fn scheme_of(url: &str) -> Result<Option<String>, ConfigError> {
    for (i, c) in url.char_indices() {
        match c {
            c if c.is_ascii_alphabetic() => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => {
                return Err(ConfigError::BadUrl(
                    url.to_owned(),
                    "missing protocol scheme".to_owned(),
                ));
            }
            ':' => return Ok(url.get(..i).map(str::to_ascii_lowercase)),
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// Validates one proxy URL as `newProxyRepo` does.
pub fn parse_proxy_url(url: &str) -> Result<ProxyUrl, ConfigError> {
    let redacted = redact(url);
    let scheme = match scheme_of(url)?.as_deref() {
        Some("https") => ProxyScheme::Https,
        Some("http") => ProxyScheme::Http,
        Some("file") => ProxyScheme::File,
        None | Some("") => return Err(ConfigError::MissingScheme(redacted)),
        Some(_) => return Err(ConfigError::BadScheme(redacted)),
    };
    match scheme {
        ProxyScheme::File => {
            let rest = url.get(5..).unwrap_or("");
            let path_only = match rest.strip_prefix("//") {
                Some(after) => after.starts_with('/') || after.is_empty(),
                None => true,
            };
            if !path_only || url.contains('?') || url.contains('#') {
                return Err(ConfigError::FileNonPath(redacted));
            }
        }
        ProxyScheme::Http | ProxyScheme::Https => {
            if let Err(err) = reqwest::Url::parse(url) {
                return Err(ConfigError::BadUrl(redacted, err.to_string()));
            }
        }
    }
    let trimmed = url.trim_end_matches('/');
    Ok(ProxyUrl {
        url: trimmed.to_owned(),
        redacted: redact(trimmed),
        scheme,
    })
}

/// Parses GOPROXY as `proxyList` does, adding the implicit `noproxy` entry first when GONOPROXY
/// is non-empty and GOPROXY is not exactly `direct`.
pub fn parse_proxy_list(goproxy: &str, gonoproxy: &str) -> Result<ProxyList, ConfigError> {
    let mut specs = Vec::new();
    if !gonoproxy.is_empty() && goproxy != "direct" {
        specs.push(ProxySpec {
            entry: ProxyEntry::NoProxy,
            fall_back_on_error: false,
        });
    }
    let mut rest = goproxy;
    while !rest.is_empty() {
        let (raw, fall_back_on_error) = match rest.find([',', '|']) {
            Some(i) => {
                let raw = rest.get(..i).unwrap_or("");
                let pipe = rest.as_bytes().get(i) == Some(&b'|');
                rest = rest.get(i + 1..).unwrap_or("");
                (raw, pipe)
            }
            None => {
                let raw = rest;
                rest = "";
                (raw, false)
            }
        };
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        if raw == "off" {
            specs.push(ProxySpec {
                entry: ProxyEntry::Off,
                fall_back_on_error: false,
            });
            break;
        }
        if raw == "direct" {
            specs.push(ProxySpec {
                entry: ProxyEntry::Direct,
                fall_back_on_error: false,
            });
            break;
        }
        // Single words are reserved; anything with a dot, colon or slash that is not already a
        // URL or an absolute path gets https:// in front.
        let is_abs = raw.starts_with('/') || std::path::Path::new(raw).is_absolute();
        let url = if raw.contains(['.', ':', '/']) && !raw.contains(":/") && !is_abs {
            format!("https://{raw}")
        } else {
            raw.to_owned()
        };
        let url = parse_proxy_url(&url)?;
        specs.push(ProxySpec {
            entry: ProxyEntry::Url(url),
            fall_back_on_error,
        });
    }
    let only_noproxy =
        specs.len() == 1 && specs.first().map(|s| &s.entry) == Some(&ProxyEntry::NoProxy);
    if specs.is_empty() || only_noproxy {
        return Err(ConfigError::EmptyProxyList);
    }
    Ok(ProxyList { specs })
}

/// What one entry of the list means for one module (the `lookup` switch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route<'a> {
    /// Ask this proxy.
    Proxy(&'a ProxyUrl),
    /// The origin would be asked (unsupported: reported, never silently skipped).
    Direct(crate::error::DirectCause),
    /// `off`.
    Off,
    /// This proxy is excluded for the module by GONOPROXY (counts as "not found").
    Excluded,
    /// The implicit `noproxy` entry does not apply to this module (counts as "not found").
    UseProxy,
}

impl ProxyList {
    /// How `entry` treats `module_path`.
    pub(crate) fn route<'a>(
        entry: &'a ProxyEntry,
        module_path: &str,
        gonoproxy: &str,
    ) -> Route<'a> {
        use crate::error::DirectCause;
        if match_prefix_patterns(gonoproxy, module_path) {
            return match entry {
                ProxyEntry::NoProxy => Route::Direct(DirectCause::NoProxy),
                ProxyEntry::Direct => Route::Direct(DirectCause::Goproxy),
                _ => Route::Excluded,
            };
        }
        match entry {
            ProxyEntry::Off => Route::Off,
            ProxyEntry::Direct => Route::Direct(DirectCause::Goproxy),
            ProxyEntry::NoProxy => Route::UseProxy,
            ProxyEntry::Url(url) => Route::Proxy(url),
        }
    }
}

/// Escapes a proxy path for a URL as go's `pathEscape` does (`!` becomes `%21`, `/` stays).
pub(crate) fn path_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'~' | b'/' | b'$' | b'&' | b'+' | b':' | b'=' | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(goproxy: &str, gonoproxy: &str) -> Result<Vec<String>, String> {
        parse_proxy_list(goproxy, gonoproxy)
            .map(|list| {
                list.specs
                    .iter()
                    .map(|s| {
                        let sep = if s.fall_back_on_error { "|" } else { "," };
                        match &s.entry {
                            ProxyEntry::NoProxy => format!("noproxy{sep}"),
                            ProxyEntry::Off => "off".to_owned(),
                            ProxyEntry::Direct => "direct".to_owned(),
                            ProxyEntry::Url(u) => format!("{}{sep}", u.redacted),
                        }
                    })
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn lists() {
        assert_eq!(
            entries("https://a.com,direct", ""),
            Ok(vec!["https://a.com,".into(), "direct".into()])
        );
        assert_eq!(
            entries(" 127.0.0.1:18410 | b.com/x/ ,off,c.com", "x.com"),
            Ok(vec![
                "noproxy,".into(),
                "https://127.0.0.1:18410|".into(),
                "https://b.com/x,".into(),
                "off".into()
            ])
        );
        assert_eq!(
            entries(" , ", ""),
            Err("GOPROXY list is not the empty string, but contains no entries".into())
        );
        assert_eq!(
            entries(",", "a.com"),
            Err("GOPROXY list is not the empty string, but contains no entries".into())
        );
        assert_eq!(entries("direct", "a.com"), Ok(vec!["direct".into()]));
        assert_eq!(
            entries("ftp://x", ""),
            Err("invalid proxy URL scheme (must be https, http, file): ftp://x".into())
        );
        assert_eq!(
            entries("foo", ""),
            Err("invalid proxy URL missing scheme: foo".into())
        );
        assert_eq!(
            entries("/abs/dir", ""),
            Err("invalid proxy URL missing scheme: /abs/dir".into())
        );
        assert_eq!(
            entries("file://host/x", ""),
            Err("invalid file:// proxy URL with non-path elements: file://host/x".into())
        );
        assert_eq!(
            entries("file:///tmp/p", ""),
            Ok(vec!["file:///tmp/p,".into()])
        );
        assert_eq!(
            entries("https://u:secret@p.com/", ""),
            Ok(vec!["https://u:xxxxx@p.com,".into()])
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(
            path_escape("github.com/!azure/x/@v/v1.0.0+incompatible.info"),
            "github.com/%21azure/x/@v/v1.0.0+incompatible.info"
        );
    }
}
