//! Errors: the public [`DevServerError`], the envelope codes of failed HTTP
//! answers ([`codes`]) and the crate-internal [`ApiError`] they come from.

use http::StatusCode;

/// Envelope `code`s of failed answers (success is
/// [`moobius_proto::http::paths::CODE_OK`], `10000`). The reference SDK gives
/// failure codes no meaning; these are the devserver's own, stable choices.
pub mod codes {
    /// Wrong email or password, or an unknown account at sign-in.
    pub const BAD_CREDENTIALS: i64 = 10001;
    /// Sign-up with an email that already has a confirmed account.
    pub const ACCOUNT_EXISTS: i64 = 10002;
    /// Sign-in before the sign-up was confirmed.
    pub const NOT_CONFIRMED: i64 = 10003;
    /// A wrong confirmation or reset code.
    pub const BAD_CODE: i64 = 10004;
    /// The channel is already bound to another service.
    pub const ALREADY_BOUND: i64 = 10012;
    /// Malformed JSON, a missing or ill-typed field, a missing query parameter.
    pub const BAD_REQUEST: i64 = 10400;
    /// Missing, unknown, expired or signed-out access (or refresh) token.
    pub const UNAUTHORIZED: i64 = 10401;
    /// The caller does not own the service (or channel) it names.
    pub const FORBIDDEN: i64 = 10403;
    /// Unknown id (service, channel, group, character, file) or endpoint.
    pub const NOT_FOUND: i64 = 10404;
    /// Known path, wrong HTTP method.
    pub const METHOD_NOT_ALLOWED: i64 = 10405;
    /// Request body over the limit.
    pub const TOO_LARGE: i64 = 10413;
    /// A failure injected with [`crate::DevServerHandle::fail_next_http_requests`].
    pub const INJECTED_FAULT: i64 = 10500;
}

/// Why the devserver could not start, or a seeding call was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevServerError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Another I/O failure while starting.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The TLS certificate or key could not be loaded.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// A seeding call was refused (duplicate account, unknown channel, ...).
    #[error("refused (code {code}): {message}")]
    Refused {
        /// The envelope code the same HTTP call would have answered.
        code: i64,
        /// Why.
        message: String,
    },
}

/// A failed API call: envelope code, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: i64,
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: i64, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(codes::BAD_REQUEST, StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(codes::UNAUTHORIZED, StatusCode::UNAUTHORIZED, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(codes::FORBIDDEN, StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(codes::NOT_FOUND, StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn bad_credentials() -> Self {
        Self::new(
            codes::BAD_CREDENTIALS,
            StatusCode::UNAUTHORIZED,
            "Incorrect username or password.",
        )
    }

    pub(crate) fn bad_code() -> Self {
        Self::new(
            codes::BAD_CODE,
            StatusCode::BAD_REQUEST,
            "Invalid verification code provided, please try again.",
        )
    }
}

impl From<ApiError> for DevServerError {
    fn from(e: ApiError) -> Self {
        Self::Refused {
            code: e.code,
            message: e.message,
        }
    }
}
