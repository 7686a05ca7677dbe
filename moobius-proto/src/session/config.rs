//! What a session needs to know before it starts.

use super::Backoff;
use crate::http::BaseUri;
use crate::ids::{ChannelId, ServiceId};
use crate::secret::Password;
use std::time::Duration;

/// What to do with a configured channel that another service is bound to
/// (`service_config.others`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OthersPolicy {
    /// Take it over: unbind the other service, bind ours (the default).
    #[default]
    Include,
    /// Leave it alone and do not use it.
    Ignore,
    /// Unbind the other service, and do not use it.
    Unbind,
}

impl std::str::FromStr for OthersPolicy {
    type Err = String;

    /// Case-insensitive and trimmed, as the reference reads it.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "include" => Ok(Self::Include),
            "ignore" => Ok(Self::Ignore),
            "unbind" => Ok(Self::Unbind),
            other => Err(format!(
                "`others` must be include, ignore or unbind, not {other:?}"
            )),
        }
    }
}

/// Which side of the platform the session plays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// A Customized Channel Service.
    #[non_exhaustive]
    Service {
        /// Own service id; `None` creates a service at start (and reports it
        /// with [`Event::ServiceCreated`](super::Event::ServiceCreated)).
        service_id: Option<ServiceId>,
        /// Channels to bind and serve.
        channels: Vec<ChannelId>,
        /// Policy for channels bound to another service.
        others: OthersPolicy,
        /// Period of [`Event::ChannelCheckin`](super::Event::ChannelCheckin); `None` disables it.
        checkin_interval: Option<Duration>,
        /// Description of a service created at start.
        description: String,
    },
    /// A user (or agent) account.
    #[non_exhaustive]
    User {
        /// Channels to be in: joined at start when not already.
        channels: Vec<ChannelId>,
    },
}

impl Role {
    /// A service with the reference's defaults (`include`, check-in hourly).
    #[must_use]
    pub fn service(service_id: Option<ServiceId>, channels: Vec<ChannelId>) -> Self {
        Self::Service {
            service_id,
            channels,
            others: OthersPolicy::Include,
            checkin_interval: Some(Duration::from_secs(3600)),
            description: crate::http::DEFAULT_SERVICE_DESCRIPTION.to_owned(),
        }
    }

    /// A user account that should be in `channels`.
    #[must_use]
    pub fn user(channels: Vec<ChannelId>) -> Self {
        Self::User { channels }
    }

    /// The same role with this policy for channels bound to another
    /// service (a service only; a user is returned unchanged).
    #[must_use]
    pub fn with_others(mut self, policy: OthersPolicy) -> Self {
        if let Self::Service { others, .. } = &mut self {
            *others = policy;
        }
        self
    }

    /// The same role with this check-in period, `None` to disable it (a
    /// service only; a user is returned unchanged).
    #[must_use]
    pub fn with_checkin_interval(mut self, interval: Option<Duration>) -> Self {
        if let Self::Service {
            checkin_interval, ..
        } = &mut self
        {
            *checkin_interval = interval;
        }
        self
    }

    /// The same role with this description for a service created at start
    /// (a service only; a user is returned unchanged).
    #[must_use]
    pub fn with_description(mut self, text: impl Into<String>) -> Self {
        if let Self::Service { description, .. } = &mut self {
            *description = text.into();
        }
        self
    }
}

/// Timer periods. The defaults are the reference SDK's, except liveness,
/// which it sets to 256 s; three missed heartbeat answers is plenty.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timings {
    /// Heartbeat period (30 s).
    pub heartbeat: Duration,
    /// Access-token refresh period (6 h; the token lives 24 h).
    pub token_refresh: Duration,
    /// Full sign-in period (7 d; the refresh token lives 30 d).
    pub reauthenticate: Duration,
    /// Silence after which the connection counts as dead (90 s = three
    /// heartbeats: the platform answers each one).
    pub liveness: Duration,
    /// How long to wait for the login acknowledgement before carrying on
    /// (3 s): a platform that sends none is not waited on forever.
    pub login_grace: Duration,
    /// How long a sent frame is kept for resending after a reconnect when the
    /// platform does not acknowledge it (10 s).
    pub ack_window: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(30),
            token_refresh: Duration::from_secs(6 * 3600),
            reauthenticate: Duration::from_secs(7 * 24 * 3600),
            liveness: Duration::from_secs(90),
            login_grace: Duration::from_secs(3),
            ack_window: Duration::from_secs(10),
        }
    }
}

/// Bounds on the session's queues and on the HTTP calls it runs at once
/// (see [`Session::backlog`](super::Session::backlog)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Received frames waiting for group lookups (1024). At the cap,
    /// [`Session::wants_ws_read`](super::Session::wants_ws_read) turns
    /// false: the driver stops reading the socket until frames leave.
    pub max_inbound_waiting: usize,
    /// Group lookups (`GET .../group`) in flight at once (4); more wait in
    /// a queue, one lookup per group however many frames name it.
    pub max_lookups_in_flight: usize,
    /// Per-channel start-up calls (bind, unbind, group lists, membership
    /// checks) in flight at once (4).
    pub max_startup_calls_in_flight: usize,
    /// HTTP requests in flight at once, of every purpose but signing in and
    /// refreshing the token, which never wait (32). More wait in a queue
    /// and leave in order as answers come back, so that an application
    /// starting thousands of calls at once opens a bounded number of
    /// connections to the platform. (The reference SDK opens one per call,
    /// without a bound.)
    pub max_http_in_flight: usize,
    /// Groups kept in each cache: created groups by character list, and
    /// members by group id (10,000). Groups named by frames still waiting
    /// are kept on top of that until those frames leave.
    pub max_cached_groups: usize,
    /// How long a group lookup (queued, sent, retried) may take before the
    /// frames that need it are delivered with the group unresolved (60 s).
    pub lookup_timeout: Duration,
    /// How long a group whose lookup failed reads as unresolved before a
    /// new frame naming it looks it up again (30 s).
    pub failed_lookup_ttl: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_inbound_waiting: 1024,
            max_lookups_in_flight: 4,
            max_startup_calls_in_flight: 4,
            max_http_in_flight: 32,
            max_cached_groups: 10_000,
            lookup_timeout: Duration::from_secs(60),
            failed_lookup_ttl: Duration::from_secs(30),
        }
    }
}

/// Everything a [`Session`](super::Session) is configured with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Account email (sign-in user name).
    pub email: String,
    /// Account password (redacted in `Debug`).
    pub password: Password,
    /// `http_server_uri`.
    pub http_base: BaseUri,
    /// `ws_server_uri`, used verbatim.
    pub ws_uri: String,
    /// Service or user.
    pub role: Role,
    /// Timer periods.
    pub timings: Timings,
    /// Reconnect and HTTP retry delays.
    pub backoff: Backoff,
    /// Frames the application may have queued before commands fail with
    /// `QueueFull` (1024).
    pub max_queued_frames: usize,
    /// Largest frame sent (1 MiB); larger ones fail with `FrameTooLarge`.
    pub max_frame_bytes: usize,
    /// Retries of a failed retry-safe HTTP call (3).
    pub http_retries: u32,
    /// Bounds on queues and on concurrent HTTP calls.
    pub limits: Limits,
}

impl SessionConfig {
    /// A configuration with default timings and limits.
    pub fn new(
        email: impl Into<String>,
        password: Password,
        http_base: BaseUri,
        ws_uri: impl Into<String>,
        role: Role,
    ) -> Self {
        Self {
            email: email.into(),
            password,
            http_base,
            ws_uri: ws_uri.into(),
            role,
            timings: Timings::default(),
            backoff: Backoff::default(),
            max_queued_frames: 1024,
            max_frame_bytes: 1 << 20,
            http_retries: 3,
            limits: Limits::default(),
        }
    }

    /// The largest websocket frame or message accepted from the platform:
    /// the larger of [`max_frame_bytes`](Self::max_frame_bytes) and
    /// [`MAX_INBOUND_FRAME_BYTES`](crate::ws::MAX_INBOUND_FRAME_BYTES).
    /// Both drivers configure their sockets with it and the session decodes
    /// with it, so a frame one byte larger is refused the same way
    /// everywhere (the socket closes with 1009 and the session reconnects).
    #[must_use]
    pub fn inbound_frame_limit(&self) -> usize {
        self.max_frame_bytes.max(crate::ws::MAX_INBOUND_FRAME_BYTES)
    }
}
