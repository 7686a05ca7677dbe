//! The one error type of this crate.

use moobius_proto::session::{CommandError, FatalError, OpError};
use std::path::PathBuf;

/// Why a [`Moobius`](crate::Moobius) method, a run or a configuration step
/// failed.
///
/// ```
/// use moobius_tokio::Error;
/// let e = Error::Stopped;
/// assert_eq!(e.to_string(), "the service is not running (it stopped or failed)");
/// ```
#[derive(Debug, thiserror::Error)]
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
    /// The service's task is gone (stopped, failed, or never started).
    #[error("the service is not running (it stopped or failed)")]
    Stopped,
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
    /// A download would overwrite an existing file and overwriting was not asked for.
    #[error("refusing to overwrite existing file {0}")]
    FileExists(PathBuf),
    /// An argument is unusable (e.g. a download file name that would leave
    /// the chosen folder).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Per-channel storage could not be opened or used.
    #[cfg(feature = "storage")]
    #[error(transparent)]
    Storage(#[from] moobius_storage::StorageError),
    /// The service's task panicked or was cancelled.
    #[error("the service's task failed: {0}")]
    TaskFailed(String),
    /// A command's result had an unexpected type (a bug, reported rather
    /// than panicking).
    #[error("internal error: unexpected result of {0}")]
    UnexpectedOutput(&'static str),
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// What a [`Service`](crate::Service) callback returns: any error is logged
/// (at `warn`) and the service goes on with the next event, so `?` on
/// [`Moobius`](crate::Moobius) methods is the normal way to write callbacks.
pub type CallbackResult = Result<(), Box<dyn std::error::Error + Send + Sync + 'static>>;
