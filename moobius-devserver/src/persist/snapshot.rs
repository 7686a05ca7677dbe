//! The state file's format: a versioned, serde-typed copy of what survives a
//! restart, converted to and from the in-memory [`State`].
//!
//! The format is independent of the in-memory layout (indexes, counters,
//! caches), which stays free to change; a change of the format itself bumps
//! [`FORMAT_VERSION`]. Lists keep creation order, which the in-memory state
//! rebuilds by restoring in that order.
//!
//! What is *not* kept: access and refresh tokens (clients sign in again),
//! pending sign-up and reset codes (ask for a new one), upload keys handed
//! out but never used, websocket connections and their frame logs, and the
//! recently seen request ids.

use crate::state::channels::StoredMessage;
use crate::state::groups::GroupKind;
use crate::state::State;
use bytes::Bytes;
use moobius_proto::model::{Context, MessageContent, MessageSubtype};
use moobius_proto::ws::frame_type;
use serde::{Deserialize, Serialize};

/// The format version this devserver writes and reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Everything that survives a restart (format version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    /// Always [`FORMAT_VERSION`] when written by this devserver.
    pub(crate) version: u32,
    /// Accounts, in creation order.
    #[serde(default)]
    pub(crate) accounts: Vec<AccountRecord>,
    /// Ids of deleted accounts (old messages and groups still name them).
    #[serde(default)]
    pub(crate) deleted_accounts: Vec<String>,
    /// Services, in creation order.
    #[serde(default)]
    pub(crate) services: Vec<ServiceRecord>,
    /// Agents (service characters), in creation order.
    #[serde(default)]
    pub(crate) agents: Vec<AgentRecord>,
    /// Channels with their members, binding and history, in creation order.
    #[serde(default)]
    pub(crate) channels: Vec<ChannelRecord>,
    /// Service and channel groups, in creation order.
    #[serde(default)]
    pub(crate) groups: Vec<GroupRecord>,
    /// Uploaded files (their bytes live in the folder beside the file).
    #[serde(default)]
    pub(crate) files: Vec<FileRecord>,
}

/// One account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccountRecord {
    pub(crate) user_id: String,
    pub(crate) email: String,
    /// In clear: the devserver is a development tool (keep the file private).
    pub(crate) password: String,
    pub(crate) confirmed: bool,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) avatar: String,
    #[serde(default)]
    pub(crate) description: String,
}

/// One service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ServiceRecord {
    pub(crate) service_id: String,
    /// The owning account's user id.
    pub(crate) owner: String,
    #[serde(default)]
    pub(crate) description: String,
}

/// One agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AgentRecord {
    pub(crate) character_id: String,
    pub(crate) service_id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) avatar: String,
    #[serde(default)]
    pub(crate) description: String,
}

/// One channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChannelRecord {
    pub(crate) channel_id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: String,
    /// The owning account, if any.
    #[serde(default)]
    pub(crate) owner: Option<String>,
    /// Member user ids, in joining order.
    #[serde(default)]
    pub(crate) members: Vec<String>,
    /// The bound service, if any.
    #[serde(default)]
    pub(crate) service_id: Option<String>,
    /// The history, oldest first (capped again at start by the history
    /// limits in force then).
    #[serde(default)]
    pub(crate) history: Vec<MessageRecord>,
}

/// Which way a stored message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Direction {
    /// From a user (`message_up`).
    MessageUp,
    /// From a service (`message_down`).
    MessageDown,
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MessageRecord {
    pub(crate) message_id: String,
    pub(crate) direction: Direction,
    pub(crate) subtype: MessageSubtype,
    pub(crate) content: MessageContent,
    pub(crate) sender: String,
    /// The recipients group id as sent (`"service"` included).
    pub(crate) recipients: String,
    pub(crate) timestamp: i64,
    #[serde(default)]
    pub(crate) context: Context,
    /// Its size as delivered, in bytes (counts against the history cap).
    pub(crate) size: usize,
}

/// One group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GroupRecord {
    pub(crate) group_id: String,
    /// The account that created it.
    pub(crate) owner: String,
    pub(crate) characters: Vec<String>,
    /// Set for a channel group (`/user/group/create`), absent for a
    /// service group.
    #[serde(default)]
    pub(crate) channel: Option<ChannelGroupRecord>,
}

/// Where a channel group lives and what it is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ChannelGroupRecord {
    pub(crate) channel_id: String,
    pub(crate) name: String,
}

/// One uploaded file; its bytes are in the files folder, under
/// [`super::store::disk_name`] of its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    pub(crate) key: String,
    pub(crate) content_type: String,
    /// Length in bytes (checked when loading).
    pub(crate) size: u64,
    /// The bytes (not in the JSON).
    #[serde(skip)]
    pub(crate) bytes: Bytes,
}

impl Direction {
    fn of(direction: &str) -> Self {
        if direction == frame_type::MESSAGE_DOWN {
            Self::MessageDown
        } else {
            Self::MessageUp
        }
    }

    fn frame_type(self) -> &'static str {
        match self {
            Self::MessageUp => frame_type::MESSAGE_UP,
            Self::MessageDown => frame_type::MESSAGE_DOWN,
        }
    }
}

impl State {
    /// A copy of everything that survives a restart.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: FORMAT_VERSION,
            accounts: self
                .accounts
                .list()
                .into_iter()
                .map(|a| AccountRecord {
                    user_id: a.user_id.clone(),
                    email: a.email.clone(),
                    password: a.password().to_owned(),
                    confirmed: a.confirmed,
                    name: a.name.clone(),
                    avatar: a.avatar.clone(),
                    description: a.description.clone(),
                })
                .collect(),
            deleted_accounts: self.accounts.deleted_ids(),
            services: self
                .services
                .list(None)
                .into_iter()
                .map(|s| ServiceRecord {
                    service_id: s.service_id.clone(),
                    owner: s.owner.clone(),
                    description: s.description.clone(),
                })
                .collect(),
            agents: self
                .services
                .agents(None)
                .into_iter()
                .map(|a| AgentRecord {
                    character_id: a.character_id.clone(),
                    service_id: a.service_id.clone(),
                    name: a.name.clone(),
                    avatar: a.avatar.clone(),
                    description: a.description.clone(),
                })
                .collect(),
            channels: self
                .channels
                .list()
                .into_iter()
                .map(|c| ChannelRecord {
                    channel_id: c.channel_id.clone(),
                    name: c.name.clone(),
                    description: c.description.clone(),
                    owner: c.owner.clone(),
                    members: c.members.clone(),
                    service_id: c.service.clone(),
                    history: c.history.iter().map(message_record).collect(),
                })
                .collect(),
            groups: self
                .groups
                .list()
                .into_iter()
                .map(|g| GroupRecord {
                    group_id: g.group_id.clone(),
                    owner: g.owner.clone(),
                    characters: g.characters.clone(),
                    channel: match &g.kind {
                        GroupKind::Service => None,
                        GroupKind::Channel { channel_id, name } => Some(ChannelGroupRecord {
                            channel_id: channel_id.clone(),
                            name: name.clone(),
                        }),
                    },
                })
                .collect(),
            files: self
                .files
                .keys()
                .into_iter()
                .filter_map(|key| {
                    let f = self.files.get(&key)?;
                    Some(FileRecord {
                        size: f.bytes.len() as u64,
                        content_type: f.content_type.clone(),
                        bytes: f.bytes.clone(),
                        key,
                    })
                })
                .collect(),
        }
    }

    /// Puts a snapshot back into this (fresh) state, in creation order.
    /// The history limits already set here apply. Fails, saying what is
    /// inconsistent, on duplicate ids or references to unknown services.
    pub(crate) fn restore(&mut self, s: Snapshot) -> Result<(), String> {
        for a in s.accounts {
            let account = self
                .accounts
                .restore(&a.user_id, &a.email, &a.password, a.confirmed)
                .map_err(|e| format!("account `{}`: {}", a.email, e.message))?;
            account.name = a.name;
            account.avatar = a.avatar;
            account.description = a.description;
        }
        for id in &s.deleted_accounts {
            self.accounts.restore_deleted(id);
        }
        for v in s.services {
            self.services
                .create_with_id(&v.service_id, &v.owner, &v.description)
                .map_err(|e| format!("service `{}`: {}", v.service_id, e.message))?;
        }
        for a in s.agents {
            self.services
                .restore_agent(
                    &a.character_id,
                    &a.service_id,
                    &a.name,
                    &a.avatar,
                    &a.description,
                )
                .map_err(|e| e.message)?;
        }
        for c in s.channels {
            let id = c.channel_id;
            let fail = |m: String| format!("channel `{id}`: {m}");
            self.channels
                .create(Some(&id), &c.name, &c.description, c.owner.as_deref())
                .map_err(|e| fail(e.message))?;
            for m in &c.members {
                self.channels.join(&id, m).map_err(|e| fail(e.message))?;
            }
            if let Some(service_id) = &c.service_id {
                let owner = self
                    .services
                    .get(service_id)
                    .map(|v| v.owner.clone())
                    .ok_or_else(|| fail(format!("bound to unknown service `{service_id}`")))?;
                let owner = c.owner.clone().unwrap_or(owner);
                self.channels
                    .bind(&id, service_id, &owner)
                    .map_err(|e| fail(e.message))?;
            }
            for m in c.history {
                self.channels.store(StoredMessage {
                    message_id: m.message_id,
                    channel_id: id.clone(),
                    subtype: m.subtype,
                    content: m.content,
                    sender: m.sender,
                    recipients: m.recipients,
                    timestamp: m.timestamp,
                    context: m.context,
                    direction: m.direction.frame_type(),
                    size: m.size,
                });
            }
        }
        for g in s.groups {
            let kind = match g.channel {
                None => GroupKind::Service,
                Some(c) => GroupKind::Channel {
                    channel_id: c.channel_id,
                    name: c.name,
                },
            };
            self.groups
                .restore(&g.group_id, kind, &g.owner, g.characters)
                .map_err(|e| e.message)?;
        }
        for f in s.files {
            self.files.put(&f.key, f.bytes, f.content_type);
        }
        Ok(())
    }
}

fn message_record(m: &StoredMessage) -> MessageRecord {
    MessageRecord {
        message_id: m.message_id.clone(),
        direction: Direction::of(m.direction),
        subtype: m.subtype.clone(),
        content: m.content.clone(),
        sender: m.sender.clone(),
        recipients: m.recipients.clone(),
        timestamp: m.timestamp,
        context: m.context.clone(),
        size: m.size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::channels::HistoryLimits;

    /// A state with one of everything, built through the state's own calls.
    fn busy_state() -> State {
        let mut st = State::default();
        let alice = st.accounts.seed("alice@x.io", "pw").expect("seed");
        let (bob, _code) = st.accounts.sign_up("bob@x.io", "pw2").expect("sign up");
        st.accounts.get_mut(&alice).expect("alice").avatar = "a.png".into();
        let gone = st.accounts.seed("gone@x.io", "pw").expect("seed");
        st.accounts.delete("gone@x.io", "pw").expect("delete");
        let svc = st.services.create(&alice, "echo");
        let agent = st
            .services
            .create_agent(&svc, "Bot", "", "a bot")
            .character_id
            .clone();
        st.channels
            .create(Some("lobby"), "Lobby", "the lobby", Some(&alice))
            .expect("channel");
        st.channels
            .create(None, "Other", "", None)
            .expect("channel");
        st.channels.join("lobby", &alice).expect("join");
        st.channels.join("lobby", &bob).expect("join");
        st.channels.bind("lobby", &svc, &alice).expect("bind");
        for (i, direction) in [frame_type::MESSAGE_UP, frame_type::MESSAGE_DOWN]
            .into_iter()
            .enumerate()
        {
            st.channels.store(StoredMessage {
                message_id: format!("m{i}"),
                channel_id: "lobby".into(),
                subtype: MessageSubtype::Text,
                content: MessageContent::text(format!("hello {i}")),
                sender: alice.clone(),
                recipients: "service".into(),
                timestamp: 1_700_000_000_000 + i as i64,
                context: Context::new(),
                direction,
                size: 100,
            });
        }
        st.groups
            .create(GroupKind::Service, &alice, vec![alice.clone(), agent, gone]);
        st.groups.create(
            GroupKind::Channel {
                channel_id: "lobby".into(),
                name: "pair".into(),
            },
            &bob,
            vec![bob.clone()],
        );
        st.files.put(
            "uploads/a.png",
            Bytes::from_static(b"\x89PNG"),
            "image/png".into(),
        );
        st
    }

    #[test]
    fn a_restored_state_snapshots_the_same() {
        let st = busy_state();
        let snap = st.snapshot();
        assert_eq!(snap.accounts.len(), 2);
        assert_eq!(snap.deleted_accounts.len(), 1);
        assert_eq!(snap.channels[0].history.len(), 2);
        assert_eq!(snap.groups.len(), 2);
        assert_eq!(snap.files[0].size, 4);
        let mut back = State::default();
        back.restore(snap.clone()).expect("restores");
        assert_eq!(back.snapshot(), snap);
        // The JSON round trip keeps everything but the file bytes, which
        // live beside it.
        let json = serde_json::to_string(&snap).expect("encodes");
        let mut decoded: Snapshot = serde_json::from_str(&json).expect("decodes");
        decoded.files[0].bytes = snap.files[0].bytes.clone();
        assert_eq!(decoded, snap);
        // What the rest of the server reads is back too.
        assert!(back.accounts.was_deleted(&snap.deleted_accounts[0]));
        let lobby = back.channels.get("lobby").expect("lobby");
        assert_eq!(
            lobby.service.as_deref(),
            Some(snap.services[0].service_id.as_str())
        );
        assert!(lobby.is_member(&snap.accounts[1].user_id));
        assert_eq!(
            back.channels.message("lobby", "m1").map(|m| m.direction),
            Some("message_down")
        );
        assert!(back
            .accounts
            .sign_in(
                "alice@x.io",
                "pw",
                std::time::Duration::from_secs(9),
                std::time::Duration::from_secs(9)
            )
            .is_ok());
        assert!(back.files.get("uploads/a.png").is_some());
    }

    #[test]
    fn restoring_caps_the_history_by_the_limits_in_force() {
        let snap = busy_state().snapshot();
        let mut back = State::default();
        back.channels.limits = HistoryLimits {
            messages: 1,
            bytes: 1 << 20,
        };
        back.restore(snap).expect("restores");
        let h = &back.channels.get("lobby").expect("lobby").history;
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].message_id, "m1", "the newest is kept");
    }

    #[test]
    fn inconsistent_snapshots_are_refused() {
        let snap = busy_state().snapshot();
        let mut twice = snap.clone();
        twice.accounts.push(twice.accounts[0].clone());
        assert!(State::default()
            .restore(twice)
            .is_err_and(|m| m.contains("alice@x.io")));
        let mut unbound = snap.clone();
        unbound.services.clear();
        unbound.agents.clear();
        assert!(State::default()
            .restore(unbound)
            .is_err_and(|m| m.contains("unknown service")));
        let mut orphan = snap;
        orphan.services.clear();
        assert!(State::default().restore(orphan).is_err());
    }
}
