"""A service-mode client of the official SDK against the devserver.

Signs in, creates a service (service_id is empty), binds the configured
channel, answers joins and refreshes with send_characters, send_buttons,
send_canvas (uploading a local image) and send_style, echoes every
message_up with send_message, and answers button clicks with a message.
"""

import asyncio

from interop_common import config, exit_now, patch_websockets, report, sdk_configs

patch_websockets()

from moobius import Moobius  # noqa: E402  (after the shim)
from moobius.types import Button, CanvasItem, StyleItem  # noqa: E402

CFG = config()


class EchoService(Moobius):
    agent_id = None
    agent_lock = None

    async def agent(self):
        # Inbound frames are handled concurrently by the SDK: create once.
        if self.agent_lock is None:
            self.agent_lock = asyncio.Lock()
        async with self.agent_lock:
            if not self.agent_id:
                a = await self.create_agent("Echo Bot", description="Echoes messages")
                self.agent_id = a.character_id
                report("agent", character_id=self.agent_id)
        return self.agent_id

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

    async def on_button_click(self, click):
        args = [[a.label, a.value] for a in (click.arguments or [])]
        report("on_button_click", button_id=click.button_id, arguments=args, sender=click.sender)
        text = "clicked " + click.button_id + "".join(f" {l}={v}" for l, v in args)
        await self.send_message(text, channel_id=click.channel_id, sender=await self.agent(), recipients=[click.sender])

    async def on_copy_client(self, copy):
        if not copy.status:
            report("copy_false", origin_type=copy.origin_type, context=copy.context)


async def main():
    service = EchoService(**sdk_configs(CFG, service_mode=True))
    try:
        await asyncio.wait_for(service.start(), timeout=CFG.get("timeout", 50))
    except asyncio.TimeoutError:
        report("service_timeout")
        exit_now(0)


if __name__ == "__main__":
    asyncio.run(main())
