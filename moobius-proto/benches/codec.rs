//! Benchmark of the websocket codec against the reference SDK's payloads.
//!
//! Run with `cargo bench -p moobius-proto --bench codec` (about 45 s on a
//! 2-core machine). Each benchmark processes every line of one file
//! of `benches/payloads/` per iteration and declares that many elements,
//! so criterion's `thrpt` is payloads per second and the time divided by the
//! line count is the time per payload.
//!
//! * `decode/<file>/decode_inbound`: our decoder, to typed frames.
//! * `decode/<file>/serde_json_value`: `serde_json::from_str::<Value>` on the
//!   same bytes, what an untyped decode pays in Rust.
//! * `decode/<file>/ignored_any`: `serde_json::from_str::<IgnoredAny>`, the
//!   floor: the JSON is checked and skipped, nothing is built.
//! * `encode/message_down/encode`: [`Outbound::encode`] of the frames of
//!   `message_down.jsonl` (decoded up front with `decode_client_frame`).
//! * `encode/message_down/encode_into`: [`Outbound::encode_into`] into one
//!   reused buffer (what a sender that keeps its buffer pays).
//! * `encode/message_down/serde_json_value`: `serde_json::to_string` of the
//!   same frames held as `serde_json::Value`, for comparison.
//! * `ids/decode/<storage>`: the 4 UUIDs of a `message_up` body decoded into a
//!   struct whose fields are our ids or `String`, `Box<str>`, `Arc<str>`;
//!   `ids/clone/<storage>` clones such a struct.
//! * `ergonomics/…`: what owned views cost on decoded `message_up` frames:
//!   cloning the body, turning its ids into `String`s, reading a `context`
//!   key (parses the kept JSON text) and decoding with `context` read.
//!
//! `scripts/bench/codec-vs-reference.sh` runs this bench, then the reference
//! SDK's equivalent measurement, and prints the ratios.
//!
//! On a shared machine wall-clock figures move by ±10 %; instruction counts
//! do not. `CODEC_BENCH_ONLY` runs one workload without criterion:
//!
//! ```sh
//! BIN=$(ls -t target/release/deps/codec-* | grep -v '\.d$' | head -1)
//! for n in 1 11; do CODEC_BENCH_ONLY=decode/message_up/decode_inbound CODEC_BENCH_PASSES=$n \
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null $BIN 2>&1 | grep Collected; done
//! # instructions per payload = (second − first) / (10 × 100 lines)
//! ```

use criterion::{black_box, Criterion, Throughput};
use moobius_proto::model::MessageBody;
use moobius_proto::ws::{decode_client_frame, decode_inbound, Action, Inbound, Outbound};
use moobius_proto::{ChannelId, CharacterId, GroupId, MessageId, RequestId};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// Where the payload files live: a copy of the project's shared samples
/// (`benches/payloads`), or the folder named by `MOOBIUS_BENCH_PAYLOADS`.
const PAYLOADS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/payloads");

/// The lines of one payload file.
fn lines(name: &str) -> Vec<String> {
    let dir = std::env::var("MOOBIUS_BENCH_PAYLOADS").unwrap_or_else(|_| PAYLOADS.to_owned());
    let path = format!("{dir}/{name}.jsonl");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e} "));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks up front that every payload decodes to the expected kind of frame,
/// so the benchmark measures the success path it claims to.
fn check_inbound(name: &str, lines: &[String]) {
    for (i, line) in lines.iter().enumerate() {
        let frame =
            decode_inbound(line).unwrap_or_else(|e| panic!("{name}.jsonl line {}: {e}", i + 1));
        let ok = match name {
            "message_up" => matches!(frame, Inbound::MessageUp(_)),
            "join" => matches!(frame, Inbound::Action(Action::Join(_))),
            "button_click" => matches!(frame, Inbound::Action(Action::ButtonClick(_))),
            _ => true,
        };
        assert!(ok, "{name}.jsonl line {}: decoded as {frame:?}", i + 1);
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(40)
        .noise_threshold(0.03)
}

fn decode(c: &mut Criterion) {
    for name in ["message_up", "join", "button_click"] {
        let lines = lines(name);
        check_inbound(name, &lines);
        let n = lines.len() as u64;
        let mut g = c.benchmark_group(format!("decode/{name}"));
        g.throughput(Throughput::Elements(n));
        g.bench_function("decode_inbound", |b| {
            b.iter(|| {
                for line in &lines {
                    black_box(decode_inbound(black_box(line)).ok());
                }
            });
        });
        g.bench_function("serde_json_value", |b| {
            b.iter(|| {
                for line in &lines {
                    black_box(serde_json::from_str::<serde_json::Value>(black_box(line)).ok());
                }
            });
        });
        g.bench_function("ignored_any", |b| {
            b.iter(|| {
                for line in &lines {
                    black_box(serde_json::from_str::<serde::de::IgnoredAny>(black_box(line)).ok());
                }
            });
        });
        g.finish();
    }
}

fn encode(c: &mut Criterion) {
    let lines = lines("message_down");
    let frames: Vec<(RequestId, Outbound)> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let f = decode_client_frame(line)
                .unwrap_or_else(|e| panic!("message_down.jsonl line {}: {e}", i + 1));
            assert!(
                matches!(f.frame, Outbound::MessageDown(_)),
                "line {}: {:?}",
                i + 1,
                f.frame
            );
            let rid = f.request_id.unwrap_or_else(|| RequestId::new("r"));
            (rid, f.frame)
        })
        .collect();
    // The same frames as untyped values, in the compact form `encode` writes.
    let values: Vec<serde_json::Value> = frames
        .iter()
        .map(|(rid, f)| {
            serde_json::from_str(&f.encode(rid)).unwrap_or_else(|e| panic!("re-parse: {e}"))
        })
        .collect();
    let mut g = c.benchmark_group("encode/message_down");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("encode", |b| {
        b.iter(|| {
            for (rid, frame) in &frames {
                black_box(black_box(frame).encode(rid));
            }
        });
    });
    let mut buf = Vec::with_capacity(1024);
    g.bench_function("encode_into", |b| {
        b.iter(|| {
            for (rid, frame) in &frames {
                buf.clear();
                black_box(frame).encode_into(rid, &mut buf);
                black_box(&buf);
            }
        });
    });
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for v in &values {
                black_box(serde_json::to_string(black_box(v)).ok());
            }
        });
    });
    g.finish();
}

/// The four ids of a `message_up` body, as JSON.
fn id_lines() -> Vec<String> {
    lines("message_up")
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_default();
            let b = &v["body"];
            serde_json::json!({
                "channel_id": b["channel_id"], "sender": b["sender"],
                "message_id": b["message_id"], "recipients": b["recipients"],
            })
            .to_string()
        })
        .collect()
}

/// Declares a struct of four ids of one storage type.
macro_rules! four_ids {
    ($name:ident, $c:ty, $s:ty, $m:ty, $r:ty) => {
        #[derive(Clone, Deserialize)]
        #[allow(dead_code)]
        struct $name {
            channel_id: $c,
            sender: $s,
            message_id: $m,
            recipients: $r,
        }
    };
}
four_ids!(OurIds, ChannelId, CharacterId, MessageId, GroupId);
four_ids!(StringIds, String, String, String, String);
four_ids!(BoxIds, Box<str>, Box<str>, Box<str>, Box<str>);
four_ids!(ArcIds, ArcStr, ArcStr, ArcStr, ArcStr);

/// `Arc<str>` decoded from a JSON string (serde's own impl needs its `rc` feature).
#[derive(Clone)]
struct ArcStr(#[allow(dead_code)] Arc<str>);

impl<'de> Deserialize<'de> for ArcStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ArcStr;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ArcStr, E> {
                Ok(ArcStr(Arc::from(v)))
            }
        }
        d.deserialize_str(V)
    }
}

fn ids(c: &mut Criterion) {
    let lines = id_lines();
    let n = lines.len() as u64;
    macro_rules! storage {
        ($g:ident, $label:literal, $ty:ty) => {
            $g.bench_function($label, |b| {
                b.iter(|| {
                    for line in &lines {
                        black_box(serde_json::from_str::<$ty>(black_box(line)).ok());
                    }
                });
            });
        };
    }
    let mut g = c.benchmark_group("ids/decode");
    g.throughput(Throughput::Elements(n));
    storage!(g, "ours", OurIds);
    storage!(g, "string", StringIds);
    storage!(g, "box_str", BoxIds);
    storage!(g, "arc_str", ArcIds);
    g.finish();
    macro_rules! cloned {
        ($g:ident, $label:literal, $ty:ty) => {
            let vals: Vec<$ty> = lines
                .iter()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            $g.bench_function($label, |b| {
                b.iter(|| {
                    for v in &vals {
                        black_box(black_box(v).clone());
                    }
                });
            });
        };
    }
    let mut g = c.benchmark_group("ids/clone");
    g.throughput(Throughput::Elements(n));
    cloned!(g, "ours", OurIds);
    cloned!(g, "string", StringIds);
    cloned!(g, "box_str", BoxIds);
    cloned!(g, "arc_str", ArcIds);
    g.finish();
}

/// Decoded `message_up` bodies.
fn bodies(lines: &[String]) -> Vec<MessageBody> {
    lines
        .iter()
        .filter_map(|l| match decode_inbound(l) {
            Ok(Inbound::MessageUp(m)) => Some(*m),
            _ => None,
        })
        .collect()
}

fn ergonomics(c: &mut Criterion) {
    let lines = lines("message_up");
    let bodies = bodies(&lines);
    let mut g = c.benchmark_group("ergonomics/message_up");
    g.throughput(Throughput::Elements(bodies.len() as u64));
    g.bench_function("clone_body", |b| {
        b.iter(|| {
            for m in &bodies {
                black_box(black_box(m).clone());
            }
        });
    });
    g.bench_function("ids_to_strings", |b| {
        b.iter(|| {
            for m in &bodies {
                let m = black_box(m);
                black_box((
                    m.channel_id.as_str().to_owned(),
                    m.sender.to_string(),
                    m.message_id.clone().map(MessageId::into_string),
                ));
            }
        });
    });
    g.bench_function("decode_then_read_context", |b| {
        b.iter(|| {
            for line in &lines {
                if let Ok(Inbound::MessageUp(m)) = decode_inbound(black_box(line)) {
                    black_box(
                        m.context
                            .as_ref()
                            .and_then(|c| c.get_str("group_id"))
                            .map(str::len),
                    );
                }
            }
        });
    });
    g.finish();
}

/// One pass of a workload over its file (`decode/<file>/<what>` or
/// `encode/message_down/<what>`), with its payload count.
fn workload(name: &str) -> (Box<dyn FnMut()>, usize) {
    let (file, what) = name
        .rsplit_once('/')
        .unwrap_or_else(|| panic!("workload {name}: want e.g. decode/message_up/decode_inbound"));
    let stem = file.rsplit('/').next().unwrap_or(file);
    let lines = lines(stem);
    let n = lines.len();
    let pass: Box<dyn FnMut()> = match (file.starts_with("encode"), what) {
        (false, "decode_inbound") => Box::new(move || {
            for line in &lines {
                black_box(decode_inbound(black_box(line)).ok());
            }
        }),
        (false, "serde_json_value") => Box::new(move || {
            for line in &lines {
                black_box(serde_json::from_str::<serde_json::Value>(black_box(line)).ok());
            }
        }),
        (false, "ignored_any") => Box::new(move || {
            for line in &lines {
                black_box(serde_json::from_str::<serde::de::IgnoredAny>(black_box(line)).ok());
            }
        }),
        (true, "encode" | "encode_into") => {
            let frames: Vec<_> = lines
                .iter()
                .filter_map(|l| decode_client_frame(l).ok())
                .map(|f| (f.request_id.unwrap_or_else(|| RequestId::new("r")), f.frame))
                .collect();
            if what == "encode" {
                Box::new(move || {
                    for (rid, f) in &frames {
                        black_box(black_box(f).encode(rid));
                    }
                })
            } else {
                let mut buf = Vec::with_capacity(1024);
                Box::new(move || {
                    for (rid, f) in &frames {
                        buf.clear();
                        black_box(f).encode_into(rid, &mut buf);
                        black_box(&buf);
                    }
                })
            }
        }
        (true, "serde_json_value") => {
            let values: Vec<serde_json::Value> = lines
                .iter()
                .filter_map(|l| decode_client_frame(l).ok())
                .filter_map(|f| serde_json::from_str(&f.frame.encode(&RequestId::new("r"))).ok())
                .collect();
            Box::new(move || {
                for v in &values {
                    black_box(serde_json::to_string(black_box(v)).ok());
                }
            })
        }
        _ => panic!("unknown workload {name}"),
    };
    (pass, n)
}

/// CPU time this thread has run, from `/proc/thread-self/schedstat`
/// (nanoseconds, Linux); `None` elsewhere.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The workloads of the CPU-time table, in its order.
const CPU_WORKLOADS: &[&str] = &[
    "decode/message_up/decode_inbound",
    "decode/message_up/serde_json_value",
    "decode/message_up/ignored_any",
    "decode/join/decode_inbound",
    "decode/join/serde_json_value",
    "decode/join/ignored_any",
    "decode/button_click/decode_inbound",
    "decode/button_click/serde_json_value",
    "decode/button_click/ignored_any",
    "encode/message_down/encode",
    "encode/message_down/encode_into",
    "encode/message_down/serde_json_value",
];

/// Prints one JSON object: CPU microseconds per payload of every workload
/// (median of `rounds` rounds of ≥ 0.2 s of CPU each, the workloads of a
/// round back to back). CPU time, not wall time, so that a loaded machine
/// does not count other processes' time, and so that it compares with the
/// reference SDK's `time.process_time` figures.
fn cpu_table(rounds: usize) {
    let mut loads: Vec<_> = CPU_WORKLOADS.iter().map(|w| workload(w)).collect();
    let now = || thread_cpu().unwrap_or_else(|| panic!("no /proc/thread-self/schedstat"));
    // Passes per round: enough for 0.2 s of CPU, from a 20 ms probe.
    let passes: Vec<u32> = loads
        .iter_mut()
        .map(|(pass, _)| {
            let (t0, mut k) = (now(), 0u32);
            while now() - t0 < Duration::from_millis(20) {
                pass();
                k += 1;
            }
            (k * 10).max(1)
        })
        .collect();
    let mut samples = vec![Vec::new(); loads.len()];
    for _ in 0..rounds {
        for (i, (pass, n)) in loads.iter_mut().enumerate() {
            let t0 = now();
            for _ in 0..passes[i] {
                pass();
            }
            let us = (now() - t0).as_secs_f64() * 1e6 / (f64::from(passes[i]) * *n as f64);
            samples[i].push(us);
        }
    }
    let fields: Vec<String> = CPU_WORKLOADS
        .iter()
        .zip(&mut samples)
        .map(|(w, s)| {
            s.sort_by(f64::total_cmp);
            format!("\"{w}\": {:.4}", s[s.len() / 2])
        })
        .collect();
    println!("{{{}}}", fields.join(", "));
}

/// Runs the benchmarks; or, with `CODEC_BENCH_ONLY=<group>/<function>` (e.g.
/// `decode/message_up/decode_inbound`) and `CODEC_BENCH_PASSES=<n>`, runs that
/// one workload n times over its file without criterion, so that an
/// instruction count (`valgrind --tool=callgrind`) is repeatable whatever
/// else the machine is doing: instructions per payload = (count at n=11 −
/// count at n=1) / (10 × lines).
///
/// With `CODEC_BENCH_CPU=<rounds>`, prints instead the CPU time per payload
/// of every workload as one JSON object (see `cpu_table`), which
/// `scripts/bench/codec-vs-reference.sh` compares with the reference SDK.
fn main() {
    if let Ok(only) = std::env::var("CODEC_BENCH_ONLY") {
        let passes: usize = std::env::var("CODEC_BENCH_PASSES")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let (mut pass, _) = workload(&only);
        for _ in 0..passes {
            pass();
        }
        return;
    }
    if let Ok(rounds) = std::env::var("CODEC_BENCH_CPU") {
        cpu_table(rounds.parse().unwrap_or(5));
        return;
    }
    // What `criterion_group!`/`criterion_main!` expand to, written out so that
    // no undocumented public function is generated.
    let mut c = config().configure_from_args();
    decode(&mut c);
    encode(&mut c);
    ids(&mut c);
    ergonomics(&mut c);
    c.final_summary();
}
