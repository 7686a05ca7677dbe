//! Secrets (passwords and tokens). Their `Debug` and `Display` print a
//! redaction, so they never reach a log line by accident.

use std::fmt;

macro_rules! secret {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret string.
            pub fn new(secret: impl Into<String>) -> Self {
                Self(secret.into())
            }

            /// The secret itself. Call this only where it goes on the wire.
            #[must_use]
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// True when the secret is the empty string.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

secret!(
    /// The Cognito access token: `Bearer` on HTTP and inside the login frames.
    AccessToken
);
secret!(
    /// The Cognito refresh token, traded for a new access token by `POST /auth/refresh`.
    RefreshToken
);
secret!(
    /// An account password.
    Password
);
secret!(
    /// A one-time code the platform emailed: the sign-up confirmation code
    /// or the password-reset code. It proves control of the account's
    /// mailbox, so it is as secret as a password while it is valid.
    ConfirmationCode
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let t = AccessToken::new("eyJ-very-secret");
        assert_eq!(format!("{t:?}"), "AccessToken(<redacted>)");
        assert_eq!(format!("{t}"), "<redacted>");
        assert_eq!(t.expose(), "eyJ-very-secret");
        let p = Password::from("hunter2");
        assert!(!format!("{p:?} {p}").contains("hunter2"));
    }
}
