//! The [`Bot`] trait: one plain method per callback of the reference SDK
//! (the same names as `moobius-tokio`'s `Service`), each with a default.

use crate::{CallbackResult, Moobius};
use moobius_proto::ids::{ChannelId, CharacterId};
use moobius_proto::model::{
    Button, ButtonClick, CanvasItem, ChannelInfo, CopyBody, MenuItem, MenuItemClick, MessageBody,
    SimpleAction, StyleItem, UpdateBody, UpdateContent,
};
use moobius_proto::ws::{Action, UnknownFrame};

/// A Moobius service (service mode) or an automated user (user mode),
/// written as plain blocking code.
///
/// Every method is a callback with a default, so an implementation
/// overrides only what it needs. Callbacks run one at a time on the bot's
/// thread, in the order the events arrived, while the loop owning the
/// connection runs on a thread of its own. A callback may call any
/// [`Moobius`] method: the call is answered by the loop (see [`Moobius`]),
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
///   and the group caches hold `Limits::max_cached_groups` (10,000) entries
///   each. The limits are in `SessionConfig::limits`.
///
/// A callback's error is logged and the bot goes on; so is a panic (the bot
/// value is kept as the panic left it).
///
/// ```
/// use moobius_blocking::{Bot, CallbackResult, Moobius};
/// use moobius_blocking::proto::compose::MessageSpec;
/// use moobius_blocking::proto::model::MessageBody;
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
pub trait Bot {
    /// What [`Running::spell`](crate::Running::spell) (or a spell sender)
    /// sends to this bot ([`on_spell`](Self::on_spell)); `()` when unused.
    type Spell: Send + 'static;

    /// Service mode: logged in, channels are about to be bound
    /// (`before_channel_init`).
    fn before_channel_init(&mut self, moobius: &Moobius) -> CallbackResult {
        let _ = moobius;
        Ok(())
    }

    /// Service mode: a configured channel is bound and ready, once per
    /// channel at start. The default calls
    /// [`on_channel_checkin`](Self::on_channel_checkin). Per-channel
    /// storage: see [`Moobius::storage_config`].
    fn on_channel_init(&mut self, moobius: &Moobius, channel_id: ChannelId) -> CallbackResult {
        self.on_channel_checkin(moobius, channel_id)
    }

    /// Service mode: periodic check-in of each channel
    /// (`service_config.checkin_interval`), and at start by default.
    fn on_channel_checkin(&mut self, moobius: &Moobius, channel_id: ChannelId) -> CallbackResult {
        let _ = (moobius, channel_id);
        Ok(())
    }

    /// Start-up finished: logged in, channels bound (or joined).
    fn on_start(&mut self, moobius: &Moobius) -> CallbackResult {
        let _ = moobius;
        Ok(())
    }

    /// Service mode: a user's message. `message.recipients` holds the
    /// resolved ids of its intended recipients (empty when sent to the
    /// service only).
    fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        let _ = (moobius, message);
        Ok(())
    }

    /// Service mode: a user action. The default hands each kind to its own
    /// callback ([`on_join`](Self::on_join), [`on_leave`](Self::on_leave),
    /// [`on_refresh`](Self::on_refresh),
    /// [`on_button_click`](Self::on_button_click),
    /// [`on_menu_item_click`](Self::on_menu_item_click)); other subtypes are
    /// logged.
    fn on_action(&mut self, moobius: &Moobius, action: Action) -> CallbackResult {
        match action {
            Action::Join(a) => self.on_join(moobius, a),
            Action::Leave(a) => self.on_leave(moobius, a),
            Action::Refresh(a) => self.on_refresh(moobius, a),
            Action::ButtonClick(click) => self.on_button_click(moobius, *click),
            Action::MenuItemClick(click) => self.on_menu_item_click(moobius, *click),
            other => {
                tracing::debug!(?other, "action of an unhandled subtype");
                Ok(())
            }
        }
    }

    /// Service mode: a user joined a channel. The default calls
    /// [`do_member_sync`](Self::do_member_sync) with the channel and the
    /// user who joined, as the reference's `on_join` does.
    fn on_join(&mut self, moobius: &Moobius, action: SimpleAction) -> CallbackResult {
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
    fn do_member_sync(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        member: CharacterId,
    ) -> CallbackResult {
        let _ = (moobius, channel_id, member);
        Ok(())
    }

    /// Service mode: a user left a channel.
    fn on_leave(&mut self, moobius: &Moobius, action: SimpleAction) -> CallbackResult {
        let _ = (moobius, action);
        Ok(())
    }

    /// Service mode: a client asks for the channel's state (characters,
    /// buttons, canvas, ...). The default calls
    /// [`do_member_sync`](Self::do_member_sync) with the channel and the
    /// user who asked, as the reference's `on_refresh` does.
    fn on_refresh(&mut self, moobius: &Moobius, action: SimpleAction) -> CallbackResult {
        self.do_member_sync(moobius, action.channel_id, action.sender)
    }

    /// Service mode: a button was clicked (with its dialog's values).
    fn on_button_click(&mut self, moobius: &Moobius, click: ButtonClick) -> CallbackResult {
        let _ = (moobius, click);
        Ok(())
    }

    /// Service mode: a context-menu item was clicked on a message.
    fn on_menu_item_click(&mut self, moobius: &Moobius, click: MenuItemClick) -> CallbackResult {
        let _ = (moobius, click);
        Ok(())
    }

    /// The platform's acknowledgement of a frame (`copy`).
    fn on_copy_client(&mut self, moobius: &Moobius, copy: CopyBody) -> CallbackResult {
        let _ = (moobius, copy);
        Ok(())
    }

    /// A frame of a type this SDK does not know, with its raw JSON.
    fn on_unknown_payload(&mut self, moobius: &Moobius, frame: UnknownFrame) -> CallbackResult {
        let _ = moobius;
        tracing::debug!(frame_type = ?frame.frame_type, "unknown payload");
        Ok(())
    }

    /// A spell sent with [`Running::spell`](crate::Running::spell) (or a
    /// spell sender).
    fn on_spell(&mut self, moobius: &Moobius, spell: Self::Spell) -> CallbackResult {
        let _ = (moobius, spell);
        Ok(())
    }

    /// User mode: a service's message. `message.recipients` holds resolved
    /// ids when the frame carried any (the platform normally strips them).
    fn on_message_down(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        let _ = (moobius, message);
        Ok(())
    }

    /// User mode: the channel's interface changed, group ids resolved (a
    /// character list arrives as ids). The default hands each kind of
    /// change to its `on_update_*` callback.
    fn on_update(&mut self, moobius: &Moobius, update: UpdateBody) -> CallbackResult {
        let channel = update.channel_id;
        match update.content {
            UpdateContent::Characters(refs) => {
                let ids = refs.inline_ids().unwrap_or_default();
                self.on_update_characters(moobius, channel, ids)
            }
            UpdateContent::Buttons(b) => self.on_update_buttons(moobius, channel, b),
            UpdateContent::Menu(m) => self.on_update_menu(moobius, channel, m),
            UpdateContent::Style(s) => self.on_update_style(moobius, channel, s),
            UpdateContent::Canvas(c) => self.on_update_canvas(moobius, channel, c),
            UpdateContent::ChannelInfo(info) => self.on_update_channel_info(moobius, info),
            UpdateContent::Other { subtype, .. } => {
                tracing::debug!(%subtype, "update of an unknown subtype");
                Ok(())
            }
        }
    }

    /// User mode: the character list shown in a channel, in order.
    fn on_update_characters(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        characters: Vec<CharacterId>,
    ) -> CallbackResult {
        let _ = (moobius, channel_id, characters);
        Ok(())
    }

    /// User mode: a channel's name or description changed.
    fn on_update_channel_info(&mut self, moobius: &Moobius, info: ChannelInfo) -> CallbackResult {
        let _ = (moobius, info);
        Ok(())
    }

    /// User mode: the canvas (whole replacement).
    fn on_update_canvas(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        items: Vec<CanvasItem>,
    ) -> CallbackResult {
        let _ = (moobius, channel_id, items);
        Ok(())
    }

    /// User mode: the button bar (whole replacement).
    fn on_update_buttons(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        buttons: Vec<Button>,
    ) -> CallbackResult {
        let _ = (moobius, channel_id, buttons);
        Ok(())
    }

    /// User mode: widget styles.
    fn on_update_style(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        items: Vec<StyleItem>,
    ) -> CallbackResult {
        let _ = (moobius, channel_id, items);
        Ok(())
    }

    /// User mode: the context menu (whole replacement).
    fn on_update_menu(
        &mut self,
        moobius: &Moobius,
        channel_id: ChannelId,
        items: Vec<MenuItem>,
    ) -> CallbackResult {
        let _ = (moobius, channel_id, items);
        Ok(())
    }
}
