//! Groups: server-side names for ordered lists of character ids, which is how
//! recipient and character lists travel on the websocket
//! (PROTOCOL.md §1.4, §4.8).
//!
//! * Service mode turns a list into a group with [`CreateServiceGroup`].
//! * User mode does so with [`CreateChannelGroup`] (per channel).
//! * Received group ids are resolved with [`FetchChannelGroup`] (any kind) or
//!   [`FetchServiceGroup`].

use super::envelope;
use super::error::{ApiError, RequestError};
use super::paths;
use super::request::{get, post_json, Auth};
use super::wire::ListOrNull;
use super::{ApiContext, Endpoint};
use crate::ids::{ChannelId, CharacterId, GroupId, ServiceId};
use crate::model::{Group, IntoCharacterIds};
use ::http::{Request, Response};
use bytes::Bytes;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The group name the reference gives the recipient groups of user-mode
/// messages.
pub const MESSAGE_UP_GROUP_NAME: &str = "A_message_up_group";

/// True for the values that stand for "no group" in received frames: the
/// empty string and `None`, `null`, `none`, `Null`, `false`, `False`. They
/// resolve to no characters without a request (as in the reference). The
/// literal `"service"` is a different case (to the service only); see
/// [`GroupRef`](crate::model::GroupRef).
#[must_use]
pub fn is_placeholder_group_id(group_id: &str) -> bool {
    matches!(
        group_id,
        "" | "None" | "null" | "none" | "Null" | "false" | "False"
    )
}

/// Turn a list of characters into a service group:
/// `POST /service/group/create` → the [`Group`] (its id, and the characters
/// given, in order). The answer's `data` must be the group id string.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct CreateServiceGroup {
    /// The members, in order (order matters for character lists).
    pub characters: Vec<CharacterId>,
}

impl CreateServiceGroup {
    /// A group of these characters, in this order: ids, records, or a mix
    /// (one id or record makes a group of one).
    pub fn new(characters: impl IntoCharacterIds) -> Self {
        Self {
            characters: characters.into_character_ids(),
        }
    }
}

impl Endpoint for CreateServiceGroup {
    type Output = Group;
    const NAME: &'static str = "create_service_group";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            group_id: &'a str,
            characters: &'a [CharacterId],
        }
        let body = Body {
            group_id: "",
            characters: &self.characters,
        };
        post_json(
            Self::NAME,
            ctx,
            paths::SERVICE_GROUP_CREATE,
            &body,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Group, ApiError> {
        let group_id: GroupId = envelope::data(Self::NAME, response)?;
        group(Self::NAME, "data", group_id, &self.characters)
    }
}

/// A [`Group`] of `characters`, refusing an empty id.
fn group(
    endpoint: &'static str,
    path: &str,
    group_id: GroupId,
    characters: &[CharacterId],
) -> Result<Group, ApiError> {
    if group_id.as_str().is_empty() {
        return Err(ApiError::Decode {
            endpoint,
            path: path.to_owned(),
            message: "the group id is empty".to_owned(),
        });
    }
    Ok(Group {
        group_id,
        character_ids: characters.to_vec(),
    })
}

/// The members of a group lookup. An empty `data` (`null`, `{}`, `[]`, `""`)
/// means no members; otherwise `data.characters` must be a list of ids.
struct GroupMembers(Vec<CharacterId>);

impl<'de> Deserialize<'de> for GroupMembers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GroupMembers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a group with `characters`, or nothing")
            }
            fn visit_unit<E: de::Error>(self) -> Result<GroupMembers, E> {
                Ok(GroupMembers(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<GroupMembers, E> {
                Ok(GroupMembers(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GroupMembers, E> {
                if v.is_empty() {
                    Ok(GroupMembers(Vec::new()))
                } else {
                    Err(de::Error::invalid_type(de::Unexpected::Str(v), &self))
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GroupMembers, A::Error> {
                match seq.next_element::<de::IgnoredAny>()? {
                    None => Ok(GroupMembers(Vec::new())),
                    Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GroupMembers, A::Error> {
                let mut characters = None;
                let mut any_key = false;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    any_key = true;
                    if key == "characters" {
                        characters = Some(map.next_value::<ListOrNull<CharacterId>>()?.0);
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                match characters {
                    Some(c) => Ok(GroupMembers(c)),
                    None if !any_key => Ok(GroupMembers(Vec::new())),
                    None => Err(de::Error::missing_field("characters")),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The members of a service group: `GET /service/group?group_id=…` → their
/// ids, in order. Check [`is_placeholder_group_id`] first: those ids need no
/// request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchServiceGroup {
    /// The group.
    pub group_id: GroupId,
}

impl FetchServiceGroup {
    /// The members of `group_id`.
    pub fn new(group_id: impl Into<GroupId>) -> Self {
        Self {
            group_id: group_id.into(),
        }
    }
}

impl Endpoint for FetchServiceGroup {
    type Output = Vec<CharacterId>;
    const NAME: &'static str = "character_ids_of_service_group";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let query = [("group_id", self.group_id.as_str())];
        get(Self::NAME, ctx, paths::SERVICE_GROUP, &query, Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<CharacterId>, ApiError> {
        envelope::data::<GroupMembers>(Self::NAME, response).map(|m| m.0)
    }
}

/// Turn a list of characters into a group of a channel (user mode):
/// `POST /user/group/create` → the [`Group`] (the id the platform assigned,
/// and the characters given, in order).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct CreateChannelGroup {
    /// The channel the group belongs to.
    pub channel_id: ChannelId,
    /// Its name ([`MESSAGE_UP_GROUP_NAME`] for message recipients).
    pub group_name: String,
    /// The members, in order.
    pub characters: Vec<CharacterId>,
}

impl CreateChannelGroup {
    /// A group of `characters` (in this order; ids, records or a mix, one
    /// making a group of one) in `channel_id`, named `group_name`.
    pub fn new(
        channel_id: impl Into<ChannelId>,
        group_name: impl Into<String>,
        characters: impl IntoCharacterIds,
    ) -> Self {
        Self {
            channel_id: channel_id.into(),
            group_name: group_name.into(),
            characters: characters.into_character_ids(),
        }
    }
}

impl Endpoint for CreateChannelGroup {
    type Output = Group;
    const NAME: &'static str = "create_channel_group";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            channel_id: &'a ChannelId,
            group_name: &'a str,
            characters: &'a [CharacterId],
        }
        let body = Body {
            channel_id: &self.channel_id,
            group_name: &self.group_name,
            characters: &self.characters,
        };
        post_json(
            Self::NAME,
            ctx,
            paths::USER_GROUP_CREATE,
            &body,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Group, ApiError> {
        #[derive(Deserialize)]
        struct Data {
            group_id: GroupId,
        }
        let d: Data = envelope::data(Self::NAME, response)?;
        group(Self::NAME, "data.group_id", d.group_id, &self.characters)
    }
}

/// The members of a group seen in a channel (any kind of group; this is how
/// every received group id is resolved):
/// `GET /user/group?group_id=…&channel_id=…&user_id=…` → their ids, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchChannelGroup {
    /// The group.
    pub group_id: GroupId,
    /// The channel the frame came from.
    pub channel_id: ChannelId,
    /// The frame's sender (sent as `user_id`).
    pub user_id: CharacterId,
}

impl FetchChannelGroup {
    /// The members of `group_id`, seen in `channel_id` by a frame from
    /// `user_id`. Note the order differs from the reference's
    /// `(sender_id, channel_id, group_id)`: prefer [`ChannelGroupQuery`],
    /// whose fields are named.
    pub fn new(
        group_id: impl Into<GroupId>,
        channel_id: impl Into<ChannelId>,
        user_id: impl Into<CharacterId>,
    ) -> Self {
        Self {
            group_id: group_id.into(),
            channel_id: channel_id.into(),
            user_id: user_id.into(),
        }
    }
}

/// The arguments of `character_ids_of_channel_group`, by name.
///
/// The reference takes them positionally as `(sender_id, channel_id,
/// group_id)`; [`FetchChannelGroup::new`] takes `(group_id, channel_id,
/// user_id)`, and all three convert from plain strings, so a call copied
/// from the reference would compile and ask for the wrong group. Naming the
/// fields makes the order irrelevant:
///
/// ```
/// use moobius_proto::http::{ChannelGroupQuery, FetchChannelGroup};
///
/// let call = FetchChannelGroup::from(ChannelGroupQuery {
///     sender_id: "u-1".into(),
///     channel_id: "c-1".into(),
///     group_id: "g-1".into(),
/// });
/// assert_eq!(call.group_id, "g-1");
/// assert_eq!(call.user_id, "u-1");
/// ```
///
/// Both drivers' `Moobius::character_ids_of_channel_group` take it. It is
/// built with a struct literal on purpose (every field named at the call),
/// so it stays exhaustive: no `#[non_exhaustive]`, no positional
/// constructor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelGroupQuery {
    /// Who asks: the frame's sender (sent as `user_id`).
    pub sender_id: CharacterId,
    /// The channel the frame came from.
    pub channel_id: ChannelId,
    /// The group to resolve.
    pub group_id: GroupId,
}

impl From<ChannelGroupQuery> for FetchChannelGroup {
    fn from(q: ChannelGroupQuery) -> Self {
        Self {
            group_id: q.group_id,
            channel_id: q.channel_id,
            user_id: q.sender_id,
        }
    }
}

impl Endpoint for FetchChannelGroup {
    type Output = Vec<CharacterId>;
    const NAME: &'static str = "character_ids_of_channel_group";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let query = [
            ("group_id", self.group_id.as_str()),
            ("channel_id", self.channel_id.as_str()),
            ("user_id", self.user_id.as_str()),
        ];
        get(Self::NAME, ctx, paths::USER_GROUP, &query, Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Vec<CharacterId>, ApiError> {
        envelope::data::<GroupMembers>(Self::NAME, response).map(|m| m.0)
    }
}

/// One group of a channel, as `GET /user/group/list` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelGroup {
    /// The group.
    pub group_id: GroupId,
    /// Its name, when the platform gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// Its members, in order.
    pub characters: Vec<CharacterId>,
}

/// The groups of a channel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ChannelGroups {
    /// The groups, in the platform's order.
    pub groups: Vec<ChannelGroup>,
}

impl ChannelGroups {
    /// Group id → members (the reference's `fetch_channel_group_dict`).
    #[must_use]
    pub fn members_by_group(&self) -> BTreeMap<GroupId, Vec<CharacterId>> {
        self.groups
            .iter()
            .map(|g| (g.group_id.clone(), g.characters.clone()))
            .collect()
    }
}

/// The groups of a channel, as seen by a service:
/// `GET /user/group/list?channel_id=…&service_id=…` → [`ChannelGroups`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchChannelGroups {
    /// The channel.
    pub channel_id: ChannelId,
    /// The caller's service id.
    pub service_id: ServiceId,
}

impl FetchChannelGroups {
    /// For `channel_id`, asked as `service_id`.
    pub fn new(channel_id: impl Into<ChannelId>, service_id: impl Into<ServiceId>) -> Self {
        Self {
            channel_id: channel_id.into(),
            service_id: service_id.into(),
        }
    }
}

impl Endpoint for FetchChannelGroups {
    type Output = ChannelGroups;
    const NAME: &'static str = "fetch_channel_group_list";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let query = [
            ("channel_id", self.channel_id.as_str()),
            ("service_id", self.service_id.as_str()),
        ];
        get(
            Self::NAME,
            ctx,
            paths::USER_GROUP_LIST,
            &query,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<ChannelGroups, ApiError> {
        let ListOrNull(groups) = envelope::data(Self::NAME, response)?;
        Ok(ChannelGroups { groups })
    }
}

/// A channel's "temp" group(s), for diagnostics:
/// `GET /user/group/temp?channel_id=…&service_id=…` → `data` as raw JSON
/// (its meaning is unknown; observed: a list of `{group_id, characters}`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct FetchChannelTempGroup {
    /// The channel.
    pub channel_id: ChannelId,
    /// The caller's service id.
    pub service_id: ServiceId,
}

impl FetchChannelTempGroup {
    /// For `channel_id`, asked as `service_id`.
    pub fn new(channel_id: impl Into<ChannelId>, service_id: impl Into<ServiceId>) -> Self {
        Self {
            channel_id: channel_id.into(),
            service_id: service_id.into(),
        }
    }
}

impl Endpoint for FetchChannelTempGroup {
    type Output = serde_json::Value;
    const NAME: &'static str = "fetch_channel_temp_group";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let query = [
            ("channel_id", self.channel_id.as_str()),
            ("service_id", self.service_id.as_str()),
        ];
        get(
            Self::NAME,
            ctx,
            paths::USER_GROUP_TEMP,
            &query,
            Auth::Bearer,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<serde_json::Value, ApiError> {
        envelope::data(Self::NAME, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(data: &str) -> Response<Bytes> {
        Response::new(Bytes::from(format!(r#"{{"code":10000,"data":{data}}}"#)))
    }

    #[test]
    fn placeholders() {
        for p in ["", "None", "null", "none", "Null", "false", "False"] {
            assert!(is_placeholder_group_id(p));
        }
        for g in ["service", "g-1", "NULL", "0"] {
            assert!(!is_placeholder_group_id(g));
        }
    }

    #[test]
    fn service_group_data_must_be_a_string() {
        let call = CreateServiceGroup::new(["a", "b"]);
        let g = call.parse(&ok(r#""g1""#)).unwrap();
        assert_eq!(g.group_id, "g1");
        assert_eq!(g.character_ids, ["a", "b"]);
        let e = call.parse(&ok(r#"{"group_id":"g1"}"#)).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { endpoint: "create_service_group", ref path, .. } if path == "data"),
            "{e:?}"
        );
        assert!(call.parse(&ok(r#""""#)).is_err());
        assert!(call.parse(&ok("null")).is_err());
    }

    #[test]
    fn group_lookups() {
        let call = FetchServiceGroup::new("g");
        for empty in ["null", "{}", "[]", r#""""#] {
            assert!(call.parse(&ok(empty)).unwrap().is_empty(), "{empty}");
        }
        assert_eq!(
            call.parse(&ok(r#"{"group_id":"g","characters":["b","a"]}"#))
                .unwrap(),
            ["b", "a"]
        );
        let e = call.parse(&ok(r#"{"group_id":"g"}"#)).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data"),
            "{e:?}"
        );
        let e = call.parse(&ok(r#"{"characters":[1]}"#)).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data.characters[0]"),
            "{e:?}"
        );
        assert!(call.parse(&ok(r#"["a"]"#)).is_err());
    }

    #[test]
    fn channel_group_list() {
        let call = FetchChannelGroups {
            channel_id: "c".into(),
            service_id: "s".into(),
        };
        let groups = call
            .parse(&ok(r#"[{"group_id":"g1","group_name":"all","characters":["a"]},{"group_id":"g2","characters":[]}]"#))
            .unwrap();
        assert_eq!(groups.groups.len(), 2);
        assert_eq!(groups.members_by_group()[&GroupId::new("g1")], ["a"]);
        let e = call
            .parse(&ok(r#"[{"group_id":"g1","characters":"a"}]"#))
            .unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data[0].characters"),
            "{e:?}"
        );
    }
}
