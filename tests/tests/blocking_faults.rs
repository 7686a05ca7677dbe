//! `moobius-blocking`'s event-iterator `Client` under dropped websockets:
//! frames sent across them arrive exactly once, in order, and the iterator
//! reports the reconnect. The same faults through `spawn` in both drivers
//! (dropped sockets, failing HTTP, expired tokens, forgotten logins) are in
//! the driver conformance suite (`driver_conformance.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod blocking_support;

use blocking_support::{eventually, next_event, Platform, Recorder, Seen, LOBBY, WAIT};
use moobius_blocking::proto::compose::{MessageSpec, Recipients};
use moobius_blocking::proto::session::{ConnectionEvent, Event};
use moobius_blocking::Client;
use std::time::Duration;

#[test]
fn a_users_messages_survive_dropped_sockets() {
    let p = Platform::start(&["svc@example.com", "alice@example.com"]);
    let alice_id = p.user_id("alice@example.com");
    let (bot, watch) = Recorder::new(false);
    let running = moobius_blocking::spawn(p.service("svc@example.com"), bot).unwrap();
    running.moobius().wait_ready(WAIT).unwrap();
    let mut alice = Client::connect(p.user("alice@example.com"), WAIT).unwrap();
    let m = alice.moobius();
    let expected: Vec<String> = (0..20).map(|i| format!("u{i}")).collect();
    let sockets = |s: &moobius_devserver::DevServerHandle| {
        let all = s.connections();
        let mine = all
            .iter()
            .filter(|c| c.user_id() == Some(alice_id.as_str()));
        (mine.clone().count(), mine.filter(|c| c.open).count())
    };
    for (i, text) in expected.iter().enumerate() {
        let before = sockets(&p.server).0;
        let dropped = i % 7 == 3 && p.server.drop_user_connections(alice_id.as_str()) == 1;
        // Sent into the dying socket, or queued while reconnecting.
        m.send_message(MessageSpec::text(LOBBY, text.clone(), Recipients::Service))
            .unwrap();
        if dropped {
            // Let the reconnect finish before the next drop.
            eventually("alice to reconnect", || {
                let _ = alice.next_event_timeout(Duration::from_millis(20));
                let (all, open) = sockets(&p.server);
                (all > before && open == 1).then_some(())
            });
        }
    }
    // Nobody iterates alice's events: drive her connection until the
    // service has everything (resends after the last drop included).
    let mut got = Vec::new();
    eventually("the service to get every message", || {
        let _ = alice.next_event_timeout(Duration::from_millis(20));
        while let Ok(seen) = watch.0.try_recv() {
            if let Seen::MessageUp { text, .. } = seen {
                got.push(text);
            }
        }
        (got.len() >= expected.len()).then_some(())
    });
    assert_eq!(got, expected, "each message once, in order");
    let sockets = p.server.connections();
    let sockets = sockets
        .iter()
        .filter(|c| c.user_id() == Some(alice_id.as_str()));
    assert_eq!(sockets.count(), 4, "three reconnects");
    running.stop().unwrap();
}

#[test]
fn the_iterator_reports_the_reconnect() {
    let p = Platform::start(&["alice@example.com"]);
    let alice_id = p.user_id("alice@example.com");
    let mut alice = Client::connect(p.user("alice@example.com"), WAIT).unwrap();
    assert_eq!(p.server.drop_user_connections(alice_id.as_str()), 1);
    let is = |c: fn(&ConnectionEvent) -> bool| move |e: &Event| matches!(e, Event::Connection(x) if c(x));
    next_event(
        &mut alice,
        "the disconnect",
        is(|c| matches!(c, ConnectionEvent::Disconnected(_))),
    );
    next_event(
        &mut alice,
        "the reconnect",
        is(|c| *c == ConnectionEvent::Reconnected),
    );
    assert_eq!(alice.moobius().fetch_channel_list().unwrap().len(), 1);
}
