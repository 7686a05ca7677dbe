//! The loop: one thread owns the [`Session`] and its websocket, like the
//! tokio driver's task. Each turn it takes the handles' commands and
//! spells, acts on every output of the session (HTTP inline), hands events
//! to the application in arrival order over a bounded channel, and waits
//! for one input: a frame (a read with `set_read_timeout` up to the
//! session's next timeout, cut into `Options::command_poll` slices so that
//! commands are seen), or, with no socket, a command.
//!
//! Callbacks never run on this thread, so a callback may call any
//! [`Moobius`](crate::Moobius) method: the call is a command to this loop
//! and an answer back, never a lock.

use crate::http::HttpClient;
use crate::ws::{Limits, Read, WsConn};
use crate::Config;
use moobius_proto::session::{CloseReason, Event, FatalError, Output, Session};
use moobius_runtime::pending::{InFlight, OpRequest};
use moobius_runtime::{random_seed, Narrator, Status};
use rustls::ClientConfig;
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// What a [`Moobius`](crate::Moobius) handle asks of the loop.
pub(crate) enum Command {
    /// Start an operation; its request answers the caller.
    Op(OpRequest),
    /// Stop: close the socket, fail pending calls, end the deliveries.
    Stop,
}

/// Something for the application, in arrival order.
pub(crate) enum Delivery<Sp> {
    /// A session event (callback-ready).
    Event(Event),
    /// A spell for `Bot::on_spell`.
    Spell(Sp),
}

/// What handles read without asking the loop.
#[derive(Default)]
pub(crate) struct Shared {
    status: Mutex<Status>,
    changed: Condvar,
    fatal: Mutex<Option<FatalError>>,
}

impl Shared {
    pub(crate) fn status(&self) -> MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn fatal(&self) -> Option<FatalError> {
        self.fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until `check` holds, at most `timeout`; whether it holds.
    pub(crate) fn wait_for(&self, timeout: Duration, check: impl Fn(&Status) -> bool) -> bool {
        let guard = self.status();
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| !check(s))
            .unwrap_or_else(PoisonError::into_inner);
        check(&guard)
    }

    fn update(&self, f: impl FnOnce(&mut Status) -> bool) {
        if f(&mut self.status()) {
            self.changed.notify_all();
        }
    }
}

/// The longest single wait when nothing is scheduled (an open socket
/// always has the session's liveness timer).
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// Frames read per turn without waiting before the turn goes on.
const MAX_BURST: usize = 64;

pub(crate) struct Loop<Sp> {
    session: Session,
    ws: Option<WsConn>,
    tls: Arc<ClientConfig>,
    http: HttpClient,
    config: Config,
    commands: Receiver<Command>,
    spells: Receiver<Sp>,
    ops: InFlight,
    deliveries: SyncSender<Delivery<Sp>>,
    /// Deliveries the application has no room for yet; while any wait,
    /// the socket is not read (the kernel buffers it).
    backlog: VecDeque<Delivery<Sp>>,
    shared: Arc<Shared>,
    ended: bool,
    narrator: Narrator,
}

impl<Sp: Send + 'static> Loop<Sp> {
    pub(crate) fn new(
        config: Config,
        commands: Receiver<Command>,
        spells: Receiver<Sp>,
        deliveries: SyncSender<Delivery<Sp>>,
        shared: Arc<Shared>,
        narrator: Narrator,
        (tls, http): (Arc<ClientConfig>, HttpClient),
    ) -> Self {
        let o = &config.options;
        let seed = o.seed.unwrap_or_else(random_seed);
        Self {
            session: Session::new(config.session.clone(), Instant::now(), seed),
            ws: None,
            tls,
            http,
            commands,
            spells,
            ops: InFlight::default(),
            deliveries,
            backlog: VecDeque::new(),
            shared,
            ended: false,
            config,
            narrator,
        }
    }

    /// Runs until stopped, failed, or every handle and the application
    /// are gone.
    pub(crate) fn run(mut self) {
        while !self.ended {
            self.take_commands();
            self.flush();
            self.deliver();
            if self.ended {
                break;
            }
            self.wait();
        }
        self.finish();
    }

    fn take_commands(&mut self) {
        loop {
            match self.commands.try_recv() {
                Ok(cmd) => self.apply(cmd),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return self.stop(),
            }
        }
        while let Ok(spell) = self.spells.try_recv() {
            self.backlog.push_back(Delivery::Spell(spell));
        }
    }

    fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::Op(request) if self.ended => request.refuse(),
            Command::Op(request) => self.ops.start(&mut self.session, request),
            Command::Stop => self.stop(),
        }
    }

    fn stop(&mut self) {
        if !self.ended {
            tracing::info!(dropped_events = self.backlog.len(), "client stopping");
            self.ended = true;
            self.backlog.clear();
            self.session.close(Instant::now());
        }
    }

    /// Acts on every output of the session, in order.
    fn flush(&mut self) {
        while let Some(out) = self.session.poll_output() {
            match out {
                Output::WsConnect { uri } => self.open(&uri),
                Output::WsSend(text) => self.write(text),
                Output::WsClose { reason } => {
                    if let Some(ws) = self.ws.take() {
                        ws.close(&reason);
                    }
                }
                Output::Http { id, request } => {
                    let answer = self.http.perform(request);
                    self.session
                        .handle_http_response(Instant::now(), id, answer);
                }
                Output::Event(event) => self.on_event(event),
                _ => tracing::warn!("a session output this driver does not know; ignored"),
            }
        }
        self.publish();
    }

    fn on_event(&mut self, event: Event) {
        self.narrator.on_event(&event, &self.session);
        match event {
            Event::OpDone { op, result } => {
                // What the caller reads next (e.g. `channels()` after
                // `create_channel`) must already be up to date.
                self.publish();
                self.ops.finish(op, result);
            }
            Event::ServiceCreated(ref id) => {
                self.config.save_service_id(id);
                self.backlog.push_back(Delivery::Event(event));
            }
            Event::Fatal(ref e) => {
                *self
                    .shared
                    .fatal
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(e.clone());
                self.stop();
                self.backlog.push_back(Delivery::Event(event));
            }
            other if !self.ended => self.backlog.push_back(Delivery::Event(other)),
            _ => {}
        }
    }

    fn publish(&self) {
        self.shared.update(|st| st.update(&self.session));
    }

    /// Hands waiting deliveries to the application while it has room.
    fn deliver(&mut self) {
        while let Some(d) = self.backlog.pop_front() {
            match self.deliveries.try_send(d) {
                Ok(()) => {}
                Err(TrySendError::Full(d)) => {
                    self.backlog.push_front(d);
                    break;
                }
                Err(TrySendError::Disconnected(_)) => return self.stop(),
            }
        }
    }

    /// Waits for one input (at most a command slice), then runs due timers.
    fn wait(&mut self) {
        let now = Instant::now();
        let timer = self.session.poll_timeout().unwrap_or(now + IDLE_WAIT);
        let slice = now + self.config.options.command_poll;
        let wait = timer.min(slice).saturating_duration_since(now);
        // Backpressure: the socket is left unread while the bot is behind, or
        // while the session holds as many frames waiting for group lookups
        // as it takes (`Session::wants_ws_read`); the wait is then for a
        // command or a timer, which make room again.
        let reading = self.backlog.is_empty() && self.session.wants_ws_read();
        match self.ws.as_mut() {
            Some(ws) if reading => {
                let first = ws.read(wait);
                self.on_read(first);
                for _ in 1..MAX_BURST {
                    if !self.session.wants_ws_read() {
                        break;
                    }
                    let Some(ws) = self.ws.as_mut() else { break };
                    match ws.read_ready() {
                        Read::Idle => break,
                        more => self.on_read(more),
                    }
                }
            }
            _ => match self.commands.recv_timeout(wait) {
                Ok(cmd) => self.apply(cmd),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.stop(),
            },
        }
        let now = Instant::now();
        if self.session.poll_timeout().is_some_and(|t| t <= now) {
            self.session.handle_timeout(now);
        }
    }

    fn on_read(&mut self, read: Read) {
        match read {
            Read::Text(text) => self.session.handle_ws_text(Instant::now(), &text),
            Read::Idle => {}
            Read::Closed(reason) => self.lost(reason),
        }
        self.flush();
    }

    fn open(&mut self, uri: &str) {
        self.ws = None;
        let limits = Limits {
            connect: self.config.options.connect_timeout,
            write: self.config.options.write_timeout,
            frame_bytes: self.config.session.inbound_frame_limit(),
        };
        match WsConn::connect(uri, &limits, &self.tls) {
            Ok(ws) => {
                tracing::debug!(%uri, "websocket open");
                self.ws = Some(ws);
                self.session.handle_ws_opened(Instant::now());
            }
            Err(e) => {
                let e = moobius_runtime::explain::with_hint(uri, &e);
                tracing::debug!(%uri, error = %e, "websocket connect failed");
                self.session
                    .handle_ws_closed(Instant::now(), CloseReason::ConnectFailed(e));
            }
        }
    }

    fn write(&mut self, text: String) {
        let Some(ws) = self.ws.as_mut() else {
            // The socket failed after the session queued this frame; the
            // session sends unacknowledged frames again after reconnecting.
            return;
        };
        if let Err(reason) = ws.send(text) {
            self.lost(reason);
        }
    }

    fn lost(&mut self, reason: CloseReason) {
        self.ws = None;
        self.session.handle_ws_closed(Instant::now(), reason);
    }

    /// Fails what is pending, delivers the last events (the fatal error),
    /// and tells handles the loop is gone.
    fn finish(mut self) {
        self.session.close(Instant::now());
        self.flush();
        self.ops.stop_all();
        while let Ok(cmd) = self.commands.try_recv() {
            self.apply(cmd);
        }
        for d in std::mem::take(&mut self.backlog) {
            // The application may be gone; a full channel loses nothing
            // that matters after a stop but the fatal error's copy, which
            // handles also read from `Shared`.
            let _ = self.deliveries.try_send(d);
        }
        if let Some(ws) = self.ws.take() {
            ws.close("client stopped");
        }
        self.shared.update(|st| {
            st.stopped = true;
            true
        });
        tracing::info!("client stopped");
    }
}

/// Events waiting for the application beyond which the loop stops reading
/// the socket (memory stays bounded while nobody takes events).
const MAX_PENDING: usize = 4096;

/// A started loop: the handle, the application's end of the deliveries,
/// the spell sender, and the loop's thread.
pub(crate) struct Started<Sp> {
    pub(crate) moobius: crate::Moobius,
    pub(crate) deliveries: Receiver<Delivery<Sp>>,
    pub(crate) spells: SyncSender<Sp>,
    pub(crate) thread: std::thread::JoinHandle<()>,
    /// The span of this service's log lines (the bot's thread enters it too).
    pub(crate) span: tracing::Span,
}

/// The TLS configuration of `wss://` and the HTTP client, both trusting the
/// roots `config` names (`moobius_runtime::tls`; a CA file that cannot be
/// read stops the start).
fn transports(config: &Config) -> Result<(Arc<ClientConfig>, HttpClient), crate::Error> {
    let o = &config.options;
    let roots = o.tls.root_certificates()?;
    let tls = moobius_runtime::tls::client_config(roots.clone())?;
    Ok((
        tls,
        HttpClient::new(o.http_timeout, o.max_response_bytes, &roots),
    ))
}

/// Starts the loop for `config` on a thread of its own.
pub(crate) fn start<Sp: Send + 'static>(config: Config) -> Result<Started<Sp>, crate::Error> {
    let (commands, command_rx) = std::sync::mpsc::channel();
    let (spells, spell_rx) = std::sync::mpsc::sync_channel(config.options.command_queue.max(1));
    let (delivery_tx, deliveries) = std::sync::mpsc::sync_channel(MAX_PENDING);
    let shared = Arc::new(Shared::default());
    let narrator = Narrator::start(&config)?;
    let span = narrator.span().clone();
    let moobius = crate::Moobius::new(commands, shared.clone(), &config);
    let transports = transports(&config)?;
    let driver = Loop::new(
        config,
        command_rx,
        spell_rx,
        delivery_tx,
        shared,
        narrator,
        transports,
    );
    let loop_span = span.clone();
    let thread = std::thread::Builder::new()
        .name("moobius-loop".into())
        .spawn(move || loop_span.in_scope(|| driver.run()))
        .map_err(|e| crate::Error::TaskFailed(e.to_string()))?;
    Ok(Started {
        moobius,
        deliveries,
        spells,
        thread,
        span,
    })
}
