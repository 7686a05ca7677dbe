#!/usr/bin/env bash
# Runs every test of the workspace. This is the README's test command and what
# CI runs (through .ci/run). It installs and starts what the tests need: each
# scripts/env/*.sh sets up one dependency (a Python venv with the reference
# SDK, a redis-server, ...) and exports the variables the tests read.
set -euo pipefail
cd "$(dirname "$0")/.."

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
cargo test --workspace --locked "$@"
