#!/usr/bin/env bash
# Runs every test of the workspace: the README's test command, and what CI runs
# (through .ci/run).
#
# What it sets up first (each scripts/env/*.sh does one thing and exports the
# variable its tests read; each fails loudly when it cannot):
#   * python.sh   - a Python venv at .venv with the official SDK moobius==1.8.0
#                   from PyPI (MOOBIUS_PYTHON), for the interop tests;
#   * redis.sh    - Debian's redis-server (installed with apt-get when missing),
#                   started on a free loopback port (MOOBIUS_TEST_REDIS_URL);
#   * any other scripts/env/*.sh, which says what it installs when it runs.
# Then `cargo test --workspace --locked` (extra arguments are passed on), and a
# last line `tests: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== scripts/test.sh: sets up $(ls scripts/env/*.sh 2>/dev/null | xargs -n1 basename | tr '\n' ' ')then runs cargo test --workspace"

# PIDs of helper processes started by the env scripts, stopped on exit.
MOOBIUS_CLEANUP_PIDS=""
cleanup() {
  for pid in $MOOBIUS_CLEANUP_PIDS; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

for env_script in scripts/env/*.sh; do
  [ -e "$env_script" ] || continue
  echo "== setting up: $env_script"
  # shellcheck source=/dev/null
  source "$env_script"
done

echo "== cargo test --workspace"
log="$(mktemp)"
status=0
cargo test --workspace --locked "$@" 2>&1 | tee "$log" || status=$?
passed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
failed=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "scripts/test.sh: cargo test exited with $status before every test ran (a build error?)" >&2
  failed=1
fi
echo "tests: $passed passed, $failed failed"
exit "$status"
