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

use crate::config::Config;
use crate::{Error, Moobius, Service};
use dispatch::{Delivery, Finished, RunningCallback};
use futures_util::stream::FuturesUnordered;
use futures_util::StreamExt;
use moobius_proto::ids::ChannelId;
use moobius_proto::session::{
    CommandError, ConnectionEvent, Event, FatalError, OpId, OpOutput, Output, Session,
};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot, watch};

/// Starts an operation on the session: `(session, now, unix_ms)`.
pub(crate) type StartOp =
    Box<dyn FnOnce(&mut Session, Instant, i64) -> Result<OpId, CommandError> + Send>;

/// What a [`Moobius`] handle asks of the loop.
pub(crate) enum Command {
    /// Start an operation and answer when it is done.
    Op {
        start: StartOp,
        reply: oneshot::Sender<Result<OpOutput, Error>>,
    },
    /// Stop gracefully.
    Stop,
}

/// What handles can read without asking the loop.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Status {
    pub(crate) ready: bool,
    pub(crate) stopped: bool,
    pub(crate) own_id: Option<String>,
    pub(crate) channels: Vec<ChannelId>,
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
    pending: HashMap<OpId, oneshot::Sender<Result<OpOutput, Error>>>,
    commands: mpsc::Receiver<Command>,
    spells: mpsc::Receiver<S::Spell>,
    spells_open: bool,
    status: watch::Sender<Status>,
    http: http::Http,
    in_flight: FuturesUnordered<http::InFlight>,
    ws: ws::Ws,
    config: Config,
    stop_deadline: Option<tokio::time::Instant>,
    fatal: Option<FatalError>,
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
    let (cmd_tx, cmd_rx) = mpsc::channel(config.command_queue.max(1));
    let (spell_tx, spell_rx) = mpsc::channel(config.command_queue.max(1));
    let (status_tx, status_rx) = watch::channel(Status::default());
    let mode = match config.session.role {
        moobius_proto::session::Role::Service { .. } => crate::Mode::Service,
        _ => crate::Mode::User,
    };
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

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// 32 bytes from the OS-seeded hasher keys, the clock and a counter.
fn random_seed() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut seed = [0u8; 32];
    for (i, chunk) in seed.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_usize(i);
        h.write_i64(unix_ms());
        h.write_u128(Instant::now().elapsed().as_nanos());
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    seed
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
        let session = Session::new(config.session.clone(), Instant::now(), random_seed());
        Ok(Self {
            session,
            moobius: wiring.moobius,
            service: Some(service),
            running: None,
            queue: VecDeque::new(),
            pending: HashMap::new(),
            commands: wiring.commands,
            spells: wiring.spells,
            spells_open: true,
            status: wiring.status,
            http: http::Http::new(&config)?,
            in_flight: FuturesUnordered::new(),
            ws: ws::Ws::new(config.session.max_frame_bytes),
            config,
            stop_deadline: None,
            fatal: None,
        })
    }

    /// Runs until stopped or a fatal error; `Err` carries the fatal error.
    pub(crate) async fn run(mut self) -> Result<(), Error> {
        tracing::info!(mode = ?self.moobius.mode(), "service starting");
        self.drain();
        loop {
            self.start_next_callback();
            if self.stop_deadline.is_some() && self.running.is_none() {
                break;
            }
            let timeout = self
                .session
                .poll_timeout()
                .map(tokio::time::Instant::from_std);
            // Backpressure: the socket is not read while the service is
            // behind, nor while the session has as many frames waiting for
            // group lookups as it takes (`Session::wants_ws_read`); an HTTP
            // answer or a timer below makes room again.
            let reading = self.queue.len() < MAX_QUEUED_DELIVERIES && self.session.wants_ws_read();
            tokio::select! {
                done = maybe(&mut self.running) => self.callback_done(done),
                Some(cmd) = self.commands.recv() => self.on_command(cmd),
                Some((id, result)) = self.in_flight.next(), if !self.in_flight.is_empty() => {
                    self.session.handle_http_response(Instant::now(), id, result);
                }
                opened = maybe(&mut self.ws.connecting) => self.ws.on_connected(opened, &mut self.session),
                frame = next_frame(&mut self.ws.reader), if reading => self.ws.on_frame(frame, &mut self.session),
                failed = self.ws.failures.recv() => self.ws.on_write_failed(failed, &mut self.session),
                spell = self.spells.recv(), if self.spells_open => match spell {
                    Some(spell) => self.queue.push_back(Delivery::Spell(spell)),
                    None => self.spells_open = false,
                },
                () = sleep_until(timeout) => self.session.handle_timeout(Instant::now()),
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
                Output::Http { id, request } => self.in_flight.push(self.http.start(id, request)),
                Output::Event(event) => self.on_event(event),
            }
        }
        self.publish_status();
    }

    fn publish_status(&self) {
        let s = &self.session;
        self.status.send_if_modified(|st| {
            let own = s.own_id();
            let changed = st.ready != s.is_ready()
                || st.own_id.as_deref() != own
                || st.channels.as_slice() != s.channels();
            if changed {
                st.ready = s.is_ready();
                st.own_id = own.map(str::to_owned);
                st.channels = s.channels().to_vec();
            }
            changed
        });
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::OpDone { op, result } => {
                if let Some(reply) = self.pending.remove(&op) {
                    // What the caller reads next (e.g. `channels()` after
                    // `create_channel`) must already be up to date.
                    self.publish_status();
                    let _ = reply.send(result.map_err(Error::Op));
                }
            }
            Event::ServiceCreated(id) => {
                tracing::info!(service_id = %id, "service created");
                if let Some(file) = &self.config.service_id_file {
                    match crate::config::write_service_id(file, id.as_str()) {
                        Ok(()) => tracing::info!(path = %file.path.display(), "service id saved"),
                        Err(e) => tracing::warn!(error = %e, "could not save the new service id"),
                    }
                } else if !self.config.no_warn_cannot_save_service_id {
                    tracing::warn!(service_id = %id, "the new service id is not saved anywhere: put it in the configuration to reuse this service");
                }
            }
            Event::ChannelDropped { channel_id, reason } => {
                tracing::warn!(%channel_id, %reason, "channel not used");
            }
            Event::Connection(c) => log_connection(&c),
            Event::PlatformError(message) => tracing::warn!(%message, "platform error frame"),
            Event::UndecodableFrame(error) => tracing::warn!(%error, "undecodable frame dropped"),
            // The next event is delivered with this group's members left out.
            Event::GroupUnresolved(u) => tracing::warn!(
                channel_id = %u.channel_id, group_id = %u.group_id, error = %u.error,
                "group members unknown; the event naming it is delivered without them"
            ),
            Event::Fatal(e) => {
                tracing::error!(error = %e, "session failed");
                self.fatal = Some(e);
                self.begin_stop();
            }
            other => {
                if self.stop_deadline.is_none() {
                    self.queue.push_back(Delivery::Event(other));
                }
            }
        }
    }

    fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Op { start, reply } => {
                match start(&mut self.session, Instant::now(), unix_ms()) {
                    Ok(op) => {
                        self.pending.insert(op, reply);
                    }
                    Err(e) => {
                        let _ = reply.send(Err(Error::Command(e)));
                    }
                }
            }
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
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(callback = done.callback, error = %e, "callback failed"),
            Err(panic) => tracing::error!(
                callback = done.callback,
                panic = dispatch::panic_message(panic.as_ref()),
                "callback panicked; going on with the next event"
            ),
        }
        self.service = Some(done.service);
    }

    async fn finish(mut self) -> Result<(), Error> {
        self.session.close(Instant::now());
        self.drain();
        self.ws.shutdown().await;
        for (_, reply) in self.pending.drain() {
            let _ = reply.send(Err(Error::Stopped));
        }
        self.status.send_modify(|st| st.stopped = true);
        tracing::info!("service stopped");
        match self.fatal {
            Some(e) => Err(Error::Fatal(e)),
            None => Ok(()),
        }
    }
}

fn log_connection(c: &ConnectionEvent) {
    match c {
        ConnectionEvent::Disconnected(reason) => tracing::warn!(?reason, "websocket disconnected"),
        ConnectionEvent::Reconnecting { attempt, at } => tracing::info!(
            attempt,
            in_ms = at.saturating_duration_since(Instant::now()).as_millis() as u64,
            "reconnecting"
        ),
        ConnectionEvent::Reconnected => tracing::info!("reconnected"),
    }
}
