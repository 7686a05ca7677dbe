//! Channels: name and description, ordered members, the one bound service,
//! and the message history.

use crate::error::{codes, ApiError};
use crate::ids;
use http::StatusCode;
use moobius_proto::model::{Context, MessageContent, MessageSubtype};
use std::collections::{HashMap, HashSet, VecDeque};

/// A stored message (both directions).
#[derive(Debug, Clone)]
pub(crate) struct StoredMessage {
    pub(crate) message_id: String,
    pub(crate) channel_id: String,
    pub(crate) subtype: MessageSubtype,
    pub(crate) content: MessageContent,
    pub(crate) sender: String,
    /// The recipients group id as sent (`"service"` included).
    pub(crate) recipients: String,
    pub(crate) timestamp: i64,
    pub(crate) context: Context,
    /// `message_up` (from a user) or `message_down` (from a service).
    pub(crate) direction: &'static str,
    /// Approximate size in bytes (the delivered frame's length), for the cap.
    pub(crate) size: usize,
}

/// Caps of each channel's history: the oldest messages go first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HistoryLimits {
    pub(crate) messages: usize,
    pub(crate) bytes: usize,
}

impl Default for HistoryLimits {
    fn default() -> Self {
        Self {
            messages: crate::server::DEFAULT_HISTORY_MESSAGES,
            bytes: crate::server::DEFAULT_HISTORY_BYTES,
        }
    }
}

/// One channel.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) channel_id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    /// The account that owns it: its creator, or the owner given when it
    /// was seeded (`None`: a seeded channel without accounts; the first
    /// account that binds a service to it becomes its owner).
    pub(crate) owner: Option<String>,
    /// Member user ids, in joining order.
    pub(crate) members: Vec<String>,
    /// The same ids, for lookups.
    member_set: HashSet<String>,
    /// The bound service, if any.
    pub(crate) service: Option<String>,
    pub(crate) history: VecDeque<StoredMessage>,
    history_bytes: usize,
    seq: u64,
}

impl Channel {
    pub(crate) fn is_member(&self, user_id: &str) -> bool {
        self.member_set.contains(user_id)
    }
}

/// All channels.
#[derive(Debug, Default)]
pub(crate) struct Channels {
    map: HashMap<String, Channel>,
    seq: u64,
    pub(crate) limits: HistoryLimits,
}

impl Channels {
    /// Creates a channel with the given id (fresh when `None`).
    pub(crate) fn create(
        &mut self,
        channel_id: Option<&str>,
        name: &str,
        description: &str,
        owner: Option<&str>,
    ) -> Result<String, ApiError> {
        let channel_id = match channel_id {
            Some(id) if id.trim().is_empty() => {
                return Err(ApiError::bad_request("channel id must not be empty"))
            }
            Some(id) => id.to_owned(),
            None => ids::uuid(),
        };
        if self.map.contains_key(&channel_id) {
            return Err(ApiError::new(
                codes::BAD_REQUEST,
                StatusCode::CONFLICT,
                format!("channel `{channel_id}` already exists"),
            ));
        }
        self.seq += 1;
        self.map.insert(
            channel_id.clone(),
            Channel {
                channel_id: channel_id.clone(),
                name: name.to_owned(),
                description: description.to_owned(),
                owner: owner.map(str::to_owned),
                members: Vec::new(),
                member_set: HashSet::new(),
                service: None,
                history: VecDeque::new(),
                history_bytes: 0,
                seq: self.seq,
            },
        );
        Ok(channel_id)
    }

    pub(crate) fn get(&self, channel_id: &str) -> Result<&Channel, ApiError> {
        self.map.get(channel_id).ok_or_else(|| unknown(channel_id))
    }

    pub(crate) fn get_mut(&mut self, channel_id: &str) -> Result<&mut Channel, ApiError> {
        self.map
            .get_mut(channel_id)
            .ok_or_else(|| unknown(channel_id))
    }

    /// Channels in creation order.
    pub(crate) fn list(&self) -> Vec<&Channel> {
        let mut v: Vec<&Channel> = self.map.values().collect();
        v.sort_by_key(|c| c.seq);
        v
    }

    /// Adds a member at the end; `false` if it already was one.
    pub(crate) fn join(&mut self, channel_id: &str, user_id: &str) -> Result<bool, ApiError> {
        let c = self.get_mut(channel_id)?;
        if !c.member_set.insert(user_id.to_owned()) {
            return Ok(false);
        }
        c.members.push(user_id.to_owned());
        Ok(true)
    }

    /// Removes a member; `false` if it was none.
    pub(crate) fn leave(&mut self, channel_id: &str, user_id: &str) -> Result<bool, ApiError> {
        let c = self.get_mut(channel_id)?;
        if !c.member_set.remove(user_id) {
            return Ok(false);
        }
        c.members.retain(|m| m != user_id);
        Ok(true)
    }

    /// Removes a user from every channel (account deleted).
    pub(crate) fn forget_user(&mut self, user_id: &str) {
        for c in self.map.values_mut() {
            if c.member_set.remove(user_id) {
                c.members.retain(|m| m != user_id);
            }
        }
    }

    /// Appends a message to its channel's history, dropping the oldest
    /// messages over the caps.
    pub(crate) fn store(&mut self, m: StoredMessage) {
        let limits = self.limits;
        let Some(c) = self.map.get_mut(&m.channel_id) else {
            return;
        };
        c.history_bytes += m.size;
        c.history.push_back(m);
        while c.history.len() > limits.messages || c.history_bytes > limits.bytes {
            let Some(old) = c.history.pop_front() else {
                break;
            };
            c.history_bytes -= old.size;
        }
    }

    /// Binds `service_id` to the channel; refuses a channel bound to
    /// another. (Who may bind is [`crate::policy`]'s question.) A channel
    /// without an owner becomes `owner`'s.
    pub(crate) fn bind(
        &mut self,
        channel_id: &str,
        service_id: &str,
        owner: &str,
    ) -> Result<(), ApiError> {
        let c = self.get_mut(channel_id)?;
        if c.owner.is_none() {
            c.owner = Some(owner.to_owned());
        }
        match &c.service {
            Some(s) if s != service_id => Err(ApiError::new(
                codes::ALREADY_BOUND,
                StatusCode::CONFLICT,
                "channel already bound",
            )),
            _ => {
                c.service = Some(service_id.to_owned());
                Ok(())
            }
        }
    }

    /// Unbinds `service_id` from the channel; refuses if it is not bound there.
    pub(crate) fn unbind(&mut self, channel_id: &str, service_id: &str) -> Result<(), ApiError> {
        let c = self.get_mut(channel_id)?;
        if c.service.as_deref() != Some(service_id) {
            return Err(ApiError::not_found(format!(
                "service `{service_id}` is not bound to channel `{channel_id}`"
            )));
        }
        c.service = None;
        Ok(())
    }

    /// Channel ids bound to a service, in channel creation order.
    pub(crate) fn bound_to(&self, service_id: &str) -> Vec<String> {
        self.list()
            .into_iter()
            .filter(|c| c.service.as_deref() == Some(service_id))
            .map(|c| c.channel_id.clone())
            .collect()
    }

    /// Finds a stored message by id in one channel.
    pub(crate) fn message(&self, channel_id: &str, message_id: &str) -> Option<&StoredMessage> {
        self.map
            .get(channel_id)?
            .history
            .iter()
            .find(|m| m.message_id == message_id)
    }
}

fn unknown(channel_id: &str) -> ApiError {
    ApiError::not_found(format!("unknown channel `{channel_id}`"))
}
