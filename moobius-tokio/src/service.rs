//! The [`Service`] trait: one method per callback of the reference SDK, each
//! with a default, called on the service's task in the order events arrive.
//!
//! The callbacks themselves (names, arguments, defaults and their
//! documentation) are declared once for both drivers, in
//! `moobius_runtime::callback_trait!`; `moobius-blocking`'s `Bot` has the
//! same ones, not `async`.

pub use moobius_proto::ws::Action;

moobius_runtime::callback_trait! {
    async
    /// A Moobius service (service mode) or an automated user (user mode).
    ///
    /// Every method is a callback with a default, so an implementation overrides
    /// only what it needs. Callbacks run one at a time on the service's task, in
    /// the order the events arrived; while one awaits a [`Moobius`](crate::Moobius) method the
    /// connection keeps being driven (heartbeats, reconnects, replies), and the
    /// events that arrive meanwhile wait their turn. Long work belongs in a task
    /// of its own (`tokio::spawn` with a clone of the [`Moobius`](crate::Moobius) handle).
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
    /// A callback's error is logged and the service goes on; so is a panic in a
    /// callback (the service value is kept as the panic left it).
    ///
    /// Implementations may write `async fn` for any callback:
    ///
    /// ```
    /// use moobius_tokio::prelude::*;
    ///
    /// struct Echo;
    ///
    /// impl Service for Echo {
    ///     type Spell = ();
    ///
    ///     async fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
    ///         let to = message.sender.clone();
    ///         moobius.send_message(MessageSpec::forward(&message, to)).await?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    ///
    /// ## Syncing a member
    ///
    /// [`do_member_sync`](Self::do_member_sync) is where a user who joins or
    /// refreshes gets the service's interface:
    ///
    /// ```
    /// use moobius_tokio::{CallbackResult, Moobius, Service};
    /// use moobius_tokio::proto::ids::{ChannelId, CharacterId};
    /// use moobius_tokio::proto::model::Button;
    ///
    /// struct Menu;
    ///
    /// impl Service for Menu {
    ///     type Spell = ();
    ///
    ///     // Every user who joins or refreshes gets the button bar.
    ///     async fn do_member_sync(
    ///         &mut self,
    ///         moobius: &Moobius,
    ///         channel_id: ChannelId,
    ///         member: CharacterId,
    ///     ) -> CallbackResult {
    ///         let buttons = vec![Button::new("hello", "Say hello")];
    ///         moobius.send_buttons(channel_id, buttons, member).await?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub trait Service: Send + 'static {
        /// What a [`Wand`](crate::Wand) or [`Running::spell`](crate::Running::spell)
        /// can send to this service ([`on_spell`](Self::on_spell)); `()` when unused.
        type Spell: Send + 'static;
    }
}
