//! The turn both drivers' loops take, written once: what a driver's one
//! owner of the [`Session`] does with commands, spells, I/O results and
//! timers, and with every output of the session.
//!
//! An [`Engine`] holds the session, the operations in flight, the events
//! waiting for the application and the narration; a driver holds an
//! `Engine` and its I/O adapters (an [`Io`]: the websocket, HTTP, the
//! status handles read) and decides only *how it waits*: `select!` in the
//! tokio driver, `set_read_timeout` in the blocking one. Each turn it feeds
//! what arrived ([`Engine::command`], [`Engine::feed`],
//! [`Engine::on_timer`], …) and then calls [`Engine::drain`].

use crate::pending::{InFlight, OpRequest};
use crate::{random_seed, Config, Error, Mode, Narrator, Status};
use bytes::Bytes;
use moobius_proto::session::{
    CloseReason, Event, FatalError, HttpId, Output, Session, TransportError,
};
use std::collections::VecDeque;
use std::time::Instant;

/// What a handle asks of the loop.
#[derive(Debug)]
pub enum Command {
    /// Start an operation; its request answers the caller.
    Op(OpRequest),
    /// Stop gracefully: close the session, fail pending calls.
    Stop,
}

/// Something for the application, in arrival order.
#[derive(Debug)]
pub enum Delivery<Sp> {
    /// A session event (callback-ready).
    Event(Event),
    /// A spell for the application's `on_spell`.
    Spell(Sp),
}

impl<Sp> Delivery<Sp> {
    /// The callback it is for (`None` for an event without one).
    #[must_use]
    pub fn callback(&self) -> Option<&'static str> {
        match self {
            Self::Event(event) => event.callback(),
            Self::Spell(_) => Some("on_spell"),
        }
    }

    /// The span its callback runs in (see [`callback_span`](crate::callback_span)).
    #[must_use]
    pub fn span(&self) -> tracing::Span {
        let name = self.callback().unwrap_or("(none)");
        match self {
            Self::Event(event) => crate::callback_span(name, event.channel_id()),
            Self::Spell(_) => crate::callback_span(name, None),
        }
    }
}

/// What an I/O adapter reports back to the session.
#[derive(Debug)]
pub enum Input {
    /// The websocket asked for is open.
    Opened,
    /// A text frame arrived.
    Text(tungstenite::Utf8Bytes),
    /// The websocket closed, or could not be opened.
    Closed(CloseReason),
    /// The answer to an HTTP request of the session (or why there is none).
    Http(HttpId, Result<http::Response<Bytes>, TransportError>),
}

/// A driver's I/O adapters, as the engine uses them while it acts on the
/// session's outputs. An adapter that finishes at once (the blocking
/// driver's) returns the [`Input`] it produced; one that finishes later
/// (the tokio driver's) returns `None` and feeds the input when it comes.
pub trait Io {
    /// Opens the websocket at `uri`, closing any open one.
    fn connect(&mut self, uri: String) -> Option<Input>;
    /// Writes one text frame (dropped when no websocket is open: the
    /// session sends unacknowledged frames again after reconnecting).
    fn send(&mut self, text: String) -> Option<Input>;
    /// Closes the websocket politely, if one is open.
    fn close(&mut self, reason: &str);
    /// Performs one HTTP request of the session.
    fn http(&mut self, id: HttpId, request: http::Request<Bytes>) -> Option<Input>;
    /// Changes the status handles read; `update` says whether it changed.
    fn publish(&mut self, update: &mut dyn FnMut(&mut Status) -> bool);
    /// The session failed with `error` (before the loop stops).
    fn failed(&mut self, _error: &FatalError) {}
}

/// Which events the application receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Only events with a callback (a service or bot).
    Callbacks,
    /// Every event but operation results (an event iterator).
    Everything,
}

/// The session and everything a driver's loop keeps besides its I/O.
pub struct Engine<Sp> {
    session: Session,
    ops: InFlight,
    narrator: Narrator,
    config: Config,
    queue: VecDeque<Delivery<Sp>>,
    audience: Audience,
    stopping: bool,
    fatal: Option<FatalError>,
}

impl<Sp> std::fmt::Debug for Engine<Sp> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("ops", &self.ops)
            .field("queued", &self.queue.len())
            .field("stopping", &self.stopping)
            .finish_non_exhaustive()
    }
}

impl<Sp> Engine<Sp> {
    /// An engine for `config`: logging set up, the start-up summary
    /// logged, the session created (seeded from `options.seed` or at
    /// random).
    pub fn new(config: Config, audience: Audience) -> Result<Self, Error> {
        let narrator = Narrator::start(&config)?;
        let seed = config.options.seed.unwrap_or_else(random_seed);
        Ok(Self {
            session: Session::new(config.session.clone(), Instant::now(), seed),
            ops: InFlight::default(),
            narrator,
            config,
            queue: VecDeque::new(),
            audience,
            stopping: false,
            fatal: None,
        })
    }

    /// The configuration the engine started from.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The session (read-only: inputs go through the engine).
    #[must_use]
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The span every line of this service is logged in.
    #[must_use]
    pub fn span(&self) -> &tracing::Span {
        self.narrator.span()
    }

    /// True once stopping has begun (a stop command, a fatal error, or the
    /// driver's own [`stop`](Self::stop)).
    #[must_use]
    pub fn is_stopping(&self) -> bool {
        self.stopping
    }

    /// The fatal error that ended the session, if one did.
    #[must_use]
    pub fn fatal(&self) -> Option<&FatalError> {
        self.fatal.as_ref()
    }

    /// Acts on a handle's command (operations are refused once stopping).
    pub fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Op(request) if self.stopping => request.refuse(),
            Command::Op(request) => self.ops.start(&mut self.session, request),
            Command::Stop => self.stop(),
        }
    }

    /// Queues a spell after the events that came before it.
    pub fn spell(&mut self, spell: Sp) {
        self.queue.push_back(Delivery::Spell(spell));
    }

    /// Begins stopping: what waits for the application is dropped and the
    /// session is closed (its outputs follow at the next
    /// [`drain`](Self::drain)).
    pub fn stop(&mut self) {
        if !self.stopping {
            tracing::info!(dropped_events = self.queue.len(), "{} stopping", self.who());
            self.stopping = true;
            self.queue.clear();
            self.session.close(Instant::now());
        }
    }

    /// Hands what an I/O adapter produced (if anything) to the session.
    pub fn feed(&mut self, input: impl Into<Option<Input>>) {
        let Some(input) = input.into() else {
            return;
        };
        let now = Instant::now();
        match input {
            Input::Opened => {
                tracing::debug!("websocket open");
                self.session.handle_ws_opened(now);
            }
            Input::Text(text) => self.session.handle_ws_text(now, text.as_str()),
            Input::Closed(reason) => {
                tracing::debug!(?reason, "websocket closed");
                self.session.handle_ws_closed(now, reason);
            }
            Input::Http(id, answer) => {
                // Never the body or the headers: a sign-in body holds the
                // password, `Authorization` the token.
                match &answer {
                    Ok(r) => {
                        tracing::debug!(
                            ?id,
                            status = r.status().as_u16(),
                            len = r.body().len(),
                            "HTTP answer"
                        )
                    }
                    Err(e) => tracing::debug!(?id, error = %e, "HTTP request failed"),
                }
                self.session.handle_http_response(now, id, answer);
            }
        }
    }

    /// Runs the session's timers that are due.
    pub fn on_timer(&mut self) {
        let now = Instant::now();
        if self.session.poll_timeout().is_some_and(|t| t <= now) {
            self.session.handle_timeout(now);
        }
    }

    /// When the session's next timer is due.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    /// Backpressure: whether the websocket should be read now — fewer than
    /// `max_queued` deliveries wait for the application and the session
    /// takes more frames ([`Session::wants_ws_read`]: not while it holds
    /// as many waiting for group lookups as it takes).
    #[must_use]
    pub fn wants_read(&self, max_queued: usize) -> bool {
        self.queue.len() < max_queued && self.session.wants_ws_read()
    }

    /// The next delivery for the application, in arrival order.
    pub fn next_delivery(&mut self) -> Option<Delivery<Sp>> {
        self.queue.pop_front()
    }

    /// Puts back a delivery the application had no room for.
    pub fn put_back(&mut self, delivery: Delivery<Sp>) {
        self.queue.push_front(delivery);
    }

    /// Takes every delivery still waiting.
    pub fn take_deliveries(&mut self) -> VecDeque<Delivery<Sp>> {
        std::mem::take(&mut self.queue)
    }

    /// A callback ended: logs its error or panic (see
    /// [`CallbackWatch`](crate::CallbackWatch)).
    pub fn callback_done(&mut self, callback: &'static str, outcome: crate::CallbackOutcome) {
        self.narrator.callback_done(callback, outcome);
    }

    /// Acts on every output of the session, in order, then publishes the
    /// status.
    pub fn drain(&mut self, io: &mut impl Io) {
        while let Some(out) = self.session.poll_output() {
            let input = match out {
                Output::WsConnect { uri } => {
                    tracing::debug!(%uri, "websocket connecting");
                    io.connect(uri)
                }
                Output::WsSend(text) => io.send(text),
                Output::WsClose { reason } => {
                    io.close(&reason);
                    None
                }
                Output::Http { id, request } => {
                    let (method, path) = (request.method(), request.uri().path());
                    tracing::debug!(?id, %method, path, "HTTP request");
                    io.http(id, request)
                }
                Output::Event(event) => {
                    self.on_event(event, io);
                    None
                }
                _ => {
                    tracing::warn!("a session output this engine does not know; ignored");
                    None
                }
            };
            if let Some(input) = input {
                self.feed(input);
            }
        }
        self.publish(io);
    }

    fn publish(&self, io: &mut impl Io) {
        io.publish(&mut |st| st.update(&self.session));
    }

    fn on_event(&mut self, event: Event, io: &mut impl Io) {
        self.narrator.on_event(&event, &self.session);
        match event {
            Event::OpDone { op, result } => {
                // What the caller reads next (e.g. `channels()` after
                // `create_channel`) must already be up to date.
                self.publish(io);
                self.ops.finish(op, result);
            }
            Event::ServiceCreated(ref id) => {
                self.config.save_service_id(id);
                self.deliver(event);
            }
            Event::Fatal(ref e) => {
                io.failed(e);
                self.fatal = Some(e.clone());
                self.stop();
                self.deliver(event);
            }
            other if !self.stopping => self.deliver(other),
            _ => {}
        }
    }

    fn deliver(&mut self, event: Event) {
        if self.audience == Audience::Everything || event.callback().is_some() {
            self.queue.push_back(Delivery::Event(event));
        }
    }

    /// Closes the session for good: its last outputs are acted on, the
    /// websocket is closed (if the adapters still hold one) and every call
    /// still waiting fails with [`Error::Stopped`].
    pub fn close(&mut self, io: &mut impl Io) {
        self.session.close(Instant::now());
        self.drain(io);
        io.close("stopped");
        self.ops.stop_all();
    }

    /// Tells handles the loop has ended; the fatal error, if any.
    pub fn stopped(self, io: &mut impl Io) -> Option<FatalError> {
        io.publish(&mut |st| {
            st.stopped = true;
            true
        });
        tracing::info!("{} stopped", self.who());
        self.fatal
    }

    fn who(&self) -> &'static str {
        match Mode::of(&self.config.session.role) {
            Mode::Service => "service",
            Mode::User => "client",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use moobius_proto::ops::JoinChannel;
    use std::sync::{Arc, Mutex};

    /// Records what the engine asks of the I/O; everything finishes later.
    #[derive(Default)]
    struct Recorder {
        connects: Vec<String>,
        requests: Vec<(HttpId, String)>,
        status: Status,
        publishes: usize,
        closes: usize,
        failed: Option<FatalError>,
    }

    impl Io for Recorder {
        fn connect(&mut self, uri: String) -> Option<Input> {
            self.connects.push(uri);
            None
        }
        fn send(&mut self, _text: String) -> Option<Input> {
            None
        }
        fn close(&mut self, _reason: &str) {
            self.closes += 1;
        }
        fn http(&mut self, id: HttpId, request: http::Request<Bytes>) -> Option<Input> {
            self.requests.push((id, request.uri().path().to_owned()));
            None
        }
        fn publish(&mut self, update: &mut dyn FnMut(&mut Status) -> bool) {
            self.publishes += 1;
            update(&mut self.status);
        }
        fn failed(&mut self, error: &FatalError) {
            self.failed = Some(error.clone());
        }
    }

    fn engine(audience: Audience) -> Engine<u32> {
        Engine::new(crate::config::test_config(), audience).expect("engine")
    }

    #[test]
    fn the_first_turn_signs_in_and_publishes_the_status() {
        let mut engine = engine(Audience::Callbacks);
        let mut io = Recorder::default();
        engine.drain(&mut io);
        assert_eq!(io.requests.len(), 1, "one sign-in request");
        assert!(io.requests[0].1.contains("sign_in"), "{:?}", io.requests);
        assert!(io.connects.is_empty(), "no websocket before the token");
        assert!(io.publishes >= 1 && !io.status.ready && !io.status.stopped);
        engine.feed(None);
    }

    #[test]
    fn spells_wait_in_order_and_hold_back_reading() {
        let mut engine = engine(Audience::Everything);
        engine.spell(1);
        engine.spell(2);
        assert!(!engine.wants_read(2), "two deliveries wait");
        assert!(engine.wants_read(3));
        let Some(Delivery::Spell(first)) = engine.next_delivery() else {
            panic!("a spell first")
        };
        engine.put_back(Delivery::Spell(first));
        let order: Vec<u32> = engine
            .take_deliveries()
            .into_iter()
            .map(|d| match d {
                Delivery::Spell(n) => n,
                Delivery::Event(e) => panic!("no event expected: {e:?}"),
            })
            .collect();
        assert_eq!(order, [1, 2]);
    }

    #[test]
    fn a_stop_drops_deliveries_refuses_operations_and_fails_pending_ones() {
        let mut engine = engine(Audience::Callbacks);
        let mut io = Recorder::default();
        engine.drain(&mut io);
        let answers: Arc<Mutex<Vec<Result<(), Error>>>> = Arc::default();
        let op = |answers: &Arc<Mutex<Vec<Result<(), Error>>>>| {
            let answers = answers.clone();
            Command::Op(OpRequest::new(JoinChannel::new("chan-1"), move |r| {
                answers.lock().expect("answers").push(r);
            }))
        };
        engine.command(op(&answers));
        engine.spell(7);
        engine.command(Command::Stop);
        assert!(engine.is_stopping());
        assert!(engine.next_delivery().is_none(), "what waited is dropped");
        engine.command(op(&answers));
        engine.close(&mut io);
        assert!(io.closes >= 1, "the websocket is closed for good");
        assert!(engine.fatal().is_none());
        assert!(engine.stopped(&mut io).is_none());
        assert!(io.status.stopped, "handles see the loop ended");
        let answers = answers.lock().expect("answers");
        assert_eq!(answers.len(), 2, "every caller is answered");
        // The one sent after the stop is refused at once; the one pending
        // fails when the session closes.
        assert!(
            matches!(answers[0], Err(Error::Stopped)),
            "after a stop: {:?}",
            answers[0]
        );
        assert!(answers[1].is_err(), "pending at the stop: {:?}", answers[1]);
    }

    /// A refused sign-in is fatal: handles hear of it first, the engine
    /// stops, and only an event iterator receives the event.
    #[test]
    fn a_refused_sign_in_stops_and_reaches_only_an_iterator() {
        for audience in [Audience::Callbacks, Audience::Everything] {
            let mut engine = engine(audience);
            let mut io = Recorder::default();
            engine.drain(&mut io);
            let (id, _) = io.requests[0].clone();
            let refused = http::Response::builder()
                .status(401)
                .header("content-type", "application/json")
                .body(Bytes::from_static(
                    br#"{"code":401,"message":"wrong password"}"#,
                ))
                .expect("response");
            engine.feed(Input::Http(id, Ok(refused)));
            engine.drain(&mut io);
            assert!(engine.is_stopping(), "{audience:?}");
            assert!(
                engine.fatal().is_some() && io.failed.is_some(),
                "{audience:?}"
            );
            let delivered = engine.take_deliveries();
            let fatal_delivered = delivered
                .iter()
                .any(|d| matches!(d, Delivery::Event(Event::Fatal(_))));
            assert_eq!(
                fatal_delivered,
                audience == Audience::Everything,
                "{audience:?}"
            );
        }
    }
}
