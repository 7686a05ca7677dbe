//! One websocket connection: a reader loop that decodes (once) and routes
//! each client frame and answers it with a `copy`, and a writer task that
//! writes queued frames in order (after the injected delay, if any).
//!
//! Bounds: a connection that does not log in within the login deadline is
//! closed (1008); a reader that falls behind (queue over its frame or byte
//! limit) is closed (1008); an oversized frame closes with 1009.

use super::{frames, routing};
use crate::shared::Shared;
use crate::state::connections::{ConnectionId, Link, Target, CLOSE_POLICY};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use moobius_proto::model::Context;
use moobius_proto::ws::{decode_client_frame, Outbound};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Close code for a frame over the size limit (RFC 6455 "message too big").
pub(crate) const CLOSE_TOO_BIG: u16 = 1009;
/// Close code for faults and shutdown ("going away").
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;

/// Longest non-JSON frame text kept in the inspection log.
const RAW_LOG_CHARS: usize = 4096;

/// Most frames written with one flush.
const WRITE_BATCH: usize = 64;

/// How long the writer tries to send a close frame before dropping the socket.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// What the reader does after a frame.
#[derive(Debug, PartialEq, Eq)]
enum After {
    Continue,
    LoggedIn,
    Stop,
}

/// Runs one connection to its end.
pub(crate) async fn run(shared: Arc<Shared>, socket: WebSocket, peer: SocketAddr) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Utf8Bytes>();
    let (id, link) = shared.lock().conns.open(peer, tx);
    shared.changed();
    tracing::info!(conn = id, %peer, "websocket connected");

    let wshared = shared.clone();
    let wlink = link.clone();
    let mut writer = tokio::spawn(async move {
        let link: Arc<Link> = wlink;
        loop {
            let next = tokio::select! {
                biased;
                () = link.notify.notified() => None,
                f = rx.recv() => f,
            };
            let Some(frame) = next else { break };
            let delay = wshared.faults.delay();
            if !delay.is_zero() {
                tokio::select! {
                    () = link.notify.notified() => break,
                    () = tokio::time::sleep(delay) => {}
                }
            }
            // Everything already queued goes out in one write (one flush),
            // unless frames are being delayed one by one.
            let mut batch = vec![frame];
            while delay.is_zero() && batch.len() < WRITE_BATCH {
                match rx.try_recv() {
                    Ok(f) => batch.push(f),
                    Err(_) => break,
                }
            }
            let len: usize = batch.iter().map(|f| f.len()).sum();
            let frames = batch.len();
            let write = async {
                for f in batch {
                    sink.feed(Message::Text(f)).await?;
                }
                sink.flush().await
            };
            let sent = tokio::select! {
                biased;
                () = link.notify.notified() => break,
                r = write => r,
            };
            link.written(frames, len);
            if sent.is_err() {
                break;
            }
        }
        if let Some((code, reason)) = link.close_request() {
            tracing::info!(conn = id, code, %reason, "closing websocket");
            let close = Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            }));
            let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(close)).await;
        }
        let _ = tokio::time::timeout(CLOSE_GRACE, sink.close()).await;
    });

    let limit = shared.config.max_frame_bytes;
    let login_deadline = tokio::time::sleep(shared.config.login_timeout);
    tokio::pin!(login_deadline);
    let mut logged_in = false;
    loop {
        tokio::select! {
            _ = &mut writer => break,
            () = &mut login_deadline, if !logged_in => {
                let secs = shared.config.login_timeout.as_secs_f64();
                shared.lock().conns.close_one(
                    id,
                    CLOSE_POLICY,
                    format!("no login within {secs} s"),
                );
                logged_in = true; // the deadline fired once; the writer closes
            }
            msg = stream.next() => {
                let after = match msg {
                    Some(Ok(Message::Text(t))) => on_frame(&shared, id, t, limit),
                    Some(Ok(Message::Binary(b))) => {
                        let text = String::from_utf8_lossy(&b).into_owned();
                        on_frame(&shared, id, Utf8Bytes::from(text), limit)
                    }
                    Some(Ok(Message::Close(_))) | None => After::Stop,
                    Some(Ok(_)) => After::Continue,
                    Some(Err(e)) => {
                        tracing::info!(conn = id, error = %e, "websocket read failed");
                        After::Stop
                    }
                };
                match after {
                    After::Stop => break,
                    After::LoggedIn => logged_in = true,
                    After::Continue => {}
                }
            }
        }
    }
    // Dropping the registry's sender ends the writer once its queue drains.
    shared.lock().conns.close(id);
    shared.changed();
    tracing::info!(conn = id, "websocket disconnected");
}

/// Handles one client frame: decoded once, routed under the lock, answered
/// with a `copy`; the deliveries are serialised once each and shared.
fn on_frame(shared: &Shared, id: ConnectionId, text: Utf8Bytes, limit: usize) -> After {
    if text.len() > limit {
        tracing::info!(conn = id, len = text.len(), limit, "oversized frame");
        shared.lock().conns.close_one(
            id,
            CLOSE_TOO_BIG,
            format!(
                "frame of {} bytes exceeds the limit of {limit} bytes",
                text.len()
            ),
        );
        return After::Stop;
    }
    let decoded = decode_client_frame(text.as_str());
    let (request_id, origin, logged) = match &decoded {
        Ok(cf) => {
            let rid = cf
                .request_id
                .as_ref()
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default();
            let logged = match &cf.frame {
                Outbound::ServiceLogin(_) | Outbound::UserLogin(_) => redact(text.as_str()),
                _ => text.clone(),
            };
            (rid, cf.frame.frame_type().to_owned(), logged)
        }
        Err(_) => {
            // The rare path: read what can be read for the `copy`.
            let raw: Option<Value> = serde_json::from_str(text.as_str()).ok();
            let field = |k: &str| {
                raw.as_ref()
                    .and_then(|v| v.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let logged = if raw.is_some() {
                redact(text.as_str())
            } else {
                Utf8Bytes::from(
                    serde_json::Value::String(text.as_str().chars().take(RAW_LOG_CHARS).collect())
                        .to_string(),
                )
            };
            (field("request_id"), field("type"), logged)
        }
    };
    let mut st = shared.lock();
    st.conns.record_sent(id, logged);
    let was_logged_in = st.conns.login(id).is_some();
    let result = match decoded {
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
    let copy = frames::copy(&request_id, &origin, status, context);
    st.conns
        .send(&Target::Conn(id), &Utf8Bytes::from(copy.to_string()));
    for d in deliveries {
        for target in &d.to {
            st.conns.send(target, &d.frame);
        }
    }
    let now_logged_in = st.conns.login(id).is_some();
    drop(st);
    shared.changed();
    if now_logged_in && !was_logged_in {
        After::LoggedIn
    } else {
        After::Continue
    }
}

/// A login frame as logged for inspection: `access_token` replaced.
fn redact(text: &str) -> Utf8Bytes {
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            if let Some(t) = v.get_mut("access_token") {
                *t = Value::String("<redacted>".into());
            }
            Utf8Bytes::from(v.to_string())
        }
        Err(_) => {
            Utf8Bytes::from(Value::String(text.chars().take(RAW_LOG_CHARS).collect()).to_string())
        }
    }
}
