"""The reference SDK (moobius 1.8.0) as an echo service, for the end-to-end
benchmark (moobius-tokio/benches/e2e.rs, run by scripts/bench/e2e-vs-reference.sh).

Every `message_up` goes back to its author, text unchanged: the same service
as the Rust one (moobius-tokio/examples/e2e_service.rs). The SDK is used as
published; the harness only works around the SDK's own bugs that keep it
from talking to a local devserver at all:

- `WSClient.connect` always passes `ssl=<context>` to `websockets.connect`,
  which the websockets library refuses for a plain `ws://` URI (the SDK then
  retries forever): `ssl` is dropped for `ws://` URIs only.

Settings come from the environment variable MOOBIUS_BENCH_SERVICE (JSON:
http, ws, email, password, channel, service_id), not argv: importing
`moobius` runs its template generator, which scans sys.argv. Logging is at
WARNING on the terminal, as in the reference's measured figures
(/work/shared/bench/RESULTS.md). Prints `E2E READY` once `on_start` runs
(logged in, bound, groups fetched: the SDK's own notion of ready).
"""

import asyncio
import json
import os
import sys


# The one shim, shared with the interop tests (tests/python/interop_common.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "python"))
from interop_common import patch_websockets  # noqa: E402


CFG = json.loads(os.environ["MOOBIUS_BENCH_SERVICE"])
patch_websockets()

from moobius import Moobius  # noqa: E402  (after the shim)


class Echo(Moobius):
    async def on_start(self):
        print("E2E READY", flush=True)

    async def on_message_up(self, message):
        await self.send_message(
            message.content.text or "",
            channel_id=message.channel_id,
            sender=message.sender,
            recipients=[message.sender],
        )


def main():
    service_config = {
        "http_server_uri": CFG["http"],
        "ws_server_uri": CFG["ws"],
        "service_id": CFG.get("service_id", ""),
        "channels": [CFG["channel"]],
        "others": "include",
        "checkin_interval": 0,
        "service_mode": True,
        "no_warn_cannot_save_service_id": True,
    }
    log_config = {"terminal_log_level": "WARNING", "log_level": "WARNING"}
    echo = Echo(
        account_config={"email": CFG["email"], "password": CFG["password"]},
        service_config=service_config,
        log_config=log_config,
    )
    try:
        asyncio.run(echo.start())
    except KeyboardInterrupt:
        pass
    sys.stdout.flush()


if __name__ == "__main__":
    main()
