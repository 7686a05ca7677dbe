//! Context-menu items.

use super::{Dialog, MessageSubtype, OneOrList};
use crate::ids::MenuItemId;
use serde::{Deserialize, Serialize};

/// An item of the context menu shown on messages of the listed subtypes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MenuItem {
    /// Id echoed in the click.
    pub menu_item_id: MenuItemId,
    /// Label.
    pub menu_item_text: String,
    /// Subtypes of the messages it appears on: one subtype or a list, kept
    /// in the form it arrived in (a decoded item encodes back the same).
    pub message_subtypes: OneOrList<MessageSubtype>,
    /// Dialog opened by the click, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog: Option<Dialog>,
}

impl MenuItem {
    /// An item shown on messages of `subtypes`.
    #[must_use]
    pub fn new(
        menu_item_id: impl Into<MenuItemId>,
        text: impl Into<String>,
        subtypes: impl IntoIterator<Item = MessageSubtype>,
    ) -> Self {
        Self {
            menu_item_id: menu_item_id.into(),
            menu_item_text: text.into(),
            message_subtypes: subtypes.into_iter().collect(),
            dialog: None,
        }
    }

    /// The same item, opening `dialog` when clicked.
    #[must_use]
    pub fn with_dialog(mut self, dialog: Dialog) -> Self {
        self.dialog = Some(dialog);
        self
    }
}
