//! What a client starts from: the session configuration (built in code, or
//! read from the reference SDK's `config.json` layout, which
//! `moobius_proto::config` parses), the driver's [`Options`], and where a
//! newly created service id is saved.

use crate::options::Options;
use crate::Error;
use moobius_proto::config::{load_config_file, LogConfig, RedactedOption};
pub use moobius_proto::config::{ServiceIdFile, ENV_EMAIL, ENV_PASSWORD};
use moobius_proto::session::SessionConfig;
use std::path::Path;

/// Everything a client needs to start.
///
/// ```
/// use moobius_blocking::{Config, Options};
/// use moobius_blocking::proto::session::{Role, SessionConfig};
/// let session = SessionConfig::new(
///     "bot@example.com",
///     "secret".into(),
///     "http://127.0.0.1:7700/".parse()?,
///     "ws://127.0.0.1:7700/ws",
///     Role::user(vec!["lobby".into()]),
/// );
/// let config = Config::new(session).options(Options::default());
/// assert!(config.service_id_file.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `Debug` prints no secret: the password is redacted by its type and
/// `db_config` through [`moobius_proto::config::Redacted`].
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// Credentials, URIs, role, timers.
    pub session: SessionConfig,
    /// The driver's I/O limits.
    pub options: Options,
    /// `db_config` as given (see [`Moobius::storage_config`](crate::Moobius::storage_config)).
    pub db_config: Option<serde_json::Value>,
    /// `log_config`, when read from a file (this library installs no
    /// `tracing` subscriber; the application does).
    pub log: Option<LogConfig>,
    /// Where a service created at start saves its id.
    pub service_id_file: Option<ServiceIdFile>,
    /// Do not warn when a created service id cannot be saved.
    pub no_warn_cannot_save_service_id: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured, so that a new field cannot be forgotten here.
        let Self {
            session,
            options,
            db_config,
            log,
            service_id_file,
            no_warn_cannot_save_service_id,
        } = self;
        f.debug_struct("Config")
            .field("session", session)
            .field("options", options)
            .field("db_config", &RedactedOption(db_config.as_ref()))
            .field("log", log)
            .field("service_id_file", service_id_file)
            .field(
                "no_warn_cannot_save_service_id",
                no_warn_cannot_save_service_id,
            )
            .finish()
    }
}

impl From<SessionConfig> for Config {
    fn from(session: SessionConfig) -> Self {
        Self::new(session)
    }
}

impl Config {
    /// A configuration around `session`, with default options, no storage
    /// and no write-back.
    #[must_use]
    pub fn new(session: SessionConfig) -> Self {
        Self {
            session,
            options: Options::default(),
            db_config: None,
            log: None,
            service_id_file: None,
            no_warn_cannot_save_service_id: false,
        }
    }

    /// Sets the driver's options.
    #[must_use]
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Sets `db_config`.
    #[must_use]
    pub fn db_config(mut self, db_config: serde_json::Value) -> Self {
        self.db_config = Some(db_config);
        self
    }

    /// Sets where a created service id is saved.
    #[must_use]
    pub fn service_id_file(mut self, file: ServiceIdFile) -> Self {
        self.service_id_file = Some(file);
        self
    }

    /// Reads a `config.json` of the reference layout (PROTOCOL.md §2);
    /// [`ENV_EMAIL`] and [`ENV_PASSWORD`] replace the account's credentials
    /// when set.
    ///
    /// A section given as a file name is read from the working directory
    /// (as the reference does) or, when not there, next to the config file.
    /// A service created at start saves its id into the file that holds
    /// `service_config`.
    ///
    /// ```no_run
    /// let config = moobius_blocking::Config::load("config/config.json")?;
    /// # Ok::<(), moobius_blocking::Error>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_with_env(path, |name| std::env::var(name).ok())
    }

    /// [`load`](Self::load), with the environment given as a function.
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
        for warning in &file.warnings {
            tracing::warn!(config = %path.display(), "{warning}");
        }
        let mut config = Self::new(file.session);
        config.service_id_file = file.service_id_file;
        config.no_warn_cannot_save_service_id = file.config.service.no_warn_cannot_save_service_id;
        config.db_config = file.config.db_config;
        config.log = Some(file.config.log);
        Ok(config)
    }
}

/// Saves a newly created service id into its file: it is read again, only
/// that key changes (the others keep their order), and the new text
/// replaces the file through a temporary file and a rename.
pub(crate) fn write_service_id(file: &ServiceIdFile, service_id: &str) -> Result<(), Error> {
    let text =
        std::fs::read_to_string(&file.path).map_err(|e| Error::io("reading", &file.path, e))?;
    let updated = file.updated_text(&text, service_id)?;
    crate::moobius::save_file(&file.path, updated.as_bytes(), true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use moobius_proto::session::Role;

    #[test]
    fn a_reference_config_loads_and_takes_the_created_service_id() {
        let dir = tempfile::tempdir().expect("tempdir");
        let service = dir.path().join("service.json");
        std::fs::write(
            &service,
            r#"{"http_server_uri": "http://127.0.0.1:9/", "ws_server_uri": "ws://127.0.0.1:9/ws", "service_id": "", "channels": ["c"]}"#,
        )
        .expect("write");
        let main = dir.path().join("config.json");
        std::fs::write(
            &main,
            r#"{"account_config": {"email": "a@example.com", "password": "pw"}, "service_config": "service.json"}"#,
        )
        .expect("write");
        let env = |name: &str| (name == ENV_EMAIL).then(|| "env@example.com".to_owned());
        let config = Config::load_with_env(&main, env).expect("loads");
        assert_eq!(config.session.email, "env@example.com");
        assert_eq!(config.session.password.expose(), "pw");
        let file = config.service_id_file.expect("service mode saves its id");
        assert_eq!(file.path, service);
        write_service_id(&file, "svc-9").expect("write-back");
        let again = Config::load_with_env(&main, |_| None).expect("loads again");
        assert!(matches!(
            again.session.role,
            Role::Service { service_id: Some(ref id), .. } if id == "svc-9"
        ));
        let text = std::fs::read_to_string(&service).expect("read");
        assert!(
            text.starts_with("{\n  \"http_server_uri\""),
            "key order kept: {text}"
        );
    }

    #[test]
    fn a_broken_config_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let main = dir.path().join("config.json");
        std::fs::write(&main, "{\"service_config\": 3").expect("write");
        assert!(Config::load_with_env(&main, |_| None).is_err());
        assert!(Config::load_with_env(dir.path().join("missing.json"), |_| None).is_err());
    }
}
