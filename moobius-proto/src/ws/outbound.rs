//! Frames a client sends (PROTOCOL.md §5), and their encoder.

use super::{frame_type, AUTH_ORIGIN, TEMP_GROUP_ID};
use crate::ids::{ButtonId, ChannelId, CharacterId, MenuItemId, MessageId, RequestId, ServiceId};
use crate::model::GroupRef;
use crate::model::{
    ActionSubtype, Button, CanvasItem, ChannelInfo, ClickArgument, Context, MenuItem,
    MessageContent, MessageSubtype, StyleItem, UpdateSubtype,
};
use crate::secret::AccessToken;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// Every frame a client sends, in service or user mode.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outbound {
    /// Service mode: log in (first frame after every connect).
    ServiceLogin(ServiceLogin),
    /// User mode: log in.
    UserLogin(UserLogin),
    /// Keep-alive, every 30 s.
    Heartbeat,
    /// Service mode: a message to users.
    MessageDown(Box<MessageDown>),
    /// User mode: a message to the channel's service (and users).
    MessageUp(Box<MessageUp>),
    /// Service mode: change what users see (characters, buttons, menu, style,
    /// canvas, channel info).
    Update(Box<Update>),
    /// Service mode: an update with a body of the caller's own shape.
    GenericUpdate(GenericUpdate),
    /// User mode: join, leave, refresh, or a click.
    Action(Box<UserAction>),
    /// Any frame type with a body of the caller's own shape (the reference's
    /// generic `send`).
    Custom(CustomFrame),
}

/// `service_login`: authenticates the socket as a service.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceLogin {
    /// Own service id.
    pub service_id: ServiceId,
    /// Current access token (redacted in `Debug`).
    pub access_token: AccessToken,
}

/// `user_login`: authenticates the socket as a user.
#[derive(Clone, Debug, PartialEq)]
pub struct UserLogin {
    /// Current access token (redacted in `Debug`).
    pub access_token: AccessToken,
}

/// `message_down`: a message from a service to the users of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageDown {
    /// Own service id.
    pub service_id: ServiceId,
    /// Target channel.
    pub channel_id: ChannelId,
    /// What the message carries.
    pub subtype: MessageSubtype,
    /// The payload (`None` members are omitted).
    pub content: MessageContent,
    /// Recipients: a service group id (or `"service"`).
    pub recipients: GroupRef,
    /// The character shown as author.
    pub sender: CharacterId,
    /// Milliseconds since the Unix epoch, supplied by the caller.
    pub timestamp: i64,
    /// Free-form context (`{}` when empty).
    pub context: Context,
}

/// `message_up`: a message from a user.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageUp {
    /// Own user id (sent as both `user_id` and, as the reference does, `service_id`).
    pub user_id: CharacterId,
    /// Target channel.
    pub channel_id: ChannelId,
    /// What the message carries.
    pub subtype: MessageSubtype,
    /// The payload.
    pub content: MessageContent,
    /// Recipients: a channel group id (or `"service"`).
    pub recipients: GroupRef,
    /// Milliseconds since the Unix epoch, supplied by the caller.
    pub timestamp: i64,
    /// Free-form context.
    pub context: Context,
}

/// `update`: replaces part of what the recipients see in a channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// Own service id.
    pub service_id: ServiceId,
    /// Target channel.
    pub channel_id: ChannelId,
    /// What changes.
    pub kind: UpdateKind,
}

/// What an outbound [`Update`] changes. Lists replace the whole previous list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum UpdateKind {
    /// The character list the recipients see.
    Characters {
        /// Who sees it (service group).
        recipients: GroupRef,
        /// The ordered character list, as a service group id.
        characters: GroupRef,
    },
    /// The button bar.
    Buttons {
        /// Who sees it.
        recipients: GroupRef,
        /// The buttons, in order.
        buttons: Vec<Button>,
    },
    /// The context menu.
    Menu {
        /// Who sees it.
        recipients: GroupRef,
        /// The items, in order.
        items: Vec<MenuItem>,
    },
    /// Widget styles.
    Style {
        /// Who sees it.
        recipients: GroupRef,
        /// The styles.
        items: Vec<StyleItem>,
    },
    /// The canvas (paths must already be URLs).
    Canvas {
        /// Who sees it.
        recipients: GroupRef,
        /// The items, in order.
        items: Vec<CanvasItem>,
    },
    /// The channel's name and description. Travels in its own envelope:
    /// `subtype` and `channel_id` at top level, no recipients.
    ChannelInfo(ChannelInfo),
}

/// `update` with a body of the caller's shape (the reference's `send_update`).
/// Unlike the reference, `service_id` is always the own service id.
#[derive(Clone, Debug, PartialEq)]
pub struct GenericUpdate {
    /// Own service id.
    pub service_id: ServiceId,
    /// The body, sent as given.
    pub body: serde_json::Value,
}

/// Any frame: `{"type", "request_id", "character_id", "body"}`, plus
/// `service_id` for `message_down` (the reference's generic `send`).
#[derive(Clone, Debug, PartialEq)]
pub struct CustomFrame {
    /// The `type`.
    pub frame_type: String,
    /// Own service id or user id.
    pub client_id: String,
    /// The body, sent as given.
    pub body: serde_json::Value,
}

/// `action`: something a user does in a channel (user mode).
#[derive(Clone, Debug, PartialEq)]
pub struct UserAction {
    /// Own user id.
    pub user_id: CharacterId,
    /// The channel.
    pub channel_id: ChannelId,
    /// What the user does.
    pub kind: UserActionKind,
}

/// What a [`UserAction`] does.
// The menu-click variant is the large one; `UserAction` travels boxed in
// `Outbound`, so boxing inside too would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum UserActionKind {
    /// Join the channel (`join_channel`).
    JoinChannel,
    /// Leave the channel (`leave_channel`).
    LeaveChannel,
    /// Ask the service for the channel's state (`refresh`).
    Refresh,
    /// Click a button (and submit its dialog).
    ButtonClick {
        /// The button.
        button_id: ButtonId,
        /// Dialog values, sent as a flat list (the shape services receive;
        /// the reference wraps them in an extra list).
        arguments: Vec<ClickArgument>,
        /// The dialog's bottom button pressed (`"confirm"` by default).
        bottom_button_id: String,
    },
    /// Click a context-menu item on a message.
    MenuItemClick {
        /// The item.
        menu_item_id: MenuItemId,
        /// The clicked message: its real subtype and content are sent.
        message: ClickedMessage,
        /// Dialog values, flat.
        arguments: Vec<ClickArgument>,
        /// The dialog's bottom button pressed.
        bottom_button_id: String,
    },
}

/// The message a menu item was clicked on.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct ClickedMessage {
    /// Its id.
    pub message_id: Option<MessageId>,
    /// Its subtype.
    pub subtype: Option<MessageSubtype>,
    /// Its content.
    pub content: MessageContent,
}

impl ClickedMessage {
    /// A message known only by its content (no id, no subtype).
    #[must_use]
    pub fn new(content: MessageContent) -> Self {
        Self {
            message_id: None,
            subtype: None,
            content,
        }
    }

    /// A received message: its id, subtype and content.
    #[must_use]
    pub fn of(message: &crate::model::MessageBody) -> Self {
        Self {
            message_id: message.message_id.clone(),
            subtype: Some(message.subtype.clone()),
            content: message.content.clone(),
        }
    }
}

/// The default bottom button of a dialog.
pub const DEFAULT_BOTTOM_BUTTON: &str = "confirm";

impl Outbound {
    /// The frame's `type`.
    #[must_use]
    pub fn frame_type(&self) -> &str {
        match self {
            Self::ServiceLogin(_) => frame_type::SERVICE_LOGIN,
            Self::UserLogin(_) => frame_type::USER_LOGIN,
            Self::Heartbeat => frame_type::HEARTBEAT,
            Self::MessageDown(_) => frame_type::MESSAGE_DOWN,
            Self::MessageUp(_) => frame_type::MESSAGE_UP,
            Self::Update(_) | Self::GenericUpdate(_) => frame_type::UPDATE,
            Self::Action(_) => frame_type::ACTION,
            Self::Custom(c) => &c.frame_type,
        }
    }

    /// Encodes the frame as one line of JSON text with the given `request_id`.
    ///
    /// ```
    /// use moobius_proto::{ws::Outbound, RequestId};
    /// let text = Outbound::Heartbeat.encode(&RequestId::new("r1"));
    /// assert_eq!(text, r#"{"type":"heartbeat","request_id":"r1","body":{}}"#);
    /// ```
    #[must_use]
    pub fn encode(&self, request_id: &RequestId) -> String {
        // Room for a typical frame (a `message_down` of a short text is
        // about 400 bytes), so that it is written without a reallocation.
        let mut out = Vec::with_capacity(512);
        self.encode_into(request_id, &mut out);
        // `encode_into` writes JSON text, which is UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the frame's JSON text (as [`Outbound::encode`] writes it) to
    /// `out`, so that a sender can reuse one buffer for every frame.
    ///
    /// ```
    /// use moobius_proto::{ws::Outbound, RequestId};
    /// let mut buf = Vec::new();
    /// Outbound::Heartbeat.encode_into(&RequestId::new("r1"), &mut buf);
    /// assert_eq!(buf, br#"{"type":"heartbeat","request_id":"r1","body":{}}"#);
    /// buf.clear(); // keeps the capacity for the next frame
    /// ```
    pub fn encode_into(&self, request_id: &RequestId, out: &mut Vec<u8>) {
        if let Self::MessageDown(d) = self {
            // The frame a service sends most: its constant parts written as
            // they are, not escaped key by key (same bytes as the generic path).
            let _ = message_down_into(d, request_id, out);
            return;
        }
        let mut ser = serde_json::Serializer::new(out);
        // Serialising these types cannot fail: every map key is a string and
        // the writer is a Vec.
        let _ = (Wire {
            frame: self,
            request_id,
        })
        .serialize(&mut ser);
    }
}

/// Writes a `message_down` frame as `Wire` does, key for key.
fn message_down_into(
    d: &MessageDown,
    rid: &RequestId,
    out: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    out.extend_from_slice(br#"{"type":"message_down","request_id":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    rid.serialize(&mut ser)?;
    out.extend_from_slice(br#","service_id":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    d.service_id.serialize(&mut ser)?;
    out.extend_from_slice(br#","body":{"subtype":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    d.subtype.serialize(&mut ser)?;
    out.extend_from_slice(br#","channel_id":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    d.channel_id.serialize(&mut ser)?;
    out.extend_from_slice(br#","content":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    d.content.serialize(&mut ser)?;
    out.extend_from_slice(br#","recipients":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    d.recipients.serialize(&mut ser)?;
    out.extend_from_slice(br#","timestamp":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    d.timestamp.serialize(&mut ser)?;
    out.extend_from_slice(br#","context":"#);
    match d.context.raw_json() {
        // A received context (forwarded messages carry it): its text, checked
        // to be a JSON object when it was decoded, goes out verbatim.
        Some(text) => out.extend_from_slice(text.as_bytes()),
        None => d
            .context
            .serialize_json(&mut serde_json::Serializer::new(&mut *out))?,
    }
    out.extend_from_slice(br#","sender":"#);
    let mut ser = serde_json::Serializer::new(&mut *out);
    d.sender.serialize(&mut ser)?;
    out.extend_from_slice(b"}}");
    Ok(())
}

/// A frame together with its request id, in wire form.
struct Wire<'a> {
    frame: &'a Outbound,
    request_id: &'a RequestId,
}

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let rid = self.request_id;
        match self.frame {
            Outbound::ServiceLogin(l) => {
                head(&mut m, frame_type::SERVICE_LOGIN, rid)?;
                m.serialize_entry("auth_origin", AUTH_ORIGIN)?;
                m.serialize_entry("access_token", l.access_token.expose())?;
                m.serialize_entry("service_id", &l.service_id)?;
            }
            Outbound::UserLogin(l) => {
                head(&mut m, frame_type::USER_LOGIN, rid)?;
                m.serialize_entry("auth_origin", AUTH_ORIGIN)?;
                m.serialize_entry("access_token", l.access_token.expose())?;
            }
            Outbound::Heartbeat => {
                head(&mut m, frame_type::HEARTBEAT, rid)?;
                m.serialize_entry("body", &EmptyObject)?;
            }
            Outbound::MessageDown(d) => {
                head(&mut m, frame_type::MESSAGE_DOWN, rid)?;
                m.serialize_entry("service_id", &d.service_id)?;
                m.serialize_entry(
                    "body",
                    &MessageBodyWire {
                        subtype: &d.subtype,
                        channel_id: &d.channel_id,
                        content: &d.content,
                        recipients: &d.recipients,
                        timestamp: d.timestamp,
                        context: &d.context,
                        sender: Some(&d.sender),
                    },
                )?;
            }
            Outbound::MessageUp(u) => {
                head(&mut m, frame_type::MESSAGE_UP, rid)?;
                m.serialize_entry("user_id", &u.user_id)?;
                m.serialize_entry("service_id", &u.user_id)?;
                m.serialize_entry(
                    "body",
                    &MessageBodyWire {
                        subtype: &u.subtype,
                        channel_id: &u.channel_id,
                        content: &u.content,
                        recipients: &u.recipients,
                        timestamp: u.timestamp,
                        context: &u.context,
                        sender: None,
                    },
                )?;
            }
            Outbound::Update(u) => update(&mut m, u, rid)?,
            Outbound::GenericUpdate(g) => {
                head(&mut m, frame_type::UPDATE, rid)?;
                m.serialize_entry("service_id", &g.service_id)?;
                m.serialize_entry("body", &g.body)?;
            }
            Outbound::Action(a) => {
                head(&mut m, frame_type::ACTION, rid)?;
                m.serialize_entry("user_id", &a.user_id)?;
                m.serialize_entry("body", &ActionBodyWire(a))?;
            }
            Outbound::Custom(c) => {
                head(&mut m, &c.frame_type, rid)?;
                m.serialize_entry("character_id", &c.client_id)?;
                m.serialize_entry("body", &c.body)?;
                if c.frame_type == frame_type::MESSAGE_DOWN {
                    m.serialize_entry("service_id", &c.client_id)?;
                }
            }
        }
        m.end()
    }
}

fn head<M: SerializeMap>(m: &mut M, ty: &str, rid: &RequestId) -> Result<(), M::Error> {
    m.serialize_entry("type", ty)?;
    m.serialize_entry("request_id", rid)
}

fn update<M: SerializeMap>(m: &mut M, u: &Update, rid: &RequestId) -> Result<(), M::Error> {
    if let UpdateKind::ChannelInfo(info) = &u.kind {
        #[derive(Serialize)]
        struct InfoContext<'a> {
            channel_description: &'a str,
            channel_type: &'a str,
        }
        #[derive(Serialize)]
        struct InfoBody<'a> {
            #[serde(flatten)]
            info: &'a ChannelInfo,
            context: InfoContext<'a>,
        }
        m.serialize_entry("type", frame_type::UPDATE)?;
        m.serialize_entry("subtype", UpdateSubtype::ChannelInfo.as_str())?;
        m.serialize_entry("channel_id", &u.channel_id)?;
        m.serialize_entry("request_id", rid)?;
        m.serialize_entry("service_id", &u.service_id)?;
        return m.serialize_entry(
            "body",
            &InfoBody {
                info,
                context: InfoContext {
                    channel_description: &info.channel_description,
                    channel_type: &info.channel_type,
                },
            },
        );
    }
    head(m, frame_type::UPDATE, rid)?;
    m.serialize_entry("service_id", &u.service_id)?;
    m.serialize_entry("body", &UpdateBodyWire(u))
}

struct EmptyObject;

impl Serialize for EmptyObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_map(Some(0))?.end()
    }
}

#[derive(Serialize)]
struct MessageBodyWire<'a> {
    subtype: &'a MessageSubtype,
    channel_id: &'a ChannelId,
    content: &'a MessageContent,
    recipients: &'a GroupRef,
    timestamp: i64,
    #[serde(serialize_with = "json_context")]
    context: &'a Context,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<&'a CharacterId>,
}

/// A context as JSON: a received one verbatim (the encoder is always serde_json).
fn json_context<S: Serializer>(c: &&Context, s: S) -> Result<S::Ok, S::Error> {
    c.serialize_json(s)
}

struct UpdateBodyWire<'a>(&'a Update);

impl Serialize for UpdateBodyWire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct CharactersContent<'a> {
            characters: &'a GroupRef,
        }
        fn begin<M: SerializeMap>(
            m: &mut M,
            subtype: UpdateSubtype,
            u: &Update,
            to: &GroupRef,
        ) -> Result<(), M::Error> {
            m.serialize_entry("subtype", subtype.as_str())?;
            m.serialize_entry("channel_id", &u.channel_id)?;
            m.serialize_entry("recipients", to)
        }
        fn temp_and_context<M: SerializeMap>(m: &mut M) -> Result<(), M::Error> {
            m.serialize_entry("group_id", TEMP_GROUP_ID)?;
            m.serialize_entry("context", &EmptyObject)
        }
        let u = self.0;
        let mut m = s.serialize_map(None)?;
        match &u.kind {
            UpdateKind::Characters {
                recipients,
                characters,
            } => {
                begin(&mut m, UpdateSubtype::Characters, u, recipients)?;
                m.serialize_entry("content", &CharactersContent { characters })?;
            }
            UpdateKind::Buttons {
                recipients,
                buttons,
            } => {
                begin(&mut m, UpdateSubtype::Buttons, u, recipients)?;
                m.serialize_entry("content", buttons)?;
                temp_and_context(&mut m)?;
            }
            UpdateKind::Menu { recipients, items } => {
                begin(&mut m, UpdateSubtype::Menu, u, recipients)?;
                m.serialize_entry("content", items)?;
                m.serialize_entry("context", &EmptyObject)?;
            }
            UpdateKind::Style { recipients, items } => {
                begin(&mut m, UpdateSubtype::Style, u, recipients)?;
                m.serialize_entry("content", items)?;
                temp_and_context(&mut m)?;
            }
            UpdateKind::Canvas { recipients, items } => {
                begin(&mut m, UpdateSubtype::Canvas, u, recipients)?;
                m.serialize_entry("content", items)?;
                temp_and_context(&mut m)?;
            }
            // Written in its own envelope by `update`; never reaches here.
            UpdateKind::ChannelInfo(_) => {}
        }
        m.end()
    }
}

struct ActionBodyWire<'a>(&'a UserAction);

impl Serialize for ActionBodyWire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut m = s.serialize_map(None)?;
        let subtype = match &a.kind {
            UserActionKind::JoinChannel => ActionSubtype::JoinChannel,
            UserActionKind::LeaveChannel => ActionSubtype::LeaveChannel,
            UserActionKind::Refresh => ActionSubtype::Refresh,
            UserActionKind::ButtonClick { .. } => ActionSubtype::ButtonClick,
            UserActionKind::MenuItemClick { .. } => ActionSubtype::MenuItemClick,
        };
        m.serialize_entry("subtype", subtype.as_str())?;
        match &a.kind {
            UserActionKind::ButtonClick {
                button_id,
                arguments,
                bottom_button_id,
            } => {
                m.serialize_entry("button_id", button_id)?;
                m.serialize_entry("channel_id", &a.channel_id)?;
                m.serialize_entry("arguments", arguments)?;
                m.serialize_entry("bottom_button_id", bottom_button_id)?;
            }
            UserActionKind::MenuItemClick {
                menu_item_id,
                message,
                arguments,
                bottom_button_id,
            } => {
                m.serialize_entry("menu_item_id", menu_item_id)?;
                m.serialize_entry("channel_id", &a.channel_id)?;
                m.serialize_entry("message_id", &message.message_id)?;
                m.serialize_entry("message_subtype", &message.subtype)?;
                m.serialize_entry("message_content", &message.content)?;
                m.serialize_entry("arguments", arguments)?;
                m.serialize_entry("bottom_button_id", bottom_button_id)?;
            }
            _ => m.serialize_entry("channel_id", &a.channel_id)?,
        }
        m.serialize_entry("context", &EmptyObject)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the generic path writes for a frame.
    fn generic(frame: &Outbound, rid: &RequestId) -> String {
        let mut out = Vec::new();
        let _ = (Wire {
            frame,
            request_id: rid,
        })
        .serialize(&mut serde_json::Serializer::new(&mut out));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_message_down_fast_path_writes_the_generic_bytes() {
        let received: crate::model::MessageBody = serde_json::from_str(
            r#"{"subtype":"card","channel_id":"c","content":{},"sender":"s","context":{"k":[1,"x"]}}"#,
        )
        .unwrap();
        let mut ctx = Context::new();
        ctx.insert("a\"b".into(), serde_json::json!({"n": 1.5}));
        for (context, recipients, content) in [
            (
                Context::new(),
                GroupRef::Service,
                MessageContent::text("hi \"you\"\n\u{1}é"),
            ),
            (
                ctx,
                GroupRef::Group("g\\1".into()),
                MessageContent::path("https://x/y"),
            ),
            (
                received.context.unwrap(),
                GroupRef::Group("g".into()),
                MessageContent {
                    text: Some("t".into()),
                    link: Some("l".into()),
                    title: Some("ti".into()),
                    button: Some("b".into()),
                    size: Some(7),
                    filename: Some("f".into()),
                    path: None,
                },
            ),
        ] {
            let frame = Outbound::MessageDown(Box::new(MessageDown {
                service_id: "svc\u{7f}".into(),
                channel_id: "chan".into(),
                subtype: MessageSubtype::Other("sticker\t".into()),
                content,
                recipients,
                sender: "agent".into(),
                timestamp: -12,
                context,
            }));
            let rid = RequestId::new("r\"1");
            let mut buf = b"left over".to_vec();
            buf.clear();
            frame.encode_into(&rid, &mut buf);
            assert_eq!(String::from_utf8(buf).unwrap(), generic(&frame, &rid));
            assert_eq!(frame.encode(&rid), generic(&frame, &rid));
        }
    }
}
