//! Shared helpers for the golden-fixture tests: locating `../shared/fixtures`,
//! loading cases, and the equality rule of `EXPECTATIONS.md`.

#![allow(dead_code, unreachable_pub)]

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The fixture folders of a kind, in order: the shared golden cases
/// (`shared/fixtures/<kind>`, `shared/` beside the repository root, or the
/// folder named by `MOOBIUS_FIXTURES`), then our own recordings
/// (`tests/fixtures-extra/<kind>`, made by `tests/python/record_fixtures.py`).
pub fn fixture_dirs(kind: &str) -> Vec<PathBuf> {
    let shared = std::env::var_os("MOOBIUS_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let extra = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures-extra");
    vec![shared.join(kind), extra.join(kind)]
}

/// Every case of the fixture folders of a kind, as (folder/file stem, parsed
/// JSON), sorted within each folder. A folder that does not exist is
/// skipped when it is our own (`fixtures-extra`), fatal when it is shared.
pub fn cases(kind: &str) -> Vec<(String, Value)> {
    let mut all = Vec::new();
    for dir in fixture_dirs(kind) {
        if !dir.exists() && dir.to_string_lossy().contains("fixtures-extra") {
            continue;
        }
        let label = dir
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        all.extend(
            cases_in(&dir)
                .into_iter()
                .map(|(name, v)| (format!("{label}/{name}"), v)),
        );
    }
    all
}

fn cases_in(dir: &Path) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("fixtures folder {} is missing: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let json =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (
                p.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                json,
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no cases in {}", dir.display());
    out
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Removes `"$dataclass"` tags (the fixture generator's type markers).
pub fn strip_dataclass(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "$dataclass")
                .map(|(k, v)| (k.clone(), strip_dataclass(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_dataclass).collect()),
        other => other.clone(),
    }
}

/// The equality rule: placeholders match their kind, `null` members count as
/// absent, key order never matters. `Err` says where the values differ.
pub fn json_matches(expected: &Value, actual: &Value) -> Result<(), String> {
    matches_at(expected, actual, "$")
}

fn matches_at(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(e), Value::String(a)) if e == "<uuid>" => {
            if is_uuid(a) {
                Ok(())
            } else {
                Err(format!("{path}: expected a UUID, got {a:?}"))
            }
        }
        (Value::String(e), a) if e == "<timestamp_ms>" => {
            if a.is_i64() || a.is_u64() {
                Ok(())
            } else {
                Err(format!("{path}: expected an integer timestamp, got {a}"))
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            let keys = e.keys().chain(a.keys().filter(|k| !e.contains_key(*k)));
            for k in keys {
                let ev = e.get(k).unwrap_or(&Value::Null);
                let av = a.get(k).unwrap_or(&Value::Null);
                matches_at(ev, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} elements, got {}",
                    e.len(),
                    a.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches_at(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {a}")),
    }
}

/// A map's string member.
pub fn s<'a>(m: &'a Value, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// An object member, or an empty map.
pub fn obj(m: &Value, key: &str) -> Map<String, Value> {
    m.get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Runs `check` on every case and fails once at the end, naming every
/// failing case; also fails if no case ran.
pub fn run_all(kind: &str, mut check: impl FnMut(&str, &Value) -> Result<(), String>) {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (name, case) in cases(kind) {
        ran += 1;
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&name, &case)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(format!("{kind}/{name}: {e}")),
            Err(_) => failures.push(format!("{kind}/{name}: panicked")),
        }
    }
    assert!(ran > 0, "no {kind} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} {kind} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{ran} {kind} cases passed");
}
