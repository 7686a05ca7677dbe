//! Running a [`Bot`]: on this thread ([`run`]) or on a thread of its own
//! ([`spawn`]). Either way the loop owns the connection on its own thread
//! and the bot's callbacks run one at a time, in arrival order, on the
//! bot's thread.

use crate::driver::{Delivery, Loop, Shared};
use crate::{Bot, Config, Error, Moobius};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Runs `bot` on this thread until it is stopped ([`Moobius::stop`], from a
/// callback or another thread: `Ok`), the process gets SIGTERM or SIGINT
/// (Ctrl-C) — what `docker stop`, systemd and Kubernetes send; the bot then
/// stops gracefully, the session is closed, and `run` returns `Ok` — or the
/// session fails (`Err` with the fatal error, e.g. a refused sign-in).
///
/// Logging is set up from `log_config` first, unless the application
/// installed a `tracing` subscriber or turned it off
/// ([`Options::install_logging`](crate::Options::install_logging)).
///
/// ```no_run
/// # struct MyBot;
/// # impl moobius_blocking::Bot for MyBot { type Spell = (); }
/// use moobius_blocking::Config;
/// moobius_blocking::run(Config::load("config/config.json")?, MyBot)?;
/// # Ok::<(), moobius_blocking::Error>(())
/// ```
pub fn run<B: Bot>(config: impl Into<Config>, bot: B) -> Result<(), Error> {
    let started = start::<B::Spell>(config.into())?;
    let Started {
        moobius,
        deliveries,
        spells,
        thread,
        span,
    } = started;
    let _in = span.enter();
    drop(spells);
    let signals = stop_on_signals(&moobius);
    let result = crate::dispatch::drive(&moobius, &deliveries, bot, |s| s);
    moobius.stop();
    let _ = thread.join();
    if let Some(signals) = signals {
        signals.close();
    }
    result
}

/// Stops `moobius` on the first SIGTERM or SIGINT, from a small thread;
/// the returned handle ends that thread (and unregisters the handlers).
#[cfg(unix)]
fn stop_on_signals(moobius: &Moobius) -> Option<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT]) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for stop signals (SIGTERM, Ctrl-C)");
            return None;
        }
    };
    let handle = signals.handle();
    let moobius = moobius.clone();
    let span = tracing::Span::current();
    let spawned = std::thread::Builder::new()
        .name("moobius-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let name = if signal == SIGTERM {
                    "SIGTERM"
                } else {
                    "SIGINT"
                };
                span.in_scope(|| tracing::info!(signal = name, "stop signal: stopping gracefully"));
                moobius.stop();
            }
        });
    match spawned {
        Ok(_) => Some(handle),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for stop signals (SIGTERM, Ctrl-C)");
            None
        }
    }
}

#[cfg(not(unix))]
fn stop_on_signals(_: &Moobius) -> Option<NoSignals> {
    None
}

#[cfg(not(unix))]
struct NoSignals;

#[cfg(not(unix))]
impl NoSignals {
    fn close(&self) {}
}

/// Events waiting for the application beyond which the loop stops reading
/// the socket (memory stays bounded while nobody takes events).
const MAX_PENDING: usize = 4096;

/// A started loop: the handle, the application's end of the deliveries,
/// the spell sender, and the loop's thread.
pub(crate) struct Started<Sp> {
    pub(crate) moobius: Moobius,
    pub(crate) deliveries: Receiver<Delivery<Sp>>,
    pub(crate) spells: SyncSender<Sp>,
    pub(crate) thread: JoinHandle<()>,
    /// The span of this service's log lines (the bot's thread enters it too).
    pub(crate) span: tracing::Span,
}

/// Starts the loop for `config` on a thread of its own.
pub(crate) fn start<Sp: Send + 'static>(config: Config) -> Result<Started<Sp>, Error> {
    let (commands, command_rx) = std::sync::mpsc::channel();
    let (spells, spell_rx) = std::sync::mpsc::sync_channel(config.options.command_queue.max(1));
    let (delivery_tx, deliveries) = std::sync::mpsc::sync_channel(MAX_PENDING);
    let shared = Arc::new(Shared::default());
    let moobius = Moobius::new(commands, shared.clone(), &config);
    let driver = Loop::new(config, shared, command_rx, spell_rx, delivery_tx)?;
    let span = driver.span();
    let loop_span = span.clone();
    let thread = std::thread::Builder::new()
        .name("moobius-loop".into())
        .spawn(move || loop_span.in_scope(|| driver.run()))
        .map_err(|e| Error::TaskFailed(e.to_string()))?;
    Ok(Started {
        moobius,
        deliveries,
        spells,
        thread,
        span,
    })
}

/// Starts `bot` on a thread of its own; the returned [`Running`] hands out
/// its [`Moobius`] handle, sends it spells, and stops it.
///
/// ```no_run
/// # struct MyBot;
/// # impl moobius_blocking::Bot for MyBot { type Spell = String; }
/// # fn demo(config: moobius_blocking::Config) -> Result<(), moobius_blocking::Error> {
/// use std::time::Duration;
/// let running = moobius_blocking::spawn(config, MyBot)?;
/// running.moobius().wait_ready(Duration::from_secs(30))?;
/// running.spell("hello".to_owned())?;
/// running.stop()?;
/// # Ok(()) }
/// ```
pub fn spawn<B>(config: impl Into<Config>, bot: B) -> Result<Running<B::Spell>, Error>
where
    B: Bot + Send + 'static,
{
    let Started {
        moobius,
        deliveries,
        spells,
        thread: loop_thread,
        span,
    } = start::<B::Spell>(config.into())?;
    let m = moobius.clone();
    let thread = std::thread::Builder::new()
        .name("moobius-bot".into())
        .spawn(move || {
            let _in = span.enter();
            let result = crate::dispatch::drive(&m, &deliveries, bot, |s| s);
            m.stop();
            let _ = loop_thread.join();
            result
        })
        .map_err(|e| Error::TaskFailed(e.to_string()))?;
    Ok(Running {
        spells: SpellSender {
            spells,
            moobius: moobius.clone(),
        },
        moobius,
        thread: Some(thread),
    })
}

/// Sends spells to a running bot, from any thread: [`Bot::on_spell`]
/// receives them in order with the events.
#[derive(Debug)]
pub struct SpellSender<S> {
    spells: SyncSender<S>,
    moobius: Moobius,
}

impl<S> Clone for SpellSender<S> {
    fn clone(&self) -> Self {
        Self {
            spells: self.spells.clone(),
            moobius: self.moobius.clone(),
        }
    }
}

impl<S: Send + 'static> SpellSender<S> {
    /// Queues `spell` (waiting while the queue is full);
    /// [`Error::Stopped`] once the bot has stopped.
    pub fn send(&self, spell: S) -> Result<(), Error> {
        if self.moobius.is_stopped() {
            return Err(Error::Stopped);
        }
        self.spells.send(spell).map_err(|_| Error::Stopped)
    }
}

/// A bot running on its own thread ([`spawn`]). Dropping it stops the bot
/// and waits for its thread.
pub struct Running<S> {
    moobius: Moobius,
    spells: SpellSender<S>,
    thread: Option<JoinHandle<Result<(), Error>>>,
}

impl<S> std::fmt::Debug for Running<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("moobius", &self.moobius)
            .field(
                "finished",
                &self.thread.as_ref().is_none_or(JoinHandle::is_finished),
            )
            .finish_non_exhaustive()
    }
}

impl<S: Send + 'static> Running<S> {
    /// The bot's handle.
    #[must_use]
    pub fn moobius(&self) -> &Moobius {
        &self.moobius
    }

    /// A spell sender for other threads.
    #[must_use]
    pub fn spell_sender(&self) -> SpellSender<S> {
        self.spells.clone()
    }

    /// Sends a spell: [`Bot::on_spell`] receives it in order with the events.
    pub fn spell(&self, spell: S) -> Result<(), Error> {
        self.spells.send(spell)
    }

    /// True once the bot's thread has ended.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the bot and waits for it: `Ok`, or the fatal error that had
    /// ended it already.
    pub fn stop(mut self) -> Result<(), Error> {
        self.moobius.stop();
        self.join_thread()
    }

    /// Waits until the bot stops (from a callback, or a fatal error).
    pub fn wait(mut self) -> Result<(), Error> {
        self.join_thread()
    }

    fn join_thread(&mut self) -> Result<(), Error> {
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(Error::TaskFailed("the bot's thread panicked".into()))),
            None => Ok(()),
        }
    }
}

impl<S> Drop for Running<S> {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.moobius.stop();
            let _ = thread.join();
        }
    }
}
