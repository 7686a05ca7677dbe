//! Typed identifiers. Every id on the platform is an opaque string (in
//! practice a lowercase hyphenated UUID); the types keep them from being mixed up.

use crate::macros::string_id;

mod id_str;

pub(crate) use id_str::IdStr;

string_id!(
    /// A Customized Channel Service, issued by `POST /service/create`.
    ServiceId
);
string_id!(
    /// A chat room, issued by `POST /channel/create`.
    ChannelId
);
string_id!(
    /// Anything that can appear in a character list or send a message: a real
    /// user (whose user id doubles as character id) or an agent made by a service.
    CharacterId
);
string_id!(
    /// A server-side name for an ordered list of character ids.
    GroupId
);
string_id!(
    /// A delivered message, assigned by the platform.
    MessageId
);
string_id!(
    /// A button, chosen by the service that sends it.
    ButtonId
);
string_id!(
    /// A context-menu item, chosen by the service that sends it.
    MenuItemId
);

/// The `request_id` every client frame carries: a UUID v4 string.
///
/// This crate never draws random numbers; build one from 16 random bytes the
/// caller supplies ([`RequestId::from_random_bytes`]) or wrap an existing string.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RequestId(IdStr);

impl RequestId {
    /// Formats 16 random bytes as a version-4, RFC 4122 variant UUID string.
    ///
    /// ```
    /// let id = moobius_proto::RequestId::from_random_bytes([0xab; 16]);
    /// assert_eq!(id.as_str(), "abababab-abab-4bab-abab-abababababab");
    /// ```
    #[must_use]
    pub fn from_random_bytes(mut b: [u8; 16]) -> Self {
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = [0u8; 36];
        let mut at = 0;
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                s[at] = b'-';
                at += 1;
            }
            s[at] = HEX[usize::from(byte >> 4)];
            s[at + 1] = HEX[usize::from(byte & 0x0f)];
            at += 2;
        }
        // Hex digits and hyphens: always UTF-8.
        Self(IdStr::from_text(
            std::str::from_utf8(&s).unwrap_or_default(),
        ))
    }

    /// Wraps an existing request id (for example one echoed in a `copy`).
    pub fn new(id: impl Into<String>) -> Self {
        Self(IdStr::from_string(id.into()))
    }

    /// The id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        Self(IdStr::from_text(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_is_a_v4_uuid() {
        let id = RequestId::from_random_bytes([0; 16]);
        assert_eq!(id.as_str(), "00000000-0000-4000-8000-000000000000");
        let id = RequestId::from_random_bytes([0xff; 16]);
        assert_eq!(id.as_str(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn ids_compare_with_str() {
        let c = ChannelId::new("abc");
        assert_eq!(c, "abc");
        assert_eq!(format!("{c:?}"), "ChannelId(\"abc\")");
        assert_eq!(c.to_string(), "abc");
    }
}
