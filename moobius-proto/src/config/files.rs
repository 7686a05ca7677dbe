//! The rules of a configuration kept in files, shared by every driver: where
//! a section file named in a config is found, which environment variables
//! override the credentials, and where a created service id is saved. The
//! caller does the reading and writing.

use super::{load_config, set_service_id, AppConfig, ConfigError, ServiceIdTarget};
use crate::secret::Password;
use crate::session::SessionConfig;
use std::fmt::Display;
use std::path::{Path, PathBuf};

/// Environment variable whose value replaces `account_config.email`.
pub const ENV_EMAIL: &str = "MOOBIUS_EMAIL";
/// Environment variable whose value replaces `account_config.password`.
pub const ENV_PASSWORD: &str = "MOOBIUS_PASSWORD";

/// A JSON file and the key path where a newly created service id is saved
/// (PROTOCOL.md §2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceIdFile {
    /// The file.
    pub path: PathBuf,
    /// Keys leading to the id, e.g. `["service_config", "service_id"]`.
    pub key_path: Vec<String>,
}

impl ServiceIdFile {
    /// The file's new text, given its current text: only the id changes,
    /// other keys keep their order. Write it atomically (temporary file and
    /// rename).
    pub fn updated_text(&self, current: &str, service_id: &str) -> Result<String, ConfigError> {
        let keys: Vec<&str> = self.key_path.iter().map(String::as_str).collect();
        set_service_id(current, &keys, service_id)
    }
}

/// A configuration loaded from files.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConfigFile {
    /// Every section, defaults applied and environment overrides made.
    pub config: AppConfig,
    /// The session's configuration, built from it.
    pub session: SessionConfig,
    /// Where a service created at start is saved (service mode).
    pub service_id_file: Option<ServiceIdFile>,
    /// Oddities worth a log line.
    pub warnings: Vec<String>,
}

/// Where a section file named in a config is: as written when that exists
/// (relative to the working directory, as the reference SDK reads it), else
/// next to the config file.
pub fn locate_section_file(
    config_folder: &Path,
    reference: &str,
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    let as_written = PathBuf::from(reference);
    if as_written.is_absolute() || exists(&as_written) {
        as_written
    } else {
        config_folder.join(reference)
    }
}

impl AppConfig {
    /// Replaces the credentials with [`ENV_EMAIL`] and [`ENV_PASSWORD`] when
    /// they are set and not empty.
    pub fn apply_env_overrides(&mut self, env: impl Fn(&str) -> Option<String>) {
        let set = |name| env(name).filter(|v: &String| !v.is_empty());
        if let Some(email) = set(ENV_EMAIL) {
            self.account.email = Some(email);
        }
        if let Some(password) = set(ENV_PASSWORD) {
            self.account.password = Some(Password::new(password));
        }
    }
}

/// Loads the config file at `path` and the section files it names, applies
/// the environment overrides, and says where a created service id goes.
/// `read` and `exists` are the caller's file system; `env` its environment.
pub fn load_config_file<E: Display>(
    path: &Path,
    mut read: impl FnMut(&Path) -> Result<String, E>,
    exists: impl Fn(&Path) -> bool,
    env: impl Fn(&str) -> Option<String>,
) -> Result<ConfigFile, ConfigError> {
    let folder = path.parent().unwrap_or_else(|| Path::new(""));
    let text = read(path).map_err(|e| ConfigError::Load {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let loaded = load_config(&text, |reference| {
        read(&locate_section_file(folder, reference, &exists))
    })?;
    let mut config = loaded.config;
    config.apply_env_overrides(env);
    let service_id_file = loaded.service_id_target.map(|target| ServiceIdFile {
        key_path: target.key_path().iter().map(|k| (*k).to_owned()).collect(),
        path: match target {
            ServiceIdTarget::ConfigFile => path.to_owned(),
            ServiceIdTarget::SectionFile(reference) => {
                locate_section_file(folder, &reference, &exists)
            }
        },
    });
    Ok(ConfigFile {
        session: config.session_config()?,
        config,
        service_id_file,
        warnings: loaded.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn sections_env_and_write_back_target() {
        let files: BTreeMap<&str, &str> = [
            ("conf/config.json", r#"{"account_config": {"email": "a@x", "password": "pw"}, "service_config": "service.json"}"#),
            ("conf/service.json", r#"{"http_server_uri": "http://h/", "ws_server_uri": "ws://h/ws", "channels": ["c"]}"#),
        ]
        .into_iter()
        .collect();
        let read = |p: &Path| {
            files
                .get(p.to_str().unwrap_or_default())
                .map(|s| (*s).to_owned())
                .ok_or("no such file")
        };
        let exists = |p: &Path| files.contains_key(p.to_str().unwrap_or_default());
        let env = |k: &str| (k == ENV_PASSWORD).then(|| "from-env".to_owned());
        let f = load_config_file(Path::new("conf/config.json"), read, exists, env).expect("loads");
        assert_eq!(f.session.email, "a@x");
        assert_eq!(f.session.password.expose(), "from-env");
        let target = f.service_id_file.expect("service mode");
        assert_eq!(
            target.path,
            Path::new("conf/service.json"),
            "found next to the config"
        );
        assert_eq!(target.key_path, ["service_id"]);
        let text = target
            .updated_text(files["conf/service.json"], "svc-9")
            .expect("updates");
        assert!(text.contains(r#""service_id": "svc-9""#));
        let missing = load_config_file(Path::new("nope.json"), read, exists, |_| None);
        assert!(matches!(missing, Err(ConfigError::Load { .. })));
    }
}
