//! Character profiles, for members and agents alike:
//! `/character/fetch_profile` (PROTOCOL.md §4.6).

use super::envelope;
use super::error::{ApiError, RequestError};
use super::paths;
use super::request::{post_json, Auth};
use super::wire::ListOrNull;
use super::{ApiContext, Endpoint};
use crate::ids::CharacterId;
use crate::model::Character;
use ::http::{Request, Response};
use bytes::Bytes;
use serde::Serialize;

/// Names, avatars and descriptions of characters by id:
/// `POST /character/fetch_profile` → one [`Character`] per id, in the order
/// the platform lists them (the order asked).
///
/// The reference returns a single character when given a single id; here the
/// result is always a list (of one, then).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchCharacterProfile {
    /// The characters to look up (sent as `character_list`).
    #[serde(rename = "character_list")]
    pub character_ids: Vec<CharacterId>,
}

impl FetchCharacterProfile {
    /// The profile of one character.
    pub fn one(character_id: impl Into<CharacterId>) -> Self {
        Self {
            character_ids: vec![character_id.into()],
        }
    }

    /// The profiles of several characters.
    pub fn many<I>(character_ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<CharacterId>,
    {
        Self {
            character_ids: character_ids.into_iter().map(Into::into).collect(),
        }
    }
}

impl Endpoint for FetchCharacterProfile {
    type Output = Vec<Character>;
    const NAME: &'static str = "fetch_character_profile";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        post_json(
            Self::NAME,
            ctx,
            paths::CHARACTER_FETCH_PROFILE,
            self,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<Character>, ApiError> {
        envelope::data::<ListOrNull<Character>>(Self::NAME, response).map(|l| l.0)
    }
}
