//! Devserver benchmark: the devserver runs as its own process (this crate's
//! binary, and optionally a baseline binary in the same run), driven over
//! the wire by clients in this process; its CPU time is read from
//! `/proc/PID/task/*/schedstat` (nanoseconds, every thread) and its memory
//! from `/proc/PID/status` (`VmRSS`).
//!
//! ```text
//! cargo bench -p moobius-devserver --bench devserver
//! MOOBIUS_BENCH_BASELINE=/path/to/old/moobius-devserver cargo bench -p moobius-devserver --bench devserver
//! ```
//!
//! Figures:
//! * **echo**: a user sends `message_up` with 32 in flight; the service
//!   answers each with a `message_down` to the user. Devserver CPU per echoed
//!   message (two frames in, two deliveries and two `copy`s out).
//! * **fan-out** at 100 and 1,000 sockets: the service sends `message_down`
//!   to a group of every user. Deliveries per second and devserver CPU per
//!   delivery.
//! * **RSS per socket**: growth of the devserver's RSS per logged-in,
//!   joined user socket (1,000 sockets).
//!
//! Linux only (reads `/proc`). Environment: `MOOBIUS_BENCH_ECHO_N`
//! (default 20000), `MOOBIUS_BENCH_FANOUT_DELIVERIES` (default 200000).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A devserver process, killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(bin: &str, users: usize) -> Self {
        let mut cmd = Command::new(bin);
        cmd.args(["--addr", "127.0.0.1:0", "--user", "svc@bench.local:pw"]);
        for i in 0..users {
            cmd.args(["--user", &format!("u{i}@bench.local:pw")]);
        }
        cmd.args(["--channel", "bench:Bench"])
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("devserver starts");
        let out = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line).unwrap();
        let addr = line
            .split("http=http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("ready line")
            .to_owned();
        Self { child, addr }
    }

    /// CPU time of every thread, in nanoseconds.
    fn cpu_ns(&self) -> u64 {
        let dir = format!("/proc/{}/task", self.child.id());
        std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
                    .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                    .sum()
            })
            .unwrap_or(0)
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }

    async fn http(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> Value {
        let mut s = TcpStream::connect(&self.addr).await.unwrap();
        let body = body.to_string();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.unwrap();
        let i = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let v: Value = serde_json::from_slice(&buf[i + 4..]).unwrap();
        assert_eq!(v["code"], 10000, "{method} {path}: {v}");
        v["data"].clone()
    }

    async fn sign_in(&self, email: &str) -> (String, String) {
        let d = self
            .http(
                "POST",
                "/auth/sign_in",
                None,
                &json!({"username": email, "password": "pw"}),
            )
            .await;
        let token = d["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let info = self
            .http("GET", "/user/info", Some(&token), &json!({}))
            .await;
        (token, info["user_id"].as_str().unwrap().to_owned())
    }

    async fn ws(&self) -> Socket {
        tokio_tungstenite::connect_async(format!("ws://{}/ws", self.addr))
            .await
            .unwrap()
            .0
    }
}

async fn next_json(ws: &mut Socket) -> Value {
    loop {
        match ws.next().await.expect("open").expect("frame") {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

async fn send(ws: &mut Socket, v: &Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// Sends a frame and waits for its `copy` (status true).
async fn request(ws: &mut Socket, v: Value) {
    send(ws, &v).await;
    loop {
        let f = next_json(ws).await;
        if f["type"] == "copy" {
            assert_eq!(f["body"]["status"], true, "{v} -> {f}");
            return;
        }
    }
}

/// A service logged in on `bench`, and its id.
async fn service(server: &Server) -> (Socket, String, String) {
    let (token, _) = server.sign_in("svc@bench.local").await;
    let sid = server
        .http(
            "POST",
            "/service/create",
            Some(&token),
            &json!({"description": "bench"}),
        )
        .await["service_id"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .http(
            "POST",
            "/service/bind",
            Some(&token),
            &json!({"channel_id": "bench", "service_id": sid}),
        )
        .await;
    let mut ws = server.ws().await;
    request(
        &mut ws,
        json!({"type": "service_login", "request_id": "l", "access_token": token, "service_id": sid}),
    )
    .await;
    (ws, sid, token)
}

/// A user logged in and joined; its socket and id.
async fn user(server: &Server, i: usize) -> (Socket, String) {
    let (token, uid) = server.sign_in(&format!("u{i}@bench.local")).await;
    let mut ws = server.ws().await;
    request(
        &mut ws,
        json!({"type": "user_login", "request_id": "l", "access_token": token}),
    )
    .await;
    request(
        &mut ws,
        json!({"type": "action", "request_id": "j", "user_id": uid,
               "body": {"subtype": "join_channel", "channel_id": "bench", "context": {}}}),
    )
    .await;
    (ws, uid)
}

async fn group(server: &Server, token: &str, ids: &[String]) -> String {
    server
        .http(
            "POST",
            "/service/group/create",
            Some(token),
            &json!({"group_id": "", "characters": ids}),
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

fn message_down(sid: &str, group: &str, sender: &str, text: &str, rid: u64) -> Value {
    json!({"type": "message_down", "request_id": format!("d{rid}"), "service_id": sid,
        "body": {"subtype": "text", "channel_id": "bench", "content": {"text": text},
                 "recipients": group, "timestamp": 1, "context": {}, "sender": sender}})
}

/// Echo at window 32: devserver µs of CPU per echoed message, and msgs/s.
async fn echo(bin: &str, n: u64) -> (f64, f64) {
    let server = Server::start(bin, 1);
    let (mut svc, sid, token) = service(&server).await;
    let (mut u, uid) = user(&server, 0).await;
    let g = group(&server, &token, std::slice::from_ref(&uid)).await;
    // The service echoes every message_up to the user.
    let svc_task = tokio::spawn(async move {
        let mut rid = 0;
        loop {
            let f = next_json(&mut svc).await;
            if f["type"] == "message_up" {
                rid += 1;
                let text = f["body"]["content"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                send(&mut svc, &message_down(&sid, &g, &uid, &text, rid)).await;
            }
        }
    });
    let frame = |i: u64| {
        json!({"type": "message_up", "request_id": format!("u{i}"), "user_id": "u", "service_id": "u",
            "body": {"subtype": "text", "channel_id": "bench", "content": {"text": format!("hello {i}")},
                     "recipients": "service", "timestamp": 1, "context": {}}})
        .to_string()
    };
    let cpu0 = server.cpu_ns();
    let t0 = Instant::now();
    let (mut sent, mut echoed) = (0u64, 0u64);
    while echoed < n {
        while sent < n && sent - echoed < 32 {
            u.send(Message::Text(frame(sent).into())).await.unwrap();
            sent += 1;
        }
        if next_json(&mut u).await["type"] == "message_down" {
            echoed += 1;
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = server.cpu_ns() - cpu0;
    svc_task.abort();
    (cpu as f64 / 1e3 / n as f64, n as f64 / wall)
}

/// Fan-out to `sockets` users: deliveries/s, devserver ns of CPU per
/// delivery, and KiB of RSS per logged-in socket.
async fn fanout(bin: &str, sockets: usize, deliveries: u64) -> (f64, f64, f64) {
    let server = Server::start(bin, sockets);
    let (mut svc, sid, token) = service(&server).await;
    // Sign-ins first (their HTTP connections are gone by then), then RSS.
    let mut creds = Vec::new();
    for i in 0..sockets {
        creds.push(server.sign_in(&format!("u{i}@bench.local")).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss0 = server.rss_kib();
    let mut users = Vec::new();
    for (token, uid) in &creds {
        let mut ws = server.ws().await;
        request(
            &mut ws,
            json!({"type": "user_login", "request_id": "l", "access_token": token}),
        )
        .await;
        request(
            &mut ws,
            json!({"type": "action", "request_id": "j", "user_id": uid,
                   "body": {"subtype": "join_channel", "channel_id": "bench", "context": {}}}),
        )
        .await;
        users.push(ws);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_per_socket = (server.rss_kib().saturating_sub(rss0)) as f64 / sockets as f64;
    let ids: Vec<String> = creds.iter().map(|(_, u)| u.clone()).collect();
    let g = group(&server, &token, &ids).await;
    let messages = (deliveries / sockets as u64).max(1);
    let delivered = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    for mut ws in users {
        let delivered = delivered.clone();
        readers.push(tokio::spawn(async move {
            let mut got = 0;
            while got < messages {
                if next_json(&mut ws).await["type"] == "message_down" {
                    got += 1;
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            }
            ws
        }));
    }
    let total = messages * sockets as u64;
    let window = sockets as u64 * 16;
    let cpu0 = server.cpu_ns();
    let t0 = Instant::now();
    let sender = ids[0].clone();
    let mut copies_pending = 0u64;
    for i in 0..messages {
        while (i * sockets as u64).saturating_sub(delivered.load(Ordering::Relaxed)) > window {
            tokio::task::yield_now().await;
        }
        send(&mut svc, &message_down(&sid, &g, &sender, "fan-out", i)).await;
        copies_pending += 1;
    }
    for r in readers {
        let _ = r.await;
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = server.cpu_ns() - cpu0;
    while copies_pending > 0 {
        if next_json(&mut svc).await["type"] == "copy" {
            copies_pending -= 1;
        }
    }
    (
        total as f64 / wall,
        cpu as f64 / total as f64,
        rss_per_socket,
    )
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let this = env!("CARGO_BIN_EXE_moobius-devserver").to_owned();
    let mut bins = Vec::new();
    if let Ok(b) = std::env::var("MOOBIUS_BENCH_BASELINE") {
        bins.push(("baseline", b));
    }
    bins.push(("this", this));
    let n = env("MOOBIUS_BENCH_ECHO_N", 20_000);
    let deliveries = env("MOOBIUS_BENCH_FANOUT_DELIVERIES", 200_000);
    rt.block_on(async {
        for (name, bin) in &bins {
            let (us, rate) = echo(bin, n).await;
            println!("{name:>8}  echo window 32: {us:7.1} µs devserver CPU per echoed message ({rate:.0} echoes/s, n={n})");
            for sockets in [100, 1000] {
                let (rate, ns, rss) = fanout(bin, sockets, deliveries).await;
                println!(
                    "{name:>8}  fan-out {sockets:>4} sockets: {rate:9.0} deliveries/s, {:6.2} µs CPU per delivery, {rss:6.1} KiB RSS per logged-in socket",
                    ns / 1e3
                );
            }
        }
    });
}
