//! Fuzzes the client-frame decoder with UTF-8 text. Oracle: a frame that
//! decodes must re-encode to text that decodes to the same frame (and the
//! same request id), so `encode` loses nothing `decode_client_frame` reads.
//!
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run ws_client_frame` (see docs/FUZZING.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use moobius_proto::ws::decode_client_frame;
use moobius_proto::RequestId;

fuzz_target!(|text: &str| {
    let Ok(first) = decode_client_frame(text) else {
        return;
    };
    let rid = first
        .request_id
        .clone()
        .unwrap_or_else(|| RequestId::new(""));
    let encoded = first.frame.encode(&rid);
    let second = match decode_client_frame(&encoded) {
        Ok(f) => f,
        Err(e) => {
            panic!("re-encoded frame does not decode: {e}\ninput:   {text}\nencoded: {encoded}")
        }
    };
    assert_eq!(
        second.frame, first.frame,
        "round trip changed the frame\ninput:   {text}\nencoded: {encoded}"
    );
    assert_eq!(
        second.request_id,
        Some(rid),
        "request id lost\nencoded: {encoded}"
    );
});
