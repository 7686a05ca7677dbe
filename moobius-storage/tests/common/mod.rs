//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicU64, Ordering};

use moobius_storage::{ContainerSpec, RedisSettings};

/// The Redis server to test against, from `MOOBIUS_TEST_REDIS_URL` (set by
/// `scripts/env/redis.sh`). Without it the Redis tests fail under CI (`CI`
/// set) and are skipped with a notice elsewhere.
pub fn redis_url(test: &str) -> Option<String> {
    match std::env::var("MOOBIUS_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI")
                .map(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
                .unwrap_or(false);
            assert!(
                !ci,
                "{test}: MOOBIUS_TEST_REDIS_URL is not set but CI is: the Redis tests must run \
                 in CI (scripts/test.sh sources scripts/env/redis.sh, which starts a server)"
            );
            eprintln!(
                "NOTICE: {test}: skipped, MOOBIUS_TEST_REDIS_URL is not set \
                 (run scripts/test.sh, or point it at a scratch Redis server)"
            );
            None
        }
    }
}

/// A Redis container spec for the test server.
pub fn redis_spec(name: &str, url: &str) -> ContainerSpec {
    ContainerSpec::redis(name, RedisSettings::from_url(url))
}

/// An id no other test (or earlier run) uses, so tests sharing one Redis
/// server do not see each other's keys.
pub fn unique_id(tag: &str) -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{tag}-{}-{nanos}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Keys that must be stored safely by every engine.
pub fn hostile_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "../x",
        "/etc/passwd",
        "a/b",
        "..",
        ".",
        "\\",
        "..\\..\\x",
        "\0",
        "a\0b",
        "é",
        "日本語",
        "🦀",
        "with space",
        "tab\tnew\nline",
        "%41",
        "A",
        "a:b",
        "*",
        "?[]",
        ".hidden",
        "x.json",
        ".tmp.1.2.3",
        "CON",
        "-",
        "_",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    keys.push("k".repeat(moobius_storage::MAX_ENCODED_KEY_LEN));
    keys.push("日".repeat(26)); // 234 encoded bytes
    keys
}

/// Keys every engine must refuse.
pub fn refused_keys() -> Vec<String> {
    vec![
        String::new(),
        "k".repeat(moobius_storage::MAX_ENCODED_KEY_LEN + 1),
        "日".repeat(27),
        "/".repeat(100),
        "x".repeat(10_000),
    ]
}
