//! One scenario list, run against both drivers: each scenario is written
//! once over the [`Driver`] trait, and `conformance!` makes one test per
//! driver and scenario (`tokio__<scenario>`, `blocking__<scenario>`), so a
//! failure names both.
//!
//! Covered so far: the handle surfaces are the same list (at compile time),
//! `on_start`, `on_copy_client`, `on_unknown_payload`, `on_channel_checkin`
//! through each driver's timers (an injected 150 ms `checkin_interval`), a
//! platform call through the handle, and the one inbound frame limit (a
//! frame at the limit is delivered, one byte over closes the socket and the
//! client reconnects, in both drivers).

#![allow(clippy::unwrap_used, clippy::expect_used, non_snake_case)]

use moobius_devserver::{DevServer, DevServerHandle};
use moobius_proto::model::CopyBody;
use moobius_proto::session::{Role, SessionConfig};
use moobius_proto::ws::UnknownFrame;
use moobius_runtime::{CallbackResult, Config};
use serde_json::json;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);
const ALICE: &str = "alice@test.local";
const SERVICE: &str = "service@test.local";
const PASSWORD: &str = "pw";
const CHANNEL: &str = "lobby";

/// Both handles offer the same platform methods (checked by the compiler).
const _: () = assert!(same_names(
    moobius_tokio::Moobius::OPERATIONS,
    moobius_blocking::Moobius::OPERATIONS
));

const fn same_names(a: &[&str], b: &[&str]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        let (x, y) = (a[i].as_bytes(), b[i].as_bytes());
        if x.len() != y.len() {
            return false;
        }
        let mut j = 0;
        while j < x.len() {
            if x[j] != y[j] {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

/// What a client's callbacks saw.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Start,
    Checkin,
    Copy,
    Unknown(String),
}

fn unknown(frame: &UnknownFrame) -> Seen {
    Seen::Unknown(frame.frame_type.clone().unwrap_or_default())
}

/// A running client of one driver.
trait Driver {
    /// Starts a client for `config` whose callbacks report into `seen`.
    fn start(rt: &tokio::runtime::Runtime, config: Config, seen: Sender<Seen>) -> Self;
    /// A platform call through the handle: the channels of the account.
    fn fetch_channel_list(&self, rt: &tokio::runtime::Runtime) -> Vec<String>;
    /// Stops the client and waits for it.
    fn stop(self, rt: &tokio::runtime::Runtime);
}

struct TokioRec(Sender<Seen>);

impl moobius_tokio::Service for TokioRec {
    type Spell = ();

    async fn on_start(&mut self, _: &moobius_tokio::Moobius) -> CallbackResult {
        let _ = self.0.send(Seen::Start);
        Ok(())
    }

    async fn on_channel_checkin(
        &mut self,
        _: &moobius_tokio::Moobius,
        _: moobius_proto::ids::ChannelId,
    ) -> CallbackResult {
        let _ = self.0.send(Seen::Checkin);
        Ok(())
    }

    async fn on_copy_client(&mut self, _: &moobius_tokio::Moobius, _: CopyBody) -> CallbackResult {
        let _ = self.0.send(Seen::Copy);
        Ok(())
    }

    async fn on_unknown_payload(
        &mut self,
        _: &moobius_tokio::Moobius,
        frame: UnknownFrame,
    ) -> CallbackResult {
        let _ = self.0.send(unknown(&frame));
        Ok(())
    }
}

struct Tokio(moobius_tokio::Running<TokioRec>);

impl Driver for Tokio {
    fn start(rt: &tokio::runtime::Runtime, config: Config, seen: Sender<Seen>) -> Self {
        let _guard = rt.enter();
        Self(moobius_tokio::spawn(config, TokioRec(seen)))
    }

    fn fetch_channel_list(&self, rt: &tokio::runtime::Runtime) -> Vec<String> {
        let list = rt.block_on(self.0.moobius().fetch_channel_list()).unwrap();
        list.into_iter().map(|c| c.as_str().to_owned()).collect()
    }

    fn stop(self, rt: &tokio::runtime::Runtime) {
        rt.block_on(self.0.stop()).unwrap();
    }
}

struct BlockingRec(Sender<Seen>);

impl moobius_blocking::Bot for BlockingRec {
    type Spell = ();

    fn on_start(&mut self, _: &moobius_blocking::Moobius) -> CallbackResult {
        let _ = self.0.send(Seen::Start);
        Ok(())
    }

    fn on_channel_checkin(
        &mut self,
        _: &moobius_blocking::Moobius,
        _: moobius_proto::ids::ChannelId,
    ) -> CallbackResult {
        let _ = self.0.send(Seen::Checkin);
        Ok(())
    }

    fn on_copy_client(&mut self, _: &moobius_blocking::Moobius, _: CopyBody) -> CallbackResult {
        let _ = self.0.send(Seen::Copy);
        Ok(())
    }

    fn on_unknown_payload(
        &mut self,
        _: &moobius_blocking::Moobius,
        frame: UnknownFrame,
    ) -> CallbackResult {
        let _ = self.0.send(unknown(&frame));
        Ok(())
    }
}

struct Blocking(moobius_blocking::Running<()>);

impl Driver for Blocking {
    fn start(_: &tokio::runtime::Runtime, config: Config, seen: Sender<Seen>) -> Self {
        Self(moobius_blocking::spawn(config, BlockingRec(seen)).unwrap())
    }

    fn fetch_channel_list(&self, _: &tokio::runtime::Runtime) -> Vec<String> {
        let list = self.0.moobius().fetch_channel_list().unwrap();
        list.into_iter().map(|c| c.as_str().to_owned()).collect()
    }

    fn stop(self, _: &tokio::runtime::Runtime) {
        self.0.stop().unwrap();
    }
}

/// A devserver, Alice's user client of driver `D` in the channel, and what
/// its callbacks see.
struct World<D> {
    rt: tokio::runtime::Runtime,
    server: DevServerHandle,
    client: Option<D>,
    seen: Receiver<Seen>,
    alice: String,
    config: Config,
}

impl<D: Driver> World<D> {
    /// Alice as a user in the channel.
    fn new() -> Self {
        Self::with(ALICE, |_| Role::user(vec![CHANNEL.into()]))
    }

    /// `email` (a user of the devserver) in the role `role` makes.
    fn with(email: &str, role: impl FnOnce(&str) -> Role) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(async {
            DevServer::builder()
                .user(ALICE, PASSWORD)
                .user(SERVICE, PASSWORD)
                // The service account owns the channel, so a service
                // scenario may bind it (the devserver's permission rules).
                .channel_owned_by(CHANNEL, "Lobby", SERVICE)
                .start()
                .await
                .unwrap()
        });
        let http = format!("{}/", server.http_uri()).parse().unwrap();
        let session =
            SessionConfig::new(email, PASSWORD.into(), http, server.ws_uri(), role(CHANNEL));
        let mut config = Config::new(session);
        config.no_warn_cannot_save_service_id = true;
        let (tx, seen) = channel();
        let client = D::start(&rt, config.clone(), tx);
        let alice = server.user_id(email).unwrap();
        let world = Self {
            rt,
            server,
            client: Some(client),
            seen,
            alice,
            config,
        };
        world.until("on_start", |s| *s == Seen::Start);
        world
    }

    fn client(&self) -> &D {
        self.client.as_ref().unwrap()
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

    /// Alice's connections so far (closed ones too).
    fn connections(&self) -> usize {
        self.server
            .connections()
            .iter()
            .filter(|c| {
                matches!(&c.login, Some(moobius_devserver::Login::User { user_id, .. }) if *user_id == self.alice)
            })
            .count()
    }

    fn finish(mut self) {
        if let Some(c) = self.client.take() {
            c.stop(&self.rt);
        }
    }
}

/// A frame of type `kind` whose JSON text is exactly `len` bytes long.
fn frame_of_len(kind: &str, len: usize) -> serde_json::Value {
    let empty = json!({"type": kind, "body": {"pad": ""}}).to_string().len();
    json!({"type": kind, "body": {"pad": "x".repeat(len - empty)}})
}

// ---- the scenarios ------------------------------------------------------------

fn an_unknown_frame_reaches_on_unknown_payload<D: Driver>() {
    let w = World::<D>::new();
    let n = w
        .server
        .send_raw_frame(&w.alice, &json!({"type": "mystery", "body": {"x": 1}}));
    assert_eq!(n, 1, "Alice is connected once");
    w.until("on_unknown_payload", |s| {
        *s == Seen::Unknown("mystery".into())
    });
    w.finish();
}

fn acknowledgements_reach_on_copy_client<D: Driver>() {
    let w = World::<D>::new();
    let forged = json!({"type": "copy", "body": {"request_id": "r-1", "origin_type": "x", "status": true, "context": {}}});
    w.server.send_raw_frame(&w.alice, &forged);
    w.until("on_copy_client", |s| *s == Seen::Copy);
    w.finish();
}

fn platform_calls_answer_typed_results<D: Driver>() {
    let w = World::<D>::new();
    // The join frame may still be on its way when `on_start` runs.
    let deadline = Instant::now() + WAIT;
    while !w.server.members(CHANNEL).contains(&w.alice) {
        assert!(Instant::now() < deadline, "Alice never joined");
        std::thread::sleep(Duration::from_millis(20));
    }
    let channels = w.client().fetch_channel_list(&w.rt);
    assert!(channels.iter().any(|c| c == CHANNEL), "{channels:?}");
    w.finish();
}

fn one_frame_limit_a_byte_over_reconnects<D: Driver>() {
    let w = World::<D>::new();
    let limit = w.config.session.inbound_frame_limit();
    let before = w.connections();
    w.server
        .send_raw_frame(&w.alice, &frame_of_len("at_limit", limit));
    w.until("the frame at the limit", |s| {
        *s == Seen::Unknown("at_limit".into())
    });
    w.server
        .send_raw_frame(&w.alice, &frame_of_len("over_limit", limit + 1));
    let deadline = Instant::now() + WAIT;
    while w.connections() <= before {
        assert!(
            Instant::now() < deadline,
            "no reconnect after a frame over the limit"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Logged in again: a small frame arrives; the oversized one never did.
    let deadline = Instant::now() + WAIT;
    while w
        .server
        .send_raw_frame(&w.alice, &json!({"type": "after", "body": {}}))
        == 0
    {
        assert!(Instant::now() < deadline, "not logged in again");
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen = w.until(
        "the frame after the reconnect",
        |s| matches!(s, Seen::Unknown(k) if k != "at_limit"),
    );
    assert_eq!(
        seen,
        Seen::Unknown("after".into()),
        "the oversized frame was refused"
    );
    w.finish();
}

fn the_checkin_timer_fires_per_checkin_interval<D: Driver>() {
    let period = Duration::from_millis(150);
    let w = World::<D>::with(SERVICE, |channel| {
        Role::service(None, vec![channel.into()])
            .with_others(moobius_proto::session::OthersPolicy::Include)
            .with_checkin_interval(Some(period))
            .with_description("conformance")
    });
    let started = Instant::now();
    for n in 1..=3 {
        w.until(&format!("check-in #{n}"), |s| *s == Seen::Checkin);
    }
    // Periodic, not a burst: the third comes two periods after the first,
    // which came at most one period after `started`.
    assert!(started.elapsed() >= period, "{:?}", started.elapsed());
    w.finish();
}

macro_rules! conformance {
    ($($scenario:ident),* $(,)?) => {
        mod tokio_driver {
            $(#[test] fn $scenario() { super::$scenario::<super::Tokio>() })*
        }
        mod blocking_driver {
            $(#[test] fn $scenario() { super::$scenario::<super::Blocking>() })*
        }
    };
}

conformance!(
    an_unknown_frame_reaches_on_unknown_payload,
    acknowledgements_reach_on_copy_client,
    platform_calls_answer_typed_results,
    one_frame_limit_a_byte_over_reconnects,
    the_checkin_timer_fires_per_checkin_interval,
);
