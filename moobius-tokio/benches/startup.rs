//! Start-up cost of a service with many channels against the embedded
//! devserver: time to ready, resident memory, and the peak number of open
//! sockets of the service process.
//!
//! ```sh
//! cargo bench -p moobius-tokio --bench startup                       # 10, 100, 1000 channels
//! STARTUP_BENCH_CHANNELS=1000 cargo bench -p moobius-tokio --bench startup
//! ```
//!
//! The devserver runs in this process; the service runs in a child process
//! (this same binary, started with `STARTUP_BENCH_CHILD`), so its memory and
//! sockets are its own. The parent samples the child's `/proc/<pid>/fd`
//! every millisecond for sockets; the child reports its time to ready
//! (`Moobius::wait_ready`) and its peak RSS (`VmHWM`) once ready. Linux only.

use moobius_devserver::DevServer;
use moobius_tokio::proto::session::{Role, SessionConfig};
use moobius_tokio::{Config, Service};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Idle;

impl Service for Idle {
    type Spell = ();
}

const EMAIL: &str = "svc@bench.local";

fn channel_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("chan-{i:05}")).collect()
}

/// A field of `/proc/<pid>/status`, in KiB.
fn status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Open sockets of a process.
fn sockets(pid: u32) -> usize {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter(|e| {
            std::fs::read_link(e.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:"))
        })
        .count()
}

/// The service process: starts, waits until ready, reports, exits.
fn child(http: &str, ws: &str, n: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let channels = channel_ids(n).into_iter().map(Into::into).collect();
        let mut config = Config::new(SessionConfig::new(
            EMAIL,
            "pw".into(),
            http.parse().expect("valid URI"),
            ws,
            Role::service(None, channels),
        ));
        config.no_warn_cannot_save_service_id = true;
        let started = Instant::now();
        let service = moobius_tokio::spawn(config, Idle);
        tokio::time::timeout(Duration::from_secs(300), service.moobius().wait_ready())
            .await
            .expect("ready within 5 minutes")
            .expect("ready");
        let ready = started.elapsed();
        let channels = service.moobius().channels().len();
        // Let the sockets of start-up settle, then report.
        tokio::time::sleep(Duration::from_millis(200)).await;
        println!(
            "ready_ms={:.1} channels={channels} rss_kib={} hwm_kib={}",
            ready.as_secs_f64() * 1e3,
            status_kib("self", "VmRSS:"),
            status_kib("self", "VmHWM:"),
        );
    });
}

fn main() {
    if let Ok(spec) = std::env::var("STARTUP_BENCH_CHILD") {
        let mut parts = spec.split(' ');
        let (Some(http), Some(ws), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("STARTUP_BENCH_CHILD=<http> <ws> <n>");
        };
        return child(http, ws, n.parse().expect("a count"));
    }
    let counts: Vec<usize> = std::env::var("STARTUP_BENCH_CHANNELS")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 1000]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for n in counts {
        let server = rt.block_on(async {
            let mut b = DevServer::builder().user(EMAIL, "pw").frame_log_limit(0);
            for c in channel_ids(n) {
                b = b.channel(c.clone(), c);
            }
            b.start().await.expect("devserver")
        });
        let spec = format!("{}/ {} {n}", server.http_uri(), server.ws_uri());
        let mut proc = Command::new(std::env::current_exe().expect("own path"))
            .env("STARTUP_BENCH_CHILD", spec)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("child starts");
        let pid = proc.id();
        let stdout = proc.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find(|l| l.starts_with("ready_ms="))
        });
        let mut peak = 0;
        while !reader.is_finished() {
            peak = peak.max(sockets(pid));
            std::thread::sleep(Duration::from_millis(1));
        }
        let line = reader.join().expect("reader").unwrap_or_default();
        let _ = proc.wait();
        let field = |k: &str| -> f64 {
            line.split(' ')
                .find_map(|kv| kv.strip_prefix(k))
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        println!(
            "start-up with {n:>5} channels: ready in {:>8.1} ms, RSS {:>5.1} MiB (peak {:>5.1} MiB), peak open sockets {peak}",
            field("ready_ms="),
            field("rss_kib=") / 1024.0,
            field("hwm_kib=") / 1024.0,
        );
        drop(server);
    }
}
