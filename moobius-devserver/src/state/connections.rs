//! The websocket connections: who is logged in on each, the queue of frames
//! to write to it, and the log of what it sent and received.

use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use tokio::sync::mpsc::UnboundedSender;

/// Id of one websocket connection, unique for the server's lifetime.
pub type ConnectionId = u64;

/// What a connection is logged in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// `service_login`: a service, run by an account.
    Service {
        /// The service.
        service_id: String,
        /// The account that owns it (the token's user).
        user_id: String,
    },
    /// `user_login`: a user.
    User {
        /// The user.
        user_id: String,
    },
}

/// What the writer task of a connection is asked to do.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Write one frame (JSON text).
    Frame(Value),
    /// Send a close frame and stop.
    Close { code: u16, reason: String },
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

#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) peer: SocketAddr,
    pub(crate) tx: Option<UnboundedSender<Outgoing>>,
    pub(crate) login: Option<Login>,
    pub(crate) received: Vec<Value>,
    pub(crate) sent: Vec<Value>,
}

/// Most closed connections kept for inspection.
const KEEP_CLOSED: usize = 512;

/// The registry.
#[derive(Debug, Default)]
pub(crate) struct Connections {
    next: ConnectionId,
    pub(crate) map: BTreeMap<ConnectionId, Conn>,
    /// Most frames kept per log (per connection and direction).
    pub(crate) log_limit: usize,
}

fn push_capped(log: &mut Vec<Value>, v: Value, limit: usize) {
    if log.len() >= limit && limit > 0 {
        let excess = log.len() + 1 - limit;
        log.drain(..excess);
    }
    if limit > 0 {
        log.push(v);
    }
}

impl Connections {
    pub(crate) fn open(&mut self, peer: SocketAddr, tx: UnboundedSender<Outgoing>) -> ConnectionId {
        self.next += 1;
        let id = self.next;
        self.map.insert(
            id,
            Conn {
                peer,
                tx: Some(tx),
                login: None,
                received: Vec::new(),
                sent: Vec::new(),
            },
        );
        id
    }

    /// Marks a connection closed (keeps its logs), pruning old closed ones.
    pub(crate) fn close(&mut self, id: ConnectionId) {
        if let Some(c) = self.map.get_mut(&id) {
            c.tx = None;
        }
        let closed: Vec<ConnectionId> = self
            .map
            .iter()
            .filter(|(_, c)| c.tx.is_none())
            .map(|(k, _)| *k)
            .collect();
        if closed.len() > KEEP_CLOSED {
            for k in &closed[..closed.len() - KEEP_CLOSED] {
                self.map.remove(k);
            }
        }
    }

    pub(crate) fn login(&self, id: ConnectionId) -> Option<&Login> {
        self.map.get(&id).and_then(|c| c.login.as_ref())
    }

    pub(crate) fn set_login(&mut self, id: ConnectionId, login: Option<Login>) {
        if let Some(c) = self.map.get_mut(&id) {
            c.login = login;
        }
    }

    /// Records a frame the client sent.
    pub(crate) fn record_sent(&mut self, id: ConnectionId, v: Value) {
        let limit = self.log_limit;
        if let Some(c) = self.map.get_mut(&id) {
            push_capped(&mut c.sent, v, limit);
        }
    }

    /// Records a frame written to the client.
    pub(crate) fn record_received(&mut self, id: ConnectionId, v: Value) {
        let limit = self.log_limit;
        if let Some(c) = self.map.get_mut(&id) {
            push_capped(&mut c.received, v, limit);
        }
    }

    /// Ids of the open connections a target names.
    pub(crate) fn resolve(&self, target: &Target) -> Vec<ConnectionId> {
        self.map
            .iter()
            .filter(|(_, c)| c.tx.is_some())
            .filter(|(id, c)| match target {
                Target::Conn(want) => *id == want,
                Target::User(u) => {
                    matches!(&c.login, Some(Login::User { user_id }) if user_id == u)
                }
                Target::Service(s) => {
                    matches!(&c.login, Some(Login::Service { service_id, .. }) if service_id == s)
                }
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Queues a frame for every open connection a target names; returns how many.
    pub(crate) fn send(&self, target: &Target, frame: &Value) -> usize {
        let ids = self.resolve(target);
        let mut n = 0;
        for id in ids {
            if let Some(tx) = self.map.get(&id).and_then(|c| c.tx.as_ref()) {
                if tx.send(Outgoing::Frame(frame.clone())).is_ok() {
                    n += 1;
                }
            }
        }
        n
    }

    /// Asks the matching open connections to close; returns how many.
    pub(crate) fn close_where(
        &self,
        pred: impl Fn(&Conn) -> bool,
        code: u16,
        reason: &str,
    ) -> usize {
        let mut n = 0;
        for c in self.map.values() {
            if let Some(tx) = &c.tx {
                if pred(c)
                    && tx
                        .send(Outgoing::Close {
                            code,
                            reason: reason.to_owned(),
                        })
                        .is_ok()
                {
                    n += 1;
                }
            }
        }
        n
    }
}
