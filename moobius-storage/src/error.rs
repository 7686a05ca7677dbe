//! Error types.

use std::fmt;
use std::path::PathBuf;

use crate::config::Implementation;
use crate::key::{display_key, KeyError};

/// Which `db_config` entry an error is about: its position and, when it has a
/// readable one, its name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpecAt {
    /// Position in the `db_config` list (0-based).
    pub index: usize,
    /// The entry's `name`, if it has a string one.
    pub name: Option<String>,
}

impl fmt::Display for SpecAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "db_config[{}]", self.index)?;
        if let Some(name) = &self.name {
            write!(f, " (`{name}`)")?;
        }
        Ok(())
    }
}

/// A `db_config` that cannot be used. Nothing is opened when one is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not JSON.
    #[error("db_config is not valid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The file could not be read.
    #[error("cannot read db_config file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The top level is neither a list nor `null`/`{}`.
    #[error("db_config must be a list of container specs, got {found}")]
    NotAList {
        /// The JSON type found.
        found: &'static str,
    },
    /// An entry is not an object.
    #[error("db_config[{index}] must be an object, got {found}")]
    NotAnObject {
        /// Position of the entry.
        index: usize,
        /// The JSON type found.
        found: &'static str,
    },
    /// A required key is missing.
    #[error("{at}: missing required key `{key}`")]
    MissingKey {
        /// The entry.
        at: SpecAt,
        /// `implementation` or `name`.
        key: &'static str,
    },
    /// A key other than `implementation`, `name`, `settings`, `load`, `clear`.
    #[error("{at}: unknown key `{key}` (known keys: implementation, name, settings, load, clear)")]
    UnknownKey {
        /// The entry.
        at: SpecAt,
        /// The unknown key.
        key: String,
    },
    /// A key holds the wrong JSON type.
    #[error("{at}: `{key}` must be {expected}, got {found}")]
    WrongType {
        /// The entry.
        at: SpecAt,
        /// The key.
        key: String,
        /// What it should hold.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// `implementation` names no known engine.
    #[error(
        "{at}: unknown implementation {value:?} \
         (known: json, redis, memory, null and the reference SDK's aliases)"
    )]
    UnknownImplementation {
        /// The entry.
        at: SpecAt,
        /// The value found.
        value: String,
    },
    /// The container name is empty, too long or uses other characters than
    /// `[A-Za-z0-9_-]`.
    #[error("db_config[{index}]: invalid container name {value:?}: {reason}")]
    InvalidName {
        /// Position of the entry.
        index: usize,
        /// The name found.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two entries share a name.
    #[error("db_config[{index}]: duplicate container name `{name}` (first at db_config[{first}])")]
    DuplicateName {
        /// Position of the second entry.
        index: usize,
        /// Position of the first entry.
        first: usize,
        /// The name.
        name: String,
    },
    /// A `settings` key that no engine knows.
    #[error(
        "{at}: unknown setting `{key}` for a {implementation} container \
         (known: root_dir, url, host, port, db, username, password, ca_file)"
    )]
    UnknownSetting {
        /// The entry.
        at: SpecAt,
        /// Its engine.
        implementation: Implementation,
        /// The unknown setting.
        key: String,
    },
    /// A setting the engine needs is missing.
    #[error("{at}: setting `{key}` is required for a {implementation} container")]
    MissingSetting {
        /// The entry.
        at: SpecAt,
        /// Its engine.
        implementation: Implementation,
        /// The missing setting.
        key: &'static str,
    },
    /// A setting has a bad value.
    #[error("{at}: setting `{key}`: {reason}")]
    InvalidSetting {
        /// The entry.
        at: SpecAt,
        /// The setting.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// An error of a storage operation. Every variant names the container; those
/// about one key name it (shortened) and those about a file name the path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The specs given to `open` are invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No container of that name in this channel's storage.
    #[error("no container named `{name}` in this channel storage")]
    UnknownContainer {
        /// The name asked for.
        name: String,
    },
    /// The container's engine was compiled out (cargo feature `redis`).
    #[error("container `{container}`: the {implementation} engine is not compiled in (enable the cargo feature `{implementation}` of moobius-storage)")]
    EngineDisabled {
        /// The container.
        container: String,
        /// Its engine.
        implementation: Implementation,
    },
    /// The key is empty or too long.
    #[error("container `{container}`: invalid key {}: {problem}", display_key(.key))]
    InvalidKey {
        /// The container.
        container: String,
        /// The key.
        key: String,
        /// What is wrong with it.
        problem: KeyError,
    },
    /// The value could not be turned into JSON.
    #[error("container `{container}`: cannot encode the value of key {}: {source}", display_key(.key))]
    Encode {
        /// The container.
        container: String,
        /// The key.
        key: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// A stored value is not valid JSON or does not match the requested type.
    #[error("container `{container}`: the value of key {} ({location}) cannot be decoded: {source}", display_key(.key))]
    Decode {
        /// The container.
        container: String,
        /// The key.
        key: String,
        /// The file or Redis key that holds the value.
        location: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// A file-system operation failed.
    #[error("container `{container}`: cannot {op}{} ({}): {source}", .key.as_deref().map(|k| format!(" key {}", display_key(k))).unwrap_or_default(), .path.display())]
    Io {
        /// The container.
        container: String,
        /// The key, if the operation was about one.
        key: Option<String>,
        /// What was being done (`read`, `write`, `list`, ...).
        op: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A Redis command or connection failed (server down, timeout, auth, ...).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    #[error("container `{container}`: redis {op}{} on {server} failed: {source}", .key.as_deref().map(|k| format!(" of key {}", display_key(k))).unwrap_or_default())]
    Redis {
        /// The container.
        container: String,
        /// The key, if the operation was about one.
        key: Option<String>,
        /// What was being done (`connect`, `GET`, `SET`, ...).
        op: &'static str,
        /// The server, without credentials.
        server: String,
        /// The cause.
        source: Box<redis::RedisError>,
    },
    /// The async API was used outside a tokio runtime, or its blocking file
    /// task failed.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    #[error("container `{container}`: {problem}")]
    Runtime {
        /// The container.
        container: String,
        /// What went wrong.
        problem: String,
    },
}

impl StorageError {
    /// `true` for errors that say the backend is unreachable or failing
    /// (file-system or Redis errors) rather than that the request was wrong;
    /// retrying later may succeed.
    #[must_use]
    pub fn is_backend_failure(&self) -> bool {
        match self {
            Self::Io { .. } => true,
            #[cfg(feature = "redis")]
            Self::Redis { .. } => true,
            _ => false,
        }
    }
}
