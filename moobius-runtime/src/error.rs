//! The one error type of both drivers.

use moobius_proto::session::{CommandError, FatalError, OpError};
use std::path::PathBuf;
use std::time::Duration;

/// Why a `Moobius` method, a run or a configuration step failed.
///
/// Its `Display` is one line with every cause chained, and so is its
/// `Debug` (as `anyhow`'s is), so `fn main() -> Result<(), Error>` prints
/// something a person can act on rather than nested structs.
///
/// ```
/// use moobius_runtime::Error;
/// let e = Error::Stopped;
/// assert_eq!(e.to_string(), "the client is not running (it stopped or failed)");
/// assert_eq!(format!("{e:?}"), e.to_string());
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The session refused the command at once (queue full, wrong mode,
    /// no recipients, ...).
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The command was accepted but failed (platform error, transport
    /// failure after retries, frame too large, session closed).
    #[error(transparent)]
    Op(#[from] OpError),
    /// The session ended: sign-in refused, start-up failed, login rejected.
    #[error(transparent)]
    Fatal(#[from] FatalError),
    /// The loop that owns the connection is gone (stopped, failed, or never
    /// started).
    #[error("the client is not running (it stopped or failed)")]
    Stopped,
    /// No result within the allowed time (the blocking driver's
    /// `call_timeout`, or the caller's limit for waits). The operation may
    /// still complete later; its result is then dropped.
    #[error("no result within {0:?}")]
    Timeout(Duration),
    /// A local file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`"reading"`, `"writing"`, ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The configuration is invalid or could not be loaded.
    #[error(transparent)]
    Config(#[from] moobius_proto::config::ConfigError),
    /// A write would replace an existing file and overwriting was not asked for.
    #[error("refusing to overwrite existing file {0}")]
    FileExists(PathBuf),
    /// A write would go through a symbolic link (planted at the file's
    /// name or at its temporary name); nothing was written.
    #[error("refusing to write through the symbolic link {0}")]
    Symlink(PathBuf),
    /// An argument is unusable (e.g. a download file name that would leave
    /// the chosen folder).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Per-channel storage could not be opened or used.
    #[cfg(feature = "storage")]
    #[cfg_attr(docsrs, doc(cfg(feature = "storage")))]
    #[error(transparent)]
    Storage(#[from] moobius_storage::StorageError),
    /// `log_config` cannot be applied (unknown level, unsupported
    /// rotation, log file not writable).
    #[error(transparent)]
    Logging(#[from] crate::subscriber::LoggingError),
    /// The TLS configuration cannot be built (a CA file unreadable or
    /// without certificates, no trusted root at all).
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// The loop's task or thread panicked or was cancelled.
    #[error("the driver's loop failed: {0}")]
    TaskFailed(String),
}

impl std::fmt::Debug for Error {
    /// The `Display` chain, so `main` returning `Err` prints a sentence;
    /// `{:#?}` gives the structure.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            return self.structure(f);
        }
        f.write_str(&crate::explain::chain(self))
    }
}

impl Error {
    fn structure(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Command(e) => f.debug_tuple("Command").field(e).finish(),
            Self::Op(e) => f.debug_tuple("Op").field(e).finish(),
            Self::Fatal(e) => f.debug_tuple("Fatal").field(e).finish(),
            Self::Stopped => f.write_str("Stopped"),
            Self::Timeout(d) => f.debug_tuple("Timeout").field(d).finish(),
            Self::Io {
                action,
                path,
                source,
            } => f
                .debug_struct("Io")
                .field("action", action)
                .field("path", path)
                .field("source", source)
                .finish(),
            Self::Config(e) => f.debug_tuple("Config").field(e).finish(),
            Self::FileExists(p) => f.debug_tuple("FileExists").field(p).finish(),
            Self::Symlink(p) => f.debug_tuple("Symlink").field(p).finish(),
            Self::InvalidArgument(s) => f.debug_tuple("InvalidArgument").field(s).finish(),
            #[cfg(feature = "storage")]
            Self::Storage(e) => f.debug_tuple("Storage").field(e).finish(),
            Self::Logging(e) => f.debug_tuple("Logging").field(e).finish(),
            Self::Tls(e) => f.debug_tuple("Tls").field(e).finish(),
            Self::TaskFailed(s) => f.debug_tuple("TaskFailed").field(s).finish(),
        }
    }

    /// An I/O failure on `path` while `action`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// What a callback returns: any error is logged (at `warn`) and the loop
/// goes on with the next event, so `?` on `Moobius` methods is the normal
/// way to write callbacks.
///
/// ```
/// use moobius_runtime::CallbackResult;
/// fn parse(text: &str) -> CallbackResult {
///     let _n: u32 = text.parse()?;
///     Ok(())
/// }
/// assert!(parse("12").is_ok() && parse("x").is_err());
/// ```
pub type CallbackResult = Result<(), Box<dyn std::error::Error + Send + Sync + 'static>>;
