//! The blocking API: [`ChannelStorage`] and [`Container`].

use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Serialize;

use crate::codec;
use crate::config::{check_name, check_names, Backend, ContainerSpec, Implementation};
use crate::error::{ConfigError, StorageError};
use crate::json_dir::{container_dir, JsonDir};
use crate::memory::MemoryStore;

/// The storage engine behind a blocking container.
#[derive(Debug)]
enum Engine {
    Memory(MemoryStore),
    Json(JsonDir),
    Null,
    #[cfg(feature = "redis")]
    Redis(Box<crate::redis_backend::RedisSync>),
}

impl Engine {
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.read(key)),
            Self::Json(j) => j.read(key),
            Self::Null => Ok(None),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.read(key),
        }
    }

    fn write(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        match self {
            Self::Memory(m) => {
                m.write(key, bytes);
                Ok(())
            }
            Self::Json(j) => j.write(key, &bytes),
            Self::Null => Ok(()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.write(key, &bytes),
        }
    }

    fn remove(&self, key: &str) -> Result<bool, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.remove(key)),
            Self::Json(j) => j.remove(key),
            Self::Null => Ok(false),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.remove(key),
        }
    }

    fn contains(&self, key: &str) -> Result<bool, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.contains(key)),
            Self::Json(j) => j.contains(key),
            Self::Null => Ok(false),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.contains(key),
        }
    }

    fn keys(&self) -> Result<Vec<String>, StorageError> {
        match self {
            Self::Memory(m) => Ok(m.keys()),
            Self::Json(j) => j.keys(),
            Self::Null => Ok(Vec::new()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.keys(),
        }
    }

    fn clear(&self) -> Result<(), StorageError> {
        match self {
            Self::Memory(m) => {
                m.clear();
                Ok(())
            }
            Self::Json(j) => j.clear(),
            Self::Null => Ok(()),
            #[cfg(feature = "redis")]
            Self::Redis(r) => r.clear(),
        }
    }

    /// Where a key's value lives, for error messages.
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

/// One named container of a channel's storage (blocking API): a map from
/// string keys to JSON values, persisted by its engine.
///
/// Every call goes to the engine; nothing is cached, so several processes
/// (or replicas sharing one Redis) see each other's writes. Values are any
/// serde type; the stored form is JSON with a 2-space indent.
///
/// Keys are any non-empty string up to [`MAX_ENCODED_KEY_LEN`] encoded bytes
/// (see [`MAX_ENCODED_KEY_LEN`] for how they are counted). `/`, `..`, NUL,
/// unicode and so on are fine: the JSON engine percent-encodes them into the
/// file name, so no key can reach outside the container's folder.
///
/// Cloning is cheap and clones share the engine (and its connection).
///
/// [`MAX_ENCODED_KEY_LEN`]: crate::MAX_ENCODED_KEY_LEN
///
/// ```
/// use moobius_storage::{Container, ContainerSpec};
/// # fn main() -> Result<(), moobius_storage::StorageError> {
/// let dir = tempfile::tempdir().unwrap();
/// let scores = Container::open("svc", "chan", &ContainerSpec::json("scores", dir.path()))?;
/// scores.set("alice", &3u32)?;
/// scores.set("../bob", &5u32)?; // stored as `%2E%2E%2Fbob.json` inside the folder
/// assert_eq!(scores.get::<u32>("alice")?, Some(3));
/// assert_eq!(scores.keys()?, ["../bob", "alice"]);
/// assert!(scores.delete("alice")?);
/// assert_eq!(scores.get::<u32>("alice")?, None);
/// assert!(dir.path().join("service_svc/channel_chan/scores/%2E%2E%2Fbob.json").is_file());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Container {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    implementation: Implementation,
    engine: Engine,
    location: String,
}

impl fmt::Debug for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Container")
            .field("name", &self.inner.name)
            .field("implementation", &self.inner.implementation)
            .field("location", &self.inner.location)
            .finish()
    }
}

impl Container {
    /// Opens one container of channel `channel_id` of service `service_id`,
    /// then applies the spec's `clear` (delete every key) or, if not
    /// clearing, its `load` (read every value once, failing on one that is
    /// not valid JSON).
    ///
    /// The JSON engine creates its folder; the Redis engine connects and
    /// sends `PING`, so a wrong address fails here.
    pub fn open(
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
        let engine = match &spec.backend {
            Backend::Json { root_dir } => Engine::Json(JsonDir::open(
                container_dir(root_dir, service_id, channel_id, name),
                name,
            )?),
            Backend::Memory => Engine::Memory(MemoryStore::default()),
            Backend::Null => Engine::Null,
            #[cfg(feature = "redis")]
            Backend::Redis(settings) => {
                let target =
                    crate::redis_backend::Target::new(settings, service_id, channel_id, name)?;
                Engine::Redis(Box::new(crate::redis_backend::RedisSync::open(target)?))
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
            this.clear()?;
        } else if spec.load {
            let keys = this.keys()?;
            for key in &keys {
                // Only checks that the value is JSON; nothing is kept.
                this.get::<IgnoredAny>(key)?;
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

    /// Where the data lives (folder, Redis server and key prefix, ...), for
    /// logs. Never contains a password.
    #[must_use]
    pub fn location(&self) -> &str {
        &self.inner.location
    }

    fn check(&self, key: &str) -> Result<(), StorageError> {
        codec::check_key(&self.inner.name, key)
    }

    /// The value of `key`, or `None` if there is none. A stored value that
    /// does not decode as `T` is a [`StorageError::Decode`].
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        self.check(key)?;
        match self.inner.engine.read(key)? {
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
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), StorageError> {
        self.check(key)?;
        let bytes = codec::encode(&self.inner.name, key, value)?;
        self.inner.engine.write(key, bytes)
    }

    /// Removes `key`; `true` if it had a value.
    pub fn delete(&self, key: &str) -> Result<bool, StorageError> {
        self.check(key)?;
        self.inner.engine.remove(key)
    }

    /// `true` if `key` has a value.
    pub fn contains(&self, key: &str) -> Result<bool, StorageError> {
        self.check(key)?;
        self.inner.engine.contains(key)
    }

    /// Every key with a value, sorted.
    pub fn keys(&self) -> Result<Vec<String>, StorageError> {
        self.inner.engine.keys()
    }

    /// The number of keys.
    pub fn len(&self) -> Result<usize, StorageError> {
        self.keys().map(|k| k.len())
    }

    /// `true` if there are no keys.
    pub fn is_empty(&self) -> Result<bool, StorageError> {
        self.len().map(|n| n == 0)
    }

    /// Deletes every key of this container (and only this container's).
    pub fn clear(&self) -> Result<(), StorageError> {
        self.inner.engine.clear()
    }
}

/// The storage of one channel (blocking API): the named containers of a
/// `db_config`.
///
/// ```
/// use moobius_storage::{ChannelStorage, StorageConfig};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = StorageConfig::from_json_str(r#"[
///   {"implementation": "memory", "name": "stats"},
///   {"implementation": "null", "name": "scratch"}
/// ]"#)?;
/// let storage = ChannelStorage::open("service-1", "channel-1", config.specs())?;
/// let stats = storage.container("stats")?;
/// stats.set("alice", &serde_json::json!({"messages": 1}))?;
/// assert_eq!(stats.keys()?, ["alice"]);
/// assert!(storage.container("nope").is_err());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ChannelStorage {
    service_id: String,
    channel_id: String,
    containers: Vec<Container>,
}

impl ChannelStorage {
    /// Opens every container of `specs` (in order, see [`Container::open`]).
    /// Invalid or duplicate names fail before anything is opened.
    pub fn open(
        service_id: impl AsRef<str>,
        channel_id: impl AsRef<str>,
        specs: &[ContainerSpec],
    ) -> Result<Self, StorageError> {
        let (service_id, channel_id) = (service_id.as_ref(), channel_id.as_ref());
        check_names(specs)?;
        let containers = specs
            .iter()
            .map(|spec| Container::open(service_id, channel_id, spec))
            .collect::<Result<Vec<_>, _>>()?;
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
    pub fn container(&self, name: &str) -> Result<&Container, StorageError> {
        self.containers
            .iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| StorageError::UnknownContainer {
                name: name.to_owned(),
            })
    }

    /// Every container, in `db_config` order.
    pub fn containers(&self) -> impl ExactSizeIterator<Item = &Container> {
        self.containers.iter()
    }
}
