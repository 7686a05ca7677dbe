//! From a callback-ready event to the application's callback, written once
//! for both drivers' callback traits (`Service`, `Bot`), which have the same
//! callbacks, `async` or not.

/// Calls the callback `event` is for (see `Event::callback`) on `app` with
/// the handle `moobius`; `Ok(())` for an event without one. The tokio
/// driver passes `await` last.
///
/// ```ignore
/// moobius_runtime::call_back!(bot, &moobius, event)            // blocking
/// moobius_runtime::call_back!(service, &moobius, event, await) // tokio
/// ```
#[macro_export]
macro_rules! call_back {
    ($app:ident, $moobius:expr, $event:expr $(, $aw:tt)?) => {{
        use $crate::__proto::session::Event;
        let m = $moobius;
        match $event {
            Event::BeforeChannelInit => $app.before_channel_init(m)$(.$aw)?,
            Event::ChannelInit(channel) => $app.on_channel_init(m, channel)$(.$aw)?,
            Event::ChannelCheckin(channel) => $app.on_channel_checkin(m, channel)$(.$aw)?,
            Event::Ready => $app.on_start(m)$(.$aw)?,
            Event::MessageUp(message) => $app.on_message_up(m, *message)$(.$aw)?,
            Event::MessageDown(message) => $app.on_message_down(m, *message)$(.$aw)?,
            Event::Action(action) => $app.on_action(m, action)$(.$aw)?,
            Event::Update(update) => $app.on_update(m, *update)$(.$aw)?,
            Event::Copy(copy) => $app.on_copy_client(m, copy)$(.$aw)?,
            Event::UnknownPayload(frame) => $app.on_unknown_payload(m, frame)$(.$aw)?,
            _ => Ok(()),
        }
    }};
}
