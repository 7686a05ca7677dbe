//! What a client starts from: the session configuration (built in code, or
//! read from the reference SDK's `config.json` layout, which
//! `moobius_proto::config` parses), the driver's [`Options`], storage specs,
//! and where a newly created service id is saved.

use crate::{Error, Options};
use moobius_proto::config::{load_config_file, LogConfig, RedactedOption};
pub use moobius_proto::config::{ServiceIdFile, ENV_EMAIL, ENV_PASSWORD};
use moobius_proto::session::SessionConfig;
use std::path::Path;

/// Everything a client needs to start, the same for both drivers.
///
/// Built from a config file with [`Config::load`], or in code with
/// [`Config::new`]:
///
/// ```
/// use moobius_runtime::{Config, Options};
/// use moobius_proto::session::{Role, SessionConfig};
/// let session = SessionConfig::new(
///     "bot@example.com",
///     "secret".into(),
///     "http://127.0.0.1:7700/".parse()?,
///     "ws://127.0.0.1:7700/ws",
///     Role::service(None, vec!["lobby".into()]),
/// );
/// let config = Config::new(session).with_options(Options::default());
/// assert!(config.service_id_file.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `Debug` prints no secret: the password is redacted by its type and
/// `db_config` through [`moobius_proto::config::Redacted`].
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The session: credentials, URIs, role, timings, frame limit.
    pub session: SessionConfig,
    /// The driver's I/O limits.
    pub options: Options,
    /// `db_config`, as given: the specs of per-channel storage.
    pub db_config: Option<serde_json::Value>,
    /// `log_config`, when loaded from a file (install a `tracing` subscriber
    /// accordingly; this library does not install one).
    pub log: Option<LogConfig>,
    /// Where a service created at start saves its id.
    pub service_id_file: Option<ServiceIdFile>,
    /// Do not warn when a new service id cannot be saved.
    pub no_warn_cannot_save_service_id: bool,
    /// What loading the configuration found questionable (unknown keys,
    /// URIs defaulting to the production platform); logged when the
    /// service starts, once logging is set up.
    pub warnings: Vec<String>,
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
            warnings,
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
            .field("warnings", warnings)
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
            warnings: Vec::new(),
        }
    }

    /// Sets the driver's options.
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Also trusts the certificates of this PEM file for `https://` and
    /// `wss://` (see [`Options::ca_file`]).
    #[must_use]
    pub fn with_ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.options = self.options.ca_file(path);
        self
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
        let mut config = Self::new(file.session);
        config.warnings = file
            .warnings
            .iter()
            .map(|w| format!("{}: {w}", path.display()))
            .collect();
        config.db_config = file.config.db_config;
        config.log = Some(file.config.log);
        config.service_id_file = file.service_id_file;
        config.no_warn_cannot_save_service_id = file.config.service.no_warn_cannot_save_service_id;
        Ok(config)
    }

    /// The configuration named by `--config PATH` on a command line (the
    /// program name left out), or `None` without the flag. The examples of
    /// both drivers take this one flag: with it they serve that platform,
    /// without it they start a local devserver.
    ///
    /// ```
    /// use moobius_runtime::Config;
    /// assert!(Config::from_args(Vec::<String>::new())?.is_none());
    /// assert!(Config::from_args(["--verbose".to_owned()]).is_err());
    /// # Ok::<(), moobius_runtime::Error>(())
    /// ```
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, Error> {
        let args: Vec<String> = args.into_iter().collect();
        match args.as_slice() {
            [] => Ok(None),
            [flag, path] if flag == "--config" => Self::load(path).map(Some),
            _ => Err(Error::InvalidArgument(
                "usage: [--config path/to/config.json]".to_owned(),
            )),
        }
    }

    /// Saves the id of a service created at start where the configuration
    /// says, or warns that it is saved nowhere.
    pub fn save_service_id(&self, id: &moobius_proto::ServiceId) {
        match &self.service_id_file {
            Some(file) => match crate::files::write_service_id(file, id.as_str()) {
                Ok(()) => tracing::info!(path = %file.path.display(), "service id saved"),
                Err(error) => tracing::warn!(%error, "could not save the new service id"),
            },
            None if self.no_warn_cannot_save_service_id => {}
            None => tracing::warn!(
                service_id = %id,
                "the new service id is saved nowhere: put it in the configuration to use this service again"
            ),
        }
    }
}

/// A user-mode configuration for unit tests: nothing listens at its URIs,
/// and it installs no logging.
#[cfg(test)]
pub(crate) fn test_config() -> Config {
    let session = SessionConfig::new(
        "bot@example.com",
        "secret".into(),
        "http://127.0.0.1:9/".parse().expect("base"),
        "ws://127.0.0.1:9/ws",
        moobius_proto::session::Role::user(vec![]),
    );
    Config::new(session).with_options(Options::default().install_logging(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use moobius_proto::session::Role;

    #[test]
    fn load_env_override_and_write_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let service = dir.path().join("service.json");
        std::fs::write(
            &service,
            r#"{"http_server_uri": "http://127.0.0.1:9/", "ws_server_uri": "ws://127.0.0.1:9/ws", "channels": ["c"], "service_id": ""}"#,
        )
        .expect("write");
        let main = dir.path().join("config.json");
        std::fs::write(
            &main,
            r#"{"account_config": {"email": "file@example.com", "password": "file"}, "service_config": "service.json", "db_config": [{"implementation": "null", "name": "x", "settings": {}}]}"#,
        )
        .expect("write");
        let env = |k: &str| (k == ENV_PASSWORD).then(|| "from-env".to_owned());
        let config = Config::load_with_env(&main, env).expect("loads");
        assert_eq!(config.session.email, "file@example.com");
        assert_eq!(config.session.password.expose(), "from-env");
        assert!(config.db_config.is_some());
        let file = config.service_id_file.clone().expect("file");
        assert_eq!(file.path, service, "relative to the config file's folder");
        config.save_service_id(&"svc-1".into());
        let text = std::fs::read_to_string(&service).expect("read");
        assert!(text.starts_with("{\n  \"http_server_uri\""), "{text}");
        assert!(text.contains("\"service_id\": \"svc-1\""), "{text}");
        let again = Config::load_with_env(&main, |_| None).expect("loads again");
        assert!(matches!(
            again.session.role,
            Role::Service { service_id: Some(ref s), .. } if s == "svc-1"
        ));
        let leftovers = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count();
        assert_eq!(leftovers, 0);
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
