//! The websocket codec: every frame a client sends ([`Outbound`]) and every
//! frame it receives ([`Inbound`]), as typed values, with their JSON text form.
//!
//! * [`Outbound::encode`] writes a client frame; the `request_id` (and any
//!   timestamp) is an argument, never drawn here.
//! * [`decode_inbound`] reads a platform frame; it is lenient where the
//!   reference SDK is brittle (unknown keys ignored, nested click arguments
//!   flattened, missing optional keys defaulted) and never panics. The
//!   frames a session receives most, in their usual form, take a one-pass
//!   fast path (`inbound_fast.rs` over `json_scan.rs`); everything else, and
//!   every error, goes through the general `serde_json` decoder
//!   (`inbound.rs`), which gives the same value for what both read.
//! * [`decode_client_frame`] reads a client frame, for servers (the devserver)
//!   and tests.

mod client_frame;
mod decode_error;
mod inbound;
mod inbound_fast;
mod json_scan;
mod outbound;

pub use client_frame::{decode_client_frame, ClientFrame};
pub use decode_error::DecodeError;
pub use inbound::{
    decode_inbound, decode_inbound_bytes, decode_inbound_with_limit, Action, Inbound, UnknownFrame,
};

/// The general (`serde_json`) decoder alone, without the fast path: the
/// oracle the `ws_inbound` fuzz target holds [`decode_inbound`] to. Only in
/// fuzzing builds (`cargo fuzz` sets `--cfg fuzzing`).
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn decode_inbound_general(text: &str) -> Result<Inbound, DecodeError> {
    if text.len() > MAX_INBOUND_FRAME_BYTES {
        return decode_inbound(text);
    }
    inbound::decode_general(text)
}
pub use outbound::{
    ClickedMessage, CustomFrame, GenericUpdate, MessageDown, MessageUp, Outbound, ServiceLogin,
    Update, UpdateKind, UserAction, UserActionKind, UserLogin, DEFAULT_BOTTOM_BUTTON,
};

/// Largest inbound frame [`decode_inbound`] accepts: 1 MiB, the inbound limit
/// of the websocket library under the reference SDK. Larger frames are a
/// [`DecodeError::TooLarge`]; use [`decode_inbound_with_limit`] to change it.
pub const MAX_INBOUND_FRAME_BYTES: usize = 1 << 20;

/// The `auth_origin` of login frames (the platform's identity provider).
pub const AUTH_ORIGIN: &str = "cognito";

/// The constant `body.group_id` of outbound buttons, style and canvas updates
/// (its meaning is unknown; the platform ignores it).
pub const TEMP_GROUP_ID: &str = "temp";

/// Wire names of frame types.
pub mod frame_type {
    /// Service → platform: a message to users.
    pub const MESSAGE_DOWN: &str = "message_down";
    /// User → platform (→ service): a message.
    pub const MESSAGE_UP: &str = "message_up";
    /// Either way: a user action (join, click, …).
    pub const ACTION: &str = "action";
    /// Service → platform → users: the interface changed.
    pub const UPDATE: &str = "update";
    /// Platform → client: acknowledgement of a client frame.
    pub const COPY: &str = "copy";
    /// Platform → service (legacy form of `action`/`refresh`).
    pub const REFRESH: &str = "refresh";
    /// Client → platform: keep-alive.
    pub const HEARTBEAT: &str = "heartbeat";
    /// Service → platform: log in.
    pub const SERVICE_LOGIN: &str = "service_login";
    /// User → platform: log in.
    pub const USER_LOGIN: &str = "user_login";
}
