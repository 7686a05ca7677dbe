//! Frames written and not yet acknowledged, in the order they were written.
//!
//! Acknowledgements mostly arrive in order, but not always: each frame has a
//! sequence number, an index maps its request id to it, and an acknowledged
//! frame leaves a hole that is dropped once it reaches the front. An
//! acknowledgement therefore costs O(1) amortised whatever the number in
//! flight (the old `retain` over the whole queue made a burst quadratic).

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
    /// acknowledged (holes are dropped when they reach the front).
    slots: VecDeque<Option<Sent>>,
    base: u64,
    /// Sequence number of every frame still in `slots`.
    index: HashMap<RequestId, u64>,
}

impl Unacked {
    /// Frames still waiting for their acknowledgement.
    pub(super) fn len(&self) -> usize {
        self.index.len()
    }

    pub(super) fn push(&mut self, sent: Sent) {
        let seq = self.base + self.slots.len() as u64;
        // A request id is random; a repeat would only shadow the older entry.
        if let Some(old) = self.index.insert(sent.request_id.clone(), seq) {
            if let Some(slot) = self.slot_mut(old) {
                *slot = None;
            }
        }
        self.slots.push_back(Some(sent));
    }

    fn slot_mut(&mut self, seq: u64) -> Option<&mut Option<Sent>> {
        let i = usize::try_from(seq.checked_sub(self.base)?).ok()?;
        self.slots.get_mut(i)
    }

    fn trim_front(&mut self) {
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
    }

    fn trim_back(&mut self) {
        while matches!(self.slots.back(), Some(None)) {
            self.slots.pop_back();
        }
    }

    /// Removes the frame with this request id, if it is waiting.
    pub(super) fn remove(&mut self, request_id: &RequestId) -> Option<Sent> {
        let seq = self.index.remove(request_id)?;
        let sent = self.slot_mut(seq)?.take();
        self.trim_front();
        self.trim_back();
        sent
    }

    /// Removes the frame with this request id and every frame written after
    /// it, in order.
    pub(super) fn split_off(&mut self, request_id: &RequestId) -> Option<(Sent, Vec<Sent>)> {
        let seq = *self.index.get(request_id)?;
        let i = usize::try_from(seq.checked_sub(self.base)?).ok()?;
        let mut tail = self.slots.split_off(i).into_iter().flatten();
        let first = tail.next()?;
        let later: Vec<Sent> = tail.collect();
        self.index.remove(&first.request_id);
        for s in &later {
            self.index.remove(&s.request_id);
        }
        self.trim_back();
        Some((first, later))
    }

    /// The frame written last, removed.
    pub(super) fn pop_back(&mut self) -> Option<Sent> {
        self.trim_back();
        let sent = self.slots.pop_back()??;
        self.index.remove(&sent.request_id);
        self.trim_back();
        Some(sent)
    }

    /// Every frame, in order; the queue is left empty.
    pub(super) fn take_all(&mut self) -> VecDeque<Sent> {
        self.index.clear();
        self.base += self.slots.len() as u64;
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Drops the frames written at least `window` before `now` (they count
    /// as delivered).
    pub(super) fn expire(&mut self, now: Instant, window: Duration) {
        while let Some(front) = self.slots.front() {
            match front {
                Some(s) if now.saturating_duration_since(s.at) < window => break,
                Some(s) => {
                    let rid = s.request_id.clone();
                    self.index.remove(&rid);
                }
                None => {}
            }
            self.slots.pop_front();
            self.base += 1;
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
    }
}
