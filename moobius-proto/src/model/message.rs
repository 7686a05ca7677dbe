//! Messages: their content and the body that carries them.

use super::{CharacterRefs, Context, MessageSubtype};
use crate::ids::{ChannelId, CharacterId, MessageId};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a message holds. Which members are set depends on the subtype:
/// `text` for text and cards, `path` (a URL) for image/audio/file,
/// `filename` and `size` for files, `link`/`title`/`button` for cards.
///
/// Unknown keys in a received content object are ignored. `None` members are
/// omitted when encoding, as the platform expects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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

    /// The same content with a text (of a text message or card).
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// The same content with a URL (of an image, audio clip or file).
    #[must_use]
    pub fn with_path(mut self, url: impl Into<String>) -> Self {
        self.path = Some(url.into());
        self
    }

    /// The same content with a file size in bytes.
    #[must_use]
    pub fn with_size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// The same content with a file name.
    #[must_use]
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The same content with a card's target URL.
    #[must_use]
    pub fn with_link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// The same content with a card's title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The same content with a card's button text.
    #[must_use]
    pub fn with_button(mut self, button: impl Into<String>) -> Self {
        self.button = Some(button.into());
        self
    }
}

/// A message as received (`message_up` by services, `message_down` by users).
///
/// `recipients` is what the frame carried: normally a group id, which the
/// session resolves to character ids before the application sees the message;
/// `None` when the platform stripped it (as it does for users).
///
/// Decoding ignores unknown keys and, for a key given twice, keeps the last
/// value (as a `serde_json::Value` decode does).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MessageBody {
    /// What the message carries.
    pub subtype: MessageSubtype,
    /// The channel it was sent in.
    pub channel_id: ChannelId,
    /// The payload.
    pub content: MessageContent,
    /// Milliseconds since the Unix epoch, from the sender's clock (0 when
    /// absent or `null`; a number with a fraction is truncated).
    pub timestamp: i64,
    /// Intended recipients, as sent on the wire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipients: Option<CharacterRefs>,
    /// The character shown as author.
    pub sender: CharacterId,
    /// Platform id of the message; absent in some frames.
    pub message_id: Option<MessageId>,
    /// Free-form context (the platform adds e.g. `group_id`, `channel_type`),
    /// kept as received JSON text until read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
}

impl MessageBody {
    /// A message of `sender` in `channel_id`, without recipients, id or
    /// context (set those public fields as needed).
    #[must_use]
    pub fn new(
        subtype: MessageSubtype,
        channel_id: impl Into<ChannelId>,
        content: MessageContent,
        sender: impl Into<CharacterId>,
        timestamp: i64,
    ) -> Self {
        Self {
            subtype,
            channel_id: channel_id.into(),
            content,
            timestamp,
            recipients: None,
            sender: sender.into(),
            message_id: None,
            context: None,
        }
    }
}

/// The members of a message body as read so far, by either decoder (the
/// `serde_json` one below or the websocket fast path):
/// [`MessageBodyParts::finish`] makes the body, the same way for both.
#[derive(Default)]
pub(crate) struct MessageBodyParts {
    pub(crate) subtype: Option<MessageSubtype>,
    pub(crate) channel_id: Option<ChannelId>,
    pub(crate) content: Option<MessageContent>,
    pub(crate) timestamp: i64,
    pub(crate) recipients: Option<CharacterRefs>,
    pub(crate) sender: Option<CharacterId>,
    pub(crate) message_id: Option<MessageId>,
    pub(crate) context: Option<Context>,
}

impl MessageBodyParts {
    /// The body, or the name of a missing member.
    #[inline]
    pub(crate) fn finish(self) -> Result<MessageBody, &'static str> {
        Ok(MessageBody {
            subtype: self.subtype.ok_or("subtype")?,
            channel_id: self.channel_id.ok_or("channel_id")?,
            content: self.content.ok_or("content")?,
            timestamp: self.timestamp,
            recipients: self.recipients,
            sender: self.sender.ok_or("sender")?,
            message_id: self.message_id,
            context: self.context,
        })
    }
}

/// A key of a message body.
enum BodyKey {
    Subtype,
    ChannelId,
    Content,
    Timestamp,
    Recipients,
    Sender,
    MessageId,
    Context,
    Other,
}

impl<'de> Deserialize<'de> for BodyKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = BodyKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BodyKey, E> {
                Ok(match v {
                    "subtype" => BodyKey::Subtype,
                    "channel_id" => BodyKey::ChannelId,
                    "content" => BodyKey::Content,
                    "timestamp" => BodyKey::Timestamp,
                    "recipients" => BodyKey::Recipients,
                    "sender" => BodyKey::Sender,
                    "message_id" => BodyKey::MessageId,
                    "context" => BodyKey::Context,
                    _ => BodyKey::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A `context` kept as received text (see [`super::deserialize_raw_context`]).
pub(crate) struct RawContext(pub(crate) Option<Context>);

impl<'de> Deserialize<'de> for RawContext {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::deserialize_raw_context(d).map(RawContext)
    }
}

// Written by hand (not derived) so that a key given twice keeps its last
// value, as the generic (`serde_json::Value`) decode and the frame envelope
// do, instead of failing; and so that `context` stays text.
impl<'de> Deserialize<'de> for MessageBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MessageBody;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message body")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MessageBody, A::Error> {
                let mut p = MessageBodyParts::default();
                while let Some(key) = map.next_key::<BodyKey>()? {
                    match key {
                        BodyKey::Subtype => p.subtype = Some(map.next_value()?),
                        BodyKey::ChannelId => p.channel_id = Some(map.next_value()?),
                        BodyKey::Content => p.content = Some(map.next_value()?),
                        BodyKey::Timestamp => {
                            p.timestamp = map.next_value::<super::lenient::Millis>()?.0
                        }
                        BodyKey::Recipients => p.recipients = map.next_value()?,
                        BodyKey::Sender => p.sender = Some(map.next_value()?),
                        BodyKey::MessageId => p.message_id = map.next_value()?,
                        BodyKey::Context => p.context = map.next_value::<RawContext>()?.0,
                        BodyKey::Other => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                p.finish().map_err(de::Error::missing_field)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_keeps_its_last_value_as_a_value_decode_does() {
        let text = r#"{"subtype":"text","channel_id":"c1","content":{"text":"a"},"sender":"u","channel_id":"c2","timestamp":1,"timestamp":2}"#;
        let generic: serde_json::Value = serde_json::from_str(text).unwrap();
        let typed: MessageBody = serde_json::from_str(text).unwrap();
        assert_eq!(typed.channel_id, generic["channel_id"].as_str().unwrap());
        assert_eq!(typed.timestamp, generic["timestamp"].as_i64().unwrap());
        assert_eq!(typed.timestamp, 2);
    }

    #[test]
    fn required_keys_and_shapes() {
        let err = |t: &str| {
            serde_json::from_str::<MessageBody>(t)
                .unwrap_err()
                .to_string()
        };
        assert!(err(r#"{"channel_id":"c","content":{},"sender":"u"}"#).contains("`subtype`"));
        assert!(err(r#"{"subtype":"text","content":{},"sender":"u"}"#).contains("`channel_id`"));
        assert!(err(r#"{"subtype":"text","channel_id":"c","sender":"u"}"#).contains("`content`"));
        assert!(err(r#"{"subtype":"text","channel_id":"c","content":{}}"#).contains("`sender`"));
        assert!(err(
            r#"{"subtype":"text","channel_id":"c","content":{},"sender":"u","timestamp":"1"}"#
        )
        .contains("timestamp in milliseconds"));
        let ok: MessageBody = serde_json::from_str(
            r#"{"subtype":"text","channel_id":"c","content":{},"sender":"u","recipients":null,"message_id":null,"context":null,"timestamp":null,"extra":[1]}"#,
        )
        .unwrap();
        assert_eq!(
            (ok.timestamp, ok.recipients, ok.message_id, ok.context),
            (0, None, None, None)
        );
    }
}
