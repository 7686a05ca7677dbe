//! `/user/info`: the signed-in user's profile.

use super::Ctx;
use crate::error::ApiError;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// `GET /user/info`.
pub(super) fn info(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let st = ctx.shared.lock();
    let a = st
        .accounts
        .get(&user_id)
        .ok_or_else(|| ApiError::not_found("unknown user"))?;
    Ok(json!({
        "user_id": a.user_id,
        "email": a.email,
        "email_verified": a.confirmed,
        "context": {"name": a.name, "avatar": a.avatar, "description": a.description},
        "system_context": {},
    }))
}

/// `POST /user/info`: updates the given members of the profile.
pub(super) fn update_info(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let p: Profile = ctx.json()?;
    let mut st = ctx.shared.lock();
    let a = st
        .accounts
        .get_mut(&user_id)
        .ok_or_else(|| ApiError::not_found("unknown user"))?;
    if let Some(n) = p.name {
        a.name = n;
    }
    if let Some(v) = p.avatar {
        a.avatar = v;
    }
    if let Some(d) = p.description {
        a.description = d;
    }
    Ok(json!({"user_id": user_id, "updated": true}))
}
