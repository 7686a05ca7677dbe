//! Start-up, step by step (PROTOCOL.md §3.1, §3.2, without the sleeps):
//!
//! * service: sign in → create the service if there is none → connect and
//!   log in → [`Event::BeforeChannelInit`] → resolve the configured channels
//!   against the service list with the `others` policy (bind / unbind) →
//!   each channel's group list → [`Event::ChannelInit`] per channel →
//!   [`Event::Ready`];
//! * user: sign in → own user info → connect and log in → join the
//!   configured channels the user is not in → [`Event::Ready`].
//!
//! The per-channel calls (bind, unbind, group lists, membership checks) run
//! at most [`Limits::max_startup_calls_in_flight`](super::Limits::max_startup_calls_in_flight)
//! at a time, the rest queued in order: 1,000 channels start on a handful of
//! connections instead of one socket per channel.

use super::calls::{Call, Purpose};
use super::event::OpError;
use super::timers::Timer;
use super::{Event, FatalError, OthersPolicy, Role, Session};
use crate::http::{
    BindService, ChannelGroups, CreateService, FetchChannelGroups, FetchChannelList,
    FetchMemberIds, FetchServiceList, FetchUserInfo, ServiceList, UnbindService,
};
use crate::ids::{ChannelId, CharacterId, ServiceId};
use crate::model::UserInfo;
use crate::ws::UserActionKind;
use std::collections::VecDeque;
use std::time::Instant;

/// How far start-up has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Startup {
    SigningIn,
    CreatingService,
    FetchingUserInfo,
    /// Waiting for the websocket login.
    LoggingIn,
    /// Binding / unbinding / joining: this many calls outstanding.
    Resolving(usize),
    /// Fetching channel group lists: this many outstanding.
    FetchingGroups(usize),
    Done,
}

/// Per-channel start-up calls: those in flight, and those waiting for a slot.
#[derive(Default)]
pub(super) struct StartupCalls {
    waiting: VecDeque<(Box<dyn Call>, Purpose)>,
    in_flight: usize,
}

impl StartupCalls {
    pub(super) fn in_flight(&self) -> usize {
        self.in_flight
    }
}

impl Session {
    pub(super) fn begin(&mut self, now: Instant) {
        self.start_sign_in(now, true);
    }

    /// Starts a per-channel start-up call, or queues it while the cap of
    /// calls in flight is reached.
    fn start_channel_call(&mut self, now: Instant, call: Box<dyn Call>, purpose: Purpose) {
        self.startup_calls.waiting.push_back((call, purpose));
        self.start_channel_calls(now);
    }

    fn start_channel_calls(&mut self, now: Instant) {
        let cap = self.cfg.limits.max_startup_calls_in_flight.max(1);
        while self.startup_calls.in_flight < cap {
            let Some((call, purpose)) = self.startup_calls.waiting.pop_front() else {
                break;
            };
            self.startup_calls.in_flight += 1;
            self.start_call(now, call, purpose);
        }
    }

    /// A per-channel start-up call ended: its slot goes to the next one.
    fn channel_call_done(&mut self, now: Instant) {
        self.startup_calls.in_flight = self.startup_calls.in_flight.saturating_sub(1);
        self.start_channel_calls(now);
    }

    pub(super) fn on_signed_in(&mut self, now: Instant) {
        match (&self.cfg.role, &self.own_id) {
            (Role::Service { description, .. }, None) => {
                self.startup = Startup::CreatingService;
                let call = CreateService::new(description.clone());
                self.start_call(now, Box::new(call), Purpose::CreateService);
            }
            (Role::Service { .. }, Some(_)) => self.start_login(now),
            (Role::User { .. }, _) => {
                self.startup = Startup::FetchingUserInfo;
                self.start_call(now, Box::new(FetchUserInfo), Purpose::UserInfo);
            }
        }
    }

    fn start_login(&mut self, now: Instant) {
        self.startup = Startup::LoggingIn;
        self.connect(now);
    }

    pub(super) fn on_service_created(&mut self, now: Instant, result: Result<ServiceId, OpError>) {
        match result {
            Ok(id) => {
                self.own_id = Some(id.as_str().to_owned());
                self.emit(Event::ServiceCreated(id));
                self.start_login(now);
            }
            Err(error) => self.fatal(
                now,
                FatalError::Startup {
                    step: "create service",
                    error,
                },
            ),
        }
    }

    pub(super) fn on_user_info(&mut self, now: Instant, result: Result<UserInfo, OpError>) {
        match result {
            Ok(info) => {
                self.own_id = Some(info.user_id.into_string());
                self.start_login(now);
            }
            Err(error) => self.fatal(
                now,
                FatalError::Startup {
                    step: "user info",
                    error,
                },
            ),
        }
    }

    /// The websocket is logged in; on the first time, start-up goes on.
    pub(super) fn on_first_login(&mut self, now: Instant) {
        if self.startup != Startup::LoggingIn {
            return;
        }
        self.startup = Startup::Resolving(1);
        if self.is_service() {
            self.emit(Event::BeforeChannelInit);
            self.start_call(now, Box::new(FetchServiceList), Purpose::ServiceList);
        } else {
            self.start_call(now, Box::new(FetchChannelList), Purpose::ChannelList);
        }
    }

    fn configured_channels(&self) -> Vec<ChannelId> {
        match &self.cfg.role {
            Role::Service { channels, .. } | Role::User { channels } => channels.clone(),
        }
    }

    fn others_policy(&self) -> OthersPolicy {
        match &self.cfg.role {
            Role::Service { others, .. } => *others,
            Role::User { .. } => OthersPolicy::Ignore,
        }
    }

    pub(super) fn on_service_list(&mut self, now: Instant, result: Result<ServiceList, OpError>) {
        let list = match result {
            Ok(list) => list,
            Err(error) => {
                return self.fatal(
                    now,
                    FatalError::Startup {
                        step: "service list",
                        error,
                    },
                )
            }
        };
        let bound = list.service_of_each_channel();
        let own = self.service_id();
        for channel in self.configured_channels() {
            match bound.get(&channel) {
                Some(s) if *s == own => self.keep_channel(channel),
                Some(other) => match self.others_policy() {
                    OthersPolicy::Ignore => self.drop_channel(
                        channel,
                        format!("bound to service {other} (others = ignore)"),
                    ),
                    policy => {
                        self.emit(Event::ChannelTakeover {
                            channel_id: channel.clone(),
                            from: other.clone(),
                        });
                        self.add_pending(1);
                        let call = UnbindService::new(channel.clone(), other.clone());
                        let then_bind = policy == OthersPolicy::Include;
                        self.start_channel_call(
                            now,
                            Box::new(call),
                            Purpose::Unbind { channel, then_bind },
                        );
                    }
                },
                None => self.bind(now, channel),
            }
        }
        self.resolved_one(now);
    }

    fn bind(&mut self, now: Instant, channel: ChannelId) {
        self.add_pending(1);
        let call = BindService::new(channel.clone(), self.service_id());
        self.start_channel_call(now, Box::new(call), Purpose::Bind { channel });
    }

    fn add_pending(&mut self, n: usize) {
        if let Startup::Resolving(p) = &mut self.startup {
            *p += n;
        }
    }

    fn keep_channel(&mut self, channel: ChannelId) {
        if !self.channels.contains(&channel) {
            self.channels.push(channel);
        }
    }

    fn drop_channel(&mut self, channel_id: ChannelId, reason: String) {
        self.emit(Event::ChannelDropped { channel_id, reason });
    }

    pub(super) fn on_unbound(
        &mut self,
        now: Instant,
        channel: ChannelId,
        then_bind: bool,
        result: Result<(), OpError>,
    ) {
        self.channel_call_done(now);
        match (result, then_bind) {
            (Ok(()), true) => self.bind(now, channel),
            (Ok(()), false) => self.drop_channel(
                channel,
                "unbound from another service (others = unbind)".into(),
            ),
            (Err(e), _) => {
                self.drop_channel(channel, format!("could not unbind the other service: {e}"))
            }
        }
        self.resolved_one(now);
    }

    pub(super) fn on_bound(
        &mut self,
        now: Instant,
        channel: ChannelId,
        result: Result<(), OpError>,
    ) {
        self.channel_call_done(now);
        match result {
            Ok(()) => self.keep_channel(channel),
            Err(e) => self.drop_channel(channel, format!("bind failed: {e}")),
        }
        self.resolved_one(now);
    }

    /// One resolution step finished; when none is left, go on.
    fn resolved_one(&mut self, now: Instant) {
        let Startup::Resolving(p) = &mut self.startup else {
            return;
        };
        *p = p.saturating_sub(1);
        if *p > 0 {
            return;
        }
        if !self.is_service() {
            return self.finish_startup(now);
        }
        let order = self.configured_channels();
        self.channels
            .sort_by_key(|c| order.iter().position(|o| o == c));
        let channels = self.channels.clone();
        self.startup = Startup::FetchingGroups(channels.len());
        if channels.is_empty() {
            return self.finish_channels(now);
        }
        for channel in channels {
            let call = FetchChannelGroups::new(channel.clone(), self.service_id());
            self.start_channel_call(now, Box::new(call), Purpose::ChannelGroups { channel });
        }
    }

    pub(super) fn on_channel_groups(
        &mut self,
        now: Instant,
        _channel: ChannelId,
        result: Result<ChannelGroups, OpError>,
    ) {
        self.channel_call_done(now);
        if let Ok(groups) = result {
            for (group, members) in groups.members_by_group() {
                self.groups.remember_members(group, members);
            }
        }
        let Startup::FetchingGroups(p) = &mut self.startup else {
            return;
        };
        *p = p.saturating_sub(1);
        if *p == 0 {
            self.finish_channels(now);
        }
    }

    fn finish_channels(&mut self, now: Instant) {
        for channel in self.channels.clone() {
            self.emit(Event::ChannelInit(channel));
        }
        self.finish_startup(now);
    }

    pub(super) fn on_channel_list(
        &mut self,
        now: Instant,
        result: Result<Vec<ChannelId>, OpError>,
    ) {
        // As the reference does, an error reads as "in no channel": every
        // configured channel is then checked one by one.
        let joined = result.unwrap_or_default();
        for channel in self.configured_channels() {
            if !joined.contains(&channel) {
                self.add_pending(1);
                let call = FetchMemberIds::new(
                    channel.clone(),
                    ServiceId::new(self.own_id.clone().unwrap_or_default()),
                );
                self.start_channel_call(now, Box::new(call), Purpose::MemberCheck { channel });
            }
        }
        self.resolved_one(now);
    }

    pub(super) fn on_member_check(
        &mut self,
        now: Instant,
        channel: ChannelId,
        result: Result<Vec<CharacterId>, OpError>,
    ) {
        self.channel_call_done(now);
        let me = self.user_id();
        if !result.unwrap_or_default().contains(&me) {
            let _ = self.enqueue(
                now,
                super::outbox::Draft::action(channel, UserActionKind::JoinChannel),
            );
        }
        self.resolved_one(now);
    }

    fn finish_startup(&mut self, now: Instant) {
        self.startup = Startup::Done;
        self.ready = true;
        self.timers
            .set(Timer::TokenRefresh, now + self.cfg.timings.token_refresh);
        self.timers
            .set(Timer::Reauthenticate, now + self.cfg.timings.reauthenticate);
        if let Some(every) = self.checkin_interval() {
            self.timers.set(Timer::Checkin, now + every);
        }
        self.emit(Event::Ready);
    }

    fn checkin_interval(&self) -> Option<std::time::Duration> {
        match &self.cfg.role {
            Role::Service {
                checkin_interval, ..
            } => checkin_interval.filter(|d| !d.is_zero()),
            Role::User { .. } => None,
        }
    }

    pub(super) fn on_checkin_timer(&mut self, now: Instant) {
        for channel in self.channels.clone() {
            self.emit(Event::ChannelCheckin(channel));
        }
        if let Some(every) = self.checkin_interval() {
            self.timers.set(Timer::Checkin, now + every);
        }
    }
}
