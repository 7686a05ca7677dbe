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

/// Longest boundary accepted (RFC 2046 allows 70 characters).
const MAX_BOUNDARY: usize = 70;
/// Longest text field (`key` and the presigned-POST fields).
const MAX_FIELD: u64 = 4096;

async fn upload(shared: &Shared, headers: &HeaderMap, body: Body) -> Response {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = match multer::parse_boundary(ctype) {
        Ok(b) if b.len() <= MAX_BOUNDARY => b,
        Ok(b) => {
            return fail(&ApiError::bad_request(format!(
                "multipart boundary of {} characters (at most {MAX_BOUNDARY})",
                b.len()
            )))
        }
        Err(e) => {
            return fail(&ApiError::bad_request(format!(
                "expected multipart/form-data with a boundary ({e})"
            )))
        }
    };
    let limit = shared.config.max_upload_bytes as u64;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(limit)
            .per_field(limit)
            .for_field("key", MAX_FIELD),
    );
    let form = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    match tokio::time::timeout(shared.config.body_timeout, read_form(shared, form)).await {
        Ok(Ok(r)) | Ok(Err(r)) => r,
        Err(_) => fail(&ApiError::new(
            codes::BAD_REQUEST,
            StatusCode::REQUEST_TIMEOUT,
            "upload not received in time",
        )),
    }
}

/// Reads the form: the `key` field (checked as soon as it arrives), then
/// the `file` part; other presigned-POST fields are skipped.
async fn read_form(
    shared: &Shared,
    mut form: multer::Multipart<'static>,
) -> Result<Response, Response> {
    let malformed = |e: multer::Error| {
        let status = match e {
            multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            _ => StatusCode::BAD_REQUEST,
        };
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            codes::TOO_LARGE
        } else {
            codes::BAD_REQUEST
        };
        fail(&ApiError::new(
            code,
            status,
            format!("malformed or oversized multipart body: {e}"),
        ))
    };
    let mut key: Option<String> = None;
    loop {
        let Some(field) = form.next_field().await.map_err(malformed)? else {
            return Err(fail(&ApiError::bad_request(
                "the form needs a `key` field and a `file` part",
            )));
        };
        match field.name() {
            Some("key") => {
                let k = field.text().await.map_err(malformed)?;
                if !shared.lock().files.open_for_upload(&k) {
                    return Err(fail(&ApiError::forbidden(format!(
                        "key `{k}` was not issued by GET /file/upload, or was used already"
                    ))));
                }
                key = Some(k);
            }
            Some("file") => {
                let Some(key) = key else {
                    return Err(fail(&ApiError::bad_request(
                        "the `key` field must come before the `file` part",
                    )));
                };
                let part_type = field.content_type().map(ToString::to_string);
                let data = field.bytes().await.map_err(malformed)?;
                let content_type = mime_of(&key)
                    .map(str::to_owned)
                    .or(part_type)
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                let len = data.len();
                if !shared.lock().files.store(&key, data, content_type) {
                    return Err(fail(&ApiError::forbidden(format!(
                        "key `{key}` was used already"
                    ))));
                }
                tracing::info!(%key, bytes = len, "file stored");
                return Ok(empty(StatusCode::NO_CONTENT));
            }
            _ => {
                // Skip the field (bounded by the size limits).
                field.bytes().await.map_err(malformed)?;
            }
        }
    }
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
