//! The session's timers, in one table indexed by an enum: `poll_timeout`
//! returns the earliest, `expired` takes the ones that are due.

use std::time::Instant;

/// Every timer the session runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Send a heartbeat.
    Heartbeat,
    /// Refresh the access token.
    TokenRefresh,
    /// Sign in again (new refresh token).
    Reauthenticate,
    /// Channel check-in round (service mode).
    Checkin,
    /// No inbound frame for too long: the connection is dead.
    Liveness,
    /// Open the websocket again.
    Reconnect,
    /// Stop waiting for the login acknowledgement.
    LoginGrace,
    /// Retry the HTTP calls waiting for a backoff.
    HttpRetry,
    /// Give up on the group lookups that took too long.
    LookupDeadline,
}

const COUNT: usize = 9;

impl Timer {
    const ALL: [Timer; COUNT] = [
        Timer::Heartbeat,
        Timer::TokenRefresh,
        Timer::Reauthenticate,
        Timer::Checkin,
        Timer::Liveness,
        Timer::Reconnect,
        Timer::LoginGrace,
        Timer::HttpRetry,
        Timer::LookupDeadline,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// When each timer fires next, if armed.
#[derive(Clone, Debug, Default)]
pub(crate) struct TimerTable {
    at: [Option<Instant>; COUNT],
}

impl TimerTable {
    pub(crate) fn set(&mut self, t: Timer, at: Instant) {
        self.at[t.index()] = Some(at);
    }

    pub(crate) fn stop(&mut self, t: Timer) {
        self.at[t.index()] = None;
    }

    /// The earliest armed deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.at.iter().flatten().min().copied()
    }

    /// Disarms and returns every timer due at `now`.
    pub(crate) fn expired(&mut self, now: Instant) -> Vec<Timer> {
        Timer::ALL
            .into_iter()
            .filter(|t| {
                let due = self.at[t.index()].is_some_and(|at| at <= now);
                if due {
                    self.at[t.index()] = None;
                }
                due
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn earliest_and_expiry() {
        let t0 = Instant::now();
        let mut table = TimerTable::default();
        assert_eq!(table.next(), None);
        table.set(Timer::Heartbeat, t0 + Duration::from_secs(30));
        table.set(Timer::Liveness, t0 + Duration::from_secs(10));
        assert_eq!(table.next(), Some(t0 + Duration::from_secs(10)));
        assert!(table.expired(t0).is_empty());
        assert_eq!(
            table.expired(t0 + Duration::from_secs(10)),
            vec![Timer::Liveness]
        );
        assert_eq!(table.next(), Some(t0 + Duration::from_secs(30)));
        assert!(
            table.expired(t0 + Duration::from_secs(10)).is_empty(),
            "extra calls are harmless"
        );
    }
}
