"""A service-mode client of the official SDK against the devserver.

Signs in, creates a service (service_id is empty), binds the configured
channel, answers joins and refreshes with send_characters, send_buttons,
send_canvas (uploading a local image) and send_style, echoes every
message_up with send_message, and answers button clicks with a message.
"""

import asyncio

from interop_common import ServiceHelpers, config, patch_websockets, report, run_service, sdk_configs

patch_websockets()

from moobius import Moobius  # noqa: E402  (after the shim)
from moobius.types import Button, CanvasItem, StyleItem  # noqa: E402

CFG = config()


class EchoService(ServiceHelpers, Moobius):
    async def send_ui(self, channel_id, who):
        agent = await self.agent()
        members = await self.fetch_member_ids(channel_id)
        await self.send_characters([agent] + members, channel_id, [who])
        await self.send_buttons([Button(button_id="meow", button_text="Meow", dialog=None)], channel_id, [who])
        await self.send_canvas([CanvasItem(text="hello canvas", path=CFG["image"])], channel_id, [who])
        await self.send_style([StyleItem(widget="canvas", display="visible", expand=True)], channel_id, [who])
        report("ui_sent", to=who)

    async def on_start(self):
        report("service_started", service_id=self.client_id)

    async def on_join(self, action):
        report("on_join", sender=action.sender, channel_id=action.channel_id)
        await self.send_ui(action.channel_id, action.sender)

    async def on_refresh(self, action):
        report("on_refresh", sender=action.sender)
        await self.send_ui(action.channel_id, action.sender)

    async def on_message_up(self, message):
        report(
            "on_message_up",
            text=message.content.text,
            sender=message.sender,
            recipients=message.recipients,
            message_id=message.message_id,
        )
        await self.send_message(
            "echo: " + (message.content.text or ""),
            channel_id=message.channel_id,
            sender=await self.agent(),
            recipients=[message.sender],
        )


async def main():
    await run_service(EchoService(**sdk_configs(CFG, service_mode=True)), CFG)


if __name__ == "__main__":
    asyncio.run(main())
