//! The platform's data model (PROTOCOL.md §7): the values that travel inside
//! websocket frames and HTTP bodies.
//!
//! Closed sets of strings are enums that keep unknown values as `Other(String)`;
//! free-form objects (`context`) are [`Context`] maps because their shape is the
//! application's, not the protocol's (a received one stays JSON text until read).

mod action;
mod button;
mod canvas;
mod channel;
mod character;
mod character_ids;
mod click;
mod context;
mod copy;
#[cfg(test)]
mod field_lists;
mod group;
mod kinds;
mod lenient;
mod menu;
mod message;
mod one_or_list;
mod style;
mod update;
mod user;

pub(crate) use context::deserialize_raw_context;
pub(crate) use lenient::flatten_one_level as flatten_click_arguments;
pub(crate) use message::RawContext;

pub use action::SimpleAction;
pub use button::{BottomButton, Button, Dialog, InputComponent};
pub use canvas::CanvasItem;
pub use channel::ChannelInfo;
pub use character::{Character, CharacterRefs, GroupRef};
pub use character_ids::IntoCharacterIds;
pub use click::{ButtonClick, ClickArgument, MenuItemClick};
pub use context::Context;
pub use copy::CopyBody;
pub use group::Group;
pub use kinds::{ActionSubtype, Display, InputType, MessageSubtype, UpdateSubtype, Widget};
pub use menu::MenuItem;
pub(crate) use message::MessageBodyParts;
pub use message::{MessageBody, MessageContent};
pub use one_or_list::OneOrList;
pub use style::StyleItem;
pub use update::{UpdateBody, UpdateContent};
pub use user::UserInfo;
