//! From what the loop delivers (session events and spells) to the bot's
//! callbacks; a callback's error or panic is logged, never fatal.

use crate::core::Pending;
use crate::{Bot, CallbackResult, Moobius};
use moobius_proto::model::{CharacterRefs, UpdateContent};
use moobius_proto::session::Event;
use moobius_proto::ws::Action;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs the callback for `delivery`, logging how it went.
pub(crate) fn deliver<B: Bot>(bot: &mut B, moobius: &Moobius, delivery: Pending) {
    let (callback, outcome) = match delivery {
        Pending::Spell(spell) => match spell.downcast::<B::Spell>() {
            Ok(spell) => (
                "on_spell",
                catch_unwind(AssertUnwindSafe(|| bot.on_spell(moobius, *spell))),
            ),
            Err(_) => {
                tracing::warn!("spell of another type than the bot's `Spell` dropped");
                return;
            }
        },
        Pending::Event(event) => match callback_of(event) {
            Some((name, call)) => (
                name,
                catch_unwind(AssertUnwindSafe(|| call.invoke(bot, moobius))),
            ),
            None => return,
        },
    };
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(callback, %error, "callback failed"),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(no message)");
            tracing::error!(callback, panic = message, "callback panicked; going on");
        }
    }
}

/// One callback to make, with its argument in callback form.
enum Call {
    BeforeChannelInit,
    ChannelInit(moobius_proto::ids::ChannelId),
    ChannelCheckin(moobius_proto::ids::ChannelId),
    Start,
    MessageUp(moobius_proto::model::MessageBody),
    MessageDown(moobius_proto::model::MessageBody),
    Action(Action),
    Update(moobius_proto::model::UpdateBody),
    Copy(moobius_proto::model::CopyBody),
    Unknown(moobius_proto::ws::UnknownFrame),
}

impl Call {
    fn invoke<B: Bot>(self, bot: &mut B, m: &Moobius) -> CallbackResult {
        match self {
            Self::BeforeChannelInit => bot.before_channel_init(m),
            Self::ChannelInit(channel) => bot.on_channel_init(m, channel),
            Self::ChannelCheckin(channel) => bot.on_channel_checkin(m, channel),
            Self::Start => bot.on_start(m),
            Self::MessageUp(message) => bot.on_message_up(m, message),
            Self::MessageDown(message) => bot.on_message_down(m, message),
            Self::Action(action) => bot.on_action(m, action),
            Self::Update(update) => bot.on_update(m, update),
            Self::Copy(copy) => bot.on_copy_client(m, copy),
            Self::Unknown(frame) => bot.on_unknown_payload(m, frame),
        }
    }
}

/// The callback an event is for, with resolved ids moved into the bodies
/// the callbacks take; `None` for events that are only logged.
fn callback_of(event: Event) -> Option<(&'static str, Call)> {
    let with_ids = |ids: Vec<_>| Some(CharacterRefs::Ids(ids));
    Some(match event {
        Event::BeforeChannelInit => ("before_channel_init", Call::BeforeChannelInit),
        Event::ChannelInit(c) => ("on_channel_init", Call::ChannelInit(c)),
        Event::ChannelCheckin(c) => ("on_channel_checkin", Call::ChannelCheckin(c)),
        Event::Ready => ("on_start", Call::Start),
        Event::MessageUp {
            message,
            recipients,
        } => {
            let mut message = *message;
            message.recipients = with_ids(recipients);
            ("on_message_up", Call::MessageUp(message))
        }
        Event::MessageDown {
            message,
            recipients,
        } => {
            let mut message = *message;
            message.recipients = recipients.map_or(message.recipients, with_ids);
            ("on_message_down", Call::MessageDown(message))
        }
        Event::Join(a) => ("on_action", Call::Action(Action::Join(a))),
        Event::Leave(a) => ("on_action", Call::Action(Action::Leave(a))),
        Event::Refresh(a) => ("on_action", Call::Action(Action::Refresh(a))),
        Event::ButtonClick(c) => ("on_action", Call::Action(Action::ButtonClick(c))),
        Event::MenuItemClick(c) => ("on_action", Call::Action(Action::MenuItemClick(c))),
        Event::OtherAction { subtype, body } => {
            ("on_action", Call::Action(Action::Other { subtype, body }))
        }
        Event::Update {
            update,
            recipients,
            characters,
        } => {
            let mut update = *update;
            update.recipients = recipients.map_or(update.recipients, with_ids);
            if let (UpdateContent::Characters(refs), Some(ids)) = (&mut update.content, characters)
            {
                *refs = CharacterRefs::Ids(ids);
            }
            ("on_update", Call::Update(update))
        }
        Event::Copy(c) => ("on_copy_client", Call::Copy(c)),
        Event::UnknownPayload(frame) => ("on_unknown_payload", Call::Unknown(frame)),
        _ => return None,
    })
}
