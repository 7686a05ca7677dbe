//! Channels: `/channel/*` (PROTOCOL.md §4.5).

use super::envelope;
use super::error::{ApiError, RequestError};
use super::paths;
use super::request::{get, post_json, Auth};
use super::wire::ListOrNull;
use super::{ApiContext, Endpoint};
use crate::ids::{ChannelId, CharacterId, ServiceId};
use ::http::{Request, Response};
use bytes::Bytes;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `{"channel_description": …}` under `context`.
#[derive(Serialize)]
struct ChannelContext<'a> {
    channel_description: &'a str,
}

/// Create a channel: `POST /channel/create` → its id.
///
/// The reference's `Moobius.create_channel` then binds the service to it;
/// here that is a separate [`BindService`](super::BindService) call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct CreateChannel {
    /// The channel's name (`channel_name`).
    pub name: String,
    /// Its description (`context.channel_description`).
    pub description: String,
}

impl CreateChannel {
    /// A channel with this name and description.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
        }
    }
}

impl Endpoint for CreateChannel {
    type Output = ChannelId;
    const NAME: &'static str = "create_channel";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            channel_name: &'a str,
            context: ChannelContext<'a>,
        }
        let body = Body {
            channel_name: &self.name,
            context: ChannelContext {
                channel_description: &self.description,
            },
        };
        post_json(Self::NAME, ctx, paths::CHANNEL_CREATE, &body, Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<ChannelId, ApiError> {
        #[derive(Deserialize)]
        struct Data {
            channel_id: ChannelId,
        }
        envelope::data::<Data>(Self::NAME, response).map(|d| d.channel_id)
    }
}

/// Rename or re-describe a channel: `POST /channel/update`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct UpdateChannel {
    /// The channel.
    pub channel_id: ChannelId,
    /// New name (`channel_name`).
    pub name: String,
    /// New description (`context.channel_description`).
    pub description: String,
}

impl UpdateChannel {
    /// Set the name and description of `channel_id`.
    pub fn new(
        channel_id: impl Into<ChannelId>,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            channel_id: channel_id.into(),
            name: name.into(),
            description: description.into(),
        }
    }
}

impl Endpoint for UpdateChannel {
    type Output = ();
    const NAME: &'static str = "update_channel";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            channel_id: &'a ChannelId,
            channel_name: &'a str,
            context: ChannelContext<'a>,
        }
        let body = Body {
            channel_id: &self.channel_id,
            channel_name: &self.name,
            context: ChannelContext {
                channel_description: &self.description,
            },
        };
        post_json(Self::NAME, ctx, paths::CHANNEL_UPDATE, &body, Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

/// An element of a channel listing: a bare id, or an object with `channel_id`
/// (other keys, such as `channel_name`, are ignored).
struct ChannelIdItem(ChannelId);

impl<'de> Deserialize<'de> for ChannelIdItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ChannelIdItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a channel id or an object with `channel_id`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ChannelIdItem, E> {
                Ok(ChannelIdItem(ChannelId::new(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ChannelIdItem, A::Error> {
                let mut id = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "channel_id" {
                        id = Some(map.next_value::<ChannelId>()?);
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                id.map(ChannelIdItem)
                    .ok_or_else(|| de::Error::missing_field("channel_id"))
            }
        }
        d.deserialize_any(V)
    }
}

/// Decodes a channel listing into ids.
fn channel_ids(
    endpoint: &'static str,
    response: &Response<Bytes>,
) -> Result<Vec<ChannelId>, ApiError> {
    let ListOrNull(items) = envelope::data::<ListOrNull<ChannelIdItem>>(endpoint, response)?;
    Ok(items.into_iter().map(|i| i.0).collect())
}

/// The platform's popular channels: `GET /channel/popular` → their ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchPopularChannels;

impl Endpoint for FetchPopularChannels {
    type Output = Vec<ChannelId>;
    const NAME: &'static str = "fetch_popular_channels";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        get(Self::NAME, ctx, paths::CHANNEL_POPULAR, &[], Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<ChannelId>, ApiError> {
        channel_ids(Self::NAME, response)
    }
}

/// The channels the caller is in: `GET /channel/list` → their ids. (The
/// reference's `this_user_channels`, used by user mode to rejoin, is the same
/// call.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchChannelList;

impl Endpoint for FetchChannelList {
    type Output = Vec<ChannelId>;
    const NAME: &'static str = "fetch_channel_list";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        get(Self::NAME, ctx, paths::CHANNEL_LIST, &[], Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<ChannelId>, ApiError> {
        channel_ids(Self::NAME, response)
    }
}

/// The default number of messages of a history fetch: 1,024, as the
/// reference's `Moobius.fetch_message_history` (the default of its lower
/// `HTTPAPIWrapper.fetch_message_history`, 64, is not what a caller of its
/// SDK gets).
pub const DEFAULT_HISTORY_LIMIT: u32 = 1024;

/// A channel's past messages:
/// `GET /channel/history_message?channel_id=…&limit=…&before=…` → the
/// messages, newest page first, each as raw JSON (the element shape is not
/// documented; observed elements look like message bodies with
/// `message_id`, `subtype`, `content`, `sender`, `timestamp`).
///
/// Query parameters only: no JSON body on this `GET` (the reference also
/// sends `{"limit": …}` as a body), and the result is the list in `data`,
/// not the whole envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct FetchMessageHistory {
    /// The channel.
    pub channel_id: ChannelId,
    /// At most this many messages ([`DEFAULT_HISTORY_LIMIT`] by default).
    pub limit: u32,
    /// Only messages older than this (sent as the literal `null` when `None`).
    pub before: Option<String>,
}

impl FetchMessageHistory {
    /// The latest [`DEFAULT_HISTORY_LIMIT`] messages of `channel_id`.
    pub fn new(channel_id: impl Into<ChannelId>) -> Self {
        Self {
            channel_id: channel_id.into(),
            limit: DEFAULT_HISTORY_LIMIT,
            before: None,
        }
    }

    /// At most `limit` messages.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Only messages older than `before`.
    pub fn before(mut self, before: impl Into<String>) -> Self {
        self.before = Some(before.into());
        self
    }
}

impl Endpoint for FetchMessageHistory {
    type Output = Vec<serde_json::Value>;
    const NAME: &'static str = "fetch_message_history";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let limit = self.limit.to_string();
        let query = [
            ("channel_id", self.channel_id.as_str()),
            ("limit", limit.as_str()),
            ("before", self.before.as_deref().unwrap_or("null")),
        ];
        get(
            Self::NAME,
            ctx,
            paths::CHANNEL_HISTORY_MESSAGE,
            &query,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<serde_json::Value>, ApiError> {
        envelope::data::<ListOrNull<serde_json::Value>>(Self::NAME, response).map(|l| l.0)
    }
}

/// The real users in a channel: `GET /channel/character_list?channel_id=…&service_id=…`
/// → their character ids (agents are not included; see
/// [`FetchAgents`](super::FetchAgents)).
///
/// `service_id` is the caller's own id: the service id in service mode, the
/// user id in user mode.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct FetchMemberIds {
    /// The channel.
    pub channel_id: ChannelId,
    /// The caller's service id (or user id, in user mode).
    pub service_id: ServiceId,
}

impl FetchMemberIds {
    /// The members of `channel_id`, asked as `service_id`.
    pub fn new(channel_id: impl Into<ChannelId>, service_id: impl Into<ServiceId>) -> Self {
        Self {
            channel_id: channel_id.into(),
            service_id: service_id.into(),
        }
    }
}

impl Endpoint for FetchMemberIds {
    type Output = Vec<CharacterId>;
    const NAME: &'static str = "fetch_member_ids";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let query = [
            ("channel_id", self.channel_id.as_str()),
            ("service_id", self.service_id.as_str()),
        ];
        get(
            Self::NAME,
            ctx,
            paths::CHANNEL_CHARACTER_LIST,
            &query,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<CharacterId>, ApiError> {
        #[derive(Deserialize)]
        struct Data {
            character_list: Vec<CharacterId>,
        }
        envelope::data::<Data>(Self::NAME, response).map(|d| d.character_list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(data: &str) -> Response<Bytes> {
        Response::new(Bytes::from(format!(r#"{{"code":10000,"data":{data}}}"#)))
    }

    #[test]
    fn channel_listings_accept_ids_and_objects() {
        let ids = FetchPopularChannels
            .parse(&ok(r#"["a",{"channel_id":"b","channel_name":"B"}]"#))
            .unwrap();
        assert_eq!(ids, ["a", "b"]);
        assert!(FetchChannelList.parse(&ok("null")).unwrap().is_empty());
        let e = FetchChannelList
            .parse(&ok(r#"["a",{"name":"x"}]"#))
            .unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data[1]"),
            "{e:?}"
        );
        let e = FetchChannelList.parse(&ok(r#"["a",3]"#)).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data[1]"),
            "{e:?}"
        );
    }

    #[test]
    fn member_ids_must_be_a_flat_list() {
        let call = FetchMemberIds::new("c", "s");
        assert_eq!(
            call.parse(&ok(r#"{"character_list":["u"]}"#)).unwrap(),
            ["u"]
        );
        let e = call
            .parse(&ok(r#"{"character_list":[["u"]]}"#))
            .unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data.character_list[0]"),
            "{e:?}"
        );
        let e = call.parse(&ok(r#"{"character_list":"u"}"#)).unwrap_err();
        assert!(matches!(e, ApiError::Decode { ref path, .. } if path == "data.character_list"));
    }

    #[test]
    fn history_is_a_get_without_body() {
        let ctx = ApiContext::new(super::super::BaseUri::moobius_ai())
            .with_access_token(crate::AccessToken::new("t"));
        let req = FetchMessageHistory::new("c")
            .limit(10)
            .before("m1")
            .request(&ctx)
            .unwrap();
        assert_eq!(req.method(), ::http::Method::GET);
        assert!(req.body().is_empty());
        assert!(req.headers().get("content-type").is_none());
        assert_eq!(req.uri().query(), Some("channel_id=c&limit=10&before=m1"));
    }
}
