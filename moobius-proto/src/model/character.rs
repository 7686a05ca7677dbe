//! Characters (members and agents) and references to sets of them.

use super::Context;
use crate::ids::{CharacterId, GroupId};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A character: a real user in a channel, or an agent created by a service.
///
/// On the wire (HTTP character records) it is
/// `{"character_id": …, "character_context": {"name": …, "avatar": …, "description": …, …}}`;
/// that is also how it serialises. Decoding accepts that record and the flat
/// shape (`name`, `avatar`, `description` beside `character_id`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Character {
    /// Its id.
    pub character_id: CharacterId,
    /// Display name.
    pub name: String,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Short description.
    pub description: Option<String>,
    /// The whole `character_context` as received (may hold more keys).
    pub character_context: Option<Context>,
}

impl Character {
    /// A character with just an id and a name.
    #[must_use]
    pub fn new(character_id: impl Into<CharacterId>, name: impl Into<String>) -> Self {
        Self {
            character_id: character_id.into(),
            name: name.into(),
            ..Self::default()
        }
    }

    /// The same character with an avatar URL.
    #[must_use]
    pub fn with_avatar(mut self, avatar: impl Into<String>) -> Self {
        self.avatar = Some(avatar.into());
        self
    }

    /// The same character with a description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

impl Serialize for Character {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut ctx = self.character_context.clone().unwrap_or_default();
        ctx.insert("name".into(), self.name.clone().into());
        ctx.insert("avatar".into(), self.avatar.clone().into());
        ctx.insert("description".into(), self.description.clone().into());
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("character_id", &self.character_id)?;
        m.serialize_entry("character_context", &ctx)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for Character {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Character;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a character record")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Character, A::Error> {
                let mut id: Option<CharacterId> = None;
                let mut flat = Character::default();
                let mut ctx: Option<Context> = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "character_id" => id = Some(map.next_value()?),
                        "character_context" => ctx = map.next_value()?,
                        "name" => {
                            flat.name = map.next_value::<Option<String>>()?.unwrap_or_default()
                        }
                        "avatar" => flat.avatar = map.next_value()?,
                        "description" => flat.description = map.next_value()?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                flat.character_id = id.ok_or_else(|| de::Error::missing_field("character_id"))?;
                if let Some(c) = &ctx {
                    let text = |k: &str| c.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                    if let Some(n) = text("name") {
                        flat.name = n;
                    }
                    flat.avatar = text("avatar").or(flat.avatar);
                    flat.description = text("description").or(flat.description);
                }
                flat.character_context = ctx;
                Ok(flat)
            }
        }
        d.deserialize_map(V)
    }
}

/// A recipient group as written in an outbound frame: a group id, or the
/// literal `"service"` (to the service only, nobody else).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GroupRef {
    /// The literal `"service"`.
    Service,
    /// A group created through the HTTP API.
    Group(GroupId),
}

impl GroupRef {
    /// The wire string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Service => "service",
            Self::Group(g) => g.as_str(),
        }
    }
}

impl From<GroupId> for GroupRef {
    fn from(g: GroupId) -> Self {
        Self::Group(g)
    }
}

impl Serialize for GroupRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for GroupRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(if s == "service" {
            Self::Service
        } else {
            Self::Group(GroupId::from(s.as_ref()))
        })
    }
}

/// A set of characters as a received frame names it: a group id to resolve,
/// `"service"`, an inline list of ids, or inline character records.
///
/// The platform sends group ids; the other forms are accepted so that a
/// lenient peer never breaks decoding. The session resolves every form to ids.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CharacterRefs {
    /// A group id (or `"service"`), to be resolved through the HTTP API.
    Group(GroupRef),
    /// Character ids, given inline.
    Ids(Vec<CharacterId>),
    /// Character records, given inline.
    Records(Vec<Character>),
}

impl CharacterRefs {
    /// The ids known without a lookup: `Some(vec![])` for `"service"`, the
    /// ids of inline lists; `None` when a group must be resolved first.
    #[must_use]
    pub fn inline_ids(&self) -> Option<Vec<CharacterId>> {
        match self {
            Self::Group(GroupRef::Service) => Some(Vec::new()),
            Self::Group(GroupRef::Group(_)) => None,
            Self::Ids(ids) => Some(ids.clone()),
            Self::Records(r) => Some(r.iter().map(|c| c.character_id.clone()).collect()),
        }
    }
}

impl Serialize for CharacterRefs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Group(g) => g.serialize(s),
            Self::Ids(ids) => ids.serialize(s),
            Self::Records(r) => r.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CharacterRefs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CharacterRefs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a group id, a list of character ids or a list of character records")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CharacterRefs, E> {
                Ok(CharacterRefs::Group(if v == "service" {
                    GroupRef::Service
                } else {
                    GroupRef::Group(GroupId::from(v))
                }))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<CharacterRefs, A::Error> {
                #[derive(Deserialize)]
                #[serde(untagged)]
                enum Item {
                    Id(CharacterId),
                    Record(Character),
                }
                let mut ids = Vec::new();
                let mut records = Vec::new();
                while let Some(item) = seq.next_element::<Item>()? {
                    match item {
                        Item::Id(id) => ids.push(id),
                        Item::Record(r) => records.push(r),
                    }
                }
                match (ids.is_empty(), records.is_empty()) {
                    (_, true) => Ok(CharacterRefs::Ids(ids)),
                    (true, false) => Ok(CharacterRefs::Records(records)),
                    (false, false) => {
                        Err(de::Error::custom("a list mixing character ids and records"))
                    }
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_record_and_flat_shapes_decode() {
        let rec: Character = serde_json::from_str(
            r#"{"character_id":"a","character_context":{"name":"Ann","avatar":null,"description":"d","x":1}}"#,
        )
        .unwrap();
        assert_eq!(rec.name, "Ann");
        assert_eq!(rec.description.as_deref(), Some("d"));
        let flat: Character = serde_json::from_str(r#"{"character_id":"a","name":"Ann"}"#).unwrap();
        assert_eq!(flat.name, "Ann");
        let back: Character = serde_json::from_str(&serde_json::to_string(&rec).unwrap()).unwrap();
        assert_eq!(back, rec);
    }

    #[test]
    fn character_refs_forms() {
        let g: CharacterRefs = serde_json::from_str("\"g1\"").unwrap();
        assert_eq!(g, CharacterRefs::Group(GroupRef::Group("g1".into())));
        let s: CharacterRefs = serde_json::from_str("\"service\"").unwrap();
        assert_eq!(s.inline_ids(), Some(vec![]));
        let ids: CharacterRefs = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert_eq!(ids.inline_ids().unwrap().len(), 2);
        let recs: CharacterRefs =
            serde_json::from_str(r#"[{"character_id":"a","character_context":{"name":"A"}}]"#)
                .unwrap();
        assert!(matches!(recs, CharacterRefs::Records(_)));
        assert!(serde_json::from_str::<CharacterRefs>(r#"["a",{"character_id":"b"}]"#).is_err());
    }
}
