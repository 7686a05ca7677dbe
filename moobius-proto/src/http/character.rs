//! Character profiles, for members and agents alike:
//! `/character/fetch_profile` (PROTOCOL.md §4.6).

use super::envelope;
use super::error::{ApiError, RequestError};
use super::paths;
use super::request::{post_json, Auth};
use super::wire::ListOrNull;
use super::{ApiContext, Endpoint};
use crate::ids::CharacterId;
use crate::model::{Character, IntoCharacterIds};
use ::http::{Request, Response};
use bytes::Bytes;
use serde::Serialize;

/// Names, avatars and descriptions of characters by id:
/// `POST /character/fetch_profile` → one [`Character`] per id, in the order
/// the platform lists them (the order asked).
///
/// As in the reference, a list asked gives a list (even of one); one
/// character asked ([`FetchCharacterProfile::one`]) gives one profile
/// ([`FetchOneCharacterProfile`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct FetchCharacterProfile {
    /// The characters to look up (sent as `character_list`).
    #[serde(rename = "character_list")]
    pub character_ids: Vec<CharacterId>,
}

impl FetchCharacterProfile {
    /// The profile of one character, by id or record: the result is that
    /// one profile.
    pub fn one(character: impl Into<CharacterId>) -> FetchOneCharacterProfile {
        FetchOneCharacterProfile {
            character_id: character.into(),
        }
    }

    /// The profiles of several characters (ids, records, or a mix; one id
    /// or record makes a list of one): the result is a list.
    pub fn many(characters: impl IntoCharacterIds) -> Self {
        Self {
            character_ids: characters.into_character_ids(),
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

/// The profile of one character: the same request as
/// [`FetchCharacterProfile`] with a list of one (`character_list: [id]`)
/// → that one [`Character`]. An answer without it is an [`ApiError::Decode`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct FetchOneCharacterProfile {
    /// The character to look up.
    pub character_id: CharacterId,
}

impl Endpoint for FetchOneCharacterProfile {
    type Output = Character;
    const NAME: &'static str = "fetch_character_profile";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        FetchCharacterProfile {
            character_ids: vec![self.character_id.clone()],
        }
        .request(ctx)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Character, ApiError> {
        let mut list = envelope::data::<ListOrNull<Character>>(Self::NAME, response)?.0;
        if list.is_empty() {
            return Err(ApiError::Decode {
                endpoint: Self::NAME,
                path: "data".to_owned(),
                message: "no profile in the answer".to_owned(),
            });
        }
        Ok(list.swap_remove(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::BaseUri;
    use crate::secret::AccessToken;

    fn ok(body: &str) -> Response<Bytes> {
        Response::new(Bytes::from(body.to_owned()))
    }

    #[test]
    fn one_asked_gives_one_a_list_gives_a_list() {
        let ctx = ApiContext::new("https://x/".parse::<BaseUri>().unwrap())
            .with_access_token(AccessToken::new("t"));
        let alice = Character::new("a", "Alice");
        let one = FetchCharacterProfile::one(&alice);
        let req = one.request(&ctx).unwrap();
        assert_eq!(req.body().as_ref(), br#"{"character_list":["a"]}"#);
        let body =
            r#"{"code":10000,"data":[{"character_id":"a","character_context":{"name":"Alice"}}]}"#;
        assert_eq!(one.parse(&ok(body)).unwrap().name, "Alice");
        assert!(one.parse(&ok(r#"{"code":10000,"data":[]}"#)).is_err());
        let many = FetchCharacterProfile::many("a");
        assert_eq!(many.request(&ctx).unwrap().body(), req.body());
        assert_eq!(many.parse(&ok(body)).unwrap().len(), 1);
    }
}
