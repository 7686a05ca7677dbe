//! Acknowledgements.

use super::Context;
use crate::ids::RequestId;
use serde::{Deserialize, Serialize};

/// The platform's acknowledgement (`copy`) of one client frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CopyBody {
    /// The `request_id` of the acknowledged frame.
    pub request_id: RequestId,
    /// The `type` of the acknowledged frame (empty when absent or `null`).
    #[serde(default, deserialize_with = "super::lenient::null_as_default")]
    pub origin_type: String,
    /// `true` accepted; `false` rejected (typically: not logged in).
    pub status: bool,
    /// Details, e.g. `{"message": "Message received"}`.
    #[serde(
        default,
        deserialize_with = "super::deserialize_raw_context",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<Context>,
}

impl CopyBody {
    /// The acknowledgement of the frame `request_id` of type `origin_type`,
    /// without context.
    #[must_use]
    pub fn new(
        request_id: impl Into<RequestId>,
        origin_type: impl Into<String>,
        status: bool,
    ) -> Self {
        Self {
            request_id: request_id.into(),
            origin_type: origin_type.into(),
            status,
            context: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CopyBody;

    #[test]
    fn a_missing_or_null_origin_type_is_empty() {
        for text in [
            r#"{"request_id":"r","status":true}"#,
            r#"{"request_id":"r","origin_type":null,"status":true}"#,
        ] {
            let copy: CopyBody = serde_json::from_str(text).unwrap();
            assert_eq!(copy, CopyBody::new("r", "", true), "{text}");
        }
        assert!(serde_json::from_str::<CopyBody>(
            r#"{"request_id":"r","origin_type":1,"status":true}"#
        )
        .is_err());
    }
}
