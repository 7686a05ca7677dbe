//! The [`Wand`]: several services in one process, spells, and a clean stop.

use crate::runner::{joined, SpellSender};
use crate::{Config, Error, Moobius, Service};
use tokio::task::JoinHandle;

/// Runs services in the foreground or the background, sends them spells
/// and stops them (the reference's `MoobiusWand`, with tasks instead of
/// processes and typed spells instead of pickled objects).
///
/// ```no_run
/// # struct Greeter; impl moobius_tokio::Service for Greeter { type Spell = String; }
/// # struct Other; impl moobius_tokio::Service for Other { type Spell = (); }
/// # async fn demo(a: moobius_tokio::Config, b: moobius_tokio::Config) -> Result<(), moobius_tokio::Error> {
/// use moobius_tokio::Wand;
/// let mut wand = Wand::new();
/// let greeter = wand.spawn(a, Greeter);
/// greeter.moobius().wait_ready().await?;
/// wand.spell(&greeter, "say hi".to_owned()).await?;
/// // Runs `Other` until it ends; Ctrl-C stops every service cleanly.
/// wand.run(b, Other).await?;
/// wand.stop_all().await
/// # }
/// ```
#[derive(Debug, Default)]
pub struct Wand {
    entries: Vec<Entry>,
    next_id: u64,
}

#[derive(Debug)]
struct Entry {
    id: u64,
    moobius: Moobius,
    task: JoinHandle<Result<(), Error>>,
}

/// A service started by a [`Wand`]: its number, its handle, its spells.
pub struct WandHandle<S: Service> {
    id: u64,
    moobius: Moobius,
    spells: SpellSender<S>,
}

impl<S: Service> Clone for WandHandle<S> {
    fn clone(&self) -> Self {
        Self {
            id: self.id,
            moobius: self.moobius.clone(),
            spells: self.spells.clone(),
        }
    }
}

impl<S: Service> std::fmt::Debug for WandHandle<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WandHandle")
            .field("id", &self.id)
            .field("moobius", &self.moobius)
            .finish_non_exhaustive()
    }
}

impl<S: Service> WandHandle<S> {
    /// The service's number in its wand (1, 2, ... in start order).
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The service's [`Moobius`] handle.
    #[must_use]
    pub fn moobius(&self) -> &Moobius {
        &self.moobius
    }
}

impl Wand {
    /// A wand with no service.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of services started and not yet stopped through the wand.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no service was started (or all were stopped).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Starts a service in the background.
    pub fn spawn<S: Service>(&mut self, config: Config, service: S) -> WandHandle<S> {
        let running = crate::spawn(config, service);
        self.next_id += 1;
        let handle = WandHandle {
            id: self.next_id,
            moobius: running.moobius.clone(),
            spells: running.spell_sender(),
        };
        self.entries.push(Entry {
            id: self.next_id,
            moobius: running.moobius,
            task: running.task,
        });
        handle
    }

    /// Runs a service in the foreground: returns when it ends. Ctrl-C stops
    /// it and every background service of this wand, gracefully.
    pub async fn run<S: Service>(&mut self, config: Config, service: S) -> Result<(), Error> {
        let handle = self.spawn(config, service);
        let Some(at) = self.entries.iter().position(|e| e.id == handle.id) else {
            return Err(Error::Stopped);
        };
        tokio::select! {
            result = &mut self.entries[at].task => {
                self.entries.remove(at);
                joined(result)
            }
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("Ctrl-C: stopping every service");
                let own = self.stop_id(handle.id).await;
                let _ = self.stop_all().await;
                own
            }
        }
    }

    /// Waits for Ctrl-C (or for every service to end by itself), then stops
    /// them all.
    pub async fn run_until_ctrl_c(&mut self) -> Result<(), Error> {
        let all_ended = async {
            for e in &self.entries {
                e.moobius.wait_stopped().await;
            }
        };
        tokio::select! {
            () = all_ended => {}
            _ = tokio::signal::ctrl_c() => tracing::info!("Ctrl-C: stopping every service"),
        }
        self.stop_all().await
    }

    /// Sends a spell to a service of this wand.
    pub async fn spell<S: Service>(
        &self,
        handle: &WandHandle<S>,
        spell: S::Spell,
    ) -> Result<(), Error> {
        handle.spells.send(spell).await
    }

    /// Stops one service gracefully and waits for it.
    pub async fn stop<S: Service>(&mut self, handle: &WandHandle<S>) -> Result<(), Error> {
        self.stop_id(handle.id).await
    }

    async fn stop_id(&mut self, id: u64) -> Result<(), Error> {
        let Some(at) = self.entries.iter().position(|e| e.id == id) else {
            return Ok(());
        };
        let entry = self.entries.remove(at);
        entry.moobius.stop();
        joined(entry.task.await)
    }

    /// Stops every service gracefully (all at once) and waits for them;
    /// returns the first failure, if any.
    pub async fn stop_all(&mut self) -> Result<(), Error> {
        let entries = std::mem::take(&mut self.entries);
        for e in &entries {
            e.moobius.stop();
        }
        let mut first = Ok(());
        for e in entries {
            let r = joined(e.task.await);
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}
