//! The log lines of events the loop handles itself.

use moobius_proto::ids::ChannelId;
use moobius_proto::session::{ConnectionEvent, Event};
use std::time::Instant;

/// Logs `event` when it is one the loop handles itself (connection
/// changes, platform errors, dropped channels, fatal errors); callback
/// events are left to the application.
pub fn log_event(event: &Event) {
    match event {
        Event::ServiceCreated(id) => tracing::info!(service_id = %id, "service created"),
        Event::ChannelDropped { channel_id, reason } => {
            tracing::warn!(%channel_id, %reason, "channel not used");
        }
        Event::ChannelTakeover { channel_id, from } => tracing::warn!(
            %channel_id,
            from_service = %from,
            "taking channel {channel_id} from service {from}: it was bound to that service, which stops hearing it (set `service_config.others` to \"ignore\" to leave it)"
        ),
        Event::PlatformError(message) if message.contains("is not bound to service") => {
            tracing::warn!(
                platform = %message,
                "a channel is no longer ours: another service has probably taken it (the platform does not tell the service that loses a channel)"
            );
        }
        Event::PlatformError(message) => {
            tracing::warn!(platform = %message, "platform error frame")
        }
        Event::UndecodableFrame(error) => tracing::warn!(%error, "undecodable frame dropped"),
        // The next event is delivered with this group's members left out.
        Event::GroupUnresolved(u) => tracing::warn!(
            channel_id = %u.channel_id, group_id = %u.group_id, error = %u.error,
            "group members unknown; the event naming it is delivered without them"
        ),
        Event::Connection(c) => log_connection(c),
        Event::Fatal(e) => tracing::error!(error = %e, "session failed"),
        _ => {}
    }
}

fn log_connection(c: &ConnectionEvent) {
    match c {
        ConnectionEvent::Disconnected(reason) => tracing::warn!(?reason, "websocket disconnected"),
        ConnectionEvent::Reconnecting { attempt, at } => tracing::info!(
            attempt,
            in_ms = at.saturating_duration_since(Instant::now()).as_millis() as u64,
            "reconnecting"
        ),
        ConnectionEvent::Reconnected => tracing::info!("reconnected"),
        other => tracing::info!(?other, "connection"),
    }
}

/// The text of a panic payload, when it has one.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// The span a callback runs in, `callback{name channel}` (inside the
/// service's span), so that every line logged while it runs, by the SDK or
/// by the application, says which callback of which channel it belongs to.
#[must_use]
pub fn callback_span(callback: &'static str, channel: Option<&ChannelId>) -> tracing::Span {
    match channel {
        Some(channel) => tracing::info_span!("callback", name = callback, channel = %channel),
        None => tracing::info_span!("callback", name = callback),
    }
}
