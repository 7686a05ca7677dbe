//! Fault switches: injected HTTP failures and delayed outbound frames.
//! Dropping connections and expiring tokens act on the state directly
//! (see [`crate::DevServerHandle`]).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

/// The switches, read by the HTTP dispatcher and the connection writers.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    fail_http: AtomicU32,
    delay_micros: AtomicU64,
}

impl Faults {
    /// Makes the next `n` HTTP requests fail (replaces any pending count).
    pub(crate) fn fail_next_http(&self, n: u32) {
        self.fail_http.store(n, Ordering::SeqCst);
    }

    /// Consumes one pending failure; `true` if this request must fail.
    pub(crate) fn take_http_failure(&self) -> bool {
        self.fail_http
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Sets the delay applied before each outbound websocket frame.
    pub(crate) fn set_delay(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.delay_micros.store(micros, Ordering::SeqCst);
    }

    /// The current outbound delay.
    pub(crate) fn delay(&self) -> Duration {
        Duration::from_micros(self.delay_micros.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_failures_count_down() {
        let f = Faults::default();
        assert!(!f.take_http_failure());
        f.fail_next_http(2);
        assert!(f.take_http_failure());
        assert!(f.take_http_failure());
        assert!(!f.take_http_failure());
    }
}
