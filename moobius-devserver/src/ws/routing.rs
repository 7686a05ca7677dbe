//! What each client frame does: logins, and the routing of messages,
//! updates and actions between users and the service bound to a channel.
//!
//! Every function runs under the state lock and returns either the
//! deliveries to make (plus the `copy` context) or the reason to reject the
//! frame (a `copy` with `status: false`).

use super::frames;
use crate::ids;
use crate::state::channels::StoredMessage;
use crate::state::connections::{ConnectionId, Login, Target};
use crate::state::State;
use moobius_proto::model::{
    ActionSubtype, ButtonClick, ChannelInfo, CharacterRefs, Context, GroupRef, MenuItemClick,
    MessageBody, MessageSubtype, SimpleAction, UpdateBody, UpdateContent,
};
use moobius_proto::ws::{
    frame_type, MessageDown, MessageUp, Outbound, ServiceLogin, Update, UpdateKind, UserAction,
    UserActionKind, UserLogin, TEMP_GROUP_ID,
};
use serde_json::Value;

/// An accepted frame: the `copy` context and the frames to deliver.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) context: Context,
    pub(crate) deliveries: Vec<(Target, Value)>,
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
                (Outbound::GenericUpdate(_), Login::Service { .. }) => Err(
                    "unsupported update body: needs subtype, channel_id, recipients and content"
                        .to_owned(),
                ),
                (Outbound::Custom(c), _) => Err(format!(
                    "unsupported frame type `{}` (or shape)",
                    c.frame_type
                )),
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

fn service_login(st: &mut State, conn: ConnectionId, l: &ServiceLogin) -> Routed {
    let user_id = st
        .accounts
        .authenticate(l.access_token.expose())
        .map_err(|e| e.message)?;
    let service_id = l.service_id.as_str();
    st.services
        .owned(service_id, &user_id)
        .map_err(|e| e.message)?;
    tracing::info!(conn, %service_id, "service logged in");
    st.conns.set_login(
        conn,
        Some(Login::Service {
            service_id: service_id.to_owned(),
            user_id,
        }),
    );
    Ok(Outcome::with("message", "logged in"))
}

fn user_login(st: &mut State, conn: ConnectionId, l: &UserLogin) -> Routed {
    let user_id = st
        .accounts
        .authenticate(l.access_token.expose())
        .map_err(|e| e.message)?;
    tracing::info!(conn, %user_id, "user logged in");
    st.conns.set_login(conn, Some(Login::User { user_id }));
    Ok(Outcome::with("message", "logged in"))
}

/// The members of `channel_id` among `ids`, each once, in `ids` order.
fn members_among(st: &State, channel_id: &str, ids: &[String]) -> Vec<String> {
    let Ok(c) = st.channels.get(channel_id) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if c.is_member(id) && !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

fn require_member(st: &State, channel_id: &str, user_id: &str) -> Result<(), String> {
    let c = st.channels.get(channel_id).map_err(|e| e.message)?;
    if c.is_member(user_id) {
        Ok(())
    } else {
        Err(format!("not a member of channel `{channel_id}`"))
    }
}

/// Checks that the channel exists and is bound to `service_id`.
fn require_bound(st: &State, channel_id: &str, service_id: &str) -> Result<(), String> {
    let c = st.channels.get(channel_id).map_err(|e| e.message)?;
    if c.service.as_deref() == Some(service_id) {
        Ok(())
    } else {
        Err(format!(
            "channel `{channel_id}` is not bound to service `{service_id}`"
        ))
    }
}

fn store(st: &mut State, m: StoredMessage) {
    if let Ok(c) = st.channels.get_mut(&m.channel_id) {
        c.history.push(m);
    }
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
    let recipients = st
        .resolve_recipients(m.recipients.as_str())
        .map_err(|e| e.message)?;
    let service = st
        .channels
        .get(&channel_id)
        .map_err(|e| e.message)?
        .service
        .clone();
    let message_id = ids::uuid();
    let timestamp = timestamp_or_now(m.timestamp);
    store(
        st,
        StoredMessage {
            message_id: message_id.clone(),
            channel_id: channel_id.clone(),
            subtype: m.subtype.clone(),
            content: m.content.clone(),
            sender: user_id.to_owned(),
            recipients: m.recipients.as_str().to_owned(),
            timestamp,
            context: m.context.clone(),
            direction: frame_type::MESSAGE_UP,
        },
    );
    let mut body = MessageBody {
        subtype: m.subtype,
        channel_id: m.channel_id,
        content: m.content,
        timestamp,
        recipients: None,
        sender: user_id.into(),
        message_id: Some(message_id.as_str().into()),
        context: Some(m.context),
    };
    let mut out = Outcome::with("message_id", message_id);
    match service {
        Some(service_id) => {
            body.recipients = Some(CharacterRefs::Group(m.recipients));
            out.deliveries.push((
                Target::Service(service_id),
                frames::message(frame_type::MESSAGE_UP, &body),
            ));
        }
        None => {
            let frame = frames::message(frame_type::MESSAGE_DOWN, &body);
            for r in members_among(st, &channel_id, &recipients) {
                out.deliveries.push((Target::User(r), frame.clone()));
            }
        }
    }
    Ok(out)
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
    require_bound(st, &channel_id, service_id)?;
    let recipients = st
        .resolve_recipients(m.recipients.as_str())
        .map_err(|e| e.message)?;
    let message_id = ids::uuid();
    let timestamp = timestamp_or_now(m.timestamp);
    store(
        st,
        StoredMessage {
            message_id: message_id.clone(),
            channel_id: channel_id.clone(),
            subtype: m.subtype.clone(),
            content: m.content.clone(),
            sender: m.sender.as_str().to_owned(),
            recipients: m.recipients.as_str().to_owned(),
            timestamp,
            context: m.context.clone(),
            direction: frame_type::MESSAGE_DOWN,
        },
    );
    let body = MessageBody {
        subtype: m.subtype,
        channel_id: m.channel_id,
        content: m.content,
        timestamp,
        recipients: None,
        sender: m.sender,
        message_id: Some(message_id.as_str().into()),
        context: Some(m.context),
    };
    let frame = frames::message(frame_type::MESSAGE_DOWN, &body);
    let mut out = Outcome::with("message_id", message_id);
    for r in members_among(st, &channel_id, &recipients) {
        out.deliveries.push((Target::User(r), frame.clone()));
    }
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
    require_bound(st, &channel_id, service_id)?;
    let temp = || Some(TEMP_GROUP_ID.to_owned());
    let (recipients, content, group_id, context): (GroupRef, UpdateContent, _, _) = match u.kind {
        UpdateKind::ChannelInfo(info) => {
            let c = st.channels.get_mut(&channel_id).map_err(|e| e.message)?;
            c.name = info.channel_name.clone();
            c.description = info.channel_description.clone();
            let members = c.members.clone();
            let body = UpdateBody {
                channel_id: u.channel_id,
                content: UpdateContent::ChannelInfo(ChannelInfo {
                    channel_id: channel_id.as_str().into(),
                    channel_type: "ccs".to_owned(),
                    ..info
                }),
                recipients: None,
                group_id: None,
                context: None,
            };
            let frame = frames::update(&body);
            let mut out = Outcome::with("message", "channel info updated");
            for m in members {
                out.deliveries.push((Target::User(m), frame.clone()));
            }
            return Ok(out);
        }
        UpdateKind::Characters {
            recipients,
            characters,
        } => {
            st.resolve_recipients(characters.as_str())
                .map_err(|e| e.message)?;
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
    };
    let ids = st
        .resolve_recipients(recipients.as_str())
        .map_err(|e| e.message)?;
    let body = UpdateBody {
        channel_id: u.channel_id,
        content,
        recipients: None,
        group_id,
        context,
    };
    let frame = frames::update(&body);
    let mut out = Outcome::with("message", "update delivered");
    for r in members_among(st, &channel_id, &ids) {
        out.deliveries.push((Target::User(r), frame.clone()));
    }
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
    let simple = |sender: &str| SimpleAction {
        channel_id: a.channel_id.clone(),
        sender: sender.into(),
        context: Some(Context::new()),
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
            let click = ButtonClick {
                button_id,
                channel_id: a.channel_id.clone(),
                sender: user_id.into(),
                arguments,
                labels: None,
                bottom_button_id: Some(bottom_button_id),
                context: Some(Context::new()),
                button_type: None,
            };
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
            let click = MenuItemClick {
                menu_item_id,
                message_subtype: subtype,
                message_content: content,
                channel_id: a.channel_id.clone(),
                sender: user_id.into(),
                message_id: message.message_id,
                arguments,
                bottom_button_id: Some(bottom_button_id),
                context: Some(Context::new()),
            };
            (frames::menu_item_click(&click), "menu item click")
        }
    };
    let mut out = Outcome::with("message", message);
    if let Some(s) = service {
        out.deliveries.push((Target::Service(s), frame));
    }
    Ok(out)
}
