//! # moobius-tokio
//!
//! The async driver of the Moobius SDK: write a channel service (or automate
//! a user account) as a [`Service`], run it with [`run`], [`spawn`] or a
//! [`Wand`], and talk to the platform through the [`Moobius`] handle every
//! callback receives.
//!
//! All protocol rules (payload shapes, endpoints, timers, reconnects, group
//! ids, ordering) live in [`moobius_proto`] (re-exported as [`proto`]); this
//! crate only does the I/O: one task per service owns the protocol
//! [`Session`](proto::session::Session), drives it with tokio-tungstenite
//! (`ws://` and `wss://` with rustls) and reqwest (rustls), sleeps until its
//! next timeout, and runs the service's callbacks one at a time, in the
//! order events arrive.
//!
//! ```no_run
//! use moobius_tokio::proto::compose::MessageSpec;
//! use moobius_tokio::proto::model::MessageBody;
//! use moobius_tokio::{CallbackResult, Config, Moobius, Service};
//!
//! /// Sends every message back to its author.
//! struct Echo;
//!
//! impl Service for Echo {
//!     type Spell = ();
//!
//!     async fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
//!         let author = message.sender.clone();
//!         moobius.send_message(MessageSpec::forward(&message, author)).await?;
//!         Ok(())
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), moobius_tokio::Error> {
//!     // The reference SDK's layout: account_config, service_config, ...
//!     let config = Config::load("config/config.json")?;
//!     moobius_tokio::run(config, Echo).await // until Ctrl-C
//! }
//! ```
//!
//! The quick start (`cargo run -p moobius-tokio --example quickstart`) runs
//! a service and a scripted user against an embedded devserver.

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod driver;
mod moobius;
mod runner;
mod service;
mod wand;

pub use moobius::Moobius;
pub use moobius_proto as proto;
pub use moobius_proto::ops::{Click, DownloadOptions, MenuClick, NewChannel, Profile};
pub use moobius_runtime::{
    CallbackResult, Config, Error, Mode, Options, ServiceIdFile, ENV_EMAIL, ENV_PASSWORD,
};
/// Per-channel storage (the `moobius-storage` crate), feature `storage`.
#[cfg(feature = "storage")]
pub use moobius_storage as storage;
pub use runner::{run, spawn, Running, SpellSender};
pub use service::{Action, Service};
pub use wand::{Wand, WandHandle};
