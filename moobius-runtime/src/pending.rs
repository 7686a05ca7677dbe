//! Operations on their way through a driver's loop: a handle wraps a typed
//! [`Operation`] with the way back to its caller into an [`OpRequest`],
//! the loop starts it on the session and keeps its [`Finish`] in
//! [`InFlight`] until the session reports the result.

use crate::clock::unix_ms;
use crate::Error;
use moobius_proto::ops::Operation;
use moobius_proto::session::{OpError, OpId, OpOutput, Session};
use std::collections::HashMap;
use std::time::Instant;

/// Hands an operation's untyped result to its caller, typed.
pub type Finish = Box<dyn FnOnce(Result<OpOutput, Error>) + Send>;

type Begin = Box<dyn FnOnce(Option<(&mut Session, Instant, i64)>) -> Option<(OpId, Finish)> + Send>;

/// A typed operation and the way back to its caller, sent to the loop.
pub struct OpRequest {
    begin: Begin,
}

impl std::fmt::Debug for OpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpRequest(..)")
    }
}

impl OpRequest {
    /// `op`, whose result `answer` delivers (exactly once).
    pub fn new<O: Operation>(
        op: O,
        answer: impl FnOnce(Result<O::Output, Error>) + Send + 'static,
    ) -> Self {
        // `op{name}`, inside the caller's span (a callback's, say): what the
        // loop logs about this operation says whose it is.
        let span = tracing::info_span!("op", name = O::NAME);
        let begin: Begin = Box::new(move |session| {
            let _in = span.enter();
            let Some((session, now, unix_ms)) = session else {
                answer(Err(Error::Stopped));
                return None;
            };
            match op.start(session, now, unix_ms) {
                Ok((id, state)) => {
                    tracing::trace!(%id, "operation started");
                    let span = span.clone();
                    let finish: Finish = Box::new(move |result| {
                        let _in = span.enter();
                        let result =
                            result.and_then(|out| O::finish(state, out).map_err(Error::Op));
                        match &result {
                            Ok(_) => tracing::trace!(%id, "operation done"),
                            Err(e) => tracing::debug!(%id, error = %e, "operation failed"),
                        }
                        answer(result);
                    });
                    Some((id, finish))
                }
                Err(e) => {
                    tracing::debug!(error = %e, "operation refused");
                    answer(Err(Error::Command(e)));
                    None
                }
            }
        });
        Self { begin }
    }

    /// Answers the caller that the loop is gone, without starting anything.
    pub fn refuse(self) {
        let _ = (self.begin)(None);
    }
}

/// The operations started and not yet answered.
#[derive(Default)]
pub struct InFlight {
    waiting: HashMap<OpId, Finish>,
}

impl std::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InFlight")
            .field("waiting", &self.waiting.len())
            .finish()
    }
}

impl InFlight {
    /// Starts `request` on `session` (a refused one is answered at once).
    pub fn start(&mut self, session: &mut Session, request: OpRequest) {
        if let Some((id, finish)) = (request.begin)(Some((session, Instant::now(), unix_ms()))) {
            self.waiting.insert(id, finish);
        }
    }

    /// Answers the caller of `op`; results nobody waits for are dropped.
    pub fn finish(&mut self, op: OpId, result: Result<OpOutput, OpError>) {
        match self.waiting.remove(&op) {
            Some(finish) => finish(result.map_err(Error::Op)),
            None => tracing::debug!(%op, "result of an abandoned operation dropped"),
        }
    }

    /// Answers every caller still waiting with [`Error::Stopped`].
    pub fn stop_all(&mut self) {
        for (_, finish) in self.waiting.drain() {
            finish(Err(Error::Stopped));
        }
    }
}
