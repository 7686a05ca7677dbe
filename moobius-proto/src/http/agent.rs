//! Agents, the characters a service creates and speaks as:
//! `/service/character/*` (PROTOCOL.md §4.6).

use super::envelope;
use super::error::{ApiError, RequestError};
use super::paths;
use super::request::{get, post_json, Auth};
use super::wire::ListOrNull;
use super::{ApiContext, Endpoint};
use crate::ids::{CharacterId, ServiceId};
use crate::model::Character;
use ::http::{Request, Response};
use bytes::Bytes;
use serde::Serialize;

/// The description the reference SDK gives an agent when none is given.
pub const DEFAULT_AGENT_DESCRIPTION: &str = "No description";

/// `{"name", "avatar", "description"}` under `context`.
#[derive(Serialize)]
struct Profile<'a> {
    name: &'a str,
    avatar: &'a str,
    description: &'a str,
}

/// Create an agent bound to a service: `POST /service/character/create` → the
/// new [`Character`].
///
/// `avatar` must already be a URL: upload a local file first, or use
/// [`DEFAULT_IMAGE_URL`](super::DEFAULT_IMAGE_URL) (the reference's default).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct CreateAgent {
    /// The service that owns the agent.
    pub service_id: ServiceId,
    /// Display name.
    pub name: String,
    /// Avatar URL.
    pub avatar: String,
    /// Description ([`DEFAULT_AGENT_DESCRIPTION`] in the reference when unset).
    pub description: String,
}

impl CreateAgent {
    /// An agent of `service_id` with this name, avatar URL and description.
    pub fn new(
        service_id: impl Into<ServiceId>,
        name: impl Into<String>,
        avatar: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            service_id: service_id.into(),
            name: name.into(),
            avatar: avatar.into(),
            description: description.into(),
        }
    }
}

impl Endpoint for CreateAgent {
    type Output = Character;
    const NAME: &'static str = "create_agent";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            service_id: &'a ServiceId,
            context: Profile<'a>,
        }
        let body = Body {
            service_id: &self.service_id,
            context: Profile {
                name: &self.name,
                avatar: &self.avatar,
                description: &self.description,
            },
        };
        post_json(
            Self::NAME,
            ctx,
            paths::SERVICE_CHARACTER_CREATE,
            &body,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Character, ApiError> {
        envelope::data(Self::NAME, response)
    }
}

/// Change an agent's name, avatar and description:
/// `POST /service/character/update` → the platform's answer as raw JSON (its
/// shape is not documented; `null` when absent). For real users see
/// [`UpdateCurrentUser`](super::UpdateCurrentUser).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct UpdateAgent {
    /// The service that owns the agent.
    pub service_id: ServiceId,
    /// The agent.
    pub character_id: CharacterId,
    /// New display name.
    pub name: String,
    /// New avatar URL.
    pub avatar: String,
    /// New description.
    pub description: String,
}

impl UpdateAgent {
    /// New name, avatar URL and description for the agent `character_id`
    /// of `service_id`.
    pub fn new(
        service_id: impl Into<ServiceId>,
        character_id: impl Into<CharacterId>,
        name: impl Into<String>,
        avatar: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            service_id: service_id.into(),
            character_id: character_id.into(),
            name: name.into(),
            avatar: avatar.into(),
            description: description.into(),
        }
    }
}

impl Endpoint for UpdateAgent {
    type Output = serde_json::Value;
    const NAME: &'static str = "update_agent";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Context<'a> {
            avatar: &'a str,
            description: &'a str,
            name: &'a str,
        }
        #[derive(Serialize)]
        struct Body<'a> {
            service_id: &'a ServiceId,
            character_id: &'a CharacterId,
            context: Context<'a>,
        }
        let body = Body {
            service_id: &self.service_id,
            character_id: &self.character_id,
            context: Context {
                avatar: &self.avatar,
                description: &self.description,
                name: &self.name,
            },
        };
        post_json(
            Self::NAME,
            ctx,
            paths::SERVICE_CHARACTER_UPDATE,
            &body,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<serde_json::Value, ApiError> {
        envelope::data(Self::NAME, response)
    }
}

/// List a service's agents: `GET /service/character/list?service_id=…` →
/// their [`Character`]s.
///
/// One request; a failure is an error (the reference retries in three
/// request shapes and swallows the first two failures).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct FetchAgents {
    /// The service.
    pub service_id: ServiceId,
}

impl FetchAgents {
    /// The agents of `service_id`.
    pub fn new(service_id: impl Into<ServiceId>) -> Self {
        Self {
            service_id: service_id.into(),
        }
    }
}

impl Endpoint for FetchAgents {
    type Output = Vec<Character>;
    const NAME: &'static str = "fetch_agents";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let query = [("service_id", self.service_id.as_str())];
        get(
            Self::NAME,
            ctx,
            paths::SERVICE_CHARACTER_LIST,
            &query,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<Character>, ApiError> {
        envelope::data::<ListOrNull<Character>>(Self::NAME, response).map(|l| l.0)
    }
}
