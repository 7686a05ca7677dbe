//! The one container implementation behind both APIs.
//!
//! Everything a container does (checking keys, encoding values, opening an
//! engine, `clear`/`load` at open, locations for errors and logs) is written
//! here once, as `async` code generic over a [`Face`]. A face only says how
//! its I/O runs:
//!
//! * the blocking face ([`crate::blocking`]) runs file work inline and uses
//!   the blocking Redis client; its futures never wait, so it drives them to
//!   completion on the calling thread without a runtime;
//! * the async face ([`crate::asynchronous`], feature `tokio`) runs file work
//!   on tokio's blocking pool and uses the multiplexed async Redis client.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;

use crate::codec;
use crate::config::{check_name, check_names, Backend, ContainerSpec, Implementation};
use crate::error::{ConfigError, StorageError};
use crate::json_dir::{container_dir, JsonDir};
use crate::memory::MemoryStore;

/// How one API runs its I/O: the backend seam between the container logic
/// and the blocking or async world.
pub(crate) trait Face: Sized + Send + Sync + 'static {
    /// The Redis client of this face.
    #[cfg(feature = "redis")]
    type Redis: crate::redis_backend::Client;

    /// Fails when this face cannot run here (the async face outside a tokio
    /// runtime).
    fn enter(container: &str) -> Result<(), StorageError>;

    /// Runs blocking file work (the JSON engine) and returns its result.
    fn run<R: Send + 'static>(
        container: &str,
        work: impl FnOnce() -> Result<R, StorageError> + Send + 'static,
    ) -> impl Future<Output = Result<R, StorageError>> + Send;
}

/// The storage engine behind a container.
enum Engine<F: Face> {
    Memory(MemoryStore),
    Json(JsonDir),
    /// (Carries the face's type, which only the Redis engine uses.)
    Null(PhantomData<F>),
    #[cfg(feature = "redis")]
    Redis(Box<crate::redis_backend::Redis<F::Redis>>),
}

impl<F: Face> Engine<F> {
    async fn open(
        service_id: &str,
        channel_id: &str,
        spec: &ContainerSpec,
    ) -> Result<Self, StorageError> {
        let name = spec.name.as_str();
        Ok(match &spec.backend {
            Backend::Json { root_dir } => {
                let dir = container_dir(root_dir, service_id, channel_id, name);
                let owned = name.to_owned();
                Self::Json(F::run(name, move || JsonDir::open(dir, &owned)).await?)
            }
            Backend::Memory => Self::Memory(MemoryStore::default()),
            Backend::Null => Self::Null(PhantomData),
            #[cfg(feature = "redis")]
            Backend::Redis(settings) => {
                let target =
                    crate::redis_backend::Target::new(settings, service_id, channel_id, name)?;
                Self::Redis(Box::new(crate::redis_backend::Redis::open(target).await?))
            }
            #[cfg(not(feature = "redis"))]
            Backend::Redis(_) => {
                return Err(StorageError::EngineDisabled {
                    container: spec.name.clone(),
                    implementation: Implementation::Redis,
                })
            }
        })
    }

    /// Runs one JSON-directory operation through the face.
    async fn json<R: Send + 'static>(
        name: &str,
        dir: &JsonDir,
        key: &str,
        op: impl FnOnce(&JsonDir, &str) -> Result<R, StorageError> + Send + 'static,
    ) -> Result<R, StorageError> {
        let (dir, key) = (dir.clone(), key.to_owned());
        F::run(name, move || op(&dir, &key)).await
    }

    async fn read(&self, name: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.read(key)),
            Self::Json(j) => Self::json(name, j, key, JsonDir::read).await,
            Self::Null(_) => Ok(None),
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
            Self::Json(j) => Self::json(name, j, key, move |j, k| j.write(k, &bytes)).await,
            Self::Null(_) => Ok(()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.write(key, &bytes).await,
        }
    }

    async fn remove(&self, name: &str, key: &str) -> Result<bool, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.remove(key)),
            Self::Json(j) => Self::json(name, j, key, JsonDir::remove).await,
            Self::Null(_) => Ok(false),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.remove(key).await,
        }
    }

    async fn contains(&self, name: &str, key: &str) -> Result<bool, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.contains(key)),
            Self::Json(j) => Self::json(name, j, key, JsonDir::contains).await,
            Self::Null(_) => Ok(false),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.contains(key).await,
        }
    }

    async fn keys(&self, name: &str) -> Result<Vec<String>, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.keys()),
            Self::Json(j) => Self::json(name, j, "", |j, _| j.keys()).await,
            Self::Null(_) => Ok(Vec::new()),
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
            Self::Json(j) => Self::json(name, j, "", |j, _| j.clear()).await,
            Self::Null(_) => Ok(()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.clear().await,
        }
    }

    /// Where a key's value lives, for error messages.
    fn location_of(&self, key: &str) -> String {
        match self {
            Self::Memory(_) => "memory".to_owned(),
            Self::Json(j) => j.path_of(key).display().to_string(),
            Self::Null(_) => "null".to_owned(),
            #[cfg(feature = "redis")]
            Self::Redis(r) => format!(
                "{} key {:?}",
                r.target().location(),
                r.target().full_key(key)
            ),
        }
    }

    /// Where the container's data lives, for logs.
    fn location(&self) -> String {
        match self {
            Self::Memory(_) => "memory".to_owned(),
            Self::Json(j) => j.dir().display().to_string(),
            Self::Null(_) => "null".to_owned(),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.target().location(),
        }
    }
}

/// One open container: what [`Container`](crate::Container) and
/// [`AsyncContainer`](crate::AsyncContainer) share behind an `Arc`.
pub(crate) struct Core<F: Face> {
    name: String,
    implementation: Implementation,
    engine: Engine<F>,
    location: String,
}

impl<F: Face> Core<F> {
    /// Opens one container, then applies the spec's `clear` or `load`.
    pub(crate) async fn open(
        service_id: &str,
        channel_id: &str,
        spec: &ContainerSpec,
    ) -> Result<Self, StorageError> {
        check_name(&spec.name).map_err(|reason| ConfigError::InvalidName {
            index: 0,
            value: spec.name.clone(),
            reason,
        })?;
        let name = spec.name.as_str();
        F::enter(name)?;
        let engine = Engine::open(service_id, channel_id, spec).await?;
        let this = Self {
            name: spec.name.clone(),
            implementation: spec.implementation(),
            location: engine.location(),
            engine,
        };
        if spec.clear {
            this.clear().await?;
        } else if spec.load {
            let keys = this.keys().await?;
            for key in &keys {
                // Only checks that the value is JSON; nothing is kept.
                this.get::<IgnoredAny>(key).await?;
            }
            tracing::debug!(container = name, keys = keys.len(), "loaded");
        }
        tracing::debug!(
            container = name,
            implementation = %this.implementation,
            location = %this.location,
            "opened"
        );
        Ok(this)
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn implementation(&self) -> Implementation {
        self.implementation
    }

    pub(crate) fn location(&self) -> &str {
        &self.location
    }

    /// `Debug` of a face: name, engine and location, never settings.
    pub(crate) fn debug(&self, face: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(face)
            .field("name", &self.name)
            .field("implementation", &self.implementation)
            .field("location", &self.location)
            .finish()
    }

    fn check(&self, key: &str) -> Result<(), StorageError> {
        codec::check_key(&self.name, key)
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        self.check(key)?;
        match self.engine.read(&self.name, key).await? {
            None => Ok(None),
            Some(bytes) => {
                codec::decode(&self.name, key, || self.engine.location_of(key), &bytes).map(Some)
            }
        }
    }

    /// The value is encoded before the first `.await`, so the future does
    /// not hold `value`.
    pub(crate) fn set<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> impl Future<Output = Result<(), StorageError>> + Send + '_ {
        let encoded = self
            .check(key)
            .and_then(|()| codec::encode(&self.name, key, value));
        let key = key.to_owned();
        async move { self.engine.write(&self.name, &key, encoded?).await }
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<bool, StorageError> {
        self.check(key)?;
        self.engine.remove(&self.name, key).await
    }

    pub(crate) async fn contains(&self, key: &str) -> Result<bool, StorageError> {
        self.check(key)?;
        self.engine.contains(&self.name, key).await
    }

    pub(crate) async fn keys(&self) -> Result<Vec<String>, StorageError> {
        self.engine.keys(&self.name).await
    }

    pub(crate) async fn len(&self) -> Result<usize, StorageError> {
        self.keys().await.map(|k| k.len())
    }

    pub(crate) async fn clear(&self) -> Result<(), StorageError> {
        self.engine.clear(&self.name).await
    }
}

/// A face's container type, as [`Channel`] needs it.
pub(crate) trait Named {
    fn name(&self) -> &str;
}

/// The containers of one channel: what [`ChannelStorage`](crate::ChannelStorage)
/// and [`AsyncChannelStorage`](crate::AsyncChannelStorage) hold.
#[derive(Debug, Clone)]
pub(crate) struct Channel<C> {
    service_id: String,
    channel_id: String,
    containers: Vec<C>,
}

impl<C: Named> Channel<C> {
    /// Opens every container of `specs`, in order, with `open`. Invalid or
    /// duplicate names fail before anything is opened.
    pub(crate) async fn open<'s, Fut>(
        service_id: &str,
        channel_id: &str,
        specs: &'s [ContainerSpec],
        mut open: impl FnMut(&'s ContainerSpec) -> Fut,
    ) -> Result<Self, StorageError>
    where
        Fut: Future<Output = Result<C, StorageError>>,
    {
        check_names(specs)?;
        let mut containers = Vec::with_capacity(specs.len());
        for spec in specs {
            containers.push(open(spec).await?);
        }
        Ok(Self {
            service_id: service_id.to_owned(),
            channel_id: channel_id.to_owned(),
            containers,
        })
    }

    pub(crate) fn service_id(&self) -> &str {
        &self.service_id
    }

    pub(crate) fn channel_id(&self) -> &str {
        &self.channel_id
    }

    pub(crate) fn container(&self, name: &str) -> Result<&C, StorageError> {
        self.containers
            .iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| StorageError::UnknownContainer {
                name: name.to_owned(),
            })
    }

    pub(crate) fn containers(&self) -> std::slice::Iter<'_, C> {
        self.containers.iter()
    }
}

/// The parts of a face that do no I/O, written once for both faces:
/// `Debug`, [`Named`] and the accessors of the container type, and the
/// accessors of the channel-storage type.
macro_rules! face_accessors {
    ($container:ident, $storage:ident) => {
        impl std::fmt::Debug for $container {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.inner.debug(stringify!($container), f)
            }
        }

        impl $crate::container::Named for $container {
            fn name(&self) -> &str {
                self.inner.name()
            }
        }

        impl $container {
            /// The container's name.
            #[must_use]
            pub fn name(&self) -> &str {
                self.inner.name()
            }

            /// The container's engine.
            #[must_use]
            pub fn implementation(&self) -> $crate::Implementation {
                self.inner.implementation()
            }

            /// Where the data lives (folder, Redis server and key prefix,
            /// ...), for logs. Never contains a password.
            #[must_use]
            pub fn location(&self) -> &str {
                self.inner.location()
            }
        }

        impl $storage {
            /// The service id given to `open`.
            #[must_use]
            pub fn service_id(&self) -> &str {
                self.inner.service_id()
            }

            /// The channel id given to `open`.
            #[must_use]
            pub fn channel_id(&self) -> &str {
                self.inner.channel_id()
            }

            /// The container called `name`.
            pub fn container(&self, name: &str) -> Result<&$container, $crate::StorageError> {
                self.inner.container(name)
            }

            /// Every container, in `db_config` order.
            pub fn containers(&self) -> impl ExactSizeIterator<Item = &$container> {
                self.inner.containers()
            }
        }
    };
}
pub(crate) use face_accessors;
