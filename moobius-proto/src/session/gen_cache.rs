//! A bounded cache that forgets gradually: two generations of at most
//! `capacity / 2` entries each. New and recently used entries live in the
//! young generation; when it is full, the old one is dropped and the young
//! one becomes old. A hit in the old generation moves the entry back to the
//! young one, so what is in use survives. Every operation is O(1) amortised
//! (a rotation drops at most `capacity / 2` entries, after as many inserts),
//! and the cache never holds more than `capacity` entries. Nothing is
//! emptied at once, unlike a cache cleared whole at its cap.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug)]
pub(super) struct GenCache<K, V> {
    young: HashMap<K, V>,
    old: HashMap<K, V>,
    /// Entries per generation.
    half: usize,
}

impl<K: Hash + Eq + Clone, V> GenCache<K, V> {
    /// A cache of at most `capacity` entries (at least 2).
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            young: HashMap::new(),
            old: HashMap::new(),
            half: (capacity / 2).max(1),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    /// The bound on [`len`](Self::len).
    pub(super) fn capacity(&self) -> usize {
        self.half * 2
    }

    /// The entry, marked as recently used.
    pub(super) fn get(&mut self, key: &K) -> Option<&V> {
        if !self.young.contains_key(key) {
            let value = self.old.remove(key)?;
            self.insert(key.clone(), value);
        }
        self.young.get(key)
    }

    /// The entry, without marking it used.
    pub(super) fn peek(&self, key: &K) -> Option<&V> {
        self.young.get(key).or_else(|| self.old.get(key))
    }

    pub(super) fn insert(&mut self, key: K, value: V) {
        self.old.remove(&key);
        if !self.young.contains_key(&key) && self.young.len() >= self.half {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, value);
    }

    /// Takes the entry out.
    pub(super) fn remove(&mut self, key: &K) -> Option<V> {
        self.young.remove(key).or_else(|| self.old.remove(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_what_is_used_survives() {
        let mut c = GenCache::new(10);
        c.insert(0, "kept");
        for i in 1..1000 {
            c.insert(i, "filler");
            assert!(c.len() <= c.capacity());
            assert_eq!(c.get(&0), Some(&"kept"), "used all along, so never dropped");
        }
        assert!(c.peek(&1).is_none(), "unused entries are forgotten");
        assert_eq!(c.remove(&0), Some("kept"));
        assert!(c.get(&0).is_none());
    }
}
