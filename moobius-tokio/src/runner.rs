//! Starting a service: in the foreground ([`run`]) or as a task ([`spawn`]).

use crate::driver::{Command, Driver};
use crate::{Config, Error, Moobius, RuntimeFlavour, Service};
use moobius_runtime::Status;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

/// Runs a service in the foreground until it stops, fails, or the process
/// gets SIGTERM or SIGINT (Ctrl-C) — what `docker stop`, systemd and
/// Kubernetes send: the service then stops gracefully (the session is
/// closed, the running callback may finish) and `run` returns `Ok`.
///
/// Logging is set up from `log_config` first, unless the application
/// installed a `tracing` subscriber or turned it off
/// ([`Options::install_logging`](crate::Options::install_logging)).
///
/// ```no_run
/// # struct MyService;
/// # impl moobius_tokio::Service for MyService { type Spell = (); }
/// # async fn demo() -> Result<(), moobius_tokio::Error> {
/// use moobius_tokio::Config;
/// moobius_tokio::run(Config::load("config/config.json")?, MyService).await
/// # }
/// ```
pub async fn run<S: Service>(config: Config, service: S) -> Result<(), Error> {
    let running = spawn(config, service);
    let moobius = running.moobius().clone();
    let mut task = running.task;
    tokio::select! {
        result = &mut task => return joined(result),
        signal = stop_signal() => {
            match signal {
                Ok(name) => tracing::info!(signal = name, "stop signal: stopping gracefully"),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for stop signals (SIGTERM, Ctrl-C)");
                    return joined(task.await);
                }
            }
        }
    }
    moobius.stop();
    joined(task.await)
}

/// Runs a service like [`run`], on a tokio runtime of its own that
/// [`Options::runtime`](crate::Options::runtime) picks: for a plain
/// `fn main` (no `#[tokio::main]`). Blocks until the service stops.
///
/// The default, [`RuntimeFlavour::CurrentThread`], runs the service and its
/// I/O on the calling thread: the least CPU per message and the smallest
/// memory (see the crate docs, "Performance").
///
/// ```no_run
/// # struct MyService;
/// # impl moobius_tokio::Service for MyService { type Spell = (); }
/// use moobius_tokio::{Config, RuntimeFlavour};
/// fn main() -> Result<(), moobius_tokio::Error> {
///     let mut config = Config::load("config/config.json")?;
///     config.options = config.options.runtime(RuntimeFlavour::CurrentThread);
///     moobius_tokio::run_with_runtime(config, MyService)
/// }
/// ```
pub fn run_with_runtime<S: Service>(config: Config, service: S) -> Result<(), Error> {
    runtime(config.options.runtime)?.block_on(run(config, service))
}

/// A tokio runtime of the given flavour, with I/O and timers.
fn runtime(flavour: RuntimeFlavour) -> Result<tokio::runtime::Runtime, Error> {
    let mut builder = match flavour {
        RuntimeFlavour::MultiThread => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| Error::InvalidArgument(format!("cannot start a tokio runtime: {e}")))
}

/// The first SIGTERM or SIGINT (Ctrl-C elsewhere than Unix).
async fn stop_signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            _ = int.recv() => Ok("SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map(|()| "Ctrl-C")
    }
}

/// Starts a service as a tokio task; the returned [`Running`] sends it
/// spells, gives out its [`Moobius`] handle, and stops it.
///
/// Must be called within a tokio runtime.
///
/// ```no_run
/// # struct MyService;
/// # impl moobius_tokio::Service for MyService { type Spell = String; }
/// # async fn demo(config: moobius_tokio::Config) -> Result<(), moobius_tokio::Error> {
/// let running = moobius_tokio::spawn(config, MyService);
/// running.moobius().wait_ready().await?;
/// running.spell("hello".to_owned()).await?;
/// running.stop().await?;
/// # Ok(()) }
/// ```
pub fn spawn<S: Service>(config: Config, service: S) -> Running<S> {
    let (moobius, spells, wiring) = wire::<S>(&config);
    // Boxed: the service's future is ~11 KiB (the loop's state and its
    // `select!` branches), and tokio moves a future through several stack
    // frames before it reaches the heap; unboxed, each move touched another
    // part of the thread's stack, which stays resident (issue 18: the
    // default service's main-thread stack 132 -> 92 KiB resident).
    let task = tokio::spawn(Box::pin(async move {
        let driver = Driver::new(config, service, wiring)?;
        let span = driver.span();
        driver.run().instrument(span).await
    }));
    Running {
        moobius,
        spells,
        task,
    }
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

/// A service running as a task.
#[must_use = "without its `Running` handle the service runs detached: nothing can stop it or wait for it"]
pub struct Running<S: Service> {
    pub(crate) moobius: Moobius,
    pub(crate) spells: mpsc::Sender<S::Spell>,
    pub(crate) task: JoinHandle<Result<(), Error>>,
}

impl<S: Service> Running<S> {
    /// The service's handle.
    #[must_use]
    pub fn moobius(&self) -> &Moobius {
        &self.moobius
    }

    /// A sender of spells, for other tasks.
    #[must_use]
    pub fn spell_sender(&self) -> SpellSender<S> {
        SpellSender {
            spells: self.spells.clone(),
        }
    }

    /// Sends a spell; it reaches [`Service::on_spell`] in order with the
    /// service's events.
    pub async fn spell(&self, spell: S::Spell) -> Result<(), Error> {
        self.spells.send(spell).await.map_err(|_| Error::Stopped)
    }

    /// True once the service's task has ended.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops the service gracefully and waits for it; returns how its run
    /// ended (`Ok` after a normal stop).
    pub async fn stop(self) -> Result<(), Error> {
        self.moobius.stop();
        self.wait().await
    }

    /// Waits for the service to end by itself.
    pub async fn wait(self) -> Result<(), Error> {
        joined(self.task.await)
    }
}

impl<S: Service> std::fmt::Debug for Running<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("moobius", &self.moobius)
            .field("finished", &self.task.is_finished())
            .finish_non_exhaustive()
    }
}

/// Sends spells to a running service from anywhere ([`Running::spell_sender`]).
pub struct SpellSender<S: Service> {
    spells: mpsc::Sender<S::Spell>,
}

impl<S: Service> std::fmt::Debug for SpellSender<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpellSender")
    }
}

impl<S: Service> Clone for SpellSender<S> {
    fn clone(&self) -> Self {
        Self {
            spells: self.spells.clone(),
        }
    }
}

impl<S: Service> SpellSender<S> {
    /// Sends a spell.
    pub async fn send(&self, spell: S::Spell) -> Result<(), Error> {
        self.spells.send(spell).await.map_err(|_| Error::Stopped)
    }
}

pub(crate) fn joined(r: Result<Result<(), Error>, tokio::task::JoinError>) -> Result<(), Error> {
    match r {
        Ok(result) => result,
        Err(e) => Err(Error::TaskFailed(e.to_string())),
    }
}
