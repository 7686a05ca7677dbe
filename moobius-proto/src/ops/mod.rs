//! Every operation an application can start, as a value that knows its
//! output type: start it on a [`Session`], keep its [`Operation::State`],
//! and finish the session's [`OpOutput`] into `Result<Output, OpError>`.
//!
//! This is the one list both drivers expose: their `Moobius` handles are
//! thin wrappers that send an operation to the loop owning the session and
//! hand back its typed output (the same idea as
//! the `Output` of an [`http::Endpoint`](crate::http::Endpoint), applied to
//! session operations).
//!
//! ```
//! use moobius_proto::ops::{JoinChannel, Operation};
//! use moobius_proto::session::{Event, OpOutput, Output, Role, Session, SessionConfig};
//! use std::time::Instant;
//!
//! let config = SessionConfig::new(
//!     "bot@example.com",
//!     "secret".into(),
//!     "http://127.0.0.1:7700/".parse()?,
//!     "ws://127.0.0.1:7700/ws",
//!     Role::user(vec![]),
//! );
//! let now = Instant::now();
//! let mut session = Session::new(config, now, [7; 32]);
//! let (op, state) = JoinChannel::new("chan-1").start(&mut session, now, 0)?;
//! // ... drive the session until `Event::OpDone { op, result }` arrives ...
//! let done: () = JoinChannel::finish(state, OpOutput::Sent)?;
//! # let _ = op;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod options;
mod profile;

pub use options::{
    Click, DownloadOptions, DownloadSource, MenuClick, NewChannel, Profile, DEFAULT_DOWNLOAD_DIR,
};
pub use profile::ProfileQuery;

use crate::compose::{MessageSpec, Recipients};
use crate::http::{
    BindService, Endpoint, FetchAgents, FetchChannelGroups, FetchChannelTempGroup, FetchMemberIds,
    UnbindService,
};
use crate::ids::{ChannelId, CharacterId, ServiceId};
use crate::model::{Button, CanvasItem, ChannelInfo, Character, MenuItem, StyleItem};
use crate::session::{CommandError, OpError, OpId, OpOutput, Session};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Instant;

/// An operation an application can start on a [`Session`].
///
/// [`start`](Self::start) queues it (or refuses it at once with a
/// [`CommandError`]) and returns its [`OpId`] and what
/// [`finish`](Self::finish) will need; when the session reports
/// `Event::OpDone { op, result: Ok(output) }`, `finish` turns `output`
/// into the typed result. Neither panics, whatever the output.
pub trait Operation: Send + 'static {
    /// The typed result.
    type Output: Send + 'static;
    /// What `finish` needs besides the session's output (often `()`).
    type State: Send + 'static;
    /// The reference SDK's name of the operation, for logs and errors.
    const NAME: &'static str;

    /// Starts the operation; `unix_ms` is the wall clock, for timestamps.
    fn start(
        self,
        session: &mut Session,
        now: Instant,
        unix_ms: i64,
    ) -> Result<(OpId, Self::State), CommandError>;

    /// Reads the operation's output.
    fn finish(state: Self::State, output: OpOutput) -> Result<Self::Output, OpError>;
}

fn mismatch(op: &'static str) -> OpError {
    OpError::UnexpectedOutput(op)
}

/// Any endpoint, called through the session: the current token is used,
/// an expired one refreshed and the call retried once, and retry-safe
/// calls retried on 5xx (see [`Session::call`]).
#[derive(Debug)]
pub struct Call<E>(pub E);

impl<E> Operation for Call<E>
where
    E: Endpoint + Send + Sync + 'static,
    E::Output: Send + 'static,
{
    type Output = E::Output;
    type State = Arc<E>;
    const NAME: &'static str = E::NAME;

    fn start(self, s: &mut Session, now: Instant, _: i64) -> Result<(OpId, Arc<E>), CommandError> {
        let endpoint = Arc::new(self.0);
        s.call(now, Arc::clone(&endpoint)).map(|op| (op, endpoint))
    }

    fn finish(endpoint: Arc<E>, output: OpOutput) -> Result<E::Output, OpError> {
        match output {
            OpOutput::Response(response) => endpoint.parse(&response).map_err(OpError::Api),
            _ => Err(mismatch(E::NAME)),
        }
    }
}

/// Defines operations whose success carries nothing but "it was sent".
macro_rules! sent_ops {
    ($(
        $(#[$doc:meta])*
        $name:ident ($reference:literal) { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }
        => |$s:ident, $now:ident, $ms:ident| $start:expr;
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        #[must_use]
        pub struct $name { $($(#[$fdoc])* pub $field: $ty,)* }

        impl Operation for $name {
            type Output = ();
            type State = ();
            const NAME: &'static str = $reference;

            #[allow(unused_variables)]
            fn start(self, $s: &mut Session, $now: Instant, $ms: i64) -> Result<(OpId, ()), CommandError> {
                let Self { $($field),* } = self;
                $start.map(|op| (op, ()))
            }

            fn finish((): (), output: OpOutput) -> Result<(), OpError> {
                match output {
                    OpOutput::Sent => Ok(()),
                    _ => Err(mismatch($reference)),
                }
            }
        }
    )*};
}

sent_ops! {
    /// Sends a message: down to its recipients in service mode, up to the
    /// channel in user mode. A spec naming a local file needs its bytes in
    /// `file` (the driver reads them).
    SendMessage("send_message") {
        /// The message.
        spec: MessageSpec,
        /// The bytes of the local file the spec names, if it names one.
        file: Option<Bytes>,
    } => |s, now, unix_ms| s.send_message(now, unix_ms, spec, file);

    /// Service mode: the character list `recipients` see, in order; an
    /// empty list clears it.
    SendCharacters("send_characters") {
        /// Where.
        channel_id: ChannelId,
        /// Who is listed, in order.
        characters: Vec<CharacterId>,
        /// Who sees the list.
        recipients: Recipients,
    } => |s, now, ms| s.send_characters(now, channel_id, characters, recipients);

    /// Service mode: replaces the button bar.
    SendButtons("send_buttons") {
        /// Where.
        channel_id: ChannelId,
        /// The bar, left to right.
        buttons: Vec<Button>,
        /// Who sees it.
        recipients: Recipients,
    } => |s, now, ms| s.send_buttons(now, channel_id, buttons, recipients);

    /// Service mode: replaces the context menu of messages.
    SendMenu("send_menu") {
        /// Where.
        channel_id: ChannelId,
        /// The menu, top to bottom.
        items: Vec<MenuItem>,
        /// Who sees it.
        recipients: Recipients,
    } => |s, now, ms| s.send_menu(now, channel_id, items, recipients);

    /// Service mode: sets widget styles.
    SendStyle("send_style") {
        /// Where.
        channel_id: ChannelId,
        /// The styles.
        items: Vec<StyleItem>,
        /// Who sees them.
        recipients: Recipients,
    } => |s, now, ms| s.send_style(now, channel_id, items, recipients);

    /// Service mode: replaces the canvas; image paths must be URLs.
    SendCanvas("send_canvas") {
        /// Where.
        channel_id: ChannelId,
        /// The canvas items, in order.
        items: Vec<CanvasItem>,
        /// Who sees them.
        recipients: Recipients,
    } => |s, now, ms| s.send_canvas(now, channel_id, items, recipients);

    /// Service mode: renames or re-describes a channel over the websocket
    /// (the reference's `update_channel_info`).
    SendChannelInfo("send_channel_info") {
        /// The new name and description.
        info: ChannelInfo,
    } => |s, now, ms| s.send_channel_info(now, info);

    /// Service mode: an `update` with a body of the caller's shape.
    SendUpdate("send_update") {
        /// The body.
        body: serde_json::Value,
    } => |s, now, ms| s.send_generic_update(now, body);

    /// A frame of any type with a body of the caller's shape (`send`).
    SendCustom("send") {
        /// The frame's `type`.
        frame_type: String,
        /// Its `body`.
        body: serde_json::Value,
    } => |s, now, ms| s.send_custom(now, frame_type, body);

    /// A heartbeat now (the session sends them on its timer anyway).
    SendHeartbeat("send_heartbeat") {} => |s, now, ms| s.send_heartbeat(now);

    /// User mode: joins a channel.
    JoinChannel("join_channel") {
        /// The channel.
        channel_id: ChannelId,
    } => |s, now, ms| s.join_channel(now, channel_id);

    /// User mode: leaves a channel.
    LeaveChannel("leave_channel") {
        /// The channel.
        channel_id: ChannelId,
    } => |s, now, ms| s.leave_channel(now, channel_id);

    /// User mode: asks a channel's service for its state.
    SendRefresh("send_refresh") {
        /// The channel.
        channel_id: ChannelId,
    } => |s, now, ms| s.send_refresh(now, channel_id);

    /// Signs in again now, replacing both tokens.
    Authenticate("authenticate") {} => |s, now, ms| s.authenticate(now);

    /// Refreshes the access token now.
    RefreshAuthentication("refresh_authentication") {}
        => |s, now, ms| s.refresh_authentication(now);
}

macro_rules! channel_ctor {
    ($($name:ident),*) => {$(
        impl $name {
            /// The operation for `channel_id`.
            pub fn new(channel_id: impl Into<ChannelId>) -> Self {
                Self { channel_id: channel_id.into() }
            }
        }
    )*};
}
channel_ctor!(JoinChannel, LeaveChannel, SendRefresh);

/// User mode: a button click ([`Click`] is the operation).
impl Operation for Click {
    type Output = ();
    type State = ();
    const NAME: &'static str = "send_button_click";

    fn start(self, s: &mut Session, now: Instant, _: i64) -> Result<(OpId, ()), CommandError> {
        s.button_click(
            now,
            self.channel_id,
            self.button_id,
            self.arguments,
            self.bottom_button_id,
        )
        .map(|op| (op, ()))
    }

    fn finish((): (), output: OpOutput) -> Result<(), OpError> {
        sent(Self::NAME, output)
    }
}

/// User mode: a context-menu click ([`MenuClick`] is the operation).
impl Operation for MenuClick {
    type Output = ();
    type State = ();
    const NAME: &'static str = "send_menu_item_click";

    fn start(self, s: &mut Session, now: Instant, _: i64) -> Result<(OpId, ()), CommandError> {
        s.menu_item_click(
            now,
            self.channel_id,
            self.menu_item_id,
            self.message,
            self.arguments,
            self.bottom_button_id,
        )
        .map(|op| (op, ()))
    }

    fn finish((): (), output: OpOutput) -> Result<(), OpError> {
        sent(Self::NAME, output)
    }
}

fn sent(name: &'static str, output: OpOutput) -> Result<(), OpError> {
    match output {
        OpOutput::Sent => Ok(()),
        _ => Err(mismatch(name)),
    }
}

/// Creates a channel and, unless told not to, binds this service to it
/// ([`NewChannel`] is the operation); the output is its id.
impl Operation for NewChannel {
    type Output = ChannelId;
    type State = ();
    const NAME: &'static str = "create_channel";

    fn start(self, s: &mut Session, now: Instant, _: i64) -> Result<(OpId, ()), CommandError> {
        s.create_channel(now, self.name, self.description, self.bind)
            .map(|op| (op, ()))
    }

    fn finish((): (), output: OpOutput) -> Result<ChannelId, OpError> {
        match output {
            OpOutput::Channel(id) => Ok(id),
            _ => Err(mismatch(Self::NAME)),
        }
    }
}

/// Everyone in a channel: its members' profiles followed by this service's
/// agents (`fetch_characters`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct FetchCharacters {
    /// The channel.
    pub channel_id: ChannelId,
}

impl Operation for FetchCharacters {
    type Output = Vec<Character>;
    type State = ();
    const NAME: &'static str = "fetch_characters";

    fn start(self, s: &mut Session, now: Instant, _: i64) -> Result<(OpId, ()), CommandError> {
        s.fetch_characters(now, self.channel_id).map(|op| (op, ()))
    }

    fn finish((): (), output: OpOutput) -> Result<Vec<Character>, OpError> {
        match output {
            OpOutput::Characters(c) => Ok(c),
            _ => Err(mismatch(Self::NAME)),
        }
    }
}

/// Uploads bytes as a file named `file_name` (its extension is sent); the
/// output is the public URL. The same bytes are uploaded once per session.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Upload {
    /// The file's name (for its extension).
    pub file_name: String,
    /// Its content.
    pub bytes: Bytes,
}

impl Operation for Upload {
    type Output = String;
    type State = ();
    const NAME: &'static str = "upload";

    fn start(self, s: &mut Session, now: Instant, _: i64) -> Result<(OpId, ()), CommandError> {
        s.upload(now, &self.file_name, self.bytes)
            .map(|op| (op, ()))
    }

    fn finish((): (), output: OpOutput) -> Result<String, OpError> {
        match output {
            OpOutput::Uploaded { url } => Ok(url),
            _ => Err(mismatch(Self::NAME)),
        }
    }
}

/// An endpoint call that names this service (or user): the own id is
/// filled in when the operation starts, where it is known for sure.
pub struct AsSelf<E> {
    make: Box<dyn FnOnce(ServiceId) -> E + Send>,
}

impl<E> std::fmt::Debug for AsSelf<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AsSelf(..)")
    }
}

impl<E> AsSelf<E> {
    /// The endpoint `make` builds from the own id.
    pub fn new(make: impl FnOnce(ServiceId) -> E + Send + 'static) -> Self {
        Self {
            make: Box::new(make),
        }
    }
}

impl<E> Operation for AsSelf<E>
where
    E: Endpoint + Send + Sync + 'static,
    E::Output: Send + 'static,
{
    type Output = E::Output;
    type State = Arc<E>;
    const NAME: &'static str = E::NAME;

    fn start(self, s: &mut Session, now: Instant, ms: i64) -> Result<(OpId, Arc<E>), CommandError> {
        let own = ServiceId::new(s.own_id().unwrap_or_default());
        Call((self.make)(own)).start(s, now, ms)
    }

    fn finish(endpoint: Arc<E>, output: OpOutput) -> Result<E::Output, OpError> {
        Call::<E>::finish(endpoint, output)
    }
}

/// Binds this service to a channel (`bind_service_to_channel`).
pub fn bind(channel_id: impl Into<ChannelId>) -> AsSelf<BindService> {
    let c = channel_id.into();
    AsSelf::new(move |own| BindService::new(c, own))
}

/// Unbinds this service from a channel (`unbind_service_from_channel`).
pub fn unbind(channel_id: impl Into<ChannelId>) -> AsSelf<UnbindService> {
    let c = channel_id.into();
    AsSelf::new(move |own| UnbindService::new(c, own))
}

/// The real users in a channel (`fetch_member_ids`).
pub fn fetch_member_ids(channel_id: impl Into<ChannelId>) -> AsSelf<FetchMemberIds> {
    let c = channel_id.into();
    AsSelf::new(move |own| FetchMemberIds::new(c, own))
}

/// This service's agents (`fetch_agents`).
pub fn fetch_agents() -> AsSelf<FetchAgents> {
    AsSelf::new(FetchAgents::new)
}

/// The groups of a channel (`fetch_channel_group_list`).
pub fn fetch_channel_group_list(channel_id: impl Into<ChannelId>) -> AsSelf<FetchChannelGroups> {
    let c = channel_id.into();
    AsSelf::new(move |own| FetchChannelGroups::new(c, own))
}

/// A channel's "temp" group(s), raw (`fetch_channel_temp_group`).
pub fn fetch_channel_temp_group(channel_id: impl Into<ChannelId>) -> AsSelf<FetchChannelTempGroup> {
    let c = channel_id.into();
    AsSelf::new(move |own| FetchChannelTempGroup::new(c, own))
}
