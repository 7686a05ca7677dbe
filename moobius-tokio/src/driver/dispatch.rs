//! From session events (and spells) to the service's callbacks.
//!
//! A callback's future owns the service while it runs and hands it back when
//! done, so the loop needs no lock and no borrow across its turns.

use crate::{CallbackResult, Moobius, Service};
use futures_util::FutureExt;
use moobius_runtime::engine::Delivery;
use moobius_runtime::CallbackOutcome;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use tracing::Instrument;

/// A finished callback: the service back, and how it went.
pub(crate) struct Finished<S> {
    pub(crate) service: S,
    pub(crate) callback: &'static str,
    pub(crate) outcome: CallbackOutcome,
}

pub(crate) type RunningCallback<S> = Pin<Box<dyn Future<Output = Finished<S>> + Send>>;

/// Starts the callback for `delivery`.
pub(crate) fn start<S: Service>(
    mut service: S,
    moobius: Moobius,
    delivery: Delivery<S::Spell>,
) -> RunningCallback<S> {
    let callback = delivery.callback().unwrap_or("(none)");
    let span = delivery.span();
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

/// The callback of a delivery: events carry what the callbacks take.
async fn deliver<S: Service>(
    svc: &mut S,
    m: &Moobius,
    delivery: Delivery<S::Spell>,
) -> CallbackResult {
    match delivery {
        Delivery::Spell(spell) => svc.on_spell(m, spell).await,
        Delivery::Event(event) => moobius_runtime::call_back!(svc, m, event, await),
    }
}
