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
    pub(super) fn new(config: &Config) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
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
    let mut resp = client
        .execute(req)
        .await
        .map_err(|e| TransportError(e.without_url().to_string()))?;
    let mut builder = http::Response::builder()
        .status(resp.status())
        .version(resp.version());
    if let Some(headers) = builder.headers_mut() {
        headers.extend(resp.headers().iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| TransportError(e.without_url().to_string()))?
    {
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
