//! The websocket: connecting (ws:// or wss:// with rustls), reading in the
//! loop, writing from a task of its own, and reporting closes to the session.
//!
//! Every connection has a generation number; a write failure reported by the
//! writer of an older connection is ignored.

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use moobius_proto::session::CloseReason;
use moobius_runtime::engine::Input;
use moobius_runtime::frames;
use moobius_runtime::tls::ClientTls;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Connecting = Pin<Box<dyn Future<Output = (u64, Result<Stream, String>)> + Send>>;

/// How long closing may take before the socket is just dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

pub(super) struct Ws {
    generation: u64,
    config: WebSocketConfig,
    /// How long opening a websocket may take (`Options::connect_timeout`,
    /// the same bound the blocking driver uses).
    connect_timeout: Duration,
    /// The driver's TLS configuration, for `wss://` (websocket proxies:
    /// none, see the crate docs).
    tls: Arc<ClientTls>,
    pub(super) connecting: Option<Connecting>,
    pub(super) reader: Option<SplitStream<Stream>>,
    writer: Option<mpsc::UnboundedSender<Message>>,
    writers: Vec<JoinHandle<()>>,
    failures_tx: mpsc::UnboundedSender<(u64, String)>,
    pub(super) failures: mpsc::UnboundedReceiver<(u64, String)>,
}

impl Ws {
    pub(super) fn new(
        config: WebSocketConfig,
        connect_timeout: Duration,
        tls: Arc<ClientTls>,
    ) -> Self {
        let (failures_tx, failures) = mpsc::unbounded_channel();
        Self {
            generation: 0,
            config,
            connect_timeout,
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
        // rustls only for wss:// (its configuration is built then).
        let tls = if uri.starts_with("wss:") {
            self.tls.config().map(tokio_tungstenite::Connector::Rustls)
        } else {
            Ok(tokio_tungstenite::Connector::Plain)
        };
        let limit = self.connect_timeout;
        self.connecting = Some(Box::pin(async move {
            let tls = match tls {
                Ok(connector) => Some(connector),
                Err(e) => {
                    let text = moobius_runtime::explain::transport(&uri, &e);
                    return (generation, Err(text));
                }
            };
            let attempt = tokio_tungstenite::connect_async_tls_with_config(
                uri.as_str(),
                Some(config),
                true,
                tls,
            );
            let result = match tokio::time::timeout(limit, attempt).await {
                Ok(Ok((stream, _response))) => Ok(stream),
                Ok(Err(e)) => Err(moobius_runtime::explain::transport(&uri, &e)),
                Err(_) => Err(moobius_runtime::explain::timeout(
                    &uri,
                    "opening the websocket",
                    limit,
                    "connect_timeout",
                )),
            };
            (generation, result)
        }));
    }

    /// The connection attempt finished: the websocket is open, or it
    /// failed (nothing for an attempt that was superseded).
    pub(super) fn on_connected(
        &mut self,
        (generation, result): (u64, Result<Stream, String>),
    ) -> Option<Input> {
        self.connecting = None;
        if generation != self.generation {
            return None;
        }
        Some(match result {
            Ok(stream) => {
                let (sink, reader) = stream.split();
                let (tx, rx) = mpsc::unbounded_channel();
                let failures = self.failures_tx.clone();
                self.writers.retain(|w| !w.is_finished());
                self.writers
                    .push(tokio::spawn(write_loop(sink, rx, generation, failures)));
                self.reader = Some(reader);
                self.writer = Some(tx);
                Input::Opened
            }
            Err(e) => Input::Closed(CloseReason::ConnectFailed(e)),
        })
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
            let _ = w.send(Message::Close(Some(frames::close_frame(reason))));
        }
    }

    /// A frame (or the end of the stream) arrived: what it means to the
    /// session; a websocket that ended is closed here.
    pub(super) fn on_frame(
        &mut self,
        frame: Option<Result<Message, tungstenite::Error>>,
    ) -> Option<Input> {
        let input = frames::received(frame.unwrap_or(Err(tungstenite::Error::ConnectionClosed)));
        if let Some(Input::Closed(_)) = input {
            self.close("closed by the peer");
        }
        input
    }

    /// A writer reported a failure: the current websocket is gone.
    pub(super) fn on_write_failed(&mut self, failure: Option<(u64, String)>) -> Option<Input> {
        let (generation, error) = failure?;
        if generation != self.generation || self.writer.is_none() {
            return None;
        }
        self.close("write failed");
        Some(Input::Closed(CloseReason::Error(error)))
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
        let tls = ClientTls::new(&moobius_runtime::TlsConfig::new().with_env(false)).unwrap();
        let config = frames::ws_config(1 << 20, &moobius_runtime::Options::default());
        let mut ws = Ws::new(config, Duration::from_secs(10), Arc::new(tls));
        ws.connect(format!("wss://{addr}/ws"));
        let (generation, result) = ws.connecting.take().unwrap().await;
        assert_eq!(generation, 1);
        let Err(e) = result else {
            panic!("a plain TCP peer must fail the TLS handshake")
        };
        assert!(!e.is_empty());
    }
}
