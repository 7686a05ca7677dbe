//! HTTP requests of the session, performed with the small HTTP/1.1 client
//! of [`http1`](crate::http1) (rustls for `https://`).
//!
//! Only the method and path are logged: bodies may carry passwords or
//! tokens and the `Authorization` header is never printed.

use crate::http1::{Client, Failure};
use crate::Config;
use bytes::Bytes;
use moobius_proto::session::{HttpId, TransportError};
use moobius_runtime::explain;
use moobius_runtime::tls::ClientTls;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A request in flight and, when done, its id and outcome.
pub(super) type InFlight =
    Pin<Box<dyn Future<Output = (HttpId, Result<http::Response<Bytes>, TransportError>)> + Send>>;

/// The client (its idle connections are shared by the clones each request
/// takes), the largest answer, and the timeouts it was built with (named
/// in timeout errors).
#[derive(Clone)]
pub(super) struct Http {
    client: Arc<Client>,
    max_body: usize,
    request_timeout: Duration,
    connect_timeout: Duration,
}

impl Http {
    /// The driver's TLS (built at the first `https://` request). Proxies:
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`. Redirects
    /// are not followed: the session's calls expect the answer of the URL
    /// they name (e.g. a file's size by `HEAD`).
    pub(super) fn new(config: &Config, tls: Arc<ClientTls>) -> Self {
        Self {
            client: Arc::new(Client::new(tls, config.options.connect_timeout)),
            max_body: usize::try_from(config.options.max_response_bytes).unwrap_or(usize::MAX),
            request_timeout: config.options.http_timeout,
            connect_timeout: config.options.connect_timeout,
        }
    }

    /// Starts `request`; the future completes with its outcome.
    pub(super) fn start(&self, id: HttpId, request: http::Request<Bytes>) -> InFlight {
        let http = self.clone();
        Box::pin(async move { (id, http.execute(request).await) })
    }

    async fn execute(
        self,
        req: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let url = req.uri().to_string();
        // The whole cause chain and the host (never the path or query: they
        // may carry tokens), which timeout ran out, and a hint when known.
        let sent =
            tokio::time::timeout(self.request_timeout, self.client.send(&req, self.max_body));
        match sent.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(Failure::ConnectTimeout)) => Err(TransportError(explain::timeout(
                &url,
                "connecting",
                self.connect_timeout,
                "connect_timeout",
            ))),
            Ok(Err(e @ Failure::TooLarge(_))) => Err(TransportError(e.to_string())),
            Ok(Err(e)) => Err(TransportError(explain::transport(&url, &e))),
            Err(_) => Err(TransportError(explain::http_timeout(
                &url,
                self.request_timeout,
            ))),
        }
    }
}
