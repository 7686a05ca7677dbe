//! # moobius-runtime
//!
//! What the two drivers of the Moobius SDK (`moobius-tokio`,
//! `moobius-blocking`) share, written once: the [`Config`] and [`Options`]
//! they start from, the [`Error`] they report, the plumbing that carries a
//! typed [`Operation`](moobius_proto::ops::Operation) to the loop and its
//! result back ([`pending`]), the [`Status`] handles read, event logging,
//! the one safe way to write files ([`files`]: config write-back and
//! downloads), the handle surface ([`handle_surface!`]), and the loop's
//! turn itself: the [`engine`] (session, operations in flight, deliveries,
//! stopping, over a driver's small [`engine::Io`] trait), how a websocket
//! is opened ([`dial`]) and what its frames mean ([`frames`]), the
//! callbacks of the application traits (`callback_trait!`), which callback
//! an event is for ([`call_back!`]) and how long a loop that cannot be
//! woken while it reads waits ([`pace`]).
//!
//! Protocol rules live in `moobius_proto` (no I/O there); this crate does
//! only small, runtime-neutral I/O (files, the clock); sockets and
//! threads or tasks belong to the drivers.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

mod callbacks;
mod clock;
mod config;
pub mod dial;
mod dispatch;
pub mod engine;
mod error;
pub mod explain;
pub mod files;
pub mod frames;
mod logging;
mod narrator;
mod options;
pub mod pace;
pub mod pending;
pub mod prelude;
mod status;
pub mod subscriber;
mod surface;
pub mod tls;

pub use clock::{random_seed, unix_ms};
pub use config::{Config, ServiceIdFile, ENV_EMAIL, ENV_PASSWORD};
pub use error::{CallbackResult, Error};
pub use logging::{callback_span, log_event, panic_message};
pub use narrator::{CallbackOutcome, CallbackWatch, Narrator, REPEATED_FAILURES};
pub use options::{Options, RuntimeFlavour};
pub use status::{Mode, Status, StatusCell};
pub use subscriber::{LogGuard, LoggingError};
pub use tls::{TlsConfig, TlsError};

#[doc(hidden)]
pub use moobius_proto as __proto;
