//! What a service needs, in one import:
//!
//! ```
//! use moobius_tokio::prelude::*;
//!
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
//! ```
//!
//! The service trait and its handles, the configuration, what a message is
//! built from (`MessageSpec`, `Recipients`, `Card`), the model types the
//! callbacks receive and send (messages, characters, buttons, dialogs,
//! menus, canvas, styles), the ids, and the error types.

pub use crate::{run, spawn, Action, Moobius, Running, Service, SpellSender, Wand, WandHandle};
pub use moobius_runtime::prelude::*;
/// Per-channel storage, as `Moobius::open_storage` opens it.
#[cfg(feature = "storage")]
#[cfg_attr(docsrs, doc(cfg(feature = "storage")))]
pub use moobius_storage::AsyncChannelStorage;
