//! HTTP requests of the session, performed with reqwest (rustls).
//!
//! Only the method and path are logged: bodies may carry passwords or
//! tokens and the `Authorization` header is never printed.

use crate::Config;
use crate::Error;
use bytes::{Bytes, BytesMut};
use moobius_proto::session::{HttpId, TransportError};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A request in flight and, when done, its id and outcome.
pub(super) type InFlight =
    Pin<Box<dyn Future<Output = (HttpId, Result<http::Response<Bytes>, TransportError>)> + Send>>;

/// How long one request may take, answer included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(16);

pub(super) struct Http {
    client: reqwest::Client,
    max_body: usize,
}

impl Http {
    pub(super) fn new(config: &Config, tls: &Arc<rustls::ClientConfig>) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            // The driver's one TLS configuration (ring named explicitly,
            // the configured roots). Proxies: reqwest reads `HTTPS_PROXY`,
            // `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`.
            .use_preconfigured_tls(rustls::ClientConfig::clone(tls))
            // Redirects are not followed: the session's calls expect the
            // answer of the URL they name (e.g. a file's size by `HEAD`).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| Error::InvalidArgument(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            max_body: usize::try_from(config.options.max_response_bytes).unwrap_or(usize::MAX),
        })
    }

    /// Starts `request`; the future completes with its outcome.
    pub(super) fn start(&self, id: HttpId, request: http::Request<Bytes>) -> InFlight {
        tracing::debug!(?id, method = %request.method(), path = request.uri().path(), "http request");
        let client = self.client.clone();
        let max_body = self.max_body;
        Box::pin(async move {
            let result = match reqwest::Request::try_from(request) {
                Ok(req) => execute(client, req, max_body).await,
                Err(e) => Err(TransportError(format!("invalid request: {e}"))),
            };
            if let Err(e) = &result {
                tracing::debug!(?id, error = %e, "http transport error");
            }
            (id, result)
        })
    }
}

async fn execute(
    client: reqwest::Client,
    req: reqwest::Request,
    max_body: usize,
) -> Result<http::Response<Bytes>, TransportError> {
    let uri = req.url().to_string();
    let failed = |e: reqwest::Error| TransportError(describe(&uri, &e.without_url()));
    let mut resp = client.execute(req).await.map_err(failed)?;
    let mut builder = http::Response::builder()
        .status(resp.status())
        .version(resp.version());
    if let Some(headers) = builder.headers_mut() {
        headers.extend(resp.headers().iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > max_body {
            return Err(TransportError(format!(
                "response body larger than {max_body} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    builder
        .body(body.freeze())
        .map_err(|e| TransportError(e.to_string()))
}

/// `error` and its causes in one line, after the host of `uri`, with a hint
/// for certificate failures (`moobius_runtime::tls::describe`).
fn describe(uri: &str, error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let part = cause.to_string();
        if !text.contains(&part) {
            text = format!("{text}: {part}");
        }
        next = cause.source();
    }
    moobius_runtime::tls::describe(uri, &text)
}
