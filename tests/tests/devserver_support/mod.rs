//! Helpers shared by the `devserver_*` tests and the Python interop test: a
//! minimal HTTP/1.1 client, the API envelope, and a websocket test client.
//! Test code: panics (via `expect`) are the failure reports.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use futures_util::{SinkExt, StreamExt};
use moobius_devserver::{DevServer, DevServerHandle};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// How long any single wait in these tests may take.
pub const WAIT: Duration = Duration::from_secs(5);

/// A raw HTTP answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http:// URL");
    match rest.find('/') {
        Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
        None => (rest.to_owned(), "/".to_owned()),
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(i) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&b[..i]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + size]);
        b = &b[i + 2 + size + 2..];
    }
}

/// Sends one request (`Connection: close`) and reads the whole answer.
pub async fn raw_request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let (host, path) = split_url(url);
    let mut s = TcpStream::connect(&host).await.expect("connect");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).await.expect("write head");
    s.write_all(body).await.expect("write body");
    let mut buf = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut buf))
        .await
        .expect("HTTP answer in time")
        .expect("read");
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

/// The JSON API of one devserver.
#[derive(Clone, Debug)]
pub struct Api {
    pub base: String,
}

impl Api {
    pub fn new(server: &DevServerHandle) -> Self {
        Self {
            base: server.http_uri(),
        }
    }

    /// Any request; returns the HTTP status and the envelope (checked to be
    /// JSON with `Content-Type: application/json`).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Auth-Origin", "cognito")];
        if let Some(b) = &bearer {
            headers.push(("Authorization", b.as_str()));
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let r = raw_request(method, &format!("{}{path}", self.base), &headers, &bytes).await;
        assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{method} {path}: JSON content type"
        );
        (r.status, r.json())
    }

    /// A call that must succeed; returns `data`.
    pub async fn ok(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let (status, env) = self.call(method, path, token, body.as_ref()).await;
        assert_eq!(env["code"], 10000, "{method} {path} failed: {env}");
        assert_eq!(status, 200, "{method} {path}");
        env["data"].clone()
    }

    /// A call that must fail with `code`; returns the message.
    pub async fn fails(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        code: i64,
    ) -> String {
        let (status, env) = self.call(method, path, token, body.as_ref()).await;
        assert_eq!(env["code"], code, "{method} {path}: {env}");
        assert!(status >= 400, "{method} {path}: HTTP {status}");
        assert!(env["data"].is_null());
        env["message"].as_str().expect("message").to_owned()
    }

    /// A POST that must succeed; returns `data`.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Value {
        self.ok("POST", path, token, Some(body)).await
    }

    /// A POST that must fail with `code`; returns the message.
    pub async fn post_fails(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
        code: i64,
    ) -> String {
        self.fails("POST", path, token, Some(body), code).await
    }

    /// A GET (no body) that must succeed; returns `data`.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Value {
        self.ok("GET", path, token, None).await
    }

    /// A GET (no body) that must fail with `code`; returns the message.
    pub async fn get_fails(&self, path: &str, token: Option<&str>, code: i64) -> String {
        self.fails("GET", path, token, None, code).await
    }

    /// A POST that must succeed; returns the string `field` of its `data`
    /// (the id of what it made).
    pub async fn post_for(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
        field: &str,
    ) -> String {
        let data = self.post(path, token, body).await;
        data[field]
            .as_str()
            .unwrap_or_else(|| panic!("POST {path}: no string {field} in {data}"))
            .to_owned()
    }

    /// Refreshes `email`'s access token with `refresh_token` (which must
    /// succeed); returns the new access token.
    pub async fn refresh(&self, email: &str, refresh_token: &str) -> String {
        let body = json!({"username": email, "refresh_token": refresh_token});
        let d = self.post("/auth/refresh", None, body).await;
        d["AuthenticationResult"]["AccessToken"]
            .as_str()
            .expect("access")
            .to_owned()
    }

    /// A refresh of `email`'s access token with `refresh_token` that must
    /// fail with `code`; returns the message.
    pub async fn refresh_fails(&self, email: &str, refresh_token: &str, code: i64) -> String {
        let body = json!({"username": email, "refresh_token": refresh_token});
        self.post_fails("/auth/refresh", None, body, code).await
    }

    /// Signs in; returns (access, refresh).
    pub async fn sign_in(&self, email: &str, password: &str) -> (String, String) {
        let d = self
            .ok(
                "POST",
                "/auth/sign_in",
                None,
                Some(json!({"username": email, "password": password})),
            )
            .await;
        let r = &d["AuthenticationResult"];
        (
            r["AccessToken"].as_str().expect("access").to_owned(),
            r["RefreshToken"].as_str().expect("refresh").to_owned(),
        )
    }
}

/// A started devserver with two users, a service account and a channel.
pub struct World {
    pub server: DevServerHandle,
    pub api: Api,
    pub channel: String,
    pub svc_token: String,
    pub svc_user: String,
    pub alice_token: String,
    pub alice: String,
    pub bob_token: String,
    pub bob: String,
}

impl World {
    pub async fn new() -> Self {
        let server = DevServer::builder()
            .user("svc@example.com", "svc-pw")
            .user("alice@example.com", "alice-pw")
            .user("bob@example.com", "bob-pw")
            .channel("chan-1", "Lobby")
            .start()
            .await
            .expect("devserver starts");
        let api = Api::new(&server);
        let (svc_token, _) = api.sign_in("svc@example.com", "svc-pw").await;
        let (alice_token, _) = api.sign_in("alice@example.com", "alice-pw").await;
        let (bob_token, _) = api.sign_in("bob@example.com", "bob-pw").await;
        Self {
            svc_user: server.user_id("svc@example.com").expect("svc"),
            alice: server.user_id("alice@example.com").expect("alice"),
            bob: server.user_id("bob@example.com").expect("bob"),
            server,
            api,
            channel: "chan-1".into(),
            svc_token,
            alice_token,
            bob_token,
        }
    }

    /// The access tokens of the service account, Alice and Bob, each as
    /// the `token` argument of [`Api`] calls.
    pub fn tokens(&self) -> [Option<&str>; 3] {
        [
            Some(self.svc_token.as_str()),
            Some(self.alice_token.as_str()),
            Some(self.bob_token.as_str()),
        ]
    }

    /// Creates a service for the service account and binds it to the channel.
    pub async fn bound_service(&self) -> String {
        let sid = self.new_service(&self.svc_token, "test").await;
        let bind = binding(&self.channel, &sid);
        self.api
            .post("/service/bind", Some(&self.svc_token), bind)
            .await;
        sid
    }

    /// A service bound to the channel (see [`World::bound_service`]) and a
    /// websocket logged in as it: (its id, the socket).
    pub async fn bound_service_ws(&self) -> (String, Ws) {
        let sid = self.bound_service().await;
        let ws = self.service_ws(&sid).await;
        (sid, ws)
    }

    /// A new (unbound) service of `token`'s account; its id.
    pub async fn new_service(&self, token: &str, description: &str) -> String {
        let body = json!({"description": description});
        self.api
            .post_for("/service/create", Some(token), body, "service_id")
            .await
    }

    /// A new channel of `token`'s account (empty context); its id.
    pub async fn new_channel(&self, token: &str, name: &str) -> String {
        let body = json!({"channel_name": name, "context": {}});
        self.api
            .post_for("/channel/create", Some(token), body, "channel_id")
            .await
    }

    /// A new agent of the service (as the service account); its id.
    pub async fn agent(&self, service_id: &str, name: &str) -> String {
        let body = json!({"service_id": service_id, "context": {"name": name}});
        self.api
            .post_for(
                "/service/character/create",
                Some(&self.svc_token),
                body,
                "character_id",
            )
            .await
    }

    /// A service group (as the service account).
    pub async fn service_group(&self, ids: &[&str]) -> String {
        let body = json!({"group_id": "", "characters": ids});
        let data = self
            .api
            .post("/service/group/create", Some(&self.svc_token), body)
            .await;
        data.as_str().expect("group id").to_owned()
    }

    /// A channel group named "g" of the seeded channel, made by `token`'s
    /// account (which must read the channel); its id.
    pub async fn channel_group(&self, token: &str, ids: &[&str]) -> String {
        let body = json!({"channel_id": self.channel, "group_name": "g", "characters": ids});
        self.api
            .post_for("/user/group/create", Some(token), body, "group_id")
            .await
    }

    /// Asks for a password reset of `email` (which must succeed); returns the
    /// reset code the devserver issued.
    pub async fn forgot_password(&self, email: &str) -> String {
        let body = json!({"username": email});
        self.api.post("/auth/forgot_password", None, body).await;
        self.server.reset_code(email).expect("reset code")
    }

    /// A websocket of this server, logged in as the user of `token`.
    pub async fn user_ws(&self, token: &str) -> Ws {
        Ws::login_user(&self.server.ws_uri(), token).await
    }

    /// A websocket of this server, logged in as the service account running
    /// `service_id`.
    pub async fn service_ws(&self, service_id: &str) -> Ws {
        Ws::login_service(&self.server.ws_uri(), &self.svc_token, service_id).await
    }
}

/// A websocket test client.
pub struct Ws {
    inner: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    n: u64,
}

impl Ws {
    pub async fn connect(uri: &str) -> Self {
        let (inner, _) = tokio_tungstenite::connect_async(uri)
            .await
            .expect("websocket connects");
        Self { inner, n: 0 }
    }

    /// A fresh request id.
    pub fn rid(&mut self) -> String {
        self.n += 1;
        format!("req-{}", self.n)
    }

    pub async fn send_text(&mut self, text: String) {
        self.inner
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// Sends a frame, filling in a fresh `request_id`; returns it.
    pub async fn send(&mut self, mut frame: Value) -> String {
        let rid = self.rid();
        frame["request_id"] = json!(rid);
        self.send_text(frame.to_string()).await;
        rid
    }

    /// The next message or error, `None` at the end of the stream (no
    /// timeout).
    pub async fn next_raw(
        &mut self,
    ) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
        self.inner.next().await
    }

    /// The next message (panics on timeout or close).
    pub async fn next_message(&mut self) -> Message {
        loop {
            let m = tokio::time::timeout(WAIT, self.inner.next())
                .await
                .expect("a frame in time")
                .expect("stream open")
                .expect("frame ok");
            if !matches!(m, Message::Ping(_) | Message::Pong(_)) {
                return m;
            }
        }
    }

    /// The next text frame as JSON.
    pub async fn recv(&mut self) -> Value {
        match self.next_message().await {
            Message::Text(t) => serde_json::from_str(t.as_str()).expect("JSON frame"),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    /// Skips frames until one matches.
    pub async fn recv_until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = self.recv().await;
            if pred(&v) {
                return v;
            }
        }
    }

    /// Waits for the `copy` of a request id (skipping other frames).
    pub async fn copy_of(&mut self, rid: &str) -> Value {
        self.recv_until(|v| v["type"] == "copy" && v["body"]["request_id"] == rid)
            .await["body"]
            .clone()
    }

    /// Sends a frame and returns its `copy` body.
    pub async fn request(&mut self, frame: Value) -> Value {
        let rid = self.send(frame).await;
        self.copy_of(&rid).await
    }

    /// Asserts nothing (but pings) arrives for a while.
    pub async fn expect_silence(&mut self, d: Duration) {
        if let Ok(Some(Ok(m))) = tokio::time::timeout(d, self.inner.next()).await {
            if !matches!(m, Message::Ping(_) | Message::Pong(_)) {
                panic!("expected silence, got {m:?}");
            }
        }
    }

    pub async fn login_user(uri: &str, token: &str) -> Self {
        let mut ws = Self::connect(uri).await;
        let c = ws
            .request(json!({"type": "user_login", "auth_origin": "cognito", "access_token": token}))
            .await;
        assert_eq!(c["status"], true, "user login: {c}");
        ws
    }

    pub async fn login_service(uri: &str, token: &str, service_id: &str) -> Self {
        let mut ws = Self::connect(uri).await;
        let c = ws
            .request(json!({"type": "service_login", "auth_origin": "cognito", "access_token": token, "service_id": service_id}))
            .await;
        assert_eq!(c["status"], true, "service login: {c}");
        ws
    }

    pub async fn close(mut self) {
        let _ = self.inner.close(None).await;
    }
}

/// The body of `/service/bind` and `/service/unbind`.
pub fn binding(channel: &str, service: &str) -> Value {
    json!({"channel_id": channel, "service_id": service})
}

/// A `heartbeat` frame with an empty body.
pub fn heartbeat() -> Value {
    json!({"type": "heartbeat", "body": {}})
}

/// A user-mode `join_channel` action of `user` for `channel`.
pub fn join(user: &str, channel: &str) -> Value {
    action(user, channel, "join_channel", json!({}))
}

/// A user-mode `message_up` frame body.
pub fn message_up(user: &str, channel: &str, recipients: &str, text: &str) -> Value {
    json!({"type": "message_up", "user_id": user, "service_id": user,
        "body": {"subtype": "text", "channel_id": channel, "content": {"text": text},
                 "recipients": recipients, "timestamp": 1722014904438_i64, "context": {}}})
}

/// A service-mode `message_down` frame.
pub fn message_down(
    service: &str,
    channel: &str,
    recipients: &str,
    sender: &str,
    text: &str,
) -> Value {
    json!({"type": "message_down", "service_id": service,
        "body": {"subtype": "text", "channel_id": channel, "content": {"text": text},
                 "recipients": recipients, "timestamp": 1722014904438_i64, "context": {}, "sender": sender}})
}

/// A user-mode `action` frame.
pub fn action(user: &str, channel: &str, subtype: &str, extra: Value) -> Value {
    let mut body = json!({"subtype": subtype, "channel_id": channel, "context": {}});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    json!({"type": "action", "user_id": user, "body": body})
}

/// Sorted keys of a frame's body.
pub fn body_keys(frame: &Value) -> Vec<String> {
    let mut k: Vec<String> = frame["body"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}
