//! Joins, leaves and refreshes.

use super::Context;
use crate::ids::{ChannelId, CharacterId};
use serde::{Deserialize, Serialize};

/// A join, leave or refresh received by a service. Which one it is, is said
/// by the [`Action`](crate::ws::Action) variant that carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SimpleAction {
    /// The channel.
    pub channel_id: ChannelId,
    /// The user who acted.
    pub sender: CharacterId,
    /// Free-form context.
    #[serde(
        default,
        deserialize_with = "super::deserialize_raw_context",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<Context>,
}

impl SimpleAction {
    /// A join, leave or refresh of `sender` in `channel_id`, without context.
    #[must_use]
    pub fn new(channel_id: impl Into<ChannelId>, sender: impl Into<CharacterId>) -> Self {
        Self {
            channel_id: channel_id.into(),
            sender: sender.into(),
            context: None,
        }
    }
}
