//! The one handle surface: [`handle_surface!`](crate::handle_surface)
//! writes every platform method of a driver's `Moobius` handle from the
//! operation list in `moobius_proto::ops`, `async` or not.

/// Writes the platform methods of a driver's `Moobius` handle, so both
/// drivers offer the same names, arguments and option structs; the only
/// difference is `async`. Invoke inside `impl Moobius { .. }` as
/// `handle_surface!(async await);` (async driver) or `handle_surface!();`
/// (blocking driver).
///
/// The handle must provide (with `async` in the async driver):
/// `run<O: Operation>(&self, op: O) -> Result<O::Output, Error>`,
/// `read_file(&self, path: &Path) -> Result<Bytes, Error>`,
/// `save_download(&self, url: String, options: DownloadOptions, bytes: Bytes)
/// -> Result<PathBuf, Error>`, `own_id(&self) -> Option<String>` and
/// `credentials(&self) -> (&str, &Password)`.
///
/// It also defines `Moobius::OPERATIONS`, the names of the methods written,
/// for the test that both handles offer the same list.
#[macro_export]
macro_rules! handle_surface {
    ($($async:tt $await:tt)?) => {
        /// The names of the platform methods of this handle, the same list
        /// in both drivers.
        pub const OPERATIONS: &'static [&'static str] = &[
            "send_message", "send_text", "send", "send_characters", "send_buttons",
            "send_menu", "send_style", "send_canvas", "send_channel_info", "send_update",
            "send_heartbeat", "send_refresh", "join_channel", "leave_channel",
            "send_button_click", "send_menu_item_click", "create_channel", "update_channel",
            "bind", "unbind", "fetch_service_id_list", "fetch_service_id_each_channel",
            "fetch_bound_channels", "fetch_member_ids", "fetch_characters",
            "fetch_character_profile", "fetch_agents", "create_agent", "update_agent",
            "update_current_user", "fetch_popular_channels", "fetch_channel_list",
            "fetch_message_history", "fetch_channel_group_list", "fetch_channel_temp_group",
            "create_channel_group", "create_service_group", "character_ids_of_channel_group",
            "character_ids_of_service_group", "authenticate", "refresh_authentication",
            "sign_up", "sign_out", "upload", "upload_bytes", "download_bytes", "download",
            "download_size", "call",
        ];

        // ---- state ------------------------------------------------------
        // (read from the driver's `status_now()`: the status as it is now)

        /// Own service id (service mode) or user id (user mode), once known.
        #[must_use]
        pub fn own_id(&self) -> Option<String> {
            self.status_now().own_id.clone()
        }

        /// Channels served (service mode, once bound), in configuration
        /// order; channels created with [`create_channel`](Self::create_channel)
        /// and bound are added.
        #[must_use]
        pub fn channels(&self) -> Vec<$crate::__proto::ids::ChannelId> {
            self.status_now().channels.clone()
        }

        /// True once start-up finished (the `on_start` callback is due).
        #[must_use]
        pub fn is_ready(&self) -> bool {
            self.status_now().ready
        }

        /// True once the loop has ended (asked to stop, or failed).
        #[must_use]
        pub fn is_stopped(&self) -> bool {
            self.status_now().stopped
        }

        /// The handle's `Debug` form: mode, own id, ready, stopped (never
        /// the credentials it holds).
        fn fmt_debug(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            let st = self.status_now();
            f.debug_struct("Moobius")
                .field("mode", &self.mode())
                .field("own_id", &st.own_id)
                .field("ready", &st.ready)
                .field("stopped", &st.stopped)
                .finish_non_exhaustive()
        }

        // ---- websocket --------------------------------------------------

        /// Sends a message (`send_message`): down to its recipients in
        /// service mode (shown as from `spec.sender`), up to the channel in
        /// user mode. A local file is read here and uploaded by the session
        /// first (the same bytes once); the message still leaves in order.
        /// Returns once the frame was written.
        pub $($async)? fn send_message(
            &self,
            spec: $crate::__proto::compose::MessageSpec,
        ) -> Result<(), $crate::Error> {
            use $crate::__proto::compose::{FileSource, MessageInput};
            let file = match &spec.input {
                MessageInput::File { source: FileSource::Local(path), .. } => {
                    Some(self.read_file(path)$(.$await)??)
                }
                _ => None,
            };
            self.run($crate::__proto::ops::SendMessage { spec, file })$(.$await)?
        }

        /// Sends a text message, with `sender` shown as its author in
        /// service mode (ignored in user mode).
        pub $($async)? fn send_text(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            text: impl Into<String>,
            recipients: impl Into<$crate::__proto::compose::Recipients>,
            sender: Option<$crate::__proto::CharacterId>,
        ) -> Result<(), $crate::Error> {
            let mut spec = $crate::__proto::compose::MessageSpec::text(channel_id, text, recipients);
            spec.sender = sender;
            self.send_message(spec)$(.$await)?
        }

        /// Sends a frame of any type with a body of the caller's shape (`send`).
        pub $($async)? fn send(
            &self,
            frame_type: impl Into<String>,
            body: serde_json::Value,
        ) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::SendCustom { frame_type: frame_type.into(), body })$(.$await)?
        }

        /// Service mode: the character list `recipients` see in a channel,
        /// in order (`send_characters`); an empty list clears it.
        /// `characters` is one character or a list, by id or record
        /// (`IntoCharacterIds`).
        pub $($async)? fn send_characters(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            characters: impl $crate::__proto::model::IntoCharacterIds,
            recipients: impl Into<$crate::__proto::compose::Recipients>,
        ) -> Result<(), $crate::Error> {
            let (channel_id, recipients) = (channel_id.into(), recipients.into());
            let characters = characters.into_character_ids();
            self.run($crate::__proto::ops::SendCharacters { channel_id, characters, recipients })$(.$await)?
        }

        /// Service mode: replaces the button bar (`send_buttons`).
        pub $($async)? fn send_buttons(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            buttons: Vec<$crate::__proto::model::Button>,
            recipients: impl Into<$crate::__proto::compose::Recipients>,
        ) -> Result<(), $crate::Error> {
            let (channel_id, recipients) = (channel_id.into(), recipients.into());
            self.run($crate::__proto::ops::SendButtons { channel_id, buttons, recipients })$(.$await)?
        }

        /// Service mode: replaces the context menu of messages (`send_menu`).
        pub $($async)? fn send_menu(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            items: Vec<$crate::__proto::model::MenuItem>,
            recipients: impl Into<$crate::__proto::compose::Recipients>,
        ) -> Result<(), $crate::Error> {
            let (channel_id, recipients) = (channel_id.into(), recipients.into());
            self.run($crate::__proto::ops::SendMenu { channel_id, items, recipients })$(.$await)?
        }

        /// Service mode: sets widget styles (`send_style`).
        pub $($async)? fn send_style(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            items: Vec<$crate::__proto::model::StyleItem>,
            recipients: impl Into<$crate::__proto::compose::Recipients>,
        ) -> Result<(), $crate::Error> {
            let (channel_id, recipients) = (channel_id.into(), recipients.into());
            self.run($crate::__proto::ops::SendStyle { channel_id, items, recipients })$(.$await)?
        }

        /// Service mode: replaces the canvas (`send_canvas`); local image
        /// paths are uploaded first.
        pub $($async)? fn send_canvas(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            mut items: Vec<$crate::__proto::model::CanvasItem>,
            recipients: impl Into<$crate::__proto::compose::Recipients>,
        ) -> Result<(), $crate::Error> {
            for item in &mut items {
                if let Some(path) = item.path.take() {
                    item.path = Some(self.to_url(&path)$(.$await)??);
                }
            }
            let (channel_id, recipients) = (channel_id.into(), recipients.into());
            self.run($crate::__proto::ops::SendCanvas { channel_id, items, recipients })$(.$await)?
        }

        /// Service mode: renames or re-describes a channel over the
        /// websocket (the reference's `update_channel_info`; see also
        /// `update_channel`).
        pub $($async)? fn send_channel_info(
            &self,
            info: $crate::__proto::model::ChannelInfo,
        ) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::SendChannelInfo { info })$(.$await)?
        }

        /// Service mode: an `update` with a body of the caller's shape
        /// (`send_update`), under the own service id.
        pub $($async)? fn send_update(&self, body: serde_json::Value) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::SendUpdate { body })$(.$await)?
        }

        /// Sends a heartbeat now (the session sends them on its timer anyway).
        pub $($async)? fn send_heartbeat(&self) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::SendHeartbeat {})$(.$await)?
        }

        /// User mode: asks a channel's service for its state (`send_refresh`).
        pub $($async)? fn send_refresh(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::SendRefresh::new(channel_id))$(.$await)?
        }

        /// User mode: joins a channel.
        pub $($async)? fn join_channel(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::JoinChannel::new(channel_id))$(.$await)?
        }

        /// User mode: leaves a channel.
        pub $($async)? fn leave_channel(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::LeaveChannel::new(channel_id))$(.$await)?
        }

        /// User mode: clicks a button (`send_button_click`), e.g.
        /// `Click::new("chan", "repeat").argument("How many?", "2")`.
        pub $($async)? fn send_button_click(
            &self,
            click: $crate::__proto::ops::Click,
        ) -> Result<(), $crate::Error> {
            self.run(click)$(.$await)?
        }

        /// User mode: clicks a context-menu item on a message
        /// (`send_menu_item_click`).
        pub $($async)? fn send_menu_item_click(
            &self,
            click: $crate::__proto::ops::MenuClick,
        ) -> Result<(), $crate::Error> {
            self.run(click)$(.$await)?
        }

        // ---- channels, services, characters, groups, accounts -------------

        /// Creates a channel and, unless `bind(false)`, binds this service
        /// to it (`create_channel`); returns its id, which `channels()`
        /// then lists.
        pub $($async)? fn create_channel(
            &self,
            channel: $crate::__proto::ops::NewChannel,
        ) -> Result<$crate::__proto::ChannelId, $crate::Error> {
            self.run(channel)$(.$await)?
        }

        /// Renames or re-describes a channel (`update_channel`).
        pub $($async)? fn update_channel(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            name: impl Into<String>,
            description: impl Into<String>,
        ) -> Result<(), $crate::Error> {
            self.call($crate::__proto::http::UpdateChannel::new(channel_id, name, description))$(.$await)?
        }

        /// Binds this service to a channel (`bind_service_to_channel`).
        pub $($async)? fn bind(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::bind(channel_id))$(.$await)?
        }

        /// Unbinds this service from a channel (`unbind_service_from_channel`).
        pub $($async)? fn unbind(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::unbind(channel_id))$(.$await)?
        }

        /// The account's services and their bound channels (`fetch_service_id_list`).
        pub $($async)? fn fetch_service_id_list(
            &self,
        ) -> Result<$crate::__proto::http::ServiceList, $crate::Error> {
            self.call($crate::__proto::http::FetchServiceList)$(.$await)?
        }

        /// Channel → the service bound to it, for every channel bound to
        /// one of the account's services (`fetch_service_id_each_channel`).
        pub $($async)? fn fetch_service_id_each_channel(
            &self,
        ) -> Result<std::collections::BTreeMap<$crate::__proto::ChannelId, $crate::__proto::ServiceId>, $crate::Error> {
            Ok(self.fetch_service_id_list()$(.$await)??.service_of_each_channel())
        }

        /// The channels bound to this service (`fetch_bound_channels`).
        pub $($async)? fn fetch_bound_channels(
            &self,
        ) -> Result<Vec<$crate::__proto::ChannelId>, $crate::Error> {
            let list = self.fetch_service_id_list()$(.$await)??;
            let me = $crate::__proto::ServiceId::new(self.own_id().unwrap_or_default());
            Ok(list.bound_channels(&me))
        }

        /// The real users in a channel (`fetch_member_ids`).
        pub $($async)? fn fetch_member_ids(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<Vec<$crate::__proto::CharacterId>, $crate::Error> {
            self.run($crate::__proto::ops::fetch_member_ids(channel_id))$(.$await)?
        }

        /// Everyone in a channel: its members' profiles followed by this
        /// service's agents (`fetch_characters`).
        pub $($async)? fn fetch_characters(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<Vec<$crate::__proto::model::Character>, $crate::Error> {
            self.run($crate::__proto::ops::FetchCharacters { channel_id: channel_id.into() })$(.$await)?
        }

        /// Profiles of characters (`fetch_character_profile`), members and
        /// agents alike. As in the reference, the answer has the argument's
        /// shape (`ProfileQuery`):
        /// one character (an id, `&str`, `String`, a `Character` or
        /// `&Character`) gives one `Character`; a list (`Vec`, slice or
        /// array, even of one) gives a `Vec<Character>` in the order asked.
        /// One character the platform does not answer for is an error.
        pub $($async)? fn fetch_character_profile<Q>(
            &self,
            characters: Q,
        ) -> Result<Q::Output, $crate::Error>
        where
            Q: $crate::__proto::ops::ProfileQuery,
        {
            use $crate::__proto::ops::ProfileQuery as _;
            self.call(characters.into_endpoint())$(.$await)?
        }

        /// This service's agents (`fetch_agents`).
        pub $($async)? fn fetch_agents(
            &self,
        ) -> Result<Vec<$crate::__proto::model::Character>, $crate::Error> {
            self.run($crate::__proto::ops::fetch_agents())$(.$await)?
        }

        /// Creates an agent of this service (`create_agent`); a local
        /// avatar is uploaded first, none means the default image.
        pub $($async)? fn create_agent(
            &self,
            profile: $crate::__proto::ops::Profile,
        ) -> Result<$crate::__proto::model::Character, $crate::Error> {
            let avatar = self.to_url(profile.avatar.as_deref().unwrap_or(""))$(.$await)??;
            let description = profile
                .description
                .unwrap_or_else(|| $crate::__proto::http::DEFAULT_AGENT_DESCRIPTION.to_owned());
            let name = profile.name;
            self.run($crate::__proto::ops::AsSelf::new(move |service_id| {
                $crate::__proto::http::CreateAgent::new(service_id, name, avatar, description)
            }))$(.$await)?
        }

        /// Changes an agent's name, avatar and description (`update_agent`);
        /// returns the platform's answer.
        pub $($async)? fn update_agent(
            &self,
            character_id: impl Into<$crate::__proto::CharacterId>,
            profile: $crate::__proto::ops::Profile,
        ) -> Result<serde_json::Value, $crate::Error> {
            let avatar = self.to_url(profile.avatar.as_deref().unwrap_or(""))$(.$await)??;
            let description = profile
                .description
                .unwrap_or_else(|| $crate::__proto::http::DEFAULT_AGENT_DESCRIPTION.to_owned());
            let (name, character_id) = (profile.name, character_id.into());
            self.run($crate::__proto::ops::AsSelf::new(move |service_id| {
                $crate::__proto::http::UpdateAgent::new(service_id, character_id, name, avatar, description)
            }))$(.$await)?
        }

        /// Changes the signed-in user's name, avatar and description
        /// (`update_current_user`); returns the platform's answer.
        pub $($async)? fn update_current_user(
            &self,
            profile: $crate::__proto::ops::Profile,
        ) -> Result<serde_json::Value, $crate::Error> {
            let avatar = self.to_url(profile.avatar.as_deref().unwrap_or(""))$(.$await)??;
            self.call($crate::__proto::http::UpdateCurrentUser::new(
                profile.name,
                avatar,
                profile.description.unwrap_or_default(),
            ))$(.$await)?
        }

        /// Channels the platform lists as popular (`fetch_popular_channels`).
        pub $($async)? fn fetch_popular_channels(
            &self,
        ) -> Result<Vec<$crate::__proto::ChannelId>, $crate::Error> {
            self.call($crate::__proto::http::FetchPopularChannels)$(.$await)?
        }

        /// Channels of the signed-in account (`fetch_channel_list`).
        pub $($async)? fn fetch_channel_list(
            &self,
        ) -> Result<Vec<$crate::__proto::ChannelId>, $crate::Error> {
            self.call($crate::__proto::http::FetchChannelList)$(.$await)?
        }

        /// A channel's past messages (`fetch_message_history`), as raw JSON;
        /// the query is the endpoint's builder, e.g.
        /// `FetchMessageHistory::new("chan").limit(10)`.
        pub $($async)? fn fetch_message_history(
            &self,
            query: $crate::__proto::http::FetchMessageHistory,
        ) -> Result<Vec<serde_json::Value>, $crate::Error> {
            self.call(query)$(.$await)?
        }

        /// The groups of a channel (`fetch_channel_group_list`).
        pub $($async)? fn fetch_channel_group_list(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<$crate::__proto::http::ChannelGroups, $crate::Error> {
            self.run($crate::__proto::ops::fetch_channel_group_list(channel_id))$(.$await)?
        }

        /// A channel's "temp" group(s), raw (`fetch_channel_temp_group`;
        /// for diagnostics).
        pub $($async)? fn fetch_channel_temp_group(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
        ) -> Result<serde_json::Value, $crate::Error> {
            self.run($crate::__proto::ops::fetch_channel_temp_group(channel_id))$(.$await)?
        }

        /// Makes a group of characters in a channel (`create_channel_group`);
        /// `characters` is one character or a list, by id or record.
        pub $($async)? fn create_channel_group(
            &self,
            channel_id: impl Into<$crate::__proto::ChannelId>,
            group_name: impl Into<String>,
            characters: impl $crate::__proto::model::IntoCharacterIds,
        ) -> Result<$crate::__proto::model::Group, $crate::Error> {
            self.call($crate::__proto::http::CreateChannelGroup::new(channel_id, group_name, characters))$(.$await)?
        }

        /// Makes a service group of characters (`create_service_group`);
        /// `characters` is one character or a list, by id or record.
        pub $($async)? fn create_service_group(
            &self,
            characters: impl $crate::__proto::model::IntoCharacterIds,
        ) -> Result<$crate::__proto::model::Group, $crate::Error> {
            self.call($crate::__proto::http::CreateServiceGroup::new(characters))$(.$await)?
        }

        /// The members of a group seen in a channel
        /// (`character_ids_of_channel_group`). The arguments are named
        /// (`ChannelGroupQuery`):
        /// the reference takes them positionally as `(sender_id,
        /// channel_id, group_id)`, and all three are strings, so named
        /// fields are what keeps a call from asking for the wrong group.
        pub $($async)? fn character_ids_of_channel_group(
            &self,
            query: $crate::__proto::http::ChannelGroupQuery,
        ) -> Result<Vec<$crate::__proto::CharacterId>, $crate::Error> {
            self.call($crate::__proto::http::FetchChannelGroup::from(query))$(.$await)?
        }

        /// The members of a service group (`character_ids_of_service_group`).
        pub $($async)? fn character_ids_of_service_group(
            &self,
            group_id: impl Into<$crate::__proto::GroupId>,
        ) -> Result<Vec<$crate::__proto::CharacterId>, $crate::Error> {
            self.call($crate::__proto::http::FetchServiceGroup::new(group_id))$(.$await)?
        }

        /// Signs in again now, replacing both tokens (`authenticate`).
        pub $($async)? fn authenticate(&self) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::Authenticate {})$(.$await)?
        }

        /// Refreshes the access token now (`refresh_authentication`).
        pub $($async)? fn refresh_authentication(&self) -> Result<(), $crate::Error> {
            self.run($crate::__proto::ops::RefreshAuthentication {})$(.$await)?
        }

        /// Asks the platform to create the configured account; it emails a
        /// confirmation code (`sign_up`).
        pub $($async)? fn sign_up(&self) -> Result<(), $crate::Error> {
            let (email, password) = self.credentials();
            let call = $crate::__proto::http::SignUp::new(email, password.clone());
            self.call(call)$(.$await)?
        }

        /// Invalidates the current access token (`sign_out`); later calls
        /// need `authenticate` first.
        pub $($async)? fn sign_out(&self) -> Result<(), $crate::Error> {
            self.call($crate::__proto::http::SignOut)$(.$await)?
        }

        // ---- files --------------------------------------------------------

        /// Uploads a local file (`upload`); returns its public URL. The same
        /// content is uploaded once per session.
        pub $($async)? fn upload(
            &self,
            path: impl AsRef<std::path::Path>,
        ) -> Result<String, $crate::Error> {
            let path = path.as_ref();
            let bytes = self.read_file(path)$(.$await)??;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.upload_bytes(name, bytes)$(.$await)?
        }

        /// Uploads bytes as a file named `file_name` (its extension is
        /// sent); returns the public URL.
        pub $($async)? fn upload_bytes(
            &self,
            file_name: impl Into<String>,
            bytes: impl Into<bytes::Bytes>,
        ) -> Result<String, $crate::Error> {
            let op = $crate::__proto::ops::Upload { file_name: file_name.into(), bytes: bytes.into() };
            self.run(op)$(.$await)?
        }

        /// Downloads a file's bytes (`download` with `bytes=True`), without
        /// auth headers. `source` is a URL or a received message (its
        /// file's URL, `content.path`; a message without one is an
        /// `Error::InvalidArgument`).
        pub $($async)? fn download_bytes(
            &self,
            source: impl Into<$crate::__proto::ops::DownloadSource>,
        ) -> Result<bytes::Bytes, $crate::Error> {
            let url = $crate::files::download_url(source.into())?;
            self.call($crate::__proto::http::Download::new(url))$(.$await)?
        }

        /// Downloads a file into a folder (`download`); returns its path.
        ///
        /// `source` is a URL or a received message (its file's URL,
        /// `content.path`, as the reference accepts a `MessageBody`; a
        /// message without one is an `Error::InvalidArgument`).
        /// `DownloadOptions::default()` saves into `downloads/` (relative to
        /// the working directory, like the reference's `./downloads`) under
        /// the URL's last segment, or `download_<unix ms>_<random>` when it
        /// has none. An existing file is kept (`Error::FileExists`) unless
        /// `overwrite(true)`: a documented deviation, the reference
        /// overwrites by default. The file is written through
        /// `moobius_runtime::files::write_file` (temporary file, sync,
        /// rename; links refused); auth headers go only where the options
        /// and `http::auth_scope` allow.
        pub $($async)? fn download(
            &self,
            source: impl Into<$crate::__proto::ops::DownloadSource>,
            options: $crate::__proto::ops::DownloadOptions,
        ) -> Result<std::path::PathBuf, $crate::Error> {
            let url = $crate::files::download_url(source.into())?;
            $crate::files::download_target(&url, &options)?;
            let call = $crate::__proto::http::Download::with_options(url.clone(), &options);
            let bytes = self.call(call)$(.$await)??;
            self.save_download(url, options, bytes)$(.$await)?
        }

        /// The size of a file in bytes without downloading it
        /// (`download_size`): a `HEAD` request, `None` when the server does
        /// not say. `source` is a URL or a received message (its file).
        /// Of `options` only the auth settings apply: `with_auth(true)` is
        /// the reference's `headers="self"`, sent only where `trust_host`,
        /// `allow_plain_http_auth` and `http::auth_scope` allow (as for
        /// [`download`](Self::download)).
        pub $($async)? fn download_size(
            &self,
            source: impl Into<$crate::__proto::ops::DownloadSource>,
            options: $crate::__proto::ops::DownloadOptions,
        ) -> Result<Option<u64>, $crate::Error> {
            let url = $crate::files::download_url(source.into())?;
            self.call($crate::__proto::http::DownloadSize::with_options(url, &options))$(.$await)?
        }

        /// Calls any HTTP endpoint through the session (current token,
        /// refresh and retry on an expired token, retries of GETs on 5xx),
        /// for platform calls this handle has no method for, e.g.
        /// `moobius.call(FetchUserInfo)`.
        pub $($async)? fn call<E>(&self, endpoint: E) -> Result<E::Output, $crate::Error>
        where
            E: $crate::__proto::http::Endpoint + Send + Sync + 'static,
            E::Output: Send + 'static,
        {
            self.run($crate::__proto::ops::Call(endpoint))$(.$await)?
        }

        /// A "path" argument as a URL: URLs as they are, empty for the
        /// default image, local files uploaded.
        $($async)? fn to_url(&self, path: &str) -> Result<String, $crate::Error> {
            match $crate::__proto::http::MediaSource::classify(path) {
                $crate::__proto::http::MediaSource::LocalFile(p) => self.upload(p)$(.$await)?,
                other => Ok(other.url().unwrap_or_default().to_owned()),
            }
        }
    };
}
