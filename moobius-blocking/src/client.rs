//! The simplest way to use the platform: a [`Client`] whose events are an
//! iterator.

use crate::driver::Delivery;
use crate::runner::start;
use crate::{Bot, Config, Error, Moobius};
use moobius_proto::session::Event;
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;
use std::time::Duration;

/// A client has no bot, hence no spells.
#[derive(Debug)]
pub(crate) enum NoSpell {}

/// A connection to the platform as a service or a user; its events come
/// from an iterator.
///
/// The connection runs on a thread of its own from [`new`](Self::new) on
/// (the same loop as [`run`](crate::run)'s): heartbeats, reconnects and
/// [`Moobius`] calls go on whether or not the events are taken. Events are
/// the session's [`Event`]s, in arrival order (results of [`Moobius`] calls
/// go to their callers, not here); while 4096 wait, the socket is not
/// read.
///
/// ```no_run
/// use moobius_blocking::prelude::*;
/// use std::time::Duration;
///
/// let mut client = Client::connect(Config::load("config/config.json")?, Duration::from_secs(30))?;
/// let moobius = client.moobius();
/// for event in client.events() {
///     if let Event::MessageUp(message) = event {
///         let author = message.sender.clone();
///         moobius.send_message(MessageSpec::forward(&message, author))?;
///     }
/// }
/// # Ok::<(), moobius_blocking::Error>(())
/// ```
///
/// Dropping the client stops it (the websocket is closed politely).
#[derive(Debug)]
pub struct Client {
    moobius: Moobius,
    deliveries: Receiver<Delivery<NoSpell>>,
    thread: Option<JoinHandle<()>>,
}

impl Client {
    /// A client for `config`, started (its loop runs on a thread of its own).
    pub fn new(config: impl Into<Config>) -> Result<Self, Error> {
        let started = start::<NoSpell>(config.into())?;
        Ok(Self {
            moobius: started.moobius,
            deliveries: started.deliveries,
            thread: Some(started.thread),
        })
    }

    /// A client for `config`, started: returns once start-up is done (its
    /// events are still delivered by [`events`](Self::events)), or fails
    /// with the fatal error that ended it, or [`Error::Timeout`].
    pub fn connect(config: impl Into<Config>, timeout: Duration) -> Result<Self, Error> {
        let client = Self::new(config)?;
        match client.moobius.wait_ready(timeout) {
            Ok(()) => Ok(client),
            Err(e) => Err(client.moobius.fatal().map_or(e, Error::Fatal)),
        }
    }

    /// A handle for platform calls, usable on any thread (see [`Moobius`]).
    #[must_use]
    pub fn moobius(&self) -> Moobius {
        self.moobius.clone()
    }

    /// The next event, waiting as long as it takes; `None` once the client
    /// has stopped (after the [`Event::Fatal`] that ended it, if one did).
    pub fn next_event(&mut self) -> Option<Event> {
        let Delivery::Event(event) = self.deliveries.recv().ok()?;
        Some(event)
    }

    /// Like [`next_event`](Self::next_event), waiting at most `timeout`;
    /// `None` also when the time ran out
    /// ([`Moobius::is_stopped`] tells which).
    pub fn next_event_timeout(&mut self, timeout: Duration) -> Option<Event> {
        let Delivery::Event(event) = self.deliveries.recv_timeout(timeout).ok()?;
        Some(event)
    }

    /// The events, as an iterator (see [`next_event`](Self::next_event)).
    pub fn events(&mut self) -> Events<'_> {
        Events { client: self }
    }

    /// Stops: closes the websocket; pending calls fail; the iteration ends.
    pub fn stop(&self) {
        self.moobius.stop();
    }

    /// Runs `bot` on this thread until the client stops (`Ok`) or fails
    /// (`Err` with the fatal error): see [`run`](crate::run). Its
    /// [`on_spell`](Bot::on_spell) is never called (use
    /// [`spawn`](crate::spawn) for spells).
    pub fn run<B: Bot>(self, bot: B) -> Result<(), Error> {
        // `self` is dropped on return: the loop's thread has ended then.
        crate::dispatch::drive(&self.moobius, &self.deliveries, bot, |n| match n {})
    }
}

impl Drop for Client {
    /// Stops the client and waits for its loop's thread to end.
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.moobius.stop();
            let _ = thread.join();
        }
    }
}

/// The events of a [`Client`], in arrival order ([`Client::events`]); the
/// iteration ends when the client stops.
///
/// ```no_run
/// # fn demo(mut client: moobius_blocking::Client) {
/// use moobius_blocking::prelude::*;
/// for event in client.events() {
///     match event {
///         Event::Ready => println!("started"),
///         Event::Fatal(e) => eprintln!("failed: {e}"),
///         other => println!("{other:?}"),
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct Events<'a> {
    client: &'a mut Client,
}

impl Iterator for Events<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.client.next_event()
    }
}
