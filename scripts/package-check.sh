#!/usr/bin/env bash
# Checks that every publishable crate of the workspace packages and builds
# from its packaged sources alone, as crates.io would build it: `cargo package`
# makes each crate's .crate file (path dependencies resolved to the other
# packaged crates of this workspace, in dependency order) and compiles it.
# `moobius-e2e` (the tests) and `fuzz/` are not published.
# Called by .ci/run; takes two to four minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo package --workspace"
# `cargo package` verifies each crate against the others through a local
# registry under target/package, which cargo unpacks into
# $CARGO_HOME/registry/src/-<hash of its path>/. Our crates keep one version
# between releases, so sources unpacked by an earlier run from the same path
# would be used as they were, and so would what an earlier run compiled from
# them (cargo never re-checks a registry crate's sources): remove all of it
# first. (Our crates are not on crates.io, so every `moobius-*` there comes
# from such a local registry.) A fresh clone has none of it.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
target="${CARGO_TARGET_DIR:-target}"
rm -rf target/package "$cargo_home"/registry/src/-*/moobius-* "$cargo_home"/registry/cache/-*/moobius-* \
  "$target"/debug/.fingerprint/moobius-* "$target"/debug/deps/libmoobius_* "$target"/debug/deps/moobius_*
log="$(mktemp)"
if ! cargo package --workspace --locked --allow-dirty --exclude moobius-e2e >"$log" 2>&1; then
  cat "$log" >&2
  echo "package-check: cargo package failed" >&2
  exit 1
fi
grep -E "^ *(Packaged|Verifying)|^warning" "$log" || true
rm -f "$log"
echo "package-check: every crate packages and builds from its .crate file"
