//! Accounts and tokens: `/auth/*` (PROTOCOL.md §4.2).
//!
//! All of these except [`SignOut`] are sent without auth headers. Passwords,
//! tokens and emailed codes are held in [`crate::secret`] types, so the `Debug` of every
//! request here is safe to log.

use super::envelope;
use super::error::{ApiError, RequestError};
use super::paths;
use super::request::{access_token, post_json, Auth};
use super::{ApiContext, Endpoint};
use crate::secret::{AccessToken, ConfirmationCode, Password, RefreshToken};
use ::http::{Request, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// The two tokens a sign-in yields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthTokens {
    /// Sent as `Bearer` on HTTP calls and in the websocket login frame.
    pub access_token: AccessToken,
    /// Traded for a new access token by [`Refresh`].
    pub refresh_token: RefreshToken,
}

impl AuthTokens {
    /// A pair of tokens.
    #[must_use]
    pub fn new(access_token: AccessToken, refresh_token: RefreshToken) -> Self {
        Self {
            access_token,
            refresh_token,
        }
    }
}

/// `data.AuthenticationResult` of sign-in and refresh (Cognito's shape; other
/// keys such as `IdToken` and `ExpiresIn` are ignored).
#[derive(Deserialize)]
struct AuthData<T> {
    #[serde(rename = "AuthenticationResult")]
    result: T,
}

#[derive(Deserialize)]
struct SignInResult {
    #[serde(rename = "AccessToken")]
    access_token: AccessToken,
    #[serde(rename = "RefreshToken")]
    refresh_token: RefreshToken,
}

#[derive(Deserialize)]
struct RefreshResult {
    #[serde(rename = "AccessToken")]
    access_token: AccessToken,
}

/// `{"username": …, "password": …}`.
#[derive(Serialize)]
struct UserPassword<'a> {
    username: &'a str,
    password: &'a str,
}

/// `{"username": …}`.
#[derive(Serialize)]
struct UserOnly<'a> {
    username: &'a str,
}

/// Sign in with email and password: `POST /auth/sign_in` → both tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct SignIn {
    /// Account email (sent as `username`).
    pub email: String,
    /// Account password.
    pub password: Password,
}

impl SignIn {
    /// Sign in as `email`.
    pub fn new(email: impl Into<String>, password: Password) -> Self {
        Self {
            email: email.into(),
            password,
        }
    }
}

impl Endpoint for SignIn {
    type Output = AuthTokens;
    const NAME: &'static str = "authenticate";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let body = UserPassword {
            username: &self.email,
            password: self.password.expose(),
        };
        post_json(Self::NAME, ctx, paths::AUTH_SIGN_IN, &body, Auth::None)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<AuthTokens, ApiError> {
        let d: AuthData<SignInResult> = envelope::data(Self::NAME, response)?;
        Ok(AuthTokens {
            access_token: d.result.access_token,
            refresh_token: d.result.refresh_token,
        })
    }
}

/// Trade a refresh token for a new access token: `POST /auth/refresh` → the
/// access token (the refresh token stays valid).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct Refresh {
    /// Account email (sent as `username`).
    pub email: String,
    /// The refresh token from [`SignIn`].
    pub refresh_token: RefreshToken,
}

impl Refresh {
    /// Refresh the access token of `email`.
    pub fn new(email: impl Into<String>, refresh_token: RefreshToken) -> Self {
        Self {
            email: email.into(),
            refresh_token,
        }
    }
}

impl Endpoint for Refresh {
    type Output = AccessToken;
    const NAME: &'static str = "refresh";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            username: &'a str,
            refresh_token: &'a str,
        }
        let body = Body {
            username: &self.email,
            refresh_token: self.refresh_token.expose(),
        };
        post_json(Self::NAME, ctx, paths::AUTH_REFRESH, &body, Auth::None)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<AccessToken, ApiError> {
        let d: AuthData<RefreshResult> = envelope::data(Self::NAME, response)?;
        Ok(d.result.access_token)
    }
}

/// Create an account; the platform emails a confirmation code:
/// `POST /auth/sign_up`. Confirm it with [`ConfirmSignUp`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct SignUp {
    /// Account email (sent as `username`).
    pub email: String,
    /// The password to set.
    pub password: Password,
}

impl SignUp {
    /// Sign up as `email` with `password`.
    pub fn new(email: impl Into<String>, password: Password) -> Self {
        Self {
            email: email.into(),
            password,
        }
    }
}

impl Endpoint for SignUp {
    type Output = ();
    const NAME: &'static str = "request_sign_up_code";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let body = UserPassword {
            username: &self.email,
            password: self.password.expose(),
        };
        post_json(Self::NAME, ctx, paths::AUTH_SIGN_UP, &body, Auth::None)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

/// Email the sign-up confirmation code again: `POST /auth/resend_confirmation`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct ResendConfirmation {
    /// Account email (sent as `username`).
    pub email: String,
}

impl ResendConfirmation {
    /// Resend the code of `email`.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
        }
    }
}

impl Endpoint for ResendConfirmation {
    type Output = ();
    const NAME: &'static str = "request_sign_up_code_again";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let body = UserOnly {
            username: &self.email,
        };
        post_json(
            Self::NAME,
            ctx,
            paths::AUTH_RESEND_CONFIRMATION,
            &body,
            Auth::None,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

/// Confirm a sign-up with the emailed code: `POST /auth/confirm_sign_up`.
/// Afterwards [`SignIn`] works.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct ConfirmSignUp {
    /// Account email (sent as `username`).
    pub email: String,
    /// The code from the email (sent as `confirmation_code`).
    pub code: ConfirmationCode,
}

impl ConfirmSignUp {
    /// Confirm the sign-up of `email` with `code`.
    pub fn new(email: impl Into<String>, code: impl Into<ConfirmationCode>) -> Self {
        Self {
            email: email.into(),
            code: code.into(),
        }
    }
}

impl Endpoint for ConfirmSignUp {
    type Output = ();
    const NAME: &'static str = "sign_up_with_code";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            username: &'a str,
            confirmation_code: &'a str,
        }
        let body = Body {
            username: &self.email,
            confirmation_code: self.code.expose(),
        };
        post_json(
            Self::NAME,
            ctx,
            paths::AUTH_CONFIRM_SIGN_UP,
            &body,
            Auth::None,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

/// Ask for a password-reset code by email: `POST /auth/forgot_password`.
/// Use it with [`ConfirmResetPassword`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct ForgotPassword {
    /// Account email (sent as `username`).
    pub email: String,
}

impl ForgotPassword {
    /// Send a reset code to `email`.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
        }
    }
}

impl Endpoint for ForgotPassword {
    type Output = ();
    const NAME: &'static str = "request_password_reset_code";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let body = UserOnly {
            username: &self.email,
        };
        post_json(
            Self::NAME,
            ctx,
            paths::AUTH_FORGOT_PASSWORD,
            &body,
            Auth::None,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

/// Set a new password with the emailed reset code:
/// `POST /auth/confirm_reset_password`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct ConfirmResetPassword {
    /// Account email (sent as `username`).
    pub email: String,
    /// The new password (sent as `password`).
    pub new_password: Password,
    /// The code from the email (sent as `confirmation_code`).
    pub code: ConfirmationCode,
}

impl ConfirmResetPassword {
    /// Set `new_password` for `email`, proven by `code`.
    pub fn new(
        email: impl Into<String>,
        new_password: Password,
        code: impl Into<ConfirmationCode>,
    ) -> Self {
        Self {
            email: email.into(),
            new_password,
            code: code.into(),
        }
    }
}

impl Endpoint for ConfirmResetPassword {
    type Output = ();
    const NAME: &'static str = "reset_password_with_code";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            username: &'a str,
            password: &'a str,
            confirmation_code: &'a str,
        }
        let body = Body {
            username: &self.email,
            password: self.new_password.expose(),
            confirmation_code: self.code.expose(),
        };
        post_json(
            Self::NAME,
            ctx,
            paths::AUTH_CONFIRM_RESET_PASSWORD,
            &body,
            Auth::None,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

/// Delete the account for good: `POST /auth/delete_account`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
#[non_exhaustive]
pub struct DeleteAccount {
    /// Account email (sent as `username`).
    pub email: String,
    /// Account password.
    pub password: Password,
}

impl DeleteAccount {
    /// Delete the account `email`.
    pub fn new(email: impl Into<String>, password: Password) -> Self {
        Self {
            email: email.into(),
            password,
        }
    }
}

impl Endpoint for DeleteAccount {
    type Output = ();
    const NAME: &'static str = "delete_account";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        let body = UserPassword {
            username: &self.email,
            password: self.password.expose(),
        };
        post_json(
            Self::NAME,
            ctx,
            paths::AUTH_DELETE_ACCOUNT,
            &body,
            Auth::None,
        )
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

/// Invalidate the context's access token: `POST /auth/sign_out` (with auth
/// headers, and the same token in the body as `access_token`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use = "an endpoint does nothing until its request is sent"]
pub struct SignOut;

impl Endpoint for SignOut {
    type Output = ();
    const NAME: &'static str = "sign_out";

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        #[derive(Serialize)]
        struct Body<'a> {
            access_token: &'a str,
        }
        let body = Body {
            access_token: access_token(Self::NAME, ctx)?,
        };
        post_json(Self::NAME, ctx, paths::AUTH_SIGN_OUT, &body, Auth::Bearer)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<(), ApiError> {
        envelope::unit(Self::NAME, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::BaseUri;

    fn ctx() -> ApiContext {
        ApiContext::new(BaseUri::moobius_ai()).with_access_token(AccessToken::new("tok-SECRET"))
    }

    #[test]
    fn debug_never_shows_secrets() {
        let pw = Password::new("hunter2-SECRET");
        let rt = RefreshToken::new("refresh-SECRET");
        let all = format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            SignIn::new("a@b.c", pw.clone()),
            Refresh::new("a@b.c", rt),
            SignUp {
                email: "a@b.c".into(),
                password: pw.clone()
            },
            ConfirmResetPassword {
                email: "a@b.c".into(),
                new_password: pw.clone(),
                code: "reset-code-SECRET".into()
            },
            ConfirmSignUp::new("a@b.c", "signup-code-SECRET"),
            DeleteAccount {
                email: "a@b.c".into(),
                password: pw
            },
            ctx(),
        );
        assert!(!all.contains("SECRET"), "{all}");
        assert!(all.contains("a@b.c"));
    }

    #[test]
    fn built_requests_hide_the_bearer_in_debug() {
        // The body necessarily carries the token (sign-out sends it there);
        // the header is what a request log shows.
        let req = SignOut.request(&ctx()).unwrap();
        let dbg = format!("{:?}", req.headers());
        assert!(!dbg.contains("tok-SECRET"), "{dbg}");
        assert_eq!(
            req.headers()["authorization"].to_str().unwrap(),
            "Bearer tok-SECRET"
        );
    }

    #[test]
    fn auth_calls_have_no_auth_headers() {
        let ctx = ctx();
        let req = SignIn::new("a@b.c", Password::new("pw"))
            .request(&ctx)
            .unwrap();
        assert!(req.headers().get("authorization").is_none());
        assert!(req.headers().get("auth-origin").is_none());
        assert_eq!(req.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"username": "a@b.c", "password": "pw"})
        );
    }

    #[test]
    fn sign_out_needs_a_token() {
        let ctx = ApiContext::new(BaseUri::moobius_ai());
        assert_eq!(
            SignOut.request(&ctx).unwrap_err(),
            RequestError::MissingAccessToken {
                endpoint: "sign_out"
            }
        );
        let ctx = ctx.with_access_token(AccessToken::new("bad\ntoken"));
        assert_eq!(
            SignOut.request(&ctx).unwrap_err(),
            RequestError::InvalidAccessToken {
                endpoint: "sign_out"
            }
        );
    }

    #[test]
    fn sign_in_needs_both_tokens() {
        let r = Response::new(Bytes::from_static(
            br#"{"code":10000,"data":{"AuthenticationResult":{"AccessToken":"a"}}}"#,
        ));
        let e = SignIn::new("a", Password::new("p")).parse(&r).unwrap_err();
        assert!(
            matches!(e, ApiError::Decode { ref path, .. } if path == "data.AuthenticationResult"),
            "{e:?}"
        );
    }
}
