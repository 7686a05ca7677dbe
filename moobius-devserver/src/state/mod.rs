//! Everything the platform remembers, behind one lock ([`crate::shared::Shared`]).
//!
//! Each submodule holds one kind of thing; [`State`] ties them together for
//! the operations that span several (character records, group resolution).

pub(crate) mod accounts;
pub(crate) mod channels;
pub(crate) mod connections;
pub(crate) mod files;
pub(crate) mod groups;
pub(crate) mod requests;
pub(crate) mod services;

use crate::error::ApiError;
use serde_json::{json, Value};

/// The whole platform state.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) accounts: accounts::Accounts,
    pub(crate) services: services::Services,
    pub(crate) channels: channels::Channels,
    pub(crate) groups: groups::Groups,
    pub(crate) files: files::Files,
    pub(crate) conns: connections::Connections,
    pub(crate) requests: requests::RecentRequests,
}

impl State {
    /// Closes every open connection of an account (user and service
    /// logins) with 1008 and forgets their logins; returns how many.
    pub(crate) fn revoke_connections(
        &mut self,
        pred: impl Fn(&connections::Conn) -> bool,
        reason: &str,
    ) -> usize {
        let ids: Vec<connections::ConnectionId> = self
            .conns
            .map
            .iter()
            .filter(|(_, c)| c.is_open() && pred(c))
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            self.conns.set_login(*id, None, None);
            self.conns
                .close_one(*id, connections::CLOSE_POLICY, reason.to_owned());
        }
        if !ids.is_empty() {
            tracing::info!(connections = ids.len(), %reason, "revoked logins");
        }
        ids.len()
    }

    /// The character record (`{"character_id", "character_context"}`) of a
    /// user or an agent.
    pub(crate) fn character_record(&self, character_id: &str) -> Result<Value, ApiError> {
        if let Some(a) = self.accounts.get(character_id) {
            return Ok(json!({
                "character_id": a.user_id,
                "character_context": {"name": a.name, "avatar": a.avatar, "description": a.description},
            }));
        }
        if let Some(a) = self.services.agent(character_id) {
            return Ok(agent_record(a));
        }
        if self.accounts.was_deleted(character_id) {
            // Old messages and groups still name it: answer, don't fail.
            return Ok(json!({
                "character_id": character_id,
                "character_context": {"name": "Deleted account", "avatar": "", "description": ""},
            }));
        }
        Err(ApiError::not_found(format!(
            "unknown character `{character_id}`"
        )))
    }

    /// The ids a recipients value stands for: `"service"` → none, else the
    /// group's characters.
    pub(crate) fn resolve_recipients(&self, group: &str) -> Result<Vec<String>, ApiError> {
        if group == moobius_proto::model::GroupRef::Service.as_str() {
            return Ok(Vec::new());
        }
        Ok(self.groups.get(group)?.characters.clone())
    }
}

/// The character record of an agent.
pub(crate) fn agent_record(a: &services::Agent) -> Value {
    json!({
        "character_id": a.character_id,
        "character_context": {"name": a.name, "avatar": a.avatar, "description": a.description},
    })
}
