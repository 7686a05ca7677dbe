//! The loop's state and one turn of it: the [`Session`], its websocket and
//! HTTP client, the commands waiting for it, the results owed to callers,
//! and the events waiting for the application.
//!
//! A turn (`Core::turn`) takes the queued commands, acts on every output of
//! the session (HTTP inline: the request is made and answered before the
//! next output), and then waits for one input: a frame (a read with
//! `set_read_timeout(deadline - now)`), or, with no socket open, a command;
//! and runs the session's timers when they are due.

use crate::http::HttpClient;
use crate::ws::{tls_config, Read, WsConn};
use crate::{Config, Options};
use moobius_proto::session::{
    CloseReason, Event, FatalError, OpError, OpId, OpOutput, Output, Session,
};
use moobius_runtime::pending::{InFlight, OpRequest};
use moobius_runtime::{log_event, random_seed};
use rustls::ClientConfig;
use std::any::Any;
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a [`Moobius`](crate::Moobius) handle asks of the loop.
pub(crate) enum Command {
    /// Start an operation; its request answers the caller.
    Op(OpRequest),
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
    ops: InFlight,
    /// Results to hand out once the status handles read is up to date.
    answers: Vec<(OpId, Result<OpOutput, OpError>)>,
    pub(crate) pending: VecDeque<Pending>,
    /// For the service-id write-back.
    config: Config,
    /// The session is closed (stopped, or failed with `fatal`).
    ended: bool,
    fatal: Option<FatalError>,
}

impl Core {
    pub(crate) fn new(config: Config, commands: Receiver<Command>) -> Self {
        let options = config.options.clone();
        let seed = options.seed.unwrap_or_else(random_seed);
        Self {
            session: Session::new(config.session.clone(), Instant::now(), seed),
            ws: None,
            tls: None,
            http: HttpClient::new(options.http_timeout, options.max_response_bytes),
            options,
            commands,
            ops: InFlight::default(),
            answers: Vec::new(),
            pending: VecDeque::new(),
            config,
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
            if self.pending.len() >= MAX_PENDING {
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
        match self.ws.as_mut() {
            Some(ws) => match ws.read(wait) {
                Read::Text(text) => self.session.handle_ws_text(Instant::now(), &text),
                Read::Idle => {}
                Read::Closed(reason) => self.lost(reason),
            },
            None => match self.commands.recv_timeout(wait) {
                Ok(cmd) => self.apply(cmd),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
            },
        }
        let now = Instant::now();
        if self.session.poll_timeout().is_some_and(|t| t <= now) {
            self.session.handle_timeout(now);
        }
    }

    fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::Op(request) if self.ended => request.refuse(),
            Command::Op(request) => self.ops.start(&mut self.session, request),
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
            let limits = crate::ws::Limits {
                connect: self.options.connect_timeout,
                write: self.options.write_timeout,
                frame_bytes: self.config.session.inbound_frame_limit(),
            };
            WsConn::connect(uri, &limits, &tls)
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
        log_event(&event);
        match event {
            Event::OpDone { op, result } => self.answers.push((op, result)),
            Event::Fatal(e) => {
                self.ended = true;
                self.fatal = Some(e.clone());
                self.pending.push_back(Pending::Event(Event::Fatal(e)));
                self.release_waiters();
            }
            other => {
                if let Event::ServiceCreated(id) = &other {
                    self.config.save_service_id(id);
                }
                self.pending.push_back(Pending::Event(other));
            }
        }
    }

    /// Hands the finished operations' results to their callers (after the
    /// status was published, so that a caller sees what its operation
    /// changed, e.g. a new channel).
    pub(crate) fn answer(&mut self) {
        for (op, result) in std::mem::take(&mut self.answers) {
            self.ops.finish(op, result);
        }
    }

    /// Answers every caller still waiting: the session will not.
    fn release_waiters(&mut self) {
        self.answer();
        self.ops.stop_all();
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
