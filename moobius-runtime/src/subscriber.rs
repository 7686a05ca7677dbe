//! Logging out of the box: the `tracing` subscriber a driver installs from
//! the configuration's `log_config`, unless the application installed its own.

use moobius_proto::config::LogConfig;
use std::path::{Path, PathBuf};
use tracing::level_filters::LevelFilter;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The environment variable that, when set, replaces the terminal level of
/// `log_config` with its filter directives (`RUST_LOG=moobius=debug,info`).
pub const ENV_RUST_LOG: &str = "RUST_LOG";

/// Why the logging of `log_config` could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoggingError {
    /// A level name that is none of loguru's (`TRACE`, `DEBUG`, `INFO`,
    /// `SUCCESS`, `WARNING`, `ERROR`, `CRITICAL`) nor tracing's.
    #[error("`log_config.{key}`: unknown log level `{value}` (use TRACE, DEBUG, INFO, WARNING or ERROR)")]
    Level {
        /// The key (`terminal_log_level`, `log_level`, `error_log_level`).
        key: &'static str,
        /// The value as written.
        value: String,
    },
    /// A rotation or retention the file logger cannot apply.
    #[error("`log_config.log_retention.{key}`: {message}")]
    Retention {
        /// `rotation` or `retention`.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A log file's folder cannot be created or written.
    #[error("cannot open the log file {path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// Keeps the file loggers writing; dropping it flushes and closes them. Hold
/// it for as long as the service runs (the drivers do).
#[must_use = "dropping the guard stops the file loggers"]
pub struct LogGuard {
    _files: Vec<WorkerGuard>,
}

impl std::fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogGuard")
            .field("files", &self._files.len())
            .finish()
    }
}

/// Installs the process-wide `tracing` subscriber that `log_config` asks
/// for, as the reference SDK does for loguru:
///
/// * the terminal (stderr) at `terminal_log_level` — or, when `RUST_LOG` is
///   set, with its directives instead;
/// * `log_file` (if any) at `log_level`;
/// * `error_log_file` (if any, and not the same file as `log_file`) at
///   `error_log_level`; when both name one file it is written once, at the
///   lower of the two levels, where the reference would write a warning twice;
/// * files rotate and are kept per `log_retention` (`rotation`: `"1 minute"`,
///   `"1 hour"`, `"1 day"`, `"1 week"` or `"never"`; `retention`: `"N days"`
///   / `"N hours"` … or a number of files), the rotated files named
///   `<file>.<date>`.
///
/// Returns `Ok(None)` and changes nothing when the application already set a
/// global subscriber: its own choice wins.
pub fn install(cfg: &LogConfig) -> Result<Option<LogGuard>, LoggingError> {
    if tracing::dispatcher::has_been_set() {
        return Ok(None);
    }
    let (layers, guard) = layers(cfg, std::env::var(ENV_RUST_LOG).ok().as_deref())?;
    match tracing_subscriber::registry().with(layers).try_init() {
        Ok(()) => Ok(Some(guard)),
        // Another thread won the race: theirs stays.
        Err(_) => Ok(None),
    }
}

type BoxedLayer = Box<dyn Layer<tracing_subscriber::Registry> + Send + Sync>;

/// The layers of [`install`], built without installing them (for tests and
/// for applications that compose their own subscriber).
pub fn layers(
    cfg: &LogConfig,
    rust_log: Option<&str>,
) -> Result<(Vec<BoxedLayer>, LogGuard), LoggingError> {
    let terminal = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // Without `RUST_LOG` the terminal's filter is the one level of
    // `terminal_log_level`: a plain `LevelFilter`; an `EnvFilter` (directive
    // parsing, per-callsite maps) only when there are directives. Issue 18:
    // building the `EnvFilter` at start-up paged in more code, 57 KiB of
    // idle RSS (mean of 5 runs; about the runs' own spread).
    let terminal = match rust_log.filter(|s| !s.trim().is_empty()) {
        Some(directives) => terminal
            .with_filter(
                EnvFilter::builder()
                    .with_default_directive(LevelFilter::INFO.into())
                    .parse_lossy(directives),
            )
            .boxed(),
        None => terminal
            .with_filter(level("terminal_log_level", &cfg.terminal_log_level)?)
            .boxed(),
    };
    let mut out: Vec<BoxedLayer> = vec![terminal];
    let mut guards = Vec::new();
    let (rotation, keep) = retention(&cfg.log_retention)?;
    let file_level = level("log_level", &cfg.log_level)?;
    let error_level = level("error_log_level", &cfg.error_log_level)?;
    let mut files: Vec<(&str, LevelFilter)> = Vec::new();
    if let Some(f) = cfg.log_file.as_deref() {
        files.push((f, file_level));
    }
    if let Some(f) = cfg.error_log_file.as_deref() {
        match files.iter_mut().find(|(p, _)| same_file(p, f)) {
            Some((_, lvl)) => *lvl = (*lvl).max(error_level),
            None => files.push((f, error_level)),
        }
    }
    for (path, lvl) in files {
        let appender = appender(Path::new(path), rotation.clone(), keep)?;
        let (writer, guard) = tracing_appender::non_blocking(appender);
        guards.push(guard);
        out.push(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(lvl)
                .boxed(),
        );
    }
    Ok((out, LogGuard { _files: guards }))
}

fn same_file(a: &str, b: &str) -> bool {
    a == b
        || (Path::new(a).canonicalize().ok())
            .is_some_and(|x| Some(x) == Path::new(b).canonicalize().ok())
}

/// loguru's level names (and tracing's) to a filter.
fn level(key: &'static str, value: &str) -> Result<LevelFilter, LoggingError> {
    Ok(match value.trim().to_ascii_uppercase().as_str() {
        "TRACE" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "INFO" | "SUCCESS" => LevelFilter::INFO,
        "WARNING" | "WARN" => LevelFilter::WARN,
        "ERROR" | "CRITICAL" => LevelFilter::ERROR,
        "OFF" | "NONE" => LevelFilter::OFF,
        _ => {
            return Err(LoggingError::Level {
                key,
                value: value.to_owned(),
            })
        }
    })
}

/// `log_retention` → how often a file rotates and how many are kept.
fn retention(v: &serde_json::Value) -> Result<(Rotation, Option<usize>), LoggingError> {
    let text = |key: &'static str| -> Result<Option<String>, LoggingError> {
        match v.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_ascii_lowercase())),
            Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(LoggingError::Retention {
                key,
                message: "must be a string such as \"1 day\"".into(),
            }),
        }
    };
    let rotation_text = text("rotation")?.unwrap_or_else(|| "1 day".into());
    let (rotation, period_hours) = match period(&rotation_text) {
        Some((1, Unit::Minute)) => (Rotation::MINUTELY, 1.0 / 60.0),
        Some((1, Unit::Hour)) => (Rotation::HOURLY, 1.0),
        Some((1, Unit::Day)) => (Rotation::DAILY, 24.0),
        Some((1, Unit::Week)) => (Rotation::WEEKLY, 168.0),
        _ if rotation_text == "never" => (Rotation::NEVER, f64::INFINITY),
        _ => {
            return Err(LoggingError::Retention {
                key: "rotation",
                message: format!(
                    "`{rotation_text}` is not supported: use \"1 minute\", \"1 hour\", \"1 day\", \"1 week\" or \"never\""
                ),
            })
        }
    };
    let keep = match text("retention")? {
        None => None,
        Some(r) => match (r.parse::<usize>(), period(&r)) {
            (Ok(files), _) => Some(files.max(1)),
            (_, Some((n, unit))) if period_hours.is_finite() => {
                Some(((n as f64 * unit.hours()) / period_hours).ceil().max(1.0) as usize)
            }
            (_, Some(_)) => None,
            _ => {
                return Err(LoggingError::Retention {
                    key: "retention",
                    message: format!(
                        "`{r}` is not a duration such as \"7 days\" nor a number of files"
                    ),
                })
            }
        },
    };
    Ok((rotation, keep))
}

#[derive(Clone, Copy)]
enum Unit {
    Minute,
    Hour,
    Day,
    Week,
}

impl Unit {
    fn hours(self) -> f64 {
        match self {
            Self::Minute => 1.0 / 60.0,
            Self::Hour => 1.0,
            Self::Day => 24.0,
            Self::Week => 168.0,
        }
    }
}

/// `"7 days"`, `"1 hour"`, `"2 weeks"`, `"1 day"` → (count, unit).
fn period(s: &str) -> Option<(u64, Unit)> {
    let mut parts = s.split_whitespace();
    let n: u64 = parts.next()?.parse().ok()?;
    let unit = match parts.next()?.trim_end_matches('s') {
        "minute" | "min" => Unit::Minute,
        "hour" | "h" => Unit::Hour,
        "day" | "d" => Unit::Day,
        "week" | "w" => Unit::Week,
        _ => return None,
    };
    parts.next().is_none().then_some((n, unit))
}

fn appender(
    path: &Path,
    rotation: Rotation,
    keep: Option<usize>,
) -> Result<RollingFileAppender, LoggingError> {
    let err = |message: String| LoggingError::File {
        path: path.to_owned(),
        message,
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| err("not a file name".into()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| err(e.to_string()))?;
    let mut b = RollingFileAppender::builder()
        .rotation(rotation)
        .filename_prefix(name);
    if let Some(n) = keep {
        b = b.max_log_files(n);
    }
    b.build(&dir).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(log_file: Option<String>, error_file: Option<String>) -> LogConfig {
        let mut cfg = LogConfig::default();
        cfg.terminal_log_level = "WARNING".into();
        cfg.log_file = log_file;
        cfg.error_log_file = error_file;
        cfg
    }

    #[test]
    fn loguru_levels_map_to_tracing_levels() {
        assert_eq!(level("k", "SUCCESS").unwrap(), LevelFilter::INFO);
        assert_eq!(level("k", "warning").unwrap(), LevelFilter::WARN);
        assert_eq!(level("k", "CRITICAL").unwrap(), LevelFilter::ERROR);
        let e = level("terminal_log_level", "LOUD").unwrap_err().to_string();
        assert!(
            e.contains("terminal_log_level") && e.contains("LOUD"),
            "{e}"
        );
    }

    #[test]
    fn retention_in_days_keeps_that_many_daily_files() {
        let (r, keep) = retention(&json!({"rotation": "1 day", "retention": "7 days"})).unwrap();
        assert_eq!((r, keep), (Rotation::DAILY, Some(7)));
        let (r, keep) = retention(&json!({"rotation": "1 hour", "retention": "2 days"})).unwrap();
        assert_eq!((r, keep), (Rotation::HOURLY, Some(48)));
        let (_, keep) = retention(&json!({"retention": "3"})).unwrap();
        assert_eq!(keep, Some(3));
        let e = retention(&json!({"rotation": "10 MB"}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("10 mb") && e.contains("1 day"), "{e}");
    }

    #[test]
    fn the_file_logs_what_its_level_lets_through_and_one_file_is_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("service.log");
        let name = file.to_str().unwrap().to_owned();
        let (layers, guard) = layers(&cfg(Some(name.clone()), Some(name)), None).unwrap();
        assert_eq!(layers.len(), 2, "terminal + one file");
        let subscriber = tracing_subscriber::registry().with(layers);
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!("not this");
            tracing::info!("the service is ready");
            tracing::warn!("a warning");
        });
        drop(guard);
        let written: String = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert!(written.contains("the service is ready"), "{written}");
        assert_eq!(written.matches("a warning").count(), 1, "{written}");
        assert!(!written.contains("not this"), "{written}");
    }
}
