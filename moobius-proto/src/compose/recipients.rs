//! Who a message or update is for, as the application says it.

use crate::ids::{CharacterId, GroupId};
use crate::model::Character;

/// Recipients as the application gives them. Lists of ids become group ids
/// through the HTTP API before a frame leaves (the session does that and
/// caches the result); a known group id or the service itself is sent as is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Recipients {
    /// These characters, in this order.
    Characters(Vec<CharacterId>),
    /// The service only (the literal `"service"` on the wire).
    Service,
    /// An existing group.
    Group(GroupId),
}

impl Recipients {
    /// True for an empty character list, which would send to nobody.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Characters(ids) if ids.is_empty())
    }
}

impl From<Vec<CharacterId>> for Recipients {
    fn from(ids: Vec<CharacterId>) -> Self {
        Self::Characters(ids)
    }
}

impl From<&[CharacterId]> for Recipients {
    fn from(ids: &[CharacterId]) -> Self {
        Self::Characters(ids.to_vec())
    }
}

impl From<CharacterId> for Recipients {
    fn from(id: CharacterId) -> Self {
        Self::Characters(vec![id])
    }
}

impl From<&Character> for Recipients {
    fn from(c: &Character) -> Self {
        Self::Characters(vec![c.character_id.clone()])
    }
}

impl From<&[Character]> for Recipients {
    fn from(cs: &[Character]) -> Self {
        Self::Characters(cs.iter().map(|c| c.character_id.clone()).collect())
    }
}
