//! The websocket side: upgrade on `/ws` (and `/`, since the reference SDK
//! connects to the configured URI verbatim), one [`session`] per connection,
//! [`routing`] of frames, and the [`frames`] written back.

pub(crate) mod frames;
pub(crate) mod routing;
pub(crate) mod session;

use crate::error::ApiError;
use crate::shared::Shared;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::Arc;

/// The library-level frame limit: larger frames fail at the websocket layer
/// (connection dropped); frames between the configured limit and this one
/// are closed by [`session`] with code 1009 and a clear reason.
fn library_limit(limit: usize) -> usize {
    limit.saturating_mul(4).max(limit.saturating_add(1 << 20))
}

/// Initial read buffer of a websocket (grows for larger frames).
const READ_BUFFER_BYTES: usize = 4096;

/// Bytes buffered before a write reaches the socket (a batch of queued
/// frames goes out in one write; a flush sends the rest).
const WRITE_BUFFER_BYTES: usize = 16 << 10;

/// `GET /ws` and `GET /`: upgrade to a websocket session.
pub(crate) async fn upgrade(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => {
            let lim = library_limit(shared.config.max_frame_bytes);
            // Small buffers: a logged-in socket costs a few KiB, not the
            // library's 128 KiB read buffer; frames are written at once.
            ws.max_message_size(lim)
                .max_frame_size(lim)
                .read_buffer_size(READ_BUFFER_BYTES)
                .write_buffer_size(WRITE_BUFFER_BYTES)
                .on_upgrade(move |socket| session::run(shared, socket, peer))
        }
        Err(e) => crate::http::error_response(&ApiError::bad_request(format!(
            "websocket upgrade expected on this path ({e})"
        ))),
    }
}
