//! `/character/fetch_profile`: character records of users and agents.

use super::Ctx;
use crate::error::ApiError;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Fetch {
    character_list: Vec<String>,
}

/// `POST /character/fetch_profile`: records in the order asked; an unknown
/// id fails the whole call.
pub(super) fn fetch_profile(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    ctx.user()?;
    let f: Fetch = ctx.json()?;
    let st = ctx.shared.lock();
    let records: Result<Vec<Value>, ApiError> = f
        .character_list
        .iter()
        .map(|id| st.character_record(id))
        .collect();
    Ok(Value::Array(records?))
}
