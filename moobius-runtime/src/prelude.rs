//! The part of both drivers' preludes that is the same: the configuration
//! and errors, the option types of the handle methods, what a message is
//! built from, the model types and the ids. `moobius_tokio::prelude` and
//! `moobius_blocking::prelude` re-export all of it beside their own trait,
//! handle and entry points; import one of those.

pub use crate::{CallbackResult, Config, Error, Mode, Options};
pub use moobius_proto::compose::{Card, CharacterList, FileSource, MessageSpec, Recipients};
pub use moobius_proto::model::{
    ActionSubtype, BottomButton, Button, ButtonClick, CanvasItem, ChannelInfo, Character,
    ClickArgument, CopyBody, Dialog, Display, InputComponent, InputType, MenuItem, MenuItemClick,
    MessageBody, MessageContent, MessageSubtype, SimpleAction, StyleItem, UpdateBody,
    UpdateContent, UserInfo, Widget,
};
pub use moobius_proto::ops::{Click, DownloadOptions, MenuClick, NewChannel, Profile};
pub use moobius_proto::ws::UnknownFrame;
pub use moobius_proto::{
    ButtonId, ChannelId, CharacterId, GroupId, MenuItemId, MessageId, ServiceId,
};
