//! `update` bodies: what changed in a channel's interface.

use super::lenient::one_or_many;
use super::{
    Button, CanvasItem, ChannelInfo, CharacterRefs, Context, MenuItem, StyleItem, UpdateSubtype,
};
use crate::ids::ChannelId;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What an update changes, with the new value. This replaces the reference
/// SDK's list of `UpdateItem`s with six optional members: exactly one kind
/// of thing changes per update, so it is one enum.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum UpdateContent {
    /// The character list (`content.characters`), usually a group id.
    Characters(CharacterRefs),
    /// The full button bar.
    Buttons(Vec<Button>),
    /// The full context menu.
    Menu(Vec<MenuItem>),
    /// Widget styles.
    Style(Vec<StyleItem>),
    /// The full canvas.
    Canvas(Vec<CanvasItem>),
    /// The channel's name and description.
    ChannelInfo(ChannelInfo),
    /// A subtype this SDK does not know, with its content as sent.
    Other {
        /// The subtype as sent.
        subtype: String,
        /// The content as sent.
        content: serde_json::Value,
    },
}

impl UpdateContent {
    /// The subtype this content travels under.
    #[must_use]
    pub fn subtype(&self) -> UpdateSubtype {
        match self {
            Self::Characters(_) => UpdateSubtype::Characters,
            Self::Buttons(_) => UpdateSubtype::Buttons,
            Self::Menu(_) => UpdateSubtype::Menu,
            Self::Style(_) => UpdateSubtype::Style,
            Self::Canvas(_) => UpdateSubtype::Canvas,
            Self::ChannelInfo(_) => UpdateSubtype::ChannelInfo,
            Self::Other { subtype, .. } => UpdateSubtype::Other(subtype.clone()),
        }
    }
}

/// An `update` as received in user mode.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UpdateBody {
    /// The channel.
    pub channel_id: ChannelId,
    /// What changed.
    pub content: UpdateContent,
    /// Recipients as sent (the platform normally strips them).
    pub recipients: Option<CharacterRefs>,
    /// Group id (the constant `"temp"` in practice).
    pub group_id: Option<String>,
    /// Free-form context.
    pub context: Option<Context>,
}

impl UpdateBody {
    /// An update of `channel_id`, without recipients, group or context.
    #[must_use]
    pub fn new(channel_id: impl Into<ChannelId>, content: UpdateContent) -> Self {
        Self {
            channel_id: channel_id.into(),
            content,
            recipients: None,
            group_id: None,
            context: None,
        }
    }
}

/// Decodes `content` once the subtype is known.
struct ContentSeed<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for ContentSeed<'_> {
    type Value = UpdateContent;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<UpdateContent, D::Error> {
        #[derive(Deserialize)]
        struct CharactersContent {
            characters: CharacterRefs,
        }
        #[derive(Deserialize)]
        #[serde(bound = "T: Deserialize<'de>")]
        struct List<T>(#[serde(deserialize_with = "one_or_many")] Vec<T>);

        Ok(match UpdateSubtype::from_wire(self.0) {
            UpdateSubtype::Characters => {
                UpdateContent::Characters(CharactersContent::deserialize(d)?.characters)
            }
            UpdateSubtype::Buttons => UpdateContent::Buttons(List::deserialize(d)?.0),
            UpdateSubtype::Menu => UpdateContent::Menu(List::deserialize(d)?.0),
            UpdateSubtype::Style => UpdateContent::Style(List::deserialize(d)?.0),
            UpdateSubtype::Canvas => UpdateContent::Canvas(List::deserialize(d)?.0),
            UpdateSubtype::ChannelInfo => {
                let mut infos: List<ChannelInfo> = List::deserialize(d)?;
                if infos.0.is_empty() {
                    return Err(de::Error::invalid_length(0, &"one channel info"));
                }
                UpdateContent::ChannelInfo(infos.0.swap_remove(0))
            }
            UpdateSubtype::Other(subtype) => UpdateContent::Other {
                subtype,
                content: serde_json::Value::deserialize(d)?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for UpdateBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UpdateBody;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an update body")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UpdateBody, A::Error> {
                let mut subtype: Option<String> = None;
                let mut content: Option<UpdateContent> = None;
                let mut early_content: Option<serde_json::Value> = None;
                let mut channel_id = None;
                let mut recipients = None;
                let mut group_id = None;
                let mut context = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "subtype" => subtype = Some(map.next_value()?),
                        "content" => match &subtype {
                            Some(s) => content = Some(map.next_value_seed(ContentSeed(s))?),
                            None => early_content = Some(map.next_value()?),
                        },
                        "channel_id" => channel_id = Some(map.next_value()?),
                        "recipients" => recipients = map.next_value()?,
                        "group_id" => group_id = map.next_value()?,
                        "context" => context = map.next_value()?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let subtype = subtype.ok_or_else(|| de::Error::missing_field("subtype"))?;
                let content = match (content, early_content) {
                    (Some(c), _) => c,
                    (None, Some(v)) => ContentSeed(&subtype)
                        .deserialize(v)
                        .map_err(de::Error::custom)?,
                    (None, None) => return Err(de::Error::missing_field("content")),
                };
                Ok(UpdateBody {
                    channel_id: channel_id.ok_or_else(|| de::Error::missing_field("channel_id"))?,
                    content,
                    recipients,
                    group_id,
                    context,
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl Serialize for UpdateBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("subtype", &self.content.subtype())?;
        m.serialize_entry("channel_id", &self.channel_id)?;
        serialize_content(&self.content, &mut m)?;
        if let Some(r) = &self.recipients {
            m.serialize_entry("recipients", r)?;
        }
        if let Some(g) = &self.group_id {
            m.serialize_entry("group_id", g)?;
        }
        if let Some(c) = &self.context {
            m.serialize_entry("context", c)?;
        }
        m.end()
    }
}

/// Writes the `content` member of an update for any content kind.
pub(crate) fn serialize_content<M: SerializeMap>(
    content: &UpdateContent,
    m: &mut M,
) -> Result<(), M::Error> {
    #[derive(Serialize)]
    struct CharactersContent<'a> {
        characters: &'a CharacterRefs,
    }
    match content {
        UpdateContent::Characters(c) => {
            m.serialize_entry("content", &CharactersContent { characters: c })
        }
        UpdateContent::Buttons(b) => m.serialize_entry("content", b),
        UpdateContent::Menu(i) => m.serialize_entry("content", i),
        UpdateContent::Style(i) => m.serialize_entry("content", i),
        UpdateContent::Canvas(i) => m.serialize_entry("content", i),
        UpdateContent::ChannelInfo(i) => m.serialize_entry("content", i),
        UpdateContent::Other { content, .. } => m.serialize_entry("content", content),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_before_subtype_still_decodes() {
        let b: UpdateBody = serde_json::from_str(
            r#"{"content":[{"text":"x"}],"channel_id":"c","subtype":"canvas"}"#,
        )
        .unwrap();
        assert_eq!(
            b.content,
            UpdateContent::Canvas(vec![CanvasItem::text("x")])
        );
    }

    #[test]
    fn channel_info_object_or_list() {
        let one = r#"{"subtype":"channel_info","channel_id":"c","content":{"channel_id":"c","channel_name":"n","channel_description":"d","channel_type":"ccs"}}"#;
        let b: UpdateBody = serde_json::from_str(one).unwrap();
        assert!(matches!(b.content, UpdateContent::ChannelInfo(ref i) if i.channel_name == "n"));
        let list = one
            .replace("\"content\":{", "\"content\":[{")
            .replace("ccs\"}}", "ccs\"}]}");
        let b2: UpdateBody = serde_json::from_str(&list).unwrap();
        assert_eq!(b, b2);
    }
}
