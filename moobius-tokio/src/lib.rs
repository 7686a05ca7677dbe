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
//! (`ws://` and `wss://` with rustls) and reqwest (rustls), sleeps until its
//! next timeout, and runs the service's callbacks one at a time, in the
//! order events arrive.
//!
//! ```no_run
//! use moobius_tokio::proto::compose::MessageSpec;
//! use moobius_tokio::proto::model::MessageBody;
//! use moobius_tokio::{CallbackResult, Config, Moobius, Service};
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
//! #[tokio::main]
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
//! ## TLS
//!
//! `https://` and `wss://` go through rustls with the `ring` crypto provider
//! named explicitly: the driver builds one rustls `ClientConfig` (module
//! `moobius_runtime::tls`, re-exported as `moobius_tokio::tls`) and uses it for
//! the websocket (tokio-tungstenite) and HTTP (reqwest), so another crypto provider in your build graph (aws-lc-rs, pulled in
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
//! **Proxies.** HTTP honours `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (reqwest reads them). The websocket does not use a proxy: tokio-tungstenite connects directly to the host of `ws_server_uri`; where only a proxy leads out, the websocket cannot connect.

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod driver;
mod moobius;
mod runner;
mod service;
mod wand;

pub use moobius::Moobius;
pub use moobius_proto as proto;
pub use moobius_proto::ops::{Click, DownloadOptions, MenuClick, NewChannel, Profile};
pub use moobius_runtime::tls::{self, TlsConfig};
pub use moobius_runtime::{
    CallbackResult, Config, Error, Mode, Options, ServiceIdFile, ENV_EMAIL, ENV_PASSWORD,
};
/// Per-channel storage (the `moobius-storage` crate), feature `storage`.
#[cfg(feature = "storage")]
pub use moobius_storage as storage;
pub use runner::{run, spawn, Running, SpellSender};
pub use service::{Action, Service};
pub use wand::{Wand, WandHandle};
