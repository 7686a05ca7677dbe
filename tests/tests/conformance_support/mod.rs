//! The machinery of the driver conformance suite: a [`Driver`] trait over
//! the two drivers, one recording callback implementation written once for
//! both traits (`recorder!`), and a [`World`] (one devserver per scenario)
//! whose [`Client`]s log every handle method called and every callback run,
//! so a scenario can be checked against the coverage it declares.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

pub mod calls;

pub use calls::{Call, Out};
use moobius_devserver::{DevServer, DevServerHandle};
use moobius_proto::ids::{ChannelId, CharacterId};
use moobius_proto::model::{
    Button, ButtonClick, CanvasItem, ChannelInfo, CopyBody, MenuItem, MenuItemClick, MessageBody,
    SimpleAction, StyleItem, UpdateBody, UpdateContent,
};
use moobius_proto::session::{Role, SessionConfig};
use moobius_proto::ws::{Action, UnknownFrame};
use moobius_runtime::{CallbackResult, Config, Error, Mode};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// How long any single wait may take before the scenario fails.
pub const WAIT: Duration = Duration::from_secs(10);
pub const CHANNEL: &str = "lobby";
pub const SERVICE: &str = "service@test.local";
pub const ALICE: &str = "alice@test.local";
/// Not in the channel; a second recipient for new groups.
pub const BOB: &str = "bob@test.local";
pub const PASSWORD: &str = "pw";

/// Service mode or user mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// A service client.
    Service,
    /// A user client.
    User,
}

/// Every callback of `moobius_tokio::Service` / `moobius_blocking::Bot` and
/// the modes in which the platform makes it run.
pub const CALLBACKS: &[(&str, &[Side])] = &[
    ("before_channel_init", &[Side::Service]),
    ("on_channel_init", &[Side::Service]),
    ("on_channel_checkin", &[Side::Service]),
    ("on_start", &[Side::Service, Side::User]),
    ("on_message_up", &[Side::Service]),
    ("on_action", &[Side::Service]),
    ("on_join", &[Side::Service]),
    ("do_member_sync", &[Side::Service]),
    ("on_leave", &[Side::Service]),
    ("on_refresh", &[Side::Service]),
    ("on_button_click", &[Side::Service]),
    ("on_menu_item_click", &[Side::Service]),
    ("on_copy_client", &[Side::Service, Side::User]),
    ("on_unknown_payload", &[Side::Service, Side::User]),
    ("on_spell", &[Side::Service, Side::User]),
    ("on_message_down", &[Side::User]),
    ("on_update", &[Side::User]),
    ("on_update_characters", &[Side::User]),
    ("on_update_channel_info", &[Side::User]),
    ("on_update_canvas", &[Side::User]),
    ("on_update_buttons", &[Side::User]),
    ("on_update_style", &[Side::User]),
    ("on_update_menu", &[Side::User]),
];

/// What a client's callbacks saw, in order.
#[derive(Debug, Clone)]
pub enum Seen {
    BeforeChannelInit,
    ChannelInit(ChannelId),
    Checkin(ChannelId),
    Start,
    MessageUp(MessageBody),
    MessageDown(MessageBody),
    Action(String),
    Join(SimpleAction),
    /// `do_member_sync(channel, member)`.
    MemberSync(ChannelId, CharacterId),
    Leave(SimpleAction),
    Refresh(SimpleAction),
    ButtonClick(ButtonClick),
    MenuItemClick(MenuItemClick),
    Update(String),
    Characters(ChannelId, Vec<CharacterId>),
    ChannelInfo(ChannelInfo),
    Canvas(Vec<CanvasItem>),
    Buttons(Vec<Button>),
    Style(Vec<StyleItem>),
    Menu(Vec<MenuItem>),
    Copy(CopyBody),
    Unknown(UnknownFrame),
    Spell(String),
}

/// Everything a world's clients did: `(mode, method or callback name)`.
type Log = Arc<Mutex<Vec<(Side, &'static str)>>>;

/// A client's callbacks: each logs its name and reports what it received.
pub struct Recorder {
    side: Side,
    log: Log,
    tx: Sender<Seen>,
}

impl Recorder {
    fn see(&self, name: &'static str, seen: Option<Seen>) -> CallbackResult {
        self.log.lock().unwrap().push((self.side, name));
        if let Some(s) = seen {
            let _ = self.tx.send(s);
        }
        Ok(())
    }
}

/// The name of an action's kind, for [`Seen::Action`].
fn action_kind(a: &Action) -> String {
    match a {
        Action::Join(_) => "join".into(),
        Action::Leave(_) => "leave".into(),
        Action::Refresh(_) => "refresh".into(),
        Action::ButtonClick(_) => "button_click".into(),
        Action::MenuItemClick(_) => "menu_item_click".into(),
        Action::Other { subtype, .. } => subtype.clone(),
        #[allow(unreachable_patterns)]
        _ => "unknown".into(),
    }
}

/// Writes the recording implementation of a driver's callback trait; the
/// dispatching callbacks (`on_action`, `on_update`, `on_channel_init`,
/// `on_join`, `on_refresh`) log themselves and then do what the trait's
/// default does.
macro_rules! recorder {
    ($trait:path, $m:ty $(, $async:tt $await:tt)?) => {
        impl $trait for Recorder {
            type Spell = String;

            $($async)? fn before_channel_init(&mut self, _: &$m) -> CallbackResult {
                self.see("before_channel_init", Some(Seen::BeforeChannelInit))
            }
            $($async)? fn on_channel_init(&mut self, m: &$m, c: ChannelId) -> CallbackResult {
                self.see("on_channel_init", Some(Seen::ChannelInit(c.clone())))?;
                self.on_channel_checkin(m, c)$(.$await)?
            }
            $($async)? fn on_channel_checkin(&mut self, _: &$m, c: ChannelId) -> CallbackResult {
                self.see("on_channel_checkin", Some(Seen::Checkin(c)))
            }
            $($async)? fn on_start(&mut self, _: &$m) -> CallbackResult {
                self.see("on_start", Some(Seen::Start))
            }
            $($async)? fn on_message_up(&mut self, _: &$m, msg: MessageBody) -> CallbackResult {
                self.see("on_message_up", Some(Seen::MessageUp(msg)))
            }
            $($async)? fn on_action(&mut self, m: &$m, action: Action) -> CallbackResult {
                self.see("on_action", Some(Seen::Action(action_kind(&action))))?;
                match action {
                    Action::Join(a) => self.on_join(m, a)$(.$await)?,
                    Action::Leave(a) => self.on_leave(m, a)$(.$await)?,
                    Action::Refresh(a) => self.on_refresh(m, a)$(.$await)?,
                    Action::ButtonClick(c) => self.on_button_click(m, *c)$(.$await)?,
                    Action::MenuItemClick(c) => self.on_menu_item_click(m, *c)$(.$await)?,
                    _ => Ok(()),
                }
            }
            $($async)? fn on_join(&mut self, m: &$m, a: SimpleAction) -> CallbackResult {
                let (channel, member) = (a.channel_id.clone(), a.sender.clone());
                self.see("on_join", Some(Seen::Join(a)))?;
                self.do_member_sync(m, channel, member)$(.$await)?
            }
            $($async)? fn do_member_sync(&mut self, _: &$m, c: ChannelId, member: CharacterId) -> CallbackResult {
                self.see("do_member_sync", Some(Seen::MemberSync(c, member)))
            }
            $($async)? fn on_leave(&mut self, _: &$m, a: SimpleAction) -> CallbackResult {
                self.see("on_leave", Some(Seen::Leave(a)))
            }
            $($async)? fn on_refresh(&mut self, m: &$m, a: SimpleAction) -> CallbackResult {
                let (channel, member) = (a.channel_id.clone(), a.sender.clone());
                self.see("on_refresh", Some(Seen::Refresh(a)))?;
                self.do_member_sync(m, channel, member)$(.$await)?
            }
            $($async)? fn on_button_click(&mut self, _: &$m, c: ButtonClick) -> CallbackResult {
                self.see("on_button_click", Some(Seen::ButtonClick(c)))
            }
            $($async)? fn on_menu_item_click(&mut self, _: &$m, c: MenuItemClick) -> CallbackResult {
                self.see("on_menu_item_click", Some(Seen::MenuItemClick(c)))
            }
            $($async)? fn on_copy_client(&mut self, _: &$m, c: CopyBody) -> CallbackResult {
                self.see("on_copy_client", Some(Seen::Copy(c)))
            }
            $($async)? fn on_unknown_payload(&mut self, _: &$m, f: UnknownFrame) -> CallbackResult {
                self.see("on_unknown_payload", Some(Seen::Unknown(f)))
            }
            /// Records the spell; `"fail"` then returns an error and
            /// `"panic"` panics (the driver must log either and go on).
            $($async)? fn on_spell(&mut self, _: &$m, spell: String) -> CallbackResult {
                self.see("on_spell", Some(Seen::Spell(spell.clone())))?;
                match spell.as_str() {
                    "fail" => Err("asked to fail".into()),
                    "panic" => panic!("asked to panic (a test of the driver)"),
                    _ => Ok(()),
                }
            }
            $($async)? fn on_message_down(&mut self, _: &$m, msg: MessageBody) -> CallbackResult {
                self.see("on_message_down", Some(Seen::MessageDown(msg)))
            }
            $($async)? fn on_update(&mut self, m: &$m, update: UpdateBody) -> CallbackResult {
                let kind = match &update.content {
                    UpdateContent::Other { subtype, .. } => subtype.clone(),
                    other => format!("{other:?}").split('(').next().unwrap_or_default().to_owned(),
                };
                self.see("on_update", Some(Seen::Update(kind)))?;
                let channel = update.channel_id;
                match update.content {
                    UpdateContent::Characters(refs) => {
                        let ids = refs.inline_ids().unwrap_or_default();
                        self.on_update_characters(m, channel, ids)$(.$await)?
                    }
                    UpdateContent::Buttons(b) => self.on_update_buttons(m, channel, b)$(.$await)?,
                    UpdateContent::Menu(i) => self.on_update_menu(m, channel, i)$(.$await)?,
                    UpdateContent::Style(s) => self.on_update_style(m, channel, s)$(.$await)?,
                    UpdateContent::Canvas(c) => self.on_update_canvas(m, channel, c)$(.$await)?,
                    UpdateContent::ChannelInfo(i) => self.on_update_channel_info(m, i)$(.$await)?,
                    _ => Ok(()),
                }
            }
            $($async)? fn on_update_characters(&mut self, _: &$m, c: ChannelId, ids: Vec<CharacterId>) -> CallbackResult {
                self.see("on_update_characters", Some(Seen::Characters(c, ids)))
            }
            $($async)? fn on_update_channel_info(&mut self, _: &$m, i: ChannelInfo) -> CallbackResult {
                self.see("on_update_channel_info", Some(Seen::ChannelInfo(i)))
            }
            $($async)? fn on_update_canvas(&mut self, _: &$m, _: ChannelId, i: Vec<CanvasItem>) -> CallbackResult {
                self.see("on_update_canvas", Some(Seen::Canvas(i)))
            }
            $($async)? fn on_update_buttons(&mut self, _: &$m, _: ChannelId, b: Vec<Button>) -> CallbackResult {
                self.see("on_update_buttons", Some(Seen::Buttons(b)))
            }
            $($async)? fn on_update_style(&mut self, _: &$m, _: ChannelId, i: Vec<StyleItem>) -> CallbackResult {
                self.see("on_update_style", Some(Seen::Style(i)))
            }
            $($async)? fn on_update_menu(&mut self, _: &$m, _: ChannelId, i: Vec<MenuItem>) -> CallbackResult {
                self.see("on_update_menu", Some(Seen::Menu(i)))
            }
        }
    };
}

recorder!(moobius_tokio::Service, moobius_tokio::Moobius, async await);
recorder!(moobius_blocking::Bot, moobius_blocking::Moobius);

/// A running client of one driver.
pub trait Driver: Sized {
    /// The driver's name, for failure messages.
    const NAME: &'static str;
    /// Starts a client (does not wait for it to be ready).
    fn start(rt: &Runtime, config: Config, recorder: Recorder) -> Self;
    /// Waits until start-up finished (or failed).
    fn wait_ready(&self, rt: &Runtime) -> Result<(), Error>;
    /// The own id (user id, or service id in service mode).
    fn own_id(&self) -> Option<String>;
    /// The handle's mode.
    fn mode(&self) -> Mode;
    /// The handle's channels (served, or joined).
    fn channels(&self) -> Vec<ChannelId>;
    /// Calls a handle method.
    fn call(&self, rt: &Runtime, call: Call) -> Result<Out, Error>;
    /// Sends a spell to the client's `on_spell`.
    fn spell(&self, rt: &Runtime, spell: String) -> Result<(), Error>;
    /// Stops the client and waits for it.
    fn stop(self, rt: &Runtime) -> Result<(), Error>;
    /// Waits for the run to end by itself; its outcome.
    fn wait(self, rt: &Runtime) -> Result<(), Error>;
    /// Stops the client, then calls a method on a clone of its handle
    /// kept from before: the stop's outcome and the call's.
    fn call_after_stop(self, rt: &Runtime, call: Call) -> (Result<(), Error>, Result<Out, Error>);
}

/// moobius-tokio.
pub struct Tokio(moobius_tokio::Running<Recorder>);

impl Driver for Tokio {
    const NAME: &'static str = "tokio";

    fn start(rt: &Runtime, config: Config, recorder: Recorder) -> Self {
        let _guard = rt.enter();
        Self(moobius_tokio::spawn(config, recorder))
    }

    fn wait_ready(&self, rt: &Runtime) -> Result<(), Error> {
        rt.block_on(async {
            tokio::time::timeout(WAIT, self.0.moobius().wait_ready())
                .await
                .expect("ready in time")
        })
    }

    fn own_id(&self) -> Option<String> {
        self.0.moobius().own_id()
    }

    fn mode(&self) -> Mode {
        self.0.moobius().mode()
    }

    fn channels(&self) -> Vec<ChannelId> {
        self.0.moobius().channels()
    }

    fn call(&self, rt: &Runtime, call: Call) -> Result<Out, Error> {
        let m = self.0.moobius();
        rt.block_on(async {
            tokio::time::timeout(WAIT, calls::dispatch_tokio(m, call))
                .await
                .expect("a call answers in time")
        })
    }

    fn spell(&self, rt: &Runtime, spell: String) -> Result<(), Error> {
        rt.block_on(self.0.spell(spell))
    }

    fn stop(self, rt: &Runtime) -> Result<(), Error> {
        rt.block_on(async {
            tokio::time::timeout(WAIT, self.0.stop())
                .await
                .expect("stops in time")
        })
    }

    fn wait(self, rt: &Runtime) -> Result<(), Error> {
        rt.block_on(async {
            tokio::time::timeout(WAIT, self.0.wait())
                .await
                .expect("the run ends in time")
        })
    }

    fn call_after_stop(self, rt: &Runtime, call: Call) -> (Result<(), Error>, Result<Out, Error>) {
        let m = self.0.moobius().clone();
        let stopped = self.stop(rt);
        (stopped, rt.block_on(calls::dispatch_tokio(&m, call)))
    }
}

/// moobius-blocking.
pub struct Blocking(moobius_blocking::Running<String>);

impl Driver for Blocking {
    const NAME: &'static str = "blocking";

    fn start(_: &Runtime, config: Config, recorder: Recorder) -> Self {
        Self(moobius_blocking::spawn(config, recorder).expect("the blocking client starts"))
    }

    fn wait_ready(&self, _: &Runtime) -> Result<(), Error> {
        self.0.moobius().wait_ready(WAIT)
    }

    fn own_id(&self) -> Option<String> {
        self.0.moobius().own_id()
    }

    fn mode(&self) -> Mode {
        self.0.moobius().mode()
    }

    fn channels(&self) -> Vec<ChannelId> {
        self.0.moobius().channels()
    }

    fn call(&self, _: &Runtime, call: Call) -> Result<Out, Error> {
        calls::dispatch_blocking(self.0.moobius(), call)
    }

    fn spell(&self, _: &Runtime, spell: String) -> Result<(), Error> {
        self.0.spell(spell)
    }

    fn stop(self, _: &Runtime) -> Result<(), Error> {
        self.0.stop()
    }

    fn wait(self, _: &Runtime) -> Result<(), Error> {
        let deadline = Instant::now() + WAIT;
        while !self.0.is_finished() {
            assert!(Instant::now() < deadline, "the run ends in time");
            std::thread::sleep(Duration::from_millis(10));
        }
        self.0.wait()
    }

    fn call_after_stop(self, rt: &Runtime, call: Call) -> (Result<(), Error>, Result<Out, Error>) {
        let m = self.0.moobius().clone();
        let stopped = self.stop(rt);
        (stopped, calls::dispatch_blocking(&m, call))
    }
}

/// One scenario's devserver (the service account, Alice and Bob; the
/// channel owned by the service account), run by driver `D`.
pub struct World<D> {
    pub rt: Arc<Runtime>,
    pub server: DevServerHandle,
    /// A temp folder for files the scenario writes.
    pub files: tempfile::TempDir,
    /// `driver/scenario`, the prefix of every failure.
    pub label: String,
    log: Log,
    _driver: std::marker::PhantomData<D>,
}

/// A client of driver `D` in a [`World`].
pub struct Client<D: Driver> {
    driver: Option<D>,
    rt: Arc<Runtime>,
    seen: Receiver<Seen>,
    log: Log,
    label: String,
    /// Its mode.
    pub side: Side,
    /// Its own id (user id, or service id in service mode).
    pub id: String,
}

impl<D: Driver> World<D> {
    /// A fresh devserver for `scenario`.
    pub fn new(scenario: &str) -> Self {
        init_logging();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(async {
            DevServer::builder()
                .user(SERVICE, PASSWORD)
                .user(ALICE, PASSWORD)
                .user(BOB, PASSWORD)
                // The service account owns the channel, so a service may
                // bind it (the devserver's permission rules).
                .channel_owned_by(CHANNEL, "Lobby", SERVICE)
                .start()
                .await
                .unwrap()
        });
        Self {
            rt: Arc::new(rt),
            server,
            files: tempfile::tempdir().unwrap(),
            label: format!("[{} driver, scenario {scenario}]", D::NAME),
            log: Log::default(),
            _driver: std::marker::PhantomData,
        }
    }

    /// The session config of `email` in `role`.
    pub fn config(&self, email: &str, role: Role) -> Config {
        let http = format!("{}/", self.server.http_uri()).parse().unwrap();
        let session = SessionConfig::new(email, PASSWORD.into(), http, self.server.ws_uri(), role);
        let mut config = Config::new(session);
        config.no_warn_cannot_save_service_id = true;
        // Quiet tests; `RUST_LOG` turns the test's own subscriber on.
        config.options.install_logging = false;
        config
    }

    /// The service account serving the channel (a service is created at start).
    pub fn service_config(&self) -> Config {
        self.config(SERVICE, Role::service(None, vec![CHANNEL.into()]))
    }

    /// Alice, joining the channel at start.
    pub fn user_config(&self) -> Config {
        self.config(ALICE, Role::user(vec![CHANNEL.into()]))
    }

    /// Starts a client for `config` and waits until it is ready.
    pub fn start(&self, config: Config) -> Client<D> {
        let (driver, side, seen) = self.launch(config);
        driver
            .wait_ready(&self.rt)
            .unwrap_or_else(|e| panic!("{} start-up failed: {e}", self.label));
        let id = driver.own_id().expect("own id known once ready");
        Client {
            driver: Some(driver),
            rt: self.rt.clone(),
            seen,
            log: self.log.clone(),
            label: self.label.clone(),
            side,
            id,
        }
    }

    /// Starts a client for `config` whose start-up must fail: the error
    /// `wait_ready` gave and the run's outcome.
    pub fn start_failing(&self, config: Config) -> (Error, Result<(), Error>) {
        let (driver, _, _seen) = self.launch(config);
        let ready = driver.wait_ready(&self.rt);
        let Err(e) = ready else {
            panic!("{} start-up succeeded; it must fail", self.label)
        };
        (e, driver.wait(&self.rt))
    }

    fn launch(&self, config: Config) -> (D, Side, Receiver<Seen>) {
        let side = match config.session.role {
            Role::Service { .. } => Side::Service,
            _ => Side::User,
        };
        let (tx, seen) = channel();
        let recorder = Recorder {
            side,
            log: self.log.clone(),
            tx,
        };
        (D::start(&self.rt, config, recorder), side, seen)
    }

    /// The service, then Alice in the channel (the service saw her join).
    pub fn service_and_alice(&self) -> (Client<D>, Client<D>) {
        let service = self.start(self.service_config());
        let alice = self.start(self.user_config());
        let id = alice.id.clone();
        service.until("Alice's join", |s| match s {
            Seen::Join(a) if a.sender == id.as_str() => Some(()),
            _ => None,
        });
        self.wait_for(&format!("Alice in {CHANNEL}"), || {
            self.server.members(CHANNEL).contains(&id)
        });
        (service, alice)
    }

    /// Polls `cond` until it holds, failing after [`WAIT`].
    #[track_caller]
    pub fn wait_for(&self, what: &str, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + WAIT;
        while !cond() {
            assert!(
                Instant::now() < deadline,
                "{} not within {WAIT:?}: {what}",
                self.label
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Checks that every `(mode, method or callback)` the scenario declares
    /// ran at least once.
    pub fn check_covered(&self, covers: &[(Side, &str)]) {
        let log = self.log.lock().unwrap();
        let missing: Vec<_> = covers.iter().filter(|c| !log.contains(c)).collect();
        assert!(
            missing.is_empty(),
            "{} declares coverage it never ran: {missing:?}",
            self.label
        );
    }
}

impl<D: Driver> Client<D> {
    fn driver(&self) -> &D {
        self.driver.as_ref().expect("running")
    }

    /// Calls a handle method (logged under this client's mode).
    pub fn call(&self, call: Call) -> Result<Out, Error> {
        self.log.lock().unwrap().push((self.side, call.name()));
        self.driver().call(&self.rt, call)
    }

    /// Calls a handle method that must succeed.
    #[track_caller]
    pub fn ok(&self, call: Call) -> Out {
        let name = call.name();
        self.call(call)
            .unwrap_or_else(|e| panic!("{} {:?} `{name}` failed: {e}", self.label, self.side))
    }

    /// Calls a handle method that must fail; returns the error.
    #[track_caller]
    pub fn err(&self, call: Call) -> Error {
        let name = call.name();
        match self.call(call) {
            Ok(out) => panic!(
                "{} {:?} `{name}` succeeded ({out:?}); it must fail",
                self.label, self.side
            ),
            Err(e) => e,
        }
    }

    /// The handle's mode.
    pub fn mode(&self) -> Mode {
        self.driver().mode()
    }

    /// The handle's channels (served, or joined).
    pub fn channels(&self) -> Vec<ChannelId> {
        self.driver().channels()
    }

    /// Sends a spell to `on_spell`.
    pub fn spell(&self, spell: &str) {
        self.driver().spell(&self.rt, spell.into()).unwrap();
    }

    /// The next callback for which `f` returns `Some`, skipping others;
    /// fails after [`WAIT`].
    #[track_caller]
    pub fn until<T>(&self, what: &str, mut f: impl FnMut(&Seen) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.seen.recv_timeout(left) {
                Ok(s) => {
                    if let Some(t) = f(&s) {
                        return t;
                    }
                }
                Err(_) => panic!(
                    "{} {:?} client: no {what} within {WAIT:?}",
                    self.label, self.side
                ),
            }
        }
    }

    /// Everything seen so far, without waiting.
    pub fn drain(&self) -> Vec<Seen> {
        self.seen.try_iter().collect()
    }

    /// Stops the client, then calls a method on a handle kept from before:
    /// the stop's outcome and the call's.
    pub fn call_after_stop(mut self, call: Call) -> (Result<(), Error>, Result<Out, Error>) {
        self.log.lock().unwrap().push((self.side, call.name()));
        let d = self.driver.take().expect("running");
        d.call_after_stop(&self.rt, call)
    }

    /// Stops the client; it must stop cleanly.
    pub fn stop(mut self) {
        let d = self.driver.take().expect("running");
        d.stop(&self.rt)
            .unwrap_or_else(|e| panic!("{} {:?} stop failed: {e}", self.label, self.side));
    }
}

impl<D: Driver> Drop for Client<D> {
    /// Stops a client the scenario left running; after a failure the
    /// client is only dropped (a stop could fail again while unwinding).
    fn drop(&mut self) {
        if let Some(d) = self.driver.take() {
            if !std::thread::panicking() {
                let _ = d.stop(&self.rt);
            }
        }
    }
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
