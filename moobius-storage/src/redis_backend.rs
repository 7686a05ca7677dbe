//! The Redis engine.
//!
//! A container's keys are `moobius:<sid>:<cid>:<name>:<key>` (ids encoded by
//! [`crate::key::encode`], so they contain no `:` or glob characters; the key
//! itself is stored as is). Values are the same JSON bytes as the JSON
//! engine's files. Nothing is cached in the process: replicas sharing one
//! server see each other's writes at once. A broken connection is dropped and
//! re-established once per command; a command that still fails is a
//! [`StorageError::Redis`].

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use redis::{Cmd, ConnectionAddr, FromRedisValue, IntoConnectionInfo, RedisConnectionInfo};

use crate::config::RedisSettings;
use crate::error::StorageError;
use crate::key;

/// Time allowed to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for one reply.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// `COUNT` hint of each `SCAN` step.
const SCAN_COUNT: usize = 1000;

/// The key prefix of one container.
pub(crate) fn namespace(service_id: &str, channel_id: &str, name: &str) -> String {
    format!(
        "moobius:{}:{}:{name}:",
        key::encode(service_id),
        key::encode(channel_id)
    )
}

/// Where a container's keys live: the server and the key prefix.
pub(crate) struct Target {
    client: redis::Client,
    prefix: String,
    server: String,
    container: String,
}

impl std::fmt::Debug for Target {
    // Not derived: the client's connection info holds the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("server", &self.server)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Target {
    pub(crate) fn new(
        settings: &RedisSettings,
        service_id: &str,
        channel_id: &str,
        container: &str,
    ) -> Result<Self, StorageError> {
        let server = settings.server_display();
        let configure = |source: redis::RedisError| StorageError::Redis {
            container: container.to_owned(),
            key: None,
            op: "configure",
            server: server.clone(),
            source: Box::new(source),
        };
        let info = match &settings.url {
            Some(url) => url.as_str().into_connection_info(),
            None => ConnectionAddr::Tcp(settings.host.clone(), settings.port)
                .into_connection_info()
                .map(|info| info.set_redis_settings(redis_settings(settings))),
        }
        .map_err(configure)?;
        let client = match info.addr() {
            ConnectionAddr::TcpTls { .. } => {
                use_ring_unless_chosen();
                let root_cert = match &settings.ca_file {
                    Some(path) => Some(std::fs::read(path).map_err(|source| StorageError::Io {
                        container: container.to_owned(),
                        key: None,
                        op: "read the CA file",
                        path: path.clone(),
                        source,
                    })?),
                    None => None,
                };
                let certificates = redis::TlsCertificates {
                    client_tls: None,
                    root_cert,
                };
                redis::Client::build_with_tls(info, certificates)
            }
            _ => redis::Client::open(info),
        }
        .map_err(configure)?;
        Ok(Self {
            client,
            prefix: namespace(service_id, channel_id, container),
            server,
            container: container.to_owned(),
        })
    }

    pub(crate) fn location(&self) -> String {
        format!("{} {}*", self.server, self.prefix)
    }

    pub(crate) fn full_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn err(&self, op: &'static str, key: Option<&str>, source: redis::RedisError) -> StorageError {
        StorageError::Redis {
            container: self.container.clone(),
            key: key.map(str::to_owned),
            op,
            server: self.server.clone(),
            source: Box::new(source),
        }
    }

    fn scan_cmd(&self, cursor: u64) -> Cmd {
        let mut cmd = redis::cmd("SCAN");
        cmd.arg(cursor)
            .arg("MATCH")
            .arg(format!("{}*", self.prefix))
            .arg("COUNT")
            .arg(SCAN_COUNT);
        cmd
    }

    /// The container key of a full Redis key found by `SCAN`, if it is one
    /// this crate could have written.
    fn key_of(&self, full: &[u8]) -> Option<String> {
        let rest = full.strip_prefix(self.prefix.as_bytes())?;
        match std::str::from_utf8(rest) {
            Ok(k) if key::check_key(k).is_ok() => Some(k.to_owned()),
            _ => {
                tracing::debug!(container = %self.container, key = ?String::from_utf8_lossy(full), "skipping a Redis key that is not a valid container key");
                None
            }
        }
    }

    fn del_cmd(&self, full_keys: &[Vec<u8>]) -> Cmd {
        let mut cmd = redis::cmd("DEL");
        for k in full_keys {
            cmd.arg(k.as_slice());
        }
        cmd
    }
}

fn redis_settings(settings: &RedisSettings) -> RedisConnectionInfo {
    let mut info = RedisConnectionInfo::default().set_db(settings.db);
    if let Some(username) = &settings.username {
        info = info.set_username(username);
    }
    if let Some(password) = &settings.password {
        info = info.set_password(password);
    }
    info
}

/// redis builds its TLS configuration with rustls' process-wide default
/// crypto provider. Unless the application has chosen one, this installs
/// ring (the provider the drivers use), so that a second provider compiled
/// into the program never leaves rustls unable to choose.
fn use_ring_unless_chosen() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A failure after which the connection is not trusted any more.
fn is_connection_error(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error()
}

/// Why [`Client::exec`] failed.
pub(crate) enum Failure {
    /// No connection could be made.
    Connect(redis::RedisError),
    /// The command failed (possibly because the connection broke).
    Command(redis::RedisError),
}

/// A face's Redis connection: keeps one connection and runs commands on it.
/// The blocking and the async client differ only here.
pub(crate) trait Client: Default + Send + Sync + 'static {
    /// Runs `cmd`, connecting first when there is no connection.
    fn exec<T: FromRedisValue + Send>(
        &self,
        client: &redis::Client,
        cmd: &Cmd,
    ) -> impl Future<Output = Result<T, Failure>> + Send;

    /// Forgets the connection, so that the next command reconnects.
    fn reset(&self);
}

/// A Redis container: the commands of every engine operation, written once
/// over a face's [`Client`].
pub(crate) struct Redis<C> {
    target: Target,
    client: C,
}

impl<C> std::fmt::Debug for Redis<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl<C: Client> Redis<C> {
    /// Connects (`PING`), so that a wrong address fails at open.
    pub(crate) async fn open(target: Target) -> Result<Self, StorageError> {
        let this = Self {
            target,
            client: C::default(),
        };
        this.query::<()>("PING", None, &redis::cmd("PING")).await?;
        Ok(this)
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    /// Runs `cmd`; after a connection error, reconnects and tries once more.
    async fn query<T: FromRedisValue + Send>(
        &self,
        op: &'static str,
        key: Option<&str>,
        cmd: &Cmd,
    ) -> Result<T, StorageError> {
        let mut retried = false;
        loop {
            match self.client.exec(&self.target.client, cmd).await {
                Ok(v) => return Ok(v),
                Err(Failure::Connect(e)) => return Err(self.target.err("connect", None, e)),
                Err(Failure::Command(e)) => {
                    let lost = is_connection_error(&e);
                    if lost {
                        self.client.reset();
                    }
                    if !lost || retried {
                        return Err(self.target.err(op, key, e));
                    }
                    tracing::debug!(container = %self.target.container, error = %e, "redis connection lost, reconnecting");
                    retried = true;
                }
            }
        }
    }

    pub(crate) async fn read(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let full = self.target.full_key(key);
        self.query("GET", Some(key), redis::cmd("GET").arg(full))
            .await
    }

    pub(crate) async fn contains(&self, key: &str) -> Result<bool, StorageError> {
        let full = self.target.full_key(key);
        let n: i64 = self
            .query("EXISTS", Some(key), redis::cmd("EXISTS").arg(full))
            .await?;
        Ok(n > 0)
    }

    pub(crate) async fn write(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let full = self.target.full_key(key);
        self.query("SET", Some(key), redis::cmd("SET").arg(full).arg(bytes))
            .await
    }

    pub(crate) async fn remove(&self, key: &str) -> Result<bool, StorageError> {
        let full = self.target.full_key(key);
        let n: i64 = self
            .query("DEL", Some(key), redis::cmd("DEL").arg(full))
            .await?;
        Ok(n > 0)
    }

    /// One `SCAN` step: the next cursor (0 at the end) and full keys.
    async fn scan(&self, cursor: u64) -> Result<(u64, Vec<Vec<u8>>), StorageError> {
        self.query("SCAN", None, &self.target.scan_cmd(cursor))
            .await
    }

    pub(crate) async fn keys(&self) -> Result<Vec<String>, StorageError> {
        let mut set = BTreeSet::new();
        let mut cursor = 0u64;
        loop {
            let (next, page) = self.scan(cursor).await?;
            set.extend(page.iter().filter_map(|k| self.target.key_of(k)));
            if next == 0 {
                return Ok(set.into_iter().collect());
            }
            cursor = next;
        }
    }

    pub(crate) async fn clear(&self) -> Result<(), StorageError> {
        let mut cursor = 0u64;
        loop {
            let (next, page) = self.scan(cursor).await?;
            if !page.is_empty() {
                self.query::<i64>("DEL", None, &self.target.del_cmd(&page))
                    .await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

/// The blocking client: one connection, used by one command at a time. Its
/// futures are ready when returned (the work is done in [`Client::exec`]).
#[derive(Default)]
pub(crate) struct SyncClient {
    conn: Mutex<Option<redis::Connection>>,
}

impl SyncClient {
    fn lock(&self) -> MutexGuard<'_, Option<redis::Connection>> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn connect_sync(client: &redis::Client) -> Result<redis::Connection, redis::RedisError> {
    let conn = client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
    conn.set_read_timeout(Some(RESPONSE_TIMEOUT))?;
    conn.set_write_timeout(Some(RESPONSE_TIMEOUT))?;
    Ok(conn)
}

impl Client for SyncClient {
    fn exec<T: FromRedisValue + Send>(
        &self,
        client: &redis::Client,
        cmd: &Cmd,
    ) -> impl Future<Output = Result<T, Failure>> + Send {
        let mut guard = self.lock();
        let result = match guard.as_mut() {
            Some(conn) => Ok(conn),
            None => connect_sync(client)
                .map(|conn| guard.insert(conn))
                .map_err(Failure::Connect),
        }
        .and_then(|conn| cmd.query::<T>(conn).map_err(Failure::Command));
        std::future::ready(result)
    }

    fn reset(&self) {
        *self.lock() = None;
    }
}

/// The async (tokio) client: one multiplexed connection shared by every
/// concurrent command.
#[cfg(feature = "tokio")]
#[derive(Default)]
pub(crate) struct AsyncClient {
    conn: Mutex<Option<redis::aio::MultiplexedConnection>>,
}

#[cfg(feature = "tokio")]
impl AsyncClient {
    fn cached(&self) -> Option<redis::aio::MultiplexedConnection> {
        self.conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store(&self, conn: Option<redis::aio::MultiplexedConnection>) {
        *self.conn.lock().unwrap_or_else(PoisonError::into_inner) = conn;
    }
}

#[cfg(feature = "tokio")]
impl Client for AsyncClient {
    async fn exec<T: FromRedisValue + Send>(
        &self,
        client: &redis::Client,
        cmd: &Cmd,
    ) -> Result<T, Failure> {
        let mut conn = match self.cached() {
            Some(conn) => conn,
            None => {
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(RESPONSE_TIMEOUT));
                let conn = client
                    .get_multiplexed_async_connection_with_config(&config)
                    .await
                    .map_err(Failure::Connect)?;
                self.store(Some(conn.clone()));
                conn
            }
        };
        cmd.query_async::<T>(&mut conn)
            .await
            .map_err(Failure::Command)
    }

    fn reset(&self) {
        self.store(None);
    }
}
