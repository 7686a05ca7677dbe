//! The async API (feature `tokio`): [`AsyncChannelStorage`] and
//! [`AsyncContainer`], a face of the one container implementation
//! ([`crate::container`]). Same layout, encoding and semantics as the
//! blocking API; the JSON engine's file work runs on tokio's blocking pool,
//! Redis uses its multiplexed async client.

use std::future::Future;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::ContainerSpec;
use crate::container::{face_accessors, Channel, Core, Face};
use crate::error::StorageError;

/// The async face: file work on tokio's blocking pool, Redis through the
/// async client.
pub(crate) struct Tokio;

fn runtime(container: &str) -> Result<tokio::runtime::Handle, StorageError> {
    tokio::runtime::Handle::try_current().map_err(|e| StorageError::Runtime {
        container: container.to_owned(),
        problem: format!("the async storage API must run inside a tokio runtime ({e})"),
    })
}

impl Face for Tokio {
    #[cfg(feature = "redis")]
    type Redis = crate::redis_backend::AsyncClient;

    fn enter(container: &str) -> Result<(), StorageError> {
        runtime(container).map(drop)
    }

    fn run<R: Send + 'static>(
        container: &str,
        work: impl FnOnce() -> Result<R, StorageError> + Send + 'static,
    ) -> impl Future<Output = Result<R, StorageError>> + Send {
        let container = container.to_owned();
        async move {
            runtime(&container)?
                .spawn_blocking(work)
                .await
                .map_err(|e| StorageError::Runtime {
                    container,
                    problem: format!("the file task did not finish: {e}"),
                })?
        }
    }
}

/// One named container of a channel's storage (async API). The async twin
/// of [`Container`](crate::Container): same keys, same files and Redis keys,
/// same values, so both APIs can work on one store.
///
/// Every method must be awaited inside a tokio runtime. Cloning is cheap and
/// clones share the engine.
///
/// ```
/// use moobius_storage::{AsyncContainer, ContainerSpec};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), moobius_storage::StorageError> {
/// let dir = tempfile::tempdir().unwrap();
/// let scores = AsyncContainer::open("svc", "chan", &ContainerSpec::json("scores", dir.path())).await?;
/// scores.set("alice", &3u32).await?;
/// assert_eq!(scores.get::<u32>("alice").await?, Some(3));
/// assert_eq!(scores.keys().await?, ["alice"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncContainer {
    inner: Arc<Core<Tokio>>,
}

impl AsyncContainer {
    /// Opens one container; see [`Container::open`](crate::Container::open)
    /// for what happens at open.
    pub async fn open(
        service_id: impl AsRef<str>,
        channel_id: impl AsRef<str>,
        spec: &ContainerSpec,
    ) -> Result<Self, StorageError> {
        let core = Core::open(service_id.as_ref(), channel_id.as_ref(), spec).await?;
        Ok(Self {
            inner: Arc::new(core),
        })
    }

    /// The value of `key`, or `None` if there is none.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        self.inner.get(key).await
    }

    /// Stores `value` under `key`, replacing any previous value as a whole.
    /// The value is encoded before the first `.await`, so the future does
    /// not borrow `value`.
    pub fn set<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> impl Future<Output = Result<(), StorageError>> + Send + '_ {
        self.inner.set(key, value)
    }

    /// Removes `key`; `true` if it had a value.
    pub async fn delete(&self, key: &str) -> Result<bool, StorageError> {
        self.inner.delete(key).await
    }

    /// `true` if `key` has a value.
    pub async fn contains(&self, key: &str) -> Result<bool, StorageError> {
        self.inner.contains(key).await
    }

    /// Every key with a value, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, StorageError> {
        self.inner.keys().await
    }

    /// The number of keys.
    pub async fn len(&self) -> Result<usize, StorageError> {
        self.inner.len().await
    }

    /// `true` if there are no keys.
    pub async fn is_empty(&self) -> Result<bool, StorageError> {
        self.len().await.map(|n| n == 0)
    }

    /// Deletes every key of this container (and only this container's).
    pub async fn clear(&self) -> Result<(), StorageError> {
        self.inner.clear().await
    }
}

/// The storage of one channel (async API).
///
/// ```
/// use moobius_storage::{AsyncChannelStorage, ContainerSpec};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), moobius_storage::StorageError> {
/// let storage = AsyncChannelStorage::open("svc", "chan", &[ContainerSpec::memory("stats")]).await?;
/// storage.container("stats")?.set("alice", &1u64).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AsyncChannelStorage {
    inner: Channel<AsyncContainer>,
}

impl AsyncChannelStorage {
    /// Opens every container of `specs`, in order.
    pub async fn open(
        service_id: impl AsRef<str>,
        channel_id: impl AsRef<str>,
        specs: &[ContainerSpec],
    ) -> Result<Self, StorageError> {
        let (service_id, channel_id) = (service_id.as_ref(), channel_id.as_ref());
        let open = |spec| AsyncContainer::open(service_id, channel_id, spec);
        let inner = Channel::open(service_id, channel_id, specs, open).await?;
        Ok(Self { inner })
    }
}

/// Compile-time proof that the async API can be used from spawned tasks:
/// every future is `Send` and the handles are `Send + Sync`.
#[allow(dead_code)]
fn assert_send_and_sync(storage: &AsyncChannelStorage, container: &AsyncContainer) {
    fn send<T: Send>(_: T) {}
    fn send_sync<T: Send + Sync>() {}
    send_sync::<AsyncChannelStorage>();
    send_sync::<AsyncContainer>();
    send(AsyncChannelStorage::open("s", "c", &[]));
    send(AsyncContainer::open("s", "c", &ContainerSpec::memory("m")));
    send(container.get::<String>("k"));
    send(container.set("k", &std::cell::Cell::new(1)));
    send(container.delete("k"));
    send(container.contains("k"));
    send(container.keys());
    send(container.is_empty());
    send(container.clear());
    send(storage.container("m"));
}

face_accessors!(AsyncContainer, AsyncChannelStorage);
