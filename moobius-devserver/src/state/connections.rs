//! The websocket connections: who is logged in on each (indexed by user and
//! by service, so a delivery never scans every connection), the bounded
//! queue of frames to write to it, and the capped log of what it sent and
//! received.
//!
//! Frames are serialised once per delivery and shared ([`Utf8Bytes`] is a
//! reference-counted buffer): every recipient's queue and log hold the same
//! bytes.

use axum::extract::ws::Utf8Bytes;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::Notify;

/// Id of one websocket connection, unique for the server's lifetime.
pub type ConnectionId = u64;

/// What a connection is logged in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// `service_login`: a service, run by an account.
    #[non_exhaustive]
    Service {
        /// The service.
        service_id: String,
        /// The account that owns it (the token's user).
        user_id: String,
    },
    /// `user_login`: a user.
    #[non_exhaustive]
    User {
        /// The user.
        user_id: String,
    },
}

impl Login {
    /// The account behind the login.
    pub(crate) fn account(&self) -> &str {
        match self {
            Login::User { user_id } | Login::Service { user_id, .. } => user_id,
        }
    }
}

/// Where a frame goes.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// One connection.
    Conn(ConnectionId),
    /// Every open connection logged in as this user.
    User(String),
    /// Every open connection logged in as this service.
    Service(String),
}

/// Close code: policy violation (revoked login, login deadline, a reader
/// that fell behind).
pub(crate) const CLOSE_POLICY: u16 = 1008;

/// What the registry and a connection's writer task share: the close
/// request and the size of the queue.
#[derive(Debug, Default)]
pub(crate) struct Link {
    close: Mutex<Option<(u16, String)>>,
    pub(crate) notify: Notify,
    frames: AtomicUsize,
    bytes: AtomicUsize,
}

impl Link {
    /// Asks the writer to send a close frame and stop (first request wins).
    pub(crate) fn request_close(&self, code: u16, reason: String) -> bool {
        let mut c = self.close.lock().unwrap_or_else(|e| e.into_inner());
        if c.is_some() {
            return false;
        }
        *c = Some((code, reason));
        drop(c);
        self.notify.notify_one();
        true
    }

    /// The pending close request, if any.
    pub(crate) fn close_request(&self) -> Option<(u16, String)> {
        self.close.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The writer wrote `frames` frames of `len` bytes in all.
    pub(crate) fn written(&self, frames: usize, len: usize) {
        self.frames.fetch_sub(frames, Ordering::Relaxed);
        self.bytes.fetch_sub(len, Ordering::Relaxed);
    }
}

/// Caps of the send queue and of the inspection logs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Frames queued for one connection before it is closed (1008).
    pub(crate) queue_frames: usize,
    /// Bytes queued for one connection before it is closed (1008).
    pub(crate) queue_bytes: usize,
    /// Frames kept per connection and direction.
    pub(crate) log_frames: usize,
    /// Bytes kept per connection and direction.
    pub(crate) log_bytes: usize,
    /// Closed connections kept for inspection.
    pub(crate) keep_closed: usize,
}

/// Frames and bytes kept of a connection that is not logged in.
const UNAUTHENTICATED_LOG_FRAMES: usize = 16;
const UNAUTHENTICATED_LOG_BYTES: usize = 64 << 10;

impl Default for Limits {
    fn default() -> Self {
        use crate::server as d;
        Self {
            queue_frames: d::DEFAULT_SEND_QUEUE_FRAMES,
            queue_bytes: d::DEFAULT_SEND_QUEUE_BYTES,
            log_frames: d::DEFAULT_FRAME_LOG_LIMIT,
            log_bytes: d::DEFAULT_FRAME_LOG_BYTES,
            keep_closed: d::DEFAULT_KEEP_CLOSED_CONNECTIONS,
        }
    }
}

/// A capped log of frames, oldest dropped first.
#[derive(Debug, Default)]
pub(crate) struct FrameLog {
    frames: VecDeque<Utf8Bytes>,
    bytes: usize,
}

impl FrameLog {
    fn push(&mut self, f: Utf8Bytes, max_frames: usize, max_bytes: usize) {
        if max_frames == 0 || f.len() > max_bytes {
            return;
        }
        self.bytes += f.len();
        self.frames.push_back(f);
        while self.frames.len() > max_frames || self.bytes > max_bytes {
            match self.frames.pop_front() {
                Some(old) => self.bytes -= old.len(),
                None => break,
            }
        }
    }

    /// The frames as JSON (non-JSON text as a string).
    pub(crate) fn values(&self) -> Vec<Value> {
        self.frames
            .iter()
            .map(|f| {
                serde_json::from_str(f.as_str()).unwrap_or_else(|_| Value::String(f.to_string()))
            })
            .collect()
    }
}

#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) peer: SocketAddr,
    tx: Option<UnboundedSender<Utf8Bytes>>,
    pub(crate) link: Arc<Link>,
    pub(crate) login: Option<Login>,
    /// The sign-in (token family) the login used, for revocation.
    pub(crate) family: Option<u64>,
    pub(crate) received: FrameLog,
    pub(crate) sent: FrameLog,
}

impl Conn {
    pub(crate) fn is_open(&self) -> bool {
        self.tx.is_some()
    }
}

/// The registry.
#[derive(Debug, Default)]
pub(crate) struct Connections {
    next: ConnectionId,
    pub(crate) map: HashMap<ConnectionId, Conn>,
    by_user: HashMap<String, Vec<ConnectionId>>,
    by_service: HashMap<String, Vec<ConnectionId>>,
    closed: VecDeque<ConnectionId>,
    pub(crate) limits: Limits,
}

fn unindex(ix: &mut HashMap<String, Vec<ConnectionId>>, key: &str, id: ConnectionId) {
    if let Some(v) = ix.get_mut(key) {
        v.retain(|c| *c != id);
        if v.is_empty() {
            ix.remove(key);
        }
    }
}

impl Connections {
    pub(crate) fn open(
        &mut self,
        peer: SocketAddr,
        tx: UnboundedSender<Utf8Bytes>,
    ) -> (ConnectionId, Arc<Link>) {
        self.next += 1;
        let id = self.next;
        let link = Arc::new(Link::default());
        self.map.insert(
            id,
            Conn {
                peer,
                tx: Some(tx),
                link: link.clone(),
                login: None,
                family: None,
                received: FrameLog::default(),
                sent: FrameLog::default(),
            },
        );
        (id, link)
    }

    fn unindex_login(&mut self, id: ConnectionId) {
        let Some(c) = self.map.get(&id) else { return };
        match c.login.clone() {
            Some(Login::User { user_id }) => unindex(&mut self.by_user, &user_id, id),
            Some(Login::Service { service_id, .. }) => {
                unindex(&mut self.by_service, &service_id, id);
            }
            None => {}
        }
    }

    /// Marks a connection closed (keeps its logs), forgetting the oldest
    /// closed ones over the limit.
    pub(crate) fn close(&mut self, id: ConnectionId) {
        self.unindex_login(id);
        let Some(c) = self.map.get_mut(&id) else {
            return;
        };
        if c.tx.take().is_none() {
            return;
        }
        self.closed.push_back(id);
        while self.closed.len() > self.limits.keep_closed {
            if let Some(old) = self.closed.pop_front() {
                self.map.remove(&old);
            }
        }
    }

    pub(crate) fn login(&self, id: ConnectionId) -> Option<&Login> {
        self.map.get(&id).and_then(|c| c.login.as_ref())
    }

    /// Sets (or clears) the login of an open connection.
    pub(crate) fn set_login(
        &mut self,
        id: ConnectionId,
        login: Option<Login>,
        family: Option<u64>,
    ) {
        self.unindex_login(id);
        let Some(c) = self.map.get_mut(&id) else {
            return;
        };
        c.family = family;
        if c.is_open() {
            match &login {
                Some(Login::User { user_id }) => {
                    self.by_user.entry(user_id.clone()).or_default().push(id);
                }
                Some(Login::Service { service_id, .. }) => {
                    self.by_service
                        .entry(service_id.clone())
                        .or_default()
                        .push(id);
                }
                None => {}
            }
        }
        c.login = login;
    }

    /// Records a frame the client sent.
    pub(crate) fn record_sent(&mut self, id: ConnectionId, f: Utf8Bytes) {
        let l = self.limits;
        if let Some(c) = self.map.get_mut(&id) {
            let (n, b) = if c.login.is_some() {
                (l.log_frames, l.log_bytes)
            } else {
                (
                    UNAUTHENTICATED_LOG_FRAMES.min(l.log_frames),
                    UNAUTHENTICATED_LOG_BYTES.min(l.log_bytes),
                )
            };
            c.sent.push(f, n, b);
        }
    }

    /// Open connections logged in as this user.
    #[cfg(test)]
    pub(crate) fn of_user(&self, user_id: &str) -> &[ConnectionId] {
        self.by_user.get(user_id).map_or(&[], Vec::as_slice)
    }

    /// Open connections logged in as this service.
    #[cfg(test)]
    pub(crate) fn of_service(&self, service_id: &str) -> &[ConnectionId] {
        self.by_service.get(service_id).map_or(&[], Vec::as_slice)
    }

    /// Queues a frame for every open connection a target names; returns how
    /// many. A connection whose queue is over its limits is closed (1008)
    /// instead.
    pub(crate) fn send(&mut self, target: &Target, frame: &Utf8Bytes) -> usize {
        let Self {
            map,
            by_user,
            by_service,
            limits,
            ..
        } = self;
        let ids = match target {
            Target::Conn(id) => std::slice::from_ref(id),
            Target::User(u) => by_user.get(u).map_or(&[][..], Vec::as_slice),
            Target::Service(s) => by_service.get(s).map_or(&[][..], Vec::as_slice),
        };
        ids.iter()
            .filter(|id| push(map, *limits, **id, frame))
            .count()
    }
}

/// Queues one frame on one connection (see [`Connections::send`]).
fn push(
    map: &mut HashMap<ConnectionId, Conn>,
    l: Limits,
    id: ConnectionId,
    frame: &Utf8Bytes,
) -> bool {
    {
        let Some(c) = map.get_mut(&id) else {
            return false;
        };
        let Some(tx) = &c.tx else { return false };
        let frames = c.link.frames.load(Ordering::Relaxed);
        let bytes = c.link.bytes.load(Ordering::Relaxed);
        if frames >= l.queue_frames || bytes.saturating_add(frame.len()) > l.queue_bytes {
            if c.link.request_close(
                CLOSE_POLICY,
                format!(
                    "reader too slow: send queue over {} frames or {} bytes",
                    l.queue_frames, l.queue_bytes
                ),
            ) {
                tracing::info!(conn = id, frames, bytes, "send queue full: closing");
            }
            return false;
        }
        if tx.send(frame.clone()).is_err() {
            return false;
        }
        c.link.frames.fetch_add(1, Ordering::Relaxed);
        c.link.bytes.fetch_add(frame.len(), Ordering::Relaxed);
        let (n, b) = if c.login.is_some() {
            (l.log_frames, l.log_bytes)
        } else {
            (
                UNAUTHENTICATED_LOG_FRAMES.min(l.log_frames),
                UNAUTHENTICATED_LOG_BYTES.min(l.log_bytes),
            )
        };
        c.received.push(frame.clone(), n, b);
        true
    }
}

impl Connections {
    /// Asks the matching open connections to close; returns how many.
    pub(crate) fn close_where(
        &self,
        pred: impl Fn(&Conn) -> bool,
        code: u16,
        reason: &str,
    ) -> usize {
        self.map
            .values()
            .filter(|c| c.is_open() && pred(c))
            .filter(|c| c.link.request_close(code, reason.to_owned()))
            .count()
    }

    /// Asks one connection to close.
    pub(crate) fn close_one(&self, id: ConnectionId, code: u16, reason: String) {
        if let Some(c) = self.map.get(&id) {
            c.link.request_close(code, reason);
        }
    }

    /// Connections in id order.
    pub(crate) fn ordered(&self) -> Vec<(ConnectionId, &Conn)> {
        let mut v: Vec<(ConnectionId, &Conn)> = self.map.iter().map(|(k, c)| (*k, c)).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_are_capped_by_count_and_bytes() {
        let mut log = FrameLog::default();
        for i in 0..100 {
            log.push(Utf8Bytes::from(format!("{i}")), 10, 1000);
        }
        assert_eq!(log.frames.len(), 10);
        assert_eq!(log.values()[0], serde_json::json!(90));
        let mut log = FrameLog::default();
        for _ in 0..100 {
            log.push(Utf8Bytes::from("x".repeat(100)), 1000, 1000);
        }
        assert_eq!(log.frames.len(), 10);
        assert!(log.bytes <= 1000);
    }

    #[test]
    fn a_full_queue_closes_the_connection() {
        let mut c = Connections {
            limits: Limits {
                queue_frames: 2,
                ..Limits::default()
            },
            ..Connections::default()
        };
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let (id, link) = c.open(SocketAddr::from(([127, 0, 0, 1], 1)), tx);
        let f = Utf8Bytes::from_static("{}");
        assert_eq!(c.send(&Target::Conn(id), &f), 1);
        assert_eq!(c.send(&Target::Conn(id), &f), 1);
        assert_eq!(c.send(&Target::Conn(id), &f), 0);
        assert_eq!(link.close_request().map(|r| r.0), Some(CLOSE_POLICY));
    }

    #[test]
    fn logins_are_indexed() {
        let mut c = Connections::default();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let (id, _) = c.open(SocketAddr::from(([127, 0, 0, 1], 1)), tx);
        c.set_login(
            id,
            Some(Login::User {
                user_id: "u".into(),
            }),
            Some(1),
        );
        assert_eq!(c.of_user("u"), &[id]);
        c.set_login(
            id,
            Some(Login::Service {
                service_id: "s".into(),
                user_id: "u".into(),
            }),
            Some(1),
        );
        assert!(c.of_user("u").is_empty());
        assert_eq!(c.of_service("s"), &[id]);
        c.close(id);
        assert!(c.of_service("s").is_empty());
    }
}
