//! Read-only snapshots of the devserver's state, for tests
//! (see [`crate::DevServerHandle`]).

use crate::state::connections::{ConnectionId, Login};
use serde_json::Value;
use std::net::SocketAddr;

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSnapshot {
    /// Its user id (also its character id).
    pub user_id: String,
    /// Its email (sign-in `username`).
    pub email: String,
    /// Whether sign-up was confirmed (seeded accounts are).
    pub confirmed: bool,
    /// Profile name.
    pub name: String,
}

/// A service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceSnapshot {
    /// Its id.
    pub service_id: String,
    /// The owning account's user id.
    pub owner: String,
    /// Its description.
    pub description: String,
    /// Channels bound to it.
    pub channel_ids: Vec<String>,
}

/// A channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChannelSnapshot {
    /// Its id.
    pub channel_id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Member user ids, in joining order.
    pub members: Vec<String>,
    /// The bound service, if any.
    pub service_id: Option<String>,
    /// How many messages its history holds.
    pub message_count: usize,
}

/// A group (service or channel kind: one namespace).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupSnapshot {
    /// Its id.
    pub group_id: String,
    /// The channel, for a channel group (`POST /user/group/create`).
    pub channel_id: Option<String>,
    /// The name, for a channel group.
    pub name: Option<String>,
    /// The account that created it.
    pub owner: String,
    /// Its characters, in order.
    pub characters: Vec<String>,
}

/// An agent (service character).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgentSnapshot {
    /// Its character id.
    pub character_id: String,
    /// The service it belongs to.
    pub service_id: String,
    /// Its name.
    pub name: String,
}

/// A message in a channel's history.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HistoryMessage {
    /// Platform-assigned id.
    pub message_id: String,
    /// `"message_up"` (from a user) or `"message_down"` (from a service).
    pub direction: &'static str,
    /// The author: the user (up) or the character the service chose (down).
    pub sender: String,
    /// The recipients group id as sent (or `"service"`).
    pub recipients: String,
    /// The message body as `GET /channel/history_message` returns it.
    pub body: Value,
}

/// One websocket connection (open or closed) and what went over it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectionSnapshot {
    /// Its id (in connection order).
    pub id: ConnectionId,
    /// The client's address.
    pub peer: SocketAddr,
    /// Whether it is still open.
    pub open: bool,
    /// What it is logged in as (last successful login).
    pub login: Option<Login>,
    /// Every frame written to it, in order, as JSON.
    pub received: Vec<Value>,
    /// Every frame the client sent, in order, as JSON (`access_token`
    /// redacted; non-JSON text kept as a string).
    pub sent: Vec<Value>,
}

impl ConnectionSnapshot {
    /// The logged-in user id (user login) or owner id (service login).
    #[must_use]
    pub fn user_id(&self) -> Option<&str> {
        match &self.login {
            Some(Login::User { user_id } | Login::Service { user_id, .. }) => Some(user_id),
            None => None,
        }
    }

    /// The logged-in service id, for a service login.
    #[must_use]
    pub fn service_id(&self) -> Option<&str> {
        match &self.login {
            Some(Login::Service { service_id, .. }) => Some(service_id),
            _ => None,
        }
    }
}
