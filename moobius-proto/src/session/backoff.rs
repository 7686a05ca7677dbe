//! Reconnect and retry delays: the first retry at once, then capped
//! exponential backoff with jitter; the attempt counter saturates.

use super::rng::SeededRng;
use std::time::Duration;

/// Backoff policy.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Backoff {
    /// Delay before the second attempt (the first is immediate).
    pub initial: Duration,
    /// Upper bound of any delay.
    pub max: Duration,
}

impl Default for Backoff {
    /// 0.5 s doubling up to 30 s: quick recovery from a blip, and at most
    /// one attempt every 30 s (±jitter) against a platform that is down.
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// A policy starting at `initial` and doubling up to `max`.
    #[must_use]
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self { initial, max }
    }

    /// Delay before attempt number `attempt` (0-based): zero for the first,
    /// then `initial · 2^(attempt-1)` capped at `max`, scaled by a random
    /// factor in `[0.5, 1.0)` so that many clients do not retry in step.
    pub(crate) fn delay(&self, attempt: u32, rng: &mut SeededRng) -> Duration {
        if attempt == 0 {
            return Duration::ZERO;
        }
        let exp = attempt.saturating_sub(1).min(30);
        let base = self.initial.saturating_mul(1u32 << exp).min(self.max);
        base.mul_f64(0.5 + rng.fraction() / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_immediate_then_growing_and_capped() {
        let b = Backoff::default();
        let mut rng = SeededRng::new([1; 32]);
        assert_eq!(b.delay(0, &mut rng), Duration::ZERO);
        let d1 = b.delay(1, &mut rng);
        assert!(d1 >= Duration::from_millis(250) && d1 < Duration::from_millis(500));
        for attempt in [10, 100, u32::MAX] {
            let d = b.delay(attempt, &mut rng);
            assert!(d <= b.max && d >= b.max / 2, "{d:?}");
        }
    }
}
