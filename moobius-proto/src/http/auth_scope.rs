//! Who may receive the platform's auth headers with a download: the one
//! decision, pure, so that every driver applies the same rule.

use super::BaseUri;
use ::http::Uri;
use std::net::IpAddr;

/// Where a download asking for auth headers is going, and what the caller
/// allowed.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct AuthRequest<'a> {
    /// The platform's `http_server_uri` (its host is trusted).
    pub platform: &'a BaseUri,
    /// Further hosts the caller trusts (`host` or `host:port`).
    pub trusted_hosts: &'a [String],
    /// The caller allows the headers over plain `http://` to a host that
    /// is not loopback.
    pub allow_plain_http: bool,
}

impl<'a> AuthRequest<'a> {
    /// Trusts the platform's host only, never over plain `http://` to a
    /// host that is not loopback.
    #[must_use]
    pub fn new(platform: &'a BaseUri) -> Self {
        Self {
            platform,
            trusted_hosts: &[],
            allow_plain_http: false,
        }
    }

    /// The same request, also trusting `hosts` (`host` or `host:port`).
    #[must_use]
    pub fn with_trusted_hosts(mut self, hosts: &'a [String]) -> Self {
        self.trusted_hosts = hosts;
        self
    }

    /// The same request, allowing plain `http://` to a host that is not
    /// loopback (or not).
    #[must_use]
    pub fn with_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }
}

/// Whether the auth headers go with a request to `url`, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScope {
    /// Send them.
    Send,
    /// The host is neither the platform's nor one the caller named.
    ForeignHost(String),
    /// Plain `http://` to a host that is not loopback, not allowed.
    PlainHttp(String),
}

/// Decides whether the platform's auth headers may go to `url`: only to the
/// platform's own host (from `http_server_uri`) or hosts the caller names,
/// and never over plain `http://` to a host that is not loopback unless
/// the caller allows it explicitly.
///
/// ```
/// use moobius_proto::http::{auth_scope, AuthRequest, AuthScope, BaseUri};
/// let platform: BaseUri = "https://api.moobius.ai/".parse()?;
/// let ask = AuthRequest::new(&platform);
/// assert_eq!(auth_scope(&"https://api.moobius.ai/f/1.png".parse()?, &ask), AuthScope::Send);
/// assert!(matches!(auth_scope(&"https://evil.example/x".parse()?, &ask), AuthScope::ForeignHost(_)));
/// let files = ["files.example".to_owned()];
/// let named = ask.with_trusted_hosts(&files);
/// assert_eq!(auth_scope(&"https://files.example/x".parse()?, &named), AuthScope::Send);
/// assert!(matches!(auth_scope(&"http://files.example/x".parse()?, &named), AuthScope::PlainHttp(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn auth_scope(url: &Uri, ask: &AuthRequest<'_>) -> AuthScope {
    let Some(target) = authority_of(url) else {
        return AuthScope::ForeignHost(url.to_string());
    };
    let platform = ask
        .platform
        .origin()
        .parse::<Uri>()
        .ok()
        .and_then(|u| authority_of(&u));
    let trusted = platform.as_ref() == Some(&target)
        || ask.trusted_hosts.iter().any(|h| host_matches(h, &target));
    if !trusted {
        return AuthScope::ForeignHost(target.host);
    }
    let plain = url
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("http"));
    if plain && !is_loopback(&target.host) && !ask.allow_plain_http {
        return AuthScope::PlainHttp(target.host);
    }
    AuthScope::Send
}

/// A host (lower case, no brackets) and its effective port.
#[derive(Debug, PartialEq, Eq)]
struct Authority {
    host: String,
    port: Option<u16>,
}

fn authority_of(uri: &Uri) -> Option<Authority> {
    let host = uri.host()?.trim_matches(['[', ']']).to_ascii_lowercase();
    let port = uri.port_u16().or(match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
        Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
        _ => None,
    });
    (!host.is_empty()).then_some(Authority { host, port })
}

/// `host` matches any port; `host:port` that port only.
fn host_matches(trusted: &str, target: &Authority) -> bool {
    let trusted = trusted.trim().to_ascii_lowercase();
    let (host, port) = match trusted.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.parse::<u16>().is_ok() => {
            (h.trim_matches(['[', ']']).to_owned(), p.parse().ok())
        }
        _ => (trusted.trim_matches(['[', ']']).to_owned(), None),
    };
    host == target.host && (port.is_none() || port == target.port)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(url: &str, platform: &str, trusted: &[&str], plain: bool) -> AuthScope {
        let platform: BaseUri = platform.parse().expect("base");
        let trusted: Vec<String> = trusted.iter().map(|s| (*s).to_owned()).collect();
        let ask = AuthRequest {
            platform: &platform,
            trusted_hosts: &trusted,
            allow_plain_http: plain,
        };
        auth_scope(&url.parse().expect("url"), &ask)
    }

    #[test]
    fn the_platform_host_gets_the_headers() {
        let p = "https://api.moobius.ai/";
        assert_eq!(
            scope("https://api.moobius.ai/file", p, &[], false),
            AuthScope::Send
        );
        assert_eq!(
            scope("https://API.moobius.ai:443/f", p, &[], false),
            AuthScope::Send
        );
        assert_eq!(
            scope(
                "http://127.0.0.1:7700/f",
                "http://127.0.0.1:7700/",
                &[],
                false
            ),
            AuthScope::Send
        );
        assert_eq!(
            scope(
                "http://localhost:7700/f",
                "http://localhost:7700/",
                &[],
                false
            ),
            AuthScope::Send
        );
    }

    #[test]
    fn other_hosts_and_ports_do_not() {
        let p = "https://api.moobius.ai/";
        assert!(matches!(
            scope("https://evil.example/f", p, &[], false),
            AuthScope::ForeignHost(_)
        ));
        assert!(matches!(
            scope("https://api.moobius.ai:8443/f", p, &[], false),
            AuthScope::ForeignHost(_)
        ));
        assert!(matches!(
            scope("https://api.moobius.ai.evil.example/f", p, &[], false),
            AuthScope::ForeignHost(_)
        ));
        assert!(matches!(
            scope("http://127.0.0.1:9/f", "http://127.0.0.1:7700/", &[], false),
            AuthScope::ForeignHost(_)
        ));
    }

    #[test]
    fn named_hosts_do_over_https_and_plain_http_needs_a_decision() {
        let p = "https://api.moobius.ai/";
        assert_eq!(
            scope("https://files.example/f", p, &["files.example"], false),
            AuthScope::Send
        );
        assert_eq!(
            scope("https://files.example/f", p, &["files.example:443"], false),
            AuthScope::Send
        );
        assert!(matches!(
            scope("https://files.example/f", p, &["files.example:8443"], false),
            AuthScope::ForeignHost(_)
        ));
        assert!(matches!(
            scope("http://files.example/f", p, &["files.example"], false),
            AuthScope::PlainHttp(_)
        ));
        assert_eq!(
            scope("http://files.example/f", p, &["files.example"], true),
            AuthScope::Send
        );
        assert!(matches!(
            scope("http://api.example/f", "http://api.example/", &[], false),
            AuthScope::PlainHttp(_)
        ));
        assert_eq!(
            scope("http://[::1]:9/f", p, &["::1"], false),
            AuthScope::Send
        );
    }
}
