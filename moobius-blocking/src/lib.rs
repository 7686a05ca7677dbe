//! # moobius-blocking
//!
//! The blocking driver of the Moobius SDK, for simple bots and scripts: no
//! async runtime, just threads and blocking sockets. Write a channel service
//! (or automate a user account) as a [`Bot`] and [`run`] it, or take the
//! events one by one from a [`Client`] in a `for` loop; talk to the platform
//! through the [`Moobius`] handle, from callbacks or from any thread.
//!
//! All protocol rules (payload shapes, endpoints, timers, reconnects, group
//! ids, ordering) live in [`moobius_proto`] (re-exported as [`proto`]); this
//! crate only does the I/O. One loop owns the protocol
//! [`Session`](proto::session::Session): it writes what the session asks
//! for, makes its HTTP requests inline (ureq, rustls), reads the websocket
//! (tungstenite; `ws://`, and `wss://` with rustls) with
//! `set_read_timeout(deadline - now)` so that the session's timers run on
//! time, and hands events to the bot's thread in arrival order. Handles
//! send commands to the loop and wait for the answer, so callbacks and
//! other threads call any method without deadlocks: see [`Moobius`].
//!
//! A blocking read cannot be woken by a command, so the loop's wait adapts:
//! for 50 ms after it hands out an event or takes a command, it waits on
//! the command channel and looks at the socket without blocking, so a
//! callback's reply leaves at once; idle, it blocks in the socket read in
//! slices of [`Options::command_poll`] (20 ms). Measured with
//! `cargo bench -p moobius-tokio --bench e2e` (an echo bot, one message in
//! flight): 2,600 messages/s and a 0.36 ms median round trip, against 39
//! messages/s and 24 ms when every wait was a 20 ms read.
//!
//! ```no_run
//! use moobius_blocking::prelude::*;
//!
//! /// Sends every message back to its author.
//! struct Echo;
//!
//! impl Bot for Echo {
//!     type Spell = ();
//!
//!     fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
//!         let author = message.sender.clone();
//!         moobius.send_message(MessageSpec::forward(&message, author))?;
//!         Ok(())
//!     }
//! }
//!
//! fn main() -> Result<(), moobius_blocking::Error> {
//!     // The reference SDK's layout: account_config, service_config, ...
//!     moobius_blocking::run(Config::load("config/config.json")?, Echo)
//! }
//! ```
//!
//! ## Start a service
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! moobius-blocking = "0.1"
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
//! account. More in the `examples/` folder of this crate's package (`blocking_echo`, `pingpong`; each takes `--config PATH`, or runs
//! against an embedded devserver without it).
//!
//! ## Logs, errors, stopping
//!
//! `run` (and `spawn`) set up logging from `log_config` unless the application
//! installed a `tracing` subscriber (`Options::install_logging(false)` turns
//! it off): the terminal at `terminal_log_level`, or as `RUST_LOG` says
//! (`RUST_LOG=moobius_blocking=debug,info`); `log_file` and `error_log_file` rotated and
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
//! `moobius_runtime::tls`, re-exported as `moobius_blocking::tls`) and uses it for
//! the websocket (tungstenite); HTTP (ureq) trusts the same roots with the same provider, so another crypto provider in your build graph (aws-lc-rs, pulled in
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
//! **Proxies.** HTTP honours `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (ureq's default configuration reads them; `ALL_PROXY` wins when several are set). The websocket does not use a proxy: tungstenite connects directly to the host of `ws_server_uri`; where only a proxy leads out, the websocket cannot connect.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

mod bot;
mod client;
mod dispatch;
mod driver;
mod http;
mod moobius;
pub mod prelude;
mod runner;
mod ws;

pub use bot::Bot;
pub use client::{Client, Events};
pub use moobius::Moobius;
pub use moobius_proto as proto;
pub use moobius_proto::http::ChannelGroupQuery;
pub use moobius_proto::ops::{
    Click, DownloadOptions, DownloadSource, MenuClick, NewChannel, Profile, ProfileQuery,
};
pub use moobius_proto::ws::Action;
pub use moobius_runtime::tls::{self, TlsConfig};
pub use moobius_runtime::{
    CallbackResult, Config, Error, Mode, Options, ServiceIdFile, ENV_EMAIL, ENV_PASSWORD,
};
pub use runner::{run, spawn, Running, SpellSender};
