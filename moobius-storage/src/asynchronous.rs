//! The async API (feature `tokio`): [`AsyncChannelStorage`] and
//! [`AsyncContainer`]. Same layout, encoding and semantics as the blocking
//! API; the JSON engine's file work runs on tokio's blocking pool, Redis uses
//! its async client.

use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;

use crate::codec;
use crate::config::{check_name, check_names, Backend, ContainerSpec, Implementation};
use crate::error::{ConfigError, StorageError};
use crate::json_dir::{container_dir, JsonDir};
use crate::memory::MemoryStore;

fn runtime(container: &str) -> Result<tokio::runtime::Handle, StorageError> {
    tokio::runtime::Handle::try_current().map_err(|e| StorageError::Runtime {
        container: container.to_owned(),
        problem: format!("the async storage API must run inside a tokio runtime ({e})"),
    })
}

/// Runs file work on tokio's blocking pool.
async fn on_pool<R: Send + 'static>(
    container: &str,
    work: impl FnOnce() -> Result<R, StorageError> + Send + 'static,
) -> Result<R, StorageError> {
    runtime(container)?
        .spawn_blocking(work)
        .await
        .map_err(|e| StorageError::Runtime {
            container: container.to_owned(),
            problem: format!("the file task did not finish: {e}"),
        })?
}

#[derive(Debug)]
enum Engine {
    Memory(MemoryStore),
    Json(JsonDir),
    Null,
    #[cfg(feature = "redis")]
    Redis(Box<crate::redis_backend::RedisAsync>),
}

impl Engine {
    async fn read(&self, name: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.read(key)),
            Self::Json(j) => {
                let (j, key) = (j.clone(), key.to_owned());
                on_pool(name, move || j.read(&key)).await
            }
            Self::Null => Ok(None),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.read(key).await,
        }
    }

    async fn write(&self, name: &str, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        match self {
            Self::Memory(m) => {
                m.write(key, bytes);
                Ok(())
            }
            Self::Json(j) => {
                let (j, key) = (j.clone(), key.to_owned());
                on_pool(name, move || j.write(&key, &bytes)).await
            }
            Self::Null => Ok(()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.write(key, &bytes).await,
        }
    }

    async fn remove(&self, name: &str, key: &str) -> Result<bool, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.remove(key)),
            Self::Json(j) => {
                let (j, key) = (j.clone(), key.to_owned());
                on_pool(name, move || j.remove(&key)).await
            }
            Self::Null => Ok(false),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.remove(key).await,
        }
    }

    async fn contains(&self, name: &str, key: &str) -> Result<bool, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.contains(key)),
            Self::Json(j) => {
                let (j, key) = (j.clone(), key.to_owned());
                on_pool(name, move || j.contains(&key)).await
            }
            Self::Null => Ok(false),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.contains(key).await,
        }
    }

    async fn keys(&self, name: &str) -> Result<Vec<String>, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.keys()),
            Self::Json(j) => {
                let j = j.clone();
                on_pool(name, move || j.keys()).await
            }
            Self::Null => Ok(Vec::new()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.keys().await,
        }
    }

    async fn clear(&self, name: &str) -> Result<(), StorageError> {
        match self {
            Self::Memory(m) => {
                m.clear();
                Ok(())
            }
            Self::Json(j) => {
                let j = j.clone();
                on_pool(name, move || j.clear()).await
            }
            Self::Null => Ok(()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.clear().await,
        }
    }

    fn location_of(&self, key: &str) -> String {
        match self {
            Self::Memory(_) => "memory".to_owned(),
            Self::Json(j) => j.path_of(key).display().to_string(),
            Self::Null => "null".to_owned(),
            #[cfg(feature = "redis")]
            Self::Redis(r) => format!(
                "{} key {:?}",
                r.target().location(),
                r.target().full_key(key)
            ),
        }
    }

    fn location(&self) -> String {
        match self {
            Self::Memory(_) => "memory".to_owned(),
            Self::Json(j) => j.dir().display().to_string(),
            Self::Null => "null".to_owned(),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.target().location(),
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
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    implementation: Implementation,
    engine: Engine,
    location: String,
}

impl fmt::Debug for AsyncContainer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncContainer")
            .field("name", &self.inner.name)
            .field("implementation", &self.inner.implementation)
            .field("location", &self.inner.location)
            .finish()
    }
}

impl AsyncContainer {
    /// Opens one container; see [`Container::open`](crate::Container::open)
    /// for what happens at open.
    pub async fn open(
        service_id: impl AsRef<str>,
        channel_id: impl AsRef<str>,
        spec: &ContainerSpec,
    ) -> Result<Self, StorageError> {
        let (service_id, channel_id) = (service_id.as_ref(), channel_id.as_ref());
        check_name(&spec.name).map_err(|reason| ConfigError::InvalidName {
            index: 0,
            value: spec.name.clone(),
            reason,
        })?;
        let name = spec.name.as_str();
        runtime(name)?;
        let engine = match &spec.backend {
            Backend::Json { root_dir } => {
                let dir = container_dir(root_dir, service_id, channel_id, name);
                let owned = name.to_owned();
                Engine::Json(on_pool(name, move || JsonDir::open(dir, &owned)).await?)
            }
            Backend::Memory => Engine::Memory(MemoryStore::default()),
            Backend::Null => Engine::Null,
            #[cfg(feature = "redis")]
            Backend::Redis(settings) => {
                let target =
                    crate::redis_backend::Target::new(settings, service_id, channel_id, name)?;
                Engine::Redis(Box::new(
                    crate::redis_backend::RedisAsync::open(target).await?,
                ))
            }
            #[cfg(not(feature = "redis"))]
            Backend::Redis(_) => {
                return Err(StorageError::EngineDisabled {
                    container: spec.name.clone(),
                    implementation: Implementation::Redis,
                })
            }
        };
        let this = Self {
            inner: Arc::new(Inner {
                name: spec.name.clone(),
                implementation: spec.implementation(),
                location: engine.location(),
                engine,
            }),
        };
        if spec.clear {
            this.clear().await?;
        } else if spec.load {
            let keys = this.keys().await?;
            for key in &keys {
                this.get::<IgnoredAny>(key).await?;
            }
            tracing::debug!(container = name, keys = keys.len(), "loaded");
        }
        tracing::debug!(
            container = name,
            implementation = %this.inner.implementation,
            location = %this.inner.location,
            "opened"
        );
        Ok(this)
    }

    /// The container's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The container's engine.
    #[must_use]
    pub fn implementation(&self) -> Implementation {
        self.inner.implementation
    }

    /// Where the data lives, for logs. Never contains a password.
    #[must_use]
    pub fn location(&self) -> &str {
        &self.inner.location
    }

    fn check(&self, key: &str) -> Result<(), StorageError> {
        codec::check_key(&self.inner.name, key)
    }

    /// The value of `key`, or `None` if there is none.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        self.check(key)?;
        match self.inner.engine.read(&self.inner.name, key).await? {
            None => Ok(None),
            Some(bytes) => codec::decode(
                &self.inner.name,
                key,
                || self.inner.engine.location_of(key),
                &bytes,
            )
            .map(Some),
        }
    }

    /// Stores `value` under `key`, replacing any previous value as a whole.
    /// The value is encoded before the first `.await`.
    pub async fn set<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        self.check(key)?;
        let bytes = codec::encode(&self.inner.name, key, value)?;
        self.inner.engine.write(&self.inner.name, key, bytes).await
    }

    /// Removes `key`; `true` if it had a value.
    pub async fn delete(&self, key: &str) -> Result<bool, StorageError> {
        self.check(key)?;
        self.inner.engine.remove(&self.inner.name, key).await
    }

    /// `true` if `key` has a value.
    pub async fn contains(&self, key: &str) -> Result<bool, StorageError> {
        self.check(key)?;
        self.inner.engine.contains(&self.inner.name, key).await
    }

    /// Every key with a value, sorted.
    pub async fn keys(&self) -> Result<Vec<String>, StorageError> {
        self.inner.engine.keys(&self.inner.name).await
    }

    /// The number of keys.
    pub async fn len(&self) -> Result<usize, StorageError> {
        self.keys().await.map(|k| k.len())
    }

    /// `true` if there are no keys.
    pub async fn is_empty(&self) -> Result<bool, StorageError> {
        self.len().await.map(|n| n == 0)
    }

    /// Deletes every key of this container (and only this container's).
    pub async fn clear(&self) -> Result<(), StorageError> {
        self.inner.engine.clear(&self.inner.name).await
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
    service_id: String,
    channel_id: String,
    containers: Vec<AsyncContainer>,
}

impl AsyncChannelStorage {
    /// Opens every container of `specs`, in order.
    pub async fn open(
        service_id: impl AsRef<str>,
        channel_id: impl AsRef<str>,
        specs: &[ContainerSpec],
    ) -> Result<Self, StorageError> {
        let (service_id, channel_id) = (service_id.as_ref(), channel_id.as_ref());
        check_names(specs)?;
        let mut containers = Vec::with_capacity(specs.len());
        for spec in specs {
            containers.push(AsyncContainer::open(service_id, channel_id, spec).await?);
        }
        Ok(Self {
            service_id: service_id.to_owned(),
            channel_id: channel_id.to_owned(),
            containers,
        })
    }

    /// The service id given to `open`.
    #[must_use]
    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    /// The channel id given to `open`.
    #[must_use]
    pub fn channel_id(&self) -> &str {
        &self.channel_id
    }

    /// The container called `name`.
    pub fn container(&self, name: &str) -> Result<&AsyncContainer, StorageError> {
        self.containers
            .iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| StorageError::UnknownContainer {
                name: name.to_owned(),
            })
    }

    /// Every container, in `db_config` order.
    pub fn containers(&self) -> impl ExactSizeIterator<Item = &AsyncContainer> {
        self.containers.iter()
    }
}
