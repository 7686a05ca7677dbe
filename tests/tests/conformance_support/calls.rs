//! Every handle method as a value: [`Call`] names one method with its
//! arguments, [`Out`] holds its typed result, and `dispatch_tokio` /
//! `dispatch_blocking` call the method on a driver's handle. One list,
//! written once by `calls!`, so a method of the handle surface missing
//! here is a mismatch with `Moobius::OPERATIONS` (see the coverage test).

use moobius_proto::compose::{MessageSpec, Recipients};
use moobius_proto::http::{
    ChannelGroupQuery, ChannelGroups, FetchMessageHistory, FetchUserInfo, ServiceList,
};
use moobius_proto::ids::{ChannelId, CharacterId, GroupId, ServiceId};
use moobius_proto::model::{
    Button, CanvasItem, ChannelInfo, Character, Group, MenuItem, StyleItem, UserInfo,
};
use moobius_proto::ops::{Click, DownloadOptions, MenuClick, NewChannel, Profile};
use moobius_runtime::Error;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The typed result of a handle method.
#[derive(Debug)]
pub enum Out {
    /// `()`.
    Unit(()),
    /// One channel id.
    Channel(ChannelId),
    /// Channel ids.
    Channels(Vec<ChannelId>),
    /// The account's services.
    Services(ServiceList),
    /// Channel → service.
    ServiceMap(BTreeMap<ChannelId, ServiceId>),
    /// Character ids.
    Ids(Vec<CharacterId>),
    /// Profiles.
    Characters(Vec<Character>),
    /// One profile.
    Character(Character),
    /// Raw JSON.
    Json(Value),
    /// Raw JSON items.
    Jsons(Vec<Value>),
    /// A channel's groups.
    Groups(ChannelGroups),
    /// One group.
    Group(Group),
    /// A URL.
    Url(String),
    /// Downloaded bytes.
    Bytes(bytes::Bytes),
    /// A saved file.
    Path(PathBuf),
    /// A file's size, if the server said.
    Size(Option<u64>),
    /// `GET /user/info`.
    UserInfo(UserInfo),
}

macro_rules! getters {
    ($($variant:ident $getter:ident $ty:ty;)*) => {
        impl Out {
            $(
                /// The value, or a panic naming what came instead.
                #[track_caller]
                pub fn $getter(self) -> $ty {
                    match self {
                        Out::$variant(v) => v,
                        other => panic!(concat!("expected ", stringify!($variant), ", got {:?}"), other),
                    }
                }
            )*
        }
    };
}

getters! {
    Channel channel ChannelId;
    Channels channels Vec<ChannelId>;
    Services services ServiceList;
    ServiceMap service_map BTreeMap<ChannelId, ServiceId>;
    Ids ids Vec<CharacterId>;
    Characters characters Vec<Character>;
    Character character Character;
    Json json Value;
    Jsons jsons Vec<Value>;
    Groups groups ChannelGroups;
    Group group Group;
    Url url String;
    Bytes bytes bytes::Bytes;
    Path path PathBuf;
    Size size Option<u64>;
    UserInfo user_info UserInfo;
}

macro_rules! calls {
    ($($variant:ident => $method:ident($($arg:ident: $ty:ty),*) -> $out:ident;)*) => {
        /// One call of a handle method with its arguments (fields named as
        /// the method's parameters).
        #[derive(Debug)]
        pub enum Call {
            $(
                #[doc = concat!("`Moobius::", stringify!($method), "`.")]
                $variant { $($arg: $ty),* },
            )*
        }

        impl Call {
            /// The name of every method, in list order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($method)),*];

            /// The method's name, as in `Moobius::OPERATIONS`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Call::$variant { .. } => stringify!($method),)*
                }
            }
        }

        /// Runs `call` on a moobius-tokio handle.
        pub async fn dispatch_tokio(m: &moobius_tokio::Moobius, call: Call) -> Result<Out, Error> {
            match call {
                $(Call::$variant { $($arg),* } => m.$method($($arg),*).await.map(Out::$out),)*
            }
        }

        /// Runs `call` on a moobius-blocking handle.
        pub fn dispatch_blocking(m: &moobius_blocking::Moobius, call: Call) -> Result<Out, Error> {
            match call {
                $(Call::$variant { $($arg),* } => m.$method($($arg),*).map(Out::$out),)*
            }
        }
    };
}

calls! {
    SendMessage => send_message(spec: MessageSpec) -> Unit;
    SendText => send_text(channel: ChannelId, text: String, to: Recipients, sender: Option<CharacterId>) -> Unit;
    SendFrame => send(frame_type: String, body: Value) -> Unit;
    SendCharacters => send_characters(channel: ChannelId, characters: Vec<CharacterId>, to: Recipients) -> Unit;
    SendButtons => send_buttons(channel: ChannelId, buttons: Vec<Button>, to: Recipients) -> Unit;
    SendMenu => send_menu(channel: ChannelId, items: Vec<MenuItem>, to: Recipients) -> Unit;
    SendStyle => send_style(channel: ChannelId, items: Vec<StyleItem>, to: Recipients) -> Unit;
    SendCanvas => send_canvas(channel: ChannelId, items: Vec<CanvasItem>, to: Recipients) -> Unit;
    SendChannelInfo => send_channel_info(info: ChannelInfo) -> Unit;
    SendUpdate => send_update(body: Value) -> Unit;
    SendHeartbeat => send_heartbeat() -> Unit;
    SendRefresh => send_refresh(channel: ChannelId) -> Unit;
    JoinChannel => join_channel(channel: ChannelId) -> Unit;
    LeaveChannel => leave_channel(channel: ChannelId) -> Unit;
    SendButtonClick => send_button_click(click: Click) -> Unit;
    SendMenuItemClick => send_menu_item_click(click: MenuClick) -> Unit;
    CreateChannel => create_channel(channel: NewChannel) -> Channel;
    UpdateChannel => update_channel(channel: ChannelId, name: String, description: String) -> Unit;
    Bind => bind(channel: ChannelId) -> Unit;
    Unbind => unbind(channel: ChannelId) -> Unit;
    FetchServiceIdList => fetch_service_id_list() -> Services;
    FetchServiceIdEachChannel => fetch_service_id_each_channel() -> ServiceMap;
    FetchBoundChannels => fetch_bound_channels() -> Channels;
    FetchMemberIds => fetch_member_ids(channel: ChannelId) -> Ids;
    FetchCharacters => fetch_characters(channel: ChannelId) -> Characters;
    FetchCharacterProfile => fetch_character_profile(ids: Vec<CharacterId>) -> Characters;
    FetchAgents => fetch_agents() -> Characters;
    CreateAgent => create_agent(profile: Profile) -> Character;
    UpdateAgent => update_agent(agent: CharacterId, profile: Profile) -> Json;
    UpdateCurrentUser => update_current_user(profile: Profile) -> Json;
    FetchPopularChannels => fetch_popular_channels() -> Channels;
    FetchChannelList => fetch_channel_list() -> Channels;
    FetchMessageHistory => fetch_message_history(query: FetchMessageHistory) -> Jsons;
    FetchChannelGroupList => fetch_channel_group_list(channel: ChannelId) -> Groups;
    FetchChannelTempGroup => fetch_channel_temp_group(channel: ChannelId) -> Json;
    CreateChannelGroup => create_channel_group(channel: ChannelId, name: String, characters: Vec<CharacterId>) -> Group;
    CreateServiceGroup => create_service_group(characters: Vec<CharacterId>) -> Group;
    CharacterIdsOfChannelGroup => character_ids_of_channel_group(query: ChannelGroupQuery) -> Ids;
    CharacterIdsOfServiceGroup => character_ids_of_service_group(group: GroupId) -> Ids;
    Authenticate => authenticate() -> Unit;
    RefreshAuthentication => refresh_authentication() -> Unit;
    SignUp => sign_up() -> Unit;
    SignOut => sign_out() -> Unit;
    Upload => upload(path: PathBuf) -> Url;
    UploadBytes => upload_bytes(file_name: String, bytes: Vec<u8>) -> Url;
    DownloadBytes => download_bytes(url: String) -> Bytes;
    Download => download(url: String, options: DownloadOptions) -> Path;
    DownloadSize => download_size(url: String, options: DownloadOptions) -> Size;
    AnyEndpoint => call(endpoint: FetchUserInfo) -> UserInfo;
}
