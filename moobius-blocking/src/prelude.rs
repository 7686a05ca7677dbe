//! What a bot needs, in one import:
//!
//! ```no_run
//! use moobius_blocking::prelude::*;
//!
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
//! fn main() -> Result<(), Error> {
//!     run(Config::load("config/config.json")?, Echo)
//! }
//! ```
//!
//! The bot trait, the client and its handles, the configuration, what a
//! message is built from (`MessageSpec`, `Recipients`, `Card`), the events
//! a [`Client`] yields, the model types the callbacks receive and send
//! (messages, characters, buttons, dialogs, menus, canvas, styles), the
//! ids, and the error types.

pub use crate::{run, spawn, Action, Bot, Client, Events, Moobius, Running, SpellSender};
pub use moobius_proto::session::Event;
pub use moobius_runtime::prelude::*;
/// Per-channel storage, as `Moobius::open_storage` opens it.
#[cfg(feature = "storage")]
#[cfg_attr(docsrs, doc(cfg(feature = "storage")))]
pub use moobius_storage::ChannelStorage;
