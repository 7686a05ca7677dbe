//! The loop: one thread owns the session (through its
//! [`Engine`], the turn both drivers share) and the websocket, like the
//! tokio driver's task. Each turn it takes the handles' commands and
//! spells, lets the engine act on every output of the session through this
//! driver's I/O adapters (HTTP inline), hands events to the application in
//! arrival order over a bounded channel, and waits for one input: a frame
//! (a read with `set_read_timeout` up to the session's next timeout, cut
//! into slices so that commands are seen), or, with no socket, a command.
//!
//! A blocking read cannot be woken by a command, so the wait adapts
//! ([`moobius_runtime::pace`] has the rule). While the application is busy
//! with what the loop handed it, or handles are sending commands, the loop
//! takes a frame only if one is there already (a non-blocking read), and
//! otherwise waits on the command channel (woken at once by a command) for
//! a quarter of a millisecond at most. Idle, the loop blocks in the socket
//! read for up to `Options::command_poll` (20 ms), so an idle bot wakes 50
//! times a second at most.
//!
//! Callbacks never run on this thread, so a callback may call any
//! [`Moobius`](crate::Moobius) method: the call is a command to this loop
//! and an answer back, never a lock.

use crate::http::HttpClient;
use crate::ws::WsConn;
use crate::Config;
use moobius_proto::session::{CloseReason, FatalError, HttpId};
use moobius_runtime::dial::Dial;
use moobius_runtime::engine::{Audience, Engine, Input, Io};
pub(crate) use moobius_runtime::engine::{Command, Delivery};
use moobius_runtime::pace::Pace;
use moobius_runtime::Status;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What handles read without asking the loop.
pub(crate) use moobius_runtime::StatusCell as Shared;

pub(crate) struct Loop<Sp> {
    engine: Engine<Sp>,
    io: Adapters,
    commands: Receiver<Command>,
    spells: Receiver<Sp>,
    /// The application's end: while it has no room, deliveries wait in the
    /// engine and the socket is not read (the kernel buffers it).
    deliveries: SyncSender<Delivery<Sp>>,
    /// How long each wait may take (see the module docs).
    pace: Pace,
}

/// The I/O adapters: the websocket, HTTP (inline), and what handles read.
struct Adapters {
    ws: Option<WsConn>,
    dial: Dial,
    http: HttpClient,
    shared: Arc<Shared>,
}

impl Io for Adapters {
    fn connect(&mut self, uri: String) -> Option<Input> {
        self.ws = None;
        Some(match WsConn::connect(&uri, &self.dial) {
            Ok(ws) => {
                self.ws = Some(ws);
                Input::Opened
            }
            Err(e) => Input::Closed(CloseReason::ConnectFailed(e)),
        })
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
    /// The loop for `config`: the engine, and the adapters trusting the
    /// roots `config` names for `wss://` and `https://`
    /// (`moobius_runtime::tls`; a CA file that cannot be read stops the
    /// start).
    pub(crate) fn new(
        config: Config,
        shared: Arc<Shared>,
        commands: Receiver<Command>,
        spells: Receiver<Sp>,
        deliveries: SyncSender<Delivery<Sp>>,
    ) -> Result<Self, crate::Error> {
        let engine = Engine::new(config, Audience::Everything)?;
        let o = &engine.config().options;
        let pace = Pace::new(o.command_poll);
        let roots = o.tls.root_certificates()?;
        // Built at the first wss:// (issue 18).
        let tls = Arc::new(moobius_runtime::tls::ClientTls::from_roots(roots.clone())?);
        let io = Adapters {
            ws: None,
            dial: Dial::new(engine.config(), tls),
            http: HttpClient::new(o.http_timeout, o.max_response_bytes, &roots),
            shared,
        };
        Ok(Self {
            engine,
            io,
            commands,
            spells,
            deliveries,
            pace,
        })
    }

    /// The span every line of this service is logged in.
    pub(crate) fn span(&self) -> tracing::Span {
        self.engine.span().clone()
    }

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
        while self.take_command(None) {}
        while let Ok(spell) = self.spells.try_recv() {
            self.engine.spell(spell);
        }
    }

    /// Takes one command, waiting at most `wait` (`None`: only one that is
    /// there already); false when none came.
    fn take_command(&mut self, wait: Option<Duration>) -> bool {
        let taken = match wait {
            None => (self.commands.try_recv()).map_err(|e| e == TryRecvError::Disconnected),
            Some(w) => {
                (self.commands.recv_timeout(w)).map_err(|e| e == RecvTimeoutError::Disconnected)
            }
        };
        match taken {
            Ok(cmd) => {
                self.pace.busy(Instant::now());
                self.engine.command(cmd);
                true
            }
            Err(gone) => {
                if gone {
                    self.engine.stop();
                }
                false
            }
        }
    }

    /// Hands waiting deliveries to the application while it has room.
    fn deliver(&mut self) {
        while let Some(d) = self.engine.next_delivery() {
            match self.deliveries.try_send(d) {
                Ok(()) => self.pace.busy(Instant::now()),
                Err(TrySendError::Full(d)) => return self.engine.put_back(d),
                Err(TrySendError::Disconnected(_)) => return self.engine.stop(),
            }
        }
    }

    /// Waits for one input (at most a command slice), then runs due timers.
    fn wait(&mut self) {
        let wait = self.pace.next(Instant::now(), self.engine.poll_timeout());
        // Active: a frame that is there already, else a command. Idle: a
        // read of up to `wait.at_most`. Backpressure: the socket is left unread
        // while the bot is behind (anything waits for it), or while the
        // session takes no frames; the wait is then for a command or a
        // timer, which make room again.
        let (input, read_waited) = match self.io.ws.as_mut() {
            Some(ws) if self.engine.wants_read(1) => (ws.read(wait.read()), !wait.active),
            _ => (None, false),
        };
        if input.is_none() && !read_waited {
            self.take_command(Some(wait.at_most));
        }
        if let Some(Input::Closed(_)) = input {
            self.io.ws = None;
        }
        self.engine.feed(input);
        self.engine.on_timer();
    }

    /// Fails what is pending, delivers the last events (the fatal error),
    /// and tells handles the loop is gone. Commands still queued fail when
    /// the loop, their channel's receiver, is dropped: their callers hear
    /// [`Error::Stopped`](crate::Error::Stopped).
    fn finish(mut self) {
        self.engine.close(&mut self.io);
        for d in self.engine.take_deliveries() {
            // The application may be gone; a full channel loses nothing
            // that matters after a stop but the fatal error's copy, which
            // handles also read from `Shared`.
            let _ = self.deliveries.try_send(d);
        }
        self.engine.stopped(&mut self.io);
    }
}
