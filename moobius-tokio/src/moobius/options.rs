//! Option structs for the methods that take more than a few arguments.

use moobius_proto::ids::{ButtonId, ChannelId, MenuItemId};
use moobius_proto::model::{ClickArgument, MessageBody};
use moobius_proto::ws::ClickedMessage;

/// A channel to create ([`Moobius::create_channel`](crate::Moobius::create_channel)).
///
/// ```
/// use moobius_tokio::NewChannel;
/// let c = NewChannel::new("Cats").description("All about cats").bind(false);
/// assert!(!c.bind);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct NewChannel {
    /// Its name.
    pub name: String,
    /// Its description (default empty).
    pub description: String,
    /// Bind this service to it (default `true`, as the reference does).
    pub bind: bool,
}

impl NewChannel {
    /// A channel named `name`, bound to this service once created.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            bind: true,
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Whether to bind this service to the new channel.
    pub fn bind(mut self, bind: bool) -> Self {
        self.bind = bind;
        self
    }
}

/// A name, an avatar and a description: an agent's
/// ([`Moobius::create_agent`](crate::Moobius::create_agent)) or the signed-in
/// user's ([`Moobius::update_current_user`](crate::Moobius::update_current_user)).
///
/// The avatar is a URL or a local image path (uploaded first); none means
/// the platform's default image.
///
/// ```
/// use moobius_tokio::Profile;
/// let p = Profile::new("Echo").avatar("assets/echo.png").description("repeats you");
/// assert_eq!(p.avatar.as_deref(), Some("assets/echo.png"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Profile {
    /// Display name.
    pub name: String,
    /// URL or local path of the avatar image.
    pub avatar: Option<String>,
    /// Description (agents default to `"No description"`).
    pub description: Option<String>,
}

impl Profile {
    /// A profile named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            avatar: None,
            description: None,
        }
    }

    /// Sets the avatar (URL or local path).
    pub fn avatar(mut self, avatar: impl Into<String>) -> Self {
        self.avatar = Some(avatar.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A button click, user mode ([`Moobius::send_button_click`](crate::Moobius::send_button_click)).
///
/// ```
/// use moobius_tokio::Click;
/// let c = Click::new("chan", "repeat").argument("How many?", "2").bottom_button("double");
/// assert_eq!(c.arguments.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Click {
    /// The channel.
    pub channel_id: ChannelId,
    /// The button.
    pub button_id: ButtonId,
    /// The dialog's values, in the order of its components.
    pub arguments: Vec<ClickArgument>,
    /// The dialog's bottom button pressed (default `"confirm"`).
    pub bottom_button_id: Option<String>,
}

impl Click {
    /// Clicks `button_id` in `channel_id`, with no dialog values.
    pub fn new(channel_id: impl Into<ChannelId>, button_id: impl Into<ButtonId>) -> Self {
        Self {
            channel_id: channel_id.into(),
            button_id: button_id.into(),
            arguments: Vec::new(),
            bottom_button_id: None,
        }
    }

    /// Adds a dialog value.
    pub fn argument(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.arguments.push(ClickArgument::new(label, value));
        self
    }

    /// Sets the bottom button pressed.
    pub fn bottom_button(mut self, id: impl Into<String>) -> Self {
        self.bottom_button_id = Some(id.into());
        self
    }
}

/// A context-menu click on a message, user mode
/// ([`Moobius::send_menu_item_click`](crate::Moobius::send_menu_item_click)).
///
/// ```
/// use moobius_tokio::MenuClick;
/// use moobius_tokio::proto::ws::ClickedMessage;
/// use moobius_tokio::proto::model::MessageContent;
/// let msg = ClickedMessage { message_id: None, subtype: None, content: MessageContent::text("hi") };
/// let c = MenuClick::new("chan", "mi_repeat", msg).argument("times", "3");
/// assert_eq!(c.arguments[0].value, "3");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct MenuClick {
    /// The channel.
    pub channel_id: ChannelId,
    /// The menu item.
    pub menu_item_id: MenuItemId,
    /// The message right-clicked.
    pub message: ClickedMessage,
    /// The dialog's values.
    pub arguments: Vec<ClickArgument>,
    /// The dialog's bottom button pressed (default `"confirm"`).
    pub bottom_button_id: Option<String>,
}

impl MenuClick {
    /// Clicks `menu_item_id` on `message`.
    pub fn new(
        channel_id: impl Into<ChannelId>,
        menu_item_id: impl Into<MenuItemId>,
        message: ClickedMessage,
    ) -> Self {
        Self {
            channel_id: channel_id.into(),
            menu_item_id: menu_item_id.into(),
            message,
            arguments: Vec::new(),
            bottom_button_id: None,
        }
    }

    /// Clicks `menu_item_id` on a received message (its channel, id,
    /// subtype and content).
    pub fn on_message(menu_item_id: impl Into<MenuItemId>, message: &MessageBody) -> Self {
        let clicked = ClickedMessage {
            message_id: message.message_id.clone(),
            subtype: Some(message.subtype.clone()),
            content: message.content.clone(),
        };
        Self::new(message.channel_id.clone(), menu_item_id, clicked)
    }

    /// Adds a dialog value.
    pub fn argument(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.arguments.push(ClickArgument::new(label, value));
        self
    }

    /// Sets the bottom button pressed.
    pub fn bottom_button(mut self, id: impl Into<String>) -> Self {
        self.bottom_button_id = Some(id.into());
        self
    }
}
