//! The [`Moobius`] handle: every method of the reference SDK's `Moobius`
//! class, as `async fn`s that hand an operation to the service's task and
//! wait for its result. The platform methods are written once for both
//! drivers by [`moobius_runtime::handle_surface!`].

use crate::driver::Command;
use crate::Error;
use bytes::Bytes;
use moobius_proto::ids::ChannelId;
use moobius_proto::ops::{DownloadOptions, Operation};
use moobius_proto::secret::Password;
use moobius_runtime::pending::OpRequest;
use moobius_runtime::{Mode, Status};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

/// A clonable handle to a running service: every platform operation, as an
/// `async fn` returning `Result<T, Error>`.
///
/// Each call is sent to the service's task, which owns the connection; the
/// call completes when the platform's answer (or the frame's departure)
/// comes back. Calls made from several tasks at once are fine; frames leave
/// in the order the calls reached the task. A handle whose service stopped
/// answers every call with [`Error::Stopped`].
///
/// ```no_run
/// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
/// use moobius_tokio::prelude::*;
/// let channel = moobius.channels()[0].clone();
/// let members = moobius.fetch_member_ids(channel.clone()).await?;
/// moobius
///     .send_message(MessageSpec::text(channel, "hello everyone", members).sender("agent-id"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Moobius {
    inner: Arc<Inner>,
}

struct Inner {
    commands: mpsc::Sender<Command>,
    status: watch::Receiver<Status>,
    mode: Mode,
    storage: Option<serde_json::Value>,
    email: String,
    password: Password,
}

impl std::fmt::Debug for Moobius {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fmt_debug(f)
    }
}

impl Moobius {
    pub(crate) fn new(
        commands: mpsc::Sender<Command>,
        status: watch::Receiver<Status>,
        mode: Mode,
        storage: Option<serde_json::Value>,
        email: String,
        password: Password,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                commands,
                status,
                mode,
                storage,
                email,
                password,
            }),
        }
    }

    // ---- state -------------------------------------------------------------

    /// Service or user mode.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// The status as it is now (for the state methods of `handle_surface!`).
    fn status_now(&self) -> impl std::ops::Deref<Target = Status> + '_ {
        self.inner.status.borrow()
    }

    /// Waits until start-up has finished; [`Error::Stopped`] if the service
    /// ends first (e.g. sign-in refused).
    pub async fn wait_ready(&self) -> Result<(), Error> {
        let mut rx = self.inner.status.clone();
        let st = rx
            .wait_for(|s| s.ready || s.stopped)
            .await
            .map_err(|_| Error::Stopped)?;
        if st.ready && !st.stopped {
            Ok(())
        } else {
            Err(Error::Stopped)
        }
    }

    /// Waits until the service's task has ended.
    pub async fn wait_stopped(&self) {
        let mut rx = self.inner.status.clone();
        let _ = rx.wait_for(|s| s.stopped).await;
    }

    /// Asks the service to stop gracefully: the websocket is closed, pending
    /// calls fail with a "closed" error, the running callback may finish.
    /// Returns at once; see [`wait_stopped`](Self::wait_stopped).
    pub fn stop(&self) {
        use tokio::sync::mpsc::error::TrySendError;
        if let Err(TrySendError::Full(stop)) = self.inner.commands.try_send(Command::Stop) {
            // The queue is full: wait for room in a task (when there is a
            // runtime; a closed queue means the service is gone already).
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                let tx = self.inner.commands.clone();
                rt.spawn(async move {
                    let _ = tx.send(stop).await;
                });
            }
        }
    }

    /// The `db_config` section of the configuration (PROTOCOL.md §9.1), if
    /// any, as given: the specs of per-channel storage. See
    /// [`open_storage`](Self::open_storage).
    #[must_use]
    pub fn storage_config(&self) -> Option<&serde_json::Value> {
        self.inner.storage.as_ref()
    }

    /// Opens the per-channel storage of `channel_id` described by
    /// `db_config` (one container per spec, under this service's id);
    /// `None` when the configuration has no (or an empty) `db_config`.
    /// The reference SDK does this in its default `on_channel_init`; here a
    /// service calls it there and keeps the result.
    ///
    /// ```no_run
    /// # async fn demo(moobius: moobius_tokio::Moobius) -> Result<(), moobius_tokio::Error> {
    /// if let Some(storage) = moobius.open_storage("chan").await? {
    ///     let stats = storage.container("stats")?;
    ///     let seen: u64 = stats.get("alice").await?.unwrap_or(0);
    ///     stats.set("alice", &(seen + 1)).await?;
    /// }
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "storage")]
    #[cfg_attr(docsrs, doc(cfg(feature = "storage")))]
    pub async fn open_storage(
        &self,
        channel_id: impl Into<ChannelId>,
    ) -> Result<Option<moobius_storage::AsyncChannelStorage>, Error> {
        let Some(spec) = self.storage_config() else {
            return Ok(None);
        };
        let config = moobius_storage::StorageConfig::from_value(spec)
            .map_err(moobius_storage::StorageError::from)?;
        if config.is_empty() {
            return Ok(None);
        }
        let service = self.own_id().unwrap_or_default();
        let channel = channel_id.into();
        let storage =
            moobius_storage::AsyncChannelStorage::open(service, channel, config.specs()).await?;
        Ok(Some(storage))
    }

    // ---- the command plumbing ----------------------------------------------

    /// Runs `op` on the service's task and waits for its typed result.
    pub async fn run<O: Operation>(&self, op: O) -> Result<O::Output, Error> {
        let (reply, rx) = oneshot::channel();
        let request = OpRequest::new(op, move |result| {
            let _ = reply.send(result);
        });
        self.inner
            .commands
            .send(Command::Op(request))
            .await
            .map_err(|_| Error::Stopped)?;
        rx.await.map_err(|_| Error::Stopped)?
    }

    async fn read_file(&self, path: &Path) -> Result<Bytes, Error> {
        tokio::fs::read(path)
            .await
            .map(Bytes::from)
            .map_err(|e| Error::io("reading", path, e))
    }

    async fn save_download(
        &self,
        url: String,
        options: DownloadOptions,
        bytes: Bytes,
    ) -> Result<PathBuf, Error> {
        tokio::task::spawn_blocking(move || {
            moobius_runtime::files::save_download(&url, &options, &bytes)
        })
        .await
        .map_err(|e| Error::TaskFailed(format!("download writer: {e}")))?
    }

    fn credentials(&self) -> (&str, &Password) {
        (&self.inner.email, &self.inner.password)
    }

    moobius_runtime::handle_surface!(async await);
}
