//! Key and path-segment encoding shared by every backend.
//!
//! Bytes in `[A-Za-z0-9_-]` stand for themselves; every other byte of the
//! UTF-8 text becomes `%XX` (upper-case hex). The result never contains `.`,
//! `/`, `\`, NUL or `:`, so an encoded key can neither name another folder
//! (`..`, `a/b`, `/etc/passwd`) nor a hidden file, and an encoded service or
//! channel id cannot break the `:`-separated Redis namespace.

use std::fmt;

/// Longest accepted key, counted in bytes **after** encoding (a plain ASCII
/// letter counts 1, any other byte counts 3: `é` is `%C3%A9`, 6 bytes).
///
/// The limit keeps `<encoded key>.json` under the 255-byte file-name limit of
/// common filesystems. Every backend applies it, so a store can move from one
/// backend to another without losing keys.
pub const MAX_ENCODED_KEY_LEN: usize = 240;

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The empty string is not a key.
    Empty,
    /// The encoded key is longer than [`MAX_ENCODED_KEY_LEN`].
    TooLong {
        /// Encoded length of the refused key.
        encoded_len: usize,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the key is empty"),
            Self::TooLong { encoded_len } => write!(
                f,
                "the key is {encoded_len} bytes once encoded, more than the limit of {MAX_ENCODED_KEY_LEN}"
            ),
        }
    }
}

impl std::error::Error for KeyError {}

fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Encoded length of `s` without building the string.
pub(crate) fn encoded_len(s: &str) -> usize {
    s.bytes().map(|b| if is_plain(b) { 1 } else { 3 }).sum()
}

/// Checks that `key` is usable by every backend.
pub(crate) fn check_key(key: &str) -> Result<(), KeyError> {
    if key.is_empty() {
        return Err(KeyError::Empty);
    }
    let encoded_len = encoded_len(key);
    if encoded_len > MAX_ENCODED_KEY_LEN {
        return Err(KeyError::TooLong { encoded_len });
    }
    Ok(())
}

/// Percent-encodes every byte outside `[A-Za-z0-9_-]`.
pub(crate) fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(encoded_len(s));
    for b in s.bytes() {
        if is_plain(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Inverse of [`encode`]. Returns `None` for anything [`encode`] cannot have
/// produced (stray characters, lower-case or truncated escapes, escaped plain
/// bytes, invalid UTF-8), so foreign files are never mistaken for keys and
/// two file names never decode to the same key.
pub(crate) fn decode(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_plain(b) {
            out.push(b);
            i += 1;
        } else if b == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            let v = (hi << 4) | lo;
            if is_plain(v) {
                return None; // not canonical: `encode` never escapes these
            }
            out.push(v);
            i += 3;
        } else {
            return None;
        }
    }
    String::from_utf8(out).ok()
}

/// A key shortened for error messages and logs.
pub(crate) fn display_key(key: &str) -> String {
    const MAX: usize = 64;
    if key.chars().count() <= MAX {
        format!("{key:?}")
    } else {
        let head: String = key.chars().take(MAX).collect();
        format!("{head:?}… ({} bytes)", key.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_are_unchanged() {
        assert_eq!(encode("user_42-A"), "user_42-A");
        assert_eq!(
            encode("6f1c0a1e-7c1b-4b8e-9a43-0e4e9f1d2c3b"),
            "6f1c0a1e-7c1b-4b8e-9a43-0e4e9f1d2c3b"
        );
    }

    #[test]
    fn hostile_keys_are_escaped() {
        assert_eq!(encode(".."), "%2E%2E");
        assert_eq!(encode("."), "%2E");
        assert_eq!(encode("../x"), "%2E%2E%2Fx");
        assert_eq!(encode("/etc/passwd"), "%2Fetc%2Fpasswd");
        assert_eq!(encode("a\\b"), "a%5Cb");
        assert_eq!(encode("\0"), "%00");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("%41"), "%2541");
        assert_eq!(encode("a:b"), "a%3Ab");
    }

    #[test]
    fn decode_inverts_encode_and_rejects_the_rest() {
        for k in ["a", "..", "a/b", "é✓", "\0x", "%", "%2E", " ", "A"] {
            assert_eq!(decode(&encode(k)).as_deref(), Some(k));
        }
        for bad in ["a.b", "%41", "%2e", "%2", "%", "%ZZ", "a b", "%C3", "é"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn key_limits() {
        assert_eq!(check_key(""), Err(KeyError::Empty));
        assert!(check_key(&"a".repeat(MAX_ENCODED_KEY_LEN)).is_ok());
        assert_eq!(
            check_key(&"a".repeat(MAX_ENCODED_KEY_LEN + 1)),
            Err(KeyError::TooLong {
                encoded_len: MAX_ENCODED_KEY_LEN + 1
            })
        );
        assert!(check_key(&"é".repeat(40)).is_ok());
        assert!(check_key(&"é".repeat(41)).is_err());
    }

    #[test]
    fn display_key_truncates() {
        assert_eq!(display_key("a/b"), "\"a/b\"");
        assert!(display_key(&"x".repeat(1000)).ends_with("(1000 bytes)"));
    }
}
