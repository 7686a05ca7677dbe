//! From session events (and spells) to the service's callbacks.
//!
//! A callback's future owns the service while it runs and hands it back when
//! done, so the loop needs no lock and no borrow across its turns.

use crate::{CallbackResult, Moobius, Service};
use futures_util::FutureExt;
use moobius_proto::session::Event;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use tracing::Instrument;

/// Something for a callback, in arrival order.
pub(crate) enum Delivery<Spell> {
    Event(Event),
    Spell(Spell),
}

/// A finished callback: the service back, and how it went.
pub(crate) struct Finished<S> {
    pub(crate) service: S,
    pub(crate) callback: &'static str,
    pub(crate) outcome: Result<CallbackResult, Box<dyn Any + Send>>,
}

pub(crate) type RunningCallback<S> = Pin<Box<dyn Future<Output = Finished<S>> + Send>>;

/// Starts the callback for `delivery`.
pub(crate) fn start<S: Service>(
    mut service: S,
    moobius: Moobius,
    delivery: Delivery<S::Spell>,
) -> RunningCallback<S> {
    let callback = name(&delivery);
    let span = match &delivery {
        Delivery::Event(e) => moobius_runtime::callback_span(callback, e.channel_id()),
        Delivery::Spell(_) => moobius_runtime::callback_span(callback, None),
    };
    Box::pin(
        async move {
            let outcome = AssertUnwindSafe(deliver(&mut service, &moobius, delivery))
                .catch_unwind()
                .await;
            Finished {
                service,
                callback,
                outcome,
            }
        }
        .instrument(span),
    )
}

fn name<Sp>(d: &Delivery<Sp>) -> &'static str {
    match d {
        Delivery::Spell(_) => "on_spell",
        Delivery::Event(e) => e.callback().unwrap_or("(none)"),
    }
}

/// The callback of a delivery: events carry what the callbacks take.
async fn deliver<S: Service>(
    svc: &mut S,
    m: &Moobius,
    delivery: Delivery<S::Spell>,
) -> CallbackResult {
    let event = match delivery {
        Delivery::Spell(spell) => return svc.on_spell(m, spell).await,
        Delivery::Event(e) => e,
    };
    match event {
        Event::BeforeChannelInit => svc.before_channel_init(m).await,
        Event::ChannelInit(c) => svc.on_channel_init(m, c).await,
        Event::ChannelCheckin(c) => svc.on_channel_checkin(m, c).await,
        Event::Ready => svc.on_start(m).await,
        Event::MessageUp(message) => svc.on_message_up(m, *message).await,
        Event::MessageDown(message) => svc.on_message_down(m, *message).await,
        Event::Action(action) => svc.on_action(m, action).await,
        Event::Update(update) => svc.on_update(m, *update).await,
        Event::Copy(c) => svc.on_copy_client(m, c).await,
        Event::UnknownPayload(u) => svc.on_unknown_payload(m, u).await,
        _ => Ok(()),
    }
}
