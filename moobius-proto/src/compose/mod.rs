//! Turning what an application wants to send into frame contents, without
//! I/O: `send_message`'s normalisation (PROTOCOL.md §8.1), recipients, and
//! the subtype of a file by its extension.
//!
//! What needs I/O is returned as a [`FileToResolve`]: a local file to upload
//! or a URL whose size to ask. The session does that through the HTTP API
//! and fills the content in before the frame leaves.

mod file_kind;
mod message;
mod recipients;

pub use file_kind::{subtype_for_path, DEFAULT_IMAGE_URL};
pub use message::{
    compose_message, Card, ComposeError, ComposedMessage, FileSource, FileToResolve, MessageInput,
    MessageSpec, NO_SENDER,
};
pub use recipients::{CharacterList, Recipients};
