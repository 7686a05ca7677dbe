//! The one error type of this crate.

use moobius_proto::session::{CommandError, FatalError, OpError};
use std::path::PathBuf;
use std::time::Duration;

/// Why a [`Moobius`](crate::Moobius) method, a run or a connection failed.
///
/// ```
/// use moobius_blocking::Error;
/// let e = Error::Stopped;
/// assert_eq!(e.to_string(), "the client is not running (it stopped or failed)");
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
    /// The configuration is invalid or could not be parsed.
    #[error(transparent)]
    Config(#[from] moobius_proto::config::ConfigError),
    /// Per-channel storage could not be opened or used.
    #[cfg(feature = "storage")]
    #[error(transparent)]
    Storage(#[from] moobius_storage::StorageError),
    /// The client was stopped (or failed) before the call completed.
    #[error("the client is not running (it stopped or failed)")]
    Stopped,
    /// No result within the allowed time
    /// ([`Options::call_timeout`](crate::Options::call_timeout) for calls,
    /// the caller's limit for waits). The operation may still complete
    /// later; its result is then dropped.
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
    /// A download would overwrite an existing file and overwriting was not
    /// asked for.
    #[error("refusing to overwrite existing file {0}")]
    FileExists(PathBuf),
    /// An argument is unusable.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The bot's thread could not be started, or ended in a panic.
    #[error("bot thread failed: {0}")]
    ThreadFailed(String),
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

/// What a [`Bot`](crate::Bot) callback returns: an error is logged (at
/// `warn`) and the bot goes on with the next event, so `?` on
/// [`Moobius`](crate::Moobius) methods is the normal way to write callbacks.
///
/// ```
/// use moobius_blocking::CallbackResult;
/// fn parse(text: &str) -> CallbackResult {
///     let _n: u32 = text.parse()?;
///     Ok(())
/// }
/// assert!(parse("12").is_ok() && parse("x").is_err());
/// ```
pub type CallbackResult = Result<(), Box<dyn std::error::Error + Send + Sync + 'static>>;
