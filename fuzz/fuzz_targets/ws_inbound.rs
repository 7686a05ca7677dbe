//! Fuzzes the platform-frame decoder with arbitrary bytes: it must never
//! panic, loop or overflow the stack, whatever the bytes; and its fast path
//! must never change a result: `decode_inbound` (fast path, then the general
//! decoder) gives what the general decoder alone gives.
//!
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run ws_inbound` (see docs/FUZZING.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use moobius_proto::ws::{decode_inbound, decode_inbound_bytes, decode_inbound_general};

fuzz_target!(|data: &[u8]| {
    let from_bytes = decode_inbound_bytes(data);
    // The text entry point must agree with the bytes one on valid UTF-8.
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(
            decode_inbound(text),
            from_bytes,
            "text and bytes decoders disagree"
        );
        assert_eq!(
            from_bytes,
            decode_inbound_general(text),
            "the fast path changed the result"
        );
    }
});
