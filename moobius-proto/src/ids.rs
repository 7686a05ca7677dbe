//! Typed identifiers. Every id on the platform is an opaque string (in
//! practice a lowercase hyphenated UUID); the types keep them from being mixed up.

use crate::macros::string_id;

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
#[derive(Clone, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RequestId(String);

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
        let mut s = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                s.push('-');
            }
            s.push(HEX[usize::from(byte >> 4)] as char);
            s.push(HEX[usize::from(byte & 0x0f)] as char);
        }
        Self(s)
    }

    /// Wraps an existing request id (for example one echoed in a `copy`).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
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
