//! `/channel/*`: channels, their members and their message history.

use super::Ctx;
use crate::error::ApiError;
use crate::policy::{self, Act};
use crate::state::channels::{Channel, StoredMessage};
use moobius_proto::model::{CharacterRefs, GroupRef, MessageBody};
use moobius_proto::GroupId;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
struct ChannelContext {
    #[serde(default)]
    channel_description: Option<String>,
}

#[derive(Deserialize)]
struct Create {
    channel_name: String,
    #[serde(default)]
    context: ChannelContext,
}

#[derive(Deserialize)]
struct Update {
    channel_id: String,
    #[serde(default)]
    channel_name: Option<String>,
    #[serde(default)]
    context: ChannelContext,
}

/// `POST /channel/create`: the creator does not become a member.
pub(super) fn create(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let c: Create = ctx.json()?;
    let channel_id = ctx.shared.lock().channels.create(
        None,
        &c.channel_name,
        c.context.channel_description.as_deref().unwrap_or_default(),
        Some(&user_id),
    )?;
    tracing::info!(%channel_id, name = %c.channel_name, "channel created");
    Ok(json!({"channel_id": channel_id}))
}

/// `POST /channel/update`.
pub(super) fn update(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let u: Update = ctx.json()?;
    let mut st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::ManageChannel {
            channel: &u.channel_id,
        },
    )?;
    let c = st.channels.get_mut(&u.channel_id)?;
    if let Some(n) = u.channel_name {
        c.name = n;
    }
    if let Some(d) = u.context.channel_description {
        c.description = d;
    }
    Ok(Value::Null)
}

fn summary(c: &Channel) -> Value {
    json!({
        "channel_id": c.channel_id,
        "channel_name": c.name,
        "channel_description": c.description,
        "channel_type": if c.service.is_some() { "ccs" } else { "dcs" },
    })
}

/// `GET /channel/popular`: every channel, most members first.
pub(super) fn popular(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    ctx.user()?;
    let st = ctx.shared.lock();
    let mut v = st.channels.list();
    v.sort_by_key(|c| std::cmp::Reverse(c.members.len()));
    Ok(Value::Array(v.into_iter().map(summary).collect()))
}

/// `GET /channel/list`: the channels the caller is a member of.
pub(super) fn list(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let st = ctx.shared.lock();
    Ok(Value::Array(
        st.channels
            .list()
            .into_iter()
            .filter(|c| c.is_member(&user_id))
            .map(summary)
            .collect(),
    ))
}

/// `GET /channel/character_list?channel_id=…&service_id=…`: member ids.
pub(super) fn character_list(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let channel_id = ctx.query("channel_id")?;
    let st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::ReadChannel {
            channel: channel_id,
        },
    )?;
    let c = st.channels.get(channel_id)?;
    Ok(json!({"character_list": c.members, "channel_id": c.channel_id}))
}

/// A stored message in the history shape (a `MessageBody`).
pub(crate) fn history_entry(m: &StoredMessage) -> Value {
    let recipients = if m.recipients == GroupRef::Service.as_str() {
        GroupRef::Service
    } else {
        GroupRef::Group(GroupId::new(m.recipients.as_str()))
    };
    let mut body = MessageBody::new(
        m.subtype.clone(),
        m.channel_id.as_str(),
        m.content.clone(),
        m.sender.as_str(),
        m.timestamp,
    );
    body.recipients = Some(CharacterRefs::Group(recipients));
    body.message_id = Some(m.message_id.as_str().into());
    body.context = Some(m.context.clone());
    serde_json::to_value(&body).unwrap_or(Value::Null)
}

/// `GET /channel/history_message?channel_id=…&limit=…&before=…`: the last
/// `limit` messages (default 64) before the message `before` (`null` = the
/// newest), oldest first. Readable by the channel's readers ([`policy`]).
pub(super) fn history(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let channel_id = ctx.query("channel_id")?;
    let body = ctx.json_opt();
    let limit_text =
        ctx.query_opt("limit")
            .map(str::to_owned)
            .or_else(|| match body.get("limit") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            });
    let limit = match limit_text {
        None => 64,
        Some(t) => t
            .trim()
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("limit `{t}` is not a number")))?,
    };
    let before = ctx
        .query_opt("before")
        .filter(|b| !matches!(*b, "" | "null" | "None" | "none"));
    let st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::ReadChannel {
            channel: channel_id,
        },
    )?;
    let c = st.channels.get(channel_id)?;
    let end = match before {
        None => c.history.len(),
        Some(b) => c
            .history
            .iter()
            .position(|m| m.message_id == b)
            .ok_or_else(|| ApiError::not_found(format!("unknown message `{b}`")))?,
    };
    let start = end.saturating_sub(limit);
    Ok(Value::Array(
        c.history.range(start..end).map(history_entry).collect(),
    ))
}
