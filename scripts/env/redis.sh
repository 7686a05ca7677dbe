# Sourced by scripts/test.sh (bash, `set -euo pipefail` active).
#
# Makes a throw-away redis-server available to the moobius-storage tests:
#   * installs Debian's redis-server if it is not on PATH,
#   * starts it on a free port on 127.0.0.1 only, without persistence,
#   * waits until it answers PING,
#   * exports MOOBIUS_TEST_REDIS_URL=redis://127.0.0.1:PORT/ and appends the
#     server's PID to MOOBIUS_CLEANUP_PIDS (test.sh stops those on exit).
# If MOOBIUS_TEST_REDIS_URL is already set (your own server), it is kept as is.
# Any failure returns non-zero, which stops test.sh.

_moobius_redis_setup() {
  if [ -n "${MOOBIUS_TEST_REDIS_URL:-}" ]; then
    echo "redis: using MOOBIUS_TEST_REDIS_URL=$MOOBIUS_TEST_REDIS_URL (set by caller)"
    return 0
  fi

  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "redis: redis-server not found, installing it with apt-get"
    if ! { apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null; }; then
      echo "redis: ERROR: could not install redis-server" >&2
      return 1
    fi
  fi

  local workdir
  workdir="$(mktemp -d "${TMPDIR:-/tmp}/moobius-redis.XXXXXX")"

  local attempt port pid tries
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    # Something already listens there: pick another port.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
      --save '' --appendonly no --dir "$workdir" \
      --logfile "$workdir/redis-$port.log" --daemonize no \
      </dev/null >/dev/null 2>&1 &
    pid=$!
    for tries in $(seq 1 100); do
      if ! kill -0 "$pid" 2>/dev/null; then
        break # died (port taken in the meantime?): try another port
      fi
      if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)" = "PONG" ]; then
        export MOOBIUS_TEST_REDIS_URL="redis://127.0.0.1:$port/"
        MOOBIUS_CLEANUP_PIDS="${MOOBIUS_CLEANUP_PIDS:-} $pid"
        echo "redis: redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') pid $pid on $MOOBIUS_TEST_REDIS_URL (after ${tries} checks)"
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    echo "redis: attempt $attempt on port $port failed; log:" >&2
    tail -n 5 "$workdir/redis-$port.log" >&2 2>/dev/null || true
  done
  echo "redis: ERROR: could not start redis-server" >&2
  return 1
}

_moobius_redis_setup
unset -f _moobius_redis_setup
