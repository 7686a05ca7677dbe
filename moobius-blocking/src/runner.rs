//! Running a [`Bot`]: on this thread ([`run`]) or on a thread of its own
//! ([`spawn`]).

use crate::{Bot, Client, Config, Error, Moobius};
use std::marker::PhantomData;
use std::thread::JoinHandle;

/// Runs `bot` on this thread until it is stopped ([`Moobius::stop`], from a
/// callback or another thread: `Ok`) or the session fails (`Err` with the
/// fatal error, e.g. a refused sign-in).
///
/// ```no_run
/// # struct MyBot;
/// # impl moobius_blocking::Bot for MyBot { type Spell = (); }
/// use moobius_blocking::Config;
/// moobius_blocking::run(Config::load("config/config.json")?, MyBot)?;
/// # Ok::<(), moobius_blocking::Error>(())
/// ```
pub fn run<B: Bot>(config: impl Into<Config>, bot: B) -> Result<(), Error> {
    Client::new(config).run(bot)
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
    let client = Client::new(config);
    let moobius = client.moobius();
    let thread = std::thread::Builder::new()
        .name("moobius-bot".into())
        .spawn(move || client.run(bot))
        .map_err(|e| Error::TaskFailed(e.to_string()))?;
    Ok(Running {
        moobius,
        thread: Some(thread),
        spell: PhantomData,
    })
}

/// A bot running on its own thread ([`spawn`]). Dropping it stops the bot
/// and waits for its thread.
///
/// ```no_run
/// # fn demo(running: moobius_blocking::Running<String>) -> Result<(), moobius_blocking::Error> {
/// let moobius = running.moobius().clone(); // for any other thread
/// running.spell("reload".to_owned())?;
/// if !running.is_finished() {
///     running.stop()?; // Ok: stopped on request
/// }
/// # drop(moobius); Ok(()) }
/// ```
pub struct Running<S> {
    moobius: Moobius,
    thread: Option<JoinHandle<Result<(), Error>>>,
    spell: PhantomData<fn(S)>,
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

    /// Sends a spell; it reaches [`Bot::on_spell`] in order with the
    /// bot's events.
    pub fn spell(&self, spell: S) -> Result<(), Error> {
        self.moobius.spell(spell)
    }

    /// True once the bot's thread has ended.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the bot and waits for its thread; returns how its run ended
    /// (`Ok` after a normal stop).
    pub fn stop(mut self) -> Result<(), Error> {
        self.moobius.stop();
        self.join_thread()
    }

    /// Waits for the bot to end by itself.
    pub fn wait(mut self) -> Result<(), Error> {
        self.join_thread()
    }

    fn join_thread(&mut self) -> Result<(), Error> {
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(Error::TaskFailed("it panicked".into()))),
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
