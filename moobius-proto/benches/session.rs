//! Cost of the session's bookkeeping, CPU only (a bench binary, no criterion):
//!
//! * `burst N`: N messages sent while none is acknowledged (N frames in
//!   flight), then the N acknowledgements (`copy` frames) in order; the cost
//!   per send is (sending + acknowledging) / N. The target is a cost at
//!   100,000 in flight within 2× the cost at 1,000.
//! * `recipients K`: `send_message` to a list of K characters whose group is
//!   already created (cached); the cost per send, for the list passed as a
//!   fresh `Vec` (cloned by the caller each time) and, where the API has it,
//!   as a shared [`CharacterList`]. The target is ≤ 2× the 1-recipient cost
//!   at 10,000.
//!
//! ```sh
//! cargo bench -p moobius-proto --bench session
//! SESSION_BENCH_BURSTS=1000,10000 SESSION_BENCH_RUNS=5 cargo bench -p moobius-proto --bench session
//! ```
//! Each figure is the fastest of `SESSION_BENCH_RUNS` runs (5): on a shared
//! machine other processes only ever add time, so the minimum is the figure
//! that varies least from run to run.

#[path = "../tests/sim/mod.rs"]
mod sim;

use moobius_proto::compose::{CharacterList, MessageSpec, Recipients};
use moobius_proto::session::{Output, Role, Session, SessionConfig};
use moobius_proto::ws::decode_client_frame;
use moobius_proto::{CharacterId, Password};
use sim::platform::{Platform, EMAIL, PASSWORD};
use sim::Sim;
use std::time::{Duration, Instant};

const CHAN: &str = "chan-1";

fn ready_sim() -> Sim {
    let mut p = Platform::new();
    p.members.insert(CHAN.into(), vec!["u1".into()]);
    let mut cfg = SessionConfig::new(
        EMAIL,
        Password::new(PASSWORD),
        "http://platform.test/".parse().expect("uri"),
        "ws://platform.test/ws",
        Role::service(None, vec![CHAN.into()]),
    );
    cfg.timings.ack_window = Duration::from_secs(3600);
    let mut sim = Sim::new(cfg, p, 7);
    sim.run_until_ready();
    sim
}

/// Drains the outputs; returns the texts written.
fn drain(session: &mut Session, sent: &mut Vec<String>) {
    while let Some(out) = session.poll_output() {
        if let Output::WsSend(text) = out {
            sent.push(text);
        }
    }
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

fn fastest(v: Vec<Duration>) -> Duration {
    v.into_iter().min().unwrap_or_default()
}

fn ns(d: Duration) -> f64 {
    d.as_secs_f64() * 1e9
}

/// One burst: (time to send n, time to acknowledge n).
fn burst(n: usize) -> (Duration, Duration) {
    let mut sim = ready_sim();
    let now = sim.now;
    let session = &mut sim.session;
    let mut sent = Vec::with_capacity(n);
    let t0 = Instant::now();
    for i in 0..n {
        let spec = MessageSpec::text(CHAN, "hello", Recipients::Service).sender("agent");
        session
            .send_message(now, i as i64, spec, None)
            .expect("sent");
        drain(session, &mut sent);
    }
    let send = t0.elapsed();
    assert_eq!(sent.len(), n, "every send is written at once");
    let copies: Vec<String> = sent
        .iter()
        .map(|text| {
            let rid = decode_client_frame(text)
                .expect("own frame")
                .request_id
                .expect("request id");
            format!(
                r#"{{"type":"copy","body":{{"request_id":"{}","origin_type":"message_down","status":true,"context":{{}}}}}}"#,
                rid.as_str()
            )
        })
        .collect();
    let mut sink = Vec::new();
    let t1 = Instant::now();
    for copy in &copies {
        session.handle_ws_text(now, copy);
        drain(session, &mut sink);
    }
    let ack = t1.elapsed();
    (send, ack)
}

/// Cost per send to a cached list of `k`, for the given way of passing it.
fn recipients(k: usize, sends: usize, make: &dyn Fn(&[CharacterId]) -> Recipients) -> Duration {
    let mut sim = ready_sim();
    let ids: Vec<CharacterId> = (0..k)
        .map(|i| CharacterId::new(format!("character-{i:08}")))
        .collect();
    // The first send creates the group.
    let spec = MessageSpec::text(CHAN, "first", make(&ids)).sender("agent");
    let now = sim.now;
    sim.session.send_message(now, 0, spec, None).expect("sent");
    sim.run_for(Duration::from_secs(2));
    assert_eq!(sim.platform.delivered_texts(), ["first"], "group created");
    let now = sim.now;
    let session = &mut sim.session;
    let mut sent = Vec::with_capacity(sends);
    let t0 = Instant::now();
    for i in 0..sends {
        let spec = MessageSpec::text(CHAN, "hello", make(&ids)).sender("agent");
        session
            .send_message(now, i as i64, spec, None)
            .expect("sent");
        drain(session, &mut sent);
    }
    let per = t0.elapsed() / sends as u32;
    assert_eq!(sent.len(), sends, "the cached group is used at once");
    per
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let runs = env_list("SESSION_BENCH_RUNS", &[5])[0].max(1);
    for n in env_list("SESSION_BENCH_BURSTS", &[1_000, 10_000, 100_000]) {
        let mut sends = Vec::new();
        let mut acks = Vec::new();
        let mut totals = Vec::new();
        for _ in 0..runs {
            let (s, a) = burst(n);
            sends.push(s / n as u32);
            acks.push(a / n as u32);
            totals.push((s + a) / n as u32);
        }
        let total = fastest(totals);
        println!(
            "burst {n:>7} in flight: {:>8.0} ns per send (send {:.0} + ack {:.0}), {:>9.0} sends/s",
            ns(total),
            ns(fastest(sends)),
            ns(fastest(acks)),
            1e9 / ns(total)
        );
    }
    let sends = env_list("SESSION_BENCH_SENDS", &[2_000])[0].max(1);
    for k in env_list("SESSION_BENCH_RECIPIENTS", &[1, 100, 1_000, 10_000]) {
        let vec: Vec<_> = (0..runs)
            .map(|_| recipients(k, sends, &|ids| Recipients::Characters(ids.to_vec())))
            .collect();
        println!(
            "send_message to a cached list of {k:>6}: {:>9.0} ns (Vec cloned by the caller){}",
            ns(fastest(vec)),
            shared_list(k, sends, runs)
        );
    }
}

/// The same with a list shared by reference count (`Recipients::List`).
fn shared_list(k: usize, sends: usize, runs: usize) -> String {
    let list = std::cell::OnceCell::new();
    let shared: Vec<_> = (0..runs)
        .map(|_| {
            recipients(k, sends, &|ids| {
                let l: &CharacterList = list.get_or_init(|| CharacterList::new(ids.to_vec()));
                Recipients::List(l.clone())
            })
        })
        .collect();
    format!(", {:>7.0} ns (shared CharacterList)", ns(fastest(shared)))
}
