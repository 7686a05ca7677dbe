//! Services (CCS) and their agents (service characters).

use crate::error::ApiError;
use crate::ids;
use std::collections::HashMap;

/// One service, owned by an account.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) service_id: String,
    pub(crate) owner: String,
    pub(crate) description: String,
    seq: u64,
}

/// One agent: a character a service speaks as.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    pub(crate) character_id: String,
    pub(crate) service_id: String,
    pub(crate) name: String,
    pub(crate) avatar: String,
    pub(crate) description: String,
    seq: u64,
}

/// All services and agents.
#[derive(Debug, Default)]
pub(crate) struct Services {
    services: HashMap<String, Service>,
    agents: HashMap<String, Agent>,
    seq: u64,
}

impl Services {
    /// `POST /service/create`.
    pub(crate) fn create(&mut self, owner: &str, description: &str) -> String {
        self.insert(ids::uuid(), owner, description)
    }

    /// Seeds a service with a fixed id; refuses an id in use.
    pub(crate) fn create_with_id(
        &mut self,
        service_id: &str,
        owner: &str,
        description: &str,
    ) -> Result<String, ApiError> {
        if service_id.trim().is_empty() {
            return Err(ApiError::bad_request("service id must not be empty"));
        }
        if self.services.contains_key(service_id) {
            return Err(ApiError::bad_request(format!(
                "service `{service_id}` already exists"
            )));
        }
        Ok(self.insert(service_id.to_owned(), owner, description))
    }

    fn insert(&mut self, service_id: String, owner: &str, description: &str) -> String {
        self.seq += 1;
        self.services.insert(
            service_id.clone(),
            Service {
                service_id: service_id.clone(),
                owner: owner.to_owned(),
                description: description.to_owned(),
                seq: self.seq,
            },
        );
        service_id
    }

    pub(crate) fn get(&self, service_id: &str) -> Option<&Service> {
        self.services.get(service_id)
    }

    /// The service, if `user_id` owns it.
    pub(crate) fn owned(&self, service_id: &str, user_id: &str) -> Result<&Service, ApiError> {
        let s = self
            .services
            .get(service_id)
            .ok_or_else(|| ApiError::not_found(format!("unknown service `{service_id}`")))?;
        if s.owner != user_id {
            return Err(ApiError::forbidden(format!(
                "service `{service_id}` belongs to another account"
            )));
        }
        Ok(s)
    }

    /// Services in creation order (all, or one account's).
    pub(crate) fn list(&self, owner: Option<&str>) -> Vec<&Service> {
        let mut v: Vec<&Service> = self
            .services
            .values()
            .filter(|s| owner.is_none_or(|o| s.owner == o))
            .collect();
        v.sort_by_key(|s| s.seq);
        v
    }

    /// `POST /service/character/create`.
    pub(crate) fn create_agent(
        &mut self,
        service_id: &str,
        name: &str,
        avatar: &str,
        description: &str,
    ) -> &Agent {
        self.seq += 1;
        let character_id = ids::uuid();
        self.agents.entry(character_id.clone()).or_insert(Agent {
            character_id,
            service_id: service_id.to_owned(),
            name: name.to_owned(),
            avatar: avatar.to_owned(),
            description: description.to_owned(),
            seq: self.seq,
        })
    }

    pub(crate) fn agent(&self, character_id: &str) -> Option<&Agent> {
        self.agents.get(character_id)
    }

    pub(crate) fn agent_mut(&mut self, character_id: &str) -> Option<&mut Agent> {
        self.agents.get_mut(character_id)
    }

    /// Agents in creation order (all, or one service's).
    pub(crate) fn agents(&self, service_id: Option<&str>) -> Vec<&Agent> {
        let mut v: Vec<&Agent> = self
            .agents
            .values()
            .filter(|a| service_id.is_none_or(|s| a.service_id == s))
            .collect();
        v.sort_by_key(|a| a.seq);
        v
    }
}
