# shellcheck shell=bash
# Sourced by scripts/test.sh (bash, set -euo pipefail) before `cargo test`.
#
# Sets up the official Python SDK (moobius==1.8.0, from PyPI) in a venv at
# .venv (repo root, gitignored) for the interop tests in
# tests/tests/python_interop.rs, and exports MOOBIUS_PYTHON, the venv's
# python. An existing .venv is reused when it already imports moobius 1.8.0.
# Fails loudly (non-zero) when the venv cannot be made.

moobius_py_root="$(pwd)"
moobius_py_venv="$moobius_py_root/.venv"
moobius_py_bin="$moobius_py_venv/bin/python"
moobius_py_version="1.8.0"

# Checks the venv's SDK without importing `moobius` itself: importing it runs
# the template generator, which may prompt on stdin (PROTOCOL.md §10 #27).
moobius_py_ok() {
  [ -x "$moobius_py_bin" ] || return 1
  "$moobius_py_bin" - "$moobius_py_version" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
assert version("moobius") == sys.argv[1]
import websockets, aiohttp, dacite, loguru  # the SDK's runtime deps
PY
}

if moobius_py_ok; then
  echo "python.sh: reusing $moobius_py_venv (moobius $moobius_py_version)"
else
  moobius_py_host="${PYTHON:-$(command -v python3 || true)}"
  if [ -z "$moobius_py_host" ]; then
    echo "python.sh: ERROR: python3 not found; the interop tests need it" >&2
    return 1
  fi
  echo "python.sh: creating $moobius_py_venv with moobius==$moobius_py_version"
  rm -rf "$moobius_py_venv"
  if ! "$moobius_py_host" -m venv "$moobius_py_venv"; then
    echo "python.sh: ERROR: '$moobius_py_host -m venv' failed" >&2
    return 1
  fi
  if ! "$moobius_py_bin" -m pip install --quiet --disable-pip-version-check \
      "moobius==$moobius_py_version" </dev/null; then
    echo "python.sh: ERROR: pip install moobius==$moobius_py_version failed" >&2
    return 1
  fi
  if ! moobius_py_ok; then
    echo "python.sh: ERROR: moobius $moobius_py_version is not importable in $moobius_py_venv" >&2
    return 1
  fi
fi

export MOOBIUS_PYTHON="$moobius_py_bin"
echo "python.sh: MOOBIUS_PYTHON=$MOOBIUS_PYTHON"
