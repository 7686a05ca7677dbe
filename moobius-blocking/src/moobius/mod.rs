//! The [`Moobius`] handle: the reference SDK's `Moobius` methods as plain
//! blocking calls, usable from callbacks and from any thread.

use crate::engine::Engine;
use crate::Error;
use bytes::Bytes;
use moobius_proto::ids::ChannelId;
use moobius_proto::ops::{DownloadOptions, Operation};
use moobius_proto::secret::Password;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Which side of the platform a client plays (from the configuration's
/// role).
///
/// ```
/// use moobius_blocking::{Client, Config, Mode};
/// use moobius_blocking::proto::session::{Role, SessionConfig};
/// let session = SessionConfig::new(
///     "me@example.com",
///     "pw".into(),
///     "http://127.0.0.1:9/".parse()?,
///     "ws://127.0.0.1:9/ws",
///     Role::user(vec![]),
/// );
/// let client = Client::new(Config::new(session)); // nothing happens until driven
/// assert_eq!(client.moobius().mode(), Mode::User);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A channel service (`service_config.service_mode` true or absent).
    Service,
    /// A user account (`service_mode: false`).
    User,
}

/// A clonable handle to a running client: every platform operation as a
/// blocking method returning `Result<T, Error>`.
///
/// A call starts its operation on the session and returns when the
/// platform's answer (or the frame's departure) comes back, or after
/// [`Options::call_timeout`](crate::Options::call_timeout).
///
/// * **In a [`Bot`](crate::Bot) callback** (the loop's own thread) the call
///   drives the connection itself until its result arrives; events that
///   arrive meanwhile wait, in order, for the callbacks after this one.
/// * **On another thread** the call hands its command to whichever thread
///   drives the loop and waits for the reply; if none does at the moment,
///   it drives the loop itself for as long as it waits.
///
/// Frames leave in the order the calls were made. A handle whose client
/// stopped answers every call with [`Error::Stopped`].
///
/// ```no_run
/// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
/// use moobius_blocking::proto::compose::MessageSpec;
/// let channel = moobius.channels()[0].clone();
/// let members = moobius.fetch_member_ids(channel.clone())?;
/// moobius.send_message(MessageSpec::text(channel, "hello everyone", members).sender("agent-id"))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Moobius {
    engine: Arc<Engine>,
}

impl std::fmt::Debug for Moobius {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.engine.status();
        f.debug_struct("Moobius")
            .field("mode", &self.engine.identity.mode)
            .field("own_id", &st.own_id)
            .field("ready", &st.ready)
            .field("stopped", &st.stopped)
            .finish_non_exhaustive()
    }
}

impl Moobius {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Self { engine }
    }

    pub(crate) fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    // ---- state -------------------------------------------------------------

    /// Service or user mode.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.engine.identity.mode
    }

    /// Own service id (service mode) or user id (user mode), once known.
    #[must_use]
    pub fn own_id(&self) -> Option<String> {
        self.engine.status().own_id.clone()
    }

    /// Channels served (service mode, once bound), in configuration order;
    /// channels created with [`create_channel`](Self::create_channel) and
    /// bound are added.
    #[must_use]
    pub fn channels(&self) -> Vec<ChannelId> {
        self.engine.status().channels.clone()
    }

    /// True once start-up finished ([`Bot::on_start`](crate::Bot::on_start)
    /// is due).
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.engine.status().ready
    }

    /// True once the client has stopped (asked to, or failed).
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.engine.status().stopped
    }

    /// Waits until start-up has finished (driving the loop if nobody else
    /// does): [`Error::Stopped`] if the client ends first,
    /// [`Error::Timeout`] after `timeout`.
    pub fn wait_ready(&self, timeout: Duration) -> Result<(), Error> {
        let done = self
            .engine
            .wait_for(Some(timeout), |s| s.ready || s.stopped);
        let st = self.engine.status();
        match (done, st.ready && !st.stopped) {
            (_, true) => Ok(()),
            (true, false) => Err(Error::Stopped),
            (false, false) => Err(Error::Timeout(timeout)),
        }
    }

    /// Waits until the client has stopped; `false` if it still runs after
    /// `timeout`.
    pub fn wait_stopped(&self, timeout: Duration) -> bool {
        self.engine.wait_for(Some(timeout), |s| s.stopped)
    }

    /// Asks the client to stop: the websocket is closed, pending calls fail,
    /// the callback running now may finish, and the run returns `Ok`.
    /// Returns at once.
    pub fn stop(&self) {
        self.engine.request_stop();
    }

    /// Sends a spell to the bot: [`Bot::on_spell`](crate::Bot::on_spell)
    /// receives it in order with the events, if its type is the bot's
    /// [`Spell`](crate::Bot::Spell) type (otherwise it is logged and
    /// dropped). An [`Events`](crate::Events) iterator drops spells.
    pub fn spell<S: Send + 'static>(&self, spell: S) -> Result<(), Error> {
        self.engine.spell(Box::new(spell))
    }

    /// The `db_config` section of the configuration (PROTOCOL.md §9.1), if
    /// any: the hook for per-channel storage (open it with the
    /// `moobius-storage` crate, e.g. in
    /// [`Bot::on_channel_init`](crate::Bot::on_channel_init)).
    #[must_use]
    pub fn storage_config(&self) -> Option<&serde_json::Value> {
        self.engine.identity.storage.as_ref()
    }

    /// Opens the per-channel storage `db_config` describes for `channel_id`
    /// (`None` without a `db_config`), under this service's id.
    ///
    /// ```no_run
    /// # fn demo(moobius: moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
    /// if let Some(storage) = moobius.open_storage("chan")? {
    ///     let stats = storage.container("stats")?;
    ///     let seen: u64 = stats.get("alice")?.unwrap_or(0);
    ///     stats.set("alice", &(seen + 1))?;
    /// }
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "storage")]
    pub fn open_storage(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<Option<moobius_storage::ChannelStorage>, Error> {
        let Some(spec) = self.storage_config() else {
            return Ok(None);
        };
        let config = moobius_storage::StorageConfig::from_value(spec)
            .map_err(moobius_storage::StorageError::from)?;
        if config.is_empty() {
            return Ok(None);
        }
        let service = self.own_id().unwrap_or_default();
        let storage =
            moobius_storage::ChannelStorage::open(service, channel_id.into(), config.specs())?;
        Ok(Some(storage))
    }

    // ---- the command plumbing ----------------------------------------------

    /// Runs `op` on the session and waits for its typed result (see the
    /// type's docs for who drives meanwhile).
    pub fn run<O: Operation>(&self, op: O) -> Result<O::Output, Error> {
        self.engine.run(op)
    }

    fn read_file(&self, path: &Path) -> Result<Bytes, Error> {
        std::fs::read(path)
            .map(Bytes::from)
            .map_err(|e| Error::io("reading", path, e))
    }

    fn save_download(
        &self,
        url: String,
        options: DownloadOptions,
        bytes: Bytes,
    ) -> Result<PathBuf, Error> {
        moobius_runtime::files::save_download(&url, &options, &bytes)
    }

    fn credentials(&self) -> (&str, &Password) {
        let id = &self.engine.identity;
        (&id.email, &id.password)
    }

    moobius_runtime::handle_surface!();
}
