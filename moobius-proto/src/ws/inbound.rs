//! Frames the platform sends to a client (PROTOCOL.md §6), and their decoder.

use super::{frame_type, DecodeError, MAX_INBOUND_FRAME_BYTES};
use crate::ids::{ButtonId, ChannelId, CharacterId, MenuItemId, MessageId};
use crate::model::{
    ActionSubtype, ButtonClick, ClickArgument, Context, CopyBody, MenuItemClick, MessageBody,
    MessageContent, MessageSubtype, SimpleAction, UpdateBody,
};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// One decoded platform frame.
///
/// Recipients and character lists are as the frame carried them (group ids);
/// the session resolves them before handing events to the application.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Inbound {
    /// A user's message, forwarded to the service (service mode).
    MessageUp(Box<MessageBody>),
    /// A service's message, delivered to a user (user mode).
    MessageDown(Box<MessageBody>),
    /// A user action, forwarded to the service (service mode).
    Action(Action),
    /// An interface update, delivered to a user (user mode).
    Update(Box<UpdateBody>),
    /// The platform's acknowledgement of a client frame.
    Copy(CopyBody),
    /// A frame with a `message` and no `body`: an error from the platform or
    /// its gateway (e.g. `{"message": "Internal server error"}`).
    PlatformError {
        /// The message, as sent.
        message: String,
    },
    /// A frame of a type this SDK does not know, or without a type.
    Unknown(UnknownFrame),
}

/// A frame this SDK does not know, kept whole.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UnknownFrame {
    /// Its `type`, if it had a string one.
    pub frame_type: Option<String>,
    /// The whole frame.
    pub raw: serde_json::Value,
}

/// A user action received by a service.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// A user joined the channel (`join`; `join_channel` is accepted too).
    Join(SimpleAction),
    /// A user left the channel (`leave`; `leave_channel` is accepted too).
    Leave(SimpleAction),
    /// A client asks for the channel's state (`refresh`, or the legacy
    /// top-level `refresh` frame).
    Refresh(SimpleAction),
    /// A button was clicked.
    ButtonClick(Box<ButtonClick>),
    /// A menu item was clicked on a message.
    MenuItemClick(Box<MenuItemClick>),
    /// A subtype this SDK does not handle (e.g. legacy `fetch_characters`).
    Other {
        /// The subtype as sent.
        subtype: String,
        /// The whole body as sent.
        body: serde_json::Value,
    },
}

impl Action {
    /// The channel the action happened in, when the action says.
    #[must_use]
    pub fn channel_id(&self) -> Option<&ChannelId> {
        match self {
            Self::Join(a) | Self::Leave(a) | Self::Refresh(a) => Some(&a.channel_id),
            Self::ButtonClick(c) => Some(&c.channel_id),
            Self::MenuItemClick(c) => Some(&c.channel_id),
            Self::Other { .. } => None,
        }
    }
}

/// Decodes one text frame from the platform (limit: [`MAX_INBOUND_FRAME_BYTES`]).
///
/// ```
/// use moobius_proto::ws::{decode_inbound, Inbound};
/// let frame = r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{"text":"hi"},
///   "timestamp":1,"recipients":"g","sender":"u","message_id":"m"}}"#;
/// let Inbound::MessageUp(msg) = decode_inbound(frame)? else { panic!() };
/// assert_eq!(msg.content.text.as_deref(), Some("hi"));
/// # Ok::<(), moobius_proto::ws::DecodeError>(())
/// ```
pub fn decode_inbound(text: &str) -> Result<Inbound, DecodeError> {
    decode_inbound_with_limit(text, MAX_INBOUND_FRAME_BYTES)
}

/// Decodes one frame given as bytes (checked for UTF-8 first).
pub fn decode_inbound_bytes(bytes: &[u8]) -> Result<Inbound, DecodeError> {
    if bytes.len() > MAX_INBOUND_FRAME_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            limit: MAX_INBOUND_FRAME_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::NotUtf8 {
        at: e.valid_up_to(),
    })?;
    decode_inbound(text)
}

/// Decodes one text frame, refusing frames longer than `limit` bytes.
pub fn decode_inbound_with_limit(text: &str, limit: usize) -> Result<Inbound, DecodeError> {
    if text.len() > limit {
        return Err(DecodeError::TooLarge {
            len: text.len(),
            limit,
        });
    }
    // The usual frames in their usual form: one pass straight into the model.
    if let Some(inbound) = super::inbound_fast::decode(text) {
        return Ok(inbound);
    }
    decode_general(text)
}

/// The general decoder (serde_json), the authority on every frame: what the
/// fast path reads, it reads the same.
pub(super) fn decode_general(text: &str) -> Result<Inbound, DecodeError> {
    // One pass, no path bookkeeping. On failure, decode again with path
    // tracking to say where it failed; that cost is paid only by bad frames.
    let decoded = match serde_json::from_str::<Frame>(text) {
        Ok(frame) => frame,
        Err(_) => return Err(explain_failure(text)),
    };
    Ok(match decoded {
        Frame::Done(inbound) => inbound,
        Frame::NeedsRaw(kind) => finish_with_raw(text, kind)?,
    })
}

/// Re-runs the decoder with path tracking to build a precise error.
fn explain_failure(text: &str) -> DecodeError {
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, Frame>(&mut de) {
        Ok(_) => DecodeError::Syntax {
            line: 0,
            column: 0,
            message: "frame decoded only on the second attempt".into(),
        },
        Err(e) => {
            let path = e.path().to_string();
            let frame_type = sniff_type(text).unwrap_or_else(|| "untyped".into());
            if e.inner().to_string().contains(NOT_AN_OBJECT) {
                return DecodeError::NotAnObject;
            }
            DecodeError::from_json(&frame_type, path, e.inner())
        }
    }
}

/// The frame's `type`, if the text is an object with a string `type`.
fn sniff_type(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct T {
        #[serde(rename = "type")]
        t: Option<String>,
    }
    serde_json::from_str::<T>(text).ok().and_then(|t| t.t)
}

const NOT_AN_OBJECT: &str = "a frame must be a JSON object";

/// What still needs the raw JSON after the typed pass.
enum RawKind {
    Unknown(Option<String>),
    OtherAction(String),
}

fn finish_with_raw(text: &str, kind: RawKind) -> Result<Inbound, DecodeError> {
    let raw: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| DecodeError::from_json("untyped", ".".into(), &e))?;
    Ok(match kind {
        RawKind::Unknown(frame_type) => Inbound::Unknown(UnknownFrame { frame_type, raw }),
        RawKind::OtherAction(subtype) => {
            let body = match raw {
                serde_json::Value::Object(mut m) => m.remove("body").unwrap_or_default(),
                _ => serde_json::Value::Null,
            };
            Inbound::Action(Action::Other { subtype, body })
        }
    })
}

/// Result of the typed pass over a frame.
enum Frame {
    Done(Inbound),
    NeedsRaw(RawKind),
}

/// The frame types whose body this decoder understands.
#[derive(Clone, Copy)]
enum Known {
    MessageUp,
    MessageDown,
    Action,
    Update,
    Copy,
    Refresh,
}

impl Known {
    fn from_wire(t: &str) -> Option<Self> {
        Some(match t {
            frame_type::MESSAGE_UP => Self::MessageUp,
            frame_type::MESSAGE_DOWN => Self::MessageDown,
            frame_type::ACTION => Self::Action,
            frame_type::UPDATE => Self::Update,
            frame_type::COPY => Self::Copy,
            frame_type::REFRESH => Self::Refresh,
            _ => return None,
        })
    }
}

/// A decoded body, before it is wrapped in [`Inbound`].
enum Body {
    Done(Inbound),
    OtherAction(String),
}

impl<'de> DeserializeSeed<'de> for Known {
    type Value = Body;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Body, D::Error> {
        Ok(Body::Done(match self {
            Known::MessageUp => Inbound::MessageUp(Box::new(MessageBody::deserialize(d)?)),
            Known::MessageDown => Inbound::MessageDown(Box::new(MessageBody::deserialize(d)?)),
            Known::Update => Inbound::Update(Box::new(UpdateBody::deserialize(d)?)),
            Known::Copy => Inbound::Copy(CopyBody::deserialize(d)?),
            Known::Refresh => Inbound::Action(Action::Refresh(SimpleAction::deserialize(d)?)),
            Known::Action => match ActionBody::deserialize(d)?.0 {
                Ok(action) => Inbound::Action(action),
                Err(subtype) => return Ok(Body::OtherAction(subtype)),
            },
        }))
    }
}

impl<'de> Deserialize<'de> for Frame {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Frame;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(NOT_AN_OBJECT)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Frame, A::Error> {
                let mut ty: Option<Cow<'de, str>> = None;
                let mut body: Option<Body> = None;
                let mut early_body: Option<serde_json::Value> = None;
                let mut message: Option<String> = None;
                while let Some(key) = map.next_key::<FrameKey>()? {
                    match key {
                        FrameKey::Type => ty = map.next_value::<Option<Text<'de>>>()?.map(|t| t.0),
                        FrameKey::Body => match ty.as_deref().map(Known::from_wire) {
                            Some(Some(known)) => body = Some(map.next_value_seed(known)?),
                            Some(None) => {
                                map.next_value::<IgnoredAny>()?;
                            }
                            None => early_body = Some(map.next_value()?),
                        },
                        FrameKey::Message => {
                            message = match map.next_value::<serde_json::Value>()? {
                                serde_json::Value::String(s) => Some(s),
                                serde_json::Value::Null => None,
                                other => Some(other.to_string()),
                            }
                        }
                        FrameKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let known = ty.as_deref().and_then(Known::from_wire);
                let has_body = body.is_some() || early_body.as_ref().is_some_and(|b| !b.is_null());
                if let (Some(message), false) = (&message, has_body) {
                    return Ok(Frame::Done(Inbound::PlatformError {
                        message: message.clone(),
                    }));
                }
                let Some(known) = known else {
                    return Ok(Frame::NeedsRaw(RawKind::Unknown(ty.map(Cow::into_owned))));
                };
                let body = match (body, early_body) {
                    (Some(b), _) => b,
                    (None, Some(v)) => known.deserialize(v).map_err(de::Error::custom)?,
                    (None, None) => return Err(de::Error::missing_field("body")),
                };
                Ok(match body {
                    Body::Done(inbound) => Frame::Done(inbound),
                    Body::OtherAction(subtype) => Frame::NeedsRaw(RawKind::OtherAction(subtype)),
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// A top-level key of a frame. Decoded without allocating: serde's own
/// `Cow<str>` impl always copies into a `String`, once per key of every frame.
enum FrameKey {
    Type,
    Body,
    Message,
    Other,
}

impl<'de> Deserialize<'de> for FrameKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FrameKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FrameKey, E> {
                Ok(match v {
                    "type" => FrameKey::Type,
                    "body" => FrameKey::Body,
                    "message" => FrameKey::Message,
                    _ => FrameKey::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A string borrowed from the input when it has no escapes, copied otherwise
/// (serde's `Cow<str>` impl always copies).
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The body of an `action` frame: the typed action, or `Err(subtype)` for a
/// subtype this SDK does not handle.
///
/// Decoded by hand rather than through a derived struct of every key any
/// action may carry: that struct (~700 bytes) was moved whole on every frame.
/// A key given twice takes its last value, as a `serde_json::Value` decode does.
struct ActionBody(Result<Action, String>);

/// A key of an action body.
enum ActionKey {
    Subtype,
    ChannelId,
    Sender,
    Context,
    ButtonId,
    Arguments,
    Labels,
    BottomButtonId,
    ButtonType,
    MenuItemId,
    MessageId,
    MessageSubtype,
    MessageContent,
    Other,
}

impl<'de> Deserialize<'de> for ActionKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ActionKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ActionKey, E> {
                Ok(match v {
                    "subtype" => ActionKey::Subtype,
                    "channel_id" => ActionKey::ChannelId,
                    "sender" => ActionKey::Sender,
                    "context" => ActionKey::Context,
                    "button_id" => ActionKey::ButtonId,
                    "arguments" => ActionKey::Arguments,
                    "labels" => ActionKey::Labels,
                    "bottom_button_id" => ActionKey::BottomButtonId,
                    "button_type" => ActionKey::ButtonType,
                    "menu_item_id" => ActionKey::MenuItemId,
                    "message_id" => ActionKey::MessageId,
                    "message_subtype" => ActionKey::MessageSubtype,
                    "message_content" => ActionKey::MessageContent,
                    _ => ActionKey::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// The members of an action body as read so far, by either decoder (this
/// one or the fast path): [`ActionParts::finish`] makes the action, the same
/// way for both.
#[derive(Default)]
pub(super) struct ActionParts {
    pub(super) subtype: Option<ActionSubtype>,
    pub(super) channel_id: Option<ChannelId>,
    pub(super) sender: Option<CharacterId>,
    pub(super) context: Option<Context>,
    pub(super) button_id: Option<ButtonId>,
    pub(super) arguments: Vec<ClickArgument>,
    pub(super) labels: Option<Vec<String>>,
    pub(super) bottom_button_id: Option<String>,
    pub(super) button_type: Option<String>,
    pub(super) menu_item_id: Option<MenuItemId>,
    pub(super) message_id: Option<MessageId>,
    pub(super) message_subtype: Option<MessageSubtype>,
    /// Boxed: most actions have none, and the parts are moved into `finish`.
    pub(super) message_content: Option<Box<MessageContent>>,
}

impl ActionParts {
    /// The action (`Err(subtype)` inside for a subtype this SDK does not
    /// handle), or the name of a missing member.
    #[inline]
    pub(super) fn finish(self) -> Result<Result<Action, String>, &'static str> {
        fn need<T>(v: Option<T>, field: &'static str) -> Result<T, &'static str> {
            v.ok_or(field)
        }
        let p = self;
        let simple = |channel_id, sender, context| -> Result<SimpleAction, &'static str> {
            Ok(SimpleAction {
                channel_id: need(channel_id, "channel_id")?,
                sender: need(sender, "sender")?,
                context,
            })
        };
        Ok(Ok(match need(p.subtype, "subtype")? {
            ActionSubtype::Join | ActionSubtype::JoinChannel => {
                Action::Join(simple(p.channel_id, p.sender, p.context)?)
            }
            ActionSubtype::Leave | ActionSubtype::LeaveChannel => {
                Action::Leave(simple(p.channel_id, p.sender, p.context)?)
            }
            ActionSubtype::Refresh => Action::Refresh(simple(p.channel_id, p.sender, p.context)?),
            ActionSubtype::ButtonClick => Action::ButtonClick(Box::new(ButtonClick {
                button_id: need(p.button_id, "button_id")?,
                channel_id: need(p.channel_id, "channel_id")?,
                sender: need(p.sender, "sender")?,
                arguments: p.arguments,
                labels: p.labels,
                bottom_button_id: p.bottom_button_id,
                context: p.context,
                button_type: p.button_type,
            })),
            ActionSubtype::MenuItemClick => Action::MenuItemClick(Box::new(MenuItemClick {
                menu_item_id: need(p.menu_item_id, "menu_item_id")?,
                message_subtype: need(p.message_subtype, "message_subtype")?,
                message_content: p.message_content.map(|c| *c).unwrap_or_default(),
                channel_id: need(p.channel_id, "channel_id")?,
                sender: need(p.sender, "sender")?,
                message_id: p.message_id,
                arguments: p.arguments,
                bottom_button_id: p.bottom_button_id,
                context: p.context,
            })),
            ActionSubtype::Other(s) => return Ok(Err(s)),
        }))
    }
}

/// Click arguments, flattened one level ([`crate::model::flatten_click_arguments`]).
struct Arguments(Vec<ClickArgument>);

impl<'de> Deserialize<'de> for Arguments {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::model::flatten_click_arguments(d).map(Arguments)
    }
}

impl<'de> Deserialize<'de> for ActionBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ActionBody;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an action body")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ActionBody, A::Error> {
                let mut p = ActionParts::default();
                while let Some(key) = map.next_key::<ActionKey>()? {
                    match key {
                        ActionKey::Subtype => p.subtype = Some(map.next_value()?),
                        ActionKey::ChannelId => p.channel_id = map.next_value()?,
                        ActionKey::Sender => p.sender = map.next_value()?,
                        ActionKey::Context => {
                            p.context = map.next_value::<crate::model::RawContext>()?.0
                        }
                        ActionKey::ButtonId => p.button_id = map.next_value()?,
                        ActionKey::Arguments => p.arguments = map.next_value::<Arguments>()?.0,
                        ActionKey::Labels => p.labels = map.next_value()?,
                        ActionKey::BottomButtonId => p.bottom_button_id = map.next_value()?,
                        ActionKey::ButtonType => p.button_type = map.next_value()?,
                        ActionKey::MenuItemId => p.menu_item_id = map.next_value()?,
                        ActionKey::MessageId => p.message_id = map.next_value()?,
                        ActionKey::MessageSubtype => p.message_subtype = map.next_value()?,
                        ActionKey::MessageContent => p.message_content = map.next_value()?,
                        ActionKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                p.finish().map(ActionBody).map_err(de::Error::missing_field)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_path(text: &str) -> String {
        match decode_inbound(text) {
            Err(DecodeError::Shape { path, .. }) => path,
            other => panic!("expected a shape error, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_path() {
        let p = shape_path(
            r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{"text":5},"timestamp":1,"sender":"u"}}"#,
        );
        assert_eq!(p, "body.content.text");
        let p = shape_path(r#"{"type":"copy","body":{"request_id":"r","status":"yes"}}"#);
        assert_eq!(p, "body.status");
        let p = shape_path(r#"{"type":"message_up"}"#);
        assert_eq!(p, ".");
    }

    #[test]
    fn truncated_and_non_object_frames() {
        assert!(matches!(
            decode_inbound(r#"{"type":"copy","bo"#),
            Err(DecodeError::Syntax { .. })
        ));
        assert_eq!(decode_inbound("[1,2]"), Err(DecodeError::NotAnObject));
        assert_eq!(decode_inbound("\"x\""), Err(DecodeError::NotAnObject));
        assert!(matches!(
            decode_inbound(""),
            Err(DecodeError::Syntax { .. })
        ));
        assert_eq!(
            decode_inbound_bytes(b"{\xff}"),
            Err(DecodeError::NotUtf8 { at: 1 })
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(decode_inbound(&deep).is_err());
        let deep_body = format!(
            r#"{{"type":"roger","body":{}{}}}"#,
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(matches!(
            decode_inbound(&deep_body),
            Err(DecodeError::Syntax { .. })
        ));
    }

    #[test]
    fn oversized_frames_are_refused() {
        let big = format!(r#"{{"type":"roger","body":"{}"}}"#, "x".repeat(3 << 20));
        assert!(matches!(
            decode_inbound(&big),
            Err(DecodeError::TooLarge { .. })
        ));
        assert!(decode_inbound_with_limit(&big, 4 << 20).is_ok());
    }

    #[test]
    fn body_before_type_decodes() {
        let f =
            r#"{"body":{"request_id":"r","origin_type":"heartbeat","status":true},"type":"copy"}"#;
        assert!(matches!(decode_inbound(f), Ok(Inbound::Copy(c)) if c.status));
    }

    #[test]
    fn action_keys_given_twice_take_the_last_value_as_a_value_decode_does() {
        let f = r#"{"type":"action","body":{"subtype":"leave","channel_id":"c1","sender":"u","channel_id":"c2","subtype":"join"}}"#;
        let generic: serde_json::Value = serde_json::from_str(f).unwrap();
        assert_eq!(generic["body"]["channel_id"], "c2");
        match decode_inbound(f).unwrap() {
            Inbound::Action(Action::Join(a)) => assert_eq!(a.channel_id, "c2"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_context_that_is_not_an_object_is_a_shape_error_at_its_path() {
        let p = shape_path(
            r#"{"type":"action","body":{"subtype":"join","channel_id":"c","sender":"u","context":5}}"#,
        );
        assert_eq!(p, "body.context");
        let p = shape_path(
            r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{},"sender":"u","context":[]}}"#,
        );
        assert_eq!(p, "body.context");
    }

    #[test]
    fn a_received_context_is_kept_as_text_until_read() {
        let f = r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{"text":"hi"},"sender":"u","context":{"group_id":"g","channel_type":"ccs"}}}"#;
        let Inbound::MessageUp(m) = decode_inbound(f).unwrap() else {
            panic!("not a message_up")
        };
        let ctx = m.context.as_ref().unwrap();
        assert_eq!(
            ctx.raw_json(),
            Some(r#"{"group_id":"g","channel_type":"ccs"}"#)
        );
        assert_eq!(ctx.get_str("group_id"), Some("g"));
        assert_eq!(ctx.len(), 2);
        let join = r#"{"type":"action","body":{"subtype":"join","channel_id":"c","sender":"u","context":{}}}"#;
        let Inbound::Action(Action::Join(a)) = decode_inbound(join).unwrap() else {
            panic!("not a join")
        };
        assert!(a.context.unwrap().is_empty());
    }

    #[test]
    fn unknown_action_subtype_keeps_body() {
        let f = r#"{"type":"action","body":{"subtype":"fetch_characters","channel_id":"c","sender":"u"}}"#;
        match decode_inbound(f).unwrap() {
            Inbound::Action(Action::Other { subtype, body }) => {
                assert_eq!(subtype, "fetch_characters");
                assert_eq!(body["channel_id"], "c");
            }
            other => panic!("{other:?}"),
        }
    }
}
