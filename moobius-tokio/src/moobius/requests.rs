//! HTTP operations: channels, services, characters, groups, accounts.

use super::{own, Moobius, NewChannel, Profile};
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
use moobius_proto::session::OpOutput;
use std::collections::BTreeMap;

impl Moobius {
    /// Creates a channel and, unless `bind(false)`, binds this service to it
    /// (`create_channel`). Returns its id.
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
    /// use moobius_tokio::NewChannel;
    /// let id = moobius.create_channel(NewChannel::new("Cats").description("meow")).await?;
    /// assert!(moobius.channels().contains(&id));
    /// # Ok(()) }
    /// ```
    pub async fn create_channel(&self, channel: NewChannel) -> Result<ChannelId, Error> {
        self.reply("create_channel", move |s, now, _| {
            s.create_channel(now, channel.name, channel.description, channel.bind)
        })
        .await
    }

    /// Renames or re-describes a channel (`update_channel`, `POST /channel/update`).
    pub async fn update_channel(
        &self,
        channel_id: impl Into<ChannelId>,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Result<(), Error> {
        self.call(UpdateChannel::new(channel_id, name, description))
            .await
    }

    /// Binds this service to a channel (`bind_service_to_channel`).
    pub async fn bind(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let c = channel_id.into();
        self.call_with(move |s| BindService::new(c, own(s))).await
    }

    /// Unbinds this service from a channel (`unbind_service_from_channel`).
    pub async fn unbind(&self, channel_id: impl Into<ChannelId>) -> Result<(), Error> {
        let c = channel_id.into();
        self.call_with(move |s| UnbindService::new(c, own(s))).await
    }

    /// The account's services and their bound channels (`fetch_service_id_list`).
    pub async fn fetch_service_id_list(&self) -> Result<ServiceList, Error> {
        self.call(FetchServiceList).await
    }

    /// Channel → the service bound to it, for every channel bound to one of
    /// the account's services (`fetch_service_id_each_channel`).
    pub async fn fetch_service_id_each_channel(
        &self,
    ) -> Result<BTreeMap<ChannelId, ServiceId>, Error> {
        Ok(self
            .fetch_service_id_list()
            .await?
            .service_of_each_channel())
    }

    /// The channels bound to this service (`fetch_bound_channels`).
    pub async fn fetch_bound_channels(&self) -> Result<Vec<ChannelId>, Error> {
        let list = self.fetch_service_id_list().await?;
        let me = ServiceId::new(self.own_id().unwrap_or_default());
        Ok(list.bound_channels(&me))
    }

    /// The real users in a channel (`fetch_member_ids`).
    pub async fn fetch_member_ids(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<Vec<CharacterId>, Error> {
        let c = channel_id.into();
        self.call_with(move |s| FetchMemberIds::new(c, own(s)))
            .await
    }

    /// Everyone in a channel: its members' profiles followed by this
    /// service's agents (`fetch_characters`).
    pub async fn fetch_characters(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<Vec<Character>, Error> {
        let c = channel_id.into();
        self.reply("fetch_characters", move |s, now, _| {
            s.fetch_characters(now, c)
        })
        .await
    }

    /// The profiles of characters, in the order asked (`fetch_character_profile`).
    pub async fn fetch_character_profile(
        &self,
        ids: Vec<CharacterId>,
    ) -> Result<Vec<Character>, Error> {
        self.call(FetchCharacterProfile::many(ids)).await
    }

    /// This service's agents (`fetch_agents`).
    pub async fn fetch_agents(&self) -> Result<Vec<Character>, Error> {
        self.call_with(|s| FetchAgents::new(own(s))).await
    }

    /// Creates an agent of this service (`create_agent`); a local avatar is
    /// uploaded first, none means the default image.
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
    /// use moobius_tokio::Profile;
    /// let bot = moobius.create_agent(Profile::new("Echo").description("repeats you")).await?;
    /// println!("agent {} is {}", bot.character_id, bot.name);
    /// # Ok(()) }
    /// ```
    pub async fn create_agent(&self, profile: Profile) -> Result<Character, Error> {
        let avatar = self.to_url(profile.avatar.as_deref().unwrap_or("")).await?;
        let description = profile
            .description
            .unwrap_or_else(|| DEFAULT_AGENT_DESCRIPTION.to_owned());
        let name = profile.name;
        self.call_with(move |s| CreateAgent {
            service_id: ServiceId::new(own(s)),
            name,
            avatar,
            description,
        })
        .await
    }

    /// Changes an agent's name, avatar and description (`update_agent`);
    /// returns the platform's answer.
    pub async fn update_agent(
        &self,
        character_id: impl Into<CharacterId>,
        profile: Profile,
    ) -> Result<serde_json::Value, Error> {
        let avatar = self.to_url(profile.avatar.as_deref().unwrap_or("")).await?;
        let description = profile
            .description
            .unwrap_or_else(|| DEFAULT_AGENT_DESCRIPTION.to_owned());
        let (name, character_id) = (profile.name, character_id.into());
        self.call_with(move |s| UpdateAgent {
            service_id: ServiceId::new(own(s)),
            character_id,
            name,
            avatar,
            description,
        })
        .await
    }

    /// Changes the signed-in user's name, avatar and description
    /// (`update_current_user`); returns the platform's answer.
    pub async fn update_current_user(&self, profile: Profile) -> Result<serde_json::Value, Error> {
        let avatar = self.to_url(profile.avatar.as_deref().unwrap_or("")).await?;
        self.call(UpdateCurrentUser {
            avatar,
            description: profile.description.unwrap_or_default(),
            name: profile.name,
        })
        .await
    }

    /// Channels the platform lists as popular (`fetch_popular_channels`).
    pub async fn fetch_popular_channels(&self) -> Result<Vec<ChannelId>, Error> {
        self.call(FetchPopularChannels).await
    }

    /// Channels of the signed-in account (`fetch_channel_list`).
    pub async fn fetch_channel_list(&self) -> Result<Vec<ChannelId>, Error> {
        self.call(FetchChannelList).await
    }

    /// A channel's past messages (`fetch_message_history`), as raw JSON.
    /// The query is the endpoint's builder (the reference's `Moobius`
    /// default is `limit(1024)`).
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
    /// use moobius_tokio::proto::http::FetchMessageHistory;
    /// let last = moobius.fetch_message_history(FetchMessageHistory::new("chan").limit(10)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn fetch_message_history(
        &self,
        query: FetchMessageHistory,
    ) -> Result<Vec<serde_json::Value>, Error> {
        self.call(query).await
    }

    /// The groups of a channel (`fetch_channel_group_list`).
    pub async fn fetch_channel_group_list(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<ChannelGroups, Error> {
        let c = channel_id.into();
        self.call_with(move |s| FetchChannelGroups::new(c, own(s)))
            .await
    }

    /// A channel's "temp" group(s), raw (`fetch_channel_temp_group`; for
    /// diagnostics).
    pub async fn fetch_channel_temp_group(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<serde_json::Value, Error> {
        let c = channel_id.into();
        self.call_with(move |s| FetchChannelTempGroup::new(c, own(s)))
            .await
    }

    /// Makes a group of characters in a channel (`create_channel_group`).
    pub async fn create_channel_group(
        &self,
        channel_id: impl Into<ChannelId>,
        group_name: impl Into<String>,
        characters: Vec<CharacterId>,
    ) -> Result<Group, Error> {
        self.call(CreateChannelGroup::new(channel_id, group_name, characters))
            .await
    }

    /// Makes a service group of characters (`create_service_group`).
    pub async fn create_service_group(&self, characters: Vec<CharacterId>) -> Result<Group, Error> {
        self.call(CreateServiceGroup::new(characters)).await
    }

    /// The members of a group seen in a channel, asked as `user_id`
    /// (`character_ids_of_channel_group`).
    pub async fn character_ids_of_channel_group(
        &self,
        group_id: impl Into<GroupId>,
        channel_id: impl Into<ChannelId>,
        user_id: impl Into<CharacterId>,
    ) -> Result<Vec<CharacterId>, Error> {
        self.call(FetchChannelGroup::new(group_id, channel_id, user_id))
            .await
    }

    /// The members of a service group (`character_ids_of_service_group`).
    pub async fn character_ids_of_service_group(
        &self,
        group_id: impl Into<GroupId>,
    ) -> Result<Vec<CharacterId>, Error> {
        self.call(FetchServiceGroup::new(group_id)).await
    }

    /// Signs in again now, replacing both tokens (`authenticate`).
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.op(|s, now, _| s.authenticate(now))
            .await
            .map(drop_output)
    }

    /// Refreshes the access token now (`refresh_authentication`).
    pub async fn refresh_authentication(&self) -> Result<(), Error> {
        self.op(|s, now, _| s.refresh_authentication(now))
            .await
            .map(drop_output)
    }

    /// Asks the platform to create the configured account; it emails a
    /// confirmation code (`sign_up`; the reference's is broken).
    pub async fn sign_up(&self) -> Result<(), Error> {
        let (email, password) = self.credentials();
        self.call(SignUp::new(email, password.clone())).await
    }

    /// Invalidates the current access token (`sign_out`). Later calls need
    /// [`authenticate`](Self::authenticate) first.
    pub async fn sign_out(&self) -> Result<(), Error> {
        self.call(SignOut).await
    }
}

fn drop_output(_: OpOutput) {}
