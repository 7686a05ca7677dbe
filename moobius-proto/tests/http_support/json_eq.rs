//! The fixtures' equality rule (EXPECTATIONS.md): JSON values compared as
//! values, a `null` member counts as absent, key order never matters,
//! `"<uuid>"` matches any UUID string and `"<timestamp_ms>"` any integer.
//! Token placeholders (`"<access_token>"`…) are the literal tokens we use.

use serde_json::{Map, Value};

/// Turns a fixture's tagged value encoding into plain JSON: `$dataclass`
/// tags dropped, `{"$tuple": [...]}` → list, `{"$bytes_b64": …}` → list of
/// byte values.
pub(crate) fn untag(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(untag).collect()),
        Value::Object(m) => {
            if let Some(t) = m.get("$tuple") {
                return untag(t);
            }
            if let Some(Value::String(b64)) = m.get("$bytes_b64") {
                let bytes = super::base64::decode(b64).unwrap_or_default();
                return bytes_json(&bytes);
            }
            Value::Object(
                m.iter()
                    .filter(|(k, _)| k.as_str() != "$dataclass")
                    .map(|(k, v)| (k.clone(), untag(v)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// Bytes as a JSON list of numbers (how [`untag`] writes `$bytes`).
pub(crate) fn bytes_json(bytes: &[u8]) -> Value {
    Value::Array(bytes.iter().map(|b| Value::from(*b)).collect())
}

/// Drops object members whose value is `null`, recursively.
fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(strip_nulls).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `Ok` when `actual` equals `expected` under the rule; otherwise the first
/// difference, with its JSON path.
pub(crate) fn json_matches(expected: &Value, actual: &Value) -> Result<(), String> {
    diff(&strip_nulls(expected), &strip_nulls(actual), "$")
}

fn diff(e: &Value, a: &Value, path: &str) -> Result<(), String> {
    let mismatch = || Err(format!("at {path}: expected {e}, got {a}"));
    match (e, a) {
        (Value::String(p), Value::String(s)) if p == "<uuid>" => {
            if is_uuid(s) {
                Ok(())
            } else {
                mismatch()
            }
        }
        (Value::String(p), v) if p == "<timestamp_ms>" => {
            if v.is_i64() || v.is_u64() {
                Ok(())
            } else {
                mismatch()
            }
        }
        (Value::Object(em), Value::Object(am)) => {
            for k in em.keys().chain(am.keys()) {
                match (em.get(k), am.get(k)) {
                    (Some(ev), Some(av)) => diff(ev, av, &format!("{path}.{k}"))?,
                    (Some(ev), None) => {
                        return Err(format!("at {path}.{k}: expected {ev}, missing"))
                    }
                    (None, Some(av)) => return Err(format!("at {path}.{k}: unexpected {av}")),
                    (None, None) => {}
                }
            }
            Ok(())
        }
        (Value::Array(ea), Value::Array(aa)) => {
            if ea.len() != aa.len() {
                return Err(format!(
                    "at {path}: expected {} elements, got {}: expected {e}, got {a}",
                    ea.len(),
                    aa.len()
                ));
            }
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                diff(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ if e == a => Ok(()),
        _ => mismatch(),
    }
}

#[test]
fn equality_rule() {
    use serde_json::json;
    assert!(json_matches(&json!({"a": null, "b": 1}), &json!({"b": 1})).is_ok());
    assert!(json_matches(&json!({"b": 1}), &json!({"b": 1, "c": null})).is_ok());
    assert!(json_matches(&json!({"b": 1}), &json!({"b": 2})).is_err());
    assert!(json_matches(
        &json!({"id": "<uuid>", "t": "<timestamp_ms>"}),
        &json!({"id": "00000000-0000-4000-8000-000000000000", "t": 5})
    )
    .is_ok());
    assert!(json_matches(&json!(["<uuid>"]), &json!(["nope"])).is_err());
    assert!(json_matches(&json!([1, null]), &json!([1])).is_err());
    assert_eq!(
        untag(&json!({"$dataclass": "Group", "x": {"$tuple": [1, 2]}})),
        json!({"x": [1, 2]})
    );
}
