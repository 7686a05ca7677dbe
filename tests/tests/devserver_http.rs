//! The devserver's HTTP API: every endpoint of PROTOCOL.md §4, its envelope
//! and its error answers.

#![allow(clippy::unwrap_used)]

mod devserver_support;

use devserver_support::{raw_request, Api, World};
use moobius_devserver::{codes, DevServer};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn sign_up_confirm_sign_in_refresh_sign_out() {
    let w = World::new().await;
    let api = &w.api;
    let email = "new@example.com";
    let d = api
        .post(
            "/auth/sign_up",
            None,
            json!({"username": email, "password": "pw1"}),
        )
        .await;
    assert_eq!(d["UserConfirmed"], false);
    let code = w.server.sign_up_code(email).expect("a code");
    assert_eq!(code.len(), 6);
    // Not confirmed yet.
    api.post_fails(
        "/auth/sign_in",
        None,
        json!({"username": email, "password": "pw1"}),
        codes::NOT_CONFIRMED,
    )
    .await;
    // Resend gives a new code; the old one no longer works unless equal.
    api.post(
        "/auth/resend_confirmation",
        None,
        json!({"username": email}),
    )
    .await;
    let code = w.server.sign_up_code(email).expect("a new code");
    api.post_fails(
        "/auth/confirm_sign_up",
        None,
        json!({"username": email, "confirmation_code": "not-it"}),
        codes::BAD_CODE,
    )
    .await;
    api.post(
        "/auth/confirm_sign_up",
        None,
        json!({"username": email, "confirmation_code": code}),
    )
    .await;
    // Signing up again with a confirmed email fails.
    api.post_fails(
        "/auth/sign_up",
        None,
        json!({"username": email, "password": "x"}),
        codes::ACCOUNT_EXISTS,
    )
    .await;

    let (access, refresh) = api.sign_in(email, "pw1").await;
    let info = api.get("/user/info", Some(&access)).await;
    assert_eq!(info["email"], email);
    assert_eq!(info["user_id"], w.server.user_id(email).unwrap());
    for k in ["name", "avatar", "description"] {
        assert!(info["context"][k].is_string(), "context.{k}");
    }
    assert!(info["system_context"].is_object());

    let body = json!({"username": email, "refresh_token": refresh});
    let d = api.post("/auth/refresh", None, body).await;
    let access2 = d["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(access2, access);
    assert!(d["AuthenticationResult"].get("RefreshToken").is_none());
    api.get("/user/info", Some(&access2)).await;
    // A refresh token of another user, or a wrong one, is refused.
    api.refresh_fails("alice@example.com", &refresh, codes::UNAUTHORIZED)
        .await;
    api.refresh_fails(email, "nope", codes::UNAUTHORIZED).await;

    api.post(
        "/auth/sign_out",
        Some(&access),
        json!({"access_token": access}),
    )
    .await;
    api.get_fails("/user/info", Some(&access), codes::UNAUTHORIZED)
        .await;
    api.refresh_fails(email, &refresh, codes::UNAUTHORIZED)
        .await;
    // Sign-out needs auth.
    api.post_fails(
        "/auth/sign_out",
        None,
        json!({"access_token": access}),
        codes::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn sign_in_failures() {
    let w = World::new().await;
    let api = &w.api;
    let m = api
        .post_fails(
            "/auth/sign_in",
            None,
            json!({"username": "alice@example.com", "password": "wrong"}),
            codes::BAD_CREDENTIALS,
        )
        .await;
    assert_eq!(m, "Incorrect username or password.");
    api.post_fails(
        "/auth/sign_in",
        None,
        json!({"username": "nobody@example.com", "password": "x"}),
        codes::BAD_CREDENTIALS,
    )
    .await;
    api.post_fails(
        "/auth/sign_in",
        None,
        json!({"username": "alice@example.com"}),
        codes::BAD_REQUEST,
    )
    .await;
    // Email matching ignores case.
    api.sign_in("ALICE@example.com", "alice-pw").await;
}

#[tokio::test]
async fn password_reset_and_account_deletion() {
    let w = World::new().await;
    let api = &w.api;
    let email = "bob@example.com";
    let code = w.forgot_password(email).await;
    api.post_fails(
        "/auth/confirm_reset_password",
        None,
        json!({"username": email, "password": "new-pw", "confirmation_code": "000"}),
        codes::BAD_CODE,
    )
    .await;
    api.post(
        "/auth/confirm_reset_password",
        None,
        json!({"username": email, "password": "new-pw", "confirmation_code": code}),
    )
    .await;
    api.post_fails(
        "/auth/sign_in",
        None,
        json!({"username": email, "password": "bob-pw"}),
        codes::BAD_CREDENTIALS,
    )
    .await;
    let (t, _) = api.sign_in(email, "new-pw").await;
    w.server.add_member(&w.channel, &w.bob).unwrap();

    api.post_fails(
        "/auth/delete_account",
        None,
        json!({"username": email, "password": "bob-pw"}),
        codes::BAD_CREDENTIALS,
    )
    .await;
    api.post(
        "/auth/delete_account",
        None,
        json!({"username": email, "password": "new-pw"}),
    )
    .await;
    api.get_fails("/user/info", Some(&t), codes::UNAUTHORIZED)
        .await;
    assert!(w.server.user_id(email).is_none());
    assert!(w.server.members(&w.channel).is_empty());
    api.post_fails(
        "/auth/forgot_password",
        None,
        json!({"username": email}),
        codes::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let server = DevServer::builder()
        .user("a@example.com", "pw")
        .token_ttl(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let api = Api::new(&server);
    let (access, refresh) = api.sign_in("a@example.com", "pw").await;
    let d = api
        .post(
            "/auth/sign_in",
            None,
            json!({"username": "a@example.com", "password": "pw"}),
        )
        .await;
    assert_eq!(d["AuthenticationResult"]["ExpiresIn"], 0);
    api.get("/user/info", Some(&access)).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let m = api
        .get_fails("/user/info", Some(&access), codes::UNAUTHORIZED)
        .await;
    assert!(m.contains("expired"), "{m}");
    let fresh = api.refresh("a@example.com", &refresh).await;
    api.get("/user/info", Some(&fresh)).await;
    server.shutdown().await;
}

#[tokio::test]
async fn user_profile_update() {
    let w = World::new().await;
    let api = &w.api;
    let [_, alice_t, _] = w.tokens();
    let d = api
        .post(
            "/user/info",
            alice_t,
            json!({"avatar": "https://x/a.png", "description": "hi", "name": "Alice"}),
        )
        .await;
    assert_eq!(d["user_id"], w.alice);
    let info = api.get("/user/info", alice_t).await;
    assert_eq!(
        info["context"],
        json!({"name": "Alice", "avatar": "https://x/a.png", "description": "hi"})
    );
    api.get_fails("/user/info", Some("bogus"), codes::UNAUTHORIZED)
        .await;
}

#[tokio::test]
async fn services_bindings_and_listing() {
    let w = World::new().await;
    let api = &w.api;
    let [t, alice_t, _] = w.tokens();
    let s1 = w.new_service(&w.svc_token, "one").await;
    let s2 = w.new_service(&w.svc_token, "two").await;
    let list = api.get("/service/list", t).await;
    assert_eq!(
        list,
        json!([{"service_id": s1, "channel_ids": []}, {"service_id": s2, "channel_ids": []}])
    );
    // Other accounts see only their own services.
    assert_eq!(api.get("/service/list", alice_t).await, json!([]));

    api.post(
        "/service/bind",
        t,
        json!({"channel_id": w.channel, "service_id": s1}),
    )
    .await;
    // Binding again to the same service is fine; to another is refused.
    api.post(
        "/service/bind",
        t,
        json!({"channel_id": w.channel, "service_id": s1}),
    )
    .await;
    let m = api
        .post_fails(
            "/service/bind",
            t,
            json!({"channel_id": w.channel, "service_id": s2}),
            codes::ALREADY_BOUND,
        )
        .await;
    assert_eq!(m, "channel already bound");
    assert_eq!(w.server.bindings(), vec![(w.channel.clone(), s1.clone())]);
    let list = api.get("/service/list", t).await;
    assert_eq!(list[0]["channel_ids"], json!([w.channel]));

    // Someone else's service, unknown ids.
    api.post_fails(
        "/service/bind",
        alice_t,
        json!({"channel_id": w.channel, "service_id": s2}),
        codes::FORBIDDEN,
    )
    .await;
    api.post_fails(
        "/service/bind",
        t,
        json!({"channel_id": "nope", "service_id": s2}),
        codes::NOT_FOUND,
    )
    .await;
    api.post_fails(
        "/service/bind",
        t,
        json!({"channel_id": w.channel, "service_id": "nope"}),
        codes::NOT_FOUND,
    )
    .await;
    api.post_fails(
        "/service/unbind",
        t,
        json!({"channel_id": w.channel, "service_id": s2}),
        codes::NOT_FOUND,
    )
    .await;

    api.post(
        "/service/unbind",
        t,
        json!({"channel_id": w.channel, "service_id": s1}),
    )
    .await;
    assert!(w.server.bindings().is_empty());
    api.post(
        "/service/bind",
        t,
        json!({"channel_id": w.channel, "service_id": s2}),
    )
    .await;
    assert_eq!(w.server.services().len(), 2);
    assert_eq!(w.server.services()[1].channel_ids, vec![w.channel.clone()]);
}

#[tokio::test]
async fn agents_and_profiles() {
    let w = World::new().await;
    let api = &w.api;
    let [t, alice_t, _] = w.tokens();
    let sid = w.bound_service().await;
    let body = json!({"service_id": sid, "context": {"name": "Dice Bot", "avatar": "https://x/b.png", "description": "Rolls"}});
    let rec = api.post("/service/character/create", t, body).await;
    let agent = rec["character_id"].as_str().unwrap().to_owned();
    assert_eq!(
        rec["character_context"],
        json!({"name": "Dice Bot", "avatar": "https://x/b.png", "description": "Rolls"})
    );
    let body = json!({"service_id": sid, "character_id": agent, "context": {"avatar": "https://x/c.png", "description": "More", "name": "Dice Bot 2"}});
    let d = api.post("/service/character/update", t, body).await;
    assert_eq!(d, json!({"character_id": agent, "updated": true}));
    let list = api
        .get(&format!("/service/character/list?service_id={sid}"), t)
        .await;
    assert_eq!(list[0]["character_context"]["name"], "Dice Bot 2");
    // The reference's last fallback: no query, id in a JSON body.
    let list2 = api
        .ok(
            "GET",
            "/service/character/list",
            t,
            Some(json!({"service_id": sid})),
        )
        .await;
    assert_eq!(list, list2);
    api.get_fails(
        "/service/character/list?service_id=nope",
        t,
        codes::NOT_FOUND,
    )
    .await;
    api.post_fails(
        "/service/character/update",
        t,
        json!({"service_id": sid, "character_id": "nope", "context": {}}),
        codes::NOT_FOUND,
    )
    .await;
    api.post_fails(
        "/service/character/create",
        alice_t,
        json!({"service_id": sid, "context": {"name": "x"}}),
        codes::FORBIDDEN,
    )
    .await;

    // Profiles of users and agents, in the order asked.
    let recs = api
        .post(
            "/character/fetch_profile",
            t,
            json!({"character_list": [agent, w.alice]}),
        )
        .await;
    assert_eq!(recs[0]["character_id"], agent);
    assert_eq!(recs[1]["character_id"], w.alice);
    assert_eq!(recs[1]["character_context"]["name"], "alice");
    api.post_fails(
        "/character/fetch_profile",
        t,
        json!({"character_list": ["ghost"]}),
        codes::NOT_FOUND,
    )
    .await;
    assert_eq!(w.server.agents().len(), 1);
}

#[tokio::test]
async fn channels_members_and_history() {
    let w = World::new().await;
    let api = &w.api;
    let [_, t, bob_t] = w.tokens();
    let cid = api
        .post_for(
            "/channel/create",
            t,
            json!({"channel_name": "Dice Arena", "context": {"channel_description": "Roll"}}),
            "channel_id",
        )
        .await;
    let c = w.server.channel(&cid).unwrap();
    assert_eq!(
        (c.name.as_str(), c.description.as_str()),
        ("Dice Arena", "Roll")
    );
    let body = json!({"channel_id": cid, "channel_name": "Dice Arena v2", "context": {"channel_description": "More"}});
    api.post("/channel/update", t, body).await;
    assert_eq!(w.server.channel(&cid).unwrap().name, "Dice Arena v2");
    // Another account may not rename it; an unknown channel is 10404.
    api.post_fails(
        "/channel/update",
        bob_t,
        json!({"channel_id": cid, "channel_name": "x"}),
        codes::FORBIDDEN,
    )
    .await;
    api.post_fails(
        "/channel/update",
        t,
        json!({"channel_id": "nope", "channel_name": "x"}),
        codes::NOT_FOUND,
    )
    .await;

    w.server.add_member(&cid, &w.alice).unwrap();
    w.server.add_member(&cid, &w.bob).unwrap();
    w.server.add_member(&w.channel, &w.bob).unwrap();
    let list = api.get("/channel/list", t).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["channel_id"], cid);
    let popular = api.get("/channel/popular", t).await;
    assert_eq!(popular[0]["channel_id"], cid, "most members first");
    assert_eq!(popular.as_array().unwrap().len(), 2);
    let members = api
        .get(
            &format!(
                "/channel/character_list?channel_id={cid}&service_id={}",
                w.alice
            ),
            t,
        )
        .await;
    assert_eq!(
        members,
        json!({"character_list": [w.alice, w.bob], "channel_id": cid})
    );
    api.get_fails(
        "/channel/character_list?channel_id=nope&service_id=x",
        t,
        codes::NOT_FOUND,
    )
    .await;
    api.get_fails("/channel/character_list", t, codes::BAD_REQUEST)
        .await;

    // History: empty here, with the reference's query and GET body.
    let h = api
        .ok(
            "GET",
            &format!("/channel/history_message?channel_id={cid}&limit=64&before=null"),
            t,
            Some(json!({"limit": "64"})),
        )
        .await;
    assert_eq!(h, json!([]));
    api.get_fails(
        &format!("/channel/history_message?channel_id={cid}&limit=abc"),
        t,
        codes::BAD_REQUEST,
    )
    .await;
    api.get_fails(
        "/channel/history_message?channel_id=nope",
        t,
        codes::NOT_FOUND,
    )
    .await;
    // A non-member who does not manage the channel may not read it.
    let (carol, _) = {
        w.server.seed_user("carol@example.com", "pw").unwrap();
        api.sign_in("carol@example.com", "pw").await
    };
    api.get_fails(
        &format!("/channel/history_message?channel_id={cid}"),
        Some(&carol),
        codes::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn groups_share_one_namespace() {
    let w = World::new().await;
    let api = &w.api;
    let [t, alice_t, _] = w.tokens();
    // Service group: data is the id itself; order is kept; empty is allowed.
    let g1 = w.service_group(&[&w.bob, &w.alice, &w.bob]).await;
    let empty = w.service_group(&[]).await;
    let d = api.get(&format!("/service/group?group_id={g1}"), t).await;
    assert_eq!(
        d,
        json!({"group_id": g1, "characters": [w.bob, w.alice, w.bob]})
    );
    let d = api
        .get(
            &format!(
                "/user/group?group_id={g1}&channel_id={}&user_id={}",
                w.channel, w.alice
            ),
            alice_t,
        )
        .await;
    assert_eq!(d["characters"], json!([w.bob, w.alice, w.bob]));
    let d = api.get(&format!("/user/group?group_id={empty}"), t).await;
    assert_eq!(d["characters"], json!([]));

    // Channel group: resolvable through either endpoint, listed for its
    // channel. (Only the channel's readers create and list them: Alice joins.)
    w.server.add_member(&w.channel, &w.alice).unwrap();
    let body = json!({"channel_id": w.channel, "group_name": "A_message_up_group", "characters": [w.alice]});
    let d = api.post("/user/group/create", alice_t, body).await;
    let g2 = d["group_id"].as_str().unwrap().to_owned();
    assert_eq!(d["group_name"], "A_message_up_group");
    let d = api.get(&format!("/service/group?group_id={g2}"), t).await;
    assert_eq!(d["characters"], json!([w.alice]));
    let list = api
        .get(
            &format!("/user/group/list?channel_id={}&service_id=x", w.channel),
            t,
        )
        .await;
    assert_eq!(
        list,
        json!([{"group_id": g2, "group_name": "A_message_up_group", "characters": [w.alice]}])
    );
    w.server.add_member(&w.channel, &w.bob).unwrap();
    let temp = api
        .get(
            &format!("/user/group/temp?channel_id={}&service_id=x", w.channel),
            t,
        )
        .await;
    assert_eq!(
        temp,
        json!([{"group_id": "temp", "characters": [w.alice, w.bob]}])
    );

    // "service" resolves to nobody; unknown groups and channels are 10404.
    let d = api.get("/user/group?group_id=service", t).await;
    assert_eq!(d["characters"], json!([]));
    api.get_fails("/user/group?group_id=ghost", t, codes::NOT_FOUND)
        .await;
    api.get_fails("/service/group", t, codes::BAD_REQUEST).await;
    api.post_fails(
        "/user/group/create",
        t,
        json!({"channel_id": "nope", "group_name": "x", "characters": []}),
        codes::NOT_FOUND,
    )
    .await;
    api.post_fails(
        "/service/group/create",
        t,
        json!({"characters": "not-a-list"}),
        codes::BAD_REQUEST,
    )
    .await;
    assert_eq!(w.server.groups().len(), 3);
    assert_eq!(
        w.server.group(&g2).unwrap().channel_id.as_deref(),
        Some(w.channel.as_str())
    );
}

#[tokio::test]
async fn file_upload_and_download() {
    let w = World::new().await;
    let api = &w.api;
    let [_, alice_t, _] = w.tokens();
    let d = api.get("/file/upload?extension=png", alice_t).await;
    let url = d["url"].as_str().unwrap().to_owned();
    let key = d["fields"]["key"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&w.server.http_uri()) && url.ends_with('/'),
        "{url}"
    );
    assert!(key.ends_with(".png"), "{key}");

    let content = b"\x89PNG fake image\r\n--not-a-boundary\r\n";
    let boundary = "----moobiusBoundary42";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ctype = format!("multipart/form-data; boundary={boundary}");
    let r = raw_request("POST", &url, &[("Content-Type", &ctype)], &body).await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());

    let public = format!("{url}{key}");
    let r = raw_request("GET", &public, &[], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, content);
    assert_eq!(
        r.header("content-length"),
        Some(content.len().to_string().as_str())
    );
    assert_eq!(r.header("content-type"), Some("image/png"));
    let r = raw_request("HEAD", &public, &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(
        r.header("content-length"),
        Some(content.len().to_string().as_str())
    );
    assert_eq!(w.server.file_keys(), vec![key.clone()]);

    // A key that was never issued, a missing file, a non-multipart body.
    let forged = String::from_utf8_lossy(&body).replace(&key, "uploads/forged.png");
    let r = raw_request("POST", &url, &[("Content-Type", &ctype)], forged.as_bytes()).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], codes::FORBIDDEN);
    let r = raw_request("GET", &format!("{url}uploads/none.png"), &[], b"").await;
    assert_eq!(
        (r.status, r.json()["code"].as_i64()),
        (404, Some(codes::NOT_FOUND))
    );
    let r = raw_request("POST", &url, &[("Content-Type", "application/json")], b"{}").await;
    assert_eq!(r.json()["code"], codes::BAD_REQUEST);
    api.get_fails("/file/upload?extension=png", None, codes::UNAUTHORIZED)
        .await;
}

#[tokio::test]
async fn bad_requests_get_documented_errors_and_the_server_stays_up() {
    let server = DevServer::builder()
        .user("a@example.com", "pw")
        .max_body_bytes(1024)
        .start()
        .await
        .unwrap();
    let api = Api::new(&server);
    let base = server.http_uri();
    let json_ct = [("Content-Type", "application/json")];
    for body in [&b"{not json"[..], b"", b"[1,2", b"\xff\xfe", b"null"] {
        let r = raw_request("POST", &format!("{base}/auth/sign_in"), &json_ct, body).await;
        assert_eq!(r.status, 400, "{body:?}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.json()["code"], codes::BAD_REQUEST, "{body:?}");
    }
    // Wrong types of fields.
    api.post_fails(
        "/auth/sign_in",
        None,
        json!({"username": 5, "password": []}),
        codes::BAD_REQUEST,
    )
    .await;
    // Unknown endpoint, wrong method, oversized body.
    api.get_fails("/no/such/endpoint", None, codes::NOT_FOUND)
        .await;
    api.get_fails("/auth/sign_in", None, codes::METHOD_NOT_ALLOWED)
        .await;
    let big = json!({"username": "a@example.com", "password": "x".repeat(2000)});
    api.post_fails("/auth/sign_in", None, big, codes::TOO_LARGE)
        .await;
    // Missing and bogus tokens on every authenticated endpoint kind.
    for (m, p) in [
        ("GET", "/user/info"),
        ("POST", "/service/create"),
        ("GET", "/channel/list"),
        ("GET", "/service/group?group_id=x"),
    ] {
        api.fails(m, p, None, None, codes::UNAUTHORIZED).await;
        api.fails(m, p, Some("bogus"), None, codes::UNAUTHORIZED)
            .await;
    }
    // A plain GET on the websocket path is a JSON error, not a crash.
    let r = raw_request("GET", &format!("{base}/ws"), &[], b"").await;
    assert_eq!(r.json()["code"], codes::BAD_REQUEST);
    // Repeated slashes are collapsed, as the reference SDK does.
    let (t, _) = api.sign_in("a@example.com", "pw").await;
    api.get("//user//info", Some(&t)).await;
    server.shutdown().await;
}
