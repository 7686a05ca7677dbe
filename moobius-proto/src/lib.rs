//! # moobius-proto
//!
//! The sans-IO core of the Moobius SDK: the platform's data model, the
//! websocket codec and (in later modules) the HTTP API and the session state
//! machine. It never touches a socket, a thread, a clock or a random number
//! generator: time, ids and bytes come in as arguments, so the same core runs
//! under tokio, a blocking loop, a simulation or a fuzzer.
//!
//! ```
//! use moobius_proto::ws::{decode_inbound, Inbound, Outbound, MessageDown};
//! use moobius_proto::model::{GroupRef, MessageContent, MessageSubtype};
//! use moobius_proto::RequestId;
//!
//! // Encode a message to the users of a group...
//! let frame = Outbound::MessageDown(Box::new(MessageDown {
//!     service_id: "svc".into(),
//!     channel_id: "chan".into(),
//!     subtype: MessageSubtype::Text,
//!     content: MessageContent::text("hello"),
//!     recipients: GroupRef::Group("grp".into()),
//!     sender: "agent".into(),
//!     timestamp: 1_722_014_904_438,
//!     context: Default::default(),
//! }));
//! let text = frame.encode(&RequestId::from_random_bytes([7; 16]));
//! assert!(text.starts_with(r#"{"type":"message_down""#));
//!
//! // ...and decode what the platform sends.
//! let ack = decode_inbound(r#"{"type":"copy","body":{"request_id":"r","origin_type":"heartbeat","status":true}}"#)?;
//! assert!(matches!(ack, Inbound::Copy(c) if c.status));
//! # Ok::<(), moobius_proto::ws::DecodeError>(())
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

mod macros;

pub mod compose;
pub mod config;
pub mod http;
pub mod ids;
pub mod model;
pub mod ops;
pub mod secret;
pub mod session;
pub mod ws;

pub use ids::{
    ButtonId, ChannelId, CharacterId, GroupId, MenuItemId, MessageId, RequestId, ServiceId,
};
pub use secret::{AccessToken, ConfirmationCode, Password, RefreshToken};
