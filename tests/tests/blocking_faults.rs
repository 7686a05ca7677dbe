//! `moobius-blocking` under faults the devserver injects: dropped
//! websockets, failing HTTP, expired tokens and forgotten logins. Frames
//! sent across them arrive exactly once, in order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod blocking_support;

use blocking_support::{eventually, next_event, Platform, Recorder, Seen, LOBBY, WAIT};
use moobius_blocking::proto::compose::{MessageSpec, Recipients};
use moobius_blocking::proto::session::{ConnectionEvent, Event};
use moobius_blocking::Client;
use std::time::Duration;

#[test]
fn a_services_messages_survive_dropped_sockets_and_failing_http() {
    let p = Platform::start(&["svc@example.com", "alice@example.com", "bob@example.com"]);
    let (alice, bob) = (p.user_id("alice@example.com"), p.user_id("bob@example.com"));
    p.server.add_member(LOBBY, alice.as_str()).unwrap();
    p.server.add_member(LOBBY, bob.as_str()).unwrap();
    let (bot, _watch) = Recorder::new(false);
    let running = moobius_blocking::spawn(p.service("svc@example.com"), bot).unwrap();
    let m = running.moobius().clone();
    m.wait_ready(WAIT).unwrap();

    let expected: Vec<String> = (0..30).map(|i| format!("m{i}")).collect();
    for (i, text) in expected.iter().enumerate() {
        match i {
            8 | 22 => assert!(p.server.drop_all_connections() > 0),
            // The next recipient list is new: its group creation meets two 503s.
            15 => p.server.fail_next_http_requests(2),
            _ => {}
        }
        let to = if i < 15 {
            vec![alice.clone()]
        } else {
            vec![alice.clone(), bob.clone()]
        };
        m.send_text(LOBBY, text.clone(), to, None).unwrap();
    }
    let texts = p.wait_until("all thirty messages", |_| {
        let texts = p.history_texts();
        (texts.len() >= expected.len()).then_some(texts)
    });
    // A little longer: a duplicate would show up now.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(p.history_texts(), texts);
    assert_eq!(texts, expected, "each message once, in order");
    let sid = m.own_id().unwrap();
    let sockets = p.server.connections();
    let sockets = sockets
        .iter()
        .filter(|c| c.service_id() == Some(sid.as_str()));
    assert_eq!(sockets.count(), 3, "two reconnects");
    running.stop().unwrap();
}

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

#[test]
fn expired_tokens_and_forgotten_logins_are_recovered() {
    let p = Platform::start(&["svc@example.com", "alice@example.com"]);
    let alice_id = p.user_id("alice@example.com");
    p.server.add_member(LOBBY, alice_id.as_str()).unwrap();
    let (bot, _watch) = Recorder::new(false);
    let running = moobius_blocking::spawn(p.service("svc@example.com"), bot).unwrap();
    let m = running.moobius().clone();
    m.wait_ready(WAIT).unwrap();

    p.server.expire_access_tokens();
    assert!(
        m.fetch_bound_channels().unwrap().contains(&LOBBY.into()),
        "refreshed"
    );
    m.send_text(LOBBY, "after refresh", alice_id.clone(), None)
        .unwrap();

    // The platform forgets the login: the next frame is refused, the
    // session logs in again and sends it once more.
    assert!(p.server.logout_all_connections() > 0);
    m.send_text(LOBBY, "after re-login", alice_id, None)
        .unwrap();
    let texts = p.wait_until("both messages", |_| {
        let texts = p.history_texts();
        (texts.len() >= 2).then_some(texts)
    });
    assert_eq!(texts, ["after refresh", "after re-login"]);
    running.stop().unwrap();
}
