//! Group ids both ways: lists of character ids become groups before a frame
//! leaves (created once, cached), and group ids in received frames become
//! lists (looked up once, cached).

use crate::ids::{ChannelId, CharacterId, GroupId};
use std::collections::{HashMap, HashSet};

/// Entries kept per cache before it is emptied: a bound on memory for
/// services that address ever-new lists. Rebuilding costs one HTTP call each.
const MAX_CACHED: usize = 10_000;

/// Which kind of group a list becomes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum GroupKind {
    /// `POST /service/group/create` (service mode: messages and updates).
    Service,
    /// `POST /user/group/create` in this channel (user mode: messages).
    Channel(ChannelId),
}

/// A list of characters in order, as a cache key (never a joined string).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct GroupKey {
    pub(super) kind: GroupKind,
    pub(super) ids: Vec<CharacterId>,
}

#[derive(Default, Debug)]
pub(super) struct Groups {
    created: HashMap<GroupKey, GroupId>,
    creating: HashSet<GroupKey>,
    members: HashMap<GroupId, Vec<CharacterId>>,
    looking_up: HashSet<GroupId>,
    failed_lookups: HashSet<GroupId>,
}

impl Groups {
    pub(super) fn created(&self, key: &GroupKey) -> Option<&GroupId> {
        self.created.get(key)
    }

    /// True when a creation must start (not cached, not under way); marks it under way.
    pub(super) fn begin_create(&mut self, key: &GroupKey) -> bool {
        if self.created.contains_key(key) || self.creating.contains(key) {
            return false;
        }
        self.creating.insert(key.clone());
        true
    }

    pub(super) fn finish_create(&mut self, key: GroupKey, group: Option<GroupId>) {
        self.creating.remove(&key);
        if let Some(g) = group {
            if self.created.len() >= MAX_CACHED {
                self.created.clear();
            }
            self.created.insert(key, g);
        }
    }

    pub(super) fn remember_members(&mut self, group: GroupId, ids: Vec<CharacterId>) {
        if self.members.len() >= MAX_CACHED {
            self.members.clear();
        }
        self.failed_lookups.remove(&group);
        self.members.insert(group, ids);
    }

    /// Members of a group, if known; a failed lookup reads as no one.
    pub(super) fn members(&self, group: &GroupId) -> Option<Vec<CharacterId>> {
        match self.members.get(group) {
            Some(ids) => Some(ids.clone()),
            None if self.failed_lookups.contains(group) => Some(Vec::new()),
            None => None,
        }
    }

    /// True when a lookup must start for a newly received reference.
    pub(super) fn begin_lookup(&mut self, group: &GroupId) -> bool {
        if self.members.contains_key(group) || self.looking_up.contains(group) {
            return false;
        }
        self.failed_lookups.remove(group);
        self.looking_up.insert(group.clone());
        true
    }

    pub(super) fn finish_lookup(&mut self, group: GroupId, ids: Option<Vec<CharacterId>>) {
        self.looking_up.remove(&group);
        match ids {
            Some(ids) => self.remember_members(group, ids),
            None => {
                self.failed_lookups.insert(group);
            }
        }
    }
}
