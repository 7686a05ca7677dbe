//! The platform's base URI (`http_server_uri`) and how endpoint paths and
//! query strings are joined to it (PROTOCOL.md §4.1, defect #16).

use super::error::BaseUriError;
use ::http::Uri;
use std::fmt;
use std::str::FromStr;

/// The reference SDK's default `http_server_uri`.
pub const DEFAULT_HTTP_SERVER_URI: &str = "https://api.moobius.ai/";

/// A parsed `http_server_uri`: scheme (`http` or `https`), authority and an
/// optional path prefix (`https://host/api/`).
///
/// [`BaseUri::join`] puts exactly one `/` between the prefix and an endpoint
/// path, so a trailing slash on the base (or a missing leading slash on the
/// path) is harmless, and nothing else in the URL is touched — unlike the
/// reference SDK, which collapses every `//` in the whole URL.
///
/// ```
/// use moobius_proto::http::BaseUri;
/// let base: BaseUri = "https://api.moobius.ai/".parse()?;
/// let uri = base.join("/auth/sign_in", &[])?;
/// assert_eq!(uri.to_string(), "https://api.moobius.ai/auth/sign_in");
/// let uri = base.join("/user/group", &[("group_id", "a b&c")])?;
/// assert_eq!(uri.to_string(), "https://api.moobius.ai/user/group?group_id=a+b%26c");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUri {
    /// `scheme://authority`, lower-case scheme, no trailing slash.
    origin: String,
    /// `""` or `/segment/…` without a trailing slash.
    prefix: String,
}

impl BaseUri {
    /// Parses a base URI. It must be absolute `http://` or `https://` with a
    /// host, and carry no credentials, query or fragment. Surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, BaseUriError> {
        // The error prints the text, so credentials are taken out first.
        let fail = |reason: &str| BaseUriError {
            uri: crate::config::redact_url(text).into_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed.contains('#') {
            return Err(fail("a base URI cannot have a fragment"));
        }
        let uri = Uri::from_str(trimmed).map_err(|e| fail(&e.to_string()))?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => "http",
            Some(s) if s.eq_ignore_ascii_case("https") => "https",
            Some(_) => return Err(fail("the scheme must be http or https")),
            None => return Err(fail("the URI must be absolute (http:// or https://)")),
        };
        let authority = match uri.authority() {
            Some(a) if !a.host().is_empty() => a.as_str(),
            _ => return Err(fail("the URI has no host")),
        };
        if authority.contains('@') {
            // It would be printed by Debug and Display, and the platform
            // authenticates with the account, not the URI.
            return Err(fail("a base URI cannot carry credentials (user:password@)"));
        }
        if uri.query().is_some() {
            return Err(fail("a base URI cannot have a query string"));
        }
        let prefix =
            uri.path()
                .split('/')
                .filter(|s| !s.is_empty())
                .fold(String::new(), |mut acc, seg| {
                    acc.push('/');
                    acc.push_str(seg);
                    acc
                });
        Ok(Self {
            origin: format!("{scheme}://{authority}"),
            prefix,
        })
    }

    /// The reference SDK's default, `https://api.moobius.ai/`.
    #[must_use]
    pub fn moobius_ai() -> Self {
        Self {
            origin: "https://api.moobius.ai".to_owned(),
            prefix: String::new(),
        }
    }

    /// `scheme://authority` (no trailing slash).
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The URI of `path` under this base, with `query` URL-encoded
    /// (`application/x-www-form-urlencoded`, pairs in the order given; no `?`
    /// when `query` is empty).
    pub fn join(&self, path: &str, query: &[(&str, &str)]) -> Result<Uri, BaseUriError> {
        let mut s = String::with_capacity(self.origin.len() + self.prefix.len() + path.len() + 1);
        s.push_str(&self.origin);
        s.push_str(&self.prefix);
        s.push('/');
        s.push_str(path.trim_start_matches('/'));
        if !query.is_empty() {
            s.push('?');
            s.push_str(&encode_query(query));
        }
        Uri::from_str(&s).map_err(|e| BaseUriError {
            uri: s.clone(),
            reason: e.to_string(),
        })
    }
}

/// `k=v&k2=v2`, form-URL-encoded, in order.
pub(crate) fn encode_query(query: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in query {
        ser.append_pair(k, v);
    }
    ser.finish()
}

impl Default for BaseUri {
    fn default() -> Self {
        Self::moobius_ai()
    }
}

impl fmt::Display for BaseUri {
    /// The normalised form, always with a trailing slash: `https://host/api/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}/", self.origin, self.prefix)
    }
}

impl fmt::Debug for BaseUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUri({:?})", self.to_string())
    }
}

impl FromStr for BaseUri {
    type Err = BaseUriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for BaseUri {
    type Error = BaseUriError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for BaseUri {
    type Error = BaseUriError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// Parses an absolute `http(s)` URL handed out by the platform (a presigned
/// upload URL, a file URL). Bytes a URI cannot hold as they are (spaces,
/// non-ASCII, `"<>\^`{|}`) are percent-encoded first, as browsers do; an
/// existing `%XX` is kept.
pub(crate) fn parse_absolute_url(url: &str) -> Result<Uri, String> {
    let encoded = encode_lenient(url.trim());
    let uri = Uri::from_str(&encoded).map_err(|e| e.to_string())?;
    match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {}
        _ => return Err("the URL must start with http:// or https://".to_owned()),
    }
    match uri.authority() {
        Some(a) if !a.host().is_empty() => Ok(uri),
        _ => Err("the URL has no host".to_owned()),
    }
}

/// Percent-encodes every byte that may not appear literally in a URI
/// (RFC 3986 allows unreserved, reserved and `%`); drops a `#fragment`,
/// which is never sent.
fn encode_lenient(url: &str) -> String {
    let url = url.split('#').next().unwrap_or_default();
    let mut out = String::with_capacity(url.len());
    for &b in url.as_bytes() {
        let allowed = b.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=%".contains(&b);
        if allowed {
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

    fn join(base: &str, path: &str) -> String {
        BaseUri::parse(base)
            .unwrap()
            .join(path, &[])
            .unwrap()
            .to_string()
    }

    #[test]
    fn joining_never_doubles_or_drops_slashes() {
        let want = "https://api.moobius.ai/auth/sign_in";
        assert_eq!(join("https://api.moobius.ai/", "/auth/sign_in"), want);
        assert_eq!(join("https://api.moobius.ai", "/auth/sign_in"), want);
        assert_eq!(join("https://api.moobius.ai//", "auth/sign_in"), want);
        assert_eq!(join("  https://api.moobius.ai/ ", "//auth/sign_in"), want);
        assert_eq!(
            join("http://127.0.0.1:8080/api/v1/", "/service/list"),
            "http://127.0.0.1:8080/api/v1/service/list"
        );
        assert_eq!(
            join("http://localhost:8080/api//v1", "/service/list"),
            "http://localhost:8080/api/v1/service/list"
        );
        assert_eq!(
            join("HTTPS://api.moobius.ai/", "/x"),
            "https://api.moobius.ai/x"
        );
    }

    #[test]
    fn query_is_encoded_in_order() {
        let base = BaseUri::moobius_ai();
        let uri = base
            .join(
                "/user/group",
                &[
                    ("group_id", "g/1"),
                    ("channel_id", "c=2"),
                    ("user_id", "ü ?"),
                ],
            )
            .unwrap();
        assert_eq!(
            uri.to_string(),
            "https://api.moobius.ai/user/group?group_id=g%2F1&channel_id=c%3D2&user_id=%C3%BC+%3F"
        );
        let pairs: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap().as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs[2], ("user_id".into(), "ü ?".into()));
    }

    #[test]
    fn bad_bases_are_refused() {
        for bad in [
            "",
            "api.moobius.ai",
            "/relative",
            "ftp://host/",
            "https://",
            "https://host/?q=1",
            "https://host/#frag",
            "https://ho st/",
        ] {
            assert!(BaseUri::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn display_and_default() {
        assert_eq!(BaseUri::default().to_string(), DEFAULT_HTTP_SERVER_URI);
        assert_eq!(
            BaseUri::parse(DEFAULT_HTTP_SERVER_URI).unwrap(),
            BaseUri::moobius_ai()
        );
        let b = BaseUri::parse("http://h:1/a/").unwrap();
        assert_eq!(b.to_string(), "http://h:1/a/");
        assert_eq!(b.origin(), "http://h:1");
        assert_eq!(format!("{b:?}"), "BaseUri(\"http://h:1/a/\")");
    }

    #[test]
    fn absolute_urls_are_encoded_leniently() {
        let u = parse_absolute_url("https://bucket.example/uploads/my file ü.png").unwrap();
        assert_eq!(
            u.to_string(),
            "https://bucket.example/uploads/my%20file%20%C3%BC.png"
        );
        let u = parse_absolute_url("https://b.example/a%20b?x=1#frag").unwrap();
        assert_eq!(u.to_string(), "https://b.example/a%20b?x=1");
        assert!(parse_absolute_url("/relative").is_err());
        assert!(parse_absolute_url("ftp://x/y").is_err());
        assert!(parse_absolute_url("").is_err());
    }
}
