//! Group ids both ways: lists of character ids become groups before a frame
//! leaves (created once, cached), and group ids in received frames become
//! lists (looked up, cached).
//!
//! Both caches are bounded ([`Limits::max_cached_groups`]) and forget
//! gradually (see [`GenCache`]). A received frame waiting for delivery pins
//! the groups it names: a pinned group's members are kept outside the cache
//! until the frame leaves, so eviction can never strand a queued frame.
//! Lookups are deduplicated per group, at most
//! [`Limits::max_lookups_in_flight`] run at once (the others wait in a
//! queue), a failed one is retried by the HTTP layer with backoff, and one
//! that has no answer after [`Limits::lookup_timeout`] (or fails for good)
//! reads as *unresolved* for [`Limits::failed_lookup_ttl`]: the frames that
//! need it are delivered with [`Event::GroupUnresolved`](super::Event::GroupUnresolved)
//! instead of waiting forever. After that time a new frame naming it looks
//! it up again.
//!
//! [`Limits::max_cached_groups`]: super::Limits::max_cached_groups
//! [`Limits::max_lookups_in_flight`]: super::Limits::max_lookups_in_flight
//! [`Limits::lookup_timeout`]: super::Limits::lookup_timeout
//! [`Limits::failed_lookup_ttl`]: super::Limits::failed_lookup_ttl

use super::calls::Purpose;
use super::event::{OpError, TransportError};
use super::gen_cache::GenCache;
use super::timers::Timer;
use super::{Limits, Session};
use crate::compose::CharacterList;
use crate::http::FetchChannelGroup;
use crate::ids::{ChannelId, CharacterId, GroupId};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

/// Which kind of group a list becomes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum GroupKind {
    /// `POST /service/group/create` (service mode: messages and updates).
    Service,
    /// `POST /user/group/create` in this channel (user mode: messages).
    Channel(ChannelId),
}

/// A list of characters in order, as a cache key (never a joined string).
/// Hashing it costs O(1): the list's fingerprint was computed once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct GroupKey {
    pub(super) kind: GroupKind,
    pub(super) ids: CharacterList,
}

/// What is known about a group's members.
pub(super) enum Resolution {
    /// The members.
    Known(Arc<[CharacterId]>),
    /// The lookup failed for good (or took too long): deliver without them.
    Unresolved(OpError),
    /// A lookup is queued or under way.
    Pending,
    /// Nothing known and nothing under way: a lookup must start.
    Missing,
}

/// A group pinned by received frames still waiting for delivery.
#[derive(Debug)]
struct Pinned {
    frames: usize,
    members: Option<Arc<[CharacterId]>>,
}

/// A lookup queued or under way.
#[derive(Debug)]
struct Lookup {
    channel: ChannelId,
    user: CharacterId,
    deadline: (Instant, u64),
    asked: bool,
}

#[derive(Debug)]
pub(super) struct Groups {
    created: GenCache<GroupKey, GroupId>,
    creating: HashSet<GroupKey>,
    members: GenCache<GroupId, Arc<[CharacterId]>>,
    pinned: HashMap<GroupId, Pinned>,
    failed: HashMap<GroupId, (Instant, OpError)>,
    lookups: HashMap<GroupId, Lookup>,
    /// Lookups waiting for a free slot, in order.
    waiting: VecDeque<GroupId>,
    /// Lookup requests sent and not answered (a timed-out one still counts
    /// until its answer comes: the cap is on requests, not on hopes).
    in_flight: usize,
    deadlines: BTreeMap<(Instant, u64), GroupId>,
    seq: u64,
}

impl Groups {
    pub(super) fn new(limits: &Limits) -> Self {
        Self {
            created: GenCache::new(limits.max_cached_groups),
            creating: HashSet::new(),
            members: GenCache::new(limits.max_cached_groups),
            pinned: HashMap::new(),
            failed: HashMap::new(),
            lookups: HashMap::new(),
            waiting: VecDeque::new(),
            in_flight: 0,
            deadlines: BTreeMap::new(),
            seq: 0,
        }
    }

    /// The group created for a list, if cached (without marking it used).
    pub(super) fn peek_created(&self, key: &GroupKey) -> Option<&GroupId> {
        self.created.peek(key)
    }

    /// True when a creation must start (not cached, not under way); marks it
    /// under way. A cached group is marked used, so what is sent to keeps
    /// its place in the cache.
    pub(super) fn begin_create(&mut self, key: &GroupKey) -> bool {
        if self.created.get(key).is_some() || self.creating.contains(key) {
            return false;
        }
        self.creating.insert(key.clone());
        true
    }

    pub(super) fn finish_create(&mut self, key: GroupKey, group: Option<GroupId>) {
        self.creating.remove(&key);
        if let Some(g) = group {
            self.created.insert(key, g);
        }
    }

    pub(super) fn remember_members(&mut self, group: GroupId, ids: Vec<CharacterId>) {
        self.failed.remove(&group);
        let ids: Arc<[CharacterId]> = ids.into();
        match self.pinned.get_mut(&group) {
            Some(p) => p.members = Some(ids),
            None => self.members.insert(group, ids),
        }
    }

    /// What is known about a group at `now`.
    pub(super) fn resolution(&mut self, group: &GroupId, now: Instant) -> Resolution {
        if let Some(ids) = self.pinned.get(group).and_then(|p| p.members.clone()) {
            return Resolution::Known(ids);
        }
        if let Some(ids) = self.members.get(group) {
            return Resolution::Known(ids.clone());
        }
        if self.lookups.contains_key(group) {
            return Resolution::Pending;
        }
        match self.failed.get(group) {
            Some((until, e)) if *until > now => Resolution::Unresolved(e.clone()),
            _ => Resolution::Missing,
        }
    }

    /// A waiting frame needs this group: keep its members until [`unpin`](Self::unpin).
    pub(super) fn pin(&mut self, group: &GroupId) {
        if let Some(p) = self.pinned.get_mut(group) {
            p.frames += 1;
            return;
        }
        let members = self.members.remove(group);
        self.pinned
            .insert(group.clone(), Pinned { frames: 1, members });
    }

    pub(super) fn unpin(&mut self, group: &GroupId) {
        let Some(p) = self.pinned.get_mut(group) else {
            return;
        };
        p.frames = p.frames.saturating_sub(1);
        if p.frames == 0 {
            if let Some(Pinned {
                members: Some(ids), ..
            }) = self.pinned.remove(group)
            {
                self.members.insert(group.clone(), ids);
            }
        }
    }

    /// Groups whose members are held (cached or pinned).
    pub(super) fn cached(&self) -> usize {
        self.members.len() + self.pinned.len()
    }

    pub(super) fn cache_capacity(&self) -> usize {
        self.members.capacity()
    }

    /// Lookups sent and not answered.
    pub(super) fn lookups_in_flight(&self) -> usize {
        self.in_flight
    }

    /// Lookups waiting for a slot.
    pub(super) fn lookups_waiting(&self) -> usize {
        self.waiting.len()
    }

    fn fail(&mut self, now: Instant, group: GroupId, until: Instant, e: OpError) {
        if self.failed.len() >= self.members.capacity() {
            let pinned = &self.pinned;
            self.failed
                .retain(|g, (at, _)| *at > now || pinned.contains_key(g));
            if self.failed.len() >= self.members.capacity() {
                self.failed.retain(|g, _| pinned.contains_key(g));
            }
        }
        self.failed.insert(group, (until, e));
    }
}

impl Session {
    /// Queues a lookup of a received group id (once per group), and starts
    /// as many queued lookups as the cap allows.
    pub(super) fn request_lookup(
        &mut self,
        now: Instant,
        group: &GroupId,
        channel: &ChannelId,
        user: &CharacterId,
    ) {
        let g = &mut self.groups;
        if g.lookups.contains_key(group) {
            return;
        }
        g.seq += 1;
        let deadline = (now + self.cfg.limits.lookup_timeout, g.seq);
        g.deadlines.insert(deadline, group.clone());
        g.lookups.insert(
            group.clone(),
            Lookup {
                channel: channel.clone(),
                user: user.clone(),
                deadline,
                asked: false,
            },
        );
        g.waiting.push_back(group.clone());
        self.start_lookups(now);
    }

    /// Sends queued lookups while fewer than the cap are in flight.
    fn start_lookups(&mut self, now: Instant) {
        let cap = self.cfg.limits.max_lookups_in_flight.max(1);
        while self.groups.in_flight < cap {
            let Some(group) = self.groups.waiting.pop_front() else {
                break;
            };
            let Some(lookup) = self.groups.lookups.get_mut(&group) else {
                continue; // timed out while waiting
            };
            if lookup.asked {
                continue;
            }
            lookup.asked = true;
            let call = FetchChannelGroup {
                group_id: group.clone(),
                channel_id: lookup.channel.clone(),
                user_id: lookup.user.clone(),
            };
            self.groups.in_flight += 1;
            self.start_call(now, Box::new(call), Purpose::LookupGroup { group });
        }
        self.arm_lookup_deadline();
    }

    fn arm_lookup_deadline(&mut self) {
        match self.groups.deadlines.keys().next() {
            Some((at, _)) => self.timers.set(Timer::LookupDeadline, *at),
            None => self.timers.stop(Timer::LookupDeadline),
        }
    }

    /// The answer to a lookup (after the HTTP layer's retries).
    pub(super) fn on_group_looked_up(
        &mut self,
        now: Instant,
        group: GroupId,
        result: Result<Vec<CharacterId>, OpError>,
    ) {
        let g = &mut self.groups;
        g.in_flight = g.in_flight.saturating_sub(1);
        let pending = g.lookups.remove(&group);
        if let Some(l) = &pending {
            g.deadlines.remove(&l.deadline);
        }
        match result {
            Ok(ids) => g.remember_members(group, ids),
            Err(e) if pending.is_some() => {
                let until = now + self.cfg.limits.failed_lookup_ttl;
                g.fail(now, group, until, e);
            }
            // A late failure of a lookup already given up on.
            Err(_) => {}
        }
        self.start_lookups(now);
        self.pump_inbox(now);
    }

    /// Lookups without an answer in time read as unresolved.
    pub(super) fn on_lookup_deadline(&mut self, now: Instant) {
        let until = now + self.cfg.limits.failed_lookup_ttl;
        let secs = self.cfg.limits.lookup_timeout.as_secs_f64();
        let g = &mut self.groups;
        let mut queued_expired = false;
        while let Some(entry) = g.deadlines.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let group = entry.remove();
            queued_expired |= g.lookups.remove(&group).is_some_and(|l| !l.asked);
            let e = OpError::Transport(TransportError(format!(
                "no answer to the group lookup within {secs} s"
            )));
            g.fail(now, group, until, e);
        }
        if queued_expired {
            // Lookups that never got a slot leave the queue too, so it stays
            // bounded even while every slot is held by an unanswered request.
            let lookups = &g.lookups;
            g.waiting
                .retain(|x| lookups.get(x).is_some_and(|l| !l.asked));
        }
        self.start_lookups(now);
        self.pump_inbox(now);
    }
}
