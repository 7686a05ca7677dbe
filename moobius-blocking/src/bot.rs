//! The [`Bot`] trait: one plain method per callback of the reference SDK
//! (the same names as `moobius-tokio`'s `Service`), each with a default.
//!
//! The callbacks themselves (names, arguments, defaults and their
//! documentation) are declared once for both drivers, in
//! `moobius_runtime::callback_trait!`.

moobius_runtime::callback_trait! {
    sync
    /// A Moobius service (service mode) or an automated user (user mode),
    /// written as plain blocking code.
    ///
    /// Every method is a callback with a default, so an implementation
    /// overrides only what it needs. Callbacks run one at a time on the bot's
    /// thread, in the order the events arrived, while the loop owning the
    /// connection runs on a thread of its own. A callback may call any
    /// [`Moobius`](crate::Moobius) method: the call is answered by the loop (see [`Moobius`](crate::Moobius)),
    /// and events arriving meanwhile wait their turn. Long work belongs on a
    /// thread of its own, with a clone of the handle.
    ///
    /// ## Ordering and bounds
    ///
    /// * **Per channel, arrival order.** The events of one channel reach the
    ///   callbacks in the order their frames arrived, even when one of them
    ///   waits for a group lookup (a message addressed to a group id is
    ///   delivered with its members resolved). Channels do not wait for each
    ///   other: a slow lookup in one channel holds only the frames of that
    ///   channel behind it, so events of different channels may be delivered in
    ///   a different order than they arrived. Frames of no channel
    ///   (acknowledgements, unknown payloads) are delivered as they arrive.
    /// * **Nothing waits forever.** A group that cannot be looked up (after the
    ///   HTTP retries with backoff, or within `Limits::lookup_timeout`, 60 s by
    ///   default) is reported as `Event::GroupUnresolved` and the event that
    ///   names it is delivered with that group's members left out.
    /// * **Bounded memory.** At most `Limits::max_inbound_waiting` (1024)
    ///   received frames wait for lookups; beyond that the socket is not read
    ///   until they leave (the platform's frames stay in the socket buffers).
    ///   At most `Limits::max_lookups_in_flight` (4) lookups and
    ///   `Limits::max_startup_calls_in_flight` (4) start-up calls run at once,
    ///   at most `Limits::max_http_in_flight` (32) HTTP requests of any kind
    ///   (the application's calls beyond it wait their turn, in order), and
    ///   the group caches hold `Limits::max_cached_groups` (10,000) entries
    ///   each. The limits are in `SessionConfig::limits`.
    ///
    /// A callback's error is logged and the bot goes on; so is a panic (the bot
    /// value is kept as the panic left it).
    ///
    /// ```
    /// use moobius_blocking::prelude::*;
    ///
    /// struct Echo;
    ///
    /// impl Bot for Echo {
    ///     type Spell = ();
    ///
    ///     fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
    ///         let to = message.sender.clone();
    ///         moobius.send_message(MessageSpec::forward(&message, to))?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    ///
    /// ## Syncing a member
    ///
    /// [`do_member_sync`](Self::do_member_sync) is where a user who joins or
    /// refreshes gets the bot's interface:
    ///
    /// ```
    /// use moobius_blocking::{Bot, CallbackResult, Moobius};
    /// use moobius_blocking::proto::ids::{ChannelId, CharacterId};
    /// use moobius_blocking::proto::model::Button;
    ///
    /// struct Menu;
    ///
    /// impl Bot for Menu {
    ///     type Spell = ();
    ///
    ///     // Every user who joins or refreshes gets the button bar.
    ///     fn do_member_sync(
    ///         &mut self,
    ///         moobius: &Moobius,
    ///         channel_id: ChannelId,
    ///         member: CharacterId,
    ///     ) -> CallbackResult {
    ///         let buttons = vec![Button::new("hello", "Say hello")];
    ///         moobius.send_buttons(channel_id, buttons, member)?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub trait Bot {
        /// What [`Running::spell`](crate::Running::spell) (or a spell sender)
        /// sends to this bot ([`on_spell`](Self::on_spell)); `()` when unused.
        type Spell: Send + 'static;
    }
}
