#!/usr/bin/env bash
# End-to-end cost of an echo service, ours beside the reference SDK's, in
# one run: builds the devserver and the Rust echo services (bench profile),
# sets up the reference SDK's venv (scripts/env/python.sh), then runs
# `cargo bench -p moobius-tokio --bench e2e`, which starts each role as its
# own process and prints a table of service CPU µs per echoed message
# (windows 32 and 1), idle RSS, time to ready, and the ratios.
#
#   bash scripts/bench/e2e-vs-reference.sh                 # ~2-3 min warm
#   E2E_BEFORE=de9a2d2 bash scripts/bench/e2e-vs-reference.sh
#       # also measures e2e_service_tokio_main built at that revision
#       # (the "before" row; built once into target/e2e-before/REV/)
#   E2E_LTO=1 bash scripts/bench/e2e-vs-reference.sh
#       # also measures e2e_service built with lto = "fat", codegen-units = 1
#       # (the smallest memory; built once into target/lto/, ~15 min cold)
#
# Any MOOBIUS_BENCH_* variable of moobius-tokio/benches/e2e.rs passes
# through (MOOBIUS_BENCH_SERVICES, MOOBIUS_BENCH_N, MOOBIUS_BENCH_REPEAT, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# shellcheck source=/dev/null
source scripts/env/python.sh

if [ -n "${E2E_BEFORE:-}" ]; then
  rev="$(git rev-parse --short "$E2E_BEFORE")"
  before_bin="$root/target/e2e-before/$rev/e2e_service_tokio_main"
  if [ ! -x "$before_bin" ]; then
    echo "== building e2e_service_tokio_main at $rev (once)"
    src="$root/target/e2e-before/$rev/src"
    rm -rf "$src" && mkdir -p "$src"
    git archive "$rev" | tar -x -C "$src"
    cp moobius-tokio/examples/e2e_service_tokio_main.rs "$src/moobius-tokio/examples/"
    # Revisions before `Config::from_args` (e.g. de9a2d2, the start of wave 2):
    # the example reads `--config PATH` by hand and calls `Config::load`.
    if ! grep -rq "fn from_args" "$src"/moobius-*/src; then
      python3 - "$src/moobius-tokio/examples/e2e_service_tokio_main.rs" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace(
    """    let config = Config::from_args(std::env::args().skip(1))?
        .ok_or("usage: e2e_service_tokio_main --config PATH")?;""",
    """    let args: Vec<String> = std::env::args().collect();
    let path = args
        .iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1))
        .ok_or("usage: e2e_service_tokio_main --config PATH")?;
    let config = Config::load(path)?;""",
)
open(path, "w").write(text)
PY
    fi
    (cd "$src" && CARGO_TARGET_DIR="$root/target" cargo build --locked --profile bench \
      -p moobius-tokio --example e2e_service_tokio_main)
    cp "$root/target/release/examples/e2e_service_tokio_main" "$before_bin"
    rm -rf "$src"
  fi
  export MOOBIUS_BENCH_BEFORE_SERVICE="$before_bin"
  export MOOBIUS_BENCH_SERVICES="${MOOBIUS_BENCH_SERVICES:-before,tokio,tokio-mt,blocking,python}"
fi

if [ -n "${E2E_LTO:-}" ]; then
  echo "== building e2e_service with lto = \"fat\", codegen-units = 1 (target/lto)"
  CARGO_TARGET_DIR="$root/target/lto" CARGO_PROFILE_BENCH_LTO=fat CARGO_PROFILE_BENCH_CODEGEN_UNITS=1 \
    CARGO_PROFILE_BENCH_DEBUG=0 cargo build --locked --profile bench -p moobius-tokio --example e2e_service
  export MOOBIUS_BENCH_EXTRA_SERVICE="$root/target/lto/release/examples/e2e_service"
  export MOOBIUS_BENCH_EXTRA_LABEL="Rust, moobius-tokio (default options), lto = fat, codegen-units = 1"
  services="${MOOBIUS_BENCH_SERVICES:-tokio,tokio-mt,blocking,python}"
  export MOOBIUS_BENCH_SERVICES="$services,extra"
fi

echo "== building the devserver and the echo services (bench profile)"
cargo build --locked --profile bench -p moobius-devserver --bin moobius-devserver \
  -p moobius-tokio --example e2e_service --example e2e_service_tokio_main \
  -p moobius-blocking --example e2e_service_blocking

# Idle RSS is mostly the binaries' code mapped from the page cache, and how
# much of it a start-up maps depends on how the file got there (written by
# the linker, copied, read: the kernel's large folios differ, up to ~0.6 MiB
# apart for one binary). Drop the services' binaries from the cache and fault
# them back in page by page through a mapping, as executing them does (a
# plain `cat` measured ~0.1 MiB more), so that rows built at different times
# compare and time to ready stays a warm start.
for bin in target/release/examples/e2e_service target/release/examples/e2e_service_tokio_main \
  target/release/examples/e2e_service_blocking "${MOOBIUS_BENCH_BEFORE_SERVICE:-}" \
  "${MOOBIUS_BENCH_EXTRA_SERVICE:-}"; do
  if [ -f "$bin" ]; then
    "${MOOBIUS_PYTHON:-python3}" - "$bin" <<'PY' || true
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.fsync(fd)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
with mmap.mmap(fd, 0, prot=mmap.PROT_READ) as m:
    sum(m[off] for off in range(0, len(m), mmap.PAGESIZE))
os.close(fd)
PY
  fi
done

echo "== cargo bench -p moobius-tokio --bench e2e"
cargo bench --locked -p moobius-tokio --bench e2e
