//! The devserver's bounds: a reader that falls behind is closed, an idle
//! socket that never logs in is closed, hostile multipart bodies and slow
//! requests are refused, and inspection logs and history stay capped.

#![allow(clippy::unwrap_used)]

mod devserver_support;

use devserver_support::{binding, heartbeat, message_down, raw_request, Api, Ws, WAIT};
use moobius_devserver::{DevServer, DevServerBuilder, DevServerHandle};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

fn builder() -> DevServerBuilder {
    DevServer::builder()
        .user("svc@example.com", "pw")
        .user("alice@example.com", "pw")
        .channel("c", "C")
}

struct Setup {
    server: DevServerHandle,
    api: Api,
    svc_token: String,
    alice_token: String,
    alice: String,
    sid: String,
}

impl Setup {
    /// A new service group of Alice alone (as the service account); its id.
    async fn alice_group(&self) -> String {
        let body = json!({"characters": [self.alice]});
        let data = self
            .api
            .post("/service/group/create", Some(&self.svc_token), body)
            .await;
        data.as_str().unwrap().to_owned()
    }
}

async fn setup(b: DevServerBuilder) -> Setup {
    let server = b.start().await.unwrap();
    let api = Api::new(&server);
    let (svc_token, _) = api.sign_in("svc@example.com", "pw").await;
    let (alice_token, _) = api.sign_in("alice@example.com", "pw").await;
    let body = json!({"description": "x"});
    let sid = api
        .post_for("/service/create", Some(&svc_token), body, "service_id")
        .await;
    api.post("/service/bind", Some(&svc_token), binding("c", &sid))
        .await;
    let alice = server.user_id("alice@example.com").unwrap();
    server.add_member("c", &alice).unwrap();
    Setup {
        server,
        api,
        svc_token,
        alice_token,
        alice,
        sid,
    }
}

#[tokio::test]
async fn a_reader_that_falls_behind_is_closed() {
    let s = setup(builder().send_queue_limit(64, 1 << 20)).await;
    let uri = s.server.ws_uri();
    let mut svc = Ws::login_service(&uri, &s.svc_token, &s.sid).await;
    // Alice logs in and then stops reading.
    let mut alice = Ws::login_user(&uri, &s.alice_token).await;
    let g = s.alice_group().await;
    let big = "x".repeat(200_000);
    for _ in 0..120 {
        let c = svc
            .request(message_down(&s.sid, "c", &g, &s.sid, &big))
            .await;
        assert_eq!(c["status"], true);
    }
    // Her connection is closed by the server, the service's stays open.
    let closed = s
        .server
        .wait_until(WAIT, |srv| {
            srv.connections()
                .into_iter()
                .find(|c| c.user_id() == Some(s.alice.as_str()) && c.service_id().is_none())
                .filter(|c| !c.open)
        })
        .await;
    assert!(closed.is_some(), "slow reader still open");
    let c = svc.request(heartbeat()).await;
    assert_eq!(c["status"], true);
    // Reading now: what was written, then the end (a 1008 close when it fit).
    let end = tokio::time::timeout(WAIT * 4, async {
        loop {
            match alice.next_raw().await {
                Some(Ok(Message::Close(f))) => return f.map(|f| f.code),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    })
    .await
    .expect("the stream ends");
    if let Some(code) = end {
        assert_eq!(code, CloseCode::Policy);
    }
}

#[tokio::test]
async fn a_socket_that_never_logs_in_is_closed() {
    let s = setup(builder().login_timeout(Duration::from_millis(300))).await;
    let uri = s.server.ws_uri();
    let mut idle = Ws::connect(&uri).await;
    let mut user = Ws::login_user(&uri, &s.alice_token).await;
    match idle.next_message().await {
        Message::Close(Some(f)) => {
            assert_eq!(f.code, CloseCode::Policy);
            assert!(f.reason.contains("no login"), "{}", f.reason);
        }
        m => panic!("expected a close, got {m:?}"),
    }
    // A logged-in socket outlives the deadline.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let c = user.request(heartbeat()).await;
    assert_eq!(c["status"], true);
}

#[tokio::test]
async fn hostile_multipart_bodies_are_refused() {
    let s = setup(builder().max_upload_bytes(1 << 20)).await;
    let d = s
        .api
        .get("/file/upload?extension=txt", Some(&s.alice_token))
        .await;
    let url = d["url"].as_str().unwrap().to_owned();
    let key = d["fields"]["key"].as_str().unwrap().to_owned();
    // A 64,000-byte boundary: refused before the body is read.
    let boundary = "b".repeat(64_000);
    let body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n--{boundary}--\r\n");
    let ctype = format!("multipart/form-data; boundary={boundary}");
    let r = raw_request("POST", &url, &[("Content-Type", &ctype)], body.as_bytes()).await;
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    // A file over the limit: 413, and the key stays usable.
    let head = format!("--xx\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n");
    let mut body = head.into_bytes();
    body.extend(std::iter::repeat_n(b'a', 3 << 20));
    body.extend_from_slice(b"\r\n--xx--\r\n");
    let r = raw_request(
        "POST",
        &url,
        &[("Content-Type", "multipart/form-data; boundary=xx")],
        &body,
    )
    .await;
    assert_eq!(r.status, 413, "{}", String::from_utf8_lossy(&r.body));
    assert!(s.server.file_keys().is_empty());
}

#[tokio::test]
async fn slow_requests_are_dropped() {
    let s = setup(builder().http_timeouts(Duration::from_millis(300), Duration::from_millis(300)))
        .await;
    let addr = s.server.local_addr();
    // Headers that never end: the connection is closed.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET /channel/popular HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(WAIT, tcp.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "header timeout did not close the connection");
    // A body that never comes: an error answer, not a hang.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"POST /auth/sign_in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(WAIT, tcp.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "body timeout did not answer");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
}

#[tokio::test]
async fn inspection_and_history_are_capped() {
    let s = setup(
        builder()
            .frame_log_limit(10)
            .keep_closed_connections(2)
            .history_limit(5, 1 << 20),
    )
    .await;
    let uri = s.server.ws_uri();
    // An unauthenticated socket sending junk keeps at most 16 frames.
    let mut junk = Ws::connect(&uri).await;
    for i in 0..40 {
        let c = junk.request(json!({"type": "heartbeat", "n": i})).await;
        assert_eq!(c["status"], false);
    }
    let conn = s
        .server
        .connections()
        .into_iter()
        .find(|c| c.login.is_none())
        .unwrap();
    assert!(conn.sent.len() <= 10, "{}", conn.sent.len());
    // A logged-in socket keeps the last 10 per direction.
    let mut svc = Ws::login_service(&uri, &s.svc_token, &s.sid).await;
    let g = s.alice_group().await;
    for i in 0..20 {
        let c = svc
            .request(message_down(&s.sid, "c", &g, &s.sid, &format!("m{i}")))
            .await;
        assert_eq!(c["status"], true);
    }
    let mine = s
        .server
        .connections()
        .into_iter()
        .find(|c| c.service_id().is_some())
        .unwrap();
    assert_eq!(mine.sent.len(), 10);
    assert_eq!(mine.received.len(), 10);
    // History: the last 5 messages.
    let h = s.server.history("c");
    assert_eq!(h.len(), 5);
    assert_eq!(h[4].body["content"]["text"], "m19");
    // Closed connections: only the last 2 are kept.
    for _ in 0..5 {
        Ws::connect(&uri).await.close().await;
    }
    junk.close().await;
    let kept = s
        .server
        .wait_until(WAIT, |srv| {
            let closed = srv.connections().iter().filter(|c| !c.open).count();
            (closed == 2).then_some(closed)
        })
        .await;
    assert_eq!(kept, Some(2));
    let _ = svc.request(heartbeat()).await;
}
