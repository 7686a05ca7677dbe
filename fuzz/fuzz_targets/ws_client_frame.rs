//! Fuzzes the client-frame decoder with UTF-8 text. Oracle: a frame that
//! decodes must re-encode to text that decodes to the same frame (and the
//! same request id), so `encode` loses nothing `decode_client_frame` reads.
//!
//! The oracle is skipped for text with a repeated member name in an object:
//! its meaning is left open by JSON (RFC 8259 §4, names "SHOULD be unique"),
//! and the decoder's typed path refuses it (`duplicate field`) while its
//! generic path keeps the last value, so the re-encoded (deduplicated) text
//! may take the other path. Decoding such text must still not panic.
//!
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run ws_client_frame` (see docs/FUZZING.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use moobius_proto::ws::decode_client_frame;
use moobius_proto::RequestId;

/// True when some JSON object in `text` names a member twice.
fn has_duplicate_keys(text: &str) -> bool {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Check;
    impl<'de> Deserialize<'de> for Check {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Check)
        }
    }
    impl<'de> Visitor<'de> for Check {
        type Value = Check;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Check, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key) {
                    return Err(serde::de::Error::custom("duplicate key"));
                }
                map.next_value::<Check>()?;
            }
            Ok(Check)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Check, A::Error> {
            while seq.next_element::<Check>()?.is_some() {}
            Ok(Check)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_str<E>(self, _: &str) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_unit<E>(self) -> Result<Check, E> {
            Ok(Check)
        }
    }
    serde_json::from_str::<Check>(text).is_err() && serde_json::from_str::<IgnoredAny>(text).is_ok()
}

fuzz_target!(|text: &str| {
    let Ok(first) = decode_client_frame(text) else {
        return;
    };
    if has_duplicate_keys(text) {
        return;
    }
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
