//! Every endpoint path of the platform's HTTP API (PROTOCOL.md §4), in one
//! place, for clients and for the devserver alike.

/// `POST` — sign in with email and password.
pub const AUTH_SIGN_IN: &str = "/auth/sign_in";
/// `POST` — trade a refresh token for a new access token.
pub const AUTH_REFRESH: &str = "/auth/refresh";
/// `POST` — create an account (a confirmation code is sent).
pub const AUTH_SIGN_UP: &str = "/auth/sign_up";
/// `POST` — send the sign-up confirmation code again.
pub const AUTH_RESEND_CONFIRMATION: &str = "/auth/resend_confirmation";
/// `POST` — confirm a sign-up with its code.
pub const AUTH_CONFIRM_SIGN_UP: &str = "/auth/confirm_sign_up";
/// `POST` — ask for a password-reset code.
pub const AUTH_FORGOT_PASSWORD: &str = "/auth/forgot_password";
/// `POST` — set a new password with a reset code.
pub const AUTH_CONFIRM_RESET_PASSWORD: &str = "/auth/confirm_reset_password";
/// `POST` — delete the account.
pub const AUTH_DELETE_ACCOUNT: &str = "/auth/delete_account";
/// `POST` — sign out (invalidates the access token).
pub const AUTH_SIGN_OUT: &str = "/auth/sign_out";

/// `GET` reads, `POST` updates the signed-in user's profile.
pub const USER_INFO: &str = "/user/info";

/// `POST` — create a service.
pub const SERVICE_CREATE: &str = "/service/create";
/// `GET` — the account's services with their bound channels.
pub const SERVICE_LIST: &str = "/service/list";
/// `POST` — bind a service to a channel.
pub const SERVICE_BIND: &str = "/service/bind";
/// `POST` — unbind a service from a channel.
pub const SERVICE_UNBIND: &str = "/service/unbind";
/// `POST` — create an agent (a service character).
pub const SERVICE_CHARACTER_CREATE: &str = "/service/character/create";
/// `POST` — update an agent.
pub const SERVICE_CHARACTER_UPDATE: &str = "/service/character/update";
/// `GET` — a service's agents.
pub const SERVICE_CHARACTER_LIST: &str = "/service/character/list";
/// `POST` — create a service group.
pub const SERVICE_GROUP_CREATE: &str = "/service/group/create";
/// `GET` — look a service group up.
pub const SERVICE_GROUP: &str = "/service/group";

/// `POST` — create a channel.
pub const CHANNEL_CREATE: &str = "/channel/create";
/// `POST` — rename or re-describe a channel.
pub const CHANNEL_UPDATE: &str = "/channel/update";
/// `GET` — popular channels.
pub const CHANNEL_POPULAR: &str = "/channel/popular";
/// `GET` — the caller's channels.
pub const CHANNEL_LIST: &str = "/channel/list";
/// `GET` — a channel's message history.
pub const CHANNEL_HISTORY_MESSAGE: &str = "/channel/history_message";
/// `GET` — a channel's member ids.
pub const CHANNEL_CHARACTER_LIST: &str = "/channel/character_list";

/// `POST` — profiles of characters by id.
pub const CHARACTER_FETCH_PROFILE: &str = "/character/fetch_profile";

/// `GET` — a presigned upload URL and its form fields.
pub const FILE_UPLOAD: &str = "/file/upload";

/// `POST` — create a channel group.
pub const USER_GROUP_CREATE: &str = "/user/group/create";
/// `GET` — look a group up (any kind).
pub const USER_GROUP: &str = "/user/group";
/// `GET` — a channel's groups.
pub const USER_GROUP_LIST: &str = "/user/group/list";
/// `GET` — a channel's temporary group.
pub const USER_GROUP_TEMP: &str = "/user/group/temp";

/// Envelope `code` of a successful answer.
pub const CODE_OK: i64 = 10000;
/// The other envelope `code` that means success.
pub const CODE_OK_NO_CONTENT: i64 = 204;

/// Value of the `Auth-Origin` header on authenticated calls.
pub const AUTH_ORIGIN_HEADER_VALUE: &str = "cognito";
/// Name of the header carrying the identity provider.
pub const AUTH_ORIGIN_HEADER: &str = "Auth-Origin";
