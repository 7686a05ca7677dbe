//! # moobius-devserver
//!
//! A local Moobius platform: the HTTP API and the websocket on one port, in
//! memory, for development and end-to-end tests of Moobius clients (this
//! workspace's SDK and the official Python SDK alike).
//!
//! * **HTTP** (`http://HOST:PORT/…`): every endpoint of PROTOCOL.md §4 with
//!   the reference request and response shapes. Answers are JSON
//!   (`Content-Type: application/json`) in the envelope
//!   `{"code", "message", "data"}`; `code` is `10000` on success and one of
//!   [`codes`] on failure. Accounts sign up with a confirmation code written
//!   to the log (`tracing`, INFO), or are seeded. Tokens are random opaque
//!   strings that expire ([`DevServerBuilder::token_ttl`]). Service and
//!   channel groups share one namespace. Uploads: `GET /file/upload` returns
//!   a `url` on this server (`…/files/`) and `fields.key`; the multipart
//!   `POST` there stores the file (`204`); `GET`/`HEAD` at `url + key`
//!   serve it with `Content-Length`.
//! * **Websocket** (`ws://HOST:PORT/ws`, also `/`): `service_login` and
//!   `user_login` check the token; every client frame is answered with a
//!   `copy` (`status: false` when not logged in or rejected, with
//!   `context.message` saying why); a user's `message_up` reaches the
//!   service bound to the channel as `message_up` (with a platform
//!   `message_id` and `sender`), or, without a service, the recipients as
//!   `message_down`; a service's `message_down` and `update`s reach the
//!   connected recipients who are members; `join_channel`, `leave_channel`,
//!   `refresh` and clicks reach the service as `action` frames. Frames over
//!   the limit (default 1 MiB) close the connection with code 1009 and a
//!   reason. Malformed or unknown frames get `copy` status `false`; the
//!   connection stays open.
//! * **Permissions**: one policy decides who may bind, manage, read and
//!   speak as whom (the table in the crate's README); sign-out, password
//!   reset and account deletion close the sockets they revoke.
//! * **Bounds**: send queues, login deadline, HTTP read timeouts, inspection
//!   logs and history are capped ([`DevServerBuilder`] sets each).
//! * **State**: in memory, or kept across restarts in a file
//!   ([`DevServerBuilder::state_file`], `--state FILE`): loaded at start
//!   (a corrupt or newer-format file is refused, never reset), saved
//!   atomically after changes and at shutdown. Tokens are not kept.
//! * **Library**: [`DevServer::builder`] starts one on a free port and
//!   returns a [`DevServerHandle`] to seed, inspect ([`inspect`]), inject
//!   faults and shut down.
//!
//! ```no_run
//! # async fn demo() -> Result<(), moobius_devserver::DevServerError> {
//! use moobius_devserver::DevServer;
//! use std::time::Duration;
//!
//! let server = DevServer::builder()
//!     .user("svc@example.com", "pw")
//!     .user("alice@example.com", "pw")
//!     .channel("lobby", "Lobby")
//!     .token_ttl(Duration::from_secs(60))
//!     .start()
//!     .await?;
//! let alice = server.user_id("alice@example.com").expect("seeded");
//! // ... point a client at server.http_uri() / server.ws_uri() ...
//! server.fail_next_http_requests(2);
//! server.drop_user_connections(&alice);
//! let frames = server.frames_to_user(&alice);
//! # let _ = frames;
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod chat_page;
mod error;
mod faults;
mod http;
mod ids;
pub mod inspect;
mod persist;
mod policy;
mod server;
mod shared;
mod state;
mod tls;
mod ws;

pub use error::{codes, DevServerError};
pub use moobius_proto as proto;
pub use server::{
    DevServer, DevServerBuilder, DevServerHandle, IssuedTokens, DEFAULT_BODY_TIMEOUT,
    DEFAULT_FRAME_LOG_BYTES, DEFAULT_FRAME_LOG_LIMIT, DEFAULT_HEADER_TIMEOUT,
    DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_MESSAGES, DEFAULT_KEEP_CLOSED_CONNECTIONS,
    DEFAULT_LOGIN_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_FRAME_BYTES,
    DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_REFRESH_TOKEN_TTL, DEFAULT_SEND_QUEUE_BYTES,
    DEFAULT_SEND_QUEUE_FRAMES, DEFAULT_TOKEN_TTL,
};
pub use state::connections::{ConnectionId, Login};
