//! Groups.

use crate::ids::{CharacterId, GroupId};
use serde::{Deserialize, Serialize};

/// A server-side, ordered list of character ids with a name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The group id.
    pub group_id: GroupId,
    /// Its members, in order.
    pub character_ids: Vec<CharacterId>,
}
