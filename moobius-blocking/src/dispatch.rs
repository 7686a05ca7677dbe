//! From what the loop delivers (callback-ready events and spells) to the
//! bot's callbacks, on the bot's thread, one at a time in arrival order: a
//! plain `match`; a callback's error or panic is logged, never fatal.

use crate::driver::Delivery;
use crate::{Bot, Error, Moobius};
use moobius_proto::session::Event;
use moobius_runtime::CallbackWatch;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::Receiver;

/// Delivers to `bot` until the loop ends (`Ok`), or until the fatal error
/// that ended it (`Err`); `spell` makes the bot's spells of the loop's.
pub(crate) fn drive<B: Bot, Sp>(
    moobius: &Moobius,
    deliveries: &Receiver<Delivery<Sp>>,
    mut bot: B,
    spell: fn(Sp) -> B::Spell,
) -> Result<(), Error> {
    let mut watch = CallbackWatch::default();
    while let Ok(delivery) = deliveries.recv() {
        if let Delivery::Event(Event::Fatal(e)) = delivery {
            return Err(Error::Fatal(e));
        }
        let Some(callback) = delivery.callback() else {
            continue;
        };
        let _in = delivery.span().entered();
        let outcome = catch_unwind(AssertUnwindSafe(|| match delivery {
            Delivery::Event(event) => moobius_runtime::call_back!(bot, moobius, event),
            Delivery::Spell(s) => bot.on_spell(moobius, spell(s)),
        }));
        watch.finished(callback, outcome);
    }
    moobius.fatal().map_or(Ok(()), |e| Err(Error::Fatal(e)))
}
