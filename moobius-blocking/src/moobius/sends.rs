//! Websocket operations: messages, interface updates, user actions. Each
//! returns once its frame was written (group ids it needs are created
//! first, through the API).

use super::Moobius;
use crate::Error;
use bytes::Bytes;
use moobius_proto::compose::{FileSource, MessageInput, MessageSpec, Recipients};
use moobius_proto::ids::{ButtonId, ChannelId, CharacterId, MenuItemId};
use moobius_proto::model::{Button, CanvasItem, ChannelInfo, ClickArgument, MenuItem, StyleItem};
use moobius_proto::ws::ClickedMessage;
use std::path::Path;

impl Moobius {
    /// Sends a message (`send_message`): down to its recipients in service
    /// mode (shown as from `spec.sender`), up to the channel in user mode.
    ///
    /// A local file named by the spec is read here; the session uploads it
    /// first (the same bytes once per session) and the message still leaves
    /// in order.
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// use moobius_blocking::proto::compose::{FileSource, MessageSpec, Recipients};
    /// let to = Recipients::Characters(vec!["user-1".into()]);
    /// moobius.send_message(MessageSpec::text("chan", "hi!", to.clone()).sender("agent-1"))?;
    /// let cat = FileSource::Local("assets/cat.png".into());
    /// moobius.send_message(MessageSpec::image("chan", cat, to).sender("agent-1"))?;
    /// # Ok(()) }
    /// ```
    pub fn send_message(&self, spec: MessageSpec) -> Result<(), Error> {
        let file = match &spec.input {
            MessageInput::File {
                source: FileSource::Local(path),
                ..
            } => Some(read_file(path)?),
            _ => None,
        };
        self.sent(move |s, now, unix_ms| s.send_message(now, unix_ms, spec, file))
    }

    /// Sends a text message: `send_message(MessageSpec::text(..))` with
    /// `sender` as its author in service mode (ignored in user mode).
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// moobius.send_text("chan", "hello", vec!["user-1".into()], Some("agent-1".into()))?;
    /// # Ok(()) }
    /// ```
    pub fn send_text(
        &self,
        channel_id: impl Into<ChannelId>,
        text: impl Into<String>,
        recipients: impl Into<Recipients>,
        sender: Option<CharacterId>,
    ) -> Result<(), Error> {
        let spec = MessageSpec {
            sender,
            ..MessageSpec::text(channel_id, text, recipients)
        };
        self.send_message(spec)
    }

    /// Sends a frame of any type with a body of the caller's shape (`send`).
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// moobius.send("heartbeat", serde_json::json!({}))?;
    /// # Ok(()) }
    /// ```
    pub fn send(
        &self,
        frame_type: impl Into<String>,
        body: serde_json::Value,
    ) -> Result<(), Error> {
        let frame_type = frame_type.into();
        self.sent(move |s, now, _| s.send_custom(now, frame_type, body))
    }

    /// Service mode: the character list `recipients` see in a channel, in
    /// order (`send_characters`); an empty list clears it.
    pub fn send_characters(
        &self,
        channel_id: impl Into<ChannelId>,
        characters: Vec<CharacterId>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (channel, to) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_characters(now, channel, characters, to))
    }

    /// Service mode: replaces the button bar (`send_buttons`).
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// use moobius_blocking::proto::model::Button;
    /// let buttons = vec![Button::new("meow", "MEOW"), Button::new("bark", "BARK")];
    /// moobius.send_buttons("chan", buttons, vec!["user-1".into()])?;
    /// # Ok(()) }
    /// ```
    pub fn send_buttons(
        &self,
        channel_id: impl Into<ChannelId>,
        buttons: Vec<Button>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (channel, to) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_buttons(now, channel, buttons, to))
    }

    /// Service mode: replaces the context menu (`send_menu`).
    pub fn send_menu(
        &self,
        channel_id: impl Into<ChannelId>,
        items: Vec<MenuItem>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (channel, to) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_menu(now, channel, items, to))
    }

    /// Service mode: sets widget styles (`send_style`).
    pub fn send_style(
        &self,
        channel_id: impl Into<ChannelId>,
        items: Vec<StyleItem>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (channel, to) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_style(now, channel, items, to))
    }

    /// Service mode: replaces the canvas (`send_canvas`). An item's `path`
    /// may be a URL or a local image (uploaded first, once per content);
    /// an empty path means the default image.
    pub fn send_canvas(
        &self,
        channel_id: impl Into<ChannelId>,
        items: Vec<CanvasItem>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let items = items
            .into_iter()
            .map(|item| match item.path {
                Some(path) => Ok(CanvasItem {
                    path: Some(self.to_url(&path)?),
                    ..item
                }),
                None => Ok(item),
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let (channel, to) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_canvas(now, channel, items, to))
    }

    /// Service mode: renames or re-describes a channel over the websocket
    /// (the reference's `update_channel_info`; see also
    /// [`update_channel`](Self::update_channel)).
    pub fn send_channel_info(&self, info: ChannelInfo) -> Result<(), Error> {
        self.sent(move |s, now, _| s.send_channel_info(now, info))
    }

    /// Service mode: an `update` with a body of the caller's shape
    /// (`send_update`), under the own service id.
    pub fn send_update(&self, body: serde_json::Value) -> Result<(), Error> {
        self.sent(move |s, now, _| s.send_generic_update(now, body))
    }

    /// Sends a heartbeat now (the session sends them on its own timer).
    pub fn send_heartbeat(&self) -> Result<(), Error> {
        self.sent(|s, now, _| s.send_heartbeat(now))
    }

    /// User mode: asks the channel's service for its state (`send_refresh`).
    pub fn send_refresh(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let channel = channel_id.into();
        self.sent(move |s, now, _| s.send_refresh(now, channel))
    }

    /// User mode: joins a channel (`send_join_channel`).
    pub fn join_channel(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let channel = channel_id.into();
        self.sent(move |s, now, _| s.join_channel(now, channel))
    }

    /// User mode: leaves a channel (`send_leave_channel`).
    pub fn leave_channel(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let channel = channel_id.into();
        self.sent(move |s, now, _| s.leave_channel(now, channel))
    }

    /// User mode: clicks a button (`send_button_click`) with its dialog's
    /// values, in the order of its components; the bottom button defaults
    /// to `"confirm"`.
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// use moobius_blocking::proto::model::ClickArgument;
    /// let how_many = vec![ClickArgument::new("How many?", "2")];
    /// moobius.send_button_click("chan", "repeat", how_many, None)?;
    /// # Ok(()) }
    /// ```
    pub fn send_button_click(
        &self,
        channel_id: impl Into<ChannelId>,
        button_id: impl Into<ButtonId>,
        arguments: Vec<ClickArgument>,
        bottom_button_id: Option<String>,
    ) -> Result<(), Error> {
        let (channel, button) = (channel_id.into(), button_id.into());
        self.sent(move |s, now, _| {
            s.button_click(now, channel, button, arguments, bottom_button_id)
        })
    }

    /// User mode: clicks a context-menu item on a message
    /// (`send_menu_item_click`).
    pub fn send_menu_item_click(
        &self,
        channel_id: impl Into<ChannelId>,
        menu_item_id: impl Into<MenuItemId>,
        message: ClickedMessage,
        arguments: Vec<ClickArgument>,
        bottom_button_id: Option<String>,
    ) -> Result<(), Error> {
        let (channel, item) = (channel_id.into(), menu_item_id.into());
        self.sent(move |s, now, _| {
            s.menu_item_click(now, channel, item, message, arguments, bottom_button_id)
        })
    }
}

/// A local file's bytes.
pub(crate) fn read_file(path: &Path) -> Result<Bytes, Error> {
    std::fs::read(path)
        .map(Bytes::from)
        .map_err(|e| Error::io("reading", path, e))
}
