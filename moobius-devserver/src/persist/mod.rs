//! State that survives a restart (`--state FILE`,
//! [`crate::DevServerBuilder::state_file`]).
//!
//! * [`snapshot`]: the versioned format and its conversion to and from the
//!   in-memory state;
//! * [`store`]: the file on disk (checked loading, atomic saving);
//! * here: the saver task, which saves after changes (at most once per
//!   delay, and less often when saves are slow), retries failed saves, and
//!   the final save at shutdown.
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

/// How soon a failed save is tried again when nothing else changes.
const RETRY_EVERY: Duration = Duration::from_secs(5);

/// A save costs the whole state (it is written in one piece): the wait
/// before the next one is at least this many times the last one's duration,
/// so saving a large state takes at most a fifth of one core.
const COST_FACTOR: u32 = 4;

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

/// Saves after every change notification (every HTTP request, websocket
/// frame and seeding call sends one), waiting `delay` first so that a burst
/// is one save, and longer when saves are slow (see [`COST_FACTOR`]). A
/// failed save is logged and tried again at the next change or after
/// [`RETRY_EVERY`]; the file on disk stays the last good one.
pub(crate) fn spawn_saver(
    shared: Arc<Shared>,
    file: Arc<StateFile>,
    delay: Duration,
) -> JoinHandle<()> {
    // Subscribed now, not when the task first runs: a change made before
    // then must not be missed.
    let mut events = shared.subscribe();
    tokio::spawn(async move {
        let mut failed = false;
        let mut last_cost = Duration::ZERO;
        loop {
            tokio::select! {
                changed = events.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    tokio::time::sleep(delay.max(last_cost * COST_FACTOR)).await;
                }
                () = tokio::time::sleep(RETRY_EVERY), if failed => {}
            }
            events.borrow_and_update();
            let started = std::time::Instant::now();
            let outcome = save(&shared, &file).await;
            last_cost = started.elapsed();
            failed = outcome.is_err();
            match outcome {
                Ok(true) => tracing::debug!(
                    path = %file.path().display(),
                    took_ms = last_cost.as_millis(),
                    "state saved"
                ),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cannot save the state; will retry"),
            }
        }
    })
}
