"""A user-mode client of the official SDK against the devserver.

Signs in, joins the configured channel (the SDK does that at start), asks
for a refresh, sends a message, clicks the service's button once it has it,
and exits 0 once it received the echo, the click answer and the buttons,
canvas and style updates (exit 1 on timeout). Everything it gets is
reported as INTEROP lines.
"""

import asyncio

from interop_common import ReportsFailedCopies, config, exit_now, patch_websockets, report, run_user, sdk_configs

patch_websockets()

from moobius import Moobius  # noqa: E402  (after the shim)
from moobius.types import ClickArgument  # noqa: E402

CFG = config()
CHANNEL = CFG["channel"]
NEEDED = {"echo", "click_answer", "buttons", "canvas", "style"}


class User(ReportsFailedCopies, Moobius):
    seen = set()
    clicked = False

    def got(self, what):
        self.seen.add(what)
        if NEEDED <= self.seen:
            report("done", seen=sorted(self.seen))
            exit_now(0)

    async def on_start(self):
        report("user_started", user_id=self.client_id)
        await self.send_refresh(CHANNEL)
        await self.send_message("hello from python", channel_id=CHANNEL, recipients=[self.client_id])

    async def on_message_down(self, message):
        report(
            "on_message_down",
            text=message.content.text,
            sender=message.sender,
            message_id=message.message_id,
            recipients=message.recipients,
        )
        text = message.content.text or ""
        if text == "echo: hello from python":
            self.got("echo")
        if text.startswith("clicked meow"):
            self.got("click_answer")

    async def on_update_buttons(self, update):
        ids = [item.button.button_id for item in update.content]
        report("on_update_buttons", buttons=ids, group_id=update.group_id)
        if "meow" in ids and not self.clicked:
            self.clicked = True
            await self.send_button_click("meow", "confirm", [ClickArgument(label="How many?", value="2")], CHANNEL)
        self.got("buttons")

    async def on_update_canvas(self, update):
        items = [{"text": i.canvas_item.text, "path": i.canvas_item.path} for i in update.content]
        report("on_update_canvas", items=items)
        self.got("canvas")

    async def on_update_style(self, update):
        items = [{"widget": i.style_item.widget, "display": i.style_item.display} for i in update.content]
        report("on_update_style", items=items)
        self.got("style")

    async def on_update_characters(self, update):
        report("on_update_characters", count=len(update.content))


async def main():
    await run_user(User(**sdk_configs(CFG, service_mode=False)), CFG)


if __name__ == "__main__":
    asyncio.run(main())
