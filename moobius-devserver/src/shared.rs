//! What every request handler and connection task shares: the state lock,
//! the configuration, the fault switches and the change notifier.

use crate::faults::Faults;
use crate::state::State;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// Limits and lifetimes, fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
    pub(crate) max_frame_bytes: usize,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_upload_bytes: usize,
    pub(crate) login_timeout: Duration,
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
}

/// The shared core of one running devserver.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    pub(crate) config: Config,
    pub(crate) faults: Faults,
    /// Requests per API path (see `DevServerHandle::request_count`).
    pub(crate) requests: crate::http::RequestCounts,
    events: watch::Sender<u64>,
    /// `http://HOST:PORT` of this server (no trailing slash).
    pub(crate) http_base: String,
}

impl Shared {
    pub(crate) fn new(state: State, config: Config, http_base: String) -> Self {
        Self {
            state: Mutex::new(state),
            config,
            faults: Faults::default(),
            requests: crate::http::RequestCounts::default(),
            events: watch::Sender::new(0),
            http_base,
        }
    }

    /// Locks the state. A poisoned lock (a panic elsewhere, which the code
    /// avoids) is recovered rather than propagated.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tells waiters that something changed.
    pub(crate) fn changed(&self) {
        self.events.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that wakes on every change.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.events.subscribe()
    }
}
