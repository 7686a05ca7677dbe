//! The devserver's permission table (moobius-devserver/README.md), one test
//! per rule, each with an allowed and a refused case; and revocation:
//! sockets closed on sign-out, password reset and account deletion, old
//! tokens refused.

#![allow(clippy::unwrap_used)]

mod devserver_support;

use devserver_support::{
    binding, heartbeat, join, message_down, message_up, raw_request, World, Ws,
};
use moobius_devserver::codes;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// Waits for the close frame of a socket; returns (code, reason).
async fn closed(ws: &mut Ws) -> (CloseCode, String) {
    loop {
        match ws.next_message().await {
            Message::Close(Some(f)) => return (f.code, f.reason.to_string()),
            Message::Close(None) => return (CloseCode::Status, String::new()),
            _ => {}
        }
    }
}

#[tokio::test]
async fn rule_bind_only_to_own_channels() {
    let w = World::new().await;
    let api = &w.api;
    let [_, _, bob_t] = w.tokens();
    // Allowed: the seeded channel's owner (the first seeded account).
    let sid = w.bound_service().await;
    assert_eq!(
        w.server.channel(&w.channel).unwrap().service_id,
        Some(sid.clone())
    );
    // Refused: Bob's service onto the svc account's channel (takeover).
    let bob_sid = w.new_service(&w.bob_token, "x").await;
    unbind_all(&w).await;
    let m = api
        .post_fails(
            "/service/bind",
            bob_t,
            binding(&w.channel, &bob_sid),
            codes::FORBIDDEN,
        )
        .await;
    assert!(m.contains("owner"), "{m}");
    // Refused: someone else's service, even onto one's own channel.
    let bobs = w.new_channel(&w.bob_token, "Bob's").await;
    api.post_fails(
        "/service/bind",
        bob_t,
        binding(&bobs, &sid),
        codes::FORBIDDEN,
    )
    .await;
    // Allowed: Bob's service onto Bob's channel.
    api.post("/service/bind", bob_t, binding(&bobs, &bob_sid))
        .await;
}

/// Leaves every channel unbound (so a refusal is about ownership, not about
/// the channel being bound elsewhere).
async fn unbind_all(w: &World) {
    for (c, s) in w.server.bindings() {
        w.api
            .post("/service/unbind", Some(&w.svc_token), binding(&c, &s))
            .await;
    }
}

#[tokio::test]
async fn rule_unbind_by_service_owner_or_channel_owner() {
    let w = World::new().await;
    let api = &w.api;
    let [_, alice_t, bob_t] = w.tokens();
    // Bob owns a channel; the svc account's service cannot bind there, so
    // Bob binds his own; the svc account cannot unbind it.
    let bobs = w.new_channel(&w.bob_token, "Bob's").await;
    let bob_sid = w.new_service(&w.bob_token, "x").await;
    api.post("/service/bind", bob_t, binding(&bobs, &bob_sid))
        .await;
    api.post_fails(
        "/service/unbind",
        alice_t,
        binding(&bobs, &bob_sid),
        codes::FORBIDDEN,
    )
    .await;
    api.post("/service/unbind", bob_t, binding(&bobs, &bob_sid))
        .await;
    // The channel's owner may unbind a service bound by the seeding API.
    let sid = w.bound_service().await;
    let alice_sid = w.new_service(&w.alice_token, "x").await;
    w.server.bind(&bobs, &alice_sid).unwrap();
    api.post("/service/unbind", bob_t, binding(&bobs, &alice_sid))
        .await;
    let _ = sid;
}

#[tokio::test]
async fn rule_manage_channel_by_owner_or_service_owner() {
    let w = World::new().await;
    let api = &w.api;
    let [svc_t, alice_t, bob_t] = w.tokens();
    let rename = |name: &str| json!({"channel_id": w.channel, "channel_name": name});
    // The seeded channel now has an owner: a member or a stranger cannot rename it.
    w.server.add_member(&w.channel, &w.alice).unwrap();
    api.post_fails("/channel/update", alice_t, rename("x"), codes::FORBIDDEN)
        .await;
    api.post_fails("/channel/update", bob_t, rename("x"), codes::FORBIDDEN)
        .await;
    api.post("/channel/update", svc_t, rename("Owned")).await;
    assert_eq!(w.server.channel(&w.channel).unwrap().name, "Owned");
    // The owner of the bound service manages the channel too.
    let alices = w.new_channel(&w.alice_token, "Alice's").await;
    let asid = w.new_service(&w.alice_token, "x").await;
    api.post("/service/bind", alice_t, binding(&alices, &asid))
        .await;
    api.post(
        "/channel/update",
        alice_t,
        json!({"channel_id": alices, "channel_name": "Renamed"}),
    )
    .await;
}

#[tokio::test]
async fn rule_read_channel_by_members_and_managers() {
    let w = World::new().await;
    let api = &w.api;
    let [svc_t, _, bob_t] = w.tokens();
    let c = &w.channel;
    let paths = [
        format!("/channel/history_message?channel_id={c}&limit=5"),
        format!("/channel/character_list?channel_id={c}&service_id=x"),
        format!("/user/group/list?channel_id={c}&service_id=x"),
        format!("/user/group/temp?channel_id={c}&service_id=x"),
    ];
    for p in &paths {
        // Refused: a stranger.
        api.get_fails(p, bob_t, codes::FORBIDDEN).await;
        // Allowed: the owner, and a member.
        api.get(p, svc_t).await;
    }
    let group = json!({"channel_id": c, "group_name": "g", "characters": [w.alice]});
    api.post_fails("/user/group/create", bob_t, group.clone(), codes::FORBIDDEN)
        .await;
    w.server.add_member(c, &w.bob).unwrap();
    for p in &paths {
        api.get(p, bob_t).await;
    }
    api.post("/user/group/create", bob_t, group).await;
}

#[tokio::test]
async fn rule_read_group() {
    let w = World::new().await;
    let api = &w.api;
    let [svc_t, alice_t, bob_t] = w.tokens();
    w.server.add_member(&w.channel, &w.alice).unwrap();
    let g = w.channel_group(&w.alice_token, &[&w.alice]).await;
    let path = format!("/user/group?group_id={g}");
    // A channel group: its channel's readers (the owner here) and its creator.
    api.get(&path, svc_t).await;
    api.get(&path, alice_t).await;
    api.get_fails(&path, bob_t, codes::FORBIDDEN).await;
    // A service group: its id is the capability.
    let sg = w.service_group(&[&w.alice]).await;
    api.get(&format!("/service/group?group_id={sg}"), bob_t)
        .await;
}

#[tokio::test]
async fn rule_service_things_by_its_owner() {
    let w = World::new().await;
    let api = &w.api;
    let [svc_t, _, bob_t] = w.tokens();
    let sid = w.bound_service().await;
    let create = json!({"service_id": sid, "context": {"name": "Guide"}});
    api.post_fails(
        "/service/character/create",
        bob_t,
        create.clone(),
        codes::FORBIDDEN,
    )
    .await;
    api.post("/service/character/create", svc_t, create).await;
    api.get_fails(
        &format!("/service/character/list?service_id={sid}"),
        bob_t,
        codes::FORBIDDEN,
    )
    .await;
    // service_login: only with a token of the service's owner.
    let uri = w.server.ws_uri();
    let mut ws = Ws::connect(&uri).await;
    let c = ws
        .request(json!({"type": "service_login", "access_token": w.bob_token, "service_id": sid}))
        .await;
    assert_eq!(c["status"], false, "{c}");
    w.service_ws(&sid).await;
}

#[tokio::test]
async fn rule_user_frames_need_membership() {
    let w = World::new().await;
    let (_, mut svc) = w.bound_service_ws().await;
    let mut bob = w.user_ws(&w.bob_token).await;
    // Refused before joining; allowed after.
    let c = bob
        .request(message_up(&w.bob, &w.channel, "service", "hi"))
        .await;
    assert_eq!(c["status"], false, "{c}");
    assert_eq!(bob.request(join(&w.bob, &w.channel)).await["status"], true);
    let c = bob
        .request(message_up(&w.bob, &w.channel, "service", "hi"))
        .await;
    assert_eq!(c["status"], true, "{c}");
    svc.recv_until(|v| v["type"] == "message_up").await;
}

#[tokio::test]
async fn rule_service_speaks_as_members_agents_or_itself() {
    let w = World::new().await;
    let (sid, mut svc) = w.bound_service_ws().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    w.server.add_member(&w.channel, &w.alice).unwrap();
    let agent = w.agent(&sid, "Guide").await;
    let g = w.service_group(&[&w.alice]).await;
    for ok in [agent.as_str(), w.alice.as_str(), sid.as_str(), "no_sender"] {
        let c = svc
            .request(message_down(&sid, &w.channel, &g, ok, "x"))
            .await;
        assert_eq!(c["status"], true, "{ok}: {c}");
        let m = alice.recv_until(|v| v["type"] == "message_down").await;
        assert_eq!(m["body"]["sender"], ok);
    }
    // Refused: a non-member (spoofing Bob), the channel's owner who is no
    // member, another service's agent.
    let bob_sid = w.new_service(&w.bob_token, "x").await;
    let spy = json!({"service_id": bob_sid, "context": {"name": "Spy"}});
    let bob_agent = w
        .api
        .post_for(
            "/service/character/create",
            Some(&w.bob_token),
            spy,
            "character_id",
        )
        .await;
    for bad in [w.bob.as_str(), w.svc_user.as_str(), bob_agent.as_str()] {
        let c = svc
            .request(message_down(&sid, &w.channel, &g, bad, "x"))
            .await;
        assert_eq!(c["status"], false, "{bad}: {c}");
    }
    alice
        .expect_silence(std::time::Duration::from_millis(200))
        .await;
}

#[tokio::test]
async fn rule_uploads_one_shot_keys() {
    let w = World::new().await;
    let api = &w.api;
    let [_, alice_t, _] = w.tokens();
    api.get_fails("/file/upload?extension=txt", None, codes::UNAUTHORIZED)
        .await;
    let d = api.get("/file/upload?extension=txt", alice_t).await;
    let url = d["url"].as_str().unwrap().to_owned();
    let key = d["fields"]["key"].as_str().unwrap().to_owned();
    let post = |content: &'static str| {
        let boundary = "b0undary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n{content}\r\n--{boundary}--\r\n"
        );
        let url = url.clone();
        async move {
            raw_request(
                "POST",
                &url,
                &[("Content-Type", "multipart/form-data; boundary=b0undary")],
                body.as_bytes(),
            )
            .await
        }
    };
    assert_eq!(post("original").await.status, 204);
    // A second upload to the same key (by anyone) is refused; the file stays.
    let again = post("overwritten").await;
    assert_eq!(
        again.status,
        403,
        "{}",
        String::from_utf8_lossy(&again.body)
    );
    let r = raw_request("GET", &format!("{url}{key}"), &[], b"").await;
    assert_eq!(r.body, b"original");
}

#[tokio::test]
async fn codes_are_void_after_five_wrong_guesses() {
    let w = World::new().await;
    let api = &w.api;
    let email = "alice@example.com";
    let code = w.forgot_password(email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let attempt =
        |c: &str| json!({"username": email, "password": "new-pw", "confirmation_code": c});
    for _ in 0..5 {
        api.post_fails(
            "/auth/confirm_reset_password",
            None,
            attempt(wrong),
            codes::BAD_CODE,
        )
        .await;
    }
    // The right code no longer works: it was dropped.
    api.post_fails(
        "/auth/confirm_reset_password",
        None,
        attempt(&code),
        codes::BAD_CODE,
    )
    .await;
    assert_eq!(w.server.reset_code(email), None);
    // A fresh code works at once.
    let code = w.forgot_password(email).await;
    api.post("/auth/confirm_reset_password", None, attempt(&code))
        .await;
}

#[tokio::test]
async fn sign_out_closes_the_sockets_of_that_sign_in() {
    let w = World::new().await;
    let uri = w.server.ws_uri();
    let mut old = w.user_ws(&w.alice_token).await;
    // Another sign-in of the same account is not affected.
    let (other_token, _) = w.api.sign_in("alice@example.com", "alice-pw").await;
    let mut other = w.user_ws(&other_token).await;
    w.api
        .post("/auth/sign_out", Some(&w.alice_token), json!({}))
        .await;
    let (code, reason) = closed(&mut old).await;
    assert_eq!(code, CloseCode::Policy);
    assert!(reason.contains("signed out"), "{reason}");
    let c = other.request(heartbeat()).await;
    assert_eq!(c["status"], true);
    // The token is refused for a new login.
    let mut again = Ws::connect(&uri).await;
    let c = again
        .request(json!({"type": "user_login", "access_token": w.alice_token}))
        .await;
    assert_eq!(c["status"], false);
}

#[tokio::test]
async fn password_reset_revokes_every_token_and_socket() {
    let w = World::new().await;
    let api = &w.api;
    let email = "alice@example.com";
    let (access, refresh) = api.sign_in(email, "alice-pw").await;
    let mut ws = w.user_ws(&access).await;
    let code = w.forgot_password(email).await;
    api.post(
        "/auth/confirm_reset_password",
        None,
        json!({"username": email, "password": "new-pw", "confirmation_code": code}),
    )
    .await;
    let (c, _) = closed(&mut ws).await;
    assert_eq!(c, CloseCode::Policy);
    for t in [&access, &w.alice_token] {
        api.get_fails("/user/info", Some(t), codes::UNAUTHORIZED)
            .await;
    }
    api.refresh_fails(email, &refresh, codes::UNAUTHORIZED)
        .await;
    api.sign_in(email, "new-pw").await;
}

#[tokio::test]
async fn deleted_accounts_lose_their_sockets_and_still_resolve() {
    let w = World::new().await;
    let api = &w.api;
    let [svc_t, _, _] = w.tokens();
    let (sid, mut svc) = w.bound_service_ws().await;
    let mut bob = w.user_ws(&w.bob_token).await;
    assert_eq!(bob.request(join(&w.bob, &w.channel)).await["status"], true);
    let g = w.service_group(&[&w.bob]).await;
    api.post(
        "/auth/delete_account",
        None,
        json!({"username": "bob@example.com", "password": "bob-pw"}),
    )
    .await;
    let (c, reason) = closed(&mut bob).await;
    assert_eq!(c, CloseCode::Policy);
    assert!(reason.contains("deleted"), "{reason}");
    assert!(!w.server.members(&w.channel).contains(&w.bob));
    // The group still names Bob: profiles resolve instead of failing.
    let p = api
        .post(
            "/character/fetch_profile",
            svc_t,
            json!({"character_list": [w.bob]}),
        )
        .await;
    assert_eq!(p[0]["character_context"]["name"], "Deleted account");
    let c = svc
        .request(message_down(&sid, &w.channel, &g, &sid, "anyone?"))
        .await;
    assert_eq!(c["status"], true);
}
