//! The devserver's fault injection, inspection and shutdown.

#![allow(clippy::unwrap_used)]

mod devserver_support;

use devserver_support::{heartbeat, message_down, Api, World, Ws, WAIT};
use moobius_devserver::{codes, DevServer};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

async fn expect_close(ws: &mut Ws, code: CloseCode) -> String {
    match ws.next_message().await {
        Message::Close(Some(f)) => {
            assert_eq!(f.code, code);
            f.reason.to_string()
        }
        m => panic!("expected a close, got {m:?}"),
    }
}

#[tokio::test]
async fn dropping_connections() {
    let w = World::new().await;
    let (sid, mut svc) = w.bound_service_ws().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    let mut bob = w.user_ws(&w.bob_token).await;

    assert_eq!(w.server.drop_user_connections(&w.alice), 1);
    let reason = expect_close(&mut alice, CloseCode::Away).await;
    assert!(reason.contains("injected"), "{reason}");
    assert_eq!(bob.request(heartbeat()).await["status"], true);

    assert_eq!(w.server.drop_service_connections(&sid), 1);
    expect_close(&mut svc, CloseCode::Away).await;

    // Reconnecting works; then everything is dropped.
    let mut alice = w.user_ws(&w.alice_token).await;
    w.server
        .wait_until(WAIT, |s| {
            (s.connections().iter().filter(|c| c.open).count() == 2).then_some(())
        })
        .await
        .expect("two open connections");
    assert_eq!(w.server.drop_all_connections(), 2);
    expect_close(&mut alice, CloseCode::Away).await;
    expect_close(&mut bob, CloseCode::Away).await;
    w.server
        .wait_until(WAIT, |s| {
            s.connections().iter().all(|c| !c.open).then_some(())
        })
        .await
        .expect("all closed");
}

#[tokio::test]
async fn forced_logout_makes_frames_fail_until_login() {
    let w = World::new().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    assert_eq!(w.server.logout_all_connections(), 1);
    let c = alice.request(heartbeat()).await;
    assert_eq!(c["status"], false);
    assert_eq!(c["context"]["message"], "not logged in");
    let c = alice
        .request(
            json!({"type": "user_login", "auth_origin": "cognito", "access_token": w.alice_token}),
        )
        .await;
    assert_eq!(c["status"], true);
}

#[tokio::test]
async fn outbound_delay() {
    let w = World::new().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    w.server.set_outbound_delay(Duration::from_millis(300));
    let t0 = Instant::now();
    let c = alice.request(heartbeat()).await;
    assert_eq!(c["status"], true);
    assert!(
        t0.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t0.elapsed()
    );
    w.server.set_outbound_delay(Duration::ZERO);
    let t0 = Instant::now();
    alice.request(heartbeat()).await;
    assert!(t0.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn failing_http_requests() {
    let w = World::new().await;
    w.server.fail_next_http_requests(2);
    for _ in 0..2 {
        let (status, env) = w
            .api
            .call("GET", "/user/info", Some(&w.alice_token), None)
            .await;
        assert_eq!(status, 503);
        assert_eq!(env["code"], codes::INJECTED_FAULT);
    }
    w.api.get("/user/info", Some(&w.alice_token)).await;
}

#[tokio::test]
async fn expiring_tokens() {
    let w = World::new().await;
    let api = &w.api;
    let [_, alice_t, _] = w.tokens();
    let d = api
        .post(
            "/auth/sign_in",
            None,
            json!({"username": "alice@example.com", "password": "alice-pw"}),
        )
        .await;
    let refresh = d["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    w.server.expire_access_tokens();
    api.get_fails("/user/info", alice_t, codes::UNAUTHORIZED)
        .await;
    let fresh = api.refresh("alice@example.com", &refresh).await;
    api.get("/user/info", Some(&fresh)).await;
    w.server.expire_all_tokens();
    api.get_fails("/user/info", Some(&fresh), codes::UNAUTHORIZED)
        .await;
    api.refresh_fails("alice@example.com", &refresh, codes::UNAUTHORIZED)
        .await;
    // Signing in again works.
    api.sign_in("alice@example.com", "alice-pw").await;
}

#[tokio::test]
async fn seeding_and_inspection_without_http() {
    let server = DevServer::builder().start().await.unwrap();
    let owner = server.seed_user("owner@example.com", "pw").unwrap();
    let user = server.seed_user("u@example.com", "pw").unwrap();
    assert!(server.seed_user("u@example.com", "pw").is_err());
    let ch = server.seed_channel("fixed-id", "Fixed").unwrap();
    assert_eq!(ch, "fixed-id");
    assert!(server.seed_channel("fixed-id", "again").is_err());
    let sid = server.seed_service(&owner, "seeded").unwrap();
    server.bind(&ch, &sid).unwrap();
    server.add_member(&ch, &user).unwrap();
    assert!(server.add_member("nope", &user).is_err());
    let svc_tokens = server.issue_tokens(&owner).unwrap();
    let user_tokens = server.issue_tokens(&user).unwrap();
    assert_eq!(format!("{svc_tokens:?}"), "IssuedTokens(<redacted>)");

    let uri = server.ws_uri();
    let mut svc = Ws::login_service(&uri, &svc_tokens.access_token, &sid).await;
    let mut u = Ws::login_user(&uri, &user_tokens.access_token).await;
    let api = Api::new(&server);
    let g = api
        .post(
            "/service/group/create",
            Some(&svc_tokens.access_token),
            json!({"group_id": "", "characters": [user]}),
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();
    svc.request(message_down(&sid, &ch, &g, &sid, "hello"))
        .await;
    let f = server
        .wait_for_user_frame(&user, WAIT, |f| f["type"] == "message_down")
        .await
        .expect("delivered");
    assert_eq!(f["body"]["content"]["text"], "hello");
    u.recv_until(|v| v["type"] == "message_down").await;
    let copies = server.frames_to_service(&sid);
    assert!(copies.iter().all(|f| f["type"] == "copy"));
    assert_eq!(server.history(&ch)[0].direction, "message_down");
    assert_eq!(server.users().len(), 2);
    assert_eq!(server.services()[0].channel_ids, vec![ch.clone()]);

    let url = server.put_file("docs/a.txt", &b"abc"[..], "text/plain");
    let r = devserver_support::raw_request("GET", &url, &[], b"").await;
    assert_eq!(r.body, b"abc");
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_connections_and_the_port() {
    let w = World::new().await;
    let addr = w.server.local_addr();
    let mut alice = w.user_ws(&w.alice_token).await;
    w.server.shutdown().await;
    let reason = expect_close(&mut alice, CloseCode::Away).await;
    assert_eq!(reason, "server shutting down");
    let refused = tokio::time::timeout(WAIT, tokio::net::TcpStream::connect(addr)).await;
    assert!(matches!(refused, Ok(Err(_))), "port still open");
}

#[tokio::test]
async fn seeded_ids_are_stable_across_starts() {
    let start = || async {
        DevServer::builder()
            .user("owner@example.com", "pw")
            .user("alice@example.com", "pw")
            .service("fixed-service", "owner@example.com")
            .channel("lobby", "Lobby")
            .start()
            .await
            .unwrap()
    };
    let first = start().await;
    let ids = (
        first.user_id("owner@example.com").unwrap(),
        first.user_id("alice@example.com").unwrap(),
    );
    first.shutdown().await;
    let second = start().await;
    assert_eq!(
        (
            second.user_id("owner@example.com").unwrap(),
            second.user_id("alice@example.com").unwrap(),
        ),
        ids
    );
    assert_ne!(ids.0, ids.1);
    // The fixed service id: its owner logs in and binds it, as a service
    // with a saved service_config.service_id does.
    let svc = second.services();
    assert_eq!(svc[0].service_id, "fixed-service");
    assert_eq!(svc[0].owner, ids.0);
    let api = Api::new(&second);
    let (token, _) = api.sign_in("owner@example.com", "pw").await;
    api.post(
        "/service/bind",
        Some(&token),
        json!({"channel_id": "lobby", "service_id": "fixed-service"}),
    )
    .await;
    Ws::login_service(&second.ws_uri(), &token, "fixed-service").await;
    // An unknown owner is refused at start.
    let bad = DevServer::builder()
        .service("s", "nobody@example.com")
        .start()
        .await;
    assert!(bad.is_err());
    second.shutdown().await;
}
