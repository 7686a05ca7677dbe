"""A user of the official SDK (user mode) against a Rust service, through
the devserver (run by tests/tests/cross_language.rs).

Joins the configured channel (the SDK does that at start), asks for a
refresh, sends a message, clicks the service's button (with a dialog value)
once it has it, clicks the service's menu item on the service's echo once
it has both, and exits 0 once it received the echo, both click answers and
the buttons, canvas, style and menu updates (exit 1 on timeout).

SDK defect worked around here only (PROTOCOL.md §10 #23): a menu click given
a message id alone is sent with subtype "<unknown>" and empty content, and
given a message object it crashes; so the clicked message is passed as the
dict shape the SDK's own code reads (`message_id`, `message_subtype`,
`content`).
"""

import asyncio

from interop_common import ReportsFailedCopies, config, exit_now, patch_websockets, report, run_user, sdk_configs

patch_websockets()

from moobius import Moobius  # noqa: E402  (after the shim)
from moobius.types import ClickArgument  # noqa: E402

CFG = config()
CHANNEL = CFG["channel"]
NEEDED = {"echo", "click_answer", "menu_answer", "buttons", "canvas", "style", "menu"}


class User(ReportsFailedCopies, Moobius):
    seen = set()
    clicked = False
    menu_clicked = False
    echo = None
    menu_ids = []

    def got(self, what):
        self.seen.add(what)
        if NEEDED <= self.seen:
            report("done", seen=sorted(self.seen))
            exit_now(0)

    async def maybe_menu_click(self):
        if self.echo and "shout" in self.menu_ids and not self.menu_clicked:
            self.menu_clicked = True
            clicked = {"message_id": self.echo.message_id, "message_subtype": self.echo.subtype, "content": {"text": self.echo.content.text}}
            await self.send_menu_item_click("shout", "confirm", [ClickArgument(label="Why", value="test")], clicked, CHANNEL)

    sent = False

    async def on_start(self):
        report("user_started", user_id=self.client_id)
        await self.send_refresh(CHANNEL)

    async def send_hello_once(self):
        # Only once the service has answered (so the platform has handled the
        # join): the recipients list makes the SDK create a channel group
        # over HTTP, which the platform refuses to a non-member, and that
        # request could otherwise overtake the join frame.
        if not self.sent:
            self.sent = True
            await self.send_message("hello from python", channel_id=CHANNEL, recipients=[self.client_id])

    async def on_message_down(self, message):
        report("on_message_down", text=message.content.text, sender=message.sender, message_id=message.message_id)
        text = message.content.text or ""
        if text == "echo: hello from python":
            self.echo = message
            self.got("echo")
            await self.maybe_menu_click()
        if text.startswith("clicked meow"):
            self.got("click_answer")
        if text.startswith("menu shout"):
            self.got("menu_answer")

    async def on_update_buttons(self, update):
        ids = [item.button.button_id for item in update.content]
        report("on_update_buttons", buttons=ids)
        await self.send_hello_once()
        if "meow" in ids and not self.clicked:
            self.clicked = True
            await self.send_button_click("meow", "confirm", [ClickArgument(label="How many?", value="2")], CHANNEL)
        self.got("buttons")

    async def on_update_menu(self, update):
        self.menu_ids = [item.menu_item.menu_item_id for item in update.content]
        subtypes = [item.menu_item.message_subtypes for item in update.content]
        report("on_update_menu", items=self.menu_ids, subtypes=subtypes)
        self.got("menu")
        await self.maybe_menu_click()

    async def on_update_canvas(self, update):
        items = [{"text": i.canvas_item.text, "path": i.canvas_item.path} for i in update.content]
        report("on_update_canvas", items=items)
        self.got("canvas")

    async def on_update_style(self, update):
        items = [{"widget": i.style_item.widget, "display": i.style_item.display} for i in update.content]
        report("on_update_style", items=items)
        self.got("style")


async def main():
    await run_user(User(**sdk_configs(CFG, service_mode=False)), CFG)


if __name__ == "__main__":
    asyncio.run(main())
