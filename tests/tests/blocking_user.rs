//! `moobius-blocking` in user mode against the devserver: a user bot that
//! joins at start, receives interface updates and messages, clicks, and
//! answers; the service on the other side is an event iterator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod blocking_support;

use blocking_support::{Platform, Recorder, Seen, LOBBY, WAIT};
use moobius_blocking::proto::model::{Button, CanvasItem};
use moobius_blocking::proto::session::Event;
use moobius_blocking::{Action, Click, Client, Error, Mode};

#[test]
fn a_user_bot_sees_updates_clicks_and_answers() {
    let p = Platform::start(&["svc@example.com", "bot@example.com"]);
    let bot_id = p.user_id("bot@example.com");

    // The service: an event iterator on a thread of its own. It greets
    // every joiner with a button and a canvas, and answers clicks.
    let mut service = Client::connect(p.service("svc@example.com"), WAIT).unwrap();
    let sm = service.moobius();
    let service_thread = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for event in service.events() {
            match event {
                Event::Action(Action::Join(a)) => {
                    sm.send_buttons(LOBBY, vec![Button::new("count", "Count")], a.sender.clone())
                        .unwrap();
                    let canvas = vec![CanvasItem {
                        text: Some("welcome".into()),
                        path: None,
                    }];
                    sm.send_canvas(LOBBY, canvas, a.sender).unwrap();
                }
                Event::Action(Action::ButtonClick(c)) => {
                    let n = c.arguments;
                    let text = format!("ping {}", n.first().map_or("?", |a| a.value.as_str()));
                    sm.send_text(LOBBY, text, c.sender, None).unwrap();
                }
                Event::MessageUp(message) => {
                    seen.push(message.content.text.unwrap_or_default());
                    sm.stop();
                }
                _ => {}
            }
        }
        seen
    });

    let (bot, watch) = Recorder::new(true);
    let running = moobius_blocking::spawn(p.user("bot@example.com"), bot).unwrap();
    let m = running.moobius().clone();
    m.wait_ready(WAIT).unwrap();
    assert_eq!(m.mode(), Mode::User);
    assert_eq!(m.own_id().as_deref(), Some(bot_id.as_str()));
    assert_eq!(watch.next("on_start"), Seen::Start);
    p.wait_until("the bot to join at start", |s| {
        (s.members(LOBBY) == [bot_id.as_str()]).then_some(())
    });
    assert_eq!(
        watch.next("the buttons"),
        Seen::Update("buttons count".into())
    );
    assert_eq!(
        watch.next("the canvas"),
        Seen::Update("canvas welcome".into())
    );

    // Click from this thread; the service answers "ping 2"; the bot's
    // callback answers "pong 2", which reaches the service.
    m.send_button_click(Click::new(LOBBY, "count").argument("n", "2"))
        .unwrap();
    let down = watch.until("the service's message", |s| {
        matches!(s, Seen::MessageDown { .. })
    });
    assert!(
        matches!(down, Seen::MessageDown { ref text, .. } if text == "ping 2"),
        "{down:?}"
    );
    let seen = service_thread.join().unwrap();
    assert_eq!(seen, ["pong 2"]);

    m.leave_channel(LOBBY).unwrap();
    p.wait_until("the bot to leave", |s| {
        s.members(LOBBY).is_empty().then_some(())
    });
    running.stop().unwrap();
    assert!(matches!(m.join_channel(LOBBY), Err(Error::Stopped)));
}
