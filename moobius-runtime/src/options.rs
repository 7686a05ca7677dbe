//! How a driver does its I/O (the same options for both). The protocol's own timers (heartbeat,
//! liveness, backoff, ...) are not here: they are the session's
//! ([`SessionConfig::timings`](moobius_proto::session::SessionConfig)).

use std::time::Duration;

/// I/O limits of a driver (each field says which driver reads it).
///
/// ```
/// use moobius_runtime::Options;
/// use std::time::Duration;
/// let o = Options::default().call_timeout(Some(Duration::from_secs(5)));
/// assert_eq!(o.call_timeout, Some(Duration::from_secs(5)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Opening the websocket (TCP, TLS and handshake) takes at most this
    /// long, or the attempt fails and the session backs off (10 s).
    pub connect_timeout: Duration,
    /// A websocket write blocked this long counts as a lost connection
    /// (10 s).
    pub write_timeout: Duration,
    /// One HTTP request, answer included, takes at most this long (30 s).
    /// While a request runs the websocket is not read (the kernel buffers
    /// it), so keep this well under the session's liveness period.
    pub http_timeout: Duration,
    /// Largest HTTP answer read (64 MiB; downloads included).
    pub max_response_bytes: u64,
    /// Which certificate authorities `https://` and `wss://` trust
    /// (Mozilla's roots, plus `MOOBIUS_CA_FILE`'s; see
    /// [`TlsConfig`](crate::tls::TlsConfig)).
    pub tls: crate::tls::TlsConfig,
    /// How long a `Moobius` method waits for its result
    /// (60 s; `None`: as long as it takes). A command that timed out may
    /// still be carried out later.
    pub call_timeout: Option<Duration>,
    /// The blocking driver's idle loop looks at the handles' commands at
    /// least this often (20 ms): a blocking socket read cannot be
    /// interrupted, so it is cut into slices this long. For 50 ms after it
    /// hands the application an event or takes a command, the loop looks
    /// every millisecond instead, so that replies leave at once.
    pub command_poll: Duration,
    /// Seed of the session's random values (request ids, jitter); random
    /// when `None`. Fixed seeds make runs repeatable.
    pub seed: Option<[u8; 32]>,
    /// Commands and spells that may wait for the loop (256); a full queue
    /// makes callers wait.
    pub command_queue: usize,
    /// Install the `tracing` subscriber that `log_config` asks for when the
    /// service starts (`true`): terminal at `terminal_log_level` (or as
    /// `RUST_LOG` says), `log_file` and `error_log_file` with rotation and
    /// retention. Nothing is installed when the application already set a
    /// global subscriber; `false` never installs one (the application
    /// logs as it likes). See [`subscriber`](crate::subscriber).
    pub install_logging: bool,
    /// Which tokio runtime `moobius_tokio::run_with_runtime` builds
    /// ([`RuntimeFlavour::CurrentThread`]: the cheapest per message; see
    /// [`RuntimeFlavour`]). Read by the tokio driver only.
    pub runtime: RuntimeFlavour,
    /// Bytes the websocket reads from the socket at a time (8 KiB); the
    /// buffer grows for a larger frame. Bigger costs memory and, with
    /// tungstenite, zeroing on every read; smaller costs system calls.
    pub ws_read_buffer: usize,
    /// Bytes of outgoing frames collected before they are written (128 KiB;
    /// 0: one write per frame). Whatever is queued is written once the
    /// queue is empty, so this only saves system calls under load and
    /// never delays a frame.
    pub ws_write_buffer: usize,
}

/// The tokio runtime a service runs on when the driver builds it
/// (`moobius_tokio::run_with_runtime`).
///
/// One service keeps one task busy: a multi-thread runtime mostly moves
/// its wake-ups between threads, which costs more CPU per message than it
/// saves. Pick `MultiThread` when the callbacks do heavy work of their own
/// on other tasks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavour {
    /// All tasks on the calling thread (tokio's `current_thread`).
    #[default]
    CurrentThread,
    /// tokio's work-stealing runtime, one worker per core.
    MultiThread,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            http_timeout: Duration::from_secs(30),
            max_response_bytes: 64 << 20,
            tls: crate::tls::TlsConfig::default(),
            call_timeout: Some(Duration::from_secs(60)),
            command_poll: Duration::from_millis(20),
            seed: None,
            command_queue: 256,
            install_logging: true,
            runtime: RuntimeFlavour::default(),
            ws_read_buffer: 8 << 10,
            ws_write_buffer: 128 << 10,
        }
    }
}

impl Options {
    /// Sets [`connect_timeout`](Self::connect_timeout).
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets [`write_timeout`](Self::write_timeout).
    #[must_use]
    pub fn write_timeout(mut self, d: Duration) -> Self {
        self.write_timeout = d;
        self
    }

    /// Sets [`http_timeout`](Self::http_timeout).
    #[must_use]
    pub fn http_timeout(mut self, d: Duration) -> Self {
        self.http_timeout = d;
        self
    }

    /// Sets [`max_response_bytes`](Self::max_response_bytes).
    #[must_use]
    pub fn max_response_bytes(mut self, n: u64) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// Sets [`tls`](Self::tls): the trusted certificate authorities.
    #[must_use]
    pub fn tls(mut self, tls: crate::tls::TlsConfig) -> Self {
        self.tls = tls;
        self
    }

    /// Also trusts the certificates of this PEM file (a private or
    /// corporate CA; read when the driver starts).
    #[must_use]
    pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.tls = self.tls.with_ca_file(path);
        self
    }

    /// Sets [`call_timeout`](Self::call_timeout).
    #[must_use]
    pub fn call_timeout(mut self, d: Option<Duration>) -> Self {
        self.call_timeout = d;
        self
    }

    /// Sets [`command_poll`](Self::command_poll).
    #[must_use]
    pub fn command_poll(mut self, d: Duration) -> Self {
        self.command_poll = d.max(Duration::from_millis(1));
        self
    }

    /// Sets [`seed`](Self::seed).
    #[must_use]
    pub fn seed(mut self, seed: [u8; 32]) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets how many commands may wait for the loop.
    #[must_use]
    pub fn command_queue(mut self, n: usize) -> Self {
        self.command_queue = n.max(1);
        self
    }

    /// Sets [`install_logging`](Self::install_logging): `false` leaves
    /// logging entirely to the application.
    #[must_use]
    pub fn install_logging(mut self, yes: bool) -> Self {
        self.install_logging = yes;
        self
    }

    /// Sets [`runtime`](Self::runtime).
    #[must_use]
    pub fn runtime(mut self, flavour: RuntimeFlavour) -> Self {
        self.runtime = flavour;
        self
    }

    /// Sets [`ws_read_buffer`](Self::ws_read_buffer) (at least 256 bytes).
    #[must_use]
    pub fn ws_read_buffer(mut self, bytes: usize) -> Self {
        self.ws_read_buffer = bytes.max(256);
        self
    }

    /// Sets [`ws_write_buffer`](Self::ws_write_buffer).
    #[must_use]
    pub fn ws_write_buffer(mut self, bytes: usize) -> Self {
        self.ws_write_buffer = bytes;
        self
    }
}
