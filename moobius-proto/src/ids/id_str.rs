//! The storage behind every typed id.
//!
//! Platform ids are UUIDs (36 bytes) or short names chosen by a service
//! (`"play"`, `"service"`); ids of up to [`INLINE`] bytes are kept inline, so
//! decoding a frame allocates nothing for them and cloning one is a copy of
//! 48 bytes. Longer ids are shared (`Arc<str>`): a clone is a reference-count
//! increment. `benches/codec.rs` (`ids/…`) measures this against `String`,
//! `Box<str>` and `Arc<str>`.

use arrayvec::ArrayString;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Longest id kept inline: a hyphenated UUID.
pub(crate) const INLINE: usize = 36;

/// An id's text: inline when short, shared otherwise.
#[derive(Clone, Debug)]
pub(crate) enum IdStr {
    /// Up to [`INLINE`] bytes, stored in place.
    Inline(ArrayString<INLINE>),
    /// Anything longer, shared.
    Shared(Arc<str>),
}

impl IdStr {
    /// Copies `s` (inline when it fits).
    pub(crate) fn from_text(s: &str) -> Self {
        match ArrayString::from(s) {
            Ok(a) => Self::Inline(a),
            Err(_) => Self::Shared(Arc::from(s)),
        }
    }

    /// Takes `s` (inline when it fits).
    pub(crate) fn from_string(s: String) -> Self {
        if s.len() <= INLINE {
            Self::from_text(&s)
        } else {
            Self::Shared(Arc::from(s))
        }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Inline(a) => a.as_str(),
            Self::Shared(s) => s,
        }
    }
}

impl Default for IdStr {
    fn default() -> Self {
        Self::Inline(ArrayString::new())
    }
}

impl PartialEq for IdStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for IdStr {}

impl PartialOrd for IdStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for IdStr {
    // Hashes as `str` does, so that `Borrow<str>` lookups find the id.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
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
            fn visit_string<E: de::Error>(self, v: String) -> Result<IdStr, E> {
                Ok(IdStr::from_string(v))
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

    fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn short_ids_are_inline_long_ones_shared() {
        let uuid = "1de9ea66-70d3-4a1f-8735-df5ef7697fb9";
        assert!(matches!(IdStr::from_text(uuid), IdStr::Inline(_)));
        assert!(matches!(IdStr::from_string(uuid.into()), IdStr::Inline(_)));
        let long = "x".repeat(INLINE + 1);
        assert!(matches!(IdStr::from_text(&long), IdStr::Shared(_)));
        assert!(matches!(IdStr::from_string(long.clone()), IdStr::Shared(_)));
        assert_eq!(IdStr::from_text(&long).as_str(), long);
        assert_eq!(IdStr::default().as_str(), "");
    }

    #[test]
    fn both_forms_compare_and_hash_as_their_text() {
        let a = IdStr::Inline(ArrayString::from("abc").unwrap_or_default());
        let b = IdStr::Shared(Arc::from("abc"));
        assert_eq!(a, b);
        assert_eq!(hash_of(&a), hash_of("abc"));
        assert_eq!(hash_of(&b), hash_of("abc"));
        assert!(IdStr::from_text("abd") > b);
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
