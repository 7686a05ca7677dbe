//! The storage behind every typed id: a boxed string (`Box<str>`).
//!
//! Decoding an id allocates once, as a `String` did, but an id is 16 bytes
//! instead of 24, which matters because ids sit in every decoded frame and
//! frames are moved by value. Measured alternatives (CPU time per decoded
//! payload, `benches/codec.rs`): an inline small string (up to 36 bytes, a
//! UUID, no allocation) made ids 48 bytes and frames larger, and the copies
//! cost what the allocations saved; `Arc<str>` clones without allocating but
//! decoded 2–3 % slower (its allocation is larger). `ids/…` in the bench
//! compares the storages on their own.

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use std::fmt;

/// An id's text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct IdStr(Box<str>);

impl IdStr {
    /// Copies `s`.
    pub(crate) fn from_text(s: &str) -> Self {
        Self(Box::from(s))
    }

    /// Takes `s`.
    pub(crate) fn from_string(s: String) -> Self {
        Self(Box::from(s))
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for IdStr {
    fn default() -> Self {
        Self::from_text("")
    }
}

impl serde::Serialize for IdStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for IdStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IdStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdStr, E> {
                Ok(IdStr::from_text(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<IdStr, E> {
                std::str::from_utf8(v)
                    .map(IdStr::from_text)
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn compares_and_hashes_as_its_text() {
        let a = IdStr::from_text("abc");
        let b = IdStr::from_string("abc".to_owned());
        assert_eq!(a, b);
        // `Borrow<str>` lookups in maps need this.
        assert_eq!(hash_of(&a), hash_of("abc"));
        assert!(IdStr::from_text("abd") > b);
        assert_eq!(IdStr::default().as_str(), "");
        let long = "x".repeat(100);
        assert_eq!(IdStr::from_text(&long).as_str(), long);
    }

    #[test]
    fn decodes_escaped_and_borrowed_strings() {
        let v: IdStr = serde_json::from_str(r#""a\u0062c""#).unwrap();
        assert_eq!(v.as_str(), "abc");
        let v: IdStr = serde_json::from_value(serde_json::json!("xyz")).unwrap();
        assert_eq!(v.as_str(), "xyz");
        assert!(serde_json::from_str::<IdStr>("5").is_err());
        assert_eq!(serde_json::to_string(&v).unwrap(), r#""xyz""#);
    }
}
