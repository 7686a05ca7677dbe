//! The websocket: tungstenite over one blocking TCP stream, with rustls for
//! `wss://` and plain TCP for `ws://`. Reads wait at most the time they are
//! given (`set_read_timeout`), so the driver's one loop also runs the
//! session's timers.

use moobius_proto::session::CloseReason;
use rustls::ClientConfig;
use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Connector, Message, WebSocket};

/// The shortest read timeout: `set_read_timeout` refuses zero.
const MIN_READ_TIMEOUT: Duration = Duration::from_millis(1);

/// How long a closing socket waits for the peer's close frame.
const CLOSE_LINGER: Duration = Duration::from_millis(500);

/// What one read produced.
#[derive(Debug)]
pub(crate) enum Read {
    /// A text frame.
    Text(String),
    /// Nothing for the session: the timeout passed, or a control frame
    /// (ping, pong) was handled.
    Idle,
    /// The connection is gone.
    Closed(CloseReason),
}

/// How long connecting and writing may take, and the largest frame read.
pub(crate) struct Limits {
    pub(crate) connect: Duration,
    pub(crate) write: Duration,
    pub(crate) frame_bytes: usize,
}

/// An open websocket.
pub(crate) struct WsConn {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
}

impl std::fmt::Debug for WsConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsConn").finish_non_exhaustive()
    }
}

/// The TLS configuration of `wss://` connections: the webpki roots and the
/// ring provider, named explicitly (see `Cargo.toml`).
pub(crate) fn tls_config() -> Result<Arc<ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl WsConn {
    /// Opens `uri` (`ws://` or `wss://`): TCP, TLS and the websocket
    /// handshake, all within `timeout`. Writes later fail after
    /// `write_timeout`.
    pub(crate) fn connect(
        uri: &str,
        limits: &Limits,
        tls: &Arc<ClientConfig>,
    ) -> Result<Self, String> {
        let (timeout, write_timeout) = (limits.connect, limits.write);
        let deadline = Instant::now() + timeout;
        let request = uri
            .into_client_request()
            .map_err(|e| format!("bad websocket URI: {e}"))?;
        let addrs = socket_addrs(request.uri())?;
        let stream = connect_any(&addrs, deadline)?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("socket: {e}"))?;
        set_timeouts(&stream, remaining(deadline), remaining(deadline))?;
        let connector = Connector::Rustls(tls.clone());
        // Inbound frames up to the session's limit (the tokio driver's
        // too); a larger one closes the socket.
        let config = WebSocketConfig::default()
            .max_message_size(Some(limits.frame_bytes))
            .max_frame_size(Some(limits.frame_bytes));
        let mut result =
            tungstenite::client_tls_with_config(request, stream, Some(config), Some(connector));
        let socket = loop {
            match result {
                Ok((socket, _response)) => break socket,
                Err(HandshakeError::Interrupted(mid)) if Instant::now() < deadline => {
                    result = mid.handshake();
                }
                Err(HandshakeError::Interrupted(_)) => {
                    return Err(format!("handshake not done within {timeout:?}"))
                }
                Err(HandshakeError::Failure(e)) => return Err(format!("handshake: {e}")),
            }
        };
        let conn = Self { socket };
        if let Some(tcp) = conn.tcp() {
            set_timeouts(tcp, MIN_READ_TIMEOUT, write_timeout)?;
        }
        Ok(conn)
    }

    fn tcp(&self) -> Option<&TcpStream> {
        match self.socket.get_ref() {
            MaybeTlsStream::Plain(s) => Some(s),
            MaybeTlsStream::Rustls(s) => Some(s.get_ref()),
            _ => None,
        }
    }

    /// Reads one frame, waiting at most `timeout`.
    pub(crate) fn read(&mut self, timeout: Duration) -> Read {
        if let Some(tcp) = self.tcp() {
            if let Err(e) = tcp.set_read_timeout(Some(timeout.max(MIN_READ_TIMEOUT))) {
                return Read::Closed(CloseReason::Error(format!("socket: {e}")));
            }
        }
        self.read_frame()
    }

    /// Reads one frame if one is already here, without waiting.
    pub(crate) fn read_ready(&mut self) -> Read {
        let Some(tcp) = self.tcp() else {
            return Read::Idle;
        };
        if let Err(e) = tcp.set_nonblocking(true) {
            return Read::Closed(CloseReason::Error(format!("socket: {e}")));
        }
        let read = self.read_frame();
        match self.tcp().map(|tcp| tcp.set_nonblocking(false)) {
            Some(Err(e)) => Read::Closed(CloseReason::Error(format!("socket: {e}"))),
            _ => read,
        }
    }

    fn read_frame(&mut self) -> Read {
        match self.socket.read() {
            Ok(Message::Text(text)) => Read::Text(text.as_str().to_owned()),
            Ok(Message::Binary(bytes)) => match String::from_utf8(bytes.to_vec()) {
                Ok(text) => Read::Text(text),
                Err(_) => {
                    tracing::debug!(len = bytes.len(), "binary websocket frame ignored");
                    Read::Idle
                }
            },
            Ok(Message::Close(frame)) => {
                // Answer the close (tungstenite queued the reply).
                let _ = self.socket.flush();
                let (code, reason) = match frame {
                    Some(f) => (Some(u16::from(f.code)), f.reason.as_str().to_owned()),
                    None => (None, String::new()),
                };
                Read::Closed(CloseReason::Closed { code, reason })
            }
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => Read::Idle,
            Err(tungstenite::Error::Io(e)) if is_timeout(&e) => Read::Idle,
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Read::Closed(CloseReason::Closed {
                    code: None,
                    reason: "connection closed".into(),
                })
            }
            Err(e) => Read::Closed(CloseReason::Error(e.to_string())),
        }
    }

    /// Writes one text frame (and flushes it).
    pub(crate) fn send(&mut self, text: String) -> Result<(), CloseReason> {
        self.socket
            .send(Message::text(text))
            .map_err(|e| CloseReason::Error(format!("write: {e}")))
    }

    /// Closes politely: a close frame, then a short wait for the peer's.
    pub(crate) fn close(mut self, reason: &str) {
        let frame = tungstenite::protocol::CloseFrame {
            code: tungstenite::protocol::frame::coding::CloseCode::Normal,
            reason: close_reason(reason).into(),
        };
        if self.socket.close(Some(frame)).is_err() {
            return;
        }
        let deadline = Instant::now() + CLOSE_LINGER;
        while Instant::now() < deadline {
            match self.read(remaining(deadline)) {
                Read::Closed(_) => return,
                Read::Text(_) | Read::Idle => {}
            }
        }
    }
}

/// `reason` cut to what a close frame may carry (123 bytes), at a
/// character boundary.
fn close_reason(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn remaining(deadline: Instant) -> Duration {
    deadline
        .saturating_duration_since(Instant::now())
        .max(MIN_READ_TIMEOUT)
}

fn set_timeouts(tcp: &TcpStream, read: Duration, write: Duration) -> Result<(), String> {
    tcp.set_read_timeout(Some(read.max(MIN_READ_TIMEOUT)))
        .and_then(|()| tcp.set_write_timeout(Some(write.max(MIN_READ_TIMEOUT))))
        .map_err(|e| format!("socket: {e}"))
}

fn socket_addrs(uri: &http::Uri) -> Result<Vec<SocketAddr>, String> {
    let host = uri
        .host()
        .ok_or_else(|| "websocket URI without a host".to_owned())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("wss") => 443,
        _ => 80,
    });
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("resolving {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    Ok(addrs)
}

fn connect_any(addrs: &[SocketAddr], deadline: Instant) -> Result<TcpStream, String> {
    let mut last = String::new();
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("connecting to {addr}: {e}"),
        }
    }
    Err(if last.is_empty() {
        "connect timed out".to_owned()
    } else {
        last
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;
    use std::net::TcpListener;

    #[test]
    fn wss_speaks_tls_and_fails_cleanly_against_a_plain_server() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut first = [0u8; 3];
            s.read_exact(&mut first).expect("read");
            first
        });
        let tls = tls_config().expect("tls config");
        let uri = format!("wss://localhost:{port}/ws");
        let err = WsConn::connect(&uri, &limits(Duration::from_secs(5)), &tls)
            .expect_err("no TLS server there");
        assert!(err.contains("handshake"), "{err}");
        let first = server.join().expect("server thread");
        assert_eq!(
            first[0], 0x16,
            "a TLS handshake record opens the connection"
        );
        assert_eq!(first[1], 0x03, "TLS version major");
    }

    #[test]
    fn close_reasons_fit_a_close_frame() {
        assert_eq!(close_reason("bye"), "bye");
        let long = "é".repeat(100);
        let cut = close_reason(&long);
        assert!(cut.len() <= 123 && long.starts_with(&cut), "{}", cut.len());
    }

    #[test]
    fn refused_and_malformed_uris_are_errors() {
        let tls = tls_config().expect("tls config");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        let t = limits(Duration::from_secs(2));
        let refused = WsConn::connect(&format!("ws://127.0.0.1:{port}/"), &t, &tls);
        assert!(refused.is_err());
        assert!(WsConn::connect("not a uri", &t, &tls).is_err());
        assert!(WsConn::connect("http://127.0.0.1:1/", &t, &tls).is_err());
    }

    fn limits(t: Duration) -> Limits {
        Limits {
            connect: t,
            write: t,
            frame_bytes: 1 << 20,
        }
    }
}
