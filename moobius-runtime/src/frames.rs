//! Websocket frames as both drivers' sockets (tungstenite, blocking or
//! under tokio) give and take them: the one frame-size limit, what a
//! received message means to the session, and the close frame sent.

use crate::engine::Input;
use moobius_proto::session::CloseReason;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tungstenite::{Message, Utf8Bytes};

/// The websocket configuration of both drivers: inbound messages and
/// frames up to `max_frame_bytes` (the session's limit,
/// `SessionConfig::inbound_frame_limit`; a larger one closes the socket),
/// and the buffer sizes of `options` (`Options::ws_read_buffer`,
/// `Options::ws_write_buffer`; why these defaults: moobius-tokio's crate
/// docs, "Performance").
#[must_use]
pub fn ws_config(max_frame_bytes: usize, options: &crate::Options) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(max_frame_bytes))
        .max_frame_size(Some(max_frame_bytes))
        .read_buffer_size(options.ws_read_buffer)
        .write_buffer_size(options.ws_write_buffer)
}

/// What one read of the socket means to the session: a text frame (a
/// binary one holding UTF-8 too), the end of the connection, or nothing
/// (control frames, which tungstenite answers itself; a read that timed
/// out).
#[must_use]
pub fn received(read: Result<Message, tungstenite::Error>) -> Option<Input> {
    let reason = match read {
        Ok(Message::Text(text)) => return Some(Input::Text(text)),
        Ok(Message::Binary(bytes)) => {
            let len = bytes.len();
            return match Utf8Bytes::try_from(bytes) {
                Ok(text) => Some(Input::Text(text)),
                Err(_) => {
                    tracing::debug!(len, "binary websocket frame ignored");
                    None
                }
            };
        }
        Ok(Message::Close(frame)) => CloseReason::Closed {
            code: frame.as_ref().map(|f| u16::from(f.code)),
            reason: frame
                .map(|f| f.reason.as_str().to_owned())
                .unwrap_or_default(),
        },
        Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => return None,
        Err(tungstenite::Error::Io(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            return None
        }
        Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
            CloseReason::Closed {
                code: None,
                reason: "connection closed".into(),
            }
        }
        Err(e) => CloseReason::Error(e.to_string()),
    };
    Some(Input::Closed(reason))
}

/// The close frame sent when the session closes the socket: a normal
/// close whose reason is `reason` cut to the 123 bytes a close frame may
/// carry, at a character boundary.
#[must_use]
pub fn close_frame(reason: &str) -> CloseFrame {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame {
        code: CloseCode::Normal,
        reason: reason[..end].into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_reasons_fit_a_close_frame() {
        assert_eq!(close_frame("bye").reason.as_str(), "bye");
        let long = "é".repeat(100);
        let cut = close_frame(&long).reason;
        assert!(
            cut.len() <= 123 && long.starts_with(cut.as_str()),
            "{}",
            cut.len()
        );
    }

    #[test]
    fn frames_mean_text_close_or_nothing() {
        assert!(
            matches!(received(Ok(Message::text("{}"))), Some(Input::Text(t)) if t.as_str() == "{}")
        );
        let binary = Message::Binary(bytes::Bytes::from_static(b"[1]"));
        assert!(matches!(received(Ok(binary)), Some(Input::Text(t)) if t.as_str() == "[1]"));
        let junk = Message::Binary(bytes::Bytes::from_static(&[0xff, 0xfe]));
        assert!(received(Ok(junk)).is_none());
        assert!(received(Ok(Message::Ping(bytes::Bytes::new()))).is_none());
        let close = Message::Close(Some(close_frame("going away")));
        assert!(matches!(
            received(Ok(close)),
            Some(Input::Closed(CloseReason::Closed { code: Some(1000), reason })) if reason == "going away"
        ));
        let timeout = std::io::Error::from(std::io::ErrorKind::WouldBlock);
        assert!(received(Err(tungstenite::Error::Io(timeout))).is_none());
        assert!(matches!(
            received(Err(tungstenite::Error::ConnectionClosed)),
            Some(Input::Closed(CloseReason::Closed { code: None, .. }))
        ));
    }
}
