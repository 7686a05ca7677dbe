//! Printing configuration without its secrets.
//!
//! `db_config` is free-form JSON whose settings may hold passwords, tokens
//! and URLs with credentials. [`Redacted`] prints such a value for `Debug`
//! (and [`redact_json`] returns the cleaned copy) by this rule:
//!
//! * the value of every object key whose name, lower-cased, contains `pass`
//!   (password, passwd, passphrase), `pwd`, `secret`, `token`, `key`,
//!   `credential` or `auth` becomes `"<redacted>"`, whatever its type;
//! * in every other string that holds a URL (`scheme://…`), the user
//!   information (`user:password@`) becomes `***@`, and the value of every
//!   query parameter whose name matches the rule above becomes `***`.
//!
//! Everything else (engine names, container names, hosts, ports, paths,
//! flags) is printed as is, so the output stays useful for debugging.
//!
//! ```
//! use moobius_proto::config::redact_json;
//! use serde_json::json;
//! let db_config = json!([{"implementation": "redis", "name": "games",
//!     "settings": {"url": "rediss://app:S3CRET@cache:6380/0?token=T0KEN", "password": "S3CRET"}}]);
//! let shown = redact_json(&db_config).to_string();
//! assert!(!shown.contains("S3CRET") && !shown.contains("T0KEN"));
//! assert!(shown.contains("rediss://***@cache:6380/0?token=***"));
//! ```

use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// What replaces a secret value.
pub const REDACTED: &str = "<redacted>";

const SECRET_WORDS: [&str; 7] = [
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "credential",
    "auth",
];

/// `true` when a key or query-parameter name names a secret (see the module
/// rule).
#[must_use]
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| name.contains(w))
}

/// A copy of `value` with secrets replaced (see the module rule).
#[must_use]
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_name(k) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        Value::String(s) => Value::String(redact_url(s).into_owned()),
        other => other.clone(),
    }
}

/// `text` with the credentials of a URL removed: `user:password@` becomes
/// `***@` and secret-named query values become `***`. Text that is not a
/// URL is returned unchanged.
#[must_use]
pub fn redact_url(text: &str) -> Cow<'_, str> {
    let Some(scheme_end) = text.find("://") else {
        return Cow::Borrowed(text);
    };
    let rest_start = scheme_end + 3;
    let authority_end = text[rest_start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| rest_start + i);
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..rest_start]);
    let authority = &text[rest_start..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            out.push_str("***@");
            out.push_str(&authority[at + 1..]);
        }
        None => out.push_str(authority),
    }
    let rest = &text[authority_end..];
    let (before_fragment, fragment) = rest.split_at(rest.find('#').unwrap_or(rest.len()));
    match before_fragment.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, _)) if is_secret_name(name) => format!("{name}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
        None => out.push_str(before_fragment),
    }
    out.push_str(fragment);
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// `Debug` of a JSON value with its secrets redacted (see the module rule):
/// `format!("{:?}", Redacted(&db_config))`.
#[derive(Clone, Copy)]
pub struct Redacted<'a>(pub &'a Value);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact_json(self.0), f)
    }
}

/// `Debug` of an optional JSON value with its secrets redacted.
#[derive(Clone, Copy)]
pub struct RedactedOption<'a>(pub Option<&'a Value>);

impl fmt::Debug for RedactedOption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.map(Redacted), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_keys_are_replaced_whatever_their_type() {
        let v = json!({"password": "p1", "Api_Key": {"x": 1}, "auth_token": 7,
                       "db_pass": ["p2"], "host": "h", "port": 6379});
        let r = redact_json(&v);
        assert_eq!(
            r,
            json!({"password": REDACTED, "Api_Key": REDACTED, "auth_token": REDACTED,
                   "db_pass": REDACTED, "host": "h", "port": 6379})
        );
    }

    #[test]
    fn urls_lose_their_credentials_only() {
        let cases = [
            ("redis://:pw@h:1/2", "redis://***@h:1/2"),
            ("rediss://u:p@w@h/", "rediss://***@h/"),
            ("redis://h:1/2", "redis://h:1/2"),
            (
                "https://h/p?a=1&token=t&apikey=k#f",
                "https://h/p?a=1&token=***&apikey=***#f",
            ),
            (
                "unix:///tmp/redis.sock?password=p",
                "unix:///tmp/redis.sock?password=***",
            ),
            ("no url @ all", "no url @ all"),
            ("data/dir", "data/dir"),
        ];
        for (input, want) in cases {
            assert_eq!(redact_url(input), want, "{input}");
        }
        assert!(matches!(redact_url("redis://h/"), Cow::Borrowed(_)));
    }

    #[test]
    fn nested_values_are_walked() {
        let v = json!([{"settings": {"url": "redis://u:SECRET@h/"}}]);
        let shown = format!("{:?}", Redacted(&v));
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("redis://***@h/"), "{shown}");
        let none = format!("{:?}", RedactedOption(None));
        assert_eq!(none, "None");
    }
}
