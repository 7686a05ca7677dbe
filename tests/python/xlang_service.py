"""A service of the official SDK against a Rust user, through the devserver
(run by tests/tests/cross_language.rs).

Signs in, creates a service, binds the configured channel, answers joins and
refreshes with characters, buttons, canvas, style and a menu; echoes every
message_up; answers a button click and a menu click with a message naming
what was clicked and the dialog values. Everything it gets is reported as
INTEROP lines.
"""

import asyncio

from interop_common import ServiceHelpers, config, patch_websockets, report, run_service, sdk_configs

patch_websockets()

from moobius import Moobius  # noqa: E402  (after the shim)
from moobius.types import Button, CanvasItem, MenuItem, StyleItem  # noqa: E402

CFG = config()


class UiService(ServiceHelpers, Moobius):
    async def send_ui(self, channel_id, who):
        agent = await self.agent()
        await self.send_characters([agent, who], channel_id, [who])
        await self.send_buttons([Button(button_id="meow", button_text="Meow", dialog=None)], channel_id, [who])
        await self.send_canvas([CanvasItem(text="hello canvas", path=None)], channel_id, [who])
        await self.send_style([StyleItem(widget="canvas", display="visible", expand=True)], channel_id, [who])
        await self.send_menu([MenuItem(menu_item_id="shout", menu_item_text="Shout it", message_subtypes=["text"])], channel_id, [who])
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
        report("on_message_up", text=message.content.text, sender=message.sender, message_id=message.message_id)
        await self.send_message(
            "echo: " + (message.content.text or ""),
            channel_id=message.channel_id,
            sender=await self.agent(),
            recipients=[message.sender],
        )

    async def on_menu_item_click(self, click):
        args = [[a.label, a.value] for a in (click.arguments or [])]
        content = click.message_content
        text_of = content.get("text") if isinstance(content, dict) else getattr(content, "text", None)
        report(
            "on_menu_item_click",
            menu_item_id=click.menu_item_id,
            arguments=args,
            message_id=click.message_id,
            message_subtype=click.message_subtype,
            message_text=text_of,
            sender=click.sender,
        )
        text = "menu " + click.menu_item_id + "".join(f" {l}={v}" for l, v in args)
        await self.send_message(text, channel_id=click.channel_id, sender=await self.agent(), recipients=[click.sender])


async def main():
    await run_service(UiService(**sdk_configs(CFG, service_mode=True)), CFG)


if __name__ == "__main__":
    asyncio.run(main())
