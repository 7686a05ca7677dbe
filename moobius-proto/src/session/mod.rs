//! The session state machine: the whole client lifecycle — sign-in, service
//! creation, login, channel binding, heartbeats, token refresh, reconnects,
//! group conversions and ordered delivery — without any I/O.
//!
//! A driver owns one [`Session`] and loops:
//!
//! 1. feed it what happened ([`Session::handle_ws_opened`],
//!    [`Session::handle_ws_text`], [`Session::handle_ws_closed`],
//!    [`Session::handle_http_response`], [`Session::handle_timeout`]) or what
//!    the application wants (commands such as [`Session::send_message`],
//!    which return an [`OpId`] at once);
//! 2. drain [`Session::poll_output`] and act on every [`Output`]: open or
//!    write the websocket, perform an HTTP request, hand an [`Event`] to the
//!    application;
//! 3. sleep until [`Session::poll_timeout`] or the next input.
//!
//! Every input carries `now`; the session never reads a clock. Random values
//! (request ids, jitter, multipart boundaries) come from the seed given to
//! [`Session::new`], so a run replays exactly.
//!
//! ```
//! use moobius_proto::session::{Output, Role, Session, SessionConfig};
//! use std::time::Instant;
//!
//! let config = SessionConfig::new(
//!     "bot@example.com",
//!     "secret".into(),
//!     "http://127.0.0.1:7700/".parse()?,
//!     "ws://127.0.0.1:7700/ws",
//!     Role::user(vec!["chan-1".into()]),
//! );
//! let mut session = Session::new(config, Instant::now(), [7; 32]);
//! // The first thing a session does is sign in.
//! let Some(Output::Http { request, .. }) = session.poll_output() else { panic!() };
//! assert_eq!(request.uri().path(), "/auth/sign_in");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backoff;
mod calls;
mod composite;
mod config;
mod event;
mod gen_cache;
mod groups;
mod inbox;
mod link;
mod outbox;
mod reply;
mod rng;
mod startup;
mod timers;
mod unacked;

pub use backoff::Backoff;
pub use config::{Limits, OthersPolicy, Role, SessionConfig, Timings};
pub use event::{
    CloseReason, CommandError, ConnectionEvent, Event, FatalError, HttpId, OpError, OpId, OpOutput,
    Output, TransportError, UnresolvedGroup,
};

use crate::compose::{compose_message, FileToResolve, MessageSpec, Recipients};
use crate::http::{ApiContext, Endpoint, RequestUploadUrl};
use crate::ids::{ChannelId, CharacterId, RequestId, ServiceId};
use crate::model::{Button, CanvasItem, ChannelInfo, ClickArgument, GroupRef, MenuItem, StyleItem};
use crate::secret::RefreshToken;
use crate::ws::{ClickedMessage, Outbound, UpdateKind, UserActionKind};
use bytes::Bytes;
use calls::Calls;
use groups::{GroupKind, Groups};
use inbox::Inbox;
use link::Link;
use outbox::{Draft, Outbox};
use rng::SeededRng;
use startup::{Startup, StartupCalls};
use std::collections::VecDeque;
use std::time::Instant;
use timers::{Timer, TimerTable};

/// Sizes of the session's queues, each beside its bound (see
/// [`Session::backlog`] and [`Limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Backlog {
    /// Application frames not yet written (bound: `max_queued_frames`;
    /// commands beyond it fail with `QueueFull`).
    pub queued_frames: usize,
    /// Bound of `queued_frames` ([`SessionConfig::max_queued_frames`]).
    pub max_queued_frames: usize,
    /// Frames written and not yet acknowledged (kept at most
    /// [`Timings::ack_window`]).
    pub unacked_frames: usize,
    /// Received frames waiting for a group lookup (bound:
    /// `max_inbound_waiting`; at it the driver stops reading, see
    /// [`Session::wants_ws_read`]).
    pub inbound_waiting: usize,
    /// Bound of `inbound_waiting` ([`Limits::max_inbound_waiting`]).
    pub max_inbound_waiting: usize,
    /// Group lookups sent and not answered (bound: `max_lookups_in_flight`).
    pub lookups_in_flight: usize,
    /// Bound of `lookups_in_flight` ([`Limits::max_lookups_in_flight`]).
    pub max_lookups_in_flight: usize,
    /// Group lookups waiting for a slot (at most two per waiting frame).
    pub lookups_waiting: usize,
    /// Groups whose members are held: cached, or named by waiting frames
    /// (bound: `max_cached_groups` plus two per waiting frame).
    pub cached_groups: usize,
    /// Bound of the member cache ([`Limits::max_cached_groups`]).
    pub max_cached_groups: usize,
    /// Per-channel start-up calls in flight (bound:
    /// `max_startup_calls_in_flight`).
    pub startup_calls_in_flight: usize,
    /// Bound of `startup_calls_in_flight`
    /// ([`Limits::max_startup_calls_in_flight`]).
    pub max_startup_calls_in_flight: usize,
    /// HTTP calls in flight, waiting for a slot or waiting to be retried,
    /// of every purpose: lookups and start-up calls are capped as above,
    /// group creations follow the queued frames, and the application's own
    /// calls are the application's.
    pub http_calls: usize,
    /// HTTP requests sent and not answered (bound: `max_http_in_flight`,
    /// which sign-in and token refresh may exceed by one each).
    pub http_in_flight: usize,
    /// Bound of `http_in_flight` ([`Limits::max_http_in_flight`]).
    pub max_http_in_flight: usize,
    /// HTTP calls waiting for a slot, in the order they were started.
    pub http_waiting: usize,
    /// Outputs not yet drained.
    pub outputs: usize,
}

/// The sans-IO client: see the [module documentation](self).
pub struct Session {
    cfg: SessionConfig,
    rng: SeededRng,
    api: ApiContext,
    refresh_token: Option<RefreshToken>,
    /// Own service id (service mode) or user id (user mode), once known.
    own_id: Option<String>,
    startup: Startup,
    startup_calls: StartupCalls,
    link: Link,
    timers: TimerTable,
    calls: Calls,
    groups: Groups,
    outbox: Outbox,
    inbox: Inbox,
    outputs: VecDeque<Output>,
    next_op: u64,
    /// Channels in use (service mode), in configuration order.
    channels: Vec<ChannelId>,
    /// Public URLs of files uploaded so far, by content hash.
    uploaded: std::collections::HashMap<composite::ContentHash, String>,
    ready: bool,
    closed: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("own_id", &self.own_id)
            .field("startup", &self.startup)
            .field("link", &self.link)
            .field("ready", &self.ready)
            .field("closed", &self.closed)
            .field("queued", &self.outbox.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session that starts by signing in. `seed` feeds every random value.
    #[must_use]
    pub fn new(cfg: SessionConfig, now: Instant, seed: [u8; 32]) -> Self {
        let own_id = match &cfg.role {
            Role::Service { service_id, .. } => service_id.as_ref().map(|s| s.as_str().to_owned()),
            Role::User { .. } => None,
        };
        let mut s = Self {
            api: ApiContext::new(cfg.http_base.clone()),
            rng: SeededRng::new(seed),
            refresh_token: None,
            own_id,
            startup: Startup::SigningIn,
            startup_calls: StartupCalls::default(),
            link: Link::Idle,
            timers: TimerTable::default(),
            calls: Calls::default(),
            groups: Groups::new(&cfg.limits),
            outbox: Outbox::default(),
            inbox: Inbox::default(),
            outputs: VecDeque::new(),
            next_op: 0,
            channels: Vec::new(),
            uploaded: std::collections::HashMap::new(),
            ready: false,
            closed: false,
            cfg,
        };
        s.begin(now);
        s
    }

    /// The next thing to do, if any. Drain it after every input.
    #[must_use = "an output taken and not acted on is lost"]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    /// Never in the past relative to the last input while nothing is due.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            None
        } else {
            self.timers.next()
        }
    }

    /// Runs the timers due at `now`. Calling it early or twice is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        for t in self.timers.expired(now) {
            match t {
                Timer::Heartbeat => self.on_heartbeat_timer(now),
                Timer::TokenRefresh => {
                    self.start_refresh(now);
                    self.timers
                        .set(Timer::TokenRefresh, now + self.cfg.timings.token_refresh);
                }
                Timer::Reauthenticate => {
                    self.start_sign_in(now, false);
                    self.timers
                        .set(Timer::Reauthenticate, now + self.cfg.timings.reauthenticate);
                }
                Timer::Checkin => self.on_checkin_timer(now),
                Timer::Liveness => self.on_liveness_timeout(now),
                Timer::Reconnect => self.connect(now),
                Timer::LoginGrace => self.on_logged_in(now),
                Timer::HttpRetry => self.retry_due_calls(now),
                Timer::LookupDeadline => self.on_lookup_deadline(now),
            }
        }
        self.outbox.expire_unacked(now, self.cfg.timings.ack_window);
    }

    /// Own service id (service mode) or user id (user mode), once known.
    #[must_use]
    pub fn own_id(&self) -> Option<&str> {
        self.own_id.as_deref()
    }

    /// True once start-up has finished ([`Event::Ready`] was emitted).
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Channels served (service mode), once resolved.
    #[must_use]
    pub fn channels(&self) -> &[ChannelId] {
        &self.channels
    }

    /// The HTTP context (base URI and current access token), for drivers that
    /// make calls the session does not need to know about.
    #[must_use]
    pub fn api_context(&self) -> &ApiContext {
        &self.api
    }

    /// How much work is waiting, each queue beside its bound, for
    /// monitoring and tests: the bounds hold whatever the peer does (the
    /// outputs are bounded by what one input produces, as long as the
    /// driver drains them after every input).
    #[must_use]
    pub fn backlog(&self) -> Backlog {
        let limits = &self.cfg.limits;
        Backlog {
            queued_frames: self.outbox.len(),
            max_queued_frames: self.cfg.max_queued_frames,
            unacked_frames: self.outbox.unacked_len(),
            inbound_waiting: self.inbox.len(),
            max_inbound_waiting: limits.max_inbound_waiting.max(1),
            lookups_in_flight: self.groups.lookups_in_flight(),
            max_lookups_in_flight: limits.max_lookups_in_flight.max(1),
            lookups_waiting: self.groups.lookups_waiting(),
            cached_groups: self.groups.cached(),
            max_cached_groups: self.groups.cache_capacity(),
            startup_calls_in_flight: self.startup_calls.in_flight(),
            max_startup_calls_in_flight: limits.max_startup_calls_in_flight.max(1),
            http_calls: self.calls.len(),
            http_in_flight: self.calls.in_flight(),
            max_http_in_flight: limits.max_http_in_flight.max(1),
            http_waiting: self.calls.waiting(),
            outputs: self.outputs.len(),
        }
    }

    /// Stops: closes the socket, fails every pending command with
    /// [`OpError::Closed`], and ends all timers.
    pub fn close(&mut self, _now: Instant) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.timers = TimerTable::default();
        if !matches!(self.link, Link::Idle | Link::Down { .. }) {
            self.outputs.push_back(Output::WsClose {
                reason: "session closed".into(),
            });
        }
        self.link = Link::Idle;
        for op in self
            .outbox
            .drain_ops()
            .into_iter()
            .chain(self.calls.drain_ops())
        {
            self.emit(Event::OpDone {
                op,
                result: Err(OpError::Closed),
            });
        }
    }

    fn emit(&mut self, e: Event) {
        self.outputs.push_back(Output::Event(e));
    }

    fn fatal(&mut self, now: Instant, e: FatalError) {
        self.emit(Event::Fatal(e));
        self.close(now);
    }

    fn new_op(&mut self) -> OpId {
        self.next_op += 1;
        OpId(self.next_op)
    }

    fn request_id(&mut self) -> RequestId {
        RequestId::from_random_bytes(self.rng.bytes16())
    }

    fn is_service(&self) -> bool {
        matches!(self.cfg.role, Role::Service { .. })
    }

    fn check_open(&self) -> Result<(), CommandError> {
        if self.closed {
            Err(CommandError::Closed)
        } else {
            Ok(())
        }
    }

    fn service_id(&self) -> ServiceId {
        ServiceId::new(self.own_id.clone().unwrap_or_default())
    }

    fn user_id(&self) -> CharacterId {
        CharacterId::new(self.own_id.clone().unwrap_or_default())
    }

    fn require_user(&self, what: &'static str) -> Result<(), CommandError> {
        if self.is_service() {
            Err(CommandError::WrongMode(what))
        } else {
            Ok(())
        }
    }

    fn require_service(&self, what: &'static str) -> Result<(), CommandError> {
        if self.is_service() {
            Ok(())
        } else {
            Err(CommandError::WrongMode(what))
        }
    }

    /// Queues a frame whose group ids still have to be created.
    fn enqueue(&mut self, now: Instant, draft: Draft) -> Result<OpId, CommandError> {
        self.check_open()?;
        if self.outbox.len() >= self.cfg.max_queued_frames {
            return Err(CommandError::QueueFull {
                limit: self.cfg.max_queued_frames,
            });
        }
        let op = self.new_op();
        let rid = self.request_id();
        self.outbox.push(op, rid, draft);
        self.pump_outbox(now);
        Ok(op)
    }

    // ---- application commands: websocket ----

    /// Sends a message (`send_message`). In service mode it goes down to the
    /// recipients with the spec's sender; in user mode it goes up.
    /// `unix_ms` is the message timestamp. A spec naming a local file needs
    /// its bytes in `file` (the driver reads it); the session uploads them
    /// first, and the message still leaves in order.
    pub fn send_message(
        &mut self,
        now: Instant,
        unix_ms: i64,
        spec: MessageSpec,
        file: Option<Bytes>,
    ) -> Result<OpId, CommandError> {
        let composed = compose_message(spec).map_err(|_| CommandError::NoRecipients)?;
        let file = match &composed.pending {
            Some(FileToResolve::Upload(path)) => {
                let bytes = file.ok_or(CommandError::FileBytesMissing)?;
                Some((RequestUploadUrl::for_file(&path.to_string_lossy()), bytes))
            }
            _ => None,
        };
        self.enqueue(
            now,
            Draft::message(composed, unix_ms, self.is_service(), file),
        )
    }

    /// Sends the character list the recipients see (`send_characters`). An
    /// empty list is allowed: it clears the list.
    pub fn send_characters(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        characters: Vec<CharacterId>,
        recipients: Recipients,
    ) -> Result<OpId, CommandError> {
        self.require_service("send_characters")?;
        self.enqueue(now, Draft::characters(channel_id, characters, recipients)?)
    }

    /// Replaces the button bar (`send_buttons`).
    pub fn send_buttons(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        buttons: Vec<Button>,
        recipients: Recipients,
    ) -> Result<OpId, CommandError> {
        self.send_update(
            now,
            channel_id,
            recipients,
            UpdateKind::Buttons {
                recipients: GroupRef::Service,
                buttons,
            },
        )
    }

    /// Replaces the context menu (`send_menu`).
    pub fn send_menu(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        items: Vec<MenuItem>,
        recipients: Recipients,
    ) -> Result<OpId, CommandError> {
        self.send_update(
            now,
            channel_id,
            recipients,
            UpdateKind::Menu {
                recipients: GroupRef::Service,
                items,
            },
        )
    }

    /// Sets widget styles (`send_style`).
    pub fn send_style(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        items: Vec<StyleItem>,
        recipients: Recipients,
    ) -> Result<OpId, CommandError> {
        self.send_update(
            now,
            channel_id,
            recipients,
            UpdateKind::Style {
                recipients: GroupRef::Service,
                items,
            },
        )
    }

    /// Replaces the canvas (`send_canvas`); image paths must be URLs (upload
    /// local files with [`upload`](Self::upload) first).
    pub fn send_canvas(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        items: Vec<CanvasItem>,
        recipients: Recipients,
    ) -> Result<OpId, CommandError> {
        self.send_update(
            now,
            channel_id,
            recipients,
            UpdateKind::Canvas {
                recipients: GroupRef::Service,
                items,
            },
        )
    }

    fn send_update(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        recipients: Recipients,
        kind: UpdateKind,
    ) -> Result<OpId, CommandError> {
        self.require_service("update")?;
        self.enqueue(now, Draft::update(channel_id, recipients, kind)?)
    }

    /// Renames or re-describes a channel over the websocket (the reference's
    /// `update_channel_info`; `POST /channel/update` is the usual way).
    pub fn send_channel_info(
        &mut self,
        now: Instant,
        info: ChannelInfo,
    ) -> Result<OpId, CommandError> {
        self.require_service("send_channel_info")?;
        let channel_id = info.channel_id.clone();
        self.enqueue(
            now,
            Draft::ready_update(channel_id, UpdateKind::ChannelInfo(info)),
        )
    }

    /// Sends an update with a body of the caller's own shape (`send_update`),
    /// under the own service id.
    pub fn send_generic_update(
        &mut self,
        now: Instant,
        body: serde_json::Value,
    ) -> Result<OpId, CommandError> {
        self.require_service("send_update")?;
        self.enqueue(
            now,
            Draft::Ready(Outbound::GenericUpdate(crate::ws::GenericUpdate {
                service_id: self.service_id(),
                body,
            })),
        )
    }

    /// Sends any frame type with a body of the caller's shape (`send`).
    pub fn send_custom(
        &mut self,
        now: Instant,
        frame_type: String,
        body: serde_json::Value,
    ) -> Result<OpId, CommandError> {
        let client_id = self.own_id.clone().unwrap_or_default();
        let frame = crate::ws::CustomFrame {
            frame_type,
            client_id,
            body,
        };
        match custom_recipients(&frame) {
            None => self.enqueue(now, Draft::Ready(Outbound::Custom(frame))),
            Some(ids) if ids.is_empty() => Err(CommandError::NoRecipients),
            Some(ids) => {
                let kind = if frame.frame_type == "message_down" {
                    GroupKind::Service
                } else {
                    let channel = frame.body["channel_id"].as_str().unwrap_or_default();
                    GroupKind::Channel(ChannelId::new(channel))
                };
                let recipients = Recipients::Characters(ids);
                self.enqueue(
                    now,
                    Draft::Custom {
                        frame,
                        recipients,
                        kind,
                    },
                )
            }
        }
    }

    /// Sends a heartbeat now (`send_heartbeat`); the timer sends them anyway.
    pub fn send_heartbeat(&mut self, now: Instant) -> Result<OpId, CommandError> {
        self.enqueue(now, Draft::Ready(Outbound::Heartbeat))
    }

    /// User mode: joins a channel.
    pub fn join_channel(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
    ) -> Result<OpId, CommandError> {
        self.user_action(now, "join_channel", channel_id, UserActionKind::JoinChannel)
    }

    /// User mode: leaves a channel.
    pub fn leave_channel(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
    ) -> Result<OpId, CommandError> {
        self.user_action(
            now,
            "leave_channel",
            channel_id,
            UserActionKind::LeaveChannel,
        )
    }

    /// User mode: asks the channel's service for its state (`send_refresh`).
    pub fn send_refresh(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
    ) -> Result<OpId, CommandError> {
        self.user_action(now, "send_refresh", channel_id, UserActionKind::Refresh)
    }

    /// User mode: clicks a button, submitting its dialog's values.
    pub fn button_click(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        button_id: crate::ids::ButtonId,
        arguments: Vec<ClickArgument>,
        bottom_button_id: Option<String>,
    ) -> Result<OpId, CommandError> {
        let kind = UserActionKind::ButtonClick {
            button_id,
            arguments,
            bottom_button_id: bottom_button_id
                .unwrap_or_else(|| crate::ws::DEFAULT_BOTTOM_BUTTON.into()),
        };
        self.user_action(now, "button_click", channel_id, kind)
    }

    /// User mode: clicks a context-menu item on a message.
    pub fn menu_item_click(
        &mut self,
        now: Instant,
        channel_id: ChannelId,
        menu_item_id: crate::ids::MenuItemId,
        message: ClickedMessage,
        arguments: Vec<ClickArgument>,
        bottom_button_id: Option<String>,
    ) -> Result<OpId, CommandError> {
        let kind = UserActionKind::MenuItemClick {
            menu_item_id,
            message,
            arguments,
            bottom_button_id: bottom_button_id
                .unwrap_or_else(|| crate::ws::DEFAULT_BOTTOM_BUTTON.into()),
        };
        self.user_action(now, "menu_item_click", channel_id, kind)
    }

    fn user_action(
        &mut self,
        now: Instant,
        what: &'static str,
        channel_id: ChannelId,
        kind: UserActionKind,
    ) -> Result<OpId, CommandError> {
        self.require_user(what)?;
        self.enqueue(now, Draft::action(channel_id, kind))
    }

    // ---- application commands: HTTP ----

    /// Calls any endpoint through the session: the current token is used, an
    /// expired token is refreshed and the call retried once, and retry-safe
    /// calls (GET, HEAD) are retried on 5xx and transport errors. The result
    /// arrives as [`Event::OpDone`] with [`OpOutput::Response`]: the
    /// response `E::parse` judged a success (the session reads it to decide
    /// on refreshes and retries), for the caller to read with `E::parse`
    /// (as [`ops::Call`](crate::ops::Call) does).
    pub fn call<E>(&mut self, now: Instant, endpoint: E) -> Result<OpId, CommandError>
    where
        E: Endpoint + Send + 'static,
    {
        self.check_open()?;
        let op = self.new_op();
        let call = Box::new(reply::AppCall(endpoint));
        self.start_call(now, call, calls::Purpose::App(op));
        Ok(op)
    }

    /// Refreshes the access token now (`refresh_authentication`).
    pub fn refresh_authentication(&mut self, now: Instant) -> Result<OpId, CommandError> {
        self.check_open()?;
        let op = self.new_op();
        self.start_refresh_for(now, Some(op));
        Ok(op)
    }

    /// Signs in again now (`authenticate`).
    pub fn authenticate(&mut self, now: Instant) -> Result<OpId, CommandError> {
        self.check_open()?;
        let op = self.new_op();
        self.start_sign_in_for(now, false, Some(op));
        Ok(op)
    }
}

/// The recipient list of a generic message frame (`send("message_down" |
/// "message_up", body)` whose `body.recipients` is a list of ids): the
/// reference turns it into a group id before sending, and so do we. `None`
/// for any other frame (sent as given).
fn custom_recipients(frame: &crate::ws::CustomFrame) -> Option<Vec<CharacterId>> {
    if !matches!(frame.frame_type.as_str(), "message_down" | "message_up") {
        return None;
    }
    let list = frame.body.get("recipients")?.as_array()?;
    list.iter()
        .map(|v| v.as_str().map(CharacterId::new))
        .collect()
}
