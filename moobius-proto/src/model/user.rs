//! The signed-in user.

use super::Context;
use crate::ids::CharacterId;
use serde::{Deserialize, Serialize};

/// What `GET /user/info` says about the signed-in account. The user id is
/// also its character id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserInfo {
    /// User (and character) id.
    pub user_id: CharacterId,
    /// Email address.
    #[serde(default)]
    pub email: String,
    /// Whether the email is confirmed, when the platform says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Platform-side context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_context: Option<Context>,
}

impl UserInfo {
    /// The account `user_id`, every other field empty (set the public fields
    /// as needed).
    #[must_use]
    pub fn new(user_id: impl Into<CharacterId>) -> Self {
        Self {
            user_id: user_id.into(),
            email: String::new(),
            email_verified: None,
            name: String::new(),
            avatar: None,
            description: None,
            system_context: None,
        }
    }
}
