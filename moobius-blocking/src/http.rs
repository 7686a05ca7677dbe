//! HTTP: the session's `http::Request<Bytes>` sent with ureq (rustls for
//! `https://`), the answer handed back as `http::Response<Bytes>`. Every
//! status is an answer (the session reads the platform's envelope); only a
//! failure to get one is a [`TransportError`].

use bytes::Bytes;
use http::{Method, Request, Response};
use moobius_proto::session::TransportError;
use moobius_runtime::explain;
use moobius_runtime::tls::CertificateDer;
use std::time::Duration;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!("moobius-blocking/", env!("CARGO_PKG_VERSION"));

/// A ureq agent (its connection pool is reused across requests), the
/// largest answer, and the time a request may take (named when it runs
/// out).
pub(crate) struct HttpClient {
    agent: ureq::Agent,
    max_body: u64,
    timeout: Duration,
}

impl HttpClient {
    /// A client whose requests take at most `timeout` in all, whose
    /// answers may be at most `max_body` bytes long, and which trusts
    /// `roots` for `https://` (with the ring provider named explicitly).
    /// Proxies come from the environment (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, `NO_PROXY`; ureq's default configuration reads them).
    pub(crate) fn new(timeout: Duration, max_body: u64, roots: &[CertificateDer<'static>]) -> Self {
        let roots: Vec<Certificate<'static>> = roots
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::new_with_certs(&roots))
            .unversioned_rustls_crypto_provider(moobius_runtime::tls::crypto_provider())
            .build();
        let config = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .user_agent(USER_AGENT)
            .build();
        Self {
            agent: ureq::Agent::new_with_config(config),
            max_body,
            timeout,
        }
    }

    /// Sends `request` and reads the whole answer. Never logs the body or
    /// the headers (a sign-in body holds the password, `Authorization` the
    /// token).
    pub(crate) fn perform(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, TransportError> {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let uri = request.uri().to_string();
        let (parts, body) = request.into_parts();
        let sent = if body.is_empty() && matches!(method, Method::GET | Method::HEAD) {
            self.agent.run(Request::from_parts(parts, ()))
        } else {
            self.agent.run(Request::from_parts(parts, body.as_ref()))
        };
        let response = sent.map_err(|e| TransportError(self.failed(&uri, &e)))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .map_err(|e| TransportError(format!("reading the answer to {method} {path}: {e}")))?;
        Ok(Response::from_parts(parts, Bytes::from(bytes)))
    }

    /// Why a request to `uri` got no answer: a timeout names
    /// `Options::http_timeout` (as the tokio driver's does), anything else
    /// its cause chain and a hint.
    fn failed(&self, uri: &str, error: &ureq::Error) -> String {
        match error {
            ureq::Error::Timeout(_) => explain::http_timeout(uri, self.timeout),
            e => explain::transport(uri, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-shot HTTP server: returns what it received, answers `reply`.
    fn serve_once(reply: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let handle = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            s.set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = s.read(&mut buf).expect("read");
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got);
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len || n == 0 {
                        break;
                    }
                }
            }
            s.write_all(reply.as_bytes()).expect("write");
            String::from_utf8_lossy(&got).into_owned()
        });
        (base, handle)
    }

    #[test]
    fn error_statuses_are_answers_and_bodies_are_sent() {
        let (base, server) = serve_once(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 24\r\nconnection: close\r\n\r\n{\"code\":1,\"message\":\"x\"}",
        );
        let client = HttpClient::new(Duration::from_secs(5), 1 << 20, &[]);
        let request = Request::post(format!("{base}/auth/sign_in"))
            .header("content-type", "application/json")
            .body(Bytes::from_static(b"{\"a\":1}"))
            .expect("request");
        let response = client.perform(request).expect("an answer");
        assert_eq!(response.status(), 503);
        assert_eq!(response.body().as_ref(), b"{\"code\":1,\"message\":\"x\"}");
        let seen = server.join().expect("server");
        assert!(seen.starts_with("POST /auth/sign_in HTTP/1.1"), "{seen}");
        assert!(seen.ends_with("{\"a\":1}"), "{seen}");
    }

    #[test]
    fn no_server_is_a_transport_error() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let client = HttpClient::new(Duration::from_secs(2), 1 << 20, &[]);
        let request = Request::get(format!("http://{addr}/user/info"))
            .body(Bytes::new())
            .expect("request");
        assert!(client.perform(request).is_err());
    }

    #[test]
    fn a_timeout_names_the_option() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        // Accepts, reads the request, never answers.
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            std::thread::sleep(Duration::from_secs(1));
        });
        let client = HttpClient::new(Duration::from_millis(200), 1 << 20, &[]);
        let request = Request::get(format!("http://{addr}/user/info"))
            .body(Bytes::new())
            .expect("request");
        let Err(TransportError(text)) = client.perform(request) else {
            panic!("no answer is a transport error")
        };
        assert!(text.contains("`Options::http_timeout`"), "{text}");
        let _ = server.join();
    }

    #[test]
    fn oversized_answers_are_transport_errors() {
        let (base, server) = serve_once(
            "HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\n0123456789",
        );
        let client = HttpClient::new(Duration::from_secs(5), 4, &[]);
        let request = Request::get(format!("{base}/files/x"))
            .body(Bytes::new())
            .expect("request");
        assert!(client.perform(request).is_err());
        let _ = server.join();
    }
}
