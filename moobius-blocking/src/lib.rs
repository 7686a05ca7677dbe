//! # moobius-blocking
//!
//! The blocking driver of the Moobius SDK, for simple bots and scripts: no
//! async runtime, just threads and blocking sockets. Write a channel service
//! (or automate a user account) as a [`Bot`] and [`run`] it, or take the
//! events one by one from a [`Client`] in a `for` loop; talk to the platform
//! through the [`Moobius`] handle, from callbacks or from any thread.
//!
//! All protocol rules (payload shapes, endpoints, timers, reconnects, group
//! ids, ordering) live in [`moobius_proto`] (re-exported as [`proto`]); this
//! crate only does the I/O. One loop owns the protocol
//! [`Session`](proto::session::Session): it writes what the session asks
//! for, makes its HTTP requests inline (ureq, rustls), reads the websocket
//! (tungstenite; `ws://`, and `wss://` with rustls) with
//! `set_read_timeout(deadline - now)` so that the session's timers run on
//! time, and hands events to the bot's thread in arrival order. Handles
//! send commands to the loop and wait for the answer, so callbacks and
//! other threads call any method without deadlocks: see [`Moobius`].
//!
//! ```no_run
//! use moobius_blocking::proto::compose::MessageSpec;
//! use moobius_blocking::proto::model::MessageBody;
//! use moobius_blocking::{Bot, CallbackResult, Config, Moobius};
//!
//! /// Sends every message back to its author.
//! struct Echo;
//!
//! impl Bot for Echo {
//!     type Spell = ();
//!
//!     fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
//!         let author = message.sender.clone();
//!         moobius.send_message(MessageSpec::forward(&message, author))?;
//!         Ok(())
//!     }
//! }
//!
//! fn main() -> Result<(), moobius_blocking::Error> {
//!     // The reference SDK's layout: account_config, service_config, ...
//!     moobius_blocking::run(Config::load("config/config.json")?, Echo)
//! }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod bot;
mod client;
mod dispatch;
mod driver;
mod http;
mod moobius;
mod runner;
mod ws;

pub use bot::Bot;
pub use client::{Client, Events};
pub use moobius::Moobius;
pub use moobius_proto as proto;
pub use moobius_proto::ops::{Click, DownloadOptions, MenuClick, NewChannel, Profile};
pub use moobius_proto::ws::Action;
pub use moobius_runtime::{
    CallbackResult, Config, Error, Mode, Options, ServiceIdFile, ENV_EMAIL, ENV_PASSWORD,
};
pub use runner::{run, spawn, Running, SpellSender};
