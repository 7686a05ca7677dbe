//! The HTTP/1.1 client of the session's requests: a TCP connection (through
//! an `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` proxy unless `NO_PROXY`
//! says otherwise, as reqwest did, with hyper-util's matcher), TLS with the
//! driver's lazily built rustls configuration for `https://`, one request,
//! its answer (`Content-Length`, chunked, or up to the end of the
//! connection), and idle connections kept for the next request to the same
//! origin.
//!
//! It stands apart from the driver, in the place reqwest had: it takes an
//! `http::Request<Bytes>` and gives an `http::Response<Bytes>`, and knows
//! nothing of sessions or engines; the driver's HTTP adapter
//! (`driver/http.rs`) hands it the session's requests.
//!
//! Why not reqwest (issue 18): the session sends a handful of requests
//! (sign-in, token refresh, uploads, a few queries), and reqwest with
//! hyper-util's pooled client, tower, url and idna paged ~1 MiB of code in
//! at start-up: the default tokio echo service idled at 7.0 MiB RSS with
//! it, 6.0 MiB without it (mean of 4 runs each, same binary otherwise).

use bytes::{Bytes, BytesMut};
use moobius_runtime::tls::ClientTls;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// Idle connections kept at most, over all origins.
const MAX_IDLE: usize = 4;
/// An idle connection older than this is not reused (servers commonly
/// close idle connections after 60 s or more).
const IDLE_FOR: Duration = Duration::from_secs(30);
/// The largest response head.
const MAX_HEAD: usize = 64 << 10;
/// The most response headers.
const MAX_HEADERS: usize = 100;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// Opening the connection (TCP, proxy tunnel, TLS) took too long.
    #[error("connect timeout")]
    ConnectTimeout,
    /// Opening the connection failed.
    #[error("connecting: {0}")]
    Connect(#[source] io::Error),
    /// Writing the request or reading the answer failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The answer is not HTTP/1.1 as this client reads it.
    #[error("invalid response: {0}")]
    Protocol(String),
    /// The answer's body is larger than allowed.
    #[error("response body larger than {0} bytes")]
    TooLarge(usize),
    /// The request cannot be sent (no host, unknown scheme, ...).
    #[error("invalid request: {0}")]
    Request(String),
}

/// Where a connection leads: scheme, host, port.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    tls: bool,
    host: String,
    port: u16,
}

/// A connection, plain or TLS.
enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// A connection and the bytes read from it but not used yet.
struct Reader {
    conn: Conn,
    buf: BytesMut,
}

impl Reader {
    /// Reads more; `false` at the end of the connection.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(8192);
        }
        Ok(self.conn.read_buf(&mut self.buf).await? > 0)
    }

    /// The next `n` bytes.
    async fn take(&mut self, n: usize) -> Result<Bytes, Failure> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(Failure::Protocol(
                    "connection closed inside the body".into(),
                ));
            }
        }
        Ok(self.buf.split_to(n).freeze())
    }

    /// The next line without its CRLF.
    async fn line(&mut self) -> Result<Bytes, Failure> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf.split_to(i + 2).freeze();
                return Ok(line.slice(..i));
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Failure::Protocol("line too long".into()));
            }
            if !self.fill().await? {
                return Err(Failure::Protocol(
                    "connection closed inside the body".into(),
                ));
            }
        }
    }
}

/// The client: the driver's TLS, the proxy settings (read from the
/// environment at the first request), idle connections.
pub(crate) struct Client {
    tls: Arc<ClientTls>,
    proxies: OnceLock<Option<hyper_util::client::proxy::matcher::Matcher>>,
    idle: Mutex<Vec<(Origin, Instant, Reader)>>,
    connect_timeout: Duration,
}

impl Client {
    pub(crate) fn new(tls: Arc<ClientTls>, connect_timeout: Duration) -> Self {
        Self {
            tls,
            proxies: OnceLock::new(),
            idle: Mutex::new(Vec::new()),
            connect_timeout,
        }
    }

    /// Sends `request` and reads its answer, whose body may be at most
    /// `max_body` bytes. Redirects are not followed.
    pub(crate) async fn send(
        &self,
        request: &http::Request<Bytes>,
        max_body: usize,
    ) -> Result<http::Response<Bytes>, Failure> {
        let uri = request.uri();
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            other => return Err(Failure::Request(format!("unsupported scheme {other:?}"))),
        };
        let host = uri
            .host()
            .ok_or_else(|| Failure::Request("no host".into()))?;
        let origin = Origin {
            tls,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port: uri.port_u16().unwrap_or(if tls { 443 } else { 80 }),
        };
        let proxy = self
            .proxies
            .get_or_init(proxies_from_env)
            .as_ref()
            .and_then(|m| m.intercept(uri));
        // A reused connection the server has closed meanwhile fails before
        // any answer: then once more on a new one.
        if let Some(reader) = self.take_idle(&origin) {
            match exchange(reader, request, proxy.as_ref(), tls, max_body).await {
                Err(Exchange::Unanswered(_)) => {}
                Err(Exchange::Failed(e)) => return Err(e),
                Ok((response, reader)) => return Ok(self.keep(origin, response, reader)),
            }
        }
        let reader = Reader {
            conn: self.connect(&origin, proxy.as_ref()).await?,
            buf: BytesMut::new(),
        };
        match exchange(reader, request, proxy.as_ref(), tls, max_body).await {
            Err(Exchange::Unanswered(e) | Exchange::Failed(e)) => Err(e),
            Ok((response, reader)) => Ok(self.keep(origin, response, reader)),
        }
    }

    fn take_idle(&self, origin: &Origin) -> Option<Reader> {
        let mut idle = self.idle.lock().ok()?;
        idle.retain(|(_, since, _)| since.elapsed() < IDLE_FOR);
        let i = idle.iter().position(|(o, _, _)| o == origin)?;
        Some(idle.swap_remove(i).2)
    }

    /// Keeps the connection for the next request when it can carry one
    /// (its read buffer, empty, is let go meanwhile).
    fn keep(
        &self,
        origin: Origin,
        response: http::Response<Bytes>,
        reader: Option<Reader>,
    ) -> http::Response<Bytes> {
        if let (Some(mut reader), Ok(mut idle)) = (reader, self.idle.lock()) {
            reader.buf = BytesMut::new();
            idle.retain(|(_, since, _)| since.elapsed() < IDLE_FOR);
            if idle.len() >= MAX_IDLE {
                idle.remove(0);
            }
            idle.push((origin, Instant::now(), reader));
        }
        response
    }

    /// A new connection to `origin` (through `proxy` if any), within the
    /// connect timeout.
    async fn connect(
        &self,
        origin: &Origin,
        proxy: Option<&hyper_util::client::proxy::matcher::Intercept>,
    ) -> Result<Conn, Failure> {
        let open = async {
            let (host, port) = match proxy {
                Some(p) => {
                    let u = p.uri();
                    if u.scheme_str() == Some("https") {
                        return Err(Failure::Request(
                            "an https:// proxy is not supported: name it with http://".into(),
                        ));
                    }
                    let host = u
                        .host()
                        .ok_or_else(|| Failure::Request("proxy without host".into()))?;
                    (
                        host.trim_start_matches('[')
                            .trim_end_matches(']')
                            .to_owned(),
                        u.port_u16().unwrap_or(80),
                    )
                }
                None => (origin.host.clone(), origin.port),
            };
            let tcp = TcpStream::connect((host.as_str(), port))
                .await
                .map_err(Failure::Connect)?;
            let _ = tcp.set_nodelay(true);
            if !origin.tls {
                return Ok(Conn::Plain(tcp));
            }
            let mut tcp = tcp;
            if let Some(p) = proxy {
                tunnel(&mut tcp, origin, p).await?;
            }
            let config = self
                .tls
                .config()
                .map_err(|e| Failure::Connect(io::Error::other(e)))?;
            let name = rustls::pki_types::ServerName::try_from(origin.host.clone())
                .map_err(|e| Failure::Request(format!("host name: {e}")))?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(Failure::Connect)?;
            Ok(Conn::Tls(Box::new(stream)))
        };
        match tokio::time::timeout(self.connect_timeout, open).await {
            Ok(result) => result,
            Err(_) => Err(Failure::ConnectTimeout),
        }
    }
}

/// The proxy settings of the environment (`HTTPS_PROXY`, `HTTP_PROXY`,
/// `ALL_PROXY`, lower case too, and `NO_PROXY`), read by hyper-util's
/// matcher; none without any of those proxy variables (the usual case:
/// the matcher's parsing is then never run).
fn proxies_from_env() -> Option<hyper_util::client::proxy::matcher::Matcher> {
    const VARS: [&str; 6] = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ];
    VARS.iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
        .then(hyper_util::client::proxy::matcher::Matcher::from_system)
}

/// Opens a `CONNECT` tunnel to `origin` through the proxy `tcp` leads to.
async fn tunnel(
    tcp: &mut TcpStream,
    origin: &Origin,
    proxy: &hyper_util::client::proxy::matcher::Intercept,
) -> Result<(), Failure> {
    let target = authority(&origin.host, origin.port);
    let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n").into_bytes();
    if let Some(auth) = proxy.basic_auth() {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    tcp.write_all(&head).await.map_err(Failure::Connect)?;
    // Read byte by byte up to the end of the head: nothing of the tunnel's
    // own traffic may be consumed here.
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() > MAX_HEAD {
            return Err(Failure::Protocol("proxy answer too long".into()));
        }
        if tcp.read(&mut byte).await.map_err(Failure::Connect)? == 0 {
            return Err(Failure::Connect(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the proxy closed the connection",
            )));
        }
        answer.push(byte[0]);
    }
    let status = answer
        .split(|b| *b == b' ')
        .nth(1)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse::<u16>().ok());
    match status {
        Some(200..=299) => Ok(()),
        _ => Err(Failure::Connect(io::Error::other(format!(
            "the proxy refused the tunnel: {}",
            String::from_utf8_lossy(answer.split(|b| *b == b'\r').next().unwrap_or_default())
        )))),
    }
}

/// `host:port`, with brackets around an IPv6 address.
fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// How an exchange failed: before any answer (the request may be sent
/// again on another connection) or after.
enum Exchange {
    Unanswered(Failure),
    Failed(Failure),
}

/// Writes `request`, reads its answer; gives back the connection when it
/// can carry another request.
async fn exchange(
    mut reader: Reader,
    request: &http::Request<Bytes>,
    proxy: Option<&hyper_util::client::proxy::matcher::Intercept>,
    tls: bool,
    max_body: usize,
) -> Result<(http::Response<Bytes>, Option<Reader>), Exchange> {
    let head = request_head(request, if tls { None } else { proxy });
    let written = async {
        reader.conn.write_all(&head).await?;
        reader.conn.write_all(request.body()).await?;
        reader.conn.flush().await
    };
    if let Err(e) = written.await {
        return Err(Exchange::Unanswered(e.into()));
    }
    if reader.buf.is_empty() {
        match reader.fill().await {
            Ok(true) => {}
            Ok(false) => {
                return Err(Exchange::Unanswered(Failure::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before an answer",
                ))))
            }
            Err(e) => return Err(Exchange::Unanswered(e.into())),
        }
    }
    read_response(reader, request.method() == http::Method::HEAD, max_body)
        .await
        .map_err(Exchange::Failed)
}

/// The request line and headers: origin-form, or absolute-form to a plain
/// proxy; `Host` and `Content-Length` added when missing.
fn request_head(
    request: &http::Request<Bytes>,
    proxy: Option<&hyper_util::client::proxy::matcher::Intercept>,
) -> Vec<u8> {
    let uri = request.uri();
    let target = match proxy {
        Some(_) => uri.to_string(),
        None => uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
    };
    let mut head = Vec::with_capacity(256);
    head.extend_from_slice(request.method().as_str().as_bytes());
    head.push(b' ');
    head.extend_from_slice(target.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\n");
    let headers = request.headers();
    if !headers.contains_key(http::header::HOST) {
        if let Some(authority) = uri.authority() {
            head.extend_from_slice(b"Host: ");
            head.extend_from_slice(authority.as_str().as_bytes());
            head.extend_from_slice(b"\r\n");
        }
    }
    let body = request.body().len();
    let method = request.method();
    if !headers.contains_key(http::header::CONTENT_LENGTH)
        && (body > 0 || !matches!(*method, http::Method::GET | http::Method::HEAD))
    {
        head.extend_from_slice(format!("Content-Length: {body}\r\n").as_bytes());
    }
    if let Some(auth) = proxy.and_then(|p| p.basic_auth()) {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    for (name, value) in headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// Reads one answer (skipping `1xx` interim ones); the connection comes
/// back when it can carry another request.
async fn read_response(
    mut reader: Reader,
    head_request: bool,
    max_body: usize,
) -> Result<(http::Response<Bytes>, Option<Reader>), Failure> {
    loop {
        let (builder, status, length, chunked, close) = loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed
                .parse(&reader.buf)
                .map_err(|e| Failure::Protocol(e.to_string()))?
            {
                httparse::Status::Complete(n) => {
                    let status = parsed.code.unwrap_or(0);
                    let mut builder = http::Response::builder()
                        .status(status)
                        .version(http::Version::HTTP_11);
                    let (mut length, mut chunked) = (None, false);
                    let mut close = parsed.version == Some(0);
                    for h in parsed.headers.iter() {
                        let value = std::str::from_utf8(h.value).unwrap_or("").trim();
                        if h.name.eq_ignore_ascii_case("content-length") {
                            length = Some(value.parse::<usize>().map_err(|_| {
                                Failure::Protocol(format!("Content-Length `{value}`"))
                            })?);
                        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                            chunked = value.to_ascii_lowercase().ends_with("chunked");
                        } else if h.name.eq_ignore_ascii_case("connection") {
                            close = value.eq_ignore_ascii_case("close");
                        }
                        builder = builder.header(h.name, h.value);
                    }
                    let _ = reader.buf.split_to(n);
                    break (builder, status, length, chunked, close);
                }
                httparse::Status::Partial => {
                    if reader.buf.len() > MAX_HEAD {
                        return Err(Failure::Protocol("response head too long".into()));
                    }
                    if !reader.fill().await? {
                        return Err(Failure::Io(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "connection closed inside the response head",
                        )));
                    }
                }
            }
        };
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let no_body =
            head_request || (100..200).contains(&status) || status == 204 || status == 304;
        let (body, reusable) = if no_body {
            (Bytes::new(), !close)
        } else if chunked {
            (read_chunked(&mut reader, max_body).await?, !close)
        } else if let Some(n) = length {
            if n > max_body {
                return Err(Failure::TooLarge(max_body));
            }
            (reader.take(n).await?, !close)
        } else {
            // Up to the end of the connection.
            while reader.fill().await? {
                if reader.buf.len() > max_body {
                    return Err(Failure::TooLarge(max_body));
                }
            }
            (reader.buf.split().freeze(), false)
        };
        let response = builder
            .body(body)
            .map_err(|e| Failure::Protocol(e.to_string()))?;
        let reusable = reusable && reader.buf.is_empty();
        return Ok((response, reusable.then_some(reader)));
    }
}

/// A chunked body, trailers dropped.
async fn read_chunked(reader: &mut Reader, max_body: usize) -> Result<Bytes, Failure> {
    let mut body = BytesMut::new();
    loop {
        let line = reader.line().await?;
        let size = std::str::from_utf8(&line)
            .ok()
            .and_then(|l| l.split(';').next())
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .ok_or_else(|| Failure::Protocol("invalid chunk size".into()))?;
        if size == 0 {
            while !reader.line().await?.is_empty() {}
            return Ok(body.freeze());
        }
        if body.len() + size > max_body {
            return Err(Failure::TooLarge(max_body));
        }
        body.extend_from_slice(&reader.take(size).await?);
        if !reader.line().await?.is_empty() {
            return Err(Failure::Protocol("chunk longer than its size".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A server answering each connection's requests with `answers` in
    /// turn (one per request read); returns its URI and every request head.
    async fn server(answers: Vec<&'static str>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            let mut answers = answers.into_iter();
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = Vec::new();
                loop {
                    let mut chunk = [0u8; 1024];
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .map_or(0, |v| v.parse::<usize>().unwrap());
                    while buf.len() < end + 4 + len {
                        let n = s.read(&mut chunk).await.unwrap_or(0);
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    log.lock().unwrap().push(format!(
                        "{head}\r\n\r\n{}",
                        String::from_utf8_lossy(&buf[end + 4..end + 4 + len])
                    ));
                    buf.drain(..end + 4 + len);
                    let Some(answer) = answers.next() else { return };
                    s.write_all(answer.as_bytes()).await.unwrap();
                    if answer.contains("Connection: close") {
                        break;
                    }
                }
            }
        });
        (uri, seen)
    }

    fn client() -> Client {
        let tls = ClientTls::new(&moobius_runtime::TlsConfig::new().with_env(false)).unwrap();
        Client::new(Arc::new(tls), Duration::from_secs(5))
    }

    fn post(uri: &str, body: &'static str) -> http::Request<Bytes> {
        http::Request::post(uri)
            .header("Content-Type", "application/json")
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap()
    }

    #[tokio::test]
    async fn bodies_by_length_chunks_and_close_and_one_connection_reused() {
        let (uri, seen) = server(vec![
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\ngone",
        ])
        .await;
        let c = client();
        let r = c
            .send(&post(&format!("{uri}/a?b=1"), "{}"), 100)
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-a"], "1");
        assert_eq!(r.body().as_ref(), b"hello");
        let r = c.send(&post(&format!("{uri}/b"), ""), 100).await.unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.body().as_ref(), b"abcde");
        let head = http::Request::head(format!("{uri}/c"))
            .body(Bytes::new())
            .unwrap();
        let r = c.send(&head, 100).await.unwrap();
        assert_eq!(
            (
                r.status().as_u16(),
                r.headers()["content-length"].to_str().unwrap()
            ),
            (200, "3")
        );
        assert!(r.body().is_empty(), "HEAD has no body");
        let get = http::Request::get(format!("{uri}/d"))
            .body(Bytes::new())
            .unwrap();
        let r = c.send(&get, 100).await.unwrap();
        assert_eq!(
            (r.status().as_u16(), r.body().as_ref()),
            (404, b"gone".as_ref())
        );
        let seen = seen.lock().unwrap();
        assert!(
            seen[0].starts_with("POST /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:"),
            "{}",
            seen[0]
        );
        assert!(seen[0].contains("Content-Length: 2\r\n") && seen[0].ends_with("\r\n\r\n{}"));
        assert!(seen[1].contains("Content-Length: 0\r\n"), "{}", seen[1]);
        assert!(!seen[3].contains("Content-Length"), "{}", seen[3]);
        assert_eq!(seen.len(), 4, "all on the one connection the server serves");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused() {
        let (uri, _) = server(vec!["HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"]).await;
        let e = client().send(&post(&uri, "{}"), 10).await.unwrap_err();
        assert!(matches!(e, Failure::TooLarge(10)), "{e}");
        let (uri, _) = server(vec![
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n0123456789abcdef0123456789abcdef\r\n0\r\n\r\n",
        ])
        .await;
        let e = client().send(&post(&uri, "{}"), 10).await.unwrap_err();
        assert!(matches!(e, Failure::TooLarge(10)), "{e}");
    }

    #[tokio::test]
    async fn a_closed_idle_connection_is_replaced() {
        // The first connection answers once then is closed by the server
        // without saying so; the second request goes on a new one.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!("http://{}/x", listener.local_addr().unwrap());
        tokio::spawn(async move {
            for _ in 0..2 {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await.unwrap();
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .await
                    .unwrap();
            }
        });
        let c = client();
        let get = || http::Request::get(&uri).body(Bytes::new()).unwrap();
        assert_eq!(c.send(&get(), 10).await.unwrap().body().as_ref(), b"ok");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(c.send(&get(), 10).await.unwrap().body().as_ref(), b"ok");
    }

    #[tokio::test]
    async fn nothing_listening_is_a_connect_failure() {
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let get = http::Request::get(format!("http://127.0.0.1:{port}/"))
            .body(Bytes::new())
            .unwrap();
        let e = client().send(&get, 10).await.unwrap_err();
        assert!(matches!(e, Failure::Connect(_)), "{e}");
        let text = moobius_runtime::explain::transport("http://127.0.0.1/", &e);
        assert!(text.contains("refused"), "{text}");
    }
}
