//! The loop's state and one turn of it: the [`Session`], its websocket and
//! HTTP client, the commands waiting for it, the results owed to callers,
//! and the events waiting for the application.
//!
//! A turn (`Core::turn`) takes the queued commands, acts on every output of
//! the session (HTTP inline: the request is made and answered before the
//! next output), and then waits for one input: a frame (a read with
//! `set_read_timeout(deadline - now)`), or, with no socket open, a command;
//! and runs the session's timers when they are due.

use crate::clock::unix_ms;
use crate::http::HttpClient;
use crate::options::Options;
use crate::ws::{tls_config, Read, WsConn};
use crate::Error;
use moobius_proto::ids::ServiceId;
use moobius_proto::session::{
    CloseReason, CommandError, ConnectionEvent, Event, FatalError, OpId, OpOutput, Output, Session,
    SessionConfig,
};
use rustls::ClientConfig;
use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Starts an operation on the session: `(session, now, unix_ms)`.
pub(crate) type StartOp =
    Box<dyn FnOnce(&mut Session, Instant, i64) -> Result<OpId, CommandError> + Send>;

/// Where an operation's result goes.
pub(crate) type Reply = SyncSender<Result<OpOutput, Error>>;

/// Called with the id of a service created at start (config write-back).
pub(crate) type ServiceCreatedHook = Box<dyn FnMut(&ServiceId) + Send>;

/// What a [`Moobius`](crate::Moobius) handle asks of the loop.
pub(crate) enum Command {
    /// Start an operation; its result goes to `reply`.
    Op { start: StartOp, reply: Reply },
    /// Deliver a spell to the bot, in order with the events.
    Spell(Box<dyn Any + Send>),
}

/// Something waiting for the application, in arrival order.
pub(crate) enum Pending {
    /// A session event.
    Event(Event),
    /// A spell for [`Bot::on_spell`](crate::Bot::on_spell).
    Spell(Box<dyn Any + Send>),
}

/// Frames taken per turn without waiting, before the turn goes on.
const MAX_BURST: usize = 64;

/// Events waiting for the application beyond which frames are only read
/// when the loop has to wait anyway (memory stays bounded while nobody
/// takes events; the kernel buffers the rest).
const MAX_PENDING: usize = 4096;

/// The longest single wait when nothing at all is scheduled (a safety net:
/// an open socket always has the session's liveness timer).
const IDLE_WAIT: Duration = Duration::from_secs(1);

pub(crate) struct Core {
    session: Session,
    ws: Option<WsConn>,
    tls: Option<Arc<ClientConfig>>,
    http: HttpClient,
    options: Options,
    commands: Receiver<Command>,
    waiters: HashMap<OpId, Reply>,
    /// Results to hand out once the status handles read is up to date.
    answers: Vec<(Reply, Result<OpOutput, Error>)>,
    pub(crate) pending: VecDeque<Pending>,
    on_service_created: Option<ServiceCreatedHook>,
    /// The session is closed (stopped, or failed with `fatal`).
    ended: bool,
    fatal: Option<FatalError>,
}

impl Core {
    pub(crate) fn new(
        session: SessionConfig,
        options: Options,
        commands: Receiver<Command>,
        on_service_created: Option<ServiceCreatedHook>,
    ) -> Self {
        let seed = options.seed.unwrap_or_else(crate::clock::random_seed);
        Self {
            session: Session::new(session, Instant::now(), seed),
            ws: None,
            tls: None,
            http: HttpClient::new(options.http_timeout, options.max_response_bytes),
            options,
            commands,
            waiters: HashMap::new(),
            answers: Vec::new(),
            pending: VecDeque::new(),
            on_service_created,
            ended: false,
            fatal: None,
        }
    }

    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    pub(crate) fn ended(&self) -> bool {
        self.ended
    }

    pub(crate) fn fatal(&self) -> Option<&FatalError> {
        self.fatal.as_ref()
    }

    /// Everything that can be done without waiting: queued commands, then
    /// every output of the session.
    pub(crate) fn settle(&mut self) {
        while let Ok(cmd) = self.commands.try_recv() {
            self.apply(cmd);
        }
        self.flush();
    }

    /// Takes the frames that are already here, without waiting (at most
    /// [`MAX_BURST`], and none while [`MAX_PENDING`] events wait for the
    /// application), and runs the timers that are due: so a caller that
    /// only sends still notices acknowledgements, refusals and a closed
    /// socket at once, and heartbeats go out on time.
    pub(crate) fn poll_inbound(&mut self) {
        for _ in 0..MAX_BURST {
            // Backpressure: the session's (frames waiting for group
            // lookups, `Session::wants_ws_read`) and the application's.
            if self.pending.len() >= MAX_PENDING || !self.session.wants_ws_read() {
                break;
            }
            let Some(ws) = self.ws.as_mut() else {
                break;
            };
            match ws.read_ready() {
                Read::Text(text) => self.session.handle_ws_text(Instant::now(), &text),
                Read::Idle => break,
                Read::Closed(reason) => self.lost(reason),
            }
            self.flush();
        }
        let now = Instant::now();
        if self.session.poll_timeout().is_some_and(|t| t <= now) {
            self.session.handle_timeout(now);
            self.flush();
        }
    }

    /// Closes the session: the socket is closed, pending operations fail,
    /// events not yet delivered are dropped.
    pub(crate) fn stop(&mut self) {
        if self.ended {
            return;
        }
        tracing::info!(dropped_events = self.pending.len(), "stopping");
        self.ended = true;
        self.session.close(Instant::now());
        self.flush();
        self.pending.clear();
        self.release_waiters();
    }

    /// Waits for one input, at most until `cap`, then runs due timers.
    pub(crate) fn wait(&mut self, cap: Option<Instant>) {
        let now = Instant::now();
        let timer = self.session.poll_timeout();
        let until = match (timer, cap) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(now + IDLE_WAIT),
        };
        let wait = until.saturating_duration_since(now);
        // While the session takes no frames (`Session::wants_ws_read`), the
        // socket is left unread and the wait is for a command or a timer.
        let reading = self.session.wants_ws_read();
        match self.ws.as_mut().filter(|_| reading) {
            Some(ws) => match ws.read(wait) {
                Read::Text(text) => self.session.handle_ws_text(Instant::now(), &text),
                Read::Idle => {}
                Read::Closed(reason) => self.lost(reason),
            },
            None => match self.commands.recv_timeout(wait) {
                Ok(cmd) => self.apply(cmd),
                Err(RecvTimeoutError::Timeout) => {}
                // No handle left to send commands: wait for the timer anyway.
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
            },
        }
        let now = Instant::now();
        if self.session.poll_timeout().is_some_and(|t| t <= now) {
            self.session.handle_timeout(now);
        }
    }

    fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::Op { start, reply } if self.ended => {
                drop(start);
                let _ = reply.try_send(Err(Error::Stopped));
            }
            Command::Op { start, reply } => {
                match start(&mut self.session, Instant::now(), unix_ms()) {
                    Ok(op) => {
                        self.waiters.insert(op, reply);
                    }
                    Err(e) => {
                        let _ = reply.try_send(Err(Error::Command(e)));
                    }
                }
            }
            Command::Spell(_) if self.ended => {}
            Command::Spell(spell) => self.pending.push_back(Pending::Spell(spell)),
        }
    }

    /// Acts on every output, in order.
    fn flush(&mut self) {
        while let Some(out) = self.session.poll_output() {
            match out {
                Output::WsConnect { uri } => self.open(&uri),
                Output::WsSend(text) => self.write(text),
                Output::WsClose { reason } => {
                    if let Some(ws) = self.ws.take() {
                        tracing::debug!(%reason, "closing the websocket");
                        ws.close(&reason);
                    }
                }
                Output::Http { id, request } => {
                    let answer = self.http.perform(request);
                    self.session
                        .handle_http_response(Instant::now(), id, answer);
                }
                Output::Event(event) => self.route(event),
            }
        }
    }

    fn open(&mut self, uri: &str) {
        self.ws = None;
        let tls = match &self.tls {
            Some(tls) => Ok(tls.clone()),
            None => tls_config().inspect(|tls| self.tls = Some(tls.clone())),
        };
        let opened = tls.and_then(|tls| {
            WsConn::connect(
                uri,
                self.options.connect_timeout,
                self.options.write_timeout,
                &tls,
            )
        });
        match opened {
            Ok(ws) => {
                tracing::debug!(%uri, "websocket open");
                self.ws = Some(ws);
                self.session.handle_ws_opened(Instant::now());
            }
            Err(e) => {
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
            tracing::debug!("frame not written: no socket");
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

    fn route(&mut self, event: Event) {
        match event {
            Event::OpDone { op, result } => match self.waiters.remove(&op) {
                Some(reply) => self.answers.push((reply, result.map_err(Error::Op))),
                None => tracing::debug!(%op, "result of an abandoned operation dropped"),
            },
            Event::Fatal(e) => {
                tracing::error!(error = %e, "session failed");
                self.ended = true;
                self.fatal = Some(e.clone());
                self.pending.push_back(Pending::Event(Event::Fatal(e)));
                self.release_waiters();
            }
            other => {
                log_event(&other);
                if let (Event::ServiceCreated(id), Some(hook)) =
                    (&other, self.on_service_created.as_mut())
                {
                    hook(id);
                }
                self.pending.push_back(Pending::Event(other));
            }
        }
    }

    /// Hands the finished operations' results to their callers (after the
    /// status was published, so that a caller sees what its operation
    /// changed, e.g. a new channel).
    pub(crate) fn answer(&mut self) {
        for (reply, result) in self.answers.drain(..) {
            let _ = reply.try_send(result);
        }
    }

    /// Answers every caller still waiting: the session will not.
    fn release_waiters(&mut self) {
        self.answer();
        for (_, reply) in self.waiters.drain() {
            let _ = reply.try_send(Err(Error::Stopped));
        }
        while let Ok(cmd) = self.commands.try_recv() {
            self.apply(cmd);
        }
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        if let Some(ws) = self.ws.take() {
            ws.close("client dropped");
        }
    }
}

/// The log line of an event the application may not handle itself.
fn log_event(event: &Event) {
    match event {
        Event::ServiceCreated(id) => tracing::info!(service_id = %id, "service created"),
        Event::ChannelDropped { channel_id, reason } => {
            tracing::warn!(%channel_id, %reason, "channel not used");
        }
        Event::Ready => tracing::info!("ready"),
        Event::PlatformError(message) => tracing::warn!(%message, "platform error frame"),
        Event::UndecodableFrame(error) => tracing::warn!(%error, "undecodable frame dropped"),
        Event::GroupUnresolved(u) => tracing::warn!(
            channel_id = %u.channel_id, group_id = %u.group_id, error = %u.error,
            "group members unknown; the event naming it is delivered without them"
        ),
        Event::Connection(ConnectionEvent::Disconnected(reason)) => {
            tracing::warn!(?reason, "websocket disconnected");
        }
        Event::Connection(ConnectionEvent::Reconnecting { attempt, at }) => {
            let in_ms = at.saturating_duration_since(Instant::now()).as_millis();
            tracing::info!(attempt, in_ms = in_ms as u64, "reconnecting");
        }
        Event::Connection(ConnectionEvent::Reconnected) => tracing::info!("reconnected"),
        _ => {}
    }
}
