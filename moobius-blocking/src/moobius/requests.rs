//! HTTP operations: channels, services, characters, groups, accounts. Each
//! goes through the session (current token, refresh on expiry, retries of
//! retry-safe calls).

use super::{own, Moobius};
use crate::Error;
use moobius_proto::http::{
    BindService, ChannelGroups, CreateAgent, CreateChannelGroup, CreateServiceGroup, FetchAgents,
    FetchChannelGroup, FetchChannelGroups, FetchChannelList, FetchChannelTempGroup,
    FetchCharacterProfile, FetchMemberIds, FetchMessageHistory, FetchPopularChannels,
    FetchServiceGroup, FetchServiceList, ServiceList, SignOut, SignUp, UnbindService, UpdateAgent,
    UpdateChannel, UpdateCurrentUser, DEFAULT_AGENT_DESCRIPTION,
};
use moobius_proto::ids::{ChannelId, CharacterId, GroupId, ServiceId};
use moobius_proto::model::{Character, Group};
use std::collections::BTreeMap;

impl Moobius {
    /// Creates a channel and, when `bind` (the reference's default), binds
    /// this service to it (`create_channel`). Returns its id.
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// let id = moobius.create_channel("Cats", "All about cats", true)?;
    /// assert!(moobius.channels().contains(&id));
    /// # Ok(()) }
    /// ```
    pub fn create_channel(
        &self,
        name: impl Into<String>,
        description: impl Into<String>,
        bind: bool,
    ) -> Result<ChannelId, Error> {
        let (name, description) = (name.into(), description.into());
        self.reply("create_channel", move |s, now, _| {
            s.create_channel(now, name, description, bind)
        })
    }

    /// Renames or re-describes a channel (`update_channel`).
    pub fn update_channel(
        &self,
        channel_id: impl Into<ChannelId>,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Result<(), Error> {
        self.call(UpdateChannel::new(channel_id, name, description))
    }

    /// Binds this service to a channel (`bind_service_to_channel`).
    pub fn bind(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let channel = channel_id.into();
        self.call_with(move |s| BindService::new(channel, own(s)))
    }

    /// Unbinds this service from a channel (`unbind_service_from_channel`).
    pub fn unbind(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let channel = channel_id.into();
        self.call_with(move |s| UnbindService::new(channel, own(s)))
    }

    /// The account's services and their bound channels
    /// (`fetch_service_id_list`).
    pub fn fetch_service_id_list(&self) -> Result<ServiceList, Error> {
        self.call(FetchServiceList)
    }

    /// Channel → the service bound to it, over the account's services
    /// (`fetch_service_id_each_channel`).
    pub fn fetch_service_id_each_channel(&self) -> Result<BTreeMap<ChannelId, ServiceId>, Error> {
        self.fetch_service_id_list()
            .map(|list| list.service_of_each_channel())
    }

    /// The channels bound to this service (`fetch_bound_channels`).
    pub fn fetch_bound_channels(&self) -> Result<Vec<ChannelId>, Error> {
        let me = ServiceId::new(self.own_id().unwrap_or_default());
        self.fetch_service_id_list()
            .map(|list| list.bound_channels(&me))
    }

    /// The real users in a channel (`fetch_member_ids`).
    pub fn fetch_member_ids(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<Vec<CharacterId>, Error> {
        let channel = channel_id.into();
        self.call_with(move |s| FetchMemberIds::new(channel, own(s)))
    }

    /// Everyone in a channel: its members' profiles, then this service's
    /// agents (`fetch_characters`).
    pub fn fetch_characters(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<Vec<Character>, Error> {
        let channel = channel_id.into();
        self.reply("fetch_characters", move |s, now, _| {
            s.fetch_characters(now, channel)
        })
    }

    /// Profiles of characters, in the order asked
    /// (`fetch_character_profile`).
    pub fn fetch_character_profile(&self, ids: Vec<CharacterId>) -> Result<Vec<Character>, Error> {
        self.call(FetchCharacterProfile::many(ids))
    }

    /// This service's agents (`fetch_agents`).
    pub fn fetch_agents(&self) -> Result<Vec<Character>, Error> {
        self.call_with(|s| FetchAgents::new(own(s)))
    }

    /// Creates an agent of this service (`create_agent`). `avatar` is a URL
    /// or a local image (uploaded first); `None` or empty means the default
    /// image. The description defaults to the reference's.
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// let echo = moobius.create_agent("Echo", None, Some("repeats you"))?;
    /// println!("agent {} is {}", echo.character_id, echo.name);
    /// # Ok(()) }
    /// ```
    pub fn create_agent(
        &self,
        name: impl Into<String>,
        avatar: Option<&str>,
        description: Option<&str>,
    ) -> Result<Character, Error> {
        let avatar = self.to_url(avatar.unwrap_or_default())?;
        let description = description.unwrap_or(DEFAULT_AGENT_DESCRIPTION).to_owned();
        let name = name.into();
        self.call_with(move |s| CreateAgent {
            service_id: ServiceId::new(own(s)),
            name,
            avatar,
            description,
        })
    }

    /// Changes an agent's name, avatar and description (`update_agent`);
    /// returns the platform's answer.
    pub fn update_agent(
        &self,
        character_id: impl Into<CharacterId>,
        name: impl Into<String>,
        avatar: Option<&str>,
        description: Option<&str>,
    ) -> Result<serde_json::Value, Error> {
        let avatar = self.to_url(avatar.unwrap_or_default())?;
        let description = description.unwrap_or(DEFAULT_AGENT_DESCRIPTION).to_owned();
        let (name, character_id) = (name.into(), character_id.into());
        self.call_with(move |s| UpdateAgent {
            service_id: ServiceId::new(own(s)),
            character_id,
            name,
            avatar,
            description,
        })
    }

    /// Changes the signed-in user's name, avatar and description
    /// (`update_current_user`); returns the platform's answer.
    pub fn update_current_user(
        &self,
        name: impl Into<String>,
        avatar: Option<&str>,
        description: Option<&str>,
    ) -> Result<serde_json::Value, Error> {
        let avatar = self.to_url(avatar.unwrap_or_default())?;
        self.call(UpdateCurrentUser {
            avatar,
            description: description.unwrap_or_default().to_owned(),
            name: name.into(),
        })
    }

    /// Channels the platform lists as popular (`fetch_popular_channels`).
    pub fn fetch_popular_channels(&self) -> Result<Vec<ChannelId>, Error> {
        self.call(FetchPopularChannels)
    }

    /// Channels of the signed-in account (`fetch_channel_list`).
    pub fn fetch_channel_list(&self) -> Result<Vec<ChannelId>, Error> {
        self.call(FetchChannelList)
    }

    /// A channel's past messages, as raw JSON (`fetch_message_history`);
    /// the query is the endpoint's builder.
    ///
    /// ```no_run
    /// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// use moobius_blocking::proto::http::FetchMessageHistory;
    /// let last = moobius.fetch_message_history(FetchMessageHistory::new("chan").limit(10))?;
    /// # Ok(()) }
    /// ```
    pub fn fetch_message_history(
        &self,
        query: FetchMessageHistory,
    ) -> Result<Vec<serde_json::Value>, Error> {
        self.call(query)
    }

    /// The groups of a channel (`fetch_channel_group_list`).
    pub fn fetch_channel_group_list(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<ChannelGroups, Error> {
        let channel = channel_id.into();
        self.call_with(move |s| FetchChannelGroups::new(channel, own(s)))
    }

    /// A channel's "temp" group(s), raw (`fetch_channel_temp_group`; for
    /// diagnostics).
    pub fn fetch_channel_temp_group(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<serde_json::Value, Error> {
        let channel = channel_id.into();
        self.call_with(move |s| FetchChannelTempGroup::new(channel, own(s)))
    }

    /// Makes a named group of characters in a channel
    /// (`create_channel_group`).
    pub fn create_channel_group(
        &self,
        channel_id: impl Into<ChannelId>,
        group_name: impl Into<String>,
        characters: Vec<CharacterId>,
    ) -> Result<Group, Error> {
        self.call(CreateChannelGroup::new(channel_id, group_name, characters))
    }

    /// Makes a service group of characters (`create_service_group`).
    pub fn create_service_group(&self, characters: Vec<CharacterId>) -> Result<Group, Error> {
        self.call(CreateServiceGroup::new(characters))
    }

    /// The members of a group as seen in a channel by `user_id`
    /// (`character_ids_of_channel_group`).
    pub fn character_ids_of_channel_group(
        &self,
        group_id: impl Into<GroupId>,
        channel_id: impl Into<ChannelId>,
        user_id: impl Into<CharacterId>,
    ) -> Result<Vec<CharacterId>, Error> {
        self.call(FetchChannelGroup::new(group_id, channel_id, user_id))
    }

    /// The members of a service group (`character_ids_of_service_group`).
    pub fn character_ids_of_service_group(
        &self,
        group_id: impl Into<GroupId>,
    ) -> Result<Vec<CharacterId>, Error> {
        self.call(FetchServiceGroup::new(group_id))
    }

    /// Signs in again now, replacing both tokens (`authenticate`).
    pub fn authenticate(&self) -> Result<(), Error> {
        self.op(|s, now, _| s.authenticate(now)).map(drop)
    }

    /// Refreshes the access token now (`refresh_authentication`).
    pub fn refresh_authentication(&self) -> Result<(), Error> {
        self.op(|s, now, _| s.refresh_authentication(now)).map(drop)
    }

    /// Asks the platform to create the configured account, which emails a
    /// confirmation code (`sign_up`).
    pub fn sign_up(&self) -> Result<(), Error> {
        let id = &self.engine().identity;
        self.call(SignUp::new(id.email.clone(), id.password.clone()))
    }

    /// Invalidates the current access token (`sign_out`); later calls need
    /// [`authenticate`](Self::authenticate) first.
    pub fn sign_out(&self) -> Result<(), Error> {
        self.call(SignOut)
    }
}
