//! From what the loop delivers (callback-ready events and spells) to the
//! bot's callbacks: a plain `match`; a callback's error or panic is logged,
//! never fatal.

use crate::{Bot, CallbackResult, Moobius};
use moobius_proto::session::Event;
use moobius_runtime::CallbackWatch;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs the callback `event` is for, if any.
pub(crate) fn event<B: Bot>(
    watch: &mut CallbackWatch,
    bot: &mut B,
    moobius: &Moobius,
    event: Event,
) {
    if let Some(name) = event.callback() {
        let span = moobius_runtime::callback_span(name, event.channel_id());
        span.in_scope(|| guarded(watch, name, || call(bot, moobius, event)));
    }
}

/// Runs `on_spell`.
pub(crate) fn spell<B: Bot>(
    watch: &mut CallbackWatch,
    bot: &mut B,
    moobius: &Moobius,
    spell: B::Spell,
) {
    moobius_runtime::callback_span("on_spell", None)
        .in_scope(|| guarded(watch, "on_spell", || bot.on_spell(moobius, spell)));
}

fn guarded(watch: &mut CallbackWatch, callback: &'static str, f: impl FnOnce() -> CallbackResult) {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => watch.done(callback, None),
        Ok(Err(error)) => watch.done(callback, Some(error.as_ref())),
        Err(panic) => {
            let panic = moobius_runtime::panic_message(panic.as_ref());
            tracing::error!(callback, panic, "callback panicked; going on");
        }
    }
}

/// The callback of `event`: events carry what the callbacks take.
fn call<B: Bot>(bot: &mut B, m: &Moobius, event: Event) -> CallbackResult {
    match event {
        Event::BeforeChannelInit => bot.before_channel_init(m),
        Event::ChannelInit(channel) => bot.on_channel_init(m, channel),
        Event::ChannelCheckin(channel) => bot.on_channel_checkin(m, channel),
        Event::Ready => bot.on_start(m),
        Event::MessageUp(message) => bot.on_message_up(m, *message),
        Event::MessageDown(message) => bot.on_message_down(m, *message),
        Event::Action(action) => bot.on_action(m, action),
        Event::Update(update) => bot.on_update(m, *update),
        Event::Copy(copy) => bot.on_copy_client(m, copy),
        Event::UnknownPayload(frame) => bot.on_unknown_payload(m, frame),
        _ => Ok(()),
    }
}
