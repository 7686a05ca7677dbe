//! The fast path of [`super::decode_inbound`]: the frames a running service
//! or user receives most (`message_up`, `message_down`, `action` and `copy`)
//! in their usual form, read in one pass by [`Scan`] straight into the model.
//!
//! It answers `Some` only where the `serde_json` decoder in `inbound.rs` would
//! give the same value, and `None` ("not here") for anything else: another
//! frame type, a key it does not expect twice, a shape the lenient decoder
//! converts (a list of recipients, nested click arguments, `labels`), a
//! number that is not a plain integer, any error. `None` costs one more
//! pass, by the general decoder, which also says what is wrong.
//!
//! Key by key it mirrors the general decoder's rules: unknown keys are
//! skipped; in a message or action body a key given twice keeps its last
//! value (as the general decoder's hand-written visitors do); in the derived
//! types (`content`, click arguments, `copy` bodies) a repeated key is the
//! general decoder's error, so it is `None` here. That the two agree is
//! tested (`inbound_fast/tests.rs`) on every sample payload and on generated
//! variations of them, and fuzzed (`fuzz/fuzz_targets/ws_inbound.rs`).

use super::frame_type;
use super::inbound::{Action, ActionParts, Inbound};
use super::json_scan::Scan;
use crate::ids::{ChannelId, CharacterId, RequestId};
use crate::model::{
    ActionSubtype, CharacterRefs, ClickArgument, Context, CopyBody, GroupRef, MessageBody,
    MessageBodyParts, MessageContent, MessageSubtype,
};
use std::borrow::Cow;

/// Decodes `text` when it is one of the frames this path reads.
pub(super) fn decode(text: &str) -> Option<Inbound> {
    let mut s = Scan::new(text);
    let mut kind: Option<&'static str> = None;
    let mut decoded: Option<Inbound> = None;
    s.object(|s, key| match key {
        "type" if kind.is_none() => {
            kind = Some(match &*s.string()? {
                frame_type::MESSAGE_UP => frame_type::MESSAGE_UP,
                frame_type::MESSAGE_DOWN => frame_type::MESSAGE_DOWN,
                frame_type::ACTION => frame_type::ACTION,
                frame_type::COPY => frame_type::COPY,
                _ => return None,
            });
            Some(())
        }
        // The body is read once its type is known, and only once.
        "body" if decoded.is_none() => {
            decoded = Some(match kind? {
                frame_type::MESSAGE_UP => Inbound::MessageUp(Box::new(message_body(s)?)),
                frame_type::MESSAGE_DOWN => Inbound::MessageDown(Box::new(message_body(s)?)),
                frame_type::ACTION => Inbound::Action(action_body(s)?),
                _ => Inbound::Copy(copy_body(s)?),
            });
            Some(())
        }
        // `message` may make the frame a platform error: not here.
        "type" | "body" | "message" => None,
        _ => s.skip(),
    })?;
    s.end()?;
    decoded
}

/// A string, for an id or an open enum.
fn text<'a>(s: &mut Scan<'a>) -> Option<Cow<'a, str>> {
    s.string()
}

/// `null` → `None`, a string → `Some`, as `Option<Id>` decodes.
fn opt<T: for<'b> From<&'b str>>(s: &mut Scan<'_>) -> Option<Option<T>> {
    Some(s.opt_string()?.map(|t| T::from(&t)))
}

/// `null` → `None`, a string → `Some(String)`.
fn opt_owned(s: &mut Scan<'_>) -> Option<Option<String>> {
    Some(s.opt_string()?.map(Cow::into_owned))
}

/// A `context`: `null` → `None`; an object → its text, unparsed.
fn context(s: &mut Scan<'_>) -> Option<Option<Context>> {
    if s.null()? {
        return Some(None);
    }
    Some(Some(Context::from_object_text(s.raw_object()?)))
}

/// A derived struct's key: a repeat is the general decoder's error.
fn first(seen: &mut u16, bit: u16) -> Option<()> {
    let repeat = *seen & bit != 0;
    *seen |= bit;
    (!repeat).then_some(())
}

fn message_body(s: &mut Scan<'_>) -> Option<MessageBody> {
    let mut p = MessageBodyParts::default();
    s.object(|s, key| {
        match key {
            "subtype" => p.subtype = Some(MessageSubtype::from_wire(&text(s)?)),
            "channel_id" => p.channel_id = Some(ChannelId::from(&*text(s)?)),
            "content" => p.content = Some(message_content(s)?),
            "timestamp" => p.timestamp = i64::try_from(s.u64()?).ok()?,
            "recipients" => p.recipients = s.opt_string()?.map(|g| group_ref(&g)),
            "sender" => p.sender = Some(CharacterId::from(&*text(s)?)),
            "message_id" => p.message_id = opt(s)?,
            "context" => p.context = context(s)?,
            _ => s.skip()?,
        }
        Some(())
    })?;
    p.finish().ok()
}

/// A group id as `recipients` carries it (a list of ids or records is left
/// to the general decoder).
fn group_ref(g: &str) -> CharacterRefs {
    CharacterRefs::Group(match g {
        "service" => GroupRef::Service,
        id => GroupRef::Group(id.into()),
    })
}

fn message_content(s: &mut Scan<'_>) -> Option<MessageContent> {
    let mut c = MessageContent::default();
    let mut seen = 0u16;
    s.object(|s, key| {
        let (bit, field) = match key {
            "text" => (1, &mut c.text),
            "path" => (2, &mut c.path),
            "filename" => (4, &mut c.filename),
            "link" => (8, &mut c.link),
            "title" => (16, &mut c.title),
            "button" => (32, &mut c.button),
            "size" => {
                first(&mut seen, 64)?;
                c.size = if s.null()? { None } else { Some(s.u64()?) };
                return Some(());
            }
            _ => return s.skip(),
        };
        first(&mut seen, bit)?;
        *field = opt_owned(s)?;
        Some(())
    })?;
    Some(c)
}

/// Click arguments in their flat form: `null`, `[]` or a list of objects.
fn click_arguments(s: &mut Scan<'_>) -> Option<Vec<ClickArgument>> {
    let mut out = Vec::new();
    if s.null()? {
        return Some(out);
    }
    s.array(|s| {
        let (mut label, mut value, mut filename, mut seen) = (None, None, None, 0u16);
        s.object(|s, key| {
            match key {
                "label" => {
                    first(&mut seen, 1)?;
                    label = Some(text(s)?.into_owned());
                }
                "value" => {
                    first(&mut seen, 2)?;
                    value = Some(text(s)?.into_owned());
                }
                "filename" => {
                    first(&mut seen, 4)?;
                    filename = opt_owned(s)?;
                }
                _ => s.skip()?,
            }
            Some(())
        })?;
        let mut arg = ClickArgument::new(label?, value?);
        arg.filename = filename;
        out.push(arg);
        Some(())
    })?;
    Some(out)
}

fn action_body(s: &mut Scan<'_>) -> Option<Action> {
    let mut p = ActionParts::default();
    s.object(|s, key| {
        match key {
            "subtype" => p.subtype = Some(ActionSubtype::from_wire(&text(s)?)),
            "channel_id" => p.channel_id = opt(s)?,
            "sender" => p.sender = opt(s)?,
            "context" => p.context = context(s)?,
            "button_id" => p.button_id = opt(s)?,
            "arguments" => p.arguments = click_arguments(s)?,
            "bottom_button_id" => p.bottom_button_id = opt_owned(s)?,
            "button_type" => p.button_type = opt_owned(s)?,
            "menu_item_id" => p.menu_item_id = opt(s)?,
            "message_id" => p.message_id = opt(s)?,
            "message_subtype" => p.message_subtype = opt(s)?,
            "message_content" => {
                p.message_content = if s.null()? {
                    None
                } else {
                    Some(Box::new(message_content(s)?))
                }
            }
            // Labels (a list) are rare: the general decoder reads them.
            "labels" => return None,
            _ => s.skip()?,
        }
        Some(())
    })?;
    // An unknown subtype is kept whole as JSON: the general decoder's job.
    p.finish().ok()?.ok()
}

fn copy_body(s: &mut Scan<'_>) -> Option<CopyBody> {
    let (mut request_id, mut origin_type, mut status, mut context_) = (None, None, None, None);
    let mut seen = 0u16;
    s.object(|s, key| {
        match key {
            "request_id" => {
                first(&mut seen, 1)?;
                request_id = Some(RequestId::new(text(s)?.into_owned()));
            }
            "origin_type" => {
                first(&mut seen, 2)?;
                origin_type = Some(text(s)?.into_owned());
            }
            "status" => {
                first(&mut seen, 4)?;
                status = Some(s.bool()?);
            }
            "context" => {
                first(&mut seen, 8)?;
                context_ = context(s)?;
            }
            _ => s.skip()?,
        }
        Some(())
    })?;
    let mut copy = CopyBody::new(request_id?, origin_type.unwrap_or_default(), status?);
    copy.context = context_;
    Some(copy)
}

#[cfg(test)]
mod tests;
