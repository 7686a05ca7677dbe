//! One websocket connection: a reader loop that decodes and routes each
//! client frame and answers it with a `copy`, and a writer task that writes
//! queued frames in order (after the injected delay, if any) and logs them.

use super::{frames, routing};
use crate::shared::Shared;
use crate::state::connections::{ConnectionId, Outgoing, Target};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use moobius_proto::model::Context;
use moobius_proto::ws::decode_client_frame;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Close code for a frame over the size limit (RFC 6455 "message too big").
pub(crate) const CLOSE_TOO_BIG: u16 = 1009;
/// Close code for faults and shutdown ("going away").
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;

/// Longest non-JSON frame text kept in the inspection log.
const RAW_LOG_CHARS: usize = 4096;

/// Runs one connection to its end.
pub(crate) async fn run(shared: Arc<Shared>, socket: WebSocket, peer: SocketAddr) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();
    let id = shared.lock().conns.open(peer, tx);
    shared.changed();
    tracing::info!(conn = id, %peer, "websocket connected");

    let wshared = shared.clone();
    let mut writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Outgoing::Frame(v) => {
                    let delay = wshared.faults.delay();
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    if sink
                        .send(Message::Text(v.to_string().into()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                    wshared.lock().conns.record_received(id, v);
                    wshared.changed();
                }
                Outgoing::Close { code, reason } => {
                    tracing::info!(conn = id, code, %reason, "closing websocket");
                    let _ = sink
                        .send(Message::Close(Some(CloseFrame {
                            code,
                            reason: reason.into(),
                        })))
                        .await;
                    break;
                }
            }
        }
        let _ = sink.close().await;
    });

    let limit = shared.config.max_frame_bytes;
    loop {
        tokio::select! {
            _ = &mut writer => break,
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    if !on_frame(&shared, id, t.as_str(), limit) {
                        break;
                    }
                }
                Some(Ok(Message::Binary(b))) => {
                    let text = String::from_utf8_lossy(&b);
                    if !on_frame(&shared, id, &text, limit) {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::info!(conn = id, error = %e, "websocket read failed");
                    break;
                }
            }
        }
    }
    // Dropping the registry's sender ends the writer once its queue drains.
    shared.lock().conns.close(id);
    shared.changed();
    tracing::info!(conn = id, "websocket disconnected");
}

/// Handles one client frame. Returns `false` when the connection must end
/// (oversized frame: a close with a reason was queued).
fn on_frame(shared: &Shared, id: ConnectionId, text: &str, limit: usize) -> bool {
    let mut st = shared.lock();
    if text.len() > limit {
        tracing::info!(conn = id, len = text.len(), limit, "oversized frame");
        return oversized(&st, id, text.len(), limit);
    }
    let raw: Option<Value> = serde_json::from_str(text).ok();
    let field = |k: &str| {
        raw.as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (request_id, origin) = (field("request_id"), field("type"));
    st.conns.record_sent(id, redact(raw, text));
    let result = match decode_client_frame(text) {
        Ok(cf) => routing::route(&mut st, id, &request_id, cf.frame),
        Err(e) => Err(e.to_string()),
    };
    let (status, context, deliveries) = match result {
        Ok(o) => (true, o.context, o.deliveries),
        Err(message) => {
            tracing::info!(conn = id, frame_type = %origin, %message, "frame rejected");
            let mut c = Context::new();
            c.insert("message".into(), message.into());
            (false, c, Vec::new())
        }
    };
    if status {
        tracing::debug!(conn = id, frame_type = %origin, "frame accepted");
    }
    st.conns.send(
        &Target::Conn(id),
        &frames::copy(&request_id, &origin, status, context),
    );
    for (target, frame) in deliveries {
        st.conns.send(&target, &frame);
    }
    true
}

fn oversized(st: &crate::state::State, id: ConnectionId, len: usize, limit: usize) -> bool {
    if let Some(tx) = st.conns.map.get(&id).and_then(|c| c.tx.as_ref()) {
        let _ = tx.send(Outgoing::Close {
            code: CLOSE_TOO_BIG,
            reason: format!("frame of {len} bytes exceeds the limit of {limit} bytes"),
        });
    }
    false
}

/// The frame as logged for inspection: JSON with any `access_token`
/// replaced, or the (truncated) raw text.
fn redact(raw: Option<Value>, text: &str) -> Value {
    match raw {
        Some(mut v) => {
            if let Some(t) = v.get_mut("access_token") {
                *t = Value::String("<redacted>".into());
            }
            v
        }
        None => Value::String(text.chars().take(RAW_LOG_CHARS).collect()),
    }
}
