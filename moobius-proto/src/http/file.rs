//! Files: the two-step presigned upload, file sizes and downloads
//! (PROTOCOL.md §4.7, §8.2).
//!
//! Uploading a file takes two requests:
//! 1. [`RequestUploadUrl`] — `GET /file/upload?extension=…` on the platform
//!    yields an [`UploadTarget`]: a presigned URL and the form fields to send.
//! 2. [`UploadFile`] — a `multipart/form-data` `POST` of those fields and the
//!    file's bytes to that URL (no auth headers). Its result is the file's
//!    public URL, `url + fields.key`, and a non-2xx answer is an error.
//!
//! Deciding whether a string needs uploading at all is [`MediaSource::classify`].

use super::base_uri::parse_absolute_url;
use super::envelope::{self, excerpt};
use super::error::{ApiError, RequestError};
use super::multipart::{self, Part};
use super::paths;
use super::request::{bearer, build, get, Auth};
use super::{ApiContext, Endpoint};
use ::http::header::CONTENT_LENGTH;
use ::http::{Method, Request, Response, StatusCode};
use bytes::Bytes;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The image the reference SDK uses when no path or avatar is given.
pub const DEFAULT_IMAGE_URL: &str = "https://gbaaibuild0.s3.us-west-1.amazonaws.com/LogoLight.jpg";

/// What a "path" argument (message `path`, avatar, canvas image) refers to.
///
/// The reference treats any string *containing* `http://` (or `https://`,
/// `ftp://`, `ftps://`) as a URL; here the string must *start* with such a
/// scheme (any case) followed by a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaSource {
    /// Empty: use [`DEFAULT_IMAGE_URL`].
    Default,
    /// Already a URL: use it as it is.
    Url(String),
    /// Anything else: a local file to upload first.
    LocalFile(String),
}

impl MediaSource {
    /// Classifies `path`.
    ///
    /// ```
    /// use moobius_proto::http::MediaSource;
    /// assert_eq!(MediaSource::classify(""), MediaSource::Default);
    /// assert!(matches!(MediaSource::classify("https://cdn.example/a.png"), MediaSource::Url(_)));
    /// assert!(matches!(MediaSource::classify("pics/https://a.png"), MediaSource::LocalFile(_)));
    /// ```
    #[must_use]
    pub fn classify(path: &str) -> Self {
        if path.is_empty() {
            return Self::Default;
        }
        if is_url(path) {
            Self::Url(path.to_owned())
        } else {
            Self::LocalFile(path.to_owned())
        }
    }

    /// The URL to use without an upload: the default image or the URL;
    /// `None` for a local file.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Default => Some(DEFAULT_IMAGE_URL),
            Self::Url(u) => Some(u),
            Self::LocalFile(_) => None,
        }
    }
}

/// `scheme://host…` with an http(s)/ftp(s) scheme and a non-empty host.
fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let known = ["http", "https", "ftp", "ftps"]
        .iter()
        .any(|k| scheme.eq_ignore_ascii_case(k));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    known && !host.is_empty() && !host.contains(char::is_whitespace)
}

/// The `extension` to ask an upload URL for: the text after the last `.` of
/// the file *name* (the last segment of `path`, `/` or `\` separated); the
/// whole file name when it has no extension.
///
/// ```
/// use moobius_proto::http::upload_extension;
/// assert_eq!(upload_extension("/tmp/v1.2/photo.PNG"), "PNG");
/// assert_eq!(upload_extension("C:\\docs\\a.tar.gz"), "gz");
/// assert_eq!(upload_extension("/tmp/v1.2/Makefile"), "Makefile");
/// ```
#[must_use]
pub fn upload_extension(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() => ext,
        _ => name,
    }
}

/// Step 1 of an upload: ask the platform where to put a file:
/// `GET /file/upload?extension=…` → an [`UploadTarget`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct RequestUploadUrl {
    /// The file's extension without the dot (`png`, `txt`).
    pub extension: String,
}

impl RequestUploadUrl {
    /// For a file with this extension (no dot).
    pub fn new(extension: impl Into<String>) -> Self {
        Self {
            extension: extension.into(),
        }
    }

    /// For the file at `path`, with the extension [`upload_extension`] finds.
    pub fn for_file(path: &str) -> Self {
        Self::new(upload_extension(path))
    }
}

impl Endpoint for RequestUploadUrl {
    type Output = UploadTarget;
    const NAME: &'static str = "upload";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let query = [("extension", self.extension.as_str())];
        get(Self::NAME, ctx, paths::FILE_UPLOAD, &query, Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<UploadTarget, ApiError> {
        let target: UploadTarget = envelope::data(Self::NAME, response)?;
        if target.key().is_none() {
            return Err(ApiError::Decode {
                endpoint: Self::NAME,
                path: "data.fields".to_owned(),
                message: "missing field `key`".to_owned(),
            });
        }
        Ok(target)
    }
}

/// Where and how to upload one file: a presigned `POST` URL and the form
/// fields (policy, signature, `key`, …) to send before the file, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTarget {
    /// The presigned URL (a bucket endpoint, usually ending in `/`).
    pub url: String,
    /// The form fields, in the order the platform gave them.
    #[serde(with = "ordered_fields")]
    pub fields: Vec<(String, String)>,
}

impl UploadTarget {
    /// The `key` field: the object's path in the bucket.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == "key")
            .map(|(_, v)| v.as_str())
    }

    /// The URL the file is served at once uploaded: `url` + `key`, with
    /// exactly one `/` between them. `None` without a `key` field.
    #[must_use]
    pub fn public_url(&self) -> Option<String> {
        let key = self.key()?;
        let url = self.url.trim_end_matches('/');
        Some(format!("{url}/{}", key.trim_start_matches('/')))
    }
}

/// `fields` as an ordered list of string pairs (a JSON object on the wire).
mod ordered_fields {
    use super::*;

    pub(super) fn serialize<S: serde::Serializer>(
        fields: &[(String, String)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(fields.len()))?;
        for (k, v) in fields {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, String)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of string form fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(32));
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<String>()?;
                    out.push((key, value));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// `Content-Type` of the text parts, as the reference (aiohttp) sends them.
const TEXT_PART: &str = "text/plain; charset=utf-8";
/// `Content-Type` of the file part.
const FILE_PART: &str = "application/octet-stream";

/// Step 2 of an upload: `POST` the file to the presigned URL as
/// `multipart/form-data` → its public URL ([`UploadTarget::public_url`]).
///
/// The form holds one text part per field of the target, in order, then a
/// part named `file` (`filename="file"`, `application/octet-stream`) with the
/// bytes. No auth headers are sent: the presigned fields are the credential.
/// `boundary` separates the parts; pass a fresh random string (1–70 letters
/// or digits, e.g. 32 random hex characters) — this crate draws none. The
/// request fails if the boundary occurs in the content. Any status other than
/// 2xx is an [`ApiError::Status`] (the reference ignores the status).
#[derive(Clone, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct UploadFile {
    /// Where to upload, from [`RequestUploadUrl`].
    pub target: UploadTarget,
    /// The file's content.
    pub file: Bytes,
    /// The multipart boundary.
    pub boundary: String,
}

impl fmt::Debug for UploadFile {
    /// Shows the size of the file, not its bytes (nor the signed fields).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadFile")
            .field("url", &self.target.url)
            .field("key", &self.target.key())
            .field("file_len", &self.file.len())
            .field("boundary", &self.boundary)
            .finish_non_exhaustive()
    }
}

impl UploadFile {
    /// Upload `file` to `target`, separating parts with `boundary`.
    pub fn new(target: UploadTarget, file: impl Into<Bytes>, boundary: impl Into<String>) -> Self {
        Self {
            target,
            file: file.into(),
            boundary: boundary.into(),
        }
    }
}

impl Endpoint for UploadFile {
    type Output = String;
    const NAME: &'static str = "upload";

    /// Builds the `POST`; `ctx` is not used (no platform URL, no token).
    fn request(&self, _ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let invalid = |reason: String| RequestError::InvalidArgument {
            endpoint: Self::NAME,
            reason,
        };
        let uri =
            parse_absolute_url(&self.target.url).map_err(|reason| RequestError::InvalidUri {
                endpoint: Self::NAME,
                reason,
            })?;
        if self.target.key().is_none() {
            return Err(invalid("the upload target has no `key` field".to_owned()));
        }
        let mut parts: Vec<Part<'_>> = self
            .target
            .fields
            .iter()
            .map(|(name, value)| Part {
                name,
                filename: None,
                content_type: TEXT_PART,
                body: value.as_bytes(),
            })
            .collect();
        parts.push(Part {
            name: "file",
            filename: Some("file"),
            content_type: FILE_PART,
            body: &self.file,
        });
        let body = multipart::encode(&self.boundary, &parts).map_err(invalid)?;
        let content_type = multipart::content_type(&self.boundary);
        let mut req = build(Self::NAME, Method::POST, uri, None, None)?;
        let value =
            ::http::HeaderValue::try_from(content_type).map_err(|e| invalid(e.to_string()))?;
        req.headers_mut()
            .insert(::http::header::CONTENT_TYPE, value);
        *req.body_mut() = body;
        Ok(req)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<String, ApiError> {
        check_status(Self::NAME, response, StatusCode::is_success)?;
        self.target.public_url().ok_or_else(|| ApiError::Decode {
            endpoint: Self::NAME,
            path: "fields".to_owned(),
            message: "missing field `key`".to_owned(),
        })
    }
}

/// [`ApiError::Status`] unless `ok(status)`.
fn check_status(
    endpoint: &'static str,
    response: &Response<Bytes>,
    ok: impl Fn(&StatusCode) -> bool,
) -> Result<(), ApiError> {
    let status = response.status();
    if ok(&status) {
        Ok(())
    } else {
        Err(ApiError::Status {
            endpoint,
            status,
            excerpt: excerpt(response.body()),
        })
    }
}

/// A file URL as a request URI, or [`RequestError::InvalidUri`].
fn file_uri(endpoint: &'static str, url: &str) -> Result<::http::Uri, RequestError> {
    parse_absolute_url(url).map_err(|reason| RequestError::InvalidUri { endpoint, reason })
}

/// The size of a file at a URL without downloading it: `HEAD url` → its
/// `Content-Length` (`None` when the server does not say). Redirects are not
/// to be followed. A non-2xx status is an error.
///
/// With `with_auth` (the reference's `headers="self"`), the account's
/// `Auth-Origin`/`Authorization` headers are sent too, for buckets that need
/// them (the context must then hold a token), but only where
/// [`auth_scope`](super::auth_scope) allows, exactly as for [`Download`]:
/// the platform's own host, the hosts in `trusted_hosts`, and plain
/// `http://` to a host that is not loopback only with
/// `allow_plain_http_auth`. Elsewhere the request goes without them.
///
/// ```
/// use moobius_proto::http::DownloadSize;
/// let size = DownloadSize::new("https://files.example/a.pdf")
///     .with_auth()
///     .trust_host("files.example");
/// assert!(size.with_auth);
/// assert_eq!(size.trusted_hosts, ["files.example"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct DownloadSize {
    /// The file's URL.
    pub url: String,
    /// Send `Auth-Origin` and `Authorization: Bearer …` (where allowed).
    pub with_auth: bool,
    /// Hosts besides the platform's trusted with the headers (`host` or
    /// `host:port`).
    pub trusted_hosts: Vec<String>,
    /// Allow the headers over plain `http://` to a host that is not loopback.
    pub allow_plain_http_auth: bool,
}

impl DownloadSize {
    /// The size of the file at `url`, asked without auth headers.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// The size `options` describe: auth headers as they allow (their
    /// folder, file name and `overwrite` do not apply).
    pub fn with_options(url: impl Into<String>, options: &crate::ops::DownloadOptions) -> Self {
        Self {
            url: url.into(),
            with_auth: options.with_auth,
            trusted_hosts: options.auth_hosts.clone(),
            allow_plain_http_auth: options.allow_plain_http_auth,
        }
    }

    /// The size of a message's file (its `content.path`); `None` when the
    /// message has no path.
    #[must_use]
    pub fn of_message(message: &crate::model::MessageBody) -> Option<Self> {
        message_file_url(message).map(Self::new)
    }

    /// The same request with the account's auth headers (`headers="self"`),
    /// where [`auth_scope`](super::auth_scope) allows.
    pub fn with_auth(mut self) -> Self {
        self.with_auth = true;
        self
    }

    /// Trusts `host` (`host` or `host:port`) with the auth headers too.
    pub fn trust_host(mut self, host: impl Into<String>) -> Self {
        self.trusted_hosts.push(host.into());
        self
    }
}

/// The URL of a message's file (`content.path`), if it has one.
fn message_file_url(message: &crate::model::MessageBody) -> Option<String> {
    message
        .content
        .path
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
}

/// Whether a request to `uri` asked `with_auth` may carry the auth headers.
fn auth_allowed(
    ctx: &ApiContext,
    uri: &::http::Uri,
    with_auth: bool,
    trusted_hosts: &[String],
    allow_plain_http: bool,
) -> bool {
    let ask = super::AuthRequest {
        platform: &ctx.base,
        trusted_hosts,
        allow_plain_http,
    };
    with_auth && super::auth_scope(uri, &ask) == super::AuthScope::Send
}

impl Endpoint for DownloadSize {
    type Output = Option<u64>;
    const NAME: &'static str = "download_size";

    /// Builds the `HEAD`; `ctx` gives the token when the headers go.
    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let uri = file_uri(Self::NAME, &self.url)?;
        let allowed = auth_allowed(
            ctx,
            &uri,
            self.with_auth,
            &self.trusted_hosts,
            self.allow_plain_http_auth,
        );
        let auth = if allowed {
            Some(bearer(Self::NAME, ctx)?)
        } else {
            None
        };
        build(Self::NAME, Method::HEAD, uri, auth, None)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Option<u64>, ApiError> {
        check_status(Self::NAME, response, StatusCode::is_success)?;
        let Some(value) = response.headers().get(CONTENT_LENGTH) else {
            return Ok(None);
        };
        value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| ApiError::Decode {
                endpoint: Self::NAME,
                path: "Content-Length".to_owned(),
                message: format!("not a byte count: {:?}", excerpt(value.as_bytes())),
            })
    }
}

/// Fetch a file: `GET url` → its bytes. Status must be `200`.
///
/// With `with_auth`, the platform's auth headers are sent too (for buckets
/// that need them; the context must then hold a token), but only where
/// [`auth_scope`](super::auth_scope) allows: the platform's own host, the
/// hosts in `trusted_hosts`, and plain `http://` to a host that is not
/// loopback only with `allow_plain_http_auth`. Elsewhere the request goes
/// without them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct Download {
    /// The file's URL.
    pub url: String,
    /// Send `Auth-Origin` and `Authorization: Bearer …` (where allowed).
    pub with_auth: bool,
    /// Hosts besides the platform's trusted with the headers (`host` or
    /// `host:port`).
    pub trusted_hosts: Vec<String>,
    /// Allow the headers over plain `http://` to a host that is not loopback.
    pub allow_plain_http_auth: bool,
}

impl Download {
    /// Download `url` without auth headers (public files).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// The download `options` describe: auth headers as they allow.
    pub fn with_options(url: impl Into<String>, options: &crate::ops::DownloadOptions) -> Self {
        Self {
            url: url.into(),
            with_auth: options.with_auth,
            trusted_hosts: options.auth_hosts.clone(),
            allow_plain_http_auth: options.allow_plain_http_auth,
        }
    }

    /// Whether the auth headers go with this request to `uri`.
    fn auth_allowed(&self, ctx: &ApiContext, uri: &::http::Uri) -> bool {
        auth_allowed(
            ctx,
            uri,
            self.with_auth,
            &self.trusted_hosts,
            self.allow_plain_http_auth,
        )
    }

    /// Download the file of a message (its `content.path`, as the reference
    /// does when given a message); `None` when the message has no path.
    #[must_use]
    pub fn of_message(message: &crate::model::MessageBody) -> Option<Self> {
        message_file_url(message).map(Self::new)
    }

    /// The same request with the account's auth headers (`headers="self"`).
    pub fn with_auth(mut self) -> Self {
        self.with_auth = true;
        self
    }
}

impl Endpoint for Download {
    type Output = Bytes;
    const NAME: &'static str = "download";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let uri = file_uri(Self::NAME, &self.url)?;
        let auth = if self.auth_allowed(ctx, &uri) {
            Some(bearer(Self::NAME, ctx)?)
        } else {
            None
        };
        build(Self::NAME, Method::GET, uri, auth, None)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Bytes, ApiError> {
        check_status(Self::NAME, response, |s| *s == StatusCode::OK)?;
        Ok(response.body().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::BaseUri;

    fn target() -> UploadTarget {
        UploadTarget {
            url: "https://bucket.example/".into(),
            fields: vec![
                ("key".into(), "uploads/a.txt".into()),
                ("policy".into(), "p".into()),
            ],
        }
    }

    #[test]
    fn media_sources() {
        assert_eq!(MediaSource::classify("").url(), Some(DEFAULT_IMAGE_URL));
        for url in ["https://a.b/c.png", "HTTP://a", "ftp://x/y", "ftps://x"] {
            assert_eq!(
                MediaSource::classify(url),
                MediaSource::Url(url.into()),
                "{url}"
            );
        }
        for local in [
            "a.png",
            "/tmp/https://x",
            "dir/http://a.png",
            "https://",
            "https:///path",
            "file:///etc/passwd",
            "mailto:a@b",
        ] {
            assert_eq!(
                MediaSource::classify(local),
                MediaSource::LocalFile(local.into()),
                "{local}"
            );
        }
        assert_eq!(MediaSource::classify("x.png").url(), None);
    }

    #[test]
    fn upload_target_keeps_field_order() {
        let r = Response::new(Bytes::from_static(
            br#"{"code":10000,"data":{"url":"https://b/","fields":{"z":"1","key":"k","a":"2"}}}"#,
        ));
        let t = RequestUploadUrl::new("png").parse(&r).unwrap();
        let names: Vec<&str> = t.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["z", "key", "a"]);
        assert_eq!(t.public_url().as_deref(), Some("https://b/k"));
        let r = Response::new(Bytes::from_static(
            br#"{"code":10000,"data":{"url":"https://b/","fields":{"policy":"p"}}}"#,
        ));
        let e = RequestUploadUrl::new("png").parse(&r).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data.fields"),
            "{e:?}"
        );
        let r = Response::new(Bytes::from_static(
            br#"{"code":10000,"data":{"url":"https://b/","fields":{"key":1}}}"#,
        ));
        let e = RequestUploadUrl::new("png").parse(&r).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data.fields.key"),
            "{e:?}"
        );
    }

    #[test]
    fn public_url_joins_with_one_slash() {
        let mut t = target();
        assert_eq!(
            t.public_url().unwrap(),
            "https://bucket.example/uploads/a.txt"
        );
        t.url = "https://bucket.example".into();
        assert_eq!(
            t.public_url().unwrap(),
            "https://bucket.example/uploads/a.txt"
        );
        t.fields[0].1 = "/uploads/a.txt".into();
        assert_eq!(
            t.public_url().unwrap(),
            "https://bucket.example/uploads/a.txt"
        );
    }

    #[test]
    fn upload_post_has_no_auth_and_checks_status() {
        let ctx = ApiContext::new(BaseUri::moobius_ai()).with_access_token("tok".into());
        let up = UploadFile::new(target(), Bytes::from_static(b"data"), "bnd");
        let req = up.request(&ctx).unwrap();
        assert_eq!(req.method(), Method::POST);
        assert_eq!(req.uri(), "https://bucket.example/");
        assert!(req.headers().get("authorization").is_none());
        assert!(req.headers().get("auth-origin").is_none());
        assert_eq!(
            req.headers()["content-type"],
            "multipart/form-data; boundary=bnd"
        );
        let mut ok = Response::new(Bytes::new());
        *ok.status_mut() = StatusCode::NO_CONTENT;
        assert_eq!(
            up.parse(&ok).unwrap(),
            "https://bucket.example/uploads/a.txt"
        );
        let mut denied = Response::new(Bytes::from_static(
            b"<Error><Code>AccessDenied</Code></Error>",
        ));
        *denied.status_mut() = StatusCode::FORBIDDEN;
        let e = up.parse(&denied).unwrap_err();
        assert!(
            matches!(e, ApiError::Status { ref excerpt, .. } if excerpt.contains("AccessDenied"))
        );
        let clash = UploadFile::new(target(), Bytes::from_static(b"--bnd"), "bnd");
        assert!(matches!(
            clash.request(&ctx),
            Err(RequestError::InvalidArgument { .. })
        ));
        assert!(!format!("{up:?}").contains("policy"));
    }

    #[test]
    fn download_size_reads_content_length() {
        let ds = DownloadSize::new("https://cdn.example/a b.pdf");
        let req = ds.request(&ApiContext::default()).unwrap();
        assert_eq!(req.method(), Method::HEAD);
        assert_eq!(req.uri(), "https://cdn.example/a%20b.pdf");
        let mut r = Response::new(Bytes::new());
        assert_eq!(ds.parse(&r).unwrap(), None);
        r.headers_mut()
            .insert(CONTENT_LENGTH, "48213".parse().unwrap());
        assert_eq!(ds.parse(&r).unwrap(), Some(48213));
        r.headers_mut()
            .insert(CONTENT_LENGTH, "lots".parse().unwrap());
        assert!(matches!(ds.parse(&r), Err(ApiError::Decode { .. })));
        *r.status_mut() = StatusCode::NOT_FOUND;
        assert!(matches!(ds.parse(&r), Err(ApiError::Status { .. })));
    }

    #[test]
    fn download_auth_headers_go_only_where_allowed() {
        let ctx = ApiContext::new("https://api.moobius.ai/".parse().expect("base"))
            .with_access_token(crate::AccessToken::new("tok"));
        let has_auth = |d: Download| {
            let r = d.request(&ctx).expect("request");
            r.headers().contains_key(::http::header::AUTHORIZATION)
        };
        let asked = |url: &str| Download {
            with_auth: true,
            ..Download::new(url)
        };
        assert!(has_auth(asked("https://api.moobius.ai/files/a.png")));
        assert!(!has_auth(Download::new(
            "https://api.moobius.ai/files/a.png"
        )));
        assert!(
            !has_auth(asked("https://cdn.example/a.png")),
            "another host"
        );
        let trusted = Download {
            trusted_hosts: vec!["cdn.example".into()],
            ..asked("https://cdn.example/a.png")
        };
        assert!(has_auth(trusted.clone()), "a host the caller names");
        let plain = Download {
            url: "http://cdn.example/a.png".into(),
            ..trusted
        };
        assert!(!has_auth(plain.clone()), "plain http needs a decision");
        let decided = Download {
            allow_plain_http_auth: true,
            ..plain
        };
        assert!(has_auth(decided));
    }

    #[test]
    fn download_size_auth_follows_the_same_scope_as_download() {
        let ctx = ApiContext::new("https://api.moobius.ai/".parse().expect("base"))
            .with_access_token(crate::AccessToken::new("tok"));
        let has_auth = |d: DownloadSize| {
            let r = d.request(&ctx).expect("request");
            r.headers().contains_key(::http::header::AUTHORIZATION)
        };
        assert!(has_auth(
            DownloadSize::new("https://api.moobius.ai/f/a.pdf").with_auth()
        ));
        assert!(!has_auth(DownloadSize::new(
            "https://api.moobius.ai/f/a.pdf"
        )));
        let foreign = DownloadSize::new("https://cdn.example/a.pdf").with_auth();
        assert!(!has_auth(foreign.clone()), "another host");
        assert!(has_auth(foreign.trust_host("cdn.example")), "named host");
        let options = crate::ops::DownloadOptions::default()
            .with_auth(true)
            .trust_host("cdn.example")
            .allow_plain_http_auth(true);
        assert!(has_auth(DownloadSize::with_options(
            "http://cdn.example/a.pdf",
            &options
        )));
        let message: crate::model::MessageBody = serde_json::from_value(serde_json::json!({
            "subtype": "file", "channel_id": "c", "sender": "u",
            "content": {"path": "https://cdn.example/r.pdf", "filename": "r.pdf"}
        }))
        .expect("a file message");
        assert_eq!(
            DownloadSize::of_message(&message).map(|d| d.url).as_deref(),
            Some("https://cdn.example/r.pdf")
        );
    }

    #[test]
    fn download_needs_200() {
        let d = Download::new("https://api.moobius.ai/x");
        assert!(d
            .request(&ApiContext::default())
            .unwrap()
            .headers()
            .is_empty());
        let authed = Download {
            with_auth: true,
            ..d.clone()
        };
        assert!(matches!(
            authed.request(&ApiContext::default()),
            Err(RequestError::MissingAccessToken {
                endpoint: "download"
            })
        ));
        let r = Response::new(Bytes::from_static(b"body"));
        assert_eq!(d.parse(&r).unwrap(), "body");
        let mut r = r;
        *r.status_mut() = StatusCode::NO_CONTENT;
        assert!(d.parse(&r).is_err());
        assert!(Download::new("not a url")
            .request(&ApiContext::default())
            .is_err());
    }
}
