//! Widget styles.

use super::{Display, Widget};
use crate::ids::ButtonId;
use serde::{Deserialize, Serialize};

/// How one widget is displayed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}
