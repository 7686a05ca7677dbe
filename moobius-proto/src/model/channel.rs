//! Channel descriptions.

use crate::ids::ChannelId;
use serde::{Deserialize, Serialize};

/// A channel's name, description and type (`"ccs"`, `"dcs"`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelInfo {
    /// The channel.
    pub channel_id: ChannelId,
    /// Its name.
    #[serde(default)]
    pub channel_name: String,
    /// Its description.
    #[serde(default)]
    pub channel_description: String,
    /// Its type.
    #[serde(default)]
    pub channel_type: String,
}

impl ChannelInfo {
    /// The name and description of `channel_id`, with an empty type.
    #[must_use]
    pub fn new(
        channel_id: impl Into<ChannelId>,
        channel_name: impl Into<String>,
        channel_description: impl Into<String>,
    ) -> Self {
        Self {
            channel_id: channel_id.into(),
            channel_name: channel_name.into(),
            channel_description: channel_description.into(),
            channel_type: String::new(),
        }
    }

    /// The same info with its channel type (`"ccs"`, `"dcs"`, …).
    #[must_use]
    pub fn with_channel_type(mut self, channel_type: impl Into<String>) -> Self {
        self.channel_type = channel_type.into();
        self
    }
}
