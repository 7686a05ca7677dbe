//! Per-user message statistics of one channel, kept in a `db_config`
//! container (like the reference SDK's database demo).
//!
//! ```text
//! cargo run -p moobius-storage --example stats                   # a demo conversation
//! cargo run -p moobius-storage --example stats -- alice "hi all" # one message
//! cargo run -p moobius-storage --example stats -- --db-config my-db.json
//! ```
//!
//! Counts survive between runs: they live in JSON files under
//! `target/moobius-stats-example/service_stats-demo/channel_lobby/stats/`.
//!
//! To keep them in Redis instead, change the one line of `DB_CONFIG` to
//!
//! ```json
//!   {"implementation": "redis", "name": "stats", "load": true, "clear": false, "settings": {"url": "redis://127.0.0.1:6379/"}}
//! ```
//!
//! (keys `moobius:stats-demo:lobby:stats:<user>`). Set `"clear": true` to
//! start from zero at every run.

use std::collections::BTreeMap;
use std::error::Error;

use moobius_storage::{ChannelStorage, StorageConfig};
use serde::{Deserialize, Serialize};

/// The storage part of a service configuration: one container, `stats`.
const DB_CONFIG: &str = r#"[
  {"implementation": "json", "name": "stats", "load": true, "clear": false, "settings": {"root_dir": "target/moobius-stats-example"}}
]"#;

const SERVICE_ID: &str = "stats-demo";
const CHANNEL_ID: &str = "lobby";

/// What is kept per user (the key is the user's character id).
#[derive(Debug, Default, Serialize, Deserialize)]
struct UserStats {
    messages: u64,
    characters: u64,
    last_message: Option<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let config = if args.first().map(String::as_str) == Some("--db-config") {
        let path = args.get(1).ok_or("--db-config needs a file")?.clone();
        args.drain(..2);
        StorageConfig::from_path(path)?
    } else {
        StorageConfig::from_json_str(DB_CONFIG)?
    };

    let messages: Vec<(String, String)> = match args.as_slice() {
        [] => [
            ("alice", "hello everyone"),
            ("bob", "hi alice"),
            ("alice", "how is the game going?"),
            ("carol", "just joined"),
            ("bob", "great, I am winning"),
            ("alice", "not for long"),
        ]
        .into_iter()
        .map(|(u, t)| (u.to_owned(), t.to_owned()))
        .collect(),
        [user, text @ ..] => vec![(user.clone(), text.join(" "))],
    };

    // In a service this happens once per channel, when the channel starts.
    let storage = ChannelStorage::open(SERVICE_ID, CHANNEL_ID, config.specs())?;
    let stats = storage.container("stats")?;
    println!(
        "storage: {} at {}",
        stats.implementation(),
        stats.location()
    );

    // What an `on_message` handler would do for each message.
    for (user, text) in &messages {
        let mut s: UserStats = stats.get(user)?.unwrap_or_default();
        s.messages += 1;
        s.characters += text.chars().count() as u64;
        s.last_message = Some(text.clone());
        stats.set(user, &s)?;
    }

    // A leaderboard over every user ever seen in this channel.
    let mut all = BTreeMap::new();
    for user in stats.keys()? {
        if let Some(s) = stats.get::<UserStats>(&user)? {
            all.insert(user, s);
        }
    }
    let mut board: Vec<_> = all.into_iter().collect();
    board.sort_by(|a, b| b.1.messages.cmp(&a.1.messages).then(a.0.cmp(&b.0)));
    println!(
        "{:<12} {:>8} {:>10}  last message",
        "user", "messages", "characters"
    );
    for (user, s) in board {
        println!(
            "{:<12} {:>8} {:>10}  {}",
            user,
            s.messages,
            s.characters,
            s.last_message.unwrap_or_default()
        );
    }
    Ok(())
}
