//! The signed-in user's profile: `/user/info` (PROTOCOL.md §4.3).

use super::envelope;
use super::error::{ApiError, RequestError};
use super::paths;
use super::request::{get, post_json, Auth};
use super::{ApiContext, Endpoint};
use crate::ids::CharacterId;
use crate::model::{Context, UserInfo};
use ::http::{Request, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Who am I: `GET /user/info` → [`UserInfo`] (used in user mode, where the
/// user id is also the client's character id).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchUserInfo;

/// `data` of `GET /user/info`: the profile sits under `context`.
#[derive(Deserialize)]
struct WireUserInfo {
    user_id: CharacterId,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
    #[serde(default)]
    context: Option<WireUserContext>,
    #[serde(default)]
    system_context: Option<Context>,
}

#[derive(Deserialize, Default)]
struct WireUserContext {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

impl Endpoint for FetchUserInfo {
    type Output = UserInfo;
    const NAME: &'static str = "fetch_user_info";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        get(Self::NAME, ctx, paths::USER_INFO, &[], Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<UserInfo, ApiError> {
        let w: WireUserInfo = envelope::data(Self::NAME, response)?;
        let c = w.context.unwrap_or_default();
        Ok(UserInfo {
            user_id: w.user_id,
            email: w.email.unwrap_or_default(),
            email_verified: w.email_verified,
            name: c.name.unwrap_or_default(),
            avatar: c.avatar,
            description: c.description,
            system_context: w.system_context,
        })
    }
}

/// Change the signed-in user's name, avatar and description:
/// `POST /user/info` → the platform's answer as raw JSON (its shape is not
/// documented; `null` when absent).
///
/// `avatar` must already be a URL: upload a local file first
/// ([`RequestUploadUrl`](super::RequestUploadUrl)) or use
/// [`DEFAULT_IMAGE_URL`](super::DEFAULT_IMAGE_URL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct UpdateCurrentUser {
    /// Avatar URL.
    pub avatar: String,
    /// Description.
    pub description: String,
    /// Display name.
    pub name: String,
}

impl UpdateCurrentUser {
    /// A new display name, avatar URL and description.
    pub fn new(
        name: impl Into<String>,
        avatar: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            avatar: avatar.into(),
            description: description.into(),
            name: name.into(),
        }
    }
}

impl Endpoint for UpdateCurrentUser {
    type Output = serde_json::Value;
    const NAME: &'static str = "update_current_user";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        post_json(Self::NAME, ctx, paths::USER_INFO, self, Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<serde_json::Value, ApiError> {
        envelope::data(Self::NAME, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_unnested() {
        let r = Response::new(Bytes::from_static(
            br#"{"code":10000,"data":{"user_id":"u","email":"e","context":{"name":"N","avatar":null}}}"#,
        ));
        let u = FetchUserInfo.parse(&r).unwrap();
        assert_eq!(u.user_id, "u");
        assert_eq!(u.name, "N");
        assert_eq!(u.avatar, None);
        assert_eq!(u.email_verified, None);
        let r = Response::new(Bytes::from_static(
            br#"{"code":10000,"data":{"email":"e"}}"#,
        ));
        let e = FetchUserInfo.parse(&r).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data"),
            "{e:?}"
        );
    }
}
