//! HTTP requests of the session, performed with reqwest (rustls).
//!
//! Only the method and path are logged: bodies may carry passwords or
//! tokens and the `Authorization` header is never printed.

use crate::Config;
use crate::Error;
use bytes::{Bytes, BytesMut};
use moobius_proto::session::{HttpId, TransportError};
use moobius_runtime::explain;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A request in flight and, when done, its id and outcome.
pub(super) type InFlight =
    Pin<Box<dyn Future<Output = (HttpId, Result<http::Response<Bytes>, TransportError>)> + Send>>;

/// The reqwest client (its connection pool is shared by the clones each
/// request takes), the largest answer, and the timeouts it was built with
/// (named in timeout errors).
#[derive(Clone)]
pub(super) struct Http {
    client: reqwest::Client,
    max_body: usize,
    request_timeout: Duration,
    connect_timeout: Duration,
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
            .timeout(config.options.http_timeout)
            .connect_timeout(config.options.connect_timeout)
            .build()
            .map_err(|e| Error::InvalidArgument(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            max_body: usize::try_from(config.options.max_response_bytes).unwrap_or(usize::MAX),
            request_timeout: config.options.http_timeout,
            connect_timeout: config.options.connect_timeout,
        })
    }

    /// Starts `request`; the future completes with its outcome.
    pub(super) fn start(&self, id: HttpId, request: http::Request<Bytes>) -> InFlight {
        let http = self.clone();
        Box::pin(async move {
            let result = match reqwest::Request::try_from(request) {
                Ok(req) => http.execute(req).await,
                Err(e) => Err(TransportError(format!("invalid request: {e}"))),
            };
            (id, result)
        })
    }

    async fn execute(self, req: reqwest::Request) -> Result<http::Response<Bytes>, TransportError> {
        let url = req.url().to_string();
        // The whole cause chain and the host (never the path or query: they
        // may carry tokens), which timeout ran out, and a hint when known.
        let failed = |e: reqwest::Error| {
            let text = if e.is_timeout() && e.is_connect() {
                explain::timeout(&url, "connecting", self.connect_timeout, "connect_timeout")
            } else if e.is_timeout() {
                explain::http_timeout(&url, self.request_timeout)
            } else {
                explain::transport(&url, &e.without_url())
            };
            TransportError(text)
        };
        let mut resp = self.client.execute(req).await.map_err(failed)?;
        let mut builder = http::Response::builder()
            .status(resp.status())
            .version(resp.version());
        if let Some(headers) = builder.headers_mut() {
            headers.extend(resp.headers().iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(TransportError(format!(
                    "response body larger than {} bytes",
                    self.max_body
                )));
            }
            body.extend_from_slice(&chunk);
        }
        builder
            .body(body.freeze())
            .map_err(|e| TransportError(e.to_string()))
    }
}
