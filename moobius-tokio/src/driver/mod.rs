//! The run loop: one task owns the session (through its [`Engine`], the
//! turn both drivers share) and drives it with real sockets, HTTP, timers,
//! commands from [`Moobius`] handles and spells.
//!
//! Each turn of the loop waits (`tokio::select!`) for whichever comes first:
//! the running callback finishing, a command, an HTTP answer, the websocket
//! opening, a frame, the websocket's writer failing, a spell, or the
//! session's next timeout; it feeds that to the engine, which then acts on every output of
//! the session through this driver's I/O adapters. Callbacks run one at a
//! time, concurrently with the loop (the callback's future is one of the
//! branches), so a callback awaiting a `Moobius` call sees it completed by
//! the same loop; events that arrive meanwhile queue up and are delivered
//! in order.

mod dispatch;
mod http;
mod ws;

use crate::runner::Wiring;
use crate::{Config, Error, Moobius, Service};
use dispatch::{Finished, RunningCallback};
use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use moobius_proto::session::HttpId;
use moobius_runtime::dial::Dial;
pub(crate) use moobius_runtime::engine::Command;
use moobius_runtime::engine::{Audience, Engine, Input, Io};
use moobius_runtime::Status;
use std::future::Future;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Events waiting for their callback beyond this many stop the reading of
/// the websocket until the service catches up (memory stays bounded).
const MAX_QUEUED_DELIVERIES: usize = 4096;

/// How long a stop waits for the running callback to finish.
const STOP_GRACE: Duration = Duration::from_secs(5);

pub(crate) struct Driver<S: Service> {
    engine: Engine<S::Spell>,
    io: Adapters,
    moobius: Moobius,
    service: Option<S>,
    running: Option<RunningCallback<S>>,
    commands: mpsc::Receiver<Command>,
    spells: mpsc::Receiver<S::Spell>,
    spells_open: bool,
}

/// The I/O adapters: the websocket, the HTTP calls in flight, and the
/// status handles watch.
struct Adapters {
    ws: ws::Ws,
    http: http::Http,
    calls: FuturesUnordered<http::InFlight>,
    status: watch::Sender<Status>,
}

impl Io for Adapters {
    fn connect(&mut self, uri: String) -> Option<Input> {
        self.ws.connect(uri);
        None
    }

    fn send(&mut self, text: String) -> Option<Input> {
        self.ws.send(text);
        None
    }

    fn close(&mut self, reason: &str) {
        self.ws.close(reason);
    }

    fn http(&mut self, id: HttpId, request: ::http::Request<bytes::Bytes>) -> Option<Input> {
        self.calls.push(self.http.start(id, request));
        None
    }

    fn publish(&mut self, update: &mut dyn FnMut(&mut Status) -> bool) {
        self.status.send_if_modified(update);
    }
}

/// Waits for `f`; pending forever when there is none.
async fn opt<F: Future>(f: Option<F>) -> F::Output {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

impl<S: Service> Driver<S> {
    pub(crate) fn new(config: Config, service: S, wiring: Wiring<S>) -> Result<Self, Error> {
        let engine = Engine::new(config, Audience::Callbacks)?;
        let config = engine.config();
        // One TLS configuration (explicit provider, configured roots) for
        // the websocket and HTTP, built at the first `https://` or `wss://`.
        let tls = std::sync::Arc::new(moobius_runtime::tls::ClientTls::new(&config.options.tls)?);
        let io = Adapters {
            http: http::Http::new(config, tls.clone()),
            ws: ws::Ws::new(Dial::new(config, tls)),
            calls: FuturesUnordered::new(),
            status: wiring.status,
        };
        Ok(Self {
            engine,
            io,
            moobius: wiring.moobius,
            service: Some(service),
            running: None,
            commands: wiring.commands,
            spells: wiring.spells,
            spells_open: true,
        })
    }

    /// The span every line of this service is logged in.
    pub(crate) fn span(&self) -> tracing::Span {
        self.engine.span().clone()
    }

    /// Runs until stopped or a fatal error; `Err` carries the fatal error.
    pub(crate) async fn run(mut self) -> Result<(), Error> {
        self.engine.drain(&mut self.io);
        // One timer for the session's next timeout, moved when it changes
        // (not made anew every turn: that registers and removes a timer
        // entry per turn, several per message).
        let timer = tokio::time::sleep_until(tokio::time::Instant::now());
        tokio::pin!(timer);
        // Once stopping: until when the running callback may finish.
        let mut stop_deadline = None;
        loop {
            self.start_next_callback();
            if self.engine.is_stopping() {
                if self.running.is_none() {
                    break;
                }
                stop_deadline.get_or_insert_with(|| tokio::time::Instant::now() + STOP_GRACE);
            }
            let timeout = self
                .engine
                .poll_timeout()
                .map(tokio::time::Instant::from_std);
            if let Some(at) = timeout.filter(|&at| at != timer.deadline()) {
                timer.as_mut().reset(at);
            }
            let reading = self.engine.wants_read(MAX_QUEUED_DELIVERIES);
            let ws = &mut self.io.ws;
            tokio::select! {
                done = opt(self.running.as_mut()) => self.callback_done(done),
                Some(cmd) = self.commands.recv() => self.engine.command(cmd),
                Some((id, answer)) = self.io.calls.next(), if !self.io.calls.is_empty() => {
                    self.engine.feed(Input::Http(id, answer));
                }
                opened = opt(ws.connecting.as_mut()) => self.engine.feed(ws.on_connected(opened)),
                frame = opt(ws.reader.as_mut().map(StreamExt::next)), if reading => {
                    self.engine.feed(ws.on_frame(frame));
                }
                ended = opt(ws.writing.as_mut()) => self.engine.feed(ws.on_write_ended(ended)),
                spell = self.spells.recv(), if self.spells_open => match spell {
                    Some(spell) => self.engine.spell(spell),
                    None => self.spells_open = false,
                },
                () = &mut timer, if timeout.is_some() => self.engine.on_timer(),
                () = opt(stop_deadline.map(tokio::time::sleep_until)) => {
                    tracing::warn!("a callback did not finish within the stop grace period; stopping anyway");
                    break;
                }
            }
            self.engine.drain(&mut self.io);
        }
        self.engine.close(&mut self.io);
        self.io.ws.shutdown().await;
        match self.engine.stopped(&mut self.io) {
            Some(e) => Err(Error::Fatal(e)),
            None => Ok(()),
        }
    }

    fn start_next_callback(&mut self) {
        if self.running.is_some() {
            return;
        }
        let Some(delivery) = self.engine.next_delivery() else {
            return;
        };
        if let Some(service) = self.service.take() {
            self.running = Some(dispatch::start(service, self.moobius.clone(), delivery));
        }
    }

    fn callback_done(&mut self, done: Finished<S>) {
        self.running = None;
        self.engine.callback_done(done.callback, done.outcome);
        self.service = Some(done.service);
    }
}
