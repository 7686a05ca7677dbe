//! The `db_config` list: one [`ContainerSpec`] per named container.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::Error as _;
use serde_json::{Map, Value};

use crate::error::{ConfigError, SpecAt};

/// Which engine stores a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Implementation {
    /// One JSON file per key under a root directory (the default engine).
    Json,
    /// A Redis server (needs the `redis` feature to open).
    Redis,
    /// A process-local map, gone when the container is dropped (tests).
    Memory,
    /// Stores nothing: writes are dropped, reads find nothing.
    Null,
}

impl Implementation {
    /// Resolves an `implementation` string of `db_config`: trimmed and
    /// compared case-insensitively with the reference SDK's aliases.
    ///
    /// | engine | accepted spellings |
    /// |---|---|
    /// | [`Json`](Self::Json) | `json`, `JSONdb`, `JSONDatabase` |
    /// | [`Redis`](Self::Redis) | `redis`, `redi`, `RedisDB`, `ready`, `RedisDatabase`, `The Linux one` |
    /// | [`Null`](Self::Null) | `null`, `None`, `False`, `Nulldb`, `NullDatabase` |
    /// | [`Memory`](Self::Memory) | `memory` (not in the reference SDK) |
    ///
    /// ```
    /// use moobius_storage::Implementation;
    /// assert_eq!(Implementation::from_alias(" JSONDatabase "), Some(Implementation::Json));
    /// assert_eq!(Implementation::from_alias("the linux one"), Some(Implementation::Redis));
    /// assert_eq!(Implementation::from_alias("sqlite"), None);
    /// ```
    #[must_use]
    pub fn from_alias(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "json" | "jsondb" | "jsondatabase" => Some(Self::Json),
            "redis" | "redi" | "redisdb" | "ready" | "redisdatabase" | "the linux one" => {
                Some(Self::Redis)
            }
            "null" | "none" | "false" | "nulldb" | "nulldatabase" => Some(Self::Null),
            "memory" => Some(Self::Memory),
            _ => None,
        }
    }

    /// The canonical spelling (`json`, `redis`, `memory`, `null`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Redis => "redis",
            Self::Memory => "memory",
            Self::Null => "null",
        }
    }
}

impl fmt::Display for Implementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a Redis container connects. Defaults: `localhost:6379`, database 0,
/// no user, no password.
///
/// Either [`url`](Self::url) is set (and the other fields keep their
/// defaults), or the separate fields describe the server.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisSettings {
    /// A `redis://[user:password@]host[:port][/db]` (or `rediss://`,
    /// `redis+unix://`, `unix://`) URL; when set, the fields below are unused.
    pub url: Option<String>,
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Database number. The reference SDK derived it from a per-process
    /// random hash; here it is fixed (default 0) and keys are namespaced.
    pub db: i64,
    /// ACL user name.
    pub username: Option<String>,
    /// Password (`""` in `db_config` means none).
    pub password: Option<String>,
    /// A PEM file with the certificate authorities a `rediss://` server's
    /// certificate must chain to, instead of the system's trust store (for
    /// a private CA or a self-signed server). Only with a `rediss://` url.
    pub ca_file: Option<PathBuf>,
}

impl Default for RedisSettings {
    fn default() -> Self {
        Self {
            url: None,
            host: "localhost".to_owned(),
            port: 6379,
            db: 0,
            username: None,
            password: None,
            ca_file: None,
        }
    }
}

impl RedisSettings {
    /// Settings that connect to `url`.
    #[must_use]
    pub fn from_url(url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// Settings that connect to `host:port`, database 0, no user, no
    /// password.
    #[must_use]
    pub fn server(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            ..Self::default()
        }
    }

    /// The same settings with this password (overrides one in the URL).
    #[must_use]
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// The same settings trusting the certificate authorities of this PEM
    /// file for a `rediss://` server.
    #[must_use]
    pub fn with_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// The server for logs and errors, without credentials.
    #[must_use]
    pub fn server_display(&self) -> String {
        match &self.url {
            Some(url) => redact_url(url),
            None => format!("redis://{}:{}/{}", self.host, self.port, self.db),
        }
    }
}

/// A URL without credentials, for logs and errors: `user:password@`
/// becomes `***@`, and a query string with a secret-looking parameter
/// (`password`, `pass`, `pwd`, `secret`, `token`, `key`, `auth`) becomes `?***`.
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority
        .rfind('@')
        .map_or(authority, |at| &authority[at + 1..]);
    let userinfo = if host.len() < authority.len() {
        "***@"
    } else {
        ""
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) if secret_query(query) => format!("{path}?***"),
        _ => tail.to_owned(),
    };
    format!("{}://{userinfo}{host}{tail}", &url[..scheme_end])
}

fn secret_query(query: &str) -> bool {
    const WORDS: [&str; 6] = ["pass", "pwd", "secret", "token", "key", "auth"];
    query.split('&').any(|pair| {
        let name = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
        WORDS.iter().any(|w| name.contains(w))
    })
}

impl fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field("url", &self.url.as_deref().map(redact_url))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("db", &self.db)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// The engine of a container and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// JSON files under `<root_dir>/service_<sid>/channel_<cid>/<name>/`.
    Json {
        /// The `root_dir` setting (relative paths are relative to the
        /// working directory).
        root_dir: PathBuf,
    },
    /// Keys `moobius:<sid>:<cid>:<name>:<key>` on a Redis server.
    Redis(RedisSettings),
    /// A process-local map.
    Memory,
    /// Nothing is stored.
    Null,
}

impl Backend {
    /// The engine.
    #[must_use]
    pub fn implementation(&self) -> Implementation {
        match self {
            Self::Json { .. } => Implementation::Json,
            Self::Redis(_) => Implementation::Redis,
            Self::Memory => Implementation::Memory,
            Self::Null => Implementation::Null,
        }
    }
}

/// One entry of `db_config`: a named container of one channel's storage.
///
/// Usually parsed from JSON (see [`StorageConfig`]); the constructors build
/// one in code:
///
/// ```
/// use moobius_storage::ContainerSpec;
/// let spec = ContainerSpec::json("stats", "data").with_clear(true);
/// assert_eq!(spec.name, "stats");
/// assert!(spec.load && spec.clear);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContainerSpec {
    /// The container's name: 1 to 100 characters out of `[A-Za-z0-9_-]`,
    /// unique within one `db_config`.
    pub name: String,
    /// The engine and its settings.
    pub backend: Backend,
    /// `load` (default `true`): at open, read every stored value once and
    /// fail the open if one is not valid JSON. Reads are never cached.
    pub load: bool,
    /// `clear` (default `false`): at open, delete every key of the container.
    pub clear: bool,
}

impl ContainerSpec {
    /// A spec with the default `load: true, clear: false`.
    #[must_use]
    pub fn new(name: impl Into<String>, backend: Backend) -> Self {
        Self {
            name: name.into(),
            backend,
            load: true,
            clear: false,
        }
    }

    /// A JSON-directory container under `root_dir`.
    #[must_use]
    pub fn json(name: impl Into<String>, root_dir: impl Into<PathBuf>) -> Self {
        Self::new(
            name,
            Backend::Json {
                root_dir: root_dir.into(),
            },
        )
    }

    /// A Redis container.
    #[must_use]
    pub fn redis(name: impl Into<String>, settings: RedisSettings) -> Self {
        Self::new(name, Backend::Redis(settings))
    }

    /// A process-local container.
    #[must_use]
    pub fn memory(name: impl Into<String>) -> Self {
        Self::new(name, Backend::Memory)
    }

    /// A container that stores nothing.
    #[must_use]
    pub fn null(name: impl Into<String>) -> Self {
        Self::new(name, Backend::Null)
    }

    /// Sets `load`.
    #[must_use]
    pub fn with_load(mut self, load: bool) -> Self {
        self.load = load;
        self
    }

    /// Sets `clear`.
    #[must_use]
    pub fn with_clear(mut self, clear: bool) -> Self {
        self.clear = clear;
        self
    }

    /// The engine.
    #[must_use]
    pub fn implementation(&self) -> Implementation {
        self.backend.implementation()
    }

    /// Parses one spec (an object of `db_config`); `index` only labels errors.
    pub fn from_value(value: &Value, index: usize) -> Result<Self, ConfigError> {
        parse_spec(value, index)
    }

    /// This spec in `db_config` form.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let mut settings = Map::new();
        match &self.backend {
            Backend::Json { root_dir } => {
                settings.insert(
                    "root_dir".into(),
                    Value::String(root_dir.to_string_lossy().into_owned()),
                );
            }
            Backend::Redis(r) => {
                if let Some(url) = &r.url {
                    settings.insert("url".into(), url.clone().into());
                } else {
                    settings.insert("host".into(), r.host.clone().into());
                    settings.insert("port".into(), r.port.into());
                    settings.insert("db".into(), r.db.into());
                    if let Some(u) = &r.username {
                        settings.insert("username".into(), u.clone().into());
                    }
                    if let Some(p) = &r.password {
                        settings.insert("password".into(), p.clone().into());
                    }
                }
                if let Some(ca) = &r.ca_file {
                    settings.insert(
                        "ca_file".into(),
                        Value::String(ca.to_string_lossy().into_owned()),
                    );
                }
            }
            Backend::Memory | Backend::Null => {}
        }
        let mut m = Map::new();
        m.insert(
            "implementation".into(),
            self.implementation().as_str().into(),
        );
        m.insert("name".into(), self.name.clone().into());
        m.insert("settings".into(), Value::Object(settings));
        m.insert("load".into(), self.load.into());
        m.insert("clear".into(), self.clear.into());
        Value::Object(m)
    }
}

impl serde::Serialize for ContainerSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for ContainerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        parse_spec(&v, 0).map_err(D::Error::custom)
    }
}

/// A whole `db_config`: the containers every channel's storage gets.
///
/// Accepts the reference SDK's layout: a JSON list of objects with the keys
/// `implementation` (required), `name` (required), `settings` (an object;
/// required for `json`, which needs `root_dir`), `load` (default `true`) and
/// `clear` (default `false`). `null` and `{}` (the reference template's
/// default) mean "no containers". Any other key, a wrong type, an unknown
/// engine, an invalid or duplicate name or an unknown setting is a
/// [`ConfigError`] naming the entry.
///
/// `settings` may hold the keys of every engine (`root_dir` for json; `url`
/// **or** `host`, `port`, `db`, `username`, `password` for redis); each engine
/// reads its own and ignores the others', so switching engine is a one-word
/// change. Keys no engine knows are rejected.
///
/// ```
/// use moobius_storage::{Backend, StorageConfig};
/// let config = StorageConfig::from_json_str(r#"[
///   {"implementation": "JSONDatabase", "name": "stats", "load": true, "clear": false,
///    "settings": {"root_dir": "json_db"}},
///   {"implementation": "redis", "name": "mana_bars",
///    "settings": {"host": "127.0.0.1", "port": 6379, "db": 2}}
/// ]"#)?;
/// assert_eq!(config.containers.len(), 2);
/// assert_eq!(config.containers[0].backend, Backend::Json { root_dir: "json_db".into() });
///
/// let err = StorageConfig::from_json_str(r#"[{"implementation": "json", "name": "x",
///   "settings": {"root_dir": "d"}, "lod": true}]"#).unwrap_err();
/// assert_eq!(err.to_string(), "db_config[0] (`x`): unknown key `lod` \
///   (known keys: implementation, name, settings, load, clear)");
/// # Ok::<(), moobius_storage::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StorageConfig {
    /// The containers, in `db_config` order.
    pub containers: Vec<ContainerSpec>,
}

impl StorageConfig {
    /// These containers, in order (not checked: opening them checks names
    /// and settings).
    #[must_use]
    pub fn new(containers: Vec<ContainerSpec>) -> Self {
        Self { containers }
    }

    /// Parses `db_config` JSON text.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let v: Value = serde_json::from_str(text).map_err(ConfigError::Json)?;
        Self::from_value(&v)
    }

    /// Reads and parses a `db_config` JSON file (like the reference's
    /// `config/db.json`).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json_str(&text)
    }

    /// Parses an already decoded `db_config` value.
    pub fn from_value(v: &Value) -> Result<Self, ConfigError> {
        let items = match v {
            Value::Array(items) => items,
            Value::Null => return Ok(Self::default()),
            Value::Object(m) if m.is_empty() => return Ok(Self::default()),
            other => {
                return Err(ConfigError::NotAList {
                    found: json_type(other),
                })
            }
        };
        let containers = items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_spec(item, i))
            .collect::<Result<Vec<_>, _>>()?;
        check_names(&containers)?;
        Ok(Self { containers })
    }

    /// The specs as a slice, for [`ChannelStorage::open`](crate::ChannelStorage::open).
    #[must_use]
    pub fn specs(&self) -> &[ContainerSpec] {
        &self.containers
    }

    /// `true` when there are no containers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty()
    }
}

impl serde::Serialize for StorageConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.containers.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for StorageConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Self::from_value(&v).map_err(D::Error::custom)
    }
}

const MAX_NAME_LEN: usize = 100;

/// Checks one container name.
pub(crate) fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        Err("the name is empty")
    } else if name.len() > MAX_NAME_LEN {
        Err("the name is longer than 100 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Err("a name may only use the characters A-Z, a-z, 0-9, `_` and `-`")
    } else {
        Ok(())
    }
}

/// Checks every name and that no two are equal.
pub(crate) fn check_names(specs: &[ContainerSpec]) -> Result<(), ConfigError> {
    for (index, spec) in specs.iter().enumerate() {
        check_name(&spec.name).map_err(|reason| ConfigError::InvalidName {
            index,
            value: spec.name.clone(),
            reason,
        })?;
        if let Some(first) = specs[..index].iter().position(|s| s.name == spec.name) {
            return Err(ConfigError::DuplicateName {
                index,
                first,
                name: spec.name.clone(),
            });
        }
    }
    Ok(())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

const SPEC_KEYS: &[&str] = &["implementation", "name", "settings", "load", "clear"];
const SETTING_KEYS: &str = "root_dir, url, host, port, db, username, password, ca_file";

fn parse_spec(v: &Value, index: usize) -> Result<ContainerSpec, ConfigError> {
    let obj = v.as_object().ok_or(ConfigError::NotAnObject {
        index,
        found: json_type(v),
    })?;
    // The name first, so that later errors can say which container they are about.
    let name = obj.get("name").and_then(Value::as_str).map(str::to_owned);
    let at = SpecAt {
        index,
        name: name.clone(),
    };
    if let Some(key) = obj.keys().find(|k| !SPEC_KEYS.contains(&k.as_str())) {
        return Err(ConfigError::UnknownKey {
            at,
            key: key.clone(),
        });
    }
    let wrong_type = |key: &str, expected: &'static str, found: &Value| ConfigError::WrongType {
        at: at.clone(),
        key: key.to_owned(),
        expected,
        found: json_type(found),
    };

    let implementation = match obj.get("implementation") {
        None => {
            return Err(ConfigError::MissingKey {
                at,
                key: "implementation",
            })
        }
        Some(Value::String(s)) => {
            Implementation::from_alias(s).ok_or_else(|| ConfigError::UnknownImplementation {
                at: at.clone(),
                value: s.clone(),
            })?
        }
        Some(other) => return Err(wrong_type("implementation", "a string", other)),
    };
    let name = match (obj.get("name"), name) {
        (None, _) => return Err(ConfigError::MissingKey { at, key: "name" }),
        (Some(_), Some(name)) => name,
        (Some(other), None) => return Err(wrong_type("name", "a string", other)),
    };
    check_name(&name).map_err(|reason| ConfigError::InvalidName {
        index,
        value: name.clone(),
        reason,
    })?;
    let flag = |key: &str, default: bool| match obj.get(key) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(wrong_type(key, "true or false", other)),
    };
    let load = flag("load", true)?;
    let clear = flag("clear", false)?;

    let empty = Map::new();
    let settings = match obj.get("settings") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => return Err(wrong_type("settings", "an object", other)),
    };
    let backend = parse_settings(implementation, settings, &at)?;
    Ok(ContainerSpec {
        name,
        backend,
        load,
        clear,
    })
}

fn parse_settings(
    implementation: Implementation,
    settings: &Map<String, Value>,
    at: &SpecAt,
) -> Result<Backend, ConfigError> {
    for key in settings.keys() {
        if !SETTING_KEYS.split(", ").any(|k| k == key) {
            return Err(ConfigError::UnknownSetting {
                at: at.clone(),
                implementation,
                key: key.clone(),
            });
        }
    }
    let invalid = |key: &str, reason: String| ConfigError::InvalidSetting {
        at: at.clone(),
        key: key.to_owned(),
        reason,
    };
    let string = |key: &str| -> Result<Option<String>, ConfigError> {
        match settings.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(invalid(
                key,
                format!("expected a string, got {}", json_type(other)),
            )),
        }
    };
    // Integers may also be written as strings of digits ("6379"), as the
    // reference's Python client accepted both.
    let integer = |key: &str| -> Result<Option<i64>, ConfigError> {
        match settings.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| invalid(key, "expected an integer, got another number".into())),
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                // The text is not repeated: it may be a secret typed into
                // the wrong setting.
                .map_err(|_| {
                    invalid(
                        key,
                        "expected an integer, got a string that is not one".into(),
                    )
                }),
            Some(other) => Err(invalid(
                key,
                format!("expected an integer, got {}", json_type(other)),
            )),
        }
    };

    match implementation {
        Implementation::Json => {
            let root_dir = string("root_dir")?.ok_or(ConfigError::MissingSetting {
                at: at.clone(),
                implementation,
                key: "root_dir",
            })?;
            if root_dir.is_empty() {
                return Err(invalid("root_dir", "the path is empty".into()));
            }
            Ok(Backend::Json {
                root_dir: root_dir.into(),
            })
        }
        Implementation::Redis => {
            let mut r = RedisSettings::default();
            let url = string("url")?;
            let host = string("host")?;
            let port = integer("port")?;
            let db = integer("db")?;
            let username = string("username")?.filter(|s| !s.is_empty());
            let password = string("password")?.filter(|s| !s.is_empty());
            let ca_file = string("ca_file")?;
            if ca_file.is_some() && !url.as_deref().is_some_and(|u| u.starts_with("rediss://")) {
                return Err(invalid(
                    "ca_file",
                    "only a `rediss://` url uses TLS, and `ca_file` with it".into(),
                ));
            }
            if ca_file.as_deref() == Some("") {
                return Err(invalid("ca_file", "the path is empty".into()));
            }
            r.ca_file = ca_file.map(PathBuf::from);
            if let Some(url) = url {
                if host.is_some() || port.is_some() || db.is_some() || username.is_some() {
                    return Err(invalid(
                        "url",
                        "give either `url` or `host`/`port`/`db`/`username`, not both".into(),
                    ));
                }
                if password.is_some() {
                    return Err(invalid(
                        "url",
                        "put the password into `url` (redis://:PASSWORD@host:port/db) \
                         or use `host`/`port` instead of `url`"
                            .into(),
                    ));
                }
                let known = ["redis://", "rediss://", "redis+unix://", "unix://"];
                if !known.iter().any(|p| url.starts_with(p)) {
                    return Err(invalid(
                        "url",
                        format!(
                            "{:?} does not start with redis://, rediss://, redis+unix:// or unix://",
                            redact_url(&url)
                        ),
                    ));
                }
                r.url = Some(url);
            }
            if let Some(host) = host {
                if host.trim().is_empty() {
                    return Err(invalid("host", "the host is empty".into()));
                }
                r.host = host;
            }
            if let Some(port) = port {
                r.port = u16::try_from(port)
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| invalid("port", format!("{port} is not a port (1-65535)")))?;
            }
            if let Some(db) = db {
                if db < 0 {
                    return Err(invalid("db", format!("{db} is negative")));
                }
                r.db = db;
            }
            r.username = username;
            r.password = password;
            Ok(Backend::Redis(r))
        }
        Implementation::Memory => Ok(Backend::Memory),
        Implementation::Null => Ok(Backend::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<StorageConfig, ConfigError> {
        StorageConfig::from_value(&v)
    }

    #[test]
    fn reference_layout_parses() {
        let c = parse(json!([
            {"implementation": "json", "load": true, "clear": false, "name": "character",
             "settings": {"root_dir": "data"}},
            {"implementation": "RedisDatabase", "name": "mana_bars", "load": false, "clear": true,
             "settings": {"root_dir": "json_db"}},
            {"implementation": "Nulldb", "name": "n", "settings": {}},
            {"implementation": "NullDatabase", "name": "n2", "settings": {}},
            {"implementation": "False", "name": "n3", "settings": {}},
        ]))
        .unwrap();
        assert_eq!(c.containers.len(), 5);
        assert_eq!(c.containers[0], ContainerSpec::json("character", "data"));
        assert_eq!(
            c.containers[1],
            ContainerSpec::redis("mana_bars", RedisSettings::default())
                .with_load(false)
                .with_clear(true)
        );
        assert!(c.containers[2..].iter().all(|s| s.backend == Backend::Null));
    }

    #[test]
    fn empty_forms() {
        assert!(parse(json!([])).unwrap().is_empty());
        assert!(parse(json!({})).unwrap().is_empty());
        assert!(parse(Value::Null).unwrap().is_empty());
        assert!(matches!(
            parse(json!({"implementation": "json"})),
            Err(ConfigError::NotAList { found: "an object" })
        ));
        assert!(matches!(
            parse(json!("config/db.json")),
            Err(ConfigError::NotAList { found: "a string" })
        ));
    }

    #[test]
    fn redis_settings() {
        let c = parse(json!([
            {"implementation": "redis", "name": "a",
             "settings": {"host": "10.0.0.1", "port": "6380", "db": 3, "password": "pw"}},
            {"implementation": "redis", "name": "b", "settings": {"url": "redis://:pw@h:1/2"}},
            {"implementation": "redis", "name": "c", "settings": {"password": ""}},
        ]))
        .unwrap();
        let Backend::Redis(a) = &c.containers[0].backend else {
            panic!()
        };
        assert_eq!((a.host.as_str(), a.port, a.db), ("10.0.0.1", 6380, 3));
        assert_eq!(a.password.as_deref(), Some("pw"));
        assert!(!format!("{a:?}").contains("pw"));
        let Backend::Redis(b) = &c.containers[1].backend else {
            panic!()
        };
        assert_eq!(b.server_display(), "redis://***@h:1/2");
        assert!(!format!("{b:?}").contains("pw"));
        let Backend::Redis(cc) = &c.containers[2].backend else {
            panic!()
        };
        assert_eq!(cc.password, None);
    }

    #[test]
    fn urls_are_shown_without_credentials() {
        for (url, shown) in [
            ("redis://:pw@h:1/2", "redis://***@h:1/2"),
            ("rediss://u:p@w@h/0", "rediss://***@h/0"),
            ("redis://h:1/2?password=pw&x=1", "redis://h:1/2?***"),
            (
                "redis://h:1/2?protocol=resp3",
                "redis://h:1/2?protocol=resp3",
            ),
            ("unix:///tmp/r.sock", "unix:///tmp/r.sock"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn ca_file_goes_with_rediss_only() {
        let c = parse(json!([{"implementation": "redis", "name": "a",
            "settings": {"url": "rediss://h:6380/", "ca_file": "certs/ca.pem"}}]))
        .unwrap();
        let Backend::Redis(a) = &c.containers[0].backend else {
            panic!()
        };
        assert_eq!(a.ca_file.as_deref(), Some(Path::new("certs/ca.pem")));
        let back = ContainerSpec::from_value(&c.containers[0].to_value(), 0).unwrap();
        assert_eq!(back, c.containers[0]);
        for settings in [
            json!({"url": "redis://h/", "ca_file": "ca.pem"}),
            json!({"host": "h", "ca_file": "ca.pem"}),
            json!({"url": "rediss://h/", "ca_file": ""}),
        ] {
            let err =
                parse(json!([{"implementation": "redis", "name": "a", "settings": settings}]))
                    .unwrap_err()
                    .to_string();
            assert!(err.contains("setting `ca_file`"), "{err}");
        }
    }

    #[test]
    fn errors_name_the_entry() {
        let cases: Vec<(Value, &str)> = vec![
            (json!([1]), "db_config[0] must be an object, got a number"),
            (
                json!([{"name": "x", "settings": {}}]),
                "db_config[0] (`x`): missing required key `implementation`",
            ),
            (
                json!([{"implementation": "json", "settings": {"root_dir": "d"}}]),
                "db_config[0]: missing required key `name`",
            ),
            (
                json!([{"implementation": "sqlite", "name": "x"}]),
                "db_config[0] (`x`): unknown implementation \"sqlite\" \
                 (known: json, redis, memory, null and the reference SDK's aliases)",
            ),
            (
                json!([{"implementation": "json", "name": "x"}]),
                "db_config[0] (`x`): setting `root_dir` is required for a json container",
            ),
            (
                json!([{"implementation": "json", "name": "x", "settings": {"root_dir": "d"},
                        "load": "yes"}]),
                "db_config[0] (`x`): `load` must be true or false, got a string",
            ),
            (
                json!([{"implementation": "json", "name": "x", "settings": {"rootdir": "d"}}]),
                "db_config[0] (`x`): unknown setting `rootdir` for a json container \
                 (known: root_dir, url, host, port, db, username, password, ca_file)",
            ),
            (
                json!([{"implementation": "redis", "name": "x", "settings": {"port": 70000}}]),
                "db_config[0] (`x`): setting `port`: 70000 is not a port (1-65535)",
            ),
            (
                json!([{"implementation": "redis", "name": "x",
                        "settings": {"url": "redis://h/", "host": "h"}}]),
                "db_config[0] (`x`): setting `url`: give either `url` or \
                 `host`/`port`/`db`/`username`, not both",
            ),
            (
                json!([{"implementation": "memory", "name": "a.b"}]),
                "db_config[0]: invalid container name \"a.b\": a name may only use the \
                 characters A-Z, a-z, 0-9, `_` and `-`",
            ),
            (
                json!([{"implementation": "memory", "name": "a"},
                       {"implementation": "null", "name": "a"}]),
                "db_config[1]: duplicate container name `a` (first at db_config[0])",
            ),
            (
                json!([{"implementation": "memory", "name": 5}]),
                "db_config[0]: `name` must be a string, got a number",
            ),
        ];
        for (v, want) in cases {
            let got = parse(v.clone()).map(|_| ()).unwrap_err().to_string();
            assert_eq!(got, want, "for {v}");
        }
    }

    #[test]
    fn round_trips_through_serde() {
        let c = parse(json!([
            {"implementation": "json", "name": "a", "settings": {"root_dir": "d"}, "clear": true},
            {"implementation": "redis", "name": "b",
             "settings": {"host": "h", "port": 1, "db": 2, "username": "u", "password": "p"}},
            {"implementation": "redis", "name": "c", "settings": {"url": "redis://h/"}},
            {"implementation": "memory", "name": "d", "load": false},
        ]))
        .unwrap();
        let text = serde_json::to_string(&c).unwrap();
        let back: StorageConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
        let bad: Result<StorageConfig, _> = serde_json::from_str(r#"[{"name": "x"}]"#);
        assert!(bad.unwrap_err().to_string().contains("`implementation`"));
    }
}
