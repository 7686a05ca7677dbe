//! Shared setup of the `moobius-blocking` end-to-end tests: a devserver on
//! loopback (hosted by a small tokio runtime, since the driver under test
//! needs none), configurations for its accounts, a bot that reports its
//! callbacks, and waits that fail loudly.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use moobius_blocking::proto::compose::MessageSpec;
use moobius_blocking::proto::ids::{ChannelId, CharacterId};
use moobius_blocking::proto::model::{Button, ButtonClick, CanvasItem, MessageBody, SimpleAction};
use moobius_blocking::proto::session::{Role, SessionConfig};
use moobius_blocking::{Bot, CallbackResult, Config, Moobius, Options};
use moobius_devserver::{DevServer, DevServerHandle};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

/// The longest any single wait in these tests may take before it fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// The channel every test uses.
pub const LOBBY: &str = "lobby";

/// A devserver with accounts (password `pw`) and the channel [`LOBBY`].
pub struct Platform {
    pub server: DevServerHandle,
    runtime: tokio::runtime::Runtime,
}

impl Platform {
    pub fn start(emails: &[&str]) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the devserver");
        let builder = emails
            .iter()
            .fold(DevServer::builder(), |b, e| b.user(*e, "pw"))
            .channel(LOBBY, "Lobby");
        let server = runtime.block_on(builder.start()).expect("devserver starts");
        Self { server, runtime }
    }

    pub fn session(&self, email: &str, role: Role) -> SessionConfig {
        let http = self.server.http_uri().parse().expect("devserver URI");
        SessionConfig::new(email, "pw".into(), http, self.server.ws_uri(), role)
    }

    /// A service of `email` serving the lobby (created at start).
    pub fn service(&self, email: &str) -> Config {
        let role = Role::service(None, vec![LOBBY.into()]);
        Config::new(self.session(email, role)).with_options(fast())
    }

    /// `email` as a user in the lobby.
    pub fn user(&self, email: &str) -> Config {
        let role = Role::user(vec![LOBBY.into()]);
        Config::new(self.session(email, role)).with_options(fast())
    }

    pub fn user_id(&self, email: &str) -> CharacterId {
        CharacterId::new(self.server.user_id(email).expect("seeded account"))
    }

    /// Waits for the devserver's state to satisfy `check`; panics with
    /// `what` after [`WAIT`].
    pub fn wait_until<T>(&self, what: &str, check: impl FnMut(&DevServerHandle) -> Option<T>) -> T {
        self.runtime
            .block_on(self.server.wait_until(WAIT, check))
            .unwrap_or_else(|| panic!("timed out after {WAIT:?} waiting for {what}"))
    }

    /// Texts of the lobby's history, oldest first.
    pub fn history_texts(&self) -> Vec<String> {
        self.server
            .history(LOBBY)
            .iter()
            .filter_map(|m| m.body["content"]["text"].as_str().map(str::to_owned))
            .collect()
    }
}

/// Short I/O limits: a test must not hang on a stuck call.
pub fn fast() -> Options {
    Options::default()
        .call_timeout(Some(WAIT))
        .connect_timeout(Duration::from_secs(3))
}

/// Polls `check` until it yields, or panics with `what` after [`WAIT`].
pub fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(t) = check() {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {WAIT:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A callback a [`Recorder`] saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    BeforeChannelInit,
    ChannelInit(ChannelId),
    Start,
    MessageUp {
        text: String,
        sender: CharacterId,
    },
    MessageDown {
        text: String,
        sender: CharacterId,
    },
    Join(CharacterId),
    Leave(CharacterId),
    Refresh(CharacterId),
    ButtonClick {
        button_id: String,
        sender: CharacterId,
    },
    Update(String),
    Spell(String),
}

/// A bot that reports every callback on a channel, and optionally echoes
/// messages back to their authors (both modes).
pub struct Recorder {
    pub seen: Sender<Seen>,
    pub echo: bool,
}

impl Recorder {
    pub fn new(echo: bool) -> (Self, Watch) {
        let (tx, rx) = mpsc::channel();
        (Self { seen: tx, echo }, Watch(rx))
    }

    fn note(&self, seen: Seen) -> CallbackResult {
        self.seen.send(seen).map_err(|e| e.to_string().into())
    }

    fn text(m: &MessageBody) -> String {
        m.content.text.clone().unwrap_or_default()
    }
}

impl Bot for Recorder {
    type Spell = String;

    fn before_channel_init(&mut self, _: &Moobius) -> CallbackResult {
        self.note(Seen::BeforeChannelInit)
    }

    fn on_channel_init(&mut self, _: &Moobius, channel_id: ChannelId) -> CallbackResult {
        self.note(Seen::ChannelInit(channel_id))
    }

    fn on_start(&mut self, _: &Moobius) -> CallbackResult {
        self.note(Seen::Start)
    }

    fn on_message_up(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        let (text, sender) = (Self::text(&message), message.sender.clone());
        if self.echo {
            moobius.send_message(MessageSpec::forward(&message, sender.clone()))?;
        }
        self.note(Seen::MessageUp { text, sender })
    }

    fn on_message_down(&mut self, moobius: &Moobius, message: MessageBody) -> CallbackResult {
        let (text, sender) = (Self::text(&message), message.sender.clone());
        if self.echo && text.starts_with("ping") {
            let pong = text.replacen("ping", "pong", 1);
            moobius.send_message(MessageSpec::text(message.channel_id, pong, sender.clone()))?;
        }
        self.note(Seen::MessageDown { text, sender })
    }

    fn on_join(&mut self, moobius: &Moobius, action: SimpleAction) -> CallbackResult {
        if self.echo {
            // Show the joiner who is here: several HTTP calls, from a callback.
            let everyone = moobius.fetch_characters(action.channel_id.clone())?;
            let ids: Vec<_> = everyone.into_iter().map(|c| c.character_id).collect();
            moobius.send_characters(action.channel_id, ids, action.sender.clone())?;
        }
        self.note(Seen::Join(action.sender))
    }

    fn on_leave(&mut self, _: &Moobius, action: SimpleAction) -> CallbackResult {
        self.note(Seen::Leave(action.sender))
    }

    fn on_refresh(&mut self, _: &Moobius, action: SimpleAction) -> CallbackResult {
        self.note(Seen::Refresh(action.sender))
    }

    fn on_button_click(&mut self, _: &Moobius, click: ButtonClick) -> CallbackResult {
        self.note(Seen::ButtonClick {
            button_id: click.button_id.as_str().to_owned(),
            sender: click.sender,
        })
    }

    fn on_update_buttons(&mut self, _: &Moobius, _: ChannelId, b: Vec<Button>) -> CallbackResult {
        let ids: Vec<String> = b.iter().map(|b| b.button_id.as_str().to_owned()).collect();
        self.note(Seen::Update(format!("buttons {}", ids.join(","))))
    }

    fn on_update_canvas(
        &mut self,
        _: &Moobius,
        _: ChannelId,
        c: Vec<CanvasItem>,
    ) -> CallbackResult {
        let texts: Vec<String> = c.iter().filter_map(|c| c.text.clone()).collect();
        self.note(Seen::Update(format!("canvas {}", texts.join(","))))
    }

    fn on_update_characters(
        &mut self,
        _: &Moobius,
        _: ChannelId,
        ids: Vec<CharacterId>,
    ) -> CallbackResult {
        let ids: Vec<&str> = ids.iter().map(CharacterId::as_str).collect();
        self.note(Seen::Update(format!("characters {}", ids.join(","))))
    }

    fn on_spell(&mut self, moobius: &Moobius, spell: String) -> CallbackResult {
        match spell.as_str() {
            "stop" => moobius.stop(),
            // Busy for a while, driving nothing.
            "sleep" => {
                self.note(Seen::Spell(spell))?;
                std::thread::sleep(Duration::from_millis(1500));
                return Ok(());
            }
            _ => {}
        }
        self.note(Seen::Spell(spell))
    }
}

/// The test's end of a [`Recorder`].
pub struct Watch(pub Receiver<Seen>);

impl Watch {
    /// The next callback seen; panics after [`WAIT`].
    pub fn next(&self, what: &str) -> Seen {
        self.0
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no callback ({e}) while waiting for {what}"))
    }

    /// Skips callbacks until one matches; panics after [`WAIT`] in all.
    pub fn until(&self, what: &str, pred: impl Fn(&Seen) -> bool) -> Seen {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(seen) if pred(&seen) => return seen,
                Ok(_) => {}
                Err(e) => panic!("no callback ({e}) while waiting for {what}"),
            }
        }
    }
}

/// The next event of `client` that matches; panics after [`WAIT`] in all.
pub fn next_event(
    client: &mut moobius_blocking::Client,
    what: &str,
    pred: impl Fn(&moobius_blocking::proto::session::Event) -> bool,
) -> moobius_blocking::proto::session::Event {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match client.next_event_timeout(left) {
            Some(e) if pred(&e) => return e,
            Some(_) => {}
            None => panic!("no event while waiting for {what}"),
        }
    }
}
