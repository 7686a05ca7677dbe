//! The examples' local platform: a devserver on a free port (password `pw`,
//! one channel `lobby`), hosted by a small tokio runtime of its own.

#![allow(dead_code)] // each example uses a part of it

use moobius_blocking::proto::session::{Role, SessionConfig};
use moobius_devserver::{DevServer, DevServerHandle};

type Failure = Box<dyn std::error::Error>;

/// How long the examples wait for anything.
pub(crate) const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A running devserver; it stops when this is dropped.
pub(crate) struct Dev {
    server: DevServerHandle,
    _runtime: tokio::runtime::Runtime,
}

impl Dev {
    /// A devserver with these accounts.
    pub(crate) fn start(emails: &[&str]) -> Result<Self, Failure> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let builder = emails
            .iter()
            .fold(DevServer::builder(), |b, e| b.user(*e, "pw"));
        let server = runtime.block_on(builder.channel("lobby", "Lobby").start())?;
        Ok(Self {
            server,
            _runtime: runtime,
        })
    }

    /// A service of this account, serving `lobby`.
    pub(crate) fn service(&self, email: &str) -> Result<SessionConfig, Failure> {
        self.config(email, Role::service(None, vec!["lobby".into()]))
    }

    /// This account as a user, in `lobby`.
    pub(crate) fn user(&self, email: &str) -> Result<SessionConfig, Failure> {
        self.config(email, Role::user(vec!["lobby".into()]))
    }

    fn config(&self, email: &str, role: Role) -> Result<SessionConfig, Failure> {
        let http = self.server.http_uri().parse()?;
        Ok(SessionConfig::new(
            email,
            "pw".into(),
            http,
            self.server.ws_uri(),
            role,
        ))
    }
}
