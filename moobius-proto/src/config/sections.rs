//! The four sections, their keys and defaults (PROTOCOL.md §2.2).

use super::redact::{redact_url, RedactedOption};
use super::{invalid, ConfigError};
use crate::http::{BaseUri, DEFAULT_HTTP_SERVER_URI};
use crate::ids::{ChannelId, ServiceId};
use crate::secret::Password;
use crate::session::{OthersPolicy, Role, SessionConfig};
use serde_json::{Map, Value};
use std::fmt;
use std::time::Duration;

/// The default `ws_server_uri`.
pub const DEFAULT_WS_SERVER_URI: &str = "wss://ws.moobius.ai/";

/// The default check-in period (`checkin_interval`, 3600 s).
const DEFAULT_CHECKIN: Duration = Duration::from_secs(3600);

/// `account_config`: the credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountConfig {
    /// Sign-in user name.
    pub email: Option<String>,
    /// Password (redacted in `Debug`).
    pub password: Option<Password>,
}

/// `service_config`: where the platform is and what to serve. `Debug`
/// removes credentials from the URIs (see [`redact_url`]).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// HTTP API base.
    pub http_server_uri: String,
    /// Websocket URI.
    pub ws_server_uri: String,
    /// Own service id; `None` (absent or `""`) creates a service at start.
    pub service_id: Option<ServiceId>,
    /// Channels to bind (service mode) or be in (user mode).
    pub channels: Vec<ChannelId>,
    /// Policy for channels bound to another service.
    pub others: OthersPolicy,
    /// Service (`true`, the default) or user mode.
    pub service_mode: bool,
    /// Check-in period; `None` when `<= 0`.
    pub checkin_interval: Option<Duration>,
    /// Do not warn when a new service id cannot be saved.
    pub no_warn_cannot_save_service_id: bool,
}

/// `log_config`, with the reference's defaults. Drivers decide what to do
/// with it (this SDK logs through `tracing`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogConfig {
    /// File log level (upper-cased; `INFO`).
    pub log_level: String,
    /// Terminal log level (`INFO`).
    pub terminal_log_level: String,
    /// Error-file level (upper-cased; `WARNING`).
    pub error_log_level: String,
    /// Log file, if any.
    pub log_file: Option<String>,
    /// Error log file (default: the log file).
    pub error_log_file: Option<String>,
    /// Rotation and retention, as given (a string `S` becomes `{"retention": S}`).
    pub log_retention: Value,
}

impl Default for LogConfig {
    /// The reference's defaults: `INFO` to the terminal, no files.
    fn default() -> Self {
        Self {
            log_level: "INFO".into(),
            terminal_log_level: "INFO".into(),
            error_log_level: "WARNING".into(),
            log_file: None,
            error_log_file: None,
            log_retention: serde_json::json!({"rotation": "1 day", "retention": "7 days"}),
        }
    }
}

impl fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured, so that a new field cannot be forgotten here.
        let Self {
            http_server_uri,
            ws_server_uri,
            service_id,
            channels,
            others,
            service_mode,
            checkin_interval,
            no_warn_cannot_save_service_id,
        } = self;
        f.debug_struct("ServiceConfig")
            .field("http_server_uri", &redact_url(http_server_uri))
            .field("ws_server_uri", &redact_url(ws_server_uri))
            .field("service_id", service_id)
            .field("channels", channels)
            .field("others", others)
            .field("service_mode", service_mode)
            .field("checkin_interval", checkin_interval)
            .field(
                "no_warn_cannot_save_service_id",
                no_warn_cannot_save_service_id,
            )
            .finish()
    }
}

/// The whole configuration. `Debug` prints no secret: the password is a
/// [`Password`], `db_config` is printed through [`Redacted`](super::Redacted) and the URIs
/// without credentials.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct AppConfig {
    /// Credentials.
    pub account: AccountConfig,
    /// Platform and role.
    pub service: ServiceConfig,
    /// Per-channel storage specs (`db_config`), as given; `None` when absent
    /// or `null`.
    pub db_config: Option<Value>,
    /// Logging.
    pub log: LogConfig,
}

impl fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            account,
            service,
            db_config,
            log,
        } = self;
        f.debug_struct("AppConfig")
            .field("account", account)
            .field("service", service)
            .field("db_config", &RedactedOption(db_config.as_ref()))
            .field("log", log)
            .finish()
    }
}

impl AppConfig {
    pub(super) fn from_sections(
        sections: &Map<String, Value>,
        warnings: &mut Vec<String>,
    ) -> Result<Self, ConfigError> {
        let section = |name: &str| sections.get(name).unwrap_or(&Value::Null);
        let account = account(object(
            "account_config",
            section("account_config"),
            warnings,
        )?)?;
        let service = match section("service_config") {
            Value::Null => return Err(ConfigError::Missing("service_config".into())),
            v => service(object("service_config", v, warnings)?, warnings)?,
        };
        let log = log(object("log_config", section("log_config"), warnings)?)?;
        let db_config = match section("db_config") {
            Value::Null => None,
            v => Some(v.clone()),
        };
        Ok(Self {
            account,
            service,
            db_config,
            log,
        })
    }

    /// The session configuration: credentials, URIs and role (default
    /// timings). Fails when the email or password is missing or a URI is
    /// unusable.
    pub fn session_config(&self) -> Result<SessionConfig, ConfigError> {
        let email = self
            .account
            .email
            .clone()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| ConfigError::Missing("account_config.email".into()))?;
        let password = self
            .account
            .password
            .clone()
            .ok_or_else(|| ConfigError::Missing("account_config.password".into()))?;
        let s = &self.service;
        for (key, uri) in [
            ("service_config.http_server_uri", &s.http_server_uri),
            ("service_config.ws_server_uri", &s.ws_server_uri),
        ] {
            if redact_url(uri) != uri.as_str() {
                return Err(invalid(
                    key,
                    "must not carry credentials (user:password@ or a secret query \
                     parameter): the platform authenticates with the account",
                ));
            }
        }
        let http_base = BaseUri::parse(&s.http_server_uri)
            .map_err(|e| invalid("service_config.http_server_uri", e.to_string()))?;
        if !(s.ws_server_uri.starts_with("ws://") || s.ws_server_uri.starts_with("wss://")) {
            return Err(invalid(
                "service_config.ws_server_uri",
                "must start with ws:// or wss://",
            ));
        }
        let role = if s.service_mode {
            let mut role = Role::service(s.service_id.clone(), s.channels.clone());
            if let Role::Service {
                others,
                checkin_interval,
                ..
            } = &mut role
            {
                *others = s.others;
                *checkin_interval = s.checkin_interval;
            }
            role
        } else {
            Role::user(s.channels.clone())
        };
        Ok(SessionConfig::new(
            email,
            password,
            http_base,
            s.ws_server_uri.clone(),
            role,
        ))
    }
}

/// A section as an object (`null` reads as empty).
fn object<'a>(
    name: &str,
    v: &'a Value,
    _warnings: &mut Vec<String>,
) -> Result<Option<&'a Map<String, Value>>, ConfigError> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        _ => Err(invalid(name, "must be a JSON object or the path of one")),
    }
}

fn string(m: &Map<String, Value>, section: &str, key: &str) -> Result<Option<String>, ConfigError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(&format!("{section}.{key}"), "must be a string")),
    }
}

fn boolean(m: &Map<String, Value>, section: &str, key: &str) -> Result<Option<bool>, ConfigError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid(
            &format!("{section}.{key}"),
            "must be true or false",
        )),
    }
}

fn account(m: Option<&Map<String, Value>>) -> Result<AccountConfig, ConfigError> {
    let Some(m) = m else {
        return Ok(AccountConfig::default());
    };
    Ok(AccountConfig {
        email: string(m, "account_config", "email")?,
        password: string(m, "account_config", "password")?.map(Password::new),
    })
}

const SERVICE_KEYS: [&str; 8] = [
    "http_server_uri",
    "ws_server_uri",
    "service_id",
    "channels",
    "others",
    "service_mode",
    "checkin_interval",
    "no_warn_cannot_save_service_id",
];

fn service(
    m: Option<&Map<String, Value>>,
    warnings: &mut Vec<String>,
) -> Result<ServiceConfig, ConfigError> {
    let empty = Map::new();
    let m = m.unwrap_or(&empty);
    const S: &str = "service_config";
    for k in m.keys().filter(|k| !SERVICE_KEYS.contains(&k.as_str())) {
        warnings.push(format!("unknown key `{S}.{k}` ignored"));
    }
    let channels = match m.get("channels") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(ChannelId::new(s.clone())),
                _ => Err(invalid(
                    "service_config.channels",
                    "must be a list of strings",
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(invalid(
                "service_config.channels",
                "must be a list of strings",
            ))
        }
    };
    let others = match string(m, S, "others")? {
        None => OthersPolicy::Include,
        Some(s) => s
            .parse()
            .map_err(|e: String| invalid("service_config.others", e))?,
    };
    let checkin_interval = match m.get("checkin_interval") {
        None | Some(Value::Null) => Some(DEFAULT_CHECKIN),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(secs) if secs > 0.0 && secs.is_finite() => Some(
                Duration::try_from_secs_f64(secs)
                    .map_err(|e| invalid("service_config.checkin_interval", e.to_string()))?,
            ),
            _ => None,
        },
        Some(_) => {
            return Err(invalid(
                "service_config.checkin_interval",
                "must be a number of seconds",
            ))
        }
    };
    let mut uri = |key: &str, default: &str| -> Result<String, ConfigError> {
        Ok(string(m, S, key)?.unwrap_or_else(|| {
            warnings.push(format!(
                "`{S}.{key}` is not set: using the production platform `{default}` (set it to use another, e.g. a local devserver)"
            ));
            default.to_owned()
        }))
    };
    let http_server_uri = uri("http_server_uri", DEFAULT_HTTP_SERVER_URI)?;
    let ws_server_uri = uri("ws_server_uri", DEFAULT_WS_SERVER_URI)?;
    Ok(ServiceConfig {
        http_server_uri,
        ws_server_uri,
        service_id: string(m, S, "service_id")?
            .filter(|s| !s.trim().is_empty())
            .map(ServiceId::new),
        channels,
        others,
        service_mode: boolean(m, S, "service_mode")?.unwrap_or(true),
        checkin_interval,
        no_warn_cannot_save_service_id: boolean(m, S, "no_warn_cannot_save_service_id")?
            .unwrap_or(false),
    })
}

fn log(m: Option<&Map<String, Value>>) -> Result<LogConfig, ConfigError> {
    let empty = Map::new();
    let m = m.unwrap_or(&empty);
    const L: &str = "log_config";
    let log_file = string(m, L, "log_file")?;
    let log_retention = match m.get("log_retention") {
        None | Some(Value::Null) => serde_json::json!({"rotation": "1 day", "retention": "7 days"}),
        Some(Value::String(s)) => serde_json::json!({ "retention": s }),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            return Err(invalid(
                "log_config.log_retention",
                "must be an object or a string",
            ))
        }
    };
    Ok(LogConfig {
        log_level: string(m, L, "log_level")?
            .unwrap_or_else(|| "INFO".into())
            .to_uppercase(),
        terminal_log_level: string(m, L, "terminal_log_level")?.unwrap_or_else(|| "INFO".into()),
        error_log_level: string(m, L, "error_log_level")?
            .unwrap_or_else(|| "WARNING".into())
            .to_uppercase(),
        error_log_file: string(m, L, "error_log_file")?.or_else(|| log_file.clone()),
        log_file,
        log_retention,
    })
}
