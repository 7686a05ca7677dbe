//! End-to-end throughput and latency: a user-mode client sends messages to
//! an echo service through an embedded devserver on loopback and waits for
//! each echo.
//!
//! ```sh
//! cargo bench -p moobius-tokio --bench e2e            # 2000 messages, 32 in flight
//! MOOBIUS_BENCH_N=10000 MOOBIUS_BENCH_WINDOW=1 cargo bench -p moobius-tokio --bench e2e
//! ```
//! Reports messages per second and the p50 / p99 / max round-trip latency
//! (client send → echo received by the client), for (a) a Rust echo service
//! on this driver and, when `MOOBIUS_PYTHON` names a Python with the
//! reference SDK (as `scripts/env/python.sh` sets up), (b) the reference SDK
//! 1.8.0 as the echo service, with the same Rust client, in the same run.

use moobius_devserver::{DevServer, DevServerHandle};
use moobius_tokio::proto::compose::{MessageSpec, Recipients};
use moobius_tokio::proto::model::MessageBody;
use moobius_tokio::proto::session::{Role, SessionConfig};
use moobius_tokio::{CallbackResult, Config, Moobius, Service};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

struct Echo;

impl Service for Echo {
    type Spell = ();
    async fn on_message_up(&mut self, m: &Moobius, message: MessageBody) -> CallbackResult {
        let author = message.sender.clone();
        m.send_message(MessageSpec::forward(&message, author))
            .await?;
        Ok(())
    }
}

struct Client(mpsc::UnboundedSender<(String, Instant)>);

impl Service for Client {
    type Spell = ();
    async fn on_message_down(&mut self, _m: &Moobius, message: MessageBody) -> CallbackResult {
        let _ = self
            .0
            .send((message.content.text.unwrap_or_default(), Instant::now()));
        Ok(())
    }
}

fn config(server: &DevServerHandle, email: &str, role: Role) -> Config {
    let http = format!("{}/", server.http_uri())
        .parse()
        .expect("valid URI");
    let mut c = Config::new(SessionConfig::new(
        email,
        "pw".into(),
        http,
        server.ws_uri(),
        role,
    ));
    c.no_warn_cannot_save_service_id = true;
    c
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

/// Sends `n` messages with at most `window` awaiting their echo; returns
/// the elapsed time and each round trip.
async fn round(
    client: &Moobius,
    echoes: &mut mpsc::UnboundedReceiver<(String, Instant)>,
    tag: &str,
    n: usize,
    window: usize,
) -> (Duration, Vec<Duration>) {
    round_in(client, echoes, "bench", tag, n, window).await
}

/// [`round`] in a given channel.
async fn round_in(
    client: &Moobius,
    echoes: &mut mpsc::UnboundedReceiver<(String, Instant)>,
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
        let (text, at) = tokio::time::timeout(Duration::from_secs(30), echoes.recv())
            .await
            .expect("an echo within 30 s")
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

/// Starts the reference SDK's echo service (tests/python/bench_echo_service.py)
/// against the devserver, serving `channel`; `None` without `MOOBIUS_PYTHON`.
fn python_echo(
    server: &DevServerHandle,
    email: &str,
    channel: &str,
) -> Option<std::process::Child> {
    let python = std::env::var("MOOBIUS_PYTHON").ok()?;
    let scripts = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");
    let cfg = serde_json::json!({
        "http": format!("{}/", server.http_uri()), "ws": server.ws_uri(),
        "email": email, "password": "pw", "channel": channel,
    });
    let child = std::process::Command::new(python)
        .arg(format!("{scripts}/bench_echo_service.py"))
        .current_dir(std::env::temp_dir())
        .env("MOOBIUS_INTEROP", cfg.to_string())
        .env("PYTHONPATH", scripts)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("python starts");
    Some(child)
}

fn report(who: &str, n: usize, window: usize, elapsed: Duration, mut rtts: Vec<Duration>) {
    rtts.sort();
    println!(
        "e2e echo through the devserver, {who}: {n} messages, window {window}: {:.0} messages/s; \
         round trip p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        n as f64 / elapsed.as_secs_f64(),
        percentile(&rtts, 0.50).as_secs_f64() * 1e3,
        percentile(&rtts, 0.99).as_secs_f64() * 1e3,
        rtts.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let n = env("MOOBIUS_BENCH_N", 2000);
        let window = env("MOOBIUS_BENCH_WINDOW", 32);
        let server = DevServer::builder()
            .user("svc@bench.local", "pw")
            .user("client@bench.local", "pw")
            .user("py-svc@bench.local", "pw")
            .user("py-client@bench.local", "pw")
            .channel("bench", "Bench")
            // Only a channel's owner binds a service to it.
            .channel_owned_by("bench-py", "Bench (reference SDK)", "py-svc@bench.local")
            .frame_log_limit(0)
            .start()
            .await
            .expect("devserver");
        let svc = moobius_tokio::spawn(
            config(
                &server,
                "svc@bench.local",
                Role::service(None, vec!["bench".into()]),
            ),
            Echo,
        );
        svc.moobius().wait_ready().await.expect("service ready");
        let (tx, mut echoes) = mpsc::unbounded_channel();
        let client = moobius_tokio::spawn(
            config(
                &server,
                "client@bench.local",
                Role::user(vec!["bench".into()]),
            ),
            Client(tx),
        );
        client.moobius().wait_ready().await.expect("client ready");
        let m = client.moobius().clone();
        round(&m, &mut echoes, "warmup-", 100, window).await;
        let (elapsed, rtts) = round(&m, &mut echoes, "msg-", n, window).await;
        report("Rust service (moobius-tokio)", n, window, elapsed, rtts);
        if let Some(mut py) = python_echo(&server, "py-svc@bench.local", "bench-py") {
            // The reference SDK sleeps after its logins; wait for its binding.
            let bound = server
                .wait_until(Duration::from_secs(60), |s| {
                    s.bindings()
                        .iter()
                        .any(|(c, _)| c == "bench-py")
                        .then_some(())
                })
                .await;
            bound.expect("the reference SDK service binds its channel");
            tokio::time::sleep(Duration::from_secs(2)).await;
            let (tx, mut echoes) = mpsc::unbounded_channel();
            let py_client = moobius_tokio::spawn(
                config(
                    &server,
                    "py-client@bench.local",
                    Role::user(vec!["bench-py".into()]),
                ),
                Client(tx),
            );
            py_client
                .moobius()
                .wait_ready()
                .await
                .expect("client ready");
            let m = py_client.moobius().clone();
            round_in(&m, &mut echoes, "bench-py", "warmup-", 50, window).await;
            let n_py = env("MOOBIUS_BENCH_N_PY", n.min(1000));
            let (elapsed, rtts) = round_in(&m, &mut echoes, "bench-py", "msg-", n_py, window).await;
            report(
                "reference SDK service (moobius 1.8.0, Python)",
                n_py,
                window,
                elapsed,
                rtts,
            );
            py_client.stop().await.expect("client stops");
            let _ = py.kill();
            let _ = py.wait();
        } else {
            println!("reference SDK run skipped: set MOOBIUS_PYTHON (scripts/env/python.sh does)");
        }
        client.stop().await.expect("client stops");
        svc.stop().await.expect("service stops");
        server.shutdown().await;
    });
}
