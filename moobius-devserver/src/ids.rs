//! Fresh identifiers and secrets: UUID-v4 ids, opaque tokens, short codes.

use moobius_proto::RequestId;

/// 16 random bytes from the operating system.
///
/// Falls back to a time-and-counter mix if the OS source fails (it does not
/// on supported platforms); ids stay unique within the process either way.
fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(1);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        b[..8].copy_from_slice(&n.to_le_bytes());
        b[8..].copy_from_slice(&(t as u64).to_le_bytes());
    }
    b
}

/// A fresh lowercase hyphenated UUID v4, the shape of every platform id.
///
/// Ids are not secrets: they come from a per-process random key mixed with
/// a counter (no system call per id), unique within the process.
pub(crate) fn uuid() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static KEY: OnceLock<[u8; 16]> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let key = KEY.get_or_init(random_bytes);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&mix(n).to_le_bytes());
    b[8..].copy_from_slice(&mix(n ^ 0x9e37_79b9_7f4a_7c15).to_le_bytes());
    for (x, k) in b.iter_mut().zip(key) {
        *x ^= k;
    }
    RequestId::from_random_bytes(b).as_str().to_owned()
}

/// The splitmix64 finaliser: a bijection on `u64`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A UUID-shaped id derived from `kind` and `key` (FNV-1a, 128 bits, with
/// the version-8 and variant bits set): the same input gives the same id at
/// every start, so seeded accounts keep their ids across restarts.
pub(crate) fn stable_uuid(kind: &str, key: &str) -> String {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in kind.bytes().chain([0u8]).chain(key.bytes()) {
        h ^= u128::from(b);
        h = h.wrapping_mul(PRIME);
    }
    let mut b = h.to_be_bytes();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A fresh opaque token: 64 hex characters (256 random bits).
pub(crate) fn token() -> String {
    let mut s = String::with_capacity(64);
    for _ in 0..2 {
        for byte in random_bytes() {
            s.push_str(&format!("{byte:02x}"));
        }
    }
    s
}

/// A fresh six-digit confirmation code.
pub(crate) fn code() -> String {
    let b = random_bytes();
    let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000;
    format!("{n:06}")
}

/// A fresh short random name (16 hex characters) for stored files.
pub(crate) fn short() -> String {
    random_bytes()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(uuid().len(), 36);
        assert_ne!(uuid(), uuid());
        assert_eq!(token().len(), 64);
        assert_eq!(code().len(), 6);
        assert_eq!(short().len(), 16);
        let a = stable_uuid("user", "a@x.io");
        assert_eq!(a.len(), 36);
        assert_eq!(a, stable_uuid("user", "a@x.io"));
        assert_ne!(a, stable_uuid("user", "b@x.io"));
    }
}
