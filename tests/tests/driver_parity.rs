//! Parity with the reference SDK (issue 16), each scenario run against both
//! drivers: `parity!` makes one test per driver and scenario
//! (`tokio_driver::<scenario>`, `blocking_driver::<scenario>`).
//!
//! The service under test is a client of driver `D`; Alice is a raw
//! websocket user (`devserver_support::Ws`), so what reaches her is exactly
//! what the driver sent. The platform calls are written once, in
//! [`calls!`], and expanded for each handle (`.await` or not), so every
//! argument form is compiled and run against both.
//!
//! Covered: `do_member_sync` (called by the default `on_join`/`on_refresh`
//! with the channel and the member; the default sends nothing);
//! `fetch_character_profile` (one asked → one profile, a list → a list);
//! `character_ids_of_channel_group` with named arguments; character
//! arguments as a `Character`, `&Character`, one id or a list
//! (`send_characters`, `create_channel_group`, `create_service_group`);
//! `download`/`download_bytes`/`download_size` of a message's file, named
//! from its URL, never overwriting unless asked; `download_size`'s auth
//! headers only to a host the caller trusts; the history's default page
//! (1,024, more than the lower layer's 64); a generic `send` whose
//! recipients are a list (turned into a group) and `send_update`, both
//! forwarded by the devserver to the user; and in user mode, a generic
//! `send` (of a custom type, and a `message_up` to a list) forwarded to the
//! channel's service.

#![allow(clippy::unwrap_used, clippy::expect_used, non_snake_case)]

mod devserver_support;

use devserver_support::{action, message_up, Api, Ws};
use moobius_devserver::{DevServer, DevServerHandle};
use moobius_proto::http::{ChannelGroupQuery, FetchMessageHistory, DEFAULT_HISTORY_LIMIT};
use moobius_proto::ids::{ChannelId, CharacterId};
use moobius_proto::model::{Button, Character, Group, MessageBody};
use moobius_proto::ops::{DownloadOptions, DownloadSource};
use moobius_proto::session::{Role, SessionConfig};
use moobius_runtime::{CallbackResult, Config, Error};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

const WAIT: Duration = Duration::from_secs(10);
const ALICE: &str = "alice@test.local";
const SERVICE: &str = "service@test.local";
const PASSWORD: &str = "pw";
const CHANNEL: &str = "lobby";

/// What the service's callbacks saw.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Start,
    /// `do_member_sync(channel, member)`.
    Sync(String, String),
}

/// Which service runs.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Overrides `do_member_sync` only: records it and sends the member a
    /// button bar (`on_join`/`on_refresh` are the defaults).
    Syncing,
    /// Overrides nothing but `on_start`: every default in place.
    Plain,
}

/// Reports `on_start` to the test; the callback's result.
fn report_start(seen: &Sender<Seen>) -> CallbackResult {
    let _ = seen.send(Seen::Start);
    Ok(())
}

/// Reports `do_member_sync(channel, member)` to the test.
fn report_sync(seen: &Sender<Seen>, channel: &ChannelId, member: &CharacterId) {
    let _ = seen.send(Seen::Sync(channel.as_str().into(), member.as_str().into()));
}

fn hello_bar() -> Vec<Button> {
    vec![Button::new("hello", "Say hello")]
}

// ---- the services, one per driver and kind ------------------------------------

struct TokioSyncing(Sender<Seen>);

impl moobius_tokio::Service for TokioSyncing {
    type Spell = ();

    async fn on_start(&mut self, _: &moobius_tokio::Moobius) -> CallbackResult {
        report_start(&self.0)
    }

    async fn do_member_sync(
        &mut self,
        moobius: &moobius_tokio::Moobius,
        channel_id: ChannelId,
        member: CharacterId,
    ) -> CallbackResult {
        report_sync(&self.0, &channel_id, &member);
        moobius
            .send_buttons(channel_id, hello_bar(), member)
            .await?;
        Ok(())
    }
}

struct TokioPlain(Sender<Seen>);

impl moobius_tokio::Service for TokioPlain {
    type Spell = ();

    async fn on_start(&mut self, _: &moobius_tokio::Moobius) -> CallbackResult {
        report_start(&self.0)
    }
}

struct BlockingSyncing(Sender<Seen>);

impl moobius_blocking::Bot for BlockingSyncing {
    type Spell = ();

    fn on_start(&mut self, _: &moobius_blocking::Moobius) -> CallbackResult {
        report_start(&self.0)
    }

    fn do_member_sync(
        &mut self,
        moobius: &moobius_blocking::Moobius,
        channel_id: ChannelId,
        member: CharacterId,
    ) -> CallbackResult {
        report_sync(&self.0, &channel_id, &member);
        moobius.send_buttons(channel_id, hello_bar(), member)?;
        Ok(())
    }
}

struct BlockingPlain(Sender<Seen>);

impl moobius_blocking::Bot for BlockingPlain {
    type Spell = ();

    fn on_start(&mut self, _: &moobius_blocking::Moobius) -> CallbackResult {
        report_start(&self.0)
    }
}

// ---- the drivers ----------------------------------------------------------------

/// A running service client of one driver, and the platform calls the
/// scenarios make through its handle.
trait Driver: Sized {
    /// Starts a service of `kind` for `config`, reporting into `seen`.
    fn start(rt: &Runtime, config: Config, seen: Sender<Seen>, kind: Kind) -> Self;
    /// Stops it and waits for it.
    fn stop(self, rt: &Runtime);

    fn profile_of_id(&self, rt: &Runtime, id: &str) -> Result<Character, Error>;
    fn profile_of(&self, rt: &Runtime, c: &Character) -> Result<Character, Error>;
    fn profiles_of(&self, rt: &Runtime, ids: Vec<CharacterId>) -> Result<Vec<Character>, Error>;
    fn profiles_of_records(&self, rt: &Runtime, c: &[Character]) -> Result<Vec<Character>, Error>;
    fn channel_group(&self, rt: &Runtime, q: ChannelGroupQuery) -> Result<Vec<CharacterId>, Error>;
    fn channel_group_of(&self, rt: &Runtime, c: &Character) -> Result<Group, Error>;
    fn service_group_of(&self, rt: &Runtime, id: &str) -> Result<Group, Error>;
    fn send_characters_of(
        &self,
        rt: &Runtime,
        c: Character,
        to: Vec<Character>,
    ) -> Result<(), Error>;
    fn upload_bytes(&self, rt: &Runtime, name: &str, bytes: &'static [u8])
        -> Result<String, Error>;
    fn download(
        &self,
        rt: &Runtime,
        source: DownloadSource,
        options: DownloadOptions,
    ) -> Result<PathBuf, Error>;
    fn download_message(
        &self,
        rt: &Runtime,
        m: &MessageBody,
        options: DownloadOptions,
    ) -> Result<PathBuf, Error>;
    fn download_bytes(&self, rt: &Runtime, m: &MessageBody) -> Result<bytes::Bytes, Error>;
    fn download_size(
        &self,
        rt: &Runtime,
        url: &str,
        options: DownloadOptions,
    ) -> Result<Option<u64>, Error>;
    fn download_size_of(&self, rt: &Runtime, m: MessageBody) -> Result<Option<u64>, Error>;
    fn history(&self, rt: &Runtime, q: FetchMessageHistory) -> Result<Vec<Value>, Error>;
    fn send(&self, rt: &Runtime, ty: &str, body: Value) -> Result<(), Error>;
    fn send_update(&self, rt: &Runtime, body: Value) -> Result<(), Error>;
}

/// Runs a call of the tokio handle to its end.
macro_rules! on_tokio {
    ($rt:expr, $e:expr) => {
        $rt.block_on(async { $e })
    };
}

/// Runs a call of the blocking handle (no runtime needed).
macro_rules! on_blocking {
    ($rt:expr, $e:expr) => {{
        let _ = $rt;
        $e
    }};
}

/// The platform calls of [`Driver`], written once for both handles.
macro_rules! calls {
    ($run:ident $(, $await:tt)?) => {
        fn profile_of_id(&self, rt: &Runtime, id: &str) -> Result<Character, Error> {
            $run!(rt, self.m().fetch_character_profile(id)$(.$await)?)
        }
        fn profile_of(&self, rt: &Runtime, c: &Character) -> Result<Character, Error> {
            $run!(rt, self.m().fetch_character_profile(c)$(.$await)?)
        }
        fn profiles_of(&self, rt: &Runtime, ids: Vec<CharacterId>) -> Result<Vec<Character>, Error> {
            $run!(rt, self.m().fetch_character_profile(ids)$(.$await)?)
        }
        fn profiles_of_records(
            &self,
            rt: &Runtime,
            c: &[Character],
        ) -> Result<Vec<Character>, Error> {
            $run!(rt, self.m().fetch_character_profile(c)$(.$await)?)
        }
        fn channel_group(&self, rt: &Runtime, q: ChannelGroupQuery) -> Result<Vec<CharacterId>, Error> {
            $run!(rt, self.m().character_ids_of_channel_group(q)$(.$await)?)
        }
        fn channel_group_of(&self, rt: &Runtime, c: &Character) -> Result<Group, Error> {
            $run!(rt, self.m().create_channel_group(CHANNEL, "friends", c)$(.$await)?)
        }
        fn service_group_of(&self, rt: &Runtime, id: &str) -> Result<Group, Error> {
            $run!(rt, self.m().create_service_group(id)$(.$await)?)
        }
        fn send_characters_of(
            &self,
            rt: &Runtime,
            c: Character,
            to: Vec<Character>,
        ) -> Result<(), Error> {
            $run!(rt, self.m().send_characters(CHANNEL, c, to.as_slice())$(.$await)?)
        }
        fn upload_bytes(&self, rt: &Runtime, name: &str, bytes: &'static [u8]) -> Result<String, Error> {
            $run!(rt, self.m().upload_bytes(name, bytes)$(.$await)?)
        }
        fn download(
            &self,
            rt: &Runtime,
            source: DownloadSource,
            options: DownloadOptions,
        ) -> Result<PathBuf, Error> {
            $run!(rt, self.m().download(source, options)$(.$await)?)
        }
        fn download_message(
            &self,
            rt: &Runtime,
            m: &MessageBody,
            options: DownloadOptions,
        ) -> Result<PathBuf, Error> {
            $run!(rt, self.m().download(m, options)$(.$await)?)
        }
        fn download_bytes(&self, rt: &Runtime, m: &MessageBody) -> Result<bytes::Bytes, Error> {
            $run!(rt, self.m().download_bytes(m)$(.$await)?)
        }
        fn download_size(
            &self,
            rt: &Runtime,
            url: &str,
            options: DownloadOptions,
        ) -> Result<Option<u64>, Error> {
            $run!(rt, self.m().download_size(url, options)$(.$await)?)
        }
        fn download_size_of(&self, rt: &Runtime, m: MessageBody) -> Result<Option<u64>, Error> {
            $run!(rt, self.m().download_size(m, DownloadOptions::default())$(.$await)?)
        }
        fn history(&self, rt: &Runtime, q: FetchMessageHistory) -> Result<Vec<Value>, Error> {
            $run!(rt, self.m().fetch_message_history(q)$(.$await)?)
        }
        fn send(&self, rt: &Runtime, ty: &str, body: Value) -> Result<(), Error> {
            $run!(rt, self.m().send(ty, body)$(.$await)?)
        }
        fn send_update(&self, rt: &Runtime, body: Value) -> Result<(), Error> {
            $run!(rt, self.m().send_update(body)$(.$await)?)
        }
    };
}

struct Tokio {
    moobius: moobius_tokio::Moobius,
    stop: Box<dyn FnOnce(&Runtime)>,
}

impl Tokio {
    fn m(&self) -> &moobius_tokio::Moobius {
        &self.moobius
    }

    fn run<S: moobius_tokio::Service>(rt: &Runtime, config: Config, service: S) -> Self {
        let running = {
            let _guard = rt.enter();
            moobius_tokio::spawn(config, service)
        };
        Self {
            moobius: running.moobius().clone(),
            stop: Box::new(move |rt: &Runtime| rt.block_on(running.stop()).unwrap()),
        }
    }
}

impl Driver for Tokio {
    fn start(rt: &Runtime, config: Config, seen: Sender<Seen>, kind: Kind) -> Self {
        match kind {
            Kind::Syncing => Self::run(rt, config, TokioSyncing(seen)),
            Kind::Plain => Self::run(rt, config, TokioPlain(seen)),
        }
    }

    fn stop(self, rt: &Runtime) {
        (self.stop)(rt);
    }

    calls!(on_tokio, await);
}

struct Blocking(moobius_blocking::Running<()>);

impl Blocking {
    fn m(&self) -> &moobius_blocking::Moobius {
        self.0.moobius()
    }
}

impl Driver for Blocking {
    fn start(_: &Runtime, config: Config, seen: Sender<Seen>, kind: Kind) -> Self {
        let running = match kind {
            Kind::Syncing => moobius_blocking::spawn(config, BlockingSyncing(seen)),
            Kind::Plain => moobius_blocking::spawn(config, BlockingPlain(seen)),
        };
        Self(running.unwrap())
    }

    fn stop(self, _: &Runtime) {
        self.0.stop().unwrap();
    }

    calls!(on_blocking);
}

// ---- the world ----------------------------------------------------------------

/// A devserver, the service of driver `D` bound to the channel, and Alice
/// as a raw websocket user who joined it.
struct World<D> {
    rt: Runtime,
    server: DevServerHandle,
    client: Option<D>,
    seen: Receiver<Seen>,
    alice: String,
    ws: Ws,
}

/// A runtime for the devserver and the tokio driver.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A devserver with Alice, the service account and its channel.
fn platform(rt: &Runtime) -> DevServerHandle {
    rt.block_on(async {
        DevServer::builder()
            .user(ALICE, PASSWORD)
            .user(SERVICE, PASSWORD)
            .channel_owned_by(CHANNEL, "Lobby", SERVICE)
            .start()
            .await
            .unwrap()
    })
}

/// The configuration of the account `email` in `role` on `server`.
fn config(server: &DevServerHandle, email: &str, role: Role) -> Config {
    let http = format!("{}/", server.http_uri()).parse().unwrap();
    let session = SessionConfig::new(email, PASSWORD.into(), http, server.ws_uri(), role);
    let mut config = Config::new(session);
    config.no_warn_cannot_save_service_id = true;
    config
}

/// Waits for `what` to hold, failing after [`WAIT`].
fn eventually(what: &str, mut holds: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !holds() {
        assert!(Instant::now() < deadline, "{what} not within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl<D: Driver> World<D> {
    fn new(kind: Kind) -> Self {
        let rt = runtime();
        let server = platform(&rt);
        let role = Role::service(None, vec![CHANNEL.into()]);
        let (tx, seen) = channel();
        let client = D::start(&rt, config(&server, SERVICE, role), tx, kind);
        let alice = server.user_id(ALICE).unwrap();
        let ws = rt.block_on(async {
            let (token, _) = Api::new(&server).sign_in(ALICE, PASSWORD).await;
            Ws::login_user(&server.ws_uri(), &token).await
        });
        let mut world = Self {
            rt,
            server,
            client: Some(client),
            seen,
            alice,
            ws,
        };
        world.until("on_start", |s| *s == Seen::Start);
        world.alice_acts("join");
        world
    }

    fn client(&self) -> &D {
        self.client.as_ref().unwrap()
    }

    /// Alice sends an action (`join`, `refresh`) and waits for its `copy`.
    fn alice_acts(&mut self, subtype: &str) {
        let frame = action(&self.alice, CHANNEL, subtype, json!({}));
        let copy = self.rt.block_on(self.ws.request(frame));
        assert_eq!(copy["status"], true, "{subtype}: {copy}");
    }

    /// Waits for a callback matching `pred`, failing after [`WAIT`].
    fn until(&self, what: &str, pred: impl Fn(&Seen) -> bool) -> Seen {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.seen.recv_timeout(left) {
                Ok(s) if pred(&s) => return s,
                Ok(_) => {}
                Err(_) => panic!("no {what} within {WAIT:?}"),
            }
        }
    }

    /// The next frame Alice receives of `ty` (other frames skipped).
    fn alice_receives(&mut self, ty: &str) -> Value {
        let frame = self.rt.block_on(
            self.ws
                .recv_until(|v| v["type"] == ty || v["type"].is_null()),
        );
        assert_eq!(frame["type"], ty, "{frame}");
        frame
    }

    /// The frames Alice receives within `d`, acknowledgements left out.
    fn alice_frames_within(&mut self, d: Duration) -> Vec<Value> {
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + d;
        self.rt.block_on(async {
            while let Ok(v) = tokio::time::timeout_at(deadline, self.ws.recv()).await {
                if v["type"] != "copy" {
                    got.push(v);
                }
            }
        });
        got
    }

    fn alice_record(&self) -> Character {
        Character::new(self.alice.as_str(), "Alice")
    }

    fn finish(mut self) {
        if let Some(c) = self.client.take() {
            c.stop(&self.rt);
        }
    }
}

/// A received file message whose `content.path` is `url` (or none).
fn file_message(url: Option<&str>) -> MessageBody {
    serde_json::from_value(json!({
        "subtype": "file", "channel_id": CHANNEL, "sender": "someone", "message_id": "m-42",
        "content": {"path": url, "filename": "report.txt"}
    }))
    .unwrap()
}

/// A one-shot HTTP server on loopback answering `n` requests with
/// `Content-Length: 48213`; hands back each request's head, lower-cased.
fn head_server(n: usize) -> (String, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for _ in 0..n {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0_u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => head.extend_from_slice(&buf[..k]),
                }
            }
            let _ = tx.send(String::from_utf8_lossy(&head).to_lowercase());
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 48213\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (addr, rx)
}

// ---- the scenarios ------------------------------------------------------------

fn default_on_join_and_on_refresh_call_do_member_sync<D: Driver>() {
    let mut w = World::<D>::new(Kind::Syncing);
    let me = Seen::Sync(CHANNEL.into(), w.alice.clone());
    assert_eq!(w.until("do_member_sync on join", |_| true), me);
    let bar = w.alice_receives("update");
    assert_eq!(bar["body"]["subtype"], "buttons", "{bar}");
    assert_eq!(bar["body"]["content"][0]["button_id"], "hello", "{bar}");
    w.alice_acts("refresh");
    assert_eq!(w.until("do_member_sync on refresh", |_| true), me);
    let bar = w.alice_receives("update");
    assert_eq!(bar["body"]["subtype"], "buttons", "{bar}");
    w.finish();
}

fn the_default_do_member_sync_sends_nothing<D: Driver>() {
    let mut w = World::<D>::new(Kind::Plain);
    w.alice_acts("refresh");
    let frames = w.alice_frames_within(Duration::from_millis(700));
    assert!(frames.is_empty(), "the defaults sent {frames:?}");
    w.finish();
}

fn one_profile_asked_gives_one_a_list_gives_a_list<D: Driver>() {
    let w = World::<D>::new(Kind::Plain);
    let (rt, c) = (&w.rt, w.client());
    let one = c.profile_of_id(rt, &w.alice).unwrap();
    assert_eq!(one.character_id, w.alice.as_str());
    let by_record = c.profile_of(rt, &w.alice_record()).unwrap();
    assert_eq!(by_record, one);
    let list = c.profiles_of(rt, vec![CharacterId::new(&w.alice)]).unwrap();
    assert_eq!(list, vec![one.clone()], "a list of one is a list");
    let records = c
        .profiles_of_records(rt, &[w.alice_record(), w.alice_record()])
        .unwrap();
    assert_eq!(records, vec![one.clone(), one]);
    w.finish();
}

fn characters_by_record_or_id_and_the_named_group_query<D: Driver>() {
    let mut w = World::<D>::new(Kind::Plain);
    let alice = CharacterId::new(&w.alice);
    let group = w
        .client()
        .channel_group_of(&w.rt, &w.alice_record())
        .unwrap();
    assert_eq!(group.character_ids, vec![alice.clone()]);
    // The reference's order is (sender_id, channel_id, group_id); named
    // fields cannot be swapped by mistake.
    let members = w
        .client()
        .channel_group(
            &w.rt,
            ChannelGroupQuery {
                sender_id: alice.clone(),
                channel_id: CHANNEL.into(),
                group_id: group.group_id.clone(),
            },
        )
        .unwrap();
    assert_eq!(members, vec![alice.clone()]);
    let service_group = w.client().service_group_of(&w.rt, &w.alice).unwrap();
    assert_eq!(service_group.character_ids, vec![alice.clone()]);

    w.client()
        .send_characters_of(&w.rt, w.alice_record(), vec![w.alice_record()])
        .unwrap();
    let update = w.alice_receives("update");
    assert_eq!(update["body"]["subtype"], "characters", "{update}");
    // The list travels as a group id, holding the record's id.
    let listed = update["body"]["content"]["characters"].as_str().unwrap();
    let listed = w.server.group(listed).expect("the list's group");
    assert_eq!(listed.characters, [w.alice.clone()], "{update}");
    w.finish();
}

fn download_takes_a_message_and_never_overwrites_unless_asked<D: Driver>() {
    let w = World::<D>::new(Kind::Plain);
    let (rt, c) = (&w.rt, w.client());
    let url = c.upload_bytes(rt, "report.txt", b"quarterly").unwrap();
    let message = file_message(Some(&url));
    let dir = tempfile::tempdir().unwrap();
    let into = DownloadOptions::into_dir(dir.path().join("downloads"));

    let saved = c.download_message(rt, &message, into.clone()).unwrap();
    let leaf = url.rsplit('/').next().unwrap();
    assert_eq!(
        saved,
        dir.path().join("downloads").join(leaf),
        "named from the URL"
    );
    assert_eq!(std::fs::read(&saved).unwrap(), b"quarterly");

    let again = c.download_message(rt, &message, into.clone());
    assert!(matches!(again, Err(Error::FileExists(_))), "{again:?}");
    let replaced = c
        .download(
            rt,
            DownloadSource::from(url.as_str()),
            into.clone().overwrite(true),
        )
        .unwrap();
    assert_eq!(replaced, saved);

    assert_eq!(&c.download_bytes(rt, &message).unwrap()[..], b"quarterly");
    assert_eq!(c.download_size_of(rt, message).unwrap(), Some(9));

    let no_file = c.download_message(rt, &file_message(None), into);
    assert!(
        matches!(no_file, Err(Error::InvalidArgument(ref m)) if m.contains("m-42")),
        "{no_file:?}"
    );
    assert!(DownloadOptions::default().dir.ends_with("downloads"));
    w.finish();
}

fn download_size_sends_auth_only_to_a_trusted_host<D: Driver>() {
    let w = World::<D>::new(Kind::Plain);
    let (rt, c) = (&w.rt, w.client());
    let (host, heads) = head_server(3);
    let url = format!("http://{host}/bucket/report.pdf");
    let recv = || heads.recv_timeout(WAIT).expect("a HEAD request");

    assert_eq!(
        c.download_size(rt, &url, DownloadOptions::default())
            .unwrap(),
        Some(48213)
    );
    let plain = recv();
    assert!(plain.starts_with("head /bucket/report.pdf"), "{plain}");
    assert!(!plain.contains("authorization"), "{plain}");

    let asked = DownloadOptions::default().with_auth(true);
    assert_eq!(
        c.download_size(rt, &url, asked.clone()).unwrap(),
        Some(48213)
    );
    let foreign = recv();
    assert!(!foreign.contains("authorization"), "not trusted: {foreign}");

    let trusted = asked.trust_host(host.as_str());
    assert_eq!(c.download_size(rt, &url, trusted).unwrap(), Some(48213));
    let authed = recv();
    assert!(authed.contains("authorization: bearer "), "{authed}");
    w.finish();
}

fn the_history_page_defaults_to_1024<D: Driver>() {
    let mut w = World::<D>::new(Kind::Plain);
    assert_eq!(FetchMessageHistory::new(CHANNEL).limit, 1024);
    assert_eq!(DEFAULT_HISTORY_LIMIT, 1024);
    let sent = 70; // more than the lower layer's default of 64
    for n in 0..sent {
        let frame = message_up(&w.alice, CHANNEL, "service", &format!("m{n}"));
        let copy = w.rt.block_on(w.ws.request(frame));
        assert_eq!(copy["status"], true, "{copy}");
    }
    let history = w
        .client()
        .history(&w.rt, FetchMessageHistory::new(CHANNEL))
        .unwrap();
    assert!(history.len() >= sent, "{} messages", history.len());
    w.finish();
}

fn generic_send_with_a_list_and_send_update_reach_the_user<D: Driver>() {
    let mut w = World::<D>::new(Kind::Plain);
    let service_id = w.server.services()[0].service_id.clone();
    let body = json!({
        "subtype": "text", "channel_id": CHANNEL, "content": {"text": "hi from send"},
        "recipients": [w.alice.clone()], "sender": service_id, "timestamp": 1, "context": {}
    });
    w.client().send(&w.rt, "message_down", body).unwrap();
    let down = w.alice_receives("message_down");
    assert_eq!(down["body"]["content"]["text"], "hi from send", "{down}");
    assert!(
        w.server
            .groups()
            .iter()
            .any(|g| g.characters == [w.alice.clone()]),
        "the list became a group"
    );

    let group = w
        .client()
        .channel_group_of(&w.rt, &w.alice_record())
        .unwrap();
    let update = json!({
        "subtype": "buttons", "channel_id": CHANNEL, "recipients": group.group_id.as_str(),
        "content": [{"button_id": "generic", "button_text": "Generic"}], "context": {}
    });
    w.client().send_update(&w.rt, update).unwrap();
    let got = w.alice_receives("update");
    assert_eq!(got["body"]["content"][0]["button_id"], "generic", "{got}");
    w.finish();
}

/// User mode: the generic `send` of the user's driver reaches the channel's
/// service (a raw websocket service here), a list of recipients turned into
/// a group first.
fn a_user_generic_send_reaches_the_service<D: Driver>() {
    let rt = runtime();
    let server = platform(&rt);
    let owner = server.user_id(SERVICE).unwrap();
    let service_id = server.seed_service(&owner, "raw").unwrap();
    server.bind(CHANNEL, &service_id).unwrap();
    let token = server.issue_tokens(&owner).unwrap().access_token;
    let mut service = rt.block_on(Ws::login_service(&server.ws_uri(), &token, &service_id));
    let (tx, seen) = channel();
    let role = Role::user(vec![CHANNEL.into()]);
    let client = D::start(&rt, config(&server, ALICE, role), tx, Kind::Plain);
    assert_eq!(seen.recv_timeout(WAIT), Ok(Seen::Start));
    let alice = server.user_id(ALICE).unwrap();
    eventually("Alice's join", || server.members(CHANNEL).contains(&alice));

    let poke = json!({"channel_id": CHANNEL, "what": "hello"});
    client.send(&rt, "poke", poke).unwrap();
    let got = rt.block_on(service.recv_until(|v| v["type"] == "poke"));
    assert_eq!(got["body"]["what"], "hello", "{got}");
    assert_eq!(got["body"]["sender"], alice.as_str(), "{got}");

    let up = json!({
        "subtype": "text", "channel_id": CHANNEL, "content": {"text": "hi from a list"},
        "recipients": [alice.clone()], "timestamp": 1, "context": {}
    });
    client.send(&rt, "message_up", up).unwrap();
    let got = rt.block_on(service.recv_until(|v| v["type"] == "message_up"));
    assert_eq!(got["body"]["content"]["text"], "hi from a list", "{got}");
    let group = got["body"]["recipients"].as_str().expect("a group id");
    let group = server.group(group).expect("the list's group");
    assert_eq!(group.characters, [alice], "{got}");
    client.stop(&rt);
}

macro_rules! parity {
    ($($scenario:ident),* $(,)?) => {
        mod tokio_driver {
            $(#[test] fn $scenario() { super::$scenario::<super::Tokio>() })*
        }
        mod blocking_driver {
            $(#[test] fn $scenario() { super::$scenario::<super::Blocking>() })*
        }
    };
}

parity!(
    default_on_join_and_on_refresh_call_do_member_sync,
    the_default_do_member_sync_sends_nothing,
    one_profile_asked_gives_one_a_list_gives_a_list,
    characters_by_record_or_id_and_the_named_group_query,
    download_takes_a_message_and_never_overwrites_unless_asked,
    download_size_sends_auth_only_to_a_trusted_host,
    the_history_page_defaults_to_1024,
    generic_send_with_a_list_and_send_update_reach_the_user,
    a_user_generic_send_reaches_the_service,
);
