//! What handles read without asking the loop.

use moobius_proto::ids::ChannelId;
use moobius_proto::session::{Role, Session};

/// The loop's state as handles see it, published after every turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
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
