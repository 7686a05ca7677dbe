//! Websocket operations: messages, interface updates, user actions.

use super::{Click, MenuClick, Moobius};
use crate::Error;
use bytes::Bytes;
use moobius_proto::compose::{FileSource, MessageInput, MessageSpec, Recipients};
use moobius_proto::http::MediaSource;
use moobius_proto::ids::{ChannelId, CharacterId};
use moobius_proto::model::{Button, CanvasItem, ChannelInfo, MenuItem, StyleItem};

impl Moobius {
    /// Sends a message (`send_message`): down to its recipients in service
    /// mode (shown as from `spec.sender`), up to the channel in user mode.
    ///
    /// Text, cards, and images / audio / files by URL or local path: a local
    /// file is read here and uploaded by the session first (the same bytes
    /// are uploaded once; later sends reuse the URL), and the message still
    /// leaves in order. Recipients are character ids (turned into a group
    /// id through the API, cached), an existing group, or the service
    /// itself. Returns once the frame was written.
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius, agent: String) -> Result<(), moobius_tokio::Error> {
    /// use moobius_tokio::proto::compose::{FileSource, MessageSpec, Recipients};
    /// let to = Recipients::Characters(vec!["user-1".into()]);
    /// moobius.send_message(MessageSpec::text("chan", "hi!", to.clone()).sender(agent.clone())).await?;
    /// let cat = FileSource::Local("assets/cat.png".into());
    /// moobius.send_message(MessageSpec::image("chan", cat, to).sender(agent)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_message(&self, spec: MessageSpec) -> Result<(), Error> {
        let file = match &spec.input {
            MessageInput::File {
                source: FileSource::Local(path),
                ..
            } => Some(read_file(path).await?),
            _ => None,
        };
        self.sent(move |s, now, unix_ms| s.send_message(now, unix_ms, spec, file))
            .await
    }

    /// Sends a text message: `send_message(MessageSpec::text(..))`, with
    /// `sender` shown as its author in service mode (ignored in user mode).
    pub async fn send_text(
        &self,
        channel_id: impl Into<ChannelId>,
        text: impl Into<String>,
        recipients: impl Into<Recipients>,
        sender: Option<CharacterId>,
    ) -> Result<(), Error> {
        let mut spec = MessageSpec::text(channel_id, text, recipients);
        spec.sender = sender;
        self.send_message(spec).await
    }

    /// Sends a frame of any type with a body of the caller's shape (`send`).
    pub async fn send(
        &self,
        frame_type: impl Into<String>,
        body: serde_json::Value,
    ) -> Result<(), Error> {
        let frame_type = frame_type.into();
        self.sent(move |s, now, _| s.send_custom(now, frame_type, body))
            .await
    }

    /// Service mode: sends the character list `recipients` see in a channel,
    /// in order (`send_characters`); an empty list clears it.
    pub async fn send_characters(
        &self,
        channel_id: impl Into<ChannelId>,
        characters: Vec<CharacterId>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (c, r) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_characters(now, c, characters, r))
            .await
    }

    /// Service mode: replaces the button bar (`send_buttons`).
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
    /// use moobius_tokio::proto::model::Button;
    /// let buttons = vec![Button::new("meow", "MEOW"), Button::new("bark", "BARK")];
    /// moobius.send_buttons("chan", buttons, vec!["user-1".into()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_buttons(
        &self,
        channel_id: impl Into<ChannelId>,
        buttons: Vec<Button>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (c, r) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_buttons(now, c, buttons, r))
            .await
    }

    /// Service mode: replaces the context menu (`send_menu`).
    pub async fn send_menu(
        &self,
        channel_id: impl Into<ChannelId>,
        items: Vec<MenuItem>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (c, r) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_menu(now, c, items, r))
            .await
    }

    /// Service mode: sets widget styles (`send_style`).
    pub async fn send_style(
        &self,
        channel_id: impl Into<ChannelId>,
        items: Vec<StyleItem>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        let (c, r) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_style(now, c, items, r))
            .await
    }

    /// Service mode: replaces the canvas (`send_canvas`). An item's `path`
    /// may be a URL or a local image path; local images are uploaded first
    /// (once per content), an empty path means the default image.
    pub async fn send_canvas(
        &self,
        channel_id: impl Into<ChannelId>,
        mut items: Vec<CanvasItem>,
        recipients: impl Into<Recipients>,
    ) -> Result<(), Error> {
        for item in &mut items {
            if let Some(path) = item.path.take() {
                item.path = Some(self.to_url(&path).await?);
            }
        }
        let (c, r) = (channel_id.into(), recipients.into());
        self.sent(move |s, now, _| s.send_canvas(now, c, items, r))
            .await
    }

    /// Service mode: renames or re-describes a channel over the websocket
    /// (the reference's `update_channel_info`; see also
    /// [`update_channel`](Self::update_channel)).
    pub async fn send_channel_info(&self, info: ChannelInfo) -> Result<(), Error> {
        self.sent(move |s, now, _| s.send_channel_info(now, info))
            .await
    }

    /// Service mode: sends an `update` with a body of the caller's shape
    /// (`send_update`), under the own service id.
    pub async fn send_update(&self, body: serde_json::Value) -> Result<(), Error> {
        self.sent(move |s, now, _| s.send_generic_update(now, body))
            .await
    }

    /// Sends a heartbeat now (the session sends them every 30 s anyway).
    pub async fn send_heartbeat(&self) -> Result<(), Error> {
        self.sent(|s, now, _| s.send_heartbeat(now)).await
    }

    /// User mode: asks the channel's service for its state (`send_refresh`).
    pub async fn send_refresh(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let c = channel_id.into();
        self.sent(move |s, now, _| s.send_refresh(now, c)).await
    }

    /// User mode: joins a channel (`send_join_channel`).
    pub async fn join_channel(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let c = channel_id.into();
        self.sent(move |s, now, _| s.join_channel(now, c)).await
    }

    /// User mode: leaves a channel (`send_leave_channel`).
    pub async fn leave_channel(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let c = channel_id.into();
        self.sent(move |s, now, _| s.leave_channel(now, c)).await
    }

    /// User mode: clicks a button (`send_button_click`).
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
    /// use moobius_tokio::Click;
    /// moobius.send_button_click(Click::new("chan", "repeat").argument("How many?", "2")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_button_click(&self, click: Click) -> Result<(), Error> {
        self.sent(move |s, now, _| {
            s.button_click(
                now,
                click.channel_id,
                click.button_id,
                click.arguments,
                click.bottom_button_id,
            )
        })
        .await
    }

    /// User mode: clicks a context-menu item on a message
    /// (`send_menu_item_click`).
    pub async fn send_menu_item_click(&self, click: MenuClick) -> Result<(), Error> {
        self.sent(move |s, now, _| {
            s.menu_item_click(
                now,
                click.channel_id,
                click.menu_item_id,
                click.message,
                click.arguments,
                click.bottom_button_id,
            )
        })
        .await
    }

    /// A "path" argument as a URL: URLs as they are, empty for the default
    /// image, local files uploaded (PROTOCOL.md §8.2).
    pub(crate) async fn to_url(&self, path: &str) -> Result<String, Error> {
        match MediaSource::classify(path) {
            MediaSource::LocalFile(p) => self.upload(p).await,
            other => Ok(other.url().unwrap_or_default().to_owned()),
        }
    }
}

pub(crate) async fn read_file(path: &std::path::Path) -> Result<Bytes, Error> {
    tokio::fs::read(path)
        .await
        .map(Bytes::from)
        .map_err(|e| Error::io("reading", path, e))
}
