//! Widget styles.

use super::{Display, Widget};
use crate::ids::ButtonId;
use serde::{Deserialize, Serialize};

/// How one widget is displayed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StyleItem {
    /// The widget.
    pub widget: Widget,
    /// Hidden, visible or highlighted.
    pub display: Display,
    /// Canvas only: expanded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<bool>,
    /// For `widget: button`: which button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_id: Option<ButtonId>,
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl StyleItem {
    /// A style for a widget.
    #[must_use]
    pub fn new(widget: Widget, display: Display) -> Self {
        Self {
            widget,
            display,
            expand: None,
            button_id: None,
            text: None,
        }
    }

    /// The same style, expanded (or not; canvas only).
    #[must_use]
    pub fn with_expand(mut self, expand: bool) -> Self {
        self.expand = Some(expand);
        self
    }

    /// The same style, for one button (`widget: button`).
    #[must_use]
    pub fn with_button_id(mut self, button_id: impl Into<ButtonId>) -> Self {
        self.button_id = Some(button_id.into());
        self
    }

    /// The same style with a text.
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }
}
