//! What the session tells its driver: outputs to act on, and events for the
//! application.

use crate::http::{ApiError, RequestError};
use crate::ids::{ChannelId, CharacterId, GroupId, ServiceId};
use crate::model::{ButtonClick, CopyBody, MenuItemClick, MessageBody, SimpleAction, UpdateBody};
use crate::ws::UnknownFrame;
use bytes::Bytes;
use std::any::Any;
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

/// The result of an application command.
pub enum OpOutput {
    /// The frame was written to the websocket.
    Sent,
    /// A file was uploaded; here is its public URL.
    Uploaded {
        /// The URL.
        url: String,
    },
    /// The typed result of an HTTP call (`E::Output` of the endpoint that was
    /// called); see [`OpOutput::downcast`].
    Reply(Box<dyn Any + Send>),
}

impl OpOutput {
    /// The typed result of an HTTP call, when it is a `T`.
    pub fn downcast<T: 'static>(self) -> Result<T, Self> {
        match self {
            Self::Reply(b) => b.downcast::<T>().map(|b| *b).map_err(Self::Reply),
            other => Err(other),
        }
    }
}

impl fmt::Debug for OpOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sent => f.write_str("Sent"),
            Self::Uploaded { url } => f.debug_struct("Uploaded").field("url", url).finish(),
            Self::Reply(_) => f.write_str("Reply(..)"),
        }
    }
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
    /// The platform keeps rejecting the login.
    #[error("the platform rejected the login {0} times in a row")]
    LoginRejected(u32),
}

/// Connection state changes.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Periodic check-in of a channel (`on_channel_checkin`).
    ChannelCheckin(ChannelId),
    /// Start-up finished (`on_start`).
    Ready,
    /// A user's message (service mode), with its recipients resolved.
    MessageUp {
        /// The message.
        message: Box<MessageBody>,
        /// Its intended recipients (empty for `"service"`).
        recipients: Vec<CharacterId>,
    },
    /// A service's message (user mode).
    MessageDown {
        /// The message.
        message: Box<MessageBody>,
        /// Recipients, when the frame carried them (the platform strips them).
        recipients: Option<Vec<CharacterId>>,
    },
    /// A user joined (service mode).
    Join(SimpleAction),
    /// A user left (service mode).
    Leave(SimpleAction),
    /// A client asks for the channel's state (service mode).
    Refresh(SimpleAction),
    /// A button click (service mode).
    ButtonClick(Box<ButtonClick>),
    /// A menu-item click (service mode).
    MenuItemClick(Box<MenuItemClick>),
    /// An action subtype this SDK does not handle.
    OtherAction {
        /// Its subtype.
        subtype: String,
        /// Its body.
        body: serde_json::Value,
    },
    /// An interface update (user mode), with recipients and, for
    /// character-list updates, the characters resolved to ids.
    Update {
        /// The update.
        update: Box<UpdateBody>,
        /// Resolved recipients, when the frame carried any.
        recipients: Option<Vec<CharacterId>>,
        /// Resolved character list (character updates only).
        characters: Option<Vec<CharacterId>>,
    },
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
pub struct UnresolvedGroup {
    /// The channel of the event that names it.
    pub channel_id: ChannelId,
    /// The group.
    pub group_id: GroupId,
    /// Why its members are unknown.
    pub error: OpError,
}
