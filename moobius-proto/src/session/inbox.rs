//! Received frames on their way to the application: group ids are resolved
//! first (looked up through HTTP, cached), and events leave in the order the
//! frames arrived, even when one of them waits for a lookup.

use super::{Event, Session};
use crate::ids::{ChannelId, CharacterId, GroupId};
use crate::model::{CharacterRefs, GroupRef};
use crate::ws::Inbound;
use std::collections::VecDeque;
use std::time::Instant;

/// Frames waiting for their turn (and their lookups).
#[derive(Default)]
pub(super) struct Inbox {
    queue: VecDeque<Inbound>,
}

impl Inbox {
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }
}

/// The group ids a frame names, with the channel and user to look them up as.
fn references(frame: &Inbound) -> Vec<(GroupId, ChannelId, Option<CharacterId>)> {
    let group = |r: &Option<CharacterRefs>| match r {
        Some(CharacterRefs::Group(GroupRef::Group(g))) => Some(g.clone()),
        _ => None,
    };
    match frame {
        Inbound::MessageUp(m) | Inbound::MessageDown(m) => group(&m.recipients)
            .map(|g| (g, m.channel_id.clone(), Some(m.sender.clone())))
            .into_iter()
            .collect(),
        Inbound::Update(u) => {
            let mut v: Vec<_> = group(&u.recipients)
                .map(|g| (g, u.channel_id.clone(), None))
                .into_iter()
                .collect();
            if let crate::model::UpdateContent::Characters(CharacterRefs::Group(GroupRef::Group(
                g,
            ))) = &u.content
            {
                v.push((g.clone(), u.channel_id.clone(), None));
            }
            v
        }
        _ => Vec::new(),
    }
}

impl Session {
    pub(super) fn push_inbound(&mut self, now: Instant, frame: Inbound) {
        for (group, channel, sender) in references(&frame) {
            let user = sender.unwrap_or_else(|| self.user_id());
            self.lookup_group(now, group, channel, user);
        }
        self.inbox.queue.push_back(frame);
        self.pump_inbox();
    }

    pub(super) fn on_group_looked_up(
        &mut self,
        _now: Instant,
        group: GroupId,
        result: Result<Vec<CharacterId>, super::OpError>,
    ) {
        self.groups.finish_lookup(group, result.ok());
        self.pump_inbox();
    }

    fn resolve(&self, refs: &Option<CharacterRefs>) -> Option<Option<Vec<CharacterId>>> {
        Some(match refs {
            None => None,
            Some(CharacterRefs::Group(GroupRef::Group(g))) => Some(self.groups.members(g)?),
            Some(other) => other.inline_ids(),
        })
    }

    /// Delivers frames from the front while their groups are known.
    fn pump_inbox(&mut self) {
        while let Some(frame) = self.inbox.queue.front() {
            let event = match frame {
                Inbound::MessageUp(m) => {
                    let Some(recipients) = self.resolve(&m.recipients) else {
                        break;
                    };
                    let Some(Inbound::MessageUp(message)) = self.inbox.queue.pop_front() else {
                        break;
                    };
                    Event::message_up(message, recipients.unwrap_or_default())
                }
                Inbound::MessageDown(m) => {
                    let Some(recipients) = self.resolve(&m.recipients) else {
                        break;
                    };
                    let Some(Inbound::MessageDown(message)) = self.inbox.queue.pop_front() else {
                        break;
                    };
                    Event::message_down(message, recipients)
                }
                Inbound::Update(u) => {
                    let Some(recipients) = self.resolve(&u.recipients) else {
                        break;
                    };
                    let characters = match &u.content {
                        crate::model::UpdateContent::Characters(c) => {
                            match self.resolve(&Some(c.clone())) {
                                Some(ids) => ids,
                                None => break,
                            }
                        }
                        _ => None,
                    };
                    let Some(Inbound::Update(update)) = self.inbox.queue.pop_front() else {
                        break;
                    };
                    Event::update(update, recipients, characters)
                }
                _ => {
                    let Some(frame) = self.inbox.queue.pop_front() else {
                        break;
                    };
                    simple_event(frame)
                }
            };
            self.emit(event);
        }
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
