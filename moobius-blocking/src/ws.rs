//! The websocket: tungstenite over one blocking TCP stream, with rustls for
//! `wss://` and plain TCP for `ws://`. Reads wait at most the time they are
//! given (`set_read_timeout`), so the driver's one loop also runs the
//! session's timers.

use moobius_proto::session::CloseReason;
use moobius_runtime::dial::Dial;
use moobius_runtime::engine::Input;
use moobius_runtime::{explain, frames};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Connector, Message, WebSocket};

/// The shortest read timeout: `set_read_timeout` refuses zero.
const MIN_READ_TIMEOUT: Duration = Duration::from_millis(1);

/// How long a closing socket waits for the peer's close frame.
const CLOSE_LINGER: Duration = Duration::from_millis(500);

/// An open websocket.
pub(crate) struct WsConn {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
}

impl WsConn {
    /// Opens `uri` (`ws://` or `wss://`): TCP, TLS and the websocket
    /// handshake, all within `dial.connect_timeout`. Writes later fail
    /// after `dial.write_timeout`. An error says why, with a hint when one is known.
    pub(crate) fn connect(uri: &str, dial: &Dial) -> Result<Self, String> {
        Self::open(uri, dial).map_err(|e| explain::with_hint(uri, &e))
    }

    /// [`connect`](Self::connect) without the host and hint in front of
    /// its error.
    fn open(uri: &str, dial: &Dial) -> Result<Self, String> {
        let deadline = Instant::now() + dial.connect_timeout;
        let request = uri
            .into_client_request()
            .map_err(|e| format!("bad websocket URI: {e}"))?;
        let stream = tcp_connect(request.uri(), dial, deadline)?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("socket: {e}"))?;
        set_timeouts(&stream, remaining(deadline), remaining(deadline))?;
        // rustls only for wss:// (its configuration is built then).
        let connector = match request.uri().scheme_str() {
            Some("wss") => Connector::Rustls(dial.tls.config().map_err(|e| e.to_string())?),
            _ => Connector::Plain,
        };
        // Inbound frames up to the session's limit (the tokio driver's
        // configuration too); a larger one closes the socket.
        let config = dial.config;
        // The stream's timeouts end at the deadline, so a handshake that
        // stops for one (`Interrupted`) has run out of time.
        let (socket, _response) =
            tungstenite::client_tls_with_config(request, stream, Some(config), Some(connector))
                .map_err(|e| match e {
                    HandshakeError::Interrupted(_) => dial.timed_out(),
                    HandshakeError::Failure(e) => format!("handshake: {e}"),
                })?;
        let conn = Self { socket };
        if let Some(tcp) = conn.tcp() {
            set_timeouts(tcp, MIN_READ_TIMEOUT, dial.write_timeout)?;
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

    /// Reads one frame, waiting at most `wait` (`None`: only a frame that
    /// is there already; the socket is non-blocking for that one read, and
    /// tungstenite keeps a partial frame); `None` when nothing came for the
    /// session.
    pub(crate) fn read(&mut self, wait: Option<Duration>) -> Option<Input> {
        let tcp = self.tcp()?;
        let set = match wait {
            Some(t) => tcp.set_read_timeout(Some(t.max(MIN_READ_TIMEOUT))),
            None => tcp.set_nonblocking(true),
        };
        let mut input = frames::received(
            set.map(|()| self.socket.read())
                .unwrap_or_else(|e| Err(e.into())),
        );
        if wait.is_none() {
            if let Some(Err(e)) = self.tcp().map(|t| t.set_nonblocking(false)) {
                input = Some(Input::Closed(CloseReason::Error(format!("socket: {e}"))));
            }
        }
        if let Some(Input::Closed(_)) = input {
            // Answer a close (tungstenite queued the reply).
            let _ = self.socket.flush();
        }
        input
    }

    /// Writes one text frame (and flushes it).
    pub(crate) fn send(&mut self, text: String) -> Result<(), CloseReason> {
        self.socket
            .send(Message::text(text))
            .map_err(|e| CloseReason::Error(format!("write: {e}")))
    }

    /// Closes politely: a close frame, then a short wait for the peer's
    /// (none when the close frame could not be sent).
    pub(crate) fn close(mut self, reason: &str) {
        let sent = self.socket.close(Some(frames::close_frame(reason)));
        let deadline = Instant::now() + CLOSE_LINGER;
        while sent.is_ok() && Instant::now() < deadline {
            if let Some(Input::Closed(_)) = self.read(Some(remaining(deadline))) {
                return;
            }
        }
    }
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

/// A TCP connection to the URI's host (its first address that answers),
/// within `deadline` (where `dial.connect_timeout` ends).
fn tcp_connect(uri: &http::Uri, dial: &Dial, deadline: Instant) -> Result<TcpStream, String> {
    let host = uri.host().ok_or("websocket URI without a host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("wss") => 443,
        _ => 80,
    });
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("resolving {host}: {e}"))?;
    let mut last = format!("{host} has no address");
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(dial.timed_out());
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("connecting to {addr}: {e}"),
        }
    }
    Err(last)
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
        let uri = format!("wss://localhost:{port}/ws");
        let Err(err) = WsConn::connect(&uri, &dial(Duration::from_secs(5))) else {
            panic!("no TLS server there")
        };
        assert!(err.contains("handshake"), "{err}");
        assert_eq!(err.matches("localhost").count(), 1, "the host once: {err}");
        let first = server.join().expect("server thread");
        assert_eq!(
            first[0], 0x16,
            "a TLS handshake record opens the connection"
        );
        assert_eq!(first[1], 0x03, "TLS version major");
    }

    #[test]
    fn refused_and_malformed_uris_are_errors() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        let t = dial(Duration::from_secs(2));
        let refused = WsConn::connect(&format!("ws://127.0.0.1:{port}/"), &t);
        assert!(refused.is_err());
        assert!(WsConn::connect("not a uri", &t).is_err());
        assert!(WsConn::connect("http://127.0.0.1:1/", &t).is_err());
    }

    fn dial(t: Duration) -> Dial {
        Dial {
            connect_timeout: t,
            write_timeout: t,
            config: frames::ws_config(1 << 20, &moobius_runtime::Options::default()),
            tls: std::sync::Arc::new(
                moobius_runtime::tls::ClientTls::new(
                    &moobius_runtime::TlsConfig::new().with_env(false),
                )
                .expect("tls config"),
            ),
        }
    }
}
