//! The JSON envelope of every API answer.

use crate::error::ApiError;
use axum::body::Body;
use axum::response::Response;
use http::{header, HeaderValue, StatusCode};
use moobius_proto::http::paths::CODE_OK;
use serde_json::{json, Value};

/// A JSON answer with a status.
pub(crate) fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// `{"code": 10000, "message": "ok", "data": data}`.
pub(crate) fn ok(data: Value) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"code": CODE_OK, "message": "ok", "data": data}),
    )
}

/// `{"code": <code>, "message": <message>, "data": null}`.
pub(crate) fn error(e: &ApiError) -> Response {
    json_response(
        e.status,
        &json!({"code": e.code, "message": e.message, "data": null}),
    )
}
