//! State that survives a restart (`--state FILE`,
//! [`crate::DevServerBuilder::state_file`]).
//!
//! * [`snapshot`]: the versioned format and its conversion to and from the
//!   in-memory state;
//! * [`store`]: the file on disk (checked loading, atomic saving);
//! * here: the saver task, which saves after changes (at most once per
//!   delay), checks every few seconds, and the final save at shutdown.
//!
//! Tokens do not survive: accounts, services and everything else do, so a
//! client signs in again and a saved `service_config.service_id` keeps
//! working.

pub(crate) mod snapshot;
pub(crate) mod store;

use crate::error::DevServerError;
use crate::shared::Shared;
use std::sync::Arc;
use std::time::Duration;
use store::StateFile;
use tokio::task::JoinHandle;

/// Default wait after a change before saving (changes meanwhile are saved
/// together).
pub(crate) const DEFAULT_SAVE_DELAY: Duration = Duration::from_millis(500);

/// How often the saver also checks for changes that sent no notification.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Captures the state (under the lock) and writes it (off the async
/// workers) if it changed.
pub(crate) async fn save(shared: &Shared, file: &Arc<StateFile>) -> Result<bool, DevServerError> {
    let snapshot = shared.lock().snapshot();
    let file = file.clone();
    match tokio::task::spawn_blocking(move || file.save(&snapshot)).await {
        Ok(r) => r,
        Err(e) => Err(DevServerError::Io(std::io::Error::other(format!(
            "the save task failed: {e}"
        )))),
    }
}

/// The same, blocking the calling thread (for `Drop`).
pub(crate) fn save_blocking(shared: &Shared, file: &StateFile) -> Result<bool, DevServerError> {
    let snapshot = shared.lock().snapshot();
    file.save(&snapshot)
}

/// Saves after every change (waiting `delay` first, so a burst is one
/// save), and checks every few seconds. A failed save is logged and tried
/// again at the next change or check; the file on disk stays the last good
/// one.
pub(crate) fn spawn_saver(
    shared: Arc<Shared>,
    file: Arc<StateFile>,
    delay: Duration,
) -> JoinHandle<()> {
    // Subscribed now, not when the task first runs: a change made before
    // then must not be missed.
    let mut events = shared.subscribe();
    tokio::spawn(async move {
        let mut check = tokio::time::interval(CHECK_EVERY);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        check.reset();
        loop {
            tokio::select! {
                changed = events.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    tokio::time::sleep(delay).await;
                }
                _ = check.tick() => {}
            }
            events.borrow_and_update();
            match save(&shared, &file).await {
                Ok(true) => tracing::debug!(path = %file.path().display(), "state saved"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cannot save the state; will retry"),
            }
        }
    })
}
