//! `send_message`'s options and their normalisation into frame content.

use super::file_kind::{file_name, subtype_for_path, DEFAULT_IMAGE_URL};
use super::Recipients;
use crate::ids::{ChannelId, CharacterId, ServiceId};
use crate::model::{Context, GroupRef, MessageBody, MessageContent, MessageSubtype};
use crate::ws::{MessageDown, MessageUp};
use std::path::PathBuf;

/// Sender written when a service sends without naming one (the reference
/// SDK's intent; it crashes instead).
pub const NO_SENDER: &str = "no_sender";

/// Where a file comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileSource {
    /// Already online: sent as is. An empty URL means the platform's default image.
    Url(String),
    /// A local file: the driver uploads it first and sends its public URL.
    Local(PathBuf),
}

/// A card: text with a link and a button.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Card {
    /// Body text.
    pub text: String,
    /// Target URL.
    pub link: String,
    /// Title.
    pub title: Option<String>,
    /// Button label.
    pub button: String,
}

impl Card {
    /// A card without a title.
    #[must_use]
    pub fn new(
        text: impl Into<String>,
        link: impl Into<String>,
        button: impl Into<String>,
    ) -> Self {
        Self {
            text: text.into(),
            link: link.into(),
            title: None,
            button: button.into(),
        }
    }

    /// The same card with a title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// What a message carries, as the application says it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageInput {
    /// Plain text.
    Text(String),
    /// A file, image or audio clip; without a subtype it is inferred from the
    /// file name's extension (`image`, `audio`, else `file`).
    File {
        /// Where the file is.
        source: FileSource,
        /// Its subtype, when known.
        subtype: Option<MessageSubtype>,
    },
    /// A card.
    Card(Card),
    /// Ready-made content of any subtype (e.g. a forwarded message's).
    Content {
        /// Its subtype.
        subtype: MessageSubtype,
        /// Its content (a `path` in it must already be a URL).
        content: MessageContent,
    },
}

/// Every option of `send_message`, as one value. Build it with a constructor
/// and the chained setters.
///
/// ```
/// use moobius_proto::compose::{compose_message, MessageSpec, Recipients};
/// let spec = MessageSpec::text("chan", "hello", Recipients::Characters(vec!["u1".into()]))
///     .sender("agent")
///     .len_limit(3);
/// let m = compose_message(spec)?;
/// assert_eq!(m.content.text.as_deref(), Some("hel...5 chars"));
/// # Ok::<(), moobius_proto::compose::ComposeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub struct MessageSpec {
    /// The channel.
    pub channel_id: ChannelId,
    /// What to send.
    pub input: MessageInput,
    /// Who gets it.
    pub recipients: Recipients,
    /// Author shown (service mode); [`NO_SENDER`] when `None` or empty.
    pub sender: Option<CharacterId>,
    /// Subtype forced over anything inferred.
    pub subtype: Option<MessageSubtype>,
    /// Name shown for a file (default: the file name).
    pub file_display_name: Option<String>,
    /// Longer texts are cut to this many characters plus `...N chars`.
    pub len_limit: Option<usize>,
    /// Free-form context sent along.
    pub context: Option<Context>,
}

impl MessageSpec {
    /// Any input.
    pub fn new(
        channel_id: impl Into<ChannelId>,
        input: MessageInput,
        recipients: impl Into<Recipients>,
    ) -> Self {
        Self {
            channel_id: channel_id.into(),
            input,
            recipients: recipients.into(),
            sender: None,
            subtype: None,
            file_display_name: None,
            len_limit: None,
            context: None,
        }
    }

    /// A text message.
    pub fn text(
        channel_id: impl Into<ChannelId>,
        text: impl Into<String>,
        recipients: impl Into<Recipients>,
    ) -> Self {
        Self::new(channel_id, MessageInput::Text(text.into()), recipients)
    }

    /// An image (by URL or local path).
    pub fn image(
        channel_id: impl Into<ChannelId>,
        source: FileSource,
        recipients: impl Into<Recipients>,
    ) -> Self {
        Self::file_of(channel_id, source, Some(MessageSubtype::Image), recipients)
    }

    /// An audio clip.
    pub fn audio(
        channel_id: impl Into<ChannelId>,
        source: FileSource,
        recipients: impl Into<Recipients>,
    ) -> Self {
        Self::file_of(channel_id, source, Some(MessageSubtype::Audio), recipients)
    }

    /// A file, its subtype inferred from its extension.
    pub fn file(
        channel_id: impl Into<ChannelId>,
        source: FileSource,
        recipients: impl Into<Recipients>,
    ) -> Self {
        Self::file_of(channel_id, source, None, recipients)
    }

    fn file_of(
        channel_id: impl Into<ChannelId>,
        source: FileSource,
        subtype: Option<MessageSubtype>,
        recipients: impl Into<Recipients>,
    ) -> Self {
        Self::new(
            channel_id,
            MessageInput::File { source, subtype },
            recipients,
        )
    }

    /// A card.
    pub fn card(
        channel_id: impl Into<ChannelId>,
        card: Card,
        recipients: impl Into<Recipients>,
    ) -> Self {
        Self::new(channel_id, MessageInput::Card(card), recipients)
    }

    /// A received message sent on, with its subtype, content and context;
    /// its id and timestamp are not reused.
    pub fn forward(message: &MessageBody, recipients: impl Into<Recipients>) -> Self {
        let mut spec = Self::new(
            message.channel_id.clone(),
            MessageInput::Content {
                subtype: message.subtype.clone(),
                content: message.content.clone(),
            },
            recipients,
        );
        spec.sender = Some(message.sender.clone());
        spec.context = message.context.clone();
        spec
    }

    /// Sets the author shown.
    pub fn sender(mut self, sender: impl Into<CharacterId>) -> Self {
        self.sender = Some(sender.into());
        self
    }

    /// Forces the subtype.
    pub fn subtype(mut self, subtype: MessageSubtype) -> Self {
        self.subtype = Some(subtype);
        self
    }

    /// Sets the name shown for a file.
    pub fn file_display_name(mut self, name: impl Into<String>) -> Self {
        self.file_display_name = Some(name.into());
        self
    }

    /// Cuts longer texts.
    pub fn len_limit(mut self, chars: usize) -> Self {
        self.len_limit = Some(chars);
        self
    }

    /// Sets the context.
    pub fn context(mut self, context: Context) -> Self {
        self.context = Some(context);
        self
    }
}

/// Work that needs I/O before the message can leave.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileToResolve {
    /// Upload this local file; put its URL in `content.path` and its size in
    /// `content.size` ([`ComposedMessage::file_uploaded`]).
    Upload(PathBuf),
    /// Ask this URL's size (`HEAD`) for `content.size` ([`ComposedMessage::file_size`]).
    Size(String),
}

/// A normalised message: everything the frame needs except the recipients'
/// group id, the timestamp and the request id.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComposedMessage {
    /// The channel.
    pub channel_id: ChannelId,
    /// Final subtype.
    pub subtype: MessageSubtype,
    /// Final content (but for [`pending`](Self::pending) work).
    pub content: MessageContent,
    /// Who gets it.
    pub recipients: Recipients,
    /// Author (service mode).
    pub sender: CharacterId,
    /// Context (`{}` when none).
    pub context: Context,
    /// I/O still to do.
    pub pending: Option<FileToResolve>,
}

/// Why a message cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ComposeError {
    /// The recipient list is empty: nothing would be delivered.
    #[error("message to channel {channel_id} has no recipients; nothing was sent")]
    NoRecipients {
        /// The channel.
        channel_id: ChannelId,
    },
}

/// Normalises `spec` (PROTOCOL.md §8.1, minus the reference's accidents).
pub fn compose_message(spec: MessageSpec) -> Result<ComposedMessage, ComposeError> {
    if spec.recipients.is_empty() {
        return Err(ComposeError::NoRecipients {
            channel_id: spec.channel_id,
        });
    }
    let (mut subtype, mut content, pending) = match spec.input {
        MessageInput::Text(text) => (MessageSubtype::Text, MessageContent::text(text), None),
        MessageInput::Card(card) => (
            MessageSubtype::Card,
            MessageContent {
                text: Some(card.text),
                link: Some(card.link),
                title: card.title,
                button: Some(card.button),
                ..MessageContent::default()
            },
            None,
        ),
        MessageInput::Content { subtype, content } => (subtype, content, None),
        MessageInput::File { source, subtype } => file_content(
            source,
            subtype,
            spec.file_display_name.as_deref(),
            spec.subtype.as_ref(),
        ),
    };
    if let (Some(limit), Some(text)) = (spec.len_limit, content.text.as_mut()) {
        cut_text(text, limit);
    }
    if let Some(forced) = spec.subtype {
        subtype = forced;
    }
    Ok(finish(
        spec.channel_id,
        subtype,
        content,
        spec.recipients,
        spec.sender,
        spec.context,
        pending,
    ))
}

fn finish(
    channel_id: ChannelId,
    subtype: MessageSubtype,
    content: MessageContent,
    recipients: Recipients,
    sender: Option<CharacterId>,
    context: Option<Context>,
    pending: Option<FileToResolve>,
) -> ComposedMessage {
    ComposedMessage {
        channel_id,
        subtype,
        content,
        recipients,
        sender: sender
            .filter(|s| !s.as_str().is_empty())
            .unwrap_or_else(|| CharacterId::new(NO_SENDER)),
        context: context.unwrap_or_default(),
        pending,
    }
}

fn file_content(
    source: FileSource,
    subtype: Option<MessageSubtype>,
    display_name: Option<&str>,
    forced: Option<&MessageSubtype>,
) -> (MessageSubtype, MessageContent, Option<FileToResolve>) {
    let (path_text, pending) = match &source {
        FileSource::Url(url) if url.trim().is_empty() => (DEFAULT_IMAGE_URL.to_owned(), None),
        FileSource::Url(url) => (
            url.trim().to_owned(),
            Some(FileToResolve::Size(url.trim().to_owned())),
        ),
        FileSource::Local(p) => (
            p.to_string_lossy().into_owned(),
            Some(FileToResolve::Upload(p.clone())),
        ),
    };
    let subtype = forced
        .cloned()
        .or(subtype)
        .or_else(|| display_name.map(|_| MessageSubtype::File))
        .unwrap_or_else(|| subtype_for_path(&path_text));
    let filename = display_name.map_or_else(|| file_name(&path_text).to_owned(), str::to_owned);
    let content = MessageContent {
        path: Some(match pending {
            Some(FileToResolve::Upload(_)) => String::new(),
            _ => path_text,
        }),
        filename: Some(filename),
        ..MessageContent::default()
    };
    let pending = match (pending, &subtype) {
        (Some(FileToResolve::Size(_)), s) if *s != MessageSubtype::File => None,
        (p, _) => p,
    };
    (subtype, content, pending)
}

/// `abcdefghij` with limit 4 → `abcd...10 chars`.
fn cut_text(text: &mut String, limit: usize) {
    let total = text.chars().count();
    if total > limit {
        let cut: String = text.chars().take(limit).collect();
        *text = format!("{cut}...{total} chars");
    }
}

impl ComposedMessage {
    /// Records the result of an [`FileToResolve::Upload`].
    pub fn file_uploaded(&mut self, url: String, size: u64) {
        self.content.path = Some(url);
        if self.subtype == MessageSubtype::File {
            self.content.size = Some(size);
        }
        self.pending = None;
    }

    /// Records the result of a [`FileToResolve::Size`] (`None`: unknown).
    pub fn file_size(&mut self, size: Option<u64>) {
        self.content.size = size;
        self.pending = None;
    }

    /// The `message_down` frame (service mode).
    #[must_use]
    pub fn into_message_down(
        self,
        service_id: ServiceId,
        recipients: GroupRef,
        timestamp: i64,
    ) -> MessageDown {
        MessageDown {
            service_id,
            channel_id: self.channel_id,
            subtype: self.subtype,
            content: self.content,
            recipients,
            sender: self.sender,
            timestamp,
            context: self.context,
        }
    }

    /// The `message_up` frame (user mode; the sender is the logged-in user).
    #[must_use]
    pub fn into_message_up(
        self,
        user_id: CharacterId,
        recipients: GroupRef,
        timestamp: i64,
    ) -> MessageUp {
        MessageUp {
            user_id,
            channel_id: self.channel_id,
            subtype: self.subtype,
            content: self.content,
            recipients,
            timestamp,
            context: self.context,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to() -> Recipients {
        Recipients::Characters(vec!["u".into()])
    }

    #[test]
    fn empty_recipients_are_refused() {
        let err = compose_message(MessageSpec::text("c", "x", Recipients::Characters(vec![])))
            .unwrap_err();
        assert!(matches!(err, ComposeError::NoRecipients { .. }));
    }

    #[test]
    fn missing_or_empty_sender_is_no_sender() {
        let m = compose_message(MessageSpec::text("c", "x", to())).unwrap();
        assert_eq!(m.sender, NO_SENDER);
        let m = compose_message(MessageSpec::text("c", "x", to()).sender("")).unwrap();
        assert_eq!(m.sender, NO_SENDER);
    }

    #[test]
    fn len_limit_counts_characters_not_bytes() {
        let m = compose_message(MessageSpec::text("c", "ééééé", to()).len_limit(2)).unwrap();
        assert_eq!(m.content.text.as_deref(), Some("éé...5 chars"));
        let m = compose_message(MessageSpec::text("c", "short", to()).len_limit(5)).unwrap();
        assert_eq!(m.content.text.as_deref(), Some("short"));
    }

    #[test]
    fn files() {
        let m = compose_message(MessageSpec::file(
            "c",
            FileSource::Url("https://h/a.png".into()),
            to(),
        ))
        .unwrap();
        assert_eq!(m.subtype, MessageSubtype::Image);
        assert_eq!(m.pending, None, "no HEAD for images");
        let m = compose_message(MessageSpec::file(
            "c",
            FileSource::Url("https://h/r.pdf".into()),
            to(),
        ))
        .unwrap();
        assert_eq!(m.subtype, MessageSubtype::File);
        assert_eq!(
            m.pending,
            Some(FileToResolve::Size("https://h/r.pdf".into()))
        );
        let mut m = compose_message(MessageSpec::file(
            "c",
            FileSource::Local("/tmp/n.txt".into()),
            to(),
        ))
        .unwrap();
        assert_eq!(m.pending, Some(FileToResolve::Upload("/tmp/n.txt".into())));
        m.file_uploaded("https://b/k.txt".into(), 32);
        assert_eq!(m.content.path.as_deref(), Some("https://b/k.txt"));
        assert_eq!(m.content.size, Some(32));
        assert_eq!(m.content.filename.as_deref(), Some("n.txt"));
        let m = compose_message(MessageSpec::image(
            "c",
            FileSource::Url(String::new()),
            to(),
        ))
        .unwrap();
        assert_eq!(m.content.path.as_deref(), Some(DEFAULT_IMAGE_URL));
    }
}
