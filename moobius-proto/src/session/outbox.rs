//! The outbound queue: application frames in the order they were issued.
//! A frame may wait for its group ids (created through HTTP) or its file
//! (uploaded first); everything behind it waits too, so frames leave in
//! order. Sent frames are kept until acknowledged (or for the ack window)
//! and sent again, with the same request id, after a reconnect.

use super::calls::Purpose;
use super::event::{CommandError, OpError, OpId, OpOutput, Output};
use super::groups::{GroupKey, GroupKind};
use super::{Event, Session};
use crate::compose::{ComposedMessage, FileToResolve, Recipients};
use crate::http::{DownloadSize, FetchChannelGroup, RequestUploadUrl, MESSAGE_UP_GROUP_NAME};
use crate::ids::{ChannelId, CharacterId, RequestId};
use crate::model::GroupRef;
use crate::ws::{Outbound, Update, UpdateKind, UserAction, UserActionKind};
use bytes::Bytes;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A frame before its group ids (and file) are known.
pub(super) enum Draft {
    /// Complete already.
    Ready(Outbound),
    /// A message (down in service mode, up in user mode).
    Message {
        composed: Box<ComposedMessage>,
        unix_ms: i64,
        down: bool,
        /// A local file to upload first, with its bytes.
        upload: Option<(RequestUploadUrl, Bytes)>,
    },
    /// A character list: two groups (the list, and the recipients).
    Characters {
        channel: ChannelId,
        characters: Vec<CharacterId>,
        recipients: Recipients,
    },
    /// Any other update: one group (the recipients), written into `kind`
    /// when known.
    Update {
        channel: ChannelId,
        recipients: Recipients,
        kind: UpdateKind,
    },
    /// A complete update, built with the own service id when sent.
    ReadyUpdate {
        channel: ChannelId,
        kind: UpdateKind,
    },
    /// A user action, built with the own user id when sent.
    Action {
        channel: ChannelId,
        kind: UserActionKind,
    },
    /// A generic frame (`send`) whose message body lists its recipients:
    /// the list becomes a group (a service group for `message_down`, a
    /// channel group for `message_up`), written into `body.recipients`.
    Custom {
        frame: crate::ws::CustomFrame,
        recipients: Recipients,
        kind: GroupKind,
    },
}

impl Draft {
    pub(super) fn message(
        composed: ComposedMessage,
        unix_ms: i64,
        down: bool,
        upload: Option<(RequestUploadUrl, Bytes)>,
    ) -> Self {
        Self::Message {
            composed: Box::new(composed),
            unix_ms,
            down,
            upload,
        }
    }

    pub(super) fn characters(
        channel: ChannelId,
        characters: Vec<CharacterId>,
        recipients: Recipients,
    ) -> Result<Self, CommandError> {
        if recipients.is_empty() {
            return Err(CommandError::NoRecipients);
        }
        Ok(Self::Characters {
            channel,
            characters,
            recipients,
        })
    }

    pub(super) fn update(
        channel: ChannelId,
        recipients: Recipients,
        kind: UpdateKind,
    ) -> Result<Self, CommandError> {
        if recipients.is_empty() {
            return Err(CommandError::NoRecipients);
        }
        Ok(Self::Update {
            channel,
            recipients,
            kind,
        })
    }

    pub(super) fn ready_update(channel: ChannelId, kind: UpdateKind) -> Self {
        Self::ReadyUpdate { channel, kind }
    }

    pub(super) fn action(channel: ChannelId, kind: UserActionKind) -> Self {
        Self::Action { channel, kind }
    }

    /// The groups this draft needs, in the order the reference creates them.
    fn needed_groups(&self, service_mode: bool) -> Vec<GroupKey> {
        let kind_for = |channel: &ChannelId| {
            if service_mode {
                GroupKind::Service
            } else {
                GroupKind::Channel(channel.clone())
            }
        };
        let list = |r: &Recipients, kind: GroupKind| match r {
            Recipients::Characters(ids) => vec![GroupKey {
                kind,
                ids: ids.clone(),
            }],
            Recipients::Service | Recipients::Group(_) => vec![],
        };
        match self {
            Self::Message { composed, .. } => {
                list(&composed.recipients, kind_for(&composed.channel_id))
            }
            Self::Characters {
                characters,
                recipients,
                ..
            } => {
                let mut v = vec![GroupKey {
                    kind: GroupKind::Service,
                    ids: characters.clone(),
                }];
                v.extend(list(recipients, GroupKind::Service));
                v
            }
            Self::Update { recipients, .. } => list(recipients, GroupKind::Service),
            Self::Custom {
                recipients, kind, ..
            } => list(recipients, kind.clone()),
            Self::Ready(_) | Self::ReadyUpdate { .. } | Self::Action { .. } => vec![],
        }
    }

    fn file_pending(&self) -> bool {
        matches!(self, Self::Message { composed, .. } if composed.pending.is_some())
    }
}

pub(super) struct Entry {
    op: OpId,
    request_id: RequestId,
    draft: Draft,
    /// Whether the groups and file it needs were asked for (once per entry,
    /// so a long queue is not walked again on every pump).
    started: bool,
}

struct Sent {
    op: OpId,
    request_id: RequestId,
    text: String,
    at: Instant,
    /// Times the platform rejected it.
    rejections: u8,
}

#[derive(Default)]
pub(super) struct Outbox {
    queue: VecDeque<Entry>,
    /// Frames written since the last connect and not yet acknowledged.
    unacked: VecDeque<Sent>,
    /// Frames to write again after a reconnect, before the queue.
    resend: VecDeque<Sent>,
}

impl Outbox {
    pub(super) fn len(&self) -> usize {
        self.queue.len() + self.resend.len()
    }

    pub(super) fn push(&mut self, op: OpId, request_id: RequestId, draft: Draft) {
        self.queue.push_back(Entry {
            op,
            request_id,
            draft,
            started: false,
        });
    }

    pub(super) fn drain_ops(&mut self) -> Vec<OpId> {
        self.resend.clear();
        self.unacked.clear();
        self.queue.drain(..).map(|e| e.op).collect()
    }

    pub(super) fn acknowledged(&mut self, request_id: &RequestId) {
        self.unacked.retain(|s| s.request_id != *request_id);
    }

    /// The platform rejected a sent frame: the first time it goes back to be
    /// sent again after the next login; the second time its op is returned
    /// to be failed.
    pub(super) fn rejected(&mut self, request_id: &RequestId) -> Option<OpId> {
        let i = self
            .unacked
            .iter()
            .position(|s| s.request_id == *request_id)?;
        let mut sent = self.unacked.remove(i)?;
        if sent.rejections >= 1 {
            return Some(sent.op);
        }
        sent.rejections += 1;
        // Before any frame sent after it, so order holds.
        let later: Vec<Sent> = self.unacked.drain(i..).collect();
        self.resend.push_back(sent);
        self.resend.extend(later);
        None
    }

    /// Frames older than the ack window count as delivered.
    pub(super) fn expire_unacked(&mut self, now: Instant, window: Duration) {
        while self
            .unacked
            .front()
            .is_some_and(|s| now.saturating_duration_since(s.at) >= window)
        {
            self.unacked.pop_front();
        }
    }

    /// After a disconnection: unacknowledged frames go back in front, in
    /// order. If the peer said the last frame was too big, that one is not
    /// sent again; its op and size are returned to be failed.
    pub(super) fn requeue_unacked(&mut self, last_too_big: bool) -> Vec<(OpId, usize)> {
        let mut failed = Vec::new();
        if last_too_big {
            if let Some(s) = self.unacked.pop_back() {
                failed.push((s.op, s.text.len()));
            }
        }
        let mut back: VecDeque<Sent> = std::mem::take(&mut self.unacked);
        back.append(&mut self.resend);
        self.resend = back;
        failed
    }
}

impl Session {
    fn group_ref(&self, r: &Recipients, kind: GroupKind) -> Option<GroupRef> {
        match r {
            Recipients::Service => Some(GroupRef::Service),
            Recipients::Group(g) => Some(GroupRef::Group(g.clone())),
            Recipients::Characters(ids) => {
                let key = GroupKey {
                    kind,
                    ids: ids.clone(),
                };
                self.groups.created(&key).cloned().map(GroupRef::Group)
            }
        }
    }

    /// Starts what queued frames wait for, then writes every frame that is
    /// complete from the front of the queue, while logged in.
    pub(super) fn pump_outbox(&mut self, now: Instant) {
        self.start_outbox_work(now);
        if !self.logged_in() {
            return;
        }
        while let Some(sent) = self.outbox.resend.pop_front() {
            self.outputs.push_back(Output::WsSend(sent.text.clone()));
            self.outbox.unacked.push_back(Sent { at: now, ..sent });
            if !self.logged_in() {
                // A rejection made the session log in again: wait for it.
                return;
            }
        }
        while let Some(entry) = self.outbox.queue.front() {
            if entry.draft.file_pending() {
                break;
            }
            let Some(frame) = self.build_frame(&entry.draft) else {
                // Normally its groups are under way; if a bounded cache let
                // one go meanwhile, ask for it again.
                let keys = entry.draft.needed_groups(self.is_service());
                self.create_groups(now, keys);
                break;
            };
            let Some(entry) = self.outbox.queue.pop_front() else {
                break;
            };
            self.write_frame(now, entry.op, entry.request_id, &frame);
        }
    }

    fn write_frame(&mut self, now: Instant, op: OpId, request_id: RequestId, frame: &Outbound) {
        let text = frame.encode(&request_id);
        if text.len() > self.cfg.max_frame_bytes {
            let result = Err(OpError::FrameTooLarge {
                len: text.len(),
                limit: self.cfg.max_frame_bytes,
            });
            return self.emit(Event::OpDone { op, result });
        }
        self.outputs.push_back(Output::WsSend(text.clone()));
        self.outbox.unacked.push_back(Sent {
            op,
            request_id,
            text,
            at: now,
            rejections: 0,
        });
        self.emit(Event::OpDone {
            op,
            result: Ok(OpOutput::Sent),
        });
    }

    /// The frame, once everything it needs is known.
    fn build_frame(&self, draft: &Draft) -> Option<Outbound> {
        let service = self.is_service();
        let update = |channel: &ChannelId, kind: UpdateKind| {
            Outbound::Update(Box::new(Update {
                service_id: self.service_id(),
                channel_id: channel.clone(),
                kind,
            }))
        };
        Some(match draft {
            Draft::Ready(f) => f.clone(),
            Draft::Message {
                composed,
                unix_ms,
                down,
                ..
            } => {
                let kind = if service {
                    GroupKind::Service
                } else {
                    GroupKind::Channel(composed.channel_id.clone())
                };
                let to = self.group_ref(&composed.recipients, kind)?;
                let c = (**composed).clone();
                if *down {
                    Outbound::MessageDown(Box::new(c.into_message_down(
                        self.service_id(),
                        to,
                        *unix_ms,
                    )))
                } else {
                    Outbound::MessageUp(Box::new(c.into_message_up(self.user_id(), to, *unix_ms)))
                }
            }
            Draft::Characters {
                channel,
                characters,
                recipients,
            } => {
                let list = GroupKey {
                    kind: GroupKind::Service,
                    ids: characters.clone(),
                };
                let characters = GroupRef::Group(self.groups.created(&list)?.clone());
                let recipients = self.group_ref(recipients, GroupKind::Service)?;
                update(
                    channel,
                    UpdateKind::Characters {
                        recipients,
                        characters,
                    },
                )
            }
            Draft::Update {
                channel,
                recipients,
                kind,
            } => {
                let to = self.group_ref(recipients, GroupKind::Service)?;
                update(channel, with_recipients(kind.clone(), to))
            }
            Draft::ReadyUpdate { channel, kind } => update(channel, kind.clone()),
            Draft::Action { channel, kind } => Outbound::Action(Box::new(UserAction {
                user_id: self.user_id(),
                channel_id: channel.clone(),
                kind: kind.clone(),
            })),
            Draft::Custom {
                frame,
                recipients,
                kind,
            } => {
                let to = self.group_ref(recipients, kind.clone())?;
                let mut frame = frame.clone();
                frame.body["recipients"] = to.as_str().into();
                Outbound::Custom(frame)
            }
        })
    }

    /// Starts the creation of every group not yet created nor under way.
    fn create_groups(&mut self, now: Instant, keys: Vec<GroupKey>) {
        for key in keys {
            if self.groups.begin_create(&key) {
                let call: Box<dyn super::calls::Call> = match &key.kind {
                    GroupKind::Service => Box::new(crate::http::CreateServiceGroup {
                        characters: key.ids.clone(),
                    }),
                    GroupKind::Channel(channel) => Box::new(crate::http::CreateChannelGroup {
                        channel_id: channel.clone(),
                        group_name: MESSAGE_UP_GROUP_NAME.to_owned(),
                        characters: key.ids.clone(),
                    }),
                };
                self.start_call(now, call, Purpose::CreateGroup { key });
            }
        }
    }

    /// Starts the group creations, uploads and size requests queued frames need.
    fn start_outbox_work(&mut self, now: Instant) {
        let service = self.is_service();
        let mut groups = Vec::new();
        let mut files = Vec::new();
        for entry in self.outbox.queue.iter_mut().filter(|e| !e.started) {
            entry.started = true;
            groups.extend(entry.draft.needed_groups(service));
            if let Draft::Message {
                composed, upload, ..
            } = &mut entry.draft
            {
                if composed.pending.is_some() {
                    files.push((entry.op, composed.pending.clone(), upload.take()));
                }
            }
        }
        self.create_groups(now, groups);
        for (op, pending, upload) in files {
            match (pending, upload) {
                (Some(FileToResolve::Upload(_)), Some((call, bytes))) => {
                    let hash = super::composite::content_hash(&bytes);
                    match self.uploaded.get(&hash).cloned() {
                        Some(url) => self.entry_file_uploaded(now, op, url, bytes.len() as u64),
                        None => self.start_call(
                            now,
                            Box::new(call),
                            Purpose::MessageUploadUrl { op, bytes, hash },
                        ),
                    }
                }
                (Some(FileToResolve::Size(url)), _) => {
                    self.start_call(
                        now,
                        Box::new(DownloadSize::new(url)),
                        Purpose::MessageFileSize { op },
                    );
                }
                _ => self.entry_file_sized(now, op, None),
            }
        }
    }

    pub(super) fn on_group_created(
        &mut self,
        now: Instant,
        key: GroupKey,
        result: Result<crate::ids::GroupId, OpError>,
    ) {
        let service = self.is_service();
        match result {
            Ok(group) => self.groups.finish_create(key, Some(group)),
            Err(e) => {
                self.groups.finish_create(key.clone(), None);
                // Every frame that needed this group fails; the rest go on.
                let (failed, kept): (Vec<Entry>, Vec<Entry>) =
                    std::mem::take(&mut self.outbox.queue)
                        .into_iter()
                        .partition(|en| en.draft.needed_groups(service).contains(&key));
                self.outbox.queue = kept.into();
                for entry in failed {
                    self.emit(Event::OpDone {
                        op: entry.op,
                        result: Err(e.clone()),
                    });
                }
            }
        }
        self.pump_outbox(now);
    }

    fn with_message<F: FnOnce(&mut ComposedMessage)>(&mut self, op: OpId, f: F) {
        if let Some(entry) = self.outbox.queue.iter_mut().find(|e| e.op == op) {
            if let Draft::Message { composed, .. } = &mut entry.draft {
                f(composed);
            }
        }
    }

    pub(super) fn entry_file_uploaded(&mut self, now: Instant, op: OpId, url: String, size: u64) {
        self.with_message(op, |c| c.file_uploaded(url, size));
        self.pump_outbox(now);
    }

    pub(super) fn entry_file_sized(&mut self, now: Instant, op: OpId, size: Option<u64>) {
        self.with_message(op, |c| c.file_size(size));
        self.pump_outbox(now);
    }

    /// A queued frame cannot be completed: it is dropped and its op failed.
    pub(super) fn fail_entry(&mut self, now: Instant, op: OpId, e: OpError) {
        self.outbox.queue.retain(|en| en.op != op);
        self.emit(Event::OpDone { op, result: Err(e) });
        self.pump_outbox(now);
    }

    /// Starts the lookup of a received group id.
    pub(super) fn lookup_group(
        &mut self,
        now: Instant,
        group: crate::ids::GroupId,
        channel: ChannelId,
        user: CharacterId,
    ) {
        if self.groups.begin_lookup(&group) {
            let call = FetchChannelGroup {
                group_id: group.clone(),
                channel_id: channel,
                user_id: user,
            };
            self.start_call(now, Box::new(call), Purpose::LookupGroup { group });
        }
    }
}

/// The same update addressed to `to`.
fn with_recipients(mut kind: UpdateKind, to: GroupRef) -> UpdateKind {
    match &mut kind {
        UpdateKind::Characters { recipients, .. }
        | UpdateKind::Buttons { recipients, .. }
        | UpdateKind::Menu { recipients, .. }
        | UpdateKind::Style { recipients, .. }
        | UpdateKind::Canvas { recipients, .. } => *recipients = to,
        UpdateKind::ChannelInfo(_) => {}
    }
    kind
}
