#![no_main]
//! Feeds an arbitrary sequence of inputs (frames, HTTP responses, closes,
//! timeouts, commands) into a Session. It must never panic, and its output
//! queue must drain.

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use moobius_proto::compose::{MessageSpec, Recipients};
use moobius_proto::session::{CloseReason, Output, Role, Session, SessionConfig, TransportError};
use std::time::{Duration, Instant};

fuzz_target!(|data: &[u8]| {
    let Ok(base) = "http://platform.test/".parse() else {
        return;
    };
    let role = if data.first().is_some_and(|b| b & 1 == 0) {
        Role::service(None, vec!["c".into()])
    } else {
        Role::user(vec!["c".into()])
    };
    let cfg = SessionConfig::new("e", "p".into(), base, "ws://platform.test/ws", role);
    let mut now = Instant::now();
    let mut s = Session::new(cfg, now, [0; 32]);
    let mut http_ids = Vec::new();
    let mut chunks = data.split(|b| *b == 0xff);
    while let Some(chunk) = chunks.next() {
        while let Some(out) = s.poll_output() {
            if let Output::Http { id, .. } = out {
                http_ids.push(id);
            }
        }
        let Some((&op, rest)) = chunk.split_first() else {
            continue;
        };
        now += Duration::from_millis(u64::from(op) * 37);
        match op % 8 {
            0 => s.handle_ws_opened(now),
            1 => s.handle_ws_text(now, &String::from_utf8_lossy(rest)),
            2 => s.handle_ws_closed(
                now,
                CloseReason::Closed {
                    code: Some(u16::from(op)),
                    reason: String::new(),
                },
            ),
            3 | 4 => {
                if let Some(id) = http_ids.pop() {
                    let status = if op % 8 == 3 { 200 } else { 500 };
                    let resp = http::Response::builder()
                        .status(status)
                        .body(Bytes::copy_from_slice(rest));
                    if let Ok(resp) = resp {
                        s.handle_http_response(now, id, Ok(resp));
                    }
                }
            }
            5 => {
                if let Some(id) = http_ids.pop() {
                    s.handle_http_response(now, id, Err(TransportError("x".into())));
                }
            }
            6 => {
                let spec = MessageSpec::text(
                    "c",
                    String::from_utf8_lossy(rest),
                    Recipients::Characters(vec!["u".into()]),
                );
                let _ = s.send_message(now, 1, spec, None);
            }
            _ => {
                if let Some(t) = s.poll_timeout() {
                    now = now.max(t);
                }
                s.handle_timeout(now);
            }
        }
    }
    while s.poll_output().is_some() {}
});
