//! Shared request building: URI, auth headers, JSON bodies.

use super::error::RequestError;
use super::paths::{AUTH_ORIGIN_HEADER, AUTH_ORIGIN_HEADER_VALUE};
use super::ApiContext;
use ::http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use ::http::{Method, Request, Uri};
use bytes::Bytes;
use serde::Serialize;

/// `Content-Type` of JSON bodies.
pub(crate) const APPLICATION_JSON: &str = "application/json";

/// Whether a platform call carries `Auth-Origin` + `Authorization: Bearer`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// No auth headers (sign-in and the other `/auth/*` calls marked "none").
    None,
    /// The access token from the [`ApiContext`] is required.
    Bearer,
}

/// The access token of `ctx`, or [`RequestError::MissingAccessToken`].
pub(crate) fn access_token<'a>(
    endpoint: &'static str,
    ctx: &'a ApiContext,
) -> Result<&'a str, RequestError> {
    match &ctx.access_token {
        Some(t) if !t.is_empty() => Ok(t.expose()),
        _ => Err(RequestError::MissingAccessToken { endpoint }),
    }
}

/// The `Authorization: Bearer …` value, marked sensitive so that `Debug` of
/// the request hides it.
pub(crate) fn bearer(
    endpoint: &'static str,
    ctx: &ApiContext,
) -> Result<HeaderValue, RequestError> {
    let token = access_token(endpoint, ctx)?;
    let mut v = HeaderValue::try_from(format!("Bearer {token}"))
        .map_err(|_| RequestError::InvalidAccessToken { endpoint })?;
    v.set_sensitive(true);
    Ok(v)
}

/// The URI of a platform path under the context's base URI.
fn platform_uri(
    endpoint: &'static str,
    ctx: &ApiContext,
    path: &str,
    query: &[(&str, &str)],
) -> Result<Uri, RequestError> {
    ctx.base
        .join(path, query)
        .map_err(|e| RequestError::InvalidUri {
            endpoint,
            reason: e.reason,
        })
}

/// A request with optional auth headers and an optional typed body.
pub(crate) fn build(
    endpoint: &'static str,
    method: Method,
    uri: Uri,
    auth: Option<HeaderValue>,
    body: Option<(&'static str, Bytes)>,
) -> Result<Request<Bytes>, RequestError> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(value) = auth {
        b = b
            .header(AUTH_ORIGIN_HEADER, AUTH_ORIGIN_HEADER_VALUE)
            .header(AUTHORIZATION, value);
    }
    let body = match body {
        Some((content_type, bytes)) => {
            b = b.header(CONTENT_TYPE, content_type);
            bytes
        }
        None => Bytes::new(),
    };
    b.body(body).map_err(|e| RequestError::InvalidArgument {
        endpoint,
        reason: e.to_string(),
    })
}

fn auth_header(
    endpoint: &'static str,
    ctx: &ApiContext,
    auth: Auth,
) -> Result<Option<HeaderValue>, RequestError> {
    match auth {
        Auth::None => Ok(None),
        Auth::Bearer => bearer(endpoint, ctx).map(Some),
    }
}

/// `GET base/path?query` with no body.
pub(crate) fn get(
    endpoint: &'static str,
    ctx: &ApiContext,
    path: &str,
    query: &[(&str, &str)],
    auth: Auth,
) -> Result<Request<Bytes>, RequestError> {
    let auth = auth_header(endpoint, ctx, auth)?;
    let uri = platform_uri(endpoint, ctx, path, query)?;
    build(endpoint, Method::GET, uri, auth, None)
}

/// `POST base/path` with `body` as JSON.
pub(crate) fn post_json<B: Serialize + ?Sized>(
    endpoint: &'static str,
    ctx: &ApiContext,
    path: &str,
    body: &B,
    auth: Auth,
) -> Result<Request<Bytes>, RequestError> {
    let auth = auth_header(endpoint, ctx, auth)?;
    let uri = platform_uri(endpoint, ctx, path, &[])?;
    let json = serde_json::to_vec(body).map_err(|e| RequestError::Encode {
        endpoint,
        message: e.to_string(),
    })?;
    build(
        endpoint,
        Method::POST,
        uri,
        auth,
        Some((APPLICATION_JSON, Bytes::from(json))),
    )
}
