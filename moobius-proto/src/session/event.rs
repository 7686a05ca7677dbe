//! What the session tells its driver: outputs to act on, and events for the
//! application.

use crate::http::{ApiError, RequestError};
use crate::ids::{ChannelId, CharacterId, GroupId, ServiceId};
use crate::model::{Character, CharacterRefs, CopyBody, MessageBody, UpdateBody, UpdateContent};
use crate::ws::{Action, UnknownFrame};
use bytes::Bytes;
use std::fmt;
use std::time::Instant;

/// Correlates an HTTP request with its response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HttpId(pub(crate) u64);

/// Correlates an application command with its result event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub(crate) u64);

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op#{}", self.0)
    }
}

/// Something the driver must do (or pass on), in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum Output {
    /// Open the websocket (closing any previous one first).
    WsConnect {
        /// The URI.
        uri: String,
    },
    /// Write one text frame.
    WsSend(String),
    /// Close the websocket; a reconnect, if any, follows as `WsConnect`.
    WsClose {
        /// Why, for logs.
        reason: String,
    },
    /// Perform an HTTP request and report with `handle_http_response`.
    Http {
        /// Its id.
        id: HttpId,
        /// The request.
        request: http::Request<Bytes>,
    },
    /// Hand an event to the application.
    Event(Event),
}

/// Why a websocket closed, as the driver saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The connection could not be opened.
    ConnectFailed(String),
    /// The peer closed it (close code and reason, if any).
    Closed {
        /// Close code.
        code: Option<u16>,
        /// Close reason.
        reason: String,
    },
    /// A read or write failed.
    Error(String),
}

impl CloseReason {
    /// True when the peer says the last frame was too big (close code 1009).
    #[must_use]
    pub fn frame_too_big(&self) -> bool {
        matches!(
            self,
            Self::Closed {
                code: Some(1009),
                ..
            }
        )
    }
}

/// A transport failure of an HTTP request (no response arrived).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("HTTP transport error: {0}")]
pub struct TransportError(pub String);

/// The result of an application command: one variant per kind of result,
/// so each [`Operation`](crate::ops::Operation) takes its output out of it
/// by a `match`.
#[derive(Debug)]
#[non_exhaustive]
pub enum OpOutput {
    /// The frame was written to the websocket (or, for `authenticate` and
    /// `refresh_authentication`, the new token is in place).
    Sent,
    /// A file was uploaded; here is its public URL.
    Uploaded {
        /// The URL.
        url: String,
    },
    /// A channel was created (and bound, when asked).
    Channel(ChannelId),
    /// The characters of a channel (`fetch_characters`).
    Characters(Vec<Character>),
    /// The response to [`Session::call`](super::Session::call), judged a
    /// success by its endpoint; read it with that endpoint's
    /// [`Endpoint::parse`](crate::http::Endpoint::parse).
    Response(http::Response<Bytes>),
}

/// Why an application command failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OpError {
    /// The platform answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The request could not be built.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// No answer after the allowed retries.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The frame is larger than the platform accepts; it was not sent.
    #[error("frame of {len} bytes exceeds the limit of {limit} bytes")]
    FrameTooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The platform rejected the frame twice (once more after logging in again).
    #[error("the platform rejected the frame")]
    Rejected,
    /// The session was closed before the command completed.
    #[error("the session was closed")]
    Closed,
    /// The session answered an operation with an output of another kind
    /// (a bug, reported rather than a panic).
    #[error("internal error: unexpected output for {0}")]
    UnexpectedOutput(&'static str),
}

/// Why a command was refused at once (nothing was queued).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The outbound queue is full; try again later.
    #[error("outbound queue full ({limit} frames)")]
    QueueFull {
        /// The limit.
        limit: usize,
    },
    /// An empty recipient list: nothing would be delivered.
    #[error("no recipients: nothing was sent")]
    NoRecipients,
    /// The message names a local file but its bytes were not given.
    #[error("the message names a local file; pass its bytes")]
    FileBytesMissing,
    /// The command belongs to the other role (e.g. `join_channel` in service mode).
    #[error("{0} is not available in this mode")]
    WrongMode(&'static str),
    /// The session has failed or was closed.
    #[error("the session is closed")]
    Closed,
}

/// A failure that ends the session.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FatalError {
    /// Sign-in was refused or impossible: wrong credentials are not retried.
    #[error("sign-in failed: {0}")]
    SignIn(OpError),
    /// A start-up step failed after its retries.
    #[error("start-up failed at {step}: {error}")]
    Startup {
        /// The step.
        step: &'static str,
        /// The error.
        error: OpError,
    },
    /// The platform keeps rejecting the login; `reason` is what it said
    /// the last time, and the text names the fix when one is known.
    #[error("the platform rejected the login {times} times in a row{}", login_reason(reason.as_deref()))]
    LoginRejected {
        /// How many times in a row.
        times: u32,
        /// The platform's last reason (`copy.context.message`), if it gave one.
        reason: Option<String>,
    },
}

/// `: <reason> (<fix>)` for [`FatalError::LoginRejected`].
fn login_reason(reason: Option<&str>) -> String {
    let Some(reason) = reason else {
        return String::new();
    };
    let fix = if reason.contains("unknown service") {
        " — the saved service id is not known to this platform (e.g. the devserver was restarted): clear `service_config.service_id` or create the service again"
    } else if reason.contains("not the owner")
        || reason.contains("not owned")
        || reason.contains("does not own")
    {
        " — this account does not own the service: sign in with its owner's account or clear `service_config.service_id`"
    } else {
        ""
    };
    format!(": {reason}{fix}")
}

/// Connection state changes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// The websocket closed.
    Disconnected(CloseReason),
    /// A new attempt is scheduled.
    Reconnecting {
        /// Attempt number (1 = first retry).
        attempt: u32,
        /// When.
        at: Instant,
    },
    /// Logged in again after a disconnection.
    Reconnected,
}

/// Everything the application hears about, one enum for every callback.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A service was created at start; save its id (e.g. in the config).
    ServiceCreated(ServiceId),
    /// Logged in; channels are about to be resolved (`before_channel_init`).
    BeforeChannelInit,
    /// A configured channel is bound and ready (`on_channel_init`).
    ChannelInit(ChannelId),
    /// A configured channel is not used, and why.
    ChannelDropped {
        /// The channel.
        channel_id: ChannelId,
        /// Why.
        reason: String,
    },
    /// A configured channel is bound to another service, which is being
    /// unbound from it (`others` = `include` or `unbind`); that service is
    /// not told and stops hearing the channel.
    ChannelTakeover {
        /// The channel.
        channel_id: ChannelId,
        /// The service it is taken from.
        from: ServiceId,
    },
    /// Periodic check-in of a channel (`on_channel_checkin`).
    ChannelCheckin(ChannelId),
    /// Start-up finished (`on_start`).
    Ready,
    /// A user's message (service mode), as `on_message_up` receives it:
    /// its recipients resolved to ids (empty for `"service"`).
    MessageUp(Box<MessageBody>),
    /// A service's message (user mode), as `on_message_down` receives it:
    /// recipients resolved when the frame carried them (the platform
    /// strips them).
    MessageDown(Box<MessageBody>),
    /// A user's action (service mode), as `on_action` receives it: join,
    /// leave, refresh, button or menu-item click, or a subtype this SDK
    /// does not handle.
    Action(Action),
    /// An interface update (user mode), as `on_update` receives it:
    /// recipients and, for character lists, the characters resolved to ids.
    Update(Box<UpdateBody>),
    /// The platform's acknowledgement of a frame (`on_copy_client`).
    Copy(CopyBody),
    /// An error frame from the platform or its gateway.
    PlatformError(String),
    /// A frame of a type this SDK does not know (`on_unknown_payload`).
    UnknownPayload(UnknownFrame),
    /// A frame that could not be decoded, and why.
    UndecodableFrame(String),
    /// The result of a command.
    OpDone {
        /// The command.
        op: OpId,
        /// Its result.
        result: Result<OpOutput, OpError>,
    },
    /// The connection changed state.
    Connection(ConnectionEvent),
    /// The session cannot go on.
    Fatal(FatalError),
    /// The members of a group named by the **next** event (a message or an
    /// update of the same channel) could not be learned: its lookup failed
    /// after the retries, or had no answer within
    /// [`Limits::lookup_timeout`](super::Limits::lookup_timeout). That event
    /// follows at once, with this group's members left out (an empty list);
    /// it is never held back for good nor dropped.
    GroupUnresolved(UnresolvedGroup),
}

/// A group whose members are unknown (see [`Event::GroupUnresolved`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UnresolvedGroup {
    /// The channel of the event that names it.
    pub channel_id: ChannelId,
    /// The group.
    pub group_id: GroupId,
    /// Why its members are unknown.
    pub error: OpError,
}

impl Event {
    /// The callback of the `Service`/`Bot` traits this event is for (their
    /// names are the reference SDK's); `None` for events drivers handle
    /// themselves (results, connection changes, errors).
    #[must_use]
    pub fn callback(&self) -> Option<&'static str> {
        Some(match self {
            Self::BeforeChannelInit => "before_channel_init",
            Self::ChannelInit(_) => "on_channel_init",
            Self::ChannelCheckin(_) => "on_channel_checkin",
            Self::Ready => "on_start",
            Self::MessageUp(_) => "on_message_up",
            Self::MessageDown(_) => "on_message_down",
            Self::Action(_) => "on_action",
            Self::Update(_) => "on_update",
            Self::Copy(_) => "on_copy_client",
            Self::UnknownPayload(_) => "on_unknown_payload",
            _ => return None,
        })
    }

    /// The channel this event is about, if any (messages, actions, updates,
    /// channel start-up and check-in events).
    #[must_use]
    pub fn channel_id(&self) -> Option<&ChannelId> {
        match self {
            Self::ChannelInit(c) | Self::ChannelCheckin(c) => Some(c),
            Self::ChannelDropped { channel_id, .. } | Self::ChannelTakeover { channel_id, .. } => {
                Some(channel_id)
            }
            Self::MessageUp(m) | Self::MessageDown(m) => Some(&m.channel_id),
            Self::Update(u) => Some(&u.channel_id),
            Self::Action(a) => a.channel_id(),
            Self::GroupUnresolved(u) => Some(&u.channel_id),
            _ => None,
        }
    }

    /// A user's message with its resolved recipients put back.
    pub(super) fn message_up(mut message: Box<MessageBody>, recipients: Vec<CharacterId>) -> Self {
        message.recipients = Some(CharacterRefs::Ids(recipients));
        Self::MessageUp(message)
    }

    /// A service's message with its resolved recipients (if any) put back.
    pub(super) fn message_down(
        mut message: Box<MessageBody>,
        recipients: Option<Vec<CharacterId>>,
    ) -> Self {
        if let Some(r) = recipients {
            message.recipients = Some(CharacterRefs::Ids(r));
        }
        Self::MessageDown(message)
    }

    /// An update with its resolved recipients and characters put back.
    pub(super) fn update(
        mut update: Box<UpdateBody>,
        recipients: Option<Vec<CharacterId>>,
        characters: Option<Vec<CharacterId>>,
    ) -> Self {
        if let Some(r) = recipients {
            update.recipients = Some(CharacterRefs::Ids(r));
        }
        if let (UpdateContent::Characters(refs), Some(ids)) = (&mut update.content, characters) {
            *refs = CharacterRefs::Ids(ids);
        }
        Self::Update(update)
    }
}
