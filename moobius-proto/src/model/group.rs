//! Groups.

use crate::ids::{CharacterId, GroupId};
use serde::{Deserialize, Serialize};

/// A server-side, ordered list of character ids with a name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// The group id.
    pub group_id: GroupId,
    /// Its members, in order.
    pub character_ids: Vec<CharacterId>,
}

impl Group {
    /// The group `group_id` with these members, in order.
    #[must_use]
    pub fn new(group_id: impl Into<GroupId>, character_ids: Vec<CharacterId>) -> Self {
        Self {
            group_id: group_id.into(),
            character_ids,
        }
    }
}
