//! Who drives the loop, and how callers wait for it.
//!
//! The [`Core`] sits in a mutex that only a *driving* thread holds. Driving
//! means running turns of the loop until something the driver wants
//! happened: the bot runner (or an [`Events`](crate::Events) iterator)
//! drives until an event is pending; a [`Moobius`](crate::Moobius) method
//! drives until its own result arrived. The runner lets go of the mutex
//! while a callback runs, so a method called *inside* a callback takes the
//! mutex and drives the loop itself (events arriving meanwhile are queued
//! for the runner, in order): no deadlock, no re-entrant callbacks.
//!
//! A method called on *another* thread while someone drives sends its
//! command through a channel and waits for the reply; the driver takes
//! commands at every turn (its socket reads are cut into
//! [`Options::command_poll`](crate::Options::command_poll) slices while such
//! handles exist). If nobody drives (the runner is inside a callback, or an
//! event iterator is idle), the waiting thread takes the mutex and drives
//! until its reply comes. So there is one owner of the session at any
//! moment, commands are carried out in the order they were sent, and no
//! call waits for a thread that is not running the loop.

use crate::core::{Command, Core, Pending};
use crate::{Error, Mode, Options};
use moobius_proto::ops::Operation;
use moobius_proto::secret::Password;
use moobius_runtime::pending::OpRequest;
use moobius_runtime::Status;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// Why driving ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// What the driver waited for happened.
    Done,
    /// The caller's time limit passed first.
    TimedOut,
    /// The session is closed.
    Ended,
}

/// Everything one client shares between its handles.
pub(crate) struct Engine {
    core: Mutex<Core>,
    commands: Sender<Command>,
    status: Mutex<Status>,
    status_changed: Condvar,
    stop_requested: AtomicBool,
    pub(crate) options: Options,
    pub(crate) identity: Identity,
}

/// Who the client is, for the handle methods that need it.
pub(crate) struct Identity {
    pub(crate) mode: Mode,
    pub(crate) email: String,
    pub(crate) password: Password,
    pub(crate) storage: Option<serde_json::Value>,
}

impl Engine {
    pub(crate) fn new(
        core: Core,
        commands: Sender<Command>,
        options: Options,
        identity: Identity,
    ) -> Self {
        Self {
            identity,
            core: Mutex::new(core),
            commands,
            status: Mutex::new(Status::default()),
            status_changed: Condvar::new(),
            stop_requested: AtomicBool::new(false),
            options,
        }
    }

    pub(crate) fn status(&self) -> MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_core(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn try_lock_core(&self) -> Option<MutexGuard<'_, Core>> {
        match self.core.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    fn send(&self, cmd: Command) -> Result<(), Error> {
        self.commands.send(cmd).map_err(|_| Error::Stopped)
    }

    /// Asks the loop to stop; the driver notices at its next turn.
    pub(crate) fn request_stop(&self) {
        self.stop_requested.store(true, Ordering::SeqCst);
        if let Some(mut core) = self.try_lock_core() {
            core.stop();
            self.publish(&core);
            core.answer();
        }
    }

    /// Queues a spell for the bot.
    pub(crate) fn spell(&self, spell: Box<dyn std::any::Any + Send>) -> Result<(), Error> {
        if self.status().stopped {
            return Err(Error::Stopped);
        }
        self.send(Command::Spell(spell))
    }

    /// Drives (the caller holds `core`) until `done`, `until`, or the end.
    fn drive(
        self: &Arc<Self>,
        core: &mut Core,
        until: Option<Instant>,
        done: &mut dyn FnMut(&mut Core) -> bool,
    ) -> Outcome {
        loop {
            if self.stop_requested.load(Ordering::SeqCst) {
                core.stop();
            }
            core.settle();
            core.poll_inbound();
            self.publish(core);
            core.answer();
            if done(core) {
                return Outcome::Done;
            }
            if core.ended() {
                return Outcome::Ended;
            }
            let now = Instant::now();
            if until.is_some_and(|u| now >= u) {
                return Outcome::TimedOut;
            }
            // Other handles may send commands: look at them every slice.
            let slice = (Arc::strong_count(self) > 1).then(|| now + self.options.command_poll);
            let cap = match (until, slice) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            core.wait(cap);
        }
    }

    /// The next thing for the application, driving as long as needed
    /// (at most until `until`); `None` once the session has ended (or on
    /// timeout).
    pub(crate) fn next_pending(self: &Arc<Self>, until: Option<Instant>) -> Option<Pending> {
        let mut core = self.lock_core();
        self.drive(&mut core, until, &mut |c| !c.pending.is_empty());
        core.pending.pop_front()
    }

    /// Runs an operation and waits for its result (see the module docs).
    pub(crate) fn run<O: Operation>(self: &Arc<Self>, op: O) -> Result<O::Output, Error> {
        if self.status().stopped {
            return Err(Error::Stopped);
        }
        let (reply, result) = mpsc::sync_channel(1);
        let request = OpRequest::new(op, move |r| {
            let _ = reply.try_send(r);
        });
        self.send(Command::Op(request))?;
        let limit = self.options.call_timeout;
        let until = limit.map(|d| Instant::now() + d);
        let timed_out = || Error::Timeout(limit.unwrap_or_default());
        loop {
            if let Some(mut core) = self.try_lock_core() {
                let mut got = None;
                let outcome = self.drive(&mut core, until, &mut |_| match result.try_recv() {
                    Ok(r) => {
                        got = Some(r);
                        true
                    }
                    Err(TryRecvError::Empty) => false,
                    Err(TryRecvError::Disconnected) => true,
                });
                drop(core);
                if let Some(r) = got.or_else(|| result.try_recv().ok()) {
                    return r;
                }
                return Err(match outcome {
                    Outcome::TimedOut => timed_out(),
                    Outcome::Done | Outcome::Ended => Error::Stopped,
                });
            }
            let slice = self.options.command_poll;
            let wait = match until {
                Some(u) => u.saturating_duration_since(Instant::now()).min(slice),
                None => slice,
            };
            match result.recv_timeout(wait) {
                Ok(r) => return r,
                Err(RecvTimeoutError::Disconnected) => return Err(Error::Stopped),
                Err(RecvTimeoutError::Timeout) => {
                    if until.is_some_and(|u| Instant::now() >= u) {
                        return Err(timed_out());
                    }
                }
            }
        }
    }

    /// Waits (driving when nobody else does) until `check` holds on the
    /// status; `false` on timeout.
    pub(crate) fn wait_for(
        self: &Arc<Self>,
        timeout: Option<Duration>,
        check: impl Fn(&Status) -> bool,
    ) -> bool {
        let until = timeout.map(|d| Instant::now() + d);
        loop {
            if check(&self.status()) {
                return true;
            }
            if until.is_some_and(|u| Instant::now() >= u) {
                return false;
            }
            if let Some(mut core) = self.try_lock_core() {
                let outcome = self.drive(&mut core, until, &mut |_| check(&self.status()));
                drop(core);
                if outcome != Outcome::Done {
                    return check(&self.status());
                }
                continue;
            }
            let slice = self.options.command_poll;
            let st = self.status();
            let _ = self
                .status_changed
                .wait_timeout(st, slice)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Updates what handles see, and wakes those waiting on it.
    fn publish(&self, core: &Core) {
        let mut st = self.status();
        let mut changed = st.update(core.session());
        if core.ended() && !st.stopped {
            st.stopped = true;
            changed = true;
        }
        drop(st);
        if changed {
            self.status_changed.notify_all();
        }
    }

    /// The fatal error that ended the session, if any.
    pub(crate) fn fatal(&self) -> Option<moobius_proto::session::FatalError> {
        self.lock_core().fatal().cloned()
    }

    /// Marks the client as finished (the runner or the iterator is done
    /// with it): later calls fail with [`Error::Stopped`].
    pub(crate) fn finish(self: &Arc<Self>) {
        let mut core = self.lock_core();
        core.stop();
        self.publish(&core);
        core.answer();
    }
}
