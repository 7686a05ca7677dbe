//! The canvas.

use serde::{Deserialize, Serialize};

/// One item of the canvas: text, an image URL, or both. The list sent
/// replaces the whole canvas; both `None` is an empty canvas.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CanvasItem {
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl CanvasItem {
    /// A text-only item.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            path: None,
        }
    }

    /// An image-only item.
    #[must_use]
    pub fn image(url: impl Into<String>) -> Self {
        Self {
            text: None,
            path: Some(url.into()),
        }
    }

    /// The same item with an image URL (text and image together).
    #[must_use]
    pub fn with_path(mut self, url: impl Into<String>) -> Self {
        self.path = Some(url.into());
        self
    }
}
