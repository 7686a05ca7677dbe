#!/usr/bin/env bash
# Runs our codec benchmark and, right after it on the same machine, the
# reference SDK's equivalent measurement (scripts/bench/reference_codec.py,
# in the venv that scripts/env/python.sh makes), then prints one table of
# microseconds per payload and the ratios: ours against the reference, and
# ours against the `IgnoredAny` floor (serde_json checking and skipping the
# same bytes, building nothing).
#
#   bash scripts/bench/codec-vs-reference.sh            # ~1 min after the build
#   MOOBIUS_BENCH_PAYLOADS=dir bash ...                 # other payload files
#   MOOBIUS_BENCH_CRITERION=1 bash ...                  # also the criterion run
#
# Both sides are measured in CPU time of the measuring thread/process: ours
# with `CODEC_BENCH_CPU` (benches/codec.rs, thread CPU time, median of rounds
# that run every workload back to back), the reference with
# `time.process_time`, as shared/bench/RESULTS.md measured it. Wall time
# (criterion) on a loaded machine also counts other processes' time and would
# skew the ratio against whichever side ran while the machine was busier.
#
# Both sides read the same payload files: moobius-proto/benches/payloads (a
# copy of the project's shared samples; world.json maps their group ids to
# members), or the folder named by MOOBIUS_BENCH_PAYLOADS.
set -euo pipefail
cd "$(dirname "$0")/../.."
payloads="${MOOBIUS_BENCH_PAYLOADS:-$(pwd)/moobius-proto/benches/payloads}"
export MOOBIUS_BENCH_PAYLOADS="$payloads"
[ -d "$payloads" ] || { echo "no payload folder at $payloads" >&2; exit 1; }

MOOBIUS_CLEANUP_PIDS=""
# shellcheck source=/dev/null
source scripts/env/python.sh

echo "== ours: cargo bench -p moobius-proto --bench codec (CODEC_BENCH_CPU=5)"
if [ -n "${MOOBIUS_BENCH_CRITERION:-}" ]; then
  cargo bench --locked -p moobius-proto --bench codec -- --noplot >/dev/null
fi
cargo bench --locked -p moobius-proto --bench codec --no-run 2>/dev/null
ours_json="$(CODEC_BENCH_CPU=5 cargo bench --locked -p moobius-proto --bench codec 2>/dev/null | grep '^{')"
echo "== reference SDK (moobius 1.8.0): scripts/bench/reference_codec.py"
ref_json="$("$MOOBIUS_PYTHON" scripts/bench/reference_codec.py "$payloads" 20000 3)"

python3 - "$ours_json" "$ref_json" <<'PY'
import json, sys
ours, ref = json.loads(sys.argv[1]), json.loads(sys.argv[2])

print()
print("CPU µs per payload (ours: median of 5 rounds; reference: median of 3 runs of 20,000)")
print()
print("| what | ours µs | serde_json::Value µs | IgnoredAny µs (floor) | ours / floor | reference µs | reference / ours |")
print("|---|---|---|---|---|---|---|")
for name in ["message_up", "join", "button_click"]:
    o = ours[f"decode/{name}/decode_inbound"]
    v = ours[f"decode/{name}/serde_json_value"]
    fl = ours[f"decode/{name}/ignored_any"]
    r = ref[f"decode {name}"]
    print(f"| decode {name} | {o:.3f} | {v:.3f} | {fl:.3f} | {o / fl:.2f}× | {r:.1f} | {r / o:.0f}× |")
r = ref["encode message_down"]
v = ours["encode/message_down/serde_json_value"]
for fn, label in [("encode_into", "encode message_down (reused buffer)"), ("encode", "encode message_down (new String)")]:
    o = ours[f"encode/message_down/{fn}"]
    print(f"| {label} | {o:.3f} | {v:.3f} | — | — | {r:.1f} | {r / o:.0f}× |")
print(f"\nreference json.loads of a message_up frame: {ref['json.loads message_up']:.2f} µs")
PY

if [ -n "${MOOBIUS_BENCH_INSTRUCTIONS:-}" ]; then
  bench_bin="$(cargo bench --locked -p moobius-proto --bench codec --no-run --message-format=json 2>/dev/null \
    | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "codec":
        print(m["executable"])')"
  # Instructions of n passes over a payload file; per payload = (n=11 − n=1) / (10 × lines).
  count() {
    CODEC_BENCH_ONLY="$1" CODEC_BENCH_PASSES="$2" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$bench_bin" 2>&1 | awk '/Collected/ {print $4}'
  }
  echo
  echo "Instructions per payload (valgrind --tool=callgrind)"
  echo
  echo "| what | ours | IgnoredAny (floor) | ours / floor |"
  echo "|---|---|---|---|"
  for name in message_up join button_click; do
    lines="$(grep -c . "$payloads/$name.jsonl")"
    per() { echo $(( ($(count "decode/$name/$1" 11) - $(count "decode/$name/$1" 1)) / (10 * lines) )); }
    o="$(per decode_inbound)"; f="$(per ignored_any)"
    python3 -c "print(f'| decode $name | $o | $f | {$o / $f:.2f}× |')"
  done
fi
