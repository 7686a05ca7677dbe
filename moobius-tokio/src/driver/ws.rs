//! The websocket: connecting (ws:// or wss:// with rustls), reading in the
//! loop, writing from a task of its own, and reporting closes to the session.
//!
//! Every connection has a generation number; a write failure reported by the
//! writer of an older connection is ignored.

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use moobius_proto::session::{CloseReason, Session};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Connecting = Pin<Box<dyn Future<Output = (u64, Result<Stream, String>)> + Send>>;

/// How long opening a websocket may take (the reference's connect timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(16);
/// How long closing may take before the socket is just dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// The websocket's settings: inbound frames up to the session's limit
/// (larger ones close the socket, as in the blocking driver), and the
/// buffer sizes of [`Options`](moobius_runtime::Options) (why these
/// defaults: the crate docs, "Performance").
pub(super) fn websocket_config(
    max_frame_bytes: usize,
    options: &moobius_runtime::Options,
) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(max_frame_bytes))
        .max_frame_size(Some(max_frame_bytes))
        .read_buffer_size(options.ws_read_buffer)
        .write_buffer_size(options.ws_write_buffer)
}

pub(super) struct Ws {
    generation: u64,
    config: WebSocketConfig,
    /// The driver's TLS configuration (websocket proxies: none, see the
    /// crate docs).
    tls: Arc<rustls::ClientConfig>,
    pub(super) connecting: Option<Connecting>,
    pub(super) reader: Option<SplitStream<Stream>>,
    writer: Option<mpsc::UnboundedSender<Message>>,
    writers: Vec<JoinHandle<()>>,
    failures_tx: mpsc::UnboundedSender<(u64, String)>,
    pub(super) failures: mpsc::UnboundedReceiver<(u64, String)>,
}

impl Ws {
    pub(super) fn new(config: WebSocketConfig, tls: Arc<rustls::ClientConfig>) -> Self {
        let (failures_tx, failures) = mpsc::unbounded_channel();
        Self {
            generation: 0,
            config,
            tls,
            connecting: None,
            reader: None,
            writer: None,
            writers: Vec::new(),
            failures_tx,
            failures,
        }
    }

    /// Opens a new connection, closing any previous one.
    pub(super) fn connect(&mut self, uri: String) {
        self.close("reconnecting");
        self.generation += 1;
        let generation = self.generation;
        let config = self.config;
        tracing::debug!(%uri, generation, "websocket connecting");
        let tls = Some(tokio_tungstenite::Connector::Rustls(self.tls.clone()));
        self.connecting = Some(Box::pin(async move {
            let attempt = tokio_tungstenite::connect_async_tls_with_config(
                uri.as_str(),
                Some(config),
                true,
                tls,
            );
            let result = match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
                Ok(Ok((stream, _response))) => Ok(stream),
                Ok(Err(e)) => Err(moobius_runtime::explain::transport(&uri, &e)),
                Err(_) => Err(moobius_runtime::explain::timeout(
                    &uri,
                    "opening the websocket",
                    CONNECT_TIMEOUT,
                    "connect_timeout",
                )),
            };
            (generation, result)
        }));
    }

    /// The connection attempt finished.
    pub(super) fn on_connected(
        &mut self,
        (generation, result): (u64, Result<Stream, String>),
        session: &mut Session,
    ) {
        self.connecting = None;
        if generation != self.generation {
            return;
        }
        match result {
            Ok(stream) => {
                tracing::debug!(generation, "websocket open");
                let (sink, reader) = stream.split();
                let (tx, rx) = mpsc::unbounded_channel();
                let failures = self.failures_tx.clone();
                self.writers.retain(|w| !w.is_finished());
                self.writers
                    .push(tokio::spawn(write_loop(sink, rx, generation, failures)));
                self.reader = Some(reader);
                self.writer = Some(tx);
                session.handle_ws_opened(Instant::now());
            }
            Err(e) => {
                tracing::debug!(generation, error = %e, "websocket connect failed");
                session.handle_ws_closed(Instant::now(), CloseReason::ConnectFailed(e));
            }
        }
    }

    /// Queues a text frame for the writer.
    pub(super) fn send(&mut self, text: String) {
        match &self.writer {
            Some(w) => {
                let _ = w.send(Message::text(text));
            }
            None => tracing::debug!("frame dropped: websocket not open"),
        }
    }

    /// Closes the current connection (or attempt), if any.
    pub(super) fn close(&mut self, reason: &str) {
        self.connecting = None;
        self.reader = None;
        if let Some(w) = self.writer.take() {
            tracing::debug!(%reason, generation = self.generation, "websocket closing");
            let _ = w.send(Message::Close(None));
        }
    }

    /// A frame (or the end of the stream) arrived.
    pub(super) fn on_frame(
        &mut self,
        frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
        session: &mut Session,
    ) {
        let now = Instant::now();
        let reason = match frame {
            Some(Ok(Message::Text(text))) => return session.handle_ws_text(now, text.as_str()),
            Some(Ok(Message::Binary(bytes))) => match std::str::from_utf8(&bytes) {
                Ok(text) => return session.handle_ws_text(now, text),
                Err(_) => return tracing::debug!("binary frame ignored"),
            },
            Some(Ok(Message::Close(frame))) => CloseReason::Closed {
                code: frame.as_ref().map(|f| u16::from(f.code)),
                reason: frame.map(|f| f.reason.to_string()).unwrap_or_default(),
            },
            Some(Ok(_)) => return, // ping, pong, raw frame: the library answers pings
            Some(Err(e)) => CloseReason::Error(e.to_string()),
            None => CloseReason::Closed {
                code: None,
                reason: "connection ended".into(),
            },
        };
        self.close("closed by the peer");
        session.handle_ws_closed(now, reason);
    }

    /// A writer reported a failure.
    pub(super) fn on_write_failed(
        &mut self,
        failure: Option<(u64, String)>,
        session: &mut Session,
    ) {
        let Some((generation, error)) = failure else {
            return;
        };
        if generation != self.generation || self.writer.is_none() {
            return;
        }
        self.close("write failed");
        session.handle_ws_closed(Instant::now(), CloseReason::Error(error));
    }

    /// Closes everything and waits (briefly) for the writers to finish.
    pub(super) async fn shutdown(&mut self) {
        self.close("shutting down");
        for w in self.writers.drain(..) {
            let abort = w.abort_handle();
            if tokio::time::timeout(CLOSE_TIMEOUT, w).await.is_err() {
                abort.abort();
            }
        }
    }
}

/// Writes frames in order, flushing when the queue is empty; sends a close
/// frame and ends when asked to close or when the loop drops the sender.
async fn write_loop(
    mut sink: SplitSink<Stream, Message>,
    mut rx: mpsc::UnboundedReceiver<Message>,
    generation: u64,
    failures: mpsc::UnboundedSender<(u64, String)>,
) {
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        let mut closing = false;
        while let Some(msg) = next.take() {
            closing = matches!(msg, Message::Close(_));
            if let Err(e) = sink.feed(msg).await {
                let _ = failures.send((generation, e.to_string()));
                return;
            }
            if closing {
                break;
            }
            next = rx.try_recv().ok();
        }
        if let Err(e) = sink.flush().await {
            if !closing {
                let _ = failures.send((generation, e.to_string()));
            }
            return;
        }
        if closing {
            break;
        }
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.close()).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// `wss://` goes through rustls (a crypto provider is available); a
    /// peer that does not speak TLS is a connect failure, not a panic.
    #[tokio::test]
    async fn wss_handshake_failure_is_an_error() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            if let Ok((mut s, _)) = listener.accept().await {
                let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        let tls = moobius_runtime::TlsConfig::new()
            .with_env(false)
            .rustls_client_config()
            .unwrap();
        let config = websocket_config(1 << 20, &moobius_runtime::Options::default());
        let mut ws = Ws::new(config, tls);
        ws.connect(format!("wss://{addr}/ws"));
        let (generation, result) = ws.connecting.take().unwrap().await;
        assert_eq!(generation, 1);
        let Err(e) = result else {
            panic!("a plain TCP peer must fail the TLS handshake")
        };
        assert!(!e.is_empty());
    }
}
