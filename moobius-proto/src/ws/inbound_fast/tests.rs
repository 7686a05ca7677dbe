//! The fast path against the general decoder: wherever the fast path answers,
//! the general decoder must give the same value. On the samples (the bench
//! payloads and every recorded inbound fixture) and on generated variations
//! of them: members repeated, reordered, removed or replaced by values of
//! other kinds, keys and strings escaped, whitespace added, text cut.

use super::decode;
use crate::ws::inbound::decode_general;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

/// Whether the fast path answered; `Err` when its answer differs from the
/// general decoder's.
fn agree(text: &str) -> Result<bool, String> {
    let Some(fast) = decode(text) else {
        return Ok(false);
    };
    match decode_general(text) {
        Ok(general) if general == fast => Ok(true),
        other => Err(format!(
            "fast path: {fast:?}\ngeneral decoder: {other:?}\ntext: {text}"
        )),
    }
}

/// Every sample frame, named by where it came from.
fn samples() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for file in ["message_up", "message_down", "join", "button_click"] {
        let path = root.join(format!("benches/payloads/{file}.jsonl"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        for (i, line) in text.lines().enumerate() {
            out.push((format!("{file}.jsonl:{}", i + 1), line.to_owned()));
        }
    }
    let shared = std::env::var("MOOBIUS_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("../../shared/fixtures"));
    for dir in [root.join("tests/fixtures-extra"), shared] {
        let Ok(entries) = std::fs::read_dir(dir.join("ws_inbound")) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(case) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let name = path.display().to_string();
            let inbound = &case["inbound"];
            out.push((name.clone(), inbound.to_string()));
            out.push((format!("{name} (pretty)"), format!("{inbound:#}")));
        }
    }
    out
}

#[test]
fn on_every_sample_the_fast_path_agrees_and_takes_the_usual_frames() {
    let samples = samples();
    assert!(samples.len() >= 400, "samples missing: {}", samples.len());
    for (name, text) in &samples {
        let taken = agree(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        // The benchmarked frames are what the fast path is for.
        if name.contains(".jsonl") {
            assert!(taken, "{name}: not taken by the fast path");
        }
    }
}

#[test]
fn it_declines_what_only_the_general_decoder_reads() {
    let body = r#""body":{"subtype":"join","channel_id":"c","sender":"u"}"#;
    for declined in [
        // body before type, type twice, a `message`, trailing text
        format!(r#"{{{body},"type":"action"}}"#),
        format!(r#"{{"type":"action","type":"action",{body}}}"#),
        format!(r#"{{"type":"action",{body},"message":"x"}}"#),
        format!(r#"{{"type":"action",{body}}} x"#),
        // other frame types and subtypes
        r#"{"type":"update","body":{"subtype":"buttons","channel_id":"c","recipients":[],"content":[]}}"#.into(),
        r#"{"type":"action","body":{"subtype":"fetch_characters","channel_id":"c","sender":"u"}}"#.into(),
        // shapes the lenient decoder converts
        r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{},"sender":"u","recipients":["a"]}}"#.into(),
        r#"{"type":"action","body":{"subtype":"button_click","channel_id":"c","sender":"u","button_id":"b","arguments":[[{"label":"l","value":"v"}]]}}"#.into(),
        r#"{"type":"action","body":{"subtype":"button_click","channel_id":"c","sender":"u","button_id":"b","labels":["a"]}}"#.into(),
        // numbers that are not plain integers, a repeated derived key
        r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{},"sender":"u","timestamp":1.0}}"#.into(),
        r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{},"sender":"u","timestamp":-1}}"#.into(),
        r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{},"sender":"u","timestamp":9223372036854775808}}"#.into(),
        r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c","content":{"text":"a","text":"b"},"sender":"u"}}"#.into(),
        // missing keys, an escaped key
        r#"{"type":"message_up","body":{"subtype":"text","content":{},"sender":"u"}}"#.into(),
        r#"{"type":"action","body":{"sub\u0074ype":"join","channel_id":"c","sender":"u"}}"#.into(),
    ] {
        assert_eq!(agree(&declined), Ok(false), "{declined}");
    }
}

#[test]
fn it_takes_escapes_repeats_and_spacing_as_the_general_decoder_does() {
    for taken in [
        // escaped values, a body key given twice (the last wins)
        r#"{"type":"message_up","body":{"subtype":"text","channel_id":"c\u0031","content":{"text":"caf\u00e9 \"x\"\n"},"sender":"u","sender":"v","timestamp":5}}"#,
        // spacing everywhere, a context kept with its inner spacing
        " { \"type\" : \"action\" , \"body\" : { \"subtype\" : \"join\" , \"channel_id\" : \"c\" , \"sender\" : \"u\" , \"context\" : { \"k\" : [ 1 , { } ] } } } \n",
        r#"{"type":"copy","body":{"request_id":"r","origin_type":"message_down","status":true,"context":{"message":"ok"}}}"#,
        r#"{"type":"action","body":{"subtype":"menu_item_click","channel_id":"c","sender":"u","menu_item_id":"m","message_subtype":"text","message_content":{"text":"hi","size":3},"message_id":null,"arguments":null}}"#,
    ] {
        assert_eq!(agree(taken), Ok(true), "{taken}");
    }
}

/// Values put in place of others by the generated variations.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e300),
        json!(u64::MAX),
        json!(""),
        json!("service"),
        json!("é\"\\/\u{1}"),
        json!([]),
        json!(["a", "b"]),
        json!([{"label": "l", "value": "v"}]),
        json!([[{"label": "l", "value": "v", "filename": null}]]),
        json!({}),
        json!({"text": "t", "size": 2, "x": [null]}),
        json!({"label": "l", "value": 5}),
    ]
}

/// How one variation writes a frame.
struct Style {
    /// The member (by path) to write twice, first with the value given.
    repeat: Option<(Vec<String>, Value)>,
    /// The member (by path) whose key is written with escapes.
    escape_key: Option<Vec<String>>,
    /// Write string values with `\u` escapes.
    escape_strings: bool,
    /// Whitespace between tokens.
    space: &'static str,
    /// Rotate the members of every object by this much.
    rotate: usize,
    /// Where the writer is.
    at: Vec<String>,
}

fn write_str(out: &mut String, s: &str, escape: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || (escape && c.is_ascii_alphabetic()) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write(v: &Value, out: &mut String, st: &mut Style) {
    let sp = st.space;
    match v {
        Value::String(s) => write_str(out, s, st.escape_strings),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(sp);
                st.at.push(i.to_string());
                write(item, out, st);
                st.at.pop();
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let mut members: Vec<_> = map.iter().collect();
            if !members.is_empty() {
                let k = st.rotate % members.len();
                members.rotate_left(k);
            }
            let mut first = true;
            for (key, value) in members {
                st.at.push(key.clone());
                let mut emit = |value: &Value, out: &mut String, st: &mut Style| {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(sp);
                    write_str(out, key, st.escape_key.as_ref() == Some(&st.at));
                    out.push_str(sp);
                    out.push(':');
                    out.push_str(sp);
                    write(value, out, st);
                };
                if let Some((at, other)) = st.repeat.clone() {
                    if at == st.at {
                        emit(&other, out, st);
                    }
                }
                emit(value, out, st);
                st.at.pop();
            }
            out.push_str(sp);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Every node's path (object keys and array indexes) under `v`.
fn paths(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(k.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(i.to_string());
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn node<'v>(v: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    path.iter().try_fold(v, |v, key| match v {
        Value::Object(m) => m.get_mut(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    })
}

fn cases() -> u32 {
    std::env::var("MOOBIUS_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
        .max(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() * 4, ..ProptestConfig::default() })]

    #[test]
    fn on_variations_the_fast_path_agrees_with_the_general_decoder(
        sample in any::<prop::sample::Index>(),
        edit in any::<prop::sample::Index>(),
        edit_kind in 0..4usize,
        replacement in any::<prop::sample::Index>(),
        repeat in prop::option::weighted(0.7, any::<prop::sample::Index>()),
        repeat_same in any::<bool>(),
        escape_key in prop::option::weighted(0.2, any::<prop::sample::Index>()),
        escape_strings in any::<bool>(),
        spaced in any::<bool>(),
        rotate in 0..4usize,
        cut in prop::option::weighted(0.15, any::<prop::sample::Index>()),
    ) {
        let samples = samples_cached();
        let (name, text) = sample.get(samples);
        let mut v: Value = serde_json::from_str(text).expect("samples are JSON");
        let replacements = replacements();
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        let path = edit.get(&all).clone();
        let with = replacement.get(&replacements).clone();
        match (edit_kind, path.split_last()) {
            (0, _) => {}
            (1, Some((key, parent))) => {
                if let Some(Value::Object(m)) = node(&mut v, parent) {
                    m.remove(key);
                }
            }
            (2, _) => {
                if let Some(Value::Object(m)) = node(&mut v, &path) {
                    m.insert("added".into(), with.clone());
                }
            }
            _ => {
                if let Some(n) = node(&mut v, &path) {
                    *n = with.clone();
                }
            }
        }
        // Repeat a member as it is, or with another value first.
        let repeat = repeat.map(|i| {
            let path = i.get(&all).clone();
            let same = node(&mut v.clone(), &path).map(|n| n.clone());
            (path, same.filter(|_| repeat_same).unwrap_or_else(|| with.clone()))
        });
        let mut style = Style {
            repeat,
            escape_key: escape_key.map(|i| i.get(&all).clone()),
            escape_strings,
            space: if spaced { " \n" } else { "" },
            rotate,
            at: Vec::new(),
        };
        let mut out = String::new();
        write(&v, &mut out, &mut style);
        if let Some(cut) = cut {
            let mut at = cut.index(out.len());
            while !out.is_char_boundary(at) {
                at -= 1;
            }
            out.truncate(at);
        }
        if let Err(e) = agree(&out) {
            panic!("variation of {name}: {e}");
        }
    }
}

fn samples_cached() -> &'static [(String, String)] {
    static SAMPLES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(samples)
}
