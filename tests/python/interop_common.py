"""Shared by the interop scripts run by tests/tests/python_interop.rs.

The official SDK (moobius 1.8.0) is used as published, with one shim
(PROTOCOL.md §10 #6): WSClient.connect always passes `ssl=<context>` to
`websockets.connect`, which the websockets library refuses for a plain
`ws://` URI, so the SDK would retry forever against a local devserver.
`patch_websockets()` drops `ssl` for `ws://` URIs only; nothing else changes.
Call it before importing `moobius`.

Configuration comes from the MOOBIUS_INTEROP environment variable (JSON),
not argv: importing `moobius` runs its template generator, which scans
sys.argv (PROTOCOL.md §10 #27). Results are printed as lines
`INTEROP {"kind": ..., ...}` for the Rust test to parse.
"""

import json
import os
import sys


def patch_websockets():
    """Drop `ssl=` for ws:// URIs (the only shim applied to the SDK)."""
    import websockets

    original = websockets.connect

    def connect(uri, *args, **kwargs):
        if str(uri).startswith("ws://"):
            kwargs.pop("ssl", None)
        return original(uri, *args, **kwargs)

    websockets.connect = connect


def config():
    """The test's settings (URIs, credentials, channel, ...)."""
    return json.loads(os.environ["MOOBIUS_INTEROP"])


def report(kind, **data):
    """One machine-readable result line on stdout."""
    print("INTEROP " + json.dumps({"kind": kind, **data}, default=str), flush=True)


def sdk_configs(cfg, service_mode):
    """The Moobius constructor arguments for a local devserver."""
    service_config = {
        "http_server_uri": cfg["http"],
        "ws_server_uri": cfg["ws"],
        "service_id": "",
        "channels": [cfg["channel"]],
        "others": "include",
        "checkin_interval": 0,
        "service_mode": service_mode,
        "no_warn_cannot_save_service_id": True,
    }
    level = os.environ.get("MOOBIUS_INTEROP_LOG", "WARNING")
    return dict(
        account_config={"email": cfg["email"], "password": cfg["password"]},
        service_config=service_config,
        log_config={"terminal_log_level": level, "log_level": level},
    )


def exit_now(code):
    """Leave at once (the SDK's loops never return)."""
    sys.stdout.flush()
    os._exit(code)


class ReportsFailedCopies:
    """Mixin (put it before `Moobius`): reports every `copy` with a false status."""

    async def on_copy_client(self, copy):
        if not copy.status:
            report("copy_false", origin_type=copy.origin_type, context=copy.context)


class ServiceHelpers(ReportsFailedCopies):
    """Mixin for the services (put it before `Moobius`): the agent they speak
    as, made once, and a button click answered with a message naming it."""

    agent_id = None
    agent_lock = None

    async def agent(self):
        # Inbound frames are handled concurrently by the SDK: create once.
        if self.agent_lock is None:
            import asyncio

            self.agent_lock = asyncio.Lock()
        async with self.agent_lock:
            if not self.agent_id:
                a = await self.create_agent("Echo Bot", description="Echoes messages")
                self.agent_id = a.character_id
                report("agent", character_id=self.agent_id)
        return self.agent_id

    async def on_button_click(self, click):
        args = [[a.label, a.value] for a in (click.arguments or [])]
        report("on_button_click", button_id=click.button_id, arguments=args, sender=click.sender)
        text = "clicked " + click.button_id + "".join(f" {l}={v}" for l, v in args)
        await self.send_message(text, channel_id=click.channel_id, sender=await self.agent(), recipients=[click.sender])


async def run_service(service, cfg):
    """Runs a service until the test's time is up (then reports it and leaves)."""
    import asyncio

    try:
        await asyncio.wait_for(service.start(), timeout=cfg.get("timeout", 50))
    except asyncio.TimeoutError:
        report("service_timeout")
        exit_now(0)


async def run_user(user, cfg):
    """Runs a user until it reports `done` and leaves; on timeout, reports
    what it saw and leaves with a failure."""
    import asyncio

    try:
        await asyncio.wait_for(user.start(), timeout=cfg.get("timeout", 40))
    except asyncio.TimeoutError:
        pass
    report("timeout", seen=sorted(type(user).seen))
    exit_now(1)
