//! A deterministic simulation of the platform for Session tests: an
//! in-memory fake platform (HTTP endpoints and websocket), a virtual clock
//! that jumps to the next timeout, and a seeded fault injector. Modelled on
//! quinn-proto's test `Pair` and str0m's `progress`.

#![allow(dead_code, unreachable_pub)]

pub mod platform;

use bytes::Bytes;
use moobius_proto::session::{
    CloseReason, Event, HttpId, Output, Session, SessionConfig, TransportError,
};
use platform::Platform;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Faults to inject, each with a probability per opportunity (0.0–1.0).
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Drop the websocket right after a client frame was received.
    pub drop_after_frame: f64,
    /// Answer an HTTP request with a 503.
    pub http_5xx: f64,
    /// Lose an HTTP request (transport error).
    pub http_transport: f64,
    /// Delay an HTTP answer by up to this long.
    pub http_delay: Duration,
    /// Deliver a platform frame twice.
    pub duplicate_frame: f64,
    /// Fail a connection attempt.
    pub connect_fail: f64,
}

/// A tiny deterministic RNG for the fault schedule.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x2545_F491_4F6C_DD1D)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

enum Input {
    WsOpened,
    WsClosed(CloseReason),
    WsText(String),
    Http(HttpId, Result<http::Response<Bytes>, TransportError>),
}

/// The session under test, the fake platform, and the clock.
pub struct Sim {
    pub session: Session,
    pub platform: Platform,
    pub now: Instant,
    pub start: Instant,
    pub events: Vec<Event>,
    pub faults: Faults,
    pub dice: Dice,
    /// Inputs due at a time, in order of scheduling.
    inputs: Vec<(Instant, u64, Input)>,
    seq: u64,
    /// Id of the current socket; inputs for older sockets are dropped.
    socket: u64,
    socket_open: bool,
    /// Every websocket frame the session wrote, in order.
    pub ws_sent: Vec<String>,
    /// Group lookups asked and not answered yet (stuck ones stay here).
    pub lookups_outstanding: HashSet<HttpId>,
    /// The most lookups ever outstanding at once.
    pub max_lookups_outstanding: usize,
    /// The most HTTP requests ever outstanding at once.
    pub max_http_outstanding: usize,
    http_outstanding: HashSet<HttpId>,
    /// Inputs and timeouts handled so far (a busy loop shows here).
    pub steps: u64,
    /// Frames read while the session asked not to be read (must stay 0).
    pub reads_against_backpressure: usize,
}

impl Sim {
    pub fn new(cfg: SessionConfig, platform: Platform, seed: u64) -> Self {
        let start = Instant::now();
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        Self {
            session: Session::new(cfg, start, seed_bytes),
            platform,
            now: start,
            start,
            events: Vec::new(),
            faults: Faults::default(),
            dice: Dice::new(seed),
            inputs: Vec::new(),
            seq: 0,
            socket: 0,
            socket_open: false,
            ws_sent: Vec::new(),
            lookups_outstanding: HashSet::new(),
            max_lookups_outstanding: 0,
            max_http_outstanding: 0,
            http_outstanding: HashSet::new(),
            steps: 0,
            reads_against_backpressure: 0,
        }
    }

    fn schedule(&mut self, at: Instant, input: Input) {
        self.seq += 1;
        self.inputs.push((at, self.seq, input));
    }

    /// Drains the session's outputs into the platform and the event log.
    fn drain(&mut self) {
        while let Some(out) = self.session.poll_output() {
            match out {
                Output::WsConnect { .. } => {
                    self.socket += 1;
                    self.socket_open = false;
                    self.platform.ws_disconnected();
                    if self.platform.ws_refuse || self.dice.chance(self.faults.connect_fail) {
                        let at = self.now + Duration::from_millis(5);
                        self.schedule(
                            at,
                            Input::WsClosed(CloseReason::ConnectFailed("refused".into())),
                        );
                    } else {
                        let at = self.now + Duration::from_millis(5);
                        self.schedule(at, Input::WsOpened);
                    }
                }
                Output::WsSend(text) => {
                    self.ws_sent.push(text.clone());
                    if !self.socket_open {
                        continue;
                    }
                    let replies = self.platform.ws_frame(&text);
                    for r in replies {
                        let at = self.now + Duration::from_millis(1);
                        let dup = self.dice.chance(self.faults.duplicate_frame);
                        if dup {
                            self.schedule(at, Input::WsText(r.clone()));
                        }
                        self.schedule(at, Input::WsText(r));
                    }
                    if self.dice.chance(self.faults.drop_after_frame) {
                        self.drop_connection();
                    }
                }
                Output::WsClose { .. } => {
                    self.socket_open = false;
                    self.platform.ws_disconnected();
                    self.inputs
                        .retain(|(_, _, i)| !matches!(i, Input::WsText(_) | Input::WsOpened));
                }
                Output::Http { id, request } => {
                    let mut delay = Duration::from_millis(
                        2 + self
                            .dice
                            .below(self.faults.http_delay.as_millis() as u64 + 1),
                    );
                    self.http_outstanding.insert(id);
                    self.max_http_outstanding =
                        self.max_http_outstanding.max(self.http_outstanding.len());
                    if let Some(group) = platform::looked_up_group(&request) {
                        self.lookups_outstanding.insert(id);
                        self.max_lookups_outstanding = self
                            .max_lookups_outstanding
                            .max(self.lookups_outstanding.len());
                        match self.platform.lookup_delay.get(&group) {
                            // Stuck: never answered.
                            Some(None) => {
                                self.platform.http_log.push(format!("STUCK {group}"));
                                continue;
                            }
                            Some(Some(extra)) => delay += *extra,
                            None => {}
                        }
                    }
                    let at = self.now + delay;
                    let result = if self.dice.chance(self.faults.http_transport) {
                        Err(TransportError("connection reset".into()))
                    } else if self.dice.chance(self.faults.http_5xx) {
                        Ok(platform::error_response(503, "busy"))
                    } else {
                        Ok(self.platform.http(&request))
                    };
                    self.schedule(at, Input::Http(id, result));
                }
                Output::Event(e) => self.events.push(e),
                _ => panic!("an output the simulation does not know"),
            }
        }
    }

    /// The platform drops the websocket now.
    pub fn drop_connection(&mut self) {
        if !self.socket_open {
            return;
        }
        self.socket_open = false;
        self.platform.ws_disconnected();
        self.inputs
            .retain(|(_, _, i)| !matches!(i, Input::WsText(_)));
        let at = self.now + Duration::from_millis(1);
        self.schedule(
            at,
            Input::WsClosed(CloseReason::Closed {
                code: Some(1006),
                reason: "dropped".into(),
            }),
        );
    }

    /// The platform pushes a frame to the client now.
    pub fn push_frame(&mut self, text: &str) {
        let at = self.now + Duration::from_millis(1);
        self.schedule(at, Input::WsText(text.to_owned()));
    }

    /// Runs until `deadline` (virtual time), delivering inputs and timeouts.
    pub fn run_until(&mut self, deadline: Instant) {
        let mut steps = 0u32;
        loop {
            steps += 1;
            assert!(steps < 1_000_000, "simulation does not settle (busy loop?)");
            self.drain();
            // A driver honours the session's backpressure: no frame is read
            // while it does not want one.
            let reading = self.session.wants_ws_read();
            let next_input = self
                .inputs
                .iter()
                .filter(|(_, _, i)| reading || !matches!(i, Input::WsText(_)))
                .map(|(at, seq, _)| (*at, *seq))
                .min();
            let next_timer = self.session.poll_timeout();
            if let Some(t) = next_timer {
                assert!(
                    t + Duration::from_secs(1) >= self.now || next_input.is_some(),
                    "poll_timeout in the past with nothing due"
                );
            }
            let next = match (next_input.map(|x| x.0), next_timer) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => return,
            };
            if next > deadline {
                self.now = deadline;
                return;
            }
            self.now = self.now.max(next);
            self.steps += 1;
            if let Some((_, seq)) = next_input.filter(|(at, _)| *at <= self.now) {
                let idx = self
                    .inputs
                    .iter()
                    .position(|(_, s, _)| *s == seq)
                    .expect("input exists");
                let (_, _, input) = self.inputs.remove(idx);
                self.deliver(input);
            } else {
                self.session.handle_timeout(self.now);
            }
        }
    }

    fn deliver(&mut self, input: Input) {
        let now = self.now;
        match input {
            Input::WsOpened => {
                self.socket_open = true;
                self.platform.ws_connected();
                self.session.handle_ws_opened(now);
            }
            Input::WsClosed(reason) => self.session.handle_ws_closed(now, reason),
            Input::WsText(t) => {
                if self.socket_open {
                    if !self.session.wants_ws_read() {
                        self.reads_against_backpressure += 1;
                    }
                    self.session.handle_ws_text(now, &t);
                }
            }
            Input::Http(id, r) => {
                self.lookups_outstanding.remove(&id);
                self.http_outstanding.remove(&id);
                self.session.handle_http_response(now, id, r);
            }
        }
    }

    /// Runs for a span of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        let deadline = self.now + d;
        self.run_until(deadline);
    }

    /// Runs until the session is ready (panics after a virtual minute).
    pub fn run_until_ready(&mut self) {
        let deadline = self.now + Duration::from_secs(60);
        while !self.session.is_ready() && self.now < deadline {
            let step = self.now + Duration::from_millis(100);
            self.run_until(step);
            if self.events.iter().any(|e| matches!(e, Event::Fatal(_))) {
                panic!("fatal during start-up: {:?}", self.events);
            }
        }
        assert!(
            self.session.is_ready(),
            "not ready after a minute: {:?}",
            self.events
        );
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }
}
