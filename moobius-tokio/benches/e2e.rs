//! End-to-end throughput and latency: a user-mode client sends messages to
//! an echo service through an embedded devserver on loopback and waits for
//! each echo.
//!
//! ```sh
//! cargo bench -p moobius-tokio --bench e2e            # 2000 messages, 32 in flight
//! MOOBIUS_BENCH_N=10000 MOOBIUS_BENCH_WINDOW=1 cargo bench -p moobius-tokio --bench e2e
//! ```
//! Reports messages per second and the p50 / p99 / max round-trip latency
//! (client send → echo received by the client).

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
    let sent: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; n]));
    let permits = Arc::new(Semaphore::new(window.max(1)));
    let started = Instant::now();
    let sender = {
        let (client, sent, permits, tag) = (
            client.clone(),
            sent.clone(),
            permits.clone(),
            tag.to_owned(),
        );
        tokio::spawn(async move {
            for i in 0..n {
                permits.acquire().await.expect("open").forget();
                sent.lock().expect("not poisoned")[i] = Some(Instant::now());
                let spec = MessageSpec::text("bench", format!("{tag}{i}"), Recipients::Service);
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
            .channel("bench", "Bench")
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
        let (elapsed, mut rtts) = round(&m, &mut echoes, "msg-", n, window).await;
        rtts.sort();
        println!(
            "e2e echo through the devserver: {n} messages, window {window}: {:.0} messages/s; \
             round trip p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            n as f64 / elapsed.as_secs_f64(),
            percentile(&rtts, 0.50).as_secs_f64() * 1e3,
            percentile(&rtts, 0.99).as_secs_f64() * 1e3,
            rtts.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
        client.stop().await.expect("client stops");
        svc.stop().await.expect("service stops");
        server.shutdown().await;
    });
}
