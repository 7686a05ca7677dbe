//! What the session needs from the outside world but may not read itself:
//! the wall clock (message timestamps) and a random seed.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// A seed for the session's request ids, jitter and multipart boundaries.
///
/// Not for secrets: it mixes the standard library's per-process random
/// hasher keys with the clock and a counter, which is plenty for ids that
/// only need to differ between clients and runs.
pub(crate) fn random_seed() -> [u8; 32] {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let keys = RandomState::new();
    let mut seed = [0u8; 32];
    for (lane, out) in (0u8..).zip(seed.chunks_exact_mut(8)) {
        let mut h = keys.build_hasher();
        h.write_u8(lane);
        h.write_u64(run);
        h.write_u128(nanos);
        out.copy_from_slice(&h.finish().to_be_bytes());
    }
    seed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_and_the_clock_is_past_2020() {
        assert_ne!(random_seed(), random_seed());
        assert!(unix_ms() > 1_577_836_800_000);
    }
}
