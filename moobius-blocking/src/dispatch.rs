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
    watch.finished(callback, catch_unwind(AssertUnwindSafe(f)));
}

/// The callback of `event`: events carry what the callbacks take.
fn call<B: Bot>(bot: &mut B, m: &Moobius, event: Event) -> CallbackResult {
    moobius_runtime::call_back!(bot, m, event)
}
