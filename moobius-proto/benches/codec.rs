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
//! * `encode/message_down/serde_json_value`: `serde_json::to_string` of the
//!   same frames held as `serde_json::Value`, for comparison.
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
use moobius_proto::ws::{decode_client_frame, decode_inbound, Action, Inbound, Outbound};
use moobius_proto::RequestId;
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
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for v in &values {
                black_box(serde_json::to_string(black_box(v)).ok());
            }
        });
    });
    g.finish();
}

/// Without criterion: runs one workload `passes` times over its file, for
/// `valgrind --tool=callgrind` or `perf` (see the docs of `main`).
fn run_passes(workload: &str, passes: usize) {
    let (file, what) = workload.rsplit_once('/').unwrap_or_else(|| {
        panic!("CODEC_BENCH_ONLY={workload}: want e.g. decode/message_up/decode_inbound")
    });
    let name = file.rsplit('/').next().unwrap_or(file);
    let lines = lines(name);
    match (file.starts_with("encode"), what) {
        (false, "decode_inbound") => {
            for _ in 0..passes {
                for line in &lines {
                    black_box(decode_inbound(black_box(line)).ok());
                }
            }
        }
        (false, "serde_json_value") => {
            for _ in 0..passes {
                for line in &lines {
                    black_box(serde_json::from_str::<serde_json::Value>(black_box(line)).ok());
                }
            }
        }
        (false, "ignored_any") => {
            for _ in 0..passes {
                for line in &lines {
                    black_box(serde_json::from_str::<serde::de::IgnoredAny>(black_box(line)).ok());
                }
            }
        }
        (true, "encode") => {
            let frames: Vec<_> = lines
                .iter()
                .filter_map(|l| decode_client_frame(l).ok())
                .collect();
            let rid = RequestId::new("r");
            for _ in 0..passes {
                for f in &frames {
                    black_box(black_box(&f.frame).encode(&rid));
                }
            }
        }
        _ => panic!("unknown workload {workload}"),
    }
}

/// Runs the benchmarks; or, with `CODEC_BENCH_ONLY=<group>/<function>` (e.g.
/// `decode/message_up/decode_inbound`) and `CODEC_BENCH_PASSES=<n>`, runs that
/// one workload n times over its file without criterion, so that an
/// instruction count (`valgrind --tool=callgrind`) is repeatable whatever
/// else the machine is doing: instructions per payload = (count at n=11 −
/// count at n=1) / (10 × lines).
fn main() {
    if let Ok(only) = std::env::var("CODEC_BENCH_ONLY") {
        let passes = std::env::var("CODEC_BENCH_PASSES")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        run_passes(&only, passes);
        return;
    }
    // What `criterion_group!`/`criterion_main!` expand to, written out so that
    // no undocumented public function is generated.
    let mut c = config().configure_from_args();
    decode(&mut c);
    encode(&mut c);
    c.final_summary();
}
