//! Received frames on their way to the application: group ids are resolved
//! first (looked up through HTTP, cached), and events leave in arrival
//! order **per channel**: a frame of a channel waits for the frames of that
//! channel before it, never for another channel's. Frames that belong to no
//! channel (acknowledgements, platform errors, unknown frames) need no
//! lookup and leave at once.
//!
//! At most [`Limits::max_inbound_waiting`](super::Limits::max_inbound_waiting)
//! frames wait; at the cap [`Session::wants_ws_read`] turns false and the
//! driver stops reading the socket until frames have left. A frame waits at
//! most until its lookups end: a group that cannot be resolved after the
//! retries or in time is delivered as unresolved
//! ([`Event::GroupUnresolved`], then the event with that group's members
//! left out), never held forever nor dropped.

use super::groups::Resolution;
use super::{Event, Session, UnresolvedGroup};
use crate::ids::{ChannelId, CharacterId, GroupId};
use crate::model::{CharacterRefs, GroupRef};
use crate::ws::{Action, Inbound};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

/// A frame that could not leave at once; the groups it names are pinned.
struct Waiting {
    frame: Inbound,
    refs: Vec<Reference>,
}

/// A group id named by a frame, with the channel and user to look it up as.
struct Reference {
    group: GroupId,
    channel: ChannelId,
    user: Option<CharacterId>,
}

/// Frames waiting for their turn (and their lookups), one lane per channel.
#[derive(Default)]
pub(super) struct Inbox {
    lanes: HashMap<ChannelId, VecDeque<Waiting>>,
    /// Channels with waiting frames, in the order they started waiting.
    order: Vec<ChannelId>,
    len: usize,
}

impl Inbox {
    /// Frames waiting, over all channels.
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

/// The group ids a frame names.
fn references(frame: &Inbound) -> Vec<Reference> {
    let group = |r: &Option<CharacterRefs>| match r {
        Some(CharacterRefs::Group(GroupRef::Group(g))) => Some(g.clone()),
        _ => None,
    };
    match frame {
        Inbound::MessageUp(m) | Inbound::MessageDown(m) => group(&m.recipients)
            .map(|group| Reference {
                group,
                channel: m.channel_id.clone(),
                user: Some(m.sender.clone()),
            })
            .into_iter()
            .collect(),
        Inbound::Update(u) => {
            let mut v: Vec<_> = group(&u.recipients)
                .map(|group| Reference {
                    group,
                    channel: u.channel_id.clone(),
                    user: None,
                })
                .into_iter()
                .collect();
            if let crate::model::UpdateContent::Characters(CharacterRefs::Group(GroupRef::Group(
                g,
            ))) = &u.content
            {
                v.push(Reference {
                    group: g.clone(),
                    channel: u.channel_id.clone(),
                    user: None,
                });
            }
            v
        }
        _ => Vec::new(),
    }
}

/// The channel a frame belongs to, if any.
fn channel_of(frame: &Inbound) -> Option<&ChannelId> {
    match frame {
        Inbound::MessageUp(m) | Inbound::MessageDown(m) => Some(&m.channel_id),
        Inbound::Update(u) => Some(&u.channel_id),
        Inbound::Action(Action::Join(a) | Action::Leave(a) | Action::Refresh(a)) => {
            Some(&a.channel_id)
        }
        Inbound::Action(Action::ButtonClick(c)) => Some(&c.channel_id),
        Inbound::Action(Action::MenuItemClick(c)) => Some(&c.channel_id),
        _ => None,
    }
}

/// Members of one group, for delivery.
enum Members {
    Known(Arc<[CharacterId]>),
    Unresolved(UnresolvedGroup),
}

impl Session {
    /// True while the session takes more frames: false when
    /// [`Limits::max_inbound_waiting`](super::Limits::max_inbound_waiting)
    /// received frames wait for group lookups. A driver must then stop
    /// reading the websocket (leaving the frames in the socket's buffers, so
    /// the platform slows down) and read again once this turns true, which
    /// happens after a lookup ends or times out (an HTTP response or
    /// [`handle_timeout`](Self::handle_timeout)). The liveness check is
    /// suspended meanwhile: a socket not read is not a silent one.
    #[must_use]
    pub fn wants_ws_read(&self) -> bool {
        self.inbox.len < self.cfg.limits.max_inbound_waiting.max(1)
    }

    pub(super) fn push_inbound(&mut self, now: Instant, frame: Inbound) {
        let refs = references(&frame);
        let Some(channel) = channel_of(&frame).cloned() else {
            // No channel, no group: nothing to wait for.
            return self.deliver(now, frame, &refs);
        };
        if !self.inbox.lanes.contains_key(&channel) && self.resolvable(now, &refs) {
            return self.deliver(now, frame, &refs);
        }
        self.ask_for(now, &refs);
        for r in &refs {
            self.groups.pin(&r.group);
        }
        let lane = self.inbox.lanes.entry(channel.clone()).or_default();
        if lane.is_empty() {
            self.inbox.order.push(channel);
        }
        lane.push_back(Waiting { frame, refs });
        self.inbox.len += 1;
    }

    /// True when every group named is known or given up on.
    fn resolvable(&mut self, now: Instant, refs: &[Reference]) -> bool {
        refs.iter().all(|r| {
            matches!(
                self.groups.resolution(&r.group, now),
                Resolution::Known(_) | Resolution::Unresolved(_)
            )
        })
    }

    /// Starts the lookups of the groups named that are neither known nor
    /// under way: the first time, and again if one was forgotten.
    fn ask_for(&mut self, now: Instant, refs: &[Reference]) {
        for r in refs {
            if matches!(self.groups.resolution(&r.group, now), Resolution::Missing) {
                let user = r.user.clone().unwrap_or_else(|| self.user_id());
                self.request_lookup(now, &r.group, &r.channel, &user);
            }
        }
    }

    /// Delivers, in every channel, the frames from the front whose groups
    /// are resolved.
    pub(super) fn pump_inbox(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.inbox.order.len() {
            let channel = self.inbox.order[i].clone();
            self.pump_lane(now, &channel);
            if self.inbox.lanes.contains_key(&channel) {
                i += 1;
            } else {
                self.inbox.order.remove(i);
            }
        }
    }

    fn pump_lane(&mut self, now: Instant, channel: &ChannelId) {
        loop {
            let Some(front) = self.inbox.lanes.get(channel).and_then(VecDeque::front) else {
                self.inbox.lanes.remove(channel);
                return;
            };
            let mut ready = true;
            let mut missing = Vec::new();
            for r in &front.refs {
                match self.groups.resolution(&r.group, now) {
                    Resolution::Known(_) | Resolution::Unresolved(_) => {}
                    Resolution::Pending => ready = false,
                    Resolution::Missing => {
                        // Forgotten or given up on long ago: ask again.
                        ready = false;
                        missing.push((r.group.clone(), r.channel.clone(), r.user.clone()));
                    }
                }
            }
            if !ready {
                for (group, channel, user) in missing {
                    let user = user.unwrap_or_else(|| self.user_id());
                    self.request_lookup(now, &group, &channel, &user);
                }
                return;
            }
            let Some(waiting) = self
                .inbox
                .lanes
                .get_mut(channel)
                .and_then(VecDeque::pop_front)
            else {
                return;
            };
            self.inbox.len -= 1;
            self.deliver(now, waiting.frame, &waiting.refs);
            for r in &waiting.refs {
                self.groups.unpin(&r.group);
            }
        }
    }

    fn members_of(&mut self, now: Instant, r: &Reference) -> Members {
        match self.groups.resolution(&r.group, now) {
            Resolution::Known(ids) => Members::Known(ids),
            Resolution::Unresolved(error) => Members::Unresolved(UnresolvedGroup {
                channel_id: r.channel.clone(),
                group_id: r.group.clone(),
                error,
            }),
            // Only resolvable frames are delivered.
            Resolution::Pending | Resolution::Missing => Members::Known(Arc::from([])),
        }
    }

    /// Resolves a group reference for delivery; an unresolved group is
    /// announced first and reads as no one.
    fn resolve(
        &mut self,
        now: Instant,
        refs: &Option<CharacterRefs>,
        all: &[Reference],
    ) -> Option<Vec<CharacterId>> {
        match refs {
            None => None,
            Some(CharacterRefs::Group(GroupRef::Group(g))) => {
                let r = all.iter().find(|r| r.group == *g)?;
                match self.members_of(now, r) {
                    Members::Known(ids) => Some(ids.to_vec()),
                    Members::Unresolved(u) => {
                        self.emit(Event::GroupUnresolved(u));
                        Some(Vec::new())
                    }
                }
            }
            Some(other) => other.inline_ids(),
        }
    }

    fn deliver(&mut self, now: Instant, frame: Inbound, refs: &[Reference]) {
        let event = match frame {
            Inbound::MessageUp(message) => {
                let recipients = self.resolve(now, &message.recipients, refs);
                Event::message_up(message, recipients.unwrap_or_default())
            }
            Inbound::MessageDown(message) => {
                let recipients = self.resolve(now, &message.recipients, refs);
                Event::message_down(message, recipients)
            }
            Inbound::Update(update) => {
                let recipients = self.resolve(now, &update.recipients, refs);
                let characters = match &update.content {
                    crate::model::UpdateContent::Characters(c) => {
                        self.resolve(now, &Some(c.clone()), refs)
                    }
                    _ => None,
                };
                Event::update(update, recipients, characters)
            }
            other => simple_event(other),
        };
        self.emit(event);
    }
}

/// Events of frames that need no lookup.
fn simple_event(frame: Inbound) -> Event {
    match frame {
        Inbound::Action(action) => Event::Action(action),
        Inbound::Copy(c) => Event::Copy(c),
        Inbound::PlatformError { message } => Event::PlatformError(message),
        Inbound::Unknown(u) => Event::UnknownPayload(u),
        // Messages and updates are handled by the caller; any future variant
        // is passed on as an unknown payload rather than dropped.
        other => Event::UnknownPayload(crate::ws::UnknownFrame {
            frame_type: None,
            raw: serde_json::Value::String(format!("{other:?}")),
        }),
    }
}
