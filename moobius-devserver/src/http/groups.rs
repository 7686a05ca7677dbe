//! Groups: `/service/group*` and `/user/group*`. One namespace: either
//! lookup resolves either kind.

use super::Ctx;
use crate::error::ApiError;
use crate::policy::{self, Act};
use crate::state::groups::GroupKind;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct CreateService {
    #[serde(default)]
    characters: Vec<String>,
}

#[derive(Deserialize)]
struct CreateChannel {
    channel_id: String,
    #[serde(default)]
    group_name: String,
    #[serde(default)]
    characters: Vec<String>,
}

/// `POST /service/group/create`: `data` is the new group id itself.
pub(super) fn create_service_group(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let c: CreateService = ctx.json()?;
    let id = ctx
        .shared
        .lock()
        .groups
        .create(GroupKind::Service, &user_id, c.characters);
    Ok(Value::String(id))
}

/// `POST /user/group/create`: a named group in a channel.
pub(super) fn create_channel_group(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let c: CreateChannel = ctx.json()?;
    let mut st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::ReadChannel {
            channel: &c.channel_id,
        },
    )?;
    let id = st.groups.create(
        GroupKind::Channel {
            channel_id: c.channel_id,
            name: c.group_name.clone(),
        },
        &user_id,
        c.characters,
    );
    Ok(json!({"group_id": id, "group_name": c.group_name}))
}

/// `GET /service/group?group_id=…` and `GET /user/group?group_id=…&…`:
/// `{"group_id", "characters"}` of a group of either kind.
pub(super) fn get_group(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let group_id = ctx.query("group_id")?;
    let st = ctx.shared.lock();
    if group_id != moobius_proto::model::GroupRef::Service.as_str() {
        policy::check(&st, &user_id, Act::ReadGroup { group: group_id })?;
    }
    let characters = st.resolve_recipients(group_id)?;
    Ok(json!({"group_id": group_id, "characters": characters}))
}

/// `GET /user/group/list?channel_id=…&service_id=…`: the channel's groups.
pub(super) fn list_channel_groups(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
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
    Ok(Value::Array(
        st.groups
            .of_channel(channel_id)
            .into_iter()
            .map(|g| {
                let name = match &g.kind {
                    GroupKind::Channel { name, .. } => name.as_str(),
                    GroupKind::Service => "",
                };
                json!({"group_id": g.group_id, "group_name": name, "characters": g.characters})
            })
            .collect(),
    ))
}

/// `GET /user/group/temp?channel_id=…&service_id=…`: the channel's members
/// as the pseudo group `temp`.
pub(super) fn temp_group(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
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
    Ok(json!([{"group_id": moobius_proto::ws::TEMP_GROUP_ID, "characters": c.members}]))
}
