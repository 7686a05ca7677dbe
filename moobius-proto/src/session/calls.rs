//! HTTP calls in flight: what each is for, retries with backoff, the
//! refresh-then-retry-once rule for expired tokens, and the bound on
//! requests in flight ([`Limits::max_http_in_flight`]: the others wait in
//! order; signing in and refreshing never wait).
//!
//! [`Limits::max_http_in_flight`]: super::Limits::max_http_in_flight

use super::composite::ContentHash;
use super::event::{HttpId, OpError, OpId, OpOutput, Output, TransportError};
use super::groups::GroupKey;
use super::reply::{take, unexpected, Reply};
use super::timers::Timer;
use super::{Event, Session};
use crate::http::{ApiContext, ApiError, Refresh, RequestError, SignIn};
use crate::ids::{ChannelId, GroupId};
use bytes::Bytes;
use http::{Method, Request, Response};
use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

/// An endpoint whose answer travels as a [`Reply`], so calls of every kind
/// share one table (the impls are listed in `reply.rs`).
pub(super) trait Call: Send {
    fn build(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError>;
    fn parse(&self, response: Response<Bytes>) -> Result<Reply, ApiError>;
}

/// What a call's result is for.
pub(super) enum Purpose {
    SignIn {
        initial: bool,
        op: Option<OpId>,
    },
    Refresh {
        op: Option<OpId>,
    },
    CreateService,
    ServiceList,
    Bind {
        channel: ChannelId,
    },
    Unbind {
        channel: ChannelId,
        then_bind: bool,
    },
    ChannelGroups {
        channel: ChannelId,
    },
    UserInfo,
    ChannelList,
    MemberCheck {
        channel: ChannelId,
    },
    CreateGroup {
        key: GroupKey,
    },
    LookupGroup {
        group: GroupId,
    },
    /// Upload requested by the application: step 1.
    UploadUrl {
        op: OpId,
        bytes: Bytes,
        hash: ContentHash,
    },
    /// Upload requested by the application: step 2.
    UploadPost {
        op: OpId,
        url: String,
        hash: ContentHash,
    },
    /// Upload of a queued message's file: step 1.
    MessageUploadUrl {
        op: OpId,
        bytes: Bytes,
        hash: ContentHash,
    },
    /// Upload of a queued message's file: step 2.
    MessageUploadPost {
        op: OpId,
        url: String,
        size: u64,
        hash: ContentHash,
    },
    /// Size of a queued message's file (`HEAD`).
    MessageFileSize {
        op: OpId,
    },
    /// `fetch_characters`, step 1: member ids.
    CharactersMembers {
        op: OpId,
    },
    /// `fetch_characters`, step 2: their profiles.
    CharactersProfiles {
        op: OpId,
    },
    /// `fetch_characters`, step 3: the service's agents.
    CharactersAgents {
        op: OpId,
        profiles: Vec<crate::model::Character>,
    },
    /// `create_channel`: the channel is created.
    ChannelCreated {
        op: OpId,
        bind: bool,
    },
    /// `create_channel`: and bound.
    ChannelCreatedBound {
        op: OpId,
        channel: ChannelId,
    },
    App(OpId),
}

impl Purpose {
    /// Calls whose repetition does no harm, whatever their method.
    fn retry_safe(&self) -> bool {
        matches!(
            self,
            Self::SignIn { .. }
                | Self::Refresh { .. }
                | Self::ServiceList
                | Self::Bind { .. }
                | Self::ChannelGroups { .. }
                | Self::UserInfo
                | Self::ChannelList
                | Self::MemberCheck { .. }
                | Self::CreateGroup { .. }
                | Self::LookupGroup { .. }
                | Self::UploadUrl { .. }
                | Self::MessageUploadUrl { .. }
                | Self::MessageFileSize { .. }
                | Self::CharactersMembers { .. }
                | Self::CharactersProfiles { .. }
                | Self::CharactersAgents { .. }
                | Self::ChannelCreatedBound { .. }
        )
    }

    fn is_auth(&self) -> bool {
        matches!(self, Self::SignIn { .. } | Self::Refresh { .. })
    }

    /// Whether a 401/403 answer can mean "the access token expired": not
    /// for the auth calls themselves, nor for requests to a file bucket
    /// (the presigned upload, the size of a file), which carry no token.
    fn token_may_expire(&self) -> bool {
        !self.is_auth()
            && !matches!(
                self,
                Self::UploadPost { .. }
                    | Self::MessageUploadPost { .. }
                    | Self::MessageFileSize { .. }
            )
    }

    fn op(&self) -> Option<OpId> {
        match self {
            Self::SignIn { op, .. } | Self::Refresh { op } => *op,
            Self::UploadUrl { op, .. }
            | Self::UploadPost { op, .. }
            | Self::MessageUploadUrl { op, .. }
            | Self::MessageUploadPost { op, .. }
            | Self::MessageFileSize { op }
            | Self::CharactersMembers { op }
            | Self::CharactersProfiles { op }
            | Self::CharactersAgents { op, .. }
            | Self::ChannelCreated { op, .. }
            | Self::ChannelCreatedBound { op, .. }
            | Self::App(op) => Some(*op),
            _ => None,
        }
    }
}

pub(super) struct InFlight {
    call: Box<dyn Call>,
    purpose: Purpose,
    attempts: u32,
    /// This call has started a token refresh of its own (once at most).
    auth_retried: bool,
    retry_safe: bool,
    /// The [`Calls::token_generation`] it was last sent with.
    sent_with: u64,
}

/// Every call not yet answered.
#[derive(Default)]
pub(super) struct Calls {
    in_flight: BTreeMap<HttpId, InFlight>,
    next_id: u64,
    retry_later: Vec<(Instant, InFlight)>,
    awaiting_token: Vec<InFlight>,
    /// Calls waiting for a slot, oldest first (built when they leave, so
    /// with the token of that moment).
    waiting: VecDeque<InFlight>,
    refreshing: bool,
    /// Counts the access tokens received, so that a call refused for an
    /// older token knows a newer one already exists.
    token_generation: u64,
}

impl Calls {
    /// Commands still waiting, for failing them at close.
    pub(super) fn drain_ops(&mut self) -> Vec<OpId> {
        let mut all: Vec<InFlight> = std::mem::take(&mut self.in_flight).into_values().collect();
        all.extend(
            std::mem::take(&mut self.retry_later)
                .into_iter()
                .map(|(_, c)| c),
        );
        all.extend(std::mem::take(&mut self.awaiting_token));
        all.extend(std::mem::take(&mut self.waiting));
        all.iter().filter_map(|c| c.purpose.op()).collect()
    }

    pub(super) fn len(&self) -> usize {
        self.in_flight.len()
            + self.retry_later.len()
            + self.awaiting_token.len()
            + self.waiting.len()
    }

    /// Requests sent and not answered.
    pub(super) fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Calls waiting for a slot.
    pub(super) fn waiting(&self) -> usize {
        self.waiting.len()
    }
}

impl Session {
    pub(super) fn start_call(&mut self, now: Instant, call: Box<dyn Call>, purpose: Purpose) {
        let flight = InFlight {
            call,
            purpose,
            attempts: 0,
            auth_retried: false,
            retry_safe: false,
            sent_with: 0,
        };
        self.send_call(now, flight);
    }

    fn send_call(&mut self, now: Instant, flight: InFlight) {
        let cap = self.cfg.limits.max_http_in_flight.max(1);
        if !flight.purpose.is_auth()
            && (self.calls.in_flight.len() >= cap || !self.calls.waiting.is_empty())
        {
            self.calls.waiting.push_back(flight);
            return;
        }
        self.send_now(now, flight);
    }

    /// Sends calls that wait, while there are free slots.
    fn send_waiting(&mut self, now: Instant) {
        let cap = self.cfg.limits.max_http_in_flight.max(1);
        while self.calls.in_flight.len() < cap {
            let Some(flight) = self.calls.waiting.pop_front() else {
                return;
            };
            self.send_now(now, flight);
        }
    }

    fn send_now(&mut self, now: Instant, mut flight: InFlight) {
        match flight.call.build(&self.api) {
            Ok(request) => {
                flight.retry_safe = flight.purpose.retry_safe()
                    || matches!(*request.method(), Method::GET | Method::HEAD);
                flight.sent_with = self.calls.token_generation;
                self.calls.next_id += 1;
                let id = HttpId(self.calls.next_id);
                self.outputs.push_back(Output::Http { id, request });
                self.calls.in_flight.insert(id, flight);
            }
            Err(e) => self.complete(now, flight.purpose, Err(OpError::Request(e))),
        }
    }

    /// Reports the outcome of the request `id`: its response, or why none came.
    /// Unknown or repeated ids are ignored.
    pub fn handle_http_response(
        &mut self,
        now: Instant,
        id: HttpId,
        result: Result<Response<Bytes>, TransportError>,
    ) {
        let Some(mut flight) = self.calls.in_flight.remove(&id) else {
            return;
        };
        if self.closed {
            return;
        }
        // Its slot goes to the oldest waiting call first; what this answer
        // starts queues behind it.
        self.send_waiting(now);
        let outcome = match result {
            Err(e) => Err(OpError::Transport(e)),
            Ok(response) => flight.call.parse(response).map_err(OpError::Api),
        };
        match outcome {
            // An expired token: the call is sent again with a fresh one.
            // - A token newer than the one it carried exists already: resend.
            // - A refresh is under way: wait for it, without counting it as
            //   this call's refresh, since it may have been issued before
            //   whatever made this token fail.
            // - Otherwise the call starts one refresh of its own, once.
            Err(OpError::Api(e))
                if e.is_auth_expired()
                    && flight.purpose.token_may_expire()
                    && (flight.sent_with < self.calls.token_generation
                        || self.calls.refreshing
                        || !flight.auth_retried) =>
            {
                if flight.sent_with < self.calls.token_generation {
                    self.send_call(now, flight);
                } else if self.calls.refreshing {
                    self.calls.awaiting_token.push(flight);
                } else {
                    flight.auth_retried = true;
                    self.calls.awaiting_token.push(flight);
                    self.start_refresh(now);
                }
            }
            Err(e)
                if flight.retry_safe
                    && flight.attempts < self.cfg.http_retries
                    && retryable(&e) =>
            {
                flight.attempts += 1;
                let at = now + self.cfg.backoff.delay(flight.attempts, &mut self.rng);
                self.calls.retry_later.push((at, flight));
                self.arm_http_retry();
            }
            outcome => self.complete(now, flight.purpose, outcome),
        }
    }

    fn arm_http_retry(&mut self) {
        match self.calls.retry_later.iter().map(|(at, _)| *at).min() {
            Some(at) => self.timers.set(Timer::HttpRetry, at),
            None => self.timers.stop(Timer::HttpRetry),
        }
    }

    pub(super) fn retry_due_calls(&mut self, now: Instant) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.calls.retry_later)
            .into_iter()
            .partition(|(at, _)| *at <= now);
        self.calls.retry_later = later;
        for (_, flight) in due {
            self.send_call(now, flight);
        }
        self.arm_http_retry();
    }

    /// Refreshes the access token, or signs in again without a refresh token.
    pub(super) fn start_refresh(&mut self, now: Instant) {
        self.start_refresh_for(now, None);
    }

    pub(super) fn start_refresh_for(&mut self, now: Instant, op: Option<OpId>) {
        if self.calls.refreshing && op.is_none() {
            return;
        }
        match self.refresh_token.clone() {
            Some(rt) => {
                self.calls.refreshing = true;
                let call = Refresh::new(self.cfg.email.clone(), rt);
                self.start_call(now, Box::new(call), Purpose::Refresh { op });
            }
            None => self.start_sign_in_for(now, false, op),
        }
    }

    pub(super) fn start_sign_in(&mut self, now: Instant, initial: bool) {
        self.start_sign_in_for(now, initial, None);
    }

    pub(super) fn start_sign_in_for(&mut self, now: Instant, initial: bool, op: Option<OpId>) {
        self.calls.refreshing = true;
        let call = SignIn::new(self.cfg.email.clone(), self.cfg.password.clone());
        self.start_call(now, Box::new(call), Purpose::SignIn { initial, op });
    }

    /// Sends again every call that waited for a fresh token, and a login the
    /// platform refused.
    fn resume_after_token(&mut self, now: Instant) {
        self.calls.refreshing = false;
        self.calls.token_generation += 1;
        if matches!(
            self.link,
            super::link::Link::Open {
                logged_in: false,
                rejections: 1..,
                ..
            }
        ) {
            self.send_login(now);
        }
        for flight in std::mem::take(&mut self.calls.awaiting_token) {
            self.send_call(now, flight);
        }
    }

    /// Fails every call that waited for a token that will not come.
    fn fail_awaiting_token(&mut self, now: Instant, e: &OpError) {
        self.calls.refreshing = false;
        for flight in std::mem::take(&mut self.calls.awaiting_token) {
            self.complete(now, flight.purpose, Err(e.clone()));
        }
    }

    /// Routes a finished call's result to whatever it was for.
    fn complete(&mut self, now: Instant, purpose: Purpose, result: Result<Reply, OpError>) {
        match purpose {
            Purpose::SignIn { initial, op } => {
                match result.and_then(take::<crate::http::AuthTokens>) {
                    Ok(tokens) => {
                        self.api.access_token = Some(tokens.access_token);
                        self.refresh_token = Some(tokens.refresh_token);
                        self.resume_after_token(now);
                        if let Some(op) = op {
                            self.emit(Event::OpDone {
                                op,
                                result: Ok(OpOutput::Sent),
                            });
                        }
                        if initial {
                            self.on_signed_in(now);
                        }
                    }
                    Err(e) => {
                        self.fail_awaiting_token(now, &e);
                        if let Some(op) = op {
                            self.emit(Event::OpDone {
                                op,
                                result: Err(e.clone()),
                            });
                        }
                        self.fatal(now, super::FatalError::SignIn(e));
                    }
                }
            }
            Purpose::Refresh { op } => {
                match result.and_then(take::<crate::secret::AccessToken>) {
                    Ok(token) => {
                        self.api.access_token = Some(token);
                        self.resume_after_token(now);
                        if let Some(op) = op {
                            self.emit(Event::OpDone {
                                op,
                                result: Ok(OpOutput::Sent),
                            });
                        }
                    }
                    Err(_) => {
                        // The refresh token may have expired: sign in from scratch.
                        self.start_sign_in_for(now, false, op);
                    }
                }
            }
            Purpose::CreateService => self.on_service_created(now, result.and_then(take)),
            Purpose::ServiceList => self.on_service_list(now, result.and_then(take)),
            Purpose::Bind { channel } => self.on_bound(now, channel, result.map(|_| ())),
            Purpose::Unbind { channel, then_bind } => {
                self.on_unbound(now, channel, then_bind, result.map(|_| ()))
            }
            Purpose::ChannelGroups { channel } => {
                self.on_channel_groups(now, channel, result.and_then(take))
            }
            Purpose::UserInfo => self.on_user_info(now, result.and_then(take)),
            Purpose::ChannelList => self.on_channel_list(now, result.and_then(take)),
            Purpose::MemberCheck { channel } => {
                self.on_member_check(now, channel, result.and_then(take))
            }
            Purpose::CreateGroup { key } => {
                let group = result
                    .and_then(take::<crate::model::Group>)
                    .map(|g| g.group_id);
                self.on_group_created(now, key, group);
            }
            Purpose::LookupGroup { group } => {
                self.on_group_looked_up(now, group, result.and_then(take))
            }
            Purpose::UploadUrl { op, bytes, hash } => {
                match result.and_then(take::<crate::http::UploadTarget>) {
                    Ok(target) => self.post_upload(now, op, target, bytes, hash, false),
                    Err(e) => self.emit(Event::OpDone { op, result: Err(e) }),
                }
            }
            Purpose::UploadPost { op, url, hash } => {
                if result.is_ok() {
                    self.remember_upload(hash, &url);
                }
                let result = result.map(|_| OpOutput::Uploaded { url });
                self.emit(Event::OpDone { op, result });
            }
            Purpose::MessageUploadUrl { op, bytes, hash } => {
                match result.and_then(take::<crate::http::UploadTarget>) {
                    Ok(target) => self.post_upload(now, op, target, bytes, hash, true),
                    Err(e) => self.fail_entry(now, op, e),
                }
            }
            Purpose::MessageUploadPost {
                op,
                url,
                size,
                hash,
            } => match result {
                Ok(_) => {
                    self.remember_upload(hash, &url);
                    self.entry_file_uploaded(now, op, url, size);
                }
                Err(e) => self.fail_entry(now, op, e),
            },
            Purpose::CharactersMembers { op } => {
                self.on_characters_members(now, op, result.and_then(take))
            }
            Purpose::CharactersProfiles { op } => {
                self.on_characters_profiles(now, op, result.and_then(take))
            }
            Purpose::CharactersAgents { op, profiles } => {
                self.on_characters_agents(op, profiles, result.and_then(take))
            }
            Purpose::ChannelCreated { op, bind } => {
                self.on_channel_created(now, op, bind, result.and_then(take))
            }
            Purpose::ChannelCreatedBound { op, channel } => {
                self.on_channel_created_bound(op, channel, result.map(|_| ()))
            }
            Purpose::MessageFileSize { op } => {
                // A size we cannot learn is left out; the message still goes.
                let size = result.and_then(take::<Option<u64>>).ok().flatten();
                self.entry_file_sized(now, op, size);
            }
            Purpose::App(op) => {
                let result = result.and_then(|reply| match reply {
                    Reply::Raw(response) => Ok(OpOutput::Response(response)),
                    _ => Err(unexpected()),
                });
                self.emit(Event::OpDone { op, result });
            }
        }
    }

    /// Step 2 of an upload: the multipart POST to the presigned URL.
    fn post_upload(
        &mut self,
        now: Instant,
        op: OpId,
        target: crate::http::UploadTarget,
        bytes: Bytes,
        hash: ContentHash,
        queued: bool,
    ) {
        let Some(url) = target.public_url() else {
            let e = OpError::Transport(TransportError("upload target has no `key` field".into()));
            return if queued {
                self.fail_entry(now, op, e)
            } else {
                self.emit(Event::OpDone { op, result: Err(e) })
            };
        };
        let boundary = format!(
            "moobius-{:016x}{:016x}",
            self.rng.next_u64(),
            self.rng.next_u64()
        );
        let size = bytes.len() as u64;
        let call = crate::http::UploadFile::new(target, bytes, boundary);
        let purpose = if queued {
            Purpose::MessageUploadPost {
                op,
                url,
                size,
                hash,
            }
        } else {
            Purpose::UploadPost { op, url, hash }
        };
        self.start_call(now, Box::new(call), purpose);
    }
}

fn retryable(e: &OpError) -> bool {
    match e {
        OpError::Transport(_) => true,
        OpError::Api(api) => api.is_retryable(),
        _ => false,
    }
}
