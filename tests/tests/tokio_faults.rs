//! moobius-tokio under injected faults (through the devserver's library
//! API): dropped connections mid-stream, bursts of 5xx answers, expired
//! tokens. Messages must arrive exactly once and in order.

mod tokio_support;

use moobius_devserver::Login;
use moobius_tokio::proto::compose::{MessageSpec, Recipients};
use moobius_tokio::proto::ids::CharacterId;
use moobius_tokio::proto::session::Backoff;
use moobius_tokio::{Error, NewChannel};
use std::time::Duration;
use tokio_support::*;

/// Messages sent per stream; drops land in the middle of it.
const N: usize = 60;

fn texts(seen: &[Seen], up: bool) -> Vec<String> {
    seen.iter()
        .filter_map(|s| match s {
            Seen::MessageUp(m) if up => m.content.text.clone(),
            Seen::MessageDown(m) if !up => m.content.text.clone(),
            _ => None,
        })
        .filter(|t| t.starts_with('m'))
        .collect()
}

fn expected() -> Vec<String> {
    (0..N).map(|i| format!("m{i}")).collect()
}

/// Collects `N` numbered messages, then checks nothing more comes.
async fn collect_stream(seer: &mut Seer, up: bool) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < N {
        let m = seer.next_text("numbered message").await;
        let t = m.content.text.unwrap_or_default();
        if t.starts_with('m') {
            got.push(t);
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    got.extend(texts(&seer.drain(), up));
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_messages_survive_dropped_connections() {
    init_logging();
    let server = devserver().await;
    let alice = server.user_id(ALICE).unwrap();
    let (svc, mut svc_seen) = start(service_config(&server)).await;
    let (user, _alice_seen) = start(user_config(&server, ALICE)).await;
    svc_seen
        .expect("join", |s| matches!(s, Seen::Join(_)).then_some(()))
        .await;

    let a = user.moobius().clone();
    let sender = tokio::spawn(async move {
        for i in 0..N {
            let spec = MessageSpec::text(CHANNEL, format!("m{i}"), Recipients::Service);
            a.send_message(spec).await.expect("sent");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(30)).await;
        server.drop_user_connections(&alice);
    }
    within("all sent", sender).await.unwrap();
    let got = collect_stream(&mut svc_seen, true).await;
    assert_eq!(got, expected(), "exactly once, in order");
    let logins = server
        .connections()
        .iter()
        .filter(|c| c.user_id() == Some(alice.as_str()))
        .count();
    assert!(logins >= 2, "the user reconnected ({logins} connections)");

    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_messages_survive_dropped_connections() {
    init_logging();
    let server = devserver().await;
    let alice = server.user_id(ALICE).unwrap();
    let (svc, mut svc_seen) = start(service_config(&server)).await;
    let (user, mut alice_seen) = start(user_config(&server, ALICE)).await;
    svc_seen
        .expect("join", |s| matches!(s, Seen::Join(_)).then_some(()))
        .await;
    let sid = svc.moobius().own_id().unwrap();

    let m = svc.moobius().clone();
    let to = Recipients::Characters(vec![CharacterId::new(&alice)]);
    let sender = tokio::spawn(async move {
        for i in 0..N {
            let spec = MessageSpec::text(CHANNEL, format!("m{i}"), to.clone());
            m.send_message(spec).await.expect("sent");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(30)).await;
        server.drop_service_connections(&sid);
    }
    within("all sent", sender).await.unwrap();
    let got = collect_stream(&mut alice_seen, false).await;
    assert_eq!(got, expected(), "exactly once, in order");

    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_5xx_bursts_are_retried() {
    init_logging();
    let server = devserver().await;
    let alice = server.user_id(ALICE).unwrap();
    let bob = server.user_id(BOB).unwrap();
    // Short retry delays keep the test fast; the policy is the session's.
    let fast = |mut c: moobius_tokio::Config| {
        c.session.backoff = Backoff::new(Duration::from_millis(20), Duration::from_millis(200));
        c
    };
    let (svc, mut svc_seen) = start(fast(service_config(&server))).await;
    let (user, mut alice_seen) = start(fast(user_config(&server, ALICE))).await;
    svc_seen
        .expect("join", |s| matches!(s, Seen::Join(_)).then_some(()))
        .await;
    let s = svc.moobius().clone();
    let a = user.moobius().clone();

    // A GET is retried.
    server.fail_next_http_requests(2);
    let members = s.fetch_member_ids(CHANNEL).await.unwrap();
    assert_eq!(members, vec![CharacterId::new(&alice)]);

    // A message whose recipients need a new group: the group creation is
    // retried and the message still leaves.
    server.fail_next_http_requests(2);
    let to = Recipients::Characters(vec![CharacterId::new(&alice), CharacterId::new(&bob)]);
    s.send_message(MessageSpec::text(CHANNEL, "after 5xx", to))
        .await
        .unwrap();
    let got = alice_seen.next_text("message after 5xx").await;
    assert_eq!(got.content.text.as_deref(), Some("after 5xx"));

    // User side: a channel group for the recipients, under failures.
    server.fail_next_http_requests(3);
    let to = Recipients::Characters(vec![CharacterId::new(&bob)]);
    a.send_message(MessageSpec::text(CHANNEL, "up after 5xx", to))
        .await
        .unwrap();
    let got = svc_seen.next_text("message up after 5xx").await;
    assert_eq!(got.content.text.as_deref(), Some("up after 5xx"));

    // A POST that is not safe to repeat fails at once, and the service lives on.
    server.fail_next_http_requests(1);
    let r = s.create_channel(NewChannel::new("x")).await;
    assert!(matches!(r, Err(Error::Op(_))), "{r:?}");
    s.fetch_agents().await.unwrap();
    assert!(!s.is_stopped());

    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refreshed() {
    init_logging();
    let server = devserver().await;
    let alice = server.user_id(ALICE).unwrap();
    let (svc, mut svc_seen) = start(service_config(&server)).await;
    let (user, mut alice_seen) = start(user_config(&server, ALICE)).await;
    svc_seen
        .expect("join", |s| matches!(s, Seen::Join(_)).then_some(()))
        .await;
    let s = svc.moobius().clone();
    let a = user.moobius().clone();

    // HTTP with an expired token: refreshed, then retried once.
    server.expire_access_tokens();
    s.fetch_agents().await.unwrap();
    a.fetch_channel_list().await.unwrap();

    // Expired tokens and dropped sockets: the logins are refused until
    // the tokens are refreshed; then traffic flows again.
    server.expire_access_tokens();
    let old: Vec<_> = server.connections().iter().map(|c| c.id).collect();
    server.drop_all_connections();
    // Both log in again (after a refused login and a refresh). A user's
    // message to a service that is offline is not replayed by the
    // platform, so wait for both before talking.
    let both_back = |s: &moobius_devserver::DevServerHandle| {
        let c = s.connections();
        let open = |user: bool| {
            c.iter().any(|c| {
                c.open
                    && !old.contains(&c.id)
                    && matches!(
                        (&c.login, user),
                        (Some(Login::User { .. }), true) | (Some(Login::Service { .. }), false)
                    )
            })
        };
        (open(true) && open(false)).then_some(())
    };
    within("both logged in again", server.wait_until(WAIT, both_back))
        .await
        .expect("both reconnect");
    a.send_message(MessageSpec::text(
        CHANNEL,
        "after expiry",
        Recipients::Service,
    ))
    .await
    .unwrap();
    let got = svc_seen.next_text("message up after expiry").await;
    assert_eq!(got.content.text.as_deref(), Some("after expiry"));
    let to = Recipients::Characters(vec![CharacterId::new(&alice)]);
    s.send_message(MessageSpec::text(CHANNEL, "down after expiry", to))
        .await
        .unwrap();
    let got = alice_seen.next_text("message down after expiry").await;
    assert_eq!(got.content.text.as_deref(), Some("down after expiry"));

    user.stop().await.unwrap();
    svc.stop().await.unwrap();
    server.shutdown().await;
}
