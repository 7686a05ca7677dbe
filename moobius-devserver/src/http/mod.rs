//! The HTTP API (PROTOCOL.md §4) and the file store, on the same port as the
//! websocket.
//!
//! Every API answer is JSON (`Content-Type: application/json`) in the
//! envelope `{"code", "message", "data"}`: `code` is `10000` on success and
//! one of [`crate::codes`] on failure, with a matching HTTP status. Handlers
//! are synchronous functions of a [`Ctx`]; all of them run under the state
//! lock for a moment and never block.

mod auth;
mod channel;
mod character;
mod envelope;
mod files;
mod groups;
mod service;
mod user;

use crate::error::{codes, ApiError};
use crate::shared::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use moobius_proto::http::paths;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub(crate) use channel::history_entry;

/// Path prefix of the file store (upload target and downloads).
pub(crate) const FILES_PREFIX: &str = "/files/";

/// One API request, read in full.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
}

impl Ctx<'_> {
    /// The JSON body as `T`. Malformed JSON and wrong shapes are
    /// [`codes::BAD_REQUEST`] with the parser's explanation.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("missing JSON body"));
        }
        let v: Value = serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?;
        serde_json::from_value(v)
            .map_err(|e| ApiError::bad_request(format!("bad request body: {e}")))
    }

    /// The JSON body if there is one (`Null` when empty or not JSON).
    pub(crate) fn json_opt(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// A required query parameter.
    pub(crate) fn query(&self, name: &str) -> Result<&str, ApiError> {
        self.query
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ApiError::bad_request(format!("missing query parameter `{name}`")))
    }

    /// An optional query parameter.
    pub(crate) fn query_opt(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// The bearer access token, if any.
    pub(crate) fn bearer(&self) -> Option<&str> {
        let v = self
            .headers
            .get(http::header::AUTHORIZATION)?
            .to_str()
            .ok()?;
        let t = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))?
            .trim();
        (!t.is_empty()).then_some(t)
    }

    /// The signed-in user (from `Authorization: Bearer <access token>`).
    pub(crate) fn user(&self) -> Result<String, ApiError> {
        let token = self.bearer().ok_or_else(|| {
            ApiError::unauthorized("Missing access token (Authorization: Bearer).")
        })?;
        self.shared.lock().accounts.authenticate(token)
    }
}

type Handler = fn(&Ctx<'_>) -> Result<Value, ApiError>;

/// Every API endpoint: method, path, handler.
const ROUTES: &[(Method, &str, Handler)] = &[
    (Method::POST, paths::AUTH_SIGN_IN, auth::sign_in),
    (Method::POST, paths::AUTH_REFRESH, auth::refresh),
    (Method::POST, paths::AUTH_SIGN_UP, auth::sign_up),
    (
        Method::POST,
        paths::AUTH_RESEND_CONFIRMATION,
        auth::resend_confirmation,
    ),
    (
        Method::POST,
        paths::AUTH_CONFIRM_SIGN_UP,
        auth::confirm_sign_up,
    ),
    (
        Method::POST,
        paths::AUTH_FORGOT_PASSWORD,
        auth::forgot_password,
    ),
    (
        Method::POST,
        paths::AUTH_CONFIRM_RESET_PASSWORD,
        auth::confirm_reset_password,
    ),
    (
        Method::POST,
        paths::AUTH_DELETE_ACCOUNT,
        auth::delete_account,
    ),
    (Method::POST, paths::AUTH_SIGN_OUT, auth::sign_out),
    (Method::GET, paths::USER_INFO, user::info),
    (Method::POST, paths::USER_INFO, user::update_info),
    (Method::POST, paths::SERVICE_CREATE, service::create),
    (Method::GET, paths::SERVICE_LIST, service::list),
    (Method::POST, paths::SERVICE_BIND, service::bind),
    (Method::POST, paths::SERVICE_UNBIND, service::unbind),
    (
        Method::POST,
        paths::SERVICE_CHARACTER_CREATE,
        service::create_agent,
    ),
    (
        Method::POST,
        paths::SERVICE_CHARACTER_UPDATE,
        service::update_agent,
    ),
    (
        Method::GET,
        paths::SERVICE_CHARACTER_LIST,
        service::list_agents,
    ),
    (
        Method::POST,
        paths::SERVICE_GROUP_CREATE,
        groups::create_service_group,
    ),
    (Method::GET, paths::SERVICE_GROUP, groups::get_group),
    (Method::POST, paths::CHANNEL_CREATE, channel::create),
    (Method::POST, paths::CHANNEL_UPDATE, channel::update),
    (Method::GET, paths::CHANNEL_POPULAR, channel::popular),
    (Method::GET, paths::CHANNEL_LIST, channel::list),
    (
        Method::GET,
        paths::CHANNEL_HISTORY_MESSAGE,
        channel::history,
    ),
    (
        Method::GET,
        paths::CHANNEL_CHARACTER_LIST,
        channel::character_list,
    ),
    (
        Method::POST,
        paths::CHARACTER_FETCH_PROFILE,
        character::fetch_profile,
    ),
    (Method::GET, paths::FILE_UPLOAD, files::upload_url),
    (
        Method::POST,
        paths::USER_GROUP_CREATE,
        groups::create_channel_group,
    ),
    (Method::GET, paths::USER_GROUP, groups::get_group),
    (
        Method::GET,
        paths::USER_GROUP_LIST,
        groups::list_channel_groups,
    ),
    (Method::GET, paths::USER_GROUP_TEMP, groups::temp_group),
];

/// How many requests each API endpoint received (any outcome, injected
/// failures included), one counter per path of [`ROUTES`]: bounded, and
/// unknown paths are not counted.
#[derive(Debug)]
pub(crate) struct RequestCounts(Vec<AtomicU64>);

impl Default for RequestCounts {
    fn default() -> Self {
        Self(ROUTES.iter().map(|_| AtomicU64::new(0)).collect())
    }
}

impl RequestCounts {
    /// Counts a request to `path` (normalized), if it is an API path.
    fn count(&self, path: &str) {
        if let Some(i) = ROUTES.iter().position(|(_, p, _)| *p == path) {
            self.0[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Requests to `path` so far, any method (`/auth/refresh/` and
    /// `//auth/refresh` are `/auth/refresh`).
    pub(crate) fn of(&self, path: &str) -> u64 {
        let path = normalize(path);
        ROUTES
            .iter()
            .position(|(_, p, _)| *p == path)
            .map_or(0, |i| self.0[i].load(Ordering::Relaxed))
    }
}

/// Collapses repeated slashes and drops a trailing one.
fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(seg);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn parse_query(q: Option<&str>) -> HashMap<String, String> {
    form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The fallback handler: every request that is not a websocket upgrade.
pub(crate) async fn dispatch(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let resp = dispatch_inner(&shared, req).await;
    shared.changed();
    resp
}

async fn dispatch_inner(shared: &Shared, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = normalize(parts.uri.path());
    shared.requests.count(&path);
    if shared.faults.take_http_failure() {
        tracing::info!(method = %parts.method, path = parts.uri.path(), "injected HTTP failure");
        return envelope::error(&ApiError::new(
            codes::INJECTED_FAULT,
            StatusCode::SERVICE_UNAVAILABLE,
            "injected fault: service unavailable",
        ));
    }
    let raw_path = parts.uri.path();
    if let Some(key) = raw_path.strip_prefix(FILES_PREFIX) {
        return files::store(shared, &parts.method, &parts.headers, key, body).await;
    }
    let limit = shared.config.max_body_bytes;
    let read = tokio::time::timeout(
        shared.config.body_timeout,
        axum::body::to_bytes(body, limit),
    )
    .await;
    let Ok(Ok(bytes)) = read else {
        return envelope::error(&ApiError::new(
            codes::TOO_LARGE,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "request body exceeds {limit} bytes, was not read in time, or could not be read"
            ),
        ));
    };
    let route = ROUTES
        .iter()
        .find(|(m, p, _)| *p == path && *m == parts.method);
    let Some((_, _, handler)) = route else {
        let known = ROUTES.iter().any(|(_, p, _)| *p == path);
        let e = if known {
            ApiError::new(
                codes::METHOD_NOT_ALLOWED,
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{} is not allowed on {path}", parts.method),
            )
        } else {
            ApiError::not_found(format!("no such endpoint: {} {path}", parts.method))
        };
        return envelope::error(&e);
    };
    let ctx = Ctx {
        shared,
        query: parse_query(parts.uri.query()),
        headers: parts.headers,
        body: bytes,
    };
    match handler(&ctx) {
        Ok(data) => {
            tracing::debug!(method = %parts.method, %path, "ok");
            envelope::ok(data)
        }
        Err(e) => {
            tracing::info!(method = %parts.method, %path, code = e.code, message = %e.message, "request failed");
            envelope::error(&e)
        }
    }
}

/// A plain-JSON error answer for requests that never reach [`dispatch`].
pub(crate) fn error_response(e: &ApiError) -> Response {
    envelope::error(e)
}

/// An empty answer with a status (the file store's `204`).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize("//auth//sign_in/"), "/auth/sign_in");
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize(""), "/");
    }

    #[test]
    fn requests_are_counted_per_api_path() {
        let counts = RequestCounts::default();
        counts.count("/auth/refresh");
        counts.count("/auth/refresh");
        counts.count("/no/such/path");
        assert_eq!(counts.of("/auth/refresh"), 2);
        assert_eq!(counts.of("//auth/refresh/"), 2, "normalized");
        assert_eq!(counts.of(paths::AUTH_SIGN_IN), 0);
        assert_eq!(counts.of("/no/such/path"), 0, "unknown paths are not kept");
    }

    #[test]
    fn every_route_is_unique() {
        for (i, (m, p, _)) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[i + 1..].iter().any(|(m2, p2, _)| m2 == m && p2 == p),
                "{m} {p}"
            );
        }
    }
}
