//! What each client frame does: logins, and the routing of messages,
//! updates and actions between users and the service bound to a channel.
//!
//! Every function runs under the state lock and returns either the
//! deliveries to make (plus the `copy` context) or the reason to reject the
//! frame (a `copy` with `status: false`).

use super::frames;
use crate::error::ApiError;
use crate::ids;
use crate::policy::{self, Act};
use crate::state::channels::StoredMessage;
use crate::state::connections::{ConnectionId, Login, Target};
use crate::state::State;
use axum::extract::ws::Utf8Bytes;
use moobius_proto::model::{
    ActionSubtype, ButtonClick, CharacterRefs, Context, GroupRef, MenuItemClick, MessageBody,
    MessageSubtype, SimpleAction, UpdateBody, UpdateContent,
};
use moobius_proto::ws::{
    frame_type, MessageDown, MessageUp, Outbound, ServiceLogin, Update, UpdateKind, UserAction,
    UserActionKind, UserLogin, TEMP_GROUP_ID,
};
use serde_json::Value;

/// One frame, serialised once, for several targets.
#[derive(Debug)]
pub(crate) struct Delivery {
    pub(crate) to: Vec<Target>,
    pub(crate) frame: Utf8Bytes,
}

impl Delivery {
    fn new(to: Vec<Target>, frame: &str) -> Self {
        Self {
            to,
            frame: Utf8Bytes::from(frame.to_owned()),
        }
    }

    fn users(ids: Vec<String>, frame: &str) -> Self {
        Self::new(ids.into_iter().map(Target::User).collect(), frame)
    }
}

/// An accepted frame: the `copy` context and the frames to deliver.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) context: Context,
    pub(crate) deliveries: Vec<Delivery>,
}

impl Outcome {
    fn with(key: &str, value: impl Into<Value>) -> Self {
        let mut context = Context::new();
        context.insert(key.to_owned(), value.into());
        Self {
            context,
            deliveries: Vec::new(),
        }
    }
}

type Routed = Result<Outcome, String>;

/// Handles one decoded client frame from connection `conn`.
pub(crate) fn route(
    st: &mut State,
    conn: ConnectionId,
    request_id: &str,
    frame: Outbound,
) -> Routed {
    match frame {
        Outbound::ServiceLogin(l) => service_login(st, conn, &l),
        Outbound::UserLogin(l) => user_login(st, conn, &l),
        other => {
            let login = st
                .conns
                .login(conn)
                .cloned()
                .ok_or_else(|| "not logged in".to_owned())?;
            let client = match &login {
                Login::Service { service_id, .. } => service_id,
                Login::User { user_id } => user_id,
            };
            if !st.requests.first_time(client, request_id) {
                // Sent again after a reconnect: acknowledged, delivered once.
                return Ok(Outcome::with(
                    "message",
                    "duplicate request_id: already delivered",
                ));
            }
            match (other, &login) {
                (Outbound::Heartbeat, _) => Ok(Outcome::with("message", "heartbeat")),
                (Outbound::MessageUp(m), Login::User { user_id }) => message_up(st, user_id, *m),
                (Outbound::Action(a), Login::User { user_id }) => action(st, user_id, *a),
                (Outbound::MessageDown(m), Login::Service { service_id, .. }) => {
                    message_down(st, service_id, *m)
                }
                (Outbound::Update(u), Login::Service { service_id, .. }) => {
                    update(st, service_id, *u)
                }
                (Outbound::GenericUpdate(g), Login::Service { .. }) => {
                    generic(st, &login, frame_type::UPDATE, g.body)
                }
                (Outbound::Custom(c), _) => generic(st, &login, &c.frame_type, c.body),
                (f, Login::User { .. }) => {
                    Err(format!("`{}` frames need a service login", f.frame_type()))
                }
                (f, Login::Service { .. }) => {
                    Err(format!("`{}` frames need a user login", f.frame_type()))
                }
            }
        }
    }
}

/// A frame with a body of the sender's own shape (the reference's
/// `send_update` and generic `send`). From a service, a body naming
/// `channel_id` and `recipients` (a group id) goes to the recipients who are
/// members, as `{"type", "body"}` without `recipients`; from a user, a body
/// naming a `channel_id` the user is a member of goes to the channel's
/// service with `sender` set. Any other body is refused (nowhere to go).
fn generic(st: &mut State, login: &Login, ty: &str, body: Value) -> Routed {
    let nowhere = || {
        format!(
            "unsupported `{ty}` frame: a body of the sender's own shape needs `channel_id` (and, from a service, a `recipients` group id) to be delivered"
        )
    };
    let Value::Object(mut body) = body else {
        return Err(nowhere());
    };
    let Some(channel_id) = body
        .get("channel_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Err(nowhere());
    };
    let frame = |body: serde_json::Map<String, Value>| {
        serde_json::json!({"type": ty, "body": body}).to_string()
    };
    match login {
        Login::Service { service_id, .. } => {
            let sender = body
                .get("sender")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let sender = sender.filter(|_| ty == frame_type::MESSAGE_DOWN);
            require_bound(st, &channel_id, service_id, sender.as_deref())?;
            let Some(Value::String(group)) = body.remove("recipients") else {
                return Err(nowhere());
            };
            let to = members_in(st, &channel_id, &group).map_err(|e| e.message)?;
            let mut out = Outcome::with("message", "delivered");
            out.deliveries.push(Delivery::users(to, &frame(body)));
            Ok(out)
        }
        Login::User { user_id } => {
            require_member(st, &channel_id, user_id)?;
            let service = st
                .channels
                .get(&channel_id)
                .map_err(|e| e.message)?
                .service
                .clone();
            body.insert("sender".into(), Value::String(user_id.clone()));
            let mut out = Outcome::with("message", "delivered");
            if let Some(s) = service {
                out.deliveries
                    .push(Delivery::new(vec![Target::Service(s)], &frame(body)));
            }
            Ok(out)
        }
    }
}

fn service_login(st: &mut State, conn: ConnectionId, l: &ServiceLogin) -> Routed {
    let auth = st
        .accounts
        .authenticate_grant(l.access_token.expose())
        .map_err(|e| e.message)?;
    let service_id = l.service_id.as_str();
    policy::check(
        st,
        &auth.user_id,
        Act::ManageService {
            service: service_id,
        },
    )
    .map_err(|e| e.message)?;
    tracing::info!(conn, %service_id, "service logged in");
    st.conns.set_login(
        conn,
        Some(Login::Service {
            service_id: service_id.to_owned(),
            user_id: auth.user_id,
        }),
        Some(auth.family),
    );
    Ok(Outcome::with("message", "logged in"))
}

fn user_login(st: &mut State, conn: ConnectionId, l: &UserLogin) -> Routed {
    let auth = st
        .accounts
        .authenticate_grant(l.access_token.expose())
        .map_err(|e| e.message)?;
    let user_id = auth.user_id;
    tracing::info!(conn, %user_id, "user logged in");
    st.conns
        .set_login(conn, Some(Login::User { user_id }), Some(auth.family));
    Ok(Outcome::with("message", "logged in"))
}

/// The members of `channel_id` among the characters of the recipients
/// group (`"service"`: none), each once, in the group's order.
fn members_in(st: &State, channel_id: &str, group: &str) -> Result<Vec<String>, ApiError> {
    if group == GroupRef::Service.as_str() {
        return Ok(Vec::new());
    }
    let ids = &st.groups.get(group)?.characters;
    let Ok(c) = st.channels.get(channel_id) else {
        return Ok(Vec::new());
    };
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    Ok(ids
        .iter()
        .filter(|id| c.is_member(id) && seen.insert(id.as_str()))
        .cloned()
        .collect())
}

fn require_member(st: &State, channel_id: &str, user_id: &str) -> Result<(), String> {
    policy::check(
        st,
        user_id,
        Act::Participate {
            channel: channel_id,
        },
    )
    .map_err(|e| e.message)
}

/// Checks that the channel is bound to `service_id` and that it may show
/// `sender` as the author.
fn require_bound(
    st: &State,
    channel_id: &str,
    service_id: &str,
    sender: Option<&str>,
) -> Result<(), String> {
    let owner = st
        .services
        .get(service_id)
        .map(|s| s.owner.clone())
        .unwrap_or_default();
    policy::check(
        st,
        &owner,
        Act::Speak {
            service: service_id,
            channel: channel_id,
            sender,
        },
    )
    .map_err(|e| e.message)
}

fn timestamp_or_now(t: i64) -> i64 {
    if t > 0 {
        t
    } else {
        ids::now_ms()
    }
}

/// A user's message: stored, then forwarded to the bound service as
/// `message_up` (recipients = the group id the user sent), or, in a channel
/// without a service, delivered to the recipients who are members as
/// `message_down`.
fn message_up(st: &mut State, user_id: &str, m: MessageUp) -> Routed {
    let channel_id = m.channel_id.as_str().to_owned();
    require_member(st, &channel_id, user_id)?;
    let to = members_in(st, &channel_id, m.recipients.as_str()).map_err(|e| e.message)?;
    let service = st
        .channels
        .get(&channel_id)
        .map_err(|e| e.message)?
        .service
        .clone();
    let message_id = ids::uuid();
    let timestamp = timestamp_or_now(m.timestamp);
    let recipients_text = m.recipients.as_str().to_owned();
    let mut body = MessageBody::new(m.subtype, m.channel_id, m.content, user_id, timestamp);
    body.message_id = Some(message_id.as_str().into());
    body.context = Some(m.context);
    let mut out = Outcome::with("message_id", message_id.clone());
    let delivery = match service {
        Some(service_id) => {
            body.recipients = Some(CharacterRefs::Group(m.recipients));
            let d = Delivery::new(
                vec![Target::Service(service_id)],
                &frames::message(frame_type::MESSAGE_UP, &body),
            );
            body.recipients = None;
            d
        }
        None => Delivery::users(to, &frames::message(frame_type::MESSAGE_DOWN, &body)),
    };
    store(
        st,
        message_id,
        recipients_text,
        body,
        frame_type::MESSAGE_UP,
        delivery.frame.len(),
    );
    out.deliveries.push(delivery);
    Ok(out)
}

/// Stores a delivered message in its channel's history.
fn store(
    st: &mut State,
    message_id: String,
    recipients: String,
    body: MessageBody,
    direction: &'static str,
    size: usize,
) {
    st.channels.store(StoredMessage {
        message_id,
        channel_id: body.channel_id.as_str().to_owned(),
        subtype: body.subtype,
        content: body.content,
        sender: body.sender.as_str().to_owned(),
        recipients,
        timestamp: body.timestamp,
        context: body.context.unwrap_or_default(),
        direction,
        size,
    });
}

/// A service's message: stored, then delivered as `message_down` (without
/// `recipients`) to the recipients who are members of the channel.
fn message_down(st: &mut State, service_id: &str, m: MessageDown) -> Routed {
    if m.service_id.as_str() != service_id {
        return Err(format!(
            "service_id `{}` is not the logged-in service",
            m.service_id
        ));
    }
    let channel_id = m.channel_id.as_str().to_owned();
    require_bound(st, &channel_id, service_id, Some(m.sender.as_str()))?;
    let to = members_in(st, &channel_id, m.recipients.as_str()).map_err(|e| e.message)?;
    let message_id = ids::uuid();
    let timestamp = timestamp_or_now(m.timestamp);
    let recipients_text = m.recipients.as_str().to_owned();
    let mut body = MessageBody::new(m.subtype, m.channel_id, m.content, m.sender, timestamp);
    body.message_id = Some(message_id.as_str().into());
    body.context = Some(m.context);
    let delivery = Delivery::users(to, &frames::message(frame_type::MESSAGE_DOWN, &body));
    let mut out = Outcome::with("message_id", message_id.clone());
    store(
        st,
        message_id,
        recipients_text,
        body,
        frame_type::MESSAGE_DOWN,
        delivery.frame.len(),
    );
    out.deliveries.push(delivery);
    Ok(out)
}

/// A service's update: delivered to the recipients who are members, with
/// the keys §6.5 allows (`recipients` stripped, as the platform does).
/// `channel_info` renames the channel and goes to every member.
fn update(st: &mut State, service_id: &str, u: Update) -> Routed {
    if u.service_id.as_str() != service_id {
        return Err(format!(
            "service_id `{}` is not the logged-in service",
            u.service_id
        ));
    }
    let channel_id = u.channel_id.as_str().to_owned();
    require_bound(st, &channel_id, service_id, None)?;
    let temp = || Some(TEMP_GROUP_ID.to_owned());
    let (recipients, content, group_id, context): (GroupRef, UpdateContent, _, _) = match u.kind {
        UpdateKind::ChannelInfo(info) => {
            let c = st.channels.get_mut(&channel_id).map_err(|e| e.message)?;
            c.name = info.channel_name.clone();
            c.description = info.channel_description.clone();
            let members = c.members.clone();
            let mut info = info;
            info.channel_id = channel_id.as_str().into();
            info.channel_type = "ccs".to_owned();
            let body = UpdateBody::new(u.channel_id, UpdateContent::ChannelInfo(info));
            let mut out = Outcome::with("message", "channel info updated");
            out.deliveries
                .push(Delivery::users(members, &frames::update(&body)));
            return Ok(out);
        }
        UpdateKind::Characters {
            recipients,
            characters,
        } => {
            if characters.as_str() != GroupRef::Service.as_str() {
                st.groups.get(characters.as_str()).map_err(|e| e.message)?;
            }
            (
                recipients,
                UpdateContent::Characters(CharacterRefs::Group(characters)),
                None,
                None,
            )
        }
        UpdateKind::Buttons {
            recipients,
            buttons,
        } => (
            recipients,
            UpdateContent::Buttons(buttons),
            temp(),
            Some(Context::new()),
        ),
        UpdateKind::Menu { recipients, items } => (
            recipients,
            UpdateContent::Menu(items),
            None,
            Some(Context::new()),
        ),
        UpdateKind::Style { recipients, items } => (
            recipients,
            UpdateContent::Style(items),
            temp(),
            Some(Context::new()),
        ),
        UpdateKind::Canvas { recipients, items } => (
            recipients,
            UpdateContent::Canvas(items),
            temp(),
            Some(Context::new()),
        ),
        _ => return Err("an update kind the devserver does not know".to_owned()),
    };
    let to = members_in(st, &channel_id, recipients.as_str()).map_err(|e| e.message)?;
    let mut body = UpdateBody::new(u.channel_id, content);
    body.group_id = group_id;
    body.context = context;
    let mut out = Outcome::with("message", "update delivered");
    out.deliveries
        .push(Delivery::users(to, &frames::update(&body)));
    Ok(out)
}

/// A user's action: join/leave change membership; every action reaches the
/// bound service (if any) as an `action` frame of §6.4.
fn action(st: &mut State, user_id: &str, a: UserAction) -> Routed {
    let channel_id = a.channel_id.as_str().to_owned();
    let service = st
        .channels
        .get(&channel_id)
        .map_err(|e| e.message)?
        .service
        .clone();
    let simple = |sender: &str| {
        let mut action = SimpleAction::new(a.channel_id.clone(), sender);
        action.context = Some(Context::new());
        action
    };
    let (frame, message) = match a.kind {
        UserActionKind::JoinChannel => {
            let new = st
                .channels
                .join(&channel_id, user_id)
                .map_err(|e| e.message)?;
            tracing::info!(%channel_id, %user_id, new, "joined");
            (
                frames::simple_action(ActionSubtype::Join.as_str(), &simple(user_id)),
                "joined",
            )
        }
        UserActionKind::LeaveChannel => {
            require_member(st, &channel_id, user_id)?;
            st.channels
                .leave(&channel_id, user_id)
                .map_err(|e| e.message)?;
            tracing::info!(%channel_id, %user_id, "left");
            (
                frames::simple_action(ActionSubtype::Leave.as_str(), &simple(user_id)),
                "left",
            )
        }
        UserActionKind::Refresh => {
            require_member(st, &channel_id, user_id)?;
            (
                frames::simple_action(ActionSubtype::Refresh.as_str(), &simple(user_id)),
                "refresh",
            )
        }
        UserActionKind::ButtonClick {
            button_id,
            arguments,
            bottom_button_id,
        } => {
            require_member(st, &channel_id, user_id)?;
            let mut click = ButtonClick::new(button_id, a.channel_id.clone(), user_id);
            click.arguments = arguments;
            click.bottom_button_id = Some(bottom_button_id);
            click.context = Some(Context::new());
            (frames::button_click(&click), "button click")
        }
        UserActionKind::MenuItemClick {
            menu_item_id,
            message,
            arguments,
            bottom_button_id,
        } => {
            require_member(st, &channel_id, user_id)?;
            let stored = message
                .message_id
                .as_ref()
                .and_then(|id| st.channels.message(&channel_id, id.as_str()));
            // Fill in what the reference SDK leaves out ("<unknown>", {}).
            let known = |s: &MessageSubtype| MessageSubtype::KNOWN.contains(s);
            let subtype = match (message.subtype, stored) {
                (Some(s), _) if known(&s) => s,
                (_, Some(m)) => m.subtype.clone(),
                (s, None) => s.unwrap_or(MessageSubtype::Text),
            };
            let content = match stored {
                Some(m) if message.content == Default::default() => m.content.clone(),
                _ => message.content,
            };
            let mut click = MenuItemClick::new(
                menu_item_id,
                subtype,
                content,
                a.channel_id.clone(),
                user_id,
            );
            click.message_id = message.message_id;
            click.arguments = arguments;
            click.bottom_button_id = Some(bottom_button_id);
            click.context = Some(Context::new());
            (frames::menu_item_click(&click), "menu item click")
        }
        _ => return Err("a user action the devserver does not know".to_owned()),
    };
    let mut out = Outcome::with("message", message);
    if let Some(s) = service {
        out.deliveries
            .push(Delivery::new(vec![Target::Service(s)], &frame));
    }
    Ok(out)
}
