# shellcheck shell=bash
# Sourced by scripts/test.sh (bash, `set -euo pipefail` active).
#
# Makes headless Chromium and its WebDriver (chromedriver) available to the
# browser test of the devserver's chat page (tests/tests/chat_page.rs):
#   * installs Debian's chromium, chromium-driver and a font if missing,
#   * checks that both start (`--version`),
#   * exports MOOBIUS_CHROMIUM and MOOBIUS_CHROMEDRIVER (their paths).
# Variables already set by the caller are kept. Any failure returns non-zero,
# which stops test.sh (the test itself also fails under CI=true without them).

_moobius_chromium_setup() {
  local chromium="${MOOBIUS_CHROMIUM:-}" driver="${MOOBIUS_CHROMEDRIVER:-}"
  [ -n "$chromium" ] || chromium="$(command -v chromium || command -v chromium-browser || true)"
  [ -n "$driver" ] || driver="$(command -v chromedriver || true)"

  if [ -z "$chromium" ] || [ -z "$driver" ] || ! fc-list 2>/dev/null | grep -qi dejavu; then
    echo "chromium: installing chromium, chromium-driver and fonts-dejavu-core with apt-get"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver fonts-dejavu-core fontconfig >/dev/null; }; then
      echo "chromium: ERROR: could not install chromium / chromium-driver" >&2
      return 1
    fi
    [ -n "${MOOBIUS_CHROMIUM:-}" ] || chromium="$(command -v chromium || true)"
    [ -n "${MOOBIUS_CHROMEDRIVER:-}" ] || driver="$(command -v chromedriver || true)"
  fi

  if [ -z "$chromium" ] || ! "$chromium" --version >/dev/null 2>&1; then
    echo "chromium: ERROR: chromium does not run (${chromium:-not found})" >&2
    return 1
  fi
  if [ -z "$driver" ] || ! "$driver" --version >/dev/null 2>&1; then
    echo "chromium: ERROR: chromedriver does not run (${driver:-not found})" >&2
    return 1
  fi
  export MOOBIUS_CHROMIUM="$chromium" MOOBIUS_CHROMEDRIVER="$driver"
  echo "chromium: $("$chromium" --version 2>/dev/null) at $MOOBIUS_CHROMIUM; chromedriver at $MOOBIUS_CHROMEDRIVER"
}

_moobius_chromium_setup
unset -f _moobius_chromium_setup
