//! The file store behind the two-step upload: keys handed out by
//! `GET /file/upload`, and the bytes posted for them.

use bytes::Bytes;
use std::collections::HashMap;

/// A stored file.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) bytes: Bytes,
    pub(crate) content_type: String,
}

/// Issued keys and stored files.
#[derive(Debug, Default)]
pub(crate) struct Files {
    issued: HashMap<String, String>,
    stored: HashMap<String, StoredFile>,
}

impl Files {
    /// Remembers an issued key (and who asked for it).
    pub(crate) fn issue(&mut self, key: String, user_id: &str) {
        self.issued.insert(key, user_id.to_owned());
    }

    /// Whether bytes may be posted for `key`: issued by `GET /file/upload`
    /// and not stored yet (a key is good for one upload, so nobody can
    /// replace a stored file).
    pub(crate) fn open_for_upload(&self, key: &str) -> bool {
        self.issued.contains_key(key) && !self.stored.contains_key(key)
    }

    /// Stores the bytes for an issued key; `false` for a key never issued
    /// or already used.
    pub(crate) fn store(&mut self, key: &str, bytes: Bytes, content_type: String) -> bool {
        if !self.open_for_upload(key) {
            return false;
        }
        self.stored.insert(
            key.to_owned(),
            StoredFile {
                bytes,
                content_type,
            },
        );
        true
    }

    /// Stores bytes under a key without the first step (library seeding).
    pub(crate) fn put(&mut self, key: &str, bytes: Bytes, content_type: String) {
        self.issued.insert(key.to_owned(), String::new());
        self.stored.insert(
            key.to_owned(),
            StoredFile {
                bytes,
                content_type,
            },
        );
    }

    pub(crate) fn get(&self, key: &str) -> Option<&StoredFile> {
        self.stored.get(key)
    }

    /// Keys of stored files, sorted.
    pub(crate) fn keys(&self) -> Vec<String> {
        let mut v: Vec<String> = self.stored.keys().cloned().collect();
        v.sort();
        v
    }
}
