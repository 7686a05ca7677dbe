//! What can go wrong building a request ([`RequestError`]) or reading its
//! answer ([`ApiError`]).
//!
//! Every error names the endpoint by the reference SDK's function name
//! (`"fetch_member_ids"`, `"authenticate"`, …; see [`Endpoint::NAME`]) so a log
//! line says which call failed. No error ever carries a password or token.
//!
//! [`Endpoint::NAME`]: super::Endpoint::NAME

use ::http::StatusCode;

/// A request could not be built. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The endpoint needs `Authorization: Bearer …` but the context has no
    /// access token (or an empty one). Sign in first.
    #[error("{endpoint}: no access token; sign in first")]
    MissingAccessToken {
        /// The endpoint.
        endpoint: &'static str,
    },
    /// The access token holds characters that cannot appear in an HTTP header
    /// (control characters, line breaks). The token itself is not shown.
    #[error("{endpoint}: the access token cannot be sent in a header")]
    InvalidAccessToken {
        /// The endpoint.
        endpoint: &'static str,
    },
    /// The request URI could not be formed (base URI plus path and query, or a
    /// URL the platform handed out, such as a presigned upload URL).
    #[error("{endpoint}: invalid URI: {reason}")]
    InvalidUri {
        /// The endpoint.
        endpoint: &'static str,
        /// Why.
        reason: String,
    },
    /// An argument cannot be put on the wire (for example a multipart
    /// boundary that is not a valid boundary or occurs in the content).
    #[error("{endpoint}: invalid argument: {reason}")]
    InvalidArgument {
        /// The endpoint.
        endpoint: &'static str,
        /// Why.
        reason: String,
    },
    /// The JSON body could not be encoded.
    #[error("{endpoint}: cannot encode the request body: {message}")]
    Encode {
        /// The endpoint.
        endpoint: &'static str,
        /// What serde_json said.
        message: String,
    },
}

/// A base URI (`http_server_uri`) that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base URI {uri:?}: {reason}")]
#[non_exhaustive]
pub struct BaseUriError {
    /// The text given.
    pub uri: String,
    /// Why it was refused.
    pub reason: String,
}

/// A response that does not carry the expected result.
///
/// How a response is judged (PROTOCOL.md §4.1, with the deviations of
/// EXPECTATIONS.md):
///
/// 1. A JSON object body is the platform's envelope
///    `{"code", "message", "data"}`. Its `code` decides, whatever the HTTP
///    status: `10000` and `204` are success, anything else is [`ApiError::Api`].
/// 2. A body that is not a JSON object (HTML error page, plain text, empty)
///    with HTTP status ≥ 400 is [`ApiError::Status`]; with a lower status it
///    is [`ApiError::NotJson`] — except an empty body with status `204`, which
///    is a success without data.
/// 3. A successful envelope whose `data` does not have the shape the endpoint
///    needs is [`ApiError::Decode`], naming the JSON path (`data.character_list[2]`).
///
/// Endpoints outside the platform API (the presigned upload, downloads) judge
/// by HTTP status alone and report failures as [`ApiError::Status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The platform answered with an envelope whose `code` is not a success code.
    #[error("{endpoint}: platform error code={code} message={message:?} (HTTP {status})")]
    Api {
        /// The endpoint.
        endpoint: &'static str,
        /// HTTP status of the response.
        status: StatusCode,
        /// The envelope's `code`.
        code: i64,
        /// The envelope's `message` (empty when absent).
        message: String,
    },
    /// The HTTP status says failure and the body is no envelope.
    #[error("{endpoint}: HTTP {status}: {excerpt:?}")]
    Status {
        /// The endpoint.
        endpoint: &'static str,
        /// HTTP status of the response.
        status: StatusCode,
        /// The start of the body, as text.
        excerpt: String,
    },
    /// The status says success but the body is not a JSON object (an HTML
    /// page from a proxy, plain text, an empty body, a bare JSON value).
    #[error("{endpoint}: expected a JSON envelope, got {excerpt:?} (HTTP {status})")]
    NotJson {
        /// The endpoint.
        endpoint: &'static str,
        /// HTTP status of the response.
        status: StatusCode,
        /// The start of the body, as text (empty for an empty body).
        excerpt: String,
    },
    /// The envelope (or a header) is there but a value has the wrong shape.
    #[error("{endpoint}: `{path}`: {message}")]
    Decode {
        /// The endpoint.
        endpoint: &'static str,
        /// Where: a JSON path from the envelope root (`data.fields.key`,
        /// `code`) or a header name.
        path: String,
        /// What was wrong.
        message: String,
    },
}

impl ApiError {
    /// The endpoint that failed.
    #[must_use]
    pub fn endpoint(&self) -> &'static str {
        match self {
            Self::Api { endpoint, .. }
            | Self::Status { endpoint, .. }
            | Self::NotJson { endpoint, .. }
            | Self::Decode { endpoint, .. } => endpoint,
        }
    }

    /// The HTTP status of the failed response, when one is known.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. }
            | Self::Status { status, .. }
            | Self::NotJson { status, .. } => Some(*status),
            Self::Decode { .. } => None,
        }
    }

    /// True when the failure means the access token is expired or invalid, so
    /// that refreshing it (`POST /auth/refresh`) and retrying once may succeed.
    ///
    /// The rule:
    /// * HTTP status `401` or `403`, with or without an envelope; or
    /// * an error envelope whose `code` is `401` or `403`; or
    /// * an error envelope whose `message`, lower-cased, mentions a token
    ///   (`"token"`) together with `"expired"`, `"invalid"` or `"revoked"`
    ///   (Cognito's "Access Token has expired", "Invalid Access Token",
    ///   "Access Token has been revoked"), or says `"unauthorized"`.
    ///
    /// A sign-in failure ("Incorrect username or password.") does not match:
    /// retrying it with a new token cannot help. On `/auth/refresh` itself a
    /// match means the refresh token is dead and a full sign-in is needed.
    #[must_use]
    pub fn is_auth_expired(&self) -> bool {
        let status_says =
            |s: &StatusCode| matches!(*s, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
        match self {
            Self::Status { status, .. } => status_says(status),
            Self::Api {
                status,
                code,
                message,
                ..
            } => status_says(status) || matches!(code, 401 | 403) || message_says_auth(message),
            Self::NotJson { .. } | Self::Decode { .. } => false,
        }
    }

    /// True when the failure is probably transient and the same request may
    /// succeed later: HTTP status 5xx (server or gateway trouble) or `429 Too
    /// Many Requests`. Platform error codes are never retryable: the reference
    /// SDK gives them no meaning.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, .. }
            | Self::Status { status, .. }
            | Self::NotJson { status, .. } => {
                status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS
            }
            Self::Decode { .. } => false,
        }
    }
}

/// The message part of [`ApiError::is_auth_expired`].
fn message_says_auth(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    (m.contains("token")
        && ["expired", "invalid", "revoked"]
            .iter()
            .any(|w| m.contains(w)))
        || m.contains("unauthorized")
        || m.contains("unauthorised")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: i64, message: &str) -> ApiError {
        ApiError::Api {
            endpoint: "x",
            status: StatusCode::from_u16(status).unwrap(),
            code,
            message: message.into(),
        }
    }

    fn status(status: u16) -> ApiError {
        ApiError::Status {
            endpoint: "x",
            status: StatusCode::from_u16(status).unwrap(),
            excerpt: String::new(),
        }
    }

    #[test]
    fn auth_expired_rule() {
        assert!(status(401).is_auth_expired());
        assert!(status(403).is_auth_expired());
        assert!(!status(404).is_auth_expired());
        assert!(!status(500).is_auth_expired());
        assert!(api(401, 10001, "whatever").is_auth_expired());
        assert!(api(200, 401, "").is_auth_expired());
        assert!(api(200, 10003, "Access Token has expired").is_auth_expired());
        assert!(api(200, 10003, "Invalid Access Token").is_auth_expired());
        assert!(api(200, 10003, "Access Token has been revoked").is_auth_expired());
        assert!(api(200, 10003, "Unauthorized").is_auth_expired());
        assert!(!api(200, 10001, "Incorrect username or password.").is_auth_expired());
        assert!(!api(200, 10012, "channel already bound").is_auth_expired());
        assert!(!api(200, 10001, "invalid channel").is_auth_expired());
        let decode = ApiError::Decode {
            endpoint: "x",
            path: "data".into(),
            message: "token expired".into(),
        };
        assert!(!decode.is_auth_expired());
    }

    #[test]
    fn retryable_rule() {
        assert!(status(500).is_retryable());
        assert!(status(502).is_retryable());
        assert!(status(503).is_retryable());
        assert!(status(429).is_retryable());
        assert!(!status(400).is_retryable());
        assert!(!status(401).is_retryable());
        assert!(api(503, 10500, "server error").is_retryable());
        assert!(!api(200, 10500, "server error").is_retryable());
        let not_json = ApiError::NotJson {
            endpoint: "x",
            status: StatusCode::BAD_GATEWAY,
            excerpt: String::new(),
        };
        assert!(not_json.is_retryable());
    }

    #[test]
    fn errors_name_the_endpoint() {
        let e = api(200, 10404, "not found");
        assert_eq!(e.endpoint(), "x");
        assert_eq!(e.status(), Some(StatusCode::OK));
        assert!(e.to_string().contains("code=10404"));
        let r = RequestError::MissingAccessToken {
            endpoint: "fetch_member_ids",
        };
        assert!(r.to_string().starts_with("fetch_member_ids:"));
    }
}
