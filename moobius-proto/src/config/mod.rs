//! The reference SDK's configuration layout (PROTOCOL.md §2), pure: the
//! caller reads files; this module parses them, applies the defaults, builds
//! a [`SessionConfig`](crate::session::SessionConfig), and computes where and how a newly created service
//! id is written back.
//!
//! A `config.json` has four sections, `account_config`, `service_config`,
//! `db_config` and `log_config`; each may be written inline or be the path
//! of a JSON file holding it. Unlike the reference (which loads *any* string
//! ending in `.json` anywhere in the tree), only these four section values
//! are file references, so a message text or an avatar path is never read
//! as a file.
//!
//! ```
//! use moobius_proto::config::{load_config, set_service_id, ServiceIdTarget};
//!
//! let main = r#"{"account_config": "account.json",
//!                "service_config": {"http_server_uri": "http://127.0.0.1:7700/",
//!                                   "ws_server_uri": "ws://127.0.0.1:7700/ws",
//!                                   "service_id": "", "channels": ["lobby"]}}"#;
//! let loaded = load_config(main, |path| match path {
//!     "account.json" => Ok(r#"{"email": "bot@example.com", "password": "pw"}"#.to_owned()),
//!     other => Err(format!("no file {other}")),
//! })?;
//! let session = loaded.config.session_config()?;
//! assert_eq!(session.email, "bot@example.com");
//!
//! // No service id yet: one is created at start, and saved into the config itself.
//! assert_eq!(loaded.service_id_target, Some(ServiceIdTarget::ConfigFile));
//! let updated = set_service_id(main, ServiceIdTarget::ConfigFile.key_path(), "svc-1")?;
//! assert!(updated.contains(r#""service_id": "svc-1""#));
//! # Ok::<(), moobius_proto::config::ConfigError>(())
//! ```

mod files;
mod ordered;
mod redact;
mod sections;

pub use files::{
    load_config_file, locate_section_file, ConfigFile, ServiceIdFile, ENV_EMAIL, ENV_PASSWORD,
};
pub use redact::{is_secret_name, redact_json, redact_url, Redacted, RedactedOption, REDACTED};
pub use sections::{AccountConfig, AppConfig, LogConfig, ServiceConfig, DEFAULT_WS_SERVER_URI};

use ordered::Ordered;
use serde_json::{Map, Value};
use std::fmt::Display;

/// Why a configuration cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file is not valid JSON.
    #[error("{file}: invalid JSON: {message}")]
    Json {
        /// The file (`"config"` for the main text).
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A referenced file could not be loaded.
    #[error("cannot load {path}: {message}")]
    Load {
        /// The reference as written.
        path: String,
        /// Why.
        message: String,
    },
    /// A value has the wrong type or an unusable value.
    #[error("`{key}`: {message}")]
    Invalid {
        /// The key path, e.g. `service_config.channels`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A required value is absent.
    #[error("`{0}` is missing")]
    Missing(String),
}

/// Where a newly created service id must be saved (PROTOCOL.md §2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceIdTarget {
    /// In the main config file, at `service_config.service_id` (the section
    /// is written inline).
    ConfigFile,
    /// In the file the main config names as its `service_config` (the
    /// reference as written), at `service_id`.
    SectionFile(String),
}

impl ServiceIdTarget {
    /// The key path of the id within the target file.
    #[must_use]
    pub fn key_path(&self) -> &'static [&'static str] {
        match self {
            Self::ConfigFile => &["service_config", "service_id"],
            Self::SectionFile(_) => &["service_id"],
        }
    }
}

/// A parsed configuration and what the caller should know about it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LoadedConfig {
    /// The configuration, defaults applied.
    pub config: AppConfig,
    /// Where a service created at start is saved; `None` in user mode.
    pub service_id_target: Option<ServiceIdTarget>,
    /// Oddities worth a log line (unknown keys, ...).
    pub warnings: Vec<String>,
}

const SECTIONS: [&str; 4] = [
    "account_config",
    "service_config",
    "db_config",
    "log_config",
];

/// Parses a main config text; `load` reads a referenced file (its argument
/// is the reference as written; the reference SDK resolves it against the
/// working directory).
pub fn load_config<E: Display>(
    text: &str,
    mut load: impl FnMut(&str) -> Result<String, E>,
) -> Result<LoadedConfig, ConfigError> {
    let root = parse_json("config", text)?;
    let Value::Object(mut root) = root else {
        return Err(invalid("config", "must be a JSON object"));
    };
    let mut warnings: Vec<String> = root
        .keys()
        .filter(|k| !SECTIONS.contains(&k.as_str()))
        .map(|k| format!("unknown top-level key `{k}` ignored"))
        .collect();
    let mut section_file = None;
    let mut sections = Map::new();
    for name in SECTIONS {
        let value = match root.remove(name) {
            Some(Value::String(path)) => {
                let text = load(&path).map_err(|e| ConfigError::Load {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
                if name == "service_config" {
                    section_file = Some(path.clone());
                }
                parse_json(&path, &text)?
            }
            Some(v) => v,
            None => Value::Null,
        };
        sections.insert(name.to_owned(), value);
    }
    let config = AppConfig::from_sections(&sections, &mut warnings)?;
    let target = match section_file {
        Some(path) => ServiceIdTarget::SectionFile(path),
        None => ServiceIdTarget::ConfigFile,
    };
    let service_id_target = config.service.service_mode.then_some(target);
    Ok(LoadedConfig {
        config,
        service_id_target,
        warnings,
    })
}

/// The text of a JSON file with the string at `key_path` set to
/// `service_id`, keys in their original order, 2-space indented, ending in
/// a newline. Missing objects along the path are created.
pub fn set_service_id(
    text: &str,
    key_path: &[&str],
    service_id: &str,
) -> Result<String, ConfigError> {
    let mut root: Ordered = serde_json::from_str(text).map_err(|e| ConfigError::Json {
        file: "config".into(),
        message: e.to_string(),
    })?;
    let Some((last, parents)) = key_path.split_last() else {
        return Err(invalid("service_id", "empty key path"));
    };
    let mut at = &mut root;
    for key in parents {
        at = at
            .member_mut(key)
            .ok_or_else(|| invalid(key, "must be a JSON object"))?;
    }
    let slot = at
        .member_mut(last)
        .ok_or_else(|| invalid(&key_path.join("."), "parent must be a JSON object"))?;
    *slot = Ordered::String(service_id.to_owned());
    let mut out = serde_json::to_string_pretty(&root).map_err(|e| ConfigError::Json {
        file: "config".into(),
        message: e.to_string(),
    })?;
    out.push('\n');
    Ok(out)
}

fn parse_json(file: &str, text: &str) -> Result<Value, ConfigError> {
    serde_json::from_str(text).map_err(|e| ConfigError::Json {
        file: file.to_owned(),
        message: e.to_string(),
    })
}

pub(crate) fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
