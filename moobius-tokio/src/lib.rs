//! # moobius-tokio
//!
//! The async driver of the Moobius SDK: write a channel service (or automate
//! a user account) as a [`Service`], run it with [`run`], [`spawn`] or a
//! [`Wand`], and talk to the platform through the [`Moobius`] handle every
//! callback receives.
//!
//! All protocol rules (payload shapes, endpoints, timers, reconnects, group
//! ids, ordering) live in [`moobius_proto`] (re-exported as [`proto`]); this
//! crate only does the I/O: one task per service owns the protocol
//! [`Session`](proto::session::Session), drives it with tokio-tungstenite
//! (`ws://` and `wss://` with rustls) and a small HTTP/1.1 client (rustls
//! for `https://`), sleeps until its next timeout, and runs the service's
//! callbacks one at a time, in the order events arrive.
//!
//! ```no_run
//! use moobius_tokio::prelude::*;
//!
//! /// Sends every message back to its author.
//! struct Echo;
//!
//! impl Service for Echo {
//!     type Spell = ();
//!
//!     async fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
//!         let author = message.sender.clone();
//!         moobius.send_message(MessageSpec::forward(&message, author)).await?;
//!         Ok(())
//!     }
//! }
//!
//! #[tokio::main(flavor = "current_thread")] // one thread: less CPU per message (see Performance)
//! async fn main() -> Result<(), moobius_tokio::Error> {
//!     // The reference SDK's layout: account_config, service_config, ...
//!     let config = Config::load("config/config.json")?;
//!     moobius_tokio::run(config, Echo).await // until Ctrl-C
//! }
//! ```
//!
//! The quick start (`cargo run -p moobius-tokio --example quickstart`) runs
//! a service and a scripted user against an embedded devserver.
//!
//! ## Start a service
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! moobius-tokio = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! `config/config.json` (the reference SDK's layout), for a local [`moobius-devserver`](https://docs.rs/moobius-devserver) started
//! with `cargo run -p moobius-devserver -- --addr 127.0.0.1:7700 --user me@example.com:secret --channel chan-1:Lobby`:
//!
//! ```json
//! {
//!   "account_config": { "email": "me@example.com", "password": "secret" },
//!   "service_config": {
//!     "http_server_uri": "http://127.0.0.1:7700/",
//!     "ws_server_uri": "ws://127.0.0.1:7700/ws",
//!     "service_id": "",
//!     "channels": ["chan-1"],
//!     "others": "include"
//!   },
//!   "log_config": {
//!     "terminal_log_level": "INFO",
//!     "log_file": "logs/service.log",
//!     "error_log_file": "logs/error.log",
//!     "log_retention": { "rotation": "1 day", "retention": "7 days" }
//!   }
//! }
//! ```
//!
//! An empty `service_id` creates a service at the first start and saves its
//! id into this file; `MOOBIUS_EMAIL` / `MOOBIUS_PASSWORD` override the
//! account. More in the `examples/` folder of this crate's package (`quickstart`, `echo`, `buttons_and_dialogs`, `menu_and_canvas`, `user_bot`, `wand_spells`; each takes `--config PATH`, or runs
//! against an embedded devserver without it).
//!
//! ## Logs, errors, stopping
//!
//! `run` (and `spawn`) set up logging from `log_config` unless the application
//! installed a `tracing` subscriber (`Options::install_logging(false)` turns
//! it off): the terminal at `terminal_log_level`, or as `RUST_LOG` says
//! (`RUST_LOG=moobius_tokio=debug,info`); `log_file` and `error_log_file` rotated and
//! kept per `log_retention`. A service says what it does (a start-up summary:
//! mode, hosts, own id, channels served and dropped, and why) and warns where
//! something goes wrong without failing (a channel taken from another service,
//! a callback that keeps failing, a URI defaulting to the production
//! platform). An `Error` prints as one sentence with its causes and, where
//! known, the fix, also through `Debug`, so `fn main() -> Result<(), Error>`
//! prints it well. SIGTERM and SIGINT (Ctrl-C) stop `run` gracefully: the
//! session is closed and `run` returns `Ok`.
//!
//! ## TLS
//!
//! `https://` and `wss://` go through rustls with the `ring` crypto provider
//! named explicitly: the driver builds one rustls `ClientConfig` (module
//! `moobius_runtime::tls`, re-exported as `moobius_tokio::tls`; at the first
//! `https://` or `wss://`, so a service on `http://` and `ws://` never does) and uses it for
//! the websocket (tokio-tungstenite) and HTTP, so another crypto provider in your build graph (aws-lc-rs, pulled in
//! by some other crate) cannot make it panic.
//!
//! Which certificate authorities are trusted:
//!
//! - **Mozilla's roots**, compiled in: feature `webpki-roots` (default).
//! - **The operating system's store**: feature `native-roots`, then
//!   `Options::default().tls(TlsConfig::new().with_native_roots(true))`
//!   (`SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured).
//! - **Extra PEM certificates** (a private or corporate CA, a devserver's
//!   self-signed CA): [`Config::with_ca_file`]`("ca.pem")` (or `Options::ca_file`,
//!   `TlsConfig::with_ca_file`, `TlsConfig::add_pem_bytes`), or the
//!   environment variable `MOOBIUS_CA_FILE=/path/ca.pem`. Files are read when
//!   the client starts; a missing file stops it with an error naming the file.
//!   `TlsConfig::with_webpki_roots(false)` trusts only your own CA.
//!
//! A certificate that is not trusted, or that is for another name, stops
//! start-up with an error naming the host and what to do, e.g. `sign-in failed:
//! HTTP transport error: https://127.0.0.1:8443: … invalid peer certificate:
//! UnknownIssuer (… trust its CA with Options::ca_file … or the MOOBIUS_CA_FILE
//! environment variable …)`. The devserver serves TLS with `--tls-cert FILE
//! --tls-key FILE` (`DevServerBuilder::tls_pem_files`); `tests/tests/tls.rs`
//! makes a CA with rcgen and runs the whole lifecycle over it.
//!
//! **Proxies.** HTTP honours `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (as reqwest reads them: hyper-util's matcher; an `https://` target goes through a `CONNECT` tunnel). The websocket does not use a proxy: tokio-tungstenite connects directly to the host of `ws_server_uri`; where only a proxy leads out, the websocket cannot connect.
//!
//! ## Performance: runtime flavour, buffers, memory
//!
//! A service is one task that owns its connection and runs its callbacks
//! one at a time, so it gains nothing from more threads: on tokio's
//! multi-thread runtime its extra cost is mostly wake-ups moving between
//! worker threads. Measured end to end (`scripts/bench/e2e-vs-reference.sh`:
//! the devserver, the service and a load client each in its own process,
//! CPU time of the service process alone, an echo service, 2-core machine
//! shared with other work), the same service costs on a `current_thread`
//! runtime 5–6 µs of CPU per message with 32 messages in flight and
//! 20–30 µs with one at a time, against 6–7 and 33–49 µs on the
//! multi-thread runtime (medians of 7–11 interleaved rounds, in several
//! runs; the reference Python SDK needs 185–200 and 235–300 µs). Hence:
//!
//! - [`run_with_runtime`] builds the runtime for you, `current_thread` by
//!   default ([`Options::runtime`], [`RuntimeFlavour`]); pick
//!   `RuntimeFlavour::MultiThread` when your callbacks hand heavy work to
//!   other tasks. With your own `#[tokio::main]`, write
//!   `#[tokio::main(flavor = "current_thread")]` for the same effect.
//! - The websocket reads 8 KiB at a time ([`Options::ws_read_buffer`]:
//!   tungstenite's default, 128 KiB, is zeroed on every read and costs its
//!   size in memory), and collects outgoing frames until its queue is
//!   empty, then writes and flushes them at once ([`Options::ws_write_buffer`]):
//!   at 32 messages in flight about 9 echoes go out per write.
//! - The loop keeps one timer for the session's next timeout and moves it
//!   when it changes, instead of registering a new one every turn.
//! - Memory: an idle service on `current_thread` is one thread and about
//!   0.5 MiB of heap and stacks; its resident size (5.8–5.9 MiB with the
//!   default release profile) is mostly the executable's code mapped from
//!   disk, so what runs at start-up is what costs: TLS (roots and rustls'
//!   configuration) is set up at the first `https://` or `wss://`, not
//!   before, and HTTP is a small HTTP/1.1 client rather than reqwest's
//!   (which paged in ~1 MiB more code; issue 18).

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

mod driver;
mod http1;
mod moobius;
pub mod prelude;
mod runner;
mod service;
mod wand;

pub use moobius::Moobius;
pub use moobius_proto as proto;
pub use moobius_proto::http::ChannelGroupQuery;
pub use moobius_proto::ops::{
    Click, DownloadOptions, DownloadSource, MenuClick, NewChannel, Profile, ProfileQuery,
};
pub use moobius_runtime::tls::{self, TlsConfig};
pub use moobius_runtime::{
    CallbackResult, Config, Error, Mode, Options, RuntimeFlavour, ServiceIdFile, ENV_EMAIL,
    ENV_PASSWORD,
};
/// Per-channel storage (the `moobius-storage` crate), feature `storage`.
#[cfg(feature = "storage")]
#[cfg_attr(docsrs, doc(cfg(feature = "storage")))]
pub use moobius_storage as storage;
pub use runner::{run, run_with_runtime, spawn, Running, SpellSender};
pub use service::{Action, Service};
pub use wand::{Wand, WandHandle};
