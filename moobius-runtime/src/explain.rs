//! Error texts a person can act on: the whole cause chain in one line, and
//! the usual reasons of a failed connection named (refused, timed out, TLS
//! spoken to a plain server).

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::time::Duration;

/// `error` and every cause under it, in one line (`a: b: c`), each cause
/// left out when the text so far already says it.
///
/// ```
/// let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
/// let text = moobius_runtime::explain::chain(&io);
/// assert_eq!(text, "connection refused");
/// ```
#[must_use]
pub fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut out = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.is_empty() && !out.contains(&text) {
            let _ = write!(out, ": {text}");
        }
        next = cause.source();
    }
    out
}

/// What a person can do about a transport failure described by `text`
/// (a cause chain) when talking to `uri`, if it is a known case.
#[must_use]
pub fn hint(uri: &str, text: &str) -> Option<&'static str> {
    if let Some(h) = crate::tls::hint(text) {
        return Some(h);
    }
    let lower = text.to_ascii_lowercase();
    let tls = uri.starts_with("https://") || uri.starts_with("wss://");
    if tls
        && (lower.contains("invalidcontenttype")
            || lower.contains("corrupt message")
            || lower.contains("wrong version number")
            || lower.contains("http request to an https server")
            || lower.contains("invalid content type"))
    {
        return Some(
            "the server does not speak TLS: use http:// and ws:// for a plain server such as the devserver",
        );
    }
    if !tls && (lower.contains("400 bad request") && lower.contains("https")) {
        return Some("the server expects TLS: use https:// and wss://");
    }
    if lower.contains("connection refused") {
        return Some("nothing listens there: is the platform (or the devserver) running, and is the URI right?");
    }
    if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        return Some("the host name does not resolve: check the URI");
    }
    None
}

/// The text of a transport failure on `uri`: the host, the cause chain
/// and, when known, what to do.
#[must_use]
pub fn transport(uri: &str, error: &(dyn StdError + 'static)) -> String {
    with_hint(uri, &chain(error))
}

/// `text` about `uri`, prefixed with its host and followed by a hint when
/// one is known.
#[must_use]
pub fn with_hint(uri: &str, text: &str) -> String {
    let host = host_of(uri);
    let mut out = format!("{host}: {text}");
    if let Some(h) = hint(uri, text) {
        let _ = write!(out, " ({h})");
    }
    out
}

/// The text of a timeout: which one, how long, and the option that sets it.
#[must_use]
pub fn timeout(uri: &str, what: &str, limit: Duration, option: &str) -> String {
    format!("{}: {}", host_of(uri), timed_out(what, limit, option))
}

/// The text of an HTTP request of the session that took longer than
/// `limit` (`Options::http_timeout`), in both drivers' words.
#[must_use]
pub fn http_timeout(uri: &str, limit: Duration) -> String {
    timeout(uri, "the request", limit, "http_timeout")
}

/// [`timeout`] without the host in front (for a text that gets it later,
/// as [`with_hint`] gives it).
///
/// ```
/// use std::time::Duration;
/// let text = moobius_runtime::explain::timed_out("opening the websocket", Duration::from_secs(10), "connect_timeout");
/// assert_eq!(text, "opening the websocket took longer than 10s (`Options::connect_timeout`)");
/// ```
#[must_use]
pub fn timed_out(what: &str, limit: Duration, option: &str) -> String {
    format!("{what} took longer than {limit:?} (`Options::{option}`)")
}

/// `scheme://host:port` of `uri` (no path, query or credentials).
#[must_use]
pub fn host_of(uri: &str) -> String {
    let (scheme, rest) = uri.split_once("://").unwrap_or(("", uri));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if scheme.is_empty() {
        authority.to_owned()
    } else {
        format!("{scheme}://{authority}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("error sending request")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_keeps_every_cause_once() {
        let e = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        ));
        assert_eq!(
            chain(&e),
            "error sending request: Connection refused (os error 111)"
        );
        let t = transport("http://127.0.0.1:9/auth?x=1", &e);
        assert!(
            t.starts_with("http://127.0.0.1:9: error sending request"),
            "{t}"
        );
        assert!(
            t.contains("is the platform (or the devserver) running"),
            "{t}"
        );
    }

    #[test]
    fn tls_against_a_plain_server_is_named() {
        let t = with_hint(
            "wss://127.0.0.1:7700/ws",
            "received corrupt message of type InvalidContentType",
        );
        assert!(t.contains("does not speak TLS"), "{t}");
        assert!(hint(
            "ws://h/",
            "received corrupt message of type InvalidContentType"
        )
        .is_none());
    }

    #[test]
    fn timeouts_name_the_host_the_limit_and_the_option() {
        let t = http_timeout(
            "https://u:p@api.example.com/auth/sign_in",
            Duration::from_secs(30),
        );
        assert_eq!(
            t,
            "https://api.example.com: the request took longer than 30s (`Options::http_timeout`)"
        );
    }

    #[test]
    fn hosts_drop_credentials_and_paths() {
        assert_eq!(
            host_of("https://u:p@api.example.com:443/a/b"),
            "https://api.example.com:443"
        );
        assert_eq!(host_of("127.0.0.1:9"), "127.0.0.1:9");
    }
}
