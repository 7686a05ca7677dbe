#!/usr/bin/env bash
# Fuzz smoke test (called by .ci/run): runs every cargo-fuzz target in fuzz/
# for FUZZ_SECONDS (30) seconds each, starting from the committed seed corpus
# fuzz/corpus/<target>/seed-*, and fails on any crash, panic, timeout or
# out-of-memory. Installs cargo-fuzz when missing. New inputs found go to a
# scratch directory, so the seed corpus stays as committed.
#
#   bash scripts/fuzz-smoke.sh                # all targets, 30 s each
#   FUZZ_SECONDS=5 bash scripts/fuzz-smoke.sh session
#
# See docs/FUZZING.md. Stable Rust is enough: RUSTC_BOOTSTRAP=1 lets it take
# the -Z flags cargo-fuzz passes. The sanitizer is off by default
# (FUZZ_SANITIZER=none, ~4x more executions; the crates forbid unsafe code);
# FUZZ_SANITIZER=address turns AddressSanitizer on.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"
sanitizer="${FUZZ_SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi

echo "== cargo fuzz build (${targets[*]})"
cargo fuzz build -O -s "$sanitizer"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
summary=()
failed=0
for t in "${targets[@]}"; do
  echo "== fuzzing $t for ${seconds} s"
  mkdir -p "$scratch/$t" "fuzz/corpus/$t"
  log="$scratch/$t.log"
  if cargo fuzz run -O -s "$sanitizer" "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed=1
    tail -n 60 "$log"
  fi
  runs="$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -n 1 || true)"
  seeds="$(find "fuzz/corpus/$t" -type f | wc -l)"
  summary+=("$(printf '%-16s %-7s %10s executions in %s s (%s seeds)' "$t" "$status" "${runs:-?}" "$seconds" "$seeds")")
done

echo "== fuzz smoke summary"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz smoke: a target crashed (inputs in fuzz/artifacts/<target>/)" >&2
  exit 1
fi
