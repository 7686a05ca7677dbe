//! The memory engine: a map shared by the clones of one container.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Encoded values by key.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryStore {
    map: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A panic elsewhere while holding the lock cannot leave a half-written
        // entry (every operation is a single map call), so poisoning is ignored.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn read(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().get(key).cloned()
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.lock().contains_key(key)
    }

    pub(crate) fn write(&self, key: &str, bytes: Vec<u8>) {
        self.lock().insert(key.to_owned(), bytes);
    }

    pub(crate) fn remove(&self, key: &str) -> bool {
        self.lock().remove(key).is_some()
    }

    pub(crate) fn keys(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}
