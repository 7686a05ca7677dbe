//! `/auth/*`: sign-up with a confirmation code (written to the log), sign-in,
//! refresh, sign-out, password reset and account deletion.

use super::Ctx;
use crate::error::ApiError;
use crate::ids;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct Username {
    username: String,
}

#[derive(Deserialize)]
struct RefreshRequest {
    username: String,
    refresh_token: String,
}

#[derive(Deserialize)]
struct ConfirmSignUp {
    username: String,
    confirmation_code: String,
}

#[derive(Deserialize)]
struct ConfirmReset {
    username: String,
    password: String,
    confirmation_code: String,
}

#[derive(Deserialize)]
struct SignOut {
    #[serde(default)]
    access_token: Option<String>,
}

fn delivery(email: &str) -> Value {
    json!({"CodeDeliveryDetails": {"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": email}})
}

/// `POST /auth/sign_in`.
pub(super) fn sign_in(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let c: Credentials = ctx.json()?;
    let cfg = &ctx.shared.config;
    let t = ctx.shared.lock().accounts.sign_in(
        &c.username,
        &c.password,
        cfg.access_ttl,
        cfg.refresh_ttl,
    )?;
    tracing::info!(email = %c.username, "signed in");
    Ok(json!({
        "AuthenticationResult": {
            "AccessToken": t.access,
            "ExpiresIn": cfg.access_ttl.as_secs(),
            "TokenType": "Bearer",
            "RefreshToken": t.refresh,
            "IdToken": ids::token(),
        },
        "ChallengeParameters": {},
    }))
}

/// `POST /auth/refresh`: a new access token; the refresh token stays.
pub(super) fn refresh(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let r: RefreshRequest = ctx.json()?;
    let ttl = ctx.shared.config.access_ttl;
    let access = ctx
        .shared
        .lock()
        .accounts
        .refresh(&r.username, &r.refresh_token, ttl)?;
    tracing::info!(email = %r.username, "access token refreshed");
    Ok(json!({
        "AuthenticationResult": {
            "AccessToken": access,
            "ExpiresIn": ttl.as_secs(),
            "TokenType": "Bearer",
            "IdToken": ids::token(),
        },
        "ChallengeParameters": {},
    }))
}

/// `POST /auth/sign_up`: the confirmation code goes to the server log.
pub(super) fn sign_up(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let c: Credentials = ctx.json()?;
    let (user_id, code) = ctx
        .shared
        .lock()
        .accounts
        .sign_up(&c.username, &c.password)?;
    tracing::info!(email = %c.username, %code, "sign-up confirmation code (confirm with POST /auth/confirm_sign_up)");
    Ok(json!({
        "UserConfirmed": false,
        "UserSub": user_id,
        "CodeDeliveryDetails": delivery(&c.username)["CodeDeliveryDetails"],
    }))
}

/// `POST /auth/resend_confirmation`.
pub(super) fn resend_confirmation(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let u: Username = ctx.json()?;
    let code = ctx.shared.lock().accounts.resend(&u.username)?;
    tracing::info!(email = %u.username, %code, "sign-up confirmation code, sent again");
    Ok(delivery(&u.username))
}

/// `POST /auth/confirm_sign_up`.
pub(super) fn confirm_sign_up(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let c: ConfirmSignUp = ctx.json()?;
    ctx.shared
        .lock()
        .accounts
        .confirm(&c.username, &c.confirmation_code)?;
    tracing::info!(email = %c.username, "sign-up confirmed");
    Ok(Value::Null)
}

/// `POST /auth/forgot_password`: the reset code goes to the server log.
pub(super) fn forgot_password(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let u: Username = ctx.json()?;
    let code = ctx.shared.lock().accounts.forgot(&u.username)?;
    tracing::info!(email = %u.username, %code, "password reset code (use with POST /auth/confirm_reset_password)");
    Ok(delivery(&u.username))
}

/// `POST /auth/confirm_reset_password`.
pub(super) fn confirm_reset_password(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let c: ConfirmReset = ctx.json()?;
    let mut st = ctx.shared.lock();
    let user_id = st
        .accounts
        .reset(&c.username, &c.confirmation_code, &c.password)?;
    st.revoke_connections(
        |conn| conn.login.as_ref().is_some_and(|l| l.account() == user_id),
        "password reset: log in again",
    );
    tracing::info!(email = %c.username, "password reset");
    Ok(Value::Null)
}

/// `POST /auth/delete_account`: also removes the user from every channel.
pub(super) fn delete_account(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let c: Credentials = ctx.json()?;
    let mut st = ctx.shared.lock();
    let user_id = st.accounts.delete(&c.username, &c.password)?;
    st.channels.forget_user(&user_id);
    st.revoke_connections(
        |conn| conn.login.as_ref().is_some_and(|l| l.account() == user_id),
        "account deleted",
    );
    tracing::info!(email = %c.username, "account deleted");
    Ok(Value::Null)
}

/// `POST /auth/sign_out` (authenticated): revokes the bearer token and the
/// token in the body, and the user's refresh tokens.
pub(super) fn sign_out(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user_id = ctx.user()?;
    let body: SignOut = ctx.json().unwrap_or(SignOut { access_token: None });
    let mut st = ctx.shared.lock();
    let mut revoked = Vec::new();
    if let Some(t) = body.access_token.as_deref() {
        if st.accounts.authenticate(t).ok().as_deref() == Some(user_id.as_str()) {
            revoked.extend(st.accounts.sign_out(t));
        }
    }
    if let Some(t) = ctx.bearer() {
        revoked.extend(st.accounts.sign_out(t));
    }
    // Sockets logged in with a token of the signed-out sign-in close.
    st.revoke_connections(
        |conn| conn.family.is_some_and(|f| revoked.contains(&f)),
        "signed out",
    );
    tracing::info!(%user_id, "signed out");
    Ok(Value::Null)
}
