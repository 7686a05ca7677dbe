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
use crate::ws::{Limits, WsConn};
use crate::Config;
use moobius_proto::session::{CloseReason, FatalError, HttpId};
use moobius_runtime::engine::{Audience, Engine, Input, Io};
pub(crate) use moobius_runtime::engine::{Command, Delivery};
use moobius_runtime::Status;
use rustls::ClientConfig;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What handles read without asking the loop.
pub(crate) use moobius_runtime::StatusCell as Shared;

/// The longest single wait when nothing is scheduled (an open socket
/// always has the session's liveness timer).
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// Frames read per turn without waiting before the turn goes on.
const MAX_BURST: usize = 64;

pub(crate) struct Loop<Sp> {
    engine: Engine<Sp>,
    io: Adapters,
    commands: Receiver<Command>,
    spells: Receiver<Sp>,
    /// The application's end: while it has no room, deliveries wait in the
    /// engine and the socket is not read (the kernel buffers it).
    deliveries: SyncSender<Delivery<Sp>>,
}

/// The I/O adapters: the websocket, HTTP (inline), and what handles read.
struct Adapters {
    ws: Option<WsConn>,
    limits: Limits,
    tls: Arc<ClientConfig>,
    http: HttpClient,
    shared: Arc<Shared>,
}

impl Io for Adapters {
    fn connect(&mut self, uri: String) -> Option<Input> {
        self.ws = None;
        match WsConn::connect(&uri, &self.limits, &self.tls) {
            Ok(ws) => {
                tracing::debug!(%uri, "websocket open");
                self.ws = Some(ws);
                Some(Input::Opened)
            }
            Err(e) => {
                let e = moobius_runtime::explain::with_hint(&uri, &e);
                tracing::debug!(%uri, error = %e, "websocket connect failed");
                Some(Input::Closed(CloseReason::ConnectFailed(e)))
            }
        }
    }

    fn send(&mut self, text: String) -> Option<Input> {
        let reason = self.ws.as_mut()?.send(text).err()?;
        self.ws = None;
        Some(Input::Closed(reason))
    }

    fn close(&mut self, reason: &str) {
        if let Some(ws) = self.ws.take() {
            ws.close(reason);
        }
    }

    fn http(&mut self, id: HttpId, request: http::Request<bytes::Bytes>) -> Option<Input> {
        Some(Input::Http(id, self.http.perform(request)))
    }

    fn publish(&mut self, update: &mut dyn FnMut(&mut Status) -> bool) {
        self.shared.update(update);
    }

    fn failed(&mut self, error: &FatalError) {
        self.shared.set_fatal(error);
    }
}

impl<Sp: Send + 'static> Loop<Sp> {
    /// Runs until stopped, failed, or every handle and the application
    /// are gone.
    pub(crate) fn run(mut self) {
        while !self.engine.is_stopping() {
            self.take_commands();
            self.engine.drain(&mut self.io);
            self.deliver();
            if self.engine.is_stopping() {
                break;
            }
            self.wait();
        }
        self.finish();
    }

    fn take_commands(&mut self) {
        loop {
            match self.commands.try_recv() {
                Ok(cmd) => self.engine.command(cmd),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return self.engine.stop(),
            }
        }
        while let Ok(spell) = self.spells.try_recv() {
            self.engine.spell(spell);
        }
    }

    /// Hands waiting deliveries to the application while it has room.
    fn deliver(&mut self) {
        while let Some(d) = self.engine.next_delivery() {
            match self.deliveries.try_send(d) {
                Ok(()) => {}
                Err(TrySendError::Full(d)) => return self.engine.put_back(d),
                Err(TrySendError::Disconnected(_)) => return self.engine.stop(),
            }
        }
    }

    /// Waits for one input (at most a command slice), then runs due timers.
    fn wait(&mut self) {
        let now = Instant::now();
        let timer = self.engine.poll_timeout().unwrap_or(now + IDLE_WAIT);
        let slice = now + self.engine.config().options.command_poll;
        let wait = timer.min(slice).saturating_duration_since(now);
        // Backpressure: the socket is left unread while the bot is behind
        // (anything waits for it), or while the session takes no frames;
        // the wait is then for a command or a timer, which make room again.
        match self.io.ws.as_mut() {
            Some(ws) if self.engine.wants_read(1) => {
                let first = ws.read(Some(wait));
                self.on_read(first);
                for _ in 1..MAX_BURST {
                    let Some(ws) = self.io.ws.as_mut() else { break };
                    if !self.engine.session().wants_ws_read() {
                        break;
                    }
                    match ws.read(None) {
                        None => break,
                        more => self.on_read(more),
                    }
                }
            }
            _ => match self.commands.recv_timeout(wait) {
                Ok(cmd) => self.engine.command(cmd),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.engine.stop(),
            },
        }
        self.engine.on_timer();
    }

    fn on_read(&mut self, read: Option<Input>) {
        if let Some(input) = read {
            if let Input::Closed(_) = input {
                self.io.ws = None;
            }
            self.engine.feed(input);
        }
        self.engine.drain(&mut self.io);
    }

    /// Fails what is pending, delivers the last events (the fatal error),
    /// and tells handles the loop is gone.
    fn finish(mut self) {
        self.engine.close(&mut self.io);
        while let Ok(cmd) = self.commands.try_recv() {
            self.engine.command(cmd);
        }
        for d in self.engine.take_deliveries() {
            // The application may be gone; a full channel loses nothing
            // that matters after a stop but the fatal error's copy, which
            // handles also read from `Shared`.
            let _ = self.deliveries.try_send(d);
        }
        self.io.close("client stopped");
        self.engine.stopped(&mut self.io);
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

/// The I/O adapters for `config`: the TLS configuration of `wss://` and the
/// HTTP client, both trusting the roots `config` names
/// (`moobius_runtime::tls`; a CA file that cannot be read stops the
/// start).
fn adapters(config: &Config, shared: Arc<Shared>) -> Result<Adapters, crate::Error> {
    let o = &config.options;
    let roots = o.tls.root_certificates()?;
    Ok(Adapters {
        ws: None,
        limits: Limits {
            connect: o.connect_timeout,
            write: o.write_timeout,
            frame_bytes: config.session.inbound_frame_limit(),
        },
        tls: moobius_runtime::tls::client_config(roots.clone())?,
        http: HttpClient::new(o.http_timeout, o.max_response_bytes, &roots),
        shared,
    })
}

/// Starts the loop for `config` on a thread of its own.
pub(crate) fn start<Sp: Send + 'static>(config: Config) -> Result<Started<Sp>, crate::Error> {
    let (commands, command_rx) = std::sync::mpsc::channel();
    let (spells, spell_rx) = std::sync::mpsc::sync_channel(config.options.command_queue.max(1));
    let (delivery_tx, deliveries) = std::sync::mpsc::sync_channel(MAX_PENDING);
    let shared = Arc::new(Shared::default());
    let moobius = crate::Moobius::new(commands, shared.clone(), &config);
    let engine = Engine::new(config, Audience::Everything)?;
    let span = engine.span().clone();
    let driver = Loop {
        io: adapters(engine.config(), shared)?,
        engine,
        commands: command_rx,
        spells: spell_rx,
        deliveries: delivery_tx,
    };
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
