//! The blocking API: [`ChannelStorage`] and [`Container`], a face of the
//! one container implementation ([`crate::container`]) that runs every
//! operation on the calling thread, without a runtime.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::ContainerSpec;
use crate::container::{face_accessors, Channel, Core, Face};
use crate::error::StorageError;

/// The blocking face: file work runs inline, Redis through the blocking
/// client. None of its futures ever waits.
pub(crate) struct Blocking;

impl Face for Blocking {
    #[cfg(feature = "redis")]
    type Redis = crate::redis_backend::SyncClient;

    fn enter(_container: &str) -> Result<(), StorageError> {
        Ok(())
    }

    fn run<R: Send + 'static>(
        _container: &str,
        work: impl FnOnce() -> Result<R, StorageError> + Send + 'static,
    ) -> impl Future<Output = Result<R, StorageError>> + Send {
        std::future::ready(work())
    }
}

/// Wakes the thread that waits in [`block_on`].
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Drives a future of the blocking face to its end on this thread. Those
/// futures are ready at the first poll; parking only guards against one that
/// is not.
fn block_on<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::park();
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
    inner: Arc<Core<Blocking>>,
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
        let core = block_on(Core::open(service_id.as_ref(), channel_id.as_ref(), spec))?;
        Ok(Self {
            inner: Arc::new(core),
        })
    }

    /// The value of `key`, or `None` if there is none. A stored value that
    /// does not decode as `T` is a [`StorageError::Decode`].
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        block_on(self.inner.get(key))
    }

    /// Stores `value` under `key`, replacing any previous value as a whole.
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), StorageError> {
        block_on(self.inner.set(key, value))
    }

    /// Removes `key`; `true` if it had a value.
    pub fn delete(&self, key: &str) -> Result<bool, StorageError> {
        block_on(self.inner.delete(key))
    }

    /// `true` if `key` has a value.
    pub fn contains(&self, key: &str) -> Result<bool, StorageError> {
        block_on(self.inner.contains(key))
    }

    /// Every key with a value, sorted.
    pub fn keys(&self) -> Result<Vec<String>, StorageError> {
        block_on(self.inner.keys())
    }

    /// The number of keys.
    pub fn len(&self) -> Result<usize, StorageError> {
        block_on(self.inner.len())
    }

    /// `true` if there are no keys.
    pub fn is_empty(&self) -> Result<bool, StorageError> {
        self.len().map(|n| n == 0)
    }

    /// Deletes every key of this container (and only this container's).
    pub fn clear(&self) -> Result<(), StorageError> {
        block_on(self.inner.clear())
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
    inner: Channel<Container>,
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
        let open = |spec: &ContainerSpec| {
            std::future::ready(Container::open(service_id, channel_id, spec))
        };
        let inner = block_on(Channel::open(service_id, channel_id, specs, open))?;
        Ok(Self { inner })
    }
}

face_accessors!(Container, ChannelStorage);
