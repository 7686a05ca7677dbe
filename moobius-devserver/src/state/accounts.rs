//! Accounts (email, password, profile), sign-up and reset codes, and the
//! access and refresh tokens that stand for them.

use crate::error::{codes, ApiError};
use crate::ids;
use http::StatusCode;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One account. Its `user_id` doubles as its character id.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) user_id: String,
    pub(crate) email: String,
    password: String,
    pub(crate) confirmed: bool,
    sign_up_code: Option<Code>,
    reset_code: Option<Code>,
    pub(crate) name: String,
    pub(crate) avatar: String,
    pub(crate) description: String,
    seq: u64,
}

/// A pending confirmation or reset code and the wrong guesses made so far.
#[derive(Debug, Clone)]
struct Code {
    code: String,
    failures: u32,
}

impl Code {
    fn new(code: &str) -> Self {
        Self {
            code: code.to_owned(),
            failures: 0,
        }
    }
}

/// Wrong guesses allowed per code; the code is void after that (ask again).
pub(crate) const MAX_CODE_ATTEMPTS: u32 = 5;

/// Checks a guess against a pending code: a wrong guess counts, and after
/// [`MAX_CODE_ATTEMPTS`] of them the code is dropped, so six-digit codes
/// cannot be guessed by trying them all.
fn check_code(slot: &mut Option<Code>, guess: &str) -> Result<(), ApiError> {
    let Some(c) = slot.as_mut() else {
        return Err(ApiError::bad_code());
    };
    if c.code == guess {
        *slot = None;
        return Ok(());
    }
    c.failures += 1;
    if c.failures >= MAX_CODE_ATTEMPTS {
        *slot = None;
        return Err(ApiError::new(
            codes::BAD_CODE,
            StatusCode::TOO_MANY_REQUESTS,
            "Attempt limit exceeded: request a new code.",
        ));
    }
    Err(ApiError::bad_code())
}

/// A token's grant. Tokens of one sign-in (the refresh token and every
/// access token issued from it) share a `family`, which sign-out revokes.
#[derive(Debug, Clone)]
struct Grant {
    user_id: String,
    expires_at: Instant,
    family: u64,
}

/// Who an access token stands for, and the sign-in it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authenticated {
    pub(crate) user_id: String,
    pub(crate) family: u64,
}

/// A freshly issued pair of tokens.
#[derive(Clone)]
pub(crate) struct Issued {
    pub(crate) access: String,
    pub(crate) refresh: String,
}

/// Why a bearer token was refused.
fn token_error(expired: bool) -> ApiError {
    if expired {
        ApiError::unauthorized("The access token has expired.")
    } else {
        ApiError::unauthorized("Invalid access token.")
    }
}

/// All accounts and tokens.
#[derive(Debug, Default)]
pub(crate) struct Accounts {
    by_id: HashMap<String, Account>,
    by_email: HashMap<String, String>,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
    /// Ids of deleted accounts (so dangling references still resolve).
    deleted: std::collections::HashSet<String>,
    seq: u64,
    families: u64,
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Accounts {
    fn find(&self, email: &str) -> Option<&Account> {
        self.by_email
            .get(&email_key(email))
            .and_then(|id| self.by_id.get(id))
    }

    fn find_mut(&mut self, email: &str) -> Option<&mut Account> {
        let id = self.by_email.get(&email_key(email))?;
        self.by_id.get_mut(id)
    }

    fn insert(
        &mut self,
        email: &str,
        password: &str,
        confirmed: bool,
        user_id: String,
    ) -> &mut Account {
        self.seq += 1;
        let name = email
            .trim()
            .split('@')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("user")
            .to_owned();
        let account = Account {
            user_id: user_id.clone(),
            email: email.trim().to_owned(),
            password: password.to_owned(),
            confirmed,
            sign_up_code: None,
            reset_code: None,
            name,
            avatar: String::new(),
            description: String::new(),
            seq: self.seq,
        };
        self.by_email.insert(email_key(email), user_id.clone());
        self.by_id.entry(user_id).or_insert(account)
    }

    /// Creates a confirmed account (seeding); refuses an existing email.
    pub(crate) fn seed(&mut self, email: &str, password: &str) -> Result<String, ApiError> {
        if email.trim().is_empty() {
            return Err(ApiError::bad_request("username must not be empty"));
        }
        if self.find(email).is_some() {
            return Err(exists());
        }
        // Seeded ids are derived from the email: the same at every start.
        let user_id = ids::stable_uuid("user", &email_key(email));
        if self.by_id.contains_key(&user_id) {
            return Err(exists());
        }
        self.deleted.remove(&user_id);
        Ok(self.insert(email, password, true, user_id).user_id.clone())
    }

    /// `POST /auth/sign_up`: creates an unconfirmed account (or renews the
    /// code of an unconfirmed one). Returns the user id and the code.
    pub(crate) fn sign_up(
        &mut self,
        email: &str,
        password: &str,
    ) -> Result<(String, String), ApiError> {
        if email.trim().is_empty() || password.is_empty() {
            return Err(ApiError::bad_request(
                "username and password must not be empty",
            ));
        }
        let code = ids::code();
        if let Some(a) = self.find_mut(email) {
            if a.confirmed {
                return Err(exists());
            }
            a.password = password.to_owned();
            a.sign_up_code = Some(Code::new(&code));
            return Ok((a.user_id.clone(), code));
        }
        let a = self.insert(email, password, false, ids::uuid());
        a.sign_up_code = Some(Code::new(&code));
        Ok((a.user_id.clone(), code))
    }

    /// `POST /auth/resend_confirmation`: a new code for an unconfirmed account.
    pub(crate) fn resend(&mut self, email: &str) -> Result<String, ApiError> {
        let a = self.find_mut(email).ok_or_else(unknown_user)?;
        if a.confirmed {
            return Err(ApiError::bad_request("User is already confirmed."));
        }
        let code = ids::code();
        a.sign_up_code = Some(Code::new(&code));
        Ok(code)
    }

    /// `POST /auth/confirm_sign_up`.
    pub(crate) fn confirm(&mut self, email: &str, code: &str) -> Result<(), ApiError> {
        let a = self.find_mut(email).ok_or_else(unknown_user)?;
        if a.confirmed {
            return Ok(());
        }
        check_code(&mut a.sign_up_code, code)?;
        a.confirmed = true;
        Ok(())
    }

    /// `POST /auth/forgot_password`: returns the reset code.
    pub(crate) fn forgot(&mut self, email: &str) -> Result<String, ApiError> {
        let a = self.find_mut(email).ok_or_else(unknown_user)?;
        let code = ids::code();
        a.reset_code = Some(Code::new(&code));
        Ok(code)
    }

    /// `POST /auth/confirm_reset_password`: sets the password and revokes
    /// every token of the account. Returns the user id.
    pub(crate) fn reset(
        &mut self,
        email: &str,
        code: &str,
        password: &str,
    ) -> Result<String, ApiError> {
        if password.is_empty() {
            return Err(ApiError::bad_request("password must not be empty"));
        }
        let a = self.find_mut(email).ok_or_else(unknown_user)?;
        check_code(&mut a.reset_code, code)?;
        a.password = password.to_owned();
        let user_id = a.user_id.clone();
        self.revoke_user(&user_id);
        Ok(user_id)
    }

    /// Revokes every access and refresh token of a user.
    fn revoke_user(&mut self, user_id: &str) {
        self.access.retain(|_, g| g.user_id != user_id);
        self.refresh.retain(|_, g| g.user_id != user_id);
    }

    /// `POST /auth/sign_in`.
    pub(crate) fn sign_in(
        &mut self,
        email: &str,
        password: &str,
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Result<Issued, ApiError> {
        let a = self.find(email).ok_or_else(ApiError::bad_credentials)?;
        if a.password != password {
            return Err(ApiError::bad_credentials());
        }
        if !a.confirmed {
            return Err(ApiError::new(
                codes::NOT_CONFIRMED,
                StatusCode::FORBIDDEN,
                "User is not confirmed.",
            ));
        }
        let user_id = a.user_id.clone();
        Ok(self.issue(&user_id, access_ttl, refresh_ttl))
    }

    /// Issues a fresh pair of tokens for an existing user.
    pub(crate) fn issue(
        &mut self,
        user_id: &str,
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Issued {
        let now = Instant::now();
        let access = ids::token();
        let refresh = ids::token();
        self.families += 1;
        let family = self.families;
        self.access.insert(
            access.clone(),
            Grant {
                user_id: user_id.to_owned(),
                expires_at: now + access_ttl,
                family,
            },
        );
        self.refresh.insert(
            refresh.clone(),
            Grant {
                user_id: user_id.to_owned(),
                expires_at: now + refresh_ttl,
                family,
            },
        );
        Issued { access, refresh }
    }

    /// `POST /auth/refresh`: a new access token for a valid refresh token of
    /// the named account.
    pub(crate) fn refresh(
        &mut self,
        email: &str,
        refresh_token: &str,
        access_ttl: Duration,
    ) -> Result<String, ApiError> {
        let now = Instant::now();
        let grant = self
            .refresh
            .get(refresh_token)
            .ok_or_else(|| ApiError::unauthorized("Invalid refresh token."))?;
        if grant.expires_at <= now {
            return Err(ApiError::unauthorized("Refresh token has expired."));
        }
        let user_id = grant.user_id.clone();
        let family = grant.family;
        match self.find(email) {
            Some(a) if a.user_id == user_id => {}
            _ => {
                return Err(ApiError::unauthorized(
                    "Refresh token does not match the user.",
                ))
            }
        }
        let access = ids::token();
        self.access.insert(
            access.clone(),
            Grant {
                user_id,
                expires_at: now + access_ttl,
                family,
            },
        );
        Ok(access)
    }

    /// The user a bearer access token stands for.
    pub(crate) fn authenticate(&self, access_token: &str) -> Result<String, ApiError> {
        self.authenticate_grant(access_token).map(|a| a.user_id)
    }

    /// The user and sign-in a bearer access token stands for.
    pub(crate) fn authenticate_grant(&self, access_token: &str) -> Result<Authenticated, ApiError> {
        let grant = self
            .access
            .get(access_token)
            .ok_or_else(|| token_error(false))?;
        if grant.expires_at <= Instant::now() {
            return Err(token_error(true));
        }
        if !self.by_id.contains_key(&grant.user_id) {
            return Err(token_error(false));
        }
        Ok(Authenticated {
            user_id: grant.user_id.clone(),
            family: grant.family,
        })
    }

    /// `POST /auth/sign_out`: revokes the sign-in the access token belongs
    /// to (every access token issued from it and its refresh token), and
    /// every refresh token of its user. Returns the revoked family.
    pub(crate) fn sign_out(&mut self, access_token: &str) -> Option<u64> {
        let g = self.access.remove(access_token)?;
        self.access.retain(|_, a| a.family != g.family);
        self.refresh.retain(|_, r| r.user_id != g.user_id);
        Some(g.family)
    }

    /// Whether a user id belonged to an account that was deleted.
    pub(crate) fn was_deleted(&self, user_id: &str) -> bool {
        self.deleted.contains(user_id)
    }

    /// `POST /auth/delete_account`: removes the account and its tokens.
    pub(crate) fn delete(&mut self, email: &str, password: &str) -> Result<String, ApiError> {
        let a = self.find(email).ok_or_else(ApiError::bad_credentials)?;
        if a.password != password {
            return Err(ApiError::bad_credentials());
        }
        let user_id = a.user_id.clone();
        self.by_email.remove(&email_key(email));
        self.by_id.remove(&user_id);
        self.revoke_user(&user_id);
        self.deleted.insert(user_id.clone());
        Ok(user_id)
    }

    /// Makes every access token (and, with `refresh`, every refresh token) expired.
    pub(crate) fn expire(&mut self, refresh: bool) {
        let now = Instant::now();
        for g in self.access.values_mut() {
            g.expires_at = now;
        }
        if refresh {
            for g in self.refresh.values_mut() {
                g.expires_at = now;
            }
        }
    }

    /// The pending sign-up and reset codes of an account.
    pub(crate) fn codes(&self, email: &str) -> (Option<String>, Option<String>) {
        self.find(email)
            .map(|a| {
                (
                    a.sign_up_code.as_ref().map(|c| c.code.clone()),
                    a.reset_code.as_ref().map(|c| c.code.clone()),
                )
            })
            .unwrap_or_default()
    }

    pub(crate) fn get(&self, user_id: &str) -> Option<&Account> {
        self.by_id.get(user_id)
    }

    pub(crate) fn get_mut(&mut self, user_id: &str) -> Option<&mut Account> {
        self.by_id.get_mut(user_id)
    }

    pub(crate) fn id_of(&self, email: &str) -> Option<String> {
        self.find(email).map(|a| a.user_id.clone())
    }

    /// Accounts in creation order.
    pub(crate) fn list(&self) -> Vec<&Account> {
        let mut v: Vec<&Account> = self.by_id.values().collect();
        v.sort_by_key(|a| a.seq);
        v
    }
}

fn exists() -> ApiError {
    ApiError::new(
        codes::ACCOUNT_EXISTS,
        StatusCode::CONFLICT,
        "An account with the given email already exists.",
    )
}

fn unknown_user() -> ApiError {
    ApiError::not_found("Username/client id combination not found.")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn sign_up_confirm_sign_in_refresh() {
        let mut a = Accounts::default();
        let (id, code) = a.sign_up("A@x.io", "pw").expect("sign up");
        assert_eq!(
            a.sign_in("a@x.io", "pw", HOUR, HOUR).err().map(|e| e.code),
            Some(codes::NOT_CONFIRMED)
        );
        assert_eq!(
            a.confirm("a@x.io", "000000x").err().map(|e| e.code),
            Some(codes::BAD_CODE)
        );
        a.confirm("a@x.io", &code).expect("confirm");
        let t = a.sign_in("a@x.io", "pw", HOUR, HOUR).expect("sign in");
        assert_eq!(a.authenticate(&t.access).ok(), Some(id.clone()));
        let t2 = a.refresh("a@x.io", &t.refresh, HOUR).expect("refresh");
        assert_eq!(a.authenticate(&t2).ok(), Some(id));
        a.expire(false);
        assert!(a.authenticate(&t2).is_err());
        assert!(a.refresh("a@x.io", &t.refresh, HOUR).is_ok());
        a.expire(true);
        assert!(a.refresh("a@x.io", &t.refresh, HOUR).is_err());
    }

    #[test]
    fn zero_ttl_tokens_expire_at_once() {
        let mut a = Accounts::default();
        let id = a.seed("b@x.io", "pw").expect("seed");
        let t = a.issue(&id, Duration::ZERO, HOUR);
        assert_eq!(
            a.authenticate(&t.access).err().map(|e| e.message),
            Some("The access token has expired.".into())
        );
    }
}
