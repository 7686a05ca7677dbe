//! The platform's response envelope `{"code": int, "message": str, "data": any}`
//! and how a response is judged (see [`ApiError`] for the rules).

use super::error::ApiError;
use super::paths::{CODE_OK, CODE_OK_NO_CONTENT};
use ::http::{Response, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// How many characters of a body an error quotes.
const EXCERPT_CHARS: usize = 200;

/// A successful envelope: its `data`, still as raw JSON.
#[derive(Debug)]
pub(crate) struct Envelope<'a> {
    /// `data`, `None` when absent or `null`.
    pub(crate) data: Option<&'a RawValue>,
}

/// The wire form, tolerant of odd `code`/`message` types.
#[derive(Deserialize)]
struct RawEnvelope<'a> {
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

/// Judges a platform response: a success envelope, or the error it means.
pub(crate) fn open<'a>(
    endpoint: &'static str,
    response: &'a Response<Bytes>,
) -> Result<Envelope<'a>, ApiError> {
    let status = response.status();
    let body: &[u8] = response.body();
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None if status == StatusCode::NO_CONTENT => return Ok(Envelope { data: None }),
        Some(b'{') => {}
        _ => return Err(not_an_envelope(endpoint, status, body)),
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let raw: RawEnvelope<'_> = match serde_path_to_error::deserialize(de) {
        Ok(raw) => raw,
        Err(e) => {
            let syntax = !e.inner().is_data();
            if syntax {
                return Err(not_an_envelope(endpoint, status, body));
            }
            return Err(ApiError::Decode {
                endpoint,
                path: e.path().to_string(),
                message: strip_position(&e.inner().to_string()),
            });
        }
    };
    let Some(code) = raw.code.as_ref().and_then(Value::as_i64) else {
        if status.as_u16() >= 400 {
            return Err(not_an_envelope(endpoint, status, body));
        }
        return Err(ApiError::Decode {
            endpoint,
            path: "code".to_owned(),
            message: match raw.code {
                None | Some(Value::Null) => "missing".to_owned(),
                Some(other) => format!(
                    "expected an integer, got {}",
                    excerpt(other.to_string().as_bytes())
                ),
            },
        });
    };
    if code == CODE_OK || code == CODE_OK_NO_CONTENT {
        return Ok(Envelope { data: raw.data });
    }
    let message = match raw.message {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
    };
    Err(ApiError::Api {
        endpoint,
        status,
        code,
        message,
    })
}

/// [`ApiError::Status`] for failure statuses, else [`ApiError::NotJson`].
fn not_an_envelope(endpoint: &'static str, status: StatusCode, body: &[u8]) -> ApiError {
    let excerpt = excerpt(body);
    if status.as_u16() >= 400 {
        ApiError::Status {
            endpoint,
            status,
            excerpt,
        }
    } else {
        ApiError::NotJson {
            endpoint,
            status,
            excerpt,
        }
    }
}

/// Decodes `data` (absent counts as `null`) into `T`, naming the JSON path of
/// a value of the wrong shape.
pub(crate) fn decode_data<T: DeserializeOwned>(
    endpoint: &'static str,
    envelope: &Envelope<'_>,
) -> Result<T, ApiError> {
    let text = envelope.data.map_or("null", RawValue::get);
    decode_json(endpoint, "data", text)
}

/// Decodes the JSON `text` found at `root` into `T`.
pub(crate) fn decode_json<T: DeserializeOwned>(
    endpoint: &'static str,
    root: &str,
    text: &str,
) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| ApiError::Decode {
        endpoint,
        path: join_path(root, &e.path().to_string()),
        message: strip_position(&e.inner().to_string()),
    })
}

/// Opens the envelope and decodes its `data`.
pub(crate) fn data<T: DeserializeOwned>(
    endpoint: &'static str,
    response: &Response<Bytes>,
) -> Result<T, ApiError> {
    decode_data(endpoint, &open(endpoint, response)?)
}

/// Opens the envelope and ignores its `data` (calls that answer nothing useful).
pub(crate) fn unit(endpoint: &'static str, response: &Response<Bytes>) -> Result<(), ApiError> {
    open(endpoint, response).map(|_| ())
}

/// `root` + a serde_path_to_error path (`.` for the root itself).
pub(crate) fn join_path(root: &str, path: &str) -> String {
    match path {
        "" | "." => root.to_owned(),
        p if p.starts_with('[') => format!("{root}{p}"),
        p => format!("{root}.{p}"),
    }
}

/// serde_json appends " at line L column C"; the path says where already.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The first [`EXCERPT_CHARS`] characters of a body as one line of text
/// (invalid UTF-8 replaced, whitespace runs collapsed), with `…` when cut.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut count = 0;
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        for c in word.chars() {
            if count == EXCERPT_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
        if words.peek().is_some() {
            if count == EXCERPT_CHARS {
                out.push('…');
                return out;
            }
            out.push(' ');
            count += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response<Bytes> {
        let mut r = Response::new(Bytes::from(body.to_owned()));
        *r.status_mut() = StatusCode::from_u16(status).unwrap();
        r
    }

    #[test]
    fn success_codes() {
        assert!(open("x", &resp(200, r#"{"code":10000,"data":1}"#)).is_ok());
        assert!(open("x", &resp(200, r#"{"code":204}"#)).is_ok());
        assert!(open("x", &resp(204, "")).is_ok());
        assert!(open("x", &resp(204, "  \n")).is_ok());
        // the envelope wins over the status
        assert!(open("x", &resp(500, r#"{"code":10000}"#)).is_ok());
        let d: u32 = data("x", &resp(200, r#"{"code":10000,"data":7}"#)).unwrap();
        assert_eq!(d, 7);
    }

    #[test]
    fn error_envelopes() {
        let e = open(
            "x",
            &resp(200, r#"{"code":10001,"message":"nope","data":null}"#),
        )
        .unwrap_err();
        assert_eq!(
            e,
            ApiError::Api {
                endpoint: "x",
                status: StatusCode::OK,
                code: 10001,
                message: "nope".into()
            }
        );
        let e = open("x", &resp(401, r#"{"code":401,"message":{"m":1}}"#)).unwrap_err();
        assert!(
            matches!(e, ApiError::Api { code: 401, ref message, .. } if message == r#"{"m":1}"#)
        );
        assert!(e.is_auth_expired());
    }

    #[test]
    fn not_json_bodies() {
        let e = open(
            "x",
            &resp(200, "<html><body>  Bad\n\n gateway</body></html>"),
        )
        .unwrap_err();
        assert_eq!(
            e,
            ApiError::NotJson {
                endpoint: "x",
                status: StatusCode::OK,
                excerpt: "<html><body> Bad gateway</body></html>".into()
            }
        );
        let e = open("x", &resp(502, "<html>bad gateway</html>")).unwrap_err();
        assert!(matches!(e, ApiError::Status { status, .. } if status == 502));
        assert!(e.is_retryable());
        let e = open("x", &resp(200, "")).unwrap_err();
        assert!(matches!(e, ApiError::NotJson { ref excerpt, .. } if excerpt.is_empty()));
        let e = open("x", &resp(200, "[10000]")).unwrap_err();
        assert!(matches!(e, ApiError::NotJson { .. }));
        let e = open("x", &resp(200, r#"{"code":10000"#)).unwrap_err();
        assert!(matches!(e, ApiError::NotJson { .. }));
        let e = open("x", &resp(403, r#"{"error":"forbidden"}"#)).unwrap_err();
        assert!(matches!(e, ApiError::Status { .. }));
        assert!(e.is_auth_expired());
    }

    #[test]
    fn missing_or_odd_code() {
        let e = open("x", &resp(200, r#"{"data":1}"#)).unwrap_err();
        assert!(matches!(e, ApiError::Decode { ref path, .. } if path == "code"));
        let e = open("x", &resp(200, r#"{"code":"10000"}"#)).unwrap_err();
        assert!(matches!(e, ApiError::Decode { ref path, .. } if path == "code"));
        let e = open("x", &resp(200, r#"{"code":1,"code":2}"#)).unwrap_err();
        assert!(matches!(e, ApiError::Decode { .. }));
    }

    #[test]
    fn decode_errors_name_the_path() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct D {
            list: Vec<String>,
        }
        let e = data::<D>(
            "fetch_x",
            &resp(200, r#"{"code":10000,"data":{"list":["a",[1]]}}"#),
        )
        .unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { endpoint: "fetch_x", ref path, .. } if path == "data.list[1]"),
            "{e:?}"
        );
        let e = data::<D>("x", &resp(200, r#"{"code":10000}"#)).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data"),
            "{e:?}"
        );
    }

    #[test]
    fn excerpts_are_short_and_safe() {
        let long = "é".repeat(500);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
        assert_eq!(excerpt(b"  a  b  "), "a b");
    }
}
