//! Property tests of the websocket codec.
//!
//! * (a) every [`Outbound`] frame survives `encode` → [`decode_client_frame`];
//! * (b) every platform frame, serialised with serde, survives [`decode_inbound`];
//! * (c) no input (bytes, text, JSON, frame-shaped JSON, mutated frames)
//!   panics a decoder, and a client frame that decodes re-encodes to itself;
//! * (d) every truncation of a valid frame is an error.
//!
//! Case counts are kept small enough for the whole file to run in seconds in
//! a debug build; raise them with `PROPTEST_CASES=…` for a longer soak.

mod strategies;

use moobius_proto::model::{ButtonClick, MenuItemClick, SimpleAction};
use moobius_proto::ws::{
    decode_client_frame, decode_inbound, decode_inbound_bytes, Action, Inbound, Outbound,
};
use moobius_proto::RequestId;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;
use strategies::*;

/// Case count: `base`, unless `PROPTEST_CASES` asks for more.
fn config(base: u32) -> ProptestConfig {
    let env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    ProptestConfig {
        cases: base.max(env),
        ..ProptestConfig::default()
    }
}

/// `{"type": ty, "body": body}`, with `body` first when `body_first` (the
/// decoder must accept either order), plus a request id as the platform sends.
fn inbound_frame(ty: &str, body: &Value, body_first: bool) -> String {
    let ty = serde_json::to_string(ty).unwrap_or_default();
    let body = body.to_string();
    if body_first {
        format!(r#"{{"body":{body},"request_id":"r-1","type":{ty}}}"#)
    } else {
        format!(r#"{{"type":{ty},"request_id":"r-1","user_id":"u","body":{body}}}"#)
    }
}

/// A serialisable value as a JSON object with `subtype` added.
fn with_subtype<T: serde::Serialize>(v: &T, subtype: &str) -> Value {
    let mut v = serde_json::to_value(v).unwrap_or_default();
    if let Value::Object(m) = &mut v {
        m.insert("subtype".into(), Value::String(subtype.to_owned()));
    }
    v
}

/// Decodes as text and as bytes; both must agree.
fn decode_both(text: &str) -> Result<Inbound, TestCaseError> {
    let a = decode_inbound(text);
    let b = decode_inbound_bytes(text.as_bytes());
    prop_assert_eq!(&a, &b, "text and bytes decoders disagree on {}", text);
    a.map_err(|e| TestCaseError::fail(format!("{e}\nframe: {text}")))
}

/// Runs every decoder on `text`; when it decodes as a client frame, checks
/// that the frame re-encodes to text that decodes to the same frame.
fn never_panics_and_client_frames_are_stable(text: &str) -> Result<(), TestCaseError> {
    let _ = decode_inbound(text);
    let _ = decode_inbound_bytes(text.as_bytes());
    if let Ok(first) = decode_client_frame(text) {
        let rid = first
            .request_id
            .clone()
            .unwrap_or_else(|| RequestId::new(""));
        let again = first.frame.encode(&rid);
        let second = decode_client_frame(&again)
            .map_err(|e| TestCaseError::fail(format!("re-encoded frame fails: {e}\n{again}")))?;
        prop_assert_eq!(
            &second.frame,
            &first.frame,
            "\ninput:      {}\nre-encoded: {}",
            text,
            again
        );
    }
    Ok(())
}

/// Every strict prefix of `text` (at every byte) is an error for every decoder.
fn every_truncation_fails(text: &str) -> Result<(), TestCaseError> {
    let bytes = text.as_bytes();
    for cut in 0..bytes.len() {
        let prefix = &bytes[..cut];
        prop_assert!(
            decode_inbound_bytes(prefix).is_err(),
            "prefix of {} bytes decoded: {:?}",
            cut,
            String::from_utf8_lossy(prefix)
        );
        if let Ok(s) = std::str::from_utf8(prefix) {
            prop_assert!(decode_inbound(s).is_err(), "prefix decoded: {}", s);
            prop_assert!(decode_client_frame(s).is_err(), "prefix decoded: {}", s);
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ (a)

proptest! {
    #![proptest_config(config(256))]

    /// encode → decode_client_frame is the identity, for every variant.
    #[test]
    fn outbound_round_trips(frame in outbound(), rid in request_id()) {
        let text = frame.encode(&rid);
        prop_assert!(!text.contains('\n'), "a frame is one line: {}", text);
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(json["type"].as_str(), Some(frame.frame_type()));
        let back = decode_client_frame(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\nframe: {text}")))?;
        prop_assert_eq!(back.request_id, Some(rid));
        prop_assert_eq!(back.frame, frame, "\nencoded: {}", text);
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// Every update kind (characters, buttons, menu, style, canvas, channel info).
    #[test]
    fn update_round_trips(u in update(), rid in request_id()) {
        let frame = Outbound::Update(Box::new(u));
        let text = frame.encode(&rid);
        let back = decode_client_frame(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\nframe: {text}")))?;
        prop_assert_eq!(back.frame, frame, "\nencoded: {}", text);
    }

    /// Every user action kind.
    #[test]
    fn action_round_trips(a in user_action(), rid in request_id()) {
        let frame = Outbound::Action(Box::new(a));
        let text = frame.encode(&rid);
        let back = decode_client_frame(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\nframe: {text}")))?;
        prop_assert_eq!(back.frame, frame, "\nencoded: {}", text);
    }

    /// Generic updates (object bodies) and custom frames of every type.
    #[test]
    fn generic_and_custom_round_trip(
        g in generic_update(),
        c in custom_frame(),
        rid in request_id(),
    ) {
        for frame in [Outbound::GenericUpdate(g), Outbound::Custom(c)] {
            let text = frame.encode(&rid);
            let back = decode_client_frame(&text)
                .map_err(|e| TestCaseError::fail(format!("{e}\nframe: {text}")))?;
            prop_assert_eq!(back.frame, frame, "\nencoded: {}", text);
        }
    }
}

// ------------------------------------------------------------------ (b)

proptest! {
    #![proptest_config(config(128))]

    /// `message_up` / `message_down` bodies.
    #[test]
    fn inbound_messages_decode(
        body in message_body(),
        down in any::<bool>(),
        body_first in any::<bool>(),
    ) {
        let ty = if down { "message_down" } else { "message_up" };
        let text = inbound_frame(ty, &serde_json::to_value(&body)?, body_first);
        let expected = if down {
            Inbound::MessageDown(Box::new(body))
        } else {
            Inbound::MessageUp(Box::new(body))
        };
        prop_assert_eq!(decode_both(&text)?, expected, "\nframe: {}", text);
    }

    /// `update` bodies of every content kind, via a wrapper frame.
    #[test]
    fn inbound_updates_decode(body in update_body(), body_first in any::<bool>()) {
        let text = inbound_frame("update", &serde_json::to_value(&body)?, body_first);
        prop_assert_eq!(decode_both(&text)?, Inbound::Update(Box::new(body)), "\nframe: {}", text);
    }

    /// `copy` acknowledgements.
    #[test]
    fn inbound_copies_decode(body in copy_body(), body_first in any::<bool>()) {
        let text = inbound_frame("copy", &serde_json::to_value(&body)?, body_first);
        prop_assert_eq!(decode_both(&text)?, Inbound::Copy(body), "\nframe: {}", text);
    }

    /// Button and menu-item clicks.
    #[test]
    fn inbound_clicks_decode(
        button in button_click(),
        menu in menu_item_click(),
        body_first in any::<bool>(),
    ) {
        let text = inbound_frame("action", &with_subtype(&button, "button_click"), body_first);
        let expected = Inbound::Action(Action::ButtonClick(Box::new(button)));
        prop_assert_eq!(decode_both(&text)?, expected, "\nframe: {}", text);

        let text = inbound_frame("action", &with_subtype(&menu, "menu_item_click"), body_first);
        let expected = Inbound::Action(Action::MenuItemClick(Box::new(menu)));
        prop_assert_eq!(decode_both(&text)?, expected, "\nframe: {}", text);
    }

    /// Joins, leaves and refreshes, in every spelling, and the legacy
    /// top-level `refresh` frame.
    #[test]
    fn inbound_simple_actions_decode(
        a in simple_action(),
        subtype in select(&["join", "join_channel", "leave", "leave_channel", "refresh"][..]),
        body_first in any::<bool>(),
    ) {
        let text = inbound_frame("action", &with_subtype(&a, subtype), body_first);
        let expected = match subtype {
            "join" | "join_channel" => Action::Join(a.clone()),
            "leave" | "leave_channel" => Action::Leave(a.clone()),
            _ => Action::Refresh(a.clone()),
        };
        prop_assert_eq!(decode_both(&text)?, Inbound::Action(expected), "\nframe: {}", text);

        let text = inbound_frame("refresh", &serde_json::to_value(&a)?, body_first);
        prop_assert_eq!(decode_both(&text)?, Inbound::Action(Action::Refresh(a)), "\nframe: {}", text);
    }
}

/// The serde derives of the click types are what the decoder reads; a field
/// added to one and not the other would be caught by the tests above only if
/// the strategy fills it. This pins the field lists.
#[test]
fn click_types_serialise_every_field() {
    let mut b = ButtonClick::new("b", "c", "s");
    b.labels = Some(vec![]);
    b.bottom_button_id = Some("x".into());
    b.context = Some(Default::default());
    b.button_type = Some("t".into());
    let v = serde_json::to_value(&b).unwrap_or_default();
    assert_eq!(v.as_object().map(|m| m.len()), Some(8), "{v}");
    let mut m = MenuItemClick::new("m", "text".into(), Default::default(), "c", "s");
    m.message_id = Some("id".into());
    m.bottom_button_id = Some("x".into());
    m.context = Some(Default::default());
    let v = serde_json::to_value(&m).unwrap_or_default();
    assert_eq!(v.as_object().map(|m| m.len()), Some(9), "{v}");
    let mut s = SimpleAction::new("c", "s");
    s.context = Some(Default::default());
    let v = serde_json::to_value(&s).unwrap_or_default();
    assert_eq!(v.as_object().map(|m| m.len()), Some(3), "{v}");
}

// ------------------------------------------------------------------ (c)

proptest! {
    #![proptest_config(config(256))]

    /// Arbitrary bytes.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_inbound_bytes(&bytes);
        never_panics_and_client_frames_are_stable(&String::from_utf8_lossy(&bytes))?;
    }

    /// Arbitrary text, and text made of JSON tokens.
    #[test]
    fn arbitrary_text_never_panics(
        text in "(?s).{0,200}",
        tokens in proptest::collection::vec(
            select(&[
                "{", "}", "[", "]", ":", ",", "\"type\"", "\"body\"", "\"message\"",
                "\"subtype\"", "\"message_up\"", "\"action\"", "\"update\"", "\"copy\"",
                "\"refresh\"", "\"button_click\"", "null", "true", "0", "-0", "1e999",
                "18446744073709551616", "-9223372036854775809", "1.5", "\"\\ud800\"",
                "\"\\u0000\"", "\"x\"", " ",
            ][..]),
            0..60,
        ),
    ) {
        never_panics_and_client_frames_are_stable(&text)?;
        never_panics_and_client_frames_are_stable(&tokens.concat())?;
    }

    /// Arbitrary JSON values.
    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        never_panics_and_client_frames_are_stable(&v.to_string())?;
    }

    /// Frame-shaped JSON: every known `type`, bodies with real keys and subtypes.
    #[test]
    fn frame_shaped_json_never_panics(v in frame_ish()) {
        never_panics_and_client_frames_are_stable(&v.to_string())?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Valid frames with a few bytes overwritten, inserted or removed.
    #[test]
    fn mutated_frames_never_panic(
        frame in outbound(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let mut bytes = frame.encode(&RequestId::new("r")).into_bytes();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        let _ = decode_inbound_bytes(&bytes);
        never_panics_and_client_frames_are_stable(&String::from_utf8_lossy(&bytes))?;
    }
}

/// A float in a client frame's free-form body must survive decode → encode →
/// decode. Without serde_json's `float_roundtrip` feature (enabled in the
/// workspace for this reason) its fast float parser may land one ulp off, and
/// the re-encoded shortest form then reads as a different float. Found by
/// `frame_shaped_json_never_panics`.
#[test]
fn floats_survive_client_frame_round_trip() {
    for lit in [
        "5.664438303090617e-196",
        "0.1",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
    ] {
        let text = format!(r#"{{"type":"update","service_id":"s","body":{{"x":{lit}}}}}"#);
        if let Err(e) = never_panics_and_client_frames_are_stable(&text) {
            panic!("{lit}: {e}");
        }
    }
}

// ------------------------------------------------------------------ (d)

proptest! {
    #![proptest_config(config(24))]

    /// Every truncation of an encoded client frame.
    #[test]
    fn truncated_client_frames_fail(frame in outbound()) {
        every_truncation_fails(&frame.encode(&RequestId::from_random_bytes([9; 16])))?;
    }

    /// Every truncation of a platform frame.
    #[test]
    fn truncated_inbound_frames_fail(body in message_body(), update in update_body()) {
        every_truncation_fails(&inbound_frame("message_up", &serde_json::to_value(&body)?, false))?;
        every_truncation_fails(&inbound_frame("update", &serde_json::to_value(&update)?, true))?;
    }
}

/// Every truncation of every benchmark payload (real platform frames).
#[test]
fn truncated_bench_payloads_fail() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/payloads");
    for name in ["message_up", "join", "button_click", "message_down"] {
        let path = format!("{dir}/{name}.jsonl");
        let Ok(text) = std::fs::read_to_string(&path) else {
            panic!("cannot read {path}");
        };
        for line in text.lines().take(3) {
            if let Err(e) = every_truncation_fails(line) {
                panic!("{name}: {e}");
            }
        }
    }
}
