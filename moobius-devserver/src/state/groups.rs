//! Groups: server-side names for ordered lists of character ids. Service
//! groups and channel groups share one namespace; either lookup endpoint
//! resolves either kind. Empty groups are allowed.

use crate::error::ApiError;
use crate::ids;
use std::collections::HashMap;

/// What made a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GroupKind {
    /// `POST /service/group/create` (by the account `owner`).
    Service,
    /// `POST /user/group/create` in a channel, with a name.
    Channel { channel_id: String, name: String },
}

/// One group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) group_id: String,
    pub(crate) kind: GroupKind,
    /// The account that created it.
    pub(crate) owner: String,
    pub(crate) characters: Vec<String>,
    seq: u64,
}

/// All groups.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    map: HashMap<String, Group>,
    seq: u64,
}

impl Groups {
    /// Creates a group and returns its id.
    pub(crate) fn create(
        &mut self,
        kind: GroupKind,
        owner: &str,
        characters: Vec<String>,
    ) -> String {
        self.seq += 1;
        let group_id = ids::uuid();
        self.map.insert(
            group_id.clone(),
            Group {
                group_id: group_id.clone(),
                kind,
                owner: owner.to_owned(),
                characters,
                seq: self.seq,
            },
        );
        group_id
    }

    /// Puts back a saved group with its id ([`crate::persist`]); refuses an
    /// id in use.
    pub(crate) fn restore(
        &mut self,
        group_id: &str,
        kind: GroupKind,
        owner: &str,
        characters: Vec<String>,
    ) -> Result<(), ApiError> {
        if group_id.is_empty() || self.map.contains_key(group_id) {
            return Err(ApiError::bad_request(format!(
                "group id `{group_id}` is empty or used twice"
            )));
        }
        self.seq += 1;
        self.map.insert(
            group_id.to_owned(),
            Group {
                group_id: group_id.to_owned(),
                kind,
                owner: owner.to_owned(),
                characters,
                seq: self.seq,
            },
        );
        Ok(())
    }

    /// Looks a group of either kind up.
    pub(crate) fn get(&self, group_id: &str) -> Result<&Group, ApiError> {
        self.map
            .get(group_id)
            .ok_or_else(|| ApiError::not_found(format!("unknown group `{group_id}`")))
    }

    /// All groups in creation order.
    pub(crate) fn list(&self) -> Vec<&Group> {
        let mut v: Vec<&Group> = self.map.values().collect();
        v.sort_by_key(|g| g.seq);
        v
    }

    /// Channel groups of one channel, in creation order.
    pub(crate) fn of_channel(&self, channel_id: &str) -> Vec<&Group> {
        self.list()
            .into_iter()
            .filter(
                |g| matches!(&g.kind, GroupKind::Channel { channel_id: c, .. } if c == channel_id),
            )
            .collect()
    }
}
