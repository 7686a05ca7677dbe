//! Clicks on buttons and menu items, as services receive them.

use super::lenient::flatten_one_level;
use super::{Context, MessageContent, MessageSubtype};
use crate::ids::{ButtonId, ChannelId, CharacterId, MenuItemId, MessageId};
use serde::{Deserialize, Serialize};

/// The value a user entered in one dialog field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClickArgument {
    /// The field's label (its id).
    pub label: String,
    /// What was entered; always a string.
    pub value: String,
    /// Name of an uploaded file, for file inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

impl ClickArgument {
    /// An argument without a file name.
    #[must_use]
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
            filename: None,
        }
    }
}

/// A button click received by a service (`action` / `button_click`).
///
/// `arguments` arrive flat; a peer that nests them one list deeper (as the
/// reference SDK sends them) is flattened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ButtonClick {
    /// The clicked button.
    pub button_id: ButtonId,
    /// Its channel.
    pub channel_id: ChannelId,
    /// Who clicked.
    pub sender: CharacterId,
    /// Dialog values, in the dialog's order; empty without a dialog.
    #[serde(default, deserialize_with = "flatten_one_level")]
    pub arguments: Vec<ClickArgument>,
    /// Legacy list of labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// The dialog's bottom button that was pressed (`"confirm"` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom_button_id: Option<String>,
    /// Free-form context.
    #[serde(
        default,
        deserialize_with = "super::deserialize_raw_context",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<Context>,
    /// Legacy button type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_type: Option<String>,
}

/// A context-menu click on a message received by a service
/// (`action` / `menu_item_click`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MenuItemClick {
    /// The clicked item.
    pub menu_item_id: MenuItemId,
    /// Subtype of the clicked message.
    pub message_subtype: MessageSubtype,
    /// Content of the clicked message.
    #[serde(default)]
    pub message_content: MessageContent,
    /// Its channel.
    pub channel_id: ChannelId,
    /// Who clicked.
    pub sender: CharacterId,
    /// Id of the clicked message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    /// Dialog values, flat.
    #[serde(default, deserialize_with = "flatten_one_level")]
    pub arguments: Vec<ClickArgument>,
    /// The dialog's bottom button that was pressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom_button_id: Option<String>,
    /// Free-form context.
    #[serde(
        default,
        deserialize_with = "super::deserialize_raw_context",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<Context>,
}

impl ButtonClick {
    /// A click of `button_id` by `sender` in `channel_id`, without dialog
    /// values (set the other public fields as needed).
    #[must_use]
    pub fn new(
        button_id: impl Into<ButtonId>,
        channel_id: impl Into<ChannelId>,
        sender: impl Into<CharacterId>,
    ) -> Self {
        Self {
            button_id: button_id.into(),
            channel_id: channel_id.into(),
            sender: sender.into(),
            arguments: Vec::new(),
            labels: None,
            bottom_button_id: None,
            context: None,
            button_type: None,
        }
    }
}

impl MenuItemClick {
    /// A click of `menu_item_id` by `sender` in `channel_id` on a message of
    /// that subtype and content, without dialog values (set the other public
    /// fields as needed).
    #[must_use]
    pub fn new(
        menu_item_id: impl Into<MenuItemId>,
        message_subtype: MessageSubtype,
        message_content: MessageContent,
        channel_id: impl Into<ChannelId>,
        sender: impl Into<CharacterId>,
    ) -> Self {
        Self {
            menu_item_id: menu_item_id.into(),
            message_subtype,
            message_content,
            channel_id: channel_id.into(),
            sender: sender.into(),
            message_id: None,
            arguments: Vec::new(),
            bottom_button_id: None,
            context: None,
        }
    }
}
