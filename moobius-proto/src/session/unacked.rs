//! Frames written and not yet acknowledged, in the order they were written.
//!
//! Acknowledgements mostly arrive in order: the one for the oldest frame is
//! found at the front in O(1), with no index to maintain. One that arrives
//! out of order is found through an index by request id, built lazily (each
//! frame is indexed at most once, on the first out-of-order acknowledgement
//! after it was written), and leaves a hole dropped when it reaches the
//! front. Either way an acknowledgement costs O(1) amortised whatever the
//! number in flight (the old `retain` over the whole queue made a burst
//! quadratic).

use crate::ids::RequestId;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::event::OpId;

/// A frame written to the websocket.
#[derive(Debug)]
pub(super) struct Sent {
    pub(super) op: OpId,
    pub(super) request_id: RequestId,
    pub(super) text: String,
    pub(super) at: Instant,
    /// Times the platform rejected it.
    pub(super) rejections: u8,
}

#[derive(Default, Debug)]
pub(super) struct Unacked {
    /// Slot `i` holds the frame of sequence number `base + i`; `None` once
    /// acknowledged (holes are dropped when they reach either end).
    slots: VecDeque<Option<Sent>>,
    base: u64,
    /// Frames still in `slots`.
    count: usize,
    /// Sequence numbers by request id, for the slots below `indexed`.
    index: HashMap<RequestId, u64>,
    indexed: u64,
}

impl Unacked {
    /// Frames still waiting for their acknowledgement.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    fn end(&self) -> u64 {
        self.base + self.slots.len() as u64
    }

    pub(super) fn push(&mut self, sent: Sent) {
        self.slots.push_back(Some(sent));
        self.count += 1;
    }

    fn slot_mut(&mut self, seq: u64) -> Option<&mut Option<Sent>> {
        let i = usize::try_from(seq.checked_sub(self.base)?).ok()?;
        self.slots.get_mut(i)
    }

    /// Drops holes at both ends, keeping the index consistent.
    fn trim(&mut self) {
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        while matches!(self.slots.back(), Some(None)) {
            self.slots.pop_back();
        }
        self.indexed = self.indexed.clamp(self.base, self.end());
    }

    /// Takes the frame of slot `seq` out of the queue and the index.
    fn take(&mut self, seq: u64) -> Option<Sent> {
        let sent = self.slot_mut(seq)?.take()?;
        self.count -= 1;
        if seq < self.indexed {
            self.index.remove(&sent.request_id);
        }
        Some(sent)
    }

    /// The sequence number of the frame with this request id, if waiting.
    fn find(&mut self, request_id: &RequestId) -> Option<u64> {
        self.trim();
        if let Some(Some(front)) = self.slots.front() {
            if front.request_id == *request_id {
                return Some(self.base);
            }
        }
        // Out of order: index what was written since the last time.
        for seq in self.indexed.max(self.base)..self.end() {
            let i = (seq - self.base) as usize;
            if let Some(Some(s)) = self.slots.get(i) {
                self.index.insert(s.request_id.clone(), seq);
            }
        }
        self.indexed = self.end();
        self.index.get(request_id).copied()
    }

    /// Removes the frame with this request id, if it is waiting.
    pub(super) fn remove(&mut self, request_id: &RequestId) -> Option<Sent> {
        let seq = self.find(request_id)?;
        let sent = self.take(seq);
        self.trim();
        sent
    }

    /// Removes the frame with this request id and every frame written after
    /// it, in order.
    pub(super) fn split_off(&mut self, request_id: &RequestId) -> Option<(Sent, Vec<Sent>)> {
        let seq = self.find(request_id)?;
        let first = self.take(seq)?;
        let later: Vec<Sent> = (seq + 1..self.end()).filter_map(|s| self.take(s)).collect();
        self.trim();
        Some((first, later))
    }

    /// The frame written last, removed.
    pub(super) fn pop_back(&mut self) -> Option<Sent> {
        self.trim();
        let last = self.end().checked_sub(1)?;
        let sent = self.take(last);
        self.trim();
        sent
    }

    /// Every frame, in order; the queue is left empty.
    pub(super) fn take_all(&mut self) -> VecDeque<Sent> {
        self.index.clear();
        self.base = self.end();
        self.indexed = self.base;
        self.count = 0;
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Drops the frames written at least `window` before `now` (they count
    /// as delivered).
    pub(super) fn expire(&mut self, now: Instant, window: Duration) {
        loop {
            self.trim();
            let old = match self.slots.front() {
                Some(Some(s)) => now.saturating_duration_since(s.at) >= window,
                _ => false,
            };
            if !old {
                break;
            }
            let base = self.base;
            self.take(base);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(n: u64, at: Instant) -> Sent {
        Sent {
            op: OpId(n),
            request_id: RequestId::from_random_bytes([n as u8; 16]),
            text: format!("f{n}"),
            at,
            rejections: 0,
        }
    }

    fn ops(v: impl IntoIterator<Item = Sent>) -> Vec<u64> {
        v.into_iter().map(|s| s.op.0).collect()
    }

    #[test]
    fn acknowledgements_in_and_out_of_order_leave_the_rest_in_order() {
        let t = Instant::now();
        let mut u = Unacked::default();
        for n in 1..=5 {
            u.push(sent(n, t));
        }
        assert!(u.remove(&sent(1, t).request_id).is_some());
        assert!(u.remove(&sent(3, t).request_id).is_some());
        assert!(
            u.remove(&sent(3, t).request_id).is_none(),
            "twice is harmless"
        );
        assert_eq!(u.len(), 3);
        let (first, later) = u.split_off(&sent(2, t).request_id).expect("waiting");
        assert_eq!(first.op.0, 2);
        assert_eq!(ops(later), [4, 5]);
        assert_eq!(u.len(), 0);
        u.push(sent(6, t));
        u.push(sent(7, t));
        assert_eq!(u.pop_back().map(|s| s.op.0), Some(7));
        assert_eq!(ops(u.take_all()), [6]);
    }

    #[test]
    fn in_order_acknowledgements_build_no_index_and_reused_slots_are_found() {
        let t = Instant::now();
        let mut u = Unacked::default();
        for n in 1..=100 {
            u.push(sent(n, t));
        }
        for n in 1..=50 {
            assert_eq!(u.remove(&sent(n, t).request_id).map(|s| s.op.0), Some(n));
        }
        assert!(u.index.is_empty(), "in order: no index");
        // Out of order: the rest gets indexed once.
        assert!(u.remove(&sent(80, t).request_id).is_some());
        assert_eq!(u.index.len(), 49);
        // The back is trimmed and written again: new frames must be found.
        assert!(u.remove(&sent(100, t).request_id).is_some());
        assert!(u.pop_back().is_some_and(|s| s.op.0 == 99));
        u.push(sent(200, t));
        u.push(sent(201, t));
        assert!(u.remove(&sent(201, t).request_id).is_some());
        assert!(u.remove(&sent(200, t).request_id).is_some());
        assert!(u.remove(&sent(201, t).request_id).is_none());
        for n in (51..=98).filter(|n| *n != 80) {
            assert!(u.remove(&sent(n, t).request_id).is_some(), "{n}");
        }
        assert_eq!(u.len(), 0);
        assert!(u.index.is_empty());
    }

    #[test]
    fn expiry_drops_old_frames_and_holes_from_the_front() {
        let t = Instant::now();
        let mut u = Unacked::default();
        u.push(sent(1, t));
        u.push(sent(2, t));
        u.push(sent(3, t + Duration::from_secs(5)));
        u.remove(&sent(2, t).request_id);
        u.expire(t + Duration::from_secs(10), Duration::from_secs(10));
        assert_eq!(u.len(), 1);
        assert!(u.remove(&sent(3, t).request_id).is_some());
        assert!(u.slots.is_empty());
        assert!(u.index.is_empty());
    }
}
