//! The answers of the session's own HTTP calls, as one closed enum: each
//! endpoint the session calls is listed once, with the variant its output
//! travels in, so a call's result reaches its purpose typed (no `Any`).

use super::calls::Call;
use super::event::{OpError, TransportError};
use crate::http::{
    ApiContext, ApiError, AuthTokens, BindService, ChannelGroups, CreateChannel,
    CreateChannelGroup, CreateService, CreateServiceGroup, Endpoint, FetchAgents,
    FetchChannelGroup, FetchChannelGroups, FetchChannelList, FetchCharacterProfile, FetchMemberIds,
    FetchServiceList, FetchUserInfo, Refresh, RequestError, RequestUploadUrl, ServiceList, SignIn,
    UnbindService, UploadFile, UploadTarget,
};
use crate::ids::{ChannelId, CharacterId, ServiceId};
use crate::model::{Character, Group, UserInfo};
use crate::secret::AccessToken;
use bytes::Bytes;
use http::{Request, Response};

/// Generates [`Reply`], a [`Call`] impl for every endpoint the session
/// calls, and [`FromReply`] for every output type.
macro_rules! replies {
    ($($variant:ident($ty:ty) <= $($endpoint:ty),+;)*) => {
        /// The typed answer of one of the session's own calls, or the raw
        /// response of an application call.
        pub(super) enum Reply {
            $($variant($ty),)*
            /// An application call's response, judged successful by its
            /// endpoint; the caller reads it with `Endpoint::parse`.
            Raw(Response<Bytes>),
        }

        $($(
            impl Call for $endpoint {
                fn build(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
                    self.request(ctx)
                }

                fn parse(&self, response: Response<Bytes>) -> Result<Reply, ApiError> {
                    Endpoint::parse(self, &response).map(Reply::$variant)
                }
            }
        )+
            impl FromReply for $ty {
                fn from_reply(reply: Reply) -> Result<Self, OpError> {
                    match reply {
                        Reply::$variant(v) => Ok(v),
                        _ => Err(unexpected()),
                    }
                }
            }
        )*
    };
}

replies! {
    Tokens(AuthTokens) <= SignIn;
    Token(AccessToken) <= Refresh;
    Service(ServiceId) <= CreateService;
    Services(ServiceList) <= FetchServiceList;
    User(UserInfo) <= FetchUserInfo;
    Channel(ChannelId) <= CreateChannel;
    Channels(Vec<ChannelId>) <= FetchChannelList;
    Unit(()) <= BindService, UnbindService;
    Groups(ChannelGroups) <= FetchChannelGroups;
    CharacterIds(Vec<CharacterId>) <= FetchMemberIds, FetchChannelGroup;
    Group(Group) <= CreateServiceGroup, CreateChannelGroup;
    Characters(Vec<Character>) <= FetchCharacterProfile, FetchAgents;
    Target(UploadTarget) <= RequestUploadUrl;
    Text(String) <= UploadFile;
    Size(Option<u64>) <= crate::http::DownloadSize;
}

/// An output type that travels in one variant of [`Reply`].
pub(super) trait FromReply: Sized {
    fn from_reply(reply: Reply) -> Result<Self, OpError>;
}

/// Takes the typed output a purpose expects out of a call's result.
pub(super) fn take<T: FromReply>(reply: Reply) -> Result<T, OpError> {
    T::from_reply(reply)
}

/// A purpose met the answer of another endpoint: a bug, reported as a
/// failed call rather than a panic.
pub(super) fn unexpected() -> OpError {
    OpError::Transport(TransportError("internal: unexpected answer type".into()))
}

/// An application's call: judged by its endpoint (so that expired tokens
/// and retryable failures are handled here), answered raw.
pub(super) struct AppCall<E>(pub(super) E);

impl<E: Endpoint + Send> Call for AppCall<E> {
    fn build(&self, ctx: &ApiContext) -> Result<Request<Bytes>, RequestError> {
        self.0.request(ctx)
    }

    fn parse(&self, response: Response<Bytes>) -> Result<Reply, ApiError> {
        self.0.parse(&response).map(|_| Reply::Raw(response))
    }
}
