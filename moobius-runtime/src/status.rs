//! What handles read without asking the loop.

use moobius_proto::ids::ChannelId;
use moobius_proto::session::{FatalError, Role, Session};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The loop's state as handles see it, published after every turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// Start-up has finished.
    pub ready: bool,
    /// The loop has ended.
    pub stopped: bool,
    /// Own service id (service mode) or user id (user mode), once known.
    pub own_id: Option<String>,
    /// Channels served, in configuration order.
    pub channels: Vec<ChannelId>,
}

impl Status {
    /// Takes what changed from `session`; true when anything did.
    pub fn update(&mut self, session: &Session) -> bool {
        let changed = self.ready != session.is_ready()
            || self.own_id.as_deref() != session.own_id()
            || self.channels.as_slice() != session.channels();
        if changed {
            self.ready = session.is_ready();
            self.own_id = session.own_id().map(str::to_owned);
            self.channels = session.channels().to_vec();
        }
        changed
    }
}

/// The [`Status`] (and the fatal error, if any) shared between a loop
/// and handles on other threads, which may wait for a change: the
/// blocking driver's (the tokio driver's is a `watch` channel).
#[derive(Debug, Default)]
pub struct StatusCell {
    status: Mutex<Status>,
    changed: Condvar,
    fatal: Mutex<Option<FatalError>>,
}

impl StatusCell {
    /// The status now (handles read it; hold the guard briefly).
    pub fn status(&self) -> MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the status; `update` says whether it changed (waiters are
    /// woken then).
    pub fn update(&self, update: &mut dyn FnMut(&mut Status) -> bool) {
        if update(&mut self.status()) {
            self.changed.notify_all();
        }
    }

    /// The fatal error that ended the session, if one did.
    pub fn fatal(&self) -> Option<FatalError> {
        self.fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records the fatal error that ends the session.
    pub fn set_fatal(&self, error: &FatalError) {
        *self.fatal.lock().unwrap_or_else(PoisonError::into_inner) = Some(error.clone());
    }

    /// Waits until `check` holds, at most `timeout`; whether it holds.
    pub fn wait_for(&self, timeout: Duration, check: impl Fn(&Status) -> bool) -> bool {
        let guard = self.status();
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| !check(s))
            .unwrap_or_else(PoisonError::into_inner);
        check(&guard)
    }
}

/// Which side of the platform a client plays (from the configuration's
/// role).
///
/// ```
/// use moobius_runtime::Mode;
/// use moobius_proto::session::Role;
/// assert_eq!(Mode::of(&Role::user(vec![])), Mode::User);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A channel service (`service_config.service_mode` true or absent).
    Service,
    /// A user account (`service_mode: false`).
    User,
}

impl Mode {
    /// The mode of `role`.
    #[must_use]
    pub fn of(role: &Role) -> Self {
        match role {
            Role::Service { .. } => Self::Service,
            Role::User { .. } => Self::User,
        }
    }
}
