//! Per-channel storage for Moobius services.
//!
//! A service keeps, for each channel it serves, a few named **containers**:
//! maps from string keys to JSON values (any serde type). Which containers
//! exist and where they live is the `db_config` list of the service's
//! configuration, in the reference SDK's layout ([`StorageConfig`]):
//!
//! ```json
//! [
//!   {"implementation": "json",  "name": "stats", "load": true, "clear": false,
//!    "settings": {"root_dir": "data"}},
//!   {"implementation": "redis", "name": "games",
//!    "settings": {"host": "127.0.0.1", "port": 6379, "db": 0}}
//! ]
//! ```
//!
//! # Engines
//!
//! | `implementation` | where a value lives |
//! |---|---|
//! | `json` (default choice) | file `<root_dir>/service_<sid>/channel_<cid>/<name>/<key>.json` |
//! | `redis` (feature `redis`) | Redis key `moobius:<sid>:<cid>:<name>:<key>` |
//! | `memory` | a map in this process, gone when the container is dropped |
//! | `null` | nowhere: writes are dropped, reads find nothing |
//!
//! Values are JSON with a 2-space indent, the same bytes in files and Redis.
//! In file names (and in the `<sid>`/`<cid>` parts of both layouts) every byte
//! outside `[A-Za-z0-9_-]` is percent-encoded (`../x` → `%2E%2E%2Fx.json`), so
//! no key can name a path outside its container's folder; ids and keys made
//! of letters, digits, `_` and `-` (UUIDs, user ids) appear unchanged, as in
//! the reference SDK. File writes are atomic (temporary file, `fsync`,
//! rename, folder `fsync`): a crash or a concurrent writer never leaves a torn
//! or empty file; the last writer wins with a whole value.
//!
//! # Semantics
//!
//! * No cache: every `get`, `contains`, `keys` goes to the engine, so
//!   several processes and replicas sharing one Redis see each other's
//!   writes. Read-modify-write sequences (`get` then `set`) are **not**
//!   atomic across processes.
//! * `clear: true` in a spec deletes every key of that container at open.
//! * `load: true` (the default) reads every value once at open and fails the
//!   open with [`StorageError::Decode`] if one is not valid JSON, so a damaged
//!   store is noticed at start-up. `load: false` opens without reading.
//!
//! # APIs
//!
//! The blocking API ([`ChannelStorage`], [`Container`]) needs no runtime. The
//! async API ([`AsyncChannelStorage`], [`AsyncContainer`], feature `tokio`)
//! runs on tokio. Both are thin faces of one container implementation, so
//! they share layout, encoding, checks and semantics; they differ only in
//! how I/O runs (inline and the blocking Redis client, or tokio's blocking
//! pool and the multiplexed async Redis client).
//!
//! ```
//! use moobius_storage::{ChannelStorage, StorageConfig};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Default, Debug, PartialEq)]
//! struct UserStats { messages: u64 }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let root = dir.path().display().to_string();
//! let db_config = format!(r#"[{{"implementation": "json", "name": "stats",
//!                               "settings": {{"root_dir": {root:?}}}}}]"#);
//! let config = StorageConfig::from_json_str(&db_config)?;
//! let storage = ChannelStorage::open("my-service", "my-channel", config.specs())?;
//! let stats = storage.container("stats")?;
//!
//! let mut alice: UserStats = stats.get("alice")?.unwrap_or_default();
//! alice.messages += 1;
//! stats.set("alice", &alice)?;
//! assert_eq!(stats.get::<UserStats>("alice")?, Some(UserStats { messages: 1 }));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

#[cfg(feature = "tokio")]
mod asynchronous;
mod blocking;
mod codec;
mod config;
mod container;
mod error;
mod json_dir;
mod key;
mod memory;
#[cfg(feature = "redis")]
mod redis_backend;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use asynchronous::{AsyncChannelStorage, AsyncContainer};
pub use blocking::{ChannelStorage, Container};
pub use config::{Backend, ContainerSpec, Implementation, RedisSettings, StorageConfig};
pub use error::{ConfigError, SpecAt, StorageError};
pub use key::{KeyError, MAX_ENCODED_KEY_LEN};
