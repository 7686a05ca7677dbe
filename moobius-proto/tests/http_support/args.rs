//! The reference's loose argument forms, read into the typed API's
//! equivalents (EXPECTATIONS.md, "Argument forms"):
//!
//! * a character record (`{"$dataclass": "Character", …}`) where an id is
//!   expected is decoded into a [`Character`] and passed as such (the typed
//!   API converts it to its `character_id`);
//! * one id or one record where a list is expected is passed as one value
//!   (the typed API makes a list of one);
//! * a list (or tuple) mixing ids and records is the list of ids, in order.

use super::json_eq::untag;
use moobius_proto::model::{Character, IntoCharacterIds};
use moobius_proto::CharacterId;
use serde_json::Value;

/// One character as the reference took it: an id or a record.
#[derive(Debug)]
pub(crate) enum CharArg {
    Id(String),
    Record(Character),
}

impl CharArg {
    pub(crate) fn read(v: &Value, what: &str) -> Result<Self, String> {
        match v {
            Value::String(s) => Ok(Self::Id(s.clone())),
            Value::Object(m)
                if m.get("$dataclass").and_then(Value::as_str) == Some("Character") =>
            {
                serde_json::from_value(untag(v))
                    .map(Self::Record)
                    .map_err(|e| format!("{what}: a Character record our type does not read: {e}"))
            }
            other => Err(format!(
                "{what}: {other} is neither an id nor a character record (no rule for this form)"
            )),
        }
    }

    /// The id, through the typed conversion a caller would use.
    pub(crate) fn id(&self) -> CharacterId {
        match self {
            Self::Id(s) => CharacterId::from(s.as_str()),
            Self::Record(c) => CharacterId::from(c),
        }
    }
}

/// Characters where the reference expects a list: one value, or a list.
#[derive(Debug)]
pub(crate) enum Chars {
    One(CharArg),
    List(Vec<CharArg>),
}

impl Chars {
    pub(crate) fn read(v: &Value, what: &str) -> Result<Self, String> {
        // A tuple is a list too.
        let v = v.get("$tuple").unwrap_or(v);
        match v {
            Value::Array(items) => items
                .iter()
                .map(|i| CharArg::read(i, what))
                .collect::<Result<_, _>>()
                .map(Self::List),
            one => CharArg::read(one, what).map(Self::One),
        }
    }

    pub(crate) fn is_list(&self) -> bool {
        matches!(self, Self::List(_))
    }

    /// The ids, through the typed API's [`IntoCharacterIds`] for each form.
    pub(crate) fn ids(&self) -> Vec<CharacterId> {
        match self {
            Self::One(CharArg::Id(s)) => s.as_str().into_character_ids(),
            Self::One(CharArg::Record(c)) => c.into_character_ids(),
            Self::List(items) => items
                .iter()
                .map(CharArg::id)
                .collect::<Vec<CharacterId>>()
                .into_character_ids(),
        }
    }
}
