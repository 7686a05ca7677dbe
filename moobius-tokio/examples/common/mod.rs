//! Shared by the examples: an embedded devserver with seeded accounts, and
//! configurations pointing at it.

#![allow(dead_code)]

pub(crate) mod echo_service;

use moobius_devserver::{DevServer, DevServerHandle};
use moobius_tokio::proto::session::{Role, SessionConfig};
use moobius_tokio::Config;

/// The channel every example serves.
pub(crate) const CHANNEL: &str = "lobby";
/// The account the service signs in with.
pub(crate) const SERVICE_EMAIL: &str = "service@quickstart.local";
/// The scripted user's account.
pub(crate) const USER_EMAIL: &str = "alice@quickstart.local";
/// A second user account (`quickstart --serve`: a second browser tab).
pub(crate) const SECOND_USER_EMAIL: &str = "bob@quickstart.local";
/// Every seeded account's password.
pub(crate) const PASSWORD: &str = "quickstart-password";

/// Logs warnings and errors to stderr (`RUST_LOG` overrides).
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A devserver on a free loopback port with the service account, `users`
/// and the channel.
pub(crate) async fn devserver(users: &[&str]) -> DevServerHandle {
    let mut b = DevServer::builder()
        .user(SERVICE_EMAIL, PASSWORD)
        .channel(CHANNEL, "Lobby");
    for u in users {
        b = b.user(*u, PASSWORD);
    }
    b.start().await.expect("the devserver starts on 127.0.0.1")
}

fn session(server: &DevServerHandle, email: &str, role: Role) -> SessionConfig {
    let http = format!("{}/", server.http_uri())
        .parse()
        .expect("the devserver's URI is valid");
    SessionConfig::new(email, PASSWORD.into(), http, server.ws_uri(), role)
}

/// A service (created at start) serving `CHANNEL` on the devserver.
pub(crate) fn service_config(server: &DevServerHandle) -> Config {
    let mut config = Config::new(session(
        server,
        SERVICE_EMAIL,
        Role::service(None, vec![CHANNEL.into()]),
    ));
    // The devserver forgets everything when it stops: no id worth saving.
    config.no_warn_cannot_save_service_id = true;
    config
}

/// A user account that joins `CHANNEL` at start.
pub(crate) fn user_config(server: &DevServerHandle, email: &str) -> Config {
    Config::new(session(server, email, Role::user(vec![CHANNEL.into()])))
}

/// A user-mode service that prints what it receives and hands every
/// message to the example's `main`.
pub(crate) struct Printer {
    pub(crate) name: &'static str,
    pub(crate) inbox: tokio::sync::mpsc::UnboundedSender<moobius_tokio::proto::model::MessageBody>,
}

impl Printer {
    /// A printer and the receiving end of its messages.
    pub(crate) fn new(
        name: &'static str,
    ) -> (
        Self,
        tokio::sync::mpsc::UnboundedReceiver<moobius_tokio::proto::model::MessageBody>,
    ) {
        let (inbox, rx) = tokio::sync::mpsc::unbounded_channel();
        (Self { name, inbox }, rx)
    }
}

impl moobius_tokio::Service for Printer {
    type Spell = ();

    async fn on_message_down(
        &mut self,
        _m: &moobius_tokio::Moobius,
        message: moobius_tokio::proto::model::MessageBody,
    ) -> moobius_tokio::CallbackResult {
        let text = message.content.text.clone().unwrap_or_default();
        println!("  {} received: {text}", self.name);
        let _ = self.inbox.send(message);
        Ok(())
    }

    async fn on_update_buttons(
        &mut self,
        _m: &moobius_tokio::Moobius,
        _c: moobius_tokio::proto::ids::ChannelId,
        buttons: Vec<moobius_tokio::proto::model::Button>,
    ) -> moobius_tokio::CallbackResult {
        let labels: Vec<_> = buttons.iter().map(|b| b.button_text.as_str()).collect();
        println!("  {} sees buttons: {}", self.name, labels.join(" | "));
        Ok(())
    }

    async fn on_update_canvas(
        &mut self,
        _m: &moobius_tokio::Moobius,
        _c: moobius_tokio::proto::ids::ChannelId,
        items: Vec<moobius_tokio::proto::model::CanvasItem>,
    ) -> moobius_tokio::CallbackResult {
        let texts: Vec<_> = items.iter().filter_map(|i| i.text.as_deref()).collect();
        println!("  {} sees the canvas: {}", self.name, texts.join(" / "));
        Ok(())
    }
}

/// The next message a [`Printer`] received (within 10 s).
pub(crate) async fn next(
    inbox: &mut tokio::sync::mpsc::UnboundedReceiver<moobius_tokio::proto::model::MessageBody>,
) -> Result<moobius_tokio::proto::model::MessageBody, Box<dyn std::error::Error>> {
    match tokio::time::timeout(std::time::Duration::from_secs(10), inbox.recv()).await {
        Ok(Some(m)) => Ok(m),
        _ => Err("no message within 10 s".into()),
    }
}
