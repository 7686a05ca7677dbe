//! Option structs of the operations that take more than a few arguments,
//! the same for both drivers.

use crate::ids::{ButtonId, ChannelId, MenuItemId, MessageId};
use crate::model::{ClickArgument, MessageBody};
use crate::ws::ClickedMessage;
use std::path::PathBuf;

/// A channel to create (`Moobius::create_channel`).
///
/// ```
/// use moobius_proto::ops::NewChannel;
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
/// (`Moobius::create_agent`) or the signed-in
/// user's (`Moobius::update_current_user`).
///
/// The avatar is a URL or a local image path (uploaded first); none means
/// the platform's default image.
///
/// ```
/// use moobius_proto::ops::Profile;
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

/// A button click, user mode (`Moobius::send_button_click`).
///
/// ```
/// use moobius_proto::ops::Click;
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
/// (`Moobius::send_menu_item_click`).
///
/// ```
/// use moobius_proto::ops::MenuClick;
/// use moobius_proto::ws::ClickedMessage;
/// use moobius_proto::model::MessageContent;
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

/// The folder downloads land in when no other is given: `downloads`,
/// relative to the working directory, as the reference's `./downloads`.
pub const DEFAULT_DOWNLOAD_DIR: &str = "downloads";

/// Where `Moobius::download` puts a file, and whom it trusts.
///
/// The file lands in `dir` ([`DEFAULT_DOWNLOAD_DIR`] for
/// [`DownloadOptions::default`]) under `file_name` (default: the last
/// segment of the URL, made safe; a timestamped name when the URL has
/// none). A name that would leave `dir` (a path separator, `..`, an
/// absolute path) is refused, and an existing file is not overwritten
/// unless asked: a documented deviation, the reference's `Moobius.download`
/// overwrites by default. Auth headers go only where
/// [`auth_scope`](crate::http::auth_scope) allows.
///
/// ```
/// use moobius_proto::ops::DownloadOptions;
/// let o = DownloadOptions::into_dir("downloads").file_name("cat.png").overwrite(true);
/// assert!(o.overwrite);
/// let d = DownloadOptions::default();
/// assert_eq!(d.dir, std::path::Path::new("downloads"));
/// assert!(!d.overwrite && !d.with_auth);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct DownloadOptions {
    /// The folder (created if missing).
    pub dir: PathBuf,
    /// The file name within it.
    pub file_name: Option<String>,
    /// Replace an existing file (default `false`).
    pub overwrite: bool,
    /// Send the platform's auth headers (for private buckets), to the
    /// hosts [`auth_scope`](crate::http::auth_scope) allows.
    pub with_auth: bool,
    /// Further hosts (`host` or `host:port`) trusted with the auth headers.
    pub auth_hosts: Vec<String>,
    /// Allow the auth headers over plain `http://` to a host that is not
    /// loopback (they travel readable by anyone on the way).
    pub allow_plain_http_auth: bool,
}

impl Default for DownloadOptions {
    /// Into [`DEFAULT_DOWNLOAD_DIR`], named after the URL, never
    /// overwriting, no auth.
    fn default() -> Self {
        Self::into_dir(DEFAULT_DOWNLOAD_DIR)
    }
}

/// What `Moobius::download` fetches: a URL, or a received message (its
/// file's URL, `content.path`), as the reference's `source` argument.
///
/// ```
/// use moobius_proto::ops::DownloadSource;
/// let s = DownloadSource::from("https://files.example/cat.png");
/// assert_eq!(s.url(), Some("https://files.example/cat.png"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DownloadSource {
    /// A file's URL.
    Url(String),
    /// A message's file.
    Message {
        /// The message's id, for the error when it has no file.
        message_id: Option<MessageId>,
        /// Its `content.path` (`None` when it has none, or an empty one).
        path: Option<String>,
    },
}

impl DownloadSource {
    /// The URL to fetch; `None` for a message without a file.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Url(url) => Some(url),
            Self::Message { path, .. } => path.as_deref(),
        }
    }
}

impl From<&str> for DownloadSource {
    fn from(url: &str) -> Self {
        Self::Url(url.to_owned())
    }
}

impl From<String> for DownloadSource {
    fn from(url: String) -> Self {
        Self::Url(url)
    }
}

impl From<&String> for DownloadSource {
    fn from(url: &String) -> Self {
        Self::Url(url.clone())
    }
}

impl From<&MessageBody> for DownloadSource {
    fn from(message: &MessageBody) -> Self {
        Self::Message {
            message_id: message.message_id.clone(),
            path: message.content.path.clone().filter(|p| !p.is_empty()),
        }
    }
}

impl From<MessageBody> for DownloadSource {
    fn from(message: MessageBody) -> Self {
        Self::from(&message)
    }
}

impl DownloadOptions {
    /// Into `dir`, named after the URL, never overwriting, no auth.
    pub fn into_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            file_name: None,
            overwrite: false,
            with_auth: false,
            auth_hosts: Vec::new(),
            allow_plain_http_auth: false,
        }
    }

    /// Names the file (a plain name, no folders).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Allows replacing an existing file.
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Sends the platform's auth headers with the request (to the
    /// platform's own host, or hosts named with
    /// [`trust_host`](Self::trust_host)).
    pub fn with_auth(mut self, with_auth: bool) -> Self {
        self.with_auth = with_auth;
        self
    }

    /// Trusts `host` (`host` or `host:port`) with the auth headers too.
    pub fn trust_host(mut self, host: impl Into<String>) -> Self {
        self.auth_hosts.push(host.into());
        self
    }

    /// Allows the auth headers over plain `http://` to a host that is not
    /// loopback: a decision to let them travel unencrypted.
    pub fn allow_plain_http_auth(mut self, allow: bool) -> Self {
        self.allow_plain_http_auth = allow;
        self
    }
}
