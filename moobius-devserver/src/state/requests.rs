//! Recently seen `request_id`s per client identity, so that a frame a client
//! sends again after a reconnect (with the same request id, because it never
//! saw the acknowledgement) is acknowledged but not delivered twice.

use std::collections::{HashMap, HashSet, VecDeque};

/// Request ids remembered per identity: enough to cover every frame a client
/// can have in flight across a reconnect.
const REMEMBERED: usize = 4096;

#[derive(Debug, Default)]
pub(crate) struct RecentRequests {
    by_client: HashMap<String, (VecDeque<String>, HashSet<String>)>,
}

impl RecentRequests {
    /// Records `request_id` for `client`; `false` if it was seen before.
    pub(crate) fn first_time(&mut self, client: &str, request_id: &str) -> bool {
        if request_id.is_empty() {
            return true;
        }
        let (order, seen) = self.by_client.entry(client.to_owned()).or_default();
        if !seen.insert(request_id.to_owned()) {
            return false;
        }
        order.push_back(request_id.to_owned());
        if order.len() > REMEMBERED {
            if let Some(old) = order.pop_front() {
                seen.remove(&old);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_recognised_per_client() {
        let mut r = RecentRequests::default();
        assert!(r.first_time("svc", "r1"));
        assert!(!r.first_time("svc", "r1"));
        assert!(r.first_time("user", "r1"));
        assert!(r.first_time("svc", ""));
        assert!(r.first_time("svc", ""));
        for i in 0..REMEMBERED {
            assert!(r.first_time("svc", &format!("x{i}")));
        }
        assert!(
            r.first_time("svc", "r1"),
            "forgotten after REMEMBERED newer ids"
        );
    }
}
