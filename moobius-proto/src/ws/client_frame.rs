//! Decoding of client frames, for servers (the devserver) and round-trip tests.

use super::outbound::{
    ClickedMessage, CustomFrame, GenericUpdate, MessageDown, MessageUp, Outbound, ServiceLogin,
    Update, UpdateKind, UserAction, UserActionKind, UserLogin, DEFAULT_BOTTOM_BUTTON,
};
use super::{frame_type, DecodeError, MAX_INBOUND_FRAME_BYTES};
use crate::ids::{ButtonId, ChannelId, CharacterId, MenuItemId, MessageId, RequestId, ServiceId};
use crate::model::{
    ActionSubtype, ChannelInfo, CharacterRefs, ClickArgument, Context, GroupRef, MessageContent,
    MessageSubtype, UpdateBody, UpdateContent,
};
use crate::secret::AccessToken;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

/// A client frame as a server reads it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ClientFrame {
    /// The frame's `request_id`, echoed in the `copy` acknowledgement.
    pub request_id: Option<RequestId>,
    /// The frame.
    pub frame: Outbound,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    ty: String,
    request_id: Option<RequestId>,
    service_id: Option<String>,
    user_id: Option<String>,
    character_id: Option<String>,
    access_token: Option<AccessToken>,
    subtype: Option<String>,
    channel_id: Option<ChannelId>,
    #[serde(borrow)]
    body: Option<&'a RawValue>,
}

/// Decodes a frame a client sent (the inverse of [`Outbound::encode`]).
///
/// Accepts what the reference SDK sends too: click arguments nested one list
/// deeper are flattened; an update body of an unknown shape becomes a
/// [`GenericUpdate`]; an unknown frame type, or any frame carrying a
/// `character_id` (which only the generic `send` writes), becomes a
/// [`CustomFrame`].
pub fn decode_client_frame(text: &str) -> Result<ClientFrame, DecodeError> {
    if text.len() > MAX_INBOUND_FRAME_BYTES {
        return Err(DecodeError::TooLarge {
            len: text.len(),
            limit: MAX_INBOUND_FRAME_BYTES,
        });
    }
    let env: Envelope<'_> = serde_json::from_str(text).map_err(|e| {
        if e.classify() == serde_json::error::Category::Data && !text.trim_start().starts_with('{')
        {
            DecodeError::NotAnObject
        } else {
            DecodeError::from_json("client", ".".into(), &e)
        }
    })?;
    let frame = frame_from(&env)?;
    Ok(ClientFrame {
        request_id: env.request_id,
        frame,
    })
}

fn body<T: DeserializeOwned>(env: &Envelope<'_>) -> Result<T, DecodeError> {
    let raw = env.body.map_or("null", RawValue::get);
    let mut de = serde_json::Deserializer::from_str(raw);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = match e.path().to_string() {
            p if p == "." => "body".to_owned(),
            p => format!("body.{p}"),
        };
        DecodeError::from_json(&env.ty, path, e.inner())
    })
}

fn need<T>(v: Option<T>, ty: &str, field: &str) -> Result<T, DecodeError> {
    v.ok_or_else(|| DecodeError::Shape {
        frame_type: ty.to_owned(),
        path: field.to_owned(),
        message: "is missing".to_owned(),
    })
}

#[derive(Deserialize)]
struct MessageWire {
    subtype: MessageSubtype,
    channel_id: ChannelId,
    #[serde(default)]
    content: MessageContent,
    recipients: GroupRef,
    #[serde(default)]
    timestamp: i64,
    #[serde(default)]
    context: Option<Context>,
    sender: Option<CharacterId>,
}

#[derive(Deserialize)]
struct ActionWire {
    subtype: ActionSubtype,
    channel_id: ChannelId,
    button_id: Option<ButtonId>,
    menu_item_id: Option<MenuItemId>,
    #[serde(default, deserialize_with = "crate::model::flatten_click_arguments")]
    arguments: Vec<ClickArgument>,
    bottom_button_id: Option<String>,
    message_id: Option<MessageId>,
    message_subtype: Option<MessageSubtype>,
    #[serde(default)]
    message_content: Option<MessageContent>,
}

fn frame_from(env: &Envelope<'_>) -> Result<Outbound, DecodeError> {
    let ty = env.ty.as_str();
    Ok(match ty {
        frame_type::SERVICE_LOGIN if env.character_id.is_none() => {
            Outbound::ServiceLogin(ServiceLogin {
                service_id: ServiceId::new(need(env.service_id.clone(), ty, "service_id")?),
                access_token: env.access_token.clone().unwrap_or_default(),
            })
        }
        frame_type::USER_LOGIN if env.character_id.is_none() => Outbound::UserLogin(UserLogin {
            access_token: env.access_token.clone().unwrap_or_default(),
        }),
        frame_type::HEARTBEAT if env.character_id.is_none() => Outbound::Heartbeat,
        frame_type::MESSAGE_DOWN if env.character_id.is_none() => {
            let m: MessageWire = body(env)?;
            Outbound::MessageDown(Box::new(MessageDown {
                service_id: ServiceId::new(need(env.service_id.clone(), ty, "service_id")?),
                channel_id: m.channel_id,
                subtype: m.subtype,
                content: m.content,
                recipients: m.recipients,
                sender: need(m.sender, ty, "body.sender")?,
                timestamp: m.timestamp,
                context: m.context.unwrap_or_default(),
            }))
        }
        frame_type::MESSAGE_UP if env.character_id.is_none() => {
            let m: MessageWire = body(env)?;
            Outbound::MessageUp(Box::new(MessageUp {
                user_id: CharacterId::new(need(env.user_id.clone(), ty, "user_id")?),
                channel_id: m.channel_id,
                subtype: m.subtype,
                content: m.content,
                recipients: m.recipients,
                timestamp: m.timestamp,
                context: m.context.unwrap_or_default(),
            }))
        }
        frame_type::UPDATE if env.character_id.is_none() => update_from(env)?,
        frame_type::ACTION if env.character_id.is_none() => {
            let a: ActionWire = body(env)?;
            let user_id = CharacterId::new(need(env.user_id.clone(), ty, "user_id")?);
            let bottom = a
                .bottom_button_id
                .unwrap_or_else(|| DEFAULT_BOTTOM_BUTTON.to_owned());
            let kind = match a.subtype {
                ActionSubtype::JoinChannel | ActionSubtype::Join => UserActionKind::JoinChannel,
                ActionSubtype::LeaveChannel | ActionSubtype::Leave => UserActionKind::LeaveChannel,
                ActionSubtype::Refresh => UserActionKind::Refresh,
                ActionSubtype::ButtonClick => UserActionKind::ButtonClick {
                    button_id: need(a.button_id, ty, "body.button_id")?,
                    arguments: a.arguments,
                    bottom_button_id: bottom,
                },
                ActionSubtype::MenuItemClick => UserActionKind::MenuItemClick {
                    menu_item_id: need(a.menu_item_id, ty, "body.menu_item_id")?,
                    message: ClickedMessage {
                        message_id: a.message_id,
                        subtype: a.message_subtype,
                        content: a.message_content.unwrap_or_default(),
                    },
                    arguments: a.arguments,
                    bottom_button_id: bottom,
                },
                ActionSubtype::Other(s) => {
                    return Err(DecodeError::Shape {
                        frame_type: ty.to_owned(),
                        path: "body.subtype".into(),
                        message: format!("unknown action subtype `{s}`"),
                    })
                }
            };
            Outbound::Action(Box::new(UserAction {
                user_id,
                channel_id: a.channel_id,
                kind,
            }))
        }
        _ => Outbound::Custom(CustomFrame {
            frame_type: env.ty.clone(),
            client_id: env
                .character_id
                .clone()
                .or_else(|| env.user_id.clone())
                .or_else(|| env.service_id.clone())
                .unwrap_or_default(),
            body: body(env)?,
        }),
    })
}

fn update_from(env: &Envelope<'_>) -> Result<Outbound, DecodeError> {
    let ty = env.ty.as_str();
    let service_id = ServiceId::new(need(env.service_id.clone(), ty, "service_id")?);
    if env.subtype.as_deref() == Some("channel_info") {
        let info: ChannelInfo = body(env)?;
        return Ok(Outbound::Update(Box::new(Update {
            service_id,
            channel_id: env
                .channel_id
                .clone()
                .unwrap_or_else(|| info.channel_id.clone()),
            kind: UpdateKind::ChannelInfo(info),
        })));
    }
    let generic = || -> Result<Outbound, DecodeError> {
        Ok(Outbound::GenericUpdate(GenericUpdate {
            service_id: service_id.clone(),
            body: body(env)?,
        }))
    };
    // A body without a subtype or recipients group is a generic update.
    let Ok(b) = body::<UpdateBody>(env) else {
        return generic();
    };
    let Some(CharacterRefs::Group(recipients)) = b.recipients else {
        return generic();
    };
    let kind = match b.content {
        UpdateContent::Characters(CharacterRefs::Group(characters)) => UpdateKind::Characters {
            recipients,
            characters,
        },
        UpdateContent::Buttons(buttons) => UpdateKind::Buttons {
            recipients,
            buttons,
        },
        UpdateContent::Menu(items) => UpdateKind::Menu { recipients, items },
        UpdateContent::Style(items) => UpdateKind::Style { recipients, items },
        UpdateContent::Canvas(items) => UpdateKind::Canvas { recipients, items },
        UpdateContent::ChannelInfo(info) => UpdateKind::ChannelInfo(info),
        UpdateContent::Characters(_) | UpdateContent::Other { .. } => return generic(),
    };
    Ok(Outbound::Update(Box::new(Update {
        service_id,
        channel_id: b.channel_id,
        kind,
    })))
}
