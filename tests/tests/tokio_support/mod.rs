//! Helpers shared by the `tokio_*` tests: a seeded devserver, configs for
//! the service and user accounts, and a recording `Service` whose callbacks
//! report what they saw through a channel. Test code: panics (via `expect`)
//! are the failure reports; every wait is bounded.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use moobius_devserver::{DevServer, DevServerHandle};
use moobius_tokio::proto::ids::{ChannelId, CharacterId};
use moobius_tokio::proto::model::{
    Button, ButtonClick, CanvasItem, ChannelInfo, CopyBody, MenuItem, MenuItemClick, MessageBody,
    SimpleAction, StyleItem,
};
use moobius_tokio::proto::session::{Role, SessionConfig};
use moobius_tokio::{CallbackResult, Config, Moobius, Running, Service};
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

pub const CHANNEL: &str = "lobby";
pub const SERVICE: &str = "service@test.local";
pub const ALICE: &str = "alice@test.local";
pub const BOB: &str = "bob@test.local";
pub const PASSWORD: &str = "pw";

/// Awaits `fut`, failing the test after [`WAIT`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {WAIT:?}: {what}"))
}

/// A devserver with the service account, Alice, Bob and the channel.
pub async fn devserver() -> DevServerHandle {
    DevServer::builder()
        .user(SERVICE, PASSWORD)
        .user(ALICE, PASSWORD)
        .user(BOB, PASSWORD)
        .channel(CHANNEL, "Lobby")
        .start()
        .await
        .expect("devserver starts")
}

pub fn session(server: &DevServerHandle, email: &str, password: &str, role: Role) -> SessionConfig {
    let http = format!("{}/", server.http_uri()).parse().unwrap();
    SessionConfig::new(email, password.into(), http, server.ws_uri(), role)
}

/// The service account, serving the channel (a service is created at start).
pub fn service_config(server: &DevServerHandle) -> Config {
    let mut c = Config::new(session(
        server,
        SERVICE,
        PASSWORD,
        Role::service(None, vec![CHANNEL.into()]),
    ));
    c.no_warn_cannot_save_service_id = true;
    c
}

/// A user account that joins the channel at start.
pub fn user_config(server: &DevServerHandle, email: &str) -> Config {
    Config::new(session(
        server,
        email,
        PASSWORD,
        Role::user(vec![CHANNEL.into()]),
    ))
}

/// What a [`Recorder`]'s callbacks saw, in order.
#[derive(Debug, Clone)]
pub enum Seen {
    BeforeChannelInit,
    ChannelInit(ChannelId),
    Checkin(ChannelId),
    Start,
    MessageUp(MessageBody),
    MessageDown(MessageBody),
    Join(SimpleAction),
    Leave(SimpleAction),
    Refresh(SimpleAction),
    ButtonClick(ButtonClick),
    MenuItemClick(MenuItemClick),
    Characters(ChannelId, Vec<CharacterId>),
    Buttons(Vec<Button>),
    Canvas(Vec<CanvasItem>),
    Style(Vec<StyleItem>),
    Menu(Vec<MenuItem>),
    ChannelInfo(ChannelInfo),
    Copy(CopyBody),
    Spell(String),
    /// A note written by a spell's work (`"slow-end"`, results, ...).
    Note(String),
}

/// A service (or user) that records every callback.
pub struct Recorder {
    tx: mpsc::UnboundedSender<Seen>,
    pub record_copies: bool,
}

/// The receiving end of a [`Recorder`].
pub struct Seer {
    rx: mpsc::UnboundedReceiver<Seen>,
}

pub fn recorder() -> (Recorder, Seer) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        Recorder {
            tx,
            record_copies: false,
        },
        Seer { rx },
    )
}

impl Seer {
    /// The next event for which `f` returns `Some`, skipping others.
    pub async fn expect<T>(&mut self, what: &str, mut f: impl FnMut(&Seen) -> Option<T>) -> T {
        within(what, async {
            loop {
                let seen = self.rx.recv().await.expect("recorder alive");
                if let Some(t) = f(&seen) {
                    return t;
                }
            }
        })
        .await
    }

    /// The next message (up or down) with a text, skipping other events.
    pub async fn next_text(&mut self, what: &str) -> MessageBody {
        self.expect(what, |s| match s {
            Seen::MessageUp(m) | Seen::MessageDown(m) if m.content.text.is_some() => {
                Some(m.clone())
            }
            _ => None,
        })
        .await
    }

    /// Everything recorded so far, without waiting.
    pub fn drain(&mut self) -> Vec<Seen> {
        let mut v = Vec::new();
        while let Ok(s) = self.rx.try_recv() {
            v.push(s);
        }
        v
    }
}

impl Recorder {
    fn see(&self, s: Seen) -> CallbackResult {
        let _ = self.tx.send(s);
        Ok(())
    }
}

impl Service for Recorder {
    type Spell = String;

    async fn before_channel_init(&mut self, _m: &Moobius) -> CallbackResult {
        self.see(Seen::BeforeChannelInit)
    }
    async fn on_channel_checkin(&mut self, _m: &Moobius, c: ChannelId) -> CallbackResult {
        self.see(Seen::Checkin(c))
    }
    async fn on_channel_init(&mut self, m: &Moobius, c: ChannelId) -> CallbackResult {
        self.see(Seen::ChannelInit(c.clone()))?;
        // The default calls on_channel_checkin; keep that behaviour.
        self.on_channel_checkin(m, c).await
    }
    async fn on_start(&mut self, _m: &Moobius) -> CallbackResult {
        self.see(Seen::Start)
    }
    async fn on_message_up(&mut self, _m: &Moobius, msg: MessageBody) -> CallbackResult {
        self.see(Seen::MessageUp(msg))
    }
    async fn on_message_down(&mut self, _m: &Moobius, msg: MessageBody) -> CallbackResult {
        self.see(Seen::MessageDown(msg))
    }
    async fn on_join(&mut self, _m: &Moobius, a: SimpleAction) -> CallbackResult {
        self.see(Seen::Join(a))
    }
    async fn on_leave(&mut self, _m: &Moobius, a: SimpleAction) -> CallbackResult {
        self.see(Seen::Leave(a))
    }
    async fn on_refresh(&mut self, _m: &Moobius, a: SimpleAction) -> CallbackResult {
        self.see(Seen::Refresh(a))
    }
    async fn on_button_click(&mut self, _m: &Moobius, c: ButtonClick) -> CallbackResult {
        self.see(Seen::ButtonClick(c))
    }
    async fn on_menu_item_click(&mut self, _m: &Moobius, c: MenuItemClick) -> CallbackResult {
        self.see(Seen::MenuItemClick(c))
    }
    async fn on_update_characters(
        &mut self,
        _m: &Moobius,
        c: ChannelId,
        ids: Vec<CharacterId>,
    ) -> CallbackResult {
        self.see(Seen::Characters(c, ids))
    }
    async fn on_update_buttons(
        &mut self,
        _m: &Moobius,
        _c: ChannelId,
        b: Vec<Button>,
    ) -> CallbackResult {
        self.see(Seen::Buttons(b))
    }
    async fn on_update_canvas(
        &mut self,
        _m: &Moobius,
        _c: ChannelId,
        i: Vec<CanvasItem>,
    ) -> CallbackResult {
        self.see(Seen::Canvas(i))
    }
    async fn on_update_style(
        &mut self,
        _m: &Moobius,
        _c: ChannelId,
        i: Vec<StyleItem>,
    ) -> CallbackResult {
        self.see(Seen::Style(i))
    }
    async fn on_update_menu(
        &mut self,
        _m: &Moobius,
        _c: ChannelId,
        i: Vec<MenuItem>,
    ) -> CallbackResult {
        self.see(Seen::Menu(i))
    }
    async fn on_update_channel_info(&mut self, _m: &Moobius, i: ChannelInfo) -> CallbackResult {
        self.see(Seen::ChannelInfo(i))
    }
    async fn on_copy_client(&mut self, _m: &Moobius, c: CopyBody) -> CallbackResult {
        if self.record_copies {
            self.see(Seen::Copy(c))?;
        }
        Ok(())
    }

    /// Spells: `"fail"` returns an error, `"panic"` panics, `"slow"` awaits
    /// a platform call and a sleep (noting its end), `"late"` a sleep then a
    /// platform call (noting whether it worked), `"members"` notes the
    /// member count of the channel; every spell is recorded first.
    async fn on_spell(&mut self, m: &Moobius, spell: String) -> CallbackResult {
        self.see(Seen::Spell(spell.clone()))?;
        match spell.as_str() {
            "fail" => Err("asked to fail".into()),
            "panic" => panic!("asked to panic"),
            "slow" => {
                let members = m.fetch_member_ids(CHANNEL).await;
                tokio::time::sleep(Duration::from_millis(150)).await;
                self.see(Seen::Note(format!(
                    "slow-end members_ok={}",
                    members.is_ok()
                )))
            }
            "late" => {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let members = m.fetch_member_ids(CHANNEL).await;
                self.see(Seen::Note(format!(
                    "late-end members_ok={}",
                    members.is_ok()
                )))
            }
            "members" => {
                let n = m.fetch_member_ids(CHANNEL).await?.len();
                self.see(Seen::Note(format!("members={n}")))
            }
            _ => Ok(()),
        }
    }
}

/// Starts a recording service or user and waits until it is ready.
pub async fn start(config: Config) -> (Running<Recorder>, Seer) {
    let (rec, seer) = recorder();
    let running = moobius_tokio::spawn(config, rec);
    within("ready", running.moobius().wait_ready())
        .await
        .expect("start-up succeeds");
    (running, seer)
}

/// A small PNG-named file with the given bytes, in a temp dir.
pub fn temp_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Logs to the test output when `RUST_LOG` is set.
pub fn init_logging() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}
