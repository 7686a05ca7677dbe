//! The simplest way to use the platform: a [`Client`] whose events are an
//! iterator.

use crate::core::{Core, Pending};
use crate::engine::{Engine, Identity};
use crate::Config;
use crate::{Error, Mode, Moobius};
use moobius_proto::session::{Event, Role};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// A connection to the platform as a service or a user, driven by whoever
/// asks it for events (or calls a [`Moobius`] method).
///
/// Nothing happens until it is driven: [`connect`](Self::connect) drives it
/// until start-up is done, [`events`](Self::events) for as long as the
/// iteration goes on. Events are the session's
/// [`Event`](moobius_proto::session::Event)s, in arrival order (results of
/// [`Moobius`] calls go to their callers, not here).
///
/// ```no_run
/// use moobius_blocking::{Client, Config};
/// use moobius_blocking::proto::compose::MessageSpec;
/// use moobius_blocking::proto::session::Event;
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
/// Between calls nothing runs: the session's timers (heartbeats, the
/// liveness check, reconnects) and its socket are served only while the
/// client is driven, so keep iterating, with a timeout if need be
/// ([`next_event_timeout`](Self::next_event_timeout)); long work belongs on
/// another thread. Dropping the client stops it (the websocket is closed
/// politely).
#[derive(Debug)]
pub struct Client {
    moobius: Moobius,
}

impl Client {
    /// A client for `config`, not started yet.
    #[must_use]
    pub fn new(config: impl Into<Config>) -> Self {
        let config = config.into();
        let (commands, inbox) = mpsc::channel();
        let mode = match config.session.role {
            Role::Service { .. } => Mode::Service,
            Role::User { .. } => Mode::User,
        };
        let identity = Identity {
            mode,
            email: config.session.email.clone(),
            password: config.session.password.clone(),
            storage: config.db_config.clone(),
        };
        let options = config.options.clone();
        let core = Core::new(config, inbox);
        let engine = Engine::new(core, commands, options, identity);
        Self {
            moobius: Moobius::new(Arc::new(engine)),
        }
    }

    /// A client for `config`, started: returns once start-up is done (its
    /// events are still delivered by [`events`](Self::events)), or fails
    /// with the fatal error that ended it, or [`Error::Timeout`].
    pub fn connect(config: impl Into<Config>, timeout: Duration) -> Result<Self, Error> {
        let client = Self::new(config);
        match client.moobius.wait_ready(timeout) {
            Ok(()) => Ok(client),
            Err(e) => Err(client.moobius.engine().fatal().map_or(e, Error::Fatal)),
        }
    }

    /// A handle for platform calls, usable on any thread (see [`Moobius`]).
    #[must_use]
    pub fn moobius(&self) -> Moobius {
        self.moobius.clone()
    }

    /// The next event, driving the connection until there is one; `None`
    /// once the client has stopped (after the [`Event::Fatal`] that ended
    /// it, if one did).
    pub fn next_event(&mut self) -> Option<Event> {
        self.next_before(None)
    }

    /// Like [`next_event`](Self::next_event), waiting at most `timeout`;
    /// `None` also when the time ran out
    /// ([`Moobius::is_stopped`] tells which).
    pub fn next_event_timeout(&mut self, timeout: Duration) -> Option<Event> {
        self.next_before(Some(Instant::now() + timeout))
    }

    fn next_before(&mut self, until: Option<Instant>) -> Option<Event> {
        loop {
            match self.moobius.engine().next_pending(until)? {
                Pending::Event(event) => return Some(event),
                Pending::Spell(_) => tracing::warn!("spell dropped: an event iterator has no bot"),
            }
        }
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
    /// (`Err` with the fatal error): see [`run`](crate::run).
    pub fn run<B: crate::Bot>(self, mut bot: B) -> Result<(), Error> {
        let engine = self.moobius.engine();
        while let Some(delivery) = engine.next_pending(None) {
            if let Pending::Event(Event::Fatal(e)) = delivery {
                engine.finish();
                return Err(Error::Fatal(e));
            }
            crate::dispatch::deliver(&mut bot, &self.moobius, delivery);
        }
        engine.finish();
        engine.fatal().map_or(Ok(()), |e| Err(Error::Fatal(e)))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.moobius.engine().finish();
    }
}

/// The events of a [`Client`], in arrival order ([`Client::events`]); the
/// iteration ends when the client stops.
///
/// ```no_run
/// # fn demo(mut client: moobius_blocking::Client) {
/// use moobius_blocking::proto::session::Event;
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
