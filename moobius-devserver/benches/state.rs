//! State-file benchmark: how long a devserver with a large saved state takes
//! to start (read, check, restore, first save) and to save after one change
//! (capture under the lock + encode + atomic write), and how large the file
//! is.
//!
//! ```text
//! cargo bench -p moobius-devserver --bench state
//! ```
//!
//! Environment: `MOOBIUS_BENCH_STATE_CHANNELS` (default 10),
//! `MOOBIUS_BENCH_STATE_MESSAGES` per channel (default 10000, the default
//! history cap), `MOOBIUS_BENCH_STATE_ROUNDS` (default 5; the median is
//! reported).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use moobius_devserver::DevServer;
use serde_json::json;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A format-1 state file: one account, one service, `channels` channels with
/// `messages` text messages each.
fn state_json(channels: usize, messages: usize) -> Vec<u8> {
    let user = "00000000-0000-4000-8000-000000000001";
    let chans: Vec<_> = (0..channels)
        .map(|c| {
            let history: Vec<_> = (0..messages)
                .map(|i| {
                    json!({
                        "message_id": format!("m-{c}-{i}"),
                        "direction": if i % 2 == 0 { "message_up" } else { "message_down" },
                        "subtype": "text",
                        "content": {"text": format!("message number {i} in channel {c}, some words")},
                        "sender": user,
                        "recipients": "service",
                        "timestamp": 1_700_000_000_000_i64 + i as i64,
                        "context": {},
                        "size": 300,
                    })
                })
                .collect();
            json!({
                "channel_id": format!("chan-{c}"),
                "name": format!("Channel {c}"),
                "owner": user,
                "members": [user],
                "service_id": "svc",
                "history": history,
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "version": 1,
        "accounts": [{"user_id": user, "email": "a@x.io", "password": "pw",
                      "confirmed": true, "name": "a"}],
        "services": [{"service_id": "svc", "owner": user}],
        "channels": chans,
    }))
    .unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let channels = env("MOOBIUS_BENCH_STATE_CHANNELS", 10);
    let messages = env("MOOBIUS_BENCH_STATE_MESSAGES", 10_000);
    let rounds = env("MOOBIUS_BENCH_STATE_ROUNDS", 5).max(1);
    let dir = std::env::temp_dir().join(format!("moobius-bench-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let seed = state_json(channels, messages);
    let (mut starts, mut saves) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        std::fs::write(&path, &seed).unwrap();
        let t = Instant::now();
        let server = DevServer::builder()
            .state_file(&path)
            .state_save_delay(Duration::from_secs(3600))
            .start()
            .await
            .expect("starts");
        starts.push(t.elapsed());
        server
            .seed_user(&format!("u{round}@x.io"), "pw")
            .expect("seed");
        let t = Instant::now();
        server.save_state().await.expect("saves");
        saves.push(t.elapsed());
        server.stop().await.expect("stops");
    }
    let size = std::fs::metadata(&path).unwrap().len();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "state: {channels} channels x {messages} messages, file {:.1} MiB",
        size as f64 / f64::from(1 << 20)
    );
    println!(
        "  start (read + check + restore + first save): median {:?} of {rounds}",
        median(starts)
    );
    println!(
        "  save after one change (capture + encode + atomic write): median {:?} of {rounds}",
        median(saves)
    );
}
