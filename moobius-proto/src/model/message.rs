//! Messages: their content and the body that carries them.

use super::{CharacterRefs, Context, MessageSubtype};
use crate::ids::{ChannelId, CharacterId, MessageId};
use serde::{Deserialize, Serialize};

/// What a message holds. Which members are set depends on the subtype:
/// `text` for text and cards, `path` (a URL) for image/audio/file,
/// `filename` and `size` for files, `link`/`title`/`button` for cards.
///
/// Unknown keys in a received content object are ignored. `None` members are
/// omitted when encoding, as the platform expects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageContent {
    /// Text of a text message or card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// URL of an image, audio clip or file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Size of a file in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Name shown for a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Target URL of a card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Title of a card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Button text of a card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
}

impl MessageContent {
    /// Content of a plain text message.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// Content pointing at a URL (image, audio or file).
    #[must_use]
    pub fn path(url: impl Into<String>) -> Self {
        Self {
            path: Some(url.into()),
            ..Self::default()
        }
    }
}

/// A message as received (`message_up` by services, `message_down` by users).
///
/// `recipients` is what the frame carried: normally a group id, which the
/// session resolves to character ids before the application sees the message;
/// `None` when the platform stripped it (as it does for users).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageBody {
    /// What the message carries.
    pub subtype: MessageSubtype,
    /// The channel it was sent in.
    pub channel_id: ChannelId,
    /// The payload.
    pub content: MessageContent,
    /// Milliseconds since the Unix epoch, from the sender's clock.
    #[serde(default)]
    pub timestamp: i64,
    /// Intended recipients, as sent on the wire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<CharacterRefs>,
    /// The character shown as author.
    pub sender: CharacterId,
    /// Platform id of the message; absent in some frames.
    #[serde(default)]
    pub message_id: Option<MessageId>,
    /// Free-form context (the platform adds e.g. `group_id`, `channel_type`).
    #[serde(
        default,
        deserialize_with = "super::deserialize_raw_context",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<Context>,
}
