//! Configuration: the reference SDK's `config.json` layout read from disk
//! (parsing is `moobius_proto::config`, pure), secrets from the environment,
//! and the write-back of a newly created service id.

use crate::Error;
use moobius_proto::config::{load_config_file, LogConfig, RedactedOption};
pub use moobius_proto::config::{ServiceIdFile, ENV_EMAIL, ENV_PASSWORD};
use moobius_proto::session::SessionConfig;
use std::path::Path;

/// Everything a service needs to run.
///
/// Built from a config file with [`Config::load`], or in code with
/// [`Config::new`]:
///
/// ```
/// use moobius_tokio::Config;
/// use moobius_tokio::proto::session::{Role, SessionConfig};
/// let session = SessionConfig::new(
///     "bot@example.com",
///     "secret".into(),
///     "http://127.0.0.1:7700/".parse()?,
///     "ws://127.0.0.1:7700/ws",
///     Role::service(None, vec!["lobby".into()]),
/// );
/// let config = Config::new(session);
/// assert!(config.service_id_file.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `Debug` prints no secret: the password is redacted by its type and
/// `db_config` through [`moobius_proto::config::Redacted`].
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The session: credentials, URIs, role, timings.
    pub session: SessionConfig,
    /// `db_config`, as given (see [`Moobius::storage_config`](crate::Moobius::storage_config)).
    pub db_config: Option<serde_json::Value>,
    /// `log_config`, when loaded from a file (install a `tracing` subscriber
    /// accordingly; this library does not install one).
    pub log: Option<LogConfig>,
    /// Where a service created at start saves its id.
    pub service_id_file: Option<ServiceIdFile>,
    /// Do not warn when a new service id cannot be saved.
    pub no_warn_cannot_save_service_id: bool,
    /// Commands and spells that may wait for the service's task (256).
    pub command_queue: usize,
    /// Largest HTTP response body accepted (64 MiB).
    pub max_response_bytes: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured, so that a new field cannot be forgotten here.
        let Self {
            session,
            db_config,
            log,
            service_id_file,
            no_warn_cannot_save_service_id,
            command_queue,
            max_response_bytes,
        } = self;
        f.debug_struct("Config")
            .field("session", session)
            .field("db_config", &RedactedOption(db_config.as_ref()))
            .field("log", log)
            .field("service_id_file", service_id_file)
            .field(
                "no_warn_cannot_save_service_id",
                no_warn_cannot_save_service_id,
            )
            .field("command_queue", command_queue)
            .field("max_response_bytes", max_response_bytes)
            .finish()
    }
}

/// Saves a newly created service id into its file: the file is re-read,
/// only that key changes (other keys keep their order), and the new text
/// replaces the file atomically (temporary file + rename).
pub(crate) fn write_service_id(file: &ServiceIdFile, service_id: &str) -> Result<(), Error> {
    let text =
        std::fs::read_to_string(&file.path).map_err(|e| Error::io("reading", &file.path, e))?;
    let updated = file.updated_text(&text, service_id)?;
    crate::fsutil::write_atomic(&file.path, updated.as_bytes())
}

impl Config {
    /// A configuration around a session configuration, with no storage, no
    /// write-back, default limits.
    #[must_use]
    pub fn new(session: SessionConfig) -> Self {
        Self {
            session,
            db_config: None,
            log: None,
            service_id_file: None,
            no_warn_cannot_save_service_id: false,
            command_queue: 256,
            max_response_bytes: 64 << 20,
        }
    }

    /// Sets `db_config`.
    #[must_use]
    pub fn with_db_config(mut self, db_config: serde_json::Value) -> Self {
        self.db_config = Some(db_config);
        self
    }

    /// Sets where a new service id is saved.
    #[must_use]
    pub fn with_service_id_file(mut self, file: ServiceIdFile) -> Self {
        self.service_id_file = Some(file);
        self
    }

    /// Loads a `config.json` of the reference layout, with
    /// [`ENV_EMAIL`] and [`ENV_PASSWORD`] overriding the account's
    /// credentials when set.
    ///
    /// Section values may be paths of JSON files; a relative one is looked
    /// up in the working directory (as the reference does) and, failing
    /// that, next to the config file. A service created at start is saved
    /// into the file that holds `service_config`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_with_env(path, |k| std::env::var(k).ok())
    }

    /// [`load`](Self::load) with the environment given as a function.
    pub fn load_with_env(
        path: impl AsRef<Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = load_config_file(
            path,
            |p: &Path| std::fs::read_to_string(p),
            |p| p.exists(),
            env,
        )?;
        for w in &file.warnings {
            tracing::warn!(config = %path.display(), "{w}");
        }
        let mut config = Self::new(file.session);
        config.db_config = file.config.db_config;
        config.log = Some(file.config.log);
        config.service_id_file = file.service_id_file;
        config.no_warn_cannot_save_service_id = file.config.service.no_warn_cannot_save_service_id;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_env_override_and_write_back() {
        let dir = tempfile::tempdir().unwrap();
        let service = dir.path().join("service.json");
        std::fs::write(
            &service,
            r#"{"http_server_uri": "http://127.0.0.1:9/", "ws_server_uri": "ws://127.0.0.1:9/ws", "channels": ["c"], "service_id": ""}"#,
        )
        .unwrap();
        let main = dir.path().join("config.json");
        std::fs::write(
            &main,
            r#"{"account_config": {"email": "file@example.com", "password": "file"}, "service_config": "service.json", "db_config": [{"implementation": "null", "name": "x", "settings": {}}]}"#,
        )
        .unwrap();
        let env = |k: &str| (k == ENV_PASSWORD).then(|| "from-env".to_owned());
        let config = Config::load_with_env(&main, env).unwrap();
        assert_eq!(config.session.email, "file@example.com");
        assert_eq!(config.session.password.expose(), "from-env");
        assert!(config.db_config.is_some());
        let file = config.service_id_file.clone().unwrap();
        assert_eq!(file.path, service, "relative to the config file's folder");
        write_service_id(&file, "svc-1").unwrap();
        let text = std::fs::read_to_string(&service).unwrap();
        assert!(text.starts_with("{\n  \"http_server_uri\""), "{text}");
        assert!(text.contains("\"service_id\": \"svc-1\""), "{text}");
        let again = Config::load_with_env(&main, |_| None).unwrap();
        assert!(matches!(
            again.session.role,
            moobius_proto::session::Role::Service { service_id: Some(ref s), .. } if s == "svc-1"
        ));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
