//! The [`Moobius`] handle: the reference SDK's `Moobius` methods as plain
//! blocking calls, usable from callbacks and from any thread.

use crate::driver::{Command, Shared};
use crate::{Config, Error};
use bytes::Bytes;
use moobius_proto::ids::ChannelId;
use moobius_proto::ops::{DownloadOptions, Operation};
use moobius_proto::secret::Password;
use moobius_proto::session::FatalError;
use moobius_runtime::pending::OpRequest;
use moobius_runtime::Mode;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

/// A clonable handle to a running client: every platform operation as a
/// blocking method returning `Result<T, Error>`.
///
/// A call sends its operation to the loop that owns the connection and
/// waits for the platform's answer (or the frame's departure), at most
/// [`Options::call_timeout`](crate::Options::call_timeout). The loop runs on
/// its own thread, never a callback's, so calls from callbacks and from any
/// other thread are all fine; frames leave in the order the calls reached
/// the loop. A handle whose client stopped answers every call with
/// [`Error::Stopped`].
///
/// ```no_run
/// # fn demo(moobius: &moobius_blocking::Moobius) -> Result<(), moobius_blocking::Error> {
/// use moobius_blocking::prelude::*;
/// let channel = moobius.channels()[0].clone();
/// let members = moobius.fetch_member_ids(channel.clone())?;
/// moobius.send_message(MessageSpec::text(channel, "hello everyone", members).sender("agent-id"))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Moobius {
    inner: Arc<Inner>,
}

struct Inner {
    commands: Sender<Command>,
    shared: Arc<Shared>,
    mode: Mode,
    email: String,
    password: Password,
    storage: Option<serde_json::Value>,
    call_timeout: Option<Duration>,
}

impl std::fmt::Debug for Moobius {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fmt_debug(f)
    }
}

impl Moobius {
    pub(crate) fn new(commands: Sender<Command>, shared: Arc<Shared>, config: &Config) -> Self {
        let mode = Mode::of(&config.session.role);
        Self {
            inner: Arc::new(Inner {
                commands,
                shared,
                mode,
                email: config.session.email.clone(),
                password: config.session.password.clone(),
                storage: config.db_config.clone(),
                call_timeout: config.options.call_timeout,
            }),
        }
    }

    /// The fatal error that ended the client, if one did.
    pub(crate) fn fatal(&self) -> Option<FatalError> {
        self.inner.shared.fatal()
    }

    // ---- state -------------------------------------------------------------

    /// Service or user mode.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// The status as it is now (for the state methods of `handle_surface!`).
    fn status_now(&self) -> impl std::ops::Deref<Target = moobius_runtime::Status> + '_ {
        self.inner.shared.status()
    }

    /// Waits until start-up has finished: [`Error::Stopped`] if the client
    /// ends first, [`Error::Timeout`] after `timeout`.
    pub fn wait_ready(&self, timeout: Duration) -> Result<(), Error> {
        let shared = &self.inner.shared;
        let done = shared.wait_for(timeout, |s| s.ready || s.stopped);
        let st = shared.status();
        match (done, st.ready && !st.stopped) {
            (_, true) => Ok(()),
            (true, false) => Err(Error::Stopped),
            (false, false) => Err(Error::Timeout(timeout)),
        }
    }

    /// Waits until the client has stopped; `false` if it still runs after
    /// `timeout`.
    #[must_use = "`false` means the client still runs"]
    pub fn wait_stopped(&self, timeout: Duration) -> bool {
        self.inner.shared.wait_for(timeout, |s| s.stopped)
    }

    /// Asks the client to stop: the websocket is closed, pending calls fail,
    /// the callback running now may finish, and the run returns `Ok`.
    /// Returns at once.
    pub fn stop(&self) {
        let _ = self.inner.commands.send(Command::Stop);
    }

    /// The `db_config` section of the configuration (PROTOCOL.md §9.1), if
    /// any: the hook for per-channel storage (open it with the
    /// `moobius-storage` crate, e.g. in
    /// [`Bot::on_channel_init`](crate::Bot::on_channel_init)).
    #[must_use]
    pub fn storage_config(&self) -> Option<&serde_json::Value> {
        self.inner.storage.as_ref()
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
    #[cfg_attr(docsrs, doc(cfg(feature = "storage")))]
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

    /// Runs `op` on the loop and waits for its typed result, at most
    /// [`Options::call_timeout`](crate::Options::call_timeout).
    pub fn run<O: Operation>(&self, op: O) -> Result<O::Output, Error> {
        if self.is_stopped() {
            return Err(Error::Stopped);
        }
        let (reply, result) = std::sync::mpsc::sync_channel(1);
        let request = OpRequest::new(op, move |r| {
            let _ = reply.try_send(r);
        });
        self.inner
            .commands
            .send(Command::Op(request))
            .map_err(|_| Error::Stopped)?;
        let answer = match self.inner.call_timeout {
            Some(limit) => result.recv_timeout(limit).map_err(|e| match e {
                std::sync::mpsc::RecvTimeoutError::Timeout => Error::Timeout(limit),
                std::sync::mpsc::RecvTimeoutError::Disconnected => Error::Stopped,
            }),
            None => result.recv().map_err(|_| Error::Stopped),
        };
        answer?
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
        (&self.inner.email, &self.inner.password)
    }

    moobius_runtime::handle_surface!();
}
