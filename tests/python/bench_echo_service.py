"""The reference SDK (moobius 1.8.0) as an echo service, for the end-to-end
benchmark in moobius-tokio/benches/e2e.rs: every message_up is sent back to
its author, text unchanged. Same shim and configuration channel as the
interop scripts (see interop_common.py)."""

import asyncio

from interop_common import config, patch_websockets, report, sdk_configs

patch_websockets()

from moobius import Moobius  # noqa: E402  (after the shim)

CFG = config()


class Echo(Moobius):
    async def on_start(self):
        report("service_started", service_id=self.client_id)

    async def on_message_up(self, message):
        await self.send_message(
            message.content.text or "",
            channel_id=message.channel_id,
            sender=message.sender,
            recipients=[message.sender],
        )


async def main():
    await Echo(**sdk_configs(CFG, service_mode=True)).start()


if __name__ == "__main__":
    asyncio.run(main())
