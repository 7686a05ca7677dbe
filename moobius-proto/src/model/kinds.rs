//! The closed sets of wire strings (PROTOCOL.md §7.2), each open to new values.

use crate::macros::open_enum;

open_enum! {
    /// What a message carries.
    MessageSubtype {
        /// Plain text in `content.text`.
        Text => "text",
        /// An image at `content.path`.
        Image => "image",
        /// An audio clip at `content.path`.
        Audio => "audio",
        /// A file at `content.path`, with `filename` and `size`.
        File => "file",
        /// A card: `text`, `link`, `title` and `button`.
        Card => "card",
    }
}

open_enum! {
    /// What an `update` frame changes.
    UpdateSubtype {
        /// The character list.
        Characters => "characters",
        /// The button bar.
        Buttons => "buttons",
        /// The context menu of messages.
        Menu => "menu",
        /// Widget styles.
        Style => "style",
        /// The canvas.
        Canvas => "canvas",
        /// The channel's name and description.
        ChannelInfo => "channel_info",
    }
}

open_enum! {
    /// The subtype of an `action` frame, in either direction.
    ActionSubtype {
        /// A user joined (received by services).
        Join => "join",
        /// A user left (received by services).
        Leave => "leave",
        /// A user asks to join (sent in user mode).
        JoinChannel => "join_channel",
        /// A user asks to leave (sent in user mode).
        LeaveChannel => "leave_channel",
        /// A client asks for the channel's current state.
        Refresh => "refresh",
        /// A button (and maybe its dialog) was clicked.
        ButtonClick => "button_click",
        /// A context-menu item was clicked on a message.
        MenuItemClick => "menu_item_click",
    }
}

open_enum! {
    /// A widget a style item applies to.
    Widget {
        /// The canvas.
        Canvas => "canvas",
        /// A button (named by `button_id`).
        Button => "button",
    }
}

open_enum! {
    /// How a widget is shown.
    Display {
        /// Hidden.
        Invisible => "invisible",
        /// Shown.
        Visible => "visible",
        /// Shown and highlighted.
        Highlight => "highlight",
    }
}

open_enum! {
    /// The kind of an input field in a dialog.
    InputType {
        /// One line of text.
        Text => "text",
        /// Several lines of text.
        Textbox => "textbox",
        /// A choice among `choices`.
        Dropdown => "dropdown",
        /// A number.
        Number => "number",
        /// Hidden text.
        Password => "password",
        /// Declared by the platform as invalid.
        Invalid => "invalid",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept() {
        let s: MessageSubtype = serde_json::from_str("\"sticker\"").unwrap();
        assert_eq!(s, MessageSubtype::Other("sticker".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"sticker\"");
        for k in MessageSubtype::KNOWN {
            assert_eq!(&MessageSubtype::from_wire(k.as_str()), k);
        }
    }
}
