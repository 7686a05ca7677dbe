//! The websocket: connecting (ws:// or wss:// with rustls), reading in the
//! loop, writing from a task of its own, and reporting closes to the session.
//!
//! The loop watches the writer task of the open connection: it ends early
//! only when a write fails. A connection that is closed (or replaced) has
//! its writer set aside to finish the close, unwatched, so a failure of an
//! older connection is never reported; likewise a connection attempt that
//! is replaced is dropped, never reported.

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use moobius_proto::session::CloseReason;
use moobius_runtime::dial::Dial;
use moobius_runtime::engine::Input;
use moobius_runtime::frames;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Connecting = Pin<Box<dyn Future<Output = Result<Stream, String>> + Send>>;
/// A writer task; it ends with the error of the write that failed.
type Writer = JoinHandle<Result<(), String>>;

/// How long closing may take before the socket is just dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

pub(super) struct Ws {
    /// How to open a websocket (the same settings as the blocking
    /// driver's; websocket proxies: none, see the crate docs).
    dial: Dial,
    pub(super) connecting: Option<Connecting>,
    pub(super) reader: Option<SplitStream<Stream>>,
    writer: Option<mpsc::UnboundedSender<Message>>,
    /// The open connection's writer task, which the loop watches.
    pub(super) writing: Option<Writer>,
    /// The writers of closed connections, finishing their close.
    closing: Vec<Writer>,
}

impl Ws {
    pub(super) fn new(dial: Dial) -> Self {
        Self {
            dial,
            connecting: None,
            reader: None,
            writer: None,
            writing: None,
            closing: Vec::new(),
        }
    }

    /// Opens a new connection, closing any previous one (or attempt).
    pub(super) fn connect(&mut self, uri: String) {
        self.close("reconnecting");
        let config = self.dial.config;
        // rustls only for wss:// (its configuration is built then).
        let tls = if uri.starts_with("wss:") {
            self.dial
                .tls
                .config()
                .map(tokio_tungstenite::Connector::Rustls)
        } else {
            Ok(tokio_tungstenite::Connector::Plain)
        };
        let limit = self.dial.connect_timeout;
        let timed_out = self.dial.timed_out();
        self.connecting = Some(Box::pin(async move {
            let tls = match tls {
                Ok(connector) => Some(connector),
                Err(e) => return Err(moobius_runtime::explain::transport(&uri, &e)),
            };
            let attempt = tokio_tungstenite::connect_async_tls_with_config(
                uri.as_str(),
                Some(config),
                true,
                tls,
            );
            match tokio::time::timeout(limit, attempt).await {
                Ok(Ok((stream, _response))) => Ok(stream),
                Ok(Err(e)) => Err(moobius_runtime::explain::transport(&uri, &e)),
                Err(_) => Err(moobius_runtime::explain::with_hint(&uri, &timed_out)),
            }
        }));
    }

    /// The connection attempt finished: the websocket is open, or it
    /// failed.
    pub(super) fn on_connected(&mut self, result: Result<Stream, String>) -> Input {
        self.connecting = None;
        let stream = match result {
            Ok(stream) => stream,
            Err(e) => return Input::Closed(CloseReason::ConnectFailed(e)),
        };
        let (sink, reader) = stream.split();
        let (tx, rx) = mpsc::unbounded_channel();
        self.reader = Some(reader);
        self.writer = Some(tx);
        let limit = self.dial.write_timeout;
        self.writing = Some(tokio::spawn(write_loop(sink, rx, limit)));
        Input::Opened
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

    /// Closes the current connection (or attempt), if any; its writer
    /// sends the close frame and ends, unwatched.
    pub(super) fn close(&mut self, reason: &str) {
        self.connecting = None;
        self.reader = None;
        if let Some(w) = self.writer.take() {
            tracing::debug!(%reason, "websocket closing");
            let _ = w.send(Message::Close(Some(frames::close_frame(reason))));
        }
        if let Some(writer) = self.writing.take() {
            self.closing.retain(|w| !w.is_finished());
            self.closing.push(writer);
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

    /// The open connection's writer ended: a write failed (or the task
    /// did), so the websocket is gone.
    pub(super) fn on_write_ended(
        &mut self,
        ended: Result<Result<(), String>, JoinError>,
    ) -> Option<Input> {
        self.writing = None;
        let error = match ended {
            Ok(result) => result.err()?,
            Err(e) => format!("websocket writer: {e}"),
        };
        self.close("write failed");
        Some(Input::Closed(CloseReason::Error(error)))
    }

    /// Closes everything and waits (briefly) for the writers to finish.
    pub(super) async fn shutdown(&mut self) {
        self.close("shutting down");
        for w in self.closing.drain(..) {
            let abort = w.abort_handle();
            if tokio::time::timeout(CLOSE_TIMEOUT, w).await.is_err() {
                abort.abort();
            }
        }
    }
}

/// Writes frames in order, flushing when the queue is empty; sends a close
/// frame and ends when asked to close or when the loop drops the sender;
/// ends with the error of a write that failed or stayed blocked longer than
/// `limit` (`Options::write_timeout`).
async fn write_loop(
    mut sink: SplitSink<Stream, Message>,
    mut rx: mpsc::UnboundedReceiver<Message>,
    limit: Duration,
) -> Result<(), String> {
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        let mut closing = false;
        while let Some(msg) = next.take() {
            closing = matches!(msg, Message::Close(_));
            within(limit, sink.feed(msg)).await?;
            if closing {
                break;
            }
            next = rx.try_recv().ok();
        }
        within(limit, sink.flush()).await?;
        if closing {
            break;
        }
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.close()).await;
    Ok(())
}

/// A write (a feed or a flush) that fails when it is blocked longer than
/// `limit`.
async fn within(
    limit: Duration,
    write: impl Future<Output = Result<(), tungstenite::Error>>,
) -> Result<(), String> {
    match tokio::time::timeout(limit, write).await {
        Ok(written) => written.map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "a write blocked longer than {limit:?} (`Options::write_timeout`)"
        )),
    }
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
        let mut ws = test_ws(Duration::from_secs(10));
        ws.connect(format!("wss://{addr}/ws"));
        let Err(e) = ws.connecting.take().unwrap().await else {
            panic!("a plain TCP peer must fail the TLS handshake")
        };
        assert!(!e.is_empty());
    }

    /// A peer that stops reading blocks the writer; after
    /// `Options::write_timeout` the websocket counts as lost.
    #[tokio::test]
    async fn a_write_blocked_past_the_write_timeout_loses_the_connection() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            // Handshake, then never read again.
            let ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(ws);
        });
        let mut ws = test_ws(Duration::from_millis(300));
        ws.connect(format!("ws://{addr}/ws"));
        let opened = ws.connecting.take().unwrap().await;
        assert!(matches!(ws.on_connected(opened), Input::Opened));
        // Far more than the kernel buffers of both ends hold.
        let chunk = "x".repeat(256 << 10);
        for _ in 0..256 {
            ws.send(chunk.clone());
        }
        let writer = ws.writing.as_mut().expect("a writer");
        let ended = tokio::time::timeout(Duration::from_secs(20), writer)
            .await
            .expect("the blocked writer gives up after the write timeout");
        let Some(Input::Closed(CloseReason::Error(error))) = ws.on_write_ended(ended) else {
            panic!("a blocked write loses the connection")
        };
        assert!(error.contains("write_timeout"), "{error}");
        assert!(ws.writing.is_none() && ws.writer.is_none());
        peer.abort();
    }

    /// A websocket adapter whose writes fail after `write_timeout`.
    fn test_ws(write_timeout: Duration) -> Ws {
        let tls = moobius_runtime::tls::ClientTls::new(
            &moobius_runtime::TlsConfig::new().with_env(false),
        )
        .unwrap();
        Ws::new(Dial {
            config: frames::ws_config(1 << 20, &moobius_runtime::Options::default()),
            connect_timeout: Duration::from_secs(10),
            write_timeout,
            tls: std::sync::Arc::new(tls),
        })
    }
}
