//! The HTTP API, sans-IO: typed requests that build `http::Request<Bytes>`
//! and parsers of `http::Response<Bytes>` into typed results.
//!
//! Each platform call is one struct implementing [`Endpoint`]: fill in its
//! arguments, let [`Endpoint::request`] build the request against an
//! [`ApiContext`] (base URI + access token), send it with any HTTP client, and
//! hand the response to [`Endpoint::parse`]. Nothing here performs I/O.
//!
//! ```
//! use moobius_proto::http::{ApiContext, BaseUri, Endpoint, FetchMemberIds};
//! use moobius_proto::AccessToken;
//!
//! let ctx = ApiContext::new("https://api.moobius.ai/".parse::<BaseUri>()?)
//!     .with_access_token(AccessToken::new("eyJ…"));
//! let call = FetchMemberIds::new("chan-1", "svc-1");
//! let request = call.request(&ctx)?;
//! assert_eq!(
//!     request.uri(),
//!     "https://api.moobius.ai/channel/character_list?channel_id=chan-1&service_id=svc-1"
//! );
//!
//! // ... send `request`, receive `response` ...
//! let response = http::Response::new(bytes::Bytes::from_static(
//!     br#"{"code":10000,"data":{"character_list":["u1","u2"]}}"#,
//! ));
//! let members = call.parse(&response)?;
//! assert_eq!(members, ["u1", "u2"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | area (file) | endpoints |
//! |---|---|
//! | accounts (`auth.rs`) | [`SignIn`], [`Refresh`], [`SignUp`], [`ResendConfirmation`], [`ConfirmSignUp`], [`ForgotPassword`], [`ConfirmResetPassword`], [`DeleteAccount`], [`SignOut`] |
//! | the signed-in user (`user.rs`) | [`FetchUserInfo`], [`UpdateCurrentUser`] |
//! | services (`service.rs`) | [`CreateService`], [`FetchServiceList`], [`BindService`], [`UnbindService`] |
//! | agents (`agent.rs`) | [`CreateAgent`], [`UpdateAgent`], [`FetchAgents`] |
//! | channels (`channel.rs`) | [`CreateChannel`], [`UpdateChannel`], [`FetchPopularChannels`], [`FetchChannelList`], [`FetchMessageHistory`], [`FetchMemberIds`] |
//! | characters (`character.rs`) | [`FetchCharacterProfile`], [`FetchOneCharacterProfile`] |
//! | files (`file.rs`) | [`RequestUploadUrl`], [`UploadFile`], [`DownloadSize`], [`Download`], [`MediaSource`] |
//! | groups (`group.rs`) | [`CreateServiceGroup`], [`FetchServiceGroup`], [`CreateChannelGroup`], [`FetchChannelGroup`], [`FetchChannelGroups`], [`FetchChannelTempGroup`] |
//!
//! How a response is judged, and which errors mean "refresh the token" or
//! "try again later", is described on [`ApiError`].
//!
//! Where this API departs from the reference SDK (each a fix of a documented
//! defect): `204` counts as success everywhere, including bind; the message
//! history is a `GET` without a body and yields the messages, not the
//! envelope; agents are fetched with one request; query strings are
//! URL-encoded; failed uploads are errors.

mod agent;
mod auth;
mod auth_scope;
mod base_uri;
mod channel;
mod character;
mod envelope;
mod error;
mod file;
mod group;
mod multipart;
pub mod paths;
mod request;
mod service;
mod user;
mod wire;

pub use agent::{CreateAgent, FetchAgents, UpdateAgent, DEFAULT_AGENT_DESCRIPTION};
pub use auth::{
    AuthTokens, ConfirmResetPassword, ConfirmSignUp, DeleteAccount, ForgotPassword, Refresh,
    ResendConfirmation, SignIn, SignOut, SignUp,
};
pub use auth_scope::{auth_scope, AuthRequest, AuthScope};
pub use base_uri::{BaseUri, DEFAULT_HTTP_SERVER_URI};
pub use channel::{
    CreateChannel, FetchChannelList, FetchMemberIds, FetchMessageHistory, FetchPopularChannels,
    UpdateChannel, DEFAULT_HISTORY_LIMIT,
};
pub use character::{FetchCharacterProfile, FetchOneCharacterProfile};
pub use error::{ApiError, BaseUriError, RequestError};
pub use file::{
    upload_extension, Download, DownloadSize, MediaSource, RequestUploadUrl, UploadFile,
    UploadTarget, DEFAULT_IMAGE_URL,
};
pub use group::{
    is_placeholder_group_id, ChannelGroup, ChannelGroupQuery, ChannelGroups, CreateChannelGroup,
    CreateServiceGroup, FetchChannelGroup, FetchChannelGroups, FetchChannelTempGroup,
    FetchServiceGroup, MESSAGE_UP_GROUP_NAME,
};
pub use service::{
    BindService, CreateService, FetchServiceList, ServiceEntry, ServiceList, UnbindService,
    DEFAULT_SERVICE_DESCRIPTION,
};
pub use user::{FetchUserInfo, UpdateCurrentUser};

use crate::secret::AccessToken;
use ::http::{Request, Response};
use bytes::Bytes;

/// What every request needs besides its own arguments: where the platform is
/// and, once signed in, the access token.
///
/// `Debug` shows the token redacted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiContext {
    /// The platform's `http_server_uri`.
    pub base: BaseUri,
    /// The access token for `Authorization: Bearer …`; `None` before sign-in.
    pub access_token: Option<AccessToken>,
}

impl ApiContext {
    /// A context for `base` with no token yet.
    #[must_use]
    pub fn new(base: BaseUri) -> Self {
        Self {
            base,
            access_token: None,
        }
    }

    /// The same context carrying `token` (for example after a sign-in or refresh).
    #[must_use]
    pub fn with_access_token(mut self, token: AccessToken) -> Self {
        self.access_token = Some(token);
        self
    }
}

/// One platform call: how to ask, and how to read the answer.
///
/// Implementations are plain data (the call's arguments); building a request
/// and parsing a response are pure functions of that data, the context and
/// the response. Neither panics on any input.
pub trait Endpoint {
    /// The typed result of a successful call.
    type Output;

    /// The reference SDK's function name, used in errors (e.g. `"fetch_member_ids"`).
    const NAME: &'static str;

    /// Builds the HTTP request. Calls that need auth fail with
    /// [`RequestError::MissingAccessToken`] when `ctx` has no token.
    ///
    /// The `Authorization` header is marked sensitive (its `Debug` shows
    /// `Sensitive`), but the bodies of sign-in, sign-up, refresh, reset,
    /// delete and sign-out carry a password or token by necessity: log a
    /// request's method and URI, never its body.
    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError>;

    /// Reads the response to the request built by [`Endpoint::request`].
    fn parse(&self, response: &Response<Bytes>) -> Result<Self::Output, ApiError>;
}

/// A shared endpoint is the same call (so a caller can keep it to read the
/// answer while the session sends it).
impl<E: Endpoint + ?Sized> Endpoint for std::sync::Arc<E> {
    type Output = E::Output;
    const NAME: &'static str = E::NAME;

    fn request(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        (**self).request(ctx)
    }

    fn parse(&self, response: &Response<Bytes>) -> Result<Self::Output, ApiError> {
        (**self).parse(response)
    }
}
