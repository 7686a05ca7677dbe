//! Channel descriptions.

use crate::ids::ChannelId;
use serde::{Deserialize, Serialize};

/// A channel's name, description and type (`"ccs"`, `"dcs"`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
