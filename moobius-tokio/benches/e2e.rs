//! End-to-end cost of an echo service, each role in its own process: the
//! devserver (the `moobius-devserver` binary), the echo services (Rust on
//! the tokio driver, Rust on the blocking driver, the reference SDK 1.8.0
//! in Python), and the load client (this process, a user-mode client on
//! this driver). The client sends messages to each service's channel, at
//! most `window` awaiting their echo, and reads the CPU time the service's
//! process spent on them (all its threads, `/proc/<pid>/task/*/schedstat`,
//! nanoseconds): **service CPU µs per echoed message**, for that process
//! alone. Also: each service's time to ready (process start → its
//! `on_start`), its idle RSS (ready, then 1 s without traffic), the
//! devserver's CPU per message, messages/s and round trips.
//!
//! ```sh
//! bash scripts/bench/e2e-vs-reference.sh     # builds everything, then runs this (~2 min)
//! ```
//!
//! or by hand:
//!
//! ```sh
//! cargo build --profile bench -p moobius-devserver --bin moobius-devserver \
//!     -p moobius-tokio --example e2e_service -p moobius-blocking --example e2e_service_blocking
//! MOOBIUS_PYTHON=.venv/bin/python cargo bench -p moobius-tokio --bench e2e
//! ```
//!
//! Environment (all optional):
//! - `MOOBIUS_BENCH_SERVICES`: which services, comma-separated, from
//!   `tokio` (default options), `tokio-mt` (multi-thread runtime),
//!   `tokio-ct` (current-thread runtime), `tokio-main` (`#[tokio::main]` +
//!   `run` on tokio's multi-thread runtime), `blocking`, `python`, and `before`
//!   (the binary named by `MOOBIUS_BENCH_BEFORE_SERVICE`: `e2e_service_tokio_main`
//!   built at an older revision), `extra` (any echo service binary taking
//!   `--config PATH`, named by `MOOBIUS_BENCH_EXTRA_SERVICE`, e.g. one built
//!   with other compiler settings; its row is named `MOOBIUS_BENCH_EXTRA_LABEL`)
//!   [`tokio,tokio-mt,blocking,python`].
//! - `MOOBIUS_BENCH_N` / `MOOBIUS_BENCH_N_PY` / `MOOBIUS_BENCH_N_BLOCKING`:
//!   messages per measured round for a tokio / the Python / the blocking
//!   service [3000 / 400 / 400].
//! - `MOOBIUS_BENCH_WINDOWS`: windows to measure [`32,1`].
//! - `MOOBIUS_BENCH_REPEAT`: rounds per service and window; the table gives
//!   the median [3].
//! - `MOOBIUS_BENCH_DEVSERVER`, `MOOBIUS_BENCH_TOKIO_SERVICE`,
//!   `MOOBIUS_BENCH_BLOCKING_SERVICE`: the binaries (default: next to this
//!   bench in `target/release`); `MOOBIUS_PYTHON`: a Python with the
//!   reference SDK (`scripts/env/python.sh` sets it up); without it the
//!   Python service is skipped.
//! - `MOOBIUS_BENCH_ARGS`: extra arguments for the `tokio` service (e.g.
//!   `--ws-read-buffer 4096`); kinds `tokio-a` and `tokio-b` are more
//!   `tokio` services, with `MOOBIUS_BENCH_ARGS_A` / `_B` (to compare
//!   settings in one run).
//!
//! Linux only (`/proc`). The machine's other load is printed: CPU time of
//! every other process during the run, in cores.

use moobius_tokio::proto::compose::{MessageSpec, Recipients};
use moobius_tokio::proto::model::MessageBody;
use moobius_tokio::proto::session::{Role, SessionConfig};
use moobius_tokio::{CallbackResult, Config, Moobius, Service};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

const PASSWORD: &str = "pw";
const CLIENT: &str = "client@bench.local";

/// An echo as the client saw it: channel, text, arrival.
type Echo = (String, String, Instant);

/// The load client: forwards every echo to the measuring task.
struct Client(mpsc::UnboundedSender<Echo>);

impl Service for Client {
    type Spell = ();
    async fn on_message_down(&mut self, _m: &Moobius, message: MessageBody) -> CallbackResult {
        let _ = self.0.send((
            message.channel_id.to_string(),
            message.content.text.unwrap_or_default(),
            Instant::now(),
        ));
        Ok(())
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What kind of service a row measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Tokio,
    TokioMulti,
    TokioCurrent,
    TokioMain,
    TokioA,
    TokioB,
    Blocking,
    Python,
    Before,
    Extra,
}

impl Kind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "tokio" => Self::Tokio,
            "tokio-mt" => Self::TokioMulti,
            "tokio-ct" => Self::TokioCurrent,
            "tokio-main" => Self::TokioMain,
            "tokio-a" => Self::TokioA,
            "tokio-b" => Self::TokioB,
            "blocking" => Self::Blocking,
            "python" => Self::Python,
            "before" => Self::Before,
            "extra" => Self::Extra,
            _ => return None,
        })
    }

    fn key(self) -> &'static str {
        match self {
            Self::Tokio => "tokio",
            Self::TokioMulti => "tokio-mt",
            Self::TokioCurrent => "tokio-ct",
            Self::TokioMain => "tokio-main",
            Self::TokioA => "tokio-a",
            Self::TokioB => "tokio-b",
            Self::Blocking => "blocking",
            Self::Python => "python",
            Self::Before => "before",
            Self::Extra => "extra",
        }
    }

    fn label(self) -> String {
        if self == Self::Extra {
            if let Ok(label) = std::env::var("MOOBIUS_BENCH_EXTRA_LABEL") {
                return label;
            }
        }
        self.static_label().to_owned()
    }

    fn static_label(self) -> &'static str {
        match self {
            Self::Tokio => "Rust, moobius-tokio (default options)",
            Self::TokioMulti => "Rust, moobius-tokio, multi_thread runtime",
            Self::TokioCurrent => "Rust, moobius-tokio, current_thread runtime",
            Self::TokioMain => "Rust, moobius-tokio, #[tokio::main] + run",
            Self::TokioA => "Rust, moobius-tokio, MOOBIUS_BENCH_ARGS_A",
            Self::TokioB => "Rust, moobius-tokio, MOOBIUS_BENCH_ARGS_B",
            Self::Blocking => "Rust, moobius-blocking",
            Self::Python => "reference SDK (moobius 1.8.0, Python)",
            Self::Before => "before: MOOBIUS_BENCH_BEFORE_SERVICE (#[tokio::main] + run)",
            Self::Extra => "MOOBIUS_BENCH_EXTRA_SERVICE",
        }
    }

    fn is_rust(self) -> bool {
        self != Self::Python
    }
}

/// Where the binaries and scripts are.
struct Paths {
    devserver: PathBuf,
    tokio_service: PathBuf,
    tokio_main_service: PathBuf,
    blocking_service: PathBuf,
    before_service: Option<PathBuf>,
    extra_service: Option<PathBuf>,
    python: Option<PathBuf>,
    python_script: PathBuf,
}

impl Paths {
    fn find() -> Self {
        // This bench runs as target/<profile>/deps/e2e-<hash>.
        let exe = std::env::current_exe().expect("own path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let pick = |var: &str, rel: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| profile_dir.join(rel))
        };
        Self {
            devserver: pick("MOOBIUS_BENCH_DEVSERVER", "moobius-devserver"),
            tokio_service: pick("MOOBIUS_BENCH_TOKIO_SERVICE", "examples/e2e_service"),
            tokio_main_service: pick(
                "MOOBIUS_BENCH_TOKIO_MAIN_SERVICE",
                "examples/e2e_service_tokio_main",
            ),
            blocking_service: pick(
                "MOOBIUS_BENCH_BLOCKING_SERVICE",
                "examples/e2e_service_blocking",
            ),
            before_service: std::env::var_os("MOOBIUS_BENCH_BEFORE_SERVICE").map(PathBuf::from),
            extra_service: std::env::var_os("MOOBIUS_BENCH_EXTRA_SERVICE").map(PathBuf::from),
            python: std::env::var_os("MOOBIUS_PYTHON").map(PathBuf::from),
            python_script: Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../scripts/bench/e2e_reference_echo.py"),
        }
    }
}

/// CPU time of a process, all its threads, in nanoseconds.
fn cpu_ns(pid: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// A field of `/proc/<pid>/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Busy CPU time of the whole machine, in nanoseconds (`/proc/stat`).
fn machine_busy_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().next() else {
        return 0;
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy: u64 = v
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, x)| x)
        .sum();
    busy * 10_000_000 // USER_HZ = 100
}

/// A child process that ends when dropped.
struct Proc {
    child: Child,
    name: String,
}

impl Proc {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then SIGKILL after 3 s.
    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("{} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// Reads a child's stdout on a thread; `Some(line)` for the first line
/// that starts with `prefix`, within `timeout`. Later lines are drained.
fn wait_line(child: &mut Child, prefix: &'static str, timeout: Duration) -> Option<String> {
    let out = child.stdout.take()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if line.starts_with(prefix) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(line);
                }
            }
        }
    });
    rx.recv_timeout(timeout).ok()
}

/// One service under test.
struct Svc {
    kind: Kind,
    channel: String,
    proc: Proc,
    ready: Duration,
    idle_rss_kib: u64,
    idle_anon_kib: u64,
    /// window → per-round (CPU µs/msg, devserver µs/msg, msgs/s, p50 ms).
    rounds: BTreeMap<usize, Vec<Round>>,
}

#[derive(Clone, Copy)]
struct Round {
    cpu_us: f64,
    devserver_us: f64,
    rate: f64,
    p50_ms: f64,
}

fn account(kind: Kind) -> String {
    format!("svc-{}@bench.local", kind.key())
}

fn service_id(kind: Kind) -> String {
    format!("service-bench-{}", kind.key())
}

fn channel_of(kind: Kind) -> String {
    format!("e2e-{}", kind.key())
}

/// Starts the devserver with an account, a service and a channel (owned
/// by that account) per service under test, and the client's account.
fn start_devserver(paths: &Paths, kinds: &[Kind], logs: &Path) -> (Proc, String, String) {
    let mut cmd = Command::new(&paths.devserver);
    cmd.args(["--addr", "127.0.0.1:0", "--frame-log-limit", "0"])
        .args(["--user", &format!("{CLIENT}:{PASSWORD}")]);
    for &k in kinds {
        cmd.args(["--user", &format!("{}:{PASSWORD}", account(k))])
            .args([
                "--channel",
                &format!("{}:Bench {}:{}", channel_of(k), k.key(), account(k)),
            ])
            .args(["--service", &format!("{}:{}", service_id(k), account(k))]);
    }
    let log = std::fs::File::create(logs.join("devserver.log")).expect("log file");
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", paths.devserver.display()));
    let line = wait_line(
        &mut child,
        "moobius-devserver ready",
        Duration::from_secs(20),
    )
    .expect("the devserver says it is ready");
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .expect("ready line names its URIs")
            .to_owned()
    };
    let (http, ws) = (field("http="), field("ws="));
    let proc = Proc {
        child,
        name: "devserver".into(),
    };
    (proc, http, ws)
}

/// Starts one service and waits until it says `E2E READY`.
fn start_service(paths: &Paths, kind: Kind, http: &str, ws: &str, dir: &Path) -> Svc {
    let channel = channel_of(kind);
    let http_slash = format!("{}/", http.trim_end_matches('/'));
    let mut cmd = match kind {
        Kind::Python => {
            let python = paths.python.clone().expect("MOOBIUS_PYTHON");
            let cfg = serde_json::json!({
                "http": http_slash, "ws": ws, "email": account(kind), "password": PASSWORD,
                "channel": channel, "service_id": service_id(kind),
            });
            let mut c = Command::new(python);
            c.arg(&paths.python_script)
                .env("MOOBIUS_BENCH_SERVICE", cfg.to_string());
            c
        }
        _ => {
            let config = serde_json::json!({
                "account_config": { "email": account(kind), "password": PASSWORD },
                "service_config": {
                    "http_server_uri": http_slash, "ws_server_uri": ws,
                    "service_id": service_id(kind), "channels": [channel], "others": "include",
                },
                // As the reference's figures were measured.
                "log_config": { "terminal_log_level": "WARNING" },
            });
            let path = dir.join(format!("config-{}.json", kind.key()));
            std::fs::write(&path, config.to_string()).expect("config written");
            let bin = match kind {
                Kind::Blocking => paths.blocking_service.clone(),
                Kind::Before => paths.before_service.clone().expect("before binary"),
                Kind::Extra => paths.extra_service.clone().expect("extra binary"),
                Kind::TokioMain => paths.tokio_main_service.clone(),
                _ => paths.tokio_service.clone(),
            };
            let mut c = Command::new(bin);
            c.arg("--config").arg(&path);
            match kind {
                Kind::TokioMulti => {
                    c.args(["--flavour", "multi_thread"]);
                }
                Kind::TokioCurrent => {
                    c.args(["--flavour", "current_thread"]);
                }
                Kind::Tokio | Kind::TokioA | Kind::TokioB => {
                    let var = match kind {
                        Kind::TokioA => "MOOBIUS_BENCH_ARGS_A",
                        Kind::TokioB => "MOOBIUS_BENCH_ARGS_B",
                        _ => "MOOBIUS_BENCH_ARGS",
                    };
                    if let Ok(extra) = std::env::var(var) {
                        c.args(extra.split_whitespace());
                    }
                }
                _ => {}
            }
            c
        }
    };
    let log = std::fs::File::create(dir.join(format!("{}.log", kind.key()))).expect("log");
    let started = Instant::now();
    let mut child = cmd
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the {} service: {e}", kind.key()));
    let ready = wait_line(&mut child, "E2E READY", Duration::from_secs(60));
    let ready_after = started.elapsed();
    let proc = Proc {
        child,
        name: kind.key().into(),
    };
    if ready.is_none() {
        panic!(
            "the {} service was not ready within 60 s (see {})",
            kind.key(),
            dir.join(format!("{}.log", kind.key())).display()
        );
    }
    Svc {
        kind,
        channel,
        proc,
        ready: ready_after,
        idle_rss_kib: 0,
        idle_anon_kib: 0,
        rounds: BTreeMap::new(),
    }
}

fn client_config(http: &str, ws: &str, channels: Vec<String>) -> Config {
    let mut c = Config::new(SessionConfig::new(
        CLIENT,
        PASSWORD.into(),
        format!("{}/", http.trim_end_matches('/'))
            .parse()
            .expect("valid URI"),
        ws,
        Role::user(channels.into_iter().map(Into::into).collect()),
    ));
    c.no_warn_cannot_save_service_id = true;
    c.options = c.options.install_logging(false);
    c
}

/// Sends a probe until the service echoes one (it is bound and serving).
async fn probe(client: &Moobius, echoes: &mut mpsc::UnboundedReceiver<Echo>, channel: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let spec = MessageSpec::text(channel, "probe", Recipients::Service);
        client.send_message(spec).await.expect("probe sent");
        let until = tokio::time::Instant::now() + Duration::from_millis(300);
        while let Ok(Some((ch, text, _))) = tokio::time::timeout_at(until, echoes.recv()).await {
            if ch == channel && text == "probe" {
                // Let the other probes' echoes arrive and drop them.
                tokio::time::sleep(Duration::from_millis(300)).await;
                while echoes.try_recv().is_ok() {}
                return;
            }
        }
    }
    panic!("no echo from the service of {channel} within 60 s");
}

/// Sends `n` messages with at most `window` awaiting their echo; returns
/// the elapsed time and each round trip.
async fn round(
    client: &Moobius,
    echoes: &mut mpsc::UnboundedReceiver<Echo>,
    channel: &str,
    tag: &str,
    n: usize,
    window: usize,
) -> (Duration, Vec<Duration>) {
    let sent: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; n]));
    let permits = Arc::new(Semaphore::new(window.max(1)));
    let started = Instant::now();
    let sender = {
        let (client, sent, permits, tag, channel) = (
            client.clone(),
            sent.clone(),
            permits.clone(),
            tag.to_owned(),
            channel.to_owned(),
        );
        tokio::spawn(async move {
            for i in 0..n {
                permits.acquire().await.expect("open").forget();
                sent.lock().expect("not poisoned")[i] = Some(Instant::now());
                let spec =
                    MessageSpec::text(channel.as_str(), format!("{tag}{i}"), Recipients::Service);
                client.send_message(spec).await.expect("sent");
            }
        })
    };
    let mut rtts = Vec::with_capacity(n);
    while rtts.len() < n {
        let (_, text, at) = tokio::time::timeout(Duration::from_secs(60), echoes.recv())
            .await
            .expect("an echo within 60 s")
            .expect("client alive");
        let Some(i) = text.strip_prefix(tag).and_then(|i| i.parse::<usize>().ok()) else {
            continue;
        };
        if let Some(t0) = sent.lock().expect("not poisoned").get(i).copied().flatten() {
            rtts.push(at.duration_since(t0));
        }
        permits.add_permits(1);
    }
    sender.await.expect("sender done");
    (started.elapsed(), rtts)
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let kinds: Vec<Kind> = std::env::var("MOOBIUS_BENCH_SERVICES")
        .unwrap_or_else(|_| "tokio,tokio-mt,blocking,python".into())
        .split(',')
        .map(|s| Kind::parse(s).unwrap_or_else(|| panic!("unknown service kind `{s}`")))
        .collect();
    let paths = Paths::find();
    let kinds: Vec<Kind> = kinds
        .into_iter()
        .filter(|k| match k {
            Kind::Python if paths.python.is_none() => {
                println!("reference SDK skipped: set MOOBIUS_PYTHON (scripts/env/python.sh does)");
                false
            }
            Kind::Before if paths.before_service.is_none() => {
                println!("`before` skipped: set MOOBIUS_BENCH_BEFORE_SERVICE");
                false
            }
            Kind::Extra if paths.extra_service.is_none() => {
                println!("`extra` skipped: set MOOBIUS_BENCH_EXTRA_SERVICE");
                false
            }
            _ => true,
        })
        .collect();
    let mut needed = vec![&paths.devserver];
    for k in &kinds {
        match k {
            Kind::Tokio | Kind::TokioMulti | Kind::TokioCurrent | Kind::TokioA | Kind::TokioB => {
                needed.push(&paths.tokio_service)
            }
            Kind::TokioMain => needed.push(&paths.tokio_main_service),
            Kind::Blocking => needed.push(&paths.blocking_service),
            Kind::Python | Kind::Before | Kind::Extra => {}
        }
    }
    if let Some(missing) = needed.iter().find(|p| !p.exists()) {
        eprintln!(
            "{} is not built: run\n  cargo build --profile bench -p moobius-devserver --bin moobius-devserver \
             -p moobius-tokio --example e2e_service --example e2e_service_tokio_main \
             -p moobius-blocking --example e2e_service_blocking\n\
             or scripts/bench/e2e-vs-reference.sh",
            missing.display()
        );
        std::process::exit(2);
    }
    let n_rust = env_usize("MOOBIUS_BENCH_N", 3000);
    let n_py = env_usize("MOOBIUS_BENCH_N_PY", 400);
    let n_blocking = env_usize("MOOBIUS_BENCH_N_BLOCKING", 400);
    let repeat = env_usize("MOOBIUS_BENCH_REPEAT", 3).max(1);
    let windows: Vec<usize> = std::env::var("MOOBIUS_BENCH_WINDOWS")
        .unwrap_or_else(|_| "32,1".into())
        .split(',')
        .filter_map(|w| w.trim().parse().ok())
        .collect();

    let dir = tempfile::tempdir().expect("temp dir");
    let busy0 = machine_busy_ns();
    let run_started = Instant::now();
    let own0 = cpu_ns(std::process::id());
    let (devserver, http, ws) = start_devserver(&paths, &kinds, dir.path());
    // One at a time, so that their start-ups do not compete.
    let mut svcs: Vec<Svc> = kinds
        .iter()
        .map(|&k| start_service(&paths, k, &http, &ws, dir.path()))
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    for s in &mut svcs {
        s.idle_rss_kib = status_kib(s.proc.pid(), "VmRSS:");
        s.idle_anon_kib = status_kib(s.proc.pid(), "RssAnon:");
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (tx, mut echoes) = mpsc::unbounded_channel();
        let channels = svcs.iter().map(|s| s.channel.clone()).collect();
        let client = moobius_tokio::spawn(client_config(&http, &ws, channels), Client(tx));
        client.moobius().wait_ready().await.expect("client ready");
        let m = client.moobius().clone();
        for s in &svcs {
            probe(&m, &mut echoes, &s.channel).await;
        }
        for rep in 0..repeat {
            for &window in &windows {
                for s in &mut svcs {
                    let n = match s.kind {
                        Kind::Python => n_py,
                        Kind::Blocking => n_blocking,
                        _ => n_rust,
                    };
                    let warm = format!("warm{rep}w{window}-");
                    round(&m, &mut echoes, &s.channel, &warm, (n / 10).max(20), window).await;
                    let tag = format!("m{rep}w{window}-");
                    let (svc0, dev0) = (cpu_ns(s.proc.pid()), cpu_ns(devserver.pid()));
                    let (elapsed, mut rtts) = round(&m, &mut echoes, &s.channel, &tag, n, window).await;
                    let (svc1, dev1) = (cpu_ns(s.proc.pid()), cpu_ns(devserver.pid()));
                    rtts.sort();
                    let r = Round {
                        cpu_us: (svc1 - svc0) as f64 / n as f64 / 1e3,
                        devserver_us: (dev1 - dev0) as f64 / n as f64 / 1e3,
                        rate: n as f64 / elapsed.as_secs_f64(),
                        p50_ms: rtts[rtts.len() / 2].as_secs_f64() * 1e3,
                    };
                    println!(
                        "round {rep} window {window:>2} {:<9} {n:>5} msgs: service {:>7.1} µs/msg, devserver {:>6.1} µs/msg, {:>6.0} msgs/s, p50 {:.2} ms",
                        s.kind.key(), r.cpu_us, r.devserver_us, r.rate, r.p50_ms
                    );
                    s.rounds.entry(window).or_default().push(r);
                }
            }
        }
        client.stop().await.expect("client stops");
    });
    let own1 = cpu_ns(std::process::id());
    let ours: u64 =
        svcs.iter().map(|s| cpu_ns(s.proc.pid())).sum::<u64>() + cpu_ns(devserver.pid());
    let elapsed = run_started.elapsed().as_secs_f64();
    let busy1 = machine_busy_ns();
    let peak: Vec<u64> = svcs
        .iter()
        .map(|s| status_kib(s.proc.pid(), "VmHWM:"))
        .collect();
    for s in &mut svcs {
        s.proc.stop();
    }
    drop(devserver);

    let mib = |kib: u64| kib as f64 / 1024.0;
    println!();
    println!(
        "| service | idle RSS MiB (anon) | peak RSS MiB | ready ms | {} |",
        windows
            .iter()
            .map(|w| format!(
                "CPU µs/msg w{w} (min–max) | devserver µs/msg w{w} | msgs/s w{w} | p50 ms w{w}"
            ))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|---|---|---|{}", "---|".repeat(4 * windows.len()));
    for (s, peak) in svcs.iter().zip(&peak) {
        let mut cells = Vec::new();
        for w in &windows {
            let rs = s.rounds.get(w).cloned().unwrap_or_default();
            let cpu: Vec<f64> = rs.iter().map(|r| r.cpu_us).collect();
            let lo = cpu.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = cpu.iter().copied().fold(0.0, f64::max);
            cells.push(format!("**{:.1}** ({lo:.1}–{hi:.1})", median(cpu.clone())));
            cells.push(format!(
                "{:.1}",
                median(rs.iter().map(|r| r.devserver_us).collect())
            ));
            cells.push(format!(
                "{:.0}",
                median(rs.iter().map(|r| r.rate).collect())
            ));
            cells.push(format!(
                "{:.2}",
                median(rs.iter().map(|r| r.p50_ms).collect())
            ));
        }
        println!(
            "| {} | {:.1} ({:.1}) | {:.1} | {:.0} | {} |",
            s.kind.label(),
            mib(s.idle_rss_kib),
            mib(s.idle_anon_kib),
            mib(*peak),
            s.ready.as_secs_f64() * 1e3,
            cells.join(" | ")
        );
    }
    if let Some(py) = svcs.iter().find(|s| s.kind == Kind::Python) {
        println!();
        println!(
            "Ratios, reference SDK ÷ Rust (same run; CPU: median round, and in brackets the \
             best round of each, which other load on the machine can only make worse):"
        );
        println!();
        println!(
            "| service | {} | idle RSS | time to ready |",
            windows
                .iter()
                .map(|w| format!("CPU/msg w{w}"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        println!("|---|{}---|---|", "---|".repeat(windows.len()));
        let med = |s: &Svc, w: usize| {
            median(
                s.rounds
                    .get(&w)
                    .map(|rs| rs.iter().map(|r| r.cpu_us).collect())
                    .unwrap_or_default(),
            )
        };
        let best = |s: &Svc, w: usize| {
            s.rounds
                .get(&w)
                .map(|rs| rs.iter().map(|r| r.cpu_us).fold(f64::INFINITY, f64::min))
                .unwrap_or(f64::NAN)
        };
        for s in svcs.iter().filter(|s| s.kind.is_rust()) {
            let cells: Vec<String> = windows
                .iter()
                .map(|&w| {
                    format!(
                        "{:.1}× ({:.1}×)",
                        med(py, w) / med(s, w),
                        best(py, w) / best(s, w)
                    )
                })
                .collect();
            println!(
                "| {} | {} | {:.1}× | {:.0}× |",
                s.kind.label(),
                cells.join(" | "),
                py.idle_rss_kib as f64 / s.idle_rss_kib.max(1) as f64,
                py.ready.as_secs_f64() / s.ready.as_secs_f64().max(1e-9),
            );
        }
    }
    let own = own1.saturating_sub(own0);
    let busy = busy1.saturating_sub(busy0) as f64;
    println!();
    println!(
        "machine: {} cores; other processes used {:.2} cores on average during the run ({:.0} s); load average now {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        ((busy - ours as f64 - own as f64) / 1e9 / elapsed).max(0.0),
        elapsed,
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    );
}
