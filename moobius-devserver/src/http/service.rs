//! `/service/*`: services, bindings and agents.

use super::Ctx;
use crate::error::ApiError;
use crate::policy::{self, Act};
use crate::state::agent_record;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Create {
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Binding {
    channel_id: String,
    service_id: String,
}

#[derive(Deserialize, Default)]
struct AgentContext {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct CreateAgent {
    service_id: String,
    #[serde(default)]
    context: AgentContext,
}

#[derive(Deserialize)]
struct UpdateAgent {
    service_id: String,
    character_id: String,
    #[serde(default)]
    context: AgentContext,
}

/// `POST /service/create`.
pub(super) fn create(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let c: Create = ctx.json()?;
    let service_id = ctx
        .shared
        .lock()
        .services
        .create(&user_id, c.description.as_deref().unwrap_or_default());
    tracing::info!(%service_id, %user_id, "service created");
    Ok(json!({"service_id": service_id}))
}

/// `GET /service/list`: the caller's services with their bound channels.
pub(super) fn list(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let st = ctx.shared.lock();
    let v: Vec<Value> = st
        .services
        .list(Some(&user_id))
        .into_iter()
        .map(|s| json!({"service_id": s.service_id, "channel_ids": st.channels.bound_to(&s.service_id)}))
        .collect();
    Ok(Value::Array(v))
}

/// `POST /service/bind`: one service per channel.
pub(super) fn bind(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let b: Binding = ctx.json()?;
    let mut st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::Bind {
            channel: &b.channel_id,
            service: &b.service_id,
        },
    )?;
    st.channels.bind(&b.channel_id, &b.service_id, &user_id)?;
    tracing::info!(channel_id = %b.channel_id, service_id = %b.service_id, "bound");
    Ok(Value::Null)
}

/// `POST /service/unbind`.
pub(super) fn unbind(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let b: Binding = ctx.json()?;
    let mut st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::Unbind {
            channel: &b.channel_id,
            service: &b.service_id,
        },
    )?;
    st.channels.unbind(&b.channel_id, &b.service_id)?;
    tracing::info!(channel_id = %b.channel_id, service_id = %b.service_id, "unbound");
    Ok(Value::Null)
}

/// `POST /service/character/create`: a new agent of the caller's service.
pub(super) fn create_agent(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let c: CreateAgent = ctx.json()?;
    let mut st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::ManageService {
            service: &c.service_id,
        },
    )?;
    let name = c
        .context
        .name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("context.name must not be empty"))?;
    let agent = st.services.create_agent(
        &c.service_id,
        &name,
        c.context.avatar.as_deref().unwrap_or_default(),
        c.context.description.as_deref().unwrap_or_default(),
    );
    Ok(agent_record(agent))
}

/// `POST /service/character/update`.
pub(super) fn update_agent(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let u: UpdateAgent = ctx.json()?;
    let mut st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::ManageService {
            service: &u.service_id,
        },
    )?;
    let agent = st
        .services
        .agent_mut(&u.character_id)
        .filter(|a| a.service_id == u.service_id)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "unknown agent `{}` of service `{}`",
                u.character_id, u.service_id
            ))
        })?;
    if let Some(n) = u.context.name {
        agent.name = n;
    }
    if let Some(a) = u.context.avatar {
        agent.avatar = a;
    }
    if let Some(d) = u.context.description {
        agent.description = d;
    }
    Ok(json!({"character_id": u.character_id, "updated": true}))
}

/// `GET /service/character/list?service_id=…` (also accepts the id in a
/// JSON body, as the reference's last fallback sends it).
pub(super) fn list_agents(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let body = ctx.json_opt();
    let service_id = match ctx.query_opt("service_id") {
        Some(s) => s.to_owned(),
        None => body
            .get("service_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ApiError::bad_request("missing query parameter `service_id`"))?,
    };
    let st = ctx.shared.lock();
    policy::check(
        &st,
        &user_id,
        Act::ManageService {
            service: &service_id,
        },
    )?;
    Ok(Value::Array(
        st.services
            .agents(Some(&service_id))
            .into_iter()
            .map(agent_record)
            .collect(),
    ))
}
