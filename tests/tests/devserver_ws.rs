//! The devserver's websocket: logins, `copy` acknowledgements, routing of
//! messages, updates and actions (PROTOCOL.md §5, §6), and bad input.

#![allow(clippy::unwrap_used)]

mod devserver_support;

use devserver_support::{
    action, body_keys, heartbeat, join, message_down, message_up, World, Ws, WAIT,
};
use futures_util::SinkExt;
use moobius_devserver::{DevServer, Login};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

fn is(ty: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["type"] == ty
}

#[tokio::test]
async fn logins_are_checked_and_every_frame_is_acknowledged() {
    let w = World::new().await;
    let uri = w.server.ws_uri();
    let mut ws = Ws::connect(&uri).await;

    // Before login: heartbeat and messages are refused with status false.
    let rid = ws.send(heartbeat()).await;
    let c = ws.copy_of(&rid).await;
    assert_eq!(
        c,
        json!({"request_id": rid, "origin_type": "heartbeat", "status": false, "context": {"message": "not logged in"}})
    );
    let c = ws
        .request(message_up(&w.alice, &w.channel, "service", "hi"))
        .await;
    assert_eq!(c["status"], false);
    assert_eq!(c["origin_type"], "message_up");

    // Bad tokens.
    let c = ws
        .request(json!({"type": "user_login", "auth_origin": "cognito", "access_token": "bogus"}))
        .await;
    assert_eq!(c["status"], false);
    let sid = w.bound_service().await;
    let c = ws
        .request(json!({"type": "service_login", "auth_origin": "cognito", "access_token": w.alice_token, "service_id": sid}))
        .await;
    assert_eq!(c["status"], false, "alice does not own the service: {c}");
    let c = ws
        .request(json!({"type": "service_login", "auth_origin": "cognito", "access_token": w.svc_token, "service_id": "ghost"}))
        .await;
    assert_eq!(c["status"], false);

    // Good login; the copy has exactly the CopyBody keys.
    let rid = ws
        .send(
            json!({"type": "user_login", "auth_origin": "cognito", "access_token": w.alice_token}),
        )
        .await;
    let frame = ws.recv_until(is("copy")).await;
    assert_eq!(
        body_keys(&frame),
        ["context", "origin_type", "request_id", "status"]
    );
    assert_eq!(frame["body"]["request_id"], rid);
    assert_eq!(frame["body"]["status"], true);
    let c = ws.request(heartbeat()).await;
    assert_eq!(
        (c["status"].clone(), c["origin_type"].clone()),
        (json!(true), json!("heartbeat"))
    );

    // A user may not send service frames.
    let c = ws
        .request(message_down(&sid, &w.channel, "service", "x", "no"))
        .await;
    assert_eq!(c["status"], false);

    // Expired token at login.
    w.server.expire_access_tokens();
    let mut ws2 = Ws::connect(&uri).await;
    let c = ws2
        .request(
            json!({"type": "user_login", "auth_origin": "cognito", "access_token": w.bob_token}),
        )
        .await;
    assert_eq!(c["status"], false);
    assert!(
        c["context"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{c}"
    );
    // ... while the open session stays logged in.
    let c = ws.request(heartbeat()).await;
    assert_eq!(c["status"], true);
    let conns = w.server.connections();
    assert!(
        matches!(&conns[0].login, Some(Login::User { user_id, .. }) if *user_id == w.alice),
        "{:?}",
        conns[0].login
    );
    assert!(conns[0]
        .sent
        .iter()
        .all(|f| f.get("access_token").is_none_or(|t| t == "<redacted>")));
}

#[tokio::test]
async fn service_login_works_on_the_root_path_too() {
    let w = World::new().await;
    let sid = w.bound_service().await;
    let root = w.server.ws_uri().trim_end_matches("/ws").to_owned() + "/";
    let _svc = Ws::login_service(&root, &w.svc_token, &sid).await;
    let conns = w.server.connections();
    assert_eq!(conns[0].service_id(), Some(sid.as_str()));
    assert_eq!(conns[0].user_id(), Some(w.svc_user.as_str()));
}

#[tokio::test]
async fn message_up_goes_to_the_bound_service() {
    let w = World::new().await;
    let (_, mut svc) = w.bound_service_ws().await;
    let mut alice = w.user_ws(&w.alice_token).await;

    // Not a member yet.
    let c = alice
        .request(message_up(&w.alice, &w.channel, "service", "hi"))
        .await;
    assert_eq!(c["status"], false);
    assert!(c["context"]["message"]
        .as_str()
        .unwrap()
        .contains("not a member"));

    let c = alice.request(join(&w.alice, &w.channel)).await;
    assert_eq!(c["status"], true);
    let join = svc.recv_until(is("action")).await;
    assert_eq!(
        join["body"],
        json!({"subtype": "join", "channel_id": w.channel, "sender": w.alice, "context": {}})
    );

    // Recipients as a channel group (as the Python SDK sends them).
    let group = json!({"channel_id": w.channel, "group_name": "A_message_up_group", "characters": [w.alice, w.bob]});
    let g = w
        .api
        .post_for(
            "/user/group/create",
            Some(&w.alice_token),
            group,
            "group_id",
        )
        .await;
    let c = alice
        .request(message_up(&w.alice, &w.channel, &g, "hello service"))
        .await;
    assert_eq!(c["status"], true);
    let mid = c["context"]["message_id"].as_str().unwrap().to_owned();
    let up = svc.recv_until(is("message_up")).await;
    assert_eq!(
        body_keys(&up),
        [
            "channel_id",
            "content",
            "context",
            "message_id",
            "recipients",
            "sender",
            "subtype",
            "timestamp"
        ]
    );
    let b = &up["body"];
    assert_eq!(b["message_id"], mid);
    assert_eq!(b["sender"], w.alice);
    assert_eq!(b["recipients"], g);
    assert_eq!(b["content"], json!({"text": "hello service"}));
    assert_eq!(b["timestamp"], 1722014904438_i64);
    assert!(up.get("request_id").is_none());

    // "service" stays "service".
    alice
        .request(message_up(&w.alice, &w.channel, "service", "to service"))
        .await;
    let up = svc.recv_until(is("message_up")).await;
    assert_eq!(up["body"]["recipients"], "service");

    // Unknown recipients group is refused.
    let c = alice
        .request(message_up(&w.alice, &w.channel, "ghost-group", "x"))
        .await;
    assert_eq!(c["status"], false);

    // Users never get message_up; history has both messages.
    alice.expect_silence(Duration::from_millis(200)).await;
    let h = w.server.history(&w.channel);
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].message_id, mid);
    assert_eq!(h[0].direction, "message_up");
    let api_h = w
        .api
        .get(
            &format!(
                "/channel/history_message?channel_id={}&limit=64&before=null",
                w.channel
            ),
            Some(&w.alice_token),
        )
        .await;
    assert_eq!(api_h.as_array().unwrap().len(), 2);
    assert_eq!(api_h[0]["message_id"], mid);
    assert_eq!(api_h[0]["content"]["text"], "hello service");
    let before = w
        .api
        .get(
            &format!(
                "/channel/history_message?channel_id={}&limit=1&before={}",
                w.channel, h[1].message_id
            ),
            Some(&w.alice_token),
        )
        .await;
    assert_eq!(before.as_array().unwrap().len(), 1);
    assert_eq!(before[0]["message_id"], mid);
}

#[tokio::test]
async fn message_down_reaches_connected_member_recipients_only() {
    let w = World::new().await;
    let (sid, mut svc) = w.bound_service_ws().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    let mut bob = w.user_ws(&w.bob_token).await;
    w.server.add_member(&w.channel, &w.alice).unwrap();
    let agent = w.agent(&sid, "Guide").await;
    // Bob is in the group but not a member; an agent and a stranger too.
    let g = w
        .service_group(&[&w.alice, &w.bob, &agent, "stranger"])
        .await;
    let c = svc
        .request(message_down(&sid, &w.channel, &g, &agent, "welcome"))
        .await;
    assert_eq!(c["status"], true, "{c}");
    let mid = c["context"]["message_id"].clone();
    let m = alice.recv_until(is("message_down")).await;
    assert_eq!(
        body_keys(&m),
        [
            "channel_id",
            "content",
            "context",
            "message_id",
            "sender",
            "subtype",
            "timestamp"
        ],
        "no recipients key for users"
    );
    assert_eq!(m["body"]["sender"], agent.as_str());
    assert_eq!(m["body"]["message_id"], mid);
    bob.expect_silence(Duration::from_millis(200)).await;

    // Refusals: wrong service id, unknown group, unbound channel.
    let c = svc
        .request(message_down("other", &w.channel, &g, "a", "x"))
        .await;
    assert_eq!(c["status"], false);
    let c = svc
        .request(message_down(&sid, &w.channel, "ghost", "a", "x"))
        .await;
    assert_eq!(c["status"], false);
    let other = w.server.create_channel("Other").unwrap();
    let c = svc.request(message_down(&sid, &other, &g, "a", "x")).await;
    assert_eq!(c["status"], false);
    assert!(c["context"]["message"]
        .as_str()
        .unwrap()
        .contains("not bound"));
    // "service" recipients: accepted, delivered to nobody.
    let c = svc
        .request(message_down(&sid, &w.channel, "service", &agent, "x"))
        .await;
    assert_eq!(c["status"], true);
    alice.expect_silence(Duration::from_millis(200)).await;
    assert_eq!(w.server.history(&w.channel).len(), 2);
    assert_eq!(
        w.server
            .frames_to_user(&w.alice)
            .iter()
            .filter(|f| f["type"] == "message_down")
            .count(),
        1
    );
}

#[tokio::test]
async fn channel_without_service_delivers_to_recipients_directly() {
    let w = World::new().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    let mut bob = w.user_ws(&w.bob_token).await;
    alice.request(join(&w.alice, &w.channel)).await;
    bob.request(join(&w.bob, &w.channel)).await;
    let g = w.channel_group(&w.alice_token, &[&w.bob]).await;
    let c = alice
        .request(message_up(&w.alice, &w.channel, &g, "hi bob"))
        .await;
    assert_eq!(c["status"], true);
    let m = bob.recv_until(is("message_down")).await;
    assert_eq!(m["body"]["sender"], w.alice);
    assert_eq!(m["body"]["content"]["text"], "hi bob");
    assert!(m["body"].get("recipients").is_none());
    assert_eq!(m["body"]["message_id"], c["context"]["message_id"]);
    alice.expect_silence(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn updates_reach_members_with_the_allowed_keys() {
    let w = World::new().await;
    let (sid, mut svc) = w.bound_service_ws().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    w.server.add_member(&w.channel, &w.alice).unwrap();
    let to = w.service_group(&[&w.alice]).await;
    let chars = w.service_group(&["agent-1", &w.alice]).await;
    let upd = |body: Value| json!({"type": "update", "service_id": sid, "body": body});
    let ch = w.channel.clone();
    let cases = [
        (
            json!({"subtype": "characters", "channel_id": ch, "recipients": to, "content": {"characters": chars}}),
            json!({"subtype": "characters", "channel_id": ch, "content": {"characters": chars}}),
        ),
        (
            json!({"subtype": "buttons", "channel_id": ch, "recipients": to, "group_id": "temp", "context": {},
                   "content": [{"button_id": "meow", "button_text": "MEOW", "dialog": null},
                               {"button_id": "r", "button_text": "R", "dialog": {"title": "T",
                                 "components": [{"label": "How many?", "type": "dropdown", "required": true, "placeholder": null, "choices": ["1", "2"]}],
                                 "bottom_buttons": [{"id": "ok", "text": "OK", "submit": true}]}}]}),
            json!({"subtype": "buttons", "channel_id": ch, "group_id": "temp", "context": {},
                   "content": [{"button_id": "meow", "button_text": "MEOW"},
                               {"button_id": "r", "button_text": "R", "dialog": {"title": "T",
                                 "components": [{"label": "How many?", "type": "dropdown", "required": true, "choices": ["1", "2"]}],
                                 "bottom_buttons": [{"id": "ok", "text": "OK", "submit": true}]}}]}),
        ),
        (
            json!({"subtype": "menu", "channel_id": ch, "recipients": to, "context": {},
                   "content": [{"menu_item_id": "mi", "menu_item_text": "What?", "message_subtypes": ["text"], "dialog": null}]}),
            json!({"subtype": "menu", "channel_id": ch, "context": {},
                   "content": [{"menu_item_id": "mi", "menu_item_text": "What?", "message_subtypes": ["text"]}]}),
        ),
        (
            json!({"subtype": "style", "channel_id": ch, "recipients": to, "group_id": "temp", "context": {},
                   "content": [{"widget": "canvas", "display": "visible", "expand": true, "button_id": null, "text": null}]}),
            json!({"subtype": "style", "channel_id": ch, "group_id": "temp", "context": {},
                   "content": [{"widget": "canvas", "display": "visible", "expand": true}]}),
        ),
        (
            json!({"subtype": "canvas", "channel_id": ch, "recipients": to, "group_id": "temp", "context": {},
                   "content": [{"text": "I am up!", "path": null}]}),
            json!({"subtype": "canvas", "channel_id": ch, "group_id": "temp", "context": {},
                   "content": [{"text": "I am up!"}]}),
        ),
    ];
    for (sent, expected) in cases {
        let c = svc.request(upd(sent.clone())).await;
        assert_eq!(c["status"], true, "{sent}: {c}");
        let got = alice.recv_until(is("update")).await;
        assert_eq!(got["body"], expected, "{sent}");
    }

    // channel_info (its own envelope) renames the channel.
    let c = svc
        .request(json!({"type": "update", "subtype": "channel_info", "channel_id": ch, "service_id": sid,
            "body": {"channel_id": ch, "channel_name": "Graduated!", "channel_description": "Now", "channel_type": "ccs",
                     "context": {"channel_description": "Now", "channel_type": "ccs"}}}))
        .await;
    assert_eq!(c["status"], true, "{c}");
    assert_eq!(w.server.channel(&ch).unwrap().name, "Graduated!");
    let got = alice.recv_until(is("update")).await;
    assert_eq!(got["body"]["content"]["channel_name"], "Graduated!");

    // An update of an unknown shape without routing information and an
    // unknown characters group are refused.
    let c = svc.request(upd(json!({"any": "caller data"}))).await;
    assert_eq!(c["status"], false);
    let c = svc
        .request(upd(json!({"subtype": "characters", "channel_id": ch, "recipients": to, "content": {"characters": "ghost"}})))
        .await;
    assert_eq!(c["status"], false);
}

#[tokio::test]
async fn user_actions_reach_the_service() {
    let w = World::new().await;
    let (sid, mut svc) = w.bound_service_ws().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    let ch = w.channel.clone();

    // Refresh and clicks need membership.
    let c = alice
        .request(action(&w.alice, &ch, "refresh", json!({})))
        .await;
    assert_eq!(c["status"], false);
    alice.request(join(&w.alice, &ch)).await;
    assert_eq!(w.server.members(&ch), vec![w.alice.clone()]);
    svc.recv_until(is("action")).await;

    alice
        .request(action(&w.alice, &ch, "refresh", json!({})))
        .await;
    let a = svc.recv_until(is("action")).await;
    assert_eq!(
        a["body"],
        json!({"subtype": "refresh", "channel_id": ch, "sender": w.alice, "context": {}})
    );

    // Nested arguments (as the Python SDK sends them) arrive flat.
    alice
        .request(action(&w.alice, &ch, "button_click", json!({"button_id": "repeat",
            "arguments": [[{"label": "How many?", "value": "2", "filename": null}]], "bottom_button_id": "double"})))
        .await;
    let a = svc.recv_until(is("action")).await;
    assert_eq!(
        a["body"],
        json!({"subtype": "button_click", "button_id": "repeat", "channel_id": ch, "sender": w.alice,
               "arguments": [{"label": "How many?", "value": "2"}], "bottom_button_id": "double", "context": {}})
    );
    alice
        .request(action(
            &w.alice,
            &ch,
            "button_click",
            json!({"button_id": "meow", "arguments": [[]]}),
        ))
        .await;
    let a = svc.recv_until(is("action")).await;
    assert_eq!(a["body"]["arguments"], json!([]));
    assert_eq!(a["body"]["bottom_button_id"], "confirm");

    // A menu click with the reference's placeholders is filled in from history.
    let c = alice
        .request(message_up(&w.alice, &ch, "service", "meow"))
        .await;
    let mid = c["context"]["message_id"].as_str().unwrap().to_owned();
    svc.recv_until(is("message_up")).await;
    alice
        .request(action(&w.alice, &ch, "menu_item_click", json!({"menu_item_id": "mi_type", "message_id": mid,
            "message_subtype": "<unknown>", "message_content": {}, "arguments": [[]], "bottom_button_id": "confirm"})))
        .await;
    let a = svc.recv_until(is("action")).await;
    assert_eq!(
        a["body"],
        json!({"subtype": "menu_item_click", "menu_item_id": "mi_type", "message_id": mid, "message_subtype": "text",
               "message_content": {"text": "meow"}, "channel_id": ch, "arguments": [], "bottom_button_id": "confirm",
               "context": {}, "sender": w.alice})
    );

    // Leave: membership goes, the service hears of it, then refresh is refused.
    alice
        .request(action(&w.alice, &ch, "leave_channel", json!({})))
        .await;
    let a = svc.recv_until(is("action")).await;
    assert_eq!(
        a["body"],
        json!({"subtype": "leave", "channel_id": ch, "sender": w.alice, "context": {}})
    );
    assert!(w.server.members(&ch).is_empty());
    let c = alice
        .request(action(&w.alice, &ch, "leave_channel", json!({})))
        .await;
    assert_eq!(c["status"], false);
    let c = alice.request(join(&w.alice, "nope")).await;
    assert_eq!(c["status"], false);
    // Unknown action subtypes are refused.
    let c = alice
        .request(action(&w.alice, &ch, "fetch_characters", json!({})))
        .await;
    assert_eq!(c["status"], false);
    // A service may not send user actions.
    let c = svc.request(join(&sid, &ch)).await;
    assert_eq!(c["status"], false);
}

#[tokio::test]
async fn bad_frames_are_refused_and_the_connection_stays() {
    let w = World::new().await;
    let mut ws = w.user_ws(&w.alice_token).await;
    for text in [
        "{not json",
        "[1,2,3]",
        "\"str\"",
        "{}",
        "{\"type\": 5}",
        "null",
        "",
    ] {
        ws.send_text(text.to_owned()).await;
        let c = ws.recv_until(is("copy")).await;
        assert_eq!(c["body"]["status"], false, "{text}");
        assert!(c["body"]["context"]["message"].is_string(), "{text}");
    }
    // Unknown type: refused with its request id and type echoed.
    let rid = ws.send(json!({"type": "roger", "body": {}})).await;
    let c = ws.copy_of(&rid).await;
    assert_eq!(
        (c["status"].clone(), c["origin_type"].clone()),
        (json!(false), json!("roger"))
    );
    // Wrong shape of a known type.
    let c = ws
        .request(json!({"type": "message_up", "user_id": w.alice, "body": {"subtype": 7}}))
        .await;
    assert_eq!(c["status"], false);
    // Still logged in and working.
    let c = ws.request(heartbeat()).await;
    assert_eq!(c["status"], true);
}

#[tokio::test]
async fn oversized_frames_close_only_their_connection() {
    let server = DevServer::builder()
        .user("a@example.com", "pw")
        .max_frame_bytes(64 * 1024)
        .start()
        .await
        .unwrap();
    let api = devserver_support::Api::new(&server);
    let (token, _) = api.sign_in("a@example.com", "pw").await;
    let uri = server.ws_uri();
    let mut big = Ws::login_user(&uri, &token).await;
    let mut other = Ws::login_user(&uri, &token).await;
    let text = json!({"type": "heartbeat", "body": {"pad": "x".repeat(70 * 1024)}}).to_string();
    big.send_text(text).await;
    match big.next_message().await {
        Message::Close(Some(f)) => {
            assert_eq!(f.code, CloseCode::Size);
            assert!(
                f.reason.contains("exceeds the limit of 65536 bytes"),
                "{}",
                f.reason
            );
        }
        m => panic!("expected a close frame, got {m:?}"),
    }
    // The other connection and HTTP are unaffected.
    let c = other.request(heartbeat()).await;
    assert_eq!(c["status"], true);
    api.get("/user/info", Some(&token)).await;
    let mut again = Ws::login_user(&uri, &token).await;
    let c = again.request(heartbeat()).await;
    assert_eq!(c["status"], true);
    server.shutdown().await;
}

#[tokio::test]
async fn binary_frames_and_abrupt_disconnects_do_no_harm() {
    let w = World::new().await;
    let uri = w.server.ws_uri();
    let (mut raw, _) = tokio_tungstenite::connect_async(uri.as_str())
        .await
        .unwrap();
    raw.send(Message::Binary(
        json!({"type": "user_login", "request_id": "b1", "access_token": w.alice_token})
            .to_string()
            .into_bytes()
            .into(),
    ))
    .await
    .unwrap();
    raw.send(Message::Binary(vec![0xff, 0x00, 0x13].into()))
        .await
        .unwrap();
    drop(raw); // no close handshake
    let ok = w
        .server
        .wait_until(WAIT, |s| {
            let c = s.connections();
            (c.len() == 1 && !c[0].open).then_some(c)
        })
        .await
        .expect("connection seen closed");
    assert_eq!(ok[0].user_id(), Some(w.alice.as_str()));
    let mut ws = w.user_ws(&w.alice_token).await;
    assert_eq!(ws.request(heartbeat()).await["status"], true);
}

#[tokio::test]
async fn pings_are_answered() {
    use futures_util::StreamExt;
    let w = World::new().await;
    let (mut raw, _) = tokio_tungstenite::connect_async(w.server.ws_uri().as_str())
        .await
        .unwrap();
    raw.send(Message::Ping(b"keepalive".to_vec().into()))
        .await
        .unwrap();
    let m = tokio::time::timeout(WAIT, raw.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(m, Message::Pong(b"keepalive".to_vec().into()));
}

#[tokio::test]
async fn a_frame_sent_again_with_the_same_request_id_is_acknowledged_but_delivered_once() {
    let w = World::new().await;
    let sid = w.bound_service().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    w.server.add_member(&w.channel, &w.alice).unwrap();
    let g = w.service_group(&[&w.alice]).await;
    let mut frame = message_down(&sid, &w.channel, &g, &w.alice, "once");
    frame["request_id"] = json!("fixed-request-id");
    // The first socket sends it and is dropped; the second (a reconnect)
    // sends the same frame again, as a client that never saw the ack does.
    for _ in 0..2 {
        let mut svc = w.service_ws(&sid).await;
        svc.send_text(frame.to_string()).await;
        let c = svc.recv_until(is("copy")).await;
        assert_eq!(c["body"]["status"], true, "{c}");
        svc.close().await;
    }
    let m = alice.recv_until(is("message_down")).await;
    assert_eq!(m["body"]["content"]["text"], "once");
    alice.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn generic_updates_and_frames_are_forwarded() {
    let w = World::new().await;
    let (sid, mut svc) = w.bound_service_ws().await;
    let mut alice = w.user_ws(&w.alice_token).await;
    let mut bob = w.user_ws(&w.bob_token).await;
    w.server.add_member(&w.channel, &w.alice).unwrap();
    let g = w.service_group(&[&w.alice, &w.bob]).await;
    // send_update: a body of the service's own shape, to member recipients.
    let c = svc
        .request(json!({"type": "update", "service_id": sid,
            "body": {"subtype": "custom", "channel_id": w.channel, "recipients": g, "anything": 1}}))
        .await;
    assert_eq!(c["status"], true, "{c}");
    let u = alice.recv_until(is("update")).await;
    assert_eq!(
        u["body"],
        json!({"subtype": "custom", "channel_id": w.channel, "anything": 1})
    );
    // Generic send of any type, from the service.
    let c = svc
        .request(json!({"type": "custom_type", "character_id": sid,
            "body": {"channel_id": w.channel, "recipients": g, "x": 1}}))
        .await;
    assert_eq!(c["status"], true, "{c}");
    let f = alice.recv_until(is("custom_type")).await;
    assert_eq!(f["body"], json!({"channel_id": w.channel, "x": 1}));
    // From a member user: to the service, with the sender filled in.
    let c = alice
        .request(json!({"type": "custom_up", "character_id": w.alice,
            "body": {"channel_id": w.channel, "y": 2}}))
        .await;
    assert_eq!(c["status"], true, "{c}");
    let f = svc.recv_until(is("custom_up")).await;
    assert_eq!(f["body"]["sender"], w.alice.as_str());
    assert_eq!(f["body"]["y"], 2);
    // Refused: a non-member user; a channel not bound to the service.
    let c = bob
        .request(json!({"type": "custom_up", "character_id": w.bob,
            "body": {"channel_id": w.channel}}))
        .await;
    assert_eq!(c["status"], false, "{c}");
    let other = w.server.create_channel("Other").unwrap();
    let c = svc
        .request(json!({"type": "update", "service_id": sid,
            "body": {"subtype": "custom", "channel_id": other, "recipients": g}}))
        .await;
    assert_eq!(c["status"], false, "{c}");
    // No routing information: refused, with the reason.
    let c = svc
        .request(json!({"type": "update", "service_id": sid, "body": {"anything": 1}}))
        .await;
    assert_eq!(c["status"], false, "{c}");
    assert!(c["context"]["message"]
        .as_str()
        .unwrap()
        .contains("channel_id"));
    alice.expect_silence(Duration::from_millis(200)).await;
    bob.expect_silence(Duration::from_millis(50)).await;
}
