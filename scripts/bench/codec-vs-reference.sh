#!/usr/bin/env bash
# Runs our codec benchmark and, right after it on the same machine, the
# reference SDK's equivalent measurement (scripts/bench/reference_codec.py,
# in the venv that scripts/env/python.sh makes), then prints one table of
# microseconds per payload and the ratios.
#
#   bash scripts/bench/codec-vs-reference.sh            # full run (~2 min)
#   MOOBIUS_BENCH_PAYLOADS=dir bash ...                 # other payload files
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

echo "== ours: cargo bench -p moobius-proto --bench codec"
cargo bench --locked -p moobius-proto --bench codec -- --noplot >/dev/null
echo "== reference SDK (moobius 1.8.0): scripts/bench/reference_codec.py"
ref_json="$("$MOOBIUS_PYTHON" scripts/bench/reference_codec.py "$payloads" 20000 3)"

python3 - "$payloads" "target/criterion" "$ref_json" <<'PY'
import json, os, sys
payloads, crit, ref = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

def per_payload(group, function, file):
    with open(os.path.join(payloads, file + ".jsonl")) as f:
        n = sum(1 for line in f if line.strip())
    est = json.load(open(os.path.join(crit, group.replace("/", "_"), function, "new", "estimates.json")))
    return est["median"]["point_estimate"] / n / 1000.0  # ns per pass -> µs per payload

rows = []
for name in ["message_up", "join", "button_click"]:
    ours = per_payload(f"decode/{name}", "decode_inbound", name)
    value = per_payload(f"decode/{name}", "serde_json_value", name)
    floor = per_payload(f"decode/{name}", "ignored_any", name)
    r = ref[f"decode {name}"]
    rows.append((f"decode {name}", ours, value, floor, r))
ours = per_payload("encode/message_down", "encode", "message_down")
value = per_payload("encode/message_down", "serde_json_value", "message_down")
rows.append(("encode message_down", ours, value, None, ref["encode message_down"]))

print()
print("| what | ours µs | serde_json::Value µs | IgnoredAny µs (floor) | ours / floor | reference µs | reference / ours |")
print("|---|---|---|---|---|---|---|")
for what, o, v, fl, r in rows:
    fl_s = f"{fl:.3f}" if fl is not None else "—"
    ratio_floor = f"{o / fl:.2f}×" if fl else "—"
    print(f"| {what} | {o:.3f} | {v:.3f} | {fl_s} | {ratio_floor} | {r:.1f} | {r / o:.0f}× |")
print(f"\nreference json.loads of a message_up frame: {ref['json.loads message_up']:.2f} µs")
PY
