//! File upload and download: `GET /file/upload` hands out a URL on this
//! server and a key; the multipart `POST` to that URL stores the file and
//! answers `204`; `GET`/`HEAD` on URL + key serve it with `Content-Length`.

use super::{empty, Ctx, FILES_PREFIX};
use crate::error::{codes, ApiError};
use crate::ids;
use crate::shared::Shared;
use axum::body::Body;
use axum::response::Response;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::{json, Value};

/// `GET /file/upload?extension=…`: `{"url", "fields": {"key"}}`.
pub(super) fn upload_url(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let ext: String = ctx
        .query_opt("extension")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    let key = if ext.is_empty() {
        format!("uploads/{}", ids::short())
    } else {
        format!("uploads/{}.{}", ids::short(), ext.to_ascii_lowercase())
    };
    ctx.shared.lock().files.issue(key.clone(), &user_id);
    Ok(json!({
        "url": format!("{}{FILES_PREFIX}", ctx.shared.http_base),
        "fields": {"key": key},
    }))
}

/// The content type served for a key, from its extension.
fn mime_of(key: &str) -> Option<&'static str> {
    let ext = key.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

fn fail(e: &ApiError) -> Response {
    super::error_response(e)
}

/// Requests under [`FILES_PREFIX`]: `POST` (upload, key empty) and
/// `GET`/`HEAD` (download).
pub(super) async fn store(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
    key: &str,
    body: Body,
) -> Response {
    match *method {
        Method::POST if key.is_empty() => upload(shared, headers, body).await,
        Method::GET | Method::HEAD if !key.is_empty() => download(shared, method, key),
        _ => fail(&ApiError::new(
            codes::METHOD_NOT_ALLOWED,
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {FILES_PREFIX}{key}"),
        )),
    }
}

async fn upload(shared: &Shared, headers: &HeaderMap, body: Body) -> Response {
    let limit = shared.config.max_upload_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return fail(&ApiError::new(
            codes::TOO_LARGE,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("upload exceeds {limit} bytes or could not be read"),
        ));
    };
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(boundary) = super::multipart::boundary(ctype) else {
        return fail(&ApiError::bad_request(
            "expected multipart/form-data with a boundary",
        ));
    };
    let parts = match super::multipart::parse(&bytes, &boundary) {
        Ok(p) => p,
        Err(e) => {
            return fail(&ApiError::bad_request(format!(
                "malformed multipart body: {e}"
            )))
        }
    };
    let key = parts
        .iter()
        .find(|p| p.name == "key")
        .map(|p| String::from_utf8_lossy(&p.data).into_owned());
    let file = parts.iter().find(|p| p.name == "file");
    let (Some(key), Some(file)) = (key, file) else {
        return fail(&ApiError::bad_request(
            "the form needs a `key` field and a `file` part",
        ));
    };
    let content_type = mime_of(&key)
        .map(str::to_owned)
        .or_else(|| file.content_type.clone())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let stored = shared
        .lock()
        .files
        .store(&key, file.data.clone(), content_type);
    if !stored {
        return fail(&ApiError::forbidden(format!(
            "key `{key}` was not issued by GET /file/upload"
        )));
    }
    tracing::info!(%key, bytes = file.data.len(), "file stored");
    empty(StatusCode::NO_CONTENT)
}

fn download(shared: &Shared, method: &Method, key: &str) -> Response {
    let Some(f) = shared.lock().files.get(key).cloned() else {
        return fail(&ApiError::not_found(format!("no file `{key}`")));
    };
    let len = f.bytes.len();
    let body = if *method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(f.bytes)
    };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    r
}
