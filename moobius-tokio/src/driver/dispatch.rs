//! From session events (and spells) to the service's callbacks.
//!
//! A callback's future owns the service while it runs and hands it back when
//! done, so the loop needs no lock and no borrow across its turns.

use crate::{Action, CallbackResult, Moobius, Service};
use futures_util::FutureExt;
use moobius_proto::model::{CharacterRefs, UpdateContent};
use moobius_proto::session::Event;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

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
    Box::pin(async move {
        let callback = name(&delivery);
        let outcome = AssertUnwindSafe(deliver(&mut service, &moobius, delivery))
            .catch_unwind()
            .await;
        Finished {
            service,
            callback,
            outcome,
        }
    })
}

fn name<Sp>(d: &Delivery<Sp>) -> &'static str {
    match d {
        Delivery::Spell(_) => "on_spell",
        Delivery::Event(e) => match e {
            Event::BeforeChannelInit => "before_channel_init",
            Event::ChannelInit(_) => "on_channel_init",
            Event::ChannelCheckin(_) => "on_channel_checkin",
            Event::Ready => "on_start",
            Event::MessageUp { .. } => "on_message_up",
            Event::MessageDown { .. } => "on_message_down",
            Event::Join(_)
            | Event::Leave(_)
            | Event::Refresh(_)
            | Event::ButtonClick(_)
            | Event::MenuItemClick(_)
            | Event::OtherAction { .. } => "on_action",
            Event::Update { .. } => "on_update",
            Event::Copy(_) => "on_copy_client",
            Event::UnknownPayload(_) => "on_unknown_payload",
            _ => "(none)",
        },
    }
}

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
        Event::MessageUp {
            mut message,
            recipients,
        } => {
            message.recipients = Some(CharacterRefs::Ids(recipients));
            svc.on_message_up(m, *message).await
        }
        Event::MessageDown {
            mut message,
            recipients,
        } => {
            if let Some(r) = recipients {
                message.recipients = Some(CharacterRefs::Ids(r));
            }
            svc.on_message_down(m, *message).await
        }
        Event::Join(a) => svc.on_action(m, Action::Join(a)).await,
        Event::Leave(a) => svc.on_action(m, Action::Leave(a)).await,
        Event::Refresh(a) => svc.on_action(m, Action::Refresh(a)).await,
        Event::ButtonClick(c) => svc.on_action(m, Action::ButtonClick(c)).await,
        Event::MenuItemClick(c) => svc.on_action(m, Action::MenuItemClick(c)).await,
        Event::OtherAction { subtype, body } => {
            svc.on_action(m, Action::Other { subtype, body }).await
        }
        Event::Update {
            mut update,
            recipients,
            characters,
        } => {
            if let Some(r) = recipients {
                update.recipients = Some(CharacterRefs::Ids(r));
            }
            if let (UpdateContent::Characters(refs), Some(ids)) = (&mut update.content, characters)
            {
                *refs = CharacterRefs::Ids(ids);
            }
            svc.on_update(m, *update).await
        }
        Event::Copy(c) => svc.on_copy_client(m, c).await,
        Event::UnknownPayload(u) => svc.on_unknown_payload(m, u).await,
        _ => Ok(()),
    }
}
