//! Buttons and the dialogs they open.

use super::InputType;
use crate::ids::ButtonId;
use serde::{Deserialize, Serialize};

fn default_dialog_title() -> String {
    "Dialog".to_owned()
}

/// A button in the channel's button bar. Clicking it either sends a
/// `button_click` at once or, when it has a dialog, opens the dialog first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Button {
    /// Id echoed back in the click.
    pub button_id: ButtonId,
    /// Label shown on the button.
    pub button_text: String,
    /// Dialog opened by the click, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialog: Option<Dialog>,
}

impl Button {
    /// A button without a dialog.
    #[must_use]
    pub fn new(button_id: impl Into<ButtonId>, button_text: impl Into<String>) -> Self {
        Self {
            button_id: button_id.into(),
            button_text: button_text.into(),
            dialog: None,
        }
    }

    /// The same button, opening `dialog` when clicked.
    #[must_use]
    pub fn with_dialog(mut self, dialog: Dialog) -> Self {
        self.dialog = Some(dialog);
        self
    }
}

/// A form shown when a button or menu item is clicked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Dialog {
    /// Title (the platform's default is `"Dialog"`).
    #[serde(default = "default_dialog_title")]
    pub title: String,
    /// Input fields, in order; their values come back in that order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<InputComponent>>,
    /// Buttons at the bottom; `None` shows the default `confirm` button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom_buttons: Option<Vec<BottomButton>>,
}

impl Dialog {
    /// An empty dialog with a title.
    #[must_use]
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            components: None,
            bottom_buttons: None,
        }
    }

    /// Appends an input field.
    #[must_use]
    pub fn component(mut self, c: InputComponent) -> Self {
        self.components.get_or_insert_with(Vec::new).push(c);
        self
    }

    /// Appends a bottom button.
    #[must_use]
    pub fn bottom_button(mut self, b: BottomButton) -> Self {
        self.bottom_buttons.get_or_insert_with(Vec::new).push(b);
        self
    }
}

/// One input field of a dialog. Its `label` is also its id: the click's
/// arguments carry it back as `ClickArgument::label`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputComponent {
    /// Label and id.
    pub label: String,
    /// Kind of input.
    #[serde(rename = "type")]
    pub kind: InputType,
    /// Whether a value is required (platform default: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Hint shown while empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Choices of a dropdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
}

impl InputComponent {
    /// A field of the given kind.
    #[must_use]
    pub fn new(label: impl Into<String>, kind: InputType) -> Self {
        Self {
            label: label.into(),
            kind,
            required: None,
            placeholder: None,
            choices: None,
        }
    }

    /// The same field, required (or not).
    #[must_use]
    pub fn with_required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// The same field with a hint shown while empty.
    #[must_use]
    pub fn with_placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = Some(placeholder.into());
        self
    }

    /// The same field with the choices of a dropdown.
    #[must_use]
    pub fn with_choices<S: Into<String>>(mut self, choices: impl IntoIterator<Item = S>) -> Self {
        self.choices = Some(choices.into_iter().map(Into::into).collect());
        self
    }
}

/// A button at the bottom of a dialog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BottomButton {
    /// Id echoed as the click's `bottom_button_id`.
    pub id: String,
    /// Label.
    pub text: String,
    /// `true` sends the click; `false` only closes the dialog.
    pub submit: bool,
}

impl BottomButton {
    /// A bottom button; `submit` sends the click, otherwise it only closes
    /// the dialog.
    #[must_use]
    pub fn new(id: impl Into<String>, text: impl Into<String>, submit: bool) -> Self {
        Self {
            id: id.into(),
            text: text.into(),
            submit,
        }
    }
}
