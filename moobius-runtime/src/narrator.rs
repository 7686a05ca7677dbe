//! What a running service tells its operator: logging set up from
//! `log_config`, a start-up summary, the channels served and dropped, and
//! warnings where something goes wrong without failing (a channel taken
//! from or lost to another service, a callback that keeps failing).
//!
//! Both drivers own one [`Narrator`] for the life of a service.

use crate::subscriber::{self, LogGuard};
use crate::{Config, Error};
use moobius_proto::ids::ChannelId;
use moobius_proto::session::{Event, Role, Session};
use std::collections::HashMap;

/// A callback failing this many times in a row is reported as failing
/// repeatedly (at `error`), then every time the count doubles.
pub const REPEATED_FAILURES: u32 = 3;

/// Logging and the start-up story of one service.
#[derive(Debug)]
pub struct Narrator {
    _guard: Option<LogGuard>,
    span: tracing::Span,
    service_mode: bool,
    configured: Vec<ChannelId>,
    dropped: Vec<(ChannelId, String)>,
    callbacks: CallbackWatch,
    ready_once: bool,
    /// The span's `id` is set (a field recorded twice is printed twice).
    id_known: bool,
}

/// Counts each callback's failures in a row: the first is a warning, the
/// [`REPEATED_FAILURES`]th (and every doubling after) an error saying the
/// service goes on without doing its job.
#[derive(Debug, Default)]
pub struct CallbackWatch {
    failures: HashMap<&'static str, u32>,
}

/// How a callback ended: its result, or the payload of its panic.
pub type CallbackOutcome = Result<crate::CallbackResult, Box<dyn std::any::Any + Send>>;

impl CallbackWatch {
    /// A callback ended: its error is counted ([`done`](Self::done)), its
    /// panic logged; either way the application goes on.
    pub fn finished(&mut self, callback: &'static str, outcome: CallbackOutcome) {
        match outcome {
            Ok(Ok(())) => self.done(callback, None),
            Ok(Err(error)) => self.done(callback, Some(error.as_ref())),
            Err(panic) => {
                let panic = crate::panic_message(panic.as_ref());
                tracing::error!(
                    callback,
                    panic,
                    "callback panicked; going on with the next event"
                );
            }
        }
    }

    /// A callback ended; `error` is its error, if any.
    pub fn done(
        &mut self,
        callback: &'static str,
        error: Option<&(dyn std::error::Error + 'static)>,
    ) {
        let Some(error) = error else {
            self.failures.remove(callback);
            return;
        };
        let n = self.failures.entry(callback).or_insert(0);
        *n += 1;
        let n = *n;
        let text = crate::explain::chain(error);
        if n == REPEATED_FAILURES || (n > REPEATED_FAILURES && n.is_power_of_two()) {
            tracing::error!(
                callback,
                failures = n,
                error = %text,
                "callback `{callback}` failed {n} times in a row; the service goes on but is not doing its job"
            );
        } else {
            tracing::warn!(callback, error = %text, "callback `{callback}` failed");
        }
    }
}

impl Narrator {
    /// Installs the subscriber of `config.log` (unless
    /// [`Options::install_logging`](crate::Options::install_logging) is off or the
    /// application has one), logs the configuration's warnings and the
    /// start-up summary: mode, platform hosts, own id, channels asked for.
    pub fn start(config: &Config) -> Result<Self, Error> {
        let guard = if config.options.install_logging {
            let log = config.log.clone().unwrap_or_else(default_log);
            subscriber::install(&log)?
        } else {
            None
        };
        let (service_mode, id, configured) = match &config.session.role {
            Role::Service {
                service_id,
                channels,
                ..
            } => (
                true,
                service_id.as_ref().map(ToString::to_string),
                channels.clone(),
            ),
            Role::User { channels, .. } => (false, None, channels.clone()),
        };
        let mode = if service_mode { "service" } else { "user" };
        let span = tracing::info_span!("moobius", mode, id = tracing::field::Empty);
        if let Some(id) = &id {
            span.record("id", id.as_str());
        }
        let id_known = id.is_some();
        let _in = span.enter();
        for w in &config.warnings {
            tracing::warn!("configuration: {w}");
        }
        tracing::info!(
            http = %crate::explain::host_of(&config.session.http_base.to_string()),
            ws = %crate::explain::host_of(&config.session.ws_uri),
            email = %config.session.email,
            own_id = id.as_deref().unwrap_or(if service_mode { "(a new service will be created)" } else { "(known after sign-in)" }),
            channels = %list(&configured),
            "starting in {mode} mode"
        );
        if service_mode && configured.is_empty() {
            tracing::warn!(
                "`service_config.channels` is empty: the service serves no channel and hears nothing until it creates or binds one"
            );
        }
        drop(_in);
        Ok(Self {
            _guard: guard,
            span,
            service_mode,
            configured,
            dropped: Vec::new(),
            callbacks: CallbackWatch::default(),
            ready_once: false,
            id_known,
        })
    }

    /// The span every line of this service is logged in (`moobius{mode id}`).
    #[must_use]
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Logs `event` when the loop handles it itself, and keeps what the
    /// start-up summary needs.
    pub fn on_event(&mut self, event: &Event, session: &Session) {
        let span = self.span.clone();
        let _in = span.enter();
        crate::log_event(event);
        match event {
            Event::ServiceCreated(id) => self.record_id(id.as_str()),
            Event::ChannelDropped { channel_id, reason } => {
                self.dropped.push((channel_id.clone(), reason.clone()));
            }
            Event::Ready if !self.ready_once => {
                self.ready_once = true;
                if let Some(id) = session.own_id() {
                    self.record_id(id);
                }
                self.summary(session);
            }
            _ => {}
        }
    }

    fn record_id(&mut self, id: &str) {
        if !self.id_known {
            self.id_known = true;
            self.span.record("id", id);
        }
    }

    fn summary(&self, session: &Session) {
        let own = session.own_id().unwrap_or("?");
        let served = session.channels();
        let what = if self.service_mode {
            "serving"
        } else {
            "joined"
        };
        tracing::info!(
            own_id = own,
            "ready: {what} {} channel(s): {}",
            served.len(),
            list(served)
        );
        for (channel, reason) in &self.dropped {
            tracing::warn!(%channel, "channel not served: {reason}");
        }
        if self.service_mode && served.is_empty() && !self.configured.is_empty() {
            tracing::error!(
                configured = %list(&self.configured),
                "no usable channel: every configured channel was dropped (see above); the service hears nothing"
            );
        }
    }

    /// A callback ended (see [`CallbackWatch::finished`]).
    pub fn callback_done(&mut self, callback: &'static str, outcome: CallbackOutcome) {
        let _in = self.span.enter();
        self.callbacks.finished(callback, outcome);
    }
}

fn default_log() -> moobius_proto::config::LogConfig {
    moobius_proto::config::LogConfig {
        log_level: "INFO".into(),
        terminal_log_level: "INFO".into(),
        error_log_level: "WARNING".into(),
        log_file: None,
        error_log_file: None,
        log_retention: serde_json::json!({}),
    }
}

fn list(channels: &[ChannelId]) -> String {
    if channels.is_empty() {
        return "(none)".into();
    }
    channels
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Debug, thiserror::Error)]
    #[error("the database is gone")]
    struct Gone;

    #[test]
    fn a_callback_failing_again_and_again_becomes_an_error() {
        let buf = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let mut watch = CallbackWatch::default();
            watch.done("on_message_up", Some(&Gone));
            watch.done("on_message_up", Some(&Gone));
            watch.done("on_message_up", Some(&Gone));
            watch.done("on_message_up", None);
            watch.done("on_message_up", Some(&Gone));
        });
        let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].contains("WARN") && lines[0].contains("the database is gone"),
            "{text}"
        );
        assert!(lines[2].contains("ERROR"), "{text}");
        assert!(lines[2].contains("failed 3 times in a row"), "{text}");
        assert!(
            lines[3].contains("WARN"),
            "a success resets the count: {text}"
        );
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
