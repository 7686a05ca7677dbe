//! How long a loop that cannot be woken while it reads waits, each turn:
//! the blocking driver's adaptive wait, as pure policy (the reads, the
//! command channel and the clock stay with the driver).
//!
//! A blocking socket read cannot be woken by a command, so the wait adapts.
//! While the application is busy with what the loop handed it, or handles
//! are sending commands ([`ACTIVE_WINDOW`] after the last of either), the
//! wait is *active*: the loop takes a frame only if one is there already (a
//! non-blocking read), and otherwise waits on the command channel (woken at
//! once by a command) for at most [`ACTIVE_SLICE`]: a callback's reply
//! leaves as soon as it is made, and a frame waits a quarter of a
//! millisecond at most. (A 1 ms socket read timeout would not do: the
//! kernel rounds it up to a scheduler tick, 4 ms or more.) Idle, the loop
//! blocks in the socket read for up to its idle slice
//! (`Options::command_poll`, 20 ms by default), so an idle bot wakes 50
//! times a second at most. No wait runs past the session's next timer.

use std::time::{Duration, Instant};

/// How long after handing out an event or taking a command the wait stays
/// active: callbacks answer what they were handed, and commands come in
/// bursts.
pub const ACTIVE_WINDOW: Duration = Duration::from_millis(50);

/// While active, the longest wait for a command before the socket is
/// looked at again.
pub const ACTIVE_SLICE: Duration = Duration::from_micros(250);

/// The longest single wait when no timer is due (an open socket always
/// has the session's liveness timer).
pub const IDLE_WAIT: Duration = Duration::from_secs(1);

/// A loop's pace: active until a moment, idle after it.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    idle_slice: Duration,
    active_until: Instant,
}

/// One turn's wait, as [`Pace::next`] plans it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    /// The longest the wait may take.
    pub at_most: Duration,
    /// Active: read only a frame that is there already, then wait for a
    /// command; idle: the socket read itself waits.
    pub active: bool,
}

impl Wait {
    /// How long a socket read may wait: `None` while active (only a frame
    /// that is there already), all of the wait while idle.
    #[must_use]
    pub fn read(&self) -> Option<Duration> {
        (!self.active).then_some(self.at_most)
    }
}

impl Pace {
    /// A pace whose idle waits last at most `idle_slice`; it starts idle.
    #[must_use]
    pub fn new(idle_slice: Duration) -> Self {
        Self {
            idle_slice,
            active_until: Instant::now(),
        }
    }

    /// Something happened at `now` (an event handed out, a command
    /// taken): the wait is active for [`ACTIVE_WINDOW`] from then.
    pub fn busy(&mut self, now: Instant) {
        self.active_until = now + ACTIVE_WINDOW;
    }

    /// The wait of a turn at `now` when the session's next timer is due at
    /// `timer`: a slice (active or idle), cut short by the timer.
    #[must_use]
    pub fn next(&self, now: Instant, timer: Option<Instant>) -> Wait {
        let active = now < self.active_until;
        let slice = if active {
            ACTIVE_SLICE
        } else {
            self.idle_slice
        };
        let until = timer.unwrap_or(now + IDLE_WAIT).min(now + slice);
        Wait {
            at_most: until.saturating_duration_since(now),
            active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_millis(20);

    #[test]
    fn idle_waits_a_slice_and_busy_waits_briefly_for_a_window() {
        let mut pace = Pace::new(IDLE);
        let now = Instant::now() + Duration::from_secs(1);
        let idle = Wait {
            at_most: IDLE,
            active: false,
        };
        assert_eq!(pace.next(now, None), idle);
        assert_eq!(idle.read(), Some(IDLE), "idle: the read is the wait");
        pace.busy(now);
        let active = Wait {
            at_most: ACTIVE_SLICE,
            active: true,
        };
        assert_eq!(pace.next(now, None), active);
        assert_eq!(active.read(), None, "active: no read waits");
        assert_eq!(pace.next(now + ACTIVE_WINDOW / 2, None), active);
        assert_eq!(pace.next(now + ACTIVE_WINDOW, None), idle);
    }

    #[test]
    fn no_wait_runs_past_the_next_timer() {
        let mut pace = Pace::new(IDLE);
        let now = Instant::now() + Duration::from_secs(1);
        let soon = now + Duration::from_millis(3);
        assert_eq!(pace.next(now, Some(soon)).at_most, soon - now);
        let due = pace.next(now, Some(now - Duration::from_millis(1)));
        assert_eq!(due.at_most, Duration::ZERO, "a timer already due");
        pace.busy(now);
        let tiny = now + Duration::from_micros(100);
        assert_eq!(pace.next(now, Some(tiny)).at_most, tiny - now);
        assert_eq!(
            pace.next(now, Some(now + IDLE)).at_most,
            ACTIVE_SLICE,
            "a later timer leaves the slice as it is"
        );
    }

    #[test]
    fn an_idle_slice_longer_than_the_idle_wait_is_cut_to_it() {
        let pace = Pace::new(Duration::from_secs(10));
        let now = Instant::now();
        assert_eq!(pace.next(now, None).at_most, IDLE_WAIT);
    }
}
