//! The [`Service`] trait: one method per callback of the reference SDK, each
//! with a default, called on the service's task in the order events arrive.

use crate::{CallbackResult, Moobius};
use moobius_proto::ids::{ChannelId, CharacterId};
use moobius_proto::model::{
    Button, ButtonClick, CanvasItem, ChannelInfo, CopyBody, MenuItem, MenuItemClick, MessageBody,
    SimpleAction, StyleItem, UpdateBody, UpdateContent,
};
use moobius_proto::ws::UnknownFrame;
use std::future::Future;

pub use moobius_proto::ws::Action;

/// A Moobius service (service mode) or an automated user (user mode).
///
/// Every method is a callback with a default, so an implementation overrides
/// only what it needs. Callbacks run one at a time on the service's task, in
/// the order the events arrived; while one awaits a [`Moobius`] method the
/// connection keeps being driven (heartbeats, reconnects, replies), and the
/// events that arrive meanwhile wait their turn. Long work belongs in a task
/// of its own (`tokio::spawn` with a clone of the [`Moobius`] handle).
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
///   and the group caches hold `Limits::max_cached_groups` (10,000) entries
///   each. The limits are in `SessionConfig::limits`.
///
/// A callback's error is logged and the service goes on; so is a panic in a
/// callback (the service value is kept as the panic left it).
///
/// Implementations may write `async fn` for any callback:
///
/// ```
/// use moobius_tokio::{CallbackResult, Moobius, Service};
/// use moobius_tokio::proto::compose::MessageSpec;
/// use moobius_tokio::proto::model::MessageBody;
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
pub trait Service: Send + 'static {
    /// What a [`Wand`](crate::Wand) or [`Running::spell`](crate::Running::spell)
    /// can send to this service ([`on_spell`](Self::on_spell)); `()` when unused.
    type Spell: Send + 'static;

    /// Service mode: logged in, channels are about to be bound
    /// (`before_channel_init`).
    fn before_channel_init(
        &mut self,
        moobius: &Moobius,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = moobius;
        async { Ok(()) }
    }

    /// Service mode: a configured channel is bound and ready, once per
    /// channel at start. The default calls
    /// [`on_channel_checkin`](Self::on_channel_checkin). Per-channel storage
    /// is opened here: see `Moobius::open_storage` (feature `storage`).
    fn on_channel_init(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
    ) -> impl Future<Output = CallbackResult> + Send {
        self.on_channel_checkin(moobius, channel_id)
    }

    /// Service mode: periodic check-in of each channel
    /// (`service_config.checkin_interval`), and at start by default.
    fn on_channel_checkin(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, channel_id);
        async { Ok(()) }
    }

    /// Start-up finished: the service (or user) is logged in, its channels
    /// bound (or joined).
    fn on_start(&mut self, moobius: &Moobius) -> impl Future<Output = CallbackResult> + Send {
        let _ = moobius;
        async { Ok(()) }
    }

    /// Service mode: a user's message. `message.recipients` holds the
    /// resolved ids of its intended recipients (empty when sent to the
    /// service only).
    fn on_message_up(
        &mut self,
        moobius: &Moobius,
        message: MessageBody,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, message);
        async { Ok(()) }
    }

    /// Service mode: a user action. The default dispatches to
    /// [`on_join`](Self::on_join), [`on_leave`](Self::on_leave),
    /// [`on_refresh`](Self::on_refresh),
    /// [`on_button_click`](Self::on_button_click) and
    /// [`on_menu_item_click`](Self::on_menu_item_click); other subtypes are
    /// logged.
    fn on_action(
        &mut self,
        moobius: &Moobius,
        action: Action,
    ) -> impl Future<Output = CallbackResult> + Send {
        async move {
            match action {
                Action::Join(a) => self.on_join(moobius, a).await,
                Action::Leave(a) => self.on_leave(moobius, a).await,
                Action::Refresh(a) => self.on_refresh(moobius, a).await,
                Action::ButtonClick(c) => self.on_button_click(moobius, *c).await,
                Action::MenuItemClick(c) => self.on_menu_item_click(moobius, *c).await,
                Action::Other { subtype, .. } => {
                    tracing::debug!(%subtype, "action of an unhandled subtype");
                    Ok(())
                }
                other => {
                    tracing::debug!(?other, "action of an unhandled kind");
                    Ok(())
                }
            }
        }
    }

    /// Service mode: a user joined a channel. The default calls
    /// [`do_member_sync`](Self::do_member_sync) with the channel and the
    /// user who joined, as the reference's `on_join` does.
    fn on_join(
        &mut self,
        moobius: &Moobius,
        action: SimpleAction,
    ) -> impl Future<Output = CallbackResult> + Send {
        self.do_member_sync(moobius, action.channel_id, action.sender)
    }

    /// Service mode: brings one member's view of a channel up to date, the
    /// usual place to send a user the service's interface (characters,
    /// buttons, menu, canvas, style). The default
    /// [`on_join`](Self::on_join) and [`on_refresh`](Self::on_refresh)
    /// call it with the channel and the user who joined or asked; as the
    /// reference's `do_member_sync`, the default itself sends **nothing**.
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
    fn do_member_sync(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        member: CharacterId,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, channel_id, member);
        async { Ok(()) }
    }

    /// Service mode: a user left a channel.
    fn on_leave(
        &mut self,
        moobius: &Moobius,
        action: SimpleAction,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, action);
        async { Ok(()) }
    }

    /// Service mode: a client asks for the channel's state (characters,
    /// buttons, canvas, ...). The default calls
    /// [`do_member_sync`](Self::do_member_sync) with the channel and the
    /// user who asked, as the reference's `on_refresh` does.
    fn on_refresh(
        &mut self,
        moobius: &Moobius,
        action: SimpleAction,
    ) -> impl Future<Output = CallbackResult> + Send {
        self.do_member_sync(moobius, action.channel_id, action.sender)
    }

    /// Service mode: a button was clicked (with its dialog's values).
    fn on_button_click(
        &mut self,
        moobius: &Moobius,
        click: ButtonClick,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, click);
        async { Ok(()) }
    }

    /// Service mode: a context-menu item was clicked on a message.
    fn on_menu_item_click(
        &mut self,
        moobius: &Moobius,
        click: MenuItemClick,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, click);
        async { Ok(()) }
    }

    /// The platform's acknowledgement of a frame (`copy`).
    fn on_copy_client(
        &mut self,
        moobius: &Moobius,
        copy: CopyBody,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, copy);
        async { Ok(()) }
    }

    /// A frame of a type this SDK does not know, with its raw JSON.
    fn on_unknown_payload(
        &mut self,
        moobius: &Moobius,
        frame: UnknownFrame,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = moobius;
        async move {
            tracing::debug!(frame_type = ?frame.frame_type, "unknown payload");
            Ok(())
        }
    }

    /// A spell sent through a [`Wand`](crate::Wand) or
    /// [`Running::spell`](crate::Running::spell).
    fn on_spell(
        &mut self,
        moobius: &Moobius,
        spell: Self::Spell,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, spell);
        async { Ok(()) }
    }

    /// User mode: a service's message. `message.recipients` holds resolved
    /// ids when the frame carried any (the platform normally strips them).
    fn on_message_down(
        &mut self,
        moobius: &Moobius,
        message: MessageBody,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, message);
        async { Ok(()) }
    }

    /// User mode: the channel's interface changed. Group ids are already
    /// resolved (a character list arrives as ids). The default dispatches
    /// by what changed to the `on_update_*` callbacks.
    fn on_update(
        &mut self,
        moobius: &Moobius,
        update: UpdateBody,
    ) -> impl Future<Output = CallbackResult> + Send {
        async move {
            let channel = update.channel_id;
            match update.content {
                UpdateContent::Characters(refs) => {
                    let ids = refs.inline_ids().unwrap_or_default();
                    self.on_update_characters(moobius, channel, ids).await
                }
                UpdateContent::Buttons(b) => self.on_update_buttons(moobius, channel, b).await,
                UpdateContent::Menu(m) => self.on_update_menu(moobius, channel, m).await,
                UpdateContent::Style(s) => self.on_update_style(moobius, channel, s).await,
                UpdateContent::Canvas(c) => self.on_update_canvas(moobius, channel, c).await,
                UpdateContent::ChannelInfo(i) => self.on_update_channel_info(moobius, i).await,
                UpdateContent::Other { subtype, .. } => {
                    tracing::debug!(%subtype, "update of an unknown subtype");
                    Ok(())
                }
            }
        }
    }

    /// User mode: the character list shown in a channel, in order.
    fn on_update_characters(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        characters: Vec<CharacterId>,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, channel_id, characters);
        async { Ok(()) }
    }

    /// User mode: a channel's name or description changed.
    fn on_update_channel_info(
        &mut self,
        moobius: &Moobius,
        info: ChannelInfo,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, info);
        async { Ok(()) }
    }

    /// User mode: the canvas (whole replacement).
    fn on_update_canvas(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        items: Vec<CanvasItem>,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, channel_id, items);
        async { Ok(()) }
    }

    /// User mode: the button bar (whole replacement).
    fn on_update_buttons(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        buttons: Vec<Button>,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, channel_id, buttons);
        async { Ok(()) }
    }

    /// User mode: widget styles.
    fn on_update_style(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        items: Vec<StyleItem>,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, channel_id, items);
        async { Ok(()) }
    }

    /// User mode: the context menu (whole replacement).
    fn on_update_menu(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        items: Vec<MenuItem>,
    ) -> impl Future<Output = CallbackResult> + Send {
        let _ = (moobius, channel_id, items);
        async { Ok(()) }
    }
}
