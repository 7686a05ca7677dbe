//! The run loop: one task owns the [`Session`] and drives it with real
//! sockets, HTTP, timers, commands from [`Moobius`] handles and spells.
//!
//! Each turn of the loop waits (`tokio::select!`) for whichever comes first:
//! the running callback finishing, a command, an HTTP answer, the websocket
//! opening, a frame, a write failure, a spell, or the session's next
//! timeout; it feeds that to the session and then drains every output.
//! Callbacks run one at a time, concurrently with the loop (the callback's
//! future is one of the branches), so a callback awaiting a `Moobius` call
//! sees it completed by the same loop; events that arrive meanwhile queue up
//! and are delivered in order.

mod dispatch;
mod http;
mod ws;

use crate::{Config, Error, Moobius, Service};
use dispatch::{Delivery, Finished, RunningCallback};
use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use moobius_proto::session::{Event, FatalError, Output, Session};
use moobius_runtime::pending::{InFlight, OpRequest};
use moobius_runtime::{random_seed, Narrator, Status};
use std::collections::VecDeque;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// What a [`Moobius`] handle asks of the loop.
pub(crate) enum Command {
    /// Start an operation; its request answers the caller.
    Op(OpRequest),
    /// Stop gracefully.
    Stop,
}

/// Events waiting for their callback beyond this many stop the reading of
/// the websocket until the service catches up (memory stays bounded).
const MAX_QUEUED_DELIVERIES: usize = 4096;

/// How long a stop waits for the running callback to finish.
const STOP_GRACE: Duration = Duration::from_secs(5);

pub(crate) struct Driver<S: Service> {
    session: Session,
    moobius: Moobius,
    service: Option<S>,
    running: Option<RunningCallback<S>>,
    queue: VecDeque<Delivery<S::Spell>>,
    ops: InFlight,
    commands: mpsc::Receiver<Command>,
    spells: mpsc::Receiver<S::Spell>,
    spells_open: bool,
    status: watch::Sender<Status>,
    http: http::Http,
    http_calls: FuturesUnordered<http::InFlight>,
    ws: ws::Ws,
    config: Config,
    stop_deadline: Option<tokio::time::Instant>,
    fatal: Option<FatalError>,
    narrator: Narrator,
}

/// The channels a running service is built from.
pub(crate) struct Wiring<S: Service> {
    pub(crate) moobius: Moobius,
    pub(crate) commands: mpsc::Receiver<Command>,
    pub(crate) spells: mpsc::Receiver<S::Spell>,
    pub(crate) status: watch::Sender<Status>,
}

/// Handles and loop ends for a new service: `(moobius, spell sender, wiring)`.
pub(crate) fn wire<S: Service>(config: &Config) -> (Moobius, mpsc::Sender<S::Spell>, Wiring<S>) {
    let (cmd_tx, cmd_rx) = mpsc::channel(config.options.command_queue.max(1));
    let (spell_tx, spell_rx) = mpsc::channel(config.options.command_queue.max(1));
    let (status_tx, status_rx) = watch::channel(Status::default());
    let mode = moobius_runtime::Mode::of(&config.session.role);
    let moobius = Moobius::new(
        cmd_tx,
        status_rx,
        mode,
        config.db_config.clone(),
        config.session.email.clone(),
        config.session.password.clone(),
    );
    let wiring = Wiring {
        moobius: moobius.clone(),
        commands: cmd_rx,
        spells: spell_rx,
        status: status_tx,
    };
    (moobius, spell_tx, wiring)
}

/// Waits for an optional future; pending forever when there is none.
async fn maybe<F: Future + Unpin>(f: &mut Option<F>) -> F::Output {
    match f.as_mut() {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// The next frame of the open websocket; pending forever when none is open.
async fn next_frame<St: futures_util::Stream + Unpin>(reader: &mut Option<St>) -> Option<St::Item> {
    match reader.as_mut() {
        Some(r) => r.next().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl<S: Service> Driver<S> {
    pub(crate) fn new(config: Config, service: S, wiring: Wiring<S>) -> Result<Self, Error> {
        let narrator = Narrator::start(&config)?;
        let seed = config.options.seed.unwrap_or_else(random_seed);
        let session = Session::new(config.session.clone(), Instant::now(), seed);
        // One TLS configuration (explicit provider, configured roots) for
        // the websocket and HTTP.
        let tls = config.options.tls.rustls_client_config()?;
        Ok(Self {
            session,
            moobius: wiring.moobius,
            service: Some(service),
            running: None,
            queue: VecDeque::new(),
            ops: InFlight::default(),
            commands: wiring.commands,
            spells: wiring.spells,
            spells_open: true,
            status: wiring.status,
            http: http::Http::new(&config, &tls)?,
            http_calls: FuturesUnordered::new(),
            ws: ws::Ws::new(
                ws::websocket_config(config.session.inbound_frame_limit(), &config.options),
                tls,
            ),
            config,
            stop_deadline: None,
            fatal: None,
            narrator,
        })
    }

    /// The span every line of this service is logged in.
    pub(crate) fn span(&self) -> tracing::Span {
        self.narrator.span().clone()
    }

    /// Runs until stopped or a fatal error; `Err` carries the fatal error.
    pub(crate) async fn run(mut self) -> Result<(), Error> {
        self.drain();
        // One timer for the session's next timeout, moved when it changes
        // (not made anew every turn: that registers and removes a timer
        // entry per turn, several per message).
        let timer = tokio::time::sleep_until(tokio::time::Instant::now());
        tokio::pin!(timer);
        let mut armed: Option<tokio::time::Instant> = None;
        loop {
            self.start_next_callback();
            if self.stop_deadline.is_some() && self.running.is_none() {
                break;
            }
            let timeout = self
                .session
                .poll_timeout()
                .map(tokio::time::Instant::from_std);
            if timeout != armed {
                if let Some(at) = timeout {
                    timer.as_mut().reset(at);
                }
                armed = timeout;
            }
            // Backpressure: the socket is not read while the service is
            // behind, nor while the session has as many frames waiting for
            // group lookups as it takes (`Session::wants_ws_read`); an HTTP
            // answer or a timer below makes room again.
            let reading = self.queue.len() < MAX_QUEUED_DELIVERIES && self.session.wants_ws_read();
            tokio::select! {
                done = maybe(&mut self.running) => self.callback_done(done),
                Some(cmd) = self.commands.recv() => self.on_command(cmd),
                Some((id, result)) = self.http_calls.next(), if !self.http_calls.is_empty() => {
                    self.session.handle_http_response(Instant::now(), id, result);
                }
                opened = maybe(&mut self.ws.connecting) => self.ws.on_connected(opened, &mut self.session),
                frame = next_frame(&mut self.ws.reader), if reading => self.ws.on_frame(frame, &mut self.session),
                failed = self.ws.failures.recv() => self.ws.on_write_failed(failed, &mut self.session),
                spell = self.spells.recv(), if self.spells_open => match spell {
                    Some(spell) => self.queue.push_back(Delivery::Spell(spell)),
                    None => self.spells_open = false,
                },
                () = &mut timer, if armed.is_some() => {
                    armed = None;
                    self.session.handle_timeout(Instant::now());
                }
                () = sleep_until(self.stop_deadline) => {
                    tracing::warn!("a callback did not finish within the stop grace period; stopping anyway");
                    break;
                }
            }
            self.drain();
        }
        self.finish().await
    }

    /// Acts on every output of the session.
    fn drain(&mut self) {
        while let Some(out) = self.session.poll_output() {
            match out {
                Output::WsConnect { uri } => self.ws.connect(uri),
                Output::WsSend(text) => self.ws.send(text),
                Output::WsClose { reason } => self.ws.close(&reason),
                Output::Http { id, request } => self.http_calls.push(self.http.start(id, request)),
                Output::Event(event) => self.on_event(event),
            }
        }
        self.publish_status();
    }

    fn publish_status(&self) {
        self.status.send_if_modified(|st| st.update(&self.session));
    }

    fn on_event(&mut self, event: Event) {
        self.narrator.on_event(&event, &self.session);
        match event {
            Event::OpDone { op, result } => {
                // What the caller reads next (e.g. `channels()` after
                // `create_channel`) must already be up to date.
                self.publish_status();
                self.ops.finish(op, result);
            }
            Event::ServiceCreated(id) => self.config.save_service_id(&id),
            Event::Fatal(e) => {
                self.fatal = Some(e);
                self.begin_stop();
            }
            Event::ChannelDropped { .. }
            | Event::ChannelTakeover { .. }
            | Event::Connection(_)
            | Event::PlatformError(_)
            | Event::UndecodableFrame(_) => {}
            other => {
                if self.stop_deadline.is_none() {
                    self.queue.push_back(Delivery::Event(other));
                }
            }
        }
    }

    fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Op(request) => self.ops.start(&mut self.session, request),
            Command::Stop => self.begin_stop(),
        }
    }

    fn begin_stop(&mut self) {
        if self.stop_deadline.is_some() {
            return;
        }
        tracing::info!(dropped_events = self.queue.len(), "service stopping");
        self.stop_deadline = Some(tokio::time::Instant::now() + STOP_GRACE);
        self.queue.clear();
        self.session.close(Instant::now());
    }

    fn start_next_callback(&mut self) {
        if self.running.is_some() || self.queue.is_empty() {
            return;
        }
        let (Some(service), Some(delivery)) = (self.service.take(), self.queue.pop_front()) else {
            return;
        };
        self.running = Some(dispatch::start(service, self.moobius.clone(), delivery));
    }

    fn callback_done(&mut self, done: Finished<S>) {
        self.running = None;
        match done.outcome {
            Ok(Ok(())) => self.narrator.callback_done(done.callback, None),
            Ok(Err(e)) => self.narrator.callback_done(done.callback, Some(e.as_ref())),
            Err(panic) => tracing::error!(
                callback = done.callback,
                panic = moobius_runtime::panic_message(panic.as_ref()),
                "callback panicked; going on with the next event"
            ),
        }
        self.service = Some(done.service);
    }

    async fn finish(mut self) -> Result<(), Error> {
        self.session.close(Instant::now());
        self.drain();
        self.ws.shutdown().await;
        self.ops.stop_all();
        self.status.send_modify(|st| st.stopped = true);
        tracing::info!("service stopped");
        match self.fatal {
            Some(e) => Err(Error::Fatal(e)),
            None => Ok(()),
        }
    }
}
